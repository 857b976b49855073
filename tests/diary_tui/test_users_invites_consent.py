"""The accounts screen's invite codes, class slips and the consent list (the IT staff), the app
against the real server in-process over the mini school."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from textual.widgets import DataTable, Input, Static

from screens.dialogs.form import FormScreen
from screens.dialogs.invites import InviteShown, ResetQuestion
from screens.users import AskFields, UsersScreen
from screens.users_consent import ConsentHistoryScreen, ConsentListScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, record_notes, wait_for


@pytest.fixture
def school_kind() -> str:
    return "mini"


def text_of(widget: Static) -> str:
    visual = widget.visual
    return str(getattr(visual, "plain", visual))


async def on_users(pilot: Any, diary: Any, demo: Any, login: str) -> UsersScreen:
    await log_in(pilot, "it", demo.password)
    await wait_for(pilot, lambda: isinstance(diary.screen, UsersScreen))
    screen = diary.screen
    assert isinstance(screen, UsersScreen)
    await wait_for(pilot, lambda: len(screen.users) > 5 and not screen.workers)
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(demo.ids[login])))
    return screen


@sqlite_only
async def test_an_invite_code_and_a_class_slips_file_codes_only_unless_agreed(
    app: Litestar, demo: Any, tmp_path: Path
) -> None:
    diary = make_app(app, login="it")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await on_users(pilot, diary, demo, "stranger")
        stranger = screen.users[demo.ids["stranger"]]
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, InviteShown))
        shown = diary.screen
        assert isinstance(shown, InviteShown)
        said = text_of(shown.query_one("#invite-shown-text", Static))
        assert shown.issued.code in said and stranger.first_name in said
        assert "F2 (Register)" in said and "no password was changed" in said
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)
        # The class slips: the question names the count; n gives invite codes only.
        notes = record_notes(diary)
        target = tmp_path / "slips.txt"
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskFields))
        form = diary.screen
        assert stranger.class_ is not None
        assert form.query_one("#f-class", Input).value == stranger.class_.name
        form.query_one("#f-file", Input).value = str(target)
        form.query_one("#f-file", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ResetQuestion))
        question = diary.screen
        assert isinstance(question, ResetQuestion)
        n = question.plan.accounts
        assert n > 0 and f"{n} accounts" in str(question.question)
        await pilot.press("n")
        await wait_for(pilot, lambda: target.exists() and any("written" in x for x in notes))
        assert "one-time password" not in " ".join(notes)
        # y resets exactly the count asked about.
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskFields))
        diary.screen.query_one("#f-file", Input).value = str(target)
        diary.screen.query_one("#f-file", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ResetQuestion))
        await pilot.press("y")
        await wait_for(pilot, lambda: any(f"{n} new one-time passwords" in x for x in notes))
    await dispose(app)


@sqlite_only
async def test_the_consent_list_counts_filters_and_records_a_paper_form(
    app: Litestar, demo: Any
) -> None:
    diary = make_app(app, login="it")
    async with diary.run_test(size=(100, 30)) as pilot:
        await on_users(pilot, diary, demo, "stranger")
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConsentListScreen))
        listed = diary.screen
        assert isinstance(listed, ConsentListScreen)
        counts = listed.query_one("#consent-counts", Static)
        await wait_for(pilot, lambda: "given 1" in text_of(counts))
        assert "none 1" in text_of(counts)
        listed.query_one("#consent-state").value = "none"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: set(listed.parents) == {demo.ids["other_parent"]})
        table = listed.query_one(DataTable)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConsentHistoryScreen))
        history = diary.screen
        shown = history.query_one("#consent-history", Static)
        await wait_for(pilot, lambda: "No consent or withdrawal recorded" in text_of(shown))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        form = diary.screen
        form.query_one("#form-signed_on", Input).value = "30.11.2026"  # after today: refused
        await pilot.press("ctrl+s")
        problem = form.query_one("#form-problem", Static)
        await wait_for(pilot, lambda: "Saving" not in text_of(problem) and text_of(problem) != "")
        assert diary.screen is form  # kept open with what was typed
        form.query_one("#form-signed_on", Input).value = "20.11.2026"
        form.query_one("#form-note", Input).value = "папка 7В"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: diary.screen is history)
        await wait_for(pilot, lambda: "on paper, signed 20.11.2026" in text_of(shown))
        assert "папка 7В" in text_of(shown)
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is listed)
        await wait_for(pilot, lambda: "given 2" in text_of(counts) and not listed.parents)
    await dispose(app)
