"""Messages over the hand-made school: recipients, threads, replies, read state, limits."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import (
    MESSAGE_MAX_LENGTH,
    Problem,
    ReadState,
    Recipients,
    Role,
    Thread,
    Threads,
    decode,
)
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import Change
from tests.conftest import LoginAs

API = "/api/v1"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def start(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    recipient: int,
    pupil: int | None,
    subject: str = "Домашнее задание",
    body: str = "Здравствуйте! Что задано?",
) -> httpx.Response:
    payload: dict[str, Any] = {"recipient_id": recipient, "subject": subject, "body": body}
    if pupil is not None:
        payload["pupil_id"] = pupil
    return await http.post(f"{API}/threads", json=payload, headers={**headers, **key()})


async def threads(http: httpx.AsyncClient, headers: dict[str, str]) -> Threads:
    response = await http.get(f"{API}/threads", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Threads)


async def test_recipients_of_a_parent_pupil_and_teacher(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    got = decode(
        (await http.get(f"{API}/pupils/{ids['pupil']}/recipients", headers=parent)).content,
        Recipients,
    )
    assert got.pupil.id == ids["pupil"]
    people = {p.id: p for p in got.recipients}
    assert set(people) == {ids["classteacher"], ids["teacher"], ids["teacher2"]}
    assert got.recipients[0].id == ids["classteacher"]
    assert got.recipients[0].title.startswith("class teacher 5А")
    in_russian = decode(
        (
            await http.get(
                f"{API}/pupils/{ids['pupil']}/recipients",
                headers={**parent, "Accept-Language": "ru"},
            )
        ).content,
        Recipients,
    )
    assert in_russian.recipients[0].title.startswith("классный руководитель 5А")
    assert people[ids["teacher"]].title == "Математика"
    assert all(p.role is Role.TEACHER for p in got.recipients)
    # The other child: 6Б, led by teacher2, with teacher for mathematics.
    sibling = decode(
        (await http.get(f"{API}/pupils/{ids['sibling']}/recipients", headers=parent)).content,
        Recipients,
    )
    assert {p.id for p in sibling.recipients} == {ids["teacher2"], ids["teacher"]}
    # A teacher writes to the pupil's parents.
    teacher = await login_as(http, "teacher")
    to_parents = decode(
        (await http.get(f"{API}/pupils/{ids['pupil']}/recipients", headers=teacher)).content,
        Recipients,
    )
    assert [p.id for p in to_parents.recipients] == [ids["parent"]]


async def test_a_conversation_with_read_state_and_change_feed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    parent, teacher = await login_as(http, "parent"), await login_as(http, "teacher")
    response = await start(http, parent, ids["teacher"], ids["pupil"])
    assert response.status_code == 201, response.text
    thread = decode(response.content, Thread)
    assert thread.subject == "Домашнее задание"
    assert thread.pupil is not None and thread.pupil.id == ids["pupil"]
    assert {p.id for p in thread.participants} == {ids["parent"], ids["teacher"]}
    assert thread.last_read_id == thread.messages[-1].id  # one's own message is read

    # The teacher sees it unread, with the parent's name and the child.
    listed = await threads(http, teacher)
    assert listed.unread == 1
    (summary,) = listed.threads
    assert summary.id == thread.id and summary.unread == 1
    assert [p.id for p in summary.participants] == [ids["parent"]]
    assert summary.participants[0].role is Role.PARENT
    assert summary.pupil is not None and summary.pupil.first_name == "Миша"

    # The teacher replies: the parent has one unread, the teacher none.
    reply_text = "[red]x[/] и [/] — это просто текст"
    response = await http.post(
        f"{API}/threads/{thread.id}/messages",
        json={"body": reply_text},
        headers={**teacher, **key()},
    )
    assert response.status_code == 201, response.text
    after = decode(response.content, Thread)
    assert [msg.body for msg in after.messages][-1] == reply_text
    assert (await threads(http, teacher)).unread == 0
    mine = await threads(http, parent)
    assert mine.threads[0].unread == 1

    # Reading it (a stale or too-large mark is clamped; a mark never moves back).
    opened = decode((await http.get(f"{API}/threads/{thread.id}", headers=parent)).content, Thread)
    last = opened.messages[-1].id
    state = decode(
        (
            await http.post(
                f"{API}/threads/{thread.id}/read",
                json={"last_read_id": last + 1000},
                headers={**parent, **key()},
            )
        ).content,
        ReadState,
    )
    assert (state.last_read_id, state.unread) == (last, 0)
    back = await http.post(
        f"{API}/threads/{thread.id}/read", json={"last_read_id": 0}, headers={**parent, **key()}
    )
    assert decode(back.content, ReadState).last_read_id == last
    assert (await threads(http, parent)).unread == 0

    # Each message left one change addressed to the other participant.
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = (await db.scalars(select(Change).where(Change.kind == "message.new"))).all()
    finally:
        await engine.dispose()
    assert sorted((r.user_id, r.actor_id) for r in rows) == sorted(
        [(ids["teacher"], ids["parent"]), (ids["parent"], ids["teacher"])]
    )
    assert all(r.pupil_id is None for r in rows)


async def test_who_reads_a_thread(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    thread = decode((await start(http, parent, ids["teacher"], ids["pupil"])).content, Thread)
    url = f"{API}/threads/{thread.id}"
    expected = {
        "parent": 200,
        "teacher": 200,
        "pupil": 404,  # the child never sees the parents' correspondence
        "classteacher": 404,
        "admin": 404,  # not a participant
        "it": 403,
        "nurse": 403,
        "authority": 403,
    }
    for login, status in expected.items():
        headers = await login_as(http, login)
        response = await http.get(url, headers=headers)
        assert response.status_code == status, (login, response.text)
        reply = await http.post(
            f"{url}/messages", json={"body": "hi"}, headers={**headers, **key()}
        )
        assert reply.status_code == (201 if status == 200 else status), (login, reply.text)
    pupil = await login_as(http, "pupil")
    assert (await threads(http, pupil)).threads == []
    assert (await http.get(f"{API}/threads", headers=await login_as(http, "it"))).status_code == 403
    missing = await http.get(f"{API}/threads/999999", headers=parent)
    foreign = await http.get(url, headers=await login_as(http, "classteacher"))
    assert missing.content == foreign.content


async def test_a_pupil_writes_to_their_teacher(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    response = await start(http, pupil, ids["teacher"], None, "Вопрос", "Можно пересдать?")
    assert response.status_code == 201, response.text
    assert decode(response.content, Thread).pupil is not None
    # but not to another class's teacher or to a parent
    assert (await start(http, pupil, ids["parent"], ids["pupil"])).status_code == 422
    assert (await start(http, pupil, ids["teacher"], ids["sibling"])).status_code == 404


async def test_bad_messages_get_clear_422s(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    cases = [
        ({"body": "   "}, "body", "must not be empty"),
        ({"body": "x" * (MESSAGE_MAX_LENGTH + 1)}, "body", "at most 10,000"),
        ({"subject": "s" * 201}, "subject", "at most 200"),
        ({"subject": ""}, "subject", "must not be empty"),
        ({"recipient_id": ids["other_parent"]}, "recipient_id", "recipients"),
        ({"recipient_id": ids["teacher"], "pupil_id": None}, "pupil_id", "pupil"),
    ]
    for change, field, words in cases:
        payload: dict[str, Any] = {
            "recipient_id": ids["teacher"],
            "pupil_id": ids["pupil"],
            "subject": "Тема",
            "body": "Текст",
            **change,
        }
        if payload["pupil_id"] is None:
            del payload["pupil_id"]
        response = await http.post(f"{API}/threads", json=payload, headers={**parent, **key()})
        assert response.status_code == 422, (change, response.text)
        problem = decode(response.content, Problem)
        assert problem.field == field and words in problem.detail, problem
    # A stranger's child is no pupil at all; an unknown field is a 400, not a silent no-op.
    assert (await start(http, parent, ids["teacher2"], ids["stranger"])).status_code == 404
    odd = await http.post(
        f"{API}/threads",
        json={"recipient_id": ids["teacher"], "subject": "a", "body": "b", "cc": 1},
        headers={**parent, **key()},
    )
    assert odd.status_code == 400
    thread = decode((await start(http, parent, ids["teacher"], ids["pupil"])).content, Thread)
    empty = await http.post(
        f"{API}/threads/{thread.id}/messages", json={"body": ""}, headers={**parent, **key()}
    )
    assert empty.status_code == 422
    negative = await http.post(
        f"{API}/threads/{thread.id}/read", json={"last_read_id": -1}, headers={**parent, **key()}
    )
    assert negative.status_code == 422


async def test_a_replayed_reply_is_sent_once(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    thread = decode((await start(http, parent, ids["teacher"], ids["pupil"])).content, Thread)
    headers = {**parent, **key()}
    url = f"{API}/threads/{thread.id}/messages"
    first = await http.post(url, json={"body": "Спасибо!"}, headers=headers)
    again = await http.post(url, json={"body": "Спасибо!"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    opened = decode((await http.get(f"{API}/threads/{thread.id}", headers=parent)).content, Thread)
    assert [msg.body for msg in opened.messages].count("Спасибо!") == 1
    no_key = await http.post(url, json={"body": "x"}, headers=parent)
    assert no_key.status_code == 400


async def test_threads_etag_and_304(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    await start(http, parent, ids["teacher"], ids["pupil"])
    first = await http.get(f"{API}/threads", headers=parent)
    etag = first.headers["etag"]
    same = await http.get(f"{API}/threads", headers={**parent, "If-None-Match": etag})
    assert same.status_code == 304
    await start(http, parent, ids["classteacher"], ids["pupil"], "Ещё")
    changed = await http.get(f"{API}/threads", headers={**parent, "If-None-Match": etag})
    assert changed.status_code == 200
    assert len(decode(changed.content, Threads).threads) == 2
