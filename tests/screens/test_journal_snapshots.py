"""Pictures of the journal at 80x24 and 120x40 over the hand-made school, frozen on
Wednesday 2026-11-25: a mark typed and saved, one waiting, an absence, the lesson panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from textual.pilot import Pilot

from screens.journal import JournalScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose_sync, log_in, make_app, wait_for


@pytest.fixture
def school_kind() -> str:
    """The generated school (seed 1): the hand-made one has no periods for a journal."""
    return "demo"


def ready(diary: Any) -> bool:
    screen = diary.screen
    return (
        isinstance(screen, JournalScreen)
        and screen.grid() is not None
        and not screen.workers
        and diary.data.store is not None
        and diary.data.store.outbox_count() == 0
    )


@sqlite_only
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_journal_screen(
    snap_compare: Callable[..., bool], app: Litestar, demo: Any, size: tuple[int, int]
) -> None:
    diary = make_app(app, login=None)
    password = next(a.password for a in demo.featured if a.login == "teacher")

    async def type_marks(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "teacher", password)
        await wait_for(pilot, lambda: ready(diary))
        await pilot.press("5", "n")
        await wait_for(pilot, lambda: ready(diary))
        await pilot.press("up")
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=size, run_before=type_marks)
    finally:
        dispose_sync(app)


@sqlite_only
def test_journal_in_russian(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    """The same journal in Russian at 80x24: a mark typed and saved, the line under the grid."""
    diary = make_app(app, login=None, language="ru")
    password = next(a.password for a in demo.featured if a.login == "teacher")

    async def type_marks(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "teacher", password)
        await wait_for(pilot, lambda: ready(diary))
        await pilot.press("5")
        await wait_for(pilot, lambda: ready(diary))
        await pilot.pause()

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=type_marks)
    finally:
        dispose_sync(app)
