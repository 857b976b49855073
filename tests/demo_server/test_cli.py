"""The ``diary-server`` command: one clear line and an exit status for every failure."""

from __future__ import annotations

import pytest

from demo_server.cli import main
from tests.conftest import generator_available, sqlite_only


def test_migrate(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--db", db_url]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("mysql://u@h/db", 2, "not supported"),
        ("not a url at all", 2, "not a database URL"),
        ("sqlite:////proc/no-such-dir/x.sqlite3", 1, "cannot use the database"),
        ("postgresql://nobody@127.0.0.1:1/nothing", 1, "cannot use the database"),
    ],
)
def test_bad_databases_give_one_line(
    url: str, code: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--db", url]) == code
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["init-demo", "--today", "2026-13-01"])
    assert exc.value.code == 2
    assert "'2026-13-01' is not a day of the calendar" in capsys.readouterr().err


@sqlite_only
@pytest.mark.skipif(not generator_available(), reason="no demo school generator")
def test_init_demo_refuses_a_school_then_force_replaces_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["init-demo", "--db", db_url, "--size", "small", "--today", "2026-11-25"]
    assert main(args) == 0
    out = capsys.readouterr().out
    for login in ("parent", "pupil", "teacher", "classteacher", "admin", "it"):
        assert login in out
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_forwarded_allow_ips_must_be_addresses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--forwarded-allow-ips", "10.0.0.1,proxy.lan"])
    assert exc.value.code == 2
    assert "'proxy.lan' is not an IP address" in capsys.readouterr().err


def test_diary_today_freezes_the_schools_today(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from demo_server.settings import TODAY_ENV, ServerSettings

    monkeypatch.setenv(TODAY_ENV, "2026-11-25")
    frozen = ServerSettings().today
    assert frozen is not None and frozen() == dt.date(2026, 11, 25)
    monkeypatch.delenv(TODAY_ENV)
    assert ServerSettings().today is None  # each school's own date, never the machine's


def test_a_mistyped_diary_today_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DIARY_TODAY", "25.11.2026")
    assert main(["init-demo", "--db", "sqlite:///:memory:", "--size", "small"]) == 1
    err = capsys.readouterr().err
    assert "DIARY_TODAY" in err and "YYYY-MM-DD" in err and err.count("\n") == 1
