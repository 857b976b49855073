"""The end of the year: closing an academic year and moving its classes up into the next.

Closing a year (``POST /setup/years/{id}/close``, ``diary admin year close``) is planned first
(a dry run says what would happen) and then done in one transaction:

- each class of the year moves up: its pupils' enrolments end on the year's last day and begin
  again, on the next year's first day, in the class one grade up with the same letter (5А
  becomes 6А; the class is made, with the same class teacher, unless it was set up already);
- the last grade (11) graduates: the enrolments end, the accounts and parents' links stay, so
  a family can still open the pupil's last year;
- the year is marked closed (``academic_years.closed_at``): from then on its marks, absences,
  topics, homework and period marks are refused to everyone except the administration giving a
  reason (the one rule of :mod:`demo_server.journal_rights`), and every such change is in the
  audit log as any other.

The next year must exist with its periods (set up before, as the school prepares it in summer);
its timetable and teaching assignments are set up on their own, and the plan warns when they
are missing. Groups within classes are not carried over: they are made again for the new year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import not_found
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.records import record_write
from demo_server.setup_rules import class_row
from demo_server.week import class_name, class_ref

CLOSERS = frozenset({m.Role.IT_STAFF, m.Role.ADMINISTRATION})
"""Who may close a year."""

LAST_GRADE = 11
"""Pupils of this grade (or above) graduate when the year closes."""


@dataclass(frozen=True, slots=True)
class _Class:
    id: int
    grade: int
    letter: str
    teacher_id: int | None
    pupils: tuple[int, ...]


async def _year(db: AsyncSession, viewer: Viewer, year_id: int, field: str) -> s.AcademicYear:
    year = await db.scalar(
        select(s.AcademicYear).where(
            s.AcademicYear.id == year_id, s.AcademicYear.school_id == viewer.school_id
        )
    )
    if year is None:
        raise not_found("academic year", field, 404 if field == "year_id" else 422)
    return year


async def _classes(db: AsyncSession, year: s.AcademicYear) -> list[_Class]:
    """The year's classes with the pupils enrolled on its last day."""
    rows = (
        await db.execute(
            select(
                s.SchoolClass.id,
                s.SchoolClass.grade,
                s.SchoolClass.letter,
                s.SchoolClass.homeroom_teacher_id,
            )
            .where(s.SchoolClass.year_id == year.id, s.SchoolClass.retired.is_(False))
            .order_by(s.SchoolClass.grade, s.SchoolClass.letter)
        )
    ).all()
    pupils: dict[int, list[int]] = defaultdict(list)
    for pupil_id, class_id in await db.execute(
        select(s.Enrolment.pupil_id, s.Enrolment.class_id)
        .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
        .where(
            s.SchoolClass.year_id == year.id,
            s.enrolled_on(year.end),
        )
        .order_by(s.Enrolment.pupil_id)
    ):
        pupils[class_id].append(pupil_id)
    return [
        _Class(cid, grade, letter, teacher, tuple(pupils.get(cid, ())))
        for cid, grade, letter, teacher in rows
    ]


async def plan_close(
    db: AsyncSession, viewer: Viewer, year_id: int, body: m.YearClose
) -> tuple[m.YearClosePlan, s.AcademicYear, s.AcademicYear, list[_Class]]:
    """What closing ``year_id`` into ``body.next_year_id`` would do; refusals name the field."""
    year = await _year(db, viewer, year_id, "year_id")
    following = await _year(db, viewer, body.next_year_id, "next_year_id")
    if year.closed_at is not None:
        raise ProblemError(
            409,
            _("the year {year} is closed already").format(year=year.name),
            field="year_id",
        )
    last_day = await db.scalar(select(func.max(s.Period.end)).where(s.Period.year_id == year.id))
    last_day = last_day or year.end
    if viewer.today <= last_day:
        raise ProblemError(
            409,
            _(
                "{year} is not over: its last period ends on {end}; close it after that day "
                "(its marks are still being given)"
            ).format(year=year.name, end=f"{last_day:%d.%m.%Y}"),
            field="year_id",
        )
    if following.id == year.id or following.start <= year.end:
        raise ProblemError(
            422,
            _("the next year must begin after {year} ends ({end})").format(
                year=year.name, end=f"{year.end:%d.%m.%Y}"
            ),
            field="next_year_id",
        )
    if following.closed_at is not None or following.retired:
        raise ProblemError(
            409,
            _("the year {year} is closed or retired: classes cannot move into it").format(
                year=following.name
            ),
            field="next_year_id",
        )
    classes = await _classes(db, year)
    existing = {
        (grade, letter): cid
        for cid, grade, letter in await db.execute(
            select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
                s.SchoolClass.year_id == following.id
            )
        )
    }
    plan = m.YearClosePlan(
        year_id=year.id, year=year.name, next_year_id=following.id, next_year=following.name
    )
    for cls in classes:
        ref = class_ref(cls.id, cls.grade, cls.letter)
        if cls.grade >= LAST_GRADE:
            plan.classes.append(m.YearCloseClass(class_=ref, pupils=len(cls.pupils)))
            plan.graduates += len(cls.pupils)
            continue
        target = existing.get((cls.grade + 1, cls.letter))
        plan.classes.append(
            m.YearCloseClass(
                class_=ref,
                pupils=len(cls.pupils),
                to=class_name(cls.grade + 1, cls.letter),
                to_id=target,
                new=target is None,
            )
        )
        plan.moved += len(cls.pupils)
    plan.warnings = await _warnings(db, following, classes)
    return plan, year, following, classes


