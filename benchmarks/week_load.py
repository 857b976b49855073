"""The week endpoint under concurrent clients: requests per second, p50 and p99 latency.

A real ``diary-server serve`` process (one uvicorn worker) on SQLite, over a school-size demo
school; 50 concurrent clients, each a kept-alive connection asking for a different pupil's week
again and again (full responses: no If-None-Match, so the server builds every week).

    uv run python -m benchmarks.week_load [--clients 50] [--seconds 15] [--size school]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import time

import httpx

from benchmarks.common import (
    FROZEN_TODAY,
    init_demo,
    median,
    percentile,
    row,
    running_server,
    temp_db,
)


def pupil_ids(db_url: str, limit: int) -> list[int]:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT id FROM users WHERE role = 'pupil' ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
    return [int(r[0]) for r in rows]


async def load(
    base_url: str, password: str, pupils: list[int], clients: int, seconds: float
) -> tuple[int, list[float], int]:
    async with httpx.AsyncClient(base_url=base_url + "/api/v1") as auth:
        response = await auth.post("/auth/login", json={"login": "admin", "password": password})
        response.raise_for_status()
        token = response.json()["access_token"]
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url + "/api/v1", headers=headers, limits=limits, timeout=30
    ) as http:
        deadline = time.perf_counter() + seconds

        async def client(index: int) -> None:
            nonlocal errors
            pupil = pupils[index % len(pupils)]
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await http.get(f"/pupils/{pupil}/week", params={"date": FROZEN_TODAY})
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - began
    return round(len(latencies) / elapsed), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--size", default="school", choices=["small", "school"])
    parser.add_argument("--password", default="demo")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="server processes to compare"
    )
    args = parser.parse_args()
    with temp_db() as db_url:
        started = time.perf_counter()
        init_demo(db_url, size=args.size)
        print(f"demo school ({args.size}) generated in {time.perf_counter() - started:.1f} s")
        pupils = pupil_ids(db_url, args.clients)
        print(row("week endpoint, SQLite", "clients", "req/s", "p50 ms", "p99 ms", "errors"))
        for workers in args.workers:
            with running_server(db_url, workers=workers) as base_url:
                rps, latencies, errors = asyncio.run(
                    load(base_url, args.password, pupils, args.clients, args.seconds)
                )
            label = f"{workers} server process{'es' if workers > 1 else ''}"
            p50 = f"{median(latencies) * 1000:.1f}"
            p99 = f"{percentile(latencies, 99) * 1000:.1f}"
            print(row(label, args.clients, rps, p50, p99, errors))


if __name__ == "__main__":
    main()
