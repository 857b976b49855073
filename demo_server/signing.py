"""Signing the week: a parent acknowledges a child's week as it was shown to them.

The signature keeps who, when, a sha256 of the week's *content* (the marks with value, weight,
kind and comment; the absences; each lesson's status, note and topic) and that content itself.
Later, the week shows that it changed since it was signed and says what changed, by comparing
the stored content with the current one.

The content is made from the same :class:`api_client.models.Week` the parent is sent, so what
is hashed is what was on their screen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import i18n, names
from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import pupil_not_found
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.week import load_week

Content = dict[str, Any]


def _day(value: str) -> str:
    return i18n.day_month(dt.date.fromisoformat(value), short=True)


def week_content(week: m.Week) -> Content:
    """The canonical content of a week: plain JSON values, in a fixed order."""
    marks: list[dict[str, Any]] = []
    absences: list[dict[str, Any]] = []
    lessons: list[dict[str, Any]] = []
    for lesson in week.lessons:
        where = {"lesson_id": lesson.id, "subject": lesson.subject.name, "date": str(lesson.date)}
        lessons.append(
            {**where, "status": lesson.status.value, "note": lesson.note, "topic": lesson.topic}
        )
        for mark in lesson.marks:
            marks.append(
                {
                    "id": mark.id,
                    **where,
                    "value": mark.value,
                    "weight": mark.weight,
                    "kind": mark.kind.value,
                    "comment": mark.comment,
                }
            )
        if lesson.absence is not None:
            absences.append(
                {
                    "id": lesson.absence.id,
                    **where,
                    "kind": lesson.absence.kind.value,
                    "minutes": lesson.absence.minutes,
                    "note": lesson.absence.note,
                }
            )
    key = lambda item: item["id"] if "id" in item else item["lesson_id"]  # noqa: E731
    return {
        "pupil_id": week.pupil.id,
        "week": str(week.start),
        "marks": sorted(marks, key=key),
        "absences": sorted(absences, key=key),
        "lessons": sorted(lessons, key=key),
    }


def content_hash(content: Content) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _by_id(items: list[dict[str, Any]], key: str = "id") -> dict[int, dict[str, Any]]:
    return {int(item[key]): item for item in items}


def _at(item: dict[str, Any]) -> str:
    return _("{subject} on {day}").format(subject=item["subject"], day=_day(item["date"]))


def describe_changes(old: Content, new: Content) -> list[str]:
    """What changed between two contents, in plain words, one line per change (in the
    language in force: it is sent with the week)."""
    lines: list[str] = []
    old_marks, new_marks = _by_id(old.get("marks", [])), _by_id(new.get("marks", []))
    for mark_id, before in old_marks.items():
        after = new_marks.get(mark_id)
        if after is None:
            lines.append(
                _("Mark {value} in {at} removed").format(value=before["value"], at=_at(before))
            )
            continue
        if after["value"] != before["value"]:
            lines.append(
                _("Mark {value} in {at} changed to {new}").format(
                    value=before["value"], at=_at(before), new=after["value"]
                )
            )
        if after["weight"] != before["weight"]:
            lines.append(
                _("Mark {value} in {at}: weight {old} → {new}").format(
                    value=after["value"], at=_at(after), old=before["weight"], new=after["weight"]
                )
            )
        if after["kind"] != before["kind"]:
            lines.append(
                _("Mark {value} in {at}: now {new}, was {old}").format(
                    value=after["value"],
                    at=_at(after),
                    new=names.mark_kind(after["kind"]),
                    old=names.mark_kind(before["kind"]),
                )
            )
        if after["comment"] != before["comment"]:
            lines.append(
                _("Mark {value} in {at}: comment changed").format(
                    value=after["value"], at=_at(after)
                )
            )
    for mark_id, after in new_marks.items():
        if mark_id not in old_marks:
            lines.append(_("New mark {value} in {at}").format(value=after["value"], at=_at(after)))
    old_abs, new_abs = _by_id(old.get("absences", [])), _by_id(new.get("absences", []))
    for absence_id, before in old_abs.items():
        after = new_abs.get(absence_id)
        if after is None:
            lines.append(_("Absence removed: {at}").format(at=_at(before)))
        elif (after["kind"], after["minutes"], after["note"]) != (
            before["kind"],
            before["minutes"],
            before["note"],
        ):
            what = (
                names.absence_kind(after["kind"])
                if after["kind"] != before["kind"]
                else _("note or minutes")
            )
            lines.append(_("Absence changed: {at} ({what})").format(at=_at(after), what=what))
    for absence_id, after in new_abs.items():
        if absence_id not in old_abs:
            lines.append(
                _("Absence added: {at} ({kind})").format(
                    at=_at(after), kind=names.absence_kind(after["kind"])
                )
            )
    old_lessons = _by_id(old.get("lessons", []), "lesson_id")
    new_lessons = _by_id(new.get("lessons", []), "lesson_id")
    for lesson_id, before in old_lessons.items():
        after = new_lessons.get(lesson_id)
        if after is None:
            lines.append(_("Lesson removed: {at}").format(at=_at(before)))
            continue
        if after["status"] != before["status"]:
            lines.append(
                _("Lesson {at} is now {status}").format(
                    at=_at(after), status=names.lesson_status(after["status"])
                )
            )
        if after["topic"] != before["topic"]:
            lines.append(_("Topic of {at} changed").format(at=_at(after)))
        if after["note"] != before["note"]:
            lines.append(_("Note on {at} changed").format(at=_at(after)))
    for lesson_id, after in new_lessons.items():
        if lesson_id not in old_lessons:
            lines.append(_("New lesson: {at}").format(at=_at(after)))
    return lines


async def latest_signature(
    db: AsyncSession, pupil_id: int, monday: dt.date
) -> s.WeekAcknowledgement | None:
    return await db.scalar(
        select(s.WeekAcknowledgement)
        .where(
            s.WeekAcknowledgement.pupil_id == pupil_id,
            s.WeekAcknowledgement.week_start == monday,
        )
        .order_by(s.WeekAcknowledgement.signed_at.desc(), s.WeekAcknowledgement.id.desc())
        .limit(1)
    )


async def signature_of(
    db: AsyncSession, row: s.WeekAcknowledgement, week: m.Week
) -> m.WeekSignature:
    """The signature ``row`` of ``week`` as sent: who, when, and what changed since."""
    parent = await db.get(s.User, row.parent_id)
    name = f"{parent.first_name} {parent.last_name}" if parent is not None else ""
    current = week_content(week)
    changed = (
        [] if content_hash(current) == row.content_hash else describe_changes(row.content, current)
    )
    if not changed and content_hash(current) != row.content_hash:
        changed = [_("The week changed")]
    return m.WeekSignature(
        by_id=row.parent_id,
        by=name,
        signed_at=row.signed_at,
        content_hash=row.content_hash,
        changed=changed,
    )


async def week_signature(db: AsyncSession, week: m.Week) -> m.WeekSignature | None:
    """The latest signature of ``week``, if any, compared with the week as it is now."""
    row = await latest_signature(db, week.pupil.id, week.start)
    return await signature_of(db, row, week) if row is not None else None


async def sign_week(
    db: AsyncSession, parent_id: int, week: m.Week, now: dt.datetime
) -> m.WeekSignature:
    """Record ``parent_id``'s signature of ``week`` as it is now."""
    content = week_content(week)
    row = s.WeekAcknowledgement(
        parent_id=parent_id,
        pupil_id=week.pupil.id,
        week_start=week.start,
        signed_at=now,
        content_hash=content_hash(content),
        content=content,
    )
    db.add(row)
    await db.flush()
    return await signature_of(db, row, week)


def future_week(monday: dt.date, today: dt.date) -> str | None:
    """Why the week of ``monday`` cannot be signed on ``today`` (the school's date), or None:
    a signature says the parent has seen the week's marks and notes, so a week that has not
    begun has nothing to sign yet."""
    if monday <= today:
        return None
    return _(
        "the week of {monday} has not begun yet: a week is signed once its lessons have "
        "taken place, from {monday} on"
    ).format(monday=i18n.day_month(monday))


async def sign_as_parent(
    db: AsyncSession, viewer: Viewer, pupil_id: int, monday: dt.date, now: dt.datetime
) -> m.WeekSignature:
    """The viewer, a parent linked to the pupil, signs the pupil's week as it is now; a pupil
    who is not the viewer's child is not found."""
    linked = await db.scalar(
        select(
            exists().where(s.ParentLink.parent_id == viewer.id, s.ParentLink.pupil_id == pupil_id)
        )
    )
    if not linked:
        raise pupil_not_found()
    refused = future_week(monday, viewer.today)
    if refused is not None:
        raise ProblemError(422, refused, field="monday")
    week = await load_week(db, pupil_id, monday)
    if week is None:
        raise pupil_not_found()
    return await sign_week(db, viewer.id, week, now)
