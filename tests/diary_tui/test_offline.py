"""Offline first: with the server gone the app starts from a remembered login, shows the saved
week marked offline, stays usable, and recovers by itself when the server is back; a
client that was away catches up from its cursor with one small request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from api_client.client import DiaryClient
from diary_tui import live
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.data import NOT_SIGNED_IN
from diary_tui.live import CURSOR_KEY, LiveSync
from diary_tui.widgets import StatusLine
from screens.week import WeekScreen
from screens.whatsnew import WhatsNewScreen
from tests.conftest import asgi_transport
from tests.diary_tui.harness import (
    BASE_URL,
    MONDAY,
    NOW,
    TODAY,
    log_in,
    record_notes,
    wait_for,
)


@pytest.fixture
def school_kind() -> str:
    return "mini"


class MemoryCredentials:
    """A keyring that works, in memory."""

    def __init__(self) -> None:
        self.tokens: dict[tuple[str, str], str] = {}

    def available(self) -> tuple[bool, str]:
        return True, ""

    def save(self, server: str, login: str, refresh_token: str) -> None:
        self.tokens[(server, login)] = refresh_token

    def load(self, server: str, login: str) -> str | None:
        return self.tokens.get((server, login))

    def delete(self, server: str, login: str) -> object:
        return self.tokens.pop((server, login), None)


class Switch(httpx.AsyncBaseTransport):
    """The in-process server behind a switch: off, every request fails to connect."""

    def __init__(self, target: httpx.AsyncBaseTransport) -> None:
        self.target = target
        self.up = True
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.target.handle_async_request(request)


def status_text(app: DiaryApp) -> str:
    line = app.screen.query_one(StatusLine)
    return str(getattr(line.visual, "plain", line.visual))


def week_on_screen(app: DiaryApp) -> bool:
    screen = app.screen
    return (
        isinstance(screen, WeekScreen) and screen.week is not None and screen.week.start == MONDAY
    )


def make(switch: Switch, credentials: MemoryCredentials, now: Any = None) -> DiaryApp:
    return DiaryApp(
        server=BASE_URL,
        login="parent",
        transport=switch,
        credentials=credentials,
        today=TODAY,
        now=now or (lambda: NOW),
        live=True,
        notifications=Notifications(),
    )


async def test_starts_offline_from_the_remembered_login_and_recovers_by_itself(
    app: Litestar, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "MAX_BACKOFF", 1.0)
    switch = Switch(asgi_transport(app))
    credentials = MemoryCredentials()

    # Yesterday: logged in with "remember me"; the week and what's new were saved.
    first = make(switch, credentials)
    async with first.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password, remember=True)
        await wait_for(pilot, lambda: week_on_screen(first))
        await wait_for(
            pilot, lambda: bool(first.data.store and first.data.store.get_meta(CURSOR_KEY))
        )
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(first.screen, WhatsNewScreen))
        await pilot.pause(0.3)
    assert credentials.tokens

    # Today the server is down: the app opens at once from the store, marked offline.
    switch.up = False
    switch.requests.clear()
    second = make(switch, credentials)
    async with second.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: week_on_screen(second), 5)
        await wait_for(pilot, lambda: "offline" in status_text(second), 5)
        assert "saved data from" in status_text(second)
        # Usable, read-only: other screens open from the store too.
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(second.screen, WhatsNewScreen))
        await pilot.press("w")
        await wait_for(pilot, lambda: week_on_screen(second))
        assert switch.requests == []

        # The server comes back: no key pressed, the app notices and refreshes the week.
        switch.up = True
        await wait_for(pilot, lambda: "online" in status_text(second), 10)
        await wait_for(pilot, lambda: any(r.endswith("/week") for r in switch.requests), 5)
        assert "GET /api/v1/health" in switch.requests


async def test_catch_up_after_a_break_is_one_small_request(app: Litestar, demo: Any) -> None:
    """Back from a break, the client asks the feed what changed instead of refetching."""
    from tests.demo_server.test_changes import add_change

    switch = Switch(asgi_transport(app))
    credentials = MemoryCredentials()
    diary = make(switch, credentials)
    posted: list[Any] = []
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password, remember=True)
        await wait_for(pilot, lambda: week_on_screen(diary))
    # The app is closed; meanwhile a mark and an announcement arrive.
    await add_change(app, demo, "mark.added", pupil_id=demo.ids["pupil"], label="a")
    await add_change(app, demo, "announcement.new", label="b")
    await add_change(app, demo, "mark.added", pupil_id=demo.ids["stranger"], label="x")
    async with DiaryClient(BASE_URL, transport=switch) as client:
        await client.login("parent", demo.password)
        data = diary.data
        data.client = client
        assert data.store is None
        from diary_tui.store import Store

        assert data.server and data.login_name
        data.store = Store.open_for(data.server, data.login_name)
        try:
            switch.requests.clear()
            sync = LiveSync(data, posted.append, stream=False)
            caught = await sync.catch_up()
        finally:
            data.store.close()
            data.store = None
            data.client = None
    assert [c.payload["label"] for c in caught] == ["a", "b"]
    assert switch.requests == ["GET /api/v1/changes"]


class Stop(Exception):
    """Ends a LiveSync loop in a test."""


async def test_a_cursor_the_server_never_gave_starts_afresh(app: Litestar, demo: Any) -> None:
    """A store whose cursor is from another database (the server was rebuilt): the feed says
    400, the client forgets the cursor, starts at the newest and refreshes the screen."""
    from diary_tui.data import DiaryData
    from diary_tui.live import LinkChanged

    data = DiaryData(transport=asgi_transport(app), save_last_login=None)
    await data.login(BASE_URL, "parent", demo.password, remember=False)
    assert data.store is not None
    data.store.set_meta(CURSOR_KEY, "999999")
    posted: list[Any] = []
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) >= 2:
            raise Stop

    try:
        with pytest.raises(Stop):
            await LiveSync(data, posted.append, stream=False, sleep=sleep).run()
        assert data.store.get_meta(CURSOR_KEY) == "0"  # the newest of this server
        assert any(isinstance(m, LinkChanged) and m.recovered for m in posted)
        assert pauses[0] > 0  # and it did not spin
    finally:
        await data.close()


async def test_without_a_keyring_a_restart_offline_opens_the_saved_copy_read_only(
    app: Litestar, demo: Any
) -> None:
    """No keyring: nothing remembers the login. With the server down, the next start opens
    the copy saved on this computer, read-only, and says it is offline and not signed in
    (it used to stay on the login form saying "showing saved data" while showing none)."""
    from textual.widgets import Checkbox

    from screens.login import LoginScreen
    from tests.diary_tui.harness import password_of

    switch = Switch(asgi_transport(app))
    first = DiaryApp(
        server=BASE_URL, login="parent", transport=switch, today=TODAY, now=lambda: NOW
    )
    async with first.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(first.screen, LoginScreen))
        remember = first.screen.query_one("#remember", Checkbox)
        await wait_for(pilot, lambda: remember.disabled)
        assert remember.value is False  # "remember me" is not ticked where nothing can keep it
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_on_screen(first))
        await pilot.pause(0.3)

    switch.up = False
    second = DiaryApp(
        server=BASE_URL, login="parent", transport=switch, today=TODAY, now=lambda: NOW
    )
    notes = record_notes(second)
    async with second.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: week_on_screen(second), 10)
        assert not isinstance(second.screen, LoginScreen)
        await wait_for(pilot, lambda: "not signed in" in status_text(second))
        assert "offline" in status_text(second)
        assert "saved data from" in status_text(second)
        await wait_for(
            pilot,
            lambda: any(
                "Offline and not signed in" in n.message
                for n in second._notifications  # what the app said, shown or timed out
            ),
        )
        # Other screens open from the copy too, and say what they lack instead of Loading….
        await pilot.press("g")
        await wait_for(pilot, lambda: second.screen.__class__.__name__ == "GradesScreen")
        await wait_for(
            pilot,
            lambda: (
                any(
                    "never loaded on this computer" in str(getattr(w, "visual", ""))
                    or "never loaded on this computer" in str(getattr(w, "renderable", ""))
                    for w in second.screen.query("*")
                )
                or any(
                    "never loaded on this computer" in str(o.prompt)
                    for o in getattr(second.screen.query_one("OptionList"), "options", [])
                )
            ),
            10,
        )
        # Each screen's refresh fails for the same reason; it is said once, not per screen.
        for key in ("w", "f5", "m", "h", "g", "f5"):
            await pilot.press(key)
            await pilot.pause(0.2)
        await wait_for(pilot, lambda: not any(w.is_running for w in second.screen.workers))
        said = [n for n in notes if "not signed in" in n]
        assert said == [NOT_SIGNED_IN], notes
