"""The class journal: the model's edits and undo, and the grid driven from the keyboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from textual.app import App, ComposeResult

from api_client.models import AbsenceKind, MarkKind
from diary_tui.journal_model import (
    Cell,
    CellMark,
    CellState,
    Edit,
    EditOp,
    JournalLesson,
    JournalModel,
    JournalPupil,
)
from screens.journal_grid import JournalGrid, cell_text, grid_labels

TODAY = dt.date(2026, 11, 20)


def small_model() -> JournalModel:
    pupils = [
        JournalPupil(1, 1, "Антонова", "Мария"),
        JournalPupil(2, 2, "Борисов", "Иван"),
        JournalPupil(3, 3, "Власова", "Ольга"),
        JournalPupil(4, 4, "Григорьев", "Пётр"),
    ]
    lessons = [
        JournalLesson(10, dt.date(2026, 11, 10), 2),
        JournalLesson(11, dt.date(2026, 11, 13), 2),
        JournalLesson(12, dt.date(2026, 11, 17), 2),
        JournalLesson(13, dt.date(2026, 11, 20), 2),
        JournalLesson(14, dt.date(2026, 11, 24), 2),
    ]
    cells = {(1, 10): Cell(marks=[CellMark(4, mark_id=100, version=1)])}
    return JournalModel(pupils, lessons, cells)


def big_model(pupils: int = 35, lessons: int = 70) -> JournalModel:
    people = [JournalPupil(i, i, f"Фамилия{i:02}", f"Имя{i:02}") for i in range(1, pupils + 1)]
    start = dt.date(2026, 9, 1)
    dates = [JournalLesson(100 + j, start + dt.timedelta(days=j), 1) for j in range(lessons)]
    return JournalModel(people, dates)


# --- the model -------------------------------------------------------------------------------


def test_set_mark_adds_marks_and_undo_takes_them_back() -> None:
    model = small_model()
    first = model.set_mark(2, 11, 5)
    second = model.set_mark(2, 11, 3)
    assert [m.value for m in model.cell(2, 11).marks] == [5, 3]
    assert first.op is EditOp.ADD_MARK and first.index == 0 and second.index == 1
    assert isinstance(second.after, CellMark) and second.after.value == 3
    assert model.cell(2, 11).state is CellState.WAITING
    inverse = model.undo(second)
    assert inverse.op is EditOp.REMOVE_MARK and inverse.index == 1
    assert [m.value for m in model.cell(2, 11).marks] == [5]
    model.undo(first)
    assert model.cell(2, 11).marks == []


def test_values_weights_and_absences_are_validated_in_plain_words() -> None:
    model = small_model()
    with pytest.raises(ValueError, match="6 is not a mark on this school's scale"):
        model.set_mark(1, 10, 6)
    with pytest.raises(ValueError, match="scale"):
        model.set_period_mark(1, 0)
    with pytest.raises(ValueError, match="weight is 1 to 5"):
        model.set_weight(1, 10, 0)
    with pytest.raises(ValueError, match="not a kind of absence"):
        model.set_absence(1, 10, "asleep")
    with pytest.raises(ValueError, match="no mark"):
        model.remove_mark(3, 12)
    with pytest.raises(KeyError):
        model.set_mark(99, 10, 5)
    with pytest.raises(ValueError, match="scale"):
        JournalModel([], [], scale=(5, 1))
    # Nothing was changed by the refused edits.
    assert [m.value for m in model.cell(1, 10).marks] == [4]


def test_average_is_weighted_and_ignores_rejected_marks() -> None:
    model = small_model()  # pupil 1 has a 4 at lesson 10
    model.set_mark(1, 11, 5)
    model.set_weight(1, 11, 2)
    assert model.average(1) == Decimal("4.67")
    assert model.suggested_period_mark(1) == 5
    model.set_mark(1, 12, 2)
    model.set_state(1, 12, CellState.REJECTED, index=0, reason="not your class")
    assert model.average(1) == Decimal("4.67")
    assert model.average(4) is None and model.suggested_period_mark(4) is None


def test_undo_restores_weight_kind_comment_absence_period_and_removed_marks() -> None:
    model = small_model()
    weight = model.set_weight(1, 10, 3)
    kind = model.cycle_kind(1, 10)
    comment = model.set_comment(1, 10, "  read aloud  ")
    mark = model.cell(1, 10).marks[0]
    assert (mark.weight, mark.kind, mark.comment) == (3, MarkKind.HOMEWORK, "read aloud")
    for edit in (comment, kind, weight):
        assert model.undo(edit).op is EditOp.CHANGE_MARK
    mark = model.cell(1, 10).marks[0]
    assert (mark.weight, mark.kind, mark.comment, mark.mark_id) == (1, MarkKind.ORAL, "", 100)

    removed = model.remove_mark(1, 10)
    assert isinstance(removed.before, CellMark) and removed.before.mark_id == 100
    back = model.undo(removed)
    assert back.op is EditOp.ADD_MARK
    restored = model.cell(1, 10).marks[0]
    assert (restored.value, restored.mark_id, restored.state) == (4, None, CellState.WAITING)

    absent = model.set_absence(2, 12, AbsenceKind.ILLNESS)
    assert model.cell(2, 12).absence is AbsenceKind.ILLNESS
    model.undo(absent)
    assert model.cell(2, 12).absence is None

    period = model.set_period_mark(3, 4)
    assert model.period_mark(3).value == 4
    model.undo(period)
    assert model.period_mark(3).value is None


def test_set_state_records_what_the_server_said() -> None:
    model = small_model()
    model.set_mark(2, 10, 5)
    model.set_state(2, 10, CellState.SAVED, index=0, server_id=501, version=1)
    mark = model.cell(2, 10).marks[0]
    assert (mark.state, mark.mark_id, mark.version) == (CellState.SAVED, 501, 1)
    model.set_state(2, 10, CellState.CONFLICT, index=0, theirs=3)
    assert model.cell(2, 10).state is CellState.CONFLICT and mark.theirs == 3
    model.set_absence(3, 10, "late")
    model.set_state(3, 10, CellState.REJECTED, reason="the lesson was cancelled")
    assert model.cell(3, 10).state is CellState.REJECTED
    model.set_period_mark(4, 5)
    model.set_state(4, None, CellState.SAVED, server_id=9)
    assert model.period_mark(4).mark_id == 9


def test_cell_text_shows_marks_weights_absence_comment_and_state_as_signs() -> None:
    ru, en = grid_labels("ru"), grid_labels("en")
    cell = Cell(marks=[CellMark(5), CellMark(4, weight=2, comment="test")])
    assert cell_text(cell, ru) == (" 5 4²*", " ")
    cell.marks[1].state = CellState.WAITING
    assert cell_text(cell, ru)[1] == "·"
    cell.marks[0].state = CellState.REJECTED
    assert cell_text(cell, ru)[1] == "!"
    cell.marks[1].state = CellState.CONFLICT
    assert cell_text(cell, ru)[1] == "?"
    absent = Cell(absence=AbsenceKind.UNEXCUSED)
    assert cell_text(absent, ru)[0].strip() == "н"
    assert cell_text(absent, en)[0].strip() == "A"
    assert cell_text(Cell(absence=AbsenceKind.LATE, marks=[CellMark(3)]), ru)[0].strip() == "о 3"
    crowded = Cell(marks=[CellMark(v) for v in (5, 4, 3, 2)])
    text, _ = cell_text(crowded, ru)
    assert len(text) == 6 and text.endswith("…")


# --- the grid ----------------------------------------------------------------------------------


class GridApp(App[None]):
    def __init__(self, model: JournalModel, lang: str = "ru") -> None:
        super().__init__()
        self.model = model
        self.lang = lang
        self.edits: list[Edit] = []
        self.comment_requests: list[JournalGrid.CommentRequested] = []

    def compose(self) -> ComposeResult:
        yield JournalGrid(self.model, today=TODAY, lang=self.lang)

    def on_journal_grid_edited(self, message: JournalGrid.Edited) -> None:
        self.edits.append(message.edit)

    def on_journal_grid_comment_requested(self, message: JournalGrid.CommentRequested) -> None:
        self.comment_requests.append(message)


def lines(grid: JournalGrid) -> list[str]:
    """The grid's painted lines as plain text."""
    height = grid.scrollable_content_region.height
    return ["".join(segment.text for segment in grid.render_line(y)) for y in range(height)]


