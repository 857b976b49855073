"""The school's set-up files read and planned without a database: every format habit of the
roster import (BOM, Windows-1251, ``;`` or ``,``, Russian or English headers), a reason with the
line and the column for every refused line, repeated lines skipped, clashes in the timetable
refused, and the templates importing as they are."""

from __future__ import annotations

import codecs

import pytest

from api_client.setup_files import KINDS, template
from demo_server.roster import Action
from demo_server.setup_import import (
    ExistingClass,
    ExistingGroup,
    ExistingSlot,
    Person,
    PlannedLine,
    SetupFileError,
    SetupSnapshot,
    parse_file,
    plan_file,
)

SCHOOL = SetupSnapshot(
    subjects={"Математика": 1, "Английский язык": 2, "Информатика": 3},
    rooms={"101": (1, "Кабинет математики"), "204": (2, ""), "205": (3, "")},
    classes=(ExistingClass(10, "5А"), ExistingClass(11, "5Б", teacher_id=100)),
    teachers=(
        Person(100, "petrova.o", "Петрова", "Ольга", "Ивановна"),
        Person(101, "smirnova.e", "Смирнова", "Елена", "Павловна"),
        Person(102, "kuznetsov.a", "Кузнецов", "Андрей", "Сергеевич"),
        Person(103, "sidorov.i", "Сидоров", "Иван"),
        Person(104, "ivanova.a", "Иванова", "Анна", "Петровна"),
        Person(105, "ivanova.a2", "Иванова", "Анна", "Павловна"),
    ),
    pupils=(
        Person(200, "ivanov.p", "Иванов", "Пётр", class_id=10),
        Person(201, "kozlova.a", "Козлова", "Анна", class_id=10),
        Person(202, "orlov.i", "Орлов", "Илья", class_id=11),
    ),
    groups=(ExistingGroup(50, 10, 2, "1", teacher_id=101, pupils=frozenset({200})),),
    assignments=frozenset(
        {(100, 10, 1, None), (101, 10, 1, None), (103, 10, 3, None), (101, 10, 2, 50)}
    ),
    slots=(ExistingSlot(70, 11, None, 0, 1, "all", 1, 100, "101"),),
    lesson_numbers=frozenset(range(1, 8)),
)


def plan(kind: str, text: str, *, encoding: str = "utf-8") -> dict[int, PlannedLine]:
    the_plan = plan_file(parse_file(kind, text.encode(encoding)), SCHOOL)
    return {row.line: row for row in the_plan.rows}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("предмет\nФизика\n".encode(), "utf-8"),
        (codecs.BOM_UTF8 + "предмет\nФизика\n".encode(), "utf-8-sig"),
        ("предмет\r\nФизика\r\n".encode("cp1251"), "cp1251"),
        ("subject;x\nФизика;\n".encode(), "utf-8"),
        ("Subject,Note\nФизика,new\n".encode(), "utf-8"),
        ("НАЗВАНИЕ\tx\nФизика\t\n".encode("utf-16-le").join([codecs.BOM_UTF16_LE, b""]), "utf-16"),
    ],
)
def test_every_encoding_and_separator_reads(data: bytes, encoding: str) -> None:
    parsed = parse_file("subjects", data)
    assert parsed.encoding == encoding
    [row] = plan_file(parsed, SCHOOL).rows
    assert (row.line, row.action, row.what) == (2, Action.CREATED, "Физика")


def test_english_and_russian_headers_mean_the_same() -> None:
    russian = "класс;группа;день;урок;предмет;учитель;кабинет;недели\n"
    russian += "5А;;вт;1;Математика;petrova.o;101;\n"
    english = "Class,Group,Day,Lesson,Subject,Teacher,Room,Weeks\n"
    english += "5А,,Tuesday,1,Математика,petrova.o,101,\n"
    assert plan("timetable", russian)[2].values == plan("timetable", english)[2].values


