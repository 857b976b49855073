"""The school's set-up files (subjects, rooms, classes, groups, teaching assignments, the
weekly timetable) read from CSV and planned line by line; nothing here touches the database.

A file is read by the roster import's reader (:func:`demo_server.roster.read_table`: UTF-8
with or without BOM, UTF-16, Windows-1251; ``,`` ``;`` or tab), its header through the columns
of :mod:`api_client.setup_files` (English or Russian names). :func:`plan_file` compares its
lines with a snapshot of the school (:class:`SetupSnapshot`) and says what importing would
create, change, leave unchanged, skip (a line repeated) or refuse, with the line, the column and
the reason in plain words. Whoever applies a plan (:mod:`demo_server.setup_import_apply`) does
it through the set-up services, in one transaction, and only when nothing is refused.

Lines only ever add or change: a class, subject or timetable lesson the file does not name is
left as it is, and an empty optional cell never erases what the school has. So importing the
same file again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from api_client import i18n
from api_client import models as m
from api_client.i18n import N_, _
from api_client.setup_files import KINDS, FileKind, weekday_of
from demo_server.roster import (
    Action,
    FieldChange,
    PlanLines,
    RosterError,
    class_key,
    collapse,
    details,
    fold,
    header_key,
    map_header,
    normalise_class_name,
    read_table,
)

SUNDAY = 6
"""No school on Sundays: a timetable line for one is refused."""
NAME_LIMIT = 100
ROOM_LIMIT = 20
GROUP_LIMIT = 40
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

ACTION_WORDS = {
    Action.CREATED: N_("created"),
    Action.CHANGED: N_("changed"),
    Action.UNCHANGED: N_("unchanged"),
    Action.SKIPPED: N_("skipped"),
    Action.REFUSED: N_("refused"),
}
"""What a line does, as a report says it (translated where shown)."""

WEEKS = ("all", "odd", "even")
"""Every week, or odd or even weeks of the year only (alternating lessons)."""


class SetupFileError(RosterError):
    """The file cannot be read at all; the message says why and what to do."""


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    line: int
    values: Mapping[str, str]
    """Canonical column -> the cell, collapsed ("" when empty or absent)."""
    extra: int = 0
    """Values beyond the header's columns."""


@dataclass(frozen=True)
class ParsedFile:
    kind: FileKind
    encoding: str
    headers: Mapping[str, str]
    """Canonical column -> the header as the file spells it (for reasons naming a column)."""
    lines: tuple[Line, ...]
    warnings: tuple[str, ...] = ()
    file: str = ""
    """The file's name where several files are read at once (OneRoster); else empty."""

    def column(self, key: str) -> str:
        """What a report calls the column ``key``: the header as the file spells it, else the
        column's name in the language in force (the Russian template's header in Russian),
        never the code (``class_teacher``)."""
        if key in self.headers:
            return self.headers[key]
        for column in self.kind.columns:
            if column.key == key:
                name = column.russian if i18n.language() == "ru" else column.key
                return name.replace("_", " ")
        return key.replace("_", " ")


def _aliases(kind: FileKind) -> dict[str, str]:
    return {header_key(name): column.key for column in kind.columns for name in column.names()}


