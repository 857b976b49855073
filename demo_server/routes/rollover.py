"""``/setup/years/{id}/close``: the end of the year (see :mod:`demo_server.rollover`), by the IT
staff or the administration; a dry run unless ``apply`` is true."""

from __future__ import annotations

from litestar import Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import rollover
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState


@post(
    "/setup/years/{year_id:int}/close",
    summary="Close an academic year: its classes move up into the next year",
    status_code=200,
    opt={"problems": (404, 409)},
)
@write
async def close_year(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    year_id: FromPath[int],
    data: JSONBody[m.YearClose],
) -> m.YearClosePlan:
    """Each class moves up one grade into ``next_year_id`` (made there unless set up already),
    its pupils with it; the last grade graduates; the year is closed: nothing of it changes
    after, except by the administration with a reason. ``apply`` false (the default) only says
    what would happen."""
    plan = await rollover.close_year(db, viewer, year_id, data, server.settings.now())
    if not data.apply:
        await db.rollback()
    return plan


router = Router(
    path="/",
    route_handlers=[close_year],
    tags=["set-up"],
    guards=[requires(*rollover.CLOSERS, action=N_("close a school year"))],
)
