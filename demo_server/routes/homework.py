"""A pupil's homework list, the pupil's "done" ticks, and homework attachments: a teacher
uploads a file to a lesson's homework, whoever may see the homework downloads it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import (
    NOTE_MAX_LENGTH,
    TEXT_PATTERN,
    Attachment,
    HomeworkDoneRequest,
    HomeworkDoneState,
    HomeworkList,
    Role,
)
from demo_server import attachments
from demo_server.access import forbidden, pupil_not_found, require_pupil
from demo_server.auth import Viewer
from demo_server.homework import attachment_file, load_homework, mark_done
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.deps import STATE_KEY, PupilId, requires
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ATTACHMENT_CEILING, ServerState
from demo_server.wire import Id


@get("/pupils/{pupil_id:int}/homework", summary="A pupil's homework", tags=["homework"])
async def pupil_homework(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    from_: Annotated[
        str | None, date_query("First due date, YYYY-MM-DD (default: 2 weeks ago)", name="from")
    ] = None,
    to: Annotated[str | None, date_query("Last due date, YYYY-MM-DD (default: in 4 weeks)")] = None,
    subject: Annotated[
        Id | None, QueryParameter(description="Only this subject's homework")
    ] = None,
) -> HomeworkList:
    """Homework due in the range, upcoming first (soonest first), then past (latest first)."""
    start = parse_date(from_, "from") if from_ is not None else None
    end = parse_date(to, "to") if to is not None else None
    await require_pupil(db, viewer, pupil_id, N_("homework"))
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
    pupil_id: PupilId,
    homework_id: Annotated[int, PathParameter(description="The homework's id")],
    data: JSONBody[HomeworkDoneRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> HomeworkDoneState:
    """The pupil themself ticks homework done; kept on the server per pupil."""
    if viewer.role is not Role.PUPIL:
        raise ProblemError(403, _("only the pupil can tick their homework done"))
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
        raise forbidden(N_("homework"))
    name, content = await attachment_file(db, viewer, attachment_id)
    return Response(
        content=content,
        media_type=attachments.media_type(name),
        headers={"Content-Disposition": content_disposition(name)},
    )


UPLOAD = "attachment_upload"
"""The ``opt`` key of the upload route: its body limit is the server's homework file limit
(checked from ``Content-Length`` before the body is read, and again on the bytes read)."""


def upload_limit(request: Request[Any, Any, Any]) -> int | None:
    """The homework file limit when ``request`` is an upload, else None."""
    if not request.scope["route_handler"].opt.get(UPLOAD):
        return None
    server: ServerState = request.app.state[STATE_KEY]
    return server.settings.attachment_max_size


def check_upload_size(request: Request[Any, Any, Any]) -> None:
    """413 naming the limit for an upload that says it is larger, before it is read."""
    limit = upload_limit(request)
    if limit is None:
        return
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise attachments.too_large(int(length), limit)


@post(
    "/lessons/{lesson_id:int}/homework/attachments",
    summary="Attach a file to a lesson's homework",
    tags=["homework"],
    status_code=201,
    guards=[requires(Role.TEACHER, Role.ADMINISTRATION, action=N_("attach files to homework"))],
    request_max_body_size=ATTACHMENT_CEILING,
    opt={UPLOAD: True, "problems": (413,)},
)
@write
async def upload_attachment(
    lesson_id: Annotated[int, PathParameter(description="The lesson whose homework gets the file")],
    name: Annotated[
        str,
        QueryParameter(
            description="The file's name with its type (worksheet.pdf); folders are dropped",
            max_length=1000,
        ),
    ],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    reason: Annotated[
        str,
        QueryParameter(
            description=(
                "Why: required of the administration correcting a closed year's homework (audited)"
            ),
            max_length=NOTE_MAX_LENGTH,
            pattern=TEXT_PATTERN,
        ),
    ] = "",
) -> Attachment:
    """The request body is the file itself (any Content-Type, such as
    application/octet-stream). Its name must end in an allowed type (PDF, office documents,
    text, images: the server's setting) and its first bytes must match that type; it may be
    at most the server's limit (10 MB unless set otherwise). The lesson's homework must be set
    first. The teacher of the lesson while its year is open; after it is closed, the
    administration giving a ``reason``; audited."""
    settings = server.settings
    content = await request.body()
    return await attachments.attach(
        db,
        viewer,
        lesson_id,
        name,
        content,
        now=settings.now(),
        limit=settings.attachment_max_size,
        allowed=settings.attachment_types or attachments.DEFAULT_TYPES,
        reason=reason,
    )


router = Router(
    path="/",
    route_handlers=[pupil_homework, homework_done, attachment, upload_attachment],
)