def parse_file(kind: FileKind | str, data: bytes) -> ParsedFile:
    """Read one set-up file; ``SetupFileError`` when it cannot be read at all."""
    if isinstance(kind, str):
        kind = KINDS[kind]
    try:
        table = read_table(data, one_line=_(kind.title), one_column=True)
        columns, unknown = map_header(table.header, _aliases(kind))
    except SetupFileError:
        raise
    except RosterError as exc:
        raise SetupFileError(str(exc)) from None
    missing = [f"{c.key}/{c.russian}" for c in kind.columns if c.required and c.key not in columns]
    if missing:
        example = ";".join(kind.header("ru"))
        raise SetupFileError(
            _(
                "The header line lacks the column(s) {missing}. The first line must name the "
                "columns, for example '{example}' (diary admin templates DIR writes a template)."
            ).format(missing=", ".join(missing), example=example)
        )
    warnings = []
    if unknown:
        warnings.append(
            _("Columns not used and ignored: {unknown}.").format(unknown=", ".join(unknown))
        )
    if not table.records:
        raise SetupFileError(
            _("The file has only the header line (line {line}) and nothing to import.").format(
                line=table.header_line
            )
        )
    headers = {key: collapse(name) for key, name in zip(columns, table.header, strict=True) if key}
    lines = []
    for number, record in table.records:
        values = {key: collapse(raw) for key, raw in zip(columns, record, strict=False) if key}
        extra = sum(1 for v in record[len(columns) :] if v.strip())
        lines.append(Line(number, values, extra))
    return ParsedFile(kind, table.encoding, headers, tuple(lines), tuple(warnings))


# --- the school as it is -------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    login: str
    last_name: str
    first_name: str
    middle_name: str = ""
    class_id: int | None = None
    """A pupil's class now."""

    @property
    def name(self) -> str:
        return collapse(f"{self.last_name} {self.first_name} {self.middle_name}")


@dataclass(frozen=True)
class ExistingClass:
    id: int
    name: str
    teacher_id: int | None = None


@dataclass(frozen=True)
class ExistingGroup:
    id: int
    class_id: int
    subject_id: int
    name: str
    teacher_id: int | None = None
    pupils: frozenset[int] = frozenset()
    version: int = 1


@dataclass(frozen=True)
class ExistingSlot:
    id: int
    class_id: int
    group_id: int | None
    weekday: int
    number: int
    weeks: str
    subject_id: int
    teacher_id: int
    room: str


@dataclass(frozen=True)
class SetupSnapshot:
    """What the school holds, as far as its set-up files care: plain values, no database."""

    subjects: Mapping[str, int] = field(default_factory=dict)
    """Subject id by name."""
    rooms: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    """(room id, description) by room name."""
    classes: Sequence[ExistingClass] = ()
    teachers: Sequence[Person] = ()
    pupils: Sequence[Person] = ()
    groups: Sequence[ExistingGroup] = ()
    assignments: frozenset[tuple[int, int, int, int | None]] = frozenset()
    """(teacher, class, subject, group or None)."""
    slots: Sequence[ExistingSlot] = ()
    lesson_numbers: frozenset[int] = frozenset()
    """The lesson numbers of the school's bell schedules (empty: any number is taken)."""


# --- the plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedLine:
    line: int
    action: Action
    what: str
    """What the line is about, in a few words: ``5А``, ``5А пн 2 Математика``."""
    reason: str = ""
    column: str = ""
    """The column (as the file names it) a refusal is about; empty for the whole line."""
    changes: tuple[FieldChange, ...] = ()
    target: int | None = None
    """The existing object the line changes (None for a new one)."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """What to write, resolved (ids, not names)."""
    file: str = ""

    def summary(self) -> str:
        where = _("line {line}").format(line=self.line)
        if self.file:
            where = f"{self.file} {where}"
        if self.column:
            where += ", " + _("column {column}").format(column=self.column)
        text = f"{where}: {_(ACTION_WORDS[self.action])} {self.what}".rstrip()
        return text + details(self.changes, self.reason)


@dataclass(frozen=True)
class SetupPlan(PlanLines[PlannedLine]):
    kind: FileKind
    rows: tuple[PlannedLine, ...]
    warnings: tuple[str, ...] = ()
    encoding: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    """The file's headers (``ParsedFile.headers``), to name a change's column as written."""

    def column(self, key: str) -> str:
        return ParsedFile(self.kind, self.encoding, self.headers, ()).column(key)

    def to_write(self) -> list[PlannedLine]:
        return [r for r in self.rows if r.action in (Action.CREATED, Action.CHANGED)]


class Refuse(Exception):
    """A line is refused: ``reason`` in plain words, about ``column`` (a canonical key)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


