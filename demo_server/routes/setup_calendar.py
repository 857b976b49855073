"""Set-up of the school and its calendar: the school's name, time zone and language; academic
years, their periods and holidays.

Guarded by :data:`GUARD` (the school's IT staff and administration); every route works
within the caller's school, and a thing of another school is answered as one that does not
exist. Writes go through :func:`demo_server.idempotency.write` and are audited by the service
(:mod:`demo_server.setup_calendar`).
"""

from __future__ import annotations

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import setup_calendar as cal
from demo_server import setup_school
from demo_server.access import SETUP_STAFF
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState

GUARD = requires(
    *SETUP_STAFF, what=N_("the school's set-up (its IT staff and administration keep it)")
)


@get("/setup/school", summary="The school as set-up sees it")
async def school(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupSchool:
    return await setup_school.school_info(db, viewer.school_id)


@patch("/setup/school", summary="Change the school's name, time zone or language")
@write
async def change_school(
    data: JSONBody[m.SchoolUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupSchool:
    return await setup_school.update_school(
        db, school_id=viewer.school_id, actor_id=viewer.id, data=data, now=server.settings.now()
    )


@get("/setup/years", summary="The school's academic years with periods and holidays")
async def years(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.YearList:
    return await cal.list_years(db, viewer.school_id)


@post("/setup/years", summary="Create an academic year", status_code=201)
@write
async def create_year(
    data: JSONBody[m.YearCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupYear:
    """Refused (409, naming it) when it overlaps another year of the school."""
    return await cal.create_year(
        db, data=data, school_id=viewer.school_id, actor_id=viewer.id, now=server.settings.now()
    )


@patch("/setup/years/{year_id:int}", summary="Change or retire an academic year")
@write
async def change_year(
    year_id: FromPath[int],
    data: JSONBody[m.YearUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupYear:
    """Its periods and holidays must stay inside new dates (409 naming the first that would not)."""
    return await cal.update_year(
        db,
        year_id=year_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@post(
    "/setup/years/{year_id:int}/periods",
    summary="Add a period (quarter, trimester, half) to a year",
    status_code=201,
)
@write
async def add_period(
    year_id: FromPath[int],
    data: JSONBody[m.PeriodCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupPeriod:
    """Inside the year, overlapping no other period, of the year's one kind (409 naming the
    other)."""
    return await cal.add_period(
        db,
        year_id=year_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@patch("/setup/periods/{period_id:int}", summary="Change a period")
@write
async def change_period(
    period_id: FromPath[int],
    data: JSONBody[m.PeriodUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupPeriod:
    return await cal.update_period(
        db,
        period_id=period_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@post(
    "/setup/periods/{period_id:int}/remove",
    summary="Remove a period no period mark was given in",
    status_code=200,
)
@write
async def remove_period(
    period_id: FromPath[int],
    data: JSONBody[m.Removal],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Removed:
    return await cal.remove_period(
        db,
        period_id=period_id,
        version=data.version,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@post("/setup/years/{year_id:int}/holidays", summary="Add a holiday or a break", status_code=201)
@write
async def add_holidays(
    year_id: FromPath[int],
    data: JSONBody[m.HolidayCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.HolidayList:
    """Every day from ``start`` to ``end``: each inside the year and not a holiday already."""
    return await cal.add_holidays(
        db,
        year_id=year_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@patch("/setup/holidays/{holiday_id:int}", summary="Change a holiday")
@write
async def change_holiday(
    holiday_id: FromPath[int],
    data: JSONBody[m.HolidayUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupHoliday:
    return await cal.update_holiday(
        db,
        holiday_id=holiday_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@post("/setup/holidays/{holiday_id:int}/remove", summary="Remove a holiday", status_code=200)
@write
async def remove_holiday(
    holiday_id: FromPath[int],
    data: JSONBody[m.Removal],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Removed:
    return await cal.remove_holiday(
        db,
        holiday_id=holiday_id,
        version=data.version,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


router = Router(
    path="/",
    route_handlers=[
        school,
        change_school,
        years,
        create_year,
        change_year,
        add_period,
        change_period,
        remove_period,
        add_holidays,
        change_holiday,
        remove_holiday,
    ],
    tags=["set-up"],
    guards=[GUARD],
)
