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


async def to(
    http: httpx.AsyncClient, headers: dict[str, str], title: str, **whom: Any
) -> httpx.Response:
    return await http.post(
        f"{API}/announcements",
        json={"title": title, "body": f"Текст: {title}", **whom},
        headers={**headers, **key()},
    )


async def test_audiences_reach_only_whom_they_address(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    admin = await login_as(http, "admin")
    classteacher = await login_as(http, "classteacher")  # leads 5А
    readers = ("parent", "other_parent", "pupil", "teacher", "admin", "it")
    starts = {}
    for login in readers:
        headers = await login_as(http, login)
        starts[login] = (
            headers,
            (await http.get(f"{API}/changes", headers=headers)).json()["next"],
        )
    for title, whom in (
        ("Шестым классам", {"audience": "grade", "grade": 6}),
        ("Всем родителям", {"audience": "parents"}),
        ("Учителям", {"audience": "teachers"}),
        ("Родителям 7В", {"audience": "parents", "class_id": ids["c7v"]}),
    ):
        answer = await to(http, admin, title, **whom)
        assert answer.status_code == 201, answer.text
        item = decode(answer.content, AnnouncementItem)
        assert item.audience.value == whom["audience"]
    grade = decode(
        (await to(http, admin, "x", audience="grade", grade=5)).content, AnnouncementItem
    )
    assert grade.grade == 5 and grade.class_ is None
    answer = await to(http, classteacher, "Родителям 5А", audience="parents", class_id=ids["c5a"])
    assert answer.status_code == 201, answer.text
    assert decode(answer.content, AnnouncementItem).class_.name == "5А"  # type: ignore[union-attr]
    seen = {
        login: {a.title for a in (await news(http, await login_as(http, login))).announcements}
        for login in ("parent", "other_parent", "pupil", "sibling", "teacher", "admin", "it")
    }
    # The parent of a 5А and a 6Б pupil: their classes' parents, all parents, the 6th grades.
    assert seen["parent"] >= {"Родителям 5А", "Всем родителям", "Шестым классам"}
    assert "Учителям" not in seen["parent"] and "Родителям 7В" not in seen["parent"]
    assert seen["other_parent"] >= {"Всем родителям", "Родителям 7В"}
    assert not seen["other_parent"] & {"Родителям 5А", "Шестым классам", "Учителям"}
    # Pupils read neither what is for parents nor for teachers; a parallel's only its own.
    assert not seen["pupil"] & {"Родителям 5А", "Всем родителям", "Учителям", "Шестым классам"}
    assert "x" in seen["pupil"] and "Шестым классам" in seen["sibling"]
    assert "Учителям" in seen["teacher"] and "Шестым классам" in seen["teacher"]  # teaches 6Б
    assert not seen["teacher"] & {"Родителям 5А", "Всем родителям"}
    assert "Учителям" not in seen["it"]
    assert "Учителям" in seen["admin"]
    # One addressed to others is, by id, as one that does not exist.
    pupil = await login_as(http, "pupil")
    for_parents = next(
        a
        for a in (await news(http, await login_as(http, "parent"))).announcements
        if a.title == "Родителям 5А"
    )
    hidden = await http.post(
        f"{API}/announcements/{for_parents.id}/read", headers={**pupil, **key()}
    )
    assert hidden.status_code == 404
    # The change feed brings each announcement, with its title and whom it is for, to those
    # it is for alone: pupils never hear of their parents' announcements, nor IT staff of the
    # teachers'.
    heard: dict[str, dict[str, dict[str, Any]]] = {}
    for login, (headers, since) in starts.items():
        answer = await http.get(f"{API}/changes", headers=headers, params={"since": since})
        assert answer.status_code == 200, answer.text
        feed = answer.json()
        heard[login] = {
            c["payload"]["title"]: c["payload"]
            for c in feed.get("changes", [])
            if c["kind"] == "announcement.new"
        }
    assert heard["parent"]["Всем родителям"]["audience"] == "parents"
    assert heard["parent"]["Родителям 5А"]["class"] == "5А"
    assert "Учителям" not in heard["parent"]
    assert heard["other_parent"]["Родителям 7В"]["audience"] == "parents"
    assert not heard["pupil"].keys() & {"Родителям 5А", "Всем родителям", "Учителям"}
    assert heard["teacher"]["Учителям"]["audience"] == "teachers"
    assert not heard["teacher"].keys() & {"Всем родителям", "Родителям 5А"}
    assert "Учителям" in heard["admin"] and "Всем родителям" not in heard["admin"]
    assert not heard["it"].keys() & {"Учителям", "Всем родителям", "Родителям 7В"}


async def test_who_may_address_whom(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids
    admin = await login_as(http, "admin")
    teacher = await login_as(http, "teacher")  # teaches 5А and 6Б, leads none
    classteacher = await login_as(http, "classteacher")
    refusals = [
        (teacher, {"audience": "parents", "class_id": ids["c5a"]}, 403, "audience"),
        (teacher, {"audience": "class", "class_id": ids["c7v"]}, 404, "class_id"),
        (teacher, {"audience": "teachers"}, 403, "audience"),
        (teacher, {"audience": "grade", "grade": 5}, 403, "audience"),
        (classteacher, {"audience": "parents", "class_id": ids["c6b"]}, 404, "class_id"),
        (classteacher, {"audience": "parents"}, 403, "audience"),
        (admin, {"audience": "grade", "grade": 9}, 422, "grade"),
        (admin, {"audience": "grade"}, 422, "grade"),
        (admin, {"audience": "class"}, 422, "class_id"),
        (admin, {"audience": "teachers", "class_id": ids["c5a"]}, 422, "class_id"),
        (admin, {"audience": "school", "grade": 5}, 422, "grade"),
        (await login_as(http, "parent"), {"audience": "parents"}, 403, None),
    ]
    for headers, whom, status, field in refusals:
        answer = await to(http, headers, "Нельзя", **whom)
        assert answer.status_code == status, (whom, answer.text)
        problem = decode(answer.content, Problem)
        assert problem.field == field and problem.detail, whom
    assert (await to(http, teacher, "Можно", class_id=ids["c5a"])).status_code == 201
    # Nothing refused was written.
    titles = {a.title for a in (await news(http, admin)).announcements}
    assert "Нельзя" not in titles
