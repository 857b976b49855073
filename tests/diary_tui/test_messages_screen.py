"""Messages, News and signing the week against the real server in-process (generated school)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TextArea

from api_client.i18n import using
from api_client.models import (
    API_PREFIX,
    Announcements,
    Me,
    Participant,
    Role,
    Thread,
    Threads,
    Week,
    decode,
)
from demo_server import schema as s
from demo_server.db import make_engine, make_sessionmaker
from diary_tui.app import DiaryApp
from screens.announcements import NewsScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.messages import ComposeScreen, MessagesScreen, ThreadScreen, people
from screens.week import WeekScreen
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    loaded,
    log_in,
    make_app,
    password_of,
    wait_for,
    week_loaded,
)

MARKUP = "Спасибо! [red]x[/] и [/] — просто текст"


def plain(widget: Any) -> str:
    visual = widget.visual if hasattr(widget, "visual") else widget
    return str(getattr(visual, "plain", visual))


def options_text(screen: Any, selector: str) -> str:
    return "\n".join(plain(o.prompt) for o in screen.query_one(selector, OptionList).options)


def idle(screen: Any, *groups: str) -> bool:
    return not any(w.group in groups and w.is_running for w in screen.workers)


async def server_threads(http: httpx.AsyncClient, headers: dict[str, str]) -> Threads:
    return decode((await http.get(f"{API_PREFIX}/threads", headers=headers)).content, Threads)


async def parent_me(http: httpx.AsyncClient, login_as: LoginAs) -> tuple[dict[str, str], Me]:
    """The featured parent's headers and who the server says they are."""
    headers = await login_as(http, "parent")
    return headers, decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)


@asynccontextmanager
async def logged_in(
    app: Litestar, demo: Any, login: str = "parent", size: tuple[int, int] = (100, 30)
) -> AsyncIterator[tuple[DiaryApp, Pilot[Any]]]:
    """The app, logged in as the featured ``login`` (its home screen may still be on the way)."""
    diary = make_app(app, login=login)
    async with diary.run_test(size=size) as pilot:
        await log_in(pilot, login, password_of(demo, login))
        yield diary, pilot


def thread_listed(app: DiaryApp, subject: str) -> bool:
    """Messages is shown and lists a thread on ``subject``."""
    screen = app.screen
    return (
        isinstance(screen, MessagesScreen)
        and screen.threads is not None
        and any(t.subject == subject for t in screen.threads.threads)
    )


async def open_with(pilot: Pilot[Any], key: str, screen_type: type[Any], attribute: str) -> None:
    """Press ``key``; wait for ``screen_type`` with ``attribute`` loaded and its workers done."""
    app = pilot.app
    await pilot.press(key)
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, screen_type)
            and getattr(app.screen, attribute) is not None
            and idle(app.screen, attribute)
        ),
    )


async def teacher_goes_to(
    pilot: Pilot[Any], diary: DiaryApp, name: str, screen_type: type[Any], attribute: str
) -> None:
    """Once the teacher is in, go to screen ``name`` and wait for its ``attribute`` to load."""
    await wait_for(pilot, lambda: diary.screen.__class__.__name__ != "LoginScreen")
    await pilot.pause()
    diary.go(name)
    await wait_for(
        pilot,
        lambda: (
            isinstance(diary.screen, screen_type) and getattr(diary.screen, attribute) is not None
        ),
    )


