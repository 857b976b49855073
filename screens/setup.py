"""The school's set-up, for the IT staff and the administration: the school, its years with
their periods and holidays, bell schedules, subjects, rooms and classes, set-up files to import,
and the end of the year.

One screen, keyboard first: the sections on the left (Tab or the arrows), the chosen section's
things in the table on the right. ``n`` makes a new one, ``e`` (or Enter) changes the one under
the cursor, ``x`` retires it (kept for history, hidden from new choices; a period or a holiday is
removed instead). ``y`` chooses the year the periods, holidays and classes belong to. ``i``
imports a set-up file (subjects, rooms, classes, groups, assignments, the timetable, or a
OneRoster 1.2 set, a zip or a folder of its CSV files: a dry run first, then, after a yes, the
import), ``z`` closes the chosen year into the next (a dry run
first). Every form keeps what was typed when the server refuses it and says why in its own
words; nothing here is queued offline (set-up is done online).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints
from api_client import models as wire
from api_client.errors import DiaryError
from api_client.i18n import N_, _, ngettext, pgettext
from api_client.setup_files import bells_of, oneroster_zip, weekdays_of
from diary_tui.data import DiaryData, describe_error
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, muted, parse_day, plain
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.ask import AskText
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import Field, FormScreen, Refusal
from screens.setup_schedule import SCHEDULE_SECTIONS, Row, ScheduleSections, columns

SECTIONS: dict[str, str] = {
    "school": N_("School"),
    "years": N_("Years"),
    "periods": N_("Periods"),
    "holidays": N_("Holidays"),
    "bells": N_("Bell schedules"),
    "subjects": N_("Subjects"),
    "rooms": N_("Rooms"),
    "classes": N_("Classes"),
    "groups": N_("Groups"),
    "assignments": N_("Teaching"),
    "timetable": N_("Timetable"),
    "import": N_("Import files"),
    "year_end": N_("End of year"),
}
"""The sections, in the order a school sets itself up."""

ONEROSTER = "oneroster"
"""The import of a OneRoster 1.2 CSV bulk set (a zip, or a folder zipped here): the year and
its periods, subjects, classes and groups, people and enrolments, teaching, all at once."""

IMPORT_KINDS: dict[str, str] = {
    "subjects": N_("subjects"),
    "rooms": N_("rooms"),
    "classes": N_("classes"),
    "groups": N_("groups"),
    "assignments": N_("teaching assignments"),
    "timetable": N_("the timetable"),
    ONEROSTER: N_("a OneRoster 1.2 set: its .zip, or the folder of its CSV files"),
}

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def day_text(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d.%m.%Y}"


def refusal(exc: BaseException) -> Refusal:
    """A failed save in words, with the field the server named."""
    field = exc.field if isinstance(exc, DiaryError) else None
    return Refusal(describe_error(exc), field)


def weekdays_text(days: list[int]) -> str:
    return ", ".join(_(WEEKDAYS[d]) for d in days if 0 <= d < len(WEEKDAYS))


def parse_weekdays(text: str) -> list[int]:
    """``1-5``, ``1,2,3``, ``пн-пт``, ``Mon-Fri`` (1 = Monday) as 0-based weekdays
    (:func:`api_client.setup_files.weekdays_of`)."""
    days = weekdays_of(text)
    if days is None:
        raise ValueError(
            _("'{word}' is not a weekday: write them like 1-5, 1,2,3 or Mon-Fri").format(
                word=text.strip()
            )
        )
    return days


def parse_bells(text: str) -> list[wire.BellTime]:
    """``1=08:30-09:15 2=09:25-10:10`` as bells (:func:`api_client.setup_files.bells_of`)."""
    return [
        wire.BellTime(number=number, start=start, end=end) for number, start, end in bells_of(text)
    ]


def bells_text(bells: list[wire.Bell]) -> str:
    return " ".join(f"{b.number}={b.start}-{b.end}" for b in bells)


class SetupScreen(ScheduleSections, DiaryScreen):
    TITLE = N_("Set-up")
    NAME = "setup"
    HELP = N_("""
The school's set-up, in the order a school does it: the school (name, time zone, language), the
academic year and its periods and holidays, bell schedules (a normal one, Saturday's, a
shortened day's), subjects, rooms, classes; then the roster of people (Users, or diary admin
import), groups, teaching assignments and the timetable, here or from set-up files (Import
files, or diary admin setup import; a OneRoster 1.2 export of a school information system, its
.zip or its folder, brings all of it at once); at the end of the year, closing it moves the
classes up.

