"""The lines of the week screen for each kind of lesson change, at 80 and 120 columns.

Each change says what happened once, and the school's note (why, or where to) reads with it.
"""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from api_client.models import Homework, Lesson, LessonStatus, SubjectRef
from screens.week import labelled_note, lesson_detail, lesson_prompt, topic_content

DAY = dt.date(2026, 11, 25)


def lesson(**changes: object) -> Lesson:
    fields: dict[str, object] = {
        "id": 1,
        "date": DAY,
        "number": 3,
        "start": "10:20",
        "end": "11:05",
        "subject": SubjectRef(id=1, name="Physics"),
        "teacher": "Smith J.",
        "room": "204",
        "topic": "Levers",
    }
    fields.update(changes)
    return Lesson(**fields)  # type: ignore[arg-type]


CANCELLED = lesson(status=LessonStatus.CANCELLED, note="Teacher on sick leave")
SUBSTITUTED = lesson(
    status=LessonStatus.SUBSTITUTED,
    teacher="Brown A.",
    original_teacher="Smith J.",
    note="Teacher on a training course",
)
ROOM_CHANGED = lesson(room="Library", original_room="204", note="Room under repair")
MOVED = lesson(status=LessonStatus.MOVED, note="27 November, lesson 7")
MOVED_HERE = lesson(number=7, note="Moved from 25 November")


@pytest.mark.parametrize(
    ("label", "note", "shown"),
    [
        ("cancelled", "", "cancelled"),
        ("cancelled", "Teacher on sick leave", "cancelled: Teacher on sick leave"),
        ("cancelled", "Cancelled: teacher on sick leave", "Cancelled: teacher on sick leave"),
        ("cancelled", "cancelled, the class is on a trip", "cancelled, the class is on a trip"),
        ("cancelled", "Cancelled", "Cancelled"),
        ("moved", "Moved to 27 November", "Moved to 27 November"),
        ("moved", "Movement lesson in the gym", "moved: Movement lesson in the gym"),
    ],
)
def test_a_note_never_repeats_its_label(label: str, note: str, shown: str) -> None:
    assert labelled_note(label, note) == shown


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        (CANCELLED, "cancelled: Teacher on sick leave"),
        (SUBSTITUTED, "Teacher on a training course · Levers"),
        (ROOM_CHANGED, "Room under repair · Levers"),
        (MOVED, "moved: 27 November, lesson 7 · Levers"),
        (MOVED_HERE, "Moved from 25 November · Levers"),
        (lesson(), "Levers"),
        (lesson(status=LessonStatus.SUBSTITUTED, teacher="Brown A.", topic=""), ""),
    ],
    ids=["cancelled", "substituted", "room", "moved", "moved-here", "planned", "bare"],
)
def test_every_change_shows_its_note(item: Lesson, shown: str) -> None:
    assert topic_content(item).plain == shown


@pytest.mark.parametrize("width", [78, 118])
def test_the_note_is_on_the_lesson_at_both_widths(width: int) -> None:
    for item, words in (
        (CANCELLED, "cancelled: Teacher on sick leave"),
        (SUBSTITUTED, "Teacher on a"),
        (ROOM_CHANGED, "Room under repair"),
        (MOVED, "moved: 27 November"),
    ):
        text = lesson_prompt(item, width).plain
        assert words in text, (width, text)
        assert all(len(line) == width for line in text.split("\n"))
        assert text.casefold().count("cancelled") <= 1
        assert text.casefold().count("moved") <= 1


def test_the_detail_shows_a_room_change_note() -> None:
    text = lesson_detail(ROOM_CHANGED, save_files="").plain
    assert "Room: →Library was 204" in text
    assert "Note: Room under repair" in text


@pytest.mark.parametrize("width", [78, 118])
def test_a_changed_room_too_long_for_its_column_keeps_the_new_room_whole(width: int) -> None:
    short = lesson_prompt(lesson(room="306", original_room="203"), width).plain
    assert "→306 was 203" in short
    long = lesson_prompt(ROOM_CHANGED, width).plain.split("\n")[0]
    assert "→Library " in long and "was" not in long and "…" not in long


@pytest.mark.parametrize(
    ("item", "status"),
    [
        (CANCELLED, "Status: ✗ cancelled: Teacher on sick leave"),
        (MOVED, "Status: ↷ moved: 27 November, lesson 7"),
        (SUBSTITUTED, "Status: ⇄ substitution: Teacher on a training course"),
        (
            lesson(status=LessonStatus.CANCELLED, note="Cancelled: class on a trip"),
            "Status: ✗ Cancelled: class on a trip",
        ),
        (lesson(status=LessonStatus.CANCELLED), "Status: ✗ cancelled"),
    ],
)
def test_the_detail_says_the_status_with_its_note(item: Lesson, status: str) -> None:
    text = lesson_detail(item, save_files="").plain
    assert status in text.split("\n")
    assert "Note:" not in text


def test_a_note_too_long_for_its_column_is_whole_on_a_line_of_its_own() -> None:
    homework = [Homework(id=1, text="Read §12", due=DAY + dt.timedelta(days=2))]
    item = msgspec.structs.replace(SUBSTITUTED, homework=homework)
    first, *below = lesson_prompt(item, 118).plain.split("\n")
    assert below == [" " * 15 + "Teacher on a training course".ljust(118 - 15)]
    # The lesson's line keeps its columns: the topic in its own, no note cut short.
    assert "Levers " in first and "training" not in first and "Read §12" in first
    # Without homework the note fits its column, at 80 columns it has a line anyway.
    assert lesson_prompt(SUBSTITUTED, 118).plain.count("\n") == 0
    assert "Teacher on a training course · Levers" in lesson_prompt(SUBSTITUTED, 118).plain
    assert "Teacher on a training course" in lesson_prompt(item, 78).plain
    # A note longer than a line is wrapped, every line the full width, nothing lost.
    long_note = "The teacher is on a training course in the capital all week; " * 3
    cancelled = msgspec.structs.replace(CANCELLED, note=long_note.strip(), homework=homework)
    text = lesson_prompt(cancelled, 118).plain
    lines = text.split("\n")
    assert len(lines) >= 3 and all(len(line) == 118 for line in lines)
    assert " ".join(" ".join(lines[1:]).split()) == f"cancelled: {long_note.strip()}"
    assert text.casefold().count("cancelled") == 1
