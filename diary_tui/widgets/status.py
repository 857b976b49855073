"""The status line: online or offline, the time of the last sync, writes waiting in the outbox."""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.widgets import Static

from diary_tui.clock import local
from diary_tui.data import SyncState


def _when(moment: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo) -> str:
    """``synced 19:34`` today, ``synced 14 Mar 19:34`` before: on the school's clock."""
    if moment is None:
        return "never synced"
    at, today = local(moment, zone), local(now, zone).date()
    if at.date() == today:
        return f"synced {at:%H:%M}"
    return f"synced {at:%d %b %H:%M}"


def _age(moment: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo) -> str:
    """How old the saved data is, in words: ``10:30, 5 min ago``."""
    if moment is None:
        return "no time (never synced)"
    when = _when(moment, now, zone).removeprefix("synced ")
    moment, now = local(moment, dt.UTC), local(now, dt.UTC)
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return f"{when}, just now"
    if minutes < 120:
        return f"{when}, {minutes} min ago"
    if minutes < 48 * 60:
        return f"{when}, {minutes // 60} h ago"
    return f"{when}, {minutes // (24 * 60)} days ago"


def status_content(state: SyncState, now: dt.datetime, zone: dt.tzinfo, note: str = "") -> Content:
    """The status line's text (pure, so it is easy to test); times on the clock of ``zone``,
    the school's."""
    if state.online is None:
        link = Content.styled("○ connecting", "dim")
    elif state.online:
        link = Content.styled("● online", "$text-success")
    else:
        link = Content.styled("✗ offline", "bold $text-error")
    parts: list[Content] = [link, Content(_when(state.last_sync, now, zone))]
    if state.online is False:
        age = _age(state.last_sync, now, zone)
        parts[1] = Content.styled(f"saved data from {age}", "$text-warning")
    if not state.signed_in:
        parts.insert(1, Content.styled("not signed in (read-only)", "bold $text-warning"))
    if state.outbox:
        parts.append(Content.styled(f"{state.outbox} waiting to send", "$text-warning"))
    else:
        parts.append(Content("outbox empty"))
    if state.refused:
        parts.append(
            Content.styled(f"{state.refused} not saved (see the journal)", "bold $text-error")
        )
    if state.audit_warning:
        parts.append(Content.styled("audit log changed on the server!", "bold $text-error"))
    if state.account:
        parts.append(Content(state.account))
    if note:
        parts.append(Content(note))
    return Content(" · ").join(parts)


class StatusLine(Static):
    """One line at the bottom of a screen, above the footer."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
    }
    """

    def show(self, state: SyncState, now: dt.datetime, zone: dt.tzinfo, note: str = "") -> None:
        self.update(status_content(state, now, zone, note))
