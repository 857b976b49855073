"""The school's statistics, computed by the database: averages, distributions, attendance,
pupils at risk, the ranking of classes and the weekly trend of one period.

Every figure comes from a handful of ``GROUP BY`` queries over marks, absences, lessons and
enrolments (a few thousand rows come back even for a school of 2,000 pupils with a year of
marks); Python only adds the groups up. Averages follow :data:`api_client.grading.AVERAGE_RULE`
(sum of mark × weight over the sum of weights, rounded half up to two decimals).

A period's figures run from its first day to today (or its last day, when it is over). Removed
marks and absences do not count; cancelled lessons are not lessons; a pupil is counted in a
class for the lessons held while they were enrolled in it. Lateness is not an absence.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import MAX_ID, not_found
from demo_server.lesson_pupils import enrolled_on
from demo_server.problems import ProblemError
from demo_server.week import class_ref

RISK_AVERAGE_BELOW = Decimal("3.00")
"""A pupil whose average in any subject is below this is at risk."""
RISK_ABSENCES_ABOVE = 0.2
"""A pupil who missed more than this share of the period's lessons is at risk."""
MIN_GROUP = 5
"""The education authority never sees a figure about fewer pupils than this."""

_CENT = Decimal("0.01")


def average(total: int, weights: int) -> Decimal | None:
    """The weighted average from SQL sums, by the rule of ``api_client.grading``."""
    if weights <= 0:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(_CENT, rounding=ROUND_HALF_UP)


def as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rate(part: int, whole: int) -> float | None:
    """A share rounded to four decimals; None of nothing."""
    return None if whole <= 0 else round(part / whole, 4)


@dataclass(frozen=True, slots=True)
class Scope:
    """The school and period a statistics request is about."""

    school_id: int
    year_id: int
    period: m.PeriodRef
    periods: list[m.PeriodRef]
    scale: m.MarkScale
    start: dt.date
    end: dt.date
    """The last day counted: the period's end or today, whichever is first."""


async def resolve_scope(
    db: AsyncSession, school_id: int, period_id: int | None, today: dt.date
) -> Scope:
    """The period ``period_id`` of the school (default: the one holding today, else the
    latest begun, else the first), or a 404 problem naming the ``period`` field."""
    school = await db.get(s.School, school_id)
    if school is None:
        raise ProblemError(404, _("there is no such school"))
    rows = (
        await db.execute(
            select(s.Period, s.AcademicYear.start)
            .join(s.AcademicYear, s.AcademicYear.id == s.Period.year_id)
            .where(s.AcademicYear.school_id == school_id)
            .order_by(s.Period.start, s.Period.number)
        )
    ).all()
    all_periods = [period for period, _ in rows]
    if not all_periods:
        raise ProblemError(404, _("the school has no periods yet"), field="period")
    chosen: s.Period | None
    if period_id is not None:
        chosen = next((p for p in all_periods if p.id == period_id), None)
        if chosen is None or not 0 < period_id <= MAX_ID:
            raise not_found("period", "period")
    else:
        chosen = next((p for p in all_periods if p.start <= today <= p.end), None)
        if chosen is None:
            begun = [p for p in all_periods if p.start <= today]
            chosen = begun[-1] if begun else all_periods[0]
    periods = [
        m.PeriodRef(id=p.id, name=p.name, start=p.start, end=p.end)
        for p in all_periods
        if p.year_id == chosen.year_id
    ]
    return Scope(
        school_id=school_id,
        year_id=chosen.year_id,
        period=m.PeriodRef(id=chosen.id, name=chosen.name, start=chosen.start, end=chosen.end),
        periods=periods,
        scale=m.MarkScale(min=school.mark_min, max=school.mark_max),
        start=chosen.start,
        end=min(chosen.end, today),
    )


# --- the raw groups -----------------------------------------------------------------------


