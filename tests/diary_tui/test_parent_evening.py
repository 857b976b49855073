"""A parent's evening in the diary: what got in the way (issue: a day in the diary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from textual.widgets import DataTable, OptionList

from screens.grades import GradesScreen, WhatIfScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    loaded,
    log_in,
    make_app,
    password_of,
    settled,
    signed_in,
    wait_for,
    week_loaded,
)


async def open_as_parent(pilot: Any, demo: Any) -> None:
    await log_in(pilot, "parent", password_of(demo, "parent"))
    await wait_for(pilot, lambda: signed_in(pilot.app))


def marks_cell(table: DataTable[Any], row: int) -> str:
    value = table.get_row_at(row)[1]
    return str(getattr(value, "plain", value))


@sqlite_only
async def test_a_what_if_mark_stays_in_the_period_it_was_added_to(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("grades")
        await wait_for(pilot, lambda: loaded(diary, GradesScreen, "value"))
        screen = diary.screen
        assert isinstance(screen, GradesScreen) and screen.value is not None
        quarter = screen.value.period
        assert quarter is not None
        table = screen.query_one(DataTable)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, WhatIfScreen))
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: diary.screen is screen)
        assert "5?" in marks_cell(table, 0)
        # Every other period and the year: no trace of it.
        for _ in range(len(screen.value.periods)):
            await pilot.press("right_square_bracket")
            await wait_for(
                pilot,
                lambda: (
                    settled(screen) and screen.value is not None and screen.value.period != quarter
                ),
            )
            assert all("?" not in marks_cell(table, r) for r in range(table.row_count))
        # Back in its quarter, it is there.
        while screen.value is None or screen.value.period != quarter:
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: settled(screen))
        await wait_for(pilot, lambda: table.row_count > 0 and "5?" in marks_cell(table, 0))
        subject = screen.value.subjects[0].subject.id
        assert screen.whatif(subject) == [(5, 1)]
        assert screen.whatif(subject, "year") == []


@sqlite_only
async def test_home_shows_monday_s_heading_and_up_does_not_wrap(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        lessons = diary.screen.query_one(OptionList)
        await pilot.press("end")
        await pilot.pause(0.2)
        last = lessons.highlighted
        await pilot.press("down")
        assert lessons.highlighted == last  # no wrap to Monday either
        await pilot.press("home")
        await pilot.pause(0.2)
        first = lessons.highlighted
        assert first is not None
        assert str(lessons.options[first].id).startswith("lesson-")
        assert lessons.scroll_y == 0  # Monday's heading is in view
        assert lessons.options[0].id == f"day-{MONDAY.isoformat()}"
        await pilot.press("up")
        await pilot.pause(0.1)
        assert lessons.highlighted == first  # not Friday's last lesson
        assert lessons.scroll_y == 0


@sqlite_only
async def test_grades_honour_home_and_end(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("grades")
        await wait_for(pilot, lambda: loaded(diary, GradesScreen, "value"))
        table = diary.screen.query_one(DataTable)
        assert table.row_count > 3
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


@sqlite_only
async def test_settings_time_boxes_pass_the_screen_keys_on(app: Litestar, demo: Any) -> None:
    from textual.widgets import Input, Static

    from screens.settings import SettingsScreen
    from screens.week import WeekScreen

    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("settings")
        await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
        screen = diary.screen
        await wait_for(pilot, lambda: bool(screen.query("#quiet-from")))
        await pilot.pause(0.2)
        box = screen.query_one("#quiet-from", Input)
        box.focus()
        await pilot.press("2", "2", ":", "0", "0")
        assert box.value == "22:00"
        # Only one of the two times: the note names the boxes as the screen labels them.
        await pilot.press("ctrl+s")
        note = screen.query_one("#settings-note", Static).visual
        text = str(getattr(note, "plain", note))
        assert "“Quiet from”" in text and "“to”" in text and "quiet_to" not in text
        assert screen.focused is screen.query_one("#quiet-to", Input)
        # A letter is not a time: it is the screen's key (w: the week), not swallowed.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))


@sqlite_only
async def test_a_week_to_come_offers_no_signing(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        screen = diary.screen
        assert "s" in screen.active_bindings  # this week: s signs
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
        assert "s" not in screen.active_bindings
        await pilot.press("s")
        await pilot.pause(0.2)
        assert diary.screen is screen  # no question asked
