"""Remember me: the refresh token in the keyring (an in-memory one, and the real Secret
Service in CI), never in a file; without a keyring the user is told and still logs in."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail
from litestar import Litestar
from textual.widgets import Checkbox, Static

from diary_tui.cli import main
from diary_tui.credentials import Credentials
from screens.login import LoginScreen
from screens.week import WeekScreen
from tests.conftest import sqlite_only
from tests.diary_tui.conftest import MemoryKeyring
from tests.diary_tui.harness import (
    BASE_URL,
    MONDAY,
    dispose,
    log_in,
    make_app,
    wait_for,
    week_loaded,
)
from tests.services import secret_service_keyring


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


def files_containing(root: Path, secrets: list[str]) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(secret.encode() in data for secret in secrets):
                found.append(path)
    return found


@sqlite_only
async def test_remember_me_keeps_the_token_in_the_keyring_and_skips_the_login(
    app: Litestar, demo: Any, memory_keyring: MemoryKeyring, isolated_dirs: Path
) -> None:
    diary = make_app(app, credentials=Credentials())
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"), remember=True)
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert diary.data.client is not None
        token = diary.data.client.refresh_token
        assert token
    assert list(memory_keyring.items.values()) == [token]
    assert files_containing(isolated_dirs, [token]) == []

    # The next start opens the week straight away, from the keyring.
    again = make_app(app, credentials=Credentials())
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: week_loaded(again, MONDAY))
        assert again.data.login_name == "parent"
    # The refresh rotated the token; the keyring holds the new one.
    [(_, rotated)] = memory_keyring.items.items()
    assert rotated != token

    # diary logout forgets it and the local store.
    # (in a thread: the command runs its own event loop)
    assert await asyncio.to_thread(main, ["--server", BASE_URL, "--login", "parent", "logout"]) == 0
    assert memory_keyring.items == {}
    assert not list((isolated_dirs / "xdg_data_home").rglob("*.sqlite3"))
    await dispose(app)


@sqlite_only
async def test_without_remember_nothing_goes_to_the_keyring(
    app: Litestar, demo: Any, memory_keyring: MemoryKeyring
) -> None:
    diary = make_app(app, credentials=Credentials())
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
    assert memory_keyring.items == {}
    await dispose(app)


@sqlite_only
async def test_without_a_keyring_the_user_is_told_and_can_log_in(app: Litestar, demo: Any) -> None:
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        diary = make_app(app, credentials=Credentials())
        async with diary.run_test(size=(80, 24)) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    isinstance(diary.screen, LoginScreen)
                    and bool(diary.screen.query("#keyring-note"))
                ),
            )
            screen = diary.screen
            note = screen.query_one("#keyring-note", Static)
            await wait_for(pilot, lambda: bool(note.display))
            assert "keyring" in str(getattr(note.visual, "plain", "")).lower()
            assert screen.query_one("#remember", Checkbox).disabled
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            assert isinstance(diary.screen, WeekScreen)
    finally:
        keyring.set_keyring(previous)
    await dispose(app)


@pytest.mark.keyring
@sqlite_only
async def test_secret_service_holds_the_token_and_no_file_does(
    app: Litestar, demo: Any, isolated_dirs: Path
) -> None:
    with secret_service_keyring():
        credentials = Credentials(service="diary-tui-test")
        diary = make_app(app, credentials=credentials)
        try:
            async with diary.run_test(size=(80, 24)) as pilot:
                await log_in(pilot, "parent", password_of(demo, "parent"), remember=True)
                await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
                client = diary.data.client
                assert client is not None
                refresh = client.refresh_token
                access = getattr(client, "_access_token", None)
                assert refresh and access
                assert Credentials(service="diary-tui-test").load(BASE_URL, "parent") == refresh
                assert files_containing(isolated_dirs, [refresh, access]) == []
        finally:
            credentials.delete(BASE_URL, "parent")
    await dispose(app)
