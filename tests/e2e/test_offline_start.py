"""A real ``diary-server serve`` process stopped and started under an open app.

1. Logged in with "remember me", the week open and the change stream following; the server is
   stopped: it exits promptly (the open stream ends cleanly) and the app says offline.
2. The app starts again with the server still down: it opens the saved week at once from
   the remembered login, marked offline, without a password.
3. The server starts: the app notices by itself and refreshes the week, online again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.durability import ServerProcess
from diary_tui import live
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.live import CURSOR_KEY
from tests.diary_tui.harness import NOW, TODAY, log_in, wait_for
from tests.diary_tui.test_offline import MemoryCredentials, status_text, week_on_screen


@pytest.fixture
def school_kind() -> str:
    return "mini"


@pytest.fixture
def isolated(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(live, "MAX_BACKOFF", 1.0)
    yield


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_offline_start_and_recovery_with_a_real_server(
    demo_url: str, demo: Any, isolated: None
) -> None:
    server = ServerProcess(demo_url)
    await asyncio.to_thread(server.start)
    credentials = MemoryCredentials()

    def make() -> DiaryApp:
        return DiaryApp(
            server=server.url,
            login="parent",
            credentials=credentials,
            today=TODAY,
            now=lambda: NOW,
            notifications=Notifications(),
        )

    try:
        first = make()
        async with first.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", demo.password, remember=True)
            await wait_for(pilot, lambda: week_on_screen(first))
            await wait_for(
                pilot, lambda: bool(first.data.store and first.data.store.get_meta(CURSOR_KEY))
            )
            await pilot.pause(0.5)  # the stream is open
            stopping = time.monotonic()
            await asyncio.to_thread(server.stop)
            assert time.monotonic() - stopping < 5, "an open stream held the server up"
            await wait_for(pilot, lambda: "offline" in status_text(first), 10)

        second = make()
        async with second.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: week_on_screen(second), 5)
            await wait_for(pilot, lambda: "offline" in status_text(second), 5)
            assert "saved data from" in status_text(second)
            assert second.data.state.online is False
            await asyncio.to_thread(server.start)
            back = time.monotonic()
            synced = second.data.state.last_sync
            await wait_for(pilot, lambda: "online" in status_text(second), 10)
            await wait_for(pilot, lambda: second.data.state.last_sync != synced, 5)
            assert week_on_screen(second)
            # (probes back off to at most a second here: 15 s in the app)
            assert time.monotonic() - back < 5
    finally:
        await asyncio.to_thread(server.close)
