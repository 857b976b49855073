"""A pupil's grades, report card, homework list and attendance, each read with a fixed number
of queries (none per subject or per mark).

Averages are computed by :func:`api_client.grading.weighted_average`, the one function the
client uses too. The class average of a subject is the weighted average of all marks given in
that subject at the class's lessons of the period; the rating ranks the class's pupils by
their overall weighted average (all subjects) and says only the place and how many were ranked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from api_client.grading import AVERAGE_RULE, format_average, weighted_average
from demo_server import schema as s
from demo_server.problems import ProblemError
from demo_server.week import current_classes, short_name

#: The default homework window: from two weeks back to four weeks ahead.
HOMEWORK_BEFORE = dt.timedelta(days=14)
HOMEWORK_AFTER = dt.timedelta(days=28)
#: The longest homework window one request may ask for.
HOMEWORK_MAX_SPAN = dt.timedelta(days=366)
#: The longest absence a notice may cover.
NOTICE_MAX_DAYS = 30


@dataclass(frozen=True, slots=True)
class PupilFacts:
    ref: m.PupilRef
    school_id: int
    show_rating: bool
    scale: m.MarkScale


async def pupil_facts(db: AsyncSession, pupil_id: int, on: dt.date) -> PupilFacts | None:
    """The pupil (with their class on ``on``) and their school's settings; None if none."""
    row = (
        await db.execute(
            select(
                s.User.first_name,
                s.User.last_name,
                s.User.school_id,
                s.School.show_class_rating,
                s.School.mark_min,
                s.School.mark_max,
            )
            .join(s.School, s.School.id == s.User.school_id)
            .where(s.User.id == pupil_id, s.User.role == m.Role.PUPIL.value)
        )
    ).one_or_none()
    if row is None:
        return None
    first, last, school_id, show, low, high = row
    classes = await current_classes(db, [pupil_id], on)
    ref = m.PupilRef(id=pupil_id, first_name=first, last_name=last, class_=classes.get(pupil_id))
    return PupilFacts(ref, school_id, bool(show), m.MarkScale(min=low, max=high))


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """What a request covers: a period of a school year, or the whole year."""

    year_id: int | None
    year_name: str
    start: dt.date
    end: dt.date
    periods: list[m.PeriodRef]
    period: m.PeriodRef | None


def _period_ref(row: s.Period) -> m.PeriodRef:
    return m.PeriodRef(
        id=row.id,
        name=row.name,
        start=row.start,
        end=row.end,
    )


async def _year_of(db: AsyncSession, school_id: int, day: dt.date) -> s.AcademicYear | None:
    """The school year that holds ``day``, else the latest one begun by then, else the first."""
    years = (
        await db.scalars(
            select(s.AcademicYear)
            .where(s.AcademicYear.school_id == school_id)
            .order_by(s.AcademicYear.start)
        )
    ).all()
    if not years:
        return None
    begun = [year for year in years if year.start <= day]
    for year in begun:
        if year.end >= day:
            return year
    return begun[-1] if begun else years[0]


def _bad_period(periods: list[m.PeriodRef]) -> ProblemError:
    ids = ", ".join(str(p.id) for p in periods)
    choices = f"one of the school year's periods ({ids}) or 'year'" if ids else "'year'"
    return ProblemError(400, f"'period' must be {choices}", field="period")


async def resolve_span(
    db: AsyncSession, school_id: int, today: dt.date, period: str | None
) -> Span:
    """The period asked for (an id or ``year``), by default the one that holds ``today``."""
    wanted: int | None = None
    if period is not None:
        text = period.strip().lower()
        if text != "year":
            if not text.isdigit() or len(text) > 9:
                raise ProblemError(400, "'period' must be a period id or 'year'", field="period")
            wanted = int(text)
    year: s.AcademicYear | None
    if wanted is not None:
        year = await db.scalar(
            select(s.AcademicYear)
            .join(s.Period, s.Period.year_id == s.AcademicYear.id)
            .where(s.Period.id == wanted, s.AcademicYear.school_id == school_id)
        )
        if year is None:
            current = await _year_of(db, school_id, today)
            periods = await _periods(db, current.id) if current else []
            raise _bad_period(periods)
    else:
        year = await _year_of(db, school_id, today)
    if year is None:
        return Span(None, "", today, today, [], None)
    periods = await _periods(db, year.id)
    chosen: m.PeriodRef | None = None
    if wanted is not None:
        chosen = next(p for p in periods if p.id == wanted)
    elif period is None and periods:
        begun = [p for p in periods if p.start <= today]
        holding = [p for p in begun if p.end >= today]
        chosen = holding[0] if holding else (begun[-1] if begun else periods[0])
    if chosen is None:
        return Span(year.id, year.name, year.start, year.end, periods, None)
    return Span(year.id, year.name, chosen.start, chosen.end, periods, chosen)