@dataclass(slots=True)
class Sums:
    total: int = 0
    weights: int = 0
    count: int = 0

    def add(self, total: int, weights: int, count: int) -> None:
        self.total += total
        self.weights += weights
        self.count += count

    @property
    def average(self) -> Decimal | None:
        return average(self.total, self.weights)


@dataclass(slots=True)
class Figures:
    """What the queries return, grouped; the responses are built from it."""

    classes: dict[int, m.ClassRef] = field(default_factory=dict)
    subjects: dict[int, m.SubjectRef] = field(default_factory=dict)
    by_class_subject: dict[tuple[int, int], Sums] = field(default_factory=dict)
    distribution: dict[int, dict[int, int]] = field(default_factory=dict)
    """class id -> mark value -> count."""
    by_day: dict[dt.date, Sums] = field(default_factory=dict)
    pupils: dict[int, int] = field(default_factory=dict)
    """class id -> pupils enrolled at some time in the period."""
    school_pupils: int = 0
    """Pupils enrolled in any of the classes (once each, though they changed class)."""
    lessons: dict[tuple[int, int], int] = field(default_factory=dict)
    """(pupil id, class id) -> lessons held while enrolled."""
    absences: dict[tuple[int, int], int] = field(default_factory=dict)
    """(pupil id, class id) -> lessons missed."""
    low: dict[int, list[tuple[int, Decimal, int]]] = field(default_factory=dict)
    """pupil id -> (subject id, average, marks) of subjects below the risk line."""

    def class_attendance(self) -> tuple[dict[int, int], dict[int, int]]:
        """Class id -> the lessons its pupils were to attend, and class id -> those missed."""
        lessons: dict[int, int] = defaultdict(int)
        missed: dict[int, int] = defaultdict(int)
        for (__, cid), count in self.lessons.items():
            lessons[cid] += count
        for (__, cid), count in self.absences.items():
            missed[cid] += count
        return lessons, missed


def _marks_in(scope: Scope, class_ids: Iterable[int] | None) -> list[object]:
    conditions: list[object] = [
        s.Mark.removed_at.is_(None),
        s.Mark.weight > 0,
        s.Lesson.date >= scope.start,
        s.Lesson.date <= scope.end,
        s.SchoolClass.year_id == scope.year_id,
        s.SchoolClass.school_id == scope.school_id,
    ]
    if class_ids is not None:
        conditions.append(s.Lesson.class_id.in_(list(class_ids)))
    return conditions


