"""Parent meetings on the News screen, against the real server on a frozen clock (Wednesday
25 November 2026, 13:30 in Moscow): an event opens to its detail, a parent answers, the class
teacher plans a meeting with a form that keeps what was typed, past meetings keep their
minutes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from textual.widgets import Input, OptionList, Static, TextArea

from api_client.models import API_PREFIX, EventDetail, EventKind, decode
from demo_server.settings import ServerSettings
from screens.announcements import NewsScreen
from screens.announcements_meetings import EventScreen
from screens.dialogs.ask import AskText
from screens.dialogs.form import FormScreen
from tests.conftest import LoginAs, server_app, sqlite_only
from tests.diary_tui.harness import NOW, TODAY, wait_for
from tests.diary_tui.test_messages_screen import logged_in, plain, teacher_goes_to

MARKUP = "[red]Не разметка[/red]"


@pytest.fixture
def app(demo_url: str, demo: Any) -> Litestar:
    """The server with its clock stopped at the app's ``NOW``."""
    return server_app(demo_url, ServerSettings(today=lambda: TODAY, now=lambda: NOW))


def event_shown(screen: Any) -> str:
    return plain(screen.query_one("#event-text", Static))


async def open_event(pilot: Any, news: NewsScreen, option_id: str) -> EventScreen:
    option_list = news.query_one("#news", OptionList)
    option_list.focus()
    option_list.highlighted = option_list.get_option_index(option_id)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, EventScreen) and pilot.app.screen.detail is not None,
    )
    screen = pilot.app.screen
    assert isinstance(screen, EventScreen)
    return screen


@sqlite_only
async def test_a_parent_opens_a_meeting_and_answers_it(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    async with logged_in(app, demo, "parent", (100, 30)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        news = diary.screen
        assert isinstance(news, NewsScreen) and news.news is not None
        meeting = next(
            e for e in news.news.events if e.kind is EventKind.PARENT_MEETING and e.agenda
        )
        screen = await open_event(pilot, news, f"e-{meeting.id}")
        shown = event_shown(screen)
        assert meeting.title in shown and meeting.agenda[0] in shown
        assert "1. " in shown and "You have not answered yet." in shown
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskText))
        diary.screen.query_one(Input).value = MARKUP
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, EventScreen)
                and diary.screen.detail is not None
                and diary.screen.detail.answer is not None
            ),
        )
        assert "Your answer: will come" in event_shown(diary.screen)
        assert MARKUP in event_shown(diary.screen)  # the comment as typed, not markup
    answer = await http.get(
        f"{API_PREFIX}/events/{meeting.id}", headers=await login_as(http, "parent")
    )
    detail = decode(answer.content, EventDetail)
    assert detail.answer is not None and detail.answer.coming and detail.answer.comment == MARKUP


@sqlite_only
async def test_past_meetings_are_listed_apart_with_their_minutes(app: Litestar, demo: Any) -> None:
    async with logged_in(app, demo, "parent", (100, 30)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        await pilot.press("c")  # the second child, in the class teacher's class
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, NewsScreen)
                and diary.screen.news is not None
                and any(e.minutes for e in diary.screen.news.past_meetings)
            ),
        )
        news = diary.screen
        assert isinstance(news, NewsScreen) and news.news is not None
        past = news.news.past_meetings
        assert [e.starts_at for e in past] == sorted((e.starts_at for e in past), reverse=True)
        listed = "\n".join(plain(o.prompt) for o in news.query_one("#news", OptionList).options)
        assert listed.index("Upcoming events") < listed.index("Past parent meetings")
        with_minutes = next(e for e in past if e.minutes)
        screen = await open_event(pilot, news, f"p-{with_minutes.id}")
        shown = event_shown(screen)
        assert "Minutes" in shown and "␊" not in shown  # the minutes keep their lines
        assert len(with_minutes.minutes.splitlines()) > 1
        assert set(with_minutes.minutes.splitlines()) <= set(shown.splitlines())
        assert not screen.detail or not screen.detail.may_answer


@sqlite_only
async def test_the_class_teacher_plans_a_meeting_and_a_refusal_keeps_the_form(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    async with logged_in(app, demo, "classteacher", (100, 34)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        form = diary.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#form-class_id", Input).value  # their class, typed in
        form.query_one("#form-title", Input).value = "Собрание о поездке"
        form.query_one("#form-date", Input).value = "31.02.2026"
        form.query_one("#form-place", Input).value = "Кабинет 12"
        form.query_one("#form-agenda", TextArea).text = "Поездка\nДежурство"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "31.02.2026" in plain(form.query_one("#form-problem")))
        assert diary.screen is form and form.focused is form.query_one("#form-date", Input)
        assert form.query_one("#form-title", Input).value == "Собрание о поездке"
        form.query_one("#form-date", Input).value = "20.11.2026"  # a day gone by: the server
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "passed" in plain(form.query_one("#form-problem")))
        assert diary.screen is form
        form.query_one("#form-date", Input).value = "02.12.2026"
        form.query_one("#form-end_time", Input).value = "17:00"  # before it starts
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "18:00" in plain(form.query_one("#form-problem")))
        assert diary.screen is form and form.focused is form.query_one("#form-end_time", Input)
        form.query_one("#form-end_time", Input).value = "19:30"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, NewsScreen)
                and diary.screen.news is not None
                and any(e.title == "Собрание о поездке" for e in diary.screen.news.events)
            ),
        )
        news = diary.screen
        assert isinstance(news, NewsScreen) and news.news is not None
        made = next(e for e in news.news.events if e.title == "Собрание о поездке")
        assert made.agenda == ["Поездка", "Дежурство"]
        screen = await open_event(pilot, news, f"e-{made.id}")
        assert screen.detail is not None and screen.detail.may_edit
        assert "no answer:" in event_shown(screen)
        assert "18:00–19:30" in event_shown(screen)
    detail = decode(
        (
            await http.get(f"{API_PREFIX}/events/{made.id}", headers=await login_as(http, "parent"))
        ).content,
        EventDetail,
    )
    assert detail.event.place == "Кабинет 12"


def test_the_news_line_names_the_class_once() -> None:
    """``Родительское собрание 5А · 5А`` said the class twice at 80 columns, where the place
    and the minutes' mark were cut for it."""
    import datetime as dt

    from api_client.models import ClassRef, Event
    from screens.announcements import event_line

    zone = dt.timezone(dt.timedelta(hours=3))
    at = dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC)
    cls = ClassRef(id=1, name="5А", grade=5, letter="А")

    def line(title: str) -> str:
        event = Event(
            id=1,
            kind=EventKind.PARENT_MEETING,
            title=title,
            starts_at=at,
            class_=cls,
            place="Кабинет 201",
        )
        return event_line(event, 100, zone).plain

    assert line("Родительское собрание 5А").count("5А") == 1
    assert "Собрание · 5А · Кабинет 201" in line("Собрание")
