"""The sync engine: the outbox of writes, sent to the server in order, exactly once.

A write is committed to the outbox (``diary_tui.store``) before the screen shows it as
waiting; :class:`SyncEngine` then sends the waiting writes one by one, oldest first:

- offline, a 5xx or a 429: the write stays waiting and is tried again after a pause that doubles
  up to :attr:`SyncEngine.cap` seconds (or the server's ``Retry-After``); nothing behind it
  overtakes it;
- 409: the write was based on a stale version. It is settled as a conflict with the server's
  current value as its result; the screen shows both values and the teacher chooses;
- 403, 404, 422 (and a 400): refused. It is settled as rejected with the server's reason, and the
  rest of the outbox goes on: a refusal loses nothing else.

Exactly once across crashes: every write gets its ``Idempotency-Key`` when it is enqueued, and
the key is stored with it. A write sent just before a SIGKILL is sent again with the same key
after the restart, and the server replays its first answer instead of doing it twice.

Every write is a typed operation (``diary_tui.outbox_ops``) wrapping the contract's request
Struct, sent with the client's typed method for it. A write may depend on one typed before it:
an edit or a removal of a mark typed offline does not know the mark's server id, and
``depends_on`` names the create; when the create's answer is in, the id is put into the write.
Versions are chained the same way: a write's base version is raised to the version the server
gave the previous write of the same thing (``entity``), so a run of edits typed offline does
not conflict with itself. The resolved write is stored before it is sent, so a resend sends
the same request.

The engine knows nothing of Textual: it is an async class over a client and a store. The app
runs :meth:`SyncEngine.run` in a worker; tests drive :meth:`SyncEngine.drain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import msgspec

from api_client import errors
from api_client.i18n import _, ngettext
from diary_tui.outbox import Outbox
from diary_tui.outbox_ops import Op
from diary_tui.store import CONFLICT, REJECTED, SENT, WAITING, OutboxItem

if TYPE_CHECKING:
    from api_client.client import DiaryClient


class _Answer(msgspec.Struct):
    """The part of any write's answer the engine reads: the id and the version (answers leave
    out fields at their default, and a version starts at 1)."""

    id: int | None = None
    version: int | None = 1
    removed: bool = False


def read_answer(body: bytes | None) -> _Answer:
    """The id and version in a write's answer (both None when there is no answer)."""
    if not body:
        return _Answer(version=None)
    try:
        return msgspec.json.decode(body, type=_Answer)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _Answer(version=None)


@dataclass(frozen=True)
class Settled:
    """The server answered a write: ``item.state`` is sent, rejected or conflict; ``item.result``
    is the answer (for a conflict: the server's current value)."""

    item: OutboxItem


@dataclass(frozen=True)
class StatusChanged:
    """Online/offline or the number of waiting writes changed."""

    online: bool | None
    outbox: int
    error: str = ""


SyncEvent = Settled | StatusChanged
Listener = Callable[[SyncEvent], None]


class SyncState(Protocol):
    online: bool | None
    last_sync: dt.datetime | None
    outbox: int
    refused: int


