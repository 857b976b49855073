"""Pictures of the app's own screens in Russian at 80x24, frozen on Wednesday 2026-11-25: the
login form, the settings (the language chosen there) and the accounts screen. The week, grades
and journal have theirs beside their English pictures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from textual.pilot import Pilot

from screens.login import LoginScreen
from screens.settings import SettingsScreen
from screens.users import UsersScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    dispose_sync,
    log_in,
    make_app,
    password_of,
    settled,
    wait_for,
    week_loaded,
)


@sqlite_only
def test_login_in_russian(snap_compare: Callable[..., bool], app: Litestar) -> None:
    diary = make_app(app, language="ru")

    async def opened(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
        await pilot.pause(0.3)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=opened)
    finally:
        dispose_sync(app)


@sqlite_only
def test_settings_in_russian(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app, language="ru")

    async def opened(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        await pilot.press("з")  # p, on the Russian layout
        await wait_for(
            pilot, lambda: isinstance(diary.screen, SettingsScreen) and settled(diary.screen)
        )
        await pilot.pause(0.3)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=opened)
    finally:
        dispose_sync(app)


@sqlite_only
def test_accounts_in_russian(snap_compare: Callable[..., bool], app: Litestar, demo: Any) -> None:
    diary = make_app(app, login="it", language="ru")

    async def opened(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "it", password_of(demo, "it"))
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, UsersScreen)
                and settled(diary.screen)
                and len(diary.screen.users) > 5
            ),
        )
        await pilot.pause(0.3)

    try:
        assert snap_compare(diary, terminal_size=(80, 24), run_before=opened)
    finally:
        dispose_sync(app)
