"""The journal screen with Pilot against the real server in-process: typing marks, absences,
the topic and homework reaches the server; undo; the period mark; a conflict between two
clients; a refusal; administration reads only."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from api_client.models import API_PREFIX, Journal, decode
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.journal_model import CellState
from diary_tui.live import CURSOR_KEY
from diary_tui.widgets import StatusLine
from screens.dialogs.ask import AskText
from screens.journal import JournalScreen
from screens.journal_grid import JournalGrid
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import (
    BASE_URL,
    NOW,
    TODAY,
    log_in,
    make_app,
    record_notes,
    wait_for,
)
from tests.diary_tui.test_sync import Switch


def journal_screen(app: DiaryApp) -> JournalScreen | None:
    screen = app.screen
    if isinstance(screen, JournalScreen) and screen.grid() is not None and not screen.workers:
        return screen
    return None


async def open_journal(pilot: Any, login: str = "teacher") -> tuple[JournalScreen, JournalGrid]:
    await log_in(pilot, login, "demo")
    await wait_for(pilot, lambda: journal_screen(pilot.app) is not None)
    screen = journal_screen(pilot.app)
    assert screen is not None
    grid = screen.grid()
    assert grid is not None
    await pilot.pause()
    return screen, grid


@asynccontextmanager
async def teacher_journal(
    app: Any, transport: httpx.AsyncBaseTransport | None = None, size: tuple[int, int] = (100, 30)
) -> AsyncIterator[tuple[DiaryApp, Pilot[Any], JournalScreen, JournalGrid]]:
    """The app logged in as the teacher, on the journal it opens with."""
    tui = make_app(app, login=None, transport=transport)
    async with tui.run_test(size=size) as pilot:
        screen, grid = await open_journal(pilot)
        yield tui, pilot, screen, grid


def lesson_of(grid: JournalGrid) -> int:
    """The lesson under the cursor."""
    lesson_id = grid.current_lesson_id
    assert lesson_id is not None
    return lesson_id


def under_cursor(grid: JournalGrid) -> tuple[int, int]:
    """The lesson and the pupil under the cursor."""
    return lesson_of(grid), grid.current_pupil_id


@pytest.fixture
async def headers(http: httpx.AsyncClient, login_as: LoginAs) -> dict[str, str]:
    """The teacher's headers, to read the journal from the server as the test goes."""
    return await login_as(http, "teacher")


async def server_journal(
    http: httpx.AsyncClient, headers: dict[str, str], screen: JournalScreen
) -> Journal:
    assert screen.journal is not None
    params = {
        "class_id": screen.journal.class_.id,
        "subject_id": screen.journal.subject.id,
        "period_id": screen.journal.period.id,
    }
    response = await http.get(f"{API_PREFIX}/journal", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Journal)


def outbox_empty(app: DiaryApp) -> bool:
    store = app.data.store
    return store is not None and store.outbox_count() == 0


@sqlite_only
async def test_typing_marks_reaches_the_server_and_undo_takes_back(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        before = await server_journal(http, headers, screen)
        lesson_id = lesson_of(grid)
        first_row = grid.row
        pupils = [p.id for p in grid.model.pupils[first_row : first_row + 3]]
        await pilot.press("5", "4", "3")
        # At once, before the network: the marks are in the grid, waiting.
        marks = [grid.model.cell(p, lesson_id).marks[-1] for p in pupils]
        assert [m.value for m in marks] == [5, 4, 3]
        assert grid.row == first_row + 3
        await wait_for(pilot, lambda: outbox_empty(tui))
        await wait_for(pilot, lambda: all(m.state is CellState.SAVED for m in marks))
        assert all(m.mark_id is not None for m in marks)
        after = await server_journal(http, headers, screen)
        old = {m.id for m in before.marks}
        new = sorted((m.pupil_id, m.value) for m in after.marks if m.id not in old)
        assert new == sorted(zip(pupils, [5, 4, 3], strict=True))
        # Undo the last mark: the server removes it.
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: outbox_empty(tui))
        assert grid.model.cell(pupils[2], lesson_id).marks[-1:] != [marks[2]]
        after = await server_journal(http, headers, screen)
        new = sorted((m.pupil_id, m.value) for m in after.marks if m.id not in old)
        assert new == sorted(zip(pupils[:2], [5, 4], strict=True))


