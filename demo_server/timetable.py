"""Changes to the timetable of one dated lesson, made by the school administration.

``PATCH /lessons/{id}`` cancels a lesson or restores it, gives it a substitute teacher (or takes
the substitute away) and moves it to another room; ``GET /lessons/{id}`` shows the lesson as the
timetable holds it, with the school's teachers who could stand in.

Like the journal's writes, :func:`change_lesson` runs inside the request's transaction and
leaves it uncommitted (:func:`demo_server.idempotency.idempotent` commits it with the
idempotency record). It names the lesson's version (the same version a topic change names);
a stale one gets 409 with the current lesson in ``current``. A change appends an audit record
(entity ``lesson``) and a ``lesson.changed`` row of the change feed for the lesson's class (its
families and teachers see it). A substitute who does not teach the class would not see a
class-routed change: the new substitute, and one taken away, get the same change addressed to
them.

What is refused, in plain words (422):

- a status other than ``cancelled`` or ``planned`` (a substitution is made by naming the
  substitute; a lesson is not moved here), and any change of a lesson that was moved;
- a substitute who is not a teacher of the school, is locked, is the lesson's own teacher or
  already teaches another lesson at that time;
- a room with control characters;
- a lesson more than :data:`CHANGE_PAST_DAYS` days in the past: a late cancellation can still
  be recorded within a week, older lessons are history.

Cancelling a lesson that has marks or absences is allowed: they stay on record (nothing is
deleted), no more can be given while it is cancelled, and the answer's ``notice`` says so.
Restoring the lesson brings them back into the averages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import _
from api_client.models import (
    LessonChange,
    LessonDetail,
    LessonStatus,
    LessonTeacher,
    Role,
    SubjectRef,
)
from demo_server import schema as s
from demo_server.access import not_found, teacher_class_ids
from demo_server.auth import Viewer
from demo_server.clock import stamp
from demo_server.journal import (
    LessonContext,
    _bump,
    check_id,
    load_lesson,
    log_lesson_write,
)
from demo_server.journal_rights import may_change_timetable_lesson
from demo_server.problems import ProblemError
from demo_server.records import record_change
from demo_server.week import class_ref, short_name

CHANGE_PAST_DAYS = 7
"""How many days after a lesson its timetable may still be changed."""
ALLOWED_STATUSES = (LessonStatus.PLANNED, LessonStatus.CANCELLED)


def _require_administration(viewer: Viewer) -> None:
    if viewer.role is not Role.ADMINISTRATION:
        raise ProblemError(403, _("only the school administration changes the timetable"))


def _name(user: s.User | None) -> str:
    return short_name(user.first_name, user.middle_name, user.last_name) if user else ""


def _full_name(user: s.User) -> str:
    return f"{user.first_name} {user.last_name}"


async def _counts(db: AsyncSession, lesson_id: int) -> tuple[int, int]:
    marks = await db.scalar(
        select(func.count(s.Mark.id)).where(
            s.Mark.lesson_id == lesson_id, s.Mark.removed_at.is_(None)
        )
    )
    absences = await db.scalar(
        select(func.count(s.Absence.id)).where(
            s.Absence.lesson_id == lesson_id, s.Absence.removed_at.is_(None)
        )
    )
    return int(marks or 0), int(absences or 0)


async def _detail(db: AsyncSession, ctx: LessonContext) -> LessonDetail:
    lesson, cls = ctx.lesson, ctx.cls
    teacher = await db.get(s.User, lesson.teacher_id)
    substitute = (
        await db.get(s.User, lesson.substitute_id) if lesson.substitute_id is not None else None
    )
    marks, absences = await _counts(db, lesson.id)
    return LessonDetail(
        id=lesson.id,
        date=lesson.date,
        number=lesson.number,
        class_=class_ref(cls.id, cls.grade, cls.letter),
        subject=SubjectRef(id=ctx.subject.id, name=ctx.subject.name),
        teacher_id=lesson.teacher_id,
        teacher=_name(teacher),
        status=LessonStatus(lesson.status),
        substitute_id=lesson.substitute_id,
        substitute=_name(substitute),
        room=lesson.room,
        planned_room=lesson.planned_room,
        note=lesson.note,
        topic=lesson.topic,
        version=lesson.version,
        marks=marks,
        absences=absences,
    )


async def _busy_at(
    db: AsyncSession, school_id: int, day: dt.date, number: int, skip: int
) -> dict[int, str]:
    """Teacher id -> the lesson they teach at bell ``number`` of ``day`` (not ``skip``)."""
    busy: dict[int, str] = {}
    rows = (
        await db.execute(
            select(
                s.Lesson.teacher_id,
                s.Lesson.substitute_id,
                s.SchoolClass.grade,
                s.SchoolClass.letter,
                s.Subject.name,
            )
            .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .where(
                s.SchoolClass.school_id == school_id,
                s.Lesson.date == day,
                s.Lesson.number == number,
                s.Lesson.id != skip,
                s.Lesson.status.not_in((LessonStatus.CANCELLED.value, LessonStatus.MOVED.value)),
            )
        )
    ).all()
    for teacher_id, substitute_id, grade, letter, subject in rows:
        busy[substitute_id if substitute_id is not None else teacher_id] = (
            f"{grade}{letter} {subject}"
        )
    return busy


async def lesson_detail(db: AsyncSession, viewer: Viewer, lesson_id: int) -> LessonDetail:
    """The lesson and the teachers who could substitute: the lesson's subject first, then the
    free ones, then by name."""
    _require_administration(viewer)
    ctx = await load_lesson(db, viewer, lesson_id)
    detail = await _detail(db, ctx)
    busy = await _busy_at(db, viewer.school_id, ctx.lesson.date, ctx.lesson.number, ctx.lesson.id)
    subject_teachers = set(
        (
            await db.scalars(
                select(s.TeachingAssignment.teacher_id).where(
                    s.TeachingAssignment.subject_id == ctx.subject.id
                )
            )
        ).all()
    )
    teachers = (
        await db.scalars(
            select(s.User).where(
                s.User.school_id == viewer.school_id,
                s.User.role == Role.TEACHER.value,
                s.User.locked.is_(False),
                s.User.id != ctx.lesson.teacher_id,
            )
        )
    ).all()
    choices = [
        LessonTeacher(
            id=t.id,
            name=_name(t),
            teaches_subject=t.id in subject_teachers,
            busy=busy.get(t.id, ""),
        )
        for t in teachers
    ]
    choices.sort(key=lambda c: (not c.teaches_subject, bool(c.busy), c.name.casefold(), c.id))
    detail.teachers = choices
    return detail


async def _substitute(
    db: AsyncSession, viewer: Viewer, ctx: LessonContext, substitute_id: int
) -> s.User:
    check_id(substitute_id, "substitute_id", 422, "teacher")
    user = await db.scalar(
        select(s.User).where(s.User.id == substitute_id, s.User.school_id == viewer.school_id)
    )
    if user is None:
        raise not_found("teacher", "substitute_id", 422)
    if user.role != Role.TEACHER.value:
        raise ProblemError(
            422,
            _("{user} is not a teacher: only a teacher can substitute").format(
                user=_full_name(user)
            ),
            field="substitute_id",
        )
    if user.locked:
        raise ProblemError(
            422,
            _("the account of {user} is locked: choose another teacher").format(
                user=_full_name(user)
            ),
            field="substitute_id",
        )
    if user.id == ctx.lesson.teacher_id:
        raise ProblemError(
            422,
            _(
                "{user} is this lesson's own teacher: to take the substitute away, "
                "send substitute_id null"
            ).format(user=_full_name(user)),
            field="substitute_id",
        )
    lesson = ctx.lesson
    busy = await _busy_at(db, viewer.school_id, lesson.date, lesson.number, lesson.id)
    if user.id in busy:
        raise ProblemError(
            422,
            _(
                "{user} already teaches {busy} at lesson {number} on {date}: choose a free teacher"
            ).format(
                user=_full_name(user),
                busy=busy[user.id],
                number=lesson.number,
                date=lesson.date.isoformat(),
            ),
            field="substitute_id",
        )
    return user


def _room(text: str | None, lesson: s.Lesson) -> str | None:
    """The room asked for (the timetable's for an empty text); None to keep it."""
    if text is None:
        return None
    room = " ".join(text.split())
    if any(not ch.isprintable() for ch in text if ch not in " \t"):
        raise ProblemError(
            422,
            _("a room is a short name like 204 or Gym, without control characters"),
            field="room",
        )
    return room or lesson.planned_room


def _state(lesson: s.Lesson) -> dict[str, Any]:
    return {
        "status": lesson.status,
        "substitute_id": lesson.substitute_id,
        "room": lesson.room,
        "note": lesson.note,
        "version": lesson.version,
    }


async def _sees_class(db: AsyncSession, teacher_id: int, class_id: int) -> bool:
    """Whether a teacher already sees changes routed to ``class_id`` (teaches or leads it)."""
    classes = teacher_class_ids(teacher_id).subquery()
    found = await db.scalar(select(classes.c[0]).where(classes.c[0] == class_id).limit(1))
    return found is not None


async def _conflict(
    db: AsyncSession, ctx: LessonContext, seen: int, current: LessonDetail
) -> ProblemError:
    row = (
        await db.execute(
            select(s.AuditRecord.actor_id, s.AuditRecord.at)
            .where(
                s.AuditRecord.entity.in_(("lesson", "topic")),
                s.AuditRecord.entity_id == ctx.lesson.id,
            )
            .order_by(s.AuditRecord.id.desc())
            .limit(1)
        )
    ).first()
    by = ""
    if row is not None:
        actor = await db.get(s.User, row[0]) if row[0] is not None else None
        who = _full_name(actor) if actor is not None else _("someone")
        by = _(" by {who} on {when}").format(who=who, when=stamp(row[1], ctx.school.timezone))
    return ProblemError(
        409,
        _(
            "the lesson of {date} was changed{by}: your change was based on "
            "version {seen}, the current one is version {version}"
        ).format(date=ctx.lesson.date.isoformat(), by=by, seen=seen, version=current.version),
        field="version",
        current=current,
    )


async def change_lesson(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    body: LessonChange,
    now: dt.datetime,
    today: dt.date,
) -> LessonDetail:
    _require_administration(viewer)
    ctx = await load_lesson(db, viewer, lesson_id)
    await may_change_timetable_lesson(db, viewer, ctx.lesson, body.reason)
    lesson = ctx.lesson
    if body.status is not None and body.status not in ALLOWED_STATUSES:
        raise ProblemError(
            422,
            _(
                "a lesson is either 'cancelled' or 'planned' (held), not '{value}': "
                "a substitution is made by naming the substitute_id, and a lesson is "
                "not moved here"
            ).format(value=body.status.value),
            field="status",
        )
    if lesson.version != body.version:
        raise await _conflict(db, ctx, body.version, await _detail(db, ctx))
    if lesson.status == LessonStatus.MOVED.value:
        raise ProblemError(
            422,
            _(
                "the lesson of {date} was moved ({value}): change it where it takes place now"
            ).format(date=lesson.date.isoformat(), value=lesson.note or _("elsewhere")),
            field="lesson_id",
        )
    if lesson.date < today - dt.timedelta(days=CHANGE_PAST_DAYS):
        raise ProblemError(
            422,
            _(
                "the lesson of {date} was more than {CHANGE_PAST_DAYS} days ago: the "
                "timetable of past lessons is history and is not changed"
            ).format(date=lesson.date.isoformat(), CHANGE_PAST_DAYS=CHANGE_PAST_DAYS),
            field="lesson_id",
        )

    substitute_id = lesson.substitute_id
    substitute: s.User | None = None
    if not isinstance(body.substitute_id, msgspec.UnsetType):
        substitute_id = body.substitute_id
        if body.substitute_id is not None and body.substitute_id != lesson.substitute_id:
            substitute = await _substitute(db, viewer, ctx, body.substitute_id)
    if substitute is None and substitute_id is not None:
        substitute = await db.get(s.User, substitute_id)
    room = _room(body.room, lesson)
    new_room = lesson.room if room is None else room
    cancelled = (
        body.status is LessonStatus.CANCELLED
        if body.status is not None
        else lesson.status == LessonStatus.CANCELLED.value
    )
    if cancelled:
        status = LessonStatus.CANCELLED
    elif substitute_id is not None:
        status = LessonStatus.SUBSTITUTED
    else:
        status = LessonStatus.PLANNED
    reason = body.reason.strip()
    if reason:
        note = reason
    elif status.value != lesson.status:
        note = ""  # the old note explained the old status
    else:
        note = lesson.note
    values = {
        "status": status.value,
        "substitute_id": substitute_id,
        "room": new_room,
        "note": note,
    }
    if all(getattr(lesson, key) == value for key, value in values.items()):
        return await _detail(db, ctx)  # nothing to change: no new version, no news

    before = _state(lesson)
    old_substitute_id = lesson.substitute_id
    old_substitute = (
        await db.get(s.User, old_substitute_id) if old_substitute_id is not None else None
    )
    if not await _bump(db, s.Lesson, lesson.id, body.version, values):
        await db.refresh(lesson)
        raise await _conflict(db, ctx, body.version, await _detail(db, ctx))
    await db.refresh(lesson)
    detail = await _detail(db, ctx)
    if status is LessonStatus.CANCELLED and before["status"] != status.value:
        kept = [
            f"{n} {word}{'' if n == 1 else 's'}"
            for n, word in ((detail.marks, "mark"), (detail.absences, "absence"))
            if n
        ]
        if kept:
            verb = "stays" if detail.marks + detail.absences == 1 else "stay"
            detail.notice = (
                f"{' and '.join(kept)} given at this lesson {verb} on record: cancelling "
                "deletes nothing, and no more can be given while it is cancelled"
            )
    change: dict[str, Any] = {
        "number": lesson.number,
        "class": detail.class_.name,
        "status": lesson.status,
        "room": lesson.room,
        "teacher": detail.teacher,
        "substitute": detail.substitute,
        "substitute_id": lesson.substitute_id,
        "note": lesson.note,
        "old": {
            "status": before["status"],
            "room": before["room"],
            "substitute": _name(old_substitute),
            "substitute_id": old_substitute_id,
        },
    }
    payload = await log_lesson_write(
        db,
        viewer,
        now,
        ctx,
        action="update",
        entity="lesson",
        entity_id=lesson.id,
        kind="lesson.changed",
        before=before,
        after=_state(lesson),
        reason=reason,
        payload=change,
    )
    # A substitute from outside the class (given now, or taken away now) hears of it too.
    substitutes = {t for t in (old_substitute_id, lesson.substitute_id) if t is not None}
    for teacher_id in sorted(substitutes):
        if not await _sees_class(db, teacher_id, ctx.cls.id):
            await record_change(
                db,
                school_id=viewer.school_id,
                kind="lesson.changed",
                entity_id=lesson.id,
                at=now,
                class_id=ctx.cls.id,
                user_id=teacher_id,
                actor_id=viewer.id,
                payload=payload,
            )
    return detail


__all__ = ["CHANGE_PAST_DAYS", "change_lesson", "lesson_detail"]
