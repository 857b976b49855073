"""What the class teacher does with a parent's absence notice: reads it, and excuses by it.

- ``mark_seen``: the notice is read (``seen_at``, ``seen_by_id``: the first reader stays). The
  parents of the pupil each get a change addressed to them (``absence_notice.seen``), so their
  view says it was read; nobody else hears of it. Reading it again changes nothing.
- ``send_notice``: a parent's new notice, refused (409, naming the other notice, which is the
  problem's ``current``) when a notice about the same child that is not withdrawn covers any
  of its days: a second notice for the same days is a mistake, not news.
- ``withdraw_notice``: a parent of the pupil takes back a notice the class teacher has not
  read yet (``withdrawn_at``, ``withdrawn_by_id``), audited, told to the class teacher and the
  parents (``absence_notice.withdrawn``). A read notice cannot be withdrawn (409: write to the
  class teacher instead); withdrawing it again changes nothing. A withdrawn notice is no
  longer read (``mark_seen`` returns it as it is) nor applied (422).
- ``apply_notice``: the pupil's ``unexcused`` absences at the lessons of the notice's days
  become ``excused`` (``illness`` for a notice about illness), in one transaction, each with its
  own audit record and change (``absence.set``, the journal's own). Only lessons already held
  have absences; the ones still to come are counted and get nothing now. With nothing to
  change it refuses (422) and says why.

Who: the class teacher of the pupil's class reads and applies; the administration reads
(the journal is read-only to it). Other teachers get the same 404 as for no notice, as when
they ask for the notices themselves; other roles 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _, ngettext
from api_client.models import (
    AbsenceKind,
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNoticeRequest,
    AbsenceReason,
    ExcusedAbsence,
    LessonStatus,
    Role,
)
from api_client.names import absence_kind, absence_reason
from demo_server import schema as s
from demo_server.access import MAX_ID, require_notice_reader
from demo_server.attendance import check_notice_dates, load_notices
from demo_server.auth import Viewer
from demo_server.journal import (
    LessonContext,
    _bump,
    _for_update,
    absence_state,
    journal_absence,
    log_absence_set,
)
from demo_server.journal_rights import open_year_class
from demo_server.lesson_pupils import takes_lesson
from demo_server.problems import ProblemError
from demo_server.records import append_audit, record_change

#: Who marks a notice as read, and who excuses absences by it.
NOTICE_READERS = frozenset({Role.TEACHER, Role.ADMINISTRATION})
NOTICE_APPLIERS = frozenset({Role.TEACHER})


def notice_not_found() -> ProblemError:
    """The one answer for "no such notice" and "not a notice of your class"."""
    return ProblemError(404, _("there is no absence notice with this id"), field="notice_id")


def _day(day: dt.date) -> str:
    """A day as people write it (``25.11.2026``)."""
    return f"{day:%d.%m.%Y}"


def _days(start: dt.date, end: dt.date) -> str:
    if start == end:
        return _day(start)
    return _("{start} to {end}").format(start=_day(start), end=_day(end))


def _lessons(count: int) -> str:
    return ngettext("{n} lesson", "{n} lessons", count).format(n=count)


async def _notice_to_write(
    db: AsyncSession, notice_id: int, among: Select[s.AbsenceNotice]
) -> s.AbsenceNotice:
    """The notice ``notice_id`` if it is ``among`` those the viewer may change (locked for the
    write on PostgreSQL); 404 for any other id, so a notice out of reach is as one that does
    not exist."""
    if not 0 < notice_id <= MAX_ID:
        raise notice_not_found()
    query = among.where(s.AbsenceNotice.id == notice_id)
    if _for_update(db):
        query = query.with_for_update(of=s.AbsenceNotice)
    notice = (await db.scalars(query)).first()
    if notice is None:
        raise notice_not_found()
    return notice


async def notice_for_staff(
    db: AsyncSession, viewer: Viewer, notice_id: int, roles: frozenset[Role], what: str
) -> s.AbsenceNotice:
    """The notice ``notice_id`` if ``viewer`` may ``what`` it: 403 for a role in none of
    ``roles``; 404 for no such notice, another school's, or (a teacher) one about a pupil of
    a class they do not lead."""
    if viewer.role not in roles:
        raise ProblemError(
            403, _("only the class teacher of the pupil's class may {what}").format(what=_(what))
        )
    notice = await _notice_to_write(
        db,
        notice_id,
        select(s.AbsenceNotice)
        .join(s.User, s.User.id == s.AbsenceNotice.pupil_id)
        .where(s.User.school_id == viewer.school_id),
    )
    try:
        await require_notice_reader(db, viewer, notice.pupil_id)
    except ProblemError:
        raise notice_not_found() from None
    return notice


async def _as_sent(
    db: AsyncSession, notice_id: int, pupil_id: int, today: dt.date
) -> AbsenceNotice:
    notices = await load_notices(db, today, pupil_id=pupil_id)
    return next(n for n in notices.notices if n.id == notice_id)


async def _seen(
    db: AsyncSession, viewer: Viewer, notice: s.AbsenceNotice, now: dt.datetime, today: dt.date
) -> None:
    """Record the first reading of ``notice``, and tell each parent of the pupil."""
    if notice.seen_at is not None or notice.withdrawn_at is not None:
        return  # read already, or withdrawn: nothing left to read
    await db.execute(
        update(s.AbsenceNotice)
        .where(s.AbsenceNotice.id == notice.id, s.AbsenceNotice.seen_at.is_(None))
        .values(seen_at=now, seen_by_id=viewer.id)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(notice)
    sent = await _as_sent(db, notice.id, notice.pupil_id, today)
    parents = (
        await db.scalars(
            select(s.ParentLink.parent_id)
            .where(s.ParentLink.pupil_id == notice.pupil_id)
            .order_by(s.ParentLink.parent_id)
        )
    ).all()
    payload: dict[str, Any] = {
        "start": notice.start.isoformat(),
        "end": notice.end.isoformat(),
        "reason": notice.reason,
        "pupil": sent.pupil.full_name,
        "parent": sent.parent,
        "seen_by": sent.seen_by,
    }
    await _tell(
        db, viewer, "absence_notice.seen", notice.id, notice.pupil_id, now, payload, parents
    )


async def _readers(db: AsyncSession, notice: AbsenceNotice) -> set[int]:
    """Who may read ``notice``: the pupil, their parents and their class teacher."""
    pupil_id = notice.pupil.id
    readers = set(
        (
            await db.scalars(
                select(s.ParentLink.parent_id).where(s.ParentLink.pupil_id == pupil_id)
            )
        ).all()
    )
    readers.add(pupil_id)
    if notice.pupil.class_ is not None:
        homeroom = await db.scalar(
            select(s.SchoolClass.homeroom_teacher_id).where(
                s.SchoolClass.id == notice.pupil.class_.id
            )
        )
        if homeroom is not None:
            readers.add(homeroom)
    return readers


async def tell_about_new_notice(
    db: AsyncSession, viewer: Viewer, notice: AbsenceNotice, now: dt.datetime
) -> None:
    """The feed rows of a new notice: for the people who may read it (the pupil, their
    parents and the class teacher), not the whole class's teachers."""
    pupil_id = notice.pupil.id
    readers = await _readers(db, notice)
    payload: dict[str, Any] = {
        "start": notice.start.isoformat(),
        "end": notice.end.isoformat(),
        "reason": notice.reason.value,
        "pupil": notice.pupil.full_name,
        "parent": notice.parent,
    }
    await _tell(db, viewer, "absence_notice.new", notice.id, pupil_id, now, payload, readers)