_WEEK_WORDS = {
    **dict.fromkeys(("", "all", "every", "все", "каждая", "каждую", "еженедельно"), "all"),
    **dict.fromkeys(("odd", "1", "нечетные", "нечетная", "нечет", "нечетн"), "odd"),
    **dict.fromkeys(("even", "2", "четные", "четная", "чет", "четн"), "even"),
}
DAY_NAMES = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")


def _text_problem(value: str, limit: int) -> str | None:
    if bad := _CONTROL.search(value):
        return _("it holds an invisible control character (U+{code:04X}): retype it").format(
            code=ord(bad.group())
        )
    if len(value) > limit:
        return _("it is longer than {limit} characters").format(limit=limit)
    return None


class _Planner:
    def __init__(self, parsed: ParsedFile, school: SetupSnapshot) -> None:
        self.parsed = parsed
        self.school = school
        self.results: dict[int, PlannedLine] = {}
        self.subjects = {fold(name): (sid, name) for name, sid in school.subjects.items()}
        self.rooms = {fold(name): (rid, name, note) for name, (rid, note) in school.rooms.items()}
        self.classes = {class_key(c.name): c for c in school.classes}
        self.class_by_id = {c.id: c for c in school.classes}
        self.teacher_by_id = {t.id: t for t in school.teachers}
        self.teacher_index = _person_index(school.teachers)
        self.pupil_index: dict[int | None, dict[str, list[Person]]] = {}
        by_class: dict[int | None, list[Person]] = {}
        for pupil in school.pupils:
            by_class.setdefault(pupil.class_id, []).append(pupil)
        for class_id, pupils in by_class.items():
            self.pupil_index[class_id] = _person_index(pupils)
        self.pupil_logins = {p.login.lower(): p for p in school.pupils}
        self.groups = {(g.class_id, g.subject_id, fold(g.name)): g for g in school.groups}

    # -- the values of a line --

    def value(self, line: Line, key: str) -> str:
        return line.values.get(key, "")

    def required(self, line: Line, key: str) -> str:
        value = self.value(line, key)
        if not value:
            raise Refuse(key, _("it is empty; it must be given"))
        return value

    def name(self, line: Line, key: str, limit: int = NAME_LIMIT) -> str:
        value = self.required(line, key)
        if problem := _text_problem(value, limit):
            raise Refuse(key, problem)
        return value

    def school_class(self, line: Line, key: str = "class") -> ExistingClass:
        value = self.required(line, key)
        found = self.classes.get(class_key(value))
        if found is None:
            if normalise_class_name(value) is None:
                raise Refuse(key, _("'{value}' is not a class name like 5А").format(value=value))
            raise Refuse(
                key,
                _("there is no class {value}: import the classes file first").format(value=value),
            )
        return found

    def subject(self, line: Line, key: str = "subject") -> tuple[int, str]:
        value = self.required(line, key)
        found = self.subjects.get(fold(value))
        if found is None:
            raise Refuse(
                key,
                _(
                    "there is no subject '{value}': import the subjects file first or correct "
                    "the spelling"
                ).format(value=value),
            )
        return found

    def teacher(self, line: Line, key: str = "teacher") -> Person:
        value = self.required(line, key)
        return self.person(
            self.teacher_index,
            value,
            key,
            _(
                "no teacher '{value}': give their login or their name as in the roster "
                "(import the roster first)"
            ).format(value=value),
        )

    def person(
        self, index: Mapping[str, list[Person]], value: str, key: str, missing: str
    ) -> Person:
        found = _find_person(index, value)
        if not found:
            raise Refuse(key, missing)
        if len(found) > 1:
            logins = ", ".join(sorted(p.login for p in found)[:10])
            raise Refuse(
                key,
                _("'{value}' fits {count} people ({logins}): give the login instead").format(
                    value=value, count=len(found), logins=logins
                ),
            )
        return found[0]

    def group(
        self, line: Line, school_class: ExistingClass, subject_id: int, key: str = "group"
    ) -> ExistingGroup | None:
        value = self.value(line, key)
        if not value:
            return None
        found = self.groups.get((school_class.id, subject_id, fold(value)))
        if found is None:
            raise Refuse(
                key,
                _(
                    "class {cls} has no group '{value}' for this subject: import the groups "
                    "file first"
                ).format(cls=school_class.name, value=value),
            )
        return found

    def assigned(
        self, teacher_id: int, class_id: int, subject_id: int, group: ExistingGroup | None
    ) -> bool:
        """Whether the teacher may take the lesson: assigned to the class's subject, or to the
        lesson's group (as ``schedule.check_rows`` decides on writing)."""
        key = (teacher_id, class_id, subject_id)
        return (*key, None) in self.school.assignments or (
            group is not None and (*key, group.id) in self.school.assignments
        )

    # -- one line of each kind --

    def subjects_line(self, line: Line) -> PlannedLine:
        name = self.name(line, "subject")
        found = self.subjects.get(fold(name))
        if found is not None:
            return self.planned(
                line, Action.UNCHANGED, found[1], target=found[0], values={"name": found[1]}
            )
        return self.planned(line, Action.CREATED, name, values={"name": name})

    def rooms_line(self, line: Line) -> PlannedLine:
        room = self.name(line, "room", ROOM_LIMIT)
        note = self.value(line, "description")
        if note and (problem := _text_problem(note, NAME_LIMIT)):
            raise Refuse("description", problem)
        found = self.rooms.get(fold(room))
        if found is None:
            return self.planned(
                line, Action.CREATED, room, values={"name": room, "description": note}
            )
        room_id, name, before = found
        if note and note != before:
            return self.planned(
                line,
                Action.CHANGED,
                name,
                target=room_id,
                changes=(FieldChange("description", before, note),),
                values={"name": name, "description": note},
            )
        return self.planned(
            line, Action.UNCHANGED, name, target=room_id, values={"name": name, "description": note}
        )

    def classes_line(self, line: Line) -> PlannedLine:
        value = self.required(line, "class")
        normal = normalise_class_name(value)
        if normal is None:
            raise Refuse("class", _("'{value}' is not a class name like 5А").format(value=value))
        teacher = self.teacher(line, "class_teacher") if self.value(line, "class_teacher") else None
        found = self.classes.get(class_key(normal))
        grade, letter = int(re.match(r"\d+", normal).group()), normal.lstrip("0123456789")  # type: ignore[union-attr]
        values = {"grade": grade, "letter": letter, "teacher_id": teacher.id if teacher else None}
        if found is None:
            return self.planned(line, Action.CREATED, normal, values=values)
        if teacher is not None and found.teacher_id != teacher.id:
            before = self.teacher_by_id.get(found.teacher_id or 0)
            return self.planned(
                line,
                Action.CHANGED,
                found.name,
                target=found.id,
                changes=(
                    FieldChange("class_teacher", before.name if before else "", teacher.name),
                ),
                values=values,
            )
        return self.planned(line, Action.UNCHANGED, found.name, target=found.id, values=values)

    def groups_line(self, line: Line) -> PlannedLine:
        school_class = self.school_class(line)
        subject_id, subject_name = self.subject(line)
        name = self.name(line, "group", GROUP_LIMIT)
        teacher = self.teacher(line) if self.value(line, "teacher") else None
        pupils: list[Person] = []
        index = self.pupil_index.get(school_class.id, {})
        for item in _split(self.value(line, "pupils")):
            pupil = self.pupil_logins.get(item.lower())
            if pupil is None or pupil.class_id != school_class.id:
                pupil = self.person(
                    index,
                    item,
                    "pupils",
                    _("no pupil '{value}' in {cls}: give their login or their name").format(
                        value=item, cls=school_class.name
                    ),
                )
            if pupil in pupils:
                raise Refuse("pupils", _("{name} is listed twice").format(name=item))
            pupils.append(pupil)
        what = f"{school_class.name} {subject_name}: {name}"
        found = self.groups.get((school_class.id, subject_id, fold(name)))
        values = {
            "class_id": school_class.id,
            "subject_id": subject_id,
            "name": name,
            "teacher_id": teacher.id if teacher else None,
            "pupils": tuple(p.id for p in pupils),
        }
        if found is None:
            return self.planned(line, Action.CREATED, what, values=values)
        changes = []
        if teacher is not None and teacher.id != found.teacher_id:
            before = self.teacher_by_id.get(found.teacher_id or 0)
            changes.append(FieldChange("teacher", before.name if before else "", teacher.name))
        added = [p for p in pupils if p.id not in found.pupils]
        if added:
            changes.append(FieldChange("pupils", "", ", ".join(p.name for p in added)))
        if changes:
            values["pupils"] = tuple(p.id for p in added)
            values["was_teacher_id"] = found.teacher_id
            values["version"] = found.version
            return self.planned(
                line, Action.CHANGED, what, target=found.id, changes=tuple(changes), values=values
            )
        return self.planned(line, Action.UNCHANGED, what, target=found.id, values=values)

    def assignments_line(self, line: Line) -> PlannedLine:
        teacher = self.teacher(line)
        school_class = self.school_class(line)
        subject_id, subject_name = self.subject(line)
        group = self.group(line, school_class, subject_id)
        what = f"{teacher.name}: {school_class.name} {subject_name}"
        if group is not None:
            what += f" ({group.name})"
        key = (teacher.id, school_class.id, subject_id, group.id if group else None)
        values = {
            "teacher_id": teacher.id,
            "class_id": school_class.id,
            "subject_id": subject_id,
            "group_id": group.id if group else None,
        }
        action = Action.UNCHANGED if key in self.school.assignments else Action.CREATED
        return self.planned(line, action, what, values=values)

    def timetable_line(self, line: Line) -> PlannedLine:
        school_class = self.school_class(line)
        day_text = self.required(line, "day")
        weekday = weekday_of(day_text)
        if weekday == SUNDAY:
            weekday = None  # no school on Sundays: the planner refuses it below
        if weekday is None:
            raise Refuse(
                "day",
                _("'{value}' is not a weekday: use Monday to Saturday, пн to сб or 1 to 6").format(
                    value=day_text
                ),
            )
        number_text = self.required(line, "lesson")
        if not number_text.isdigit() or not 0 <= int(number_text) <= 12:
            raise Refuse(
                "lesson",
                _("'{value}' is not a lesson number from 0 to 12").format(value=number_text),
            )
        number = int(number_text)
        if self.school.lesson_numbers and number not in self.school.lesson_numbers:
            raise Refuse(
                "lesson",
                _("the bell schedule has no lesson {number}: add it to the bells first").format(
                    number=number
                ),
            )
        subject_id, subject_name = self.subject(line)
        teacher = self.teacher(line)
        group = self.group(line, school_class, subject_id)
        room = self.value(line, "room")
        if room and (problem := _text_problem(room, ROOM_LIMIT)):
            raise Refuse("room", problem)
        if room and self.rooms and fold(room) not in self.rooms:
            raise Refuse(
                "room",
                _("there is no room '{value}': import the rooms file first").format(value=room),
            )
        if room:
            room = self.rooms[fold(room)][1] if fold(room) in self.rooms else room
        weeks = _WEEK_WORDS.get(fold(self.value(line, "weeks")).replace("ё", "е"))
        if weeks is None:
            raise Refuse(
                "weeks",
                _(
                    "'{value}' is not a choice of weeks: leave it empty for every week, or "
                    "write odd or even (нечётные, чётные)"
                ).format(value=self.value(line, "weeks")),
            )
        what = f"{school_class.name} {DAY_NAMES[weekday]} {number} {subject_name}"
        if group is not None:
            what += f" ({group.name})"
        if weeks != "all":
            what += f" [{weeks}]"
        values = {
            "class_id": school_class.id,
            "group_id": group.id if group else None,
            "weekday": weekday,
            "number": number,
            "weeks": weeks,
            "subject_id": subject_id,
            "teacher_id": teacher.id,
            "room": room,
        }
        found = self.slots.get(
            (school_class.id, values["group_id"], weekday, number, weeks)  # type: ignore[arg-type]
        )
        writes = found is None or (found.subject_id != subject_id or found.teacher_id != teacher.id)
        if writes and not self.assigned(teacher.id, school_class.id, subject_id, group):
            raise Refuse(
                "teacher",
                _(
                    "{teacher} has no teaching assignment for {cls} {subject}: import the "
                    "assignments file first"
                ).format(
                    teacher=teacher.name,
                    cls=school_class.name
                    if group is None
                    else f"{school_class.name} ({group.name})",
                    subject=subject_name,
                ),
            )
        if found is None:
            return self.planned(line, Action.CREATED, what, values=values)
        changes = []
        if found.subject_id != subject_id:
            before = next((n for n, i in self.school.subjects.items() if i == found.subject_id), "")
            changes.append(FieldChange("subject", before, subject_name))
        if found.teacher_id != teacher.id:
            before_teacher = self.teacher_by_id.get(found.teacher_id)
            changes.append(
                FieldChange("teacher", before_teacher.name if before_teacher else "", teacher.name)
            )
        if room and found.room != room:
            changes.append(FieldChange("room", found.room, room))
        if not room:
            values["room"] = found.room
        if changes:
            return self.planned(
                line, Action.CHANGED, what, target=found.id, changes=tuple(changes), values=values
            )
        return self.planned(line, Action.UNCHANGED, what, target=found.id, values=values)

    # -- the plan --

    def planned(
        self,
        line: Line,
        action: Action,
        what: str,
        *,
        target: int | None = None,
        changes: tuple[FieldChange, ...] = (),
        values: Mapping[str, Any] | None = None,
    ) -> PlannedLine:
        return PlannedLine(
            line=line.line,
            action=action,
            what=what,
            target=target,
            changes=changes,
            values=values or {},
            file=self.parsed.file,
        )

    def refused(self, line: Line, column: str, reason: str, what: str = "") -> PlannedLine:
        return PlannedLine(
            line=line.line,
            action=Action.REFUSED,
            what=what or _describe(line, self.parsed.kind),
            reason=reason,
            column=self.parsed.column(column) if column else "",
            file=self.parsed.file,
        )

    def plan(self) -> SetupPlan:
        kind = self.parsed.kind.name
        self.slots = {
            (s.class_id, s.group_id, s.weekday, s.number, s.weeks): s for s in self.school.slots
        }
        plan_line = getattr(self, f"{kind}_line")
        seen: dict[tuple[object, ...], tuple[int, frozenset[tuple[str, str]]]] = {}
        rows: list[PlannedLine] = []
        disagree: dict[int, int] = {}
        """A line -> the first later line that gives the same thing differently."""
        for line in self.parsed.lines:
            if line.extra:
                rows.append(
                    self.refused(
                        line,
                        "",
                        _("the line has {n} more value(s) than the header has columns").format(
                            n=line.extra
                        ),
                    )
                )
                continue
            try:
                row = plan_line(line)
            except Refuse as refusal:
                rows.append(self.refused(line, refusal.column, refusal.reason))
                continue
            identity = _identity(kind, row)
            # What the line gives: an empty cell gives nothing, so a line repeating an earlier
            # one with fewer cells filled is the same line.
            content = frozenset(
                (k, repr(fold(v) if isinstance(v, str) else v))
                for k, v in row.values.items()
                if v not in ("", None)
            )
            if identity in seen:
                first, first_content = seen[identity]
                if content <= first_content:
                    rows.append(
                        PlannedLine(
                            line=line.line,
                            action=Action.SKIPPED,
                            what=row.what,
                            reason=_("the same as line {line}").format(line=first),
                            file=self.parsed.file,
                        )
                    )
                else:
                    disagree.setdefault(first, line.line)
                    rows.append(
                        self.refused(
                            line,
                            "",
                            _("line {line} gives {what} differently; keep one of them").format(
                                line=first, what=row.what
                            ),
                            row.what,
                        )
                    )
                continue
            seen[identity] = (line.line, content)
            rows.append(row)
        # The first of two lines that disagree is refused too: which one is right is the
        # school's to say.
        rows = [
            PlannedLine(
                line=row.line,
                action=Action.REFUSED,
                what=row.what,
                reason=_("line {line} gives {what} differently; keep one of them").format(
                    line=disagree[row.line], what=row.what
                ),
                file=row.file,
            )
            if row.line in disagree
            else row
            for row in rows
        ]
        if kind == "timetable":
            rows = self.timetable_conflicts(rows)
        return SetupPlan(
            self.parsed.kind,
            tuple(rows),
            self.parsed.warnings,
            self.parsed.encoding,
            self.parsed.headers,
        )

    def timetable_conflicts(self, rows: list[PlannedLine]) -> list[PlannedLine]:
        """Refuse lines that put a class, a group, a teacher or a room in two places at once,
        against the other lines and the timetable the file leaves as it is."""
        final: dict[tuple[object, ...], tuple[str, Mapping[str, Any]]] = {}
        replaced = {r.target for r in rows if r.target is not None}
        for slot in self.school.slots:
            if slot.id not in replaced:
                final[("slot", slot.id)] = (
                    _("{what} (already in the timetable)").format(
                        what=f"{self.class_name(slot.class_id)} {DAY_NAMES[slot.weekday]} "
                        f"{slot.number}"
                    ),
                    slot.__dict__,
                )
        for row in rows:
            if row.action is not Action.REFUSED and row.values:
                final[("line", row.line)] = (_("line {line}").format(line=row.line), row.values)
        by_time: dict[tuple[int, int], list[tuple[tuple[object, ...], str, Mapping[str, Any]]]]
        by_time = {}
        for key, (label, values) in final.items():
            by_time.setdefault((values["weekday"], values["number"]), []).append(
                (key, label, values)
            )
        problems: dict[int, tuple[str, str]] = {}
        for entries in by_time.values():
            if len(entries) < 2:
                continue
            for i, (key, _label, mine) in enumerate(entries):
                if key[0] != "line":
                    continue
                for j, (_other_key, other_label, theirs) in enumerate(entries):
                    if i == j or not _weeks_meet(mine["weeks"], theirs["weeks"]):
                        continue
                    clash = _clash(mine, theirs)
                    if clash:
                        column, words = clash
                        problems.setdefault(
                            int(key[1]),  # type: ignore[call-overload]
                            (
                                column,
                                _("{what}: {other} is at the same time").format(
                                    what=words, other=other_label
                                ),
                            ),
                        )
                        break
        out = []
        for row in rows:
            if row.line in problems and row.action is not Action.REFUSED:
                column, reason = problems[row.line]
                out.append(
                    PlannedLine(
                        line=row.line,
                        action=Action.REFUSED,
                        what=row.what,
                        reason=reason,
                        column=self.parsed.column(column),
                        file=row.file,
                    )
                )
            else:
                out.append(row)
        return out

    def class_name(self, class_id: int) -> str:
        found = self.class_by_id.get(class_id)
        return found.name if found else str(class_id)


