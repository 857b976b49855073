"""The journal's side of the outbox, with no screen: writes shown over the journal, answers
put into the model, conflicts resolved either way."""

from __future__ import annotations

import datetime as dt

import msgspec

from api_client import models as wire
from diary_tui import journal_sync
from diary_tui.journal_model import CellMark, CellState, JournalLesson, JournalModel, JournalPupil
from diary_tui.outbox_ops import JournalPlace, MarkCreateOp, MarkUpdateOp, Op
from diary_tui.store import CONFLICT, SENT, WAITING, OutboxItem

KEY = "1:2"
WHEN = dt.datetime(2024, 9, 2, 9, tzinfo=dt.UTC)


def model() -> JournalModel:
    pupils = [JournalPupil(10, 1, "Ivanova", "Anna"), JournalPupil(11, 2, "Petrov", "Ivan")]
    lessons = [JournalLesson(100, dt.date(2024, 9, 2), version=1)]
    return JournalModel(pupils, lessons)


def item(write: Op, state: str = WAITING, result: bytes | None = None, n: int = 1) -> OutboxItem:
    return OutboxItem(n, WHEN, write, f"key{n}", state, 0, "", result=result)


def place(key: str = "k1", journal: str = KEY) -> JournalPlace:
    return JournalPlace(journal=journal, pupil=10, lesson=100, key=key)


def create(value: int = 4, journal: str = KEY) -> MarkCreateOp:
    request = wire.MarkCreate(lesson_id=100, pupil_id=10, value=value)
    return MarkCreateOp(key="k1", request=request, place=place(journal=journal))


def test_a_waiting_mark_shows_in_its_journal_only() -> None:
    shown = model()
    journal_sync.apply_outbox(shown, KEY, [item(create()), item(create(3, "9:9"), n=2)])
    marks = shown.cell(10, 100).marks
    assert [(m.value, m.state, m.key) for m in marks] == [(4, CellState.WAITING, "k1")]


def test_an_answer_saves_the_mark_with_its_server_id() -> None:
    shown = model()
    journal_sync.apply_outbox(shown, KEY, [item(create())])
    answer = msgspec.json.encode({"id": 55, "version": 1})
    outcome = journal_sync.settle(shown, KEY, None, item(create(), SENT, answer))
    assert outcome == journal_sync.Outcome((10, 100), CellState.SAVED)
    mark = shown.cell(10, 100).marks[0]
    assert (mark.state, mark.mark_id, mark.version) == (CellState.SAVED, 55, 1)
    assert journal_sync.echo_of(item(create(), SENT, answer)) == ("mark", 55)


def test_a_conflict_is_kept_or_taken() -> None:
    shown = model()
    shown.cell(10, 100).marks.append(CellMark(value=4, mark_id=55, version=1, key="k1"))
    update = MarkUpdateOp(
        key="k1", mark_id=55, request=wire.MarkUpdate(version=1, value=5), place=place()
    )
    theirs = wire.JournalMark(
        id=55, pupil_id=10, lesson_id=100, value=2, version=2, created_at=WHEN
    )
    conflict = item(update, CONFLICT, msgspec.json.encode(theirs))
    conflicts = journal_sync.apply_outbox(shown, KEY, [conflict])
    assert conflicts == {(10, 100): conflict}
    mark = shown.cell(10, 100).marks[0]
    assert (mark.value, mark.state, mark.theirs) == (5, CellState.CONFLICT, 2)
    again = journal_sync.keep_mine(conflict)
    assert isinstance(again, MarkUpdateOp) and again.request.version == 2
    assert again.request.value == 5
    assert journal_sync.take_theirs(shown, conflict) == (10, 100)
    assert (mark.value, mark.state, mark.version) == (2, CellState.SAVED, 2)


def test_refused_writes_of_a_cell_are_picked_for_dismissal() -> None:
    here = item(create(), n=1)
    elsewhere = item(create(journal="9:9"), n=2)
    chosen = journal_sync.refused_here(
        [here, elsewhere], KEY, lambda _w, pupil, lesson: (pupil, lesson) == (10, 100)
    )
    assert chosen == [1]


def test_a_lessons_topic_and_homework_become_two_writes() -> None:
    shown = model()
    writes = journal_sync.lesson_writes(shown, KEY, 100, "Fractions", "p. 12", dt.date(2024, 9, 4))
    assert [w.tag for w in writes] == ["topic.set", "homework.set"]
    assert journal_sync.lesson_writes(shown, KEY, 100, "", "", None) == []