async def gather(
    db: AsyncSession, scope: Scope, class_id: int | None = None, *, pupils_at_risk: bool = True
) -> Figures:
    """Run the aggregate queries for the whole school, or one class (``class_id``).

    The per-class-and-subject sums always cover every class, so a class can be ranked."""
    figures = Figures()
    only = [class_id] if class_id is not None else None
    for cid, grade, letter in await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter)
        .where(s.SchoolClass.school_id == scope.school_id, s.SchoolClass.year_id == scope.year_id)
        .order_by(s.SchoolClass.grade, s.SchoolClass.letter)
    ):
        figures.classes[cid] = class_ref(cid, grade, letter)
    for sid, name in await db.execute(
        select(s.Subject.id, s.Subject.name).where(s.Subject.school_id == scope.school_id)
    ):
        figures.subjects[sid] = m.SubjectRef(id=sid, name=name)
    if scope.end < scope.start:
        return figures

    weighted = func.sum(s.Mark.value * s.Mark.weight)
    weights = func.sum(s.Mark.weight)
    marks = (
        select()
        .select_from(s.Mark)
        .join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
        .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
    )

    # Sums per class, subject and mark value (every class: the ranking needs them all); the
    # distribution of values per class comes from the same groups.
    for cid, sid, value, weight, count in await db.execute(
        marks.add_columns(
            s.Lesson.class_id, s.Lesson.subject_id, s.Mark.value, weights, func.count()
        )
        .where(*_marks_in(scope, None))  # type: ignore[arg-type]
        .group_by(s.Lesson.class_id, s.Lesson.subject_id, s.Mark.value)
    ):
        value, weight, count = int(value), int(weight), int(count)
        figures.by_class_subject.setdefault((cid, sid), Sums()).add(value * weight, weight, count)
        by_value = figures.distribution.setdefault(cid, {})
        by_value[value] = by_value.get(value, 0) + count

    # Sums per day, for the weekly trend.
    for day, total, weight, count in await db.execute(
        marks.add_columns(s.Lesson.date, weighted, weights, func.count())
        .where(*_marks_in(scope, only))  # type: ignore[arg-type]
        .group_by(s.Lesson.date)
    ):
        figures.by_day[_as_date(day)] = Sums(int(total), int(weight), int(count))

    # Pupils enrolled in each class during the period.
    overlapping = and_(
        s.enrolled_between(scope.start, scope.end),
    )
    enrolments = select(
        s.Enrolment.class_id, func.count(func.distinct(s.Enrolment.pupil_id))
    ).where(overlapping, s.Enrolment.class_id.in_(list(only or figures.classes)))
    for cid, count in await db.execute(enrolments.group_by(s.Enrolment.class_id)):
        figures.pupils[cid] = int(count)
    figures.school_pupils = int(
        await db.scalar(
            select(func.count(func.distinct(s.Enrolment.pupil_id))).where(
                overlapping, s.Enrolment.class_id.in_(list(only or figures.classes))
            )
        )
        or 0
    )

    # Lessons held while each pupil was enrolled, and lessons missed.
    held = [
        s.Lesson.date >= scope.start,
        s.Lesson.date <= scope.end,
        s.Lesson.status != m.LessonStatus.CANCELLED.value,
        s.Lesson.class_id.in_(list(only or figures.classes)),
    ]
    # The whole class's lessons per class and day, then per pupil over the days they were
    # enrolled (a join of lessons with enrolments would make a row per pupil and lesson).
    days: dict[int, list[tuple[dt.date, int]]] = {}
    for cid, day, count in await db.execute(
        select(s.Lesson.class_id, s.Lesson.date, func.count())
        .where(*held, s.Lesson.group_id.is_(None))
        .group_by(s.Lesson.class_id, s.Lesson.date)
        .order_by(s.Lesson.class_id, s.Lesson.date)
    ):
        days.setdefault(cid, []).append((_as_date(day), int(count)))
    running: dict[int, tuple[list[dt.date], list[int]]] = {}
    for cid, counts in days.items():
        totals = [0]
        for __, count in counts:
            totals.append(totals[-1] + count)
        running[cid] = ([day for day, _ in counts], totals)
    for pid, cid, start, end in await db.execute(
        select(
            s.Enrolment.pupil_id, s.Enrolment.class_id, s.Enrolment.start, s.Enrolment.end
        ).where(overlapping, s.Enrolment.class_id.in_(list(only or figures.classes)))
    ):
        if cid not in running:
            continue
        dates, totals = running[cid]
        first = bisect.bisect_left(dates, _as_date(start))
        last = bisect.bisect_right(dates, _as_date(end)) if end is not None else len(dates)
        if last > first:
            figures.lessons[(pid, cid)] = (
                figures.lessons.get((pid, cid), 0) + totals[last] - totals[first]
            )
    # A group's lessons count for its pupils alone (in the group and the class on the
    # lesson's day, as lesson_pupils says), not for the whole class.
    for pid, cid, count in await db.execute(
        select(s.GroupMember.pupil_id, s.Lesson.class_id, func.count())
        .join(s.GroupMember, s.GroupMember.group_id == s.Lesson.group_id)
        .where(
            *held,
            s.Lesson.group_id.is_not(None),
            s.in_group_on(s.Lesson.date),
            enrolled_on(s.GroupMember.pupil_id, s.Lesson.class_id, s.Lesson.date),
        )
        .group_by(s.GroupMember.pupil_id, s.Lesson.class_id)
    ):
        figures.lessons[(pid, cid)] = figures.lessons.get((pid, cid), 0) + int(count)
    for pid, cid, count in await db.execute(
        select(s.Absence.pupil_id, s.Lesson.class_id, func.count())
        .join(s.Lesson, s.Lesson.id == s.Absence.lesson_id)
        .where(
            *held,
            s.Absence.removed_at.is_(None),
            s.Absence.kind != m.AbsenceKind.LATE.value,
        )
        .group_by(s.Absence.pupil_id, s.Lesson.class_id)
    ):
        figures.absences[(pid, cid)] = int(count)

    # Subjects in which a pupil's average is below the risk line (the database filters
    # roughly, the exact rounding rule decides).
    if pupils_at_risk:
        line = float(RISK_AVERAGE_BELOW) + 0.005
        for pid, sid, total, weight, count in await db.execute(
            marks.add_columns(s.Mark.pupil_id, s.Lesson.subject_id, weighted, weights, func.count())
            .where(*_marks_in(scope, only))  # type: ignore[arg-type]
            .group_by(s.Mark.pupil_id, s.Lesson.subject_id)
            .having(weighted < weights * line)
        ):
            value = average(int(total), int(weight))
            if value is not None and value < RISK_AVERAGE_BELOW:
                figures.low.setdefault(pid, []).append((sid, value, int(count)))
    return figures


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# --- building the answers ------------------------------------------------------------------


