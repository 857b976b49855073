"""The app's language and keys: Russian chosen, the school's language, switching in Settings
without a restart, and every single-key binding on the Russian ЙЦУКЕН layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from textual.widgets import Footer, Input, Select, Static

from api_client import i18n
from diary_tui.config import config_path, load_config
from diary_tui.keys import LATIN_TWIN, RUSSIAN_TWIN
from diary_tui.widgets import NavBar
from screens.login import LoginScreen
from screens.settings import SettingsScreen
from screens.week import WeekScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    dispose,
    log_in,
    make_app,
    password_of,
    settled,
    wait_for,
    week_loaded,
)


def plain(widget: Static) -> str:
    visual = widget.visual
    return str(getattr(visual, "plain", visual))


def bar(app: Any) -> str:
    return str(app.screen.query_one(NavBar).visual.plain)


def footer(app: Any) -> str:
    """The footer's keys and descriptions as shown."""
    keys = app.screen.query_one(Footer).query("FooterKey")
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


def grades_shown(app: Any) -> bool:
    from screens.grades import GradesScreen

    return isinstance(app.screen, GradesScreen) and settled(app.screen)


def test_every_key_of_the_russian_layout_has_its_latin_twin() -> None:
    """The three letter rows and the keys beside them, lower and upper case, as Textual names
    the keys a terminal sends (a Cyrillic letter names itself)."""
    assert len(LATIN_TWIN) == 66
    assert LATIN_TWIN["п"] == "g" and LATIN_TWIN["с"] == "c" and LATIN_TWIN["щ"] == "o"
    assert LATIN_TWIN["Г"] == "U" and LATIN_TWIN["ц"] == "w"
    assert LATIN_TWIN["х"] == "left_square_bracket" and LATIN_TWIN["ъ"] == "right_square_bracket"
    assert RUSSIAN_TWIN["g"] == "п"


@sqlite_only
async def test_keys_of_the_russian_layout_work_as_the_latin_ones(app: Litestar, demo: Any) -> None:
    """п opens the grades, ц the week, х and ъ step the weeks, с the child; typed into a field,
    п stays a letter."""
    diary = make_app(app)
    try:
        async with diary.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
            await pilot.pause()
            login = diary.screen.query_one("#login", Input)
            login.value = ""
            login.focus()
            await pilot.press("п", "g")
            assert login.value == "пg", "a field keeps the letters typed into it"
            assert isinstance(diary.screen, LoginScreen)
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            first = bar(diary)
            await pilot.press("с")  # c: the next child
            await wait_for(pilot, lambda: "(2/2" in bar(diary) and week_loaded(diary, MONDAY))
            await pilot.press("ъ")  # ]: the next week
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
            await pilot.press("х")  # [: back
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            await pilot.press("п")
            await wait_for(pilot, lambda: grades_shown(diary))
            await pilot.press("ц")
            await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
            assert first != bar(diary)
    finally:
        await dispose(app)


@sqlite_only
async def test_a_remapped_binding_answers_its_new_keys_twin_too(app: Litestar, demo: Any) -> None:
    """``nav.grades = "x"`` in the keymap: x and ч (its place on ЙЦУКЕН) open the grades, and
    neither g nor п does any more."""
    diary = make_app(app, keymap={"nav.grades": "x"})
    try:
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            await pilot.press("п", "g")
            await pilot.pause(0.2)
            assert isinstance(diary.screen, WeekScreen)
            await pilot.press("ч")
            await wait_for(pilot, lambda: grades_shown(diary))
    finally:
        await dispose(app)


@sqlite_only
async def test_russian_chosen_the_screen_footer_and_requests_speak_it(
    app: Litestar, demo: Any
) -> None:
    diary = make_app(app, language="ru")
    seen: list[str] = []
    try:
        async with diary.run_test(size=(120, 40)) as pilot:
            assert diary.title == "Дневник"
            await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
            await pilot.pause()
            assert "Справка" in footer(diary) and "Регистрация по коду" in footer(diary)
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            client = diary.data.client
            assert client is not None
            client._http.event_hooks["request"].append(
                lambda request: _record(seen, request.headers.get("accept-language"))
            )
            assert "Неделя" in bar(diary) and "Week" not in bar(diary)
            await pilot.press("f1")
            await pilot.pause()
            help_text = plain(diary.screen.query_one("#help-text", Static))
            assert "Клавиши" in help_text and "g (п)" in help_text, help_text
            await pilot.press("escape")
            await pilot.press("п")
            await wait_for(pilot, lambda: grades_shown(diary))
    finally:
        await dispose(app)
    assert seen and set(seen) == {"ru"}


async def _record(seen: list[str], value: str | None) -> None:
    seen.append(value or "")


@sqlite_only
async def test_with_no_language_chosen_the_app_speaks_the_schools(
    app: Litestar, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --lang, DIARY_LANG, config or locale: the login form is in English (the school is
    not known yet), the parent's week in Russian, the demo school's language."""
    for name in ("DIARY_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    diary = make_app(app)
    try:
        async with diary.run_test(size=(120, 40)) as pilot:
            assert diary.chosen_language is None
            await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
            assert i18n.language() == "en"
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            assert i18n.language() == "ru"
            assert "Неделя" in bar(diary)
    finally:
        await dispose(app)


@sqlite_only
async def test_switching_the_language_in_settings_redraws_without_a_restart(
    app: Litestar, demo: Any, isolated_dirs: Path
) -> None:
    """Русский chosen in Settings: the screen, its navigation bar and footer are Russian at
    once, the config file says ``language = "ru"``; back to English the same way."""
    diary = make_app(app)
    try:
        async with diary.run_test(size=(120, 40)) as pilot:
            await log_in(pilot, "parent", password_of(demo, "parent"))
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
            await pilot.pause()
            assert "Settings" in bar(diary) and "Save" in footer(diary)
            diary.screen.query_one("#language", Select).value = "ru"
            await wait_for(
                pilot,
                lambda: "Настройки" in bar(diary) and "Сохранить" in footer(diary),
            )
            assert isinstance(diary.screen, SettingsScreen)
            assert load_config(config_path()).language == "ru"
            note = plain(diary.screen.query_one("#settings-note", Static))
            assert "Язык: Русский" in note
            await pilot.press("ц")
            await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
            assert "Неделя" in bar(diary)
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
            await pilot.pause()
            diary.screen.query_one("#language", Select).value = "en"
            await wait_for(pilot, lambda: "Settings" in bar(diary) and "Save" in footer(diary))
            assert load_config(config_path()).language == "en"
    finally:
        await dispose(app)
