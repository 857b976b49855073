"""The grades screen: a child's marks of a period per subject, averages, period marks, the
class's figures, a trend per subject, "what if" marks and the report card.

The table has one row per subject: the marks (latest last; ``4×2`` is a 4 of weight 2), the
weighted average to two decimals, the period mark, the class average where the school shows
it, and a trend line of the running average against the mark scale. Enter opens a subject
with every mark and a chart of its running average over the period.

"What if" marks are the user's own guesses: kept on this computer only, never sent, drawn
with ``?`` and the warning colour, and the average they would give is shown with ``≈``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from api_client import endpoints, i18n, names
from api_client.grading import AVERAGE_RULE, format_average, weighted_average
from api_client.i18n import N_, _, pgettext
from api_client.models import (
    GradeMark,
    Grades,
    MarkScale,
    ReportCard,
    SubjectGrades,
)
from diary_tui.data import DiaryData
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, muted, period_label, plain, title_line
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import PeriodScreen, period_bindings
from screens.grades_chart import column_chart, sparkline

HYPOTHETICAL = "italic $text-warning"
MAX_WEIGHT = 10

Pair = tuple[int, int]


def period_key(grades: Grades | None) -> str:
    """How "what if" marks are kept for the period ``grades`` show: its id, or ``year``."""
    if grades is None or grades.period is None:
        return "year"
    return str(grades.period.id)


def mark_text(value: int, weight: int) -> str:
    return str(value) if weight <= 1 else f"{value}×{weight}"


def mark_style(value: int, scale: MarkScale) -> str:
    if value >= scale.max - 1 and value > scale.min + 1:
        return "bold $text-success"
    if value <= scale.min + 1:
        return "bold $text-error"
    return "bold"


def compact_marks(
    marks: Sequence[GradeMark], whatif: Sequence[Pair], width: int, scale: MarkScale
) -> Content:
    """The marks in date order, then the "what if" ones (``4?``), cut from the left with
    ``…`` when they do not fit: the latest marks matter most."""
    parts = [
        Content.styled(mark_text(m.value, m.weight), mark_style(m.value, scale)) for m in marks
    ]
    parts += [Content.styled(mark_text(v, w) + "?", HYPOTHETICAL) for v, w in whatif]
    shown: list[Content] = []
    used = 0
    for part in reversed(parts):
        need = part.cell_length + (1 if shown else 0)
        if used + need > width - (2 if len(shown) < len(parts) - 1 else 0):
            shown.append(muted("…"))
            break
        shown.append(part)
        used += need
    return Content(" ").join(reversed(shown))


def running_averages(pairs: Sequence[Pair]) -> list[Decimal]:
    """The weighted average after each mark (the same function as the server's)."""
    result: list[Decimal] = []
    for index in range(1, len(pairs) + 1):
        average = weighted_average(pairs[:index])
        if average is not None:
            result.append(average)
    return result


def whatif_average(subject: SubjectGrades, whatif: Sequence[Pair]) -> Decimal | None:
    return weighted_average([*((m.value, m.weight) for m in subject.marks), *whatif])


def average_text(average: str | Decimal | None) -> str:
    """An average as the language writes it: ``4.50`` / ``4,50`` (the server's text or ours);
    ``—`` for none."""
    text = format_average(average) if not isinstance(average, str) else average
    whole, point, fraction = text.partition(".")
    if not point or not whole.isdigit() or not fraction.isdigit():
        return text or "—"
    return i18n.decimal(float(text), len(fraction))


def rule_text(rule: str) -> str:
    """The averaging rule the server says, in the interface's language when it is ours."""
    return _(AVERAGE_RULE) if not rule or rule == AVERAGE_RULE else rule


def average_cell(subject: SubjectGrades, whatif: Sequence[Pair]) -> Content:
    if whatif:
        return Content.styled("≈" + average_text(whatif_average(subject, whatif)), HYPOTHETICAL)
    if subject.average:
        return Content.styled(average_text(subject.average), "bold")
    return muted("—")


def span_text(grades: Grades) -> str:
    """``5 Nov – 28 Dec 2026`` / ``5 нояб. – 28 дек. 2026``."""
    start, end = grades.start, grades.end
    return f"{i18n.day_month(start, short=True)} – {i18n.day_month(end, short=True)} {end.year}"


def chart_height(scale: MarkScale) -> int:
    """One row per mark of the scale, so the axis reads in whole marks (at most 8 rows)."""
    steps = scale.max - scale.min
    return steps if 2 <= steps <= 8 else 8


def subject_detail(
    subject: SubjectGrades, whatif: Sequence[Pair], scale: MarkScale, width: int
) -> Content:
    """Every mark of a subject with the chart of its running average."""
    pairs = [(m.value, m.weight) for m in subject.marks]
    averages = [float(a) for a in running_averages([*pairs, *whatif])]
    lines: list[Content] = [
        Content.assemble(
            (plain(subject.subject.name), "bold"),
            "  " + _("average") + " ",
            (average_text(subject.average) if subject.average else "—", "bold"),
            *(
                [
                    ("  " + _("what if") + " ", ""),
                    ("≈" + average_text(whatif_average(subject, whatif)), HYPOTHETICAL),
                ]
                if whatif
                else []
            ),
            (
                "  " + _("period mark {mark}").format(mark=subject.period_mark)
                if subject.period_mark
                else "",
                "bold",
            ),
            (
                "  " + _("class {average}").format(average=average_text(subject.class_average))
                if subject.class_average
                else "",
                MUTED,
            ),
        ),
        Content.styled(_(AVERAGE_RULE), MUTED),
        Content(""),
    ]
    if averages:
        lines.append(Content.styled(_("Running average over the period"), "bold"))
        lines.append(
            column_chart(
                averages,
                low=scale.min,
                high=scale.max,
                height=chart_height(scale),
                width=min(width, 60),
                styles=["$accent"] * len(pairs) + [HYPOTHETICAL] * len(whatif),
                labels=[""] * len(pairs) + ["?"] * len(whatif),
            )
        )
        lines.append(Content(""))
    if not subject.marks and not whatif:
        lines.append(muted(_("No marks in this period.")))
    days = [i18n.day_month(mark.date, short=True) for mark in subject.marks]
    day_width = max((len(day) for day in days), default=0)
    for mark, day in zip(subject.marks, days, strict=True):
        kind = names.mark_kind(mark.kind)
        if mark.weight > 1:
            kind += ", " + _("weight {weight}").format(weight=mark.weight)
        row = [
            Content.styled(day.rjust(day_width) + "  ", MUTED),
            Content.styled(
                mark_text(mark.value, mark.weight).ljust(5), mark_style(mark.value, scale)
            ),
            Content.styled(kind, MUTED),
        ]
        if mark.author:
            row.append(Content.styled(f" · {plain(mark.author)}", MUTED))
        if mark.edited:
            row.append(Content.styled(" · " + _("corrected"), "$text-warning"))
        lines.append(Content.assemble(*row))
        if mark.comment:
            lines.append(Content.assemble(" " * (day_width + 3) + "“", plain(mark.comment), "”"))
    for value, weight in whatif:
        lines.append(
            Content.assemble(
                (_("what if") + "  ", HYPOTHETICAL),
                (mark_text(value, weight) + "?", HYPOTHETICAL),
                ("  (" + _("kept on this computer, never sent") + ")", MUTED),
            )
        )
    return Content("\n").join(lines)


class WhatIfScreen(ModalScreen[Pair | None]):
    """Ask for a hypothetical mark: its value and weight."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="whatif.cancel")
    ]
    DEFAULT_CSS = """
    WhatIfScreen { align: center middle; }
    #whatif { width: 50; height: auto; border: round $warning; padding: 0 1; background: $surface; }
    #whatif Input { width: 100%; background: $boost; }
    #whatif Label { margin-top: 1; color: $text-muted; }
    #whatif-error { color: $text-error; height: auto; }
    """

    def __init__(self, subject: str, scale: MarkScale) -> None:
        super().__init__()
        self.subject = subject
        self.scale = scale

    def compose(self) -> ComposeResult:
        with Vertical(id="whatif"):
            yield Static(
                Content.assemble((_("What if:") + " ", "bold"), plain(self.subject)),
                id="whatif-title",
            )
            yield Label(_("Mark ({low}–{high})").format(low=self.scale.min, high=self.scale.max))
            yield Input(id="whatif-value", placeholder=str(self.scale.max), compact=True)
            yield Label(_("Weight (1–{high})").format(high=MAX_WEIGHT))
            yield Input("1", id="whatif-weight", compact=True)
            yield Static("", id="whatif-error")
            yield Static(muted(_("Enter adds · Esc cancels · kept here, never sent")))

    def on_mount(self) -> None:
        self.query_one("#whatif-value", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "whatif-value" and not self.query_one("#whatif-weight", Input).value:
            self.query_one("#whatif-weight", Input).focus()
            return
        value_text = self.query_one("#whatif-value", Input).value.strip()
        weight_text = self.query_one("#whatif-weight", Input).value.strip() or "1"
        error = self.query_one("#whatif-error", Static)
        if not value_text.isdigit() or not self.scale.min <= int(value_text) <= self.scale.max:
            error.update(
                _("The mark must be a whole number from {low} to {high}.").format(
                    low=self.scale.min, high=self.scale.max
                )
            )
            self.query_one("#whatif-value", Input).focus()
            return
        if not weight_text.isdigit() or not 1 <= int(weight_text) <= MAX_WEIGHT:
            error.update(
                _("The weight must be a whole number from 1 to {high}.").format(high=MAX_WEIGHT)
            )
            self.query_one("#whatif-weight", Input).focus()
            return
        self.dismiss((int(value_text), int(weight_text)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SubjectDetailScreen(ModalScreen[None]):
    """One subject: every mark and the running average, with "what if" keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close"), id="grades.detail.close"),
        Binding("i", "whatif", N_("What if"), id="grades.detail.whatif"),
        Binding("x", "clear", N_("Clear what if"), id="grades.detail.clear"),
    ]
    DEFAULT_CSS = """
    SubjectDetailScreen { align: center middle; }
    #subject-detail { width: 100%; max-width: 100; height: 100%; border: round $primary;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, owner: GradesScreen, subject: SubjectGrades) -> None:
        super().__init__()
        self.owner = owner
        self.subject = subject

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="subject-detail"):
            yield Static(id="subject-detail-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        width = max(self.size.width - 6, 30)
        whatif = self.owner.whatif(self.subject.subject.id)
        self.query_one("#subject-detail-text", Static).update(
            subject_detail(self.subject, whatif, self.owner.scale, width)
        )

    def action_close(self) -> None:
        self.dismiss(None)

    def action_whatif(self) -> None:
        self.owner.ask_whatif(self.subject, after=self.redraw)

    def action_clear(self) -> None:
        self.owner.clear_whatif()
        self.redraw()


class ReportCardScreen(ModalScreen[None]):
    """Period and year marks per subject for the whole year."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,k", "close", N_("Close"), id="grades.card.close")
    ]
    DEFAULT_CSS = """
    ReportCardScreen { align: center middle; }
    #report-card { width: 100%; max-width: 100; height: 100%; border: round $primary;
        background: $surface; padding: 0 1; }
    #report-card-title { height: 1; }
    #report-card DataTable { height: 1fr; }
    """

    class CardLoaded(Message):
        def __init__(self, card: ReportCard) -> None:
            super().__init__()
            self.card = card

    def __init__(self, data: DiaryData, pupil_id: int, period: int | None = None) -> None:
        super().__init__()
        self.data = data
        self.pupil_id = pupil_id
        self.period = period
        """A period of the year whose card is shown (last year's, after it is closed); None:
        this year's."""

    def compose(self) -> ComposeResult:
        with Vertical(id="report-card"):
            yield Static(muted(_("Loading the report card…")), id="report-card-title")
            yield RowTable(id="report-card-table", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        cached = self.data.cached(endpoints.report_card(self.pupil_id, self.period))
        if cached is not None:
            self.paint(cached)
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        card = await self.data.load(endpoints.report_card(self.pupil_id, self.period))
        self.post_message(self.CardLoaded(card))

    @on(CardLoaded)
    def _loaded(self, event: CardLoaded) -> None:
        if event.card.pupil.id == self.pupil_id:
            self.paint(event.card)

    def paint(self, card: ReportCard) -> None:
        self.query_one("#report-card-title", Static).update(
            title_line(
                Content.styled(_("Report card"), "bold"),
                plain(card.pupil.full_name),
                _("school year {year}").format(year=plain(card.year)) if card.year else "",
            )
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(_("Subject"), key="subject", width=24)
        for period in card.periods:
            table.add_column(Text(plain(period.name)[:12]), key=f"p{period.id}")
        table.add_column(_("Year"), key="year")
        for row in card.subjects:
            cells: list[Content | str] = [Content(plain(row.subject.name))]
            cells += [Content(str(v)) if v is not None else muted("—") for v in row.periods]
            cells.append(Content.styled(str(row.year), "bold") if row.year else muted("—"))
            table.add_row(*cells, key=str(row.subject.id))
        if not card.subjects:
            self.query_one("#report-card-title", Static).update(
                muted(_("No period or year marks yet."))
            )

    def on_worker_state_changed(self, event: Any) -> None:
        from textual.worker import WorkerState

        from diary_tui.data import describe_error

        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(
                describe_error(event.worker.error), severity="error", timeout=8, markup=False
            )
            if self.data.cached(endpoints.report_card(self.pupil_id, self.period)) is None:
                self.query_one("#report-card-title", Static).update(
                    muted(_("The report card is not saved here and the server did not answer."))
                )

    def action_close(self) -> None:
        self.dismiss(None)


class GradesScreen(PeriodScreen[Grades]):
    NAME = "grades"
    TITLE = N_("Grades")
    WHAT = N_("grades")
    HELP = N_("""
The marks of your child (or your own, for a pupil) in a period, per subject: each mark in
date order (4×2 is a 4 that counts twice), the weighted average, the period mark when it is
set, the class average and the place in the class where the school shows them, and a trend
line of the running average.

The average is the sum of (mark × weight) divided by the sum of weights, to two decimals.

{grades.previous} and {grades.next} switch the period (the quarters and the whole year). Enter
opens a subject with every mark, the teacher's comment and a chart. {grades.whatif} adds a "what
if" mark to the subject to see how the average would change; what-if marks are shown with ? and
≈, kept on this computer only, never sent; {grades.clear} clears them. {grades.card} shows the
report card.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help"), id="grades.help"),
        *period_bindings("grades"),
        Binding("i", "whatif", N_("What if"), id="grades.whatif"),
        Binding("x", "clear_whatif", N_("Clear"), id="grades.clear"),
        Binding("k", "report_card", N_("Report card"), id="grades.card"),
        Binding("f5", "reload", N_("Refresh"), id="grades.reload", show=False),
        Binding("q", "app.quit", N_("Quit"), id="grades.quit"),
    ]

    DEFAULT_CSS = """
    #grades-title { height: 1; padding: 0 1; background: $boost; }
    #grades-table { height: 1fr; }
    #grades-rule { height: 1; padding: 0 1; color: $text-muted; }
    #grades-message { height: 1fr; padding: 1 2; display: none; }
    GradesScreen.-message #grades-message { display: block; }
    GradesScreen.-message #grades-table { display: none; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self._painted: tuple[Grades, int, dict[int, list[Pair]]] | None = None
        """What the table shows: the grades, the width and the "what if" marks they were
        painted with (the same again, e.g. the server's answer equal to the store's, is not
        painted twice)."""

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(""), id="grades-title")
        with Horizontal(id="grades-body"):
            yield RowTable(id="grades-table", zebra_stripes=True)
        yield Static(Content(""), id="grades-message")
        yield Static(Content(""), id="grades-rule")
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        super().on_mount()

    # -- data ---------------------------------------------------------------------------

    def cached(self, pupil_id: int) -> Grades | None:
        return self.data.cached(endpoints.grades(pupil_id, self.period))

    async def fetch(self, pupil_id: int) -> Grades:
        return await self.data.load(endpoints.grades(pupil_id, self.period))

    @property
    def scale(self) -> MarkScale:
        return self.value.mark_scale if self.value is not None else MarkScale()

    def shown_period(self) -> str:
        """The period on screen as the "what if" marks are kept by: its id, or ``year``."""
        return period_key(self.value)

    def whatif(self, subject_id: int, period: str | None = None) -> list[Pair]:
        """The "what if" marks of a subject in ``period`` (the one on screen by default)."""
        if self.child is None:
            return []
        return self.data.hypothetical_marks(
            self.child.id, subject_id, period or self.shown_period()
        )

    # -- painting -----------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self._painted = None
        self.add_class("-message")
        self.query_one("#grades-message", Static).update(muted(text))

    def update_title(self) -> None:
        grades = self.value
        title = self.query_one("#grades-title", Static)
        if grades is None:
            title.update(Content.styled(_("Grades"), "bold"))
            return
        parts: list[Content | str] = [
            Content.styled(
                _("Grades · {period}").format(period=period_label(grades.period)), "bold"
            ),
            span_text(grades),
        ]
        if grades.rating is not None:
            parts.append(
                Content.assemble(
                    _("place") + " ",
                    (
                        _("{place} of {of}").format(place=grades.rating.place, of=grades.rating.of),
                        "bold",
                    ),
                    (f" ({average_text(grades.rating.average)})", MUTED),
                )
            )
        title.update(title_line(*parts))

    def paint(self, value: Grades) -> None:
        width = max(self.app.size.width - 2, 60)
        period = period_key(value)
        whatifs = {s.subject.id: list(self.whatif(s.subject.id, period)) for s in value.subjects}
        painted = (value, width, whatifs)
        if painted == self._painted:
            return  # the table shows exactly this already
        self.remove_class("-message")
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        show_class = any(s.class_average for s in value.subjects)
        fixed = 6 + 3 + (5 if show_class else 0) + 8
        columns = 4 + (1 if show_class else 0) + 2
        flex = max(width - fixed - columns * 2, 30)
        longest = max((len(plain(s.subject.name)) for s in value.subjects), default=10)
        subject_w = max(10, min(longest, 26, flex // 2))
        marks_w = flex - subject_w
        table.add_column(_("Subject"), key="subject", width=subject_w)
        table.add_column(_("Marks"), key="marks", width=marks_w)
        table.add_column(pgettext("column: the average", "Avg"), key="avg", width=6)
        table.add_column(pgettext("column: the period mark", "Per"), key="period", width=3)
        if show_class:
            table.add_column(pgettext("column: the class average", "Class"), key="class", width=5)
        table.add_column(pgettext("column: the trend", "Trend"), key="trend", width=8)
        for subject in value.subjects:
            whatif = whatifs[subject.subject.id]
            pairs = [(m.value, m.weight) for m in subject.marks] + list(whatif)
            trend = sparkline(
                [float(a) for a in running_averages(pairs)],
                low=value.mark_scale.min,
                high=value.mark_scale.max,
                width=8,
            )
            cells: list[Any] = [
                Content(plain(subject.subject.name)),
                compact_marks(subject.marks, whatif, marks_w, value.mark_scale),
                average_cell(subject, whatif),
                Content.styled(str(subject.period_mark), "bold")
                if subject.period_mark
                else muted("—"),
            ]
            if show_class:
                cells.append(muted(average_text(subject.class_average or "—")))
            cells.append(trend)
            table.add_row(*cells, key=str(subject.subject.id))
        if not value.subjects:
            self.show_message(
                _("No marks in {period} yet.").format(period=period_label(value.period).lower())
            )
        elif cursor:
            table.move_cursor(row=min(cursor, len(value.subjects) - 1))
        any_whatif = any(whatifs.values())
        rule = Content.styled(rule_text(value.rule), MUTED)
        if any_whatif:
            rule = Content.assemble(
                (
                    "≈ ? "
                    + with_keys(self, _("what if, never sent ({grades.clear} clears)"))
                    + " · ",
                    HYPOTHETICAL,
                ),
                (_("average = Σ(mark × weight) ÷ Σ weights"), MUTED),
            )
        self.query_one("#grades-rule", Static).update(rule)
        self._painted = None if not value.subjects else painted

    def on_resize(self) -> None:
        if self.value is not None:
            self.call_after_refresh(self.paint, self.value)

    # -- actions ------------------------------------------------------------------------

    def current_subject(self) -> SubjectGrades | None:
        if self.value is None or not self.value.subjects or self.has_class("-message"):
            return None
        table = self.query_one(DataTable)
        index = table.cursor_row
        if 0 <= index < len(self.value.subjects):
            return self.value.subjects[index]
        return None

    @on(DataTable.RowSelected, "#grades-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        subject = self.current_subject()
        if subject is not None:
            self.app.push_screen(SubjectDetailScreen(self, subject))

    def ask_whatif(self, subject: SubjectGrades, after: Any = None) -> None:
        child = self.child
        if child is None:
            return
        period = self.shown_period()  # the mark belongs to the period it was asked in

        def added(result: Pair | None) -> None:
            if result is None or self.child is None or self.child.id != child.id:
                return
            marks = [*self.whatif(subject.subject.id, period), result]
            self.data.set_hypothetical_marks(child.id, subject.subject.id, marks, period)
            if self.value is not None:
                self.paint(self.value)
            if after is not None:
                after()

        self.app.push_screen(WhatIfScreen(subject.subject.name, self.scale), added)

    def action_whatif(self) -> None:
        subject = self.current_subject()
        if subject is None:
            self.notify(_("Choose a subject first."), timeout=4)
            return
        self.ask_whatif(subject)

    def clear_whatif(self) -> None:
        """Forget every "what if" mark of the shown child in the period shown."""
        if self.child is None or self.value is None:
            return
        period = self.shown_period()
        for subject in self.value.subjects:
            if self.whatif(subject.subject.id, period):
                self.data.set_hypothetical_marks(self.child.id, subject.subject.id, [], period)
        self.paint(self.value)

    def action_clear_whatif(self) -> None:
        self.clear_whatif()

    def action_report_card(self) -> None:
        if self.child is not None:
            # The card of the year whose period is shown: stepping back into last year's
            # periods and pressing k shows last year's report card.
            shown = self.value.period if self.value is not None else None
            self.app.push_screen(
                ReportCardScreen(self.data, self.child.id, shown.id if shown else None)
            )
