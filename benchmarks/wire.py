"""Bytes on the wire for a week: a first load and an unchanged reload, against the naive way.

Runs a real ``diary-server`` process over a small demo school and puts a byte-counting TCP
proxy between it and the client, so the figures are what really crosses the network: request
and response, headers included.

    uv run python -m benchmarks.wire

Targets (issue 2): a first load at most 4 KB compressed, an unchanged reload at most 400 bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlparse

import httpx

from api_client.client import DiaryClient
from benchmarks.common import (
    FROZEN_TODAY,
    WireCount,
    counting_proxy,
    init_demo,
    row,
    running_server,
    temp_db,
)


def featured_child(db_url: str) -> int:
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        found = db.execute(
            "SELECT l.pupil_id FROM parent_links l JOIN users u ON u.id = l.parent_id "
            "WHERE u.login = 'parent' ORDER BY l.pupil_id LIMIT 1"
        ).fetchone()
    return int(found[0])


async def measure(base_url: str, pupil_id: int) -> list[tuple[str, int, int]]:
    port = urlparse(base_url).port
    assert port is not None
    day = dt.date.fromisoformat(FROZEN_TODAY)
    results: list[tuple[str, int, int]] = []
    async with counting_proxy(port) as (proxy_port, count):
        url = f"http://127.0.0.1:{proxy_port}"
        async with DiaryClient(url) as client:
            await client.login("parent", "demo")
            count.reset()
            await client.week(pupil_id, day)
            results.append(("week, first load", count.up, count.down))
            count.reset()
            await client.week(pupil_id, day)
            results.append(("week, unchanged reload (304)", count.up, count.down))
            assert client.stats.not_modified == 1, "the reload was not a 304"
            token = client._access_token

        # The naive way: no compression, no ETag, every load a full fetch.
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        async with httpx.AsyncClient(base_url=url + "/api/v1", headers=headers) as naive:
            for label in ("naive: first load", "naive: reload"):
                count.reset()
                response = await naive.get(
                    f"/pupils/{pupil_id}/week", params={"date": day.isoformat()}
                )
                response.raise_for_status()
                results.append((label, count.up, count.down))
    return results


#: The GETs of the grades, homework and attendance screens (one each, plus the report card
#: and the absence notices they open on a key).
SCREEN_GETS: tuple[tuple[str, str], ...] = (
    ("grades", "/pupils/{id}/grades"),
    ("report card", "/pupils/{id}/report-card"),
    ("homework", "/pupils/{id}/homework"),
    ("attendance", "/pupils/{id}/attendance"),
    ("absence notices", "/pupils/{id}/absence-notices"),
)


@asynccontextmanager
async def _as_parent(base_url: str) -> AsyncIterator[tuple[DiaryClient, str, WireCount]]:
    """The demo parent's client, logged in through a proxy that counts the bytes each way:
    the client, the proxy's URL and its count."""
    port = urlparse(base_url).port
    assert port is not None
    async with counting_proxy(port) as (proxy_port, count):
        url = f"http://127.0.0.1:{proxy_port}"
        async with DiaryClient(url) as client:
            await client.login("parent", "demo")
            yield client, url, count


Measured = tuple[str, str, dict[str, object] | None, type[object]]
"""A GET measured: its label, path, query and answer's type."""


async def _first_reload_naive(
    client: DiaryClient, url: str, count: WireCount, gets: list[Measured]
) -> list[tuple[str, int, int, int, int]]:
    """Per GET: the bytes of a first load (both ways, and the response), of an unchanged
    reload's response (a 304, checked) and of the same answer fetched uncompressed."""
    token = client._access_token
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    results: list[tuple[str, int, int, int, int]] = []
    async with httpx.AsyncClient(base_url=url + "/api/v1", headers=headers) as naive:
        for label, path, params, type_ in gets:
            count.reset()
            await client.get(path, type_, params=params)
            first_down = count.down
            first_total = count.up + count.down
            before = client.stats.not_modified
            count.reset()
            await client.get(path, type_, params=params)
            assert client.stats.not_modified == before + 1, f"{label}: not a 304"
            reload_down = count.down
            count.reset()
            (await naive.get(path, params=params)).raise_for_status()  # type: ignore[arg-type]
            results.append((label, first_total, first_down, reload_down, count.down))
    return results


