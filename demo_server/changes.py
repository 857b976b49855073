"""The change feed: who may see which change, reading the feed, and the live hub.

A change row (``demo_server.records.record_change``) is routed by its columns:

- ``user_id`` set: that user only (a message to them);
- else ``pupil_id`` set: the pupil, their parents and the staff who may see the pupil;
- else ``class_id`` set: the class's pupils and parents and the staff of the class; with
  ``group_id`` too (news of a group's lesson: its homework, topic, a substitution), of the
  pupils and parents only the group's (its members today);
- else the whole school;
- ``audience`` set (an announcement to the parents or to the teachers): of those, only the
  parents, or only the teachers and the administration.

:func:`visible` turns that into one SQL condition for a viewer, by role. The feed
(``GET /changes``) and the stream (``GET /changes/stream``) both read through
:func:`read_feed`, so they can never disagree. On top of the routing:

- messages (``message.*``) reach only the user they are addressed to, whatever the role: a
  pupil never sees their parents' correspondence, IT staff never read private messages;
- the class chat (``chat.*``, routed to its class) reaches the class's pupils and teachers
  and the administration, never the parents;
- IT staff and the education authority see only school-wide announcements and events
  (nothing about a named pupil, no marks);
- a health worker sees those and the absences of the school's pupils (never marks).

Cursors are the row ids, written as decimal text. Rows are committed in cursor order (on
PostgreSQL ``record_change`` takes a transaction-scoped advisory lock before it allocates the
id; SQLite has one writer at a time), so a reader that has seen cursor N will never later find
a committed row below N: resuming from a cursor loses nothing.

The hub: one per server process (per app). It learns of new rows cheaply (SQLite: one
``max(id)`` query every few hundred milliseconds, shared by every subscriber of the process;
PostgreSQL: ``LISTEN diary_changes`` on one connection, with the poll kept as a slow fallback)
and wakes the streams, which then read their own visible rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client.i18n import _
from api_client.models import AuditHead, ChangeFeed, ChangeItem, Role
from demo_server.access import teacher_class_ids
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.schema import Change, Enrolment, GroupMember, ParentLink, User, in_group_on
from demo_server.settings import ServerState

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "diary_changes"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_CURSOR = 2**63 - 1
MAX_POSITION = 2**63 - 1
"""The largest audit chain position the database can hold (a BIGINT id)."""
#: What a cursor looks like (the OpenAPI pattern of ``since``): 1 to 19 ASCII digits.
CURSOR_PATTERN = "^[0-9]{1,19}$"
CURSOR_RE = re.compile("[0-9]{1,19}")

#: Kinds anyone of the school may hear about when they are school-wide.
PUBLIC_PREFIXES = ("announcement.", "event.")
#: Kinds that only ever reach the user they are addressed to.
PRIVATE_PREFIXES = ("message.",)
#: Kinds of a class's own room, the class chat: its pupils and teachers, never the parents.
CHAT_PREFIXES = ("chat.",)


# --- cursors --------------------------------------------------------------------------------


def parse_cursor(value: str, field: str = "since") -> int:
    """A cursor as given by a client, or a 400 problem."""
    text = value
    if not CURSOR_RE.fullmatch(text):
        raise ProblemError(
            400,
            _(
                "'{field}' must be a cursor from an earlier answer (a whole number), not {value!r}"
            ).format(field=field, value=value[:40]),
            field=field,
        )
    cursor = int(text)
    if cursor > MAX_CURSOR:
        raise ProblemError(
            422,
            _("'{field}' is not a cursor this server gave out").format(field=field),
            field=field,
        )
    return cursor


def parse_limit(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise ProblemError(
            400,
            _("'limit' must be between 1 and {MAX_LIMIT}").format(MAX_LIMIT=MAX_LIMIT),
            field="limit",
        )
    return value


async def latest_cursor(db: AsyncSession) -> int:
    """The newest cursor of the whole feed (0 for an empty feed)."""
    return int(await db.scalar(select(func.coalesce(func.max(Change.id), 0))) or 0)


def check_cursor(cursor: int, newest: int, field: str = "since") -> None:
    """422 for a cursor beyond the newest: it came from another server or was made up."""
    if cursor > newest:
        raise ProblemError(
            422,
            _(
                "'{field}' is a cursor from the future: this server has not given it "
                "out (was the server's database replaced? start again without "
                "'since')"
            ).format(field=field),
            field=field,
        )


# --- the visibility rule ----------------------------------------------------------------------


def _startswith(prefixes: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(Change.kind.startswith(prefix) for prefix in prefixes))


def visible(viewer: Viewer, today: dt.date) -> ColumnElement[bool]:
    """The condition on ``Change`` rows that ``viewer`` may see: the one rule of the feed."""
    addressed = Change.user_id == viewer.id
    routed = and_(Change.user_id.is_(None), ~_startswith(PRIVATE_PREFIXES))
    school_wide = and_(Change.pupil_id.is_(None), Change.class_id.is_(None))
    current = or_(Enrolment.end.is_(None), Enrolment.end >= today)
    scope: ColumnElement[bool]
    if viewer.role in (Role.PARENT, Role.PUPIL):
        if viewer.role is Role.PARENT:
            pupils: Any = select(ParentLink.pupil_id).where(ParentLink.parent_id == viewer.id)
        else:
            pupils = select(User.id).where(User.id == viewer.id)
        classes = select(Enrolment.class_id).where(Enrolment.pupil_id.in_(pupils), current)
        groups = select(GroupMember.group_id).where(
            GroupMember.pupil_id.in_(pupils),
            in_group_on(today),
        )
        scope = or_(
            Change.pupil_id.in_(pupils),
            and_(
                Change.pupil_id.is_(None),
                Change.class_id.in_(classes),
                or_(Change.group_id.is_(None), Change.group_id.in_(groups)),
            ),
            school_wide,
        )
        if viewer.role is Role.PARENT:  # the class chat is the pupils'
            scope = and_(scope, ~_startswith(CHAT_PREFIXES))
    elif viewer.role is Role.TEACHER:
        classes_taught = teacher_class_ids(viewer.id)
        pupils_taught = select(Enrolment.pupil_id).where(
            Enrolment.class_id.in_(classes_taught), current
        )
        scope = or_(
            Change.pupil_id.in_(pupils_taught),
            and_(Change.pupil_id.is_(None), Change.class_id.in_(classes_taught)),
            school_wide,
        )
    elif viewer.role is Role.ADMINISTRATION:
        scope = true()
    elif viewer.role is Role.HEALTH_WORKER:
        scope = or_(
            and_(school_wide, _startswith(PUBLIC_PREFIXES)),
            and_(Change.pupil_id.is_not(None), Change.kind.startswith("absence.")),
        )
    elif viewer.role in (Role.IT_STAFF, Role.AUTHORITY):
        scope = and_(school_wide, _startswith(PUBLIC_PREFIXES))
    else:  # a role added later sees nothing until it is decided here
        scope = false()
    readers = or_(Change.audience.is_(None), Change.audience.in_(_audiences_of(viewer.role)))
    return and_(Change.school_id == viewer.school_id, or_(addressed, and_(routed, scope, readers)))


def _audiences_of(role: Role) -> tuple[str, ...]:
    """The narrowed audiences (``Change.audience``) a role belongs to: parents are the
    parents'; teachers and the administration the teachers' (as they read the announcements,
    ``access.announcement_visibility``)."""
    if role is Role.PARENT:
        return ("parents",)
    if role in (Role.TEACHER, Role.ADMINISTRATION):
        return ("teachers",)
    return ()


# --- reading the feed -------------------------------------------------------------------------


def _item(row: Change, actor: str | None) -> ChangeItem:
    return ChangeItem(
        cursor=str(row.id),
        at=row.at,
        kind=row.kind,
        entity_id=row.entity_id,
        pupil_id=row.pupil_id,
        class_id=row.class_id,
        actor=actor or "",
        actor_id=row.actor_id,
        payload=dict(row.payload or {}),
    )


async def read_feed(
    db: AsyncSession,
    viewer: Viewer,
    since: int | None,
    *,
    today: dt.date,
    limit: int = DEFAULT_LIMIT,
    latest: int | None = None,
) -> ChangeFeed:
    """The changes after ``since`` that ``viewer`` may see, oldest first.

    ``since`` None: no changes, and ``next`` is the newest cursor (where a new client starts).
    ``next`` moves past rows the viewer may not see, so they are not read again.
    """
    newest = latest if latest is not None else await latest_cursor(db)
    head = await _head(db)
    if since is None or since >= newest:
        return ChangeFeed(changes=[], next=str(max(newest, since or 0)), more=False, head=head)
    actor = aliased(User, name="actor")
    query = (
        select(Change, actor.first_name, actor.last_name)
        .outerjoin(actor, actor.id == Change.actor_id)
        .where(Change.id > since, Change.id <= newest, visible(viewer, today))
        .order_by(Change.id)
        .limit(limit + 1)
    )
    rows = (await db.execute(query)).all()
    more = len(rows) > limit
    items = [_item(row[0], f"{row[1] or ''} {row[2] or ''}".strip()) for row in rows[:limit]]
    next_cursor = int(items[-1].cursor) if more else newest
    return ChangeFeed(changes=items, next=str(next_cursor), more=more, head=head)


async def _head(db: AsyncSession, at: int | None = None) -> AuditHead | None:
    from demo_server.records import audit_head

    found = await audit_head(db, at)
    return AuditHead(position=found[0], hash=found[1]) if found is not None else None


async def audit_head_at(db: AsyncSession, position: int) -> AuditHead:
    """The chain's record at ``position`` (a hash, nothing of its content); 404 when the chain
    does not hold it (never written, or deleted)."""
    from demo_server.problems import ProblemError

    found = await _head(db, position) if 0 < position <= MAX_POSITION else None
    if found is None:
        raise ProblemError(
            404,
            _(
                "the audit log holds no record {position}: it was never written or it was deleted"
            ).format(position=position),
            field="at",
        )
    return found


# --- the live hub -----------------------------------------------------------------------------


class ChangeHub:
    """Tells the streams of one server process that the feed has grown.

    It runs one background task while anyone listens: it waits for a PostgreSQL notification
    (when it could LISTEN) or for the poll interval, reads the newest cursor once, and wakes
    every waiting stream if it moved.
    """

    def __init__(
        self,
        server: ServerState,
        *,
        poll_interval: float = 0.3,
        listen_poll_interval: float = 5.0,
    ) -> None:
        self.server = server
        self.poll_interval = poll_interval
        self.listen_poll_interval = listen_poll_interval
        self.latest = 0
        self.stopped = False
        self.listening = False
        self._subscribers = 0
        self._changed = asyncio.Condition()
        self._nudge = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listen_connection: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _read_latest(self) -> int:
        async with self.server.sessionmaker() as session:
            return await latest_cursor(session)

    async def _ensure_started(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._loop = asyncio.get_running_loop()
        self.latest = max(self.latest, await self._read_latest())
        if self.server.backend == "postgresql":
            await self._listen()
        self._task = asyncio.create_task(self._run(), name="diary-change-hub")

    async def _listen(self) -> None:
        """LISTEN on one connection of its own; on any failure, polling carries on alone."""
        try:
            connection = await self.server.engine.connect()
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.add_listener(NOTIFY_CHANNEL, self._notified)
        except Exception as exc:  # the poll is the fallback
            log.warning("LISTEN %s failed (%s); polling the changes table", NOTIFY_CHANNEL, exc)
            return
        self._listen_connection = connection
        self.listening = True

    def _notified(self, *_args: object) -> None:
        self._nudge.set()

    async def _run(self) -> None:
        try:
            while not self.stopped:
                interval = self.listen_poll_interval if self.listening else self.poll_interval
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can lose a
                # cancellation that arrives as the wait ends, and this loop never stops.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(interval):
                        await self._nudge.wait()
                self._nudge.clear()
                if self.stopped:
                    break
                if self._subscribers == 0:
                    continue
                try:
                    latest = await self._read_latest()
                except Exception as exc:  # a hiccup: try again later
                    log.warning("reading the newest change failed: %s", exc)
                    await asyncio.sleep(self.poll_interval)
                    continue
                if latest > self.latest:
                    self.latest = latest
                    async with self._changed:
                        self._changed.notify_all()
        finally:
            async with self._changed:
                self._changed.notify_all()
            await self._unlisten()

    async def _unlisten(self) -> None:
        connection, self._listen_connection = self._listen_connection, None
        self.listening = False
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def wait_beyond(self, cursor: int, seconds: float) -> bool:
        """Wait up to ``seconds`` for a change newer than ``cursor``; False if none."""
        await self._ensure_started()
        if self.latest > cursor:
            return True
        self._subscribers += 1
        try:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(seconds):
                        await self._changed.wait_for(lambda: self.latest > cursor or self.stopped)
        finally:
            self._subscribers -= 1
        return self.latest > cursor

    async def stop(self) -> None:
        """End every stream of this hub and its background task."""
        self.stopped = True
        self._nudge.set()
        async with self._changed:
            self._changed.notify_all()
        task, self._task = self._task, None
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(2):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise  # this caller is being cancelled, not the hub
            except Exception:  # the hub's own failure was logged where it happened
                pass
        await self._unlisten()

    def stop_threadsafe(self) -> None:
        """Ask the hub to stop from any thread (used when the web server begins to shut down)."""
        loop = self._loop
        self.stopped = True
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
            loop.call_soon_threadsafe(self._nudge.set)


_hubs: weakref.WeakKeyDictionary[ServerState, ChangeHub] = weakref.WeakKeyDictionary()


def hub_for(server: ServerState) -> ChangeHub:
    """The hub of this app (made on first use)."""
    hub = _hubs.get(server)
    if hub is None or hub.stopped:
        hub = ChangeHub(server)
        _hubs[server] = hub
        _watch_uvicorn_shutdown()
    return hub


async def stop_hub(server: ServerState) -> None:
    """Stop the app's hub, ending its streams (the app's shutdown hook)."""
    hub = _hubs.pop(server, None)
    if hub is not None:
        await hub.stop()


_uvicorn_watched = False


def _watch_uvicorn_shutdown() -> None:
    """End the streams as soon as uvicorn begins to shut down.

    uvicorn waits for open responses to finish before it runs the app's shutdown hooks, and a
    change stream never finishes by itself; so the streams are told when uvicorn's shutdown
    starts (by a signal or by ``should_exit``) and end cleanly, and the wait ends at once.
    """
    global _uvicorn_watched
    if _uvicorn_watched:
        return
    _uvicorn_watched = True
    try:
        from uvicorn.server import Server
    except ImportError:  # served by something else: its own shutdown applies
        return
    original: Callable[..., Any] = Server.shutdown

    async def shutdown(self: Server, *args: Any, **kwargs: Any) -> None:
        for hub in list(_hubs.values()):
            hub.stop_threadsafe()
        await original(self, *args, **kwargs)

    Server.shutdown = shutdown  # type: ignore[method-assign]
