"""Roster import: reading real-world spreadsheet files and planning the import line by line."""

from __future__ import annotations

import codecs
import random

import pytest

from demo_server.roster import (
    Action,
    ExistingSchool,
    ExistingUser,
    ImportPlan,
    ParsedRoster,
    RosterError,
    RowKind,
    apply_to_snapshot,
    class_key,
    login_base,
    normalise_class_name,
    parse_roster,
    plan_import,
)

HEADER_RU = "тип;фамилия;имя;отчество;класс;логин;дети;классы;предметы"
ROSTER_RU = f"""{HEADER_RU}
ученик;Иванова;Анна;Сергеевна;5А;;;;
ученик;Иванов;Павел;;9Б;;;;
ученик;Смирнов;Олег;;5Б;;;;
родитель;Иванова;Мария;Петровна;;;"Иванова Анна 5А; Иванов Павел 9Б";;
родитель;Смирнова;Ольга;;;;Смирнов Олег 5Б;;
учитель;Петров;Олег;Ильич;;;;"5А, 5Б";"Математика; Физика"
учитель;Кузнецова;Вера;;;;;9Б;Русский язык
"""

CLASSES = {"5А": 1, "5Б": 2, "9Б": 3}
SUBJECTS = {"Математика": 1, "Физика": 2, "Русский язык": 3}


def empty_school() -> ExistingSchool:
    return ExistingSchool(classes=CLASSES, subjects=SUBJECTS)


def parse(text: str, encoding: str = "utf-8") -> ParsedRoster:
    return parse_roster(text.encode(encoding))


def plan_of(text: str, school: ExistingSchool | None = None) -> ImportPlan:
    return plan_import(parse(text), school or empty_school())


def actions(plan: ImportPlan) -> dict[int, Action]:
    return {row.line: row.action for row in plan.rows}


def reason(plan: ImportPlan, line: int) -> str:
    return next(r.reason for r in plan.rows if r.line == line)


# --- encodings, separators and layout -------------------------------------------------------


def test_a_clean_file_creates_everyone() -> None:
    plan = plan_of(ROSTER_RU)
    assert set(actions(plan).values()) == {Action.CREATED}, [r.summary() for r in plan.rows]
    assert len(plan.rows) == 7
    assert plan.can_apply


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (ROSTER_RU.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ROSTER_RU.encode("utf-8"), "utf-8-sig"),
        (ROSTER_RU.encode("cp1251"), "cp1251"),
        (ROSTER_RU.replace("\n", "\r\n").encode("cp1251"), "cp1251"),
        (codecs.BOM_UTF16_LE + ROSTER_RU.encode("utf-16-le"), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "cp1251", "cp1251-crlf", "utf16"],
)
def test_encodings_read_the_same(encoded: bytes, encoding: str) -> None:
    parsed = parse_roster(encoded)
    assert parsed.encoding == encoding
    reference = parse(ROSTER_RU)
    assert parsed.rows == reference.rows
    assert parsed.rows[0].last_name == "Иванова"
    assert parsed.columns[0] == "kind"  # the BOM did not stick to the first header name


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators_are_sniffed(sep: str) -> None:
    text = sep.join(["kind", "last_name", "first_name", "class"]) + "\n"
    text += sep.join(["pupil", "Smith", "John", "5A"]) + "\n"
    parsed = parse(text)
    assert parsed.delimiter == sep
    assert parsed.rows[0].class_name == "5A"
    assert parsed.rows[0].kind is RowKind.PUPIL


def test_stray_spaces_empty_lines_and_case() -> None:
    text = (
        "  Kind , LAST NAME ,First-Name,  Класс \n\n"
        "  Pupil ,  Smith   Jones ,\u00a0 John  ,  5  a  \n"
        "\n ,  , , \n"
        "ученик,Иванова,Анна,5 а\n"
    )
    parsed = parse(text)
    assert [(r.line, r.last_name, r.first_name, r.class_name) for r in parsed.rows] == [
        (3, "Smith Jones", "John", "5A"),
        (6, "Иванова", "Анна", "5А"),
    ]
    plan = plan_import(parsed, ExistingSchool(classes={"5А": 1}))
    # A Latin "5A" finds the Cyrillic class 5А.
    assert [r.class_name for r in plan.rows] == ["5А", "5А"]
    assert [r.action for r in plan.rows] == [Action.CREATED, Action.CREATED]


