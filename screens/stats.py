"""The statistics screen: the school in one period, for the administration (their home) and,
anonymised, for the education authority.

Four views, switched with ``t``: an overview (the distribution of marks as bars and the average
of each week as a trend line), the classes ranked by average, the subjects, and the pupils at
risk. ``[`` and ``]`` move between the periods of the year. Enter on a class opens that class's
own figures; Escape comes back to the school. The authority sees the same school without any
pupil: per class only, with groups of fewer than five pupils withheld.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Sparkline, Static

from api_client import endpoints, i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import (
    AnonymousGroup,
    AuthorityStats,
    ClassStats,
    ClassSummary,
    MarkScale,
    PeriodRef,
    PupilAtRisk,
    SchoolStats,
    SubjectAverage,
    WeekAverage,
)
from diary_tui.data import DiaryData, Role
from diary_tui.ui import MUTED
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.stats_chart import bar, bar_chart

VIEWS = ("overview", "classes", "subjects", "at risk")
VIEW_NAMES = {
    "overview": N_("overview"),
    "classes": N_("classes"),
    "subjects": N_("subjects"),
    "at risk": N_("at risk"),
}
"""Each view's name on screen (the view itself is named in English)."""
"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""


def average_text(value: float | None) -> str:
    return "—" if value is None else i18n.decimal(value, 2)


def percent(value: float | None) -> str:
    return "—" if value is None else i18n.decimal(value * 100, 1) + "%"


def period_text(period: PeriodRef) -> str:
    return f"{period.name} ({period.start:%d.%m}–{period.end:%d.%m})"


def distribution_chart(counts: list[int] | None, scale: MarkScale, width: int) -> Content:
    """The marks of each value as bars, the biggest the full width, with count and share."""
    if not counts:
        return Content.styled(_("No marks in this period."), MUTED)
    total = sum(counts) or 1
    top = max(max(counts), 1)
    rows = [
        (f"{value}", float(count), f"{count:>6} {i18n.decimal(count * 100 / total, 1):>5}%")
        for value, count in zip(range(scale.min, scale.max + 1), counts, strict=False)
    ]
    rows.reverse()
    return bar_chart(rows, high=float(top), width=width)


def trend_text(weeks: list[WeekAverage]) -> Content:
    marked = [w for w in weeks if w.average is not None]
    if not marked:
        return Content.styled(_("Weekly average: no marks yet."), MUTED)
    low = min(marked, key=lambda w: w.average or 0.0)
    high = max(marked, key=lambda w: w.average or 0.0)
    return Content.assemble(
        (_("Weekly average") + " ", "bold"),
        (f"{marked[0].week:%d.%m}–{marked[-1].week:%d.%m}: ", MUTED),
        _("lowest {average} (week of {week}), ").format(
            average=average_text(low.average), week=f"{low.week:%d.%m}"
        ),
        _("highest {average} (week of {week}), ").format(
            average=average_text(high.average), week=f"{high.week:%d.%m}"
        ),
        _("last {average}").format(average=average_text(marked[-1].average)),
    )


def risk_reason(pupil: PupilAtRisk, absences_above: float) -> str:
    parts = [f"{s.subject.name} {average_text(s.average)}" for s in pupil.low_subjects]
    if pupil.absence_rate > absences_above:
        missed = _("missed {share} ({absences}/{lessons})").format(
            share=percent(pupil.absence_rate), absences=pupil.absences, lessons=pupil.lessons
        )
        parts.insert(0, missed)
    return "; ".join(parts)


