"""The class teacher's class: its attendance by pupil and day for a period, its pupils'
parents with their contacts, and one message to its parents sent as a private thread to each.

Each read runs a fixed number of queries, however many pupils and days the class has (who may
ask is ``access.led_class``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.attendance import absence_entries, add_to_totals
from demo_server.auth import Viewer
from demo_server.grades import resolve_span
from demo_server.messaging import (
    check_subject,
    check_text,
    full_name,
    open_thread,
    participant,
)
from demo_server.problems import ProblemError
from demo_server.week import class_ref


def _ref(cls: s.SchoolClass) -> m.ClassRef:
    return class_ref(cls.id, cls.grade, cls.letter)


async def _pupils(db: AsyncSession, class_id: int, start: dt.date, end: dt.date) -> list[s.User]:
    """The pupils in the class at any time from ``start`` to ``end``, in surname order."""
    rows = await db.scalars(
        select(s.User)
        .where(
            s.User.id.in_(
                select(s.Enrolment.pupil_id).where(
                    s.Enrolment.class_id == class_id,
                    s.enrolled_between(start, end),
                )
            )
        )
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    return list(rows)


async def class_attendance(
    db: AsyncSession, cls: s.SchoolClass, today: dt.date, period: str | None
) -> m.ClassAttendance:
    """Every absence and lateness at the class's lessons of a period (default: the one holding
    ``today``), by pupil and school day, with totals per pupil, per day and overall."""
    span = await resolve_span(db, cls.school_id, today, period)
    ref = _ref(cls)
    pupils = await _pupils(db, cls.id, span.start, span.end)
    school_days = list(
        await db.scalars(
            select(s.Lesson.date)
            .where(
                s.Lesson.class_id == cls.id,
                s.Lesson.date >= span.start,
                s.Lesson.date <= span.end,
                s.Lesson.status != m.LessonStatus.CANCELLED.value,
            )
            .distinct()
            .order_by(s.Lesson.date)
        )
    )
    cells: dict[int, dict[dt.date, m.ClassAttendanceDay]] = defaultdict(dict)
    day_totals: dict[dt.date, m.AttendanceTotals] = {}
    day_pupils: dict[dt.date, set[int]] = defaultdict(set)
    total = m.AttendanceTotals()
    pupil_totals: dict[int, m.AttendanceTotals] = defaultdict(m.AttendanceTotals)
    for pupil_id, entry in await absence_entries(
        db, span.start, span.end, s.Lesson.class_id == cls.id
    ):
        day, absence_kind, minutes = entry.date, entry.kind, entry.minutes
        cell = cells[pupil_id].get(day)
        if cell is None:
            cell = cells[pupil_id][day] = m.ClassAttendanceDay(
                date=day, totals=m.AttendanceTotals()
            )
        cell.entries.append(entry)
        add_to_totals(cell.totals, absence_kind, minutes)
        add_to_totals(day_totals.setdefault(day, m.AttendanceTotals()), absence_kind, minutes)
        add_to_totals(total, absence_kind, minutes)
        add_to_totals(pupil_totals[pupil_id], absence_kind, minutes)
        if absence_kind is not m.AbsenceKind.LATE:
            day_pupils[day].add(pupil_id)
    rows_out: list[m.ClassAttendancePupil] = []
    for pupil in pupils:
        days = [cells[pupil.id][day] for day in sorted(cells.get(pupil.id, {}))]
        rows_out.append(
            m.ClassAttendancePupil(
                pupil=m.PupilRef(
                    id=pupil.id, first_name=pupil.first_name, last_name=pupil.last_name, class_=ref
                ),
                days=days,
                total=pupil_totals.get(pupil.id, m.AttendanceTotals()),
                days_missed=sum(1 for cell in days if cell.totals.missed),
            )
        )
    return m.ClassAttendance(
        class_=ref,
        start=span.start,
        end=span.end,
        periods=span.periods,
        period=span.period,
        school_days=sorted(set(school_days) | set(day_totals)),
        pupils=rows_out,
        days=[
            m.ClassAttendanceDayTotal(date=day, totals=day_totals[day], pupils=len(day_pupils[day]))
            for day in sorted(day_totals)
        ],
        total=total,
    )


async def _parents_by_pupil(db: AsyncSession, pupil_ids: list[int]) -> dict[int, list[s.User]]:
    found: dict[int, list[s.User]] = defaultdict(list)
    if not pupil_ids:
        return found
    rows = await db.execute(
        select(s.ParentLink.pupil_id, s.User)
        .join(s.User, s.User.id == s.ParentLink.parent_id)
        .where(s.ParentLink.pupil_id.in_(pupil_ids), s.User.role == m.Role.PARENT.value)
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    for pupil_id, parent in rows:
        found[pupil_id].append(parent)
    return found


async def class_parents(db: AsyncSession, cls: s.SchoolClass, today: dt.date) -> m.ClassParents:
    """The pupils in the class today with their parents' telephone and e-mail."""
    ref = _ref(cls)
    pupils = await _pupils(db, cls.id, today, today)
    parents = await _parents_by_pupil(db, [p.id for p in pupils])
    return m.ClassParents(
        class_=ref,
        pupils=[
            m.ClassParentsPupil(
                pupil=m.PupilRef(
                    id=pupil.id, first_name=pupil.first_name, last_name=pupil.last_name, class_=ref
                ),
                parents=[
                    m.ParentContact(
                        id=parent.id, name=full_name(parent), phone=parent.phone, email=parent.email
                    )
                    for parent in parents.get(pupil.id, [])
                ],
            )
            for pupil in pupils
        ],
    )


async def message_parents(
    db: AsyncSession,
    viewer: Viewer,
    cls: s.SchoolClass,
    request: m.ClassMessageRequest,
    now: dt.datetime,
    today: dt.date,
) -> m.ClassMessageSent:
    """One thread per parent (the viewer and that parent alone, about the parent's first child
    in the class list), each holding the same first message; all or nothing."""
    subject = check_subject(request.subject)
    body = check_text(request.body, "body", m.MESSAGE_MAX_LENGTH)
    ref = _ref(cls)
    pupils = await _pupils(db, cls.id, today, today)
    parents = await _parents_by_pupil(db, [p.id for p in pupils])
    child_of: dict[int, s.User] = {}
    people: dict[int, s.User] = {}
    for pupil in pupils:
        for parent in parents.get(pupil.id, []):
            child_of.setdefault(parent.id, pupil)
            people[parent.id] = parent
    if request.parent_ids:
        strangers = [pid for pid in request.parent_ids if pid not in people]
        if strangers:
            raise ProblemError(
                422,
                _(
                    "some of the chosen recipients are not parents of the class's pupils: "
                    "choose recipients from the class's list of parents"
                ),
                field="parent_ids",
            )
        chosen = [pid for pid in people if pid in set(request.parent_ids)]
    else:
        chosen = list(people)
    if not chosen:
        raise ProblemError(422, _("the class has no parents to write to yet"), field="parent_ids")
    summaries: list[m.ThreadSummary] = []
    for parent_id in chosen:
        child = child_of[parent_id]
        thread, message = await open_thread(
            db, viewer, subject=subject, pupil_id=child.id, to=parent_id, body=body, now=now
        )
        summaries.append(
            m.ThreadSummary(
                id=thread.id,
                subject=subject,
                participants=[participant(people[parent_id])],
                updated_at=now,
                pupil=m.PupilRef(
                    id=child.id, first_name=child.first_name, last_name=child.last_name, class_=ref
                ),
                last_message_id=message.id,
            )
        )
    return m.ClassMessageSent(threads=summaries)
