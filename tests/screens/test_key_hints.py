"""Every hint in the app's words names its key as bound, not as a letter written in.

The walk of ``test_russian_keys`` sees only what the demo's state draws; this reads every
message of the screens and the app shell (the source strings and their Russian translations)
for a Latin letter standing alone, which in a hint is a key named by hand ("n: older",
"(x clears)", "press e again", "r tries again"): such a hint goes on naming the old key after
a rebinding in the keymap, and in Russian it names a letter the Russian keyboard does not show.
A key is named by a ``{binding.id}`` filled by ``diary_tui.keys.with_keys`` or a field filled
by ``key_of``. Then two hints drawn in Russian after a rebinding."""

from __future__ import annotations

import io
import re
import string
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.pofile import read_po
from litestar import Litestar
from textual.widgets import Static

from api_client.i18n import catalog_path
from diary_tui.app import DiaryApp
from diary_tui.keys import _declared
from screens.attendance import AttendanceScreen
from screens.homeroom import ClassScreen
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.harness import (
    dispose,
    log_in,
    make_app,
    password_of,
    settled,
    wait_for,
)
from tests.diary_tui.test_offline import MemoryCredentials, Switch
from tests.screens.test_russian_keys import drawn_hints, every_screen_class
from tools.catalog import SourceMessage, source_messages

LETTER = re.compile(r"(?<![\w+\-./@'’«{^%)\\])[A-Za-z](?![\w+\-/@'’»}]|\.\w)")
"""A Latin letter standing alone: not in a word, an address, ``ctrl+s``, ``^s``, ``F1``, a
``{field}`` or a ``%(name)s``."""

SLASHED = re.compile(r"(?<![\w/])[A-Za-z]/[A-Za-z](?![\w/])")
"""Two keys as one: ``n/c``."""

PLURAL = re.compile(r"(?<=\w)\(s\)")
"""``mark(s)``."""

ARTICLE = re.compile(r"[aA]\s(?=[\w{«\"(])")
"""English's article, not a key."""

NOT_KEYS: dict[str, str] = {
    # The letters of the kinds of absence, as the week's and the class's cells show them.
    "\nThe week of your child": "AIEL",
    "\nThe class you lead": "AIEL",
    # The accounts' flags column, on the screen and in `diary admin users`.
    "\nThe school's accounts": "LP",
    "{n} account. L: locked": "LP",
    # A command-line argument's placeholder (argparse's metavar).
    "at most N records": "N",
    # Units after a number: bytes, hours.
    "{n} B": "B",
    "{when}, {n} h ago": "h",
}
"""The messages whose capital letters are codes the screen shows, not keys: the message's
beginning and its letters."""


def bare_letters(text: str, allowed: str = "") -> list[str]:
    """The letters of ``text`` standing alone, each with a little of what is around it."""
    text = PLURAL.sub("", text)
    found = [m for m in LETTER.finditer(text) if not ARTICLE.match(text, m.start())]
    found += SLASHED.finditer(text)
    return [
        text[max(m.start() - 15, 0) : m.end() + 15].replace("\n", " ")
        for m in found
        if m.group().strip("/") not in allowed
    ]


def allowed_in(msgid: str) -> str:
    return "".join(letters for start, letters in NOT_KEYS.items() if msgid.startswith(start))


def app_messages() -> dict[tuple[str, str | None], SourceMessage]:
    """The messages of the screens and the app shell; a message of one letter is a code
    shown in a cell (a mark's kind, an absence's), not a hint."""
    return {
        key: message
        for key, message in source_messages().items()
        if message.where.split("/")[0] in ("screens", "diary_tui") and len(key[0].strip()) > 1
    }


def test_the_pattern_finds_keys_named_by_hand() -> None:
    for hint in (
        "n: older",
        "what if, never sent (x clears)",
        "press e again after it.",
        "the server can be reached (r tries again).",
        "n writes to the parents · v attendance",
        "no consent to personal data (p)",
        "y: reset the {n} passwords too · n or Esc: invite codes only",
        "Choose a class: press c.",
        "M keeps yours and T takes theirs",
        "press n/c again",
    ):
        assert bare_letters(hint), hint
    for words in (
        "{audit.older}: older",
        "({grades.clear} clears)",
        "a dry run (a header line names the columns), ctrl+s sends · Esc closes · F1 help",
        "{count} line(s) · %(prog)s: error: %(message)s · e-mail, https://diary.example",
        "A teacher writes a post",
    ):
        assert bare_letters(words) == [], words
    assert bare_letters("A absent, I ill, e: edit", "AIEL") == ["absent, I ill, e: edit"]


def test_no_message_of_the_app_names_a_key_as_a_letter() -> None:
    messages = app_messages()
    assert len(messages) > 1000
    found = {
        message.where: said
        for (msgid, _context), message in messages.items()
        for text in (msgid, message.plural or "")
        if (said := bare_letters(text, allowed_in(msgid)))
    }
    assert found == {}


