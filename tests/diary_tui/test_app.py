"""The app against the real server in-process: log in, read the week, move, switch child."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from textual.widgets import OptionList, Static

from api_client.models import API_PREFIX, Me, Week, decode
from screens.dialogs.detail import DetailScreen
from screens.login import LoginScreen
from screens.week import WeekScreen
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    dispose,
    log_in,
    make_app,
    screen_text,
    wait_for,
    week_loaded,
)


async def expected(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[Me, list[Week]]:
    """What the server says the parent's children's frozen weeks hold."""
    me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
    weeks = []
    for child in me.children:
        response = await http.get(
            f"{API_PREFIX}/pupils/{child.id}/week",
            params={"date": MONDAY.isoformat()},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        weeks.append(decode(response.content, Week))
    return me, weeks


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


@sqlite_only
async def test_parent_logs_in_reads_the_week_and_switches_child(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    me, weeks = await expected(http, await login_as(http, "parent"))
    assert len(me.children) >= 2, "the featured parent has two children"
    assert all(week.lessons for week in weeks), "the frozen weeks have lessons"
    diary = make_app(app)
    async with diary.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        text = screen_text(diary)
        first = me.children[0]
        assert first.first_name in text and first.last_name in text
        assert first.class_ is not None and first.class_.name in text
        for lesson in weeks[0].lessons:
            assert lesson.subject.name[:15] in text

        screen = diary.screen
        assert isinstance(screen, WeekScreen)
        await pilot.press("c")
        second = me.children[1]
        await wait_for(
            pilot,
            lambda: (
                week_loaded(diary) and screen.week is not None and screen.week.pupil.id == second.id
            ),
        )
        text = screen_text(diary)
        assert second.first_name in text and second.last_name in text
        assert screen.week is not None
        assert [lesson.id for lesson in screen.week.lessons] == [
            lesson.id for lesson in weeks[1].lessons
        ]
        # Enter on a lesson shows it in full.
        screen.query_one(OptionList).focus()
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, DetailScreen) and diary.screen.name == "lesson-detail",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
    await dispose(app)


@sqlite_only
async def test_brackets_move_a_week_and_t_comes_back(app: Litestar, demo: Any) -> None:
    import datetime as dt

    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert "23–29 Nov 2026" in screen_text(diary)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
        text = screen_text(diary)
        assert "30 Nov – 6 Dec 2026" in text
        assert "Monday 30 November" in text
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY - dt.timedelta(days=7)))
        assert "16–22 Nov 2026" in screen_text(diary)
        await pilot.press("t")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert "this week" in screen_text(diary)
    await dispose(app)


@sqlite_only
async def test_wrong_password_is_said_in_plain_words(app: Litestar) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", "not the password")
        screen = diary.screen
        error = screen.query_one("#login-error", Static)

        def message() -> str:
            return str(getattr(error.visual, "plain", ""))

        await wait_for(pilot, lambda: bool(message()) and "Logging in" not in message())
        assert isinstance(diary.screen, LoginScreen)
        assert "password" in message().lower()
        assert diary.data.client is None
    await dispose(app)


async def test_unreachable_server_is_said_in_plain_words() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    diary = make_app(None, transport=httpx.MockTransport(refuse))
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", "secret")
        error = diary.screen.query_one("#login-error", Static)

        def message() -> str:
            return str(getattr(error.visual, "plain", ""))

        await wait_for(pilot, lambda: "reach" in message())
        assert "Cannot reach the server at http://diary.test" in message()
        assert diary.data.state.online is False


HOMES = {
    "parent": "week",
    "pupil": "week",
    "teacher": "journal",
    "classteacher": "journal",
    "admin": "stats",
    "it": "users",
    "nurse": "medical",
    "authority": "stats",
}


@sqlite_only
@pytest.mark.parametrize(("login", "home"), sorted(HOMES.items()))
async def test_each_role_opens_on_its_own_home_screen(
    app: Litestar, demo: Any, login: str, home: str
) -> None:
    diary = make_app(app, login=login)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, login, password_of(demo, login))
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == home)
    await dispose(app)


@sqlite_only
async def test_an_answer_for_a_week_no_longer_shown_is_dropped(app: Litestar, demo: Any) -> None:
    """The week is a ChildScreen: the week's Monday is part of the key of every answer, so a
    late answer about the week the user moved away from never paints over the one shown."""
    import datetime as dt

    from screens.base import ChildScreen

    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        screen = diary.screen
        assert isinstance(screen, WeekScreen) and issubclass(WeekScreen, ChildScreen)
        this_week = screen.week
        assert this_week is not None and screen.child is not None
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
        screen.post_message(screen.Loaded(screen.child.id, MONDAY, this_week))  # late
        await pilot.pause(0.2)
        assert screen.week is not None and screen.week.start == MONDAY + dt.timedelta(days=7)
        assert "30 Nov – 6 Dec 2026" in screen_text(diary)
        assert "Monday 30 November" in screen_text(diary)
    await dispose(app)