async def test_opens_on_the_most_recent_lesson_and_typing_a_mark_moves_down() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        assert (grid.row, grid.current_lesson_id) == (0, 13)  # 20.11 is today
        await pilot.press("5")
        assert [m.value for m in app.model.cell(1, 13).marks] == [5]
        assert grid.row == 1
        await pilot.press("3", "4")
        assert [m.value for m in app.model.cell(2, 13).marks] == [3]
        assert [m.value for m in app.model.cell(3, 13).marks] == [4]
        assert [e.op for e in app.edits] == [EditOp.ADD_MARK] * 3
        await pilot.pause()
        assert " 5    ·" in lines(grid)[1]


async def test_a_value_off_the_scale_changes_nothing() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("7", "0")
        assert app.model.cell(1, 13).marks == [] and grid.row == 0 and app.edits == []


async def test_enter_moves_down_and_tab_moves_sideways() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("enter", "enter")
        assert (grid.row, grid.col) == (2, 3)
        await pilot.press("tab")
        assert grid.col == 4
        await pilot.press("shift+tab", "shift+tab")
        assert grid.col == 2
        await pilot.press("k", "l", "j", "h", "up")
        assert (grid.row, grid.col) == (1, 2)
        assert app.edits == []


async def test_absence_keys_set_and_clear_absences() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("n", "b", "o", "u")
        kinds = [app.model.cell(p, 13).absence for p in (1, 2, 3, 4)]
        assert kinds == [
            AbsenceKind.UNEXCUSED,
            AbsenceKind.ILLNESS,
            AbsenceKind.LATE,
            AbsenceKind.EXCUSED,
        ]
        await pilot.pause()
        assert "н" in lines(grid)[1] and "б" in lines(grid)[2]
        await pilot.press("k", "k", "k", "n")  # pressed again on an absent pupil: cleared
        assert app.model.cell(1, 13).absence is None