def test_duplicate_rows_are_reported_once_and_skipped() -> None:
    text = (
        "kind;last_name;first_name;class\n"
        "pupil;Smith;John;5A\n"
        "pupil; smith ;JOHN ;5 a\n"
        "pupil;Smith;John;5A\n"
        "pupil;Brown;Ann;5A\n"
    )
    parsed = parse(text)
    assert len(parsed.rows) == 2
    assert [(d.line, d.of_line) for d in parsed.duplicates] == [(3, 2), (4, 2)]
    plan = plan_import(parsed, ExistingSchool(classes={"5A": 1}))
    assert actions(plan) == {
        2: Action.CREATED,
        3: Action.SKIPPED,
        4: Action.SKIPPED,
        5: Action.CREATED,
    }
    assert reason(plan, 3) == "duplicate of line 2"
    assert plan.can_apply


def test_a_conflicting_duplicate_is_refused_on_both_lines() -> None:
    text = (
        "kind;last_name;first_name;class;login\n"
        "pupil;Smith;John;5A;smith.j\n"
        "pupil;Smith;John;5A;jsmith\n"
        "teacher;Black;Tom;;\n"
        "pupil;Brown;Ann;5A;smith.j\n"
    )
    plan = plan_import(parse(text), ExistingSchool(classes={"5A": 1}))
    assert actions(plan) == {
        2: Action.REFUSED,
        3: Action.REFUSED,
        4: Action.CREATED,
        5: Action.REFUSED,
    }
    assert "conflicting duplicate" in reason(plan, 2)
    assert "3" in reason(plan, 2) and "5" in reason(plan, 2)
    assert "2" in reason(plan, 3)
    assert not plan.can_apply


def test_teacher_twice_with_different_subjects_conflicts() -> None:
    text = "kind,last_name,first_name,classes,subjects\nteacher,Black,Tom,5A,Maths\n"
    text += "teacher,Black,Tom,5A,Physics\n"
    plan = plan_import(parse(text), ExistingSchool(classes={"5A": 1}, subjects={"Maths": 1}))
    assert set(actions(plan).values()) == {Action.REFUSED}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \r\n\n \t\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"kind;last_name;first_name;class\n\n\n", "only the header"),
        (bytes(range(256)) * 4, "not a text file"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "workbook"),
        (b"kind last_name first_name\npupil Smith John\n", "separator"),
        (b"kind;surname;given\npupil;Smith;John\n", "first name"),
        (b"kind;last_name;first_name;last_name\npupil;a;b;c\n", "twice"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "bom-only",
        "header-only",
        "binary",
        "xlsx",
        "no-separator",
        "missing-columns",
        "repeated-column",
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data: bytes, words: str) -> None:
    with pytest.raises(RosterError, match=words):
        parse_roster(data)


def test_undecodable_file_names_the_byte_offset() -> None:
    # Latin-1 accents are neither UTF-8 nor Cyrillic text.
    data = "kind;last_name;first_name;class\npupil;Müller;Jürgen;5A\n".encode("latin-1")
    with pytest.raises(RosterError) as caught:
        parse_roster(data)
    message = str(caught.value)
    offset = data.index("ü".encode("latin-1"))
    assert f"byte {offset}" in message
    assert "line 2" in message
    assert "CSV UTF-8" in message


def test_missing_columns_error_names_what_was_not_recognised() -> None:
    with pytest.raises(RosterError, match="surnme"):
        parse_roster(b"kind;surnme;first_name\npupil;Smith;John\n")


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    text = "kind;last_name;first_name;class;примечание;;\npupil;Smith;John;5A;с 1 мая;;\n"
    parsed = parse(text)
    assert parsed.rows[0].problem == ""
    assert len(parsed.warnings) == 1 and "примечание" in parsed.warnings[0]
    plan = plan_import(parsed, ExistingSchool(classes={"5A": 1}))
    assert plan.warnings == parsed.warnings


