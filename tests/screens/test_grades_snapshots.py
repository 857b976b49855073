"""Pictures of the grades screen at 80x24, frozen on Wednesday 2026-11-25 (generated school)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from textual.pilot import Pilot
from textual.widgets import DataTable

from screens.grades import GradesScreen, SubjectDetailScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose_sync, log_in, make_app, wait_for


@pytest.fixture
def school_kind() -> str:
    return "demo"


def grades_loaded(diary: Any) -> bool:
    screen = diary.screen
    return (
        isinstance(screen, GradesScreen)
        and screen.value is not None
        and not any(w.group == "load" for w in screen.workers)
    )


async def open_grades(pilot: Pilot[Any], diary: Any, demo: Any, key: str = "g") -> None:
    await log_in(pilot, "parent", demo.password)
    await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
    await pilot.press(key)
    await wait_for(pilot, lambda: grades_loaded(diary))
    await pilot.pause()


@sqlite_only
def test_grades_table(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app)

    async def run(pilot: Pilot[Any]) -> None:
        await open_grades(pilot, diary, demo)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)


@sqlite_only
def test_grades_in_russian(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    """The grades in Russian at 80 columns, reached with п (g on ЙЦУКЕН): the columns, the
    averages with a decimal comma, the period's days, the rule."""
    diary = make_app(app, language="ru")

    async def run(pilot: Pilot[Any]) -> None:
        await open_grades(pilot, diary, demo, key="п")

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)


@sqlite_only
@pytest.mark.parametrize("language", ["en", "ru"])
def test_subject_with_a_what_if_mark(
    snap_compare: Callable[..., bool], app: Litestar, demo: Any, language: str
) -> None:
    diary = make_app(app, language=language)

    async def run(pilot: Pilot[Any]) -> None:
        await open_grades(pilot, diary, demo)
        screen = diary.screen
        assert isinstance(screen, GradesScreen) and screen.value is not None
        assert screen.shown_pupil is not None
        subjects = screen.value.subjects
        row = max(range(len(subjects)), key=lambda i: len(subjects[i].marks))
        subject = subjects[row]
        diary.data.set_hypothetical_marks(
            screen.shown_pupil, subject.subject.id, [(5, 2)], screen.shown_period()
        )
        screen.query_one(DataTable).move_cursor(row=row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, SubjectDetailScreen))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)
