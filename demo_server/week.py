"""A pupil's week: everything the week screen shows, read with a fixed number of queries.

The lessons are those of the classes the pupil was enrolled in during the week (a pupil who
moved class mid-week sees each class's lessons for their days in it), in order of date and bell.
Each query below runs once per week whatever its size: no query per lesson.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Engine, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from demo_server import schema as s
from demo_server.access import MAX_ID, PUPIL_READERS, pupil_visibility, visibility_params
from demo_server.auth import Viewer
from demo_server.clock import school_zone
from demo_server.lesson_pupils import takes_lesson
from demo_server.setup_rules import weekdays_of


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week that holds ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def short_name(first: str, middle: str, last: str) -> str:
    """``Петрова М. И.``: a surname with initials, the way a diary names a teacher."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    return f"{last} {initials}".strip()


def class_name(grade: int, letter: str) -> str:
    return f"{grade}{letter}"


def class_ref(class_id: int, grade: int, letter: str) -> m.ClassRef:
    return m.ClassRef(id=class_id, name=class_name(grade, letter), grade=grade, letter=letter)


async def current_classes(
    db: AsyncSession, pupil_ids: list[int], on: dt.date
) -> dict[int, m.ClassRef]:
    """Each pupil's class on ``on`` (the latest enrolment started by then, if any)."""
    if not pupil_ids:
        return {}
    rows = await db.execute(
        select(s.Enrolment.pupil_id, s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter)
        .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
        .where(
            s.Enrolment.pupil_id.in_(pupil_ids),
            s.enrolled_on(on),
        )
        .order_by(s.Enrolment.start)
    )
    return {pupil_id: class_ref(cid, grade, letter) for pupil_id, cid, grade, letter in rows}


# The week's statements are built once, at import, with bound parameters: building a SELECT
# and its cache key costs more than running it on SQLite, and the week is the busiest request.
_teacher = aliased(s.User)
_substitute = aliased(s.User)
_author = aliased(s.User)
_done = aliased(s.HomeworkDone)
_enrolment = aliased(s.Enrolment)