def test_full_name_column_and_inferred_kind() -> None:
    text = "ФИО;класс;дети\nИванова Анна Сергеевна;5А;\nИванова Мария;;Иванова Анна 5А\n"
    parsed = parse(text)
    assert [(r.kind, r.last_name, r.first_name, r.middle_name) for r in parsed.rows] == [
        (RowKind.PUPIL, "Иванова", "Анна", "Сергеевна"),
        (RowKind.PARENT, "Иванова", "Мария", ""),
    ]
    plan = plan_import(parsed, ExistingSchool(classes={"5А": 1}))
    assert [r.action for r in plan.rows] == [Action.CREATED, Action.CREATED]
    assert plan.rows[1].add_children[0].line == 2


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("pupil;Smith;;5A;", "first name is missing"),
        ("pupil;Smith;John;;", "needs a class"),
        ("pupil;Smith;John;fifth;", "not a class name"),
        ("janitor;Smith;John;5A;", "unknown kind"),
        (";Smith;John;5A;", "kind is missing"),
        ("pupil;Smith;John;5A;John Smith", "login"),
        ("pupil;Smith;John;5A;;extra", "more value"),
        ("parent;Smith;Mary;;", "at least one child"),
        ("pupil;Smith;John;7C;", "unknown class 7C"),
        ("pupil;Smi\x07th;John;5A;", "surname holds an invisible control character (U+0007)"),
        ("pupil;Smith;\u202enhoJ;5A;", "first name holds an invisible control character (U+202E)"),
        ("pupil;Smith;Jo\x9bhn;5A;", "control character (U+009B)"),
        ("pupil;" + "S" * 101 + ";John;5A;", "surname is longer than 100 characters"),
    ],
)
def test_bad_lines_are_refused_with_the_reason(line: str, words: str) -> None:
    text = "kind;last_name;first_name;class;login\npupil;Brown;Ann;5A;\n" + line + "\n"
    plan = plan_import(parse(text), ExistingSchool(classes={"5A": 1}))
    assert actions(plan) == {2: Action.CREATED, 3: Action.REFUSED}
    assert words in reason(plan, 3)
    assert not plan.can_apply


def test_teacher_with_unknown_subject_or_class_is_refused() -> None:
    text = "kind;last_name;first_name;classes;subjects\n"
    text += "teacher;Black;Tom;5A;Alchemy\nteacher;White;Ann;8Z;Maths\n"
    plan = plan_import(parse(text), ExistingSchool(classes={"5A": 1}, subjects={"Maths": 1}))
    assert "unknown subject Alchemy" in reason(plan, 2)
    assert "unknown class 8Z" in reason(plan, 3)


# --- matching the school as it is ---------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing() -> None:
    parsed = parse(ROSTER_RU)
    first = plan_import(parsed, empty_school())
    after = apply_to_snapshot(first, empty_school())
    assert len(after.users) == 7
    assert len(after.parent_links) == 3
    assert len(after.teaching) == 5  # 2 classes x 2 subjects + 1
    again = plan_import(parse(ROSTER_RU), after)
    assert set(actions(again).values()) == {Action.UNCHANGED}, [r.summary() for r in again.rows]
    assert not again.changes_anything
    # The logins stay those the first import gave.
    assert [r.login for r in again.rows] == [r.login for r in first.rows]
    # Also when read from a Windows-1251 copy with stray spaces and Latin class letters.
    messy = ROSTER_RU.replace(";5А;", "; 5 A ;").replace("Иванов;", "  Иванов ;")
    third = plan_import(parse_roster(messy.encode("cp1251")), after)
    assert set(actions(third).values()) == {Action.UNCHANGED}, [r.summary() for r in third.rows]


def test_changes_list_fields_before_and_after() -> None:
    school = apply_to_snapshot(plan_of(ROSTER_RU), empty_school())
    anna = next(u for u in school.users if u.first_name == "Анна")
    text = f"{HEADER_RU}\nученик;Петрова;Анна;Сергеевна;5Б;{anna.login};;;\n"
    text += "учитель;Петров;Олег;Ильич;;;;9Б;Физика\n"
    plan = plan_import(parse(text), school)
    assert actions(plan) == {2: Action.CHANGED, 3: Action.CHANGED}
    moved = plan.rows[0]
    assert moved.user_id == anna.id
    assert {(c.field, c.before, c.after) for c in moved.changes} == {
        ("last_name", "Иванова", "Петрова"),
        ("class", "5А", "5Б"),
    }
    teacher = plan.rows[1]
    assert [(a.class_name, a.subject_name) for a in teacher.add_assignments] == [("9Б", "Физика")]
    assert teacher.changes[0].field == "teaches"


