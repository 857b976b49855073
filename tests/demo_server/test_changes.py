"""The change feed and its stream: who sees which change, in order, once; cursors; resume."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api_client.models import ChangeFeed, ChangeItem, Problem, decode
from demo_server.records import record_change
from tests.conftest import LoginAs, frozen_settings

FEED = "/api/v1/changes"
STREAM = "/api/v1/changes/stream"
AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def add_change(app: Litestar, demo: Any, kind: str, **routing: Any) -> int:
    """One feed row, committed (as a write endpoint would leave it)."""
    server = app.state["server"]
    payload = routing.pop("payload", {"label": routing.pop("label", kind)})
    async with server.sessionmaker() as db, db.begin():
        return await record_change(
            db,
            school_id=demo.school_id,
            kind=kind,
            entity_id=routing.pop("entity_id", 1),
            at=AT,
            payload=payload,
            actor_id=demo.ids["teacher"],
            **routing,
        )


def rows(demo: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, kind, routing) for every kind of change, routed every way."""
    i = demo.ids
    return [
        ("m_pupil_add", "mark.added", {"pupil_id": i["pupil"], "class_id": i["c5a"]}),
        ("m_pupil_edit", "mark.edited", {"pupil_id": i["pupil"], "class_id": i["c5a"]}),
        ("m_stranger_rm", "mark.removed", {"pupil_id": i["stranger"], "class_id": i["c7v"]}),
        ("abs_sibling", "absence.set", {"pupil_id": i["sibling"], "class_id": i["c6b"]}),
        ("abs_pupil_rm", "absence.removed", {"pupil_id": i["pupil"]}),
        ("topic_5a", "lesson.topic", {"class_id": i["c5a"]}),
        ("hw_6b", "homework.set", {"class_id": i["c6b"]}),
        ("hw_7v", "homework.set", {"class_id": i["c7v"]}),
        ("pm_pupil", "period_mark.set", {"pupil_id": i["pupil"]}),
        ("msg_parent", "message.new", {"user_id": i["parent"]}),
        ("msg_pupil", "message.new", {"user_id": i["pupil"]}),
        ("msg_teacher", "message.new", {"user_id": i["teacher"]}),
        ("msg_unaddressed", "message.new", {"pupil_id": i["pupil"]}),
        ("ann_school", "announcement.new", {}),
        ("ann_7v", "announcement.new", {"class_id": i["c7v"]}),
        ("event_5a", "event.new", {"class_id": i["c5a"]}),
        ("changed_5a", "lesson.changed", {"class_id": i["c5a"]}),
        ("mover_mark", "mark.added", {"pupil_id": i["mover"], "class_id": i["c5a"]}),
    ]


PUBLIC = ["ann_school"]
NOT_MESSAGES = [
    "m_pupil_add",
    "m_pupil_edit",
    "m_stranger_rm",
    "abs_sibling",
    "abs_pupil_rm",
    "topic_5a",
    "hw_6b",
    "hw_7v",
    "pm_pupil",
    "ann_school",
    "ann_7v",
    "event_5a",
    "changed_5a",
    "mover_mark",
]
FAMILY_5A = ["m_pupil_add", "m_pupil_edit", "abs_pupil_rm", "topic_5a", "pm_pupil"]
CLASS_5A = ["event_5a", "changed_5a"]

# viewer -> exactly what they may see (the order of the feed is checked separately)
VISIBLE: dict[str, set[str]] = {
    "parent": {*FAMILY_5A, *CLASS_5A, "abs_sibling", "hw_6b", "msg_parent", *PUBLIC},
    "pupil": {*FAMILY_5A, *CLASS_5A, "msg_pupil", *PUBLIC},
    "sibling": {"abs_sibling", "hw_6b", *PUBLIC},
    "other_parent": {"m_stranger_rm", "hw_7v", "ann_7v", *PUBLIC},
    "mover": {"mover_mark", "topic_5a", *CLASS_5A, *PUBLIC},  # in 5А since yesterday
    "teacher": {*FAMILY_5A, *CLASS_5A, "abs_sibling", "hw_6b", "mover_mark", "msg_teacher"}
    | set(PUBLIC),
    "classteacher": {*FAMILY_5A, *CLASS_5A, "mover_mark", *PUBLIC},
    "teacher2": set(NOT_MESSAGES),
    "admin": set(NOT_MESSAGES),
    "nurse": {"abs_sibling", "abs_pupil_rm", *PUBLIC},
    "it": set(PUBLIC),
    "authority": set(PUBLIC),
}