def test_no_russian_translation_names_a_key_as_a_letter() -> None:
    """A translation brings back no letter its message names by a binding."""
    messages = app_messages()
    catalog = read_po(io.StringIO(catalog_path("ru").read_text(encoding="utf-8")), locale="ru")
    found: dict[str, list[str]] = {}
    for entry in catalog:
        msgid = entry.id if isinstance(entry.id, str) else str(entry.id[0])
        if (msgid, entry.context) not in messages:
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for translated in strings:
            if said := bare_letters(str(translated or ""), allowed_in(msgid)):
                found[msgid] = said
    assert found == {}


def test_every_key_a_message_names_is_a_binding() -> None:
    """A ``{binding.id}`` that names no binding (a typo, an id renamed) would show nothing
    where the key should be; a field with a dot that is not a binding is a value's attribute,
    none of which the app's messages use."""
    every_screen_class()  # every binding declared
    app = SimpleNamespace(_keymap={})
    named = {
        field.split(":")[0]
        for (msgid, _context), message in app_messages().items()
        for text in (msgid, message.plural or "")
        for _text, field, _spec, _conversion in string.Formatter().parse(text)
        if field and "." in field
    }
    assert {"homeroom.class", "audit.older", "journal.keep_mine"} <= named
    assert {field for field in named if not _declared(app, field)} == set()


def test_every_screen_that_refreshes_has_a_key_to_say() -> None:
    """``reload_key`` (the "… tries again" of a screen whose data never came) finds a key on
    every screen that can refresh."""
    missing = [
        cls.__name__
        for cls in every_screen_class()
        if callable(getattr(cls, "action_reload", None))
        and cls.NAME
        and not any(
            getattr(binding, "action", "") == "reload"
            for klass in cls.__mro__
            for binding in klass.__dict__.get("BINDINGS", ())
        )
    ]
    assert missing == []


# -- drawn, in Russian, after a rebinding ------------------------------------------------


@pytest.fixture
def school_kind() -> str:
    return "demo"


def hint(app: DiaryApp) -> str:
    """What the screen draws, its lines joined."""
    return " ".join(drawn_hints(app).split())


@sqlite_only
async def test_the_parents_empty_notices_name_the_keys_as_rebound(app: Litestar, demo: Any) -> None:
    """A parent's notices view with none sent says the key that sends one, as the keymap
    binds it, with its Russian twin; so does the key of the view."""
    keymap = {"attendance.notice": "i", "attendance.view": "d"}
    diary = make_app(app, login="parent", language="ru", keymap=keymap)
    try:
        async with diary.run_test(size=(120, 40)) as pilot:
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: diary.data.me is not None and settled(diary.screen))
            diary.go("attendance")
            await wait_for(
                pilot,
                lambda: (
                    isinstance(diary.screen, AttendanceScreen) and diary.screen.value is not None
                ),
            )
            screen = diary.screen
            assert isinstance(screen, AttendanceScreen)
            await pilot.press("d", "d")  # absences, totals, notices
            await wait_for(pilot, lambda: screen.view == "notices" and screen.notices is not None)
            screen.notices = None if screen.notices is None else type(screen.notices)(notices=[])
            screen._paint_notices()
            await pilot.pause()
            assert "Уведомлений классному руководителю нет; i (ш) — отправить." in hint(diary)
            screen.view = "absences"
            assert screen.value is not None
            screen._paint_absences(type(screen.value)(**{**_fields(screen.value), "entries": []}))
            await pilot.pause()
            assert "d (в) показывает итоги по предметам и уведомления." in hint(diary)
    finally:
        await dispose(app)


def _fields(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__struct_fields__}


@sqlite_only
async def test_the_class_never_loaded_says_the_refresh_key_as_rebound(
    app: Litestar, demo: Any
) -> None:
    """The class teacher offline, the class never loaded on this computer: the screen says
    which key tries again, as the keymap binds it (``homeroom.reload = "d"``), in Russian."""
    switch = Switch(asgi_transport(app))
    credentials = MemoryCredentials()
    first = make_app(app, login="classteacher", transport=switch, credentials=credentials)
    async with first.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "classteacher", password_of(demo, "classteacher"), remember=True)
        await wait_for(pilot, lambda: first.data.me is not None and settled(first.screen))

    switch.up = False
    second = make_app(
        app,
        login="classteacher",
        transport=switch,
        credentials=credentials,
        language="ru",
        keymap={"homeroom.reload": "d"},
    )
    try:
        async with second.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: second.data.me is not None)
            second.go("homeroom")
            await wait_for(pilot, lambda: isinstance(second.screen, ClassScreen))
            said = "Это ещё не загружалось на этом компьютере; d (в) — попробовать снова."
            await wait_for(pilot, lambda: said in hint(second), 10)
            title = second.screen.query_one("#homeroom-title", Static)
            assert title is not None
    finally:
        await dispose(app)