def test_pupil_with_the_same_name_in_another_class_needs_a_login() -> None:
    school = apply_to_snapshot(plan_of(ROSTER_RU), empty_school())
    text = f"{HEADER_RU}\nученик;Иванов;Павел;;5А;;;;\nученик;Иванов;Павел;;5Б;ivanov.p2;;;\n"
    plan = plan_import(parse(text), school)
    assert actions(plan) == {2: Action.REFUSED, 3: Action.CREATED}
    assert "already exists" in reason(plan, 2) and "login" in reason(plan, 2)
    assert plan.rows[1].login == "ivanov.p2"


def test_login_taken_by_someone_else_is_refused() -> None:
    school = apply_to_snapshot(plan_of(ROSTER_RU), empty_school())
    teacher_login = next(u.login for u in school.users if u.role == "teacher")
    text = f"{HEADER_RU}\nученик;Сидоров;Илья;;5А;{teacher_login};;;\n"
    plan = plan_import(parse(text), school)
    assert "is taken by someone else" in reason(plan, 2)


def test_generated_logins_are_deterministic_and_unique() -> None:
    existing = ExistingUser(9, "teacher", "Иванова", "Алла", "", "ivanova.a")
    school = ExistingSchool(classes=CLASSES, subjects=SUBJECTS, users=(existing,))
    text = (
        "kind;last_name;first_name;class;login\n"
        "pupil;Иванова;Анна;5А;\n"
        "pupil;Иванова;Алёна;5Б;\n"
        "pupil;Ivanova;Agata;9Б;\n"
        "pupil;Щукина;Юлия;9Б;ivanova.a3\n"
        "pupil;Ёлкин;Шамиль;9Б;\n"
    )
    plan = plan_import(parse(text), school)
    logins = [r.login for r in plan.rows]
    assert logins == ["ivanova.a2", "ivanova.a4", "ivanova.a5", "ivanova.a3", "elkin.s"]
    assert plan_import(parse(text), school) == plan
    assert login_base("Щукина", "Юлия") == "shchukina.y"


# --- parents and children -------------------------------------------------------------------


def test_parent_linked_by_name_and_class_to_existing_and_new_children() -> None:
    pupils = (
        ExistingUser(10, "pupil", "Иванова", "Анна", "", "ivanova.a", "5А"),
        ExistingUser(11, "pupil", "Иванов", "Павел", "", "ivanov.p", "9Б"),
    )
    school = ExistingSchool(classes=CLASSES, subjects=SUBJECTS, users=pupils)
    text = (
        f"{HEADER_RU}\n"
        'родитель;Иванова;Мария;;;;"иванова  анна 5 а; Сидоров Глеб 5Б";;\n'
        "ученик;Сидоров;Глеб;;5Б;;;;\n"
    )
    plan = plan_import(parse(text), school)
    assert actions(plan) == {2: Action.CREATED, 3: Action.CREATED}
    children = plan.rows[0].add_children
    assert [(c.user_id, c.line) for c in children] == [(10, None), (None, 3)]
    after = apply_to_snapshot(plan, school)
    assert (12, 10) in after.parent_links and (12, 13) in after.parent_links


def test_parent_linked_by_pupil_id() -> None:
    pupils = (ExistingUser(10, "pupil", "Smith", "John", "", "smith.j", "5A"),)
    school = ExistingSchool(classes={"5A": 1}, users=pupils)
    text = "kind,last_name,first_name,children\nparent,Smith,Mary,id 10\nparent,Smith,Bob,#11\n"
    plan = plan_import(parse(text), school)
    assert actions(plan) == {2: Action.CREATED, 3: Action.REFUSED}
    assert [c.user_id for c in plan.rows[0].add_children] == [10]
    assert "no pupil has id 11" in reason(plan, 3)


def test_ambiguous_or_missing_child_is_refused() -> None:
    pupils = (
        ExistingUser(10, "pupil", "Smith", "John", "", "smith.j", "5A"),
        ExistingUser(11, "pupil", "Smith", "John", "", "smith.j2", "5A"),
    )
    school = ExistingSchool(classes={"5A": 1, "5B": 2}, users=pupils)
    text = (
        "kind;last_name;first_name;children\n"
        "parent;Smith;Mary;Smith John 5A\n"
        "parent;Brown;Ann;Brown Tim 5B\n"
        "parent;Green;Sue;Green Tim\n"
    )
    plan = plan_import(parse(text), school)
    assert set(actions(plan).values()) == {Action.REFUSED}
    assert "ambiguous" in reason(plan, 2) and "id" in reason(plan, 2)
    assert "not found" in reason(plan, 3)
    assert "class" in reason(plan, 4)


