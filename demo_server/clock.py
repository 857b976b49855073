"""The school's clock: instants are UTC; days and times shown are the school's.

The database holds instants in UTC (:class:`demo_server.schema.UTCDateTime` hands them back
aware). Whatever a person reads (a date in a refusal, "changed on ... at 19:34", the week a
"today" opens on) is in the school's time zone, ``School.timezone``; the server machine's zone
is never used.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api_client.i18n import _


@cache
def school_zone(name: str | None) -> dt.tzinfo:
    """The zone an IANA name (``Europe/Moscow``) names; UTC for an empty or unknown name."""
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def school_time(moment: dt.datetime, zone: str | None) -> dt.datetime:
    """``moment`` (an aware instant) on the school's wall clock."""
    if moment.tzinfo is None:
        raise ValueError(f"a naive datetime names no instant: {moment!r}")
    return moment.astimezone(school_zone(zone))


def school_date(moment: dt.datetime, zone: str | None) -> dt.date:
    """The school's date at ``moment``."""
    return school_time(moment, zone).date()


def stamp(moment: dt.datetime, zone: str | None) -> str:
    """``2025-03-14 at 19:34``: an instant as the school's clock read it, for refusals."""
    local = school_time(moment, zone)
    return _("{day} at {time}").format(day=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}")
