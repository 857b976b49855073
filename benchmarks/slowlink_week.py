"""The week, grades and journal screens over a slow link: bytes each way and seconds, light
client against naive, and a catch-up through the change feed.

A real ``diary-server`` process over a small demo school runs in the server namespace of
:mod:`benchmarks.slowlink` (64 kbit/s each way with tbf, a 300 ms round trip from the delay
proxy); the client runs in the client namespace and reaches the server through the proxy. Bytes
are counted at the client end of the veth (Ethernet, IP and TCP headers, ACKs included: what
the link really carries) and, as TCP payload, by the proxy.

Phases, on one kept-alive connection opened by a login (shown, not part of any open):

- cold open: an empty response cache, ``GET /me`` then ``GET /pupils/{id}/week`` (what the app
  does to show the week the first time); "usable" is when the week is decoded;
- warm open: the week again, unchanged, with its ETag: a 304;
- warm start: ``/me`` and the week again, both 304 (the app started with a full store);
- grades: a cold open and a warm open (304) of the child's grades;
- one changed mark: a mark of that week edited in the database (with its change-feed row, as
  the mark endpoint leaves it); the client, back from a break, asks ``GET /changes?since=``
  (one small answer: the edit) and refetches only the two screens it touches, week and grades;
- journal: the teacher's first class journal, cold and warm (304), on a connection of its own;
- the naive way, side by side: ``Accept-Encoding: identity``, no ETag, every open a full fetch
  (week, grades, journal; and a restart that refetches every screen).

A warm open is one request and one 304. Up go the request line, Host, User-Agent,
``Accept-Encoding: gzip``, If-None-Match and Authorization; down come the status line, Date, ETag
and, for a body big enough to be compressed, ``Vary: Accept-Encoding`` (what a 200 would carry).
On the wire each of its packets (the request, the answer, an ACK of each) adds 66 B of Ethernet,
IPv4 and TCP headers (TCP with its timestamp option); the request's ACK travels alone because
the delay proxy acknowledges the request before it holds it, where a server at the far end of a
real long link would usually carry that ACK on its answer.

Run it as root (network namespaces and tc need it), from the project folder::

    sudo .venv/bin/python -m benchmarks.slowlink_week     # or, already root: uv run python -m ...
    sudo .venv/bin/python -m benchmarks.slowlink_week --rate-kbit 32 --rtt-ms 600

Without root, ``ip``/``tc`` or a working ``ip netns`` it says so and exits 0. Targets (issue 5):
a warm open at most one round trip and 500 bytes; a cold week at most 4 KB and usable within
1.5 s on that link.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.slowlink import ROOT, Counts, LinkUnavailable, Meter, slow_link, unavailable_reason

FROZEN_TODAY = "2026-11-25"
WARM_MAX_BYTES = 500
WARM_MAX_ROUND_TRIPS = 1
COLD_MAX_BYTES = 4096
COLD_MAX_SECONDS = 1.5

COLD_ME = "cold open: me"
COLD_WEEK = "cold open: week"
WARM = "warm open: week (304)"
NAIVE_OPEN = "naive open: me + week"
COLD_GRADES = "cold open: grades"
WARM_GRADES = "warm open: grades (304)"
COLD_JOURNAL = "cold open: journal"
WARM_JOURNAL = "warm open: journal (304)"
CATCH_UP_FEED = "catch-up: feed (1 change)"
NAIVE_GRADES = "naive open: grades"
NAIVE_RESTART = "naive restart: me+week+grades"
NAIVE_JOURNAL = "naive open: journal"


@dataclass
class Phase:
    label: str
    seconds: float
    requests: int
    counts: Counts

    @property
    def round_trips(self) -> int:
        """Requests, plus one per new connection (its handshake)."""
        return self.requests + self.counts.connections

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "seconds": self.seconds,
            "requests": self.requests,
            "counts": self.counts.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Phase:
        return cls(data["label"], data["seconds"], data["requests"], Counts(**data["counts"]))


# -- the client side (runs in the client namespace) ------------------------------------------


def change_one_mark(db_path: str, pupil_id: int, day: dt.date) -> int:
    """Edit one mark of ``pupil_id`` in the week of ``day``, as a teacher would; its id.

    The change feed gets its row too (what the mark endpoint records), so a client that was
    away learns of the edit from ``GET /changes``."""
    monday = day - dt.timedelta(days=day.weekday())
    with sqlite3.connect(db_path, timeout=30) as db:
        found = db.execute(
            "SELECT m.id, m.value FROM marks m JOIN lessons l ON l.id = m.lesson_id "
            "WHERE m.pupil_id = ? AND m.removed_at IS NULL AND l.date BETWEEN ? AND ? "
            "ORDER BY l.date, l.number, m.id LIMIT 1",
            (pupil_id, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat()),
        ).fetchone()
        if found is None:
            raise LookupError(f"pupil {pupil_id} has no mark in the week of {monday}")
        mark_id, value = int(found[0]), int(found[1])
        new_value = value - 1 if value > 2 else value + 1
        db.execute(
            "UPDATE marks SET value = ?, version = version + 1 WHERE id = ?",
            (new_value, mark_id),
        )
        school_id, class_id, subject, lesson_day, teacher_id = db.execute(
            "SELECT c.school_id, l.class_id, s.name, l.date, l.teacher_id FROM marks m "
            "JOIN lessons l ON l.id = m.lesson_id JOIN classes c ON c.id = l.class_id "
            "JOIN subjects s ON s.id = l.subject_id WHERE m.id = ?",
            (mark_id,),
        ).fetchone()
        payload = {
            "subject": subject,
            "date": lesson_day,
            "value": new_value,
            "old": {"value": value},
            "new": {"value": new_value},
        }
        db.execute(
            "INSERT INTO changes (school_id, at, kind, entity_id, pupil_id, class_id, actor_id, "
            "payload) VALUES (?, ?, 'mark.edited', ?, ?, ?, ?, ?)",
            (
                school_id,
                dt.datetime.now(dt.UTC).isoformat(sep=" "),
                mark_id,
                pupil_id,
                class_id,
                teacher_id,
                json.dumps(payload),
            ),
        )
    return mark_id


async def measure(
    url: str,
    login: str,
    password: str,
    day: dt.date,
    db_path: str | None,
    meter: Meter,
    teacher_login: str = "teacher",
) -> list[Phase]:
    import httpx

    from api_client.client import DiaryClient, MemoryCache
    from api_client.models import Journal

    phases: list[Phase] = []

    async def phase(label: str, work: Callable[[], Awaitable[int]]) -> None:
        before = meter.read()
        started = time.perf_counter()
        requests = await work()
        seconds = time.perf_counter() - started
        meter.settle()  # the last ACKs belong to this phase
        phases.append(Phase(label, seconds, requests, meter.read() - before))

    async with DiaryClient(url, timeout=60, connect_timeout=30) as client:

        async def log_in() -> int:
            await client.login(login, password)
            return 1

        meter.settle()
        await phase("login (new connection)", log_in)
        me = await client.me()
        if not me.children:
            raise LookupError(f"{login!r} has no children to show a week of")
        pupil = me.children[0].id
        client.cache = MemoryCache()  # forget /me: the cold open starts empty
        meter.settle()

        async def me_only() -> int:
            before = client.stats.requests
            await client.me()
            return client.stats.requests - before

        async def open_week() -> int:
            before = client.stats.requests
            await client.me()
            await client.week(pupil, day)
            return client.stats.requests - before

        async def week_only() -> int:
            before = client.stats.requests
            await client.week(pupil, day)
            return client.stats.requests - before

        async def grades_only() -> int:
            before = client.stats.requests
            await client.grades(pupil)
            return client.stats.requests - before

        await phase(COLD_ME, me_only)
        await phase(COLD_WEEK, week_only)
        await phase(WARM, week_only)
        await phase("warm start: me + week (304s)", open_week)
        await phase(COLD_GRADES, grades_only)
        await phase(WARM_GRADES, grades_only)
        cursor = (await client.changes()).next  # where this client stands in the feed
        if db_path is not None:
            change_one_mark(db_path, pupil, day)

            async def catch_up() -> int:
                feed = await client.changes(cursor)
                if [c.kind for c in feed.changes] != ["mark.edited"]:
                    raise RuntimeError(f"the feed said {feed.changes!r}")
                return 1

            await phase(CATCH_UP_FEED, catch_up)
            await phase("one changed mark: week", week_only)
            await phase("one changed mark: grades", grades_only)
        if client.stats.not_modified < 4:
            raise RuntimeError(f"expected 4 answers 304, got {client.stats.not_modified}")

    # The teacher's journal, on a connection of its own (its login is not counted).
    async with DiaryClient(url, timeout=60, connect_timeout=30) as teacher:
        await teacher.login(teacher_login, password)
        teaching = (await teacher.me()).teaching[0]
        journal_params = {"class_id": teaching.class_.id, "subject_id": teaching.subject.id}
        meter.settle()

        async def journal_only() -> int:
            before = teacher.stats.requests
            await teacher.get("/journal", Journal, params=journal_params)
            return teacher.stats.requests - before

        await phase(COLD_JOURNAL, journal_only)
        await phase(WARM_JOURNAL, journal_only)

    # The naive way: no compression, no ETag, every open a full fetch (one connection too).
    headers = {"Accept-Encoding": "identity", "Accept": "application/json"}
    async with httpx.AsyncClient(
        base_url=url + "/api/v1", headers=headers, timeout=httpx.Timeout(60, connect=30)
    ) as naive:
        answer = await naive.post("/auth/login", json={"login": login, "password": password})
        answer.raise_for_status()
        naive.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        meter.settle()

        async def naive_get(path: str, **params: str) -> None:
            response = await naive.get(path, params=params)
            response.raise_for_status()
            if response.headers.get("Content-Encoding", "identity") != "identity":
                raise RuntimeError("the server compressed although asked not to")
            json.loads(response.content)

        async def naive_open() -> int:
            await naive_get("/me")
            await naive_get(f"/pupils/{pupil}/week", date=day.isoformat())
            return 2

        async def naive_week() -> int:
            await naive_get(f"/pupils/{pupil}/week", date=day.isoformat())
            return 1

        async def naive_grades() -> int:
            await naive_get(f"/pupils/{pupil}/grades")
            return 1

        async def naive_restart() -> int:
            await naive_open()
            await naive_grades()
            return 3

        await phase(NAIVE_OPEN, naive_open)
        await phase("naive reopen: week", naive_week)
        await phase("naive restart: me + week", naive_open)
        await phase(NAIVE_GRADES, naive_grades)
        await phase(NAIVE_RESTART, naive_restart)

    async with httpx.AsyncClient(
        base_url=url + "/api/v1", headers=headers, timeout=httpx.Timeout(60, connect=30)
    ) as naive:
        body = {"login": teacher_login, "password": password}
        answer = await naive.post("/auth/login", json=body)
        answer.raise_for_status()
        naive.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        meter.settle()

        async def naive_journal() -> int:
            await naive_get("/journal", **{k: str(v) for k, v in journal_params.items()})
            return 1

        await phase(NAIVE_JOURNAL, naive_journal)
    return phases


def client_main(args: argparse.Namespace) -> int:
    meter = Meter.from_env()
    day = dt.date.fromisoformat(args.date)
    phases = asyncio.run(measure(args.url, args.login, args.password, day, args.db_path, meter))
    print(json.dumps([p.as_dict() for p in phases]))
    return 0


# -- the harness side (root, outside the namespaces) -------------------------------------------


def init_demo(db_url: str) -> str:
    """Create the small demo school; return the demo password init-demo printed."""
    done = subprocess.run(
        [sys.executable, "-m", "demo_server.cli", "init-demo", "--db", db_url,
         "--size", "small", "--today", FROZEN_TODAY, "--force"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"init-demo failed: {done.stderr.strip()}")
    found = re.search(r"password:\s*(\S+)", done.stdout)
    if found is None:
        raise RuntimeError(f"init-demo printed no password:\n{done.stdout}")
    return found.group(1)


def combined(label: str, parts: list[Phase]) -> Phase:
    """Phases run one after the other, as one."""
    counts = Counts()
    for part in parts:
        counts = counts + part.counts
    return Phase(label, sum(p.seconds for p in parts), sum(p.requests for p in parts), counts)


def with_cold_open(phases: list[Phase]) -> list[Phase]:
    """The phases with the cold open (me, then week) added up after its two parts."""
    by = {p.label: p for p in phases}
    cold = combined("cold open: me + week", [by[COLD_ME], by[COLD_WEEK]])
    at = phases.index(by[COLD_WEEK]) + 1
    return [*phases[:at], cold, *phases[at:]]


def table(phases: list[Phase]) -> str:
    head = (
        f"{'phase':<29}{'seconds':>8}{'reqs':>5}{'RTs':>4}"
        f"{'wire up':>8}{'down':>7}{'total':>7}{'payload up':>11}{'down':>7}{'total':>7}"
        f"{'drops':>6}"
    )
    lines = [head, "-" * len(head)]
    for p in phases:
        c = p.counts
        lines.append(
            f"{p.label:<29}{p.seconds:>8.2f}{p.requests:>5}{p.round_trips:>4}"
            f"{c.wire_up:>8}{c.wire_down:>7}{c.wire_up + c.wire_down:>7}"
            f"{c.payload_up:>11}{c.payload_down:>7}{c.payload_up + c.payload_down:>7}"
            f"{c.drops_up + c.drops_down:>6}"
        )
    return "\n".join(lines)


def framing(warm: Phase, overhead: int) -> list[str]:
    """What the warm open's bytes on the wire add to its HTTP bytes, and what that leaves."""
    c = warm.counts
    packets = c.packets_up + c.packets_down
    each = f", {overhead // packets} B each" if packets and overhead % packets == 0 else ""
    lines = [
        f"     (the warm open's {overhead} B of difference are the Ethernet, IP and TCP headers "
        f"of its {packets} packets{each}, {c.packets_up} up and {c.packets_down} down"
    ]
    if c.packets_up == 2 and c.packets_down == 2:
        lines[0] += ": the request, the answer and an ACK of each;"
        lines.append(
            "      the delay proxy acknowledges the request before it holds it, where a server at "
            "the far end of a real long link would carry that ACK on its answer;"
        )
    else:
        lines[0] += ";"
    lines.append(
        f"      so {WARM_MAX_BYTES} B on the wire leave {WARM_MAX_BYTES - overhead} B for the HTTP "
        "of the request (request line, Host, User-Agent, Accept-Encoding, If-None-Match, "
        "Authorization) and of the 304 (status line, Date, ETag, and Vary for a compressed body))"
    )
    return lines


