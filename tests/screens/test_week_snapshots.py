"""Pictures of the week screen at 80x24 and 120x40, frozen on Wednesday 2026-11-25."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from textual.pilot import Pilot
from textual.widgets import OptionList

from screens.week import WeekScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import MONDAY, dispose_sync, log_in, make_app, wait_for, week_loaded


def title(diary: Any) -> str:
    """The navigation bar (with whose week it is) and the week's title line."""
    bar = diary.screen.query_one("NavBar").visual.plain
    return f"{bar}\n{diary.screen.query_one('#week-title').visual.plain}"


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


@sqlite_only
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_week_screen(
    snap_compare: Callable[..., bool], app: Litestar, demo: Any, size: tuple[int, int]
) -> None:
    """The second child's week has a substitution with a room change, a cancellation,
    homework, marks (one weighted, one corrected), an absence, events and a holiday."""
    diary = make_app(app)

    async def open_week(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        await pilot.press("c")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY) and "2/2" in title(diary))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=size, run_before=open_week)
    finally:
        dispose_sync(app)


@sqlite_only
def test_first_child_next_week(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    import datetime as dt

    diary = make_app(app)

    async def open_week(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=open_week)
    finally:
        dispose_sync(app)


@sqlite_only
def test_week_in_russian(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    """The second child's week in Russian at 80 columns (reached with с, c on ЙЦУКЕН): days
    in their case, the substitution, cancellation and room change in words, marks, homework
    with its day, events and the holiday."""
    diary = make_app(app, language="ru")

    async def open_week(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        await pilot.press("с")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY) and "2/2" in title(diary))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=open_week)
    finally:
        dispose_sync(app)


@sqlite_only
def test_lesson_detail_in_russian(
    snap_compare: Callable[..., bool], app: Litestar, demo: Any
) -> None:
    """A substituted lesson in full, in Russian: the teachers, the room, what changed and
    why, the topic and homework with its day."""
    diary = make_app(app, language="ru")

    async def open_lesson(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        await pilot.press("с")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY) and "2/2" in title(diary))
        screen = diary.screen
        assert isinstance(screen, WeekScreen) and screen.week is not None
        week = screen.week
        changed = next(lesson for lesson in week.lessons if lesson.original_teacher)
        lessons = diary.screen.query_one("#lessons", OptionList)
        lessons.highlighted = lessons.get_option_index(f"lesson-{changed.id}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(diary.screen).__name__ == "DetailScreen")
        await pilot.pause(0.3)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=open_lesson)
    finally:
        dispose_sync(app)
