"""A pupil's grades and report card, and the periods (terms, the year) they are read by, each
read with a fixed number of queries (none per subject or per mark).

Averages are computed by :func:`api_client.grading.weighted_average`, the one function the
client uses too. The class average of a subject is the weighted average of all marks given in
that subject at the class's lessons of the period; the rating ranks the class's pupils by
their overall weighted average (all subjects) and says only the place and how many were ranked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from api_client.grading import AVERAGE_RULE, format_average, weighted_average
from api_client.i18n import _
from demo_server import schema as s
from demo_server.problems import ProblemError
from demo_server.week import current_classes, short_name


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
    choices = (
        _("one of the school year's periods ({ids}) or 'year'").format(ids=ids) if ids else "'year'"
    )
    return ProblemError(
        404,
        _("there is no such period: 'period' must be {choices}").format(choices=choices),
        field="period",
    )


async def resolve_span(
    db: AsyncSession, school_id: int, today: dt.date, period: str | None
) -> Span:
    """The period asked for (an id or ``year``), by default the one that holds ``today``."""
    wanted: int | None = None
    if period is not None and period != "year":
        if not (period.isascii() and period.isdigit()):
            raise ProblemError(400, _("'period' must be a period id or 'year'"), field="period")
        # Digits that name no period (too many for any id) are refused as any unknown id is.
        wanted = int(period) if len(period) <= 9 else 0
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


async def browsable_periods(db: AsyncSession, pupil_id: int, span: Span) -> list[m.PeriodRef]:
    """The periods a family steps through: those of the earlier years the pupil was at the
    school (named with their year: ``4 четверть · 2025/26``), then the shown year's. Last year
    stays readable after it is closed."""
    if span.year_id is None:
        return span.periods
    earlier = (
        await db.execute(
            select(s.Period, s.AcademicYear.name)
            .join(s.AcademicYear, s.AcademicYear.id == s.Period.year_id)
            .where(
                s.AcademicYear.id != span.year_id,
                s.AcademicYear.end < span.start,
                s.AcademicYear.id.in_(
                    select(s.SchoolClass.year_id)
                    .join(s.Enrolment, s.Enrolment.class_id == s.SchoolClass.id)
                    .where(s.Enrolment.pupil_id == pupil_id)
                ),
            )
            .order_by(s.Period.start)
        )
    ).all()
    past = [
        m.PeriodRef(id=row.id, name=f"{row.name} · {year}", start=row.start, end=row.end)
        for row, year in earlier
    ]
    return past + span.periods


async def _periods(db: AsyncSession, year_id: int) -> list[m.PeriodRef]:
    rows = (
        await db.scalars(
            select(s.Period).where(s.Period.year_id == year_id).order_by(s.Period.start)
        )
    ).all()
    return [_period_ref(row) for row in rows]


def day_in_span(span: Span, today: dt.date) -> dt.date:
    """The day whose class counts for a span: today, or the span's end if it is over."""
    return min(today, span.end) if span.start <= today else span.start


async def pupil_span(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None
) -> tuple[Span, PupilFacts] | None:
    """The span asked for (see ``resolve_span``) in the pupil's school, and what is known of
    the pupil on its day (see ``day_in_span``); None when there is no such pupil."""
    school = await db.scalar(
        select(s.User.school_id).where(s.User.id == pupil_id, s.User.role == m.Role.PUPIL.value)
    )
    if school is None:
        return None
    span = await resolve_span(db, school, today, period)
    facts = await pupil_facts(db, pupil_id, day_in_span(span, today))
    if facts is None:
        return None
    return span, facts


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


def subject_order(names: dict[int, str]) -> list[int]:
    return sorted(names, key=lambda subject_id: (names[subject_id].casefold(), subject_id))


# --- grades ----------------------------------------------------------------------------------


async def load_grades(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None
) -> m.Grades | None:
    """A pupil's marks of a period (or the year) per subject; None when there is no pupil."""
    found = await pupil_span(db, pupil_id, today, period)
    if found is None:
        return None
    span, facts = found
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
        for subject_id in subject_order(names)
    ]
    return m.Grades(
        pupil=facts.ref,
        start=span.start,
        end=span.end,
        rule=AVERAGE_RULE,
        periods=await browsable_periods(db, pupil_id, span),
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
    on = day_in_span(span, today)
    members = select(s.Enrolment.pupil_id).where(
        s.Enrolment.class_id == class_id,
        s.enrolled_on(on),
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


async def load_report_card(
    db: AsyncSession, pupil_id: int, today: dt.date, period: str | None = None
) -> m.ReportCard | None:
    """Period and year marks per subject for the school year that holds ``today``, or that
    holds ``period`` (a period id: last year's report card)."""
    found = await pupil_span(db, pupil_id, today, "year" if period is None else period)
    if found is None:
        return None
    span, facts = found
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
            for subject_id in subject_order(names)
        ],
    )
