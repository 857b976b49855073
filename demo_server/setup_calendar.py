"""Set-up of a school's calendar: academic years, their periods (quarters, trimesters or
halves) and holidays.

The rules (inside the year, no overlap, one kind of period a year) are
:mod:`demo_server.setup_rules`'s, which the demo generator meets too. A year is retired, not
deleted; a period is removed only while no period mark was given in it; a holiday is removed
freely (nothing refers to it). Every write goes through :class:`setup_school.SetupTable`
(the version rule, the audit record).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _, ngettext
from demo_server import schema as s
from demo_server import setup_rules as rules
from demo_server.access import not_found
from demo_server.setup_school import SetupTable, check_version, of_school, school_of


def _span(year: s.AcademicYear) -> rules.Span:
    return rules.Span("year", year.id, year.name, year.start, year.end)


def period_struct(period: s.Period) -> m.SetupPeriod:
    return m.SetupPeriod(
        id=period.id,
        year_id=period.year_id,
        kind=m.PeriodKind(period.kind),
        number=period.number,
        name=period.name,
        start=period.start,
        end=period.end,
        version=period.version,
    )


def holiday_struct(holiday: s.Holiday) -> m.SetupHoliday:
    return m.SetupHoliday(
        id=holiday.id, date=holiday.date, name=holiday.name, version=holiday.version
    )


async def year_struct(db: AsyncSession, year: s.AcademicYear) -> m.SetupYear:
    periods = (
        await db.scalars(
            select(s.Period).where(s.Period.year_id == year.id).order_by(s.Period.start)
        )
    ).all()
    holidays = (
        await db.scalars(
            select(s.Holiday)
            .where(
                s.Holiday.school_id == year.school_id,
                s.Holiday.date >= year.start,
                s.Holiday.date <= year.end,
            )
            .order_by(s.Holiday.date)
        )
    ).all()
    return m.SetupYear(
        id=year.id,
        name=year.name,
        start=year.start,
        end=year.end,
        retired=year.retired,
        version=year.version,
        closed=year.closed_at is not None,
        periods=[period_struct(p) for p in periods],
        holidays=[holiday_struct(h) for h in holidays],
    )


async def _period_answer(db: AsyncSession, period: s.Period) -> m.SetupPeriod:
    return period_struct(period)


async def _holiday_answer(db: AsyncSession, holiday: s.Holiday) -> m.SetupHoliday:
    return holiday_struct(holiday)


YEARS = SetupTable("year", s.AcademicYear, year_struct, calendar=True)
PERIODS = SetupTable("period", s.Period, _period_answer)
HOLIDAYS = SetupTable("holiday", s.Holiday, _holiday_answer, calendar=True)


async def list_years(db: AsyncSession, school_id: int) -> m.YearList:
    years = (
        await db.scalars(
            select(s.AcademicYear)
            .where(s.AcademicYear.school_id == school_id)
            .order_by(s.AcademicYear.start.desc())
        )
    ).all()
    return m.YearList(years=[await year_struct(db, year) for year in years])


async def get_year(
    db: AsyncSession, school_id: int, year_id: int, *, field: str = "year_id", status: int = 404
) -> s.AcademicYear:
    """The school's year, or the one refusal for "none" and "another school's"."""
    return await of_school(db, s.AcademicYear, year_id, school_id, "academic year", field, status)


async def _other_years(db: AsyncSession, school_id: int, but: int | None) -> list[rules.Span]:
    years = (
        await db.scalars(select(s.AcademicYear).where(s.AcademicYear.school_id == school_id))
    ).all()
    return [_span(y) for y in years if y.id != but]


async def create_year(
    db: AsyncSession, *, school_id: int, actor_id: int, data: m.YearCreate, now: dt.datetime
) -> m.SetupYear:
    row = rules.year_row(school_id, data.name, data.start, data.end)
    rules.check_years_apart(data.start, data.end, await _other_years(db, school_id, None))
    return await YEARS.insert(db, row, school_id=school_id, actor_id=actor_id, now=now)


async def update_year(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    year_id: int,
    data: m.YearUpdate,
    now: dt.datetime,
) -> m.SetupYear:
    """Name, dates, retired; the year's periods and holidays must stay inside new dates."""
    year = await get_year(db, school_id, year_id)
    before = await year_struct(db, year)
    check_version("year", year, data.version, before)
    name = " ".join(data.name.split()) if data.name is not None else year.name
    start = data.start or year.start
    end = data.end or year.end
    rules.check_year(name, start, end, "end" if data.end is not None else "start")
    if (start, end) != (year.start, year.end):
        rules.check_years_apart(start, end, await _other_years(db, school_id, year.id))
        for period in before.periods:
            if period.start < start or period.end > end:
                raise rules.conflict(
                    "period",
                    period.id,
                    period.name,
                    _(
                        "{name} ({start} to {end}) would fall outside the year: change it first"
                    ).format(name=period.name, start=period.start, end=period.end),
                    "start" if period.start < start else "end",
                )
        for holiday in before.holidays:
            if not start <= holiday.date <= end:
                raise rules.conflict(
                    "holiday",
                    holiday.id,
                    holiday.name or str(holiday.date),
                    _("the holiday {day} would fall outside the year: remove it first").format(
                        day=holiday.date
                    ),
                    "start" if holiday.date < start else "end",
                )
    values = {"name": name, "start": start, "end": end}
    if data.retired is not None:
        values["retired"] = data.retired
    return await YEARS.change(
        db, year, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )


# --- periods ----------------------------------------------------------------------------------


