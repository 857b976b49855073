"""Database URLs and engines: SQLite for one school, PostgreSQL for a city.

A URL given as ``sqlite:///path`` or ``postgresql://...`` is turned into its async driver form
(``sqlite+aiosqlite``, ``postgresql+asyncpg``). SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

ENV_DB = "DIARY_DB"


class BadDatabaseURL(ValueError):
    """The database URL names a database this server cannot use."""


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("diary-server", appauthor=False, ensure_exists=True) / "diary.sqlite3"


def resolve_url(url: str | None) -> str:
    """The async SQLAlchemy URL for ``url``, the ``DIARY_DB`` variable, or the default file."""
    url = url or os.environ.get(ENV_DB) or f"sqlite:///{default_db_path()}"
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise BadDatabaseURL(
            f"{url!r} is not a database URL; use sqlite:///path/to/file.sqlite3 "
            "or postgresql://user:password@host/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise BadDatabaseURL(
            f"database {backend!r} is not supported; use sqlite:/// or postgresql://"
        )
    return parsed.render_as_string(hide_password=False)


def backend_name(url: str) -> str:
    return make_url(url).get_backend_name()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _stop_once() -> None:
    """Make ``aiosqlite.Connection.stop`` answer only its first call.

    A request cancelled during a query (a client that hung up, a server shutting down) makes
    SQLAlchemy close the connection gracefully while, when that takes a moment, it also stops
    it by force. In aiosqlite 0.22 the graceful ``close()`` ends by calling ``stop()`` itself
    and waiting for the connection's thread to confirm; the forced ``stop()`` has already ended
    that thread, so the wait never ends and the task hangs (a server's connection leaks; a test
    run hangs at teardown). After the first call, ``stop()`` has nothing left to do: it returns
    no future to wait for.
    """
    import aiosqlite

    stop = aiosqlite.Connection.stop
    if getattr(stop, "once", False):
        return

    def stop_once(self: aiosqlite.Connection) -> Any:
        if getattr(self, "_diary_stopped", False):
            return None
        self._diary_stopped = True  # type: ignore[attr-defined]
        return stop(self)

    stop_once.once = True  # type: ignore[attr-defined]
    aiosqlite.Connection.stop = stop_once  # type: ignore[method-assign]


def make_engine(url: str | None = None, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (see :func:`resolve_url`)."""
    resolved = resolve_url(url)
    if backend_name(resolved) == "sqlite":
        _stop_once()
        database = make_url(resolved).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    else:
        # Up to 30 connections a process, all kept once opened. With a pool of 10 and 20 more
        # "overflow" ones, a process serving 25 requests at once closed and reopened an
        # overflow connection for nearly every request (a new PostgreSQL backend each time:
        # 70 to 90 extra connections in 14 s of the week benchmark with two processes).
        kwargs.setdefault("pool_size", 30)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(resolved, **kwargs)
    if backend_name(resolved) == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def reachable(db: AsyncSession) -> bool:
    """Whether the database answers a trivial query (``/health``)."""
    try:
        await db.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True