@sqlite_only
async def test_absences_period_mark_topic_and_homework(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id, pupil = under_cursor(grid)
        await pilot.press("n")  # absent, and down
        second = grid.current_pupil_id
        await pilot.press("o")  # late
        await pilot.press("end")  # the period-mark column
        assert grid.current_lesson_id is None
        period_pupil = grid.current_pupil_id
        await pilot.press("4")
        await wait_for(pilot, lambda: outbox_empty(tui))
        # The lesson panel: topic and homework, then ctrl+s.
        grid.move_to(grid.row, [x.id for x in grid.model.lessons].index(lesson_id))
        await pilot.pause()
        focused_lesson = grid.current_lesson_id
        assert focused_lesson == lesson_id
        await pilot.press("e")
        topic = screen.query_one("#topic", Input)
        assert topic.has_focus
        topic.value = "Дроби [red]и[/] проценты"
        screen.query_one("#homework", Input).value = "№ 12, 14"
        due = (tui.data.today() + dt.timedelta(days=7)).strftime("%d.%m.%Y")
        screen.query_one("#due", Input).value = due
        await pilot.press("ctrl+s")
        assert grid.has_focus
        await wait_for(pilot, lambda: outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        kinds = {
            a.pupil_id: a.kind for a in after.absences if a.lesson_id == lesson_id and not a.removed
        }
        assert kinds[pupil] == "unexcused" and kinds[second] == "late"
        assert next(p.value for p in after.period_marks if p.pupil_id == period_pupil) == 4
        lesson = next(x for x in after.lessons if x.id == focused_lesson)
        assert lesson.topic == "Дроби [red]и[/] проценты"
        assert lesson.homework is not None and lesson.homework.text == "№ 12, 14"
        assert f"{lesson.homework.due:%d.%m.%Y}" == due


@sqlite_only
async def test_conflict_between_two_clients_then_take_theirs_or_keep_mine(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id, pupil = under_cursor(grid)
        await pilot.press("3")
        await wait_for(pilot, lambda: outbox_empty(tui))
        mark = grid.model.cell(pupil, lesson_id).marks[-1]
        assert mark.mark_id is not None and mark.state is CellState.SAVED
        weight = mark.weight  # the lesson's (a test's marks weigh more)
        # The teacher's other computer changes the same mark to 5.
        response = await http.patch(
            f"{API_PREFIX}/marks/{mark.mark_id}",
            json={"version": mark.version, "value": 5},
            headers={**headers, "Idempotency-Key": "other-computer-1"},
        )
        assert response.status_code == 200, response.text
        # Here its weight changes, on the old version: conflict.
        grid.move_to(grid.row - 1, grid.col)
        await pilot.press("w", "2")
        await wait_for(pilot, lambda: mark.state is CellState.CONFLICT)
        assert mark.theirs == 5
        assert "M keep mine" in str(screen.query_one("#journal-info", Static).visual)
        await pilot.press("T")  # take theirs
        assert (mark.value, mark.weight, mark.state) == (5, weight, CellState.SAVED)
        # Once more, and this time keep mine: sent again on the current version.
        await http.patch(
            f"{API_PREFIX}/marks/{mark.mark_id}",
            json={"version": mark.version, "value": 4},
            headers={**headers, "Idempotency-Key": "other-computer-2"},
        )
        await pilot.press("w", "3")
        await wait_for(pilot, lambda: mark.state is CellState.CONFLICT)
        await pilot.press("M")
        await wait_for(pilot, lambda: mark.state is CellState.SAVED and outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        final = next(m for m in after.marks if m.id == mark.mark_id)
        assert (final.value, final.weight) == (4, 3)


@sqlite_only
async def test_a_refused_write_shows_its_reason_and_the_rest_goes_on(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id, first = under_cursor(grid)
        # A write the server refuses, queued between two good ones: a mark for a pupil who
        # is not in this class.
        from api_client.models import MarkCreate
        from diary_tui.outbox_ops import JournalPlace, MarkCreateOp

        await pilot.press("5")
        place = JournalPlace(journal=screen.journal_key, pupil=first, lesson=lesson_id, key="bad")
        request = MarkCreate(lesson_id=lesson_id, pupil_id=10**6, value=4)
        screen.enqueue(MarkCreateOp(key="bad", request=request, place=place))
        await pilot.press("4")
        await wait_for(pilot, lambda: outbox_empty(tui))
        store = tui.data.store
        assert store is not None
        states = [item.state for item in store.items()]
        assert states == ["sent", "rejected", "sent"]
        after = await server_journal(http, headers, screen)
        assert sum(1 for m in after.marks if m.lesson_id == lesson_id and m.pupil_id == first) >= 1


@sqlite_only
async def test_the_journal_paints_from_the_store_with_waiting_writes(app: Any) -> None:
    """Offline: marks typed wait in the outbox; the journal painted again shows them waiting."""
    switch = Switch(asgi_transport(app))
    async with teacher_journal(app, switch) as (tui, pilot, screen, grid):
        switch.down = True
        lesson_id, pupil = under_cursor(grid)
        count = len(grid.model.cell(pupil, lesson_id).marks)
        await pilot.press("2")
        assert tui.data.store is not None and tui.data.store.outbox_count() == 1
        await wait_for(pilot, lambda: tui.data.state.online is False)
        status = str(screen.query_one(StatusLine).visual)
        assert "offline" in status and "1 waiting" in status
        journal = screen.journal
        assert journal is not None
        screen.show_journal(journal)  # painted again from the server's data and the outbox
        await pilot.pause()
        again = screen.grid()
        assert again is not None
        cell = again.model.cell(pupil, lesson_id)
        assert len(cell.marks) == count + 1
        assert cell.marks[-1].value == 2 and cell.marks[-1].state is CellState.WAITING


@sqlite_only
async def test_a_teachers_home_is_the_journal_and_j_opens_it(app: Any) -> None:
    async with teacher_journal(app, size=(80, 24)) as (_tui, _pilot, screen, grid):
        assert screen.NAME == "journal" and grid.has_focus
        title = str(screen.query_one("#journal-title", Static).visual)
        assert screen.journal is not None and screen.journal.class_.name in title


@sqlite_only
async def test_changing_an_old_mark_asks_for_a_reason(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        assert screen.journal is not None
        limit = tui.data.clock() - dt.timedelta(days=screen.journal.reason_after_days)
        found = next(
            (row, col, cell.marks[-1])
            for row, pupil in enumerate(grid.model.pupils)
            for col, lesson in enumerate(grid.model.lessons)
            if (cell := grid.model.peek(pupil.id, lesson.id)) is not None
            and cell.marks
            and cell.marks[-1].created_at is not None
            and cell.marks[-1].created_at < limit
            and cell.marks[-1].weight != 3
        )
        row, col, mark = found
        grid.move_to(row, col)
        await pilot.press("w", "3")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        # Nothing is sent before the reason is given.
        assert tui.data.store is not None and tui.data.store.outbox_count() == 0
        await pilot.press(*"typo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: mark.state is CellState.SAVED and outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        assert next(m for m in after.marks if m.id == mark.mark_id).weight == 3
        # Esc instead of a reason takes the change back.
        await pilot.press("w", "2")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press("escape")
        await pilot.pause()
        assert mark.weight == 3 and mark.state is CellState.SAVED
        assert tui.data.store.outbox_count() == 0


@sqlite_only
async def test_administration_reads_any_journal_and_changes_nothing(app: Any) -> None:
    tui = make_app(app, login=None)
    async with tui.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "admin", "demo")
        await wait_for(pilot, lambda: type(tui.screen).__name__ == "StatsScreen")
        await pilot.pause()
        await pilot.press("j")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)
        screen = journal_screen(tui)
        assert screen is not None and screen.read_only and len(screen.choices) > 1
        grid = screen.grid()
        assert grid is not None
        assert "read-only" in str(screen.query_one("#journal-title", Static).visual)
        lesson_id, pupil = under_cursor(grid)
        before = [m.value for m in grid.model.cell(pupil, lesson_id).marks]
        await pilot.press("5")
        await pilot.pause()
        assert [m.value for m in grid.model.cell(pupil, lesson_id).marks] == before
        assert tui.data.store is not None and tui.data.store.outbox_count() == 0


@sqlite_only
async def test_keys_typed_faster_than_the_screen_keep_their_order(app: Any) -> None:
    """``w`` then ``3`` arriving together: the weight, not a new mark 3."""
    from textual import events

    async with teacher_journal(app) as (tui, pilot, _screen, grid):
        lesson_id, pupil = under_cursor(grid)
        await pilot.press("4")
        grid.move_to(grid.row - 1, grid.col)
        await pilot.pause()
        for key in ("w", "3", "n"):
            grid.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: outbox_empty(tui) and not grid._message_queue.qsize())
        cell = grid.model.cell(pupil, lesson_id)
        assert [(m.value, m.weight) for m in cell.marks][-1] == (4, 3)
        assert cell.absence == "unexcused"


@sqlite_only
async def test_a_comment_on_a_mark_reaches_the_server(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id, pupil = under_cursor(grid)
        await pilot.press("5", "up", "c")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press(*"[b]good[/b]", "enter")
        mark = grid.model.cell(pupil, lesson_id).marks[-1]
        await wait_for(pilot, lambda: outbox_empty(tui) and mark.state is CellState.SAVED)
        after = await server_journal(http, headers, screen)
        assert next(m for m in after.marks if m.id == mark.mark_id).comment == "[b]good[/b]"


def cell_values(grid: JournalGrid, pupil_id: int, lesson_id: int) -> list[int]:
    cell = grid.model.peek(pupil_id, lesson_id)
    return [mark.value for mark in cell.marks] if cell is not None else []


@sqlite_only
async def test_a_change_from_elsewhere_reaches_the_open_journal_and_typing_goes_on(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """The teacher's other computer adds a mark: the open journal shows it by itself, in
    place, through the change feed; the cursor and the undo stack stay."""
    tui = DiaryApp(
        server=BASE_URL,
        login=None,
        transport=asgi_transport(app),
        today=TODAY,
        now=lambda: NOW,
        live=True,
        notifications=Notifications(),
    )
    async with tui.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "teacher", "demo")
        await wait_for(
            pilot, lambda: isinstance(tui.screen, JournalScreen) and tui.screen.grid() is not None
        )
        screen = tui.screen
        assert isinstance(screen, JournalScreen)
        # (the live worker never ends: wait for the journal's own)
        await wait_for(pilot, lambda: not [w for w in screen.workers if w.group == "journal"])
        await wait_for(pilot, lambda: bool(tui.data.store and tui.data.store.get_meta(CURSOR_KEY)))
        grid = screen.grid()
        assert grid is not None
        lesson = lesson_of(grid)
        grid.move_to(0, grid.col)
        first = grid.current_pupil_id
        before = cell_values(grid, first, lesson)
        await pilot.press("4")  # the teacher types a 4 for the first pupil
        await wait_for(pilot, lambda: outbox_empty(tui))
        assert len(grid.undo_stack) == 1
        cursor = (grid.current_pupil_id, grid.current_lesson_id)
        # Elsewhere, a 5 for the last pupil of the same lesson.
        other = grid.model.pupils[-1].id
        others = cell_values(grid, other, lesson)
        response = await http.post(
            f"{API_PREFIX}/marks",
            json={"lesson_id": lesson, "pupil_id": other, "value": 5},
            headers={**headers, "Idempotency-Key": "other-computer-live"},
        )
        assert response.status_code == 201, response.text
        await wait_for(pilot, lambda: cell_values(grid, other, lesson) == [*others, 5], 5)
        assert screen.grid() is grid  # updated in place, not a new grid
        assert (grid.current_pupil_id, grid.current_lesson_id) == cursor
        assert cell_values(grid, first, lesson) == [*before, 4]
        # The undo stack survived: ctrl+z takes back the teacher's own 4.
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: cell_values(grid, first, lesson) == before)
        await wait_for(pilot, lambda: outbox_empty(tui))
        assert cell_values(grid, other, lesson) == [*others, 5]


@sqlite_only
async def test_a_refusal_stays_on_the_cell_until_the_teacher_deals_with_it(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """A mark typed offline for a lesson cancelled meanwhile is refused: the teacher is told,
    the status line counts it, the journal opened again still shows it with the reason, and
    typing in that cell deals with it."""
    admin = await login_as(http, "admin")
    switch = Switch(asgi_transport(app))
    async with teacher_journal(app, switch) as (tui, pilot, screen, grid):
        notes = record_notes(tui)
        lesson_id = lesson_of(grid)
        assert screen.choice is not None
        pupil = grid.current_pupil_id
        before = [m.value for m in grid.model.cell(pupil, lesson_id).marks]
        switch.down = True
        await pilot.press("5")
        await wait_for(pilot, lambda: tui.data.state.online is False)
        # Meanwhile the administration cancels the lesson.
        detail = await http.get(f"{API_PREFIX}/lessons/{lesson_id}", headers=admin)
        assert detail.status_code == 200, detail.text
        cancelled = await http.patch(
            f"{API_PREFIX}/lessons/{lesson_id}",
            json={
                "version": detail.json().get("version", 1),
                "status": "cancelled",
                "reason": "Trip",
            },
            headers={**admin, "Idempotency-Key": "cancel-for-refusal"},
        )
        assert cancelled.status_code == 200, cancelled.text
        switch.down = False
        screen.action_reload()
        await wait_for(pilot, lambda: tui.data.state.refused == 1)
        await wait_for(pilot, lambda: any("A new mark was not saved" in n for n in notes))
        assert "1 not saved" in str(screen.query_one(StatusLine).visual)
        # The journal opened again (another class, then back) shows the refusal.
        class_id, subject_id, period_id, group_id = screen.choice
        other = next(c for c in screen.choices if c[0] != class_id)
        screen.open_journal(other[0], other[2], None, other[4])
        await wait_for(
            pilot, lambda: screen.journal is not None and screen.journal.class_.id == other[0]
        )
        screen.open_journal(class_id, subject_id, period_id, group_id)
        await wait_for(
            pilot, lambda: screen.journal is not None and screen.journal.class_.id == class_id
        )
        again = screen.grid()
        assert again is not None and again is not grid
        cell = again.model.cell(pupil, lesson_id)
        assert [m.value for m in cell.marks] == [*before, 5]
        refused = cell.marks[-1]
        assert refused.state is CellState.REJECTED and "cancelled" in refused.reason
        # Deleting it in that cell deals with it: nothing is counted any more.
        again.move_to(again._pupil_index[pupil], again._lesson_index[lesson_id])
        await pilot.press("delete")
        await wait_for(pilot, lambda: tui.data.state.refused == 0)
        assert [m.value for m in again.model.cell(pupil, lesson_id).marks] == before
        assert "not saved" not in str(screen.query_one(StatusLine).visual)
        store = tui.data.store
        assert store is not None and store.outbox_count() == 0  # nothing to send for it


@sqlite_only
async def test_late_takes_five_minutes_or_as_many_as_the_teacher_says(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id = lesson_of(grid)
        grid.move_to(0, grid.col)
        first, second = grid.model.pupils[0].id, grid.model.pupils[1].id
        await pilot.press("o")  # late, 5 minutes; the cursor moves down
        await pilot.press("O")  # the next pupil: how many minutes?
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press("ctrl+a", "ctrl+k", *"300", "enter")  # more than a lesson
        await wait_for(pilot, lambda: not isinstance(tui.screen, AskText))
        assert grid.model.cell(second, lesson_id).absence is None  # refused, nothing changed
        await pilot.press("O")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press("ctrl+a", "ctrl+k", *"17", "enter")
        await wait_for(pilot, lambda: outbox_empty(tui) and not isinstance(tui.screen, AskText))
        await wait_for(pilot, lambda: outbox_empty(tui))
        grid.move_to(1, grid.col)
        await pilot.pause()
        assert "late 17 min" in str(screen.query_one("#journal-info", Static).visual)
        after = await server_journal(http, headers, screen)
        minutes = {
            a.pupil_id: (a.kind, a.minutes)
            for a in after.absences
            if a.lesson_id == lesson_id and not a.removed
        }
        assert minutes[first] == ("late", 5) and minutes[second] == ("late", 17)
