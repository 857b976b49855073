"""Set-up of the school's bell schedules and the days given one.

``GET /bells`` is for anyone of the school to read. The rest is guarded by
:data:`~demo_server.routes.deps.SETUP_GUARD` (the school's IT staff and administration); every
route works within the caller's school, and a thing of another school is answered as one that
does not exist. Writes go through :func:`demo_server.idempotency.write` and are audited by the
service (:mod:`demo_server.setup_bells`).
"""

from __future__ import annotations

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import setup_bells as bells
from demo_server.auth import Viewer
from demo_server.routes.deps import SETUP_GUARD, school_write, setup_read

schedules = setup_read(
    get("/setup/bell-schedules", summary="The school's bell schedules"),
    bells.list_schedules,
    "schedules",
)


@get("/bells", summary="The school's bell schedules and which one each day keeps")
async def school_bells(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.SchoolBells:
    """For every signed-in member of the school: its live bell schedules (the main one
    first) and which one each school day of this week and the next keeps (a shortened day
    marked as one). Times are on the school's clock."""
    return await bells.school_bells(db, viewer.school_id, viewer.today)


create_schedule = school_write(
    post("/setup/bell-schedules", summary="Create a bell schedule", status_code=201),
    bells.create_schedule,
    "create_schedule",
    """Its lessons may not overlap; its weekdays may not be another live schedule's (409
    naming it).""",
)
change_schedule = school_write(
    patch("/setup/bell-schedules/{schedule_id:int}", summary="Change or retire a bell schedule"),
    bells.update_schedule,
    "change_schedule",
)
set_bell_day = school_write(
    post(
        "/setup/bell-days", summary="Give a date a bell schedule (a shortened day)", status_code=200
    ),
    bells.set_day,
    "set_bell_day",
    "``schedule_id`` null gives the date back to its weekday's schedule.",
)


router = Router(
    path="/",
    route_handlers=[schedules, create_schedule, change_schedule, set_bell_day],
    tags=["set-up"],
    guards=[SETUP_GUARD],
)
"""The set-up of the bells (the IT staff and the administration); :func:`school_bells`, read
by anyone of the school, is registered beside it without the guard."""
