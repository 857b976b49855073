"""Every key a screen's words name follows the keymap and, in Russian, the Russian layout:
the hints on every screen and its F1 help, and the answers of the shared dialogs, name a key
as the keymap binds it with its Russian twin (``v (м)``), never as a bare Latin letter that a
Russian keyboard does not show. Over the Russian demo school on its frozen day, in Russian."""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import string
from types import SimpleNamespace
from typing import Any

import pytest
from litestar import Litestar

import screens
from api_client.i18n import using
from diary_tui.app import DiaryApp
from diary_tui.keys import _declared, with_keys
from diary_tui.widgets.navbar import child_label
from screens.base import DiaryScreen
from screens.dialogs.confirm import ConfirmOrEnter, ConfirmScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, password_of, settled, wait_for

BARE_KEY = re.compile(
    r"(?<![\w+\-./@'«{▐^])[A-Za-z](?![\w+\-/@.'»}▌])(?!\s\([а-яё]\))", re.IGNORECASE
)
"""A Latin letter standing alone (not in a word, an address, ``ctrl+s``, ``^s``
(the footer's ctrl+s, the same key in either layout) or ``F1``) that no
Russian twin in brackets follows: a key named as a letter."""

ROLES = {"parent": "parent", "teacher": "teacher", "admin": "admin", "it": "it", "nurse": "nurse"}


def bare_keys(text: str) -> list[str]:
    """The key letters of ``text`` named without their Russian twin."""
    return [
        text[max(m.start() - 12, 0) : m.end() + 12].replace("\n", " ")
        for m in BARE_KEY.finditer(text)
    ]


def drawn_hints(app: DiaryApp) -> str:
    """The screen's cells, less its first line (the navigation bar, keys by destination) and
    its last (the footer, Textual's key display)."""
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    return "\n".join(lines[1:-1])


def test_the_pattern_finds_a_bare_letter_and_passes_a_twin() -> None:
    assert bare_keys("v класс · [ ] период") == ["v класс · [ ]"]
    assert bare_keys("v (м) класс · ctrl+s сохраняет · F1 справка · diary admin") == []
    assert bare_keys("^t делает урок контрольной; ^z отменяет") == []
    assert bare_keys("5А, e-mail, https://diary.example") == []


def every_screen_class() -> list[type[DiaryScreen]]:
    """Every screen class of the app, each of ``screens``' modules imported."""
    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        importlib.import_module(module.name)
    found: list[type[DiaryScreen]] = []
    classes: list[type[DiaryScreen]] = [DiaryScreen]
    while classes:
        cls = classes.pop()
        found.append(cls)
        classes.extend(cls.__subclasses__())
    return found


def test_every_key_a_help_names_is_a_binding_of_the_app() -> None:
    """A ``{binding.id}`` in a screen's F1 help that names no binding (a typo, an id renamed)
    would show as nothing where the key should be. (A field without a dot is a value the
    screen's own ``help_text`` fills in.)"""
    app = SimpleNamespace(_keymap={})
    unknown = {
        (cls.__name__, field.split(":")[0])
        for cls in every_screen_class()
        for _text, field, _spec, _conversion in string.Formatter().parse(cls.HELP)
        if field and "." in field and not _declared(app, field.split(":")[0])
    }
    assert unknown == set()
    helps = [cls.HELP for cls in every_screen_class() if cls.HELP]
    assert len(helps) >= 20
    assert sum("{" in text for text in helps) > 15


def opened(app: DiaryApp, name: str) -> bool:
    """``name`` is shown and settled, or it asked a question first (a dialog over it)."""
    screen = app.screen
    if isinstance(screen, DiaryScreen):
        return name == screen.NAME and settled(screen)
    return any(isinstance(s, DiaryScreen) and name == s.NAME for s in app.screen_stack)


async def walk(app: Litestar, demo: Any, role: str) -> dict[str, list[str]]:
    """Every screen the account opens, in Russian: what its hints and help name bare."""
    found: dict[str, list[str]] = {}
    diary: DiaryApp = make_app(app, login=role, language="ru")
    try:
        async with diary.run_test(size=(120, 40)) as pilot:
            await log_in(pilot, role, password_of(demo, role))
            await wait_for(pilot, lambda: diary.data.me is not None and settled(diary.screen))
            for name in sorted(diary.available_screens()):
                shown = functools.partial(opened, diary, name)
                diary.go(name)
                await wait_for(pilot, shown)
                if not isinstance(diary.screen, DiaryScreen):
                    await pilot.press("escape")  # a class to choose first: the screen as it is
                    await wait_for(pilot, shown)
                await pilot.pause(0.2)
                screen = diary.screen
                assert isinstance(screen, DiaryScreen)
                with using("ru"):
                    said = bare_keys(screen.help_text()) + bare_keys(drawn_hints(diary))
                found[name] = said
    finally:
        await dispose(app)
    return found


@pytest.fixture
def school_kind() -> str:
    return "demo"


@sqlite_only
@pytest.mark.parametrize("role", ROLES)
async def test_every_screens_hints_and_help_name_keys_with_their_russian_twin(
    app: Litestar, demo: Any, role: str
) -> None:
    found = await walk(app, demo, role)
    wrong = {name: said for name, said in found.items() if said}
    assert wrong == {}


@sqlite_only
async def test_dialogs_and_the_bar_name_their_keys_as_bound(app: Litestar, demo: Any) -> None:
    """The yes/no question, the consent's keys and the bar's next child, in Russian and after
    a rebinding (the keymap's ``confirm.yes = "j"``)."""
    diary: DiaryApp = make_app(app, login="parent", language="ru")
    try:
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: diary.data.me is not None and settled(diary.screen))
            screen = diary.screen
            assert isinstance(screen, DiaryScreen)
            with using("ru"):
                assert screen.key_of("app.next_child") == "c (с)"
                label = child_label(diary.data.child, 0, 2, screen.key_of("app.next_child"))
                assert "c (с) — следующий" in label.plain
                question = ConfirmOrEnter("?")
                diary.push_screen(question)
                await pilot.pause()
                assert question.answers_shown() == "y (н) или ⏎ — да · n (т) или esc — нет"
                assert bare_keys(question.answers_shown()) == []
                assert with_keys(question, "{confirm.no:all}") == "n (т) или esc"
            await pilot.press("escape")
            diary.set_keymap({"confirm.yes": "j"})
            plain = ConfirmScreen("?")
            diary.push_screen(plain)
            await pilot.pause()
            assert plain.answers_shown().startswith("j (о)")
    finally:
        await dispose(app)


@sqlite_only
async def test_help_names_the_keys_as_the_keymap_binds_them(app: Litestar, demo: Any) -> None:
    """F1 on the week after ``week.sign = "g"`` and ``week.changes = "d"``: the help says
    the keys in force, with the Russian twin of a letter in Russian, in English without."""
    keymap = {"week.sign": "g", "week.changes": "d"}
    diary: DiaryApp = make_app(app, login="parent", language="ru", keymap=keymap)
    try:
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: diary.data.me is not None and settled(diary.screen))
            diary.go("week")
            await wait_for(pilot, functools.partial(opened, diary, "week"))
            screen = diary.screen
            assert isinstance(screen, DiaryScreen)
            with using("ru"):
                russian = " ".join(screen.help_text().split())
            with using("en"):
                english = " ".join(screen.help_text().split())
            assert "неделю клавишей g (п):" in russian
            assert "d (в) показывает, что изменилось" in russian
            assert "signs the week with g:" in english
            assert "d lists what changed" in english
            assert bare_keys(russian) == []
    finally:
        await dispose(app)