async def send_notice(
    db: AsyncSession,
    viewer: Viewer,
    pupil_id: int,
    data: AbsenceNoticeRequest,
    today: dt.date,
    now: dt.datetime,
) -> AbsenceNotice:
    """A parent's notice that their child is or was away (dates checked against the school's
    year), kept and told to the people who may read it."""
    await check_notice_dates(db, viewer.school_id, data.start, data.end)
    await _refuse_overlap(db, pupil_id, data.start, data.end, today)
    notice_id = await db.scalar(
        insert(s.AbsenceNotice)
        .values(
            pupil_id=pupil_id,
            parent_id=viewer.id,
            start=data.start,
            end=data.end,
            reason=data.reason.value,
            note=data.note,
            created_at=now,
        )
        .returning(s.AbsenceNotice.id)
    )
    assert notice_id is not None
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="absence_notice",
        entity_id=notice_id,
        pupil_id=pupil_id,
        after=_state(data.start, data.end, data.reason.value, data.note, withdrawn=False),
    )
    notice = await _as_sent(db, notice_id, pupil_id, today)
    await tell_about_new_notice(db, viewer, notice, now)
    return notice


def _state(
    start: dt.date, end: dt.date, reason: str, note: str, *, withdrawn: bool
) -> dict[str, Any]:
    """A notice as its audit records keep it."""
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "reason": reason,
        "note": note,
        "withdrawn": withdrawn,
    }