class StatsScreen(DiaryScreen):
    TITLE = N_("Statistics")
    NAME = "stats"
    HELP = N_("""
How the school is doing in a period: the average mark per class and subject (weighted: a mark of
weight 2 counts twice), the distribution of marks, attendance (the share of lessons attended;
lateness is not an absence), the ranking of classes, the pupils at risk (an average below 3 in
any subject, or more than a fifth of the lessons missed) and the average of each week. Enter on
a class shows that class alone; {stats.school} goes back to the school. The class journal of any
class is one key away ({nav.journal}), read-only.

The education authority sees only figures per school and class; a class of fewer than
five pupils is withheld so that nobody can be identified.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("t", "next_view", N_("View"), id="stats.view"),
        Binding("[", "period(-1)", N_("Prev period"), id="stats.prev_period"),
        Binding("]", "period(1)", N_("Next period"), id="stats.next_period"),
        Binding("escape", "school", N_("School"), id="stats.school"),
        Binding("f5", "reload", N_("Refresh"), id="stats.reload"),
    ]

    DEFAULT_CSS = """
    StatsScreen #stats-title { height: 2; padding: 0 1; background: $boost; }
    StatsScreen #stats-overview { height: 1fr; padding: 0 1; }
    StatsScreen #stats-chart { height: auto; }
    StatsScreen #stats-trend-label { height: auto; margin-top: 1; }
    StatsScreen #stats-trend { height: 3; }
    StatsScreen #stats-table { height: 1fr; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.view = "overview"
        self.period_id: int | None = None
        self.class_id: int | None = None
        self.school: SchoolStats | None = None
        self.one_class: ClassStats | None = None
        self.anonymous: AuthorityStats | None = None
        self._rest = 20
        self._unreachable = False
        """The last load failed: what is not saved here says so instead of "Loading…"."""

    @property
    def authority(self) -> bool:
        me = self.data.me
        return me is not None and me.role is Role.AUTHORITY

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(_("Statistics")), id="stats-title")
        with Vertical(id="stats-overview"):
            yield Static(Content(""), id="stats-chart")
            yield Static(Content(""), id="stats-trend-label")
            yield Sparkline([], id="stats-trend")
        yield RowTable(id="stats-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self._show_view()
        self._paint_cached()
        self.reload()

    # -- loading --------------------------------------------------------------------------

    def _paint_cached(self) -> None:
        if self.authority:
            self.anonymous = self.data.cached(endpoints.authority_stats(self.period_id))
        elif self.class_id is not None:
            self.one_class = self.data.cached(endpoints.class_stats(self.class_id, self.period_id))
        else:
            self.school = self.data.cached(endpoints.school_stats(self.period_id))
        self.paint()

    @work(exclusive=True, group="stats", exit_on_error=False)
    async def reload(self) -> None:
        self.refresh_status(_("loading…"))
        if self.authority:
            self.anonymous = await self.data.load(endpoints.authority_stats(self.period_id))
        elif self.class_id is not None:
            self.one_class = await self.data.load(
                endpoints.class_stats(self.class_id, self.period_id)
            )
        else:
            self.school = await self.data.load(endpoints.school_stats(self.period_id))
        self._unreachable = False
        self.paint()

    def action_reload(self) -> None:
        self.reload()

    # -- actions --------------------------------------------------------------------------

    def action_next_view(self) -> None:
        views = self._views()
        self.view = (
            views[(views.index(self.view) + 1) % len(views)] if self.view in views else views[0]
        )
        self._show_view()
        self.paint()

    def _views(self) -> tuple[str, ...]:
        if self.authority:
            return ("overview", "classes")
        if self.class_id is not None:
            return ("overview", "subjects", "at risk")
        return VIEWS

    def action_period(self, step: int) -> None:
        periods, current = self._periods()
        if not periods or current is None:
            return
        ids = [p.id for p in periods]
        index = ids.index(current.id) + step if current.id in ids else 0
        if 0 <= index < len(ids):
            self.period_id = ids[index]
            self._paint_cached()
            self.reload()

    def action_school(self) -> None:
        if self.class_id is None:
            return
        self.class_id = None
        self.one_class = None
        self.view = "classes"
        self._show_view()
        self._paint_cached()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "school":
            return self.class_id is not None
        return super().check_action(action, parameters)

    @on(DataTable.RowSelected, "#stats-table")
    def _open_class(self, event: DataTable.RowSelected) -> None:
        if self.authority or self.view != "classes" or self.class_id is not None:
            return
        key = event.row_key.value
        if key is None or not key.isdigit():
            return
        self.class_id = int(key)
        self.view = "overview"
        self._show_view()
        self._paint_cached()
        self.reload()

    # -- painting -------------------------------------------------------------------------

    def _periods(self) -> tuple[list[PeriodRef], PeriodRef | None]:
        shown = self.anonymous or (self.one_class if self.class_id else self.school)
        if shown is None:
            return [], None
        return shown.periods, shown.period

    def _show_view(self) -> None:
        overview = self.view == "overview"
        self.query_one("#stats-overview").display = overview
        table = self.query_one(DataTable)
        table.display = not overview
        if not overview:
            table.focus()
        self.refresh_bindings()

    def _missing(self, loading: str, never: str) -> Content:
        """The title while there are no figures to show: ``loading`` while they come,
        ``never`` when they cannot (both whole sentences: the words differ by case in
        Russian)."""
        return Content.styled(never if self._unreachable else loading, MUTED)

    def worker_failed(self, error: BaseException) -> bool:
        self._unreachable = True
        self.paint()
        return False

    def paint(self) -> None:
        title = self.query_one("#stats-title", Static)
        if self.authority:
            self._paint_authority(title)
        elif self.class_id is not None:
            self._paint_class(title)
        else:
            self._paint_school(title)

    def _title(self, name: str, period: PeriodRef, figures: list[str]) -> Content:
        """Two lines: what and when with the headline figures; then the views."""
        width = max(self.size.width - 2, 40)
        when = period_text(period) if width >= 96 else period.name
        head = Content.assemble((name, "bold"), " · ", when)
        head = Content(" · ").join([head, *(Content(f) for f in figures)])
        periods = self.key_of("stats.prev_period") + " " + self.key_of("stats.next_period")
        views = Content("  ").join(
            Content.styled(f"[{_(VIEW_NAMES[v])}]", "bold")
            if v == self.view
            else Content.styled(_(VIEW_NAMES[v]), MUTED)
            for v in self._views()
        )
        return Content("\n").join(
            [
                head.truncate(width, ellipsis=True),
                Content.assemble(
                    (self.key_of("stats.view") + ": ", MUTED),
                    views,
                    (f"   {periods}: " + _("period"), MUTED),
                ),
            ]
        )

    def _chart_width(self) -> int:
        return min(max(self.size.width - 4, 30), 76)

    def _overview(
        self, counts: list[int] | None, scale: MarkScale, weeks: list[WeekAverage]
    ) -> None:
        chart = distribution_chart(counts, scale, self._chart_width())
        self.query_one("#stats-chart", Static).update(
            Content.assemble((_("Marks"), "bold"), "\n", chart)
        )
        self.query_one("#stats-trend-label", Static).update(trend_text(weeks))
        values = [w.average for w in weeks if w.average is not None]
        sparkline = self.query_one(Sparkline)
        sparkline.styles.width = min(max(len(values) * 4, 8), self._chart_width())
        sparkline.data = values
        sparkline.display = bool(values)

    def _paint_school(self, title: Static) -> None:
        stats = self.school
        if stats is None:
            title.update(
                self._missing(
                    _("Loading the school's statistics…"),
                    _(
                        "The school's statistics were never loaded on this computer; they "
                        "will appear when the server can be reached."
                    ),
                )
            )
            return
        title.update(
            self._title(
                _("School"),
                stats.period,
                [
                    ngettext("{n} pupil", "{n} pupils", stats.pupils).format(n=stats.pupils),
                    _("avg {average}").format(average=average_text(stats.average)),
                    _("present {share}").format(share=percent(stats.attendance)),
                    _("{n} at risk").format(n=len(stats.at_risk)),
                ],
            )
        )
        if self.view == "overview":
            self._overview(stats.distribution, stats.scale, stats.weeks)
        elif self.view == "classes":
            self._classes_table(stats.classes, stats.scale)
        elif self.view == "subjects":
            self._subjects_table(stats.subjects, stats.scale)
        else:
            self._risk_table(stats.at_risk, stats.risk.absences_above)

    def _paint_class(self, title: Static) -> None:
        stats = self.one_class
        if stats is None:
            title.update(
                self._missing(
                    _("Loading the class's statistics…"),
                    _(
                        "The class's statistics were never loaded on this computer; they "
                        "will appear when the server can be reached."
                    ),
                )
            )
            return
        summary = stats.summary
        rank = (
            _("rank {rank} of {classes}").format(rank=summary.rank, classes=stats.classes)
            if summary.rank
            else _("not ranked")
        )
        title.update(
            self._title(
                summary.class_.name,
                stats.period,
                [
                    ngettext("{n} pupil", "{n} pupils", summary.pupils).format(n=summary.pupils),
                    _("avg {average}").format(average=average_text(summary.average)),
                    rank,
                    _("present {share}").format(share=percent(summary.attendance)),
                ],
            )
        )
        if self.view == "overview":
            self._overview(summary.distribution, stats.scale, stats.weeks)
        elif self.view == "subjects":
            self._subjects_table(summary.subjects, stats.scale)
        else:
            self._risk_table(stats.at_risk, stats.risk.absences_above)

    def _paint_authority(self, title: Static) -> None:
        stats = self.anonymous
        if stats is None:
            title.update(
                self._missing(
                    _("Loading the figures…"),
                    _(
                        "The figures were never loaded on this computer; they will appear "
                        "when the server can be reached."
                    ),
                )
            )
            return
        school = stats.school
        title.update(
            self._title(
                school.name,
                stats.period,
                [
                    (
                        ngettext("{n} pupil", "{n} pupils", school.pupils).format(n=school.pupils)
                        if school.pupils is not None
                        else _("— pupils")
                    ),
                    _("avg {average}").format(average=average_text(school.average)),
                    _("present {share}").format(share=percent(school.attendance)),
                ],
            )
        )
        if self.view == "overview":
            self._overview(school.distribution, stats.scale, [])
            self.query_one("#stats-trend-label", Static).update(
                Content.styled(
                    _(
                        "Figures per school and class only; groups under {n} pupils are withheld."
                    ).format(n=stats.min_group),
                    MUTED,
                )
            )
        else:
            self._groups_table(stats.classes, stats.scale, stats.min_group)

    # -- tables ---------------------------------------------------------------------------

    def _reset(self, *columns: tuple[str, int | None]) -> DataTable[Content | str]:
        """Clear the table and lay out ``columns`` (label, width); the one width of None
        takes what is left of the screen."""
        table: DataTable[Content | str] = self.query_one(DataTable)
        table.clear(columns=True)
        fixed = sum(width or 0 for _, width in columns) + 2 * len(columns) + 3
        rest = max(self.size.width - fixed, 6)
        self._rest = rest
        for n, (label, width) in enumerate(columns):
            table.add_column(label, key=f"c{n}", width=width if width is not None else rest)
        return table

    def _avg_bar(self, value: float | None, scale: MarkScale) -> Content:
        if value is None:
            return Content("")
        return Content.styled(bar(value, scale.max, self._rest, low=scale.min - 1), "$accent")

    def _classes_table(self, classes: list[ClassSummary], scale: MarkScale) -> None:
        table = self._reset(
            ("#", 3),
            (_("Class"), 5),
            (_("Pupils"), 8),
            (_("Average"), 7),
            ("", None),
            (_("Attended"), 8),
            (_("Marks"), 6),
        )
        for summary in classes:
            table.add_row(
                str(summary.rank) if summary.rank else "—",
                Content(summary.class_.name),
                str(summary.pupils),
                average_text(summary.average),
                self._avg_bar(summary.average, scale),
                percent(summary.attendance),
                str(summary.marks),
                key=str(summary.class_.id),
            )

    def _subjects_table(self, subjects: list[SubjectAverage], scale: MarkScale) -> None:
        table = self._reset((_("Subject"), 26), (_("Average"), 7), ("", None), (_("Marks"), 6))
        for n, item in enumerate(sorted(subjects, key=lambda a: -(a.average or 0.0))):
            table.add_row(
                Content(item.subject.name).truncate(26, ellipsis=True),
                average_text(item.average),
                self._avg_bar(item.average, scale),
                str(item.marks),
                key=f"s{n}",
            )

    def _risk_table(self, pupils: list[PupilAtRisk], absences_above: float) -> None:
        table = self._reset((_("Pupil"), 24), (_("Class"), 5), (_("Why"), None))
        if not pupils:
            table.add_row(Content.styled(_("Nobody at risk in this period."), MUTED), "", "")
        for pupil in pupils:
            ref = pupil.pupil
            table.add_row(
                Content(f"{ref.last_name} {ref.first_name}").truncate(24, ellipsis=True),
                Content(ref.class_.name if ref.class_ else ""),
                Content(risk_reason(pupil, absences_above)).truncate(self._rest, ellipsis=True),
                key=f"p{ref.id}",
            )

    def _groups_table(self, groups: list[AnonymousGroup], scale: MarkScale, min_group: int) -> None:
        table = self._reset(
            (_("Class"), 5),
            (_("Pupils"), 8),
            (_("Average"), 8),
            ("", None),
            (_("Attended"), 8),
            (_("Marks"), 6),
        )
        for n, group in enumerate(groups):
            if group.suppressed:
                table.add_row(
                    Content(group.name),
                    "—",
                    Content.styled(_("withheld"), MUTED),
                    Content.styled(_("fewer than {n} pupils").format(n=min_group), MUTED),
                    "",
                    "",
                    key=f"g{n}",
                )
                continue
            table.add_row(
                Content(group.name),
                str(group.pupils if group.pupils is not None else "—"),
                average_text(group.average),
                self._avg_bar(group.average, scale),
                percent(group.attendance),
                str(group.marks if group.marks is not None else "—"),
                key=f"g{n}",
            )
