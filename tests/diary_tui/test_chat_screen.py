"""The class chat screen against the real server in-process (generated school, frozen clock):
reading, sending through the outbox (offline too), live arrival, moderation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from litestar import Litestar
from textual.widgets import Input, OptionList

from api_client.models import API_PREFIX, ChangeFeed, Chat, ChatMessage, Role, decode
from diary_tui.app import DiaryApp
from diary_tui.live import ChangesArrived
from screens.chat import ChatScreen, ClassPicker, message_prompt
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import log_in, make_app, password_of, wait_for
from tests.diary_tui.test_outbox_family import Switch, quick_retries

MARKUP = "Смотрите [red]сюда[/] и [/] — просто текст"


def lines(screen: ChatScreen) -> list[str]:
    box = screen.query_one("#chat-messages", OptionList)
    return [str(getattr(o.prompt, "plain", o.prompt)) for o in box.options]


def footer_of(app: DiaryApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[-1])


def idle(app: DiaryApp) -> bool:
    screen = app.screen
    return (
        isinstance(screen, ChatScreen)
        and screen.chat is not None
        and not any(w.is_running for w in screen.workers)
    )


async def open_chat(pilot: Any, app: DiaryApp, login: str, demo: Any) -> ChatScreen:
    await log_in(pilot, login, password_of(demo, login))
    await wait_for(
        pilot, lambda: app.data.me is not None and not isinstance(app.screen, ChatScreen)
    )
    await pilot.press("escape")  # out of any input the home screen focused
    await pilot.press("z")
    await wait_for(pilot, lambda: idle(app))
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def server_chat(http: httpx.AsyncClient, headers: dict[str, str], class_id: int) -> Chat:
    return decode((await http.get(f"{API_PREFIX}/chats/{class_id}", headers=headers)).content, Chat)


async def test_a_pupil_reads_and_writes_and_sees_others_live(
    app: Litestar, demo: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    diary = make_app(app, login="pupil")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_chat(pilot, diary, "pupil", demo)
        shown = "\n".join(lines(screen))
        assert "Параграф 12" in shown or "Section 12" in shown  # the demo's talk
        class_id = screen.class_id
        assert class_id is not None
        line = screen.query_one("#chat-input", Input)
        assert not line.disabled
        line.focus()
        line.value = MARKUP
        await pilot.press("enter")
        await wait_for(pilot, lambda: line.value == "" and MARKUP in "\n".join(lines(screen)))
        pupil = await login_as(http, "pupil")
        assert (await server_chat(http, pupil, class_id)).messages[-1].body == MARKUP

        # A teacher of the class writes: the feed brings it and the screen shows it by itself.
        since = decode(
            (await http.get(f"{API_PREFIX}/changes", headers=pupil)).content, ChangeFeed
        ).next
        teacher = await login_as(http, "teacher")
        written = await http.post(
            f"{API_PREFIX}/chats/{class_id}/messages",
            json={"body": "Завтра контрольная по теме «Дроби»"},
            headers={**teacher, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert written.status_code == 201, written.text
        feed = decode(
            (
                await http.get(f"{API_PREFIX}/changes", params={"since": since}, headers=pupil)
            ).content,
            ChangeFeed,
        )
        assert [c.kind for c in feed.changes] == ["chat.message"]
        diary.post_message(ChangesArrived(feed.changes))
        await wait_for(pilot, lambda: "контрольная по теме" in "\n".join(lines(screen)))


@sqlite_only
async def test_a_message_typed_offline_waits_and_is_sent_once(
    app: Litestar, demo: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    switch = Switch(asgi_transport(app))
    diary = make_app(app, login="pupil", transport=switch)
    text = "Написано без сети"
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_chat(pilot, diary, "pupil", demo)
        quick_retries(diary)
        class_id = screen.class_id
        assert class_id is not None
        switch.up = False
        line = screen.query_one("#chat-input", Input)
        line.focus()
        line.value = text
        await pilot.press("enter")
        # Kept in the outbox, shown as waiting; the line is free for the next message.
        await wait_for(
            pilot,
            lambda: any(text in x and "waiting to be sent" in x for x in lines(screen)),
        )
        assert line.value == ""
        switch.up = True
        diary.data.sync_engine().kick()
        pupil = await login_as(http, "pupil")

        async def bodies() -> list[str]:
            return [m.body for m in (await server_chat(http, pupil, class_id)).messages]

        for _ in range(200):
            if text in await bodies():
                break
            await pilot.pause(0.1)
        assert (await bodies()).count(text) == 1
        await wait_for(pilot, lambda: not any("waiting to be sent" in x for x in lines(screen)))


async def test_the_administration_hides_a_message_and_closes_the_chat(
    app: Litestar, demo: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    pupil = await login_as(http, "pupil")
    chats = (await http.get(f"{API_PREFIX}/chats", headers=pupil)).json()["chats"]
    pupil_class = chats[0]["class"]
    diary = make_app(app, login="admin")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_chat(pilot, diary, "admin", demo)
        # The administration does not write, and chooses among every class.
        assert screen.query_one("#chat-input", Input).disabled
        # The moderator's keys are on the footer as soon as the chat is shown.
        await pilot.pause(0.2)
        assert "x Hide" in footer_of(diary) and "L Close" in footer_of(diary), footer_of(diary)
        await pilot.press("escape")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(diary.screen, ClassPicker))
        picker = diary.screen.query_one(OptionList)
        index = next(i for i, o in enumerate(picker.options) if o.id == str(pupil_class["id"]))
        picker.highlighted = index
        await pilot.press("enter")
        await wait_for(pilot, lambda: idle(diary) and screen.class_id == pupil_class["id"])
        assert screen.chat is not None and screen.chat.messages
        box = screen.query_one("#chat-messages", OptionList)
        box.focus()
        box.highlighted = box.option_count - 1
        last = screen.chat.messages[-1]
        await pilot.press("x")
        await wait_for(
            pilot,
            lambda: screen.chat is not None and screen.chat.messages[-1].hidden,
        )
        seen = await server_chat(http, pupil, pupil_class["id"])
        assert seen.messages[-1].id == last.id and seen.messages[-1].hidden
        assert seen.messages[-1].body == ""
        # x and L are named for what they do now: show the hidden message, open the chat.
        await wait_for(pilot, lambda: "x Show" in footer_of(diary))
        await pilot.press("L")
        await wait_for(pilot, lambda: screen.chat is not None and screen.chat.closed)
        await wait_for(pilot, lambda: "L Open" in footer_of(diary))
        assert (await server_chat(http, pupil, pupil_class["id"])).closed
        assert "closed" in str(screen.query_one("#chat-title").render())


def test_a_hidden_message_shows_who_hid_it_and_its_text_only_to_moderators() -> None:
    at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    hidden = ChatMessage(
        id=7,
        author_id=3,
        author="Соколов Миша",
        author_role=Role.PUPIL,
        sent_at=at,
        body="",
        hidden=True,
        hidden_by="Иванова Ольга Сергеевна",
        hidden_at=at,
    )
    member = message_prompt(hidden, False, "today 13:00", moderator=False).plain
    assert member.splitlines() == [
        "Соколов Миша  today 13:00",
        "(hidden by Иванова Ольга Сергеевна)",
    ]
    kept = ChatMessage(
        **{**{f: getattr(hidden, f) for f in hidden.__struct_fields__}, "body": "грубость"}
    )
    moderator = message_prompt(kept, False, "today 13:00", moderator=True).plain
    assert moderator.splitlines()[1] == "грубость (hidden by Иванова Ольга Сергеевна)"
    markup = ChatMessage(
        id=8, author_id=3, author="[b]x[/b]", author_role=Role.PUPIL, sent_at=at, body=MARKUP
    )
    assert message_prompt(markup, True, "now", moderator=False).plain.splitlines() == [
        "[b]x[/b]  now",
        MARKUP,
    ]


async def test_earlier_messages_come_on_e(
    app: Litestar, demo: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    pupil = await login_as(http, "pupil")
    class_id = (await http.get(f"{API_PREFIX}/chats", headers=pupil)).json()["chats"][0]["class"][
        "id"
    ]
    for n in range(60):
        sent = await http.post(
            f"{API_PREFIX}/chats/{class_id}/messages",
            json={"body": f"сообщение {n}"},
            headers={**pupil, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert sent.status_code == 201
    diary = make_app(app, login="pupil")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_chat(pilot, diary, "pupil", demo)
        assert len(lines(screen)) == 50 and screen.more_before
        assert "e:" in str(screen.query_one("#chat-title").render())
        await pilot.press("e")
        await wait_for(pilot, lambda: len(lines(screen)) == 66)  # the demo's six and sixty
        assert not screen.more_before
        assert screen.query_one("#chat-messages", OptionList).highlighted == 0
        assert lines(screen)[-1].endswith("сообщение 59")


async def test_a_new_message_pops_up_unless_its_chat_is_open(
    app: Litestar, demo: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """The chat's group of notifications: a classmate's or teacher's message pops up, but not
    while that class's chat is on the screen (it is shown there already)."""
    diary = make_app(app, login="pupil", language="en")

    def told() -> list[str]:
        return [str(n.message) for n in diary._notifications if "Class chat" in str(n.message)]

    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_chat(pilot, diary, "pupil", demo)
        class_id = screen.class_id
        assert class_id is not None
        pupil, teacher = await login_as(http, "pupil"), await login_as(http, "teacher")

        async def teacher_writes(body: str, since: str) -> None:
            written = await http.post(
                f"{API_PREFIX}/chats/{class_id}/messages",
                json={"body": body},
                headers={**teacher, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert written.status_code == 201, written.text
            got = await http.get(f"{API_PREFIX}/changes", params={"since": since}, headers=pupil)
            diary.post_message(ChangesArrived(decode(got.content, ChangeFeed).changes))

        async def cursor() -> str:
            got = await http.get(f"{API_PREFIX}/changes", headers=pupil)
            return decode(got.content, ChangeFeed).next

        await teacher_writes("Первое", await cursor())
        await wait_for(pilot, lambda: "Первое" in "\n".join(lines(screen)))
        await pilot.pause(0.5)
        assert told() == []
        await pilot.press("escape")
        await pilot.press("w")
        await wait_for(pilot, lambda: not isinstance(diary.screen, ChatScreen))
        await teacher_writes("Второе", await cursor())
        await wait_for(pilot, lambda: bool(told()), 5)
        assert told()[0].startswith("Class chat: a message from ")


async def test_the_class_teacher_s_chat_keys_fit_80_columns_in_russian(
    app: Litestar, demo: Any
) -> None:
    """The moderator's keys (L closes or opens the chat) and the refresh key stay in the
    footer at 80x24 in Russian, whose words are longer than the English ones."""
    from tests.diary_tui.test_footer_fits import drawn_footer

    diary = make_app(app, login="classteacher", language="ru")
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_chat(pilot, diary, "classteacher", demo)
        shown = await drawn_footer(diary, pilot)
        assert {"close_chat", "hide", "reload", "write", "help"} <= shown, shown