Groups, Teaching, Timetable: {setup.class} chooses the class; {setup.members} puts pupils in or
out of the group under the cursor from a day. The timetable is the class's week as a grid
(lesson numbers by weekdays; subject, teacher, room and group in each cell): {setup.new} adds a
row, {setup.retire} ends the one under the cursor from a day, {setup.generate} makes the lessons
again from a day. A lesson with marks, absences, a topic or homework is never removed: it is
kept, and the report says which and why.

Keys: {setup.new} new, {setup.edit} or Enter change, {setup.retire} retire (kept for history; a
period or holiday is removed), {setup.year} choose the year, {setup.import} import a set-up file
(a dry run first), {setup.close_year} close the chosen year into the next. A form keeps what you
typed when it is refused and says why. Dates: 01.09.2026 or 2026-09-01. Weekdays: 1-5 or
Mon-Fri. Bells: 1=08:30-09:15 2=09:25-10:10.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("n", "new", N_("New"), id="setup.new"),
        Binding("e", "edit", N_("Change"), id="setup.edit"),
        Binding("x", "retire", N_("Retire"), id="setup.retire"),
        Binding("y", "year", N_("Year"), id="setup.year"),
        Binding("i", "import_file", N_("Import"), id="setup.import"),
        Binding("z", "close_year", N_("Close year"), id="setup.close_year"),
        Binding("f5", "reload", N_("Refresh"), id="setup.reload"),
        Binding("c", "choose_class", N_("Class"), id="setup.class"),
        Binding("m", "members", N_("Pupils"), id="setup.members"),
        Binding("g", "generate", N_("Make lessons"), id="setup.generate"),
    ]

    DEFAULT_CSS = """
    SetupScreen #setup-title { height: 1; padding: 0 1; background: $boost; }
    SetupScreen #setup-body { height: 1fr; }
    SetupScreen #setup-sections { width: 20; height: 1fr; border: none; }
    SetupScreen #setup-table { width: 1fr; height: 1fr; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.section = "school"
        self.year_id: int | None = None
        self.years: list[wire.SetupYear] = []
        self.rows: list[Row] = []
        self.class_id: int | None = None
        self.year_classes: list[wire.SetupClass] = []
        self.pending_report: wire.LessonGeneration | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(""), id="setup-title")
        with Horizontal(id="setup-body"):
            yield OptionList(
                *(Option(_(title), id=key) for key, title in SECTIONS.items()),
                id="setup-sections",
            )
            yield RowTable(id="setup-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        sections = self.query_one("#setup-sections", OptionList)
        sections.highlighted = 0
        sections.focus()
        self.reload()

    # -- what is shown ----------------------------------------------------------------------

    @property
    def year(self) -> wire.SetupYear | None:
        return next((y for y in self.years if y.id == self.year_id), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editable = {
            "school": {"edit"},
            "years": {"new", "edit", "retire"},
            "periods": {"new", "edit", "retire"},
            "holidays": {"new", "edit", "retire"},
            "bells": {"new", "edit", "retire"},
            "subjects": {"new", "edit", "retire"},
            "rooms": {"new", "edit", "retire"},
            "classes": {"new", "edit", "retire"},
            "groups": {"new", "edit", "retire", "members"},
            "assignments": {"new", "retire"},
            "timetable": {"new", "retire", "generate"},
            "import": set(),
            "year_end": set(),
        }
        if action in ("new", "edit", "retire", "members", "generate"):
            return action in editable[self.section]
        if action == "choose_class":
            return self.section in SCHEDULE_SECTIONS
        return super().check_action(action, parameters)

    @on(OptionList.OptionHighlighted, "#setup-sections")
    def _section(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.section:
            self.section = event.option.id
            self.refresh_bindings()
            self.reload()

    @on(OptionList.OptionSelected, "#setup-sections")
    def _enter_section(self) -> None:
        if self.section == "import":
            self.action_import_file()
        elif self.section == "year_end":
            self.action_close_year()
        else:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#setup-table")
    def _enter_row(self) -> None:
        self.action_edit()

    def action_reload(self) -> None:
        self.reload()

    @work(exclusive=True, group="setup", exit_on_error=False)
    async def reload(self) -> None:
        self.refresh_status(_("loading…"))
        self.years = (await self.data.load(endpoints.setup_years())).years
        if self.year_id is None or self.year is None:
            self.year_id = self._current_year()
        loaders: dict[str, Callable[[], Awaitable[list[Row]]]] = {
            "school": self._school_rows,
            "years": self._year_rows,
            "periods": self._period_rows,
            "holidays": self._holiday_rows,
            "bells": self._bell_rows,
            "subjects": self._subject_rows,
            "rooms": self._room_rows,
            "classes": self._class_rows,
            "groups": self._group_rows,
            "assignments": self._assignment_rows,
            "timetable": self._timetable_rows,
            "import": self._import_rows,
            "year_end": self._year_end_rows,
        }
        self.rows = await loaders[self.section]()
        self.paint()
        self.refresh_status()

    def _current_year(self) -> int | None:
        today = self.data.today()
        open_years = [y for y in self.years if not y.retired and not y.closed]
        for year in open_years:
            if year.start <= today <= year.end:
                return year.id
        later = sorted((y for y in open_years if y.start > today), key=lambda y: y.start)
        if later:
            return later[0].id
        return self.years[0].id if self.years else None

    COLUMNS: ClassVar[dict[str, tuple[tuple[str, int], ...]]] = {
        "school": ((N_("What"), 16), (N_("Value"), 50)),
        "years": (
            (N_("Year"), 10),
            (N_("From"), 10),
            (N_("To"), 10),
            (N_("Periods"), 8),
            (N_("Holidays"), 9),
            (N_("State"), 12),
        ),
        "periods": ((N_("Period"), 16), (N_("From"), 10), (N_("To"), 10)),
        "holidays": ((N_("Day"), 10), (N_("Title"), 30)),
        "bells": ((N_("Schedule"), 14), (N_("Weekdays"), 16), (N_("Bells"), 40)),
        "subjects": ((N_("Subject"), 34), (N_("State"), 10)),
        "rooms": ((N_("Room"), 12), (N_("Seats"), 6), (N_("Note"), 24), (N_("State"), 10)),
        "classes": (
            (N_("Class"), 6),
            (N_("Class teacher"), 26),
            (N_("Pupils"), 7),
            (N_("State"), 10),
        ),
        "import": ((N_("File"), 22), (N_("What it holds"), 50)),
        "year_end": ((N_("Step"), 70),),
    }

    def paint(self) -> None:
        year = self.year
        title = Content.assemble(
            (_(SECTIONS[self.section]), "bold"),
            (
                " · " + (_("year {name}").format(name=plain(year.name)) if year else _("no year")),
                MUTED,
            )
            if self.section in ("periods", "holidays", "classes", "year_end")
            else (" · " + self.class_title(), MUTED)
            if self.section in SCHEDULE_SECTIONS
            else "",
        )
        self.query_one("#setup-title", Static).update(title)
        table: DataTable[str | Content] = self.query_one(DataTable)
        table.clear(columns=True)
        table.cursor_type = "cell" if self.section == "timetable" else "row"
        shown = (
            columns(self.section)
            if self.section in SCHEDULE_SECTIONS
            else self.COLUMNS[self.section]
        )
        for label, width in shown:
            table.add_column(_(label), width=width)
        if not self.rows:
            table.add_row(
                muted(with_keys(self, _("Nothing yet: {setup.new} makes one."))),
                *[""] * (len(shown) - 1),
            )
        for n, row in enumerate(self.rows):
            table.add_row(*row.cells, key=str(n), height=row.height)

    def _under_cursor(self) -> Any:
        table: DataTable[str | Content] = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row].thing

    @staticmethod
    def _state(retired: bool, closed: bool = False) -> Content:
        if closed:
            return Content.styled(_("closed"), MUTED)
        return Content.styled(_("retired"), MUTED) if retired else Content(_("in use"))

    async def _school_rows(self) -> list[Row]:
        school = await self.data.load(endpoints.setup_school())
        return [
            Row([pgettext("of a thing", "Name"), Content(school.name)], school),
            Row([_("Time zone"), Content(school.timezone)], school),
            Row([_("Language"), Content(school.language)], school),
        ]

    async def _year_rows(self) -> list[Row]:
        return [
            Row(
                [
                    Content(y.name),
                    day_text(y.start),
                    day_text(y.end),
                    str(len(y.periods)),
                    str(len(y.holidays)),
                    self._state(y.retired, y.closed),
                ],
                y,
            )
            for y in self.years
        ]

    async def _period_rows(self) -> list[Row]:
        year = self.year
        if year is None:
            return []
        return [Row([Content(p.name), day_text(p.start), day_text(p.end)], p) for p in year.periods]

    async def _holiday_rows(self) -> list[Row]:
        year = self.year
        if year is None:
            return []
        return [Row([day_text(h.date), Content(h.name)], h) for h in year.holidays]

    async def _bell_rows(self) -> list[Row]:
        schedules = (await self.data.load(endpoints.setup_bell_schedules())).schedules
        return [
            Row(
                [
                    Content(b.name + (" ✱" if b.main else "")),
                    weekdays_text(b.weekdays),
                    Content(bells_text(b.bells)),
                ],
                b,
            )
            for b in schedules
        ]

    async def _subject_rows(self) -> list[Row]:
        subjects = (await self.data.load(endpoints.setup_subjects())).subjects
        return [Row([Content(s.name), self._state(s.retired)], s) for s in subjects]

    async def _room_rows(self) -> list[Row]:
        rooms = (await self.data.load(endpoints.setup_rooms())).rooms
        return [
            Row(
                [
                    Content(r.name),
                    str(r.capacity or ""),
                    Content(r.note),
                    self._state(r.retired),
                ],
                r,
            )
            for r in rooms
        ]

    async def _class_rows(self) -> list[Row]:
        if self.year_id is None:
            return []
        classes = (await self.data.load(endpoints.setup_classes(self.year_id))).classes
        return [
            Row(
                [
                    Content(c.name),
                    Content(c.class_teacher.name if c.class_teacher else "—"),
                    str(c.pupils),
                    self._state(c.retired),
                ],
                c,
            )
            for c in classes
        ]

    async def _import_rows(self) -> list[Row]:
        return [
            Row([_("OneRoster (.zip)") if kind == ONEROSTER else f"{kind}.csv", _(what)], kind)
            for kind, what in IMPORT_KINDS.items()
        ]

    async def _year_end_rows(self) -> list[Row]:
        return [
            Row([_("1. Set up the next year and its periods (Years, Periods).")], None),
            Row(
                [
                    with_keys(
                        self,
                        _(
                            "2. {setup.close_year}: see what closing this year would do "
                            "(a dry run)."
                        ),
                    )
                ],
                None,
            ),
            Row([_("3. Answer yes: classes move up, the last grade graduates.")], None),
            Row([_("4. Import the next year's timetable (Import files).")], None),
        ]

    # -- forms ------------------------------------------------------------------------------

    def _form(
        self, title: str, fields: list[Field], save: Callable[[dict[str, str]], Awaitable[Any]]
    ) -> None:
        async def attempt(values: dict[str, str]) -> Refusal | None:
            try:
                await save(values)
            except ValueError as exc:  # typed wrong here: said before anything is sent
                return Refusal(str(exc))
            except DiaryError as exc:
                return refusal(exc)
            return None

        def done(saved: bool | None) -> None:
            if saved:
                self.notify(_("Saved."))
                self.reload()
                self.after_save()
            else:
                self.pending_report = None

        self.app.push_screen(FormScreen(title, fields, attempt, name="setup-form"), done)

    def action_new(self) -> None:
        if self.section in SCHEDULE_SECTIONS:
            self.schedule_new()
            return
        makers: dict[str, Callable[[], None]] = {
            "years": self._new_year,
            "periods": self._new_period,
            "holidays": self._new_holiday,
            "bells": self._new_bells,
            "subjects": self._new_subject,
            "rooms": self._new_room,
            "classes": self._new_class,
        }
        if self.section in makers:
            makers[self.section]()

    def action_edit(self) -> None:
        thing = self._under_cursor()
        if self.section in SCHEDULE_SECTIONS:
            self.schedule_edit(thing)
            return
        if self.section == "import":
            if isinstance(thing, str):
                self._ask_import(thing)
            return
        if thing is None:
            return
        editors: dict[str, Callable[[Any], None]] = {
            "school": self._edit_school,
            "years": self._edit_year,
            "periods": self._edit_period,
            "holidays": self._edit_holiday,
            "bells": self._edit_bells,
            "subjects": self._edit_subject,
            "rooms": self._edit_room,
            "classes": self._edit_class,
        }
        if self.section in editors:
            editors[self.section](thing)

    def _edit_school(self, school: wire.SetupSchool) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.update_school(
                wire.SchoolUpdate(
                    name=v["name"].strip(),
                    timezone=v["timezone"].strip(),
                    language=v["language"].strip(),
                )
            )

        self._form(
            _("The school"),
            [
                Field("name", pgettext("of a thing", "Name"), school.name),
                Field("timezone", _("Time zone"), school.timezone, _("like Europe/Moscow")),
                Field("language", _("Language"), school.language, _("ru or en")),
            ],
            save,
        )

    def _new_year(self) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.create_year(
                wire.YearCreate(
                    name=v["name"].strip(),
                    start=parse_day(v["start"], "first"),
                    end=parse_day(v["end"], "last"),
                )
            )

        self._form(
            _("A new academic year"),
            [
                Field("name", pgettext("of a thing", "Name"), hint=_("like 2027/28")),
                Field("start", _("First day"), hint=_("like 2027-09-01")),
                Field("end", _("Last day"), hint=_("like 2028-08-31")),
            ],
            save,
        )

    def _edit_year(self, year: wire.SetupYear) -> None:
        async def send(name: str, start: dt.date, end: dt.date) -> None:
            body = wire.YearUpdate(version=year.version, name=name, start=start, end=end)
            await self.data.update_year(year.id, body)

        self._edit_span(_("The academic year {name}").format(name=year.name), year, send)

    def _edit_span(
        self,
        title: str,
        span: wire.SetupYear | wire.SetupPeriod,
        send: Callable[[str, dt.date, dt.date], Awaitable[None]],
    ) -> None:
        """The form that renames a year or a period and moves its first and last days;
        ``send`` writes the name and the two days."""

        async def save(v: dict[str, str]) -> None:
            name = v["name"].strip()
            await send(name, parse_day(v["start"], "first"), parse_day(v["end"], "last"))

        self._form(
            title,
            [
                Field("name", pgettext("of a thing", "Name"), span.name),
                Field("start", _("First day"), span.start.isoformat()),
                Field("end", _("Last day"), span.end.isoformat()),
            ],
            save,
        )

    def _new_period(self) -> None:
        year = self.year
        if year is None:
            self.notify(
                with_keys(self, _("Make a year first (Years, {setup.new}).")), severity="warning"
            )
            return
        kind = year.periods[0].kind.value if year.periods else "quarter"
        number = str(len(year.periods) + 1)

        async def save(v: dict[str, str]) -> None:
            try:
                period_kind = wire.PeriodKind(v["kind"].strip())
            except ValueError:
                raise ValueError(_("the kind of period is quarter, trimester or half")) from None
            if not v["number"].strip().isdigit():
                raise ValueError(_("the number is a whole number, like 2"))
            await self.data.add_period(
                year.id,
                wire.PeriodCreate(
                    kind=period_kind,
                    number=int(v["number"]),
                    start=parse_day(v["start"], "first"),
                    end=parse_day(v["end"], "last"),
                    name=v["name"].strip(),
                ),
            )

        self._form(
            _("A new period of {year}").format(year=year.name),
            [
                Field("kind", _("Kind"), kind, _("quarter, trimester or half")),
                Field("number", _("Number"), number),
                Field("start", _("First day"), hint=_("like 2027-11-05")),
                Field("end", _("Last day")),
                Field("name", _("Name (optional)"), hint=_("empty: named by kind and number")),
            ],
            save,
        )

    def _edit_period(self, period: wire.SetupPeriod) -> None:
        async def send(name: str, start: dt.date, end: dt.date) -> None:
            body = wire.PeriodUpdate(version=period.version, name=name, start=start, end=end)
            await self.data.update_period(period.id, body)

        self._edit_span(period.name, period, send)

    def _new_holiday(self) -> None:
        year = self.year
        if year is None:
            self.notify(
                with_keys(self, _("Make a year first (Years, {setup.new}).")), severity="warning"
            )
            return

        async def save(v: dict[str, str]) -> None:
            await self.data.add_holidays(
                year.id,
                wire.HolidayCreate(
                    start=parse_day(v["start"], "first"),
                    end=parse_day(v["end"], "last") if v["end"].strip() else None,
                    name=v["name"].strip(),
                ),
            )

        self._form(
            _("A holiday or a break in {year}").format(year=year.name),
            [
                Field("start", _("First day")),
                Field("end", _("Last day (a break; empty for one day)")),
                Field("name", pgettext("of a thing", "Name"), hint=_("like Осенние каникулы")),
            ],
            save,
        )

    def _edit_holiday(self, holiday: wire.SetupHoliday) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.update_holiday(
                holiday.id,
                wire.HolidayUpdate(
                    version=holiday.version,
                    date=parse_day(v["date"]),
                    name=v["name"].strip(),
                ),
            )

        self._form(
            _("A holiday"),
            [
                Field("date", _("Day"), holiday.date.isoformat()),
                Field("name", pgettext("of a thing", "Name"), holiday.name),
            ],
            save,
        )

    def _new_bells(self) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.create_bell_schedule(
                wire.BellScheduleCreate(
                    name=v["name"].strip(),
                    bells=parse_bells(v["bells"]),
                    weekdays=parse_weekdays(v["weekdays"]),
                )
            )

        self._form(
            _("A new bell schedule"),
            [
                Field("name", pgettext("of a thing", "Name"), hint=_("like Сокращённый день")),
                Field(
                    "bells",
                    _("Bells"),
                    hint=_("like 1=08:30-09:15 2=09:25-10:10"),
                ),
                Field(
                    "weekdays",
                    _("Weekdays (optional)"),
                    hint=_("like 6 for Saturday; empty: only the days given it"),
                ),
            ],
            save,
        )

    def _edit_bells(self, schedule: wire.BellScheduleInfo) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.update_bell_schedule(
                schedule.id,
                wire.BellScheduleUpdate(
                    version=schedule.version,
                    name=v["name"].strip(),
                    bells=parse_bells(v["bells"]),
                    weekdays=parse_weekdays(v["weekdays"]),
                ),
            )
            if v["day"].strip():
                await self.data.set_bell_day(
                    wire.BellDaySet(date=parse_day(v["day"]), schedule_id=schedule.id)
                )

        self._form(
            schedule.name,
            [
                Field("name", pgettext("of a thing", "Name"), schedule.name),
                Field("bells", _("Bells"), bells_text(schedule.bells)),
                Field(
                    "weekdays",
                    _("Weekdays"),
                    ",".join(str(d + 1) for d in schedule.weekdays),
                    _("1-5 is Monday to Friday"),
                ),
                Field(
                    "day",
                    _("Give a date this schedule (optional)"),
                    hint=_("a shortened day, like 2027-12-30"),
                    answers_to=("date",),
                ),
            ],
            save,
        )

    def _new_subject(self) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.create_subject(wire.SubjectCreate(name=v["name"].strip()))

        self._form(_("A new subject"), [Field("name", pgettext("of a thing", "Name"))], save)

    def _edit_subject(self, subject: wire.SetupSubject) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.update_subject(
                subject.id, wire.SubjectUpdate(version=subject.version, name=v["name"].strip())
            )

        self._form(
            subject.name, [Field("name", pgettext("of a thing", "Name"), subject.name)], save
        )

    def _room_fields(self, room: wire.SetupRoom | None) -> list[Field]:
        return [
            Field("name", _("Room"), room.name if room else "", _("its number or name")),
            Field("capacity", _("Seats (optional)"), str(room.capacity or "") if room else ""),
            Field("note", _("Note (optional)"), room.note if room else ""),
        ]

    @staticmethod
    def _seats(text: str) -> int:
        text = text.strip()
        if text and not text.isdigit():
            raise ValueError(_("seats are a whole number, like 30"))
        return int(text or 0)

    def _new_room(self) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.create_room(
                wire.RoomCreate(
                    name=v["name"].strip(), capacity=self._seats(v["capacity"]), note=v["note"]
                )
            )

        self._form(_("A new room"), self._room_fields(None), save)

    def _edit_room(self, room: wire.SetupRoom) -> None:
        async def save(v: dict[str, str]) -> None:
            await self.data.update_room(
                room.id,
                wire.RoomUpdate(
                    version=room.version,
                    name=v["name"].strip(),
                    capacity=self._seats(v["capacity"]),
                    note=v["note"],
                ),
            )

        self._form(room.name, self._room_fields(room), save)

    async def _teacher_id(self, text: str) -> int | None:
        """A class teacher named by login or name; None for an empty field."""
        text = text.strip()
        if not text:
            return None
        page = await self.data.load(endpoints.users(role=wire.Role.TEACHER, q=text))
        exact = [u for u in page.items if u.login.casefold() == text.casefold()]
        found = exact or page.items
        if len(found) == 1:
            return found[0].id
        if not found:
            raise ValueError(_("no teacher is called '{text}'").format(text=text))
        raise ValueError(
            _("'{text}' fits {n} teachers: give the login").format(text=text, n=len(found))
        )

    def _class_fields(self, cls: wire.SetupClass | None) -> list[Field]:
        return [
            Field("grade", _("Grade"), str(cls.grade) if cls else "", _("1 to 11")),
            Field("letter", _("Letter"), cls.letter if cls else "", _("А, Б, В ...")),
            Field(
                "teacher",
                _("Class teacher (optional)"),
                hint=_("the teacher's login or surname"),
                answers_to=("class_teacher_id",),
            ),
        ]

    @staticmethod
    def _grade(text: str) -> int:
        if not text.strip().isdigit():
            raise ValueError(_("the grade is a number, 1 to 11"))
        return int(text)

    def _new_class(self) -> None:
        year_id = self.year_id
        if year_id is None:
            self.notify(
                with_keys(self, _("Make a year first (Years, {setup.new}).")), severity="warning"
            )
            return

        async def save(v: dict[str, str]) -> None:
            await self.data.create_class(
                wire.ClassCreate(
                    year_id=year_id,
                    grade=self._grade(v["grade"]),
                    letter=v["letter"].strip(),
                    class_teacher_id=await self._teacher_id(v["teacher"]),
                )
            )

        self._form(_("A new class"), self._class_fields(None), save)

    def _edit_class(self, cls: wire.SetupClass) -> None:
        async def save(v: dict[str, str]) -> None:
            body = wire.ClassUpdate(
                version=cls.version, grade=self._grade(v["grade"]), letter=v["letter"].strip()
            )
            if v["teacher"].strip():
                body.class_teacher_id = await self._teacher_id(v["teacher"])
            await self.data.update_class(cls.id, body)

        self._form(_("The class {name}").format(name=cls.name), self._class_fields(cls), save)

    # -- retiring ---------------------------------------------------------------------------

    def action_retire(self) -> None:
        thing = self._under_cursor()
        if self.section in SCHEDULE_SECTIONS:
            self.schedule_retire(thing)
            return
        if thing is None or getattr(thing, "retired", False):
            return
        name = getattr(thing, "name", None) or day_text(getattr(thing, "date", None))
        removes = self.section in ("periods", "holidays")
        question = (
            _("Remove {name}?").format(name=name)
            if removes
            else _("Retire {name}? It is kept for history and hidden from new choices.").format(
                name=name
            )
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._retire(thing)

        self.app.push_screen(ConfirmScreen(Content(question)), answered)

    @work(group="setup-write", exit_on_error=False)
    async def _retire(self, thing: Any) -> None:
        retire: dict[str, Callable[[], Awaitable[Any]]] = {
            "years": lambda: self.data.update_year(
                thing.id, wire.YearUpdate(version=thing.version, retired=True)
            ),
            "periods": lambda: self.data.remove_period(
                thing.id, wire.Removal(version=thing.version)
            ),
            "holidays": lambda: self.data.remove_holiday(
                thing.id, wire.Removal(version=thing.version)
            ),
            "bells": lambda: self.data.update_bell_schedule(
                thing.id, wire.BellScheduleUpdate(version=thing.version, retired=True)
            ),
            "subjects": lambda: self.data.update_subject(
                thing.id, wire.SubjectUpdate(version=thing.version, retired=True)
            ),
            "rooms": lambda: self.data.update_room(
                thing.id, wire.RoomUpdate(version=thing.version, retired=True)
            ),
            "classes": lambda: self.data.update_class(
                thing.id, wire.ClassUpdate(version=thing.version, retired=True)
            ),
        }
        try:
            await retire[self.section]()
        except DiaryError as exc:
            self.notify(describe_error(exc), severity="error", markup=False, timeout=10)
            return
        self.notify(_("Done."))
        self.reload()

    def action_choose_class(self) -> None:
        self.choose_class()

    def action_members(self) -> None:
        self.members(self._under_cursor())

    def action_generate(self) -> None:
        self.generate()

    # -- choosing the year ------------------------------------------------------------------

    def action_year(self) -> None:
        if not self.years:
            return
        names = [y.name for y in self.years]

        def check(text: str) -> str | None:
            return (
                None
                if text.strip() in names
                else _("the years are: {names}").format(names=", ".join(names))
            )

        def chosen(text: str | None) -> None:
            if text:
                self.year_id = next(y.id for y in self.years if y.name == text.strip())
                self.reload()

        current = self.year.name if self.year else names[0]
        self.app.push_screen(
            AskText(
                _("Which year? ({names})").format(names=", ".join(names)),
                current,
                name="setup-year",
                binding_id="setup.year.cancel",
                frame="primary",
                check=check,
            ),
            chosen,
        )

    # -- import -----------------------------------------------------------------------------

    def action_import_file(self) -> None:
        thing = self._under_cursor() if self.section == "import" else None
        self._ask_import(thing if isinstance(thing, str) else "subjects")

    def _ask_import(self, kind: str) -> None:
        def check(text: str) -> str | None:
            path = Path(text.strip()).expanduser()
            if kind == ONEROSTER and path.is_dir():
                return None
            if not path.is_file():
                return _("there is no file {path}").format(path=path)
            return None

        def chosen(text: str | None) -> None:
            if text:
                self._import(kind, Path(text.strip()).expanduser())

        question = (
            _(
                "The OneRoster 1.2 set to import, its .zip or the folder of its CSV files "
                "(a dry run first):"
            )
            if kind == ONEROSTER
            else _("The file of {what} to import (a dry run first):").format(
                what=_(IMPORT_KINDS[kind])
            )
        )
        self.app.push_screen(
            AskText(
                question,
                name="setup-import",
                binding_id="setup.import.cancel",
                frame="primary",
                label=_("Path"),
                check=check,
            ),
            chosen,
        )

    @work(group="setup-write", exit_on_error=False)
    async def _import(self, kind: str, path: Path) -> None:
        import asyncio

        try:
            content = await asyncio.to_thread(
                oneroster_zip if kind == ONEROSTER else Path.read_bytes, path
            )
            report = await self.data.import_setup(
                kind, content, dry_run=True, zip_file=kind == ONEROSTER
            )
        except (OSError, ValueError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except DiaryError as exc:
            report_or_none = _report_of(exc)
            if report_or_none is None:
                self.notify(describe_error(exc), severity="error", markup=False, timeout=10)
                return
            report = report_or_none
        text = report_text(report, path.name)
        if report.refused:
            self.app.push_screen(
                DetailScreen(text, name="setup-report", binding_id="setup.report.close")
            )
            return

        async def apply() -> None:
            try:
                done = await self.data.import_setup(
                    kind, content, dry_run=False, zip_file=kind == ONEROSTER
                )
            except DiaryError as exc:
                self.notify(describe_error(exc), severity="error", markup=False, timeout=10)
                return
            self.notify(
                _("Imported {name}: {created} created, {changed} changed.").format(
                    name=path.name, created=done.created, changed=done.changed
                )
            )
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(apply(), group="setup-write", exit_on_error=False)

        question = Content.assemble(text, "\n\n", (_("Import it?"), "bold"))
        self.app.push_screen(ConfirmScreen(question), answered)

    # -- the end of the year ----------------------------------------------------------------

    def action_close_year(self) -> None:
        year = self.year
        if year is None:
            return
        later = [y for y in self.years if y.start > year.end and not y.retired and not y.closed]
        if not later:
            self.notify(
                with_keys(
                    self,
                    _("Set up the next year first (Years, {setup.new}), then close {year}."),
                    year=year.name,
                ),
                severity="warning",
                timeout=8,
            )
            return
        following = min(later, key=lambda y: y.start)
        self._close(year, following)

    @work(group="setup-write", exit_on_error=False)
    async def _close(self, year: wire.SetupYear, following: wire.SetupYear) -> None:
        try:
            plan = await self.data.close_year(
                year.id, wire.YearClose(next_year_id=following.id, apply=False)
            )
        except DiaryError as exc:
            self.notify(describe_error(exc), severity="error", markup=False, timeout=10)
            return

        async def apply() -> None:
            try:
                done = await self.data.close_year(
                    year.id, wire.YearClose(next_year_id=following.id, apply=True)
                )
            except DiaryError as exc:
                self.notify(describe_error(exc), severity="error", markup=False, timeout=10)
                return
            self.notify(
                _("{year} is closed: {moved} pupils moved up, {graduates} graduated.").format(
                    year=done.year, moved=done.moved, graduates=done.graduates
                ),
                timeout=10,
            )
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(apply(), group="setup-write", exit_on_error=False)

        question = Content.assemble(
            plan_text(plan), "\n\n", (_("Close {year} now?").format(year=plan.year), "bold")
        )
        self.app.push_screen(ConfirmScreen(question), answered)


def _report_of(exc: DiaryError) -> wire.SetupImportReport | None:
    """The report a refused import carries (its problem's ``current``)."""
    current = exc.problem.current if exc.problem is not None else None
    if current is None:
        return None
    try:
        return wire.decode(wire.encode(current), wire.SetupImportReport)
    except Exception:
        return None


def report_text(report: wire.SetupImportReport, name: str) -> Content:
    """A set-up file's dry run in a few lines: the counts, then each refused line."""
    lines = [
        Content.styled(_("{name}: a dry run").format(name=name), "bold"),
        Content(
            _(
                "{created} to create, {changed} to change, {unchanged} unchanged, {refused} refused"
            ).format(
                created=report.created,
                changed=report.changed,
                unchanged=report.unchanged,
                refused=report.refused,
            )
        ),
    ]
    for row in report.rows:
        if row.action is wire.ImportAction.REFUSED:
            where = _("line {n}").format(n=row.line)
            if row.file:
                where = f"{row.file}, {where}"
            if row.column:
                where += ", " + _("column {column}").format(column=row.column)
            lines.append(Content(f"  {where}: {row.reason}"))
    lines.extend(Content(w) for w in report.warnings)
    if report.refused:
        lines.append(muted(_("Nothing can be imported until the refused lines are corrected.")))
    return Content("\n").join(lines)


def plan_text(plan: wire.YearClosePlan) -> Content:
    """What closing a year does, class by class."""
    lines = [
        Content.styled(
            _("Closing {year} into {next}").format(year=plan.year, next=plan.next_year), "bold"
        )
    ]
    for row in plan.classes:
        count = ngettext("{n} pupil", "{n} pupils", row.pupils).format(n=row.pupils)
        if row.to:
            lines.append(Content(f"  {row.class_.name} → {row.to}  {count}"))
        else:
            lines.append(Content(f"  {row.class_.name} " + _("graduate") + f"  {count}"))
    lines.append(
        Content(
            _("{moved} move up, {graduates} graduate.").format(
                moved=plan.moved, graduates=plan.graduates
            )
        )
    )
    lines.extend(Content.styled(w, "$warning") for w in plan.warnings)
    return Content("\n").join(lines)