async def measure_screens(base_url: str, pupil_id: int) -> list[tuple[str, int, int, int, int]]:
    """Per GET: request and response bytes of a first load and of an unchanged reload (a
    304), and the response bytes of the same answer uncompressed."""
    from api_client import models

    types: dict[str, type[object]] = {
        "grades": models.Grades,
        "report card": models.ReportCard,
        "homework": models.HomeworkList,
        "attendance": models.Attendance,
        "absence notices": models.AbsenceNotices,
    }
    async with _as_parent(base_url) as (client, url, count):
        gets: list[Measured] = [
            (label, template.format(id=pupil_id), None, types[label])
            for label, template in SCREEN_GETS
        ]
        return await _first_reload_naive(client, url, count, gets)


def report_screens(results: list[tuple[str, int, int, int, int]]) -> None:
    print()
    print(row("screen GET (parent)", "first resp", "reload resp", "uncompressed"))
    for label, _total, first, reload, naive in results:
        print(row(label, first, reload, naive))
    worst_first = max(r[2] for r in results)
    worst_reload = max(r[3] for r in results)
    print(
        f"largest first load response: {worst_first} B (target <= 4096 B); "
        f"largest unchanged reload response: {worst_reload} B (target <= 400 B)"
    )


async def measure_messages_and_news(
    base_url: str, pupil_id: int
) -> list[tuple[str, int, int, int, int]]:
    """The Messages and News GETs, measured as :func:`measure_screens` does."""
    from api_client import models

    async with _as_parent(base_url) as (client, url, count):
        threads = await client.threads()
        first_thread = next(
            t.id for t in threads.threads if t.pupil is not None and t.pupil.id == pupil_id
        )
        day = dt.date.fromisoformat(FROZEN_TODAY)
        gets: list[Measured] = [
            ("threads", "/threads", None, models.Threads),
            ("one thread", f"/threads/{first_thread}", None, models.Thread),
            ("recipients", f"/pupils/{pupil_id}/recipients", None, models.Recipients),
            ("news", "/announcements", {"pupil_id": pupil_id}, models.Announcements),
            (
                "events (4 weeks)",
                "/events",
                {
                    "from": day.isoformat(),
                    "to": (day + dt.timedelta(days=28)).isoformat(),
                    "pupil_id": pupil_id,
                },
                models.Events,
            ),
        ]
        client.cache = type(client.cache)()  # start cold: the thread list was cached
        return await _first_reload_naive(client, url, count, gets)


def main() -> None:
    with temp_db() as db_url:
        init_demo(db_url, size="small")
        pupil = featured_child(db_url)
        with running_server(db_url) as base_url:
            results = asyncio.run(measure(base_url, pupil))
            screens = asyncio.run(measure_screens(base_url, pupil))
            messages = asyncio.run(measure_messages_and_news(base_url, pupil))
    print(row("bytes on the wire", "request", "response", "total"))
    for label, up, down in results:
        print(row(label, up, down, up + down))
    first, reload = results[0], results[1]
    naive_first = results[2]
    print()
    print(
        f"first load response: {first[2]} B (target <= 4096 B); "
        f"{naive_first[2] / first[2]:.1f}x smaller than uncompressed"
    )
    print(
        f"unchanged reload response: {reload[2]} B (target <= 400 B); "
        f"{naive_first[2] / max(reload[2], 1):.0f}x smaller than a naive refetch"
    )
    report_screens(screens)
    report_screens(messages)


if __name__ == "__main__":
    main()