async def _refuse_overlap(
    db: AsyncSession, pupil_id: int, start: dt.date, end: dt.date, today: dt.date
) -> None:
    """409 when a standing notice about the pupil covers any day of ``start``..``end``."""
    if _for_update(db):  # two parents sending at once: the second waits and sees the first
        await db.execute(select(s.User.id).where(s.User.id == pupil_id).with_for_update())
    other = await db.scalar(
        select(s.AbsenceNotice.id)
        .where(
            s.AbsenceNotice.pupil_id == pupil_id,
            s.AbsenceNotice.withdrawn_at.is_(None),
            s.AbsenceNotice.start <= end,
            s.AbsenceNotice.end >= start,
        )
        .order_by(s.AbsenceNotice.created_at.desc(), s.AbsenceNotice.id.desc())
        .limit(1)
    )
    if other is None:
        return
    sent = await _as_sent(db, other, pupil_id, today)
    if sent.seen:
        advice = _(
            "the class teacher has read it; send a notice only for days it does not cover, "
            "or write to the class teacher"
        )
    else:
        advice = _(
            "withdraw it first if it was wrong (the class teacher has not read it yet), "
            "or send a notice only for days it does not cover"
        )
    raise ProblemError(
        409,
        _(
            "{name} already has absence notice {id} for {days} ({reason}), sent by {parent} "
            "on {sent}: {advice}"
        ).format(
            name=sent.pupil.full_name,
            id=sent.id,
            days=_days(sent.start, sent.end),
            reason=absence_reason(sent.reason),
            parent=sent.parent,
            sent=_day(sent.created_at.date()),
            advice=advice,
        ),
        field="start",
        current=sent,
    )


async def withdraw_notice(
    db: AsyncSession, viewer: Viewer, notice_id: int, now: dt.datetime, today: dt.date
) -> AbsenceNotice:
    """``POST /absence-notices/{id}/withdraw``: a parent of the pupil takes the notice back
    while the class teacher has not read it."""
    notice = await _notice_to_write(
        db,
        notice_id,
        select(s.AbsenceNotice)
        .join(s.ParentLink, s.ParentLink.pupil_id == s.AbsenceNotice.pupil_id)
        .where(s.ParentLink.parent_id == viewer.id),
    )
    if notice.withdrawn_at is not None:
        return await _as_sent(db, notice.id, notice.pupil_id, today)
    if notice.seen_at is not None:
        sent = await _as_sent(db, notice.id, notice.pupil_id, today)
        raise ProblemError(
            409,
            _(
                "the class teacher ({reader}) has already read this notice, so it cannot be "
                "withdrawn; write to the class teacher instead"
            ).format(reader=sent.seen_by or _("the class teacher")),
            field="notice_id",
            current=sent,
        )
    before = _state(notice.start, notice.end, notice.reason, notice.note, withdrawn=False)
    await db.execute(
        update(s.AbsenceNotice)
        .where(s.AbsenceNotice.id == notice.id, s.AbsenceNotice.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=viewer.id)
        .execution_options(synchronize_session=False)
    )
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="update",
        entity="absence_notice",
        entity_id=notice.id,
        pupil_id=notice.pupil_id,
        before=before,
        after={**before, "withdrawn": True},
        reason="withdrawn by a parent before the class teacher read it",
    )
    sent = await _as_sent(db, notice.id, notice.pupil_id, today)
    readers = await _readers(db, sent)
    payload: dict[str, Any] = {
        "start": notice.start.isoformat(),
        "end": notice.end.isoformat(),
        "reason": notice.reason,
        "pupil": sent.pupil.full_name,
        "parent": sent.withdrawn_by,
    }
    await _tell(
        db, viewer, "absence_notice.withdrawn", notice.id, notice.pupil_id, now, payload, readers
    )
    return sent


async def _tell(
    db: AsyncSession,
    viewer: Viewer,
    kind: str,
    notice_id: int,
    pupil_id: int,
    now: dt.datetime,
    payload: dict[str, Any],
    users: Iterable[int],
) -> None:
    """One change about a notice for each of ``users`` (addressed to them alone)."""
    for user_id in sorted(set(users)):
        await record_change(
            db,
            school_id=viewer.school_id,
            kind=kind,
            entity_id=notice_id,
            at=now,
            payload=payload,
            pupil_id=pupil_id,
            user_id=user_id,
            actor_id=viewer.id,
        )


async def mark_seen(
    db: AsyncSession, viewer: Viewer, notice_id: int, now: dt.datetime, today: dt.date
) -> AbsenceNotice:
    """``POST /absence-notices/{id}/seen``: the notice, read."""
    notice = await notice_for_staff(
        db, viewer, notice_id, NOTICE_READERS, N_("mark an absence notice as read")
    )
    await _seen(db, viewer, notice, now, today)
    return await _as_sent(db, notice.id, notice.pupil_id, today)