def verdicts(phases: list[Phase]) -> list[str]:
    """Each target, met or missed, counted both ways: the wire (TCP/IP and Ethernet headers and
    ACKs included) and the TCP payload (the HTTP bytes, as the loopback benchmarks count)."""
    by = {p.label: p for p in phases}
    week, warm, naive = by[COLD_WEEK], by[WARM], by[NAIVE_OPEN]
    cold = combined("cold open", [by[COLD_ME], week])

    def mark(ok: bool) -> str:
        return "ok  " if ok else "MISS"

    def wire(p: Phase) -> int:
        return p.counts.wire_up + p.counts.wire_down

    def payload(p: Phase) -> int:
        return p.counts.payload_up + p.counts.payload_down

    lines = [
        f"{mark(warm.round_trips <= WARM_MAX_ROUND_TRIPS)} warm open: {warm.round_trips} round "
        f"trip(s), {warm.seconds:.2f} s (target <= {WARM_MAX_ROUND_TRIPS})",
    ]
    for how, count in (("on the wire", wire), ("of HTTP", payload)):
        lines.append(
            f"{mark(count(warm) <= WARM_MAX_BYTES)} warm open: {count(warm)} B {how} "
            f"(target <= {WARM_MAX_BYTES})"
        )
    lines.extend(framing(warm, wire(warm) - payload(warm)))
    for how, count in (("on the wire", wire), ("of HTTP", payload)):
        lines.append(
            f"{mark(count(week) <= COLD_MAX_BYTES)} cold week: {count(week)} B {how} "
            f"(target <= {COLD_MAX_BYTES}); cold open with /me {count(cold)} B; "
            f"naive open {count(naive)} B"
        )
    lines.append(
        f"{mark(cold.seconds <= COLD_MAX_SECONDS)} cold open: usable in {cold.seconds:.2f} s "
        f"(target <= {COLD_MAX_SECONDS} s); naive: {naive.seconds:.2f} s"
    )
    for warm_label, cold_label, naive_label in (
        (WARM_GRADES, COLD_GRADES, NAIVE_GRADES),
        (WARM_JOURNAL, COLD_JOURNAL, NAIVE_JOURNAL),
    ):
        if warm_label not in by:
            continue
        w, c, n = by[warm_label], by[cold_label], by[naive_label]
        ok = w.round_trips <= WARM_MAX_ROUND_TRIPS and payload(w) <= WARM_MAX_BYTES
        lines.append(
            f"{mark(ok)} {warm_label}: {w.round_trips} round trip(s), {payload(w)} B of HTTP "
            f"({wire(w)} B on the wire); cold {wire(c)} B in {c.seconds:.2f} s; "
            f"naive {wire(n)} B in {n.seconds:.2f} s"
        )
    if CATCH_UP_FEED in by:
        parts = [by[CATCH_UP_FEED], by["one changed mark: week"], by["one changed mark: grades"]]
        catch = combined("catch-up", parts)
        restart = by[NAIVE_RESTART]
        lines.append(
            f"     catch-up after one changed mark (feed, then the two screens it touches): "
            f"{wire(catch)} B in {catch.seconds:.2f} s, of which the feed {wire(parts[0])} B; "
            f"naive restart (me + week + grades): {wire(restart)} B in {restart.seconds:.2f} s"
        )
    return lines