async def start_cursor(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await http.get(FEED, headers=headers)
    assert response.status_code == 200, response.text
    feed = decode(response.content, ChangeFeed)
    assert feed.changes == [] and not feed.more
    return feed.next


async def read_all(
    http: httpx.AsyncClient, headers: dict[str, str], since: str, limit: int = 500
) -> tuple[list[ChangeItem], str]:
    items: list[ChangeItem] = []
    pages = 0
    while True:
        response = await http.get(FEED, params={"since": since, "limit": limit}, headers=headers)
        assert response.status_code == 200, response.text
        feed = decode(response.content, ChangeFeed)
        items.extend(feed.changes)
        since = feed.next
        pages += 1
        assert pages < 100
        if not feed.more:
            return items, since


@pytest.mark.parametrize("viewer", sorted(VISIBLE))
async def test_every_kind_reaches_exactly_who_may_see_it(
    http: httpx.AsyncClient, login_as: LoginAs, app: Litestar, demo: Any, viewer: str
) -> None:
    headers = await login_as(http, viewer)
    since = await start_cursor(http, headers)
    cursors: dict[int, str] = {}
    for label, kind, routing in rows(demo):
        cursors[await add_change(app, demo, kind, label=label, **routing)] = label
    items, next_cursor = await read_all(http, headers, since)
    labels = [str(item.payload["label"]) for item in items]
    assert len(labels) == len(set(labels)), labels  # once each
    assert set(labels) == VISIBLE[viewer], viewer
    numbers = [int(item.cursor) for item in items]
    assert numbers == sorted(numbers)  # in order
    assert all(cursors[int(item.cursor)] == item.payload["label"] for item in items)
    assert int(next_cursor) == max(cursors)  # past what this viewer may not see, too
    # Nothing more after the end, and the same answer page by page.
    again, _ = await read_all(http, headers, next_cursor)
    assert again == []
    paged, _ = await read_all(http, headers, since, limit=2)
    assert paged == items


async def test_an_item_carries_what_happened(
    http: httpx.AsyncClient, login_as: LoginAs, app: Litestar, demo: Any
) -> None:
    headers = await login_as(http, "parent")
    since = await start_cursor(http, headers)
    payload: dict[str, object] = {"subject": "Математика", "old": {"value": 4}, "new": {"value": 5}}
    cursor = await add_change(
        app,
        demo,
        "mark.edited",
        pupil_id=demo.ids["pupil"],
        class_id=demo.ids["c5a"],
        entity_id=77,
        payload=payload,
    )
    items, _ = await read_all(http, headers, since)
    assert items == [
        ChangeItem(
            cursor=str(cursor),
            at=AT,
            kind="mark.edited",
            entity_id=77,
            pupil_id=demo.ids["pupil"],
            class_id=demo.ids["c5a"],
            actor="Анна Смирнова",
            actor_id=demo.ids["teacher"],
            payload=payload,
        )
    ]


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        # Ruled out by the document (the pattern of 'since', the bounds of 'limit'): 400.
        ({"since": "abc"}, "since", 400),
        ({"since": "-1"}, "since", 400),
        ({"since": "1.5"}, "since", 400),
        ({"since": " 5"}, "since", 400),
        ({"since": ""}, "since", 400),
        ({"since": "9" * 30}, "since", 400),
        ({"limit": "0"}, "limit", 400),
        ({"limit": "501"}, "limit", 400),
        # Well formed, but not a cursor this server has given out: 422.
        ({"since": "999999999"}, "since", 422),
        ({"since": "9" * 19}, "since", 422),
    ],
)
async def test_bad_cursor_or_limit_is_a_clear_refusal(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    params: dict[str, str],
    field: str,
    status: int,
) -> None:
    headers = await login_as(http, "parent")
    for path in (FEED, STREAM) if "since" in params else (FEED,):
        response = await http.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, response.text)
        problem = decode(response.content, Problem)
        assert problem.detail and field in problem.detail


