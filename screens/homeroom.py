"""The class teacher's class (``k``): the class's attendance by pupil and school day for a
period, the pupils' parents with their telephone and e-mail, and one message to the parents.

The attendance is one table: a row per pupil (with the period's totals beside the name, kept in
place while the days scroll) and a column per school day; each cell is the lessons missed that
day with the letter of their kind (``2б``; lateness as its letter alone); the last row is each
day's total. Arrows, Home/End, PageUp/PageDown move; Enter on a cell shows that day's absences
with lessons and reasons. ``[`` and ``]`` switch the period, ``v`` the view (attendance,
parents), ``n`` writes to the parents (all, or those ticked), through the outbox: the form
closes once the server has the message (or it waits in the outbox, offline) and keeps the text
when refused.

Which class: a class teacher's own (``Me.homerooms``); one who leads several, and the
administration (any class of the school, from ``GET /classes``), choose it in a picker that
narrows as one types (``c`` chooses another).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, SelectionList, Static, TextArea

from api_client import endpoints, names
from api_client.i18n import N_, _, day_heading, ngettext, pgettext, weekday
from api_client.models import (
    AbsenceKind,
    AttendanceTotals,
    ClassAttendance,
    ClassAttendanceDay,
    ClassParents,
    ClassRef,
    Role,
)
from diary_tui.data import DiaryData, NotSaved, Sent
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, muted, plain
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen, PeriodKeys, period_bindings
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import close_unless_typed
from screens.dialogs.pick import Pick

FIXED = 2
"""Columns kept in place while the days scroll: the pupil and the period's totals."""


def cell_text(totals: AttendanceTotals, kinds: list[AbsenceKind]) -> str:
    """A day of a pupil: lessons missed and the letter of their kind (``2б``; ``3*`` when of
    several kinds), then ``о`` when late that day."""
    text = ""
    missed = [kind for kind in kinds if kind is not AbsenceKind.LATE]
    if missed:
        letters = {names.absence_letter(kind) for kind in missed}
        text = f"{len(missed)}{letters.pop() if len(letters) == 1 else '*'}"
    if totals.late:
        text += names.absence_letter(AbsenceKind.LATE)
    return text


def totals_text(totals: AttendanceTotals, days: int) -> str:
    """``12 (б 4, у 2, н 6) · 5 дн.`` in the interface's language."""
    parts = [
        f"{names.absence_letter(kind)} {count}"
        for kind, count in (
            (AbsenceKind.ILLNESS, totals.illness),
            (AbsenceKind.EXCUSED, totals.excused),
            (AbsenceKind.UNEXCUSED, totals.unexcused),
        )
        if count
    ]
    text = str(totals.missed) + (f" ({', '.join(parts)})" if parts else "")
    if days:
        text += " · " + ngettext("{n} day", "{n} days", days).format(n=days)
    if totals.late:
        text += " · " + f"{names.absence_letter(AbsenceKind.LATE)} {totals.late}"
    return text


def short_name(name: str, width: int) -> str:
    """``name`` as it fits ``width`` cells: whole, else the surname with initials, as a class
    journal writes it (``Волков Игорь Ярославович`` -> ``Волков И. Я.``)."""
    if len(name) <= width:
        return name
    surname, *rest = name.split()
    return " ".join([surname, *(f"{word[0]}." for word in rest if word)])


def day_detail(name: str, day: ClassAttendanceDay) -> Content:
    """One pupil's absences of one day: each lesson, its subject, the kind and the note."""
    parts: list[Content | str | tuple[str, str]] = [
        (f"{plain(name)}\n", "bold"),
        (f"{day_heading(day.date)}\n\n", "bold"),
    ]
    for entry in day.entries:
        kind = names.absence_kind(entry.kind)
        if entry.kind is AbsenceKind.LATE and entry.minutes:
            kind = _("{kind}, {minutes} min").format(kind=kind, minutes=entry.minutes)
        parts.append(
            _("Lesson {number}, {subject}: {kind}").format(
                number=entry.number, subject=plain(entry.subject.name), kind=kind
            )
        )
        if entry.note:
            parts.append((f" · {plain(entry.note)}", MUTED))
        parts.append("\n")
    parts.append(("\n" + _("Esc or Enter closes"), MUTED))
    return Content.assemble(*parts)


