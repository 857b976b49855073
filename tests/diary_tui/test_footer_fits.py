"""At 80x24 every screen's footer shows its way out (the quit key, or a modal's close key).

Textual's footer scrolled the keys that did not fit out of sight, so the week after signing
(seven keys) and the grades lost their quit key at 80 columns. Every screen a role can open is
rendered at 80x24 and the footer row is read cell by cell: a key that is drawn is one a user
can see.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from litestar import Litestar
from textual.widgets._footer import FooterKey

from diary_tui.app import DiaryApp
from diary_tui.navigation import destinations_for
from diary_tui.widgets.footer import fitting
from screens.base import DiaryScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    log_in,
    make_app,
    open_screen,
    password_of,
    settled,
    signed_in,
    wait_for,
)

SIZE = (80, 24)


def footer_row_actions(app: DiaryApp) -> set[str]:
    """The actions of the footer keys drawn on the screen's last row."""
    screen = app.screen
    y = screen.size.height - 1
    found: set[str] = set()
    for x in range(screen.size.width):
        try:
            widget, _region = screen.get_widget_at(x, y)
        except Exception:
            continue
        if isinstance(widget, FooterKey):
            found.add(widget.action)
    return found


def arrived(app: DiaryApp, name: str) -> bool:
    screen = app.screen
    return isinstance(screen, DiaryScreen) and name == screen.NAME and settled(screen)


async def drawn_footer(app: DiaryApp, pilot: Any) -> set[str]:
    """The footer's actions once it is drawn (it is composed after the screen's bindings)."""
    await wait_for(pilot, lambda: len(footer_row_actions(app) - {"command_palette"}) > 0)
    await pilot.pause(0.1)
    return footer_row_actions(app)


async def visit_all(app: DiaryApp, pilot: Any, seen: dict[str, set[str]], who: str) -> None:
    for destination in destinations_for(app.data.me, app.available_screens()):
        await open_screen(pilot, destination.name)
        await wait_for(pilot, partial(arrived, app, destination.name))
        seen[f"{who}:{destination.name}"] = await drawn_footer(app, pilot)


@sqlite_only
@pytest.mark.parametrize("login", ["parent", "teacher", "admin", "it", "nurse"])
async def test_every_screen_shows_its_quit_key_at_80x24(
    app: Litestar, demo: Any, login: str
) -> None:
    diary = make_app(app, login=login)
    seen: dict[str, set[str]] = {}
    async with diary.run_test(size=SIZE) as pilot:
        await log_in(pilot, login, password_of(demo, login))
        await wait_for(pilot, lambda: signed_in(diary))
        await visit_all(diary, pilot, seen, login)
        if login == "parent":
            # Signing adds "v Changes": the week's footer then has its most keys.
            diary.go("week")
            await wait_for(pilot, partial(arrived, diary, "week"))
            await pilot.press("s")
            await pilot.pause(0.2)
            await pilot.press("y")
            screen = diary.screen
            await wait_for(
                pilot,
                lambda: (
                    getattr(screen, "_shown_signature", lambda: None)() is not None
                    and settled(screen)
                ),
            )
            await wait_for(pilot, lambda: "show_changes" in footer_row_actions(diary))
            seen["parent:week signed"] = await drawn_footer(diary, pilot)
    assert seen
    quit_actions = {"app.quit", "quit"}
    missing = {where: actions for where, actions in seen.items() if not actions & quit_actions}
    assert not missing, missing


def test_keys_that_do_not_fit_leave_room_for_quit_and_help() -> None:
    from textual.binding import Binding

    entries = [
        (Binding("f1", "help", "Help"), "f1", True),
        *((Binding(k, f"do_{k}", f"Something {k}"), k, True) for k in "abcdefgh"),
        (Binding("q", "app.quit", "Quit"), "q", True),
    ]
    chosen, compact = fitting(entries, 40)
    actions = [b.action for b, _k, _e in chosen]
    assert compact
    assert actions[0] == "help" and actions[-1] == "app.quit"
    assert sum(len(k) + len(b.description) + 2 for b, k, _e in chosen) <= 40
    # Room enough: nothing is left out, nothing is squeezed.
    assert fitting(entries, 400) == (entries, False)


def test_no_screen_draws_textual_s_own_footer() -> None:
    """Every footer is the one that fits (a screen added later included)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*(root / "screens").rglob("*.py"), *(root / "diary_tui").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Footer":
                offenders.append(str(path.relative_to(root)))
    assert not offenders
