"""``POST /pupils/{id}/weeks/{monday}/sign``: a parent signs a child's week."""

from __future__ import annotations

from typing import Annotated

from litestar import post
from litestar.di import NamedDependency
from litestar.params import PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import i18n
from api_client import models as m
from api_client.i18n import N_, _
from demo_server.access import require_pupil
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.deps import PupilId
from demo_server.routes.week import parse_date
from demo_server.settings import ServerState
from demo_server.signing import sign_as_parent


@post(
    "/pupils/{pupil_id:int}/weeks/{monday:str}/sign",
    summary="Sign a child's week",
    tags=["week"],
)
@write
async def sign(
    pupil_id: PupilId,
    monday: Annotated[
        str,
        PathParameter(
            description="The Monday of the week, YYYY-MM-DD", schema_extra={"format": "date"}
        ),
    ],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.WeekSignature:
    """Only a parent of the pupil signs; the server keeps who, when and a hash of the week."""
    day = parse_date(monday, "monday")
    if day.weekday() != 0:
        raise ProblemError(
            422,
            _("'monday' must be a Monday; {day} is a {weekday}").format(
                day=day.isoformat(), weekday=i18n.weekday(day)
            ),
            field="monday",
        )
    await require_pupil(db, viewer, pupil_id, N_("pupils' weeks"))
    if viewer.role is not m.Role.PARENT:
        raise ProblemError(403, _("only a parent of the pupil may sign the week"))
    return await sign_as_parent(db, viewer, pupil_id, day, server.settings.now())
