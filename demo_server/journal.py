"""The class journal: the one GET that fills the grid, and every write a teacher makes in it.

Each write function runs inside the request's transaction and leaves it uncommitted:
:func:`demo_server.idempotency.idempotent` commits it together with the idempotency record. A
write refuses with a :class:`ProblemError` (the transaction is then rolled back), and every
change appends an audit record and a change-feed row.

Versions: each mark, absence, homework and period mark carries a version, and a lesson's
topic the lesson's version. A write names the version it was based on; a stale one gets 409
with the current value in the problem's ``current`` and a ``detail`` that says who changed it
and when. The check is made by the UPDATE itself (``WHERE version = :seen``), so two writers
that read the same version cannot both win.

Bounds that are not in the contract's types:

- a mark's value on the school's scale (``schools.mark_min`` to ``mark_max``);
- a mark's weight from :data:`MARK_WEIGHT_MIN` to :data:`MARK_WEIGHT_MAX` (1 to 5: a test
  counts at most five times an oral answer);
- minutes late from 1 to :data:`MAX_LATE_MINUTES`, and only for ``late``;
- homework due on or after the lesson's day and within a year of it;
- no marks or absences for a lesson after today, or for a cancelled lesson;
- a change of a mark older than ``schools.reason_after_days`` days needs a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import (
    LATE_MINUTES_MAX,
    MARK_WEIGHT_MAX,
    MARK_WEIGHT_MIN,
    AbsenceKind,
    AbsenceRemove,
    AbsenceSet,
    Attachment,
    EnrolmentSpan,
    GroupRef,
    HomeworkSet,
    Journal,
    JournalAbsence,
    JournalHomework,
    JournalLesson,
    JournalMark,
    JournalPeriodMark,
    JournalPupil,
    LessonKind,
    LessonKindSet,
    LessonStatus,
    MarkCreate,
    MarkKind,
    MarkRemove,
    MarkScale,
    MarkUpdate,
    PeriodMarkSet,
    PeriodRef,
    Role,
    SubjectRef,
    TopicSet,
)
from demo_server import schema as s
from demo_server.access import (
    ATTENDANCE_READERS,
    MAX_ID,
    lesson_visibility,
    may_open_journal,
    may_see_pupil,
    not_found,
    pupil_not_found,
    visible_class,
)
from demo_server.attachments import attachments_of
from demo_server.auth import Viewer
from demo_server.clock import school_date, stamp
from demo_server.journal_rights import (
    Record,
    Right,
    may_write_lesson,
    may_write_period_mark,
    role_may_write,
)
from demo_server.lesson_pupils import members_between, takes_lesson
from demo_server.problems import ProblemError
from demo_server.records import record_write
from demo_server.week import class_name, class_ref

MAX_LATE_MINUTES = LATE_MINUTES_MAX
MAX_DUE_DAYS = 366


# --- shared look-ups ---------------------------------------------------------------------


def check_id(value: int, field: str, status: int = 404, what: str = "") -> None:
    """Ids outside 1..2**31-1 cannot exist: answer as for an unknown id, before the database."""
    if not 0 < value <= MAX_ID:
        raise not_found(what or field.removesuffix("_id"), field, status)


def _period_ref(period: s.Period) -> PeriodRef:
    return PeriodRef(id=period.id, name=period.name, start=period.start, end=period.end)


def _full_name(user: s.User) -> str:
    return f"{user.first_name} {user.last_name}"


@dataclass
class LessonContext:
    """A lesson with its class, subject and school: what every lesson write checks."""

    lesson: s.Lesson
    cls: s.SchoolClass
    subject: s.Subject
    school: s.School

    def journal_lesson(self, homework: JournalHomework | None = None) -> JournalLesson:
        return journal_lesson(self.lesson, homework)


def journal_lesson(lesson: s.Lesson, homework: JournalHomework | None) -> JournalLesson:
    return JournalLesson(
        id=lesson.id,
        date=lesson.date,
        number=lesson.number,
        topic=lesson.topic,
        status=LessonStatus(lesson.status),
        version=lesson.version,
        homework=homework,
        kind=LessonKind(lesson.kind),
        weight=lesson.weight,
    )


async def load_lesson(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    *,
    field: str = "lesson_id",
    status: int = 404,
) -> LessonContext:
    """The lesson ``lesson_id``, if the viewer may see it (:func:`access.lesson_visibility`),
    else the one answer for no such lesson (404 for a path id, 422 for an id in a body). Who
    may write its records is :func:`journal_rights.may_write_lesson`."""
    check_id(lesson_id, field, status, "lesson")
    row = (
        await db.execute(
            select(s.Lesson, s.SchoolClass, s.Subject, s.School)
            .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .join(s.School, s.School.id == s.SchoolClass.school_id)
            .where(s.Lesson.id == lesson_id, lesson_visibility(viewer))
        )
    ).first()
    if row is None:
        raise not_found("lesson", field, status)
    return LessonContext(*row)


async def _lesson_to_write(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    record: Record,
    reason: str,
    *,
    status: int = 404,
) -> tuple[LessonContext, Right]:
    """The lesson a write of ``record`` is about (``status`` for no such lesson: 404 for a
    path id, 422 for an id in a body) and the viewer's right to write it there
    (:func:`journal_rights.may_write_lesson`, ``reason`` for a closed year); raises the
    refusal, the role's first."""
    role_may_write(viewer, record)
    ctx = await load_lesson(db, viewer, lesson_id, status=status)
    return ctx, await may_write_lesson(db, viewer, ctx.lesson, record, reason)


async def _subject(
    db: AsyncSession, viewer: Viewer, subject_id: int, field: str, status: int
) -> s.Subject:
    """A subject of the viewer's school (subjects are no secret within it), else not found."""
    check_id(subject_id, field, status, "subject")
    subject = await db.scalar(
        select(s.Subject).where(s.Subject.id == subject_id, s.Subject.school_id == viewer.school_id)
    )
    if subject is None:
        raise not_found("subject", field, status)
    return subject


async def _school(db: AsyncSession, viewer: Viewer) -> s.School:
    school = await db.get(s.School, viewer.school_id)
    assert school is not None
    return school