class ClassMessageScreen(ModalScreen[bool]):
    """One message to the class's parents: tick the recipients (all at first), a subject and
    the text; Ctrl+S sends. Answers True once sent or kept in the outbox; never closes on a
    refusal, which it shows with what was typed kept."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", N_("Send"), id="class_message.send", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="class_message.cancel"),
    ]
    DEFAULT_CSS = """
    ClassMessageScreen { align: center middle; }
    ClassMessageScreen > Vertical {
        width: 100%; max-width: 100; height: 100%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    ClassMessageScreen SelectionList { height: 1fr; min-height: 3; }
    ClassMessageScreen TextArea { height: 1fr; min-height: 3; }
    ClassMessageScreen #class-message-problem { color: $text-error; height: auto; }
    """

    def __init__(self, data: DiaryData, cls: ClassRef, parents: ClassParents) -> None:
        super().__init__()
        self.data = data
        self.cls = cls
        self.parents = parents
        self.sending = False

    def _choices(self) -> list[tuple[Content, int, bool]]:
        seen: set[int] = set()
        choices: list[tuple[Content, int, bool]] = []
        for row in self.parents.pupils:
            for parent in row.parents:
                if parent.id in seen:
                    continue
                seen.add(parent.id)
                label = Content.assemble(
                    (plain(parent.name), "bold"),
                    ("  " + plain(row.pupil.last_name + " " + row.pupil.first_name), MUTED),
                )
                choices.append((label, parent.id, True))
        return choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content.styled(
                    _("A message to the parents of {name}").format(name=plain(self.cls.name)),
                    "bold",
                )
            )
            yield Static(
                muted(_("Each parent gets it privately and answers only you. Space ticks.")),
            )
            yield SelectionList[int](*self._choices(), id="class-message-to")
            yield Input(
                placeholder=pgettext("of a message", "Subject"),
                id="class-message-subject",
                max_length=200,
            )
            yield TextArea(id="class-message-body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="class-message-problem")
            yield Static(muted(_("ctrl+s sends · Esc cancels")))

    def on_mount(self) -> None:
        self.query_one("#class-message-subject", Input).focus()

    def chosen(self) -> list[int]:
        """The parents ticked; empty means all of them only when all are ticked."""
        return list(self.query_one("#class-message-to", SelectionList).selected)

    def _problem(self, text: str) -> None:
        self.query_one("#class-message-problem", Static).update(Content(text))

    def action_send(self) -> None:
        if self.sending:
            return
        ticked = self.chosen()
        everyone = len(ticked) == len(self._choices())
        if not ticked:
            self._problem(_("Tick at least one parent."))
            return
        subject = self.query_one("#class-message-subject", Input).value
        body = self.query_one("#class-message-body", TextArea).text
        self.sending = True
        self._problem(_("Sending…"))
        self._send([] if everyone else ticked, subject, body)

    @work(exclusive=True, group="class-message", exit_on_error=False)
    async def _send(self, parent_ids: list[int], subject: str, body: str) -> None:
        try:
            result = await self.data.message_class_parents(self.cls.id, subject, body, parent_ids)
        except (NotSaved, ValueError) as refusal:
            self._problem(str(refusal))
            field = refusal.field if isinstance(refusal, NotSaved) else None
            if field == "subject":
                self.query_one("#class-message-subject", Input).focus()
            elif field == "body":
                self.query_one("#class-message-body", TextArea).focus()
            return
        finally:
            self.sending = False
        if isinstance(result, Sent):
            count = len(result.value.threads)
            self.notify(
                ngettext("Sent to {n} parent.", "Sent to {n} parents.", count).format(n=count)
            )
        else:
            self.notify(
                _(
                    "The server cannot be reached: the message is kept on this computer and "
                    "will be sent when it can."
                ),
                severity="warning",
                timeout=8,
            )
        self.dismiss(True)

    def _typed(self) -> bool:
        return bool(
            self.query_one("#class-message-subject", Input).value.strip()
            or self.query_one("#class-message-body", TextArea).text.strip()
        )

    def action_cancel(self) -> None:
        close_unless_typed(self, self._typed(), False)

    @on(Input.Submitted, "#class-message-subject")
    def _subject_done(self) -> None:
        self.query_one("#class-message-body", TextArea).focus()


class DayGrid(DataTable[str]):
    """The attendance table: Home and End go to the first and the last school day."""

    def action_scroll_home(self) -> None:
        self.move_cursor(column=min(FIXED, len(self.columns) - 1))

    def action_scroll_end(self) -> None:
        self.move_cursor(column=len(self.columns) - 1)


class ClassScreen(DiaryScreen, PeriodKeys):
    """The class teacher's class: attendance by day, parents, a message to the parents."""

    TITLE = N_("My class")
    NAME = "homeroom"
    HELP = N_("""
The class you lead: its attendance in a period and its parents. If you lead several classes,
or for the administration any class, {homeroom.class} chooses the class (type to narrow the list).

Attendance: a row per pupil, a column per school day; a cell is the lessons missed that day with
the letter of their kind (A absent, I illness, E excused; L late); beside the name, the period's
total (of which I, E, A) and the days missed; the last row, each day's total. Arrows move, Home
and End go to the first and the last day, PageUp and PageDown a page of pupils; Enter on a day
shows its lessons and reasons. {homeroom.previous} and {homeroom.next} switch the period.

{homeroom.view} shows the parents: each pupil's parents with their telephone and e-mail (the IT
staff keep them). {homeroom.write} writes one message to the parents, all or those you tick;
each gets it as a private thread and answers only you.
""")

    # The table in view takes the free height, so the status line sits at the bottom above the
    # footer, as on every other screen.
    DEFAULT_CSS = """
    ClassScreen #homeroom-grid, ClassScreen #homeroom-parents { height: 1fr; }
    """

    # The footer leaves out keys from the right where the screen is narrow: the writing and
    # the view first; the period's keys are said in the summary line too.
    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("n", "write", N_("Write to parents"), id="homeroom.write"),
        Binding("v", "switch_view", N_("Parents/attendance"), id="homeroom.view"),
        Binding("c", "pick_class", N_("Class"), id="homeroom.class"),
        *period_bindings("homeroom"),
        Binding("f5", "reload", N_("Refresh"), id="homeroom.reload"),
    ]

    class AttendanceLoaded(Message):
        def __init__(self, key: tuple[int, str | None], value: ClassAttendance) -> None:
            super().__init__()
            self.key = key
            self.value = value

    class ParentsLoaded(Message):
        def __init__(self, class_id: int, value: ClassParents) -> None:
            super().__init__()
            self.class_id = class_id
            self.value = value

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.period: str | None = None
        self.view = "attendance"
        self.attendance: ClassAttendance | None = None
        self.parents: ClassParents | None = None
        self.chosen: ClassRef | None = None
        """The class chosen in the picker (None: the one class the viewer leads)."""
        self.school_classes: list[ClassRef] | None = None
        """The administration's choices: the school's classes (None: not loaded yet)."""

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static("", id="homeroom-title")
        yield Static("", id="homeroom-summary")
        yield DayGrid(id="homeroom-grid", cursor_type="cell", fixed_columns=FIXED)
        yield RowTable(id="homeroom-parents", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def _me_role_and_led(self) -> tuple[Role | None, list[ClassRef]]:
        me = self.data.me or self.data.cached_me()
        if me is None:
            return None, []
        led = list(me.homerooms) or ([me.homeroom] if me.homeroom is not None else [])
        return me.role, led

    @property
    def administration(self) -> bool:
        return self._me_role_and_led()[0] is Role.ADMINISTRATION

    def class_choices(self) -> list[ClassRef]:
        """The classes this viewer may open here: the administration's, every class of the
        school (once loaded); a class teacher's, those they lead."""
        if self.administration:
            return list(self.school_classes or [])
        return self._me_role_and_led()[1]

    @property
    def cls(self) -> ClassRef | None:
        if self.chosen is not None:
            return self.chosen
        choices = self.class_choices()
        return choices[0] if len(choices) == 1 and not self.administration else None

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#homeroom-parents").display = False
        self.query_one("#homeroom-grid").display = False
        if self.administration:
            cached = self.data.cached(endpoints.classes())
            if cached is not None:
                self.school_classes = list(cached.classes)
            self.load_classes()
        self.show_current()
        if self.cls is not None:
            self.load_parents(self.cls.id)  # for n: whom to write to
        elif len(self.class_choices()) > 1:
            self.call_after_refresh(self.action_pick_class)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_class":
            return self.administration or len(self.class_choices()) > 1
        return super().check_action(action, parameters)

    @work(exclusive=True, group="homeroom-classes", exit_on_error=False)
    async def load_classes(self) -> None:
        """The school's classes, for the administration's picker (opened once they come)."""
        value = await self.data.load(endpoints.classes())
        first = self.school_classes is None
        self.school_classes = list(value.classes)
        self.show_current()
        if first and self.cls is None and self.is_current:
            self.action_pick_class()

    def action_pick_class(self) -> None:
        """Choose the class shown, in a picker that narrows as one types."""
        choices = self.class_choices()
        if not choices:
            self.notify(
                with_keys(self, _("Loading the classes… press {homeroom.class} again in a moment."))
                if self.administration
                else _("You do not lead a class."),
                severity="warning",
            )
            return
        shown = self.cls
        current = next((i for i, c in enumerate(choices) if shown and c.id == shown.id), 0)

        def picked(index: int | None) -> None:
            if index is None:
                return
            cls = choices[index]
            if self.chosen is not None and self.chosen.id == cls.id:
                return
            self.chosen = cls
            self.attendance = None
            self.parents = None
            self.period = None
            self.show_current()
            self.load_parents(cls.id)

        self.app.push_screen(
            Pick(
                _("Which class?"),
                [c.name for c in choices],
                current,
                filtering=True,
                placeholder=_("Type the class: 5а"),
            ),
            picked,
        )

    def _say(self, text: str) -> None:
        self.query_one("#homeroom-summary", Static).update(Content(text))

    def show_current(self) -> None:
        cls = self.cls
        self.query_one("#homeroom-grid").display = cls is not None and self.view == "attendance"
        self.query_one("#homeroom-parents").display = cls is not None and self.view == "parents"
        if cls is None:
            self.query_one("#homeroom-title", Static).update(Content(_("My class")))
            if self.class_choices():
                self._say(with_keys(self, _("Choose a class: press {homeroom.class}.")))
            elif self.administration:
                self._say(_("Loading {what}…").format(what=_("the classes")))
            else:
                self._say(_("You do not lead a class."))
            return
        if self.view == "attendance":
            cached = self.data.cached(endpoints.class_attendance(cls.id, self.period))
            if cached is not None:
                self.paint_attendance(cached)
            else:
                self._say(_("Loading {what}…").format(what=_("attendance")))
            self.load_attendance(cls.id, self.period)
        else:
            parents = self.data.cached(endpoints.class_parents(cls.id))
            if parents is not None:
                self.paint_parents(parents)
            else:
                self._say(_("Loading {what}…").format(what=_("parents")))
            self.load_parents(cls.id)

    @work(exclusive=True, group="homeroom-attendance", exit_on_error=False)
    async def load_attendance(self, class_id: int, period: str | None) -> None:
        value = await self.data.load(endpoints.class_attendance(class_id, period))
        self.post_message(self.AttendanceLoaded((class_id, period), value))

    @work(exclusive=True, group="homeroom-parents", exit_on_error=False)
    async def load_parents(self, class_id: int) -> None:
        value = await self.data.load(endpoints.class_parents(class_id))
        self.post_message(self.ParentsLoaded(class_id, value))

    @on(AttendanceLoaded)
    def _attendance_loaded(self, event: AttendanceLoaded) -> None:
        cls = self.cls
        if cls is not None and event.key == (cls.id, self.period) and self.view == "attendance":
            self.paint_attendance(event.value)

    @on(ParentsLoaded)
    def _parents_loaded(self, event: ParentsLoaded) -> None:
        self.parents = event.value
        cls = self.cls
        if cls is not None and event.class_id == cls.id and self.view == "parents":
            self.paint_parents(event.value)

    def load_failed(self) -> None:
        shown = self.attendance if self.view == "attendance" else self.parents
        if shown is None:
            self._say(
                with_keys(
                    self,
                    _("This was never loaded on this computer; {key} tries again."),
                    key=self.reload_key(),
                )
            )

    # -- painting -------------------------------------------------------------------------

    def _title(self, text: str) -> None:
        self.query_one("#homeroom-title", Static).update(Content.styled(text, "bold"))

    def paint_attendance(self, value: ClassAttendance) -> None:
        self.attendance = value
        period = value.period.name if value.period is not None else _("the year")
        self._title(
            _("Attendance of {name}: {period}").format(
                name=plain(value.class_.name), period=plain(period)
            )
        )
        self._say(
            _("{pupils} · missed {total} · [ ] period · Enter: the day").format(
                pupils=ngettext("{n} pupil", "{n} pupils", len(value.pupils)).format(
                    n=len(value.pupils)
                ),
                total=totals_text(value.total, 0),
            )
        )
        grid = self.query_one("#homeroom-grid", DayGrid)
        where = grid.cursor_coordinate
        grid.clear(columns=True)
        grid.add_column(_("Pupil"), key="pupil")
        grid.add_column(_("Missed"), key="total")
        for day in value.school_days:
            grid.add_column(f"{day.day} {weekday(day, short=True)}", key=day.isoformat())
        for row in value.pupils:
            cells = {cell.date: cell for cell in row.days}
            grid.add_row(
                plain(f"{row.pupil.last_name} {row.pupil.first_name}"),
                totals_text(row.total, row.days_missed),
                *[
                    cell_text(cells[day].totals, [e.kind for e in cells[day].entries])
                    if day in cells
                    else ""
                    for day in value.school_days
                ],
                key=str(row.pupil.id),
            )
        per_day = {d.date: d for d in value.days}
        grid.add_row(
            _("Total"),
            str(value.total.missed),
            *[
                str(per_day[day].totals.missed)
                if day in per_day and per_day[day].totals.missed
                else ""
                for day in value.school_days
            ],
            key="total",
        )
        grid.display = self.view == "attendance"
        if value.pupils:
            grid.move_cursor(
                row=min(where.row, len(value.pupils)),
                column=where.column if where.column >= FIXED else FIXED,
            )
        grid.focus()

    def paint_parents(self, value: ClassParents) -> None:
        self.parents = value
        self._title(_("Parents of {name}").format(name=plain(value.class_.name)))
        self._say(
            with_keys(
                self, _("{homeroom.write} writes to the parents · {homeroom.view} attendance")
            )
        )
        table = self.query_one("#homeroom-parents", RowTable)
        table.clear(columns=True)
        # Fit the screen's width (each column pads 1 + 1, the scroll bar takes 2): names cut
        # with … rather than the contacts pushed off the right edge.
        pupil_width, phone_width = 18, 17
        room = max(30, self.app.size.width - 2 - 4 * 2 - pupil_width - phone_width)
        parent_width = min(32, max(16, room - 22))
        table.add_column(_("Pupil"), key="pupil", width=pupil_width)
        table.add_column(_("Parent"), key="parent", width=parent_width)
        table.add_column(_("Telephone"), key="phone", width=phone_width)
        table.add_column(_("E-mail"), key="email", width=room - parent_width)
        for row in value.pupils:
            name = plain(f"{row.pupil.last_name} {row.pupil.first_name}")
            if not row.parents:
                table.add_row(name, muted(_("no parent linked")), "", "", key=f"{row.pupil.id}")
            for n, parent in enumerate(row.parents):
                table.add_row(
                    name if n == 0 else "",
                    plain(short_name(parent.name, parent_width)),
                    plain(parent.phone) or "—",
                    plain(parent.email) or "—",
                    key=f"{row.pupil.id}-{parent.id}",
                )
        table.focus()

    # -- keys -----------------------------------------------------------------------------

    def period_shown(self) -> ClassAttendance | None:
        return self.attendance if self.view == "attendance" else None

    def action_switch_view(self) -> None:
        self.view = "parents" if self.view == "attendance" else "attendance"
        self.show_current()

    def action_reload(self) -> None:
        self.show_current()

    def action_write(self) -> None:
        cls = self.cls
        if cls is None:
            return
        parents = self.parents or self.data.cached(endpoints.class_parents(cls.id))
        if parents is None:
            self.notify(
                with_keys(self, _("Loading the parents… press {homeroom.write} again in a moment."))
            )
            self.load_parents(cls.id)
            return
        if not any(row.parents for row in parents.pupils):
            self.notify(_("The class has no parents linked yet."), severity="warning")
            return
        self.app.push_screen(ClassMessageScreen(self.data, cls, parents))

    @on(DataTable.CellSelected, "#homeroom-grid")
    def _open_day(self, event: DataTable.CellSelected) -> None:
        value = self.attendance
        if value is None:
            return
        row_key = event.cell_key.row_key.value
        column_key = event.cell_key.column_key.value
        row = next((r for r in value.pupils if str(r.pupil.id) == row_key), None)
        if row is None or column_key in (None, "pupil", "total"):
            return
        day = dt.date.fromisoformat(str(column_key))
        cell = next((c for c in row.days if c.date == day), None)
        name = f"{row.pupil.last_name} {row.pupil.first_name}"
        if cell is None:
            self.notify(
                _("{name} missed nothing on {day}.").format(name=plain(name), day=day_heading(day))
            )
            return
        self.app.push_screen(
            DetailScreen(
                day_detail(name, cell),
                name="homeroom-day",
                binding_id="homeroom.day.close",
                width="72",
            )
        )