def _distribution(counts: dict[int, int], scale: m.MarkScale) -> list[int]:
    return [counts.get(value, 0) for value in range(scale.min, scale.max + 1)]


def _class_summaries(figures: Figures, scope: Scope) -> list[m.ClassSummary]:
    """Every class with its figures, ranked by average (classes without marks last)."""
    per_class: dict[int, Sums] = defaultdict(Sums)
    per_class_subjects: dict[int, list[m.SubjectAverage]] = defaultdict(list)
    for (cid, sid), sums in figures.by_class_subject.items():
        per_class[cid].add(sums.total, sums.weights, sums.count)
        per_class_subjects[cid].append(
            m.SubjectAverage(
                subject=figures.subjects[sid], average=as_float(sums.average), marks=sums.count
            )
        )
    lessons, missed = figures.class_attendance()
    summaries = []
    for cid, ref in figures.classes.items():
        sums = per_class.get(cid, Sums())
        subjects = sorted(per_class_subjects.get(cid, []), key=lambda a: a.subject.name)
        summaries.append(
            m.ClassSummary(
                class_=ref,
                pupils=figures.pupils.get(cid, 0),
                average=as_float(sums.average),
                marks=sums.count,
                attendance=_attendance(lessons.get(cid, 0), missed.get(cid, 0)),
                distribution=_distribution(figures.distribution.get(cid, {}), scope.scale),
                subjects=subjects,
            )
        )
    ranked = sorted(
        (c for c in summaries if c.average is not None),
        key=lambda c: (-(c.average or 0.0), c.class_.grade, c.class_.letter),
    )
    for place, summary in enumerate(ranked, 1):
        summary.rank = place
    unranked = [c for c in summaries if c.average is None]
    return ranked + unranked


def _attendance(lessons: int, missed: int) -> float | None:
    share = rate(missed, lessons)
    return None if share is None else round(1 - share, 4)


def _weeks(figures: Figures, scope: Scope) -> list[WeekSums]:
    weeks: dict[dt.date, Sums] = {}
    monday = scope.start - dt.timedelta(days=scope.start.weekday())
    while monday <= scope.end:
        weeks[monday] = Sums()
        monday += dt.timedelta(days=7)
    for day, sums in figures.by_day.items():
        key = day - dt.timedelta(days=day.weekday())
        weeks.setdefault(key, Sums()).add(sums.total, sums.weights, sums.count)
    return [WeekSums(week, sums) for week, sums in sorted(weeks.items())]