# The pupil with their enrolments overlapping the week (and their classes): one row per
# enrolment, or one row with empty enrolment columns for a pupil in no class that week.
_PUPIL_ENROLMENTS = (
    select(
        s.User.first_name,
        s.User.last_name,
        s.User.school_id,
        s.Enrolment.class_id,
        s.Enrolment.start,
        s.SchoolClass.grade,
        s.SchoolClass.letter,
    )
    .select_from(s.User)
    .outerjoin(
        s.Enrolment,
        and_(
            s.Enrolment.pupil_id == s.User.id,
            s.enrolled_between(bindparam("monday"), bindparam("sunday")),
        ),
    )
    .outerjoin(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
    .where(s.User.id == bindparam("pupil"))
    .order_by(s.Enrolment.start, s.Enrolment.id)
)

# The same, for a viewer: no row when the viewer may not see the pupil (access.py decides who
# sees whom), so the access check costs no query of its own.
_PUPIL_ENROLMENTS_SEEN_BY = {
    role: _PUPIL_ENROLMENTS.where(pupil_visibility(role)) for role in PUPIL_READERS
}

_SCHOOL_TIMEZONE = select(s.School.timezone).where(s.School.id == bindparam("school"))

_BELLS = (
    select(s.Bell.schedule_id, s.Bell.number, s.Bell.start, s.Bell.end)
    .where(s.Bell.school_id == bindparam("school"))
    .order_by(s.Bell.schedule_id, s.Bell.number)
)

_BELL_SCHEDULES = (
    select(s.BellSchedule.id, s.BellSchedule.weekdays, s.BellSchedule.name)
    .where(s.BellSchedule.school_id == bindparam("school"), s.BellSchedule.retired.is_(False))
    .order_by(s.BellSchedule.id)
)

_BELL_DAYS = select(s.BellDay.date, s.BellDay.schedule_id).where(
    s.BellDay.school_id == bindparam("school")
)

_SCHOOL_HOLIDAYS = (
    select(s.Holiday.date)
    .where(s.Holiday.school_id == bindparam("school"))
    .order_by(s.Holiday.date)
)

# The lessons of every class the pupil was in during the week, each on the days of the pupil's
# enrolment in it (a pupil who moves class mid-week sees each class for their days in it).
_LESSONS = (
    select(
        s.Lesson.id,
        s.Lesson.date,
        s.Lesson.number,
        s.Lesson.room,
        s.Lesson.planned_room,
        s.Lesson.status,
        s.Lesson.note,
        s.Lesson.topic,
        s.Lesson.substitute_id,
        s.Subject.id,
        s.Subject.name,
        _teacher.first_name,
        _teacher.middle_name,
        _teacher.last_name,
        _substitute.first_name,
        _substitute.middle_name,
        _substitute.last_name,
        s.ClassGroup.name,
    )
    .join(
        _enrolment,
        and_(
            _enrolment.class_id == s.Lesson.class_id,
            _enrolment.pupil_id == bindparam("pupil"),
            s.enrolled_on(s.Lesson.date, _enrolment),
        ),
    )
    .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
    .join(_teacher, _teacher.id == s.Lesson.teacher_id)
    .outerjoin(_substitute, _substitute.id == s.Lesson.substitute_id)
    .outerjoin(s.ClassGroup, s.ClassGroup.id == s.Lesson.group_id)
    .where(
        s.Lesson.class_id.in_(bindparam("classes", expanding=True)),
        s.Lesson.date >= bindparam("monday"),
        s.Lesson.date <= bindparam("sunday"),
        takes_lesson(bindparam("pupil")),
    )
    .order_by(s.Lesson.date, s.Lesson.number, s.Lesson.id)
)

# Homework given at the lessons, one row per attachment, with the pupil's "done" tick.
_HOMEWORK = (
    select(
        s.Homework.id,
        s.Homework.lesson_id,
        s.Homework.text,
        s.Homework.due,
        s.HomeworkAttachment.id,
        s.HomeworkAttachment.name,
        s.HomeworkAttachment.size,
        _done.homework_id,
    )
    .outerjoin(s.HomeworkAttachment, s.HomeworkAttachment.homework_id == s.Homework.id)
    .outerjoin(
        _done,
        and_(_done.homework_id == s.Homework.id, _done.pupil_id == bindparam("pupil")),
    )
    .where(
        s.Homework.lesson_id.in_(bindparam("lessons", expanding=True)),
        s.Homework.removed_at.is_(None),
    )
    .order_by(s.Homework.id, s.HomeworkAttachment.id)
)


def _at_the_lessons(record: type[s.Mark] | type[s.Absence]) -> list[ColumnElement[bool]]:
    """The pupil's marks or absences (``record``) at the week's lessons, none removed."""
    return [
        record.pupil_id == bindparam("pupil"),
        record.lesson_id.in_(bindparam("lessons", expanding=True)),
        record.removed_at.is_(None),
    ]


_MARKS = (
    select(
        s.Mark.id,
        s.Mark.lesson_id,
        s.Mark.value,
        s.Mark.weight,
        s.Mark.kind,
        s.Mark.comment,
        s.Mark.version,
        _author.first_name,
        _author.middle_name,
        _author.last_name,
    )
    .join(_author, _author.id == s.Mark.author_id)
    .where(*_at_the_lessons(s.Mark))
    .order_by(s.Mark.created_at, s.Mark.id)
)

_ABSENCES = (
    select(
        s.Absence.id,
        s.Absence.lesson_id,
        s.Absence.kind,
        s.Absence.minutes,
        s.Absence.note,
        s.Absence.version,
    )
    .where(*_at_the_lessons(s.Absence))
    .order_by(s.Absence.id)
)

_EVENTS = (
    select(
        s.Event.id,
        s.Event.kind,
        s.Event.title,
        s.Event.starts_at,
        s.Event.ends_at,
        s.Event.place,
        s.Event.description,
        s.Event.cancelled_at,
    )
    .where(
        s.Event.school_id == bindparam("school"),
        or_(s.Event.class_id.is_(None), s.Event.class_id.in_(bindparam("classes", expanding=True))),
        s.Event.starts_at >= bindparam("week_start"),
        s.Event.starts_at < bindparam("week_end"),
    )
    .order_by(s.Event.starts_at, s.Event.id)
)


# ---- What a school rarely changes: its time zone, bells and holidays.
#
# Only set-up writes them (demo_server.setup_calendar and setup_bells, which drop this
# process's copy with forget_school_facts), so each process keeps them for a short while
# instead of reading them for every week. The time-to-live bounds how long a change made
# elsewhere (another server process on PostgreSQL, a migration, an SQL console) takes to show,
# without any message between processes.
SCHOOL_FACTS_TTL = 60.0
"""Seconds a process keeps a school's time zone, bells and holidays."""


BellTimes = dict[int, tuple[str, str]]
"""A bell schedule: lesson number to (start, end)."""


@dataclass(frozen=True, slots=True)
class SchoolFacts:
    """A school's time zone, bells and holidays (sorted). ``bells`` (number, start, end; in
    order) are the main schedule's, the school's first; ``bell_times`` the same by number;
    ``weekday_times`` the schedule each weekday keeps and ``day_times`` the dates given
    another (a shortened day): :meth:`times_on` says which holds on a date."""

    zone: dt.tzinfo
    bells: tuple[tuple[int, str, str], ...]
    bell_times: BellTimes
    holidays: tuple[dt.date, ...]
    weekday_times: dict[int, BellTimes] = field(default_factory=dict)
    day_times: dict[dt.date, BellTimes] = field(default_factory=dict)
    main_id: int | None = None
    weekday_schedule: dict[int, int] = field(default_factory=dict)
    """Weekday (0 = Monday) -> the id of the schedule it keeps."""
    day_schedule: dict[dt.date, int] = field(default_factory=dict)
    """A date given a schedule of its own (a shortened day) -> that schedule's id."""
    schedule_names: dict[int, str] = field(default_factory=dict)

    def times_on(self, day: dt.date) -> BellTimes:
        """The bells of ``day``: its own schedule, else its weekday's, else the main one."""
        return self.day_times.get(day) or self.weekday_times.get(day.weekday()) or self.bell_times

    def bell_day(self, day: dt.date) -> m.WeekBellDay | None:
        """``day``'s schedule when it is not the main one (None when it is)."""
        own = self.day_schedule.get(day)
        schedule_id = own if own is not None else self.weekday_schedule.get(day.weekday())
        if schedule_id is None or schedule_id == self.main_id:
            return None
        times = self.times_on(day)
        return m.WeekBellDay(
            date=day,
            schedule=self.schedule_names.get(schedule_id, ""),
            shortened=own is not None,
            bells=[m.Bell(number=n, start=a, end=b) for n, (a, b) in sorted(times.items())],
        )

    def holidays_between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        low = bisect.bisect_left(self.holidays, first)
        high = bisect.bisect_right(self.holidays, last)
        return list(self.holidays[low:high])


# Per database (engine) and school: (expires at, facts). Keyed by the engine so that two
# databases served by one process (tests do that) never share a school's facts.
_school_facts: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, SchoolFacts]]] = (
    weakref.WeakKeyDictionary()
)