def _weeks_meet(a: str, b: str) -> bool:
    return a == "all" or b == "all" or a == b


def _clash(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> tuple[str, str] | None:
    """The column and the words for why two lessons at one time cannot both be, or None."""
    if mine["class_id"] == theirs["class_id"] and (
        mine["group_id"] is None
        or theirs["group_id"] is None
        or mine["group_id"] == theirs["group_id"]
    ):
        return "class", _("the class (or group) would have two lessons at once")
    if mine["teacher_id"] == theirs["teacher_id"]:
        return "teacher", _("the teacher would be in two places at once")
    if mine["room"] and fold(mine["room"]) == fold(theirs["room"] or ""):
        return "room", _("the room would hold two lessons at once")
    return None


def _identity(kind: str, row: PlannedLine) -> tuple[object, ...]:
    """What makes two lines of a file about the same thing."""
    values = row.values
    if kind == "subjects":
        return (fold(values["name"]),)
    if kind == "rooms":
        return (fold(values["name"]),)
    if kind == "classes":
        return (values["grade"], values["letter"])
    if kind == "groups":
        return (values["class_id"], values["subject_id"], fold(values["name"]))
    if kind == "assignments":
        return tuple(values.values())
    return (
        values["class_id"],
        values["group_id"],
        values["weekday"],
        values["number"],
        values["weeks"],
    )


def _describe(line: Line, kind: FileKind) -> str:
    """A refused line in a few words: its first cells."""
    cells = [line.values.get(c.key, "") for c in kind.columns[:3]]
    return " ".join(c for c in cells if c)[:80]


def _split(value: str) -> tuple[str, ...]:
    return tuple(item for item in (collapse(p) for p in re.split(r"[;,\n]", value)) if item)


def _person_index(people: Iterable[Person]) -> dict[str, list[Person]]:
    """Folded keys a person is found by: login, full name, surname and first name, surname
    with initials (``петрова о.и.``)."""
    index: dict[str, list[Person]] = {}
    for person in people:
        last, first, middle = (
            fold(person.last_name),
            fold(person.first_name),
            fold(person.middle_name),
        )
        keys = {
            "login:" + person.login.lower(),
            f"name:{last} {first} {middle}".rstrip(),
            f"short:{last} {first}",
            f"initials:{last} {first[:1]}{middle[:1]}",
            f"initials:{last} {first[:1]}",
        }
        for key in keys:
            index.setdefault(key, []).append(person)
    return index


def _find_person(index: Mapping[str, list[Person]], value: str) -> list[Person]:
    by_login = index.get("login:" + value.strip().lower())
    if by_login:
        return by_login
    words = fold(value.replace(".", ". ")).split()
    if not words:
        return []
    last, rest = words[0], [w.rstrip(".") for w in words[1:]]
    if rest and all(len(w) == 1 for w in rest):
        return index.get(f"initials:{last} {''.join(rest)}", [])
    if len(rest) >= 2:
        exact = index.get(f"name:{last} {' '.join(rest)}", [])
        if exact:
            return exact
        # The school may not know a middle name: the surname and first name decide, if alone.
        return [p for p in index.get(f"short:{last} {rest[0]}", []) if not p.middle_name]
    if len(rest) == 1:
        return index.get(f"short:{last} {rest[0]}", [])
    return []


def plan_file(parsed: ParsedFile, school: SetupSnapshot) -> SetupPlan:
    """What importing ``parsed`` into ``school`` would do, line by line."""
    return _Planner(parsed, school).plan()


def plan_report(plan: SetupPlan, *, dry_run: bool, applied: bool) -> m.SetupImportReport:
    """The wire form of ``plan``: what the import endpoint answers."""
    return m.SetupImportReport(
        kind=plan.kind.name,
        dry_run=dry_run,
        applied=applied,
        encoding=plan.encoding,
        **plan.counts(),
        rows=[
            m.SetupImportRow(
                line=row.line,
                action=row.action,
                what=row.what,
                file=row.file,
                column=row.column,
                reason=row.reason,
                changes=[
                    m.RosterFieldChange(
                        field=c.field,
                        before=c.before,
                        after=c.after,
                        label=plan.column(c.field),
                    )
                    for c in row.changes
                ],
            )
            for row in plan.rows
        ],
        warnings=list(plan.warnings),
    )
