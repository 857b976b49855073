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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from api_client import i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import AbsenceKind, ChangeItem, Me
from api_client.names import absence_states
from diary_tui.config import Notifications

NOTICE_WORDS = {
    "illness": N_("illness"),
    "family": N_("family reasons"),
    "appointment": N_("an appointment"),
    "other": "",
}
STATUS_WORDS = {
    "cancelled": N_("is cancelled"),
    "substituted": N_("has another teacher"),
    "moved": N_("is moved"),
    "planned": N_("is back as planned"),
}
"""Each in English, marked: said as ``_(WORDS[key])``."""


def _word(words: Mapping[str, str], key: str, default: str) -> str:
    word = words.get(key, default)
    return _(word) if word else ""


#: The chat's moderation of one message: the open chat shows it, it never pops up.
CHAT_QUIET = frozenset({"chat.hidden", "chat.shown"})


def group_of(kind: str) -> str:
    """The preference group of a change kind (``mark.added`` -> ``marks``); "" for none."""
    if kind in CHAT_QUIET:
        return ""
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
        "blog": "blogs",
        "chat": "chat",
    }.get(thing, "")


def _text(payload: Mapping[str, object], key: str) -> str:
    value = payload.get(key)
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _day(payload: Mapping[str, object], key: str = "date") -> str:
    """``on Thursday 26 Nov`` / ``в четверг, 26 ноября`` for a date in the payload ("" when
    there is none)."""
    raw = _text(payload, key)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return ""
    if i18n.language() == i18n.SOURCE:
        return f"on {day:%A} {day.day} {day:%b}"
    return i18n.on_day(day)


def _span(payload: Mapping[str, object]) -> str:
    """The days of a notice: ``on Monday 23 Nov`` or ``on Monday 23 Nov to Tuesday 24 Nov``."""
    start, end = _day(payload, "start"), _day(payload, "end")
    if start == end:
        return start
    return _("{start} to {end}").format(start=start, end=end.removeprefix("on "))


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
    has_changed = N_("has changed")
    if not isinstance(old, Mapping):
        words = _word(STATUS_WORDS, status, has_changed)
        room_text = _(", room {room}").format(room=room) if room and status != "cancelled" else ""
        return f"{subject}{on_day} {words}{room_text}"
    room_moved = bool(room) and _text(old, "room") != room and status != "cancelled"
    room_text = _(", room {room}").format(room=room) if room_moved else ""
    if status == "substituted" and (
        _text(old, "status") != status or _text(old, "substitute") != substitute
    ):
        teacher = f" ({substitute})" if substitute else ""
        return f"{subject}{on_day} " + _("has another teacher") + f"{teacher}{room_text}"
    if _text(old, "status") != status:
        return f"{subject}{on_day} {_word(STATUS_WORDS, status, has_changed)}{room_text}"
    if room_moved:
        return f"{subject}{on_day} " + _("is in room {room}").format(room=room)
    return f"{subject}{on_day} " + _(has_changed)


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
            text += f" ({_(' and ').join(names)})"
    return text


