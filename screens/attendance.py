"""The attendance screen: a child's absences and lateness in a period, with totals.

The totals line says how many lessons were missed (of which for illness, excused and
unexcused) and how often the child was late. ``t`` switches the table between the absences,
the totals per subject and the notices sent to the class teacher. A parent tells the class
teacher about an absence, in advance or after, with ``n``.
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
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from api_client.models import (
    AbsenceKind,
    AbsenceNotices,
    AbsenceReason,
    Attendance,
    AttendanceTotals,
    PeriodRef,
)
from diary_tui.data import DiaryData, Role, describe_error
from diary_tui.widgets import NavBar, StatusLine
from screens.pupil import MUTED, ChildScreen, muted, plain, title_line

KINDS: dict[AbsenceKind, tuple[str, str]] = {
    AbsenceKind.UNEXCUSED: ("unexcused", "bold $text-error"),
    AbsenceKind.ILLNESS: ("illness", "$text-warning"),
    AbsenceKind.EXCUSED: ("excused", ""),
    AbsenceKind.LATE: ("late", "$text-warning"),
}

REASONS: dict[AbsenceReason, str] = {
    AbsenceReason.ILLNESS: "Illness",
    AbsenceReason.FAMILY: "Family reasons",
    AbsenceReason.APPOINTMENT: "Doctor or appointment",
    AbsenceReason.OTHER: "Other",
}

VIEWS = ("absences", "subjects", "notices")


def lessons(count: int) -> str:
    return f"{count} lesson" if count == 1 else f"{count} lessons"


def totals_text(totals: AttendanceTotals) -> Content:
    """``Missed 4 lessons: 2 illness, 1 excused, 1 unexcused · late 3 times (25 min)``."""
    if totals.missed == 0 and totals.late == 0:
        return Content.styled("No absences and never late in this period.", "$text-success")
    parts: list[Content] = []
    if totals.missed:
        detail = [
            f"{n} {word}"
            for n, word in (
                (totals.illness, "illness"),
                (totals.excused, "excused"),
                (totals.unexcused, "unexcused"),
            )
            if n
        ]
        parts.append(
            Content.assemble("Missed ", (lessons(totals.missed), "bold"), f": {', '.join(detail)}")
        )
    else:
        parts.append(Content("No lessons missed"))
    if totals.late:
        times = "once" if totals.late == 1 else f"{totals.late} times"
        parts.append(
            Content.assemble("late ", (times, "bold"), (f" ({totals.late_minutes} min)", MUTED))
        )
    return Content(" · ").join(parts)


def period_label(period: PeriodRef | None) -> str:
    return plain(period.name) if period is not None else "Whole year"


def parse_day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"The {field} must be a date written YYYY-MM-DD, like 2026-11-30."
        ) from None


class NoticeScreen(ModalScreen[tuple[dt.date, dt.date, AbsenceReason, str] | None]):
    """The form of an absence notice: first and last day, reason, note."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="attendance.notice.cancel"),
        Binding("ctrl+s", "send", "Send", id="attendance.notice.send"),
    ]
    DEFAULT_CSS = """
    NoticeScreen { align: center middle; }
    #notice { width: 64; max-width: 100%; height: auto; border: round $primary;
        padding: 0 1; background: $surface; }
    #notice Label { color: $text-muted; margin-top: 1; }
    #notice Input, #notice Select { background: $boost; }
    #notice-error { color: $text-error; height: auto; }
    """

    def __init__(self, child: str, today: dt.date) -> None:
        super().__init__()
        self.child = child
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(Content.assemble(("Absence notice for ", "bold"), plain(self.child)))
            yield Label("First day (YYYY-MM-DD)")
            yield Input(self.today.isoformat(), id="notice-start", compact=True)
            yield Label("Last day")
            yield Input(self.today.isoformat(), id="notice-end", compact=True)
            yield Label("Reason")
            yield Select(
                [(label, reason) for reason, label in REASONS.items()],
                value=AbsenceReason.ILLNESS,
                allow_blank=False,
                id="notice-reason",
                compact=True,
            )
            yield Label("Note to the class teacher")
            yield Input(id="notice-note", max_length=2000, compact=True)
            yield Static("", id="notice-error")
            yield Static(muted("Enter in the note or ctrl+s sends · Esc cancels"))

    def on_mount(self) -> None:
        self.query_one("#notice-start", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "notice-note":
            self.action_send()
        else:
            self.focus_next()

    def action_send(self) -> None:
        error = self.query_one("#notice-error", Static)
        try:
            start = parse_day(self.query_one("#notice-start", Input).value, "first day")
            end = parse_day(self.query_one("#notice-end", Input).value, "last day")
        except ValueError as exc:
            error.update(str(exc))
            return
        if end < start:
            error.update("The last day must not be before the first day.")
            return
        reason = self.query_one("#notice-reason", Select).value
        if not isinstance(reason, AbsenceReason):
            error.update("Choose a reason.")
            return
        note = self.query_one("#notice-note", Input).value.strip()
        self.dismiss((start, end, reason, note))

    def action_cancel(self) -> None:
        self.dismiss(None)


class AttendanceScreen(ChildScreen[Attendance]):
    NAME = "attendance"
    TITLE = "Attendance"
    WHAT = "attendance"
    HELP = """
Absences and lateness of your child (or your own, for a pupil) in a period: the date, the
lesson, the subject, the kind (unexcused, illness, excused, late), minutes late and the
note; the totals for the period at the top.

[ and ] switch the period (the quarters and the whole year). t shows the totals per subject and
the notices sent to the class teacher. A parent tells the class teacher about an absence,
in advance or after, with n.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="attendance.help"),
        Binding("left_square_bracket", "previous_period", "Prev period", id="attendance.previous"),
        Binding("right_square_bracket", "next_period", "Next period", id="attendance.next"),
        Binding("t", "next_view", "View", id="attendance.view"),
        Binding("n", "notice", "Notice", id="attendance.notice"),
        Binding("r", "reload", "Refresh", id="attendance.reload", show=False),
        Binding("q", "app.quit", "Quit", id="attendance.quit"),
    ]

    DEFAULT_CSS = """
    #attendance-title { height: 1; padding: 0 1; background: $boost; }
    #attendance-totals { height: 1; padding: 0 1; }
    #attendance-table { height: 1fr; }
    """

    class NoticesLoaded(Message):
        def __init__(self, pupil_id: int, notices: AbsenceNotices) -> None:
            super().__init__()
            self.pupil_id = pupil_id
            self.notices = notices

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.period: str | None = None
        self.view = VIEWS[0]
        self.notices: AbsenceNotices | None = None
        self._message = ""

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(""), id="attendance-title")
        yield Static(Content(""), id="attendance-totals")
        yield DataTable(id="attendance-table", cursor_type="row", zebra_stripes=True)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        super().on_mount()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "notice":
            me = self.data.me
            return me is not None and me.role is Role.PARENT
        return super().check_action(action, parameters)

    # -- data ---------------------------------------------------------------------------

    def load_key(self) -> object:
        return self.period

    def cached(self, pupil_id: int) -> Attendance | None:
        return self.data.cached_attendance(pupil_id, self.period)

    async def fetch(self, pupil_id: int) -> Attendance:
        return await self.data.load_attendance(pupil_id, self.period)

    def show_current(self) -> None:
        child = self.child
        if child is not None and self.shown_pupil != child.id:
            self.notices = None
        super().show_current()
        if self.view == "notices" and child is not None:
            self._show_notices(child.id)

    # -- painting -----------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self._message = text
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("", key="message", width=max(self.app.size.width - 4, 20))
        table.add_row(muted(text))
        self.query_one("#attendance-totals", Static).update("")

    def update_title(self) -> None:
        value = self.value
        parts: list[Content | str] = [Content.styled("Attendance", "bold")]
        if value is not None:
            parts.append(Content.styled(period_label(value.period), "bold"))
            parts.append(f"{value.start.day} {value.start:%b} – {value.end.day} {value.end:%b %Y}")
        view = {"absences": "", "subjects": "by subject", "notices": "notices"}[self.view]
        if view:
            parts.append(Content.styled(view, "$accent"))
        self.query_one("#attendance-title", Static).update(title_line(*parts))

    def paint(self, value: Attendance) -> None:
        self._message = ""
        self.query_one("#attendance-totals", Static).update(totals_text(value.total))
        if self.view == "subjects":
            self._paint_subjects(value)
        elif self.view == "notices":
            self._paint_notices()
        else:
            self._paint_absences(value)

    def _width(self) -> int:
        return max(self.app.size.width - 2, 60)

    def _paint_absences(self, value: Attendance) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if not value.entries:
            self.show_message(
                "Nothing to list: no absences and no lateness. "
                "t shows the totals by subject and the notices."
            )
            self.query_one("#attendance-totals", Static).update(totals_text(value.total))
            return
        note_w = max(self._width() - (10 + 2 + 22 + 10 + 4) - 6 * 2, 10)
        table.add_column("Date", key="date", width=10)
        table.add_column("№", key="number", width=2)
        table.add_column("Subject", key="subject", width=22)
        table.add_column("Kind", key="kind", width=10)
        table.add_column("Min", key="minutes", width=4)
        table.add_column("Note", key="note", width=note_w)
        for entry in value.entries:
            word, style = KINDS.get(entry.kind, (entry.kind.value, ""))
            table.add_row(
                Content(f"{entry.date:%a} {entry.date.day} {entry.date:%b}"),
                Content(str(entry.number)),
                Content(plain(entry.subject.name)),
                Content.styled(word, style),
                Content(str(entry.minutes)) if entry.minutes else muted(""),
                Content(plain(entry.note)),
                key=str(entry.id),
            )

    def _paint_subjects(self, value: Attendance) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if not value.subjects:
            self.show_message("Nothing to count per subject in this period.")
            self.query_one("#attendance-totals", Static).update(totals_text(value.total))
            return
        table.add_column("Subject", key="subject", width=24)
        for key, label in (
            ("missed", "Missed"),
            ("illness", "Ill"),
            ("excused", "Excused"),
            ("unexcused", "Unexc."),
            ("late", "Late"),
            ("late_minutes", "Min"),
        ):
            table.add_column(label, key=key, width=7)
        rows = [(s.subject.name, s.totals) for s in value.subjects] + [("Total", value.total)]
        for name, totals in rows:
            style = "bold" if name == "Total" else ""
            table.add_row(
                Content.styled(plain(name), style),
                *(
                    Content.styled(str(getattr(totals, key)), style)
                    for key in (
                        "missed",
                        "illness",
                        "excused",
                        "unexcused",
                        "late",
                        "late_minutes",
                    )
                ),
            )

    def _paint_notices(self) -> None:
        notices = self.notices
        if notices is None:
            self.show_message("Loading the notices…")
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if not notices.notices:
            who = "n sends one" if self.check_action("notice", ()) else "none sent"
            self.show_message(f"No notices to the class teacher ({who}).")
            if self.value is not None:
                self.query_one("#attendance-totals", Static).update(totals_text(self.value.total))
            return
        note_w = max(self._width() - (14 + 22 + 16) - 4 * 2, 10)
        table.add_column("Days", key="days", width=14)
        table.add_column("Reason", key="reason", width=22)
        table.add_column("From", key="parent", width=16)
        table.add_column("Note", key="note", width=note_w)
        for notice in notices.notices:
            days = f"{notice.start.day} {notice.start:%b}"
            if notice.end != notice.start:
                days += f"–{notice.end.day} {notice.end:%b}"
            table.add_row(
                Content(days),
                Content(REASONS.get(notice.reason, notice.reason.value)),
                Content(plain(notice.parent)),
                Content(plain(notice.note)),
                key=str(notice.id),
            )

    def on_resize(self) -> None:
        if self.value is not None and not self._message:
            self.call_after_refresh(self.paint, self.value)

    # -- actions ------------------------------------------------------------------------

    def _step_period(self, step: int) -> None:
        value = self.value
        if value is None:
            return
        choices = [str(p.id) for p in value.periods] + ["year"]
        current = str(value.period.id) if value.period is not None else "year"
        index = choices.index(current) if current in choices else -1
        self.period = choices[(index + step) % len(choices)]
        self.show_current()

    def action_next_period(self) -> None:
        self._step_period(1)

    def action_previous_period(self) -> None:
        self._step_period(-1)

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.update_title()
        child = self.child
        if self.view == "notices" and child is not None:
            self._show_notices(child.id)
        elif self.value is not None:
            self.paint(self.value)

    def _show_notices(self, pupil_id: int) -> None:
        cached = self.data.cached_absence_notices(pupil_id)
        if cached is not None:
            self.notices = cached
        if self.value is not None or self.notices is not None:
            self._paint_notices()
        self.load_notices(pupil_id)

    @work(exclusive=True, group="notices", exit_on_error=False)
    async def load_notices(self, pupil_id: int) -> None:
        notices = await self.data.load_absence_notices(pupil_id)
        self.post_message(self.NoticesLoaded(pupil_id, notices))

    @on(NoticesLoaded)
    def _notices_loaded(self, event: NoticesLoaded) -> None:
        if self.child is None or event.pupil_id != self.child.id:
            return
        self.notices = event.notices
        if self.view == "notices":
            self._paint_notices()

    def action_notice(self) -> None:
        child = self.child
        if child is None:
            return

        def chosen(answer: tuple[dt.date, dt.date, AbsenceReason, str] | None) -> None:
            if answer is not None:
                self.send_notice(child.id, *answer)

        self.app.push_screen(NoticeScreen(child.full_name, self.data.today()), chosen)

    @work(group="send-notice", exit_on_error=False)
    async def send_notice(
        self, pupil_id: int, start: dt.date, end: dt.date, reason: AbsenceReason, note: str
    ) -> None:
        try:
            await self.data.send_absence_notice(pupil_id, start, end, reason, note)
        except Exception as exc:
            self.notify(
                f"The notice was not sent: {describe_error(exc)}", severity="error", timeout=10
            )
            return
        self.notify("The class teacher will see the notice.", timeout=6)
        if self.child is not None and self.child.id == pupil_id:
            self.view = "notices"
            self.update_title()
            self.load_notices(pupil_id)