async def test_bad_last_event_id_is_a_clear_400(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = {**await login_as(http, "parent"), "Last-Event-ID": "yesterday"}
    response = await http.get(STREAM, headers=headers)
    assert response.status_code == 400
    assert "Last-Event-ID" in (decode(response.content, Problem).detail or "")


async def test_the_feed_needs_a_login(http: httpx.AsyncClient) -> None:
    assert (await http.get(FEED)).status_code == 401
    assert (await http.get(STREAM)).status_code == 401


async def test_an_empty_feed_starts_at_zero(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "parent")
    assert await start_cursor(http, headers) == "0"
    items, next_cursor = await read_all(http, headers, "0")
    assert items == [] and next_cursor == "0"


# --- the stream over a real server -------------------------------------------------------------


@pytest.fixture
async def served(demo_url: str, demo: Any) -> AsyncIterator[str]:
    """The server in a thread of its own, over the test's database: another process, in
    effect, to the ``app`` that the test writes through."""
    from demo_server.app import create_app
    from diary_tui.demo import DemoServer

    today: dt.date = demo.today
    server = DemoServer(create_app(demo_url, settings=frozen_settings(today)))
    await asyncio.to_thread(server.start)
    try:
        yield server.url
    finally:
        await asyncio.to_thread(server.stop)


async def sse_events(
    client: httpx.AsyncClient, headers: dict[str, str], want: int, **params: str
) -> list[tuple[str, ChangeItem]]:
    """Read ``want`` change events from the stream, then hang up."""
    got: list[tuple[str, ChangeItem]] = []
    async with client.stream("GET", STREAM, headers=headers, params=params) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        event_id, data = "", ""
        async for line in response.aiter_lines():
            if line.startswith("id:"):
                event_id = line[3:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line == "" and data:
                got.append((event_id, decode(data, ChangeItem)))
                event_id, data = "", ""
                if len(got) == want:
                    break
    return got


async def test_the_stream_opens_with_a_comment_not_an_empty_event(
    served: str, login_as: LoginAs
) -> None:
    """The first bytes say "connected" and the reconnection delay; with no ``data:`` line they
    make no event (an empty ``message`` event is not one of the documented change events)."""
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        headers = await login_as(client, "parent")
        lines: list[str] = []
        async with client.stream("GET", STREAM, headers=headers) as response:
            async for line in response.aiter_lines():
                if line == "" and lines:
                    break
                lines.append(line)
    assert lines == [": connected", "retry: 2000"]


async def test_the_stream_delivers_and_resumes_without_loss(
    served: str, login_as: LoginAs, app: Litestar, demo: Any
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        headers = await login_as(client, "parent")
        since = await start_cursor(client, headers)
        pupil = {"pupil_id": demo.ids["pupil"], "class_id": demo.ids["c5a"]}

        async def write_later(labels: list[str]) -> None:
            await asyncio.sleep(0.3)
            for label in labels:
                await add_change(app, demo, "mark.added", label=label, **pupil)
            # a change the parent may not see, between them
            await add_change(app, demo, "mark.added", label="x", pupil_id=demo.ids["stranger"])

        writer = asyncio.create_task(write_later(["a", "b"]))
        first = await asyncio.wait_for(sse_events(client, headers, 2, since=since), 10)
        await writer
        assert [item.payload["label"] for _, item in first] == ["a", "b"]
        assert [event_id for event_id, _ in first] == [item.cursor for _, item in first]
        # While disconnected: more changes. Resuming from the last id loses none of them.
        for label in ("c", "d", "e"):
            await add_change(app, demo, "mark.added", label=label, **pupil)
        resume = {**headers, "Last-Event-ID": first[-1][0]}
        rest = await asyncio.wait_for(sse_events(client, resume, 3), 10)
        assert [item.payload["label"] for _, item in rest] == ["c", "d", "e"]


async def test_the_stream_is_not_held_back_by_compression(
    served: str, login_as: LoginAs, app: Litestar, demo: Any
) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        headers = {**await login_as(client, "pupil"), "Accept-Encoding": "gzip"}
        since = await start_cursor(client, headers)

        async def write_later() -> None:
            await asyncio.sleep(0.3)
            await add_change(app, demo, "announcement.new", label="hello")

        writer = asyncio.create_task(write_later())
        started = asyncio.get_running_loop().time()
        got = await asyncio.wait_for(sse_events(client, headers, 1, since=since), 10)
        await writer
        assert got[0][1].payload["label"] == "hello"
        assert asyncio.get_running_loop().time() - started < 3


async def test_a_stream_ends_with_its_access_token(
    demo_url: str, demo: Any, login_as: LoginAs
) -> None:
    """Then the client reconnects with a fresh token: a revoked session stops hearing."""
    from demo_server.app import create_app
    from diary_tui.demo import DemoServer

    settings = frozen_settings(demo.today, access_token_lifetime=dt.timedelta(seconds=1))
    server = DemoServer(create_app(demo_url, settings=settings))
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            headers = await login_as(client, "parent")
            started = asyncio.get_running_loop().time()
            async with client.stream("GET", STREAM, headers=headers) as response:
                assert response.status_code == 200
                body = b"".join([chunk async for chunk in response.aiter_bytes()])
            assert b": connected" in body
            assert asyncio.get_running_loop().time() - started < 5
    finally:
        await asyncio.to_thread(server.stop)