async def _pupil(
    db: AsyncSession,
    viewer: Viewer,
    pupil_id: int,
    field: str,
    status: int,
    seen_at: LessonContext | None = None,
) -> s.User:
    """The pupil ``pupil_id`` if the viewer may see them (:func:`access.may_see_pupil`; at a
    lesson ``seen_at`` the viewer may act on, also a pupil of its class on its day: a
    substitute's), else the one answer for no such pupil."""
    check_id(pupil_id, field, status, "pupil")
    pupil = await db.scalar(
        select(s.User).where(
            s.User.id == pupil_id,
            s.User.school_id == viewer.school_id,
            s.User.role == Role.PUPIL.value,
        )
    )
    if pupil is None:
        raise pupil_not_found(field, status)
    if seen_at is not None and await _enrolled(db, pupil.id, seen_at.cls.id, seen_at.lesson.date):
        return pupil
    if not await may_see_pupil(db, viewer, pupil.id, ATTENDANCE_READERS):
        raise pupil_not_found(field, status)
    return pupil


async def _enrolled(db: AsyncSession, pupil_id: int, class_id: int, day: dt.date) -> bool:
    found = await db.scalar(
        select(s.Enrolment.id).where(
            s.Enrolment.pupil_id == pupil_id,
            s.Enrolment.class_id == class_id,
            s.enrolled_on(day),
        )
    )
    return found is not None


async def _lesson_pupil(
    db: AsyncSession, viewer: Viewer, ctx: LessonContext, pupil_id: int, field: str, status: int
) -> s.User:
    """The pupil, who must be in the lesson's class on the lesson's day (422 otherwise, when
    the viewer may see the pupil; a pupil they may not see is answered as none)."""
    pupil = await _pupil(db, viewer, pupil_id, field, status, seen_at=ctx)
    if not await _enrolled(db, pupil.id, ctx.cls.id, ctx.lesson.date):
        raise ProblemError(
            422,
            _(
                "this pupil is not in class {grade} on {date}, the day of this "
                "lesson: choose a pupil of the class"
            ).format(
                grade=class_name(ctx.cls.grade, ctx.cls.letter), date=ctx.lesson.date.isoformat()
            ),
            field=field,
        )
    if ctx.lesson.group_id is not None and not await _takes(db, ctx.lesson, pupil.id):
        group = await db.get(s.ClassGroup, ctx.lesson.group_id)
        raise ProblemError(
            422,
            _(
                "this pupil is not in group {group} on {day}: the lesson is the group's, so "
                "only its pupils get marks and absences there"
            ).format(group=group.name if group else "", day=ctx.lesson.date.isoformat()),
            field=field,
        )
    return pupil


async def _takes(db: AsyncSession, lesson: s.Lesson, pupil_id: int) -> bool:
    """Whether the pupil takes the lesson (:func:`demo_server.lesson_pupils.takes_lesson`)."""
    found = await db.scalar(
        select(s.Lesson.id).where(s.Lesson.id == lesson.id, takes_lesson(pupil_id))
    )
    return found is not None


def _not_cancelled(ctx: LessonContext, what: str) -> None:
    if ctx.lesson.status == LessonStatus.CANCELLED.value:
        raise ProblemError(
            422,
            _("the lesson of {date} was cancelled: it takes no {what}").format(
                date=ctx.lesson.date.isoformat(), what=_(what)
            ),
            field="lesson_id",
        )


def _not_future(ctx: LessonContext, today: dt.date, what: str) -> None:
    if ctx.lesson.date > today:
        raise ProblemError(
            422,
            _(
                "the lesson of {date} has not happened yet: {what} can be given on "
                "the day of the lesson or later"
            ).format(date=ctx.lesson.date.isoformat(), what=_(what)),
            field="lesson_id",
        )


def _on_scale(value: int, school: s.School, field: str = "value") -> None:
    if not school.mark_min <= value <= school.mark_max:
        raise ProblemError(
            422,
            _("a mark in this school is from {mark_min} to {mark_max}, not {value}").format(
                mark_min=school.mark_min, mark_max=school.mark_max, value=value
            ),
            field=field,
        )


def _weight(weight: int) -> None:
    if not MARK_WEIGHT_MIN <= weight <= MARK_WEIGHT_MAX:
        raise ProblemError(
            422,
            _(
                "a mark's weight is from {MARK_WEIGHT_MIN} to {MARK_WEIGHT_MAX}, not {weight}"
            ).format(
                MARK_WEIGHT_MIN=MARK_WEIGHT_MIN, MARK_WEIGHT_MAX=MARK_WEIGHT_MAX, weight=weight
            ),
            field="weight",
        )


async def _last_change(
    db: AsyncSession,
    school: s.School,
    entity: str,
    entity_id: int,
    fallback: tuple[int, dt.datetime],
) -> str:
    """ "changed by NAME on DATE at TIME", from the audit log (or the row's own author)."""
    row = (
        await db.execute(
            select(s.AuditRecord.actor_id, s.AuditRecord.at)
            .where(s.AuditRecord.entity == entity, s.AuditRecord.entity_id == entity_id)
            .order_by(s.AuditRecord.id.desc())
            .limit(1)
        )
    ).first()
    actor_id, at = (row[0], row[1]) if row is not None else fallback
    actor = await db.get(s.User, actor_id) if actor_id is not None else None
    who = _full_name(actor) if actor is not None else _("someone")
    return _("{who} on {when}").format(who=who, when=stamp(at, school.timezone))


async def _conflict(
    db: AsyncSession,
    school: s.School,
    entity: str,
    entity_id: int,
    fallback: tuple[int, dt.datetime],
    seen: int | None,
    current: Any,
    version: int,
    what: str,
) -> ProblemError:
    by = await _last_change(db, school, entity, entity_id, fallback)
    if seen is None:
        detail = _(
            "{what} was already set by {by} (version {version}); send its current version to "
            "change it"
        ).format(what=_(what), by=by, version=version)
    else:
        detail = _(
            "{what} was changed by {by}: your change was based on version {seen}, the current "
            "one is version {version}"
        ).format(what=_(what), by=by, seen=seen, version=version)
    return ProblemError(409, detail, field="version", current=current)