class SyncEngine:
    """Sends the outbox to the server. See the module's docstring."""

    def __init__(
        self,
        client: DiaryClient | None,
        store: Outbox,
        *,
        state: SyncState | None = None,
        base_delay: float = 0.5,
        cap: float = 30.0,
        clock: Callable[[], dt.datetime] | None = None,
        no_session: str = "Not logged in: log in first.",
    ) -> None:
        self.client = client
        """None: no session (a saved copy opened offline): every write waits."""
        self.no_session = no_session
        self.store = store
        self.state = state
        self.base_delay = base_delay
        self.cap = cap
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._listeners: list[Listener] = []
        self._work = asyncio.Event()
        self._sending = asyncio.Lock()
        self._kick = asyncio.Event()
        self.online: bool | None = None
        self.failures = 0
        """Failed sends in a row (the backoff grows with it)."""
        self.last_error = ""
        self.sent = 0
        """Writes the server accepted during this engine's life."""

    # -- listeners ----------------------------------------------------------------------

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event; returns the function that stops it."""
        self._listeners.append(listener)

        def stop() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return stop

    def _emit(self, event: SyncEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _status(self) -> None:
        count = self.store.outbox_count()
        if self.state is not None:
            self.state.outbox = count
            self.state.refused = self.store.refused_count()
            if self.online is not None:
                self.state.online = self.online
        self._emit(StatusChanged(self.online, count, self.last_error))

    # -- enqueueing ---------------------------------------------------------------------

    def enqueue(self, write: Op) -> int:
        """Commit ``write`` to the outbox (durable when this returns) and wake the sender.

        Synchronous and local: an event handler may call it. Returns the outbox id.
        """
        depends_on: int | None = None
        if not write.target_known:
            create = self.store.latest(write.entity, _create_op(write.tag))
            if create is None:
                raise ValueError(f"nothing in the outbox creates {write.entity}")
            if create.state == SENT:
                answer = read_answer(create.result)
                if answer.id is None:
                    raise ValueError(f"the answer that created {write.entity} has no id")
                write = write.with_target(answer.id)
            else:
                depends_on = create.id
        item_id = self.store.enqueue(write, uuid.uuid4().hex, depends_on=depends_on)
        self._status()
        self._work.set()
        return item_id

    def kick(self) -> None:
        """Try again now (after a pause for being offline)."""
        self._kick.set()
        self._work.set()

    # -- sending ------------------------------------------------------------------------

    async def run(self) -> None:
        """Send forever: drain the outbox, then wait for the next write."""
        while True:
            await self.drain(stop_when_offline=False)
            await self._work.wait()
            self._work.clear()

    async def drain(self, *, stop_when_offline: bool = True) -> bool:
        """Send waiting writes until none is left; True when the outbox is empty.

        With ``stop_when_offline`` (the default, for scripts and tests), returns False at the
        first failure worth retrying instead of waiting to retry.
        """
        self._status()
        while True:
            self._work.clear()
            # One write at a time however many drains run (the app's sender, and a screen
            # that sends its write at once): the next one is read after the last is settled.
            async with self._sending:
                waiting = self.store.pending(limit=1)
                if not waiting:
                    return True
                retry_after = await self.send_one(waiting[0])
            if retry_after is None:
                continue
            if stop_when_offline:
                return False
            await self._pause(retry_after)

    def backoff(self) -> float:
        """The pause after ``failures`` failed sends in a row: doubling, capped, jittered."""
        delay = min(self.cap, self.base_delay * 2 ** max(0, self.failures - 1))
        return float(delay * random.uniform(0.8, 1.0))

    async def _pause(self, seconds: float) -> None:
        self._kick.clear()
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can lose a cancellation that
        # arrives as the wait ends, and the task then never stops.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._kick.wait()

    async def send_one(self, item: OutboxItem) -> float | None:
        """Send one write; None when it is settled, else the seconds to wait before a retry."""
        prepared = self._prepare(item)
        if isinstance(prepared, str):
            self._settle(item, REJECTED, error=prepared)
            return None
        try:
            if self.client is None:
                raise errors.Offline(self.no_session)
            answer = msgspec.json.encode(await prepared.send(self.client, item.idempotency_key))
        except errors.Conflict as exc:
            current = exc.problem.current if exc.problem is not None else None
            self._answered()
            self._settle(
                item,
                CONFLICT,
                error=exc.message,
                result=msgspec.json.encode(current) if current is not None else None,
            )
            return None
        except (errors.PermissionDenied, errors.NotFound, errors.InvalidRequest) as exc:
            self._answered()
            self._settle(item, REJECTED, error=exc.message, field=exc.field or "")
            return None
        except errors.ProtocolError as exc:
            self._answered()
            self._settle(item, REJECTED, error=exc.message)
            return None
        except errors.Offline as exc:
            return self._failed(item, exc.message, online=False)
        except errors.RateLimited as exc:
            return self._failed(item, exc.message, online=True, retry_after=exc.retry_after)
        except errors.ServerError as exc:
            retry = exc.problem.retry_after if exc.problem is not None else None
            return self._failed(item, exc.message, online=True, retry_after=retry)
        except errors.DiaryError as exc:
            # Authentication: the session ended; the writes wait for the next login.
            return self._failed(item, exc.message, online=self.online)
        self._answered()
        self.sent += 1
        self._settle(item, SENT, result=answer)
        return None

    def _prepare(self, item: OutboxItem) -> Op | str:
        """The write to send (dependency and version resolved), or why it cannot go."""
        write = item.write
        if item.depends_on is not None:
            create = self.store.item(item.depends_on)
            if create is None or create.state in (REJECTED, CONFLICT):
                reason = create.error if create is not None else "it is gone from the outbox"
                return f"what this change belongs to was not saved: {reason}"
            if create.state == WAITING:  # cannot happen: writes go in order
                return "what this change belongs to has not been saved yet"
            answer = read_answer(create.result)
            if answer.id is None:
                return "the server did not say the id of what this change belongs to"
            write = write.with_target(answer.id)
        if write.entity and write.versioned:
            previous = self.store.last_answer(write.entity, item.id)
            answer = read_answer(previous.result if previous is not None else None)
            base = write.base_version
            if answer.version is not None and not answer.removed:
                # None (new) and 0 (not known yet): the version the server gave last.
                write = write.with_version(max(base or 0, answer.version))
            elif answer.removed and write.tag.endswith(".remove"):
                return "it was already removed"
        if write != item.write:
            self.store.rewrite(item.id, write)
        return write

    def _settle(
        self,
        item: OutboxItem,
        state: str,
        *,
        error: str = "",
        result: bytes | None = None,
        field: str = "",
    ) -> None:
        self.store.settle(item.id, state, error=error, result=result, field=field)
        settled = self.store.item(item.id) or item
        self._status()
        self._emit(Settled(settled))

    def _answered(self) -> None:
        """The server answered: online, and the pause resets."""
        self.failures = 0
        self.online = True
        self.last_error = ""
        self.store.mark_synced()
        if self.state is not None:
            self.state.last_sync = self._clock()

    def _failed(
        self,
        item: OutboxItem,
        message: str,
        *,
        online: bool | None,
        retry_after: int | None = None,
    ) -> float:
        self.failures += 1
        self.online = online
        self.last_error = message
        self.store.note_attempt(item.id, message)
        self._status()
        delay = self.backoff()
        if retry_after is not None:
            delay = min(self.cap, max(float(retry_after), delay))
        return delay


def _create_op(op: str) -> str:
    kind = op.split(".", 1)[0]
    return f"{kind}.create"


# --------------------------------------------------------------------------------------
# What waits, in words (for logging out and quitting)

KINDS: dict[str, Callable[[int], str]] = {
    "mark": lambda n: ngettext("{n} mark", "{n} marks", n),
    "absence": lambda n: ngettext("{n} absence", "{n} absences", n),
    "period_mark": lambda n: ngettext("{n} period mark", "{n} period marks", n),
    "topic": lambda n: ngettext("{n} lesson topic", "{n} lesson topics", n),
    "lesson_kind": lambda n: ngettext("{n} kind of lesson", "{n} kinds of lesson", n),
    "homework": lambda n: ngettext("{n} homework", "{n} homework", n),
    "week": lambda n: ngettext("{n} week signature", "{n} week signatures", n),
    "notice": lambda n: ngettext("{n} absence notice", "{n} absence notices", n),
    "message": lambda n: ngettext("{n} message", "{n} messages", n),
    "thread": lambda n: ngettext("{n} message", "{n} messages", n),
    "homework_done": lambda n: ngettext("{n} homework tick", "{n} homework ticks", n),
    "announcement": lambda n: ngettext("{n} announcement", "{n} announcements", n),
    "illness": lambda n: ngettext("{n} illness", "{n} illnesses", n),
    "thread.read": lambda n: ngettext("{n} read mark", "{n} read marks", n),
    "announcement.read": lambda n: ngettext("{n} read mark", "{n} read marks", n),
    "blog.post": lambda n: ngettext("{n} blog post", "{n} blog posts", n),
    "blog.edit": lambda n: ngettext("{n} blog post change", "{n} blog post changes", n),
    "blog.hide": lambda n: ngettext("{n} blog post hidden", "{n} blog posts hidden", n),
    "blog.comment": lambda n: ngettext("{n} blog comment", "{n} blog comments", n),
    "blog.comment_hide": lambda n: ngettext(
        "{n} blog comment hidden", "{n} blog comments hidden", n
    ),
    "notice.seen": lambda n: ngettext(
        "{n} absence notice marked seen", "{n} absence notices marked seen", n
    ),
    "notice.apply": lambda n: ngettext(
        "{n} absence notice applied", "{n} absence notices applied", n
    ),
    "notice.withdraw": lambda n: ngettext(
        "{n} absence notice withdrawn", "{n} absence notices withdrawn", n
    ),
}
"""What an outbox write is about, by its ``op`` or the part of it before the dot: its count
in words, in the user's language."""


