"""Set-up of the school's bell schedules and the days given one.

``GET /bells`` is for anyone of the school to read. The rest is guarded by :data:`GUARD`
(the school's IT staff and administration); every route works
within the caller's school, and a thing of another school is answered as one that does not
exist. Writes go through :func:`demo_server.idempotency.write` and are audited by the service
(:mod:`demo_server.setup_bells`).
"""

from __future__ import annotations

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import setup_bells as bells
from demo_server.access import SETUP_STAFF
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState

GUARD = requires(
    *SETUP_STAFF, what=N_("the school's set-up (its IT staff and administration keep it)")
)


@get("/setup/bell-schedules", summary="The school's bell schedules")
async def schedules(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BellScheduleList:
    return await bells.list_schedules(db, viewer.school_id)


@get("/bells", summary="The school's bell schedules and which one each day keeps")
async def school_bells(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SchoolBells:
    """For every signed-in member of the school: its live bell schedules (the main one
    first) and which one each school day of this week and the next keeps (a shortened day
    marked as one). Times are on the school's clock."""
    return await bells.school_bells(db, viewer.school_id, viewer.today)


@post("/setup/bell-schedules", summary="Create a bell schedule", status_code=201)
@write
async def create_schedule(
    data: JSONBody[m.BellScheduleCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BellScheduleInfo:
    """Its lessons may not overlap; its weekdays may not be another live schedule's (409
    naming it)."""
    return await bells.create_schedule(
        db, data=data, school_id=viewer.school_id, actor_id=viewer.id, now=server.settings.now()
    )


@patch("/setup/bell-schedules/{schedule_id:int}", summary="Change or retire a bell schedule")
@write
async def change_schedule(
    schedule_id: FromPath[int],
    data: JSONBody[m.BellScheduleUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BellScheduleInfo:
    return await bells.update_schedule(
        db,
        schedule_id=schedule_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@post("/setup/bell-days", summary="Give a date a bell schedule (a shortened day)", status_code=200)
@write
async def set_bell_day(
    data: JSONBody[m.BellDaySet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BellDay:
    """``schedule_id`` null gives the date back to its weekday's schedule."""
    return await bells.set_day(
        db, data=data, school_id=viewer.school_id, actor_id=viewer.id, now=server.settings.now()
    )


router = Router(
    path="/",
    route_handlers=[schedules, create_schedule, change_schedule, set_bell_day],
    tags=["set-up"],
    guards=[GUARD],
)
"""The set-up of the bells (the IT staff and the administration); :func:`school_bells`, read
by anyone of the school, is registered beside it without the guard."""