def test_parent_of_a_refused_pupil_is_refused_with_that_line() -> None:
    text = "kind;last_name;first_name;class;children\npupil;Brown;Tim;5A;\n"
    text += "parent;Brown;Ann;;Brown Tim 5A\n"
    plan = plan_import(parse(text), ExistingSchool())  # the school has no class 5A yet
    assert "unknown class" in reason(plan, 2)
    assert "line 2, which is refused" in reason(plan, 3)


def test_namesake_parent_is_not_linked_to_someone_elses_child() -> None:
    pupils = (
        ExistingUser(10, "pupil", "Smith", "John", "", "smith.j", "5A"),
        ExistingUser(11, "pupil", "Smith", "Kate", "", "smith.k", "5A"),
        ExistingUser(20, "parent", "Smith", "Mary", "", "smith.m", ""),
    )
    school = ExistingSchool(classes={"5A": 1}, users=pupils, parent_links=frozenset({(20, 10)}))
    header = "kind;last_name;first_name;login;children\n"
    plan = plan_import(parse(header + "parent;Smith;Mary;;Smith Kate 5A\n"), school)
    assert "already exists" in reason(plan, 2)
    text = header + 'parent;Smith;Mary;smith.m;"Smith Kate 5A; Smith John 5A"\n'
    plan = plan_import(parse(text), school)
    assert plan.rows[0].action is Action.CHANGED
    assert [c.user_id for c in plan.rows[0].add_children] == [11]


# --- small pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5А", "5А"),
        ("5 а", "5А"),
        (" 10-b ", "10B"),
        ("11 аб", "11АБ"),
        ("5", None),
        ("А5", None),
        ("13А", None),
        ("пятый", None),
    ],
)
def test_normalise_class_name(text: str, expected: str | None) -> None:
    assert normalise_class_name(text) == expected


def test_class_key_joins_latin_and_cyrillic_spellings() -> None:
    assert class_key("5A") == class_key("5 а") == class_key("5А")
    assert class_key("5B") != class_key("5Б")


def test_parents_sharing_a_name_and_a_child_conflict() -> None:
    pupils = (ExistingUser(10, "pupil", "Smith", "John", "", "smith.j", "5A"),)
    school = ExistingSchool(classes={"5A": 1, "5B": 2}, users=pupils)
    text = (
        "kind;last_name;first_name;class;children\n"
        "pupil;Smith;Kate;5B;\n"
        "parent;Smith;Mary;;Smith John 5A\n"
        'parent;Smith;Mary;;"Smith Kate 5B; Smith John 5A"\n'
        "parent;Smith;Mary;;Smith Kate 5B\n"
    )
    plan = plan_import(parse(text), school)
    assert actions(plan) == {
        2: Action.CREATED,
        3: Action.REFUSED,
        4: Action.REFUSED,
        5: Action.REFUSED,
    }
    assert "line(s) 4" in reason(plan, 3)
    assert "line(s) 3, 5" in reason(plan, 4)


