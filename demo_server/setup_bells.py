"""Set-up of a school's bell schedules: the normal one, Saturday's, a shortened day's.

A schedule holds its weekdays (no two live schedules share one) and the dates given it
(:class:`schema.BellDay`); a day no schedule names keeps the school's first live schedule,
the main one. The week reads them through ``week.SchoolFacts.times_on``. A schedule is
retired, never deleted (its dates fall back to their weekday's). Bell times must not overlap
(:func:`setup_rules.check_bells`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server import setup_rules as rules
from demo_server.setup_school import SetupTable, audit, calendar_changed, check_version, of_school


async def _schedules(db: AsyncSession, school_id: int) -> list[s.BellSchedule]:
    return list(
        (
            await db.scalars(
                select(s.BellSchedule)
                .where(s.BellSchedule.school_id == school_id)
                .order_by(s.BellSchedule.id)
            )
        ).all()
    )


async def _main_id(db: AsyncSession, school_id: int) -> int | None:
    return await db.scalar(
        select(s.BellSchedule.id)
        .where(s.BellSchedule.school_id == school_id, s.BellSchedule.retired.is_(False))
        .order_by(s.BellSchedule.id)
        .limit(1)
    )


async def schedule_struct(
    db: AsyncSession, schedule: s.BellSchedule, main_id: int | None = None
) -> m.BellScheduleInfo:
    if main_id is None:
        main_id = await _main_id(db, schedule.school_id)
    bells = (
        await db.execute(
            select(s.Bell.number, s.Bell.start, s.Bell.end)
            .where(s.Bell.schedule_id == schedule.id)
            .order_by(s.Bell.number)
        )
    ).all()
    days = (
        await db.scalars(
            select(s.BellDay.date)
            .where(s.BellDay.schedule_id == schedule.id)
            .order_by(s.BellDay.date)
        )
    ).all()
    return m.BellScheduleInfo(
        id=schedule.id,
        name=schedule.name,
        weekdays=rules.weekdays_of(schedule.weekdays),
        bells=[m.Bell(number=n, start=a, end=b) for n, a, b in bells],
        days=list(days),
        main=schedule.id == main_id,
        retired=schedule.retired,
        version=schedule.version,
    )


SCHEDULES = SetupTable("bell_schedule", s.BellSchedule, schedule_struct, calendar=True)


async def list_schedules(db: AsyncSession, school_id: int) -> m.BellScheduleList:
    main_id = await _main_id(db, school_id)
    return m.BellScheduleList(
        schedules=[
            await schedule_struct(db, schedule, main_id)
            for schedule in await _schedules(db, school_id)
        ]
    )


async def get_schedule(
    db: AsyncSession,
    school_id: int,
    schedule_id: int,
    *,
    field: str = "schedule_id",
    status: int = 404,
) -> s.BellSchedule:
    return await of_school(
        db, s.BellSchedule, schedule_id, school_id, "bell schedule", field, status
    )


def _bells(bells: list[m.BellTime]) -> list[tuple[int, str, str]]:
    times = [(b.number, b.start, b.end) for b in bells]
    rules.check_bells(times)
    return times


async def _weekdays(
    db: AsyncSession, school_id: int, weekdays: list[int], but: int | None
) -> list[int]:
    others = [
        (other.id, other.name, rules.weekdays_of(other.weekdays))
        for other in await _schedules(db, school_id)
        if other.id != but and not other.retired
    ]
    return rules.check_weekdays(weekdays, others)


async def _name(db: AsyncSession, school_id: int, name: str, but: int | None) -> str:
    others = [(o.id, o.name) for o in await _schedules(db, school_id) if o.id != but]
    return rules.check_unique_name("bell_schedule", name, others)


async def create_schedule(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    data: m.BellScheduleCreate,
    now: dt.datetime,
) -> m.BellScheduleInfo:
    times = _bells(data.bells)
    name = await _name(db, school_id, data.name, None)
    weekdays = await _weekdays(db, school_id, data.weekdays, None)
    schedule_id = await db.scalar(
        insert(s.BellSchedule)
        .values(**rules.schedule_row(school_id, name, weekdays))
        .returning(s.BellSchedule.id)
    )
    assert schedule_id is not None
    await db.execute(insert(s.Bell), rules.bell_rows(school_id, schedule_id, times))
    schedule = await get_schedule(db, school_id, schedule_id)
    return await SCHEDULES.written(db, schedule, None, school_id, actor_id, now)


async def update_schedule(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    schedule_id: int,
    data: m.BellScheduleUpdate,
    now: dt.datetime,
) -> m.BellScheduleInfo:
    schedule = await get_schedule(db, school_id, schedule_id)
    before = await schedule_struct(db, schedule)
    check_version("bell_schedule", schedule, data.version, before)
    retired = schedule.retired if data.retired is None else data.retired
    name = (
        await _name(db, school_id, data.name, schedule.id)
        if data.name is not None
        else schedule.name
    )
    weekdays = rules.weekdays_of(schedule.weekdays) if data.weekdays is None else data.weekdays
    if not retired:
        weekdays = await _weekdays(db, school_id, weekdays, schedule.id)
    times = _bells(data.bells) if data.bells is not None else None
    if retired and not schedule.retired:
        live = [o for o in await _schedules(db, school_id) if not o.retired and o.id != schedule.id]
        if not live:
            raise rules.bad(
                _(
                    "this is the school's last bell schedule in use: "
                    "make another before retiring it"
                ),
                "retired",
            )
    values = {
        "name": name,
        "weekdays": rules.weekdays_text(sorted(set(weekdays))),
        "retired": retired,
    }
    same_bells = times is None or [(b.number, b.start, b.end) for b in before.bells] == sorted(
        times
    )
    if same_bells and SCHEDULES.holds(schedule, values):
        return before
    await SCHEDULES.bump(db, schedule, data.version, values, before)
    if times is not None and not same_bells:
        await db.execute(delete(s.Bell).where(s.Bell.schedule_id == schedule.id))
        await db.execute(insert(s.Bell), rules.bell_rows(school_id, schedule.id, times))
    return await SCHEDULES.written(db, schedule, before, school_id, actor_id, now)


async def set_day(
    db: AsyncSession, *, school_id: int, actor_id: int, data: m.BellDaySet, now: dt.datetime
) -> m.BellDay:
    """Gives a date a schedule (a shortened day), or back to its weekday's (null)."""
    if data.schedule_id is not None:
        schedule = await get_schedule(db, school_id, data.schedule_id, status=422)
        if schedule.retired:
            raise rules.conflict(
                "bell_schedule",
                schedule.id,
                schedule.name,
                _("the schedule {name} is retired: bring it back or choose another").format(
                    name=repr(schedule.name)
                ),
                "schedule_id",
            )
    current = await db.scalar(
        select(s.BellDay).where(s.BellDay.school_id == school_id, s.BellDay.date == data.date)
    )
    before = None if current is None else m.BellDay(date=data.date, schedule_id=current.schedule_id)
    after = m.BellDay(date=data.date, schedule_id=data.schedule_id)
    if (before or m.BellDay(date=data.date)) == after:
        return after
    if current is not None:
        await db.execute(delete(s.BellDay).where(s.BellDay.id == current.id))
    day_id = current.id if current is not None else 0
    if data.schedule_id is not None:
        day_id = (
            await db.scalar(
                insert(s.BellDay)
                .values(school_id=school_id, date=data.date, schedule_id=data.schedule_id)
                .returning(s.BellDay.id)
            )
            or 0
        )
    await audit(
        db,
        now=now,
        actor_id=actor_id,
        action="update" if current is not None else "create",
        entity="bell_day",
        entity_id=day_id,
        before=before,
        after=after,
    )
    calendar_changed(db, school_id)
    return after


