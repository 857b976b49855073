"""A SQLite connection closed gracefully while it is also stopped by force (what SQLAlchemy
does to the connection of a request cancelled mid-query) closes; it used to wait forever."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from demo_server.db import make_engine


async def test_close_after_a_forced_stop_ends(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")  # the server's engines
    await engine.dispose()
    connection = await aiosqlite.connect(str(tmp_path / "y.sqlite3"))
    closing = asyncio.ensure_future(connection.close())
    await asyncio.sleep(0)  # the graceful close is queued ...
    connection.stop()  # ... and the forced stop comes behind it
    await asyncio.wait_for(closing, 10)
