"""Both command lines speak the user's language: their help, argparse's own words and errors."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable

import pytest

from api_client import i18n
from api_client.cli_text import choose


def _run(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def _mains() -> dict[str, Callable[[list[str]], int]]:
    from demo_server.cli import main as server_main
    from diary_tui.cli import main as diary_main

    return {"diary-server": server_main, "diary": diary_main}


HELPS = [("diary-server", ["--help"]), ("diary", ["--help"]), ("diary", ["admin", "--help"])]
ENGLISH = re.compile(r"\b(the|and|of|show|usage|options|help message|account|error)\b")


@pytest.mark.parametrize(("command", "argv"), HELPS)
def test_help_in_russian_has_no_english_words(
    command: str, argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIARY_LANG", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    try:
        code, out, _err = _run(_mains()[command], argv)
    finally:
        i18n.set_language("en")
    assert code == 0
    assert "использование:" in out and "параметры:" in out
    assert "показать эту справку и выйти" in out
    # Option and command names aside, no English word is left.
    words = re.sub(r"(--?[\w-]+|https?://\S+|\b[A-Z_]{2,}\b|[\w.]+\.(md|csv|key|org))", "", out)
    assert not ENGLISH.findall(words), out


@pytest.mark.parametrize(("command", "argv"), HELPS)
def test_help_in_english(command: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIARY_LANG", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, out, _err = _run(_mains()[command], argv)
    assert code == 0 and "usage:" in out and "show this help message and exit" in out


def test_an_error_in_each_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIARY_LANG", raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    try:
        code, _out, err = _run(_mains()["diary-server"], ["nonsense"])
        assert code == 2 and "ошибка: аргумент КОМАНДА: недопустимое значение" in err
        code, _out, err = _run(_mains()["diary"], ["admin", "users", "--role", "king"])
        assert code == 2 and "недопустимое значение: 'king'" in err
        code, _out, err = _run(_mains()["diary"], ["--lang", "en", "admin", "move"])
        assert code == 2 and "the following arguments are required" in err
    finally:
        i18n.set_language("en")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, _out, err = _run(_mains()["diary-server"], ["nonsense"])
    assert code == 2 and "error: argument COMMAND: invalid choice" in err


def test_the_language_is_the_flag_then_diary_lang_then_the_locale() -> None:
    assert choose(["--lang", "en"], {"DIARY_LANG": "ru", "LANG": "ru_RU.UTF-8"}) == "en"
    assert choose(["admin", "--lang=ru"], {}) == "ru"
    assert choose([], {"DIARY_LANG": "ru", "LANG": "en_GB.UTF-8"}) == "ru"
    assert choose([], {"LC_ALL": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}) == "ru"
    assert choose([], {"LANG": "C.UTF-8"}) == "en"
