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

A write may depend on one typed before it: an edit or a removal of a mark typed offline does
not know the mark's server id. Its path holds ``{id}`` and ``depends_on`` names the create;
when the create's answer is in, the id is put into the path. Versions are chained the same
way: a write's base version is raised to the version the server gave the previous write of the
same thing (``entity``), so a run of edits typed offline does not conflict with itself. The
resolved path and body are stored before the write is sent, so a resend sends the same bytes.

The engine knows nothing of Textual: it is an async class over a client and a store. The app
runs :meth:`SyncEngine.run` in a worker; tests drive :meth:`SyncEngine.drain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from api_client import errors
from api_client import models as wire
from diary_tui.store import CONFLICT, REJECTED, SENT, WAITING, OutboxItem

ID = "{id}"
"""Where a dependent write's path takes the server id of the thing it changes."""


class Outbox(Protocol):
    """What the engine needs of the store (``diary_tui.store.Store``)."""

    def enqueue(
        self,
        method: str,
        path: str,
        body: bytes,
        idempotency_key: str,
        *,
        op: str = "",
        entity: str = "",
        depends_on: int | None = None,
        meta: str = "",
    ) -> int: ...

    def pending(self, limit: int = 100) -> list[OutboxItem]: ...

    def refused_count(self) -> int: ...

    def item(self, item_id: int) -> OutboxItem | None: ...

    def last_answer(self, entity: str, before: int) -> OutboxItem | None: ...

    def latest(self, entity: str, op: str) -> OutboxItem | None: ...

    def rewrite(self, item_id: int, path: str, body: bytes) -> None: ...

    def settle(
        self,
        item_id: int,
        state: str,
        *,
        error: str = "",
        result: bytes | None = None,
        field: str = "",
    ) -> None: ...

    def note_attempt(self, item_id: int, error: str) -> None: ...

    def outbox_count(self) -> int: ...

    def mark_synced(self) -> None: ...


class Sender(Protocol):
    """What the engine needs of the client (``api_client.client.DiaryClient``)."""

    async def send_json(
        self, method: str, path: str, body: bytes, *, idempotency_key: str
    ) -> tuple[int, bytes]: ...


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
class Write:
    """One write for the outbox.

    ``path`` may hold ``{id}``: the server id of ``entity``, known once the write that creates
    it (``op`` ending in ``.create``, same ``entity``) has its answer. ``body`` is the JSON
    object of the request; a ``"version"`` in it is the base version (None when unknown), raised
    by the engine to the version of the previous accepted write of ``entity``. ``meta`` is kept
    for the screen to find its cell again when the answer comes.
    """

    op: str
    method: str
    path: str
    body: dict[str, Any]
    entity: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settled:
    """The server answered a write: ``item.state`` is sent, rejected or conflict; ``item.result``
    is the answer (for a conflict: the server's current value)."""

    item: OutboxItem

    @property
    def meta(self) -> dict[str, Any]:
        return decode_meta(self.item.meta)


@dataclass(frozen=True)
class StatusChanged:
    """Online/offline or the number of waiting writes changed."""

    online: bool | None
    outbox: int
    error: str = ""


SyncEvent = Settled | StatusChanged
Listener = Callable[[SyncEvent], None]


def decode_meta(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class SyncState(Protocol):
    online: bool | None
    last_sync: dt.datetime | None
    outbox: int
    refused: int


class SyncEngine:
    """Sends the outbox to the server. See the module's docstring."""

    def __init__(
        self,
        client: Sender,
        store: Outbox,
        *,
        state: SyncState | None = None,
        base_delay: float = 0.5,
        cap: float = 30.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.client = client
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

    def enqueue(self, write: Write) -> int:
        """Commit ``write`` to the outbox (durable when this returns) and wake the sender.

        Synchronous and local: an event handler may call it. Returns the outbox id.
        """
        depends_on: int | None = None
        path = write.path
        if ID in path:
            if not write.entity:
                raise ValueError(f"a write to {path} needs the entity whose id it waits for")
            create = self.store.latest(write.entity, _create_op(write.op))
            if create is None:
                raise ValueError(f"nothing in the outbox creates {write.entity}")
            if create.state == SENT:
                answer = read_answer(create.result)
                if answer.id is None:
                    raise ValueError(f"the answer that created {write.entity} has no id")
                path = path.replace(ID, str(answer.id))
            else:
                depends_on = create.id
        item_id = self.store.enqueue(
            write.method,
            path,
            json.dumps(write.body, ensure_ascii=False, separators=(",", ":")).encode(),
            uuid.uuid4().hex,
            op=write.op,
            entity=write.entity,
            depends_on=depends_on,
            meta=json.dumps(write.meta, separators=(",", ":")) if write.meta else "",
        )
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
        path, body = prepared
        try:
            _status, answer = await self.client.send_json(
                item.method, path, body, idempotency_key=item.idempotency_key
            )
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

    def _prepare(self, item: OutboxItem) -> tuple[str, bytes] | str:
        """The path and body to send (dependency and version resolved), or why it cannot go."""
        path, body = item.path, item.body
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
            path = path.replace(ID, str(answer.id))
        if item.entity:
            data = json.loads(body)
            if isinstance(data, dict) and "version" in data:
                previous = self.store.last_answer(item.entity, item.id)
                answer = read_answer(previous.result if previous is not None else None)
                base = data["version"]
                if answer.version is not None and not answer.removed:
                    data["version"] = answer.version if base is None else max(base, answer.version)
                elif answer.removed and item.op.endswith(".remove"):
                    return "it was already removed"
                body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        if (path, body) != (item.path, item.body):
            self.store.rewrite(item.id, path, body)
        return path, body

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
# The journal's writes


def mark_entity(key: str) -> str:
    return f"mark:{key}"


def mark_create(
    *,
    key: str,
    lesson_id: int,
    pupil_id: int,
    value: int,
    weight: int = 1,
    kind: str = "oral",
    comment: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    body = {
        "lesson_id": lesson_id,
        "pupil_id": pupil_id,
        "value": value,
        "weight": weight,
        "kind": kind,
        "comment": comment,
    }
    return Write("mark.create", "POST", "/marks", body, mark_entity(key), meta or {})


def mark_update(
    *,
    key: str,
    mark_id: int | None,
    version: int | None,
    changes: dict[str, Any],
    reason: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    path = f"/marks/{ID if mark_id is None else mark_id}"
    body = {"version": version, **changes, "reason": reason}
    return Write("mark.update", "PATCH", path, body, mark_entity(key), meta or {})


def mark_remove(
    *,
    key: str,
    mark_id: int | None,
    version: int | None,
    reason: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    path = f"/marks/{ID if mark_id is None else mark_id}/remove"
    body = {"version": version, "reason": reason}
    return Write("mark.remove", "POST", path, body, mark_entity(key), meta or {})


def absence_set(
    *,
    lesson_id: int,
    pupil_id: int,
    kind: str,
    version: int | None,
    minutes: int = 0,
    note: str = "",
    reason: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    body = {"kind": kind, "minutes": minutes, "note": note, "version": version, "reason": reason}
    return Write(
        "absence.set",
        "PUT",
        f"/lessons/{lesson_id}/absences/{pupil_id}",
        body,
        f"absence:{lesson_id}:{pupil_id}",
        meta or {},
    )


def absence_remove(
    *,
    lesson_id: int,
    pupil_id: int,
    version: int | None,
    reason: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    return Write(
        "absence.remove",
        "POST",
        f"/lessons/{lesson_id}/absences/{pupil_id}/remove",
        {"version": version, "reason": reason},
        f"absence:{lesson_id}:{pupil_id}",
        meta or {},
    )


def topic_set(
    *, lesson_id: int, version: int | None, topic: str, meta: dict[str, Any] | None = None
) -> Write:
    return Write(
        "topic.set",
        "PATCH",
        f"/lessons/{lesson_id}/topic",
        {"version": version, "topic": topic},
        f"lesson:{lesson_id}",
        meta or {},
    )


def homework_set(
    *,
    lesson_id: int,
    text: str,
    due: dt.date,
    version: int | None,
    meta: dict[str, Any] | None = None,
) -> Write:
    return Write(
        "homework.set",
        "PUT",
        f"/lessons/{lesson_id}/homework",
        {"text": text, "due": due.isoformat(), "version": version},
        f"homework:{lesson_id}",
        meta or {},
    )


def period_mark_set(
    *,
    pupil_id: int,
    subject_id: int,
    period_id: int,
    value: int | None,
    version: int | None,
    reason: str = "",
    meta: dict[str, Any] | None = None,
) -> Write:
    body = {
        "pupil_id": pupil_id,
        "subject_id": subject_id,
        "period_id": period_id,
        "value": value,
        "version": version,
        "reason": reason,
    }
    return Write(
        "period_mark.set",
        "PUT",
        "/period-marks",
        body,
        f"period_mark:{pupil_id}:{subject_id}:{period_id}",
        meta or {},
    )


# --------------------------------------------------------------------------------------
# The family's writes (a parent's or a pupil's): the same outbox, the same exactly-once sending.
# Each body is one of the contract's request Structs, so what waits in the outbox is what the
# server validates.


def _request_body(request: msgspec.Struct) -> dict[str, Any]:
    body = msgspec.to_builtins(request)
    assert isinstance(body, dict)
    return body


def week_sign(*, pupil_id: int, monday: dt.date, meta: dict[str, Any] | None = None) -> Write:
    """A parent signs a child's week (the week that starts on ``monday``)."""
    return Write(
        "week.sign",
        "POST",
        f"/pupils/{pupil_id}/weeks/{monday.isoformat()}/sign",
        {},
        f"week:{pupil_id}:{monday.isoformat()}",
        {"pupil_id": pupil_id, "monday": monday.isoformat(), **(meta or {})},
    )


def absence_notice_create(
    *, pupil_id: int, request: wire.AbsenceNoticeRequest, meta: dict[str, Any] | None = None
) -> Write:
    """A parent tells the class teacher about an absence."""
    return Write(
        "notice.create",
        "POST",
        f"/pupils/{pupil_id}/absence-notices",
        _request_body(request),
        "",
        {"pupil_id": pupil_id, **(meta or {})},
    )


def message_reply(
    *, thread_id: int, request: wire.ReplyRequest, meta: dict[str, Any] | None = None
) -> Write:
    """A reply in a thread."""
    return Write(
        "message.reply",
        "POST",
        f"/threads/{thread_id}/messages",
        _request_body(request),
        "",
        {"thread_id": thread_id, **(meta or {})},
    )


def thread_create(*, request: wire.NewThreadRequest, meta: dict[str, Any] | None = None) -> Write:
    """A new thread (its first message)."""
    return Write("thread.create", "POST", "/threads", _request_body(request), "", meta or {})


def homework_done_set(
    *,
    pupil_id: int,
    homework_id: int,
    request: wire.HomeworkDoneRequest,
    meta: dict[str, Any] | None = None,
) -> Write:
    """A pupil (or a parent) ticks homework done, or unticks it."""
    return Write(
        "homework_done.set",
        "PUT",
        f"/pupils/{pupil_id}/homework/{homework_id}/done",
        _request_body(request),
        f"homework_done:{pupil_id}:{homework_id}",
        {"pupil_id": pupil_id, "homework_id": homework_id, **(meta or {})},
    )


# --------------------------------------------------------------------------------------
# What waits, in words (for logging out and quitting)

KINDS: dict[str, tuple[str, str]] = {
    "mark": ("mark", "marks"),
    "absence": ("absence", "absences"),
    "period_mark": ("period mark", "period marks"),
    "topic": ("lesson topic", "lesson topics"),
    "homework": ("homework", "homework"),
    "week": ("week signature", "week signatures"),
    "notice": ("absence notice", "absence notices"),
    "message": ("message", "messages"),
    "thread": ("message", "messages"),
    "homework_done": ("homework tick", "homework ticks"),
}
"""What an outbox write is about, by the part of its ``op`` before the dot (one, many)."""


def describe_waiting(ops: list[str]) -> str:
    """The waiting writes in words: ``3 writes wait to be sent: 2 marks, 1 message``."""
    if not ops:
        return "No writes wait to be sent."
    counts: dict[tuple[str, str], int] = {}
    for op in ops:
        kind = op.split(".", 1)[0]
        words = KINDS.get(kind, ("other change", "other changes"))
        counts[words] = counts.get(words, 0) + 1
    parts = [f"{n} {one if n == 1 else many}" for (one, many), n in counts.items()]
    total = len(ops)
    head = "1 write waits" if total == 1 else f"{total} writes wait"
    return f"{head} to be sent: {', '.join(parts)}"