def random_roster(seed: int, pupils: int, parents: int) -> str:
    """A school's worth of people with many namesakes, as one roster file."""
    rng = random.Random(seed)
    lasts = ["Иванов", "Петров", "Смирнов", "Орлов", "Попов", "Волков", "Зайцев", "Козлов"]
    firsts = ["Анна", "Илья", "Олег", "Мария", "Глеб", "Вера", "Кирилл", "Майя", "Дарья"]
    middles = ["", "Иванович", "Петрович", "Сергеевич"]
    lines = [HEADER_RU]
    people = [
        (rng.choice(lasts), rng.choice(firsts), rng.choice(middles), rng.choice(list(CLASSES)))
        for _ in range(pupils)
    ]
    for last, first, middle, cls in people:
        lines.append(f"ученик;{last};{first};{middle};{cls};;;;")
    for _ in range(parents):
        kids = rng.sample(people, rng.choice([1, 1, 2]))
        refs = "; ".join(" ".join(part for part in kid if part) for kid in kids)
        lines.append(f'родитель;{kids[0][0]};{rng.choice(firsts)};;;;"{refs}";;')
    for _ in range(5):
        cls = ", ".join(rng.sample(list(CLASSES), 2))
        lines.append(f'учитель;{rng.choice(lasts)};{rng.choice(firsts)};;;;;"{cls}";Физика')
    rng.shuffle(lines[1:])
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reimport_of_a_random_school_changes_nothing(seed: int) -> None:
    text = random_roster(seed, pupils=300, parents=400)
    plan = plan_of(text)
    # Drop the refused lines (namesakes in one class, parents of those...) until none is left.
    while not plan.can_apply:
        refused = {r.line for r in plan.refused}
        kept = [line for n, line in enumerate(text.splitlines(), 1) if n not in refused]
        text = "\n".join(kept) + "\n"
        plan = plan_of(text)
    assert plan.count(Action.CREATED) > 300
    after = apply_to_snapshot(plan, empty_school())
    assert len({u.login for u in after.users}) == len(after.users)
    again = plan_import(parse(text), after)
    assert {r.action for r in again.rows} <= {Action.UNCHANGED, Action.SKIPPED}
    assert again.count(Action.UNCHANGED) == plan.count(Action.CREATED)


def test_plan_report_is_the_wire_form() -> None:
    from api_client.models import RosterImportReport, decode, encode
    from demo_server.roster import plan_report

    school = apply_to_snapshot(plan_of(ROSTER_RU), empty_school())
    text = ROSTER_RU + "ученик;Иванова;Анна;Сергеевна;5Б;;;;\nученик;Сидоров;Илья;;7В;;;;\n"
    text += "ученик;Иванов;Павел;;9Б;;;;\n"
    parsed = parse(text)
    plan = plan_import(parsed, school)
    report = decode(
        encode(plan_report(plan, parsed, dry_run=True, applied=False)), RosterImportReport
    )
    assert (report.unchanged, report.refused, report.skipped) == (7, 2, 1)
    assert report.encoding == "utf-8" and report.dry_run and not report.applied
    refused = [r for r in report.rows if r.action == Action.REFUSED]
    assert [r.line for r in refused] == [9, 10]
    assert "already exists" in refused[0].reason and refused[0].kind == "pupil"
    assert "unknown class 7В" in refused[1].reason
    assert [r.reason for r in report.rows if r.action == Action.SKIPPED] == ["duplicate of line 3"]


def test_dos_cyrillic_is_refused_not_misread() -> None:
    # Excel's "CSV (MS-DOS)" writes code page 866: it must not pass for Windows-1251.
    data = ROSTER_RU.encode("cp866")
    with pytest.raises(RosterError, match=r"byte \d+ \(line 1\).*CSV UTF-8"):
        parse_roster(data)


# --- cost: the work grows with the lines, not with their square -----------------------------


def _namesakes_file(n: int) -> str:
    """Lines whose cost was once quadratic: pupils sharing a login base, parents sharing a
    name and naming children among namesakes by full name, a login given on many lines, and a
    teacher repeating a class and a subject."""
    lines = [HEADER_RU]
    lines += [f"ученик;Иванова;Анна;Отчество{i};5А;;;;" for i in range(n)]
    lines += [f"родитель;Иванов;Пётр;;;;Иванова Анна Отчество{i} 5А;;" for i in range(n)]
    lines += [f"ученик;Петров{i};Олег;;5Б;same;;;" for i in range(n)]
    lines.append(f"учитель;Петров;Олег;;;;;{'; '.join(['5А'] * n)};{'; '.join(['Физика'] * n)}")
    return "\n".join(lines) + "\n"


def _namesakes_school(n: int) -> ExistingSchool:
    """A school already holding as many namesakes as the file: a re-import's case."""
    users = [
        ExistingUser(i, "pupil", "Иванова", "Анна", f"Старая{i}", f"ivanova.a{i}", "5А")
        for i in range(1, n + 1)
    ] + [
        ExistingUser(n + i, "parent", "Иванов", "Пётр", "", f"ivanov.p{i}") for i in range(1, n + 1)
    ]
    links = frozenset((n + i, i) for i in range(1, n + 1))
    return ExistingSchool(classes=CLASSES, subjects=SUBJECTS, users=users, parent_links=links)


