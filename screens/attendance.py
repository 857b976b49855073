"""The attendance screen: a child's absences and lateness in a period, with totals.

The totals line says how many lessons were missed (of which for illness, excused and
unexcused) and how often the child was late. ``t`` switches the table between the absences,
the totals per subject and the notices sent to the class teacher. A parent tells the class
teacher about an absence, in advance or after, with ``n``.

A class teacher (a teacher whose ``Me.homeroom`` is set, with no child of their own here) sees
the notices the parents of their class sent instead: pupil, days, reason, who sent it and when,
newest first, the days still to come highlighted, the unread ones bold with a dot. A new notice
arriving on the change feed (``absence_notice.new``) refreshes the list. Enter shows a notice in
full and marks it read (a direct write: offline it says so, and the next Enter online marks
it); ``e`` excuses, after a yes, the pupil's unexcused absences at the lessons of its days.

A parent's notices view says whether the class teacher has read each notice; the reading
arrives on the feed (``absence_notice.seen``, addressed to the pupil's parents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from api_client import endpoints
from api_client.i18n import N_, _, day_label, day_month, ngettext, pgettext
from api_client.models import (
    AbsenceKind,
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNotices,
    AbsenceReason,
    Attendance,
    AttendanceTotals,
    ChangeItem,
    ClassRef,
    Me,
)
from api_client.names import absence_kind, absence_kinds, absence_reason, absence_reasons
from diary_tui.data import (
    AuthenticationError,
    DiaryData,
    Offline,
    Queued,
    Role,
    Sent,
    Waiting,
    describe_error,
)
from diary_tui.keys import key_of, with_keys
from diary_tui.outbox_ops import NoticeCreateOp, NoticeWithdrawOp
from diary_tui.ui import (
    MUTED,
    day_form,
    day_typed,
    local,
    muted,
    parse_day,
    period_label,
    plain,
    title_line,
)
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import PeriodScreen, SessionEnded, period_bindings
from screens.dialogs.confirm import ConfirmOrEnter as ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import Outcome, SendingForm

KIND_STYLES: dict[AbsenceKind, str] = {
    AbsenceKind.UNEXCUSED: "bold $text-error",
    AbsenceKind.ILLNESS: "$text-warning",
    AbsenceKind.EXCUSED: "",
    AbsenceKind.LATE: "$text-warning",
}
"""How each absence kind stands out in the table (its name is ``api_client.names``')."""

SHORT_REASONS: dict[AbsenceReason, str] = {
    AbsenceReason.ILLNESS: N_("Illness"),
    AbsenceReason.FAMILY: N_("Family"),
    AbsenceReason.APPOINTMENT: N_("Appointment"),
    AbsenceReason.OTHER: N_("Other"),
}
"""A reason in a table's narrow column (the long names are ``api_client.names``')."""


def short_reason(reason: AbsenceReason) -> str:
    return _(SHORT_REASONS[reason]) if reason in SHORT_REASONS else reason.value


VIEWS = ("absences", "subjects", "notices")
VIEW_NAMES = {"absences": "", "subjects": N_("by subject"), "notices": N_("notices")}
"""How the title names each view (the absences view goes unnamed)."""

WAITING_TO_SEND = N_("waiting to be sent")
"""How a notice kept in the outbox (sent offline) is shown until the server has it."""

NOTICE_KIND = "absence_notice."
"""The change-feed kinds about absence notices (``absence_notice.new``)."""

ONGOING = "bold $text-warning"
"""A notice whose days include today."""
AHEAD = "bold $accent"
"""A notice whose days are all still to come."""


UNREAD = "● "
"""Before the pupil of a notice the class teacher has not read yet (the row is bold)."""

#: The keys of a child's attendance, of no use on a class teacher's list of notices.
CHILD_ACTIONS = frozenset({"previous_period", "next_period", "next_view", "notice", "withdraw"})
#: The keys of a class teacher's list of notices, of no use on a child's attendance.
CLASS_ACTIONS = frozenset({"apply"})


def leads_class(me: Me | None) -> ClassRef | None:
    """The class whose notices the screen lists for ``me``: a class teacher's own class,
    when they have no child of their own to show."""
    if me is None or me.children or me.role in (Role.PARENT, Role.PUPIL):
        return None
    return me.homeroom


def notice_days(notice: AbsenceNotice) -> str:
    """``30 Nov``, ``24–26 Nov``, ``30 Nov–1 Dec``, ``30 Dec 2026–2 Jan 2027``."""
    return days_text(notice.start, notice.end)


def days_text(start: dt.date, end: dt.date) -> str:
    """Days of a notice in the language in force: ``24–26 нояб.``."""
    if end == start:
        return day_month(start, short=True)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{day_month(end, short=True)}"
    if start.year == end.year:
        return f"{day_month(start, short=True)}–{day_month(end, short=True)}"
    return f"{day_month(start, short=True)} {start.year}–{day_month(end, short=True)} {end.year}"


def overlapping(start: dt.date, end: dt.date, notices: list[AbsenceNotice]) -> AbsenceNotice | None:
    """The newest standing (not withdrawn) notice among ``notices`` covering any of the days."""
    found = [n for n in notices if not n.withdrawn and n.start <= end and n.end >= start]
    return max(found, key=lambda n: (n.created_at, n.id)) if found else None


def notice_style(notice: AbsenceNotice, today: dt.date) -> str:
    """How a notice's days stand against today: ongoing, ahead or past ("")."""
    if notice.end < today:
        return ""
    return ONGOING if notice.start <= today else AHEAD


def newest_first(notices: AbsenceNotices) -> list[AbsenceNotice]:
    return sorted(notices.notices, key=lambda n: (n.created_at, n.id), reverse=True)


def sent_text(moment: dt.datetime, zone: dt.tzinfo, today: dt.date) -> str:
    """When a notice was sent, in the school's time: ``today 08:05``, ``24 Nov 19:40``."""
    at = local(moment, zone)
    if at.date() == today:
        return _("today {time}").format(time=f"{at:%H:%M}")
    if at.year != today.year:
        return f"{day_month(at.date(), short=True)} {at.year}"
    return f"{day_month(at.date(), short=True)} {at:%H:%M}"


def notice_text(notice: AbsenceNotice, zone: dt.tzinfo, today: dt.date) -> str:
    """A notice in full, as plain text: days, reason, who sent it and when, whether the class
    teacher has read it (or it was withdrawn), the whole note."""
    start, end = notice.start, notice.end
    days = day_typed(start) if start == end else f"{day_typed(start)} – {day_typed(end)}"
    lines = [
        f"{days} ({days_text(start, end)}): {absence_reason(notice.reason)}",
        _("From {parent}, sent {when}").format(
            parent=plain(notice.parent), when=sent_text(notice.created_at, zone, today)
        ),
        _("Class teacher: {state}").format(state=read_text(notice, zone, today)),
    ]
    if notice.note.strip():
        lines += ["", notice.note.strip()]
    return "\n".join(lines)


def read_text(notice: AbsenceNotice, zone: dt.tzinfo, today: dt.date) -> str:
    """Whether the class teacher has read a notice, for its parent: ``read today 08:10``;
    a withdrawn one says so."""
    if notice.withdrawn_at is not None:
        return _("withdrawn {when}").format(when=sent_text(notice.withdrawn_at, zone, today))
    if not notice.seen:
        return _("not read yet")
    if notice.seen_at is None:
        return _("read")
    return _("read {when}").format(when=sent_text(notice.seen_at, zone, today))


def applied_text(applied: AbsenceNoticeApplied, apply_key: str) -> str:
    """What excusing by a notice changed, in plain words; ``apply_key`` the key that excuses
    by a notice, as bound (:func:`diary_tui.keys.key_of`)."""
    name = plain(applied.notice.pupil.full_name)
    count = len(applied.changed)
    if applied.kind is AbsenceKind.ILLNESS:
        head = ngettext(
            "{count} lesson of {name} now illness:",
            "{count} lessons of {name} now illness:",
            count,
        )
    else:
        head = ngettext(
            "{count} lesson of {name} now excused:",
            "{count} lessons of {name} now excused:",
            count,
        )
    lines = [head.format(count=count, name=name)]
    lines += [
        _("{day}, lesson {number}: {subject}").format(
            day=day_label(c.date), number=c.number, subject=plain(c.subject)
        )
        for c in applied.changed
    ]
    if applied.lessons_ahead:
        lines.append(
            ngettext(
                "{count} lesson of the notice's days still to come got nothing "
                "(no absence yet): press {key} again after it.",
                "{count} lessons of the notice's days still to come got nothing "
                "(no absence yet): press {key} again after them.",
                applied.lessons_ahead,
            ).format(count=applied.lessons_ahead, key=apply_key)
        )
    return "\n".join(lines)


def class_summary(notices: list[AbsenceNotice], today: dt.date) -> Content:
    """``4 notices · 2 unread · 1 for today · 2 still to come``."""
    if not notices:
        return Content("")
    count = ngettext("{count} notice", "{count} notices", len(notices)).format(count=len(notices))
    standing = [n for n in notices if not n.withdrawn]
    ongoing = sum(1 for n in standing if notice_style(n, today) == ONGOING)
    ahead = sum(1 for n in standing if notice_style(n, today) == AHEAD)
    unread = sum(1 for n in standing if not n.seen)
    parts = [Content.styled(count, "bold")]
    if unread:
        text = ngettext("{count} unread", "{count} unread", unread).format(count=unread)
        parts.append(Content.styled(UNREAD + text, "bold"))
    if ongoing:
        text = ngettext("{count} for today", "{count} for today", ongoing).format(count=ongoing)
        parts.append(Content.styled(text, ONGOING))
    if ahead:
        text = ngettext("{count} still to come", "{count} still to come", ahead).format(count=ahead)
        parts.append(Content.styled(text, AHEAD))
    if not ongoing and not ahead:
        parts.append(muted(_("none for today or days to come")))
    return Content(" · ").join(parts)


def lessons(count: int) -> str:
    return ngettext("{count} lesson", "{count} lessons", count).format(count=count)


def totals_text(totals: AttendanceTotals) -> Content:
    """``Missed 4 lessons: 2 illness, 1 excused, 1 unexcused · late 3 times (25 min)``."""
    if totals.missed == 0 and totals.late == 0:
        return Content.styled(_("No absences and never late in this period."), "$text-success")
    parts: list[Content] = []
    if totals.missed:
        detail = [
            text.format(count=n)
            for n, text in (
                (totals.illness, _("{count} illness")),
                (totals.excused, _("{count} excused")),
                (totals.unexcused, _("{count} unexcused")),
            )
            if n
        ]
        parts.append(
            Content.assemble(
                pgettext("attendance totals", "Missed") + " ",
                (lessons(totals.missed), "bold"),
                f": {', '.join(detail)}",
            )
        )
    else:
        parts.append(Content(_("No lessons missed")))
    if totals.late:
        times = ngettext("once", "{count} times", totals.late).format(count=totals.late)
        minutes = _("({minutes} min)").format(minutes=totals.late_minutes)
        parts.append(
            Content.assemble(
                pgettext("attendance totals", "late") + " ", (times, "bold"), (" " + minutes, MUTED)
            )
        )
    return Content(" · ").join(parts)


NoticeOutcome = Sent[AbsenceNotice] | Waiting
"""What the notice form ends with: the server's notice, or the notice kept in the outbox."""


class NoticeScreen(SendingForm[Outcome]):
    """The form of an absence notice: first and last day, reason, note.

    It sends the notice itself (through the outbox) and closes only when the server has it
    or it is kept to be sent later; a refusal is said under the boxes and everything typed
    stays. Before sending it says so when a notice it knows of (``known``: the child's
    standing notices and those waiting in the outbox) covers any of the days."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="attendance.notice.cancel"),
        Binding("ctrl+s", "send", N_("Send"), id="attendance.notice.send"),
    ]
    DEFAULT_CSS = """
    NoticeScreen { align: center middle; }
    #notice { width: 64; max-width: 100%; height: auto; border: round $primary;
        padding: 0 1; background: $surface; }
    #notice Label { color: $text-muted; margin-top: 1; }
    #notice Input, #notice Select { background: $boost; }
    #notice-error { color: $text-error; height: auto; }
    """
    PROBLEM = "notice-error"
    FIELDS: ClassVar[Mapping[str, str]] = {
        "start": "notice-start",
        "end": "notice-end",
        "reason": "notice-reason",
        "note": "notice-note",
    }

    def __init__(
        self,
        child: str,
        today: dt.date,
        data: DiaryData | None = None,
        pupil_id: int | None = None,
        known: list[AbsenceNotice] | None = None,
    ) -> None:
        super().__init__()
        self.child = child
        self.today = today
        self.data = data
        self.pupil_id = pupil_id
        self.known = known or []

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(Content.assemble((_("Absence notice for "), "bold"), plain(self.child)))
            yield Label(_("First day ({form})").format(form=day_form()))
            yield Input(day_typed(self.today), id="notice-start", compact=True)
            yield Label(_("Last day ({form})").format(form=day_form()))
            yield Input(day_typed(self.today), id="notice-end", compact=True)
            yield Label(_("Reason"))
            yield Select(
                [(label.capitalize(), reason) for reason, label in absence_reasons().items()],
                value=AbsenceReason.ILLNESS,
                allow_blank=False,
                id="notice-reason",
                compact=True,
            )
            yield Label(_("Note to the class teacher"))
            yield Input(id="notice-note", max_length=2000, compact=True)
            yield Static("", id="notice-error")
            yield Static(muted(_("Enter in the note or ctrl+s sends · Esc cancels")))

    def on_mount(self) -> None:
        self.query_one("#notice-start", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "notice-note":
            self.action_send()
        else:
            self.focus_next()

    def action_send(self) -> None:
        if self.sending:
            return
        try:
            start = parse_day(self.query_one("#notice-start", Input).value, "first")
            end = parse_day(self.query_one("#notice-end", Input).value, "last")
        except ValueError as exc:
            self.say(str(exc))
            return
        if end < start:
            self.say(_("The last day must not be before the first day."), "end")
            return
        reason = self.query_one("#notice-reason", Select).value
        if not isinstance(reason, AbsenceReason):
            self.say(_("Choose a reason."))
            return
        other = overlapping(start, end, self.known)
        if other is not None:
            withdraw = key_of(self, "attendance.withdraw")
            self.say(duplicate_text(other, self.today, withdraw), "start")
            return
        note = self.query_one("#notice-note", Input).value.strip()
        if self.data is None or self.pupil_id is None:
            return
        data, pupil_id = self.data, self.pupil_id
        self.send(
            lambda: data.send_absence_notice(pupil_id, start, end, reason, note),
            _("The notice was not sent: {reason}"),
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def duplicate_text(other: AbsenceNotice, today: dt.date, withdraw_key: str) -> str:
    """Why the form does not send a notice for days another notice covers, and what to do;
    ``withdraw_key`` the key that withdraws a notice, as bound."""
    days = notice_days(other)
    reason = absence_reason(other.reason)
    if other.id <= 0:
        return _(
            "A notice for {days} ({reason}) is already waiting to be sent from this computer. "
            "Choose days it does not cover."
        ).format(days=days, reason=reason)
    if other.seen:
        return _(
            "{parent} already sent a notice for {days} ({reason}), and the class teacher has "
            "read it. Choose days it does not cover, or write to the class teacher."
        ).format(parent=plain(other.parent), days=days, reason=reason)
    return _(
        "{parent} already sent a notice for {days} ({reason}). If it is wrong, withdraw it "
        "first ({key} in the notices view); else choose days it does not cover."
    ).format(parent=plain(other.parent), days=days, reason=reason, key=withdraw_key)


class AttendanceScreen(PeriodScreen[Attendance]):
    NAME = "attendance"
    WRITES = ("notice.create", "notice.seen", "notice.apply", "notice.withdraw")
    TITLE = N_("Attendance")
    WHAT = N_("attendance")
    HELP = N_("""
