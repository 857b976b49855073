"""Pictures of Messages, a thread and News at 80x24, frozen on Wednesday 2026-11-25."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from textual.pilot import Pilot

from screens.announcements import NewsScreen
from screens.messages import MessagesScreen, ThreadScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose_sync, loaded, log_in, make_app, password_of, wait_for


@pytest.fixture
def school_kind() -> str:
    """The generated school: its featured parent has threads, announcements and meetings."""
    return "demo"


@sqlite_only
@pytest.mark.parametrize("view", ["messages", "thread", "news"])
def test_family_screens(
    snap_compare: Callable[..., bool], app: Litestar, demo: Any, view: str
) -> None:
    diary = make_app(app)

    async def open_view(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        if view == "news":
            await pilot.press("b")
            await wait_for(pilot, lambda: loaded(diary, NewsScreen, "news"))
        else:
            await pilot.press("m")
            await wait_for(pilot, lambda: loaded(diary, MessagesScreen, "threads"))
            if view == "thread":
                await pilot.press("enter")
                await wait_for(pilot, lambda: loaded(diary, ThreadScreen, "thread"))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=open_view)
    finally:
        dispose_sync(app)