# --- the journal GET -------------------------------------------------------------------------


async def _in_force(db: AsyncSession, table: Any, *where: Any) -> Sequence[Any]:
    """The rows of a journal table (marks, absences, homework, period marks) that match
    ``where`` and are not removed, oldest first."""
    query = select(table).where(*where, table.removed_at.is_(None)).order_by(table.id)
    return (await db.scalars(query)).all()


async def load_journal(
    db: AsyncSession,
    viewer: Viewer,
    class_id: int,
    subject_id: int,
    period_id: int | None,
    today: dt.date,
    group_id: int | None = None,
) -> Journal:
    """The journal of ``class_id`` and ``subject_id`` for ``period_id`` (default: the period
    containing ``today``, else the last one begun, else the first). With ``group_id``, the
    journal of that group of the class: its pupils and its lessons only."""
    if viewer.role not in (Role.TEACHER, Role.ADMINISTRATION):
        raise ProblemError(403, _("your role may not see class journals"))
    cls = await visible_class(db, viewer, class_id)
    subject = await _subject(db, viewer, subject_id, "subject_id", 404)
    if not await may_open_journal(db, viewer, cls.id, subject.id, group_id):
        raise ProblemError(403, _("you do not teach this subject in this class nor lead it"))
    school = await _school(db, viewer)
    periods = list(
        (
            await db.scalars(
                select(s.Period).where(s.Period.year_id == cls.year_id).order_by(s.Period.start)
            )
        ).all()
    )
    if not periods:
        raise ProblemError(
            404, _("the academic year of this class has no periods yet"), field="period_id"
        )
    if period_id is not None:
        check_id(period_id, "period_id", what="period")
        chosen = next((p for p in periods if p.id == period_id), None)
        if chosen is None:
            raise ProblemError(
                404,
                _("there is no period with this id in the academic year of this class"),
                field="period_id",
            )
    else:
        chosen = next((p for p in periods if p.start <= today <= p.end), None)
        if chosen is None:
            begun = [p for p in periods if p.start <= today]
            chosen = begun[-1] if begun else periods[0]
    period = chosen
    group: s.ClassGroup | None = None
    if group_id is not None:
        check_id(group_id, "group_id", what="group")
        group = await db.scalar(
            select(s.ClassGroup).where(
                s.ClassGroup.id == group_id,
                s.ClassGroup.class_id == cls.id,
                s.ClassGroup.subject_id == subject.id,
            )
        )
        if group is None:
            raise not_found("group", "group_id")

    pupil_query = (
        select(s.User.id, s.User.first_name, s.User.last_name, s.Enrolment.start, s.Enrolment.end)
        .join(s.Enrolment, s.Enrolment.pupil_id == s.User.id)
        .where(
            s.Enrolment.class_id == cls.id,
            s.enrolled_between(period.start, period.end),
        )
        .order_by(s.Enrolment.start)
    )
    if group is not None:
        pupil_query = pupil_query.where(
            s.User.id.in_(members_between(group.id, period.start, period.end))
        )
    of_group = [] if group is None else [s.Lesson.group_id == group.id]
    # A pupil's spans in the class (one row each): a lesson outside them takes no mark.
    spans: dict[int, list[EnrolmentSpan]] = {}
    names: dict[int, tuple[str, str]] = {}
    for r in (await db.execute(pupil_query)).all():
        names[r.id] = (r.first_name, r.last_name)
        spans.setdefault(r.id, []).append(EnrolmentSpan(start=r.start, end=r.end))
    pupil_order = sorted(names, key=lambda i: (names[i][1].casefold(), names[i][0].casefold(), i))
    pupils = [
        JournalPupil(
            id=i,
            number=n,
            first_name=names[i][0],
            last_name=names[i][1],
            enrolled=spans[i],
        )
        for n, i in enumerate(pupil_order, start=1)
    ]
    pupil_ids = [p.id for p in pupils]

    lesson_rows = (
        await db.scalars(
            select(s.Lesson)
            .where(
                s.Lesson.class_id == cls.id,
                s.Lesson.subject_id == subject.id,
                s.Lesson.date >= period.start,
                s.Lesson.date <= period.end,
                *of_group,
            )
            .order_by(s.Lesson.date, s.Lesson.number)
        )
    ).all()
    lesson_ids = [r.id for r in lesson_rows]
    in_lessons = (
        select(s.Lesson.id)
        .where(
            s.Lesson.class_id == cls.id,
            s.Lesson.subject_id == subject.id,
            s.Lesson.date >= period.start,
            s.Lesson.date <= period.end,
            *of_group,
        )
        .scalar_subquery()
    )
    homework: dict[int, JournalHomework] = {}
    if lesson_ids:
        rows = await _in_force(db, s.Homework, s.Homework.lesson_id.in_(in_lessons))
        files = await attachments_of(db, [hw.id for hw in rows])
        for hw in rows:
            homework[hw.lesson_id] = journal_homework(hw, files.get(hw.id, []))
    lessons = [journal_lesson(r, homework.get(r.id)) for r in lesson_rows]
    marks: list[JournalMark] = []
    absences: list[JournalAbsence] = []
    if lesson_ids:
        marks = [
            journal_mark(m) for m in await _in_force(db, s.Mark, s.Mark.lesson_id.in_(in_lessons))
        ]
        absences = [
            journal_absence(a)
            for a in await _in_force(db, s.Absence, s.Absence.lesson_id.in_(in_lessons))
        ]
    period_marks = (
        [
            journal_period_mark(pm)
            for pm in await _in_force(
                db,
                s.PeriodMark,
                s.PeriodMark.subject_id == subject.id,
                s.PeriodMark.period_id == period.id,
                s.PeriodMark.pupil_id.in_(pupil_ids),
            )
        ]
        if pupil_ids
        else []
    )
    year = await db.get(s.AcademicYear, cls.year_id)
    return Journal(
        class_=class_ref(cls.id, cls.grade, cls.letter),
        subject=SubjectRef(id=subject.id, name=subject.name),
        period=_period_ref(period),
        group=GroupRef(id=group.id, name=group.name) if group is not None else None,
        periods=[_period_ref(p) for p in periods],
        scale=MarkScale(min=school.mark_min, max=school.mark_max),
        reason_after_days=school.reason_after_days,
        year=year.name if year is not None else "",
        year_closed=year is not None and year.closed_at is not None,
        pupils=pupils,
        lessons=lessons,
        marks=marks,
        absences=absences,
        period_marks=period_marks,
    )


