"""Every screen and dialog of the app in Russian, at 80x24 and 120x40, over the Russian demo
school on its frozen day: no word of the interface is left in English.

What is drawn is read cell by cell; a Latin word of three letters or more is untranslated
interface text unless it is data (a login, a password, an address) or the name of a key
(``KEY_NAMES``). A screen not translated yet is listed in ``UNTRANSLATED``: its test is
expected to fail (strict), so it fails once the screen is translated, and whoever translated
it takes it off the list.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from textual.content import Content

from api_client.i18n import _, using
from demo_server.generator import SCHOOL_TIMEZONE
from diary_tui.app import DiaryApp
from diary_tui.data import DemoAccount
from screens.base import DiaryScreen
from screens.register import CODE_SHAPE, NewPasswordScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    dispose,
    log_in,
    make_app,
    password_of,
    settled,
    signed_in,
    wait_for,
)

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

KEY_NAMES = frozenset(
    {"esc", "enter", "tab", "space", "ctrl", "shift", "home", "end", "delete", "del", "backspace"}
    | {"lang", "svg", "pdf"}
)
"""Keys are named as printed on the keyboard, in every language; so are ``LANG`` (a variable a
user types) and the names of file formats."""

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ADDRESS = re.compile(r"\b(?:https?://|[\w.-]+@)\S+")

SCREENS: dict[str, str] = {
    # screen (a destination, or a dialog): the featured account that opens it
    "login": "",
    "register": "",
    "chooser": "",
    "week": "parent",
    "grades": "parent",
    "homework": "parent",
    "attendance": "parent",
    "messages": "parent",
    "news": "parent",
    "chat": "pupil",
    "chat_picker": "teacher",
    "meeting": "parent",
    "meeting_lead": "classteacher",
    "meeting_form": "classteacher",
    "blogs": "teacher",
    "blog_post": "parent",
    "blog_form": "teacher",
    "whatsnew": "parent",
    "bells": "parent",
    "settings": "parent",
    "journal": "teacher",
    "homeroom": "classteacher",
    "stats": "admin",
    "audit": "admin",
    "users": "it",
    "setup": "it",
    "medical": "nurse",
    "help": "parent",
    "palette": "parent",
    "confirm": "parent",
    "ask": "parent",
    "detail": "parent",
    "new_password": "parent",
}

UNTRANSLATED: set[str] = set()
"""Screens whose own words are not translated yet (their modules are being translated)."""


@pytest.fixture
def school_kind() -> str:
    """The generated Russian demo school (seed 1, on its frozen day), as ``diary demo`` makes
    it: its accounts' titles are Russian too."""
    return "demo"


def drawn(app: DiaryApp) -> str:
    """The text of every cell of the screen shown now (a dialog: its own cells)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def untranslated(text: str, data: set[str]) -> list[str]:
    """The Latin words of ``text`` that are neither data nor the name of a key."""
    text = ADDRESS.sub(" ", text)
    return sorted(
        {
            word
            for word in LATIN_WORD.findall(text)
            if word.lower() not in KEY_NAMES and word not in data
        }
    )


def shown_logins(app: DiaryApp) -> set[str]:
    """The accounts screen's data: the logins it lists (its own and their parents', cut to
    the column's width, so every start of one of their words)."""
    users = getattr(app.screen, "users", {})
    logins = [u.login for u in users.values()]
    logins += [p.login for u in users.values() for p in u.parents]
    words = {word for login in logins for word in LATIN_WORD.findall(login)}
    return {word[:n] for word in words for n in range(3, len(word) + 1)}


def prefixes(texts: Iterable[str]) -> set[str]:
    """Every start (of three letters or more) of every Latin word of ``texts``: a word cut
    to its column's width (``Cont…``) is still the same data."""
    words = {word for text in texts for word in LATIN_WORD.findall(text)}
    return {word[:n] for word in words for n in range(3, len(word) + 1)}


def strings_of(value: object) -> Iterator[str]:
    """Every string inside an answer of the server (a Struct, its lists and fields); codes
    (a mark kind, a status) are not data: the screen names them in words."""
    if isinstance(value, enum.Enum):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, msgspec.Struct):
        for field in value.__struct_fields__:
            yield from strings_of(getattr(value, field))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)


def shown_answer(app: DiaryApp) -> set[str]:
    """A child's screen's data: the words of the server's answer it shows (lesson topics and
    homework of an English lesson are written in English), cut to any width."""
    return prefixes(strings_of(getattr(app.screen, "value", None)))


def arrived(app: DiaryApp, name: str) -> bool:
    screen = app.screen
    return isinstance(screen, DiaryScreen) and name == screen.NAME and settled(screen)