@dataclass(frozen=True, slots=True)
class WeekSums:
    week: dt.date
    sums: Sums


def _week_averages(figures: Figures, scope: Scope) -> list[m.WeekAverage]:
    return [
        m.WeekAverage(week=w.week, average=as_float(w.sums.average), marks=w.sums.count)
        for w in _weeks(figures, scope)
    ]


async def _at_risk(
    db: AsyncSession, figures: Figures, today: dt.date, class_id: int | None
) -> list[m.PupilAtRisk]:
    lessons: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    for (pid, cid), count in figures.lessons.items():
        if class_id is None or cid == class_id:
            lessons[pid] += count
    for (pid, cid), count in figures.absences.items():
        if class_id is None or cid == class_id:
            missed[pid] += count
    risky = set(figures.low)
    for pid, count in lessons.items():
        share = rate(missed.get(pid, 0), count)
        if share is not None and share > RISK_ABSENCES_ABOVE:
            risky.add(pid)
    if not risky:
        return []
    names = {
        pid: (first, last)
        for pid, first, last in await db.execute(
            select(s.User.id, s.User.first_name, s.User.last_name).where(s.User.id.in_(risky))
        )
    }
    from demo_server.week import current_classes

    classes = await current_classes(db, sorted(risky), today)
    found = []
    for pid in risky:
        if pid not in names:
            continue
        first, last = names[pid]
        low = sorted(figures.low.get(pid, []), key=lambda item: (item[1], item[0]))
        found.append(
            m.PupilAtRisk(
                pupil=m.PupilRef(id=pid, first_name=first, last_name=last, class_=classes.get(pid)),
                absence_rate=rate(missed.get(pid, 0), lessons.get(pid, 0)) or 0.0,
                absences=missed.get(pid, 0),
                lessons=lessons.get(pid, 0),
                low_subjects=[
                    m.SubjectAverage(subject=figures.subjects[sid], average=float(avg), marks=n)
                    for sid, avg, n in low
                ],
            )
        )

    def order(p: m.PupilAtRisk) -> tuple[int, str, str, str, int]:
        ref = p.pupil.class_
        return (
            ref.grade if ref else 99,
            ref.letter if ref else "",
            p.pupil.last_name,
            p.pupil.first_name,
            p.pupil.id,
        )

    return sorted(found, key=order)


RISK = m.RiskRule(average_below=float(RISK_AVERAGE_BELOW), absences_above=RISK_ABSENCES_ABOVE)


async def school_stats(db: AsyncSession, scope: Scope, today: dt.date) -> m.SchoolStats:
    figures = await gather(db, scope)
    classes = _class_summaries(figures, scope)
    total = Sums()
    per_subject: dict[int, Sums] = defaultdict(Sums)
    for (__, sid), sums in figures.by_class_subject.items():
        total.add(sums.total, sums.weights, sums.count)
        per_subject[sid].add(sums.total, sums.weights, sums.count)
    counts: dict[int, int] = defaultdict(int)
    for by_value in figures.distribution.values():
        for value, count in by_value.items():
            counts[value] += count
    return m.SchoolStats(
        period=scope.period,
        periods=scope.periods,
        scale=scope.scale,
        pupils=figures.school_pupils,
        average=as_float(total.average),
        marks=total.count,
        distribution=_distribution(counts, scope.scale),
        attendance=_attendance(sum(figures.lessons.values()), sum(figures.absences.values())),
        classes=classes,
        subjects=sorted(
            (
                m.SubjectAverage(
                    subject=figures.subjects[sid], average=as_float(sums.average), marks=sums.count
                )
                for sid, sums in per_subject.items()
            ),
            key=lambda a: a.subject.name,
        ),
        at_risk=await _at_risk(db, figures, today, None),
        weeks=_week_averages(figures, scope),
        risk=RISK,
    )


