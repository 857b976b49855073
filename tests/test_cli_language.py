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


RU_ENGLISH = re.compile(
    r"\b(created|changed|unchanged|skipped|refused|line|login|warning|write|writes|wait|mark|"
    r"marks|absence|update|change|changes|why|pupil|When|Who|Dry run|Import)\b"
)


def test_reports_and_summaries_in_russian() -> None:
    """The import and set-up import reports, the audit table's headings and count line, the
    broken record's "what", the unsent-writes summary of diary logout: all were English."""
    import datetime as dt

    from api_client import names
    from api_client.models import (
        AuditEntry,
        ImportAction,
        RosterImportReport,
        RosterImportRow,
        SetupImportReport,
        SetupImportRow,
        decode,
        encode,
    )
    from diary_tui.admin_cli import Env, print_report, print_setup_report
    from diary_tui.audit_cli import count_line, table
    from diary_tui.sync import describe_unsent

    roster = RosterImportReport(
        dry_run=True,
        applied=False,
        encoding="utf-8",
        created=1,
        refused=1,
        rows=[
            RosterImportRow(line=2, action=ImportAction.CREATED, name="Ким Вера", login="kim.v"),
            RosterImportRow(line=3, action=ImportAction.REFUSED, name="Ли Ан"),
        ],
    )
    setup = SetupImportReport(
        kind="rooms",
        dry_run=False,
        applied=True,
        created=1,
        rows=[SetupImportRow(line=2, action=ImportAction.CREATED, what="101", column="name")],
    )
    entry = decode(
        encode(
            {
                "id": 1,
                "at": "2026-11-25T07:30:00Z",
                "actor": "Анна Петрова",
                "action": "update",
                "entity": "mark",
                "entity_id": 1786,
                "before": {"value": 4},
                "after": {"value": 5},
                "reason": "ошибка",
            }
        ),
        AuditEntry,
    )
    with i18n.using("ru"):
        out = io.StringIO()
        env = Env(out=out)
        print_report(roster, "roster.csv", env)
        print_setup_report(setup, "rooms.csv", env)
        text = out.getvalue()
        assert "Пробный импорт roster.csv (utf-8): создано 1" in text
        assert "строка 2: создано — Ким Вера, логин kim.v" in text
        assert "Импорт rooms rooms.csv" in text and "строка 2, столбец name" in text
        audit = "\n".join(table([entry], dt.UTC)) + "\n" + count_line(1, False, False)
        assert "Когда" in audit and "причина: ошибка" in audit and "1 изменение" in audit
        assert "25.11.2026 07:30" in audit
        what = names.audit_record("update", "mark", 1786)
        assert what == "изменение оценки № 1786"
        unsent = describe_unsent(["mark.create", "mark.create"], ["absence.create"])
        assert unsent == (
            "2 изменения ждут отправки: 2 оценки; 1 отклонено сервером и ещё не разобрано: "
            "1 пропуск"
        )
        for said in (text, audit, what, unsent):
            assert not RU_ENGLISH.search(said.replace("utf-8", "")), said
    with i18n.using("en"):
        assert names.audit_record("update", "mark", 1786) == "change to mark No. 1786"
        assert describe_unsent(["mark.create"], []) == "1 write waits to be sent: 1 mark"
