"""The set-up screen's sections of who teaches whom and when: a class's groups, its teaching
assignments and its weekly timetable (``SetupScreen`` mixes :class:`ScheduleSections` in).

``c`` chooses the class. Groups: ``n`` a new group (subject, name, teacher, pupils), ``e`` its
name and teacher, ``m`` pupils in and out from a day, ``x`` retire. Teaching: ``n`` a teacher
for a subject (or one group of it), ``x`` take it away. Timetable: the week as a grid (rows are
lesson numbers, columns weekdays, each cell subject / teacher / room / group), ``n`` adds a row,
``x`` ends the row under the cursor from a day given, ``g`` makes the lessons again from a day;
both say which lessons were kept and why. Names are typed as people write them: a teacher or
pupil by login or surname and first name, a subject by its name, a weekday as 1-7 or Mon.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widgets import DataTable

from api_client import endpoints
from api_client import models as wire
from api_client.errors import DiaryError
from api_client.i18n import N_, _, ngettext
from diary_tui.data import describe_error, fold_name
from diary_tui.keys import with_keys
from diary_tui.ui import parse_day
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import Field

if TYPE_CHECKING:
    from collections.abc import Awaitable, Sequence

    from diary_tui.data import DiaryData

WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
SCHEDULE_SECTIONS = ("groups", "assignments", "timetable")


@dataclass
class Row:
    """One row of the set-up table: its cells, what it stands for and its height in lines."""

    cells: list[str | Content]
    thing: Any
    height: int = 1


@dataclass
class WeekLine:
    """A lesson number of the timetable grid: the rows at it on each weekday."""

    number: int
    days: dict[int, list[wire.TimetableRowInfo]]


def dotted(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def parse_weekday(text: str) -> int:
    """``1``-``7`` (1 = Monday), ``Mon``/``пн`` and the full names, as 0-6."""
    word = fold_name(text).rstrip(".")
    if word.isdigit() and 1 <= int(word) <= 7:
        return int(word) - 1
    for n, short in enumerate(WEEKDAY_NAMES):
        if word in (fold_name(short), fold_name(_(short))):
            return n
        if word and fold_name(dotted_weekday(n)).startswith(word) and len(word) >= 2:
            return n
    raise ValueError(_("'{text}' is not a weekday: write 1-7 or Mon ... Sun").format(text=text))


def dotted_weekday(n: int) -> str:
    from api_client.i18n import weekday

    return weekday(dt.date(2024, 1, 1) + dt.timedelta(days=n))


def cell_lines(row: wire.TimetableRowInfo) -> list[str]:
    """A timetable row in a grid cell: subject, teacher, room and group, one a line."""
    last = " · ".join(p for p in (row.room, row.group.name if row.group else "") if p)
    if row.weeks is not wire.WeekParity.ALL:
        odd = row.weeks is wire.WeekParity.ODD
        last = " · ".join(p for p in (last, _("odd") if odd else _("even")) if p)
    return [row.subject.name, row.teacher, last]


def report_text(report: wire.LessonGeneration) -> Content:
    """What making the lessons did, each kept lesson with why it was kept (plain text)."""
    from diary_tui.admin_schedule import report_lines

    return Content("\n".join(report_lines(report)))


def teacher_field(hint: str = "") -> Field:
    """The teacher of a group, a teaching or a timetable row, typed as a login or a surname and
    first name (found by ``ScheduleSections._person``); the server's refusal names it
    ``teacher_id``."""
    return Field(
        "teacher",
        _("Teacher"),
        hint=hint or _("a login or surname and first name"),
        answers_to=("teacher_id",),
    )


def group_field() -> Field:
    """The group of the class a teaching or a timetable row is for (empty: the whole class);
    the server's refusal names it ``group_id``."""
    return Field(
        "group", _("Group (optional)"), hint=_("empty: the whole class"), answers_to=("group_id",)
    )