async def apply_notice(
    db: AsyncSession, viewer: Viewer, notice_id: int, now: dt.datetime, today: dt.date
) -> AbsenceNoticeApplied:
    """``POST /absence-notices/{id}/apply``: excuse the absences the notice covers."""
    notice = await notice_for_staff(
        db, viewer, notice_id, NOTICE_APPLIERS, N_("excuse absences by an absence notice")
    )
    if notice.withdrawn_at is not None:
        raise ProblemError(
            422,
            _(
                "the parent withdrew this notice, so nothing was excused; excuse absences in "
                "the journal if there is another reason"
            ),
            field="notice_id",
        )
    kind = (
        AbsenceKind.ILLNESS if notice.reason == AbsenceReason.ILLNESS.value else AbsenceKind.EXCUSED
    )
    pupil = await db.get(s.User, notice.pupil_id)
    assert pupil is not None
    led = select(s.SchoolClass.id).where(s.SchoolClass.homeroom_teacher_id == viewer.id)
    held_until = min(notice.end, today)
    query = (
        select(s.Absence, s.Lesson, s.SchoolClass, s.Subject, s.School)
        .join(s.Lesson, s.Lesson.id == s.Absence.lesson_id)
        .join(s.SchoolClass, s.SchoolClass.id == s.Lesson.class_id)
        .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
        .join(s.School, s.School.id == s.SchoolClass.school_id)
        .where(
            s.Absence.pupil_id == notice.pupil_id,
            s.Absence.removed_at.is_(None),
            s.Absence.kind == AbsenceKind.UNEXCUSED.value,
            s.Lesson.date >= notice.start,
            s.Lesson.date <= held_until,
            s.Lesson.class_id.in_(led),
            s.SchoolClass.school_id == viewer.school_id,
            open_year_class(),
        )
        .order_by(s.Lesson.date, s.Lesson.number, s.Absence.id)
    )
    if _for_update(db):
        query = query.with_for_update(of=s.Absence)
    rows = (await db.execute(query)).all()
    ahead = await _lessons_ahead(db, notice, pupil.id, today)
    if not rows:
        raise ProblemError(422, _nothing_to_change(notice, pupil, kind, ahead, today))
    await _seen(db, viewer, notice, now, today)
    reason = f"absence notice {notice.id}: {notice.reason}" + (
        f", {notice.note.strip()}" if notice.note.strip() else ""
    )
    changed: list[ExcusedAbsence] = []
    for absence, lesson, cls, subject, school in rows:
        before = absence_state(absence)
        if not await _bump(db, s.Absence, absence.id, absence.version, {"kind": kind.value}):
            raise ProblemError(
                409,
                _(
                    "the absence of {first_name} {last_name} on {date} was changed "
                    "meanwhile; nothing was saved, apply the notice again"
                ).format(
                    first_name=pupil.first_name,
                    last_name=pupil.last_name,
                    date=lesson.date.isoformat(),
                ),
            )
        await db.refresh(absence)
        await log_absence_set(
            db,
            viewer,
            now,
            LessonContext(lesson, cls, subject, school),
            pupil,
            absence,
            before,
            reason[:500],
            notice_id=notice.id,
        )
        changed.append(
            ExcusedAbsence(
                absence=journal_absence(absence),
                date=lesson.date,
                number=lesson.number,
                subject=subject.name,
                old_kind=AbsenceKind(before["kind"]),
            )
        )
    return AbsenceNoticeApplied(
        notice=await _as_sent(db, notice.id, notice.pupil_id, today),
        kind=kind,
        changed=changed,
        lessons_ahead=ahead,
    )


async def _lessons_ahead(
    db: AsyncSession, notice: s.AbsenceNotice, pupil_id: int, today: dt.date
) -> int:
    """Lessons of the pupil's class on the notice's days after today (cancelled ones aside)."""
    if notice.end <= today:
        return 0
    first = max(notice.start, today + dt.timedelta(days=1))
    found = await db.scalars(
        select(s.Lesson.id)
        .join(s.Enrolment, s.Enrolment.class_id == s.Lesson.class_id)
        .where(
            s.Enrolment.pupil_id == pupil_id,
            s.enrolled_on(s.Lesson.date),
            s.Lesson.date >= first,
            s.Lesson.date <= notice.end,
            s.Lesson.status != LessonStatus.CANCELLED.value,
            takes_lesson(pupil_id),
        )
    )
    return len(set(found.all()))


def _nothing_to_change(
    notice: s.AbsenceNotice, pupil: s.User, kind: AbsenceKind, ahead: int, today: dt.date
) -> str:
    name = f"{pupil.first_name} {pupil.last_name}"
    if notice.start > today:
        return _(
            "nothing to excuse yet: the notice is for {days}, which has not come; mark the "
            "absences in the journal on the day, then apply the notice again"
        ).format(days=_days(notice.start, notice.end))
    held = _days(notice.start, min(notice.end, today))
    detail = _(
        "nothing to excuse: {name} has no unexcused absence in your class's journal on "
        "{days}, so nothing was changed (absences already {kind} or excused stay as they are)"
    ).format(name=name, days=held, kind=absence_kind(kind))
    if ahead:
        detail += _(
            "; {lessons} of the notice's days are still to come: apply the notice again once "
            "the absences there are marked"
        ).format(lessons=_lessons(ahead))
    return detail
