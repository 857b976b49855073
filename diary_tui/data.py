"""The data layer the screens use.

Screens ask this module for data and never see httpx, URLs or status codes. One
:class:`DiaryData` owns the session with the server (a :class:`DiaryClient` whose response cache
is the account's on-disk store) and the remembered login in the OS keyring.

Every GET is one value of :mod:`api_client.endpoints`: a screen paints from the store first
(``data.cached(endpoints.week(pupil, day))``, no network) and then refreshes with the same value
(``await data.load(...)``, in a worker), so what it paints is kept under what it asks. Failures
come out as the exceptions re-exported here; turn them into words with :func:`describe_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

import msgspec

from api_client import endpoints
from api_client import models as wire
from api_client.cache import ResponseCache
from api_client.endpoints import Get, monday_of
from api_client.errors import (
    AuthenticationError,
    DiaryError,
    NotFound,
    Offline,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
)
from api_client.i18n import N_, _, ngettext
from api_client.models import (
    API_PREFIX,
    Absence,
    AbsenceKind,
    Event,
    EventKind,
    Homework,
    Lesson,
    LessonStatus,
    Mark,
    Me,
    PupilRef,
    Role,
    TokenPair,
    Week,
)
from diary_tui.clock import local, utcnow, zone_of
from diary_tui.outbox import Outbox
from diary_tui.text import decode as decode_visible
from diary_tui.text import visible

__all__ = [
    "Absence",
    "AbsenceKind",
    "AccountStore",
    "AuthenticationError",
    "CredentialStore",
    "DemoAccount",
    "DiaryData",
    "DiaryError",
    "Event",
    "EventKind",
    "Homework",
    "Lesson",
    "LessonStatus",
    "Mark",
    "Me",
    "NotFound",
    "NotSaved",
    "NotSignedIn",
    "Offline",
    "PupilRef",
    "Queued",
    "RateLimited",
    "Role",
    "Sent",
    "SyncState",
    "UnsentWrites",
    "Waiting",
    "Week",
    "describe_error",
    "monday_of",
]

if TYPE_CHECKING:
    import httpx

    from api_client.client import DiaryClient
    from diary_tui.outbox_ops import Op
    from diary_tui.store import OutboxItem
    from diary_tui.sync import SyncEngine

T = TypeVar("T")
W = TypeVar("W", bound="Op")


class CredentialStore(Protocol):
    """Where remembered logins live: the OS keyring (``diary_tui.credentials.Credentials``)."""

    def available(self) -> tuple[bool, str]: ...

    def save(self, server: str, login: str, refresh_token: str) -> None: ...

    def load(self, server: str, login: str) -> str | None: ...

    def delete(self, server: str, login: str) -> object: ...


class AccountStore(ResponseCache, Outbox, Protocol):
    """One account's local store (``diary_tui.store.Store``)."""

    def last_sync(self) -> dt.datetime | None: ...

    def mark_synced(self) -> None: ...

    def outbox_count(self) -> int: ...

    def refused_count(self) -> int: ...

    def close(self) -> None: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    # the outbox, beyond what the sync engine needs of it (``Outbox``)

    def items(self, states: tuple[str, ...] = (), limit: int = 10_000) -> list[OutboxItem]: ...

    def dismiss(self, item_ids: list[int]) -> None: ...

    def forget_settled(self, older_than: dt.datetime) -> int: ...


StoreOpener = Callable[[str, str], AccountStore]
StoreRemover = Callable[[str, str], object]


def _open_store(server: str, login: str) -> AccountStore:
    from diary_tui.store import Store

    return Store.open_for(server, login)


def _has_store(server: str, login: str) -> bool:
    from diary_tui.store import store_path

    return store_path(server, login).exists()


def _delete_store(server: str, login: str) -> object:
    from diary_tui.store import Store

    return Store.delete_for(server, login)


def _save_last_login(server: str, login: str) -> None:
    from diary_tui.config import save_last_login

    save_last_login(server, login)


#: Freezes the diary's "today" (``YYYY-MM-DD``), as it does the server's: a demo shown on a
#: chosen day, and tests that pass on any day.
TODAY_ENV = "DIARY_TODAY"


def frozen_today() -> dt.date | None:
    """The date in ``DIARY_TODAY``, or None when it is unset (or not a date)."""
    text = os.environ.get(TODAY_ENV, "").strip()
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def normalize_server(server: str) -> str:
    """A server address as the user may type it, made into a base URL; ValueError if hopeless."""
    server = server.strip().rstrip("/")
    if not server:
        raise ValueError("Enter the address of the diary server, e.g. https://diary.school.org")
    if "://" not in server:
        server = ("http://" if server.startswith(("127.", "localhost")) else "https://") + server
    try:
        url = urlsplit(server)
        url.port  # noqa: B018 (a bad port raises here)
    except ValueError as exc:
        raise ValueError(f"{server!r} is not a server address") from exc
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"{server!r} is not a server address: use https://host or http://host")
    # The address the server prints ends in the API's prefix; the client adds it itself.
    return server.removesuffix(API_PREFIX).rstrip("/") or server


USERS_SHOWN = 200
"""How many accounts the users screen lists at once."""

REMEMBERED = "remembered"
"""The store's meta key saying its login is remembered in the keyring."""


def _client_class() -> type[DiaryClient]:
    """The HTTP client, imported when the first session opens: the first screen paints from
    the local store without paying for httpx."""
    from api_client.client import DiaryClient

    return DiaryClient


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo login offered by the chooser of ``diary demo``."""

    login: str
    password: str
    role: str
    title: str


AUDIT_WARNING_KEY = "audit.warning"
"""Store meta: the warning about the server's audit log, once its chain lost a head this app
saw (``live.LiveSync.witness``)."""


@dataclass(slots=True)
class SyncState:
    """What the status line shows."""

    online: bool | None = None
    """None until the first answer (or failure) of this session."""
    last_sync: dt.datetime | None = None
    outbox: int = 0
    refused: int = 0
    """Writes the server refused (or found in conflict) that the user has not dealt with."""
    account: str = ""
    audit_warning: bool = False
    """The server's audit log lost a record this app saw (see ``live.witness``)."""
    signed_in: bool = True
    """False for a saved copy opened read-only, with no session (offline, no keyring)."""
    consent_missing: bool = False
    """A parent who has not accepted the school's current consent text (asked after login,
    answered "later", or withdrawn in Settings)."""


@dataclass(frozen=True, slots=True)
class Sent(Generic[T]):
    """A write the server took at once: its answer."""

    value: T


@dataclass(frozen=True, slots=True)
class Waiting:
    """A write kept in the outbox: the server could not be reached, it goes when it can."""

    item_id: int
    reason: str = ""


class NotSaved(DiaryError):
    """The server refused a write from the outbox (the reason is the server's, in words)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self._field = field

    @property
    def field(self) -> str | None:
        return self._field


class Unfit(ValueError):
    """Typed text the server would refuse, said before it is sent or queued; ``field`` is
    the request's field it is about (None: not one field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Queued(Generic[W]):
    """A write waiting in the outbox, as a screen shows it."""

    item_id: int
    write: W
    created_at: dt.datetime


