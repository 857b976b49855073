"""Pictures of the homework screen at 80x24, frozen on Wednesday 2026-11-25 (hand-made school:
homework due today with an attachment and a done tick)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from textual.pilot import Pilot

from screens.homework import HomeworkScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose_sync, log_in, make_app, wait_for


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


@sqlite_only
def test_homework_of_a_pupil(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app, login="pupil")

    async def run(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "pupil", password_of(demo, "pupil"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        await pilot.press("o")

        def loaded() -> bool:
            screen = diary.screen
            return (
                isinstance(screen, HomeworkScreen)
                and screen.value is not None
                and not any(w.group == "load" for w in screen.workers)
            )

        await wait_for(pilot, loaded)
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=run)
    finally:
        dispose_sync(app)
