"""The catalogs and the language machinery (api_client/i18n.py, tools/catalog.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api_client import i18n
from tools import catalog


def test_every_marked_string_has_a_translation_in_every_catalog() -> None:
    for lang in i18n.LANGUAGES:
        if lang == i18n.SOURCE:
            continue
        report = catalog.check(lang)
        assert not report.missing, [m.where for m in report.missing]
        assert not report.untranslated
        assert not report.duplicated
        assert not report.bad_plurals


def test_a_string_without_an_entry_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = catalog.source_messages()
    key: catalog.Key = ("A string nobody has translated", None)
    sources[key] = catalog.SourceMessage(key, None, "screens/x.py:1")
    assert catalog.check("ru", sources).missing == [sources[key]]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ru_RU", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "de_DE.UTF-8"}, None),
        ({}, None),
    ],
)
def test_the_locale_names_the_language(env: dict[str, str], expected: str | None) -> None:
    assert i18n.from_environment(env) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        ("en;q=0.5, ru;q=0.9", "ru"),
        ("de, en;q=0.3", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
        ("ru;q=0", "en"),
        ("ru;q=nonsense", "en"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_russian_dates_take_their_case_and_numbers_the_comma() -> None:
    tuesday = dt.date(2026, 12, 1)
    with i18n.using("ru"):
        assert i18n.day_heading(tuesday) == "вторник, 1 декабря"
        assert i18n.day_label(tuesday) == "вт, 1 дек."
        assert i18n.decimal(3.456) == "3,46"
    with i18n.using("en"):
        assert i18n.day_heading(tuesday) == "Tuesday 1 December"
        assert i18n.day_label(tuesday) == "Tue 1 Dec"
        assert i18n.decimal(3.456) == "3.46"


def test_a_day_in_a_sentence_takes_its_preposition_and_case() -> None:
    tuesday, wednesday = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    with i18n.using("ru"):
        assert i18n.on_day(tuesday) == "во вторник, 1 декабря"
        assert i18n.on_day(wednesday) == "в среду, 2 декабря"
        assert i18n.number(4.5) == "4,5" and i18n.number(3.0) == "3"
    with i18n.using("en"):
        assert i18n.on_day(tuesday) == "on Tuesday 1 December"
        assert i18n.number(4.5) == "4.5"


def test_russian_plurals_have_three_forms(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    po = tmp_path / "ru" / "LC_MESSAGES" / "diary.po"
    po.parent.mkdir(parents=True)
    header = i18n.catalog_path("ru").read_text(encoding="utf-8")
    po.write_text(
        header + '\nmsgid "{n} lesson"\nmsgid_plural "{n} lessons"\n'
        'msgstr[0] "{n} урок"\nmsgstr[1] "{n} урока"\nmsgstr[2] "{n} уроков"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setenv("DIARY_CACHE_DIR", str(tmp_path / "cache"))
    i18n.translations.cache_clear()
    try:
        with i18n.using("ru"):
            words = [
                i18n.ngettext("{n} lesson", "{n} lessons", n).format(n=n) for n in (1, 3, 5, 21, 11)
            ]
        assert words == ["1 урок", "3 урока", "5 уроков", "21 урок", "11 уроков"]
        # Compiled once, under a name carrying the catalog's digest: an edited catalog is
        # compiled again, never read stale.
        assert len(list((tmp_path / "cache" / "locale").glob("diary-ru-*.mo"))) == 1
        po.write_text(po.read_text(encoding="utf-8").replace("уроков", "уроков!"), encoding="utf-8")
        i18n.translations.cache_clear()
        with i18n.using("ru"):
            assert i18n.ngettext("{n} lesson", "{n} lessons", 5) == "{n} уроков!"
        assert len(list((tmp_path / "cache" / "locale").glob("diary-ru-*.mo"))) == 2
    finally:
        i18n.translations.cache_clear()


@pytest.mark.parametrize(
    ("asked", "configured", "env", "expected"),
    [
        ("ru", "en", {"DIARY_LANG": "en", "LANG": "en_GB.UTF-8"}, "ru"),
        (None, "ru", {"DIARY_LANG": "en", "LANG": "ru_RU.UTF-8"}, "en"),
        (None, "ru", {"LANG": "en_GB.UTF-8"}, "ru"),
        (None, None, {"LC_ALL": "ru_RU.UTF-8"}, "ru"),
        (None, None, {"LANG": "C.UTF-8"}, None),
        (None, "de", {"DIARY_LANG": "xx"}, None),
    ],
)
def test_the_users_choice_outranks_the_locale(
    asked: str | None, configured: str | None, env: dict[str, str], expected: str | None
) -> None:
    """--lang (or DIARY_LANG), then the config file, then the locale; None leaves it to the
    school."""
    assert i18n.chosen(asked, configured, env) == expected


def test_the_process_language_reaches_every_task_and_using_stays_in_its_own() -> None:
    """The app switches the language in one task (Settings) and every widget's task speaks it;
    a server request's ``using`` touches no other task."""
    import asyncio

    async def main() -> list[str]:
        heard: list[str] = []
        switched = asyncio.Event()

        async def widget() -> None:
            await switched.wait()
            heard.append(i18n.language())

        async def request() -> None:
            with i18n.using("en"):
                await asyncio.sleep(0)
                heard.append(i18n.language())

        task = asyncio.create_task(widget())  # made before the switch, as widgets are
        await asyncio.sleep(0)
        i18n.set_language("ru")
        switched.set()
        await asyncio.gather(task, request())
        heard.append(i18n.language())
        return heard

    try:
        assert sorted(asyncio.run(main())) == ["en", "ru", "ru"]
    finally:
        i18n.set_language(i18n.SOURCE)


def test_a_compiled_catalog_is_read_without_babel(tmp_path: Path) -> None:
    """Babel compiles a catalog once; later starts read the compiled one, Babel unloaded (it
    costs the first frame), until a Russian date or number is shown."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from api_client import i18n; i18n.set_language('ru'); i18n._('Week'); "
        "print('babel' in sys.modules)"
    )
    env = dict(os.environ, DIARY_CACHE_DIR=str(tmp_path))
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]