def test_a_refused_line_says_its_line_and_column_in_words() -> None:
    rows = plan(
        "timetable",
        "класс;день;урок;предмет;учитель;кабинет\n"
        "5А;ср;1;Математика;Петрова О. И.;101\n"
        "5А;Пнд-ца;2;Математика;petrova.o;101\n"
        "5А;вт;1;Химия;petrova.o;101\n"
        "5Я;вт;2;Математика;petrova.o;101\n"
        "5А;вт;3;Математика;Иванова Анна;101\n"
        "5А;вт;9;Математика;petrova.o;101\n",
    )
    assert rows[2].action is Action.CREATED
    day = rows[3]
    assert (day.action, day.column) == (Action.REFUSED, "день")
    assert "'Пнд-ца' is not a weekday" in day.reason
    assert rows[3].summary().startswith("line 3, column день: refused")
    assert rows[4].column == "предмет" and "no subject 'Химия'" in rows[4].reason
    assert rows[5].column == "класс" and "no class 5Я" in rows[5].reason
    ambiguous = rows[6]
    assert ambiguous.column == "учитель"
    assert "ivanova.a, ivanova.a2" in ambiguous.reason
    assert "no lesson 9" in rows[7].reason


def test_a_teacher_is_found_by_login_full_name_or_initials() -> None:
    rows = plan(
        "assignments",
        "учитель;класс;предмет\n"
        "petrova.o;5А;Математика\n"
        "Смирнова Елена Павловна;5А;Английский язык\n"
        "Кузнецов А.С.;5А;Информатика\n"
        "Сидоров Иван Петрович;5Б;Информатика\n",
    )
    assert [rows[n].values["teacher_id"] for n in (2, 3, 4, 5)] == [100, 101, 102, 103]


def test_a_line_twice_is_skipped_and_two_lines_disagreeing_are_refused() -> None:
    rows = plan(
        "classes",
        "класс;классный_руководитель\n6А;petrova.o\n6 а;Петрова Ольга Ивановна\n"
        "6В;\n6в;sidorov.i\n",
    )
    assert rows[2].action is Action.CREATED
    assert (rows[3].action, rows[3].reason) == (Action.SKIPPED, "the same as line 2")
    assert rows[4].action is rows[5].action is Action.REFUSED
    assert "line 4 gives 6В differently" in rows[5].reason
    assert "line 5 gives 6В differently" in rows[4].reason


def test_existing_rows_are_unchanged_or_changed_never_erased() -> None:
    rows = plan("classes", "класс;классный руководитель\n5А;\n5Б;smirnova.e\n5Б;\n")
    assert rows[2].action is Action.UNCHANGED
    changed = rows[3]
    assert changed.action is Action.CHANGED
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("class_teacher", "Петрова Ольга Ивановна", "Смирнова Елена Павловна")
    ]


def test_groups_add_pupils_of_their_class_only() -> None:
    rows = plan(
        "groups",
        "класс;предмет;группа;учитель;ученики\n"
        '5А;Английский язык;1;smirnova.e;"Иванов Пётр, Козлова Анна"\n'
        "5А;Английский язык;2;kuznetsov.a;Орлов Илья\n",
    )
    first = rows[2]
    assert first.action is Action.CHANGED and first.values["pupils"] == (201,)
    assert rows[3].action is Action.REFUSED and rows[3].column == "ученики"


def test_the_timetable_refuses_a_teacher_room_or_class_in_two_places() -> None:
    rows = plan(
        "timetable",
        "класс;группа;день;урок;предмет;учитель;кабинет;недели\n"
        "5А;;пн;1;Математика;petrova.o;204;\n"  # petrova teaches 5Б then (existing)
        "5А;;пн;2;Математика;smirnova.e;101;\n"
        "5А;;пн;2;Информатика;sidorov.i;205;\n"  # 5А has line 3 at that time
        "5А;1;вт;1;Английский язык;smirnova.e;204;нечётные\n"
        "5А;;вт;1;Информатика;sidorov.i;204;чётные\n",  # alternating weeks: no clash
    )
    assert rows[2].column == "учитель" and "5Б пн 1 (already in the timetable)" in rows[2].reason
    assert rows[3].action is Action.REFUSED and rows[4].action is Action.REFUSED
    assert "line 3 gives 5А пн 2" in rows[4].reason
    assert rows[5].action is rows[6].action is Action.CREATED


