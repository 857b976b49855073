"""A pupil's homework list, the pupil's "done" ticks, and homework attachments."""

from __future__ import annotations

import mimetypes
from typing import Annotated
from urllib.parse import quote

from litestar import Response, Router, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import HomeworkDoneRequest, HomeworkDoneState, HomeworkList, Role
from demo_server.access import forbidden, pupil_not_found, require_pupil
from demo_server.auth import Viewer
from demo_server.homework import attachment_file, load_homework, mark_done
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ServerState


@get("/pupils/{pupil_id:int}/homework", summary="A pupil's homework", tags=["homework"])
async def pupil_homework(
    pupil_id: Annotated[int, PathParameter(description="The pupil's id")],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    from_: Annotated[
        str | None, date_query("First due date, YYYY-MM-DD (default: 2 weeks ago)", name="from")
    ] = None,
    to: Annotated[str | None, date_query("Last due date, YYYY-MM-DD (default: in 4 weeks)")] = None,
    subject: Annotated[
        int | None, QueryParameter(description="Only this subject's homework")
    ] = None,
) -> HomeworkList:
    """Homework due in the range, upcoming first (soonest first), then past (latest first)."""
    start = parse_date(from_, "from") if from_ is not None else None
    end = parse_date(to, "to") if to is not None else None
    await require_pupil(db, viewer, pupil_id, "homework")
    homework = await load_homework(db, pupil_id, viewer.today, start, end, subject)
    if homework is None:
        raise pupil_not_found()
    return homework


@put(
    "/pupils/{pupil_id:int}/homework/{homework_id:int}/done",
    summary="Tick homework done (or not)",
    tags=["homework"],
)
@write
async def homework_done(
    pupil_id: Annotated[int, PathParameter(description="The pupil's id")],
    homework_id: Annotated[int, PathParameter(description="The homework's id")],
    data: JSONBody[HomeworkDoneRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> HomeworkDoneState:
    """The pupil themself ticks homework done; kept on the server per pupil."""
    if viewer.role is not Role.PUPIL:
        raise ProblemError(403, "only the pupil can tick their homework done")
    if pupil_id != viewer.id:
        raise pupil_not_found()
    return await mark_done(db, viewer, pupil_id, homework_id, data.done, server.settings.now())


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(name, safe='')}"


@get("/attachments/{attachment_id:int}", summary="A homework attachment", tags=["homework"])
async def attachment(
    attachment_id: Annotated[int, PathParameter(description="The attachment's id")],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> Response[bytes]:
    """The file, for whoever may see the homework it belongs to."""
    if viewer.role not in (Role.PUPIL, Role.PARENT, Role.TEACHER, Role.ADMINISTRATION):
        raise forbidden("homework")
    name, content = await attachment_file(db, viewer, attachment_id)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(name)},
    )


router = Router(path="/", route_handlers=[pupil_homework, homework_done, attachment])