async def test_delete_removes_the_last_mark_then_the_absence() -> None:
    model = small_model()
    model.cells[(1, 13)] = Cell(marks=[CellMark(5), CellMark(3)], absence=AbsenceKind.LATE)
    app = GridApp(model)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.press("delete")
        assert [m.value for m in model.cell(1, 13).marks] == [5]
        await pilot.press("backspace", "backspace")
        assert model.cell(1, 13).is_empty
        assert [e.op for e in app.edits] == [
            EditOp.REMOVE_MARK,
            EditOp.REMOVE_MARK,
            EditOp.SET_ABSENCE,
        ]


async def test_weight_kind_and_comment_of_the_last_mark() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("5", "up", "w", "2", "K")
        mark = app.model.cell(1, 13).marks[0]
        assert (mark.weight, mark.kind) == (2, MarkKind.HOMEWORK)
        assert grid.row == 0  # weight and kind do not move
        await pilot.press("c")
        await pilot.pause()
        assert len(app.comment_requests) == 1
        request = app.comment_requests[0]
        assert (request.pupil_id, request.lesson_id, request.index) == (1, 13, 0)
        grid.set_comment(request.pupil_id, request.lesson_id, request.index, "at the board")
        await pilot.pause()
        assert mark.comment == "at the board"
        assert " 5²*  ·" in lines(grid)[1]
        # "w" on an empty cell is refused and the digit after it is an ordinary mark.
        await pilot.press("down", "w", "4")
        assert [m.value for m in app.model.cell(2, 13).marks] == [4]


