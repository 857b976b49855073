"""A teacher's morning in the journal, with Pilot against the real server in-process: the
topic editor shows what is typed and adds to it, Esc puts the lesson back at once, a refused
write can be let go of; today's lesson is one key away; marks replace as well as add; lessons
that cannot take a mark are refused at once; a test lesson gives its marks its kind and
weight; the journal's keys never mean two things on one screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from textual.widgets import Input, Static

from api_client.models import API_PREFIX, LESSON_KIND_WEIGHTS, LessonKind, MarkKind
from diary_tui.journal_model import Cell, JournalLesson, JournalModel, JournalPupil
from diary_tui.store import DISMISSED
from screens.dialogs.ask import AskText
from screens.dialogs.confirm import ConfirmScreen
from screens.journal import JournalScreen
from screens.journal_dialogs import PickJournal
from screens.journal_grid import JournalGrid
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import log_in, make_app, record_notes, wait_for
from tests.diary_tui.test_journal_screen import (
    headers,
    journal_screen,
    lesson_of,
    outbox_empty,
    server_journal,
    teacher_journal,
)

__all__ = ["headers"]  # the teacher's headers, a fixture


def info_text(screen: JournalScreen) -> str:
    visual = screen.query_one("#journal-info", Static).visual
    return str(getattr(visual, "plain", visual))


def inputs_show_their_text(screen: Any) -> list[str]:
    """The inputs of ``screen`` that, focused, have no room for their text (their border
    takes it all: a row of ``▔``)."""
    blind = []
    for field in screen.query(Input):
        if field.display and field.region.height and field.content_region.height < 1:
            blind.append(field.id or repr(field))
    return blind


async def _cancel(http: httpx.AsyncClient, admin: dict[str, str], lesson_id: int) -> None:
    detail = await http.get(f"{API_PREFIX}/lessons/{lesson_id}", headers=admin)
    assert detail.status_code == 200, detail.text
    cancelled = await http.patch(
        f"{API_PREFIX}/lessons/{lesson_id}",
        json={"version": detail.json().get("version", 1), "status": "cancelled", "reason": "Trip"},
        headers={**admin, "Idempotency-Key": f"cancel-{lesson_id}"},
    )
    assert cancelled.status_code == 200, cancelled.text


@sqlite_only
async def test_the_topic_editor_shows_the_text_adds_to_it_and_esc_puts_it_back(app: Any) -> None:
    async with teacher_journal(app) as (_tui, pilot, screen, grid):
        lesson = grid.model.lesson(lesson_of(grid))
        old = lesson.topic
        await pilot.press("e")
        topic = screen.query_one("#topic", Input)
        assert topic.has_focus
        await pilot.pause()
        # Focused, the field still has a line for its text (not only its border's ▔).
        assert topic.content_region.height == 1
        for field in screen.query(Input):
            field.focus()
            await pilot.pause()
            assert inputs_show_their_text(screen) == []
        topic.focus()
        await pilot.pause()
        # Nothing is selected: typing adds to the old topic, after it.
        await pilot.press("space", "x", "y")
        assert topic.value == f"{old} xy"
        # Esc: the lesson's own topic is back at once, and the grid has the keys again.
        await pilot.press("escape")
        assert topic.value == old
        assert grid.has_focus


@sqlite_only
async def test_a_topic_the_server_refused_is_let_go_of_after_asking(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    admin = await login_as(http, "admin")
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        lesson_id = lesson_of(grid)
        old = grid.model.lesson(lesson_id).topic
        await _cancel(http, admin, lesson_id)  # the journal on screen does not know yet
        await pilot.press("e")
        screen.query_one("#topic", Input).value = "Новая тема"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: tui.data.state.refused == 1)
        await pilot.pause()
        assert "cancelled" in info_text(screen) and "D" in info_text(screen)
        # D asks first; n keeps it.
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(tui.screen, ConfirmScreen))
        await pilot.press("n")
        assert tui.data.state.refused == 1
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(tui.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: tui.data.state.refused == 0)
        await wait_for(pilot, lambda: screen.model is not None and screen.grid() is not None)
        model = screen.model
        assert model is not None and model.lesson(lesson_id).topic == old
        store = tui.data.store
        assert store is not None
        # Let go of for good: a restart does not bring it back (it is not refused any more).
        assert [item.state for item in store.items() if item.write.kind == "topic"] == [DISMISSED]
        assert outbox_empty(tui)


def _column_where(grid: JournalGrid, wanted: Any) -> int:
    return next(i for i, lesson in enumerate(grid.model.lessons) if wanted(lesson))


async def _to_ordinary_lesson(grid: JournalGrid, pilot: Any, today: dt.date) -> None:
    """The cursor on the last ordinary lesson held up to today, first pupil."""
    columns = [
        i
        for i, lesson in enumerate(grid.model.lessons)
        if lesson.kind is LessonKind.LESSON
        and lesson.date <= today
        and lesson.status.value != "cancelled"
    ]
    grid.move_to(0, columns[-1])
    await pilot.pause()


@sqlite_only
async def test_t_goes_to_todays_lesson_and_equals_replaces_instead_of_adding(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        today = tui.data.today()
        opening = grid.col
        assert grid.model.lessons[opening].date <= today
        await pilot.press("home")
        assert grid.col == 0 != opening
        await pilot.press("t")
        assert grid.col == opening
        lesson_id, pupil = lesson_of(grid), grid.current_pupil_id
        await pilot.press("5", "up")  # adding stays the default
        marks = grid.model.cell(pupil, lesson_id).marks
        count = len(marks)
        await pilot.press("equals_sign")
        assert "Replace" in info_text(screen)
        await pilot.press("3")
        marks = grid.model.cell(pupil, lesson_id).marks
        assert len(marks) == count and marks[-1].value == 3
        await wait_for(pilot, lambda: outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        values = [m.value for m in after.marks if (m.pupil_id, m.lesson_id) == (pupil, lesson_id)]
        assert len(values) == count and values[-1] == 3


@sqlite_only
async def test_w_says_a_digit_is_awaited_and_delete_refreshes_the_line(app: Any) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        await _to_ordinary_lesson(grid, pilot, tui.data.today())
        lesson_id, pupil = lesson_of(grid), grid.current_pupil_id
        await pilot.press("4", "up")
        await pilot.pause()
        assert "4 " in info_text(screen)
        await pilot.press("w")
        await pilot.pause()
        assert "Weight: type a digit" in info_text(screen)
        await pilot.press("2")
        await pilot.pause()
        assert grid.model.cell(pupil, lesson_id).marks[-1].weight == 2
        assert "Weight: type a digit" not in info_text(screen)
        assert "4×2" in info_text(screen)
        await pilot.press("delete")
        await pilot.pause()
        await pilot.pause()
        assert "4×2" not in info_text(screen)


@sqlite_only
async def test_a_lesson_that_takes_no_mark_is_refused_at_once_with_the_reason(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    admin = await login_as(http, "admin")
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        notes = record_notes(tui)
        today = tui.data.today()
        future = _column_where(grid, lambda lesson: lesson.date > today)
        grid.move_to(0, future)
        await pilot.press("5", "n")
        assert grid.model.peek(grid.current_pupil_id, lesson_of(grid)) in (None, Cell())
        assert grid.row == 0
        assert sum("has not happened yet" in note for note in notes) == 2
        # A lesson cancelled meanwhile, once the journal knows it.
        grid.move_to(0, grid.col)
        await pilot.press("t")
        lesson_id = lesson_of(grid)
        await _cancel(http, admin, lesson_id)
        screen.action_reload()
        await wait_for(
            pilot,
            lambda: (
                screen.model is not None
                and screen.model.lesson(lesson_id).status.value == "cancelled"
            ),
        )
        await pilot.pause()
        again = screen.grid()
        assert again is not None
        await pilot.press("5")
        assert any("cancelled" in note for note in notes)
        assert "cancelled" in info_text(screen)
        await pilot.pause()
        assert outbox_empty(tui) and tui.data.state.refused == 0


def test_a_pupil_before_enrolment_or_after_leaving_takes_no_mark() -> None:
    pupil = JournalPupil(1, 1, "Иванова", "Анна", [(dt.date(2026, 11, 16), dt.date(2026, 11, 20))])
    lessons = [JournalLesson(i, dt.date(2026, 11, d)) for i, d in ((10, 13), (11, 18), (12, 24))]
    model = JournalModel([pupil], lessons)
    today = dt.date(2026, 11, 25)
    assert model.refusal(1, 11, today) is None
    for lesson_id in (10, 12):
        reason = model.refusal(1, lesson_id, today)
        assert reason is not None and "not in the class" in reason


@sqlite_only
async def test_a_test_lesson_gives_its_marks_its_kind_and_weight(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str], login_as: LoginAs
) -> None:
    async with teacher_journal(app) as (tui, pilot, screen, grid):
        await _to_ordinary_lesson(grid, pilot, tui.data.today())
        lesson_id = lesson_of(grid)
        pupil = grid.current_pupil_id
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(tui.screen, PickJournal))
        await pilot.press("down", "enter")  # a test
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        await pilot.press("enter")  # its usual weight
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
        lesson = grid.model.lesson(lesson_id)
        assert lesson.kind is LessonKind.TEST and lesson.weight == LESSON_KIND_WEIGHTS[lesson.kind]
        assert "T" in grid._headers[grid.col]  # the column says it is a test
        await pilot.press("5")
        mark = grid.model.cell(pupil, lesson_id).marks[-1]
        assert (mark.kind, mark.weight) == (MarkKind.TEST, 3)
        await wait_for(pilot, lambda: outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        saved = next(x for x in after.lessons if x.id == lesson_id)
        assert (saved.kind, saved.weight) == (LessonKind.TEST, 3)
        given = [m for m in after.marks if (m.pupil_id, m.lesson_id) == (pupil, lesson_id)]
        assert (given[-1].kind, given[-1].weight) == (MarkKind.TEST, 3)
        # The change is in the audit log.
        admin = await login_as(http, "admin")
        audit = await http.get(f"{API_PREFIX}/audit", headers=admin)
        assert audit.status_code == 200, audit.text
        assert "lesson_kind" in audit.text


@sqlite_only
async def test_a_read_only_journal_moves_nothing_on_a_digit_and_lists_no_edit_keys(
    app: Any,
) -> None:
    tui = make_app(app, login=None)
    async with tui.run_test(size=(120, 30)) as pilot:
        await log_in(pilot, "admin", "demo")
        await wait_for(pilot, lambda: type(tui.screen).__name__ == "StatsScreen")
        await pilot.pause()
        await pilot.press("j")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)
        screen = journal_screen(tui)
        assert screen is not None
        grid = screen.grid()
        assert grid is not None
        row = grid.row
        await pilot.press("5")
        await pilot.pause()
        assert grid.row == row
        shown = {b.binding.description for b in tui.active_bindings.values() if b.binding.show}
        for edit in ("Absent", "Ill", "Late", "Remove", "Weight", "Kind", "Comment", "Topic"):
            assert edit not in shown
        assert "Test" not in shown and "Replace" not in shown


@sqlite_only
async def test_the_pickers_filter_box_shows_what_is_typed(app: Any) -> None:
    """A one-line box shows its text (compact, like the topic's)."""
    async with teacher_journal(app) as (tui, pilot, _screen, _grid):
        tui.push_screen(
            PickJournal("Open the journal of", ["5A · Maths", "6B · Maths"], 0, filtering=True)
        )
        await wait_for(pilot, lambda: isinstance(tui.screen, PickJournal))
        await pilot.pause()
        assert isinstance(tui.screen.focused, Input)
        assert inputs_show_their_text(tui.screen) == []
