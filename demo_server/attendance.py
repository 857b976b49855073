"""A pupil's attendance (absences and lateness with totals) and the parents' absence notices
as the school reads them, each read with a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.grades import browsable_periods, pupil_span, subject_order
from demo_server.problems import ProblemError
from demo_server.week import current_classes, short_name

#: The longest absence a notice may cover.
NOTICE_MAX_DAYS = 30


# --- attendance -----------------------------------------------------------------------------


def add_to_totals(totals: m.AttendanceTotals, kind: m.AbsenceKind, minutes: int) -> None:
    """Count one absence or lateness into ``totals``."""
    if kind is m.AbsenceKind.LATE:
        totals.late += 1
        totals.late_minutes += minutes
        return
    totals.missed += 1
    if kind is m.AbsenceKind.ILLNESS:
        totals.illness += 1
    elif kind is m.AbsenceKind.EXCUSED:
        totals.excused += 1
    else:
        totals.unexcused += 1


async def absence_entries(
    db: AsyncSession, start: dt.date, end: dt.date, *where: ColumnElement[bool]
) -> list[tuple[int, m.AttendanceEntry]]:
    """``(pupil id, entry)`` of every absence and lateness (not removed) at the lessons from
    ``start`` to ``end`` that match ``where`` (one pupil's, or one class's lessons), by day,
    lesson and id: one query."""
    rows = await db.execute(
        select(
            s.Absence.pupil_id,
            s.Absence.id,
            s.Lesson.date,
            s.Lesson.number,
            s.Subject.id,
            s.Subject.name,
            s.Absence.kind,
            s.Absence.minutes,
            s.Absence.note,
        )
        .join(s.Lesson, s.Lesson.id == s.Absence.lesson_id)
        .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
        .where(
            *where,
            s.Absence.removed_at.is_(None),
            s.Lesson.date >= start,
            s.Lesson.date <= end,
        )
        .order_by(s.Lesson.date, s.Lesson.number, s.Absence.id)
    )
    return [
        (
            pupil_id,
            m.AttendanceEntry(
                id=absence_id,
                date=day,
                number=number,
                subject=m.SubjectRef(id=subject_id, name=subject_name),
                kind=m.AbsenceKind(kind),
                minutes=minutes,
                note=note,
            ),
        )
        for pupil_id, absence_id, day, number, subject_id, subject_name, kind, minutes, note in rows
    ]


async def load_attendance(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None
) -> m.Attendance | None:
    """A pupil's absences and lateness of a period (or the year), with totals."""
    found = await pupil_span(db, pupil_id, today, period)
    if found is None:
        return None
    span, facts = found
    entries: list[m.AttendanceEntry] = []
    total = m.AttendanceTotals()
    per_subject: dict[int, m.AttendanceTotals] = {}
    names: dict[int, str] = {}
    for _pupil, entry in await absence_entries(
        db, span.start, span.end, s.Absence.pupil_id == pupil_id
    ):
        entries.append(entry)
        names[entry.subject.id] = entry.subject.name
        add_to_totals(total, entry.kind, entry.minutes)
        add_to_totals(
            per_subject.setdefault(entry.subject.id, m.AttendanceTotals()),
            entry.kind,
            entry.minutes,
        )
    return m.Attendance(
        pupil=facts.ref,
        start=span.start,
        end=span.end,
        periods=await browsable_periods(db, pupil_id, span),
        period=span.period,
        entries=entries,
        subjects=[
            m.SubjectAttendance(
                subject=m.SubjectRef(id=subject_id, name=names[subject_id]),
                totals=per_subject[subject_id],
            )
            for subject_id in subject_order(names)
        ],
        total=total,
    )


# --- absence notices ---------------------------------------------------------------------------


async def check_notice_dates(
    db: AsyncSession, school_id: int, start: dt.date, end: dt.date
) -> None:
    """Refuse (422) a notice whose dates make no sense."""
    if end < start:
        raise ProblemError(422, _("the last day must not be before the first day"), field="end")
    days = (end - start).days + 1
    if days > NOTICE_MAX_DAYS:
        raise ProblemError(
            422,
            _("a notice covers at most {NOTICE_MAX_DAYS} days; this one covers {days}").format(
                NOTICE_MAX_DAYS=NOTICE_MAX_DAYS, days=days
            ),
            field="end",
        )
    year = await db.scalar(
        select(s.AcademicYear.id).where(
            s.AcademicYear.school_id == school_id,
            s.AcademicYear.start <= start,
            s.AcademicYear.end >= end,
        )
    )
    if year is None:
        raise ProblemError(
            422, _("the days must lie within one school year of the school"), field="start"
        )


async def load_notices(
    db: AsyncSession, today: dt.date, *, pupil_id: int | None = None, class_id: int | None = None
) -> m.AbsenceNotices:
    """Notices about one pupil, or about the pupils enrolled in a class today; newest first."""
    parent = aliased(s.User)
    pupil = aliased(s.User)
    reader = aliased(s.User)
    withdrawer = aliased(s.User)
    query = (
        select(
            s.AbsenceNotice.id,
            s.AbsenceNotice.pupil_id,
            pupil.first_name,
            pupil.last_name,
            parent.first_name,
            parent.middle_name,
            parent.last_name,
            s.AbsenceNotice.start,
            s.AbsenceNotice.end,
            s.AbsenceNotice.reason,
            s.AbsenceNotice.note,
            s.AbsenceNotice.created_at,
            s.AbsenceNotice.seen_at,
            reader.first_name,
            reader.middle_name,
            reader.last_name,
            s.AbsenceNotice.withdrawn_at,
            withdrawer.first_name,
            withdrawer.middle_name,
            withdrawer.last_name,
        )
        .join(pupil, pupil.id == s.AbsenceNotice.pupil_id)
        .join(parent, parent.id == s.AbsenceNotice.parent_id)
        .outerjoin(reader, reader.id == s.AbsenceNotice.seen_by_id)
        .outerjoin(withdrawer, withdrawer.id == s.AbsenceNotice.withdrawn_by_id)
        .order_by(s.AbsenceNotice.created_at.desc(), s.AbsenceNotice.id.desc())
    )
    if pupil_id is not None:
        query = query.where(s.AbsenceNotice.pupil_id == pupil_id)
    if class_id is not None:
        query = query.where(
            s.AbsenceNotice.pupil_id.in_(
                select(s.Enrolment.pupil_id).where(
                    s.Enrolment.class_id == class_id,
                    s.enrolled_on(today),
                )
            )
        )
    rows = (await db.execute(query)).all()
    classes = await current_classes(db, sorted({row[1] for row in rows}), today)
    return m.AbsenceNotices(
        notices=[
            m.AbsenceNotice(
                id=notice_id,
                pupil=m.PupilRef(id=who, first_name=first, last_name=last, class_=classes.get(who)),
                parent=short_name(p1, p2, p3),
                start=begins,
                end=ends,
                reason=m.AbsenceReason(reason),
                note=note,
                created_at=created,
                seen=seen is not None,
                seen_at=seen,
                seen_by=short_name(r1, r2, r3) if r3 is not None else "",
                withdrawn_at=withdrawn,
                withdrawn_by=short_name(w1, w2, w3) if w3 is not None else "",
            )
            for (
                notice_id,
                who,
                first,
                last,
                p1,
                p2,
                p3,
                begins,
                ends,
                reason,
                note,
                created,
                seen,
                r1,
                r2,
                r3,
                withdrawn,
                w1,
                w2,
                w3,
            ) in rows
        ]
    )
