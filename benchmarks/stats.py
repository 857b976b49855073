"""The administration's statistics for a school of 2,000 pupils with a year of marks: server
time per request, median of 10.

The generator's largest school ("school") has about 800 pupils. Generated with today at the end
of the year (2027-05-24), it holds a whole year of lessons, marks and absences. The setup then
copies whole classes (their pupils, enrolments, lessons, marks and absences, under new ids and
letters) until the school has 2,000 pupils, and times the requests in-process through the ASGI
app (the server's own time: routing, the SQL aggregates, building and encoding the answer; no
network), on SQLite.

    uv run python -m benchmarks.stats [--pupils 2000] [--runs 10] [--keep PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import median

TODAY = dt.date(2027, 5, 24)
OFFSET = 10_000_000
"""Copied rows get ``id + OFFSET * round``: unique, and easy to tell apart."""


def generate(path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "demo_server.cli",
            "init-demo",
            "--db",
            f"sqlite:///{path}",
            "--size",
            "school",
            "--today",
            TODAY.isoformat(),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def _copy(
    db: sqlite3.Connection, table: str, where: str, changes: dict[str, str], args: tuple[int, ...]
) -> int:
    columns = _columns(db, table)
    values = ", ".join(changes.get(c, c) for c in columns)
    cursor = db.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} WHERE {where}",
        args,
    )
    return cursor.rowcount


def grow(path: Path, pupils: int) -> int:
    """Copy classes until the school has ``pupils`` pupils; returns the number it has."""
    db = sqlite3.connect(path)
    try:
        count = db.execute("SELECT count(*) FROM users WHERE role = 'pupil'").fetchone()[0]
        classes = [r[0] for r in db.execute("SELECT id FROM classes ORDER BY grade, letter")]
        copy_round = 0
        while count < pupils:
            copy_round += 1
            off = OFFSET * copy_round
            for class_id in classes:
                if count >= pupils:
                    break
                of_class = "SELECT pupil_id FROM enrolments WHERE class_id = ?"
                lessons = "SELECT id FROM lessons WHERE class_id = ?"
                _copy(
                    db,
                    "classes",
                    "id = ?",
                    {"id": f"id + {off}", "letter": f"letter || '{copy_round}'"},
                    (class_id,),
                )
                count += _copy(
                    db,
                    "users",
                    f"id IN ({of_class})",
                    {"id": f"id + {off}", "login": f"login || '.{copy_round}'"},
                    (class_id,),
                )
                _copy(
                    db,
                    "enrolments",
                    "class_id = ?",
                    {
                        "id": f"id + {off}",
                        "pupil_id": f"pupil_id + {off}",
                        "class_id": f"class_id + {off}",
                    },
                    (class_id,),
                )
                _copy(
                    db,
                    "lessons",
                    "class_id = ?",
                    {"id": f"id + {off}", "class_id": f"class_id + {off}"},
                    (class_id,),
                )
                for table in ("marks", "absences"):
                    _copy(
                        db,
                        table,
                        f"lesson_id IN ({lessons})",
                        {
                            "id": f"id + {off}",
                            "lesson_id": f"lesson_id + {off}",
                            "pupil_id": f"pupil_id + {off}",
                        },
                        (class_id,),
                    )
        db.commit()
        db.execute("ANALYZE")
        return int(count)
    finally:
        db.close()


def describe(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        pupils = db.execute("SELECT count(*) FROM users WHERE role = 'pupil'").fetchone()[0]
        classes = db.execute("SELECT count(*) FROM classes").fetchone()[0]
        marks, first, last = db.execute(
            "SELECT count(*), min(l.date), max(l.date) FROM marks m "
            "JOIN lessons l ON l.id = m.lesson_id"
        ).fetchone()
        lessons = db.execute("SELECT count(*) FROM lessons").fetchone()[0]
        absences = db.execute("SELECT count(*) FROM absences").fetchone()[0]
    finally:
        db.close()
    return (
        f"{pupils} pupils in {classes} classes; {lessons} lessons, {marks} marks "
        f"({first} to {last}), {absences} absences"
    )


async def measure(path: Path, runs: int) -> list[tuple[str, float, float, int]]:
    from demo_server.app import create_app
    from demo_server.settings import ServerSettings

    app = create_app(f"sqlite:///{path}", settings=ServerSettings(today=lambda: TODAY))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    results: list[tuple[str, float, float, int]] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as http:
        for login in ("admin", "authority"):
            response = await http.post("/auth/login", json={"login": login, "password": "demo"})
            response.raise_for_status()
            http.headers[f"x-{login}"] = response.json()["access_token"]

        async def timed(label: str, login: str, path: str) -> None:
            headers = {"Authorization": f"Bearer {http.headers[f'x-{login}']}"}
            times: list[float] = []
            size = 0
            for _ in range(runs):
                started = time.perf_counter()
                response = await http.get(path, headers=headers)
                times.append(time.perf_counter() - started)
                response.raise_for_status()
                size = len(response.content)
            results.append((label, median(times), min(times), size))

        school = (
            await http.get(
                "/stats/school",
                headers={"Authorization": f"Bearer {http.headers['x-admin']}"},
            )
        ).json()
        await timed("GET /stats/school (this period)", "admin", "/stats/school")
        for period in school["periods"]:
            await timed(
                f"GET /stats/school?period= ({period['name']})",
                "admin",
                f"/stats/school?period={period['id']}",
            )
        first_class = school["classes"][0]["class"]
        await timed(
            f"GET /stats/classes/{{id}} ({first_class['name']})",
            "admin",
            f"/stats/classes/{first_class['id']}",
        )
        await timed("GET /stats/authority", "authority", "/stats/authority")
    await app.state["server"].engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="keep the database here (re-used if present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "stats.sqlite3"
        if not path.exists():
            started = time.perf_counter()
            generate(path)
            print(f"generated the school in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            grow(path, args.pupils)
            took = time.perf_counter() - started
            print(f"copied classes up to {args.pupils} pupils in {took:.1f} s")
        print(describe(path))
        print(f"server time per request, SQLite, median (min) of {args.runs}:")
        for label, middle, fastest, size in asyncio.run(measure(path, args.runs)):
            print(f"  {label:<48} {middle * 1000:7.0f} ms ({fastest * 1000:.0f}) {size:>8} B")


if __name__ == "__main__":
    main()
