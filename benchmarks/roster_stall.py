"""Does one big roster dry run stall the server? A 20,000-line file against a real server.

``diary-server serve`` runs in a child process (uvicorn on loopback, one worker) over the small
demo school on SQLite. The IT staff post a roster dry run of ``--lines`` lines (40% pupils, 60%
parents naming one child each) while another connection asks ``/health`` every ``--poll-ms``
milliseconds. The names come from a small pool (``--surnames`` surnames and ``--first-names``
first names, with patronymics), as in a district where many people share a surname and an
initial: many rows share a login base and many parents share a name, the cases whose cost once
grew with the square of the lines. ``--concurrent`` sends that many dry runs at once.

Printed: the file's size, the seconds of each dry run and its counts, and the /health latencies
(count, median, p95, max, in milliseconds) for 2 s at rest, then while the dry runs were in
flight.

    uv run python -m benchmarks.roster_stall [--lines 20000] [--concurrent 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import random
import time
import uuid

import httpx

from api_client.passwords import transliterate
from benchmarks.common import init_demo, median, percentile, row, running_server, temp_db
from demo_server.demo_data import RU_FEMALE, RU_MALE, RU_SURNAMES, ru_surname


def namesake_roster(
    class_names: list[str], lines: int, *, surnames: int = 3, first_names: int = 12, seed: int = 1
) -> bytes:
    """A roster of ``lines`` people in Latin letters: 40% pupils, then parents naming one of
    them. Pupils are unique by name and class; names come from a pool of ``surnames`` x
    ``first_names`` (each gender) with any patronymic."""
    rng = random.Random(seed)
    families = RU_SURNAMES[:surnames]
    female_names = RU_FEMALE[:first_names]
    male_names = RU_MALE[:first_names]
    out = io.StringIO()
    out.write("kind;last_name;first_name;middle_name;class;children\n")
    pupils = lines * 2 // 5
    room = surnames * 2 * first_names * len(RU_MALE) * len(class_names)
    if pupils > room * 3 // 4:
        raise SystemExit(
            f"{pupils} pupils do not fit in {room} names and classes: raise --first-names"
        )
    kids: list[str] = []
    taken: set[tuple[str, str, str, str]] = set()
    while len(kids) < pupils:
        female = rng.random() < 0.5
        surname = transliterate(ru_surname(rng.choice(families), female)).capitalize()
        first = transliterate(
            rng.choice(female_names) if female else rng.choice(male_names)[0]
        ).capitalize()
        middle = transliterate(rng.choice(RU_MALE)[2 if female else 1]).capitalize()
        cls = rng.choice(class_names)
        if (surname, first, middle, cls) in taken:
            continue
        taken.add((surname, first, middle, cls))
        kids.append(f"{surname} {first} {middle} {cls}")
        out.write(f"pupil;{surname};{first};{middle};{cls};\n")
    for _ in range(lines - pupils):
        female = rng.random() < 0.6
        surname = transliterate(ru_surname(rng.choice(families), female)).capitalize()
        first = transliterate(
            rng.choice(female_names) if female else rng.choice(male_names)[0]
        ).capitalize()
        out.write(f"parent;{surname};{first};;;{rng.choice(kids)}\n")
    return out.getvalue().encode("utf-8")


async def measure(base_url: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=600) as http:
        login = await http.post("/api/v1/auth/login", json={"login": "it", "password": "demo"})
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        everyone = (await http.get("/api/v1/users", params={"limit": 500}, headers=auth)).json()
        classes = sorted({u["class"]["name"] for u in everyone["items"] if "class" in u})
        # The file's class names in Latin letters, as typed on an English layout (5A for 5А).
        latin = [c.translate(str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")) for c in classes]
        data = namesake_roster(
            latin, args.lines, surnames=args.surnames, first_names=args.first_names
        )
        lines = data.count(b"\n") - 1
        print(
            f"roster: {lines} lines, {len(data) / 1024:.0f} KiB; "
            f"{args.concurrent} dry run(s) at once; /health every {args.poll_ms} ms"
        )

        latencies: list[float] = []
        running = asyncio.Event()
        done = asyncio.Event()

        async def poll() -> None:
            async with httpx.AsyncClient(base_url=base_url, timeout=600) as probe:
                await probe.get("/api/v1/health")  # the connection is open before we measure
                running.set()
                while not done.is_set():
                    started = time.perf_counter()
                    response = await probe.get("/api/v1/health")
                    latencies.append(time.perf_counter() - started)
                    response.raise_for_status()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(done.wait(), args.poll_ms / 1000)

        async def dry_run() -> tuple[float, dict[str, object]]:
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/roster/import",
                params={"dry_run": "true"},
                content=data,
                headers={
                    **auth,
                    "Content-Type": "text/csv",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"dry run failed: {response.status_code} {response.text[:500]}")
            report: dict[str, object] = response.json()
            return elapsed, report

        # First the server at rest, for comparison (on a busy machine it is not 1 ms).
        poller = asyncio.create_task(poll())
        await running.wait()
        await asyncio.sleep(2)
        done.set()
        await poller
        idle, latencies[:] = list(latencies), []
        running.clear()
        done.clear()
        poller = asyncio.create_task(poll())
        await running.wait()
        results = await asyncio.gather(*(dry_run() for _ in range(args.concurrent)))
        done.set()
        await poller

        print(row("", "seconds", "created", "unchanged", "refused"))
        for n, (seconds, report) in enumerate(results, 1):
            print(
                row(
                    f"dry run {n}",
                    f"{seconds:.2f}",
                    report.get("created", 0),
                    report.get("unchanged", 0),
                    report.get("refused", 0),
                )
            )
        print(row("/health, ms", "count", "median", "p95", "max"))
        for label, seconds_list in (("at rest", idle), ("during the dry run(s)", latencies)):
            ms = [x * 1000 for x in seconds_list]
            print(
                row(
                    label,
                    len(ms),
                    f"{median(ms):.1f}",
                    f"{percentile(ms, 95):.1f}",
                    f"{max(ms, default=float('nan')):.1f}",
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--surnames", type=int, default=3)
    parser.add_argument("--first-names", type=int, default=12)
    parser.add_argument("--concurrent", type=int, default=1)
    parser.add_argument("--poll-ms", type=float, default=20)
    args = parser.parse_args()
    with temp_db() as url:
        init_demo(url, size="small")
        with running_server(url) as base_url:
            asyncio.run(measure(base_url, args))


if __name__ == "__main__":
    main()
