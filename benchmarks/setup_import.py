"""A school set up from its CSV files into an empty school: 40 classes, 800 pupils, 40
teachers, 10 subjects, 40 rooms, 400 teaching assignments, 1,200 timetable rows, and the
year's lessons made from them (about 38,000).

Each run starts from an empty database: ``init_school`` (what ``diary-server init`` does)
makes the school and its IT account; the year (1 September to 31 May, four quarters) and a
bell schedule of five lessons, Monday to Saturday, are set through the set-up API. Then,
timed, the files go through ``POST /setup/import/{kind}`` and ``POST /roster/import`` with
``dry_run=false`` in the order a school brings them: subjects, rooms, classes, the roster
(pupils and teachers), the classes again with their class teachers, the teaching
assignments, the timetable. The server runs in-process (``httpx.ASGITransport``); today is
frozen at 1 September 2026. Printed: each file's seconds (median of ``--runs`` runs) and the
total.

    uv run python -m benchmarks.setup_import [--runs 3] [--postgres URL]

``--postgres`` takes a server's URL (a database on it is created for each run and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from benchmarks.common import row, temp_db
from demo_server.demo_data import RU_FEMALE, RU_MALE, RU_SURNAMES, ru_surname

TODAY = dt.date(2026, 9, 1)
SUBJECTS = (
    "Русский язык",
    "Литература",
    "Математика",
    "Английский язык",
    "История",
    "Обществознание",
    "География",
    "Биология",
    "Физика",
    "Информатика",
)
LETTERS = "АБВГ"
DAYS = ("пн", "вт", "ср", "чт", "пт", "сб")
LESSONS = 5
PUPILS_PER_CLASS = 20


def class_name(c: int) -> str:
    """Class ``c`` of 40: grades 2 to 11, letters А to Г."""
    return f"{2 + c % 10}{LETTERS[c // 10]}"


def csv_text(header: str, lines: list[str]) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def school_files(classes: int = 40) -> dict[str, bytes]:
    """The school's files. At slot ``t`` (day and lesson) class ``c`` has subject
    ``(c + t) % 10``, taught by teacher ``(subject, c // 10)`` in their own room: each class
    has each subject three times a week, and no teacher or room is in two places at once."""
    names: list[tuple[str, str, str]] = []
    taken: set[tuple[str, str]] = set()
    n = 0
    while len(names) < len(SUBJECTS) * (classes // 10) + PUPILS_PER_CLASS * classes:
        masculine = RU_SURNAMES[n % len(RU_SURNAMES)]
        female = (n // len(RU_SURNAMES)) % 2 == 1
        pool = RU_FEMALE if female else [m[0] for m in RU_MALE]
        first = pool[(n * 7 + n // len(RU_SURNAMES)) % len(pool)]
        n += 1
        surname = ru_surname(masculine, female)
        if (surname, first) in taken:
            continue
        taken.add((surname, first))
        middle = RU_MALE[n % len(RU_MALE)][2 if female else 1]
        names.append((surname, first, middle))
    blocks = classes // 10
    teachers = {(j, k): names[j * blocks + k] for j in range(len(SUBJECTS)) for k in range(blocks)}
    pupils = names[len(teachers) :]

    def teacher(j: int, k: int) -> str:
        return " ".join(teachers[(j, k)])

    roster = ["тип;фамилия;имя;отчество;класс;дети"]
    roster += [f"учитель;{t[0]};{t[1]};{t[2]};;" for t in teachers.values()]
    for i, (last, first, _middle) in enumerate(pupils):
        roster.append(f"ученик;{last};{first};;{class_name(i % classes)};")
    timetable = []
    for c in range(classes):
        for t in range(len(DAYS) * LESSONS):
            j = (c + t) % len(SUBJECTS)
            timetable.append(
                f"{class_name(c)};{DAYS[t // LESSONS]};{t % LESSONS + 1};{SUBJECTS[j]};"
                f"{teacher(j, c // 10)};{100 * (c // 10 + 1) + j}"
            )
    return {
        "subjects": csv_text("предмет", list(SUBJECTS)),
        "rooms": csv_text(
            "кабинет;описание",
            [f"{100 * (k + 1) + j};{SUBJECTS[j]}" for k in range(blocks) for j in range(10)],
        ),
        "classes": csv_text("класс", [class_name(c) for c in range(classes)]),
        "roster": ("\n".join(roster) + "\n").encode("utf-8"),
        "classes_again": csv_text(
            "класс;классный руководитель",
            [f"{class_name(c)};{teacher(c % 10, c // 10)}" for c in range(classes)],
        ),
        "assignments": csv_text(
            "учитель;класс;предмет",
            [
                f"{teacher(j, c // 10)};{class_name(c)};{SUBJECTS[j]}"
                for c in range(classes)
                for j in range(len(SUBJECTS))
            ],
        ),
        "timetable": csv_text("класс;день;урок;предмет;учитель;кабинет", timetable),
    }


async def _empty_school(url: str) -> tuple[str, str]:
    """Migrate ``url`` and make the school: its IT account's login and one-time password."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from demo_server.audit_key import load_or_create_key
    from demo_server.db import make_engine
    from demo_server.migrate import upgrade_engine
    from demo_server.records import AUDIT_KEY_INFO
    from demo_server.schema import utcnow
    from demo_server.setup_school import init_school

    engine = make_engine(url)
    try:
        await upgrade_engine(engine)
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            db.info[AUDIT_KEY_INFO] = load_or_create_key(None)[0]
            made = await init_school(
                db, name="Школа № 7", timezone="Europe/Moscow", language="ru", now=utcnow()
            )
            await db.commit()
            return made.login, made.password
    finally:
        await engine.dispose()


async def one_run(url: str) -> dict[str, float]:
    from demo_server.app import create_app
    from demo_server.settings import ServerSettings

    login, password = await _empty_school(url)
    app = create_app(url, settings=ServerSettings(today=lambda: TODAY))
    files = school_files()
    seconds: dict[str, float] = {}
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=600) as http:

        async def call(path: str, *, body: Any = None, csv: bytes = b"", **params: Any) -> Any:
            headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
            if csv:
                headers["Content-Type"] = "text/csv"
                answer = await http.post(path, content=csv, headers=headers, params=params)
            else:
                answer = await http.post(path, json=body, headers=headers)
            if answer.status_code >= 300:
                raise SystemExit(f"{path}: {answer.status_code} {answer.text[:3000]}")
            return answer.json()

        auth: dict[str, str] = {}
        token = (
            await http.post("/api/v1/auth/login", json={"login": login, "password": password})
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        new = "bench-" + uuid.uuid4().hex
        await call("/api/v1/me/password", body={"old": password, "new": new})
        token = (
            await http.post("/api/v1/auth/login", json={"login": login, "password": new})
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        year = await call(
            "/api/v1/setup/years",
            body={"name": "2026/27", "start": "2026-09-01", "end": "2027-05-31"},
        )
        quarters = (
            ("2026-09-01", "2026-10-25"),
            ("2026-11-05", "2026-12-28"),
            ("2027-01-12", "2027-03-22"),
            ("2027-04-01", "2027-05-31"),
        )
        for number, (start, end) in enumerate(quarters, start=1):
            await call(
                f"/api/v1/setup/years/{year['id']}/periods",
                body={"kind": "quarter", "number": number, "start": start, "end": end},
            )
        bells = [
            {"number": n, "start": f"{8 + n}:00".zfill(5), "end": f"{8 + n}:45".zfill(5)}
            for n in range(1, LESSONS + 1)
        ]
        await call(
            "/api/v1/setup/bell-schedules",
            body={"name": "Основное", "bells": bells, "weekdays": list(range(6))},
        )
        for name, data in files.items():
            kind = "classes" if name == "classes_again" else name
            path = "/api/v1/roster/import" if kind == "roster" else f"/api/v1/setup/import/{kind}"
            started = time.perf_counter()
            await call(path, csv=data, dry_run="false")
            seconds[name] = time.perf_counter() - started
    engine = app.state["server"].engine
    from sqlalchemy import func, select

    from demo_server.schema import Lesson

    async with engine.connect() as connection:
        seconds["lessons made"] = float(
            await connection.scalar(select(func.count()).select_from(Lesson)) or 0
        )
    await engine.dispose()
    return seconds


@asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    base = make_url(server_url).set(drivername="postgresql")
    name = "bench_setup_" + uuid.uuid4().hex[:8]
    admin = await asyncpg.connect(base.render_as_string(hide_password=False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield base.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def report(label: str, runs: list[dict[str, float]]) -> None:
    print(label)
    print(row("file", "seconds (median)"))
    total = []
    for run in runs:
        total.append(sum(v for k, v in run.items() if k != "lessons made"))
    for key in runs[0]:
        if key == "lessons made":
            continue
        print(row(key, f"{statistics.median(r[key] for r in runs):.2f}"))
    print(row("total", f"{statistics.median(total):.2f}"))
    print(row("lessons made", int(runs[0]["lessons made"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (a database is made)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    files = school_files()
    lines = {k: len(v.splitlines()) - 1 for k, v in files.items()}
    print("files: " + ", ".join(f"{k} {n} lines" for k, n in lines.items()))
    runs: list[dict[str, float]] = []
    for _ in range(args.runs):
        if args.postgres:

            async def on_postgres() -> dict[str, float]:
                async with postgres_database(args.postgres) as url:
                    return await one_run(url)

            runs.append(asyncio.run(on_postgres()))
        else:
            with temp_db() as url:
                runs.append(asyncio.run(one_run(url)))
    report("PostgreSQL" if args.postgres else "SQLite", runs)


if __name__ == "__main__":
    main()