async def _periods_of(
    db: AsyncSession, year_id: int, but: int | None
) -> list[tuple[rules.Span, m.PeriodKind, int]]:
    periods = (await db.scalars(select(s.Period).where(s.Period.year_id == year_id))).all()
    return [
        (rules.Span("period", p.id, p.name, p.start, p.end), m.PeriodKind(p.kind), p.number)
        for p in periods
        if p.id != but
    ]


async def get_period(db: AsyncSession, school_id: int, period_id: int) -> s.Period:
    period = await db.get(s.Period, period_id)
    if period is not None:
        year = await db.get(s.AcademicYear, period.year_id)
        if year is not None and year.school_id == school_id:
            return period
    raise not_found("period", "period_id")


async def add_period(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    year_id: int,
    data: m.PeriodCreate,
    now: dt.datetime,
) -> m.SetupPeriod:
    year = await get_year(db, school_id, year_id)
    school = await school_of(db, school_id)
    row = rules.period_row(
        _span(year),
        data.kind,
        data.number,
        data.start,
        data.end,
        data.name,
        await _periods_of(db, year.id, None),
        school.language,
    )
    return await PERIODS.insert(db, row, school_id=school_id, actor_id=actor_id, now=now)


async def update_period(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    period_id: int,
    data: m.PeriodUpdate,
    now: dt.datetime,
) -> m.SetupPeriod:
    period = await get_period(db, school_id, period_id)
    before = period_struct(period)
    check_version("period", period, data.version, before)
    year = await get_year(db, school_id, period.year_id)
    number = data.number or period.number
    start = data.start or period.start
    end = data.end or period.end
    rules.check_period(
        _span(year),
        m.PeriodKind(period.kind),
        number,
        start,
        end,
        await _periods_of(db, year.id, period.id),
    )
    name = " ".join(data.name.split()) if data.name is not None else period.name
    if not name:
        school = await school_of(db, school_id)
        name = rules.period_name(m.PeriodKind(period.kind), number, school.language)
    values = {"number": number, "start": start, "end": end, "name": name}
    return await PERIODS.change(
        db, period, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )


async def remove_period(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    period_id: int,
    version: int,
    now: dt.datetime,
) -> m.Removed:
    """A period with period marks in it stays (409 saying how many)."""
    period = await get_period(db, school_id, period_id)
    before = period_struct(period)
    check_version("period", period, version, before)
    marks = await db.scalar(
        select(func.count()).select_from(s.PeriodMark).where(s.PeriodMark.period_id == period.id)
    )
    if marks:
        raise rules.conflict(
            "period",
            period.id,
            period.name,
            ngettext(
                "{n} period mark was given in {name}: it is kept for it; change its dates instead",
                "{n} period marks were given in {name}: it is kept for them; change its dates "
                "instead",
                marks,
            ).format(n=marks, name=period.name),
            "period_id",
        )
    return await PERIODS.remove(db, period, before, school_id=school_id, actor_id=actor_id, now=now)


# --- holidays -----------------------------------------------------------------------------------


async def get_holiday(db: AsyncSession, school_id: int, holiday_id: int) -> s.Holiday:
    return await of_school(db, s.Holiday, holiday_id, school_id, "holiday", "holiday_id")


async def _holiday_on(
    db: AsyncSession, school_id: int, day: dt.date, but: int | None, field: str
) -> None:
    other = await db.scalar(
        select(s.Holiday).where(s.Holiday.school_id == school_id, s.Holiday.date == day)
    )
    if other is not None and other.id != but:
        raise rules.conflict(
            "holiday",
            other.id,
            other.name or str(other.date),
            _("{day} is already a holiday ({name})").format(
                day=day, name=other.name or _("no name")
            ),
            field,
        )


async def add_holidays(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    year_id: int,
    data: m.HolidayCreate,
    now: dt.datetime,
) -> m.HolidayList:
    """One day, or every day of a break; none of them may already be a holiday."""
    year = await get_year(db, school_id, year_id)
    days = rules.holiday_days(data.start, data.end)
    rows = []
    for day in days:
        field = "start" if day == data.start else "end"
        rules.check_holiday(_span(year), day, field)
        await _holiday_on(db, school_id, day, None, field)
        rows.append(rules.holiday_row(school_id, _span(year), day, data.name))
    made = [
        await HOLIDAYS.insert(db, row, school_id=school_id, actor_id=actor_id, now=now)
        for row in rows
    ]
    return m.HolidayList(holidays=made)


async def _year_holding(db: AsyncSession, school_id: int, day: dt.date) -> s.AcademicYear | None:
    return await db.scalar(
        select(s.AcademicYear).where(
            s.AcademicYear.school_id == school_id,
            s.AcademicYear.start <= day,
            s.AcademicYear.end >= day,
        )
    )


async def update_holiday(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    holiday_id: int,
    data: m.HolidayUpdate,
    now: dt.datetime,
) -> m.SetupHoliday:
    holiday = await get_holiday(db, school_id, holiday_id)
    before = holiday_struct(holiday)
    check_version("holiday", holiday, data.version, before)
    day = data.date or holiday.date
    if day != holiday.date:
        old_year = await _year_holding(db, school_id, holiday.date)
        if old_year is not None:
            rules.check_holiday(_span(old_year), day, "date")
        await _holiday_on(db, school_id, day, holiday.id, "date")
    name = " ".join(data.name.split()) if data.name is not None else holiday.name
    values = {"date": day, "name": name}
    return await HOLIDAYS.change(
        db, holiday, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )


async def remove_holiday(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    holiday_id: int,
    version: int,
    now: dt.datetime,
) -> m.Removed:
    holiday = await get_holiday(db, school_id, holiday_id)
    before = holiday_struct(holiday)
    check_version("holiday", holiday, version, before)
    return await HOLIDAYS.remove(
        db, holiday, before, school_id=school_id, actor_id=actor_id, now=now
    )
