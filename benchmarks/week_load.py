"""The week endpoint under concurrent clients: requests per second, p50 and p99 latency.

A real ``diary-server serve`` process (one uvicorn worker, then two) over a school-size demo
school; 50 concurrent clients, each a kept-alive connection asking for a different pupil's week
again and again (full responses: no If-None-Match, so the server builds every week).

SQLite by default. ``--db`` names the databases to compare, side by side: ``sqlite`` (a
temporary file) and any ``postgresql://`` server URL. For PostgreSQL the benchmark creates a
fresh database of its own on that server (through the database the URL names), generates the
demo school in it, and drops it afterwards. The last column says how the clients' connections
were spread over the server processes (see :func:`connection_spread`).

    uv run python -m benchmarks.week_load [--clients 50] [--seconds 15] [--size school]
    uv run python -m benchmarks.week_load --db sqlite postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

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


def backend_of(db_url: str) -> str:
    if db_url == "sqlite" or db_url.startswith("sqlite:"):
        return "SQLite"
    if db_url.startswith(("postgresql:", "postgresql+", "postgres:")):
        return "PostgreSQL"
    raise argparse.ArgumentTypeError(
        f"{db_url!r} is neither 'sqlite' nor a postgresql://user@host:port/dbname URL"
    )


def _database_url(db_url: str) -> str:
    """Argparse's check of a ``--db`` value."""
    backend_of(db_url)
    return db_url


def _asyncpg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_connect(url: str) -> Any:
    """An asyncpg connection (the server's own driver) to the database of ``url``."""
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(_asyncpg_dsn(url))


async def _pg_execute(server_url: str, sql: str) -> None:
    connection = await _pg_connect(server_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def temp_postgres(server_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server of ``server_url``; dropped afterwards."""
    from sqlalchemy.engine import make_url

    name = f"diary_week_load_{os.getpid()}"
    asyncio.run(_pg_execute(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def bench_db(db_url: str) -> Iterator[str]:
    """A database to fill and load: a temporary SQLite file, or a fresh PostgreSQL database."""
    if backend_of(db_url) == "SQLite":
        if db_url == "sqlite":
            with temp_db() as url:
                yield url
        else:
            yield db_url
    else:
        with temp_postgres(db_url) as url:
            yield url


async def _pg_pupil_ids(db_url: str, limit: int) -> list[int]:
    connection = await _pg_connect(db_url)
    try:
        rows = await connection.fetch(
            "SELECT id FROM users WHERE role = 'pupil' ORDER BY id LIMIT $1", limit
        )
    finally:
        await connection.close()
    return [int(r["id"]) for r in rows]


def pupil_ids(db_url: str, limit: int) -> list[int]:
    if backend_of(db_url) == "PostgreSQL":
        return asyncio.run(_pg_pupil_ids(db_url, limit))
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT id FROM users WHERE role = 'pupil' ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
    return [int(r[0]) for r in rows]


def connection_spread(port: int) -> str:
    """How the clients' connections are spread over the server processes, as ``32/18``.

    The workers of ``uvicorn --workers`` accept from one shared socket, and kept-alive
    connections stay where they landed: two processes may serve 50/0 or 25/25, and the
    figures of a run depend on it. Empty where ``ss`` (iproute2) is missing."""
    try:
        out = subprocess.run(
            ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    counts = Counter(re.findall(r"pid=(\d+)", out))
    return "/".join(str(n) for n in sorted(counts.values(), reverse=True))


async def load(
    base_url: str, password: str, pupils: list[int], clients: int, seconds: float
) -> tuple[int, list[float], dict[str, int], str]:
    """Requests per second, every request's latency, the failures counted by kind, and how
    the connections were spread over the server processes half-way through."""
    async with httpx.AsyncClient(base_url=base_url + "/api/v1") as auth:
        response = await auth.post("/auth/login", json={"login": "admin", "password": password})
        response.raise_for_status()
        token = response.json()["access_token"]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base_url + "/api/v1", headers=headers, limits=limits, timeout=30
    ) as http:
        deadline = time.perf_counter() + seconds

        async def client(index: int) -> None:
            pupil = pupils[index % len(pupils)]
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    answer = await http.get(f"/pupils/{pupil}/week", params={"date": FROZEN_TODAY})
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                else:
                    kind = "" if answer.status_code == 200 else f"HTTP {answer.status_code}"
                latencies.append(time.perf_counter() - started)
                if kind:
                    errors[kind] = errors.get(kind, 0) + 1

        async def spread() -> str:
            await asyncio.sleep(seconds / 2)
            port = httpx.URL(base_url).port
            return await asyncio.to_thread(connection_spread, port) if port else ""

        began = time.perf_counter()
        sampling = asyncio.create_task(spread())
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - began
        sampled = await sampling
    return round(len(latencies) / elapsed), latencies, errors, sampled


def errors_text(errors: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(errors.items())) if errors else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--size", default="school", choices=["small", "school"])
    parser.add_argument("--password", default="demo")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="server processes to compare"
    )
    parser.add_argument(
        "--db",
        type=_database_url,
        nargs="+",
        default=["sqlite"],
        metavar="DB",
        help="'sqlite' (a temporary file) and/or postgresql:// server URLs, compared side by "
        "side; a PostgreSQL benchmark makes a database of its own there and drops it after",
    )
    args = parser.parse_args()
    results: list[str] = []
    for db in args.db:
        backend = backend_of(db)
        with bench_db(db) as db_url:
            started = time.perf_counter()
            init_demo(db_url, size=args.size)
            took = time.perf_counter() - started
            print(f"demo school ({args.size}) generated in {backend} in {took:.1f} s", flush=True)
            pupils = pupil_ids(db_url, args.clients)
            for workers in args.workers:
                with running_server(db_url, workers=workers) as base_url:
                    rps, latencies, errors, spread = asyncio.run(
                        load(base_url, args.password, pupils, args.clients, args.seconds)
                    )
                label = f"{backend}, {workers} process{'es' if workers > 1 else ''}"
                p50 = f"{median(latencies) * 1000:.1f}"
                p99 = f"{percentile(latencies, 99) * 1000:.1f}"
                results.append(
                    row(label, args.clients, rps, p50, p99, errors_text(errors), spread or "?")
                )
                print(results[-1], flush=True)
    print()
    print(row("week endpoint", "clients", "req/s", "p50 ms", "p99 ms", "errors", "conns/process"))
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
