"""The local store: one SQLite file per account, readable by the user alone.

It keeps GET responses with their ETags (it is the client's :class:`ResponseCache`, so the app
opens from it at once and works offline) and the outbox of writes the server has not yet
confirmed. A write is committed to the outbox before the screen shows it as waiting, so a
killed app loses nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from api_client.cache import CachedResponse
from diary_tui.config import data_dir
from diary_tui.text import visible

if TYPE_CHECKING:
    from diary_tui.outbox_ops import Op

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'waiting',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    result BLOB
);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, id);
"""

OUTBOX_COLUMNS = {
    "op": "TEXT NOT NULL DEFAULT ''",
    "entity": "TEXT NOT NULL DEFAULT ''",
    "depends_on": "INTEGER",
    "meta": "TEXT NOT NULL DEFAULT ''",
    "field": "TEXT NOT NULL DEFAULT ''",
    "operation": "BLOB",
}
"""Columns the sync engine added to the outbox (added to older store files on open):

- ``op``: what the write does (``mark.create``, ``mark.update``, ...);
- ``entity``: the thing it changes (``mark:<local key>``, ``absence:<lesson>:<pupil>``), so a
  write can take its base version from the answer to the previous write of the same thing;
- ``depends_on``: the outbox id of the write that creates the thing (a mark typed offline): its
  answer gives the server id this write's path needs;
- ``meta``: JSON the screen uses to find the cell again (pupil, lesson, mark key);
- ``field``: for a refusal, the part of the request the server said was wrong;
- ``operation``: the write itself, a typed operation (``diary_tui.outbox_ops``) encoded as
  JSON. Rows of older versions held a method, a path, a JSON ``body`` and a ``meta`` object
  instead: they are read into operations when the store opens (same idempotency key, so a
  write that waited across the upgrade is still sent exactly once).
"""

_ITEM_COLUMNS = (
    "id, created_at, operation, idempotency_key, state, attempts, error, "
    "op, entity, depends_on, field, result"
)
_READABLE = "operation IS NOT NULL"

