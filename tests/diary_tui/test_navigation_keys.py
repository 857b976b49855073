"""No key means two things on one screen: every screen a role can open is visited, and each
key the navigation bar offers there is the key that goes to that screen (the journal's ``b``
marks a pupil ill, so the journal's bar does not offer the news under ``b``)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from litestar import Litestar

from diary_tui.app import DiaryApp
from diary_tui.navigation import destinations_for
from diary_tui.widgets import NavBar
from screens.base import DiaryScreen
from screens.journal import JournalScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    leave_text_box,
    log_in,
    make_app,
    open_screen,
    password_of,
    settled,
    signed_in,
    wait_for,
)


def arrived(app: DiaryApp, name: str) -> bool:
    screen = app.screen
    return isinstance(screen, DiaryScreen) and name == screen.NAME and settled(screen)


def _has_grid(screen: JournalScreen) -> bool:
    return screen.grid() is not None


def clashes(screen: DiaryScreen) -> list[str]:
    """The bar's keys on ``screen`` that do something else there."""
    found = []
    bar = screen.query_one(NavBar)
    shown, *_rest = bar._state
    active = screen.active_bindings
    for destination in shown:
        if not destination.key:
            continue
        binding = active.get(destination.key)
        if destination.name == screen.NAME:
            if binding is not None and binding.binding.id != f"nav.{destination.name}":
                found.append(f"{destination.key}: here {binding.binding.action}")
            continue
        if binding is None or binding.binding.id != f"nav.{destination.name}":
            what = binding.binding.action if binding is not None else "nothing"
            found.append(f"{destination.key}: {destination.name} on the bar, {what} here")
    return found


@sqlite_only
@pytest.mark.parametrize("login", ["parent", "teacher", "classteacher", "admin", "it", "nurse"])
async def test_every_key_on_the_bar_goes_where_the_bar_says(
    app: Litestar, demo: Any, login: str
) -> None:
    diary = make_app(app, login=login)
    found: dict[str, list[str]] = {}
    async with diary.run_test(size=(120, 30)) as pilot:
        await log_in(pilot, login, password_of(demo, login))
        await wait_for(pilot, lambda: signed_in(diary))
        for destination in destinations_for(diary.data.me, diary.available_screens()):
            # My class asks the administration which class first: the first one.
            await open_screen(pilot, destination.name)
            await wait_for(pilot, partial(arrived, diary, destination.name))
            screen = diary.screen
            assert isinstance(screen, DiaryScreen)
            if isinstance(screen, JournalScreen):
                await wait_for(pilot, partial(_has_grid, screen))
            await leave_text_box(pilot, screen)
            if clash := clashes(screen):
                found[destination.name] = clash
    assert found == {}


@sqlite_only
async def test_the_journal_bar_leaves_out_the_keys_the_grid_uses(app: Litestar, demo: Any) -> None:
    diary = make_app(app, login="admin")
    async with diary.run_test(size=(120, 30)) as pilot:
        await log_in(pilot, "admin", password_of(demo, "admin"))
        await wait_for(pilot, lambda: signed_in(diary))
        diary.go("journal")
        await wait_for(pilot, partial(arrived, diary, "journal"))
        screen = diary.screen
        assert isinstance(screen, JournalScreen)
        await wait_for(pilot, lambda: screen.grid() is not None)
        await pilot.pause(0.1)
        keys = {d.key for d in screen.query_one(NavBar)._state[0]}
        # Read-only: b and u are the news and what's new; l moves the cursor, not the log.
        assert "b" in keys and "u" in keys and "l" not in keys
