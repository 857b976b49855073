"""What a live change says, and whether it is said at all.

:func:`describe` turns a :class:`ChangeItem` into one short line ("New mark 5 in Математика
for Анна", "Физика on Thursday is cancelled"). :func:`announce` decides, by the user's
``[notifications]`` preferences (per group on or off, quiet hours, the bell), which changes
pop up. The payload keys read here are those the server's writes record: ``subject``,
``pupil``, ``date``, ``value``, ``old``/``new``, ``kind``, ``topic``, ``text``, ``due``,
``removed``, ``title``, ``author``, ``status``. A missing key makes a shorter line, never an
error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from api_client.i18n import _
from api_client.models import ChangeItem, Me
from diary_tui.config import Notifications

ABSENCE_WORDS = {
    "unexcused": "absent",
    "illness": "ill",
    "excused": "excused",
    "late": "late",
}
NOTICE_WORDS = {
    "illness": "illness",
    "family": "family reasons",
    "appointment": "an appointment",
    "other": "",
}
STATUS_WORDS = {
    "cancelled": "is cancelled",
    "substituted": "has another teacher",
    "moved": "is moved",
    "planned": "is back as planned",
}


def group_of(kind: str) -> str:
    """The preference group of a change kind (``mark.added`` -> ``marks``); "" for none."""
    thing = kind.partition(".")[0]
    return {
        "mark": "marks",
        "period_mark": "period_marks",
        "absence": "absences",
        "absence_notice": "absences",
        "lesson": "schedule",
        "homework": "homework",
        "message": "messages",
        "announcement": "announcements",
        "event": "events",
    }.get(thing, "")


def _text(payload: Mapping[str, object], key: str) -> str:
    value = payload.get(key)
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _day(payload: Mapping[str, object], key: str = "date") -> str:
    """``on Thursday`` for a date in the payload ("" when there is none)."""
    raw = _text(payload, key)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return ""
    return f"on {day:%A} {day.day} {day:%b}"


def _value(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value")
    return "" if value is None else str(value)


def pupil_name(change: ChangeItem, me: Me | None) -> str:
    """The first name of the pupil a change is about, as the user knows them."""
    if me is not None and change.pupil_id is not None:
        for child in me.children:
            if child.id == change.pupil_id:
                return child.first_name
    return _text(change.payload, "pupil")


def _lesson_changed(p: Mapping[str, object], subject: str, on_day: str) -> str:
    """``Физика on Thursday 26 Nov is cancelled``. With the old values (``old``: status, room,
    substitute), only what changed is said."""
    status = _text(p, "status")
    room = _text(p, "room")
    substitute = _text(p, "substitute")
    old = p.get("old")
    if not isinstance(old, Mapping):
        words = STATUS_WORDS.get(status, "has changed")
        room_text = f", room {room}" if room and status != "cancelled" else ""
        return f"{subject}{on_day} {words}{room_text}"
    room_moved = bool(room) and _text(old, "room") != room and status != "cancelled"
    room_text = f", room {room}" if room_moved else ""
    if status == "substituted" and (
        _text(old, "status") != status or _text(old, "substitute") != substitute
    ):
        teacher = f" ({substitute})" if substitute else ""
        return f"{subject}{on_day} has another teacher{teacher}{room_text}"
    if _text(old, "status") != status:
        return f"{subject}{on_day} {STATUS_WORDS.get(status, 'has changed')}{room_text}"
    if room_moved:
        return f"{subject}{on_day} is in room {room}"
    return f"{subject}{on_day} has changed"


def describe(change: ChangeItem, me: Me | None = None, *, name_pupil: bool = True) -> str:
    """One short line that says what happened (``name_pupil``: say for whom; a change to a
    class is said with the children in it when a parent has several)."""
    text = _describe(change, me, name_pupil=name_pupil)
    if name_pupil and me is not None and len(me.children) > 1 and change.pupil_id is None:
        names = [
            child.first_name
            for child in me.children
            if child.class_ is not None and child.class_.id == change.class_id
        ]
        if names:
            text += f" ({' and '.join(names)})"
    return text


def _describe(change: ChangeItem, me: Me | None, *, name_pupil: bool) -> str:
    p = change.payload
    subject = _text(p, "subject")
    in_subject = f" in {subject}" if subject else ""
    who = pupil_name(change, me)
    for_pupil = (
        f" for {who}" if who and name_pupil and not (me and me.role.value == "pupil") else ""
    )
    day = _day(p)
    on_day = f" {day}" if day else ""
    by = f" (by {change.actor})" if change.actor else ""
    kind = change.kind
    if kind == "mark.added":
        return f"New mark {_value(p.get('value')) or '?'}{in_subject}{for_pupil}"
    if kind == "mark.edited":
        old, new = p.get("old"), p.get("new")
        before = _value(old) or "?"
        after = _value(new) or _value(p.get("value")) or "?"
        return f"Mark{in_subject}{for_pupil} changed: {before} → {after}{by}"
    if kind == "mark.removed":
        return f"Mark {_value(p.get('value')) or '?'}{in_subject}{for_pupil} was removed{by}"
    if kind == "period_mark.set":
        value = _value(p.get("value"))
        if not value:
            return f"Period mark{in_subject}{for_pupil} was removed{by}"
        old = _value(p.get("old"))
        change_text = f" (was {old})" if old and old != value else ""
        return f"Period mark {value}{in_subject}{for_pupil}{change_text}"
    if kind == "absence.set":
        word = ABSENCE_WORDS.get(_text(p, "kind"), "absent")
        subject_part = f" at {subject}" if subject else ""
        return f"{who or 'Marked'} {word}{subject_part}{on_day}"
    if kind == "absence.removed":
        return f"Absence{in_subject}{on_day}{for_pupil} removed{by}"
    if kind == "absence_notice.new":
        start, end = _day(p, "start"), _day(p, "end")
        days = start if start == end else f"{start} to {end.removeprefix('on ')}"
        reason = NOTICE_WORDS.get(_text(p, "reason"), "")
        parent = _text(p, "parent") or change.actor
        return (
            f"Absence notice{for_pupil} {days}".rstrip()
            + (f", {reason}" if reason else "")
            + (f" (from {parent})" if parent else "")
        )
    if kind == "absence_notice.seen":
        start, end = _day(p, "start"), _day(p, "end")
        days = start if start == end else f"{start} to {end.removeprefix('on ')}"
        reader = change.actor or _text(p, "seen_by") or "The class teacher"
        return f"{reader} read the absence notice{for_pupil} {days}".rstrip()
    if kind == "absence_notice.withdrawn":
        start, end = _day(p, "start"), _day(p, "end")
        days = start if start == end else f"{start} to {end.removeprefix('on ')}"
        parent = _text(p, "parent") or change.actor
        return (
            _("{parent} withdrew the absence notice{for_pupil} {days}")
            .format(parent=parent, for_pupil=for_pupil, days=days)
            .rstrip()
        )
    if kind == "lesson.topic":
        topic = _short(_text(p, "topic"))
        return f"Topic{in_subject}{on_day}: {topic}" if topic else f"Topic{in_subject} removed"
    if kind == "lesson.changed":
        return _lesson_changed(p, subject or "A lesson", on_day)
    if kind == "homework.set":
        if p.get("removed"):
            return f"Homework{in_subject}{on_day} was removed"
        due = _day(p, "due")
        text = _short(_text(p, "text"), 50)
        due_text = f" due {due.removeprefix('on ')}" if due else ""
        return f"New homework{in_subject}{due_text}" + (f": {text}" if text else "")
    if kind == "message.new":
        author = _text(p, "author") or change.actor
        title = _short(_text(p, "subject"), 50)
        return f"New message from {author}: {title}" if title else f"New message from {author}"
    if kind == "announcement.new":
        return f"Announcement: {_short(_text(p, 'title'))}"
    if kind == "event.new":
        title = _short(_text(p, "title"), 50)
        when = _day(p, "date") or _day(p, "starts_at")
        return f"New event: {title} {when}".strip()
    thing = kind.replace(".", " ").replace("_", " ")
    return f"{thing[:1].upper()}{thing[1:]}{for_pupil}"


@dataclass(frozen=True, slots=True)
class Announcement:
    """What to show for a batch of changes."""

    lines: list[str]
    bell: bool


def announce(
    changes: Iterable[ChangeItem],
    prefs: Notifications,
    me: Me | None,
    now: dt.datetime,
    *,
    most: int = 3,
) -> Announcement:
    """The notification lines for ``changes`` (at most ``most``, then "and N more").

    Nothing during the quiet hours, nothing for switched-off groups or kinds with no group,
    nothing for the user's own changes.
    """
    if prefs.quiet_at(now.hour * 60 + now.minute):
        return Announcement([], False)
    lines: list[str] = []
    for change in changes:
        group = group_of(change.kind)
        if not group or not prefs.enabled(group):
            continue
        if me is not None and change.actor_id == me.id:
            continue
        lines.append(describe(change, me))
    if len(lines) > most:
        lines = [*lines[: most - 1], f"… and {len(lines) - most + 1} more changes"]
    return Announcement(lines, bool(lines) and prefs.bell)