# --- marks ---------------------------------------------------------------------------------


def journal_mark(mark: s.Mark) -> JournalMark:
    return JournalMark(
        id=mark.id,
        pupil_id=mark.pupil_id,
        lesson_id=mark.lesson_id,
        value=mark.value,
        weight=mark.weight,
        kind=MarkKind(mark.kind),
        comment=mark.comment,
        version=mark.version,
        created_at=mark.created_at,
        removed=mark.removed_at is not None,
    )


async def read_mark(db: AsyncSession, viewer: Viewer, mark_id: int) -> JournalMark:
    """One mark, as its journal shows it, to whoever reads that journal
    (:func:`access.may_open_journal`: its lesson's teachers, the class teacher, the
    administration), and to the pupil and their parents while it stands (their week shows it);
    to anyone else the one answer for no such mark."""
    check_id(mark_id, "mark_id", what="mark")
    row = (
        await db.execute(
            select(s.Mark, s.Lesson)
            .join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
            .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
            .where(s.Mark.id == mark_id, s.SchoolClass.school_id == viewer.school_id)
        )
    ).first()
    if row is not None:
        mark, lesson = row
        if viewer.role in (Role.PUPIL, Role.PARENT):
            seen = mark.removed_at is None and await may_see_pupil(db, viewer, mark.pupil_id)
        else:
            seen = await may_open_journal(
                db, viewer, lesson.class_id, lesson.subject_id, lesson.group_id
            )
        if seen:
            return journal_mark(mark)
    raise not_found("mark", "mark_id")


def _audited(row: s.Base, columns: tuple[str, ...]) -> dict[str, Any]:
    """What an audit record keeps of a journal row: ``columns`` of it, in that order."""
    return {column: getattr(row, column) for column in columns}


MARK_AUDITED = ("lesson_id", "pupil_id", "value", "weight", "kind", "comment", "version")
PERIOD_MARK_AUDITED = ("pupil_id", "subject_id", "period_id", "value", "version")
ABSENCE_AUDITED = ("lesson_id", "pupil_id", "kind", "minutes", "note", "version")


def _mark_state(mark: s.Mark) -> dict[str, Any]:
    return _audited(mark, MARK_AUDITED)


def _period_mark_state(pm: s.PeriodMark) -> dict[str, Any]:
    return _audited(pm, PERIOD_MARK_AUDITED)


def _about(ctx: LessonContext, pupil: s.User) -> dict[str, Any]:
    """What a notification needs to say which lesson and pupil a change is about."""
    return {**about_lesson(ctx), "pupil": _full_name(pupil)}


def about_lesson(ctx: LessonContext) -> dict[str, Any]:
    """What a notification needs to say which lesson a change is about."""
    return {
        "subject": ctx.subject.name,
        "subject_id": ctx.subject.id,
        "date": ctx.lesson.date.isoformat(),
        "lesson_id": ctx.lesson.id,
    }


async def log_lesson_write(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    ctx: LessonContext,
    *,
    action: str,
    entity: str,
    entity_id: int,
    kind: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    payload: dict[str, Any],
    reason: str = "",
) -> dict[str, Any]:
    """``record_write`` for a write about a lesson of the class (its topic, homework, a change of
    the timetable): the payload starts with ``about_lesson``. Returns the payload logged."""
    logged = {**about_lesson(ctx), **payload}
    await record_write(
        db,
        viewer,
        now,
        class_id=ctx.cls.id,
        group_id=ctx.lesson.group_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        before=before,
        after=after,
        reason=reason,
        payload=logged,
    )
    return logged


async def _log_pupil_write(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    ctx: LessonContext,
    pupil: s.User,
    kind: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    payload: dict[str, Any],
    reason: str = "",
) -> None:
    """``record_write`` for a write about one pupil at one lesson (a mark, an absence): the entity
    is the change's ``kind`` before its dot; it is created when there was nothing ``before``,
    removed when there is nothing ``after``; the payload starts with ``_about``."""
    await record_write(
        db,
        viewer,
        now,
        class_id=ctx.cls.id,
        pupil_id=pupil.id,
        action="create" if before is None else "remove" if after is None else "update",
        entity=kind.partition(".")[0],
        entity_id=entity_id,
        kind=kind,
        before=before,
        after=after,
        reason=reason,
        payload={**_about(ctx, pupil), **payload},
    )


async def create_mark(
    db: AsyncSession, viewer: Viewer, body: MarkCreate, now: dt.datetime, today: dt.date
) -> JournalMark:
    ctx, right = await _lesson_to_write(
        db, viewer, body.lesson_id, Record.MARK, body.reason, status=422
    )
    _not_cancelled(ctx, N_("marks"))
    _not_future(ctx, today, N_("marks"))
    pupil = await _lesson_pupil(db, viewer, ctx, body.pupil_id, "pupil_id", 422)
    _on_scale(body.value, ctx.school)
    _weight(body.weight)
    mark = s.Mark(
        lesson_id=ctx.lesson.id,
        pupil_id=pupil.id,
        value=body.value,
        weight=body.weight,
        kind=body.kind.value,
        comment=body.comment,
        author_id=viewer.id,
        version=1,
        created_at=now,
        updated_at=now,
    )
    db.add(mark)
    await db.flush()
    payload = {
        "value": mark.value,
        "weight": mark.weight,
        "kind": mark.kind,
        "comment": mark.comment,
    }
    await _log_pupil_write(
        db,
        viewer,
        now,
        ctx,
        pupil,
        "mark.added",
        mark.id,
        None,
        _mark_state(mark),
        payload,
        right.reason,
    )
    return journal_mark(mark)