async def _periods(db: AsyncSession, year_id: int) -> list[m.PeriodRef]:
    rows = (
        await db.scalars(
            select(s.Period).where(s.Period.year_id == year_id).order_by(s.Period.start)
        )
    ).all()
    return [_period_ref(row) for row in rows]


def _on(span: Span, today: dt.date) -> dt.date:
    """The day whose class counts for a span: today, or the span's end if it is over."""
    return min(today, span.end) if span.start <= today else span.start


async def class_subjects(db: AsyncSession, class_id: int | None) -> dict[int, str]:
    if class_id is None:
        return {}
    rows = await db.execute(
        select(s.Subject.id, s.Subject.name)
        .join(s.TeachingAssignment, s.TeachingAssignment.subject_id == s.Subject.id)
        .where(s.TeachingAssignment.class_id == class_id)
        .distinct()
    )
    return {subject_id: name for subject_id, name in rows}


def _subject_order(names: dict[int, str]) -> list[int]:
    return sorted(names, key=lambda subject_id: (names[subject_id].casefold(), subject_id))


# --- grades ----------------------------------------------------------------------------------


async def load_grades(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None
) -> m.Grades | None:
    """A pupil's marks of a period (or the year) per subject; None when there is no pupil."""
    school = await db.scalar(
        select(s.User.school_id).where(s.User.id == pupil_id, s.User.role == m.Role.PUPIL.value)
    )
    if school is None:
        return None
    span = await resolve_span(db, school, today, period)
    facts = await pupil_facts(db, pupil_id, _on(span, today))
    if facts is None:
        return None
    pupil_class = facts.ref.class_.id if facts.ref.class_ is not None else None
    names = await class_subjects(db, pupil_class)

    author = aliased(s.User)
    rows = (
        await db.execute(
            select(
                s.Mark.id,
                s.Lesson.date,
                s.Lesson.subject_id,
                s.Subject.name,
                s.Mark.value,
                s.Mark.weight,
                s.Mark.kind,
                s.Mark.comment,
                s.Mark.version,
                author.first_name,
                author.middle_name,
                author.last_name,
            )
            .join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .join(author, author.id == s.Mark.author_id)
            .where(
                s.Mark.pupil_id == pupil_id,
                s.Mark.removed_at.is_(None),
                s.Lesson.date >= span.start,
                s.Lesson.date <= span.end,
            )
            .order_by(s.Lesson.date, s.Lesson.number, s.Mark.created_at, s.Mark.id)
        )
    ).all()
    marks: dict[int, list[m.GradeMark]] = defaultdict(list)
    for mark_id, day, subject_id, subject_name, value, weight, kind, comment, version, *who in rows:
        names.setdefault(subject_id, subject_name)
        marks[subject_id].append(
            m.GradeMark(
                id=mark_id,
                date=day,
                value=value,
                weight=weight,
                kind=m.MarkKind(kind),
                comment=comment,
                author=short_name(*who),
                edited=version > 1,
            )
        )

    period_marks: dict[int, int] = {}
    if span.year_id is not None:
        period_filter = (
            s.PeriodMark.period_id == span.period.id
            if span.period is not None
            else s.PeriodMark.period_id.is_(None)
        )
        for subject_id, subject_name, value in await db.execute(
            select(s.PeriodMark.subject_id, s.Subject.name, s.PeriodMark.value)
            .join(s.Subject, s.Subject.id == s.PeriodMark.subject_id)
            .where(
                s.PeriodMark.pupil_id == pupil_id,
                s.PeriodMark.year_id == span.year_id,
                s.PeriodMark.removed_at.is_(None),
                period_filter,
            )
        ):
            names.setdefault(subject_id, subject_name)
            period_marks[subject_id] = value

    class_averages: dict[int, str] = {}
    rating: m.Rating | None = None
    if facts.show_rating and pupil_class is not None:
        class_averages, rating = await _class_figures(db, pupil_class, pupil_id, span, today)

    subjects = [
        m.SubjectGrades(
            subject=m.SubjectRef(id=subject_id, name=names[subject_id]),
            marks=marks.get(subject_id, []),
            average=_average_text([(mk.value, mk.weight) for mk in marks.get(subject_id, [])]),
            period_mark=period_marks.get(subject_id),
            class_average=class_averages.get(subject_id),
        )
        for subject_id in _subject_order(names)
    ]
    return m.Grades(
        pupil=facts.ref,
        start=span.start,
        end=span.end,
        rule=AVERAGE_RULE,
        periods=span.periods,
        period=span.period,
        subjects=subjects,
        rating=rating,
        mark_scale=facts.scale,
    )