async def _read_school_facts(conn: AsyncConnection, school_id: int) -> SchoolFacts:
    key = {"school": school_id}
    timezone = (await conn.execute(_SCHOOL_TIMEZONE, key)).scalar_one_or_none()
    by_schedule: dict[int, list[tuple[int, str, str]]] = {}
    for schedule_id, number, start, end in await conn.execute(_BELLS, key):
        by_schedule.setdefault(schedule_id, []).append((number, start, end))
    schedules = (await conn.execute(_BELL_SCHEDULES, key)).all()
    times = {
        schedule_id: {n: (a, b) for n, a, b in by_schedule.get(schedule_id, [])}
        for schedule_id, _, _ in schedules
    }
    weekday_times: dict[int, BellTimes] = {}
    weekday_schedule: dict[int, int] = {}
    for schedule_id, weekdays, _ in schedules:
        for day in weekdays_of(weekdays):
            weekday_times.setdefault(day, times[schedule_id])
            weekday_schedule.setdefault(day, schedule_id)
    main = schedules[0][0] if schedules else None
    bells = tuple(by_schedule.get(main, [])) if main is not None else ()
    holidays = tuple((await conn.execute(_SCHOOL_HOLIDAYS, key)).scalars())
    own_days = {
        day: schedule_id
        for day, schedule_id in await conn.execute(_BELL_DAYS, key)
        if schedule_id in times
    }
    return SchoolFacts(
        zone=school_zone(timezone),
        bells=bells,
        bell_times={number: (start, end) for number, start, end in bells},
        holidays=holidays,
        weekday_times=weekday_times,
        day_times={day: times[schedule_id] for day, schedule_id in own_days.items()},
        main_id=main,
        weekday_schedule=weekday_schedule,
        day_schedule=own_days,
        schedule_names={schedule_id: name for schedule_id, _, name in schedules},
    )


