"""Time to open a class journal on the server: ``GET /journal`` for a full class over a quarter.

The app runs in-process (``httpx.ASGITransport``: no network, so the time is the server's own:
routing, authentication, the queries, encoding, ETag and gzip) over a school-size demo school
on SQLite. The class with the most pupils and its subject with the most lessons in the current
quarter is opened by the administration 20 times, without If-None-Match, so every answer is
built afresh. Printed: median and p95 of the whole request, and of the queries alone.

    uv run python -m benchmarks.journal_open [--size school] [--runs 20] [--db URL]

``--db`` reuses a demo school already made with ``diary-server init-demo --today 2026-11-25``
(a PostgreSQL URL works too).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import time
from typing import Any, cast

import httpx
from sqlalchemy import func, select

from api_client.models import API_PREFIX, Journal, Role, decode
from benchmarks.common import FROZEN_TODAY, init_demo, median, percentile, row, temp_db
from demo_server import schema as s
from demo_server.app import create_app
from demo_server.auth import Viewer
from demo_server.journal import load_journal
from demo_server.settings import ServerSettings, ServerState

TODAY = dt.date.fromisoformat(FROZEN_TODAY)


async def biggest_journal(state: ServerState) -> tuple[int, int, int]:
    """(class id, subject id, admin id): the fullest class and its most taught subject."""
    async with state.sessionmaker() as db:
        class_id = (
            await db.execute(
                select(s.Enrolment.class_id, func.count())
                .where(s.Enrolment.end.is_(None))
                .group_by(s.Enrolment.class_id)
                .order_by(func.count().desc(), s.Enrolment.class_id)
                .limit(1)
            )
        ).one()[0]
        subject_id = (
            await db.execute(
                select(s.Lesson.subject_id, func.count())
                .where(s.Lesson.class_id == class_id, s.Lesson.date <= TODAY)
                .group_by(s.Lesson.subject_id)
                .order_by(func.count().desc(), s.Lesson.subject_id)
                .limit(1)
            )
        ).one()[0]
        admin = await db.scalar(
            select(s.User.id).where(s.User.role == Role.ADMINISTRATION.value).limit(1)
        )
        assert admin is not None
    return int(class_id), int(subject_id), int(admin)


async def measure(db_url: str, runs: int, password: str) -> None:
    app = create_app(db_url, settings=ServerSettings(today=lambda: TODAY))
    state = cast(ServerState, app.state["server"])
    class_id, subject_id, admin_id = await biggest_journal(state)
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": "admin", "password": password}
        )
        login.raise_for_status()
        headers = {
            "Authorization": f"Bearer {login.json()['access_token']}",
            "Accept-Encoding": "gzip",
        }
        base = {"class_id": class_id, "subject_id": subject_id}
        first = await http.get(f"{API_PREFIX}/journal", params=base, headers=headers)
        first.raise_for_status()
        periods = decode(first.content, Journal).periods
        # The quarter in progress, and the first one, complete, with all its marks.
        chosen = [None, periods[0].id] if periods else [None]
        for period_id in chosen:
            params = dict(base, **({"period_id": period_id} if period_id else {}))
            await one_journal(http, state, headers, params, runs, admin_id)
    await state.engine.dispose()


async def one_journal(
    http: httpx.AsyncClient,
    state: ServerState,
    headers: dict[str, str],
    params: dict[str, int],
    runs: int,
    admin_id: int,
) -> None:
    request_times: list[float] = []
    journal: Journal | None = None
    size = 0
    for _ in range(runs + 1):  # the first warms the caches and is not counted
        started = time.perf_counter()
        response = await http.get(f"{API_PREFIX}/journal", params=params, headers=headers)
        request_times.append(time.perf_counter() - started)
        response.raise_for_status()
        size = int(response.headers.get("content-length", len(response.content)))
        journal = decode(response.content, Journal)
    request_times = request_times[1:]
    assert journal is not None
    viewer = Viewer(
        id=admin_id,
        school_id=1,
        role=Role.ADMINISTRATION,
        login="admin",
        session_id=0,
        zone="Europe/Moscow",
        today=TODAY,
    )
    query_times: list[float] = []
    for _ in range(runs):
        async with state.sessionmaker() as db:
            started = time.perf_counter()
            await load_journal(
                db,
                viewer,
                params["class_id"],
                params["subject_id"],
                params.get("period_id"),
                TODAY,
            )
            query_times.append(time.perf_counter() - started)
    held = sum(1 for lesson in journal.lessons if lesson.date <= TODAY)
    print()
    print(
        f"journal {journal.class_.name} / {journal.subject.name} / {journal.period.name}: "
        f"{len(journal.pupils)} pupils, {len(journal.lessons)} lessons ({held} held), "
        f"{len(journal.marks)} marks, {len(journal.absences)} absences; "
        f"{size} bytes on the wire (gzip)"
    )
    print(row(f"GET /journal, {state.backend}, {runs} runs", "median ms", "p95 ms"))
    print(
        row(
            "whole request (in-process)",
            f"{median(request_times) * 1000:.1f}",
            f"{percentile(request_times, 95) * 1000:.1f}",
        )
    )
    print(
        row(
            "queries only (load_journal)",
            f"{median(query_times) * 1000:.1f}",
            f"{percentile(query_times, 95) * 1000:.1f}",
        )
    )


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="school", choices=["small", "school"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--password", default="demo")
    parser.add_argument("--db", default=None, help="an existing demo school (see above)")
    args = parser.parse_args()
    if args.db:
        asyncio.run(measure(args.db, args.runs, args.password))
        return
    with temp_db() as db_url:
        started = time.perf_counter()
        init_demo(db_url, size=args.size)
        print(f"demo school ({args.size}) generated in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(db_url, args.runs, args.password))


if __name__ == "__main__":
    main()
