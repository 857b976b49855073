"""What the screens share to put text on screen: quiet text, server text on one line, a column
of exact width, the school's clock, and the words for things every screen names the same way.

A screen imports these from here, never from another screen.
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content

from api_client import names
from api_client.i18n import _
from api_client.models import EventKind, PeriodRef, Role
from diary_tui.clock import clock_time as clock_time
from diary_tui.clock import day_time as day_time
from diary_tui.clock import local as local
from diary_tui.clock import school_zone as school_zone
from diary_tui.clock import short_when as short_when
from diary_tui.clock import when_said as when_said

MUTED = "dim"
"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""


def event_name(kind: EventKind | str) -> str:
    """An event's kind as a label: ``Parent meeting`` / ``Родительское собрание`` (the name
    of :func:`api_client.names.event_kind`, capitalised)."""
    word = names.event_kind(kind)
    return word[:1].upper() + word[1:]


def role_name(role: Role | str) -> str:
    """A role in words, in the language in force: ``IT staff`` / ``ИТ-служба``
    (:func:`api_client.names.role`)."""
    return names.role(str(role)).replace("_", " ")


def size_text(size: int) -> str:
    """A file's size as a person reads it: ``850 B``, ``120 KB``, ``1.4 MB``."""
    from api_client.i18n import _, decimal

    if size < 1024:
        return _("{n} B").format(n=size)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=round(size / 1024))
    return _("{n} MB").format(n=decimal(size / (1024 * 1024), 1))


def plain(text: str) -> str:
    """Server text on one line: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())


def fit(content: Content | str, width: int) -> Content:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if isinstance(content, str):
        content = Content(content)
    return content.truncate(max(width, 0), ellipsis=True, pad=True)


def muted(text: str) -> Content:
    """Quiet text (hints, placeholders, what is not there)."""
    return Content.styled(text, MUTED)


def title_line(*parts: Content | str) -> Content:
    """A screen's title line: the non-empty parts joined by `` · ``."""
    return Content(" · ").join(
        part if isinstance(part, Content) else Content(part) for part in parts if part
    )


def period_label(period: PeriodRef | None) -> str:
    """A term's name, or ``Whole year`` for none."""
    return plain(period.name) if period is not None else _("Whole year")


def day_typed(day: dt.date) -> str:
    """A day as a date box shows it and people type it: ``25.11.2026`` (:func:`parse_day`
    reads it back, and ISO as well)."""
    return f"{day:%d.%m.%Y}"


def day_form() -> str:
    """How :func:`day_typed` writes a day, for a label: ``DD.MM.YYYY`` / ``ДД.ММ.ГГГГ``."""
    from api_client.i18n import _

    return _("DD.MM.YYYY")


def parse_day(text: str, what: str = "") -> dt.date:
    """A day typed as people write it, ``25.11.2026``, ``1.11.2026`` or ISO ``2026-11-25``
    (:func:`api_client.cli_text.parse_date`, the command lines' parser too); a ValueError that
    says how to write it (``what`` names the day: ``first``, ``last``)."""
    from api_client.cli_text import parse_date
    from api_client.i18n import _

    try:
        return parse_date(text)
    except ValueError as exc:
        if what == "first":
            message = _("The first day: {reason}")
        elif what == "last":
            message = _("The last day: {reason}")
        else:
            raise
        raise ValueError(message.format(reason=exc)) from None
