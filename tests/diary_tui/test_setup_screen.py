"""The set-up screen (IT staff): a subject, a room, a year and a class made with keys; a refusal
keeps the form open with what was typed and says why; retiring asks first; an import runs a
dry run before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from textual.widgets import DataTable, Input, OptionList, Static

from diary_tui.app import DiaryApp
from screens.dialogs.ask import AskText
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.setup import SetupScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, settled, signed_in, wait_for


def idle(screen: Any) -> bool:
    return not screen.workers


def cells(screen: SetupScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [
        str(getattr(c, "plain", c)) for row in range(table.row_count) for c in table.get_row_at(row)
    ]


async def open_setup(pilot: Any, diary: DiaryApp, demo: Any) -> SetupScreen:
    await log_in(pilot, "it", demo.password)
    # Logged in and home (the accounts screen) before going on: the set-up screen's first
    # load needs the session.
    await wait_for(pilot, lambda: signed_in(diary) and settled(diary.screen))
    diary.go("setup")
    await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
    screen = diary.screen
    assert isinstance(screen, SetupScreen)
    await wait_for(pilot, lambda: idle(screen) and bool(screen.rows))
    return screen


async def section(pilot: Any, screen: SetupScreen, name: str) -> None:
    options = screen.query_one("#setup-sections", OptionList)
    options.focus()
    index = next(
        n for n in range(options.option_count) if options.get_option_at_index(n).id == name
    )
    options.highlighted = index
    await wait_for(pilot, lambda: screen.section == name and idle(screen))
    screen.query_one(DataTable).focus()


async def fill(pilot: Any, diary: DiaryApp, values: dict[str, str]) -> FormScreen:
    await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
    form = diary.screen
    assert isinstance(form, FormScreen)
    for name, value in values.items():
        box = form.query_one(f"#form-{name}", Input)
        box.value = ""
        box.focus()
        await pilot.press(*value)
    await pilot.press("ctrl+s")
    return form


@sqlite_only
async def test_it_staff_set_up_subjects_rooms_years_and_classes(
    app: Litestar, demo: Any, tmp_path: Path
) -> None:
    diary = make_app(app, login="it")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, diary, demo)
        # A subject: n, the name, Ctrl+S; the table shows it.
        await section(pilot, screen, "subjects")
        await pilot.press("n")
        await fill(pilot, diary, {"name": "Астрономия"})
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "Астрономия" in cells(screen))
        # The same name again is refused in the form, which keeps what was typed.
        await pilot.press("n")
        form = await fill(pilot, diary, {"name": "астрономия"})
        problem = form.query_one("#form-problem", Static)
        await wait_for(
            pilot,
            lambda: (
                "астрономия".casefold() in str(problem.visual).casefold()
                or "already" in str(problem.visual)
            ),
        )
        assert isinstance(diary.screen, FormScreen)
        assert form.query_one("#form-name", Input).value == "астрономия"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
        # Retiring asks first.
        table = screen.query_one(DataTable)
        row = next(
            n for n, r in enumerate(screen.rows) if getattr(r.thing, "name", "") == "Астрономия"
        )
        table.move_cursor(row=row)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                idle(screen)
                and any(
                    getattr(r.thing, "name", "") == "Астрономия" and r.thing.retired
                    for r in screen.rows
                )
            ),
        )

        # A room; a bad seat count is said before anything is sent.
        await section(pilot, screen, "rooms")
        await pilot.press("n")
        form = await fill(pilot, diary, {"name": "305", "capacity": "many"})
        await wait_for(
            pilot, lambda: "whole number" in str(form.query_one("#form-problem", Static).visual)
        )
        form.query_one("#form-capacity", Input).value = "28"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "305" in cells(screen))

        # A class of the chosen year, with its class teacher by login.
        await section(pilot, screen, "classes")
        await pilot.press("n")
        await fill(pilot, diary, {"grade": "9", "letter": "я", "teacher": "teacher"})
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "9Я" in cells(screen))

        # An import is a dry run first: nothing is written before the yes.
        subjects = tmp_path / "subjects.csv"
        subjects.write_text("название\nИнформатика\nЧерчение\n", encoding="utf-8")
        await section(pilot, screen, "import")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskText))
        box = diary.screen.query_one(Input)
        box.value = str(subjects)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert "Черчение" not in cells(screen)
        await pilot.press("y")
        await section(pilot, screen, "subjects")
        await wait_for(pilot, lambda: "Черчение" in cells(screen))
    await dispose(app)
