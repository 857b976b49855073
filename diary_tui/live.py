"""Live changes: the app's subscription to the server's change feed.

One :class:`LiveSync` runs in an app worker for the whole session:

- online, it follows the server-sent-events stream (``DiaryClient.stream``) and posts each
  change as :class:`ChangesArrived` the moment it comes; the app notifies the user and the
  current screen refreshes itself when the change is about what it shows;
- it keeps the last cursor in the account's store (``cursor``), so after a break (the
  connection dropped, the laptop slept, the app was closed) it catches up with
  ``GET /changes?since=`` — one small request — instead of refetching every screen;
- offline, it probes ``/health`` with a growing pause (0.5 s up to ``max_backoff``) and
  posts :class:`LinkChanged` when the server answers again, so the screen refreshes by
  itself;
- over a transport that cannot stream (the in-process server of the tests) it polls the feed.

It also remembers where "what's new" starts (``whatsnew.cursor``): the first cursor this
account ever saw, moved on by each visit of the what's-new screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import msgspec
from textual.message import Message

from api_client.errors import AuthenticationError, DiaryError, InvalidRequest, Offline
from api_client.models import AuditHead, ChangeFeed, ChangeItem, encode
from diary_tui.data import AUDIT_WARNING_KEY, DiaryData
from diary_tui.text import decode

CURSOR_KEY = "cursor"
"""Store meta: the cursor after the last change this app has applied."""
SEEN_KEY = "whatsnew.cursor"
"""Store meta: where the next "what's new" starts (the end of the previous visit)."""
WHATSNEW_KEY = "whatsnew.items"
"""Store meta: the changes the what's-new screen showed last (JSON), for offline reading."""
HEAD_KEY = "audit.head"
"""Store meta: the newest head of the server's audit chain this app has seen (JSON)."""

Sleep = Callable[[float], Awaitable[None]]

MAX_BACKOFF = 15.0
"""The longest pause between probes of an unreachable server, in seconds."""


