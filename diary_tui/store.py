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

from api_client.client import CachedResponse
from diary_tui.config import data_dir

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

WAITING = "waiting"
SENT = "sent"
REJECTED = "rejected"
CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    created_at: dt.datetime
    method: str
    path: str
    body: bytes
    idempotency_key: str
    state: str
    attempts: int
    error: str


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

    def enqueue(self, method: str, path: str, body: bytes, idempotency_key: str) -> int:
        """Commit a write to the outbox; returns its id. Durable when this returns."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO outbox (created_at, method, path, body, idempotency_key) "
                "VALUES (?, ?, ?, ?, ?)",
                (_now(), method, path, body, idempotency_key),
            )
            return int(cursor.lastrowid or 0)

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Writes still to send, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, created_at, method, path, body, idempotency_key, state, attempts, "
                "error FROM outbox WHERE state = ? ORDER BY id LIMIT ?",
                (WAITING, limit),
            ).fetchall()
        return [
            OutboxItem(
                id=row[0],
                created_at=dt.datetime.fromisoformat(row[1]),
                method=row[2],
                path=row[3],
                body=bytes(row[4]),
                idempotency_key=row[5],
                state=row[6],
                attempts=row[7],
                error=row[8],
            )
            for row in rows
        ]

    def outbox_count(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM outbox WHERE state = ?", (WAITING,)
            ).fetchone()
        return int(row[0])

    def settle(
        self, item_id: int, state: str, *, error: str = "", result: bytes | None = None
    ) -> None:
        """Record the server's answer to an outbox write."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, error = ?, result = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                (state, error, result, item_id),
            )

    def note_attempt(self, item_id: int, error: str) -> None:
        """A send failed in a way worth retrying (offline, server error)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, error = ? WHERE id = ?",
                (error, item_id),
            )
