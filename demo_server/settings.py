"""Settings of the diary server and the state one app instance shares between requests."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from demo_server.clients import parse_networks
from demo_server.clock import school_date
from demo_server.heavy import HeavyWork
from demo_server.schema import School, ServerSetting

MIB = 1024 * 1024
ATTACHMENT_CEILING = 100 * MIB
"""No homework file is ever bigger, whatever the setting: the request is read in memory."""

#: The key in ``server_settings`` that holds the access token signing secret.
TOKEN_SECRET_KEY = "token_secret"

#: The environment variable that freezes the school's "today" (``YYYY-MM-DD``): a demo shown
#: on a chosen date, and tests that must pass on any day. ``diary`` reads the same variable.
TODAY_ENV = "DIARY_TODAY"


def frozen_today(text: str | None) -> dt.date | None:
    """The date ``text`` names (``YYYY-MM-DD``), None when it is empty or None."""
    if not text or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{TODAY_ENV}={text!r} is not a date: write it as YYYY-MM-DD") from None


def today_source() -> Callable[[], dt.date] | None:
    """The frozen "today" ``DIARY_TODAY`` names, None when it is not set: then each school's
    today is its own date (:meth:`ServerState.today`)."""
    day = frozen_today(os.environ.get(TODAY_ENV))
    return None if day is None else (lambda: day)


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    """What a deployment (or a test) may tune. The defaults are the production values."""

    access_token_lifetime: dt.timedelta = dt.timedelta(minutes=5)
    refresh_token_lifetime: dt.timedelta = dt.timedelta(days=30)
    lockout_failures: int = 10
    """Failed logins for one login from one client address within ``lockout_window`` that
    hold that login back from that address (other addresses are not affected)."""
    address_lockout_failures: int = 100
    """Failed logins from one client address, whatever the login, within ``lockout_window``
    that hold the address back. Generous: a school's computer room shares one address."""
    lockout_window: dt.timedelta = dt.timedelta(minutes=15)
    forwarded_allow_ips: tuple[str, ...] = ()
    """Addresses or networks of the reverse proxies whose ``X-Forwarded-For`` names the
    client (``serve --forwarded-allow-ips``). None by default: the client is the peer."""
    max_body_size: int = MIB
    attachment_max_size: int = 10 * MIB
    """The largest homework file a teacher may attach (``serve --attachment-max-mb``); at most
    :data:`ATTACHMENT_CEILING`. The files are kept in the database."""
    attachment_types: tuple[str, ...] = ()
    """The file types (endings) a homework may carry (``serve --attachment-types pdf,docx``);
    empty: every kind the server recognises (``demo_server.attachments.KINDS``)."""
    compress_min_size: int = 500
    heavy_at_once: int = 2
    """Requests with heavy work (roster import, slips, statistics) that run at once."""
    heavy_waiting: int = 8
    """Such requests that may wait for a turn; the next is answered 503 with Retry-After."""
    today: Callable[[], dt.date] | None = field(default_factory=today_source)
    """A frozen "today" for every school (tests; ``DIARY_TODAY`` / ``--today``). None: each
    school's today is its date in its own zone at ``now()`` (:meth:`ServerState.today`); the
    server machine's date is never used."""
    now: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    """The current instant (UTC), for token expiry and the lockout window."""
    audit_key: bytes | None = None
    """The audit chain's HMAC key; default: ``DIARY_AUDIT_KEY`` or the key file
    (:mod:`demo_server.audit_key`)."""


async def ensure_token_secret(session: AsyncSession) -> bytes:
    """The token signing secret from ``server_settings``, created on first use."""
    value = await session.scalar(
        select(ServerSetting.value).where(ServerSetting.key == TOKEN_SECRET_KEY)
    )
    if value is None:
        candidate = secrets.token_hex(32)
        try:
            await session.execute(
                insert(ServerSetting).values(key=TOKEN_SECRET_KEY, value=candidate)
            )
            await session.commit()
            value = candidate
        except IntegrityError:  # another worker created it first
            await session.rollback()
            value = await session.scalar(
                select(ServerSetting.value).where(ServerSetting.key == TOKEN_SECRET_KEY)
            )
            assert value is not None
    return bytes.fromhex(value)


class ServerState:
    """The engine, the session factory and lazily loaded secrets of one app."""

    def __init__(self, engine: AsyncEngine, settings: ServerSettings, backend: str) -> None:
        self.engine = engine
        self.settings = settings
        self.backend = backend
        self.proxies = parse_networks(settings.forwarded_allow_ips)
        """The trusted proxies' networks (see :mod:`demo_server.clients`)."""
        from demo_server.audit_key import current_key
        from demo_server.records import AUDIT_KEY_INFO

        self.audit_key = settings.audit_key or current_key()
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False, info={AUDIT_KEY_INFO: self.audit_key}
        )
        self._secret: bytes | None = None
        self._secret_lock = asyncio.Lock()
        self.write_lock = asyncio.Lock()
        """Held around a journal write's transaction on SQLite: this app's writes take turns."""
        self.heavy = HeavyWork(settings.heavy_at_once, settings.heavy_waiting)
        """Turns for requests whose work grows with their input (see ``demo_server.heavy``)."""

    async def token_secret(self) -> bytes:
        """The signing secret, read from the database once (and created if missing)."""
        if self._secret is None:
            async with self._secret_lock:
                if self._secret is None:
                    async with self.sessionmaker() as session:
                        self._secret = await ensure_token_secret(session)
        return self._secret

    def today(self, zone: str | None) -> dt.date:
        """The school's "today": the frozen date when there is one, else the school's date (its
        IANA ``zone``) at ``settings.now()``. At 22:30 UTC on 25 November a Moscow school's
        today is 26 November, whatever the server machine's zone says."""
        frozen = self.settings.today
        return frozen() if frozen is not None else school_date(self.settings.now(), zone)

    async def school_today(self, db: AsyncSession, school_id: int) -> dt.date:
        """:meth:`today` for the school ``school_id``, for a request with no viewer yet."""
        if self.settings.today is not None:
            return self.settings.today()
        zone = await db.scalar(select(School.timezone).where(School.id == school_id))
        return self.today(zone)
