"""Latency of a live change: a teacher's mark on the server to the updated week of an open
parent's client, on loopback.

``diary-server serve`` runs in a child process over a small demo school (SQLite unless
``--db`` names another database; ``--workers 2`` puts the writer and the stream in different
processes half of the time). The parent's client is the app's own data layer and live sync
(``DiaryData`` + ``LiveSync``, following the server-sent-events stream) with a stand-in for the
week screen: on a change about the child it reloads the week (one conditional GET), exactly
what the week screen does. A teacher's client gives a mark for that child ``--runs`` times.

Printed, median and p95 (target: median under 1 s):
- write to event: from sending ``POST /marks`` to the change arriving on the stream;
- write to screen: from sending ``POST /marks`` to the reloaded week holding the new mark.

    uv run python -m benchmarks.live_latency [--runs 20] [--workers 1] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import tempfile
import time
import uuid
from pathlib import Path

from api_client import endpoints
from api_client.client import DiaryClient
from api_client.models import Lesson, LessonStatus, MarkCreate, Week
from benchmarks.common import FROZEN_TODAY, init_demo, median, percentile, row, running_server
from diary_tui.data import DiaryData
from diary_tui.live import ChangesArrived, LinkChanged, LiveSync

TODAY = dt.date.fromisoformat(FROZEN_TODAY)


class MemoryStore:
    """Enough of the account store for the data layer: cache and meta in dicts."""

    def __init__(self) -> None:
        from api_client.client import CachedResponse

        self._cached = CachedResponse
        self.items: dict[str, tuple[str, bytes]] = {}
        self.meta: dict[str, str] = {}

    def get(self, key: str) -> object:
        hit = self.items.get(key)
        return self._cached(*hit) if hit else None

    def put(self, key: str, etag: str, body: bytes) -> None:
        self.items[key] = (etag, body)

    def last_sync(self) -> None:
        return None

    def mark_synced(self) -> None:
        pass

    def outbox_count(self) -> int:
        return 0

    def refused_count(self) -> int:
        return 0

    def close(self) -> None:
        pass

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        self.meta[key] = value


def held_lesson(week: Week, teacher_last_name: str) -> Lesson | None:
    for lesson in week.lessons:
        if (
            lesson.teacher.startswith(teacher_last_name)
            and lesson.date <= TODAY
            and lesson.status is not LessonStatus.CANCELLED
        ):
            return lesson
    return None


async def measure(url: str, runs: int) -> tuple[list[float], list[float]]:
    data = DiaryData(
        open_store=lambda _server, _login: MemoryStore(),  # type: ignore[arg-type,return-value]
        save_last_login=None,
        today=lambda: TODAY,
    )
    await data.login(url, "parent", "demo", remember=False)
    async with DiaryClient(url) as teacher:
        await teacher.login("teacher", "demo")
        teacher_me = await teacher.me()
        target: tuple[int, Lesson] | None = None
        for child in data.children:
            week = await data.load(endpoints.week(child.id, TODAY))
            lesson = held_lesson(week, teacher_me.last_name)
            if lesson is not None:
                target = (child.id, lesson)
                break
        if target is None:
            raise SystemExit("the demo teacher teaches none of the demo parent's children")
        pupil_id, lesson = target

        events: asyncio.Queue[float] = asyncio.Queue()
        screens: asyncio.Queue[tuple[float, Week]] = asyncio.Queue()
        reloads: set[asyncio.Task[None]] = set()

        async def reload_week() -> None:
            week = await data.load(endpoints.week(pupil_id, TODAY))
            screens.put_nowait((time.perf_counter(), week))

        ready = asyncio.Event()

        def post(message: object) -> None:
            if isinstance(message, LinkChanged) and message.online:
                ready.set()
            if isinstance(message, ChangesArrived):
                events.put_nowait(time.perf_counter())
                if any(c.pupil_id == pupil_id for c in message.changes):
                    task = asyncio.create_task(reload_week())
                    reloads.add(task)
                    task.add_done_callback(reloads.discard)

        sync = LiveSync(data, post)
        follower = asyncio.create_task(sync.run())
        try:
            await asyncio.wait_for(ready.wait(), 30)
            await asyncio.sleep(0.5)  # the stream is open
            to_event: list[float] = []
            to_screen: list[float] = []
            for n in range(runs):
                started = time.perf_counter()
                mark = await teacher.create_mark(
                    MarkCreate(
                        lesson_id=lesson.id,
                        pupil_id=pupil_id,
                        value=2 + n % 4,
                        comment=f"latency {n}",
                    ),
                    uuid.uuid4().hex,
                )
                heard = await asyncio.wait_for(events.get(), 10)
                to_event.append(heard - started)
                while True:
                    shown, week = await asyncio.wait_for(screens.get(), 10)
                    marks = [m.id for item in week.lessons for m in item.marks]
                    if mark.id in marks:
                        to_screen.append(shown - started)
                        break
                await asyncio.sleep(0.2)
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            await data.close()
    return to_event, to_screen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", help="a demo school made with init-demo --today 2026-11-25")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diary-live-") as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'school.sqlite3'}"
        if not args.db:
            init_demo(db)
        with running_server(db, workers=args.workers) as url:
            to_event, to_screen = asyncio.run(measure(url, args.runs))
    print(f"live latency on loopback, {args.runs} marks, {args.workers} server process(es)")
    print(row("", "median", "p95", "max"))
    for label, values in (("write to event", to_event), ("write to screen", to_screen)):
        print(
            row(
                label,
                f"{median(values) * 1000:.0f} ms",
                f"{percentile(values, 95) * 1000:.0f} ms",
                f"{max(values) * 1000:.0f} ms",
            )
        )
    verdict = "met" if median(to_screen) < 1 else "MISSED"
    print(f"target: a median under 1 s from the write to the screen: {verdict}")


if __name__ == "__main__":
    main()