async def _warnings(
    db: AsyncSession, following: s.AcademicYear, classes: list[_Class]
) -> list[str]:
    said: list[str] = []
    periods = await db.scalar(
        select(func.count()).select_from(s.Period).where(s.Period.year_id == following.id)
    )
    if not periods:
        said.append(
            _("{year} has no periods yet: set them up before it begins").format(year=following.name)
        )
    slots = await db.scalar(
        select(func.count())
        .select_from(s.TimetableSlot)
        .join(s.SchoolClass, s.SchoolClass.id == s.TimetableSlot.class_id)
        .where(s.SchoolClass.year_id == following.id)
    )
    if not slots:
        said.append(
            _("{year} has no timetable yet: its weeks stay empty until it is set up").format(
                year=following.name
            )
        )
    empty = [class_name(c.grade, c.letter) for c in classes if not c.pupils]
    if empty:
        said.append(
            _("classes with no pupils on the last day, moved up empty: {classes}").format(
                classes=", ".join(empty)
            )
        )
    return said


async def close_year(
    db: AsyncSession, viewer: Viewer, year_id: int, body: m.YearClose, now: dt.datetime
) -> m.YearClosePlan:
    """Plans the closing and, when ``body.apply``, does it (the caller's transaction)."""
    plan, year, following, classes = await plan_close(db, viewer, year_id, body)
    if not body.apply:
        return plan
    others = [
        (cid, grade, letter)
        for cid, grade, letter in await db.execute(
            select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
                s.SchoolClass.year_id == following.id
            )
        )
    ]
    moved_to: dict[int, int] = {}
    for row, cls in zip(plan.classes, classes, strict=True):
        if not row.to:
            continue
        if row.to_id is None:
            values = class_row(
                viewer.school_id, following.id, cls.grade + 1, cls.letter, cls.teacher_id, others
            )
            new_id = await db.scalar(
                insert(s.SchoolClass).values(**values).returning(s.SchoolClass.id)
            )
            assert new_id is not None
            row.to_id = int(new_id)
            others.append((row.to_id, cls.grade + 1, values["letter"]))
        moved_to[cls.id] = row.to_id
    # Every enrolment open on the last day ends then; the moved pupils begin the next year.
    await db.execute(
        update(s.Enrolment)
        .where(
            s.Enrolment.class_id.in_([c.id for c in classes]),
            s.Enrolment.start <= year.end,
            or_(s.Enrolment.end.is_(None), s.Enrolment.end > year.end),
        )
        .values(end=year.end)
    )
    enrolments = [
        {"pupil_id": pupil, "class_id": moved_to[cls.id], "start": following.start, "end": None}
        for cls in classes
        if cls.id in moved_to
        for pupil in cls.pupils
    ]
    if enrolments:
        await db.execute(insert(s.Enrolment), enrolments)
    year.closed_at = now
    year.closed_by_id = viewer.id
    year.version += 1
    summary = {
        "year": year.name,
        "next_year_id": following.id,
        "next_year": following.name,
        "moved": plan.moved,
        "graduates": plan.graduates,
        "classes": {row.class_.name: row.to for row in plan.classes},
    }
    await record_write(
        db,
        viewer,
        now,
        action="update",
        entity="academic_year",
        entity_id=year.id,
        before={"closed": False},
        after={"closed": True, **summary},
        reason=_("the year is closed"),
        kind="academic_year.closed",
        payload=summary,
    )
    plan.applied = True
    return plan