class ScheduleSections:
    """The groups, teaching and timetable sections of ``SetupScreen``."""

    data: DiaryData
    rows: list[Row]
    section: str
    year_id: int | None
    class_id: int | None
    year_classes: list[wire.SetupClass]
    pending_report: wire.LessonGeneration | None

    @property
    def _ui(self) -> Any:
        """The screen this is mixed into (its app, notify, query_one, _form, reload)."""
        return self

    # -- the class these sections show -------------------------------------------------------

    @property
    def school_class(self) -> wire.SetupClass | None:
        return next((c for c in self.year_classes if c.id == self.class_id), None)

    async def _load_classes(self) -> None:
        if self.year_id is None:
            self.year_classes = []
            self.class_id = None
            return
        self.year_classes = [
            c
            for c in (await self.data.load(endpoints.setup_classes(self.year_id))).classes
            if not c.retired
        ]
        if self.school_class is None:
            self.class_id = self.year_classes[0].id if self.year_classes else None

    def class_title(self) -> str:
        cls = self.school_class
        return _("class {name}").format(name=cls.name) if cls else _("no class")

    def choose_class(self) -> None:
        from screens.dialogs.ask import AskText

        if not self.year_classes:
            self._ui.notify(
                with_keys(self._ui, _("Make a class first (Classes, {setup.new}).")),
                severity="warning",
            )
            return
        names = [c.name for c in self.year_classes]

        def find(text: str) -> wire.SetupClass | None:
            wanted = fold_name(text).replace(" ", "")
            return next((c for c in self.year_classes if fold_name(c.name) == wanted), None)

        def check(text: str) -> str | None:
            return (
                None if find(text) else _("the classes are: {names}").format(names=", ".join(names))
            )

        def chosen(text: str | None) -> None:
            found = find(text) if text else None
            if found is not None:
                self.class_id = found.id
                self._ui.reload()

        current = self.school_class.name if self.school_class else names[0]
        self._ui.app.push_screen(
            AskText(
                _("Which class? ({names})").format(names=", ".join(names)),
                current,
                name="setup-class",
                binding_id="setup.class.cancel",
                frame="primary",
                check=check,
            ),
            chosen,
        )

    # -- names as people write them ------------------------------------------------------------

    async def _person(self, text: str, role: wire.Role, label: str) -> wire.UserSummary:
        cls = self.school_class
        class_name = cls.name if cls is not None and role is wire.Role.PUPIL else None
        return await self.data.find_person(text, role, class_name, label=label)

    async def _subject(self, text: str) -> wire.SetupSubject:
        subjects = (await self.data.load(endpoints.setup_subjects())).subjects
        for subject in subjects:
            if fold_name(subject.name) == fold_name(text):
                return subject
        raise ValueError(
            _("Subject: there is no '{text}' (the subjects: {names})").format(
                text=text.strip(), names=", ".join(s.name for s in subjects if not s.retired)
            )
        )

    async def _group(self, text: str, subject_id: int | None = None) -> wire.ClassGroupInfo | None:
        if not text.strip() or self.class_id is None:
            return None
        groups = (await self.data.load(endpoints.groups(self.class_id))).groups
        found = [
            g
            for g in groups
            if fold_name(g.name) == fold_name(text) and subject_id in (None, g.subject.id)
        ]
        if len(found) == 1:
            return found[0]
        raise ValueError(
            _("Group: {cls} has no group '{text}' (its groups: {names})").format(
                cls=self.class_title(),
                text=text.strip(),
                names=", ".join(f"{g.name} ({g.subject.name})" for g in groups) or "—",
            )
        )

    async def _pupils(self, text: str) -> list[int]:
        label = _("Pupils")
        return [
            (await self._person(p, wire.Role.PUPIL, label)).id
            for p in text.replace(";", ",").split(",")
            if p.strip()
        ]

    @staticmethod
    def _day(text: str) -> dt.date | None:
        return parse_day(text, "first") if text.strip() else None

    # -- rows ------------------------------------------------------------------------------------

    async def _group_rows(self) -> list[Row]:
        await self._load_classes()
        if self.class_id is None:
            return []
        groups = (await self.data.load(endpoints.groups(self.class_id))).groups
        rows = []
        for g in groups:
            pupils = ", ".join(f"{p.last_name} {p.first_name}" for p in g.pupils)
            count = ngettext("{n} pupil", "{n} pupils", len(g.pupils)).format(n=len(g.pupils))
            state = Content.styled(_("retired"), "dim") if g.retired else Content(count)
            rows.append(
                Row(
                    [
                        Content(g.name),
                        Content(g.subject.name),
                        Content(g.teacher or "—"),
                        state,
                        Content(pupils or "—"),
                    ],
                    g,
                )
            )
        return rows

    async def _assignment_rows(self) -> list[Row]:
        await self._load_classes()
        if self.class_id is None:
            return []
        found = (await self.data.load(endpoints.assignments(self.class_id))).assignments
        return [
            Row(
                [
                    Content(a.subject.name),
                    Content(a.group.name if a.group else _("whole class")),
                    Content(a.teacher),
                ],
                a,
            )
            for a in sorted(found, key=lambda a: (a.subject.name, a.group.name if a.group else ""))
        ]

    async def _timetable_rows(self) -> list[Row]:
        await self._load_classes()
        if self.class_id is None:
            return []
        found = (await self.data.load(endpoints.timetable(self.class_id))).rows
        lines: list[Row] = []
        for number in sorted({r.number for r in found}):
            days: dict[int, list[wire.TimetableRowInfo]] = {}
            for r in sorted(found, key=lambda r: r.group.name if r.group else ""):
                if r.number == number:
                    days.setdefault(r.weekday, []).append(r)
            height = 3 * max(len(v) for v in days.values())
            cells: list[str | Content] = [str(number)]
            for day in range(6):
                cells.append(
                    Content("\n".join(line for r in days.get(day, []) for line in cell_lines(r)))
                )
            lines.append(Row(cells, WeekLine(number, days), height))
        return lines

    # -- under the cursor ----------------------------------------------------------------------

    def _cell_rows(self) -> list[wire.TimetableRowInfo]:
        table: DataTable[Any] = self._ui.query_one(DataTable)
        line, column = table.cursor_coordinate
        if not self.rows or not 0 <= line < len(self.rows) or column < 1:
            return []
        week = self.rows[line].thing
        return list(week.days.get(column - 1, [])) if isinstance(week, WeekLine) else []

    # -- writes ------------------------------------------------------------------------------------

    def schedule_new(self) -> None:
        if self.class_id is None:
            self._ui.notify(
                with_keys(self._ui, _("Make a class first (Classes, {setup.new}).")),
                severity="warning",
            )
            return
        {
            "groups": self._new_group,
            "assignments": self._new_assignment,
            "timetable": self._new_row,
        }[self.section]()

    def _new_group(self) -> None:
        class_id = self.class_id
        assert class_id is not None

        async def save(v: dict[str, str]) -> None:
            subject = await self._subject(v["subject"])
            teacher = (
                await self._person(v["teacher"], wire.Role.TEACHER, _("Teacher"))
                if v["teacher"].strip()
                else None
            )
            await self.data.create_group(
                wire.ClassGroupCreate(
                    class_id=class_id,
                    subject_id=subject.id,
                    name=v["name"].strip(),
                    teacher_id=teacher.id if teacher else None,
                    pupil_ids=await self._pupils(v["pupils"]),
                    on=self._day(v["on"]),
                )
            )

        self._ui._form(
            _("A new group of {cls}").format(cls=self.class_title()),
            [
                Field(
                    "subject",
                    _("Subject"),
                    hint=_("like Английский язык"),
                    answers_to=("subject_id",),
                ),
                Field("name", _("Name"), hint=_("like гр. 1")),
                teacher_field(),
                Field(
                    "pupils",
                    _("Pupils"),
                    hint=_("logins or surnames and first names, with commas"),
                    answers_to=("pupil_ids",),
                ),
                Field("on", _("From (optional)"), hint=_("like 01.09.2026; empty: today")),
            ],
            save,
        )

    def schedule_edit(self, thing: Any) -> None:
        if self.section != "groups" or not isinstance(thing, wire.ClassGroupInfo):
            return
        group = thing

        async def save(v: dict[str, str]) -> None:
            body = wire.ClassGroupChange(version=group.version, name=v["name"].strip())
            if v["teacher"].strip():
                teacher = await self._person(v["teacher"], wire.Role.TEACHER, _("Teacher"))
                body.teacher_id = teacher.id
            await self.data.change_group(group.id, body)

        self._ui._form(
            _("The group {name}, {subject}").format(name=group.name, subject=group.subject.name),
            [
                Field("name", _("Name"), group.name),
                teacher_field(
                    _("now: {name}; a login or surname and first name").format(
                        name=group.teacher or "—"
                    )
                ),
            ],
            save,
        )

    def members(self, thing: Any) -> None:
        if not isinstance(thing, wire.ClassGroupInfo):
            return
        group = thing

        async def save(v: dict[str, str]) -> None:
            await self.data.change_group_pupils(
                group.id,
                wire.GroupPupilsChange(
                    add=await self._pupils(v["add"]),
                    remove=await self._pupils(v["remove"]),
                    on=self._day(v["on"]),
                ),
            )

        now = ", ".join(f"{p.last_name} {p.first_name}" for p in group.pupils) or "—"
        self._ui._form(
            _("Pupils of {name}, {subject}").format(name=group.name, subject=group.subject.name),
            [
                Field("add", _("Join"), hint=_("logins or surnames and first names, with commas")),
                Field("remove", _("Leave"), hint=_("now in the group: {names}").format(names=now)),
                Field("on", _("From (optional)"), hint=_("like 01.12.2026; empty: today")),
            ],
            save,
        )

    def _new_assignment(self) -> None:
        class_id = self.class_id
        assert class_id is not None

        async def save(v: dict[str, str]) -> None:
            teacher = await self._person(v["teacher"], wire.Role.TEACHER, _("Teacher"))
            subject = await self._subject(v["subject"])
            group = await self._group(v["group"], subject.id)
            await self.data.create_assignment(
                wire.AssignmentCreate(
                    teacher_id=teacher.id,
                    class_id=class_id,
                    subject_id=subject.id,
                    group_id=group.id if group else None,
                )
            )

        self._ui._form(
            _("Who teaches {cls}").format(cls=self.class_title()),
            [
                teacher_field(),
                Field("subject", _("Subject"), answers_to=("subject_id",)),
                group_field(),
            ],
            save,
        )

    def _new_row(self) -> None:
        class_id = self.class_id
        assert class_id is not None

        async def save(v: dict[str, str]) -> wire.TimetableWrite:
            if not v["number"].strip().isdigit():
                raise ValueError(_("Lesson: a number, like 3"))
            weeks = {"": "all", "1": "odd", "2": "even"}.get(v["weeks"].strip())
            if weeks is None:
                raise ValueError(_("Weeks: empty for every week, 1 for odd, 2 for even"))
            subject = await self._subject(v["subject"])
            teacher = await self._person(v["teacher"], wire.Role.TEACHER, _("Teacher"))
            group = await self._group(v["group"], subject.id)
            written = await self.data.create_timetable_row(
                wire.TimetableRowCreate(
                    class_id=class_id,
                    weekday=parse_weekday(v["weekday"]),
                    number=int(v["number"]),
                    subject_id=subject.id,
                    teacher_id=teacher.id,
                    room=v["room"].strip(),
                    group_id=group.id if group else None,
                    weeks=wire.WeekParity(weeks),
                    valid_from=self._day(v["from"]),
                )
            )
            self.pending_report = written.lessons
            return written

        table: DataTable[Any] = self._ui.query_one(DataTable)
        line, column = table.cursor_coordinate
        week = self.rows[line].thing if self.rows and 0 <= line < len(self.rows) else None
        self._ui._form(
            _("A new timetable row of {cls}").format(cls=self.class_title()),
            [
                Field(
                    "weekday",
                    _("Weekday"),
                    str(column) if 1 <= column <= 6 else "",
                    _("1-7 or Mon ... Sun"),
                ),
                Field(
                    "number",
                    _("Lesson"),
                    str(week.number) if isinstance(week, WeekLine) else "",
                    _("its number, like 3"),
                ),
                Field("subject", _("Subject"), answers_to=("subject_id",)),
                teacher_field(),
                Field("room", _("Room (optional)")),
                group_field(),
                Field("weeks", _("Weeks (optional)"), hint=_("empty: every week; 1 odd, 2 even")),
                Field(
                    "from",
                    _("From (optional)"),
                    hint=_("like 01.09.2026; empty: today"),
                    answers_to=("valid_from",),
                ),
            ],
            save,
        )

    def after_save(self) -> None:
        """After a form saved: what a timetable write did to the lessons, kept ones and why."""
        report, self.pending_report = self.pending_report, None
        if report is not None:
            self._ui.app.push_screen(
                DetailScreen(
                    report_text(report), name="setup-lessons", binding_id="setup.lessons.close"
                )
            )

    def schedule_retire(self, thing: Any) -> None:
        if self.section == "timetable":
            self._end_row()
            return
        if thing is None:
            return
        if isinstance(thing, wire.ClassGroupInfo):
            group = thing
            if group.retired:
                return
            question = _("Retire the group {name}, {subject}? Its lessons and marks stay.").format(
                name=group.name, subject=group.subject.name
            )

            def write() -> Awaitable[Any]:
                return self.data.change_group(
                    group.id, wire.ClassGroupChange(version=group.version, retired=True)
                )

        elif isinstance(thing, wire.AssignmentInfo):
            assignment = thing
            whom = assignment.class_.name + (
                f" ({assignment.group.name})" if assignment.group else ""
            )
            question = _("Take {subject} in {whom} away from {teacher}?").format(
                subject=assignment.subject.name, whom=whom, teacher=assignment.teacher
            )

            def write() -> Awaitable[Any]:
                return self.data.remove_assignment(assignment.id)

        else:
            return

        async def run() -> None:
            try:
                await write()
            except DiaryError as exc:
                self._ui.notify(describe_error(exc), severity="error", markup=False, timeout=10)
                return
            self._ui.notify(_("Done."))
            self._ui.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self._ui.run_worker(run(), group="setup-write", exit_on_error=False)

        self._ui.app.push_screen(ConfirmScreen(Content(question)), answered)

    def _end_row(self) -> None:
        rows = self._cell_rows()
        if not rows:
            self._ui.notify(_("Put the cursor on a lesson of the grid first."), severity="warning")
            return
        first = rows[0]
        several = len(rows) > 1
        groups = ", ".join(r.group.name if r.group else _("whole class") for r in rows)

        async def save(v: dict[str, str]) -> wire.TimetableWrite:
            row = first
            if several:
                wanted = fold_name(v["group"])
                match = [
                    r for r in rows if r.group is not None and fold_name(r.group.name) == wanted
                ]
                if not match:
                    raise ValueError(_("Group: one of {names}").format(names=groups))
                row = match[0]
            written = await self.data.end_timetable_row(
                row.id, wire.TimetableRowEnd(valid_from=self._day(v["from"]))
            )
            self.pending_report = written.lessons
            return written

        fields = [
            Field(
                "from",
                _("The first day without it"),
                hint=_("like 01.12.2026; empty: today"),
                answers_to=("valid_from",),
            )
        ]
        if several:
            fields.insert(0, Field("group", _("Group"), hint=groups))
        title = _("End {subject}, {day} lesson {number}").format(
            subject=first.subject.name if not several else groups,
            day=dotted_weekday(first.weekday),
            number=first.number,
        )
        self._ui._form(title, fields, save)

    def generate(self) -> None:
        class_id = self.class_id

        async def save(v: dict[str, str]) -> None:
            report = await self.data.generate_lessons(
                wire.LessonGenerate(valid_from=self._day(v["from"]), class_id=class_id)
            )
            self.pending_report = report

        self._ui._form(
            _("Make the lessons of {cls} again").format(cls=self.class_title()),
            [
                Field(
                    "from",
                    _("From"),
                    hint=_(
                        "like 01.12.2026; empty: today. Lessons with marks, absences, a topic "
                        "or homework are kept"
                    ),
                    answers_to=("valid_from",),
                )
            ],
            save,
        )


def columns(section: str) -> Sequence[tuple[str, int]]:
    """The table's columns (labels marked, translated where shown) of a schedule section."""
    if section == "groups":
        return (
            (N_("Group"), 10),
            (N_("Subject"), 16),
            (N_("Teacher"), 18),
            (N_("Pupils"), 10),
            (N_("Who"), 40),
        )
    if section == "assignments":
        return ((N_("Subject"), 22), (N_("Whom"), 14), (N_("Teacher"), 28))
    return ((N_("No."), 3), *((name, 11) for name in WEEKDAY_NAMES[:6]))