def forget_school_facts(engine: Engine, school_id: int) -> None:
    """Drops this process's copy of a school's facts: set-up changed them."""
    per_school = _school_facts.get(engine)
    if per_school is not None:
        per_school.pop(school_id, None)


async def school_facts(conn: AsyncConnection, school_id: int) -> SchoolFacts:
    """The school's time zone, bells and holidays, from this process's cache when fresh."""
    engine = conn.sync_engine
    per_school = _school_facts.get(engine)
    if per_school is None:
        per_school = _school_facts[engine] = {}
    now = time.monotonic()
    cached = per_school.get(school_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    facts = await _read_school_facts(conn, school_id)
    per_school[school_id] = (now + SCHOOL_FACTS_TTL, facts)
    return facts


async def load_week(
    db: AsyncSession, pupil_id: int, day: dt.date, *, seen_by: Viewer | None = None
) -> m.Week | None:
    """The week of ``pupil_id`` that holds ``day``; None when there is no such pupil.

    With ``seen_by``, also None when that viewer may not see the pupil (the rule of
    ``access.may_see_pupil``): the caller answers both with the same 404."""
    monday, sunday = week_bounds(day)
    window: dict[str, object] = {"pupil": pupil_id, "monday": monday, "sunday": sunday}
    statement = _PUPIL_ENROLMENTS
    if seen_by is not None:
        if seen_by.role not in PUPIL_READERS or not 0 < pupil_id <= MAX_ID:
            return None
        if seen_by.role is m.Role.PUPIL and pupil_id != seen_by.id:
            return None
        statement = _PUPIL_ENROLMENTS_SEEN_BY[seen_by.role]
        window.update(visibility_params(seen_by))
    # Plain (Core) execution on the session's connection: the statements select columns, not
    # ORM objects, so the ORM's result machinery would only add cost.
    conn = await db.connection()

    # 1. The pupil, and their enrolments overlapping the week with their classes.
    pupil_rows = (await conn.execute(statement, window)).all()
    if not pupil_rows:
        return None
    first_name, last_name, school_id = pupil_rows[0][:3]
    pupil_class: m.ClassRef | None = None
    class_ids: list[int] = []
    for *_pupil, class_id, start, grade, letter in pupil_rows:
        if class_id is None:
            continue
        if pupil_class is None or start <= day:
            pupil_class = class_ref(class_id, grade, letter)
        class_ids.append(class_id)

    # 2. The school's time zone, bells and holidays (cached for a short while).
    school = await school_facts(conn, school_id)

    # 3. Lessons, with subject and teachers' names.
    lesson_rows = (await conn.execute(_LESSONS, {**window, "classes": class_ids})).all()
    lesson_ids = [row[0] for row in lesson_rows]

    homework: dict[int, list[m.Homework]] = defaultdict(list)
    marks: dict[int, list[m.Mark]] = defaultdict(list)
    absences: dict[int, m.Absence] = {}
    if lesson_ids:
        in_lessons = {"pupil": pupil_id, "lessons": lesson_ids}
        # 4. Homework given at these lessons, with attachments and the pupil's "done" ticks.
        by_id: dict[int, m.Homework] = {}
        for hw_id, lesson_id, text, due, att_id, att_name, att_size, done in await conn.execute(
            _HOMEWORK, in_lessons
        ):
            item = by_id.get(hw_id)
            if item is None:
                item = by_id[hw_id] = m.Homework(
                    id=hw_id, text=text, due=due, done=done is not None, attachments=[]
                )
                homework[lesson_id].append(item)
            if att_id is not None:
                item.attachments.append(m.Attachment(id=att_id, name=att_name, size=att_size))

        # 5. The pupil's marks at these lessons.
        for (
            mark_id,
            lesson_id,
            value,
            weight,
            kind,
            comment,
            version,
            a1,
            a2,
            a3,
        ) in await conn.execute(_MARKS, in_lessons):
            marks[lesson_id].append(
                m.Mark(
                    id=mark_id,
                    value=value,
                    weight=weight,
                    kind=m.MarkKind(kind),
                    comment=comment,
                    author=short_name(a1, a2, a3),
                    version=version,
                    edited=version > 1,
                )
            )

        # 6. The pupil's absences at these lessons.
        for absence_id, lesson_id, kind, minutes, note, version in await conn.execute(
            _ABSENCES, in_lessons
        ):
            absences[lesson_id] = m.Absence(
                id=absence_id, kind=m.AbsenceKind(kind), minutes=minutes, note=note, version=version
            )

    lessons: list[m.Lesson] = []
    for row in lesson_rows:
        (
            lesson_id,
            date,
            number,
            room,
            planned_room,
            status,
            note,
            topic,
            substitute_id,
            subject_id,
            subject_name,
            t1,
            t2,
            t3,
            s1,
            s2,
            s3,
            group_name,
        ) = row
        planned_teacher = short_name(t1, t2, t3)
        substituted = substitute_id is not None and s3 is not None
        bell_start, bell_end = school.times_on(date).get(number, ("", ""))
        lessons.append(
            m.Lesson(
                id=lesson_id,
                date=date,
                number=number,
                start=bell_start,
                end=bell_end,
                subject=m.SubjectRef(id=subject_id, name=subject_name),
                teacher=(
                    short_name(s1 or "", s2 or "", s3 or "") if substituted else planned_teacher
                ),
                original_teacher=planned_teacher if substituted else "",
                room=room,
                original_room=planned_room if planned_room and planned_room != room else "",
                topic=topic,
                status=m.LessonStatus(status),
                note=note,
                homework=homework.get(lesson_id, []),
                marks=marks.get(lesson_id, []),
                absence=absences.get(lesson_id),
                group=group_name or "",
            )
        )

    # 7. Events of the school and the pupil's classes in the week (the school's local week).
    zone = school.zone
    week_start = dt.datetime.combine(monday, dt.time(), zone).astimezone(dt.UTC)
    week_end = dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time(), zone).astimezone(
        dt.UTC
    )
    events = [
        m.Event(
            id=event_id,
            kind=m.EventKind(kind),
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            description=description,
            cancelled=cancelled_at is not None,
        )
        for event_id, kind, title, starts_at, ends_at, place, description, cancelled_at in (
            await conn.execute(
                _EVENTS,
                {
                    "school": school_id,
                    "classes": class_ids,
                    "week_start": week_start,
                    "week_end": week_end,
                },
            )
        )
    ]

    return m.Week(
        pupil=m.PupilRef(
            id=pupil_id, first_name=first_name, last_name=last_name, class_=pupil_class
        ),
        start=monday,
        end=sunday,
        bells=[m.Bell(number=number, start=start, end=end) for number, start, end in school.bells],
        lessons=lessons,
        events=events,
        holidays=school.holidays_between(monday, sunday),
        bell_days=[
            bell_day
            for n in range(7)
            if (bell_day := school.bell_day(monday + dt.timedelta(days=n))) is not None
        ],
    )