async def _mark_for_change(
    db: AsyncSession, viewer: Viewer, mark_id: int, reason: str
) -> tuple[s.Mark, LessonContext, s.User]:
    """A mark to change or remove, under :func:`journal_rights.may_write_lesson`."""
    role_may_write(viewer, Record.MARK)
    check_id(mark_id, "mark_id", what="mark")
    # A mark is seen by whoever sees its lesson: one query decides it and finds the mark.
    query = (
        select(s.Mark)
        .join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
        .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
        .where(s.Mark.id == mark_id, lesson_visibility(viewer))
    )
    if _for_update(db):
        query = query.with_for_update(of=s.Mark)
    mark = (await db.scalars(query)).first()
    if mark is None:
        raise not_found("mark", "mark_id")
    ctx = await load_lesson(db, viewer, mark.lesson_id)
    await may_write_lesson(db, viewer, ctx.lesson, Record.MARK, reason)
    pupil = await db.get(s.User, mark.pupil_id)
    assert pupil is not None
    return mark, ctx, pupil


def _for_update(db: AsyncSession) -> bool:
    return db.get_bind().dialect.name == "postgresql"


async def _serialise_on(db: AsyncSession, table: Any, row_id: int) -> None:
    """On PostgreSQL, lock one row to the end of the transaction, so that writers of the
    things under it (a lesson's absences and homework, a pupil's period marks) take turns and
    two of them cannot both find "none yet" and both create one. SQLite writers already take
    turns (``ServerState.write_lock`` and the database's own lock)."""
    if _for_update(db):
        await db.execute(select(table.id).where(table.id == row_id).with_for_update())


async def _check_mark_version(
    db: AsyncSession, mark: s.Mark, ctx: LessonContext, seen: int
) -> None:
    if mark.removed_at is not None:
        by = await _last_change(db, ctx.school, "mark", mark.id, (mark.author_id, mark.updated_at))
        raise ProblemError(
            409,
            _("this mark was removed by {by}").format(by=by),
            field="version",
            current=journal_mark(mark),
        )
    if mark.version != seen:
        raise await _conflict(
            db,
            ctx.school,
            "mark",
            mark.id,
            (mark.author_id, mark.updated_at),
            seen,
            journal_mark(mark),
            mark.version,
            N_("this mark"),
        )


def _reason_needed(mark: s.Mark, school: s.School, now: dt.datetime, reason: str) -> None:
    age = now - mark.created_at
    if age > dt.timedelta(days=school.reason_after_days) and not reason.strip():
        given = school_date(mark.created_at, school.timezone)
        raise ProblemError(
            422,
            _(
                "this mark was given on {given}, more than {reason_after_days} days "
                "ago: say why it is changed (a reason is required)"
            ).format(given=given.isoformat(), reason_after_days=school.reason_after_days),
            field="reason",
        )