def _describe(change: ChangeItem, me: Me | None, *, name_pupil: bool) -> str:
    p = change.payload
    subject = _text(p, "subject")
    in_subject = _(" in {subject}").format(subject=subject) if subject else ""
    who = pupil_name(change, me)
    for_pupil = (
        _(" for {who}").format(who=who)
        if who and name_pupil and not (me and me.role.value == "pupil")
        else ""
    )
    day = _day(p)
    on_day = f" {day}" if day else ""
    by = _(" (by {name})").format(name=change.actor) if change.actor else ""
    kind = change.kind
    parts = {"in_subject": in_subject, "for_pupil": for_pupil, "by": by, "on_day": on_day}
    if kind == "mark.added":
        value = _value(p.get("value")) or "?"
        return _("New mark {value}{in_subject}{for_pupil}").format(value=value, **parts)
    if kind == "mark.edited":
        old, new = p.get("old"), p.get("new")
        before = _value(old) or "?"
        after = _value(new) or _value(p.get("value")) or "?"
        return _("Mark{in_subject}{for_pupil} changed: {before} → {after}{by}").format(
            before=before, after=after, **parts
        )
    if kind == "mark.removed":
        value = _value(p.get("value")) or "?"
        return _("Mark {value}{in_subject}{for_pupil} was removed{by}").format(value=value, **parts)
    if kind == "period_mark.set":
        value = _value(p.get("value"))
        if not value:
            return _("Period mark{in_subject}{for_pupil} was removed{by}").format(**parts)
        old = _value(p.get("old"))
        change_text = _(" (was {old})").format(old=old) if old and old != value else ""
        return (
            _("Period mark {value}{in_subject}{for_pupil}").format(value=value, **parts)
            + change_text
        )
    if kind == "absence.set":
        states: dict[str, str] = {str(k): v for k, v in absence_states().items()}
        word = states.get(_text(p, "kind"), states[AbsenceKind.UNEXCUSED])
        subject_part = _(" at {subject}").format(subject=subject) if subject else ""
        return f"{who or _('Marked')} {word}{subject_part}{on_day}"
    if kind == "absence.removed":
        return _("Absence{in_subject}{on_day}{for_pupil} removed{by}").format(**parts)
    if kind == "absence_notice.new":
        days = _span(p)
        reason = _word(NOTICE_WORDS, _text(p, "reason"), "")
        parent = _text(p, "parent") or change.actor
        return (
            _("Absence notice{for_pupil} {days}").format(days=days, **parts).rstrip()
            + (f", {reason}" if reason else "")
            + (_(" (from {parent})").format(parent=parent) if parent else "")
        )
    if kind == "absence_notice.seen":
        days = _span(p)
        reader = change.actor or _text(p, "seen_by") or _("The class teacher")
        return (
            _("{reader} read the absence notice{for_pupil} {days}")
            .format(reader=reader, days=days, **parts)
            .rstrip()
        )
    if kind == "absence_notice.withdrawn":
        days = _span(p)
        parent = _text(p, "parent") or change.actor
        return (
            _("{parent} withdrew the absence notice{for_pupil} {days}")
            .format(parent=parent, for_pupil=for_pupil, days=days)
            .rstrip()
        )
    if kind == "lesson.topic":
        topic = _short(_text(p, "topic"))
        if topic:
            return _("Topic{in_subject}{on_day}: {topic}").format(topic=topic, **parts)
        return _("Topic{in_subject} removed").format(**parts)
    if kind == "lesson.changed":
        return _lesson_changed(p, subject or _("A lesson"), on_day)
    if kind == "homework.set":
        if p.get("removed"):
            return _("Homework{in_subject}{on_day} was removed").format(**parts)
        due = _day(p, "due")
        text = _short(_text(p, "text"), 50)
        due_text = _(" due {day}").format(day=due.removeprefix("on ")) if due else ""
        return _("New homework{in_subject}{due}").format(due=due_text, **parts) + (
            f": {text}" if text else ""
        )
    if kind == "message.new":
        author = _text(p, "author") or change.actor
        title = _short(_text(p, "subject"), 50)
        said = _("New message from {author}").format(author=author)
        return f"{said}: {title}" if title else said
    if kind == "chat.message":
        author = _text(p, "author") or change.actor
        return _("Class chat: a message from {author}").format(author=author)
    if kind == "chat.hidden":
        return _("Class chat: a message was hidden{by}").format(by=by)
    if kind == "chat.shown":
        return _("Class chat: a hidden message is shown again{by}").format(by=by)
    if kind == "chat.closed":
        return _("The class chat was closed{by}").format(by=by)
    if kind == "chat.opened":
        return _("The class chat was opened again{by}").format(by=by)
    if kind == "announcement.new":
        return _announcement(p)
    if kind.startswith("blog."):
        return _blog(kind, p, change.actor)
    if kind == "event.new":
        title = _short(_text(p, "title"), 50)
        when = _day(p, "date") or _day(p, "starts_at")
        return _("New event: {title} {when}").format(title=title, when=when).strip()
    if kind == "event.answer":
        return _meeting_answer(p, change.actor)
    if kind in ("event.changed", "event.cancelled", "event.minutes"):
        title = _short(_text(p, "title"), 50)
        when = _day(p, "date")
        if kind == "event.cancelled":
            return _("Cancelled: {title} {when}").format(title=title, when=when).strip()
        if kind == "event.minutes":
            return _("The minutes of {title} are written").format(title=title)
        return _("Changed: {title} {when}").format(title=title, when=when).strip()
    thing = kind.replace(".", " ").replace("_", " ")
    return f"{thing[:1].upper()}{thing[1:]}{for_pupil}"