Absences and lateness of your child (or your own, for a pupil) in a period: the date, the
lesson, the subject, the kind (unexcused, illness, excused, late), minutes late and the
note; the totals for the period at the top.

{attendance.previous} and {attendance.next} switch the period (the quarters and the whole year).
{attendance.view} shows the totals per subject and the notices sent to the class teacher, and
whether the class teacher has read each. A parent tells the class teacher about an absence, in
advance or after, with {attendance.notice}. Enter on a notice shows it as sent;
{attendance.withdraw} withdraws one the class teacher has not read yet. The form says so when a
notice already covers one of the days, and keeps what was typed when the server refuses it.

A class teacher sees the notices parents sent about the pupils of their class instead, newest
first: the pupil, the days, the reason, who sent it and when, and the note. Unread notices are
bold with a dot (●); Enter shows a notice in full and marks it read, and the parent sees that.
{attendance.apply} excuses by the notice under the cursor: the pupil's unexcused absences at the
lessons of its days become excused (illness, for a notice about illness), each recorded in the
journal's history; lessons still to come have no absence yet and get nothing until
{attendance.apply} is pressed again. Notices for today and for days still to come are
highlighted (▸); a new notice appears by itself. {attendance.reload} refreshes.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help"), id="attendance.help"),
        *period_bindings("attendance"),
        Binding("t", "next_view", N_("View"), id="attendance.view"),
        Binding("n", "notice", N_("Notice"), id="attendance.notice"),
        Binding("x", "withdraw", N_("Withdraw"), id="attendance.withdraw"),
        Binding("e", "apply", N_("Excuse"), id="attendance.apply"),
        Binding("f5", "reload", N_("Refresh"), id="attendance.reload", show=False),
        Binding("q", "app.quit", N_("Quit"), id="attendance.quit"),
    ]

    DEFAULT_CSS = """
    #attendance-title { height: 1; padding: 0 1; background: $boost; }
    #attendance-totals { height: 1; padding: 0 1; }
    #attendance-table { height: 1fr; }
    #attendance-message { height: 1fr; padding: 1 2; display: none; }
    AttendanceScreen.-message #attendance-message { display: block; }
    AttendanceScreen.-message #attendance-table { display: none; }
    """

    class NoticesLoaded(Message):
        def __init__(self, pupil_id: int, notices: AbsenceNotices) -> None:
            super().__init__()
            self.pupil_id = pupil_id
            self.notices = notices

    class ClassNoticesLoaded(Message):
        def __init__(self, class_id: int, notices: AbsenceNotices) -> None:
            super().__init__()
            self.class_id = class_id
            self.notices = notices

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.view = VIEWS[0]
        self.notices: AbsenceNotices | None = None
        self._notices_missing = ""
        """What the notices view says when it has none to show and the server did not answer."""
        self._message = ""
        self.homeroom: ClassRef | None = None
        """The class whose notices are listed (a class teacher's), or None for a child's."""
        self.class_notices: AbsenceNotices | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(""), id="attendance-title")
        yield Static(Content(""), id="attendance-totals")
        yield RowTable(id="attendance-table", zebra_stripes=True)
        yield Static(Content(""), id="attendance-message")
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        super().on_mount()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.homeroom is not None and action in CHILD_ACTIONS:
            return False
        if self.homeroom is None and action in CLASS_ACTIONS:
            return False
        if action == "notice":
            me = self.data.me
            return me is not None and me.role is Role.PARENT
        if action == "withdraw":
            me = self.data.me
            if me is None or me.role is not Role.PARENT:
                return False
            return self.view == "notices"
        return super().check_action(action, parameters)

    # -- data ---------------------------------------------------------------------------

    def cached(self, pupil_id: int) -> Attendance | None:
        return self.data.cached(endpoints.attendance(pupil_id, self.period))

    async def fetch(self, pupil_id: int) -> Attendance:
        return await self.data.load(endpoints.attendance(pupil_id, self.period))

    def show_current(self) -> None:
        child = self.child
        if child is not None and self.shown_pupil != child.id:
            self.notices = None
        super().show_current()
        if self.view == "notices" and child is not None:
            self._show_notices(child.id)

    # -- painting -----------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """Say ``text`` in place of the table: wrapped to the screen, with no cursor on it."""
        self._message = text
        self.query_one(DataTable).clear(columns=True)
        self.query_one("#attendance-message", Static).update(muted(text))
        self.add_class("-message")
        self.query_one("#attendance-totals", Static).update("")

    def _table(self) -> DataTable[Content]:
        """The table, shown (in place of a message) and focused when nothing else is."""
        table: DataTable[Content] = self.query_one(DataTable)
        if self.has_class("-message"):
            self.remove_class("-message")
            if self.focused is None:
                table.focus()
        return table

    def update_title(self) -> None:
        if self.homeroom is not None:
            self.query_one("#attendance-title", Static).update(
                title_line(
                    Content.styled(_("Attendance"), "bold"),
                    Content.styled(
                        _("Absence notices of {name}").format(name=plain(self.homeroom.name)),
                        "bold",
                    ),
                    Content.styled(_("newest first"), MUTED),
                )
            )
            return
        value = self.value
        parts: list[Content | str] = [Content.styled(_("Attendance"), "bold")]
        if value is not None:
            parts.append(Content.styled(period_label(value.period), "bold"))
            parts.append(
                f"{day_month(value.start, short=True)} – "
                f"{day_month(value.end, short=True)} {value.end.year}"
            )
        view = VIEW_NAMES[self.view]
        if view:
            parts.append(Content.styled(_(view), "$accent"))
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
        table = self._table()
        table.clear(columns=True)
        if not value.entries:
            self.show_message(
                with_keys(
                    self,
                    _(
                        "Nothing to list: no absences and no lateness. "
                        "{attendance.view} shows the totals by subject and the notices."
                    ),
                )
            )
            self.query_one("#attendance-totals", Static).update(totals_text(value.total))
            return
        kind_w = max(10, *(len(name) for name in absence_kinds().values()))
        note_w = max(self._width() - (10 + 2 + 22 + kind_w + 4) - 6 * 2, 10)
        table.add_column(_("Date"), key="date", width=10)
        table.add_column("№", key="number", width=2)
        table.add_column(_("Subject"), key="subject", width=22)
        table.add_column(_("Kind"), key="kind", width=kind_w)
        table.add_column(_("Min"), key="minutes", width=4)
        table.add_column(_("Note"), key="note", width=note_w)
        for entry in value.entries:
            word, style = absence_kind(entry.kind), KIND_STYLES.get(entry.kind, "")
            table.add_row(
                Content(day_label(entry.date)),
                Content(str(entry.number)),
                Content(plain(entry.subject.name)),
                Content.styled(word, style),
                Content(str(entry.minutes)) if entry.minutes else muted(""),
                Content(plain(entry.note)),
                key=str(entry.id),
            )

    def _paint_subjects(self, value: Attendance) -> None:
        table = self._table()
        table.clear(columns=True)
        if not value.subjects:
            self.show_message(_("Nothing to count per subject in this period."))
            self.query_one("#attendance-totals", Static).update(totals_text(value.total))
            return
        table.add_column(_("Subject"), key="subject", width=24)
        for key, label in (
            ("missed", N_("Missed")),
            ("illness", N_("Ill")),
            ("excused", N_("Excused")),
            ("unexcused", N_("Unexc.")),
            ("late", N_("Late")),
            ("late_minutes", N_("Min")),
        ):
            table.add_column(_(label), key=key, width=7)
        rows = [(plain(s.subject.name), s.totals, "") for s in value.subjects]
        rows.append((_("Total"), value.total, "bold"))
        for name, totals, style in rows:
            table.add_row(
                Content.styled(name, style),
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

    def _queued_notices(self) -> list[Queued[NoticeCreateOp]]:
        """Notices about the child shown that wait in the outbox to be sent."""
        child = self.child
        if child is None:
            return []
        return [q for q in self.data.queued(NoticeCreateOp) if q.write.pupil_id == child.id]

    def _paint_notices(self) -> None:
        notices = self.notices
        queued = self._queued_notices()
        if notices is None and not queued:
            self.show_message(self._notices_missing or _("Loading the notices…"))
            return
        self._message = ""  # the table replaces "Loading the notices…"
        table = self._table()
        table.clear(columns=True)
        listed = notices.notices if notices is not None else []
        if not listed and not queued:
            self.show_message(
                with_keys(
                    self, _("No notices to the class teacher ({attendance.notice} sends one).")
                )
                if self.check_action("notice", ())
                else _("No notices to the class teacher (none sent).")
            )
            if self.value is not None:
                self.query_one("#attendance-totals", Static).update(totals_text(self.value.total))
            return
        note_w = max(self._width() - (14 + 12 + 14 + 16) - 5 * 2, 10)
        table.add_column(_("Days"), key="days", width=14)
        table.add_column(_("Reason"), key="reason", width=12)
        table.add_column(_("From"), key="parent", width=14)
        table.add_column(_("Class teacher"), key="read", width=16)
        table.add_column(_("Note"), key="note", width=note_w)
        zone, today = self._zone(), self.data.today()
        for waiting in reversed(queued):
            self._add_queued_row(table, waiting)
        leaving = self._queued_withdrawals()
        for notice in listed:
            read = read_text(notice, zone, today)
            if notice.id in leaving:
                state = Content.styled(_("withdrawal waiting"), "$text-warning")
            elif notice.seen and not notice.withdrawn:
                state = Content.styled(read, "$text-success")
            else:
                state = muted(read)
            gone = "strike" if notice.withdrawn else ""
            table.add_row(
                Content.styled(notice_days(notice), gone),
                Content.styled(short_reason(notice.reason), gone),
                Content(plain(notice.parent)),
                state,
                Content.styled(plain(notice.note), gone),
                key=str(notice.id),
            )

    def _add_queued_row(self, table: DataTable[Content], waiting: Queued[NoticeCreateOp]) -> None:
        """A notice sent from here while the server could not be reached."""
        request = waiting.write.request
        start, end, reason = request.start, request.end, request.reason
        me = self.data.me
        table.add_row(
            Content(days_text(start, end)),
            Content(short_reason(reason)),
            Content(plain(me.full_name) if me is not None else _("you")),
            Content.styled(_(WAITING_TO_SEND), "$text-warning"),
            Content(plain(request.note)),
            key=f"queued-{waiting.item_id}",
        )

    def on_resize(self) -> None:
        if self.homeroom is not None:
            if self.class_notices is not None and not self._message:
                self.call_after_refresh(self._paint_class_notices)
            return
        if self.value is not None and not self._message:
            self.call_after_refresh(self.paint, self.value)

    # -- a class teacher's notices --------------------------------------------------------

    def _set_me(self, me: Me) -> None:
        homeroom = leads_class(me)
        if homeroom is None:
            self.homeroom = None
            super()._set_me(me)
            return
        changed = self.homeroom is None or self.homeroom.id != homeroom.id
        self.homeroom = homeroom
        self.refresh_nav()
        if changed:
            self.show_class()

    def show_class(self) -> None:
        """Paint the class's notices from the store, then refresh them from the server."""
        homeroom = self.homeroom
        if homeroom is None:
            return
        self.update_title()
        cached = self.data.cached(endpoints.class_absence_notices(homeroom.id))
        if cached is not None:
            self.class_notices = cached
            self._paint_class_notices()
        else:
            self.class_notices = None
            self.show_message(
                _("Loading the absence notices of {name}…").format(name=plain(homeroom.name))
            )
        self.load_class_notices(homeroom.id)

    @work(exclusive=True, group="class-notices", exit_on_error=False)
    async def load_class_notices(self, class_id: int) -> None:
        notices = await self.data.load(endpoints.class_absence_notices(class_id))
        self.post_message(self.ClassNoticesLoaded(class_id, notices))

    @on(ClassNoticesLoaded)
    def _class_notices_loaded(self, event: ClassNoticesLoaded) -> None:
        if self.homeroom is None or event.class_id != self.homeroom.id:
            return
        self.class_notices = event.notices
        self._paint_class_notices()

    def _zone(self) -> dt.tzinfo:
        return self.data.zone

    def _paint_class_notices(self) -> None:
        homeroom, value = self.homeroom, self.class_notices
        if homeroom is None or value is None:
            return
        today = self.data.today()
        notices = newest_first(value)
        if not notices:
            self.show_message(
                _("No absence notices from the parents of {name}.").format(
                    name=plain(homeroom.name)
                )
            )
            return
        self._message = ""
        self.query_one("#attendance-totals", Static).update(class_summary(notices, today))
        table = self._table()
        selected: str | None = None  # the notice under the cursor stays under it
        if table.is_valid_coordinate(table.cursor_coordinate):
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear(columns=True)
        widths = (18, 14, 11, 12)
        note_w = max(self._width() - sum(widths) - 5 * 2, 10)
        table.add_column(_("Pupil"), key="pupil", width=widths[0])
        table.add_column(_("Days"), key="days", width=widths[1])
        table.add_column(_("Reason"), key="reason", width=widths[2])
        table.add_column(_("Sent"), key="sent", width=widths[3])
        table.add_column(_("From · note"), key="note", width=note_w)
        zone = self._zone()
        for notice in notices:
            style = "" if notice.withdrawn else notice_style(notice, today)
            marker = "▸ " if style else "  "
            unread = "" if notice.seen or notice.withdrawn else "bold"
            if notice.withdrawn:
                style = unread = "strike"
            note = Content.styled(plain(notice.parent), MUTED)
            if notice.note.strip():
                note = Content.assemble(note, ": ", plain(notice.note))
            table.add_row(
                Content.styled(
                    ("  " if notice.seen or notice.withdrawn else UNREAD)
                    + plain(notice.pupil.full_name),
                    unread,
                ),
                Content.styled(marker + notice_days(notice), style),
                Content.styled(pgettext("absence notice", "withdrawn"), MUTED)
                if notice.withdrawn
                else Content.styled(short_reason(notice.reason), unread),
                Content.styled(sent_text(notice.created_at, zone, today), MUTED),
                note,
                key=str(notice.id),
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))

    def _class_notice(self, key: str | None) -> AbsenceNotice | None:
        if self.class_notices is None or key is None:
            return None
        return next((n for n in self.class_notices.notices if str(n.id) == key), None)

    def _notice_under_cursor(self) -> AbsenceNotice | None:
        table: DataTable[Content] = self.query_one(DataTable)
        if self._message or not table.is_valid_coordinate(table.cursor_coordinate):
            return None
        return self._class_notice(
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        )

    def _replace_notice(self, notice: AbsenceNotice) -> None:
        """Put the server's answer about one notice in the list, and repaint."""
        if self.class_notices is None:
            return
        self.class_notices = AbsenceNotices(
            notices=[notice if n.id == notice.id else n for n in self.class_notices.notices]
        )
        self._paint_class_notices()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a class teacher's notice: the whole of it (the note may be cut short); an
        unread one becomes read."""
        if self.homeroom is None:
            if self.view == "notices":
                self.show_own_notice()
            return
        found = self._class_notice(event.row_key.value)
        if found is None:
            return
        self.notify(
            notice_text(found, self._zone(), self.data.today()),
            title=plain(found.pupil.full_name),
            timeout=20,
            markup=False,
        )
        if not found.seen and not found.withdrawn:
            self.mark_seen(found.id)

    @work(group="notice-seen", exit_on_error=False)
    async def mark_seen(self, notice_id: int) -> None:
        try:
            seen = await self.data.mark_absence_notice_seen(notice_id)
        except Offline:  # a session that ended offline: it waits in the outbox all the same
            self.refresh_status()
            return
        except AuthenticationError as exc:
            self.post_message(SessionEnded(exc.message))
            return
        except Exception as exc:
            self.notify(
                _("The notice was not marked as read: {reason}").format(reason=describe_error(exc)),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        if isinstance(seen, Sent):
            self._replace_notice(seen.value)
        else:
            # Kept: the parent sees it read once the server is back; nothing to interrupt for.
            self.refresh_status()

    def action_apply(self) -> None:
        """Excuse, after a yes, the absences the notice under the cursor covers."""
        if self.homeroom is None:
            return
        notice = self._notice_under_cursor()
        if notice is None:
            self.notify(_("Choose a notice first."), severity="warning", timeout=4)
            return
        if notice.withdrawn:
            self.notify(
                _("The parent withdrew this notice: there is nothing to excuse by it."),
                severity="warning",
                timeout=6,
            )
            return
        if notice.reason is AbsenceReason.ILLNESS:
            ask = _("Mark the unexcused absences of {name} on {days} as illness?")
        else:
            ask = _("Excuse the unexcused absences of {name} on {days}?")
        question = ask.format(name=plain(notice.pupil.full_name), days=notice_days(notice))

        def answered(yes: bool | None) -> None:
            if yes:
                self.apply_notice(notice.id)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(group="notice-apply", exit_on_error=False)
    async def apply_notice(self, notice_id: int) -> None:
        try:
            answer = await self.data.apply_absence_notice(notice_id)
        except Offline:
            self.refresh_status()
            return
        except AuthenticationError as exc:
            self.post_message(SessionEnded(exc.message))
            return
        except Exception as exc:
            message = describe_error(exc)
            self.notify(
                message[:1].upper() + message[1:],
                title=_("Nothing was excused"),
                severity="warning",
                timeout=15,
                markup=False,
            )
            return
        if not isinstance(answer, Sent):
            self.notify(
                _(
                    "The server cannot be reached: excusing the absences is kept on this "
                    "computer and done when it can."
                ),
                severity="warning",
                timeout=10,
            )
            self.refresh_status()
            return
        applied = answer.value
        self.notify(
            applied_text(applied, self.key_of("attendance.apply")),
            title=_("Excused by the notice"),
            timeout=20,
            markup=False,
        )
        self._replace_notice(applied.notice)

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        if self.homeroom is None:
            return super().touched_by(changes)
        me = self.data.me
        return any(
            c.kind.startswith(NOTICE_KIND) and (me is None or c.actor_id != me.id) for c in changes
        )

    # -- actions ------------------------------------------------------------------------

    def action_next_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.update_title()
        child = self.child
        if self.view == "notices" and child is not None:
            self._show_notices(child.id)
        elif self.value is not None:
            self.paint(self.value)

    def _show_notices(self, pupil_id: int) -> None:
        cached = self.data.cached(endpoints.absence_notices(pupil_id))
        if cached is not None:
            self.notices = cached
        if self.value is not None or self.notices is not None:
            self._paint_notices()
        self.load_notices(pupil_id)

    @work(exclusive=True, group="notices", exit_on_error=False)
    async def load_notices(self, pupil_id: int) -> None:
        notices = await self.data.load(endpoints.absence_notices(pupil_id))
        self.post_message(self.NoticesLoaded(pupil_id, notices))

    @on(NoticesLoaded)
    def _notices_loaded(self, event: NoticesLoaded) -> None:
        if self.child is None or event.pupil_id != self.child.id:
            return
        self.notices = event.notices
        if self.view == "notices":
            self._paint_notices()

    def action_reload(self) -> None:
        if self.homeroom is not None:
            self.load_me()
            self.load_class_notices(self.homeroom.id)
            return
        super().action_reload()
        if self.view == "notices" and self.child is not None:
            self.load_notices(self.child.id)

    def load_failed(self) -> None:
        homeroom = self.homeroom
        if homeroom is not None:
            if self.class_notices is None:
                self.show_message(
                    _(
                        "The absence notices of {name} are not saved on this computer and the "
                        "server did not answer. Press {key} to try again."
                    ).format(name=plain(homeroom.name), key=self.key_of("attendance.reload"))
                )
            return
        super().load_failed()
        if self.notices is None:
            self._notices_missing = _(
                "The absence notices were never loaded on this computer; they will appear "
                "when the server can be reached."
            )
            if self.view == "notices" and (self.value is not None or self._queued_notices()):
                self._paint_notices()  # with the notices sent from here, waiting

    def known_notices(self) -> list[AbsenceNotice]:
        """The child's notices that stand as far as this computer knows: those the server
        listed (less those withdrawn, or whose withdrawal waits to be sent) and those waiting
        in the outbox (with ids below zero)."""
        child, me = self.child, self.data.me
        if child is None:
            return []
        leaving = self._queued_withdrawals()
        known = [
            n
            for n in (self.notices.notices if self.notices is not None else [])
            if n.id not in leaving
        ]
        parent = me.full_name if me is not None else ""
        for waiting in self._queued_notices():
            request = waiting.write.request
            known.append(
                AbsenceNotice(
                    id=-waiting.item_id,
                    pupil=child,
                    parent=parent,
                    start=request.start,
                    end=request.end,
                    reason=request.reason,
                    created_at=waiting.created_at,
                    note=request.note,
                )
            )
        return known

    def action_notice(self) -> None:
        child = self.child
        if child is None:
            return
        pupil_id = child.id

        def done(outcome: Outcome | None) -> None:
            if outcome is None:
                return
            if isinstance(outcome, Sent):
                self.notify(_("The class teacher will see the notice."), timeout=6)
            else:
                self.notify(
                    _(
                        "The server cannot be reached: the notice is kept on this computer "
                        "and will be sent when it can."
                    ),
                    severity="warning",
                    timeout=8,
                )
            if self.child is not None and self.child.id == pupil_id:
                self.view = "notices"
                self.update_title()
                self._paint_notices()
                self.load_notices(pupil_id)

        self.app.push_screen(
            NoticeScreen(
                child.full_name, self.data.today(), self.data, pupil_id, self.known_notices()
            ),
            done,
        )

    # -- a parent's own notices: read back, withdraw -------------------------------------

    def _queued_withdrawals(self) -> set[int]:
        return {q.write.notice_id for q in self.data.queued(NoticeWithdrawOp)}

    def _own_notice_under_cursor(self) -> AbsenceNotice | None:
        """The notice under the cursor of a child's notices view (None on one waiting)."""
        if self.homeroom is not None or self.view != "notices" or self.notices is None:
            return None
        table: DataTable[Content] = self.query_one(DataTable)
        if self._message or not table.is_valid_coordinate(table.cursor_coordinate):
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((n for n in self.notices.notices if str(n.id) == key), None)

    def _queued_notice_under_cursor(self) -> Queued[NoticeCreateOp] | None:
        table: DataTable[Content] = self.query_one(DataTable)
        if self._message or not table.is_valid_coordinate(table.cursor_coordinate):
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return next((q for q in self._queued_notices() if key == f"queued-{q.item_id}"), None)

    def show_own_notice(self) -> None:
        """Enter on a child's notice: the whole of it, as sent."""
        notice = self._own_notice_under_cursor()
        zone, today = self._zone(), self.data.today()
        if notice is not None:
            text = notice_text(notice, zone, today)
            if notice.id in self._queued_withdrawals():
                text += "\n" + _("Withdrawal waiting to be sent.")
            elif not notice.seen and not notice.withdrawn:
                text += "\n\n" + _(
                    "{key} withdraws it while the class teacher has not read it."
                ).format(key=self.key_of("attendance.withdraw"))
        else:
            waiting = self._queued_notice_under_cursor()
            if waiting is None:
                return
            request = waiting.write.request
            text = "\n".join(
                [
                    f"{days_text(request.start, request.end)}: {absence_reason(request.reason)}",
                    _("Waiting to be sent from this computer."),
                    *(["", request.note.strip()] if request.note.strip() else []),
                ]
            )
        self.app.push_screen(
            DetailScreen(
                Content(text),
                name="notice-detail",
                binding_id="attendance.notice.close",
                width="72",
            )
        )

    def action_withdraw(self) -> None:
        """Withdraw, after a yes, the child's notice under the cursor (not read yet)."""
        notice = self._own_notice_under_cursor()
        if notice is None:
            if self._queued_notice_under_cursor() is not None:
                self.notify(
                    _("This notice is still waiting to be sent; withdraw it once it is sent."),
                    severity="warning",
                    timeout=6,
                )
            else:
                self.notify(_("Choose a notice first."), severity="warning", timeout=4)
            return
        if notice.withdrawn or notice.id in self._queued_withdrawals():
            self.notify(_("This notice is withdrawn already."), timeout=4)
            return
        if notice.seen:
            self.notify(
                _(
                    "The class teacher has read this notice, so it cannot be withdrawn; "
                    "write to the class teacher instead."
                ),
                severity="warning",
                timeout=8,
            )
            return
        question = _("Withdraw the notice for {days} ({reason})?").format(
            days=notice_days(notice), reason=absence_reason(notice.reason)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.withdraw_notice(notice.id)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(group="notice-withdraw", exit_on_error=False)
    async def withdraw_notice(self, notice_id: int) -> None:
        try:
            answer = await self.data.withdraw_absence_notice(notice_id)
        except AuthenticationError as exc:
            self.post_message(SessionEnded(exc.message))
            return
        except Exception as exc:
            self.notify(
                _("The notice was not withdrawn: {reason}").format(reason=describe_error(exc)),
                severity="error",
                timeout=10,
                markup=False,
            )
            if self.child is not None:
                self.load_notices(self.child.id)
            return
        if isinstance(answer, Sent):
            self.notify(_("The notice is withdrawn."), timeout=6)
            if self.notices is not None:
                self.notices = AbsenceNotices(
                    notices=[answer.value if n.id == notice_id else n for n in self.notices.notices]
                )
        else:
            self.notify(
                _(
                    "The server cannot be reached: the withdrawal is kept on this computer "
                    "and sent when it can."
                ),
                severity="warning",
                timeout=8,
            )
            self.refresh_status()
        if self.view == "notices":
            self._paint_notices()