async def _bump(
    db: AsyncSession, table: Any, row_id: int, seen: int, values: dict[str, Any]
) -> bool:
    """UPDATE the row only if it is still at version ``seen``; False when it was not."""
    result = await db.execute(
        update(table)
        .where(table.id == row_id, table.version == seen)
        .values(version=seen + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def _bump_or_refuse(
    db: AsyncSession,
    table: Any,
    row: Any,
    seen: int,
    values: dict[str, Any],
    refusal: Callable[[], Awaitable[ProblemError]],
) -> None:
    """``_bump`` the row and read it again; when another write came first, raise the
    ``refusal`` made from the row as that write left it."""
    if not await _bump(db, table, row.id, seen, values):
        await db.refresh(row)
        raise await refusal()
    await db.refresh(row)


async def update_mark(
    db: AsyncSession, viewer: Viewer, mark_id: int, body: MarkUpdate, now: dt.datetime
) -> JournalMark:
    mark, ctx, pupil = await _mark_for_change(db, viewer, mark_id, body.reason)
    await _check_mark_version(db, mark, ctx, body.version)
    changes: dict[str, Any] = {}
    if body.value is not None:
        _on_scale(body.value, ctx.school)
        if body.value != mark.value:
            changes["value"] = body.value
    if body.weight is not None:
        _weight(body.weight)
        if body.weight != mark.weight:
            changes["weight"] = body.weight
    if body.kind is not None and body.kind.value != mark.kind:
        changes["kind"] = body.kind.value
    if body.comment is not None and body.comment != mark.comment:
        changes["comment"] = body.comment
    if not changes:
        return journal_mark(mark)
    _reason_needed(mark, ctx.school, now, body.reason)
    before = _mark_state(mark)
    if not await _bump(db, s.Mark, mark.id, body.version, {**changes, "updated_at": now}):
        await db.refresh(mark)
        await _check_mark_version(db, mark, ctx, body.version)
    await db.refresh(mark)
    after = _mark_state(mark)
    old = {k: before[k] for k in changes}
    payload = {"value": mark.value, "old": old, "new": changes}
    why = body.reason.strip()
    await _log_pupil_write(
        db, viewer, now, ctx, pupil, "mark.edited", mark.id, before, after, payload, why
    )
    return journal_mark(mark)


async def remove_mark(
    db: AsyncSession, viewer: Viewer, mark_id: int, body: MarkRemove, now: dt.datetime
) -> JournalMark:
    mark, ctx, pupil = await _mark_for_change(db, viewer, mark_id, body.reason)
    await _check_mark_version(db, mark, ctx, body.version)
    _reason_needed(mark, ctx.school, now, body.reason)
    before = _mark_state(mark)
    if not await _bump(db, s.Mark, mark.id, body.version, {"removed_at": now, "updated_at": now}):
        await db.refresh(mark)
        await _check_mark_version(db, mark, ctx, body.version)
    await db.refresh(mark)
    why = body.reason.strip()
    payload = {"value": before["value"]}
    await _log_pupil_write(
        db, viewer, now, ctx, pupil, "mark.removed", mark.id, before, None, payload, why
    )
    return journal_mark(mark)


# --- absences --------------------------------------------------------------------------------


def journal_absence(absence: s.Absence) -> JournalAbsence:
    return JournalAbsence(
        id=absence.id,
        pupil_id=absence.pupil_id,
        lesson_id=absence.lesson_id,
        kind=AbsenceKind(absence.kind),
        minutes=absence.minutes,
        note=absence.note,
        version=absence.version,
        removed=absence.removed_at is not None,
    )


def absence_state(absence: s.Absence) -> dict[str, Any]:
    return _audited(absence, ABSENCE_AUDITED)


async def add_absence(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    lesson_id: int,
    pupil_id: int,
    values: dict[str, Any],
) -> s.Absence:
    """A new absence of the pupil at the lesson (``values``: its kind, minutes and note),
    written by ``viewer`` at ``now``, its first version, flushed so it has its id."""
    absence = s.Absence(
        lesson_id=lesson_id,
        pupil_id=pupil_id,
        author_id=viewer.id,
        version=1,
        created_at=now,
        **values,
    )
    db.add(absence)
    await db.flush()
    return absence


def _illness_only(viewer: Viewer, kind: AbsenceKind | None) -> None:
    """The health worker records illness only (``kind``: the absence being set, or the one
    being removed)."""
    if viewer.role is Role.HEALTH_WORKER and kind is not AbsenceKind.ILLNESS:
        raise ProblemError(403, _("the health worker records illness absences only"))


async def _absence_row(db: AsyncSession, lesson_id: int, pupil_id: int) -> s.Absence | None:
    """The pupil's absence at the lesson: the one in force, else the last removed one."""
    query = (
        select(s.Absence)
        .where(s.Absence.lesson_id == lesson_id, s.Absence.pupil_id == pupil_id)
        .order_by(s.Absence.removed_at.is_not(None), s.Absence.id.desc())
        .limit(1)
    )
    if _for_update(db):
        query = query.with_for_update()
    return (await db.scalars(query)).first()


def _absence_conflict(
    db: AsyncSession, ctx: LessonContext, absence: s.Absence, seen: int | None, pupil: s.User
) -> Callable[[], Awaitable[ProblemError]]:
    """The refusal of a write to ``absence`` made from version ``seen``, as the row is when
    it is called."""

    async def refusal() -> ProblemError:
        return await _conflict(
            db,
            ctx.school,
            "absence",
            absence.id,
            (absence.author_id, absence.created_at),
            seen,
            journal_absence(absence),
            absence.version,
            _("the absence of {name}").format(name=_full_name(pupil)),
        )

    return refusal


async def set_absence(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    pupil_id: int,
    body: AbsenceSet,
    now: dt.datetime,
    today: dt.date,
) -> JournalAbsence:
    ctx, _right = await _lesson_to_write(db, viewer, lesson_id, Record.ABSENCE, body.reason)
    await _serialise_on(db, s.Lesson, ctx.lesson.id)
    existing = await _absence_row(db, ctx.lesson.id, pupil_id) if 0 < pupil_id <= MAX_ID else None
    _illness_only(viewer, body.kind)
    if (
        viewer.role is Role.HEALTH_WORKER
        and existing is not None
        and existing.removed_at is None
        and existing.kind == AbsenceKind.ILLNESS.value
        and body.kind is not AbsenceKind.ILLNESS
    ):
        raise ProblemError(403, _("the health worker records illness absences only"))
    _not_cancelled(ctx, N_("attendance"))
    _not_future(ctx, today, N_("absences"))
    pupil = await _lesson_pupil(db, viewer, ctx, pupil_id, "pupil_id", 404)
    if body.kind is AbsenceKind.LATE:
        if not 0 < body.minutes <= MAX_LATE_MINUTES:
            raise ProblemError(
                422,
                _("minutes late are from 1 to {MAX_LATE_MINUTES}, not {minutes}").format(
                    MAX_LATE_MINUTES=MAX_LATE_MINUTES, minutes=body.minutes
                ),
                field="minutes",
            )
    elif body.minutes != 0:
        raise ProblemError(
            422,
            _("minutes are for a late arrival only, not for '{value}'").format(
                value=body.kind.value
            ),
            field="minutes",
        )
    values = {"kind": body.kind.value, "minutes": body.minutes, "note": body.note}
    if existing is not None:
        stale = _absence_conflict(db, ctx, existing, body.version, pupil)
        if existing.removed_at is None:
            if body.version != existing.version:
                raise await stale()
            if all(getattr(existing, k) == v for k, v in values.items()):
                return journal_absence(existing)
            before: dict[str, Any] | None = absence_state(existing)
            await _bump_or_refuse(db, s.Absence, existing, existing.version, values, stale)
        else:
            # Set again after a removal: the same row comes back, one version on.
            before = None
            again = {**values, "removed_at": None, "author_id": viewer.id}
            await _bump_or_refuse(db, s.Absence, existing, existing.version, again, stale)
        absence = existing
    else:
        before = None
        absence = await add_absence(db, viewer, now, ctx.lesson.id, pupil.id, values)
    await log_absence_set(db, viewer, now, ctx, pupil, absence, before, body.reason.strip())
    return journal_absence(absence)


async def log_absence_set(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    ctx: LessonContext,
    pupil: s.User,
    absence: s.Absence,
    before: dict[str, Any] | None,
    reason: str,
    **more: Any,
) -> None:
    """The audit record and the ``absence.set`` change of an absence set or changed (``more``
    goes into the change's payload)."""
    payload = {
        "kind": absence.kind,
        "minutes": absence.minutes,
        **({"old_kind": before["kind"]} if before else {}),
        **more,
    }
    after = absence_state(absence)
    await _log_pupil_write(
        db, viewer, now, ctx, pupil, "absence.set", absence.id, before, after, payload, reason
    )


async def remove_absence(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    pupil_id: int,
    body: AbsenceRemove,
    now: dt.datetime,
) -> JournalAbsence:
    ctx, _right = await _lesson_to_write(db, viewer, lesson_id, Record.ABSENCE, body.reason)
    check_id(pupil_id, "pupil_id", what="pupil")
    await _serialise_on(db, s.Lesson, ctx.lesson.id)
    existing = await _absence_row(db, ctx.lesson.id, pupil_id)
    _illness_only(viewer, AbsenceKind(existing.kind) if existing is not None else None)
    pupil = await _pupil(db, viewer, pupil_id, "pupil_id", 404, seen_at=ctx)
    if existing is None:
        raise ProblemError(404, _("this pupil has no absence at this lesson"), field="pupil_id")
    what = _("the absence of {name}").format(name=_full_name(pupil))
    if existing.removed_at is not None:
        by = await _last_change(
            db, ctx.school, "absence", existing.id, (existing.author_id, existing.created_at)
        )
        raise ProblemError(
            409,
            _("{what} was removed by {by}").format(what=what, by=by),
            field="version",
            current=journal_absence(existing),
        )
    stale = _absence_conflict(db, ctx, existing, body.version, pupil)
    if existing.version != body.version:
        await db.refresh(existing)
        raise await stale()
    before = absence_state(existing)
    await _bump_or_refuse(db, s.Absence, existing, body.version, {"removed_at": now}, stale)
    why = body.reason.strip()
    payload = {"kind": before["kind"]}
    await _log_pupil_write(
        db, viewer, now, ctx, pupil, "absence.removed", existing.id, before, None, payload, why
    )
    return journal_absence(existing)


# --- topic and homework --------------------------------------------------------------------


async def _active_homework(db: AsyncSession, lesson_id: int) -> s.Homework | None:
    return (
        await db.scalars(
            select(s.Homework)
            .where(s.Homework.lesson_id == lesson_id, s.Homework.removed_at.is_(None))
            .order_by(s.Homework.id.desc())
            .limit(1)
        )
    ).first()


def journal_homework(hw: s.Homework, files: list[Attachment] | None = None) -> JournalHomework:
    return JournalHomework(
        id=hw.id,
        text="" if hw.removed_at is not None else hw.text,
        due=hw.due,
        version=hw.version,
        attachments=files or [],
    )


async def _change_lesson(
    db: AsyncSession,
    viewer: Viewer,
    ctx: LessonContext,
    now: dt.datetime,
    *,
    version: int,
    changes: dict[str, Any],
    entity: str,
    kind: str,
    reason: str,
) -> JournalLesson:
    """Change columns of a lesson the teacher may write (its topic, its kind and weight) at
    the ``version`` they saw: a stale version is a conflict with the lesson as it is, the same
    values change nothing, else the lesson is bumped and the write logged with the old value
    of the first column (``old``) in its payload."""
    lesson = ctx.lesson
    hw = await _active_homework(db, lesson.id)
    homework = journal_homework(hw) if hw is not None else None

    async def stale() -> ProblemError:
        return await _conflict(
            db,
            ctx.school,
            entity,
            lesson.id,
            (lesson.teacher_id, now),
            version,
            ctx.journal_lesson(homework),
            lesson.version,
            _("the lesson of {date}").format(date=lesson.date.isoformat()),
        )

    def state() -> dict[str, Any]:
        return {column: getattr(lesson, column) for column in changes}

    if lesson.version != version:
        raise await stale()
    if state() == changes:
        return ctx.journal_lesson(homework)
    before = {**state(), "version": lesson.version}
    await _bump_or_refuse(db, s.Lesson, lesson, version, changes, stale)
    await log_lesson_write(
        db,
        viewer,
        now,
        ctx,
        action="update",
        entity=entity,
        entity_id=lesson.id,
        kind=kind,
        before=before,
        after={**state(), "version": lesson.version},
        payload={**state(), "old": before[next(iter(changes))]},
        reason=reason,
    )
    return ctx.journal_lesson(homework)


async def set_topic(
    db: AsyncSession, viewer: Viewer, lesson_id: int, body: TopicSet, now: dt.datetime
) -> JournalLesson:
    ctx, right = await _lesson_to_write(db, viewer, lesson_id, Record.TOPIC, body.reason)
    _not_cancelled(ctx, N_("topic"))
    return await _change_lesson(
        db,
        viewer,
        ctx,
        now,
        version=body.version,
        changes={"topic": body.topic.strip()},
        entity="topic",
        kind="lesson.topic",
        reason=right.reason,
    )


async def set_lesson_kind(
    db: AsyncSession, viewer: Viewer, lesson_id: int, body: LessonKindSet, now: dt.datetime
) -> JournalLesson:
    """Make a lesson a test (a quiz, ...) or an ordinary lesson again, with the weight of the
    marks given at it; the marks already given stay as they are."""
    ctx, right = await _lesson_to_write(db, viewer, lesson_id, Record.LESSON_KIND, body.reason)
    _not_cancelled(ctx, "test")
    _weight(body.weight)
    return await _change_lesson(
        db,
        viewer,
        ctx,
        now,
        version=body.version,
        changes={"kind": body.kind.value, "weight": body.weight},
        entity="lesson_kind",
        kind="lesson.kind",
        reason=right.reason,
    )


def _hw_state(hw: s.Homework) -> dict[str, Any]:
    return {
        "lesson_id": hw.lesson_id,
        "text": hw.text,
        "due": hw.due.isoformat(),
        "version": hw.version,
    }


async def set_homework(
    db: AsyncSession, viewer: Viewer, lesson_id: int, body: HomeworkSet, now: dt.datetime
) -> JournalHomework:
    ctx, right = await _lesson_to_write(db, viewer, lesson_id, Record.HOMEWORK, body.reason)
    _not_cancelled(ctx, N_("homework"))
    lesson = ctx.lesson
    text = body.text.strip()
    if text:
        if body.due < lesson.date:
            raise ProblemError(
                422,
                _("homework is due on the lesson's day ({date}) or later, not {due}").format(
                    date=lesson.date.isoformat(), due=body.due.isoformat()
                ),
                field="due",
            )
        if body.due > lesson.date + dt.timedelta(days=MAX_DUE_DAYS):
            raise ProblemError(422, _("homework is due within a year of the lesson"), field="due")
    await _serialise_on(db, s.Lesson, lesson.id)
    hw = await _active_homework(db, lesson.id)
    if hw is not None:
        current = hw

        async def stale() -> ProblemError:
            return await _conflict(
                db,
                ctx.school,
                "homework",
                current.id,
                (current.author_id, now),
                body.version,
                journal_homework(current),
                current.version,
                _("the homework of the lesson of {date}").format(date=lesson.date.isoformat()),
            )

        if body.version != hw.version:
            raise await stale()
        before: dict[str, Any] | None = _hw_state(hw)
        values: dict[str, Any] = {"text": text, "due": body.due} if text else {"removed_at": now}
        if text and text == hw.text and body.due == hw.due:
            return await _homework_answer(db, hw)
        await _bump_or_refuse(db, s.Homework, hw, hw.version, values, stale)
        action = "update" if text else "remove"
    else:
        if not text:
            removed = (
                await db.scalars(
                    select(s.Homework)
                    .where(s.Homework.lesson_id == lesson.id)
                    .order_by(s.Homework.id.desc())
                    .limit(1)
                )
            ).first()
            if removed is not None:  # already removed: nothing to do
                return journal_homework(removed)
            raise ProblemError(
                422,
                _("this lesson has no homework to remove (send a text to set one)"),
                field="text",
            )
        before = None
        hw = s.Homework(
            lesson_id=lesson.id, text=text, due=body.due, author_id=viewer.id, version=1
        )
        db.add(hw)
        await db.flush()
        action = "create"
    after = None if hw.removed_at is not None else _hw_state(hw)
    await log_lesson_write(
        db,
        viewer,
        now,
        ctx,
        action=action,
        entity="homework",
        entity_id=hw.id,
        kind="homework.set",
        before=before,
        after=after,
        payload={
            "text": "" if hw.removed_at is not None else hw.text,
            "due": hw.due.isoformat(),
            "removed": hw.removed_at is not None,
        },
        reason=right.reason,
    )
    return await _homework_answer(db, hw)


async def _homework_answer(db: AsyncSession, hw: s.Homework) -> JournalHomework:
    """The homework with its files, as a write of it answers."""
    files = await attachments_of(db, [hw.id]) if hw.removed_at is None else {}
    return journal_homework(hw, files.get(hw.id))


# --- period marks --------------------------------------------------------------------------


def journal_period_mark(pm: s.PeriodMark) -> JournalPeriodMark:
    return JournalPeriodMark(
        id=pm.id,
        pupil_id=pm.pupil_id,
        value=pm.value,
        version=pm.version,
        removed=pm.removed_at is not None,
    )


async def set_period_mark(
    db: AsyncSession, viewer: Viewer, body: PeriodMarkSet, now: dt.datetime, today: dt.date
) -> JournalPeriodMark:
    role_may_write(viewer, Record.PERIOD_MARK)
    pupil = await _pupil(db, viewer, body.pupil_id, "pupil_id", 422)
    subject = await _subject(db, viewer, body.subject_id, "subject_id", 422)
    check_id(body.period_id, "period_id", 422, "period")
    period = await db.scalar(
        select(s.Period)
        .join(s.AcademicYear, s.AcademicYear.id == s.Period.year_id)
        .where(s.Period.id == body.period_id, s.AcademicYear.school_id == viewer.school_id)
    )
    if period is None:
        raise not_found("period", "period_id", 422)
    right, cls = await may_write_period_mark(db, viewer, pupil.id, subject.id, period, body.reason)
    if period.start > today:
        raise ProblemError(
            422,
            _("{name} has not begun: its marks are given later").format(name=period.name),
            field="period_id",
        )
    if body.value is not None:
        _on_scale(body.value, await _school(db, viewer))
    school = await _school(db, viewer)
    query = select(s.PeriodMark).where(
        s.PeriodMark.pupil_id == pupil.id,
        s.PeriodMark.subject_id == subject.id,
        s.PeriodMark.period_id == period.id,
    )
    await _serialise_on(db, s.User, pupil.id)
    existing = await db.scalar(query)
    what = _("the {period} mark of {name} in {subject}").format(
        period=period.name, name=_full_name(pupil), subject=subject.name
    )
    payload_base = {
        "subject": subject.name,
        "subject_id": subject.id,
        "pupil": _full_name(pupil),
        "period": period.name,
        "period_id": period.id,
        "date": today.isoformat(),
    }
    active = existing is not None and existing.removed_at is None

    async def stale() -> ProblemError:
        assert existing is not None
        return await _conflict(
            db,
            school,
            "period_mark",
            existing.id,
            (existing.author_id, existing.updated_at),
            body.version,
            journal_period_mark(existing),
            existing.version,
            what,
        )

    if existing is not None and active and body.version != existing.version:
        raise await stale()
    if body.value is None:
        if existing is None or not active:
            if existing is not None:
                return journal_period_mark(existing)
            raise ProblemError(
                422, _("{what} is not set: nothing to remove").format(what=what), field="value"
            )
        values: dict[str, Any] = {"removed_at": now, "updated_at": now, "author_id": viewer.id}
        action = "remove"
    else:
        if existing is not None and active and existing.value == body.value:
            return journal_period_mark(existing)
        values = {
            "value": body.value,
            "removed_at": None,
            "updated_at": now,
            "author_id": viewer.id,
        }
        action = "update" if active else "create"
    if existing is None:
        assert body.value is not None
        pm = s.PeriodMark(
            pupil_id=pupil.id,
            subject_id=subject.id,
            year_id=period.year_id,
            period_id=period.id,
            value=body.value,
            author_id=viewer.id,
            version=1,
            updated_at=now,
        )
        db.add(pm)
        await db.flush()
        before: dict[str, Any] | None = None
    else:
        pm = existing
        before = _period_mark_state(pm) if active else None
        await _bump_or_refuse(db, s.PeriodMark, pm, pm.version, values, stale)
    after = None if pm.removed_at is not None else _period_mark_state(pm)
    await record_write(
        db,
        viewer,
        now,
        class_id=cls.id,
        pupil_id=pupil.id,
        action=action,
        entity="period_mark",
        entity_id=pm.id,
        kind="period_mark.set",
        before=before,
        after=after,
        reason=right.reason,
        payload={
            **payload_base,
            "value": None if pm.removed_at is not None else pm.value,
            "old": before["value"] if before else None,
        },
    )
    return journal_period_mark(pm)


__all__ = [
    "LessonContext",
    "about_lesson",
    "create_mark",
    "load_journal",
    "load_lesson",
    "remove_absence",
    "remove_mark",
    "set_absence",
    "set_homework",
    "set_period_mark",
    "set_topic",
    "update_mark",
]