async def school_bells(db: AsyncSession, school_id: int, today: dt.date) -> m.SchoolBells:
    """The school's live bell schedules (the main one first) and the one each school day of
    this week and the next keeps: a date's own (a shortened day), else its weekday's, else
    the main one, as the week's lessons are timed (``week.SchoolFacts.times_on``). A Sunday
    is listed only when a schedule names it."""
    listed = await list_schedules(db, school_id)
    live = sorted((x for x in listed.schedules if not x.retired), key=lambda x: (not x.main, x.id))
    main = next((x.id for x in live if x.main), None)
    own_day = {day: x.id for x in live for day in x.days}
    by_weekday: dict[int, int] = {}
    for x in sorted(live, key=lambda x: x.id):
        for weekday in x.weekdays:
            by_weekday.setdefault(weekday, x.id)
    monday = today - dt.timedelta(days=today.weekday())
    span = [monday + dt.timedelta(days=n) for n in range(14)]
    holidays = set(
        await db.scalars(
            select(s.Holiday.date).where(
                s.Holiday.school_id == school_id,
                s.Holiday.date >= span[0],
                s.Holiday.date <= span[-1],
            )
        )
    )
    days = []
    for day in span:
        if day in own_day:
            days.append(m.BellScheduleDay(date=day, schedule_id=own_day[day], shortened=True))
            continue
        if day.weekday() == 6 and 6 not in by_weekday:
            continue
        days.append(
            m.BellScheduleDay(
                date=day,
                schedule_id=by_weekday.get(day.weekday(), main),
                holiday=day in holidays,
            )
        )
    timezone = await db.scalar(select(s.School.timezone).where(s.School.id == school_id))
    return m.SchoolBells(schedules=live, days=days, today=today, timezone=timezone or "")