class ChangesArrived(Message):
    """Changes the server reported, oldest first (posted to the app)."""

    def __init__(self, changes: list[ChangeItem], *, catch_up: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.catch_up = catch_up
        """True for changes read with ``GET /changes`` after a break, not live."""


class AuditLogChanged(Message):
    """The server's audit log no longer holds a record this app saw: records were deleted
    from it or rewritten (posted to the app once, when it is found)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def audit_warning_text(saved: AuditHead, now: AuditHead | None) -> str:
    if now is None:
        what = (
            f"its record {saved.position}, which this computer saw, is gone: "
            "records were deleted from it"
        )
    else:
        what = f"its record {saved.position} is not the one this computer saw: it was rewritten"
    return (
        f"The school server's audit log was changed: {what}. Marks and absences may have "
        "been changed without a trace. Tell the school's IT staff (they can run "
        "'diary-server audit verify')."
    )


class LinkChanged(Message):
    """The server became reachable (``online``) or unreachable."""

    def __init__(self, online: bool, *, recovered: bool = False) -> None:
        super().__init__()
        self.online = online
        self.recovered = recovered
        """True when it is back after being offline: screens refresh what they show."""


class LiveSync:
    """Follows the change feed for ``data``'s session; ``post`` delivers messages to the app."""

    def __init__(
        self,
        data: DiaryData,
        post: Callable[[Message], object],
        *,
        stream: bool | None = None,
        poll_interval: float = 1.0,
        min_backoff: float = 0.5,
        max_backoff: float | None = None,
        page_limit: int = 200,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.data = data
        self.post = post
        self._stream = stream
        self.poll_interval = poll_interval
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff if max_backoff is not None else MAX_BACKOFF
        self.page_limit = page_limit
        self.sleep = sleep
        self.online: bool | None = None

    # -- the cursor ---------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        store = self.data.store
        return store.get_meta(key) if store is not None else None

    def _set_meta(self, key: str, value: str) -> None:
        store = self.data.store
        if store is not None:
            store.set_meta(key, value)

    @property
    def cursor(self) -> str | None:
        return self._meta(CURSOR_KEY)

    def _advance(self, cursor: str) -> None:
        self._set_meta(CURSOR_KEY, cursor)
        if self._meta(SEEN_KEY) is None:
            self._set_meta(SEEN_KEY, cursor)

    # -- the loop -----------------------------------------------------------------------

    def _link(self, online: bool) -> None:
        before = self.online
        self.online = online
        self.data.state.online = online
        if before is not online:
            self.post(LinkChanged(online, recovered=online and before is False))

    async def run(self) -> None:
        """Run until the session ends (cancel the worker to stop it sooner)."""
        backoff = self.min_backoff
        while True:
            client = self.data.client
            if client is None:
                return
            try:
                if self.online is not True and self.data.state.online is not True:
                    await client.health()  # cheap, and no token needed: is it back?
                await self.catch_up()
                self._link(True)
                backoff = self.min_backoff
                streams = self._stream if self._stream is not None else client.streams
                if streams:
                    await self._follow()
                    await self.sleep(self.min_backoff)  # the server ended the stream
                else:
                    await self.sleep(self.poll_interval)
            except Offline:
                self._link(False)
                await self.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            except AuthenticationError:
                return  # the screens tell the user and show the login
            except InvalidRequest:
                # The cursor is not this server's (its database was replaced): start afresh.
                with contextlib.suppress(Exception):
                    self._reset()
                self.post(LinkChanged(True, recovered=True))
                await self.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            except DiaryError:
                await self.sleep(backoff)  # a server error: try again later
                backoff = min(backoff * 2, self.max_backoff)

    def _reset(self) -> None:
        store = self.data.store
        if store is not None:
            store.set_meta(CURSOR_KEY, "")

    async def catch_up(self) -> list[ChangeItem]:
        """Read everything after the stored cursor (none stored: start at the newest)."""
        client = self.data.client
        assert client is not None
        since = self.cursor or None
        if since is None:
            feed: ChangeFeed = await client.changes(None)
            self._advance(feed.next)
            await self.witness(feed.head)
            return []
        caught: list[ChangeItem] = []
        while True:
            feed = await client.changes(since, self.page_limit)
            if feed.changes:
                caught.extend(feed.changes)
                self.post(ChangesArrived(feed.changes, catch_up=True))
            since = feed.next
            self._advance(since)
            if not feed.more:
                break
        await self.witness(feed.head)
        self.data.state.last_sync = self.data.clock()
        return caught

    # -- the audit chain's witness --------------------------------------------------------

    def saved_head(self) -> AuditHead | None:
        saved = self._meta(HEAD_KEY)
        if not saved:
            return None
        try:
            return decode(saved, AuditHead)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None

    async def witness(self, head: AuditHead | None) -> bool:
        """Check that the server's audit chain still holds the newest head this app saw, then
        keep ``head`` (the server's newest) in its place. False, and the user is warned once,
        when it does not: the saved head stays, so every later sync says so too."""
        client = self.data.client
        saved = self.saved_head()
        if saved is not None and client is not None:
            if head is not None and head.position == saved.position:
                there: AuditHead | None = head
            elif head is None or head.position < saved.position:
                there = None  # the chain is shorter than it was
            else:
                there = await client.audit_head(saved.position)
            if there is None or there.hash != saved.hash:
                text = audit_warning_text(saved, there)
                self.data.state.audit_warning = True
                if self._meta(AUDIT_WARNING_KEY) != text:
                    self._set_meta(AUDIT_WARNING_KEY, text)
                    self.post(AuditLogChanged(text))
                return False
        if head is not None:
            self._set_meta(HEAD_KEY, encode(head).decode())
        return True

    async def _follow(self) -> None:
        client = self.data.client
        assert client is not None
        async for change in client.stream(self.cursor or None):
            self._advance(change.cursor)
            self.data.state.last_sync = self.data.clock()
            self.post(ChangesArrived([change]))


@dataclass(frozen=True, slots=True)
class WhatsNew:
    """What the what's-new screen shows."""

    changes: list[ChangeItem]
    """Oldest first."""
    fresh: bool
    """True: new since the previous visit. False: nothing new; ``changes`` is the previous
    visit's list (or empty)."""
    offline: bool = False


def saved_whats_new(data: DiaryData) -> list[ChangeItem]:
    """The list of the last visit, from the store (no network)."""
    store = data.store
    saved = store.get_meta(WHATSNEW_KEY) if store is not None else None
    if not saved:
        return []
    try:
        return decode(saved, list[ChangeItem])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return []


async def whats_new(data: DiaryData, *, limit: int = 500) -> WhatsNew:
    """Every change since the previous visit of the what's-new screen; marks them seen.

    The first visit of an account starts where its live sync started (or now). Offline, the
    previous visit's list comes from the store.
    """
    client = data.client
    store = data.store
    if client is None or store is None:
        return WhatsNew([], fresh=False)
    since = store.get_meta(SEEN_KEY) or None
    items: list[ChangeItem] = []
    try:
        if since is None:
            feed = await client.changes(None)
            since = feed.next
        else:
            while True:
                feed = await client.changes(since, limit)
                items.extend(feed.changes)
                since = feed.next
                if not feed.more:
                    break
    except Offline:
        data.state.online = False
        return WhatsNew(saved_whats_new(data), fresh=False, offline=True)
    data.state.online = True
    store.set_meta(SEEN_KEY, since)
    if not items:
        return WhatsNew(saved_whats_new(data), fresh=False)
    store.set_meta(WHATSNEW_KEY, encode(items).decode())
    return WhatsNew(items, fresh=True)
