"""The class chat over the hand-made school: who is in which chat, writing, paging, hiding,
closing, the change feed, and the refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import (
    CHAT_MESSAGE_MAX_LENGTH,
    CHAT_PAGE,
    ChangeFeed,
    Chat,
    ChatMessage,
    Chats,
    Problem,
    decode,
)
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import AuditRecord
from demo_server.schema import ChatMessage as ChatRow
from tests.conftest import LoginAs

API = "/api/v1"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def post(
    http: httpx.AsyncClient, headers: dict[str, str], class_id: int, body: str
) -> httpx.Response:
    return await http.post(
        f"{API}/chats/{class_id}/messages", json={"body": body}, headers={**headers, **key()}
    )


async def chat(
    http: httpx.AsyncClient, headers: dict[str, str], class_id: int, **params: Any
) -> Chat:
    response = await http.get(f"{API}/chats/{class_id}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return decode(response.content, Chat)


async def test_who_is_in_which_chat(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids

    async def classes(login: str) -> list[tuple[int, bool]]:
        response = await http.get(f"{API}/chats", headers=await login_as(http, login))
        assert response.status_code == 200, response.text
        return [(c.class_.id, c.may_moderate) for c in decode(response.content, Chats).chats]

    assert await classes("pupil") == [(ids["c5a"], False)]
    # The mover left 6Б on Tuesday: today (Wednesday) only 5А's chat is theirs.
    assert await classes("mover") == [(ids["c5a"], False)]
    assert await classes("classteacher") == [(ids["c5a"], True)]
    assert await classes("teacher") == [(ids["c5a"], False), (ids["c6b"], False)]
    assert await classes("teacher2") == [
        (ids["c5a"], False),
        (ids["c6b"], True),
        (ids["c7v"], False),
    ]
    assert await classes("admin") == [(ids["c5a"], True), (ids["c6b"], True), (ids["c7v"], True)]
    for login in ("parent", "it", "nurse", "authority"):
        response = await http.get(f"{API}/chats", headers=await login_as(http, login))
        assert response.status_code == 403, (login, response.text)
        response = await http.get(f"{API}/chats/{ids['c5a']}", headers=await login_as(http, login))
        assert response.status_code == 403, (login, response.text)


async def test_another_class_chat_is_answered_as_none(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    other = await http.get(f"{API}/chats/{ids['c6b']}", headers=pupil)
    missing = await http.get(f"{API}/chats/999999", headers=pupil)
    huge = await http.get(f"{API}/chats/99999999999999999999", headers=pupil)
    assert other.status_code == missing.status_code == huge.status_code == 404
    assert decode(other.content, Problem).detail == decode(missing.content, Problem).detail
    written = await post(http, pupil, ids["c6b"], "привет из 5А")
    assert written.status_code == 404
    assert decode(written.content, Problem).detail == decode(missing.content, Problem).detail
    # A teacher who does not teach 7В does not see its chat either.
    teacher = await login_as(http, "teacher")
    assert (await http.get(f"{API}/chats/{ids['c7v']}", headers=teacher)).status_code == 404


async def test_members_write_and_read_plain_text(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    teacher = await login_as(http, "teacher")
    first = await post(http, pupil, ids["c5a"], "  Кто знает, что задали по математике?\n")
    assert first.status_code == 201, first.text
    sent = decode(first.content, ChatMessage)
    assert sent.body == "Кто знает, что задали по математике?"
    assert sent.author_id == ids["pupil"]
    second = await post(http, teacher, ids["c5a"], "[bold]Номера 5-7[/bold] на с. 40")
    assert second.status_code == 201, second.text
    seen = await chat(http, await login_as(http, "mover"), ids["c5a"])
    assert [m.body for m in seen.messages] == [
        "Кто знает, что задали по математике?",
        "[bold]Номера 5-7[/bold] на с. 40",
    ]
    assert seen.may_write and not seen.may_moderate and not seen.closed and not seen.older
    for bad in ("", "   \n ", "x" * (CHAT_MESSAGE_MAX_LENGTH + 1), "bell\x07", "\u202eevil"):
        refused = await post(http, pupil, ids["c5a"], bad)
        assert refused.status_code == 422, (bad[:10], refused.text)
        assert decode(refused.content, Problem).field == "body"
    nested = await http.post(
        f"{API}/chats/{ids['c5a']}/messages",
        json={"body": {"a": [1]}},
        headers={**pupil, **key()},
    )
    assert nested.status_code in (400, 422)
    # The administration reads and moderates but does not write.
    admin = await post(http, await login_as(http, "admin"), ids["c5a"], "Здравствуйте")
    assert admin.status_code == 403
    assert "announcement" in decode(admin.content, Problem).detail


async def test_older_messages_come_a_page_at_a_time(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    total = CHAT_PAGE + 7
    for n in range(total):
        assert (await post(http, pupil, ids["c5a"], f"сообщение {n}")).status_code == 201
    newest = await chat(http, pupil, ids["c5a"])
    assert len(newest.messages) == CHAT_PAGE and newest.older
    assert newest.messages[-1].body == f"сообщение {total - 1}"
    older = await chat(http, pupil, ids["c5a"], before=newest.messages[0].id)
    assert [m.body for m in older.messages] == [f"сообщение {n}" for n in range(7)]
    assert not older.older
    for bad in ("0", "-1", "abc", "99999999999999999999"):
        response = await http.get(
            f"{API}/chats/{ids['c5a']}", headers=pupil, params={"before": bad}
        )
        assert response.status_code == 400, (bad, response.text)


async def test_hiding_keeps_the_message_and_audits(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    classteacher = await login_as(http, "classteacher")
    rude = decode((await post(http, pupil, ids["c5a"], "грубость")).content, ChatMessage)
    path = f"{API}/chats/{ids['c5a']}/messages/{rude.id}/hide"
    # A member who is not the class teacher may not hide; a pupil of another class is told
    # there is no such chat.
    teacher = await login_as(http, "teacher")
    refused = await http.post(path, json={"hidden": True}, headers={**teacher, **key()})
    assert refused.status_code == 403
    sibling = await login_as(http, "sibling")
    assert (await http.post(path, json={}, headers={**sibling, **key()})).status_code == 404
    wrong = f"{API}/chats/{ids['c5a']}/messages/999999/hide"
    assert (await http.post(wrong, json={}, headers={**classteacher, **key()})).status_code == 404
    hidden = await http.post(
        path, json={"hidden": True, "reason": "грубость"}, headers={**classteacher, **key()}
    )
    assert hidden.status_code == 200, hidden.text
    shown = await chat(http, pupil, ids["c5a"])
    item = shown.messages[-1]
    assert item.hidden and item.body == "" and item.hidden_by.startswith("Иванова Ольга")
    moderated = await chat(http, classteacher, ids["c5a"])
    assert moderated.messages[-1].body == "грубость" and moderated.may_moderate
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            row = await db.get(ChatRow, rude.id)
            assert row is not None and row.body == "грубость"
            audit = (
                await db.scalars(select(AuditRecord).where(AuditRecord.entity == "chat_message"))
            ).all()
    finally:
        await engine.dispose()
    assert [(a.entity_id, a.after, a.reason) for a in audit] == [
        (rude.id, {"hidden": True, "class_id": ids["c5a"]}, "грубость")
    ]
    assert "грубость" not in str(audit[0].before)
    again = await http.post(path, json={"hidden": False}, headers={**classteacher, **key()})
    assert decode(again.content, ChatMessage).hidden is False
    assert (await chat(http, pupil, ids["c5a"])).messages[-1].body == "грубость"


async def test_a_closed_chat_is_read_but_only_its_class_teacher_writes(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    teacher = await login_as(http, "teacher")
    classteacher = await login_as(http, "classteacher")
    state = f"{API}/chats/{ids['c5a']}/state"
    for who in (pupil, teacher):
        response = await http.post(state, json={"closed": True}, headers={**who, **key()})
        assert response.status_code == 403
    closed = await http.post(state, json={"closed": True}, headers={**classteacher, **key()})
    assert closed.status_code == 200, closed.text
    assert decode(closed.content, Chat).closed
    seen = await chat(http, pupil, ids["c5a"])
    assert seen.closed and not seen.may_write and seen.closed_by.startswith("Иванова")
    for who in (pupil, teacher):
        refused = await post(http, who, ids["c5a"], "можно?")
        assert refused.status_code == 403
        assert "closed" in decode(refused.content, Problem).detail
    assert (
        await post(http, classteacher, ids["c5a"], "Чат закрыт до понедельника")
    ).status_code == 201
    opened = await http.post(
        state, json={"closed": False}, headers={**(await login_as(http, "admin")), **key()}
    )
    assert opened.status_code == 200
    assert (await post(http, pupil, ids["c5a"], "спасибо")).status_code == 201


async def test_new_messages_reach_members_through_the_feed_and_never_parents(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    heads = {
        login: await login_as(http, login)
        for login in ("pupil", "parent", "teacher", "sibling", "teacher2", "it")
    }
    cursors = {}
    for login, headers in heads.items():
        feed = decode((await http.get(f"{API}/changes", headers=headers)).content, ChangeFeed)
        cursors[login] = feed.next
    written = decode(
        (await post(http, heads["teacher"], ids["c5a"], "Завтра контрольная")).content, ChatMessage
    )

    async def chat_changes(login: str) -> list[dict[str, object]]:
        response = await http.get(
            f"{API}/changes", headers=heads[login], params={"since": cursors[login]}
        )
        feed = decode(response.content, ChangeFeed)
        return [c.payload for c in feed.changes if c.kind.startswith("chat.")]

    expected = {"class_id": ids["c5a"], "message_id": written.id, "author": written.author}
    assert await chat_changes("pupil") == [expected]
    assert await chat_changes("teacher2") == [expected]  # teaches history in 5А
    assert await chat_changes("parent") == []
    assert await chat_changes("sibling") == []
    assert await chat_changes("it") == []
    assert "контрольная" not in str(expected)


async def test_a_replayed_write_adds_one_message(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    pupil = await login_as(http, "pupil")
    headers = {**pupil, **key()}
    path = f"{API}/chats/{ids['c5a']}/messages"
    first = await http.post(path, json={"body": "один раз"}, headers=headers)
    second = await http.post(path, json={"body": "один раз"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert [m.body for m in (await chat(http, pupil, ids["c5a"])).messages] == ["один раз"]