def _other(n: int) -> str:
    return ngettext("{n} other change", "{n} other changes", n)


def _kinds(ops: list[str]) -> str:
    """``2 marks, 1 message``."""
    counts: dict[Callable[[int], str], int] = {}
    for op in ops:
        kind = op if op in KINDS else op.split(".", 1)[0]
        words = KINDS.get(kind, _other)
        counts[words] = counts.get(words, 0) + 1
    said: list[str] = []
    for words, n in counts.items():
        text = words(n).format(n=n)
        if text not in said:
            said.append(text)
    return ", ".join(said)


def describe_waiting(ops: list[str]) -> str:
    """The waiting writes in words: ``3 writes wait to be sent: 2 marks, 1 message``."""
    if not ops:
        return _("No writes wait to be sent.")
    total = len(ops)
    head = ngettext(
        "{n} write waits to be sent: {kinds}", "{n} writes wait to be sent: {kinds}", total
    )
    return head.format(n=total, kinds=_kinds(ops))


def describe_unsent(waiting: list[str], refused: list[str]) -> str:
    """Every write the server has not taken, in words: those waiting to be sent and those it
    refused or found in conflict that the user has not dealt with yet (they are unsent too:
    logging out deletes them). ``2 writes wait to be sent: 2 marks; 1 was refused and not yet
    dealt with: 1 absence``."""
    if not refused:
        return describe_waiting(waiting)
    total = len(refused)
    kinds = _kinds(refused)
    if not waiting:
        return ngettext(
            "{n} write was refused by the server and not yet dealt with: {kinds}",
            "{n} writes were refused by the server and not yet dealt with: {kinds}",
            total,
        ).format(n=total, kinds=kinds)
    said = ngettext(
        "{n} was refused by the server and not yet dealt with: {kinds}",
        "{n} were refused by the server and not yet dealt with: {kinds}",
        total,
    ).format(n=total, kinds=kinds)
    return f"{describe_waiting(waiting)}; {said}"
