"""The school's bells: which bell schedule each school day of this week and the next keeps
(a shortened day marked as one), then every schedule with its lessons' times.

For everyone of the school (``GET /bells``). The times are the school's clock (its time zone
is named in the title), whatever the computer's.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints, i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import BellScheduleInfo, SchoolBells
from diary_tui.data import DiaryData
from diary_tui.ui import MUTED, fit, plain
from screens.base import DiaryScreen, list_layout


def schedule_name(schedule: BellScheduleInfo) -> Content:
    """The schedule's name (the school's words, plain), ``normal`` beside the main one."""
    name = Content.styled(plain(schedule.name), "bold")
    if schedule.main:
        name += Content.styled("  · " + _("normal"), MUTED)
    return name


def weekdays_words(weekdays: list[int]) -> str:
    """``Mon, Tue, Wed`` / ``пн, вт, ср`` for a schedule's weekdays."""
    monday = dt.date(2026, 11, 23)  # any Monday: only the weekday's name is used
    return ", ".join(i18n.weekday(monday + dt.timedelta(days=w), short=True) for w in weekdays)


def working_weekdays(bells: SchoolBells) -> frozenset[int] | None:
    """The weekdays the school works (0 = Monday): those its schedules hold, as each
    schedule's own line says. None when no schedule names a weekday: the normal schedule then
    holds every day listed."""
    named = frozenset(w for schedule in bells.schedules for w in schedule.weekdays)
    return named or None


def day_line(bells: SchoolBells, day: int, width: int) -> Content:
    """One day of the fortnight: its date, then its schedule (or that it has no lessons: a
    holiday, or a weekday no schedule holds, the school's day off)."""
    item = bells.days[day]
    names = {s.id: s for s in bells.schedules}
    said = i18n.day_label(item.date)
    line = Content.styled(f"  {said:<14}", "bold" if item.date == bells.today else "")
    working = working_weekdays(bells)
    if item.holiday:
        line += Content.styled(_("holiday: no lessons"), MUTED)
    elif not item.shortened and working is not None and item.date.weekday() not in working:
        line += Content.styled(_("day off: no lessons"), MUTED)
    else:
        schedule = names.get(item.schedule_id) if item.schedule_id is not None else None
        if schedule is None:
            line += Content.styled(_("no bell schedule"), MUTED)
        else:
            line += Content.styled(
                plain(schedule.name), "bold $text-warning" if not schedule.main else ""
            )
            if schedule.bells:
                line += Content.styled(
                    f"  {schedule.bells[0].start}–{schedule.bells[-1].end}", MUTED
                )
            if item.shortened:
                line += Content.styled("  · " + _("shortened day"), "bold $text-warning")
    if item.date == bells.today:
        line += Content.styled("  · " + _("today"), "bold $accent")
    return fit(line, width)


def bells_options(bells: SchoolBells, width: int) -> list[Option]:
    """The screen's list: the fortnight day by day, then each schedule's bells."""
    options: list[Option] = []
    if bells.days:
        options.append(
            Option(Content.styled(_("This week and the next"), "bold $primary"), disabled=True)
        )
        monday = bells.days[0].date
        for n, item in enumerate(bells.days):
            if n and item.date - monday >= dt.timedelta(days=7) > bells.days[n - 1].date - monday:
                options.append(Option(Content(""), disabled=True))  # the next week
            options.append(Option(day_line(bells, n, width), id=f"day-{item.date.isoformat()}"))
    for schedule in bells.schedules:
        options.append(Option(Content(""), disabled=True))
        heading = schedule_name(schedule)
        if schedule.weekdays:
            heading += Content.styled("  " + weekdays_words(schedule.weekdays), MUTED)
        elif not schedule.main:
            count = len(schedule.days)
            heading += Content.styled(
                "  " + ngettext("given to {n} day", "given to {n} days", count).format(n=count),
                MUTED,
            )
        options.append(Option(fit(heading, width), disabled=True))
        for bell in schedule.bells:
            text = _("lesson {number}").format(number=bell.number)
            options.append(
                Option(
                    fit(Content(f"  {text:<10} {bell.start}–{bell.end}"), width),
                    id=f"bell-{schedule.id}-{bell.number}",
                )
            )
    if not options:
        options.append(
            Option(Content.styled(_("The school has no bell schedule yet."), MUTED), disabled=True)
        )
    return options


class BellsScreen(DiaryScreen):
    TITLE = N_("Bells")
    NAME = "bells"
    HELP = N_("""
The school's bells. First each school day of this week and the next with the bell schedule
it keeps: a day given a schedule of its own is a shortened day and is marked so, a day
keeping another schedule than the normal one (Saturday's) is highlighted, and a weekday no
schedule holds is the school's day off. Then every schedule with its lessons' times.

The times are the school's clock: its time zone is named in the title.
""")

    DEFAULT_CSS = """
    BellsScreen #bells-title { height: 1; padding: 0 1; background: $boost; }
    BellsScreen #bells-list { height: 1fr; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help"), id="bells.help"),
        Binding("f5", "reload", N_("Refresh"), id="bells.reload"),
        Binding("q", "app.quit", N_("Quit"), id="bells.quit"),
    ]

    class Loaded(Message):
        def __init__(self, bells: SchoolBells) -> None:
            super().__init__()
            self.bells = bells

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.bells: SchoolBells | None = None

    def compose(self) -> ComposeResult:
        yield from list_layout(self.NAME, "bells-title", "bells-list")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(OptionList).focus()
        cached = self.data.cached(endpoints.bells())
        if cached is not None:
            self._paint(cached)
        else:
            self._title(_("Bells · loading…"))
        self.load()

    def action_reload(self) -> None:
        self.load()

    def live_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="bells", exit_on_error=False)
    async def load(self) -> None:
        self.post_message(self.Loaded(await self.data.load(endpoints.bells())))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._paint(event.bells)

    def load_failed(self) -> None:
        if self.bells is None:
            self._title(_("Bells · never loaded on this computer"))

    def _title(self, text: str) -> None:
        self.query_one("#bells-title", Static).update(Content.styled(text, "bold"))

    def _paint(self, bells: SchoolBells) -> None:
        self.bells = bells
        zone = plain(bells.timezone)
        self._title(_("Bells · school time ({zone})").format(zone=zone) if zone else _("Bells"))
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.set_options(bells_options(bells, max(listing.size.width - 2, 40)))
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted
