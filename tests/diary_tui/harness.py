"""Running the app against the real server in-process, for Pilot and snapshot tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Static

from diary_tui.app import DiaryApp
from diary_tui.data import CredentialStore, DemoAccount
from diary_tui.widgets import NavBar
from screens.login import LoginScreen
from screens.week import WeekScreen

BASE_URL = "http://diary.test"
TODAY = dt.date(2026, 11, 25)
MONDAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)


def make_app(
    server_app: Any,
    *,
    login: str | None = "parent",
    credentials: CredentialStore | None = None,
    demo_accounts: list[DemoAccount] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    **options: Any,
) -> DiaryApp:
    """The app over ``server_app`` on the frozen day; ``options`` go to ``DiaryApp`` as they
    are (``language``, ``keymap``, ...)."""
    return DiaryApp(
        server=BASE_URL,
        login=login,
        transport=transport or httpx.ASGITransport(app=server_app),
        credentials=credentials,
        today=TODAY,
        now=lambda: NOW,
        demo_accounts=demo_accounts,
        **options,
    )


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 60) -> None:
    """Until ``condition()`` holds and the screen then shown is mounted (a screen just pushed
    has no widgets to query before), or fail after ``seconds`` (generous: a loaded CI machine
    is slow, and a passing test never waits that long)."""
    deadline = time.monotonic() + seconds
    while not (condition() and pilot.app.screen.is_mounted):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; screen is {pilot.app.screen!r}")
        await pilot.pause(0.05)


async def open_screen(pilot: Pilot[Any], name: str) -> None:
    """Go to the screen ``name`` as its key does; where it first asks which class (My class,
    for the administration), the first class is chosen."""
    from screens.dialogs.pick import Pick

    app = pilot.app
    assert isinstance(app, DiaryApp)
    app.go(name)

    def asked_or_settled() -> bool:
        # My class asks once the school's classes have come (a worker of the screen): the
        # question is sure to be asked or not only when the screen's workers are done.
        screen = app.screen
        return isinstance(screen, Pick) or (getattr(screen, "NAME", "") == name and settled(screen))

    await wait_for(pilot, asked_or_settled)
    if not isinstance(app.screen, Pick):
        await pilot.pause(0.1)  # a question asked after the screen's first refresh
    if isinstance(app.screen, Pick):
        picker = app.screen
        # The picker gives its box the focus once mounted; an Enter before that reaches no
        # widget and the picker stays open (seen on a loaded machine).
        await wait_for(pilot, lambda: app.focused is not None and app.focused.screen is picker)
        await pilot.press("enter")


async def leave_text_box(pilot: Pilot[Any], screen: Any) -> None:
    """Out of the screen's text box, where letters type (its keys are for when it is left),
    and still out of it a moment later: a screen may focus its box after its first refresh,
    which on a loaded machine comes after the test has looked."""
    from textual.widgets import Input, TextArea

    for _ in range(50):
        if not isinstance(screen.focused, Input | TextArea):
            await pilot.pause(0.1)
            if not isinstance(screen.focused, Input | TextArea):
                return
        screen.set_focus(None)
        await pilot.pause(0.1)
    raise AssertionError(f"{screen!r} keeps a text box focused")


def record_notes(app: DiaryApp) -> list[str]:
    """The messages the app notifies from now on (still shown as usual)."""
    notes: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        notes.append(message)
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return notes


def week_loaded(app: DiaryApp, monday: dt.date | None = None) -> bool:
    screen = app.screen
    if not isinstance(screen, WeekScreen) or screen.week is None:
        return False
    if screen.workers:  # still refreshing from the server
        return False
    return monday is None or screen.week.start == monday


async def log_in(pilot: Pilot[Any], login: str, password: str, *, remember: bool = False) -> None:
    """Fill in the login form as a person would and press Enter."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
    await pilot.pause()
    screen = app.screen
    login_input = screen.query_one("#login", Input)
    login_input.value = ""
    login_input.focus()
    await pilot.press(*login)
    if remember:
        box = screen.query_one("#remember", Checkbox)
        await wait_for(pilot, lambda: not box.disabled)
        box.value = True
    screen.query_one("#password", Input).focus()
    await pilot.press(*password)
    await pilot.press("enter")


def signed_in(app: DiaryApp) -> bool:
    """The login went through: the app knows who this is and shows a screen past the login
    form (the login form is itself a ``DiaryScreen``, so waiting for one proves nothing)."""
    from screens.base import DiaryScreen

    return (
        app.data.me is not None
        and isinstance(app.screen, DiaryScreen)
        and not isinstance(app.screen, LoginScreen)
    )


def password_of(demo: Any, login: str) -> str:
    """The password of one of the generated school's featured accounts."""
    return str(next(a.password for a in demo.featured if a.login == login))


def settled(screen: Any) -> bool:
    """No worker of the screen is still running."""
    return not any(worker.is_running for worker in screen.workers)


def loaded(app: DiaryApp, screen_type: type[Any], attribute: str) -> bool:
    """The app shows a ``screen_type`` whose ``attribute`` is loaded and whose workers are done."""
    screen = app.screen
    return (
        isinstance(screen, screen_type)
        and getattr(screen, attribute) is not None
        and settled(screen)
    )


def screen_text(app: DiaryApp) -> str:
    """The text of the week screen's title and list, as the user reads it."""
    screen = app.screen
    lines = []
    for bar in screen.query(NavBar):
        lines.append(str(getattr(bar.visual, "plain", bar.visual)))
    title = screen.query_one("#week-title", Static).visual
    lines.append(str(getattr(title, "plain", title)))
    for option in screen.query_one(OptionList).options:
        prompt = option.prompt
        lines.append(str(getattr(prompt, "plain", prompt)))
    return "\n".join(lines)


async def dispose(server_app: Any) -> None:
    """Close the server's database engine (the ``http`` fixture does it when it is used)."""
    await server_app.state["server"].engine.dispose()


def dispose_sync(server_app: Any) -> None:
    asyncio.run(dispose(server_app))
