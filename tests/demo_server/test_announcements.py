"""Announcements and events over the hand-made school: audience, read state, posting."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import AnnouncementItem, Announcements, Events, Problem, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import Change
from tests.conftest import LoginAs

API = "/api/v1"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def post(
    http: httpx.AsyncClient, headers: dict[str, str], title: str, class_id: int | None
) -> httpx.Response:
    return await http.post(
        f"{API}/announcements",
        json={"title": title, "body": f"Текст: {title}", "class_id": class_id},
        headers={**headers, **key()},
    )


async def news(http: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Announcements:
    response = await http.get(f"{API}/announcements", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return decode(response.content, Announcements)


async def test_who_reads_which_announcement(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    admin, teacher = await login_as(http, "admin"), await login_as(http, "teacher2")
    assert (await post(http, admin, "Каникулы", None)).status_code == 201
    assert (await post(http, teacher, "Для 6Б", ids["c6b"])).status_code == 201
    assert (await post(http, teacher, "Для 7В", ids["c7v"])).status_code == 201
    seen = {
        login: [a.title for a in (await news(http, await login_as(http, login))).announcements]
        for login in ("parent", "pupil", "teacher", "teacher2", "admin", "it", "nurse")
    }
    assert seen["parent"] == ["Для 6Б", "Каникулы"]  # newest first; both children's classes
    assert seen["pupil"] == ["Каникулы"]  # 5А has none of its own
    assert seen["teacher"] == ["Для 6Б", "Каникулы"]
    assert seen["teacher2"] == ["Для 7В", "Для 6Б", "Каникулы"]
    assert seen["admin"] == ["Каникулы"]
    assert seen["it"] == seen["nurse"] == ["Каникулы"]
    parent = await login_as(http, "parent")
    only_pupil = await news(http, parent, pupil_id=ids["pupil"])
    assert [a.title for a in only_pupil.announcements] == ["Каникулы"]
    stranger = await http.get(
        f"{API}/announcements", params={"pupil_id": ids["stranger"]}, headers=parent
    )
    assert stranger.status_code == 404


async def test_read_state_and_etag(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    admin, parent = await login_as(http, "admin"), await login_as(http, "parent")
    item = decode((await post(http, admin, "Собрание", None)).content, AnnouncementItem)
    assert item.read  # the author has read their own
    before = await http.get(f"{API}/announcements", headers=parent)
    listed = decode(before.content, Announcements)
    assert listed.unread == 1 and not listed.announcements[0].read
    etag = before.headers["etag"]
    assert (
        await http.get(f"{API}/announcements", headers={**parent, "If-None-Match": etag})
    ).status_code == 304
    for _ in range(2):  # reading twice is harmless
        response = await http.post(
            f"{API}/announcements/{item.id}/read", headers={**parent, **key()}
        )
        assert response.status_code == 200 and decode(response.content, AnnouncementItem).read
    after = await http.get(f"{API}/announcements", headers={**parent, "If-None-Match": etag})
    assert after.status_code == 200 and decode(after.content, Announcements).unread == 0


async def test_posting_rules(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    teacher = await login_as(http, "teacher")
    assert (await post(http, teacher, "Всем", None)).status_code == 403
    refused = await post(http, teacher, "Чужой класс", ids["c7v"])
    assert refused.status_code == 404 and decode(refused.content, Problem).field == "class_id"
    posted = decode((await post(http, teacher, "Свой класс", ids["c5a"])).content, AnnouncementItem)
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = (await db.scalars(select(Change).where(Change.kind == "announcement.new"))).all()
    finally:
        await engine.dispose()
    assert [(r.entity_id, r.class_id, r.actor_id) for r in rows] == [
        (posted.id, ids["c5a"], ids["teacher"])
    ]
    for login in ("parent", "pupil", "it", "nurse", "authority"):
        response = await post(http, await login_as(http, login), "x", None)
        assert response.status_code == 403, login
    long_title = await http.post(
        f"{API}/announcements",
        json={"title": "t" * 201, "body": "b", "class_id": ids["c5a"]},
        headers={**teacher, **key()},
    )
    assert long_title.status_code == 422
    assert decode(long_title.content, Problem).field == "title"
    unread_foreign = await http.post(
        f"{API}/announcements/999999/read", headers={**teacher, **key()}
    )
    assert unread_foreign.status_code == 404


async def test_events_by_range_and_audience(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    response = await http.get(
        f"{API}/events", params={"from": "2026-11-23", "to": "2026-11-29"}, headers=parent
    )
    got = decode(response.content, Events)
    assert [e.id for e in got.events] == [ids["meeting"], ids["concert"]]  # not 7В's trip
    meeting = got.events[0]
    assert meeting.place == "каб. 101" and meeting.starts_at.hour == 15  # 18:00 in Moscow
    # The News screen's GET carries the events from today on.
    assert [e.id for e in (await news(http, parent)).events][:2] == [
        ids["meeting"],
        ids["concert"],
    ]
    for params, status in (
        ({"from": "2026-11-29", "to": "2026-11-23"}, 422),  # they do not go together
        ({"from": "2026-13-01"}, 400),  # not a date
        ({"from": "2020-01-01", "to": "2026-01-01"}, 422),  # too long a span
    ):
        bad = await http.get(f"{API}/events", params=params, headers=parent)
        assert bad.status_code == status, params
    stranger_events = await http.get(
        f"{API}/events", params={"pupil_id": ids["stranger"]}, headers=parent
    )
    assert stranger_events.status_code == 404