@sqlite_only
async def test_parent_reads_and_replies_in_a_thread(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers, me = await parent_me(http, login_as)
    first = me.children[0]
    before = await server_threads(http, headers)
    mine = [t for t in before.threads if t.pupil is not None and t.pupil.id == first.id]
    assert mine, "the featured parent has threads about the first child"
    async with logged_in(app, demo) as (diary, pilot):
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        await open_with(pilot, "m", MessagesScreen, "threads")
        screen = diary.screen
        assert isinstance(screen, MessagesScreen)
        listed = options_text(screen, "#threads")
        for thread in mine:
            assert " ".join(thread.subject.split())[:20] in listed
        assert f"about {first.first_name}" in listed
        unread = [t for t in mine if t.unread]
        if unread:
            assert "●" in listed and f"{unread[0].unread} new" in listed
        # Open the first thread: its messages show, and it is read on the server.
        target = mine[0]
        screen.query_one(OptionList).highlighted = 0
        await open_with(pilot, "enter", ThreadScreen, "thread")
        thread_screen = diary.screen
        assert isinstance(thread_screen, ThreadScreen)
        bodies = [plain(w) for w in thread_screen.query(".message")]
        assert thread_screen.thread is not None
        assert bodies == [m.body for m in thread_screen.thread.messages]
        after = await server_threads(http, headers)
        assert next(t for t in after.threads if t.id == target.id).unread == 0

        # Reply: Escape with text asks first; "n" keeps the editor.
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        diary.screen.query_one(TextArea).text = MARKUP
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, ThreadScreen)
                and diary.screen.thread is not None
                and diary.screen.thread.messages[-1].body == MARKUP
            ),
        )
        await pilot.pause()
        shown = [plain(w) for w in diary.screen.query(".message")]
        assert shown[-1] == MARKUP  # plain text: the brackets are not markup
        stored = decode(
            (await http.get(f"{API_PREFIX}/threads/{target.id}", headers=headers)).content, Thread
        )
        assert stored.messages[-1].body == MARKUP
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, MessagesScreen))


@sqlite_only
async def test_parent_starts_a_thread_and_the_teacher_sees_it(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers, me = await parent_me(http, login_as)
    async with logged_in(app, demo) as (diary, pilot):
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(diary.screen, MessagesScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        compose = diary.screen
        recipients = compose.query_one("#compose-recipients", OptionList)
        assert recipients.option_count >= 2
        assert "class teacher" in plain(recipients.get_option_at_index(0).prompt)
        # Escape with nothing typed closes at once.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, MessagesScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        compose = diary.screen
        await pilot.press("enter")  # the class teacher
        subject = compose.query_one("#compose-subject", Input)
        assert subject.has_focus
        subject.value = "Экскурсия"
        await pilot.press("enter")
        compose.query_one(TextArea).text = "Можно ли поехать?"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: thread_listed(diary, "Экскурсия"))
    threads = await server_threads(http, headers)
    new = next(t for t in threads.threads if t.subject == "Экскурсия")
    assert new.pupil is not None and new.pupil.id == me.children[0].id
    (teacher,) = new.participants
    assert teacher.role.value == "teacher"


@sqlite_only
async def test_news_marks_read_on_open(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers, me = await parent_me(http, login_as)
    first = me.children[0]
    url = f"{API_PREFIX}/announcements"
    before = decode(
        (await http.get(url, params={"pupil_id": first.id}, headers=headers)).content,
        Announcements,
    )
    assert before.unread > 0 and before.events
    async with logged_in(app, demo) as (diary, pilot):
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        await open_with(pilot, "b", NewsScreen, "news")
        screen = diary.screen
        assert isinstance(screen, NewsScreen)
        text = options_text(screen, "#news")
        assert "Upcoming events" in text
        assert f"{before.unread} unread" in plain(screen.query_one("#news-title", Static))
        for item in before.announcements:
            assert " ".join(item.title.split())[:20] in text
        first_unread = next(i for i, a in enumerate(before.announcements) if not a.read)
        screen.query_one(OptionList).highlighted = first_unread
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, DetailScreen) and diary.screen.name == "announcement",
        )
        body = plain(diary.screen.query_one("#announcement-text", Static))
        assert before.announcements[first_unread].body in body
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, NewsScreen)
                and diary.screen.news is not None
                and diary.screen.news.unread == before.unread - 1
            ),
        )
    after = decode(
        (await http.get(url, params={"pupil_id": first.id}, headers=headers)).content,
        Announcements,
    )
    assert after.unread == before.unread - 1
    assert after.announcements[first_unread].read


