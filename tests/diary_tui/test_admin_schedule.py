"""``diary admin setup groups|group|assignments|assignment|timetable`` against the real server
in-process.

The district school: the mini school (today Wednesday 25 November 2026; 5А with ``pupil``
Соколов Миша and, from this Wednesday, ``mover`` Новиков Дима; teachers ``teacher`` Смирнова
Анна, ``teacher2`` Козлов Пётр, ``classteacher`` Иванова Ольга) with its second quarter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from demo_server import schema as s
from tests.demo_server.journal_support import fetch_all
from tests.demo_server.test_schedule import _add_mark
from tests.diary_tui.test_admin_cli import admin, fits, run

__all__ = ["run"]


@pytest.fixture
def school_kind() -> str:
    return "district"


def setup(*words: str) -> list[str]:
    return admin("setup", *words)


def split_5a(run: Any) -> None:
    code, out, err = run(
        setup(
            "group", "new", "5a", "гр. 1", "--subject", "математика",
            "--teacher", "Смирнова Анна", "--pupil", "Соколов Миша", "--from", "23.11.2026",
        )
    )  # fmt: skip
    assert code == 0, err
    assert "5А Математика, гр. 1: Смирнова А. П." in out and "Соколов Миша" in out
    code, out, err = run(
        setup(
            "group", "new", "5А", "гр. 2", "--subject", "Математика",
            "--teacher", "teacher2", "--pupil", "mover", "--from", "2026-11-25",
        )
    )  # fmt: skip
    assert code == 0, err


def group_lesson_on(url: str, day: dt.date) -> int:
    rows = asyncio.run(
        fetch_all(
            url, select(s.Lesson.id).where(s.Lesson.group_id.is_not(None), s.Lesson.date == day)
        )
    )
    return int(sorted(rows)[0][0])


def test_groups_assignments_and_a_week_of_the_timetable(run: Any, demo: Any, demo_url: str) -> None:
    split_5a(run)
    code, out, err = run(setup("groups", "--class", "5А"))
    assert code == 0, err
    assert "гр. 1" in out and "гр. 2" in out and "Новиков Дима" in out and "2 groups." in out
    assert fits(out)
    # The groups' teachers were given their assignments.
    code, out, _ = run(setup("assignments", "--class", "5А"))
    assert code == 0 and "5А (гр. 1)" in out and "5А (гр. 2)" in out and fits(out)

    for group, teacher, room in (("гр. 1", "teacher", "301"), ("гр. 2", "Козлов Пётр", "302")):
        code, out, err = run(
            setup(
                "timetable", "add", "5А", "чт", "3", "--subject", "Математика",
                "--teacher", teacher, "--room", room, "--group", group, "--from", "23.11.2026",
            )
        )  # fmt: skip
        assert code == 0, err
        assert "5А, Thursday, from 23.11.2026:" in out
        assert "Lessons from 23.11.2026: 5 made" in out  # 26 Nov to 24 Dec, Thursdays
    # A teacher in two places at once: refused, naming the option as it was typed.
    code, out, err = run(
        setup(
            "timetable", "add", "6Б", "thursday", "3", "--subject", "Математика",
            "--teacher", "Смирнова Анна", "--room", "305", "--from", "23.11.2026",
        )
    )  # fmt: skip
    assert code == 1 and out == ""
    assert "--teacher Смирнова Анна: " in err and "already teaches" in err
    code, out, err = run(setup("timetable", "show", "5А"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "5А: the weekly timetable" and lines[1] == "Thursday"
    assert lines[2].split()[:2] == ["3", "Математика"] and "Смирнова" in lines[2]
    assert lines[2].endswith("301    гр. 1")
    assert "гр. 2" in lines[3] and "2 rows." in out and fits(out)

    # A mark on 3 December: moving group 1 to Friday from 1 December keeps that lesson and
    # says why.
    lesson_3dec = group_lesson_on(demo_url, dt.date(2026, 12, 3))
    asyncio.run(_add_mark(demo_url, lesson_3dec, demo.ids["pupil"], demo.ids["teacher"]))
    code, out, err = run(
        setup(
            "timetable", "change", "5А", "4", "3", "--group", "гр. 1", "--new-day", "пт",
            "--from", "01.12.2026",
        )
    )  # fmt: skip
    assert code == 0, err
    assert "5А, Friday, from 01.12.2026:" in out
    assert "3 taken away" in out and "4 made" in out
    assert "03.12.2026, lesson 3, 5А (гр. 1) Математика: it has marks" in out
    # Which row: two at Thursday's bell 3 before December, so the group is asked for.
    code, _, err = run(setup("timetable", "end", "5А", "чт", "3", "--from", "26.11.2026"))
    assert code == 2 and "give --group" in err
    code, out, err = run(
        setup("timetable", "end", "5А", "чт", "3", "--group", "гр. 2", "--from", "01.12.2026")
    )
    assert code == 0, err
    assert "The row is ended." in out and "4 taken away" in out
    code, out, err = run(setup("timetable", "generate", "--class", "5А", "--from", "01.12.2026"))
    assert code == 0, err
    assert "0 made, 0 taken away" in out and "03.12.2026, lesson 3" in out
    # A row that is not there is named as it was typed.
    code, _, err = run(setup("timetable", "end", "5А", "пн", "7", "--from", "01.12.2026"))
    assert code == 2 and "WEEKDAY N: 5А has no timetable row on Monday, lesson 7" in err


def test_group_changes_and_pupils(run: Any) -> None:
    split_5a(run)
    code, out, err = run(setup("group", "rename", "5А", "гр. 2", "гр. Б"))
    assert code == 0 and "5А Математика, гр. Б: Козлов П. И." in out, err
    code, _, err = run(setup("group", "rename", "5А", "гр. Б", "гр. 1"))
    assert code == 1 and "NAME гр. 1: " in err and "already has a group" in err
    code, out, err = run(setup("group", "teacher", "5А", "гр. Б", "teacher"))
    assert code == 0 and "гр. Б: Смирнова А. П." in out, err
    # A pupil of another class cannot join: said before anything is sent.
    code, _, err = run(setup("group", "add-pupils", "5А", "гр. 1", "Морозов Коля"))
    assert code == 2 and "Морозов Коля: no pupil of 5А has this login or name" in err
    code, _, err = run(setup("group", "teacher", "5А", "гр. Б", "Никитин Олег"))
    assert code == 2 and "Никитин Олег: no teacher of the school has this login or name" in err
    # The first name first and ё for е find the same person.
    code, out, err = run(setup("group", "teacher", "5А", "гр. Б", "петр  козлов"))
    assert code == 0 and "гр. Б: Козлов П. И." in out, err
    code, out, err = run(
        setup("group", "remove-pupils", "5А", "гр. 1", "pupil", "--from", "25.11.2026")
    )
    assert code == 0, err
    code, out, _ = run(setup("groups", "--class", "5А"))
    assert "гр. 1: Смирнова А. П." in out and "0 pupils" in out
    code, out, err = run(setup("group", "retire", "5А", "гр. Б"))
    assert code == 0 and "гр. Б (retired)" in out, err
    code, _, err = run(setup("group", "retire", "5А", "гр. 7"))
    assert code == 2 and "GROUP гр. 7: 5А has no such group (its groups: гр. 1" in err


def test_assignments_add_remove_and_refusals(run: Any) -> None:
    code, out, err = run(setup("assignment", "add", "Иванова Ольга", "6Б", "Математика"))
    assert code == 0 and "Teaches:" in out and "6Б" in out, err
    code, out, _ = run(setup("assignments", "--teacher", "classteacher"))
    assert code == 0 and "6Б" in out and "2 teaching assignments." in out
    code, out, err = run(setup("assignment", "remove", "classteacher", "6б", "математика"))
    assert code == 0 and "Removed:" in out, err
    code, _, err = run(setup("assignment", "remove", "classteacher", "6Б", "Математика"))
    assert code == 1 and "nothing to remove" in err
    code, _, err = run(setup("assignment", "add", "Петров Пётр", "6Б", "Математика"))
    assert code == 2 and "LOGIN|NAME Петров Пётр: no teacher of the school" in err
    code, _, err = run(setup("assignment", "add", "teacher", "6Б", "Пение"))
    assert code == 2 and "SUBJECT Пение: the school has no such subject" in err
    assert "Математика" in err
    code, _, err = run(setup("assignment", "add", "teacher", "9Я", "Пение"))
    assert code == 2 and "CLASS 9Я: there is no such class this year (its classes: 5А" in err
    # Taken away while the teacher has timetable rows for it: refused by the server.
    code, _, err = run(
        setup("timetable", "add", "6Б", "пн", "2", "--subject", "История", "--teacher", "teacher2",
              "--room", "305", "--from", "01.12.2026")
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(setup("assignment", "remove", "teacher2", "6Б", "История"))
    assert code == 1 and err.startswith("diary admin setup: LOGIN|NAME teacher2: ")


def test_a_bad_weekday_or_date_is_a_usage_error(run: Any, capsys: Any) -> None:
    for bad in (["funday", "1"], ["пн", "1", "--from", "31.02.2026"]):
        with pytest.raises(SystemExit) as exc:
            run(setup("timetable", "end", "5А", *bad))
        assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "'funday' is not a day of the week" in err
