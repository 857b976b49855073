"""The one clock of the client: instants are UTC; every time shown is on the school's clock.

The app's clock (``DiaryData.clock``) returns aware UTC instants. Whatever a person reads (a
message's time, the last sync, an audit record, a signature) is converted here to the zone of
the account's school (``Me.school.timezone``, an IANA name). The computer's own zone is never
used: a teacher on a laptop set to another zone, or a school server's ``TZ``, sees the school's
19:34 as 19:34. Textual-free, so the command line uses it too.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING

from api_client.i18n import _, day_month

if TYPE_CHECKING:
    from api_client.models import Me


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC: the app's default clock."""
    return dt.datetime.now(dt.UTC)


@cache
def school_zone(name: str | None) -> dt.tzinfo:
    """The zone an IANA name names (``Europe/Moscow``); UTC for an empty or unknown name."""
    if not name:
        return dt.UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def zone_of(me: Me | None) -> dt.tzinfo:
    """The zone of the account's school; UTC until the account is known."""
    return school_zone(me.school.timezone if me is not None else None)


def local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``moment`` on the clock of ``zone`` (a moment without a zone is taken as UTC: the
    server sends UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def clock_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``19:34``."""
    return f"{local(moment, zone):%H:%M}"


def day_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``14 Mar 2026 19:34``."""
    at = local(moment, zone)
    return f"{at.day} {at:%b %Y} {at:%H:%M}"


def short_when(moment: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str:
    """``19:34`` today, ``14 Mar`` earlier this year, ``14 Mar 2025`` before; "today" is
    the school's day at ``now``."""
    at, today = local(moment, zone), local(now, zone)
    if at.date() == today.date():
        return f"{at:%H:%M}"
    if at.year == today.year:
        return f"{at.day} {at:%b}"
    return f"{at.day} {at:%b %Y}"


def when_said(moment: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str:
    """``today 19:34``, ``yesterday 19:34``, ``14 Mar 19:34`` (with the year when not this
    year's), on the school's clock."""
    at, today = local(moment, zone), local(now, zone).date()
    time = f"{at:%H:%M}"
    if at.date() == today:
        return _("today {time}").format(time=time)
    if at.date() == today - dt.timedelta(days=1):
        return _("yesterday {time}").format(time=time)
    day = day_month(at.date(), short=True)
    if at.year == today.year:
        return f"{day} {time}"
    return f"{day} {at.year} {time}"