class UnsentWrites(Exception):
    """Logging out would throw away writes the server has not taken: those waiting to be sent
    (``ops``) and those it refused or found in conflict that the user has not dealt with yet
    (``refused``)."""

    def __init__(self, ops: list[str], refused: list[str] | None = None) -> None:
        from diary_tui.sync import describe_unsent

        self.ops = ops
        self.refused = refused or []
        super().__init__(describe_unsent(self.ops, self.refused))

    @property
    def count(self) -> int:
        return len(self.ops) + len(self.refused)


NOT_SIGNED_IN = N_(
    "Offline and not signed in: this is the copy saved on this computer. Log in when the "
    "server can be reached to see what is new and to send what waits."
)


class NotSignedIn(Offline):
    """A saved copy is open read-only (offline, not signed in) and this needs the server. The
    app says so once when it opens the copy and the status line keeps saying it, so a screen's
    refresh failing for this reason says nothing more."""

    def __init__(self, message: str = "") -> None:
        message = message or _(NOT_SIGNED_IN)
        super().__init__(message)


WAIT_FOR_ANSWER = 8.0
"""Seconds a screen waits for the server to take a write before showing it as waiting."""


def describe_error(exc: BaseException) -> str:
    """A failure in plain words for a notification. Its text may be the server's (a problem's
    detail) or hold the server's (a name in a ValueError): it is shown, never obeyed."""
    return visible(_describe_error(exc), multiline=True)


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, RateLimited):
        if exc.retry_after:
            minutes = max(1, -(-exc.retry_after // 60))
            return ngettext(
                "Too many failed attempts from this computer's network address. "
                "Try again in {n} minute.",
                "Too many failed attempts from this computer's network address. "
                "Try again in {n} minutes.",
                minutes,
            ).format(n=minutes)
        return _("Too many attempts: wait a little and try again.")
    if isinstance(exc, AuthenticationError):
        message = exc.message or _("wrong login or password")
        message = message[:1].upper() + message[1:]
        return message if message.endswith((".", "!", ":")) else message + "."
    if isinstance(exc, Offline):
        return _("{reason} Check the address and the connection.").format(reason=exc.message)
    if isinstance(exc, PermissionDenied):
        return _("Not allowed: {reason}").format(reason=exc.message)
    if isinstance(exc, NotFound):
        return _("Not found: {reason}").format(reason=exc.message)
    if isinstance(exc, ServerError):
        return _("The server failed ({reason}). Try again later.").format(reason=exc.message)
    if isinstance(exc, ProtocolError):
        return exc.message
    if isinstance(exc, DiaryError):
        return exc.message
    if isinstance(exc, ValueError):
        return str(exc)
    return _("Something went wrong: {error}").format(error=f"{type(exc).__name__}: {exc}")


SENDER_GRACE = 2.0
"""Seconds a write on its way may take to be answered when the session closes."""


class DiaryData:
    """One user's session with one server, plus the local store and the keyring.

    The constructor does no I/O. ``credentials`` may be None (no keyring at all: nothing is
    remembered); ``transport`` runs the server in-process in tests; ``clock`` and ``today`` are
    frozen in tests.
    """

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        credentials: CredentialStore | None = None,
        open_store: StoreOpener = _open_store,
        delete_store: StoreRemover = _delete_store,
        has_store: Callable[[str, str], bool] = _has_store,
        save_last_login: Callable[[str, str], None] | None = _save_last_login,
        clock: Callable[[], dt.datetime] = utcnow,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        self._transport = transport
        self.credentials = credentials
        self._open_store = open_store
        self._delete_store = delete_store
        self._has_store = has_store
        self._resuming: asyncio.Future[bool] | None = None
        self._save_last_login = save_last_login
        self.clock = clock
        if today is None and (day := frozen_today()) is not None:
            today = lambda: day  # noqa: E731
        self._today = today
        self.client: DiaryClient | None = None
        self.store: AccountStore | None = None
        self.server: str | None = None
        self.login_name: str | None = None
        self.remember = False
        self.state = SyncState()
        self.me: Me | None = None
        self.child_id: int | None = None
        """The pupil whose diary the screens show (a parent's chosen child)."""
        self._keyring: tuple[bool, str] | None = None
        self._sync: SyncEngine | None = None
        self.read_only = False
        """A saved copy opened with no session (the server was down and nothing remembered
        the login): screens show it; writes wait in its outbox for the next login."""
        self._awaited: set[int] = set()
        """Outbox writes a screen waits on (it shows their refusal itself)."""
        self._senders: set[asyncio.Future[bool]] = set()

    # -- facts ------------------------------------------------------------------------

    @property
    def children(self) -> list[PupilRef]:
        """The pupils whose diary this user reads: a parent's children, or the pupil."""
        return list(self.me.children) if self.me is not None else []

    @property
    def child(self) -> PupilRef | None:
        """The pupil shown now: the chosen one, else the first. Every screen shows this one."""
        children = self.children
        for pupil in children:
            if pupil.id == self.child_id:
                return pupil
        return children[0] if children else None

    @property
    def child_index(self) -> int:
        child = self.child
        return self.children.index(child) if child is not None else 0

    def next_child(self) -> PupilRef | None:
        """Choose the next child (round the list) and return it."""
        children = self.children
        if not children:
            return None
        chosen = children[(self.child_index + 1) % len(children)]
        self.child_id = chosen.id
        return chosen

    @property
    def zone(self) -> dt.tzinfo:
        """The school's time zone: every time shown is on its clock, never the computer's."""
        return zone_of(self.me)

    def today(self) -> dt.date:
        """The school's date (unless frozen): a parent abroad still opens the school's week."""
        return self._today() if self._today is not None else local(self.clock(), self.zone).date()

    @property
    def logged_in(self) -> bool:
        return self.client is not None and self.client.logged_in

    async def keyring_status(self) -> tuple[bool, str]:
        """Whether logins can be remembered, and if not, why (probed once, off the loop)."""
        if self._keyring is None:
            if self.credentials is None:
                self._keyring = (
                    False,
                    _("Logins are not remembered here. You can still log in for this session."),
                )
            else:
                self._keyring = await asyncio.to_thread(self.credentials.available)
        return self._keyring

    # -- sessions ---------------------------------------------------------------------

    async def login(self, server: str, login: str, password: str, remember: bool) -> Me:
        """Log in with a password; with ``remember`` the refresh token goes to the keyring."""
        server = normalize_server(server)
        login = login.strip()
        if not login:
            raise ValueError("Enter your login.")
        if not password:
            raise ValueError("Enter your password.")
        await self.close()
        self.me, self.child_id = None, None
        can_remember, _reason = await self.keyring_status() if remember else (False, "")
        self.server, self.login_name = server, login
        self.remember = remember and can_remember
        client = _client_class()(
            server, transport=self._transport, on_tokens=self._tokens_changed, decode=decode_visible
        )
        self.client = client
        try:
            await self._online(client.login(login, password))
        except BaseException:
            await self.close()
            raise
        if not self.remember and self.credentials is not None and can_remember:
            # A login that is not to be remembered replaces an older remembered one.
            await asyncio.to_thread(self.credentials.delete, server, login)
        self._attach_store()
        assert self.store is not None
        # Whether the next start may paint this account's saved diary before the keyring
        # answers (only a remembered login opens without a password).
        self.store.set_meta(REMEMBERED, "1" if self.remember else "0")
        if self._save_last_login is not None:
            await asyncio.to_thread(self._save_last_login, server, login)
        return await self.load_me()

    def open_saved(self, server: str, login: str) -> bool:
        """Open the saved diary of a remembered login, with no network and no keyring, so the
        first screen paints at once; :meth:`resume` then opens the session itself.

        False when there is nothing saved for this account, or its login was not remembered.
        """
        server = normalize_server(server)
        if not self._has_store(server, login):
            return False
        store = self._open_store(server, login)
        if store.get_meta(REMEMBERED) != "1":
            store.close()
            return False
        self.server, self.login_name, self.store = server, login, store
        self.state = SyncState(
            online=None,
            last_sync=store.last_sync(),
            outbox=store.outbox_count(),
            refused=store.refused_count(),
            audit_warning=bool(store.get_meta(AUDIT_WARNING_KEY)),
            account=f"{login}@{urlsplit(server).hostname}",
        )
        if self.cached_me() is None:
            self.store, self.server, self.login_name = None, None, None
            store.close()
            return False
        return True

    def has_saved_copy(self, server: str, login: str) -> bool:
        """Whether this computer holds a saved copy of this account's diary."""
        try:
            return self._has_store(normalize_server(server), login)
        except ValueError:
            return False

    async def server_answers(self, server: str) -> bool:
        """Whether the server can be reached now (its health, no login needed)."""
        try:
            async with _client_class()(normalize_server(server), transport=self._transport) as c:
                await c.health()
        except (DiaryError, ValueError):
            return False
        return True

    def open_read_only(self, server: str, login: str) -> bool:
        """Open the saved copy of an account with no session (the server cannot be reached and
        no remembered login opens one): screens paint from it, nothing is fetched, and writes
        wait in its outbox until the next login. False when there is no usable copy."""
        server = normalize_server(server)
        if not self._has_store(server, login):
            return False
        store = self._open_store(server, login)
        self.server, self.login_name, self.store = server, login, store
        self.state = SyncState(
            online=False,
            last_sync=store.last_sync(),
            outbox=store.outbox_count(),
            refused=store.refused_count(),
            account=f"{login}@{urlsplit(server).hostname}",
            signed_in=False,
        )
        if self.cached_me() is None:
            self.store, self.server, self.login_name = None, None, None
            self.state = SyncState()
            store.close()
            return False
        self.read_only = True
        return True

    async def resume(self, server: str, login: str) -> bool:
        """Open the remembered session for ``server`` and ``login`` without the network.

        False when no refresh token is remembered. The token is checked by the first load.
        A store opened by :meth:`open_saved` for the same account stays open; loads asked for
        meanwhile wait for this to finish.
        """
        resuming: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._resuming = resuming
        ok = False
        try:
            ok = await self._resume(server, login)
        finally:
            resuming.set_result(ok)
            if self._resuming is resuming:
                self._resuming = None
        return ok

    async def _resume(self, server: str, login: str) -> bool:
        if self.credentials is None:
            return False
        server = normalize_server(server)
        ok, _reason = await self.keyring_status()
        if not ok:
            return False
        token = await asyncio.to_thread(self.credentials.load, server, login)
        if not token:
            return False
        keep = self.store if (self.server, self.login_name) == (server, login) else None
        if keep is not None:
            self.store = None  # not closed below: the screens are painted from it
        await self.close()
        self.server, self.login_name, self.remember = server, login, True
        self.client = _client_class()(
            server,
            transport=self._transport,
            refresh_token=token,
            on_tokens=self._tokens_changed,
            decode=decode_visible,
        )
        if keep is not None:
            self.store = keep
            self.client.cache = keep
        else:
            self._attach_store()
        return True

    # -- the outbox: writes waiting to be sent ---------------------------------------------

    def waiting_ops(self) -> list[str]:
        """What each write waiting in the outbox does (``mark.create``, ...), oldest first."""
        if self.store is None:
            return []
        return [item.op for item in self.store.pending(limit=1_000_000)]

    def refused_ops(self) -> list[str]:
        """What each write the server refused or found in conflict does, while the user has
        not dealt with it (it is unsent too: logging out would delete it), oldest first."""
        from diary_tui.store import REFUSED

        if self.store is None:
            return []
        return [item.op for item in self.store.items(REFUSED, limit=1_000_000)]

    def queued(self, kind: type[W]) -> list[Queued[W]]:
        """The writes of ``kind`` that wait in the outbox, oldest first."""
        if self.store is None:
            return []
        return [
            Queued(item.id, item.write, item.created_at)
            for item in self.store.pending(limit=1_000_000)
            if isinstance(item.write, kind)
        ]

    def answered_here(self, item_id: int) -> bool:
        """Whether a screen is waiting on this write and shows its answer itself."""
        return item_id in self._awaited

    async def _submit(self, write: Op, type_: type[T]) -> Sent[T] | Waiting:
        """Put ``write`` in the outbox (durable before this returns anything) and send it.

        The answer comes back as :class:`Sent` when the server takes it within
        :data:`WAIT_FOR_ANSWER`; :class:`Waiting` when the server cannot be reached (the
        write stays and goes, exactly once, when it can); :class:`NotSaved` is raised when the
        server refuses it.
        """
        from diary_tui.store import REFUSED, SENT
        from diary_tui.sync import Settled, StatusChanged

        if not self.read_only:
            await self._session()
        engine = self.sync_engine()
        item_id = engine.enqueue(write)
        answer: asyncio.Future[OutboxItem | None] = asyncio.get_running_loop().create_future()

        def heard(event: object) -> None:
            if answer.done():
                return
            if isinstance(event, Settled) and event.item.id == item_id:
                answer.set_result(event.item)
            elif isinstance(event, StatusChanged) and event.error:
                answer.set_result(None)  # the outbox cannot get through now: ours waits

        stop = engine.listen(heard)
        self._awaited.add(item_id)
        try:
            sender = asyncio.ensure_future(engine.drain())
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
            engine.kick()
            try:
                async with asyncio.timeout(WAIT_FOR_ANSWER):
                    item = await asyncio.shield(answer)
            except TimeoutError:
                item = None
        finally:
            stop()
            self._awaited.discard(item_id)
        if item is None or item.state not in (SENT, *REFUSED):
            return Waiting(item_id, engine.last_error)
        if item.state != SENT:
            # The screen shows the refusal where the user is: nothing more to deal with.
            if self.store is not None:
                self.store.dismiss([item_id])
            self.state.refused = self.store.refused_count() if self.store else 0
            raise NotSaved(item.error or "the server refused it", item.field or None)
        return Sent(wire.decode(item.result or b"null", type_))

    async def logout(self, *, discard_unsent: bool = False) -> None:
        """End the session on the server (if reachable), forget the token and the store.

        Raises :class:`UnsentWrites` while writes wait in the outbox, or wait for the user to
        deal with the server's refusal, unless the user said to throw them away
        (``discard_unsent``).
        """
        if not discard_unsent:
            ops, refused = self.waiting_ops(), self.refused_ops()
            if ops or refused:
                raise UnsentWrites(ops, refused)
        client, server, login = self.client, self.server, self.login_name
        try:
            if client is not None:
                # The server may be unreachable; the local session ends regardless.
                with contextlib.suppress(DiaryError):
                    await client.logout()
        finally:
            if server and login:
                if self.credentials is not None and (await self.keyring_status())[0]:
                    await asyncio.to_thread(self.credentials.delete, server, login)
                await self.close()
                await asyncio.to_thread(self._delete_store, server, login)
            else:
                await self.close()
            self.me = None
            self.child_id = None
            self.state = SyncState()

    async def close(self) -> None:
        """Close the connection and the store (the remembered login stays).

        A write being sent is given a moment to get its answer; one still on the way then is
        stopped (it stays in the outbox and goes, with the same key, next time): no sender
        outlives the session it was sending for.
        """
        senders, self._senders = set(self._senders), set()
        if senders:
            _done, late = await asyncio.wait(senders, timeout=SENDER_GRACE)
            for sender in late:
                sender.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._sync = None
        self.read_only = False
        client, self.client = self.client, None
        store, self.store = self.store, None
        if client is not None:
            await client.aclose()
        if store is not None:
            store.close()

    def _attach_store(self) -> None:
        assert self.client is not None and self.server and self.login_name
        self._sync = None
        self.store = self._open_store(self.server, self.login_name)
        self.client.cache = self.store
        self.state = SyncState(
            online=None,
            last_sync=self.store.last_sync(),
            outbox=self.store.outbox_count(),
            refused=self.store.refused_count(),
            audit_warning=bool(self.store.get_meta(AUDIT_WARNING_KEY)),
            account=f"{self.login_name}@{urlsplit(self.server).hostname}",
        )

    def _tokens_changed(self, pair: TokenPair | None) -> None:
        if not self.remember or self.credentials is None or not self.server:
            return
        assert self.login_name is not None
        # Rotation: the old refresh token stops working, so the new one replaces it at once.
        if pair is None:
            self.credentials.delete(self.server, self.login_name)
        else:
            self.credentials.save(self.server, self.login_name, pair.refresh_token)

    async def _online(self, call: Awaitable[T]) -> T:
        """Await a client call, keeping the online/offline state."""
        try:
            result = await call
        except Offline:
            self.state.online = False
            raise
        self.state.online = True
        return result

    def _synced(self) -> None:
        self.state.last_sync = self.clock()
        if self.store is not None:
            self.store.mark_synced()
            self.state.outbox = self.store.outbox_count()
            self.state.refused = self.store.refused_count()

    async def _session(self) -> DiaryClient:
        """The client, once the session is open: a screen painted from the store before the
        remembered login was read from the keyring waits here for it."""
        if self.client is None and self._resuming is not None:
            await asyncio.shield(self._resuming)
        return self._require_client()

    async def _call(self, call: Callable[[DiaryClient], Awaitable[T]]) -> T:
        """One call of the session's client (``call(client)``), keeping the online state."""
        client = await self._session()
        return await self._online(call(client))

    def _require_client(self) -> DiaryClient:
        if self.client is None and self.read_only:
            raise NotSignedIn()
        if self.client is None:
            raise AuthenticationError("Not logged in: log in first.")
        return self.client

    # -- data ---------------------------------------------------------------------------

    def cached(self, req: Get[T]) -> T | None:
        """What the store holds for a GET, without the network (None when nothing usable)."""
        if self.store is None:
            return None
        hit = self.store.get(req.key)
        if hit is None:
            return None
        try:
            return decode_visible(hit.body, req.type)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # saved by an older version of the app: the refresh replaces it

    async def load(self, req: Get[T]) -> T:
        """The server's answer to a GET (a 304 is answered from the store, which keeps it)."""
        value = await self._call(lambda client: client.fetch(req))
        self._synced()
        return value

    def cached_me(self) -> Me | None:
        """Who this is, from the store; it becomes :attr:`me` when nothing newer is known."""
        me = self.cached(endpoints.me())
        if me is not None and self.me is None:
            self.me = me
        return me

    async def load_me(self) -> Me:
        """Who this is, from the server: it becomes :attr:`me`."""
        self.me = await self.load(endpoints.me())
        return self.me

    # -- the class journal and the outbox -------------------------------------------------

    def sync_engine(self) -> SyncEngine:
        """The sync engine of this session (the app runs it in a worker)."""
        from diary_tui.sync import SyncEngine

        if self.read_only and self.client is None and self.store is not None:
            # No session: writes are kept in the outbox for the next login.
            if self._sync is None:
                self._sync = SyncEngine(
                    None,
                    self.store,
                    state=self.state,
                    clock=self.clock,
                    no_session=_(NOT_SIGNED_IN),
                )
            return self._sync
        client = self._require_client()
        if self.store is None:
            raise AuthenticationError("Not logged in: log in first.")
        if self._sync is None or self._sync.client is not client:
            # Answers older than a month are of no more use.
            self.store.forget_settled(self.clock() - dt.timedelta(days=30))
            self._sync = SyncEngine(client, self.store, state=self.state, clock=self.clock)
        return self._sync

    async def change_lesson(
        self, lesson_id: int, body: wire.LessonChange, idempotency_key: str
    ) -> wire.LessonDetail:
        """Send a timetable change at once (not through the outbox: it needs the server)."""
        lesson = await self._call(
            lambda client: client.change_lesson(lesson_id, body, idempotency_key)
        )
        self._synced()
        return lesson

    def remembered(self, key: str) -> str | None:
        """A small setting kept in this account's store (e.g. the last journal opened)."""
        return self.store.get_meta(key) if self.store is not None else None

    def remember_setting(self, key: str, value: str) -> None:
        if self.store is not None:
            self.store.set_meta(key, value)

    # -- grades, homework, attendance -------------------------------------------------------

    def hypothetical_marks(
        self, pupil_id: int, subject_id: int, period: str = "year"
    ) -> list[tuple[int, int]]:
        """The "what if" marks (value, weight) of a subject in one period (a period's id, or
        ``year``): kept here, never sent, and shown only in the period they were added to."""
        import json

        raw = self.remembered(f"whatif:{pupil_id}:{period}:{subject_id}")
        if not raw:
            return self._whatif.get((pupil_id, period, subject_id), [])
        try:
            return [(int(value), int(weight)) for value, weight in json.loads(raw)]
        except (ValueError, TypeError):
            return []

    def set_hypothetical_marks(
        self, pupil_id: int, subject_id: int, marks: list[tuple[int, int]], period: str = "year"
    ) -> None:
        import json

        self._whatif[(pupil_id, period, subject_id)] = list(marks)
        self.remember_setting(f"whatif:{pupil_id}:{period}:{subject_id}", json.dumps(marks))

    @property
    def _whatif(self) -> dict[tuple[int, str, int], list[tuple[int, int]]]:
        found: dict[tuple[int, str, int], list[tuple[int, int]]] | None = getattr(
            self, "_whatif_marks", None
        )
        if found is None:
            found = {}
            self._whatif_marks = found
        return found

    async def set_homework_done(
        self, pupil_id: int, homework_id: int, done: bool
    ) -> Sent[wire.HomeworkDoneState] | Waiting:
        """Tick (or untick) homework; the server keeps it for the pupil. Through the outbox:
        offline the tick waits and is sent when the server is back."""
        from diary_tui.outbox_ops import HomeworkDoneOp

        request = wire.HomeworkDoneRequest(done=done)
        write = HomeworkDoneOp(pupil_id=pupil_id, homework_id=homework_id, request=request)
        return await self._submit(write, wire.HomeworkDoneState)

    async def download_attachment(
        self, attachment: wire.Attachment, folder: str | None = None
    ) -> str:
        """Save an attachment into ``folder`` (default ~/Downloads); returns the file's path.

        The name is the attachment's own (never a path); an existing file is not replaced:
        ``name (1).ext`` and so on."""
        from pathlib import Path

        content = await self._call(lambda client: client.attachment(attachment.id))
        import posixpath

        name = posixpath.basename(attachment.name.replace("\\", "/")).strip()
        if name in ("", ".", ".."):
            name = f"attachment-{attachment.id}"
        where = folder or "~/Downloads"

        def write() -> str:
            target_dir = Path(where).expanduser()
            target_dir.mkdir(parents=True, exist_ok=True)
            stem, suffix = Path(name).stem, Path(name).suffix
            path = target_dir / name
            counter = 1
            while True:
                try:
                    with open(path, "xb") as file:
                        file.write(content)
                    return str(path)
                except FileExistsError:
                    path = target_dir / f"{stem} ({counter}){suffix}"
                    counter += 1

        try:
            return await asyncio.to_thread(write)
        except OSError as exc:
            raise ValueError(f"Could not save {name} in {where}: {exc.strerror}.") from exc

    async def send_absence_notice(
        self,
        pupil_id: int,
        start: dt.date,
        end: dt.date,
        reason: wire.AbsenceReason,
        note: str = "",
    ) -> Sent[wire.AbsenceNotice] | Waiting:
        """Tell the class teacher about an absence (a parent); dates are checked first. It
        goes through the outbox: offline it waits and is sent when the server is back."""
        from diary_tui.outbox_ops import NoticeCreateOp

        if end < start:
            raise ValueError("The last day must not be before the first day.")
        body = wire.AbsenceNoticeRequest(start=start, end=end, reason=reason, note=note)
        write = NoticeCreateOp(pupil_id=pupil_id, request=body)
        return await self._submit(write, wire.AbsenceNotice)

    async def withdraw_absence_notice(self, notice_id: int) -> Sent[wire.AbsenceNotice] | Waiting:
        """Take back a notice the class teacher has not read (a parent), through the outbox:
        offline it waits and is sent when the server is back."""
        from diary_tui.outbox_ops import NoticeWithdrawOp

        return await self._submit(NoticeWithdrawOp(notice_id=notice_id), wire.AbsenceNotice)

    async def mark_absence_notice_seen(self, notice_id: int) -> Sent[wire.AbsenceNotice] | Waiting:
        """Tell the server the notice was read (a class teacher), through the outbox: offline
        it waits and is sent when the server is back."""
        from diary_tui.outbox_ops import NoticeSeenOp

        return await self._submit(NoticeSeenOp(notice_id=notice_id), wire.AbsenceNotice)

    async def apply_absence_notice(
        self, notice_id: int
    ) -> Sent[wire.AbsenceNoticeApplied] | Waiting:
        """Excuse the absences a notice covers (a class teacher), through the outbox."""
        from diary_tui.outbox_ops import NoticeApplyOp

        return await self._submit(NoticeApplyOp(notice_id=notice_id), wire.AbsenceNoticeApplied)

    # -- messages -----------------------------------------------------------------------

    async def mark_thread_read(
        self, thread_id: int, last_read_id: int
    ) -> Sent[wire.ReadState] | Waiting:
        """The thread was read up to ``last_read_id``, through the outbox."""
        from diary_tui.outbox_ops import ThreadReadOp

        request = wire.ReadRequest(last_read_id=last_read_id)
        return await self._submit(
            ThreadReadOp(thread_id=thread_id, request=request), wire.ReadState
        )

    @staticmethod
    def check_message(
        body: str,
        what: str = N_("message"),
        limit: int = wire.MESSAGE_MAX_LENGTH,
        *,
        one_line: bool = False,
        field: str | None = None,
    ) -> str:
        """The text as it will be sent, or :class:`Unfit` in plain words (the server's rules,
        said before the text is sent or queued). ``what`` names the box in English, marked
        ``N_()`` (translated here); ``field`` is the request's field it fills."""
        label = _(what)
        text = body.strip("\n\r ")
        if not text:
            raise Unfit(_("The {what} is empty: write something first.").format(what=label), field)
        if one_line and "\n" in text:
            raise Unfit(_("The {what} must be one line.").format(what=label), field)
        if refusal := wire.text_refusal(text, label, limit, one_line=one_line):
            raise Unfit(refusal, field)
        return text

    async def send_reply(self, thread_id: int, body: str) -> Sent[wire.Thread] | Waiting:
        """Reply in a thread, through the outbox (offline it waits to be sent)."""
        from diary_tui.outbox_ops import ReplyOp

        text = self.check_message(body, field="body")
        write = ReplyOp(thread_id=thread_id, request=wire.ReplyRequest(body=text))
        return await self._submit(write, wire.Thread)

    async def start_thread(
        self, recipient_id: int, pupil_id: int | None, subject: str, body: str
    ) -> Sent[wire.Thread] | Waiting:
        """Start a thread, through the outbox (offline it waits to be sent)."""
        from diary_tui.outbox_ops import ThreadCreateOp

        title = self.check_message(
            subject, N_("subject"), wire.SUBJECT_MAX_LENGTH, one_line=True, field="subject"
        )
        text = self.check_message(body, field="body")
        request = wire.NewThreadRequest(
            recipient_id=recipient_id, pupil_id=pupil_id, subject=title, body=text
        )
        write = ThreadCreateOp(request=request)
        return await self._submit(write, wire.Thread)

    async def message_class_parents(
        self, class_id: int, subject: str, body: str, parent_ids: list[int]
    ) -> Sent[wire.ClassMessageSent] | Waiting:
        """One message to the class's parents (``parent_ids``; empty: all of them), a private
        thread each, through the outbox; :class:`NotSaved` when the server refuses it."""
        from diary_tui.outbox_ops import ClassMessageOp

        title = self.check_message(
            subject, N_("subject"), wire.SUBJECT_MAX_LENGTH, one_line=True, field="subject"
        )
        text = self.check_message(body, field="body")
        request = wire.ClassMessageRequest(subject=title, body=text, parent_ids=parent_ids)
        return await self._submit(
            ClassMessageOp(class_id=class_id, request=request), wire.ClassMessageSent
        )

    # -- the class chat -------------------------------------------------------------------

    async def send_chat_message(self, class_id: int, body: str) -> Sent[wire.ChatMessage] | Waiting:
        """A message in a class chat (checked first), through the outbox: offline it waits
        and is sent when the server is back."""
        from diary_tui.outbox_ops import ChatPostOp

        text = self.check_message(body, "message", wire.CHAT_MESSAGE_MAX_LENGTH)
        write = ChatPostOp(class_id=class_id, request=wire.ChatPost(body=text))
        return await self._submit(write, wire.ChatMessage)

    async def hide_chat_message(
        self, class_id: int, message_id: int, hidden: bool
    ) -> Sent[wire.ChatMessage] | Waiting:
        """Hide a chat message or show it again (a moderator), through the outbox."""
        from diary_tui.outbox_ops import ChatHideOp

        write = ChatHideOp(
            class_id=class_id, message_id=message_id, request=wire.ChatHide(hidden=hidden)
        )
        return await self._submit(write, wire.ChatMessage)

    async def set_chat_closed(self, class_id: int, closed: bool) -> Sent[wire.Chat] | Waiting:
        """Close a class chat or open it again (a moderator), through the outbox."""
        from diary_tui.outbox_ops import ChatStateOp

        write = ChatStateOp(class_id=class_id, request=wire.ChatState(closed=closed))
        return await self._submit(write, wire.Chat)

    # -- announcements and events ---------------------------------------------------------

    async def mark_announcement_read(
        self, announcement_id: int
    ) -> Sent[wire.AnnouncementItem] | Waiting:
        """The announcement was read, through the outbox."""
        from diary_tui.outbox_ops import AnnouncementReadOp

        write = AnnouncementReadOp(announcement_id=announcement_id)
        return await self._submit(write, wire.AnnouncementItem)

    async def post_announcement(
        self,
        title: str,
        body: str,
        class_id: int | None,
        audience: wire.AnnouncementAudience | None = None,
        grade: int | None = None,
    ) -> Sent[wire.AnnouncementItem] | Waiting:
        """Post an announcement (checked first) to ``audience`` (a class, a parallel, the
        parents, the teachers, the school), through the outbox: offline it waits and is
        posted once when the server is back."""
        from diary_tui.outbox_ops import AnnouncementPostOp

        heading = self.check_message(
            title, N_("title"), wire.SUBJECT_MAX_LENGTH, one_line=True, field="title"
        )
        text = self.check_message(body, N_("text"), field="body")
        request = wire.AnnouncementRequest(
            title=heading, body=text, class_id=class_id, audience=audience, grade=grade
        )
        return await self._submit(AnnouncementPostOp(request=request), wire.AnnouncementItem)

    # -- teacher blogs -------------------------------------------------------------------
    # Read with ``endpoints.blog_posts()`` and ``endpoints.blog_post(id)`` through
    # :meth:`cached` and :meth:`load`; every write goes through the outbox.

    async def write_blog_post(
        self, title: str, body: str, class_id: int | None
    ) -> Sent[wire.BlogPostItem] | Waiting:
        """A teacher's post (checked first) for a class they teach or the whole school."""
        from diary_tui.outbox_ops import BlogPostOp

        heading = self.check_message(
            title, N_("title"), wire.TITLE_MAX_LENGTH, one_line=True, field="title"
        )
        text = self.check_message(body, N_("text"), field="body")
        request = wire.BlogPostRequest(title=heading, body=text, class_id=class_id)
        return await self._submit(BlogPostOp(request=request), wire.BlogPostItem)

    async def edit_blog_post(
        self, post: wire.BlogPostItem, title: str, body: str
    ) -> Sent[wire.BlogPostItem] | Waiting:
        """The author's new title and text (checked first) for their post, at the version
        they saw (a change made meanwhile is a conflict, never overwritten)."""
        from diary_tui.outbox_ops import BlogEditOp

        heading = self.check_message(
            title, N_("title"), wire.TITLE_MAX_LENGTH, one_line=True, field="title"
        )
        text = self.check_message(body, N_("text"), field="body")
        request = wire.BlogPostEdit(version=post.version, title=heading, body=text)
        return await self._submit(BlogEditOp(post_id=post.id, request=request), wire.BlogPostItem)

    async def close_blog_comments(
        self, post: wire.BlogPostItem, closed: bool
    ) -> Sent[wire.BlogPostItem] | Waiting:
        """The author closes (or opens again) the comments of their post."""
        from diary_tui.outbox_ops import BlogEditOp

        request = wire.BlogPostEdit(version=post.version, comments_closed=closed)
        return await self._submit(BlogEditOp(post_id=post.id, request=request), wire.BlogPostItem)

    async def hide_blog_post(
        self, post: wire.BlogPostItem, hidden: bool, reason: str = ""
    ) -> Sent[wire.BlogPostItem] | Waiting:
        """The administration hides a post (or shows it again), saying why."""
        from diary_tui.outbox_ops import BlogHideOp

        request = wire.BlogVisibility(version=post.version, hidden=hidden, reason=reason)
        return await self._submit(BlogHideOp(post_id=post.id, request=request), wire.BlogPostItem)

    async def comment_blog_post(self, post_id: int, body: str) -> Sent[wire.BlogComment] | Waiting:
        """A comment (checked first) on a post."""
        from diary_tui.outbox_ops import BlogCommentOp

        text = self.check_message(body, N_("comment"), wire.BLOG_COMMENT_MAX_LENGTH, field="body")
        request = wire.BlogCommentRequest(body=text)
        return await self._submit(BlogCommentOp(post_id=post_id, request=request), wire.BlogComment)

    async def hide_blog_comment(
        self, comment: wire.BlogComment, hidden: bool, reason: str = ""
    ) -> Sent[wire.BlogComment] | Waiting:
        """The post's author or the administration hides a comment (or shows it again)."""
        from diary_tui.outbox_ops import BlogCommentHideOp

        request = wire.BlogVisibility(version=comment.version, hidden=hidden, reason=reason)
        op = BlogCommentHideOp(post_id=comment.post_id, comment_id=comment.id, request=request)
        return await self._submit(op, wire.BlogComment)

    # -- parent meetings ----------------------------------------------------------------

    async def plan_meeting(self, request: wire.MeetingRequest) -> Sent[wire.EventDetail] | Waiting:
        """Plan a parent meeting, through the outbox (offline it is planned when the server
        is back; the server checks the day again then)."""
        from diary_tui.outbox_ops import MeetingCreateOp

        return await self._submit(MeetingCreateOp(request=request), wire.EventDetail)

    async def change_meeting(
        self, event_id: int, request: wire.MeetingUpdate
    ) -> Sent[wire.EventDetail] | Waiting:
        """Change or cancel a meeting (based on ``request.version``), through the outbox."""
        from diary_tui.outbox_ops import MeetingUpdateOp

        write = MeetingUpdateOp(event_id=event_id, request=request)
        return await self._submit(write, wire.EventDetail)

    async def answer_meeting(
        self, event_id: int, coming: bool, comment: str = ""
    ) -> Sent[wire.EventDetail] | Waiting:
        """A parent's answer to a meeting (coming or not, a short comment), through the
        outbox."""
        from diary_tui.outbox_ops import MeetingAnswerOp

        text = comment.strip()
        if refusal := wire.text_refusal(text, "comment", 300):
            raise ValueError(refusal)
        request = wire.MeetingAnswerRequest(coming=coming, comment=text)
        return await self._submit(
            MeetingAnswerOp(event_id=event_id, request=request), wire.EventDetail
        )

    async def record_meeting_minutes(
        self, event_id: int, version: int, minutes: str
    ) -> Sent[wire.EventDetail] | Waiting:
        """The minutes of a meeting (checked first), through the outbox."""
        from diary_tui.outbox_ops import MeetingMinutesOp

        text = self.check_message(minutes, "minutes")
        request = wire.MeetingMinutesRequest(version=version, minutes=text)
        return await self._submit(
            MeetingMinutesOp(event_id=event_id, request=request), wire.EventDetail
        )

    # -- signing the week ---------------------------------------------------------------

    async def sign_week(self, pupil_id: int, day: dt.date) -> Sent[wire.WeekSignature] | Waiting:
        """Sign ``pupil_id``'s week that holds ``day`` (a parent), through the outbox."""
        from diary_tui.outbox_ops import WeekSignOp

        write = WeekSignOp(pupil_id=pupil_id, monday=monday_of(day))
        return await self._submit(write, wire.WeekSignature)

    # -- the audit log, statistics, medical absences ------------------------------------------

    async def search_pupils(self, query: str) -> wire.PupilSearch:
        query = " ".join(query.split())
        if not query:
            raise ValueError("Type part of a pupil's name.")
        return await self._call(lambda client: client.search_pupils(query[:100]))

    async def record_illness(
        self, pupil_id: int, start: dt.date, end: dt.date, note: str = ""
    ) -> Sent[wire.MedicalAbsenceResult] | Waiting:
        """Record the pupil ill from ``start`` to ``end`` (every lesson of those days), through
        the outbox: offline it waits and is recorded once when the server is back."""
        from diary_tui.outbox_ops import IllnessRecordOp

        if end < start:
            raise ValueError("The last day of the illness is before the first.")
        body = wire.MedicalAbsenceCreate(pupil_id=pupil_id, start=start, end=end, note=note)
        return await self._submit(IllnessRecordOp(request=body), wire.MedicalAbsenceResult)

    # -- accounts (IT staff) and registration -------------------------------------------

    async def create_user(self, body: wire.UserCreate) -> wire.OneTimePassword:
        return await self._call(lambda client: client.create_user(body))

    async def update_user(self, user_id: int, body: wire.UserUpdate) -> wire.UserSummary:
        return await self._call(lambda client: client.update_user(user_id, body))

    async def reset_password(self, user_id: int) -> wire.OneTimePassword:
        return await self._call(lambda client: client.reset_password(user_id))

    async def import_roster(self, content: bytes, *, dry_run: bool) -> wire.RosterImportReport:
        """Plan (``dry_run``) or import a roster CSV file; a refused import raises
        ``InvalidRequest`` whose problem's ``current`` holds the report."""
        return await self._call(lambda client: client.import_roster(content, dry_run=dry_run))

    async def import_setup(
        self, kind: str, content: bytes, *, dry_run: bool, zip_file: bool = False
    ) -> wire.SetupImportReport:
        """Plan (``dry_run``) or import a set-up file (or a OneRoster zip); a refused import
        raises ``InvalidRequest`` whose problem's ``current`` holds the report."""
        return await self._call(
            lambda client: client.import_setup(kind, content, dry_run=dry_run, zip_file=zip_file)
        )

    # The school's set-up (IT staff and administration): online only, like every IT write
    # (the outbox does not hold set-up; a form that is refused keeps what was typed). The
    # reads are ``load(endpoints.setup_...())``.

    async def update_school(self, body: wire.SchoolUpdate) -> wire.SetupSchool:
        return await self._call(lambda client: client.update_school(body))

    async def create_year(self, body: wire.YearCreate) -> wire.SetupYear:
        return await self._call(lambda client: client.create_year(body))

    async def update_year(self, year_id: int, body: wire.YearUpdate) -> wire.SetupYear:
        return await self._call(lambda client: client.update_year(year_id, body))

    async def add_period(self, year_id: int, body: wire.PeriodCreate) -> wire.SetupPeriod:
        return await self._call(lambda client: client.add_period(year_id, body))

    async def update_period(self, period_id: int, body: wire.PeriodUpdate) -> wire.SetupPeriod:
        return await self._call(lambda client: client.update_period(period_id, body))

    async def remove_period(self, period_id: int, body: wire.Removal) -> wire.Removed:
        return await self._call(lambda client: client.remove_period(period_id, body))

    async def add_holidays(self, year_id: int, body: wire.HolidayCreate) -> wire.HolidayList:
        return await self._call(lambda client: client.add_holidays(year_id, body))

    async def update_holiday(self, holiday_id: int, body: wire.HolidayUpdate) -> wire.SetupHoliday:
        return await self._call(lambda client: client.update_holiday(holiday_id, body))

    async def remove_holiday(self, holiday_id: int, body: wire.Removal) -> wire.Removed:
        return await self._call(lambda client: client.remove_holiday(holiday_id, body))

    async def create_bell_schedule(self, body: wire.BellScheduleCreate) -> wire.BellScheduleInfo:
        return await self._call(lambda client: client.create_bell_schedule(body))

    async def update_bell_schedule(
        self, schedule_id: int, body: wire.BellScheduleUpdate
    ) -> wire.BellScheduleInfo:
        return await self._call(lambda client: client.update_bell_schedule(schedule_id, body))

    async def set_bell_day(self, body: wire.BellDaySet) -> wire.BellDay:
        return await self._call(lambda client: client.set_bell_day(body))

    async def create_subject(self, body: wire.SubjectCreate) -> wire.SetupSubject:
        return await self._call(lambda client: client.create_subject(body))

    async def update_subject(self, subject_id: int, body: wire.SubjectUpdate) -> wire.SetupSubject:
        return await self._call(lambda client: client.update_subject(subject_id, body))

    async def create_room(self, body: wire.RoomCreate) -> wire.SetupRoom:
        return await self._call(lambda client: client.create_room(body))

    async def update_room(self, room_id: int, body: wire.RoomUpdate) -> wire.SetupRoom:
        return await self._call(lambda client: client.update_room(room_id, body))

    async def create_class(self, body: wire.ClassCreate) -> wire.SetupClass:
        return await self._call(lambda client: client.create_class(body))

    async def update_class(self, class_id: int, body: wire.ClassUpdate) -> wire.SetupClass:
        return await self._call(lambda client: client.update_class(class_id, body))

    async def close_year(self, year_id: int, body: wire.YearClose) -> wire.YearClosePlan:
        """Plan (``body.apply`` false) or do the closing of an academic year: online only
        (the IT staff's and administration's set-up is never queued)."""
        return await self._call(lambda client: client.close_year(year_id, body))

    # The set-up of groups, teaching assignments and the timetable: online only, like every
    # set-up write (the IT staff's and administration's set-up is never queued; a refusal is
    # shown at once, on the form that still holds what was typed).

    async def create_group(self, body: wire.ClassGroupCreate) -> wire.ClassGroupInfo:
        return await self._call(lambda client: client.create_group(body))

    async def change_group(self, group_id: int, body: wire.ClassGroupChange) -> wire.ClassGroupInfo:
        return await self._call(lambda client: client.change_group(group_id, body))

    async def change_group_pupils(
        self, group_id: int, body: wire.GroupPupilsChange
    ) -> wire.ClassGroupInfo:
        return await self._call(lambda client: client.change_group_pupils(group_id, body))

    async def create_assignment(self, body: wire.AssignmentCreate) -> wire.AssignmentInfo:
        return await self._call(lambda client: client.create_assignment(body))

    async def remove_assignment(self, assignment_id: int) -> wire.AssignmentInfo:
        return await self._call(lambda client: client.remove_assignment(assignment_id))

    async def create_timetable_row(self, body: wire.TimetableRowCreate) -> wire.TimetableWrite:
        return await self._call(lambda client: client.create_timetable_row(body))

    async def change_timetable_row(
        self, row_id: int, body: wire.TimetableRowChange
    ) -> wire.TimetableWrite:
        return await self._call(lambda client: client.change_timetable_row(row_id, body))

    async def end_timetable_row(
        self, row_id: int, body: wire.TimetableRowEnd
    ) -> wire.TimetableWrite:
        return await self._call(lambda client: client.end_timetable_row(row_id, body))

    async def generate_lessons(self, body: wire.LessonGenerate) -> wire.LessonGeneration:
        return await self._call(lambda client: client.generate_lessons(body))

    async def class_slips(
        self,
        class_id: int,
        format: wire.SlipFormat = wire.SlipFormat.TEXT,
        reset_confirmed: int | None = None,
    ) -> wire.CredentialSlips:
        """A class's credential slips: invite codes; with ``reset_confirmed`` (the number of
        accounts the person agreed to reset, from :meth:`slip_plan`) new one-time passwords."""
        return await self._call(
            lambda client: client.class_slips(class_id, format, reset_confirmed=reset_confirmed)
        )

    async def slip_plan(self, class_id: int) -> wire.SlipPlan:
        """How many accounts slips with new passwords would reset (nothing changes)."""
        return await self._call(lambda client: client.slip_plan(class_id))

    async def invite_code(self, pupil_id: int) -> wire.InviteCodeIssued:
        """A new invite code for one parent of the pupil (needs the server: shown at once)."""
        return await self._call(lambda client: client.invite_code(pupil_id))

    async def set_parent_link(
        self, parent_id: int, pupil_id: int, linked: bool
    ) -> wire.ParentLinkResult:
        return await self._call(lambda client: client.set_parent_link(parent_id, pupil_id, linked))

    async def find_user(self, login: str) -> wire.UserSummary:
        """The account with exactly this login; ValueError when there is none."""
        wanted = login.strip().lower()
        if not wanted:
            raise ValueError(_("Type a login."))
        offset, total = 0, 1
        while offset < total:  # a short login is part of many others' names and logins
            page = await self.load(endpoints.users(wanted, offset=offset, limit=USERS_SHOWN))
            for user in page.items:
                if user.login == wanted:
                    return user
            if not page.items:
                break
            offset, total = offset + len(page.items), page.total
        raise ValueError(_("There is no account with the login {login}.").format(login=wanted))

    async def find_person(
        self, text: str, role: wire.Role, class_name: str | None = None, *, label: str
    ) -> wire.UserSummary:
        """The teacher or pupil (of ``class_name``) a person typed: a login, or the surname and
        first name (and middle name, or the first name first), case and ё/е aside. A ValueError
        starting with ``label`` (the option or field it was typed in) when nobody or several
        people fit."""
        wanted = fold_name(text)
        if not wanted:
            raise ValueError(
                _("{option}: give a login or a surname and first name").format(option=label)
            )
        page = await self.load(endpoints.users(wanted, role, class_name, limit=USERS_SHOWN))
        found = [
            u
            for u in page.items
            if u.login == wanted
            or fold_name(f"{u.last_name} {u.first_name}") == wanted
            or fold_name(u.full_name) == wanted
            or fold_name(f"{u.first_name} {u.last_name}") == wanted
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                _("{option} {text}: several people fit ({who}): give the login").format(
                    option=label,
                    text=text.strip(),
                    who=", ".join(f"{u.full_name} ({u.login})" for u in found[:5]),
                )
            )
        if role is wire.Role.TEACHER:
            raise ValueError(
                _("{option} {text}: no teacher of the school has this login or name").format(
                    option=label, text=text.strip()
                )
            )
        if class_name is None:
            raise ValueError(
                _("{option} {text}: nobody at the school has this login or name").format(
                    option=label, text=text.strip()
                )
            )
        raise ValueError(
            _("{option} {text}: no pupil of {cls} has this login or name").format(
                option=label, text=text.strip(), cls=class_name
            )
        )

    async def class_id(self, class_name: str) -> int:
        """The id of the class called ``class_name`` (``5А``, ``5a``); a ValueError naming the
        school's classes when there is none."""
        wanted = "".join(class_name.split()).upper().translate(_LATIN_TO_CYRILLIC)
        classes = (await self.load(endpoints.classes())).classes
        target = next(
            (c for c in classes if c.name.upper().translate(_LATIN_TO_CYRILLIC) == wanted), None
        )
        if target is None:
            names = ", ".join(c.name for c in classes)
            raise ValueError(
                _("There is no class {name}; the classes are {names}.").format(
                    name=class_name, names=names
                )
            )
        return target.id

    async def move_pupil(
        self, pupil_id: int, class_name: str, day: dt.date | None
    ) -> wire.UserSummary:
        """Move a pupil to the class called ``class_name`` (``5А``, ``5a``) from ``day``."""
        target = await self.class_id(class_name)
        return await self._call(lambda client: client.move_pupil(pupil_id, target, day))

    async def change_password(self, old: str, new: str) -> wire.UserSummary:
        user = await self._call(lambda client: client.change_password(old, new))
        if self.me is not None:
            self.me = await self.load_me()
        return user

    async def register(self, server: str, body: wire.RegisterRequest) -> wire.Registration:
        """Create a parent account with an invite code (no session needed, none is opened)."""
        server = normalize_server(server)
        async with _client_class()(
            server, transport=self._transport, decode=decode_visible
        ) as client:
            result: wire.Registration = await client.register(body)
        return result

    async def consent_for_code(self, server: str, code: str) -> wire.ConsentText:
        """Before registering: the consent text of the invite code's school (no session)."""
        server = normalize_server(server)
        async with _client_class()(
            server, transport=self._transport, decode=decode_visible
        ) as client:
            result: wire.ConsentText = await client.consent_for_code(code.strip())
        return result

    # -- consent to the processing of personal data ---------------------------------------------

    async def my_consent(self) -> wire.MyConsent:
        """A parent's standing with the school's current consent text (from the server)."""
        return await self.load(endpoints.my_consent())

    async def accept_consent(self, version: int) -> Sent[wire.MyConsent] | Waiting:
        """Accept the version read, through the outbox (offline it waits)."""
        from diary_tui.outbox_ops import ConsentAcceptOp

        op = ConsentAcceptOp(request=wire.ConsentAccept(version=version))
        return await self._submit(op, wire.MyConsent)

    async def withdraw_consent(self, note: str = "") -> Sent[wire.MyConsent] | Waiting:
        from diary_tui.outbox_ops import ConsentWithdrawOp

        text = (
            self.check_message(note, N_("note"), wire.NOTE_MAX_LENGTH, field="note")
            if note.strip()
            else ""
        )
        op = ConsentWithdrawOp(request=wire.ConsentWithdraw(note=text))
        return await self._submit(op, wire.MyConsent)

    async def consent_parents(
        self, class_: str | None = None, state: wire.ConsentState | None = None
    ) -> wire.ParentConsents:
        return await self.load(endpoints.consent_parents(class_, state))

    async def consent_history(self, parent_id: int) -> wire.ConsentHistory:
        return await self.load(endpoints.consent_history(parent_id))

    async def consent_texts(self) -> wire.ConsentTexts:
        return await self.load(endpoints.consent_texts())

    async def record_paper_consent(
        self, parent_id: int, body: wire.PaperConsent
    ) -> wire.ConsentHistory:
        """A paper form, entered by the staff (needs the server: the list is read again at once)."""
        return await self._call(lambda client: client.record_paper_consent(parent_id, body))

    async def new_consent_text(self, text: str) -> wire.ConsentText:
        """A new version of the school's text (needs the server)."""
        return await self._call(lambda client: client.new_consent_text(text))

    async def add_child(self, code: str) -> wire.Registration:
        result = await self._call(lambda client: client.add_child(code.strip()))
        await self.load_me()
        return result


_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
"""``5A`` typed on an English keyboard is the class ``5А``."""


def fold_name(text: str) -> str:
    """A name as it is compared with what a person typed: case, ё/е and spacing aside."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").casefold().split())
