"""The status line: online or offline, the time of the last sync, writes waiting in the outbox."""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.widgets import Static

from api_client import i18n
from api_client.i18n import _, ngettext
from diary_tui.clock import local
from diary_tui.data import SyncState
from diary_tui.keys import key_of


def _when(moment: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo) -> str:
    """``synced 19:34`` today, ``synced 14 Mar 19:34`` before: on the school's clock."""
    if moment is None:
        return _("never synced")
    return _("synced {when}").format(when=_at(moment, now, zone))


def _at(moment: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str:
    """``19:34`` today, ``14 Mar 19:34`` before (``14 мар. 19:34``)."""
    at, today = local(moment, zone), local(now, zone).date()
    if at.date() == today:
        return f"{at:%H:%M}"
    return f"{i18n.day_month(at.date(), short=True)} {at:%H:%M}"


def _age(moment: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo) -> str:
    """How old the saved data is, in words: ``10:30, 5 min ago``."""
    if moment is None:
        return _("no time (never synced)")
    when = _at(moment, now, zone)
    moment, now = local(moment, dt.UTC), local(now, dt.UTC)
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return _("{when}, just now").format(when=when)
    if minutes < 120:
        return _("{when}, {n} min ago").format(when=when, n=minutes)
    if minutes < 48 * 60:
        return _("{when}, {n} h ago").format(when=when, n=minutes // 60)
    days = minutes // (24 * 60)
    return ngettext("{when}, {n} day ago", "{when}, {n} days ago", days).format(when=when, n=days)


def status_content(
    state: SyncState, now: dt.datetime, zone: dt.tzinfo, note: str = "", settings_key: str = ""
) -> Content:
    """The status line's text (pure, so it is easy to test); times on the clock of ``zone``,
    the school's; ``settings_key`` the key of Settings as bound (:func:`diary_tui.keys.key_of`),
    said where consent is missing."""
    if state.online is None:
        link = Content.styled("○ " + _("connecting"), "dim")
    elif state.online:
        link = Content.styled("● " + _("online"), "$text-success")
    else:
        link = Content.styled("✗ " + _("offline"), "bold $text-error")
    parts: list[Content] = [link, Content(_when(state.last_sync, now, zone))]
    if state.online is False:
        age = _age(state.last_sync, now, zone)
        parts[1] = Content.styled(_("saved data from {age}").format(age=age), "$text-warning")
    if not state.signed_in:
        parts.insert(1, Content.styled(_("not signed in (read-only)"), "bold $text-warning"))
    if state.outbox:
        parts.append(
            Content.styled(_("{n} waiting to send").format(n=state.outbox), "$text-warning")
        )
    else:
        parts.append(Content(_("outbox empty")))
    if state.refused:
        parts.append(
            Content.styled(
                _("{n} not saved (see the journal)").format(n=state.refused), "bold $text-error"
            )
        )
    if state.audit_warning:
        parts.append(Content.styled(_("audit log changed on the server!"), "bold $text-error"))
    if state.consent_missing:
        said = (
            _("no consent to personal data ({key})").format(key=settings_key)
            if settings_key
            else _("no consent to personal data")
        )
        parts.append(Content.styled(said, "$text-warning"))
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
        key = key_of(self.screen, "nav.settings") if state.consent_missing else ""
        self.update(status_content(state, now, zone, note, settings_key=key))