def _lines_run(work: object) -> int:
    """How many lines of Python ``work()`` runs: a measure of its work that does not depend
    on the machine's speed or load."""
    import sys

    count = 0

    def trace(frame: object, event: str, arg: object) -> object:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)  # type: ignore[arg-type]
    try:
        work()  # type: ignore[operator]
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("existing", [False, True], ids=["new school", "re-import"])
def test_reading_and_planning_grow_linearly_with_the_file(existing: bool) -> None:
    costs = []
    report_sizes = []
    for n in (150, 300):
        data = _namesakes_file(n).encode("utf-8")
        school = _namesakes_school(n) if existing else ExistingSchool(CLASSES, SUBJECTS)
        parsed = parse_roster(data)
        plans: list[ImportPlan] = []
        costs.append(
            (
                _lines_run(lambda data=data: parse_roster(data)),
                _lines_run(lambda p=parsed, s=school, out=plans: out.append(plan_import(p, s))),
            )
        )
        report_sizes.append(sum(len(r.summary()) for r in plans[0].rows))
    (parse_n, plan_n), (parse_2n, plan_2n) = costs
    # Twice the lines: about twice the work (a quadratic part made this 3.5 to 4 times).
    assert parse_2n < 2.3 * parse_n
    assert plan_2n < 2.3 * plan_n
    # And about twice the report: a reason names a few other lines, not all of them.
    assert report_sizes[1] < 2.3 * report_sizes[0]


def test_a_refusal_names_a_few_lines_and_counts_the_rest() -> None:
    lines = [HEADER_RU] + [f"ученик;Петров{i};Олег;;5Б;same;;;" for i in range(30)]
    plan = plan_of("\n".join(lines) + "\n")
    reasons = {row.line: row.reason for row in plan.rows}
    assert reasons[2] == (
        "conflicting duplicate: line(s) 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19 more describe "
        "the same person differently (or give the same login); keep one line per person"
    )
    assert reasons[5].startswith("conflicting duplicate: line(s) 2, 3, 4, 6, 7,")


def test_new_logins_for_many_namesakes_are_numbered_in_order() -> None:
    lines = [HEADER_RU] + [f"ученик;Иванова;Анна;О{i};5А;;;;" for i in range(5)]
    existing = [ExistingUser(1, "teacher", "Иванова", "Алла", "", "ivanova.a2")]
    plan = plan_of("\n".join(lines) + "\n", ExistingSchool(CLASSES, SUBJECTS, existing))
    assert [r.login for r in plan.rows] == [
        "ivanova.a",
        "ivanova.a3",
        "ivanova.a4",
        "ivanova.a5",
        "ivanova.a6",
    ]


def test_a_name_fitting_several_accounts_is_refused_naming_their_logins() -> None:
    """Pupils in the class, teachers, and parents linked to the children: each kind asks for
    the login, naming the logins it could be."""
    users = [
        ExistingUser(1, "pupil", "Орлова", "Дарья", "", "orlova.d", "5А"),
        ExistingUser(2, "pupil", "Орлова", "Дарья", "", "orlova.d2", "5А"),
        ExistingUser(3, "teacher", "Зуев", "Иван", "", "zuev.i"),
        ExistingUser(4, "teacher", "Зуев", "Иван", "", "zuev.i2"),
        ExistingUser(5, "pupil", "Белов", "Кирилл", "", "belov.k", "5Б"),
        ExistingUser(6, "parent", "Белова", "Нина", "", "belova.n"),
        ExistingUser(7, "parent", "Белова", "Нина", "", "belova.n2"),
    ]
    links = frozenset({(6, 5), (7, 5)})
    school = ExistingSchool(classes=CLASSES, subjects=SUBJECTS, users=users, parent_links=links)
    text = (
        f"{HEADER_RU}\n"
        "ученик;Орлова;Дарья;;5А;;;;\n"
        "учитель;Зуев;Иван;;;;;5А;Физика\n"
        "родитель;Белова;Нина;;;;Белов Кирилл 5Б;;\n"
    )
    plan = plan_import(parse(text), school)
    assert reason(plan, 2) == (
        "2 pupils named Орлова Дарья are in 5А (orlova.d, orlova.d2): "
        "put the login in the login column"
    )
    assert reason(plan, 3) == (
        "2 teachers are named Зуев Иван (zuev.i, zuev.i2): put the login in the login column"
    )
    assert reason(plan, 4) == (
        "2 parents named Белова Нина are linked to these children (belova.n, belova.n2): "
        "put the login in the login column"
    )