@sqlite_only
async def test_parent_signs_the_week_and_sees_what_changed(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs, demo_url: str
) -> None:
    headers, me = await parent_me(http, login_as)
    first = me.children[0]
    async with logged_in(app, demo) as (diary, pilot):
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        screen = diary.screen
        assert isinstance(screen, WeekScreen)
        title = screen.query_one("#week-title", Static)
        assert "signed" not in plain(title)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "✓ signed" in plain(title))
        assert "Соколова" in plain(title) or me.last_name in plain(title)
        week = decode(
            (
                await http.get(
                    f"{API_PREFIX}/pupils/{first.id}/week",
                    params={"date": MONDAY.isoformat()},
                    headers=headers,
                )
            ).content,
            Week,
        )
        assert week.signed is not None and week.signed.changed == []
        marked = [lesson for lesson in week.lessons if lesson.marks]
        assert marked, "the frozen week has marks"
        mark = marked[0].marks[0]
        new_value = 2 if mark.value != 2 else 3
        engine = make_engine(demo_url)
        try:
            async with make_sessionmaker(engine)() as db, db.begin():
                await db.execute(update(s.Mark).where(s.Mark.id == mark.id).values(value=new_value))
        finally:
            await engine.dispose()
        await pilot.press("f5")
        await wait_for(pilot, lambda: "changed since signed" in plain(title))
        await pilot.press("v")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, DetailScreen) and diary.screen.name == "signature",
        )
        text = plain(diary.screen.query_one("#signature-text", Static))
        assert f"Mark {mark.value} in {marked[0].subject.name}" in text
        assert f"changed to {new_value}" in text
        # The other child's week is not signed: the title says nothing of the first one's.
        await pilot.press("escape")
        await pilot.press("c")
        await wait_for(
            pilot,
            lambda: (
                week_loaded(diary, MONDAY)
                and screen.week is not None
                and screen.week.pupil.id == me.children[1].id
            ),
        )
        assert "signed" not in plain(title)


