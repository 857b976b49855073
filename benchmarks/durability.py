"""Durability: marks typed through the sync engine while the server is stopped and started.

A real ``diary-server serve`` process over a fresh demo school; a teacher's marks go into the
outbox at typing speed while the sync engine sends them; the server is stopped and started
again ``--restarts`` times in the middle. Every mark carries a unique comment, so afterwards
the server's journal says how many were lost (missing) and how many doubled (more than once).
Both must be 0.

    uv run python -m benchmarks.durability [--marks 1000] [--restarts 2]

The tests (``tests/e2e/test_server_restart.py``) run the same thing with fewer marks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from api_client.client import DiaryClient
from api_client.models import Journal, JournalLesson, LessonStatus, MarkCreate
from benchmarks.common import FROZEN_TODAY, ROOT, free_port, init_demo, server_command
from diary_tui.data import SyncState
from diary_tui.outbox_ops import MarkCreateOp
from diary_tui.store import Store
from diary_tui.sync import SyncEngine


class ServerProcess:
    """``diary-server serve`` in a child process that can be stopped and started again on the
    same port."""

    def __init__(
        self, db_url: str, port: int | None = None, *, today: str | None = FROZEN_TODAY
    ) -> None:
        self.db_url = db_url
        self.today = today
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="diary-server-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        env = dict(os.environ)
        env.pop("DIARY_TODAY", None)
        if self.today is not None:
            env["DIARY_TODAY"] = self.today
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*server_command(), "serve", "--db", self.db_url, "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy(timeout)

    def _wait_healthy(self, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"the server did not answer on {self.url} in {timeout} s")

    def stop(self, *, kill: bool = False) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        self.stop()
        self.log.unlink(missing_ok=True)


_TEMPLATE: list[Path] = []


def demo_template() -> Path:
    """The demo school built once per process (``init-demo`` takes seconds), to be copied."""
    if not _TEMPLATE or not _TEMPLATE[0].exists():
        folder = Path(tempfile.mkdtemp(prefix="diary-demo-template-"))
        path = folder / "school.sqlite3"
        init_demo(f"sqlite:///{path}")
        _TEMPLATE[:] = [path]
    return _TEMPLATE[0]


@contextlib.contextmanager
def demo_database() -> Iterator[str]:
    """A fresh copy of the demo school in a temporary SQLite file."""
    template = demo_template()
    with tempfile.TemporaryDirectory(prefix="diary-durability-") as folder:
        path = Path(folder) / "school.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"


def held_lessons(journal: Journal, today: str = FROZEN_TODAY) -> list[JournalLesson]:
    """Lessons of the journal that took place up to today (marks may be given there)."""
    day = dt.date.fromisoformat(today)
    return [
        lesson
        for lesson in journal.lessons
        if lesson.date <= day and lesson.status is not LessonStatus.CANCELLED
    ]


async def teacher_journal(client: DiaryClient) -> Journal:
    """The first journal of the logged-in teacher (the current period)."""
    me = await client.me()
    teaching = me.teaching[0]
    params = {"class_id": teaching.class_.id, "subject_id": teaching.subject.id}
    return await client.get("/journal", Journal, params=params)


def count_tags(journal: Journal, tags: list[str]) -> tuple[int, int]:
    """How many of ``tags`` (mark comments) are missing, and how many show more than once."""
    seen = Counter(m.comment for m in journal.marks if not m.removed)
    lost = sum(1 for tag in tags if seen[tag] == 0)
    doubled = sum(1 for tag in tags if seen[tag] > 1)
    return lost, doubled


@dataclass
class Outcome:
    marks: int
    restarts: int
    lost: int
    doubled: int
    seconds: float
    offline_seen: int
    """Status changes that said offline while the server was down."""
    max_waiting: int


async def type_through_restarts(
    server: ServerProcess,
    store_path: Path,
    *,
    marks: int,
    restarts: int,
    tag: str = "d",
    typing_pause: float = 0.003,
    down_seconds: float = 1.0,
) -> Outcome:
    """Enqueue ``marks`` marks while the engine sends them and the server goes down and up
    ``restarts`` times; wait until everything is sent; count lost and doubled marks."""
    client = DiaryClient(server.url, timeout=5.0, connect_timeout=1.0)
    store = Store(store_path)
    try:
        await client.login("teacher", "demo")
        journal = await teacher_journal(client)
        lessons = held_lessons(journal)
        pupils = [p.id for p in journal.pupils]
        state = SyncState()
        engine = SyncEngine(client, store, state=state, base_delay=0.05, cap=0.5)
        offline_seen = 0
        max_waiting = 0

        emptied = asyncio.Event()

        def heard(event: object) -> None:
            nonlocal offline_seen, max_waiting
            max_waiting = max(max_waiting, state.outbox)
            if state.outbox == 0:
                emptied.set()
            if state.online is False:
                offline_seen += 1

        engine.listen(heard)
        runner = asyncio.create_task(engine.run())
        started = time.perf_counter()
        tags = [f"{tag}{i}" for i in range(marks)]
        stops = {marks * (k + 1) // (restarts + 1) for k in range(restarts)}
        low, high = journal.scale.min, journal.scale.max
        bounces: list[asyncio.Task[None]] = []

        async def bounce() -> None:
            """Down, and up again after ``down_seconds``; typing goes on meanwhile."""
            await asyncio.to_thread(server.stop)
            await asyncio.sleep(down_seconds)
            await asyncio.to_thread(server.start)
            engine.kick()

        for i, comment in enumerate(tags):
            if i in stops:
                if bounces:
                    await bounces[-1]
                bounces.append(asyncio.create_task(bounce()))
            lesson = lessons[(i // len(pupils)) % len(lessons)]
            request = MarkCreate(
                lesson_id=lesson.id,
                pupil_id=pupils[i % len(pupils)],
                value=low + i % (high - low + 1),
                comment=comment,
            )
            engine.enqueue(MarkCreateOp(key=comment, request=request))
            await asyncio.sleep(typing_pause)
        for task in bounces:
            await task
        if store.outbox_count():
            emptied.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(emptied.wait(), timeout=120 + marks * 0.1)
        seconds = time.perf_counter() - started
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        final = await client.get(
            "/journal",
            Journal,
            params={
                "class_id": journal.class_.id,
                "subject_id": journal.subject.id,
                "period_id": journal.period.id,
            },
        )
        lost, doubled = count_tags(final, tags)
        return Outcome(marks, restarts, lost, doubled, seconds, offline_seen, max_waiting)
    finally:
        await client.aclose()
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marks", type=int, default=1000)
    parser.add_argument("--restarts", type=int, default=2)
    args = parser.parse_args(argv)
    with demo_database() as db_url, tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(db_url)
        server.start()
        try:
            outcome = asyncio.run(
                type_through_restarts(
                    server, Path(folder) / "store.sqlite3", marks=args.marks, restarts=args.restarts
                )
            )
        finally:
            server.close()
    print(f"marks typed:            {outcome.marks}")
    print(f"server restarts:        {outcome.restarts}")
    print(f"lost:                   {outcome.lost}")
    print(f"doubled:                {outcome.doubled}")
    print(f"most waiting at once:   {outcome.max_waiting}")
    print(f"time, first to last:    {outcome.seconds:.1f} s")
    print(f"marks per second:       {outcome.marks / outcome.seconds:.0f}")


if __name__ == "__main__":
    main()