def run(rate_kbit: int, rtt_ms: float) -> list[Phase]:
    with tempfile.TemporaryDirectory(prefix="diary-slowweek-") as folder:
        db_path = str(Path(folder) / "school.sqlite3")
        db_url = f"sqlite:///{db_path}"
        password = init_demo(db_url)
        log_path = Path(folder) / "server.log"
        with slow_link(rate_kbit=rate_kbit, rtt_ms=rtt_ms) as link, log_path.open("w") as log:
            server = link.run_server(
                [sys.executable, "-m", "demo_server.cli", "serve", "--db", db_url,
                 "--host", "127.0.0.1", "--port", str(link.server_port)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                link.wait_for_server(process=server, timeout=120)
            except (RuntimeError, TimeoutError) as exc:
                raise RuntimeError(f"{exc}\n{log_path.read_text()[-2000:]}") from None
            done = link.run_client(
                [sys.executable, "-m", "benchmarks.slowlink_week", "client",
                 "--url", link.proxy_url, "--login", "parent", "--password", password,
                 "--date", FROZEN_TODAY, "--db-path", db_path],
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(
                    f"the client failed ({done.returncode}):\n{done.stderr[-3000:]}\n"
                    f"server log:\n{log_path.read_text()[-2000:]}"
                )
            return [Phase.from_dict(d) for d in json.loads(done.stdout)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.slowlink_week",
        description="The week screen over a slow link: bytes each way and seconds.",
    )
    parser.add_argument("--rate-kbit", type=int, default=64)
    parser.add_argument("--rtt-ms", type=float, default=300)
    parser.add_argument("--json", action="store_true", help="print the raw phases as JSON")
    sub = parser.add_subparsers(dest="command")
    client = sub.add_parser("client", help="(internal) the measuring client, in the client ns")
    client.add_argument("--url", required=True)
    client.add_argument("--login", required=True)
    client.add_argument("--password", required=True)
    client.add_argument("--date", default=FROZEN_TODAY)
    client.add_argument("--db-path", help="the SQLite file, to change one mark")
    args = parser.parse_args(argv)
    if args.command == "client":
        return client_main(args)

    if not (ROOT / "demo_server" / "cli.py").exists():
        print("slowlink_week: skipped: demo_server/cli.py does not exist yet")
        return 0
    reason = unavailable_reason()
    if reason is not None:
        print(f"slowlink_week: skipped: {reason}")
        return 0
    try:
        phases = run(args.rate_kbit, args.rtt_ms)
    except LinkUnavailable as exc:
        print(f"slowlink_week: skipped: {exc}")
        return 0
    except KeyboardInterrupt:
        print("slowlink_week: interrupted; the link was taken down", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps([p.as_dict() for p in with_cold_open(phases)], indent=1))
        return 0
    print(
        f"the week screen over {args.rate_kbit} kbit/s each way and a {args.rtt_ms:.0f} ms round "
        "trip (bytes at the client's veth: headers and ACKs included; payload = TCP payload)"
    )
    print(table(with_cold_open(phases)))
    print()
    for line in verdicts(phases):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
