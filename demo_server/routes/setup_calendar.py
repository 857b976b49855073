"""Set-up of the school and its calendar: the school's name, time zone and language; academic
years, their periods and holidays.

Guarded by :data:`~demo_server.routes.deps.SETUP_GUARD` (the school's IT staff and
administration); every route works within the caller's school, and a thing of another school is
answered as one that does not exist. Each route is made from the service function that does its
work (``setup_read``, ``school_write`` of :mod:`demo_server.routes.deps`): writes go through
:func:`demo_server.idempotency.write` and are audited by the service
(:mod:`demo_server.setup_calendar`).
"""

from __future__ import annotations

from litestar import Router, get, patch, post

from demo_server import setup_calendar as cal
from demo_server import setup_school
from demo_server.routes.deps import SETUP_GUARD, school_write, setup_read

school = setup_read(
    get("/setup/school", summary="The school as set-up sees it"), setup_school.school_info, "school"
)
change_school = school_write(
    patch("/setup/school", summary="Change the school's name, time zone or language"),
    setup_school.update_school,
    "change_school",
)
years = setup_read(
    get("/setup/years", summary="The school's academic years with periods and holidays"),
    cal.list_years,
    "years",
)
create_year = school_write(
    post("/setup/years", summary="Create an academic year", status_code=201),
    cal.create_year,
    "create_year",
    "Refused (409, naming it) when it overlaps another year of the school.",
)
change_year = school_write(
    patch("/setup/years/{year_id:int}", summary="Change or retire an academic year"),
    cal.update_year,
    "change_year",
    "Its periods and holidays must stay inside new dates (409 naming the first that would not).",
)
add_period = school_write(
    post(
        "/setup/years/{year_id:int}/periods",
        summary="Add a period (quarter, trimester, half) to a year",
        status_code=201,
    ),
    cal.add_period,
    "add_period",
    """Inside the year, overlapping no other period, of the year's one kind (409 naming the
    other).""",
)
change_period = school_write(
    patch("/setup/periods/{period_id:int}", summary="Change a period"),
    cal.update_period,
    "change_period",
)
remove_period = school_write(
    post(
        "/setup/periods/{period_id:int}/remove",
        summary="Remove a period no period mark was given in",
        status_code=200,
    ),
    cal.remove_period,
    "remove_period",
)
add_holidays = school_write(
    post(
        "/setup/years/{year_id:int}/holidays", summary="Add a holiday or a break", status_code=201
    ),
    cal.add_holidays,
    "add_holidays",
    "Every day from ``start`` to ``end``: each inside the year and not a holiday already.",
)
change_holiday = school_write(
    patch("/setup/holidays/{holiday_id:int}", summary="Change a holiday"),
    cal.update_holiday,
    "change_holiday",
)
remove_holiday = school_write(
    post("/setup/holidays/{holiday_id:int}/remove", summary="Remove a holiday", status_code=200),
    cal.remove_holiday,
    "remove_holiday",
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
    guards=[SETUP_GUARD],
)
