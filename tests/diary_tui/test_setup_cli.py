"""``diary admin setup ...``: a school set up by hand from an empty ``diary-server init``
school, with commands only, against the real server in-process."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from api_client import i18n
from demo_server.cli import main as server_main
from diary_tui.admin_cli import Env, run_admin
from diary_tui.cli import build_parser
from diary_tui.setup_cli import ORDER, bell, class_name, day, weekdays
from tests.conftest import asgi_transport, frozen_settings, server_app
from tests.diary_tui.test_admin_cli import Answers, fits

SERVER = "http://diary.test"
TODAY = dt.date(2026, 8, 20)
NEW_PASSWORD = "Ключ-от-школы-2026"


@pytest.fixture
def school(db_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """``run(*words)`` runs ``diary admin setup WORDS`` as the first IT account of a school
    that ``diary-server init`` just made in an empty database."""
    code = server_main(
        ["init", "--db", db_url, "--school", "МБОУ «Школа № 7»", "--timezone", "Europe/Moscow"]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    login = re.search(r"login:\s+(\S+)", printed)
    password = re.search(r"password:\s+(\S+)", printed)
    assert login and password
    secrets = [password[1], NEW_PASSWORD, NEW_PASSWORD]

    def run(*words: str, lang: str = "en") -> tuple[int, str, str]:
        nonlocal secrets
        out, err = io.StringIO(), io.StringIO()
        settings = frozen_settings(TODAY)
        app = server_app(db_url, settings, slot="command")
        env = Env(
            today=settings.today,
            now=settings.now,
            transport=asgi_transport(app),
            use_keyring=False,
            ask=Answers([]),
            ask_secret=Answers(secrets),
            out=out,
            err=err,
        )
        secrets = [NEW_PASSWORD]
        argv = ["--server", SERVER, "--login", login[1], "admin", "setup", *words]
        result: list[int] = []
        failures: list[BaseException] = []

        def target() -> None:
            try:
                with i18n.using(lang):
                    args: argparse.Namespace = build_parser().parse_args(argv)
                    result.append(run_admin(args, env))
            except BaseException as exc:
                failures.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        asyncio.run(app.state["server"].engine.dispose(close=False))
        if failures:
            raise failures[0]
        return result[0], out.getvalue(), err.getvalue()

    yield run


def ok(answer: tuple[int, str, str]) -> str:
    code, out, err = answer
    assert code == 0, err
    assert fits(out), out
    return out


def refused(answer: tuple[int, str, str]) -> str:
    code, out, err = answer
    assert code == 1, (out, err)
    return err


def test_a_school_is_set_up_with_commands_only(school: Any) -> None:
    run = school
    assert "МБОУ «Школа № 7»" in ok(run("school"))
    assert "Europe/Samara" in ok(run("school", "--timezone", "Europe/Samara"))
    err = refused(run("school", "--timezone", "Moon/Base"))
    assert "--timezone Moon/Base:" in err
    ok(run("school", "--timezone", "Europe/Moscow"))

    # The year and its quarters, dates as Russian schools write them and ISO.
    ok(run("year", "add", "2026/2027", "01.09.2026", "2027-05-31"))
    quarters = [
        ("01.09.2026", "25.10.2026"),
        ("05.11.2026", "28.12.2026"),
        ("12.01.2027", "22.03.2027"),
        ("01.04.2027", "31.05.2027"),
    ]
    for number, (start, end) in enumerate(quarters, 1):
        ok(run("period", "add", "quarter", str(number), start, end))
    out = ok(run("periods"))
    assert "1  1 четверть" in out and "4  4 четверть" in out and "31.05.2027" in out
    # A period overlapping another is refused naming the date as typed.
    err = refused(run("period", "add", "quarter", "5", "20.03.2027", "30.03.2027"))
    assert err.startswith("diary admin setup: FROM 20.03.2027:") or "FROM 20.03.2027" in err
    assert "3 четверть" in err
    ok(run("period", "change", "2", "--to", "27.12.2026"))
    assert "27.12.2026" in ok(run("periods"))

    # Holidays: a break and a day off; one day removed again.
    out = ok(run("holiday", "add", "29.12.2026", "11.01.2027", "--name", "Зимние каникулы"))
    assert "14" in out
    ok(run("holiday", "add", "23.02.2027", "--name", "День защитника Отечества"))
    ok(run("holiday", "add", "24.02.2027", "25.02.2027"))
    assert "Removed 2 days off" in ok(run("holiday", "remove", "24.02.2027", "25.02.2027"))
    out = ok(run("holidays"))
    assert "29.12.2026 – 11.01.2027" in out and "Зимние каникулы" in out
    assert "24.02.2027" not in out
    err = refused(run("holiday", "add", "01.08.2027"))
    assert "FROM 01.08.2027" in err
    assert "2026/2027    01.09.2026 – 31.05.2027  4 periods, 15 holidays" in ok(run("years"))

    # A bell schedule for the weekdays, a Saturday one, and a shortened day.
    bells = ["1=08:30-09:15", "2=09:25-10:10", "3=10:30-11:15", "4=11:25-12:10"]
    ok(run("bell", "add", "Основное", *bells, "--weekdays", "mon-fri"))
    err = refused(run("bell", "add", "Суббота", "1=09:00-09:40", "2=09:30-10:10"))
    assert "BELL 2=09:30-10:10:" in err
    ok(run("bell", "add", "Суббота", "1=9:00-9:40", "2=9:50-10:30", "--weekdays", "sat"))
    ok(run("bell", "add", "Сокращённый", "1=08:30-09:00", "2=09:10-09:40"))
    ok(run("bell", "day", "30.12.2026", "Сокращённый"))
    out = ok(run("bells"))
    assert "Основное  [mon,tue,wed,thu,fri]  (main)" in out
    assert "1=09:00-09:40" in out and "Dates: 30.12.2026" in out
    err = refused(run("bell", "add", "Ещё", "1=08:00-08:40", "--weekdays", "fri"))
    assert "--weekdays fri:" in err and "Основное" in err

    # Four subjects, a room, a duplicate refused.
    for name in ("Математика", "Русский язык", "Литература", "Английский язык"):
        ok(run("subject", "add", name))
    err = refused(run("subject", "add", "математика"))
    assert "NAME математика:" in err
    ok(run("subject", "change", "Литература", "--name", "Литературное чтение"))
    assert "4 subjects." in ok(run("subjects"))
    ok(run("room", "add", "301", "--capacity", "30", "--note", "кабинет математики"))
    assert "301" in ok(run("rooms"))

    # Two classes; a class teacher who is no teacher is named as typed.
    ok(run("class", "add", "5а"))
    ok(run("class", "add", "6 Б"))
    err = refused(run("class", "add", "5А"))
    assert "CLASS 5А:" in err
    code, _out, err = run("class", "add", "7В", "--teacher", "nobody.here")
    assert code == 2 and "--teacher nobody.here:" in err
    out = ok(run("classes"))
    assert "5А" in out and "6Б" in out and "2 classes." in out
    ok(run("class", "retire", "6Б"))
    assert "(retired)" in ok(run("classes"))
    ok(run("class", "retire", "6Б", "--undo"))


def test_refusals_speak_russian_and_a_stale_change_is_refused(school: Any) -> None:
    run = school
    ok(run("year", "add", "2026/2027", "01.09.2026", "31.05.2027"))
    err = refused(run("year", "add", "2027", "01.09.2027", "31.08.2027", lang="ru"))
    assert "FROM" not in err or "01.09.2027" in err
    err = refused(run("year", "change", "2026/2027", "--to", "01.08.2026", lang="ru"))
    assert "--to 01.08.2026:" in err
    code, _out, err = run("periods", "--year", "1999")
    assert code == 2 and "--year 1999" in err and "2026/2027" in err


def test_words_as_typed() -> None:
    assert day("01.09.2026") == day("2026-09-01") == dt.date(2026, 9, 1)
    assert day("1.9.2026") == dt.date(2026, 9, 1)
    with pytest.raises(argparse.ArgumentTypeError, match="not a day of the calendar"):
        day("31.02.2026")
    assert weekdays("mon-fri") == [0, 1, 2, 3, 4]
    assert weekdays("пн,ср,сб") == [0, 2, 5]
    with pytest.raises(argparse.ArgumentTypeError):
        weekdays("fri-mon")
    assert bell("1=8:30-9:15") == (1, "08:30", "09:15")
    with pytest.raises(argparse.ArgumentTypeError, match=r"1=08:30-09:15"):
        bell("08:30-09:15")
    assert class_name("5 а") == (5, "а") and class_name("10-Б") == (10, "Б")


def test_the_setup_help_lists_the_commands_in_a_schools_order() -> None:
    parser = build_parser()
    admin = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        "admin"
    ]
    setup = next(a for a in admin._actions if isinstance(a, argparse._SubParsersAction)).choices[
        "setup"
    ]
    shown = [
        action.dest
        for a in setup._actions
        if isinstance(a, argparse._SubParsersAction)
        for action in a._choices_actions
    ]
    known = [name for name in shown if name in ORDER]
    assert known == sorted(known, key=ORDER.index)
    assert shown[:3] == ["school", "years", "year"] and "classes" in shown


def test_typed_of_names_each_field_as_it_was_typed() -> None:
    """``Typed.of``: a field is named by its option and the value typed, a day as people
    write it; a field not named stays unnamed."""
    import argparse
    import datetime as dt

    from diary_tui.setup_cli import Typed

    args = argparse.Namespace(start=dt.date(2026, 9, 1), name="Осенние каникулы", number=2)
    typed = Typed.of(args, start="FROM", name="--name")
    assert typed.name("start") == "FROM 01.09.2026"
    assert typed.name("name") == "--name Осенние каникулы"
    assert typed.name("number") is None
