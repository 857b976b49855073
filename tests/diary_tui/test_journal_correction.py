"""The administration corrects a closed year's journal from the app (issue 12): the journal
says the year is closed, the reason is asked once before the first change and sent with every
change of the visit (the status line shows it, R changes it), and the audit log keeps it; a
teacher sees the closed year read-only and is told why on screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import update
from textual.widgets import Input, Static

from api_client.models import API_PREFIX, AuditPage, decode
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.journal_model import CellState
from diary_tui.outbox_ops import AttachmentUploadOp, MarkCreateOp, TopicSetOp
from diary_tui.widgets import StatusLine
from screens.dialogs.ask import AskText
from screens.journal import JournalScreen
from screens.journal_dialogs import PickJournal
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import log_in, make_app, record_notes, wait_for
from tests.diary_tui.test_journal_screen import journal_screen, outbox_empty, under_cursor

REASON = "ошибка при переносе из бумажного журнала"


async def close_year(url: str) -> None:
    """Mark the demo school's years closed, as ``diary admin year close`` leaves them."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(s.AcademicYear).values(closed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
            )
    finally:
        await engine.dispose()


def title(screen: JournalScreen) -> str:
    return str(screen.query_one("#journal-title", Static).visual)


def status(screen: JournalScreen) -> str:
    return str(screen.query_one(StatusLine).visual)


async def open_as(pilot: Any, login: str) -> JournalScreen:
    await log_in(pilot, login, "demo")
    if login == "admin":
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "StatsScreen")
        await pilot.pause()
        await pilot.press("j")
    await wait_for(pilot, lambda: journal_screen(pilot.app) is not None)
    screen = journal_screen(pilot.app)
    assert screen is not None
    await pilot.pause()
    return screen


@sqlite_only
async def test_the_administration_corrects_a_closed_year_with_one_reason(
    app: Any, demo_url: str, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    await close_year(demo_url)
    tui = make_app(app, login=None)
    async with tui.run_test(size=(110, 30)) as pilot:
        screen = await open_as(pilot, "admin")
        journal = screen.journal
        assert journal is not None and journal.year_closed and journal.year
        assert screen.correcting and not screen.read_only
        assert f"{journal.year} is closed: corrections only with a reason" in title(screen)
        assert "corrections need a reason" in status(screen)
        grid = screen.grid()
        assert grid is not None and not grid.read_only
        lesson_id, pupil = under_cursor(grid)
        # The first change asks why; Esc sends nothing and takes the mark back.
        before = [m.value for m in grid.model.cell(pupil, lesson_id).marks]
        row, col = grid.row, grid.col
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
        await pilot.pause()
        assert [m.value for m in grid.model.cell(pupil, lesson_id).marks] == before
        assert tui.data.store is not None and tui.data.store.outbox_count() == 0
        # Again, with a reason: the mark is sent with it.
        grid.move_to(row, col)
        await pilot.press("5")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        tui.screen.query_one(Input).value = REASON
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
        await wait_for(pilot, lambda: outbox_empty(tui))
        mark = grid.model.cell(pupil, lesson_id).marks[-1]
        await wait_for(pilot, lambda: mark.state is CellState.SAVED)
        assert mark.value == 5 and mark.mark_id is not None
        assert f"reason: {REASON} (R changes it)" in status(screen)
        # The next change is not asked about: the same reason goes with it.
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(tui.screen, JournalScreen)
        await wait_for(pilot, lambda: outbox_empty(tui))
        # R changes the reason for what follows.
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        assert tui.screen.query_one(Input).value == REASON
        tui.screen.query_one(Input).value = "исправлено по заявлению родителей"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
        assert "исправлено по заявлению родителей" in status(screen)
        assert screen.correction_reason == "исправлено по заявлению родителей"

    # The audit log keeps the correction with its reason, by the administration.
    admin = await login_as(http, "admin")
    response = await http.get(
        f"{API_PREFIX}/audit", params={"entity": "mark", "limit": 10}, headers=admin
    )
    assert response.status_code == 200, response.text
    entries = decode(response.content, AuditPage).entries
    created = [e for e in entries if e.entity_id == mark.mark_id]
    assert created and created[0].reason == REASON and created[0].action == "create"
    assert sum(e.reason == REASON for e in entries) == 2


def test_every_journal_write_takes_the_correction_reason() -> None:
    """The outbox's journal writes all carry a reason: the one given replaces none."""
    from api_client.models import MarkCreate, TopicSet

    mark = MarkCreateOp(key="k", request=MarkCreate(lesson_id=1, pupil_id=2, value=5))
    topic = TopicSetOp(lesson_id=1, request=TopicSet(version=1, topic="Дроби"))
    upload = AttachmentUploadOp(lesson_id=1, name="лист.pdf", content=b"%PDF")
    for write in (mark, topic, upload):
        assert write.takes_reason and write.given_reason == ""
        assert write.with_reason(REASON).given_reason == REASON


@sqlite_only
async def test_a_teacher_sees_the_closed_year_read_only_and_why(app: Any, demo_url: str) -> None:
    await close_year(demo_url)
    tui = make_app(app, login=None)
    notes = record_notes(tui)
    async with tui.run_test(size=(110, 30)) as pilot:
        screen = await open_as(pilot, "teacher")
        journal = screen.journal
        assert journal is not None and journal.year_closed
        assert screen.read_only and not screen.correcting
        assert f"{journal.year} is closed: read-only" in title(screen)
        grid = screen.grid()
        assert grid is not None
        lesson_id, pupil = under_cursor(grid)
        before = [m.value for m in grid.model.cell(pupil, lesson_id).marks]
        await pilot.press("5")
        await pilot.pause()
        assert [m.value for m in grid.model.cell(pupil, lesson_id).marks] == before
        assert tui.data.store is not None and tui.data.store.outbox_count() == 0
        assert any(
            f"The year {journal.year} is closed: its journal can only be read." in n for n in notes
        )


@sqlite_only
async def test_the_administration_picks_the_year_of_the_journals(app: Any, demo_url: str) -> None:
    await close_year(demo_url)
    tui = make_app(app, login=None)
    async with tui.run_test(size=(110, 30)) as pilot:
        screen = await open_as(pilot, "admin")
        assert screen.journal is not None
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(tui.screen, PickJournal))
        picker = tui.screen
        assert isinstance(picker, PickJournal)
        assert f"{screen.journal.year} (closed)" in picker.choices