def test_a_reports_changes_name_the_columns_as_the_file_wrote_them() -> None:
    from api_client import i18n
    from api_client.models import RosterImportReport, decode, encode
    from demo_server.roster import plan_report

    school = apply_to_snapshot(plan_of(ROSTER_RU), empty_school())
    anna = next(u for u in school.users if u.first_name == "Анна")
    text = f"Тип;Фамилия;Имя;Отчество;Класс;Логин\nученик;Петрова;Анна;Сергеевна;5Б;{anna.login}\n"
    parsed = parse(text)
    report = decode(
        encode(plan_report(plan_import(parsed, school), parsed, dry_run=True, applied=False)),
        RosterImportReport,
    )
    changes = {c.field: c.label for c in report.rows[0].changes}
    assert changes == {"last_name": "Фамилия", "class": "Класс"}
    # One full-name column: a surname's change is that column's; a teacher's new classes
    # are named by the columns they came from.
    text = f"ФИО;Класс;Логин\nПетрова Анна Сергеевна;5А;{anna.login}\n"
    parsed = parse(text)
    plan = plan_import(parsed, school)
    assert [parsed.label(c.field) for c in plan.rows[0].changes] == ["ФИО"]
    text = "Тип;Фамилия;Имя;Отчество;Классы;Предметы\nучитель;Петров;Олег;Ильич;9Б;Физика\n"
    parsed = parse(text)
    assert parsed.label("teaches") == "Предметы, Классы"
    # A column the file does not have is named in words, in the language asked for.
    with i18n.using("ru"):
        assert parsed.label("children") == "дети"
    assert parsed.label("middle_name") == "Отчество"


# --- a parent's telephone and e-mail -------------------------------------------------------


def test_parents_telephone_and_email_are_imported_changed_and_never_erased() -> None:
    header = "тип;фамилия;имя;класс;дети;телефон;эл. почта"
    text = (
        f"{header}\nученик;Иванова;Анна;5А;;;\n"
        "родитель;Иванова;Мария;;Иванова Анна 5А; +7 912  345-67-89 ;Maria@Mail.RU\n"
    )
    parsed = parse(text)
    assert {"phone", "email"} <= set(parsed.columns)
    assert parsed.label("phone") == "телефон"
    plan = plan_of(text)
    mother = plan.rows[1]
    assert (mother.phone, mother.email) == ("+7 912 345-67-89", "Maria@mail.ru")
    school = apply_to_snapshot(plan, empty_school())
    maria = next(u for u in school.users if u.first_name == "Мария")
    assert (maria.phone, maria.email) == ("+7 912 345-67-89", "Maria@mail.ru")
    # The same file again changes nothing; a new number is a change; empty cells erase nothing.
    assert plan_import(parse(text), school).count(Action.CHANGED) == 0
    moved = text.replace("+7 912  345-67-89", "8 (343) 222-33-44")
    [change] = [r for r in plan_import(parse(moved), school).rows if r.kind is RowKind.PARENT]
    assert change.action is Action.CHANGED
    assert [(c.field, c.before, c.after) for c in change.changes] == [
        ("phone", "+7 912 345-67-89", "8 (343) 222-33-44")
    ]
    emptied = text.replace(" +7 912  345-67-89 ;Maria@Mail.RU", ";")
    assert plan_import(parse(emptied), school).count(Action.CHANGED) == 0


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ("call me;", "telephone number holds 5 to 15 digits"),
        (";maria.mail.ru", "not an e-mail address"),
    ],
)
def test_a_wrong_telephone_or_email_refuses_the_line(cells: str, words: str) -> None:
    text = (
        "kind;last_name;first_name;class;children;phone;email\n"
        "pupil;Brown;Ann;5А;;;\n"
        f"parent;Brown;Mary;;Brown Ann 5А;{cells}\n"
    )
    plan = plan_of(text)
    assert actions(plan)[3] is Action.REFUSED
    assert words in reason(plan, 3)


def test_a_telephone_on_a_pupils_line_is_refused_not_dropped() -> None:
    text = "kind;last_name;first_name;class;phone\npupil;Brown;Ann;5А;+7 912 345-67-89\n"
    plan = plan_of(text)
    assert actions(plan) == {2: Action.REFUSED}
    assert "for parents only" in reason(plan, 2)
