"""The journal's pieces with no screen: the model built from the server's journal, whether a
change in the feed touches it, and the line that says the focused cell in words."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from api_client import i18n
from api_client import models as wire
from diary_tui import journal_sync, journal_words
from diary_tui.journal_model import (
    CellMark,
    CellState,
    Edit,
    EditOp,
    JournalModel,
    journal_choices,
    model_from_journal,
)

DAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
LATE = wire.AbsenceKind.LATE
CLASS = wire.ClassRef(id=1, name="5А", grade=5, letter="А")
SUBJECT = wire.SubjectRef(id=2, name="Математика")


def journal(**changes: object) -> wire.Journal:
    fields: dict[str, object] = {
        "class_": CLASS,
        "subject": SUBJECT,
        "period": wire.PeriodRef(
            id=3, name="2", start=dt.date(2026, 11, 2), end=dt.date(2026, 12, 28)
        ),
        "pupils": [
            wire.JournalPupil(id=10, number=1, first_name="Анна", last_name="Иванова"),
            wire.JournalPupil(id=11, number=2, first_name="Иван", last_name="Петров"),
        ],
        "lessons": [wire.JournalLesson(id=100, date=DAY, number=1)],
    }
    fields.update(changes)
    return wire.Journal(**fields)  # type: ignore[arg-type]


def mark(mark_id: int, value: int, minutes: int, **more: object) -> wire.JournalMark:
    return wire.JournalMark(
        id=mark_id,
        pupil_id=10,
        lesson_id=100,
        value=value,
        created_at=AT + dt.timedelta(minutes=minutes),
        **more,  # type: ignore[arg-type]
    )


def test_the_model_holds_the_marks_in_force_in_the_order_given() -> None:
    marks = [mark(2, 5, 10), mark(1, 3, 0), mark(3, 2, 5, removed=True)]
    absences = [wire.JournalAbsence(id=7, pupil_id=11, lesson_id=100, kind=LATE, minutes=9)]
    model = model_from_journal(journal(marks=marks, absences=absences))
    assert [(m.value, m.mark_id, m.key) for m in model.cell(10, 100).marks] == [
        (3, 1, "m1"),
        (5, 2, "m2"),
    ]
    late = model.cell(11, 100)
    assert (late.absence, late.absence_id, late.absence_minutes) == ("late", 7, 9)


def test_a_mark_of_a_pupil_or_lesson_not_in_the_journal_is_left_out() -> None:
    stray = wire.JournalMark(id=4, pupil_id=99, lesson_id=100, value=4, created_at=AT)
    model = model_from_journal(journal(marks=[stray]))
    assert model.peek(99, 100) is None


def test_a_removed_period_mark_shows_as_none_with_its_version() -> None:
    removed = wire.JournalPeriodMark(id=5, pupil_id=10, value=4, version=3, removed=True)
    model = model_from_journal(journal(period_marks=[removed]))
    cell = model.period_marks[10]
    assert (cell.value, cell.mark_id, cell.version) == (None, 5, 3)


def change(kind: str, **fields: object) -> wire.ChangeItem:
    return wire.ChangeItem(cursor="c", at=AT, kind=kind, **fields)  # type: ignore[arg-type]


def test_a_change_of_one_of_its_lessons_touches_the_journal() -> None:
    echoes: Counter[tuple[str, int]] = Counter()
    shown = journal()
    lesson = change("lesson.topic", entity_id=100, payload={"lesson_id": 100})
    other = change("lesson.topic", entity_id=101, payload={"lesson_id": 101})
    assert journal_sync.touched(shown, [lesson], 5, echoes)
    assert not journal_sync.touched(shown, [other], 5, echoes)


def test_a_mark_of_another_subject_or_a_message_does_not_touch_it() -> None:
    echoes: Counter[tuple[str, int]] = Counter()
    shown = journal()
    elsewhere = change("mark.added", entity_id=1, pupil_id=10, payload={"subject_id": 9})
    message = change("message.new", entity_id=1, pupil_id=10, payload={"subject_id": 2})
    assert not journal_sync.touched(shown, [elsewhere, message], 5, echoes)
    mine = change("mark.added", entity_id=1, pupil_id=10, payload={"subject_id": 2})
    assert journal_sync.touched(shown, [mine], 5, echoes)


def test_the_echo_of_our_own_write_is_used_up_once() -> None:
    echoes: Counter[tuple[str, int]] = Counter({("mark", 1): 1})
    shown = journal()
    ours = change("mark.added", entity_id=1, pupil_id=10, actor_id=5, payload={"subject_id": 2})
    assert not journal_sync.touched(shown, [ours], 5, echoes)
    assert echoes[("mark", 1)] == 0
    assert journal_sync.touched(shown, [ours], 5, echoes)  # the same again is news


def test_every_echo_is_used_up_even_after_a_change_that_touches() -> None:
    echoes: Counter[tuple[str, int]] = Counter({("mark", 8): 1})
    shown = journal()
    news = change("lesson.topic", entity_id=100, payload={"lesson_id": 100})
    ours = change("mark.added", entity_id=8, pupil_id=10, actor_id=5, payload={"subject_id": 2})
    assert journal_sync.touched(shown, [news, ours], 5, echoes)
    assert echoes[("mark", 8)] == 0


def test_a_teacher_opens_each_class_subject_and_group_once() -> None:
    group = wire.GroupRef(id=4, name="гр. 1")
    teaching = [
        wire.Teaching(class_=CLASS, subject=SUBJECT),
        wire.Teaching(class_=CLASS, subject=SUBJECT),
        wire.Teaching(class_=CLASS, subject=SUBJECT, group=group),
    ]
    me = wire.Me(
        id=5,
        login="smirnova",
        first_name="Ольга",
        last_name="Смирнова",
        role=wire.Role.TEACHER,
        school=wire.SchoolInfo(id=1, name="Школа № 1"),
        teaching=teaching,
    )
    assert journal_choices(me) == [
        (1, "5А", 2, "Математика", None),
        (1, "5А", 2, "Математика (гр. 1)", 4),
    ]
    assert journal_choices(None) == []


def keys(binding: str) -> str:
    return f"<{binding}>"


def test_the_line_says_the_marks_their_kind_and_a_refusal_with_its_key() -> None:
    model = model_from_journal(journal(marks=[mark(1, 5, 0, weight=2, comment="у доски")]))
    model.cell(10, 100).marks[0].state = CellState.REJECTED
    model.cell(10, 100).marks[0].reason = "Урок отменён."
    with i18n.using("en"):
        words = journal_words.cell_words(model, 10, 100, DAY, keys)
    assert words == [
        ("Иванова Анна", ""),
        ("23 Nov", ""),
        ("5×2 oral “у доски”", ""),
        ("refused: Урок отменён. (<journal.discard>: discard)", "$text-error"),
    ]


def test_the_period_mark_line_offers_the_suggested_mark() -> None:
    model = model_from_journal(journal(marks=[mark(1, 5, 0), mark(2, 4, 1)]))
    with i18n.using("en"):
        words = journal_words.cell_words(model, 10, None, DAY, keys)
    assert words[1:] == [("period mark", ""), ("suggested 5", "")]


def test_a_late_pupil_is_said_with_the_minutes() -> None:
    absences = [wire.JournalAbsence(id=7, pupil_id=11, lesson_id=100, kind=LATE, minutes=9)]
    model = model_from_journal(journal(absences=absences))
    with i18n.using("ru"):
        words = journal_words.cell_words(model, 11, 100, DAY, keys)
        late = journal_words.absence_name(wire.AbsenceKind.LATE)
    assert words[-1] == (late + " 9 мин", "")


def test_a_reason_is_asked_only_for_a_mark_older_than_the_limit() -> None:
    old = CellMark(value=4, created_at=AT)
    change_old = Edit(EditOp.CHANGE_MARK, 10, 100, before=old, after=None)
    added = Edit(EditOp.ADD_MARK, 10, 100, before=None, after=old)
    assert not journal_words.needs_reason(change_old, 7, AT + dt.timedelta(days=7))
    assert journal_words.needs_reason(change_old, 7, AT + dt.timedelta(days=7, seconds=1))
    assert not journal_words.needs_reason(added, 7, AT + dt.timedelta(days=30))
    unsaved = Edit(EditOp.REMOVE_MARK, 10, 100, before=CellMark(value=4), after=None)
    assert not journal_words.needs_reason(unsaved, 7, AT + dt.timedelta(days=30))


def test_a_journal_write_is_named_and_an_unknown_one_shown_as_it_came() -> None:
    with i18n.using("en"):
        assert journal_words.write_name("topic") == "The topic"
        assert journal_words.write_name("newer_thing") == "newer_thing"


def test_a_model_with_no_lessons_still_names_the_pupil() -> None:
    model = JournalModel(model_from_journal(journal()).pupils, [])
    assert journal_words.cell_words(model, 10, None, DAY, keys)[0] == ("Иванова Анна", "")
