"""The server stopped and started while the teacher types: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks.durability import ServerProcess, demo_database, type_through_restarts


def test_server_down_and_up_while_typing(tmp_path: Path) -> None:
    with demo_database() as db_url:
        server = ServerProcess(db_url)
        server.start()
        try:
            outcome = asyncio.run(
                type_through_restarts(
                    server,
                    tmp_path / "store.sqlite3",
                    marks=60,
                    restarts=1,
                    typing_pause=0.02,
                    down_seconds=0.5,
                )
            )
        finally:
            server.close()
    assert (outcome.lost, outcome.doubled) == (0, 0)
    # Typing went on while the server was down: the status said offline and writes waited.
    assert outcome.offline_seen > 0
    assert outcome.max_waiting > 1