async def show(app: DiaryApp, pilot: Any, name: str) -> None:
    """Open ``name`` (a destination or a dialog) over a logged-in account's home."""
    from screens.dialogs.ask import AskText
    from screens.dialogs.confirm import ConfirmScreen
    from screens.dialogs.detail import DetailScreen

    dialogs: dict[str, Callable[[], Awaitable[None]]] = {
        "help": lambda: pilot.press("f1"),
        "palette": lambda: pilot.press("ctrl+p"),
        "confirm": lambda: app.push_screen(ConfirmScreen(_("Log out"))),
        "ask": lambda: app.push_screen(AskText(_("Language"))),
        "detail": lambda: app.push_screen(
            DetailScreen(Content(_("Help")), name="detail", binding_id="detail.close")
        ),
        "new_password": lambda: app.push_screen(NewPasswordScreen(app.data, "old password")),
    }
    blog_keys = {"blog_post": "enter", "blog_form": "n"}
    if name in blog_keys:
        # A post and the form of a new post, over the Blogs screen.
        app.go("blogs")
        await wait_for(pilot, lambda: arrived(app, "blogs"))
        await wait_for(pilot, lambda: getattr(app.screen, "posts", None) is not None)
        await pilot.press(blog_keys[name])
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryScreen))
        await wait_for(pilot, lambda: not app.screen.workers)
        await pilot.pause(0.3)
        return
    if name in ("meeting", "meeting_lead", "meeting_form"):
        await show_meeting(app, pilot, name)
        return
    if name == "chat_picker":
        # The class picker of a teacher of several classes, over the chat.
        app.go("chat")
        await wait_for(pilot, lambda: arrived(app, "chat"))
        await wait_for(pilot, lambda: getattr(app.screen, "chat", None) is not None)
        await pilot.press("escape", "c")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryScreen))
        await pilot.pause(0.3)
        return
    if name in dialogs:
        # Over a translated screen: a dialog's frame shows the screen under it.
        app.go("settings")
        await wait_for(pilot, lambda: arrived(app, "settings"))
        await dialogs[name]()
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryScreen))
        await pilot.pause(0.3)
        return
    app.go(name)
    await wait_for(pilot, lambda: arrived(app, name))
    await pilot.pause(0.3)


async def show_meeting(app: DiaryApp, pilot: Any, name: str) -> None:
    """A parent meeting of the News screen opened (a parent's; the class teacher's, with the
    answers by family), or the form of a new one."""
    from textual.widgets import OptionList

    from screens.announcements_meetings import EventScreen, is_meeting

    app.go("news")
    await wait_for(pilot, lambda: arrived(app, "news"))
    await wait_for(pilot, lambda: getattr(app.screen, "news", None) is not None)
    if name == "meeting_form":
        await pilot.press("M")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiaryScreen))
        await pilot.pause(0.3)
        return
    news = app.screen.news  # type: ignore[attr-defined]
    meeting = next(e for e in news.events if is_meeting(e))
    box = app.screen.query_one("#news", OptionList)
    box.focus()
    box.highlighted = box.get_option_index(f"e-{meeting.id}")
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, EventScreen) and app.screen.detail is not None,
    )
    await pilot.pause(0.3)


@sqlite_only
@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=True, reason="not translated yet")
            if name in UNTRANSLATED
            else (),
        )
        for name in SCREENS
    ],
)
async def test_every_screen_speaks_russian(
    app: Litestar, demo: Any, name: str, size: tuple[int, int]
) -> None:
    featured = [DemoAccount(a.login, a.password, str(a.role), a.title) for a in demo.featured]
    # The accounts' logins, passwords and titles are the demo school's (the generator's).
    data = {
        word for a in featured for word in LATIN_WORD.findall(f"{a.login} {a.password} {a.title}")
    }
    # The school's time zone is an IANA name (Europe/Moscow), data in every language.
    data |= set(LATIN_WORD.findall(SCHOOL_TIMEZONE))
    if name == "register":
        # Logins and invite codes are Latin in every language: the form's example login and
        # the shape of a code are data.
        with using("ru"):
            data |= set(LATIN_WORD.findall(_("e.g. anna.ivanova") + " " + CODE_SHAPE))
    login = SCREENS[name]
    diary: DiaryApp = make_app(
        app,
        login=login or "parent",
        language="ru",
        demo_accounts=featured if name == "chooser" else None,
    )
    try:
        async with diary.run_test(size=size) as pilot:
            if name == "chooser":
                await wait_for(pilot, lambda: type(diary.screen).__name__ == "ChooserScreen")
            else:
                await wait_for(pilot, lambda: type(diary.screen).__name__ == "LoginScreen")
            if login:
                await log_in(pilot, login, password_of(demo, login))
                await wait_for(pilot, lambda: signed_in(diary) and settled(diary.screen))
                await show(diary, pilot, name)
            elif name == "register":
                await pilot.press("f2")
                await wait_for(pilot, lambda: type(diary.screen).__name__ == "RegisterScreen")
            await pilot.pause(0.3)
            text = drawn(diary)
            data |= shown_logins(diary) | shown_answer(diary)
    finally:
        await dispose(app)
    assert untranslated(text, data) == [], text