async def class_stats(
    db: AsyncSession, scope: Scope, class_id: int, today: dt.date
) -> m.ClassStats | None:
    """One class's figures; None when the class is not one of the school's in that year."""
    figures = await gather(db, scope, class_id)
    if class_id not in figures.classes:
        return None
    summaries = _class_summaries(figures, scope)
    summary = next(c for c in summaries if c.class_.id == class_id)
    return m.ClassStats(
        summary=summary,
        period=scope.period,
        periods=scope.periods,
        scale=scope.scale,
        classes=sum(1 for c in summaries if c.rank is not None),
        at_risk=await _at_risk(db, figures, today, class_id),
        weeks=_week_averages(figures, scope),
        risk=RISK,
    )


def _group(
    name: str,
    pupils: int,
    sums: Sums,
    counts: dict[int, int],
    lessons: int,
    missed: int,
    scale: m.MarkScale,
) -> m.AnonymousGroup:
    if pupils == 0:
        return m.AnonymousGroup(name=name, pupils=0, note="no pupils in this period")
    if pupils < MIN_GROUP:
        return m.AnonymousGroup(
            name=name,
            suppressed=True,
            note=f"fewer than {MIN_GROUP} pupils: figures withheld so nobody can be identified",
        )
    return m.AnonymousGroup(
        name=name,
        pupils=pupils,
        average=as_float(sums.average),
        marks=sums.count,
        distribution=_distribution(counts, scale),
        attendance=_attendance(lessons, missed),
    )


def _protect_by_difference(
    groups: list[m.AnonymousGroup], figures: Figures, class_ids: list[int]
) -> None:
    """Withhold more classes when the withheld ones are fewer than ``MIN_GROUP`` pupils in all:
    otherwise the school's total minus the shown classes would give them away."""
    sizes = [figures.pupils.get(cid, 0) for cid in class_ids]
    hidden = [i for i, g in enumerate(groups) if g.suppressed]
    if not hidden:
        return
    withheld = sum(sizes[i] for i in hidden)
    shown = sorted((i for i, g in enumerate(groups) if not g.suppressed), key=lambda i: sizes[i])
    while withheld < MIN_GROUP and shown:
        i = shown.pop(0)
        withheld += sizes[i]
        groups[i] = m.AnonymousGroup(
            name=groups[i].name,
            suppressed=True,
            note="withheld too, so that a smaller class cannot be worked out from the total",
        )


async def authority_stats(db: AsyncSession, scope: Scope) -> m.AuthorityStats:
    """Per school and per class, anonymised: no pupil anywhere, small groups withheld."""
    figures = await gather(db, scope, pupils_at_risk=False)
    school = await db.get(s.School, scope.school_id)
    assert school is not None
    per_class: dict[int, Sums] = defaultdict(Sums)
    for (cid, __), sums in figures.by_class_subject.items():
        per_class[cid].add(sums.total, sums.weights, sums.count)
    lessons, missed = figures.class_attendance()
    total = Sums()
    counts: dict[int, int] = defaultdict(int)
    groups = []
    for cid, ref in figures.classes.items():
        sums = per_class.get(cid, Sums())
        total.add(sums.total, sums.weights, sums.count)
        for value, count in figures.distribution.get(cid, {}).items():
            counts[value] += count
        groups.append(
            _group(
                ref.name,
                figures.pupils.get(cid, 0),
                sums,
                figures.distribution.get(cid, {}),
                lessons.get(cid, 0),
                missed.get(cid, 0),
                scope.scale,
            )
        )
    _protect_by_difference(groups, figures, list(figures.classes))
    return m.AuthorityStats(
        period=scope.period,
        periods=scope.periods,
        scale=scope.scale,
        min_group=MIN_GROUP,
        school=_group(
            school.name,
            figures.school_pupils,
            total,
            counts,
            sum(lessons.values()),
            sum(missed.values()),
            scope.scale,
        ),
        classes=groups,
    )