async def test_ctrl_z_undoes_this_sessions_edits_newest_first() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("5", "4", "n", "up", "up", "w", "3")
        assert app.model.cell(2, 13).marks[0].weight == 3
        await pilot.press("ctrl+z")
        assert app.model.cell(2, 13).marks[0].weight == 1
        await pilot.press("ctrl+z")
        assert app.model.cell(3, 13).absence is None
        await pilot.press("ctrl+z")
        assert app.model.cell(2, 13).marks == []
        assert (grid.row, grid.col) == (1, 3)  # the cursor follows the undo
        await pilot.press("ctrl+z")
        assert app.model.cell(1, 13).marks == []
        await pilot.press("ctrl+z")  # nothing left of this session: the old 4 stays
        assert [m.value for m in app.model.cell(1, 10).marks] == [4]
        assert [e.op for e in app.edits[-4:]] == [
            EditOp.CHANGE_MARK,
            EditOp.SET_ABSENCE,
            EditOp.REMOVE_MARK,
            EditOp.REMOVE_MARK,
        ]


async def test_repeat_puts_the_last_value_down_the_column() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.press("4", "r", "quotation_mark")
        assert [[m.value for m in app.model.cell(p, 13).marks] for p in (1, 2, 3)] == [[4]] * 3
        await pilot.press("n", "up", "r")
        assert app.model.cell(4, 13).absence is AbsenceKind.UNEXCUSED


async def test_period_mark_column_takes_a_digit_and_enter_accepts_the_suggestion() -> None:
    model = small_model()
    model.cells[(2, 10)] = Cell(marks=[CellMark(5), CellMark(4)])  # average 4.50: suggests 5
    app = GridApp(model)
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("end")
        assert grid.current_lesson_id is None
        await pilot.pause()
        assert lines(grid)[2].rstrip().endswith("4,50   5")  # suggested, not set
        await pilot.press("3")  # pupil 1's period mark
        assert model.period_mark(1).value == 3 and grid.row == 1
        await pilot.press("enter")  # pupil 2: accepts the suggestion
        assert model.period_mark(2).value == 5 and grid.row == 2
        await pilot.press("enter")  # pupil 3: no marks, no suggestion
        assert model.period_mark(3).value is None and grid.row == 3
        assert [e.op for e in app.edits] == [EditOp.SET_PERIOD_MARK] * 2
        await pilot.press("ctrl+z")
        assert model.period_mark(2).value is None


async def test_frozen_column_and_header_stay_visible_after_scrolling() -> None:
    app = GridApp(big_model())
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.pause()
        assert grid.scroll_x > 0  # opened on the most recent lesson, far to the right
        painted = lines(grid)
        assert painted[0].startswith(" № Ученик") and "Ср." in painted[0]
        assert painted[1].startswith(" 1 Фамилия01 Имя01")
        for _ in range(30):
            await pilot.press("down")
        await pilot.pause()
        assert grid.scroll_y > 0 and grid.row == 30
        painted = lines(grid)
        assert painted[0].startswith(" № Ученик")
        assert painted[-1].startswith("31 Фамилия31 Имя31")
        assert not any("Фамилия01" in line for line in painted)
        await pilot.press("home")
        await pilot.pause()
        assert grid.scroll_x == 0
        assert lines(grid)[0].startswith(" № Ученик") and "01.09" in lines(grid)[0]


async def test_names_from_the_server_are_plain_text() -> None:
    model = small_model()
    model.pupils[0].last_name = "[red]X[/]"
    model.pupils[0].first_name = "[bold]"
    app = GridApp(model)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        assert "[red]X[/] [bold]" in lines(app.query_one(JournalGrid))[1]


async def test_sync_states_show_as_signs() -> None:
    model = small_model()
    app = GridApp(model, lang="en")
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("5", "n")
        model.set_state(1, 13, CellState.REJECTED, index=0, reason="not your class")
        model.set_state(2, 13, CellState.CONFLICT, theirs=None)
        grid.refresh_cell(1, 13)
        grid.refresh_cell(2, 13)
        await pilot.pause()
        painted = lines(grid)
        assert " 5    !" in painted[1]
        assert " A    ?" in painted[2]