def _average_text(pairs: list[tuple[int, int]]) -> str | None:
    average = weighted_average(pairs)
    return None if average is None else format_average(average)


async def _class_figures(
    db: AsyncSession, class_id: int, pupil_id: int, span: Span, today: dt.date
) -> tuple[dict[int, str], m.Rating | None]:
    """Class averages per subject and the pupil's place by overall average."""
    on = _on(span, today)
    members = select(s.Enrolment.pupil_id).where(
        s.Enrolment.class_id == class_id,
        s.Enrolment.start <= on,
        or_(s.Enrolment.end.is_(None), s.Enrolment.end >= on),
    )
    # Marks counted by (pupil, subject, value, weight): (value, weight x count) pairs give
    # exactly the weighted average of the marks themselves.
    rows = await db.execute(
        select(
            s.Mark.pupil_id,
            s.Lesson.subject_id,
            s.Mark.value,
            s.Mark.weight,
            func.count(),
        )
        .join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
        .where(
            s.Lesson.class_id == class_id,
            s.Lesson.date >= span.start,
            s.Lesson.date <= span.end,
            s.Mark.removed_at.is_(None),
            s.Mark.pupil_id.in_(members),
        )
        .group_by(s.Mark.pupil_id, s.Lesson.subject_id, s.Mark.value, s.Mark.weight)
    )
    by_subject: dict[int, list[tuple[int, int]]] = defaultdict(list)
    by_pupil: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for who, subject_id, value, weight, count in rows:
        pair = (int(value), int(weight) * int(count))
        by_subject[subject_id].append(pair)
        by_pupil[who].append(pair)
    averages = {
        subject_id: text
        for subject_id, pairs in by_subject.items()
        if (text := _average_text(pairs)) is not None
    }
    overall = {
        who: average
        for who, pairs in by_pupil.items()
        if (average := weighted_average(pairs)) is not None
    }
    mine = overall.get(pupil_id)
    if mine is None:
        return averages, None
    place = 1 + sum(1 for other in overall.values() if other > mine)
    return averages, m.Rating(place=place, of=len(overall), average=format_average(mine))


async def load_report_card(db: AsyncSession, pupil_id: int, today: dt.date) -> m.ReportCard | None:
    """Period and year marks per subject for the school year that holds ``today``."""
    school = await db.scalar(
        select(s.User.school_id).where(s.User.id == pupil_id, s.User.role == m.Role.PUPIL.value)
    )
    if school is None:
        return None
    span = await resolve_span(db, school, today, "year")
    facts = await pupil_facts(db, pupil_id, _on(span, today))
    if facts is None:
        return None
    names = await class_subjects(db, facts.ref.class_.id if facts.ref.class_ else None)
    columns = {period.id: index for index, period in enumerate(span.periods)}
    by_period: dict[int, list[int | None]] = {}
    by_year: dict[int, int] = {}
    if span.year_id is not None:
        for subject_id, subject_name, period_id, value in await db.execute(
            select(
                s.PeriodMark.subject_id,
                s.Subject.name,
                s.PeriodMark.period_id,
                s.PeriodMark.value,
            )
            .join(s.Subject, s.Subject.id == s.PeriodMark.subject_id)
            .where(
                s.PeriodMark.pupil_id == pupil_id,
                s.PeriodMark.year_id == span.year_id,
                s.PeriodMark.removed_at.is_(None),
            )
        ):
            names.setdefault(subject_id, subject_name)
            if period_id is None:
                by_year[subject_id] = value
            elif period_id in columns:
                row = by_period.setdefault(subject_id, [None] * len(span.periods))
                row[columns[period_id]] = value
    return m.ReportCard(
        pupil=facts.ref,
        year=span.year_name,
        periods=span.periods,
        subjects=[
            m.ReportCardRow(
                subject=m.SubjectRef(id=subject_id, name=names[subject_id]),
                periods=by_period.get(subject_id, [None] * len(span.periods)),
                year=by_year.get(subject_id),
            )
            for subject_id in _subject_order(names)
        ],
    )


