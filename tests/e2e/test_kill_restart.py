"""Kill and restart: marks typed, the app killed with SIGKILL before (and while) it syncs,
a new process resumes from the same store: each mark is on the server exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_client.client import DiaryClient
from benchmarks.common import ROOT
from benchmarks.durability import ServerProcess, count_tags, demo_database, teacher_journal
from diary_tui.store import Store


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    with demo_database() as db_url:
        process = ServerProcess(db_url)
        process.start()
        try:
            yield process
        finally:
            process.close()


def typist(server: ServerProcess, store: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.typist", server.url, str(store), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(process: subprocess.Popen[str], word: str, seconds: float = 30) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(word):
            return line
    stderr = process.stderr.read() if process.stderr else ""
    raise AssertionError(f"no {word!r} from the typist: {lines} {stderr}")


async def server_tags(url: str) -> tuple[int, int, int]:
    async with DiaryClient(url) as client:
        await client.login("teacher", "demo")
        journal = await teacher_journal(client)
    tags = [f"t{i}" for i in range(30)]
    lost, doubled = count_tags(journal, tags)
    present = sum(1 for m in journal.marks if m.comment.startswith("t") and m.comment[1:].isdigit())
    return lost, doubled, present


def test_killed_before_and_while_syncing_then_resumed(
    server: ServerProcess, tmp_path: Path
) -> None:
    store_path = tmp_path / "teacher.sqlite3"
    # 1. Ten marks typed, killed before anything is sent.
    first = typist(server, store_path, "--marks", "10", "--send", "0", "--hold")
    read_until(first, "HOLDING")
    first.send_signal(signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL
    store = Store(store_path)
    assert store.outbox_count() == 10
    store.close()
    # 2. Twenty more typed; five sent; the sixth reaches the server, then SIGKILL before
    #    the answer is recorded.
    second = typist(server, store_path, "--marks", "20", "--send", "5", "--die-after-send")
    read_until(second, "DYING")
    assert second.wait(10) == -signal.SIGKILL
    store = Store(store_path)
    assert store.outbox_count() == 25
    store.close()
    lost, doubled, present = asyncio.run(server_tags(server.url))
    assert (present, doubled) == (6, 0)
    # 3. A new process resumes: everything arrives, the sixth is replayed, not doubled.
    third = typist(server, store_path)
    done = read_until(third, "DONE")
    assert third.wait(10) == 0
    assert done.split() == ["DONE", "25"]
    lost, doubled, present = asyncio.run(server_tags(server.url))
    assert (lost, doubled, present) == (0, 0, 30)
    store = Store(store_path)
    assert store.outbox_count() == 0
    store.close()