def test_a_timetable_line_whose_teacher_has_no_assignment_is_refused_in_the_plan() -> None:
    rows = plan(
        "timetable",
        "класс;группа;день;урок;предмет;учитель;кабинет\n"
        "5А;;чт;1;Математика;petrova.o;101\n"  # assigned to 5А Математика
        "5А;;чт;2;Математика;kuznetsov.a;101\n"  # no assignment at all
        "5А;1;чт;3;Английский язык;smirnova.e;204\n"  # assigned to the group
        "5А;;чт;4;Английский язык;smirnova.e;204\n"  # the group's, not the whole class's
        "5Б;;пн;1;Математика;petrova.o;101\n",  # already in the timetable: nothing written
    )
    assert rows[2].action is Action.CREATED
    refused = rows[3]
    assert (refused.action, refused.column) == (Action.REFUSED, "учитель")
    assert "Кузнецов Андрей Сергеевич has no teaching assignment for 5А Математика" in (
        refused.reason
    )
    assert rows[4].action is Action.CREATED
    assert rows[5].action is Action.REFUSED and "no teaching assignment" in rows[5].reason
    assert rows[6].action is Action.UNCHANGED


def test_a_file_that_is_not_a_set_up_file_is_refused_whole() -> None:
    with pytest.raises(SetupFileError, match="lacks the column"):
        parse_file("timetable", "класс;день\n5А;пн\n".encode())
    with pytest.raises(SetupFileError, match="only the header"):
        parse_file("subjects", "предмет\n".encode())
    with pytest.raises(SetupFileError, match="not a CSV file"):
        parse_file("subjects", b"PK\x03\x04....")


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_template_reads_with_no_refusal_of_its_form(kind: str, lang: str) -> None:
    parsed = parse_file(kind, template(KINDS[kind], lang))
    assert not parsed.warnings
    assert len(parsed.lines) == len(KINDS[kind].examples)
    assert set(parsed.headers) == {c.key for c in KINDS[kind].columns}


def test_the_guide_describes_every_column_of_every_file() -> None:
    from pathlib import Path

    guide = (Path(__file__).parents[2] / "docs" / "setup_files.md").read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"## {kind.name}.csv" in guide
        for column in kind.columns:
            assert f"| `{column.key}` | `{column.russian}` |" in guide, (kind.name, column.key)


def test_a_plan_line_says_its_changes_and_reason_as_the_roster_does() -> None:
    from demo_server.roster import FieldChange, PlannedRow, RowKind
    from demo_server.setup_import import PlannedLine

    changes = (FieldChange("class", "5А", "6А"), FieldChange("room", "", "204"))
    tail = ": class 5А -> 6А; room - -> 204: kept the old teacher"
    row = PlannedRow(4, Action.CHANGED, RowKind.PUPIL, "Иванова Анна", "ivanova.a", 7,
                     "kept the old teacher", changes)  # fmt: skip
    assert row.summary() == "line 4: changed pupil Иванова Анна, login ivanova.a" + tail
    line = PlannedLine(4, Action.CHANGED, "5А", "kept the old teacher", changes=changes)
    assert line.summary() == "line 4: changed 5А" + tail
    assert PlannedLine(5, Action.UNCHANGED, "5Б").summary() == "line 5: unchanged 5Б"


def test_a_report_names_columns_as_the_file_wrote_them_else_in_words() -> None:
    from api_client import i18n

    parsed = parse_file("classes", "Класс;Кл_руководитель\n5А;\n".encode())
    the_plan = plan_file(parsed, SCHOOL)
    assert parsed.column("class") == "Класс"
    assert the_plan.column("class_teacher") == "Кл_руководитель"
    bare = parse_file("classes", "class\n5А\n".encode())
    assert bare.column("class_teacher") == "class teacher"  # never the code class_teacher
    with i18n.using("ru"):
        assert bare.column("class_teacher") == "классный руководитель"