WAITING = "waiting"
SENT = "sent"
REJECTED = "rejected"
CONFLICT = "conflict"
UNREADABLE = "unreadable"
"""A row of an older version that could not be read as an operation: kept in the file, never
sent."""
DISMISSED = "dismissed"
"""A refused or conflicting write the user has dealt with (typed over it, kept theirs)."""
REFUSED = (REJECTED, CONFLICT)
"""The states of a write the server did not take and the user has not dealt with yet."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    created_at: dt.datetime
    write: Op
    idempotency_key: str
    state: str
    attempts: int
    error: str
    depends_on: int | None = None
    field: str = ""
    result: bytes | None = None

    @property
    def op(self) -> str:
        """What the write does (``mark.create``, ...)."""
        return self.write.tag

    @property
    def entity(self) -> str:
        return self.write.entity


def _item(row: tuple[object, ...]) -> OutboxItem:
    from diary_tui import outbox_ops

    return OutboxItem(
        id=int(row[0]),  # type: ignore[call-overload]
        created_at=dt.datetime.fromisoformat(str(row[1])),
        write=outbox_ops.decode(bytes(row[2])),  # type: ignore[call-overload]
        idempotency_key=str(row[3]),
        state=str(row[4]),
        attempts=int(row[5]),  # type: ignore[call-overload]
        error=visible(str(row[6]), multiline=True),  # the server's words: shown, never obeyed
        depends_on=None if row[9] is None else int(row[9]),  # type: ignore[call-overload]
        field=str(row[10]),
        result=None if row[11] is None else bytes(row[11]),  # type: ignore[call-overload]
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def account_file_name(server: str, login: str) -> str:
    digest = hashlib.sha256(f"{server.rstrip('/')}\n{login}".encode()).hexdigest()[:20]
    return f"account-{digest}.sqlite3"


def store_path(server: str, login: str, root: Path | None = None) -> Path:
    return (root or data_dir()) / "accounts" / account_file_name(server, login)


class Store:
    """The local store of one account."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        # Create the file readable by the user alone before SQLite opens it.
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._add_outbox_columns()

    def _add_outbox_columns(self) -> None:
        with self._lock:
            present = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
            for name, declaration in OUTBOX_COLUMNS.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {declaration}")
            self._db.execute("CREATE INDEX IF NOT EXISTS ix_outbox_entity ON outbox (entity, id)")
        self._read_legacy_rows()

    def _read_legacy_rows(self) -> None:
        """Rows kept by versions before typed operations become operations (once)."""
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id, op, path, body, meta, entity FROM outbox WHERE operation IS NULL "
                "AND state != ?",
                (UNREADABLE,),
            ).fetchall()
            if not rows:
                return
            from diary_tui import outbox_ops

            for item_id, tag, path, body, meta, entity in rows:
                try:
                    op = outbox_ops.from_legacy(tag, path, bytes(body), meta, entity)
                except ValueError as exc:
                    db.execute(
                        "UPDATE outbox SET state = ?, error = ? WHERE id = ?",
                        (UNREADABLE, str(exc), item_id),
                    )
                    continue
                db.execute(
                    "UPDATE outbox SET operation = ?, op = ?, entity = ? WHERE id = ?",
                    (outbox_ops.encode(op), op.tag, op.entity, item_id),
                )

    @classmethod
    def open_for(cls, server: str, login: str, root: Path | None = None) -> Store:
        return cls(store_path(server, login, root))

    @staticmethod
    def delete_for(server: str, login: str, root: Path | None = None) -> bool:
        """Delete an account's store with its journal files; True when there was one."""
        path = store_path(server, login, root)
        found = False
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                candidate.unlink()
                found = True
            except FileNotFoundError:
                pass
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- the response cache ---------------------------------------------------------------

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT etag, body FROM responses WHERE key = ?", (key,)
            ).fetchone()
        return CachedResponse(row[0], bytes(row[1])) if row else None

    def put(self, key: str, etag: str, body: bytes) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO responses (key, etag, body, fetched_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, "
                "fetched_at = excluded.fetched_at",
                (key, etag, body, _now()),
            )

    def fetched_at(self, key: str) -> dt.datetime | None:
        with self._lock:
            row = self._db.execute(
                "SELECT fetched_at FROM responses WHERE key = ?", (key,)
            ).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    # -- sync state ---------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def last_sync(self) -> dt.datetime | None:
        value = self.get_meta("last_sync")
        return dt.datetime.fromisoformat(value) if value else None

    def mark_synced(self, when: dt.datetime | None = None) -> None:
        self.set_meta("last_sync", (when or dt.datetime.now(dt.UTC)).isoformat())

    # -- the outbox -----------------------------------------------------------------------

    def enqueue(self, write: Op, idempotency_key: str, *, depends_on: int | None = None) -> int:
        """Commit a write to the outbox; returns its id. Durable when this returns."""
        from diary_tui import outbox_ops

        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO outbox (created_at, method, path, body, idempotency_key, op, "
                "entity, depends_on, operation) VALUES (?, '', '', x'', ?, ?, ?, ?, ?)",
                (
                    _now(),
                    idempotency_key,
                    write.tag,
                    write.entity,
                    depends_on,
                    outbox_ops.encode(write),
                ),
            )
            return int(cursor.lastrowid or 0)

    def item(self, item_id: int) -> OutboxItem | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE id = ? AND {_READABLE}", (item_id,)
            ).fetchone()
        return _item(row) if row else None

    def items(self, states: tuple[str, ...] = (), limit: int = 10_000) -> list[OutboxItem]:
        """Outbox writes in any of ``states`` (all when empty), oldest first."""
        where = f"WHERE {_READABLE}"
        if states:
            where += f" AND state IN ({', '.join('?' * len(states))})"
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM outbox {where} ORDER BY id LIMIT ?",
                (*states, limit),
            ).fetchall()
        return [_item(row) for row in rows]

    def last_answer(self, entity: str, before: int) -> OutboxItem | None:
        """The newest write of ``entity`` older than ``before`` that the server accepted."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE entity = ? AND id < ? AND state = ? "
                f"AND {_READABLE} "
                "AND result IS NOT NULL ORDER BY id DESC LIMIT 1",
                (entity, before, SENT),
            ).fetchone()
        return _item(row) if row else None

    def latest(self, entity: str, op: str) -> OutboxItem | None:
        """The newest write of ``entity`` doing ``op`` (e.g. the create of a mark)."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM outbox WHERE entity = ? AND op = ? "
                f"AND {_READABLE} ORDER BY id DESC LIMIT 1",
                (entity, op),
            ).fetchone()
        return _item(row) if row else None

    def rewrite(self, item_id: int, write: Op) -> None:
        """Fix a waiting write (its dependency's server id and version are known now). Stored
        before sending, so a resend after a crash sends the same request."""
        from diary_tui import outbox_ops

        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET operation = ?, depends_on = NULL WHERE id = ? AND state = ?",
                (outbox_ops.encode(write), item_id, WAITING),
            )

    def forget_settled(self, older_than: dt.datetime) -> int:
        """Delete settled writes older than ``older_than``; returns how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE state != ? AND created_at < ? AND id NOT IN "
                "(SELECT depends_on FROM outbox WHERE state = ? AND depends_on IS NOT NULL)",
                (WAITING, older_than.astimezone(dt.UTC).isoformat(), WAITING),
            )
            return int(cursor.rowcount)

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Writes still to send, oldest first."""
        return self.items((WAITING,), limit)

    def outbox_count(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM outbox WHERE state = ?", (WAITING,)
            ).fetchone()
        return int(row[0])

    def refused_count(self) -> int:
        """Writes the server refused or found in conflict, not dealt with yet."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM outbox WHERE state IN (?, ?)", REFUSED
            ).fetchone()
        return int(row[0])

    def dismiss(self, item_ids: list[int]) -> None:
        """The user dealt with these refused or conflicting writes: stop showing them."""
        if not item_ids:
            return
        marks = ", ".join("?" * len(item_ids))
        with self._transaction() as db:
            db.execute(
                f"UPDATE outbox SET state = ? WHERE state IN (?, ?) AND id IN ({marks})",
                (DISMISSED, *REFUSED, *item_ids),
            )

    def settle(
        self,
        item_id: int,
        state: str,
        *,
        error: str = "",
        result: bytes | None = None,
        field: str = "",
    ) -> None:
        """Record the server's answer to an outbox write (for a conflict, ``result`` is the
        server's current value)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, error = ?, result = ?, field = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                (state, error, result, field, item_id),
            )

    def note_attempt(self, item_id: int, error: str) -> None:
        """A send failed in a way worth retrying (offline, server error)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, error = ? WHERE id = ?",
                (error, item_id),
            )
