"""The bells screen and the week's day headings over the real server in-process, on the frozen
day (Wednesday 25 November 2026): the administration gave this Friday a shortened day and
added Saturday's schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from litestar import Litestar
from textual.widgets import OptionList, Static

from api_client import i18n
from screens.bells import BellsScreen
from screens.week import WeekScreen
from tests.conftest import LoginAs, sqlite_only
from tests.demo_server.test_bells import shortened_friday_and_saturday
from tests.diary_tui.harness import log_in, make_app, password_of, wait_for, week_loaded


def lines(screen: Any, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(getattr(o.prompt, "plain", o.prompt)) for o in listing.options]


@sqlite_only
async def test_a_parent_sees_the_bells_and_the_shortened_day_in_the_week(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    await shortened_friday_and_saturday(http, login_as)
    diary = make_app(app, language="ru")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary))
        week = diary.screen
        assert isinstance(week, WeekScreen)
        headings = [t for t in lines(week, "OptionList") if "ноября" in t]
        friday = next(t for t in headings if t.startswith("Пятница"))
        assert "сокращённый день (Сокращённый день, 08:30–14:00)" in friday
        assert all("сокращ" not in t for t in headings if not t.startswith("Пятница"))
        await pilot.press("Z")
        await wait_for(
            pilot, lambda: isinstance(diary.screen, BellsScreen) and diary.screen.bells is not None
        )
        screen = diary.screen
        await wait_for(pilot, lambda: not any(w.is_running for w in screen.workers))
        text = lines(screen, "#bells-list")
        friday_label, saturday_label = (i18n.day_label(dt.date(2026, 11, d)) for d in (27, 28))
        friday_line = next(t for t in text if t.strip().startswith(friday_label))
        assert "Сокращённый день" in friday_line and "сокращённый день" in friday_line
        saturday_line = next(t for t in text if t.strip().startswith(saturday_label))
        assert "Суббота" in saturday_line and "сокращ" not in saturday_line
        assert any("урок 1" in t and "09:00–09:40" in t for t in text)
        title = str(screen.query_one("#bells-title", Static).visual)
        assert "Europe/" in title or "Asia/" in title


@sqlite_only
@pytest.mark.parametrize(("language", "day_off"), [("ru", "выходной"), ("en", "day off")])
async def test_a_day_no_schedule_holds_is_a_day_off_at_80x24(
    app: Litestar, demo: Any, language: str, day_off: str
) -> None:
    """The demo's normal schedule holds Monday to Friday (its own line says so): Saturday is
    the school's day off, said so, not listed under the normal schedule."""
    diary = make_app(app, language=language)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary))
        await pilot.press("Z")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, BellsScreen) and diary.screen.bells is not None,
        )
        screen = diary.screen
        await wait_for(pilot, lambda: not any(w.is_running for w in screen.workers))
        text = lines(screen, "#bells-list")
        label = i18n.day_label(dt.date(2026, 11, 28))
        saturday = next(t for t in text if t.strip().startswith(label))
        friday = next(
            t for t in text if t.strip().startswith(i18n.day_label(dt.date(2026, 11, 27)))
        )
        assert day_off in saturday, saturday
        assert day_off not in friday, friday
        assert "08:" not in saturday  # no schedule's times
        assert screen.active_bindings["f5"].binding.description == (
            "Обновить" if language == "ru" else "Refresh"
        )  # the key that refreshes every screen (Bells had r)