def _meeting_answer(p: Mapping[str, object], actor: str) -> str:
    """``Иванова: will come to the meeting on 10.12`` (or will not), with the comment."""
    parent = _text(p, "parent_last_name") or _text(p, "parent") or actor
    try:
        day = dt.date.fromisoformat(_text(p, "date"))
    except ValueError:
        when = ""
    else:
        when = f"{day.day:02d}.{day.month:02d}"
    coming = p.get("coming")
    if coming is True:
        said = (
            _("{parent}: will come to the meeting {day}")
            if when
            else _("{parent}: will come to the meeting")
        )
    elif coming is False:
        said = (
            _("{parent}: will not come to the meeting {day}")
            if when
            else _("{parent}: will not come to the meeting")
        )
    else:
        said = (
            _("{parent} answered about the meeting {day}")
            if when
            else _("{parent} answered about the meeting")
        )
    text = said.format(parent=parent, day=when)
    comment = _short(_text(p, "comment"), 40)
    return f"{text} ({comment})" if comment else text


def _announcement(p: Mapping[str, object]) -> str:
    """``Announcement for all parents: Parents' meeting``: whom it was for, and its title."""
    title = _short(_text(p, "title"))
    audience, klass, grade = _text(p, "audience"), _text(p, "class"), p.get("grade")
    if audience == "parents" and klass:
        said = _("Announcement for the parents of {klass}: {title}")
    elif audience == "parents":
        said = _("Announcement for all parents: {title}")
    elif audience == "teachers":
        said = _("Announcement for the teachers: {title}")
    elif audience == "grade" and isinstance(grade, int):
        said = _("Announcement for grade {grade}: {title}")
    elif klass:
        said = _("Announcement for {klass}: {title}")
    elif audience == "school":
        said = _("Announcement for the whole school: {title}")
    else:  # a row from before announcements had audiences
        said = _("Announcement: {title}")
    if not title:  # from a server that kept the title out of the feed
        said = said.removesuffix(": {title}")
    return said.format(title=title, klass=klass, grade=grade)


def _blog(kind: str, p: Mapping[str, object], actor: str) -> str:
    """``New post in 5А's blog: Excursion``; a changed post likewise; a comment on one of the
    user's own posts by whom. A hidden post's title is not in the feed: the line says less."""
    title, klass = _short(_text(p, "title")), _text(p, "class")
    if kind == "blog.comment":
        if actor:
            said = _("{author} commented on your blog post: {title}")
        else:
            said = _("A new comment on your blog post: {title}")
    elif kind == "blog.new":
        said = (
            _("New post in {klass}'s blog: {title}")
            if klass
            else _("New post in the school blog: {title}")
        )
    elif klass:
        said = _("A post in {klass}'s blog changed: {title}")
    else:
        said = _("A post in the school blog changed: {title}")
    if not title:
        said = said.removesuffix(": {title}")
    return said.format(title=title, klass=klass, author=actor)


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
    shown: Callable[[ChangeItem], bool] | None = None,
) -> Announcement:
    """The notification lines for ``changes`` (at most ``most``, then "and N more").

    Nothing during the quiet hours, nothing for switched-off groups or kinds with no group,
    nothing for the user's own changes, nothing the screen on top already ``shown`` (the
    class chat open on that class).
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
        if shown is not None and shown(change):
            continue
        lines.append(describe(change, me))
    if len(lines) > most:
        more = len(lines) - most + 1
        said = ngettext("… and {n} more change", "… and {n} more changes", more).format(n=more)
        lines = [*lines[: most - 1], said]
    return Announcement(lines, bool(lines) and prefs.bell)
