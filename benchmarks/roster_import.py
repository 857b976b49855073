"""Roster import at school scale: 2,000 pupils and 3,000 parents in one CSV file.

The file is generated deterministically (seed 1): pupils spread over the demo school's classes,
parents with one or two children. The server runs in-process (``httpx.ASGITransport``) over the
small demo school on SQLite (or the database given with ``--db``, migrated and filled first).
Printed: seconds for the dry run, the real import, and the re-import of the same file (which
changes nothing).

    uv run python -m benchmarks.roster_import [--pupils 2000] [--parents 3000] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
import uuid

import httpx

from benchmarks.common import init_demo, row, temp_db
from demo_server.demo_data import RU_FEMALE, RU_MALE, RU_SURNAMES, ru_surname


def roster_csv(
    class_names: list[str],
    pupils: int,
    parents: int,
    seed: int = 1,
    avoid: frozenset[tuple[str, str]] = frozenset(),
) -> bytes:
    """A roster with ``pupils`` pupils and ``parents`` parents; every name is unambiguous and
    none is a name in ``avoid`` (surname, first name: the school's people)."""
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("тип;фамилия;имя;отчество;класс;дети\n")
    taken: set[tuple[str, str, str]] = set()
    kids: list[tuple[str, str, str, str]] = []  # surname (masculine), first, class, gender
    while len(kids) < pupils:
        masculine = rng.choice(RU_SURNAMES)
        female = rng.random() < 0.5
        first = rng.choice(RU_FEMALE) if female else rng.choice(RU_MALE)[0]
        surname = ru_surname(masculine, female)
        cls = rng.choice(class_names)
        if (surname, first, cls) in taken or (surname, first) in avoid:
            continue
        taken.add((surname, first, cls))
        kids.append((masculine, surname, first, cls))
        out.write(f"ученик;{surname};{first};;{cls};\n")
    # Parents: each child has one parent first, then second parents and shared families.
    people: set[tuple[str, str, str]] = set()
    written = 0
    order = list(range(pupils)) + [rng.randrange(pupils) for _ in range(parents)]
    for index in order:
        if written >= parents:
            break
        masculine, child_surname, child_first, cls = kids[index]
        female = rng.random() < 0.6
        surname = ru_surname(masculine, female)
        first = rng.choice(RU_FEMALE) if female else rng.choice(RU_MALE)[0]
        middle = rng.choice(RU_MALE)[2 if female else 1]  # the patronymic
        if (surname, first, middle) in people or (surname, first) in avoid:
            continue
        people.add((surname, first, middle))
        children = [f"{child_surname} {child_first} {cls}"]
        if rng.random() < 0.15:  # a sibling in another class
            _masc, sib_surname, sib_first, sib_cls = kids[rng.randrange(pupils)]
            if (sib_surname, sib_first, sib_cls) != (child_surname, child_first, cls):
                children.append(f"{sib_surname} {sib_first} {sib_cls}")
        out.write(f'родитель;{surname};{first};{middle};;"{"; ".join(children)}"\n')
        written += 1
    return out.getvalue().encode("utf-8")


async def measure(url: str, pupils: int, parents: int) -> None:
    from api_client.models import RosterImportReport, TokenPair, decode
    from demo_server.app import create_app

    app = create_app(url)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        login = await http.post("/api/v1/auth/login", json={"login": "it", "password": "demo"})
        token = decode(login.content, TokenPair).access_token
        auth = {"Authorization": f"Bearer {token}"}
        everyone = (await http.get("/api/v1/users", params={"limit": 500}, headers=auth)).json()[
            "items"
        ]
        classes = sorted({u["class"]["name"] for u in everyone if "class" in u})
        avoid = frozenset((u["last_name"], u["first_name"]) for u in everyone)
        data = roster_csv(classes, pupils, parents, avoid=avoid)
        lines = data.count(b"\n") - 1
        print(f"roster: {lines} lines, {len(data) / 1024:.0f} KiB, classes {', '.join(classes)}")

        async def send(dry_run: bool) -> tuple[float, RosterImportReport]:
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/roster/import",
                params={"dry_run": str(dry_run).lower()},
                content=data,
                headers={
                    **auth,
                    "Content-Type": "text/csv",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
                timeout=600,
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"import failed: {response.status_code} {response.text[:2000]}")
            return elapsed, decode(response.content, RosterImportReport)

        print(row("", "seconds", "created", "unchanged", "refused"))
        for label, dry in (("dry run", True), ("import", False), ("re-import (dry run)", True)):
            seconds, report = await send(dry)
            print(row(label, f"{seconds:.2f}", report.created, report.unchanged, report.refused))
    await app.state["server"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--parents", type=int, default=3000)
    parser.add_argument("--db", help="a database with the demo school (default: a temp SQLite)")
    args = parser.parse_args()
    if args.db:
        asyncio.run(measure(args.db, args.pupils, args.parents))
        return
    with temp_db() as url:
        init_demo(url, size="small")
        asyncio.run(measure(url, args.pupils, args.parents))


if __name__ == "__main__":
    main()