async def test_a_ten_point_scale_takes_two_digit_marks() -> None:
    base = small_model()
    model = JournalModel(base.pupils, base.lessons, scale=(1, 10))
    app = GridApp(model)
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("1", "0", "7", "1", "enter")
        marks = [[m.value for m in model.cell(p, 13).marks] for p in (1, 2, 3)]
        assert marks == [[10], [7], [1]]
        assert grid.row == 3
        await pilot.press("1")
        await pilot.pause(1.0)  # no second digit: the 1 stands on its own
        assert [m.value for m in model.cell(4, 13).marks] == [1]


def test_a_fresh_copy_keeps_what_is_not_settled_and_takes_the_rest() -> None:
    on_screen = small_model()
    on_screen.set_mark(2, 13, 5)  # waiting
    on_screen.set_absence(3, 12, AbsenceKind.ILLNESS)
    on_screen.set_state(3, 12, CellState.REJECTED, reason="no lesson that day")
    on_screen.set_period_mark(4, 5)  # waiting
    on_screen.lesson(14).topic = "Дроби"
    on_screen.lesson(14).state = CellState.WAITING
    fresh = small_model()
    fresh.cell(1, 10).marks[0].value = 3  # edited elsewhere
    fresh.cell(2, 13).marks.append(CellMark(2, mark_id=101, version=1))  # under ours
    fresh.cell(4, 11).marks.append(CellMark(5, mark_id=102, version=1))  # new elsewhere
    fresh.lesson(13).topic = "Десятичные дроби"
    fresh.keep_unsettled(on_screen)
    assert [m.value for m in fresh.cell(1, 10).marks] == [3]  # settled: the server's
    assert [m.value for m in fresh.cell(4, 11).marks] == [5]
    assert [(m.value, m.state) for m in fresh.cell(2, 13).marks] == [(5, CellState.WAITING)]
    absent = fresh.cell(3, 12)
    assert (absent.absence, absent.absence_state) == (AbsenceKind.ILLNESS, CellState.REJECTED)
    assert absent.absence_reason == "no lesson that day"
    assert (fresh.period_mark(4).value, fresh.period_mark(4).state) == (5, CellState.WAITING)
    assert (fresh.lesson(14).topic, fresh.lesson(14).state) == ("Дроби", CellState.WAITING)
    assert fresh.lesson(13).topic == "Десятичные дроби"


async def test_a_fresh_copy_goes_in_place_and_the_cursor_and_undo_stay() -> None:
    app = GridApp(small_model())
    async with app.run_test(size=(100, 12)) as pilot:
        grid = app.query_one(JournalGrid)
        await pilot.press("5", "right")  # a 5 for pupil 1 on 20.11; the cursor on 24.11
        assert (grid.current_pupil_id, grid.current_lesson_id) == (2, 14)
        fresh = JournalModel(
            [JournalPupil(9, 1, "Абрамов", "Олег"), *small_model().pupils],  # a new pupil
            [JournalLesson(9, dt.date(2026, 11, 6), 2), *small_model().lessons],
        )
        fresh.cell(3, 11).marks.append(CellMark(4, mark_id=103, version=1))
        fresh.keep_unsettled(app.model)
        grid.replace_model(fresh)
        await pilot.pause()
        assert (grid.current_pupil_id, grid.current_lesson_id) == (2, 14)  # same pupil, lesson
        assert [m.value for m in fresh.cell(1, 13).marks] == [5]  # ours, still waiting
        assert any(" 4" in line for line in lines(grid))
        await pilot.press("ctrl+z")  # the undo stack applies to the fresh copy
        assert fresh.cell(1, 13).marks == []
        assert (grid.current_pupil_id, grid.current_lesson_id) == (1, 13)
