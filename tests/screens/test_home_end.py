"""Home and End move the cursor to the first and the last row of every table of the app.

A plain ``DataTable`` binds Home and End to the leftmost and rightmost *column*: in a table
with a row cursor they only scroll sideways, which in a table as wide as the screen does
nothing (the set-up screen's End did nothing). Tables of rows are ``RowTable``s; a table of
cells defines where Home and End go. This walks every screen's source for a table made
otherwise, and presses the keys on the set-up screen, which had one."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import screens
from diary_tui.widgets import RowTable
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose, make_app, wait_for
from tests.diary_tui.test_setup_screen import idle, open_setup, section

SCREENS = Path(screens.__file__).parent


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def tables_without_home_and_end() -> list[str]:
    found: list[str] = []
    for path in sorted(SCREENS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SCREENS.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and _name(node.func) == "DataTable":
                found.append(f"{where}: a plain DataTable (use RowTable)")
            if isinstance(node, ast.ClassDef) and any(
                _name(base) == "DataTable" for base in node.bases
            ):
                own = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
                if not {"action_scroll_home", "action_scroll_end"} <= own:
                    found.append(f"{where}: {node.name} leaves Home and End to DataTable")
    return found


def test_every_table_of_the_screens_moves_its_cursor_with_home_and_end() -> None:
    assert tables_without_home_and_end() == []


def test_the_walk_finds_a_plain_table(tmp_path: Path) -> None:
    source = "from textual.widgets import DataTable\nx = DataTable(cursor_type='row')\n"
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert [_name(c.func) for c in calls] == ["DataTable"]


@sqlite_only
async def test_home_and_end_move_the_cursor_in_every_set_up_table(app: Any, demo: Any) -> None:
    diary = make_app(app, login=None)
    async with diary.run_test(size=(120, 36)) as pilot:
        screen = await open_setup(pilot, diary, demo)
        tried = 0
        for name in ("subjects", "rooms", "classes", "periods", "assignments", "timetable"):
            await section(pilot, screen, name)
            table = screen.query_one("#setup-table", RowTable)
            await wait_for(pilot, lambda: idle(screen))
            if table.row_count < 2:
                continue
            tried += 1
            await pilot.press("end")
            await pilot.pause()
            assert table.cursor_row == table.row_count - 1, name
            await pilot.press("home")
            await pilot.pause()
            assert table.cursor_row == 0, name
        assert tried >= 3
    await dispose(app)
