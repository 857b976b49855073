"""Pictures of the attendance screen at 80x24, frozen on Wednesday 2026-11-25 (hand-made
school: one lateness of 10 minutes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from textual.pilot import Pilot
from textual.widgets import Input

from screens.attendance import AttendanceScreen, NoticeScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose_sync, log_in, make_app, wait_for


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


async def open_attendance(pilot: Pilot[Any], diary: Any, demo: Any) -> None:
    await log_in(pilot, "parent", password_of(demo, "parent"))
    await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
    await pilot.press("a")

    def loaded() -> bool:
        screen = diary.screen
        return (
            isinstance(screen, AttendanceScreen)
            and screen.value is not None
            and not any(w.group == "load" for w in screen.workers)
        )

    await wait_for(pilot, loaded)
    await pilot.pause()


async def open_second_child(pilot: Pilot[Any], diary: Any, demo: Any) -> None:
    """The second child of the parent: late for a lesson by 10 minutes."""
    await open_attendance(pilot, diary, demo)
    await pilot.press("c")

    def loaded() -> bool:
        screen = diary.screen
        return (
            isinstance(screen, AttendanceScreen)
            and screen.value is not None
            and screen.value.pupil.id == demo.ids["pupil"]
            and not any(w.group == "load" for w in screen.workers)
        )

    await wait_for(pilot, loaded)
    await pilot.pause()


@sqlite_only
def test_attendance_of_a_child(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app)

    async def run(pilot: Pilot[Any]) -> None:
        await open_second_child(pilot, diary, demo)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)


@sqlite_only
def test_absence_notice_form(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app)

    async def run(pilot: Pilot[Any]) -> None:
        await open_attendance(pilot, diary, demo)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, NoticeScreen))
        for field in diary.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)
