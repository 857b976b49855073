"""The set-up screen's groups, teaching and timetable sections (IT staff), over the district
school (today Wednesday 25 November 2026; 5А with ``pupil`` Соколов Миша and ``mover``): a group
made with its teacher and pupils, a refusal that keeps the form, a timetable row added in the
grid, ended from a day on and the lessons made again, each saying what it did to the lessons."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from diary_tui.app import DiaryApp
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.setup import SetupScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import make_app, wait_for
from tests.diary_tui.test_setup_screen import cells, fill, idle, open_setup, section


@pytest.fixture
def school_kind() -> str:
    return "district"


def detail_text(diary: DiaryApp) -> str:
    screen = diary.screen
    assert isinstance(screen, DetailScreen)
    return str(screen.query_one(Static).visual)


@sqlite_only
async def test_groups_teaching_and_the_timetable_grid(app: Litestar, demo: Any) -> None:
    diary = make_app(app, login="it")
    async with diary.run_test(size=(120, 40)) as pilot:
        screen = await open_setup(pilot, diary, demo)
        await section(pilot, screen, "groups")
        title = str(screen.query_one("#setup-title", Static).visual)
        assert "class 5А" in title
        # A group of 5А for maths, with its teacher and a pupil.
        await pilot.press("n")
        await fill(
            pilot,
            diary,
            {
                "subject": "математика",
                "name": "гр. 1",
                "teacher": "Смирнова Анна",
                "pupils": "Соколов Миша",
                "on": "23.11.2026",
            },
        )
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "гр. 1" in cells(screen) and "Соколов Миша" in cells(screen))
        # The same name again: refused in the form, which keeps what was typed.
        await pilot.press("n")
        form = await fill(
            pilot, diary, {"subject": "Математика", "name": "гр. 1", "teacher": "", "pupils": "",
                           "on": ""}
        )  # fmt: skip
        problem = form.query_one("#form-problem", Static)
        await wait_for(pilot, lambda: "already has a group" in str(problem.visual))
        assert form.query_one("#form-name", Input).value == "гр. 1"
        # A teacher nobody is called: the same words as ``diary admin setup`` (one lookup in
        # the data layer), beside the form that keeps what was typed.
        form = await fill(pilot, diary, {"name": "гр. 3", "teacher": "Никитин Олег"})
        await wait_for(pilot, lambda: "no teacher of the school" in str(problem.visual))
        assert "Никитин Олег: no teacher of the school has this login or name" in str(
            problem.visual
        )
        assert form.query_one("#form-teacher", Input).value == "Никитин Олег"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
        # Teaching: the group's teacher was given the assignment.
        await section(pilot, screen, "assignments")
        await wait_for(pilot, lambda: "гр. 1" in cells(screen))
        # The timetable: a row on Thursday's bell 3, and what it made.
        await section(pilot, screen, "timetable")
        await pilot.press("n")
        await fill(
            pilot,
            diary,
            {
                "weekday": "4",
                "number": "3",
                "subject": "Математика",
                "teacher": "teacher",
                "room": "301",
                "group": "гр. 1",
                "weeks": "",
                "from": "23.11.2026",
            },
        )
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        assert "Lessons from 23.11.2026: 5 made" in detail_text(diary)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        cell = str(getattr(table.get_cell_at(Coordinate(0, 4)), "plain", ""))
        assert cell.splitlines()[0] == "Математика" and "301 · гр. 1" in cell
        assert "Смирнова" in cell
        # x on the cell ends the row from the day given; the report says what went.
        table.focus()
        table.move_cursor(row=0, column=4)
        await pilot.press("x")
        await fill(pilot, diary, {"from": "10.12.2026"})
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        assert "3 taken away" in detail_text(diary)  # 10, 17, 24 December
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        # g makes the lessons again: nothing left to change.
        await pilot.press("g")
        await fill(pilot, diary, {"from": "01.12.2026"})
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        assert "0 made, 0 taken away" in detail_text(diary)
        await pilot.press("escape")
        # Retiring a group asks first.
        await section(pilot, screen, "groups")
        await wait_for(pilot, lambda: bool(screen.rows))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: idle(screen) and "retired" in cells(screen))