# --- homework --------------------------------------------------------------------------------


async def _lesson_windows(
    db: AsyncSession, pupil_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on ``Lesson`` matching the lessons of the pupil's classes while enrolled."""
    query = select(s.Enrolment.class_id, s.Enrolment.start, s.Enrolment.end).where(
        s.Enrolment.pupil_id == pupil_id
    )
    windows: list[ColumnElement[bool]] = []
    for class_id, begins, ends in await db.execute(query):
        conditions = [s.Lesson.class_id == class_id, s.Lesson.date >= begins]
        if ends is not None:
            conditions.append(s.Lesson.date <= ends)
        windows.append(and_(*conditions))
    return windows


async def load_homework(
    db: AsyncSession,
    pupil_id: int,
    today: dt.date,
    start: dt.date | None,
    end: dt.date | None,
    subject_id: int | None,
) -> m.HomeworkList | None:
    """Homework due from ``start`` to ``end`` for the pupil's classes; None if no pupil."""
    start = start or today - HOMEWORK_BEFORE
    end = end or today + HOMEWORK_AFTER
    if end < start:
        raise ProblemError(400, "'to' must not be before 'from'", field="to")
    if end - start > HOMEWORK_MAX_SPAN:
        raise ProblemError(400, "ask for at most a year of homework at a time", field="to")
    facts = await pupil_facts(db, pupil_id, today)
    if facts is None:
        return None
    windows = await _lesson_windows(db, pupil_id)
    teacher = aliased(s.User)
    rows = (
        await db.execute(
            select(
                s.Homework.id,
                s.Homework.text,
                s.Homework.due,
                s.Lesson.date,
                s.Subject.id,
                s.Subject.name,
                teacher.first_name,
                teacher.middle_name,
                teacher.last_name,
            )
            .join(s.Lesson, s.Lesson.id == s.Homework.lesson_id)
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .join(teacher, teacher.id == s.Homework.author_id)
            .where(
                s.Homework.removed_at.is_(None),
                s.Homework.due >= start,
                s.Homework.due <= end,
                or_(*windows) if windows else false(),
            )
            .order_by(s.Homework.due, s.Lesson.date, s.Lesson.number, s.Homework.id)
        )
    ).all()
    subjects = {row[4]: row[5] for row in rows}
    if subject_id is not None:
        rows = [row for row in rows if row[4] == subject_id]
    ids = [row[0] for row in rows]
    attachments: dict[int, list[m.Attachment]] = defaultdict(list)
    done: set[int] = set()
    if ids:
        for att_id, homework_id, name, size in await db.execute(
            select(
                s.HomeworkAttachment.id,
                s.HomeworkAttachment.homework_id,
                s.HomeworkAttachment.name,
                s.HomeworkAttachment.size,
            )
            .where(s.HomeworkAttachment.homework_id.in_(ids))
            .order_by(s.HomeworkAttachment.id)
        ):
            attachments[homework_id].append(m.Attachment(id=att_id, name=name, size=size))
        done = set(
            (
                await db.scalars(
                    select(s.HomeworkDone.homework_id).where(
                        s.HomeworkDone.pupil_id == pupil_id, s.HomeworkDone.homework_id.in_(ids)
                    )
                )
            ).all()
        )
    items = [
        m.HomeworkItem(
            id=homework_id,
            subject=m.SubjectRef(id=subj, name=subject_name),
            text=text,
            due=due,
            given=given,
            teacher=short_name(*who),
            attachments=attachments.get(homework_id, []),
            done=homework_id in done,
        )
        for homework_id, text, due, given, subj, subject_name, *who in rows
    ]
    upcoming = [item for item in items if item.due >= today]
    past = [item for item in items if item.due < today]
    past.reverse()
    return m.HomeworkList(
        pupil=facts.ref,
        today=today,
        start=start,
        end=end,
        items=upcoming + past,
        subjects=[m.SubjectRef(id=subj, name=subjects[subj]) for subj in _subject_order(subjects)],
    )


async def homework_of_pupil(db: AsyncSession, pupil_id: int, homework_id: int) -> int | None:
    """The class id of the homework when it was set for one of the pupil's classes."""
    windows = await _lesson_windows(db, pupil_id)
    if not windows:
        return None
    return await db.scalar(
        select(s.Lesson.class_id)
        .join(s.Homework, s.Homework.lesson_id == s.Lesson.id)
        .where(s.Homework.id == homework_id, s.Homework.removed_at.is_(None), or_(*windows))
    )


# --- attendance -----------------------------------------------------------------------------


def _add(totals: m.AttendanceTotals, kind: m.AbsenceKind, minutes: int) -> None:
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


async def load_attendance(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None
) -> m.Attendance | None:
    """A pupil's absences and lateness of a period (or the year), with totals."""
    school = await db.scalar(
        select(s.User.school_id).where(s.User.id == pupil_id, s.User.role == m.Role.PUPIL.value)
    )
    if school is None:
        return None
    span = await resolve_span(db, school, today, period)
    facts = await pupil_facts(db, pupil_id, _on(span, today))
    if facts is None:
        return None
    rows = (
        await db.execute(
            select(
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
                s.Absence.pupil_id == pupil_id,
                s.Absence.removed_at.is_(None),
                s.Lesson.date >= span.start,
                s.Lesson.date <= span.end,
            )
            .order_by(s.Lesson.date, s.Lesson.number, s.Absence.id)
        )
    ).all()
    entries: list[m.AttendanceEntry] = []
    total = m.AttendanceTotals()
    per_subject: dict[int, m.AttendanceTotals] = {}
    names: dict[int, str] = {}
    for absence_id, day, number, subject_id, subject_name, kind, minutes, note in rows:
        absence_kind = m.AbsenceKind(kind)
        entries.append(
            m.AttendanceEntry(
                id=absence_id,
                date=day,
                number=number,
                subject=m.SubjectRef(id=subject_id, name=subject_name),
                kind=absence_kind,
                minutes=minutes,
                note=note,
            )
        )
        names[subject_id] = subject_name
        _add(total, absence_kind, minutes)
        _add(per_subject.setdefault(subject_id, m.AttendanceTotals()), absence_kind, minutes)
    return m.Attendance(
        pupil=facts.ref,
        start=span.start,
        end=span.end,
        periods=span.periods,
        period=span.period,
        entries=entries,
        subjects=[
            m.SubjectAttendance(
                subject=m.SubjectRef(id=subject_id, name=names[subject_id]),
                totals=per_subject[subject_id],
            )
            for subject_id in _subject_order(names)
        ],
        total=total,
    )


# --- absence notices ---------------------------------------------------------------------------


async def check_notice_dates(
    db: AsyncSession, school_id: int, start: dt.date, end: dt.date
) -> None:
    """Refuse (422) a notice whose dates make no sense."""
    if end < start:
        raise ProblemError(422, "the last day must not be before the first day", field="end")
    days = (end - start).days + 1
    if days > NOTICE_MAX_DAYS:
        raise ProblemError(
            422,
            f"a notice covers at most {NOTICE_MAX_DAYS} days; this one covers {days}",
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
            422, "the days must lie within one school year of the school", field="start"
        )


async def load_notices(
    db: AsyncSession, today: dt.date, *, pupil_id: int | None = None, class_id: int | None = None
) -> m.AbsenceNotices:
    """Notices about one pupil, or about the pupils enrolled in a class today; newest first."""
    parent = aliased(s.User)
    pupil = aliased(s.User)
    reader = aliased(s.User)
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
        )
        .join(pupil, pupil.id == s.AbsenceNotice.pupil_id)
        .join(parent, parent.id == s.AbsenceNotice.parent_id)
        .outerjoin(reader, reader.id == s.AbsenceNotice.seen_by_id)
        .order_by(s.AbsenceNotice.created_at.desc(), s.AbsenceNotice.id.desc())
    )
    if pupil_id is not None:
        query = query.where(s.AbsenceNotice.pupil_id == pupil_id)
    if class_id is not None:
        query = query.where(
            s.AbsenceNotice.pupil_id.in_(
                select(s.Enrolment.pupil_id).where(
                    s.Enrolment.class_id == class_id,
                    s.Enrolment.start <= today,
                    or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
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
            ) in rows
        ]
    )