@sqlite_only
async def test_a_pupil_sees_no_parents_threads_and_cannot_sign(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    async with logged_in(app, demo, "pupil") as (diary, pilot):
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert not diary.screen.check_action("sign", ())
        await open_with(pilot, "m", MessagesScreen, "threads")
        screen = diary.screen
        assert isinstance(screen, MessagesScreen)
        threads = await server_threads(http, await login_as(http, "pupil"))
        if not threads.threads:
            assert "No messages yet" in options_text(screen, "#threads")
        parent_threads = await server_threads(http, await login_as(http, "parent"))
        listed = options_text(screen, "#threads")
        for thread in parent_threads.threads:
            assert f"thread-{thread.id}" not in {o.id for o in screen.query_one(OptionList).options}
        assert "parent" not in listed


@sqlite_only
async def test_a_teacher_writes_to_a_pupils_parent(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    from screens.messages import PupilPickerScreen

    async with logged_in(app, demo, "teacher") as (diary, pilot):
        await teacher_goes_to(pilot, diary, "messages", MessagesScreen, "threads")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, PupilPickerScreen))
        picker = diary.screen
        await pilot.press("enter")  # the first class and subject taught
        await wait_for(
            pilot,
            lambda: (
                (option := picker.query_one(OptionList).get_option_at_index(0)).id is not None
                and option.id.startswith("pupil-")
            ),
        )
        first_pupil = picker.query_one(OptionList).get_option_at_index(0).id
        assert first_pupil is not None
        pupil_id = int(first_pupil.removeprefix("pupil-"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        compose = diary.screen
        parents = compose.query_one("#compose-recipients", OptionList)
        assert parents.option_count >= 1
        await pilot.press("enter")
        compose.query_one("#compose-subject", Input).value = "Приглашение"
        await pilot.press("enter")
        compose.query_one(TextArea).text = "Прошу зайти в школу."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: thread_listed(diary, "Приглашение"))
    threads = await server_threads(http, await login_as(http, "teacher"))
    new = next(t for t in threads.threads if t.subject == "Приглашение")
    assert new.pupil is not None and new.pupil.id == pupil_id
    assert [p.role.value for p in new.participants] == ["parent"]


@sqlite_only
async def test_a_long_message_wraps_and_scrolls(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    from textual.containers import VerticalScroll

    headers, me = await parent_me(http, login_as)
    first = me.children[0]
    recipients = (
        await http.get(f"{API_PREFIX}/pupils/{first.id}/recipients", headers=headers)
    ).json()["recipients"]
    words = " ".join(f"слово{n}" for n in range(600))  # one paragraph, ~5,000 characters
    response = await http.post(
        f"{API_PREFIX}/threads",
        json={
            "recipient_id": recipients[0]["id"],
            "pupil_id": first.id,
            "subject": "Длинное письмо",
            "body": words + "\n\n[/] конец",
        },
        headers={**headers, "Idempotency-Key": "long-message-0001"},
    )
    assert response.status_code == 201, response.text
    thread_id = decode(response.content, Thread).id
    async with logged_in(app, demo, size=(80, 24)) as (diary, pilot):
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        await pilot.press("m")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, MessagesScreen)
                and diary.screen.threads is not None
                and any(t.id == thread_id for t in diary.screen.threads.threads)
            ),
        )
        option_list = diary.screen.query_one(OptionList)
        option_list.highlighted = option_list.get_option_index(f"thread-{thread_id}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: loaded(diary, ThreadScreen, "thread"))
        await pilot.pause(0.2)
        screen = diary.screen
        (message,) = screen.query(".message")
        assert message.size.height > 20  # wrapped to the width, not cut
        assert message.size.width <= 80
        assert plain(message).endswith("[/] конец")
        box = screen.query_one("#thread-messages", VerticalScroll)
        assert box.max_scroll_y > 0
        assert box.scroll_y == box.max_scroll_y  # opened at the newest message
        await pilot.press("home")
        await wait_for(pilot, lambda: box.scroll_y == 0)


@sqlite_only
async def test_a_teacher_posts_a_class_announcement(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    from screens.announcements import PostScreen

    async with logged_in(app, demo, "teacher", (80, 24)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, PostScreen))
        post = diary.screen
        targets = post.query_one(OptionList)
        first_target = plain(targets.get_option_at_index(0).prompt)
        assert first_target.startswith("Class ")  # a teacher cannot post to the whole school
        post.query_one("#post-title", Input).value = "Контрольная"
        post.query_one(TextArea).text = "В пятницу контрольная работа."
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, NewsScreen)
                and diary.screen.news is not None
                and any(a.title == "Контрольная" for a in diary.screen.news.announcements)
            ),
        )
        screen = diary.screen
        assert "Контрольная" in options_text(screen, "#news")
    news = decode(
        (
            await http.get(f"{API_PREFIX}/announcements", headers=await login_as(http, "teacher"))
        ).content,
        Announcements,
    )
    posted = next(a for a in news.announcements if a.title == "Контрольная")
    assert posted.class_ is not None and first_target == f"Class {posted.class_.name}"


def test_people_name_roles_in_the_language_in_force() -> None:
    """A participant without a title is said by their role, in the interface's language (the
    names of api_client.names, not English words of the screen's own)."""
    who = [
        Participant(id=1, name="Петрова Анна", role=Role.TEACHER, title="классный руководитель"),
        Participant(id=2, name="Смирнов  Олег", role=Role.PARENT),
        Participant(id=3, name="Орлова Вера", role=Role.HEALTH_WORKER),
    ]
    with using("ru"):
        assert people(who) == (
            "Петрова Анна (классный руководитель), Смирнов Олег (родитель), "
            "Орлова Вера (медработник)"
        )
    with using("en"):
        assert people(who[1:2]) == "Смирнов Олег (parent)"
