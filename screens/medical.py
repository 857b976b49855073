"""The health worker's screen: find a pupil by name, see their illness absences, record an
illness for some days. Names and classes only: no marks anywhere.

Type part of a name and press Enter; choose the pupil with the arrows and Enter. ``i`` records
the chosen pupil ill from one day to another (every lesson of those days).
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
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints, i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import MedicalAbsenceResult, MedicalAbsences, PupilFound
from diary_tui.data import DiaryData, Sent
from diary_tui.ui import MUTED, day_form, day_typed, parse_day
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.form import Outcome, SendingForm

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""


def pupil_line(pupil: PupilFound) -> Content:
    name = " ".join(p for p in (pupil.last_name, pupil.first_name, pupil.middle_name) if p)
    klass = pupil.class_.name if pupil.class_ else _("no class")
    return Content.assemble(name, (f"  {klass}", MUTED))


class IllnessForm(SendingForm[Outcome]):
    """From which day to which day the pupil was ill, and a note. It records the illness
    itself (through the outbox) and closes only when the server has it or it is kept to be
    sent later; a refusal is said in the form and everything typed stays."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="medical.form.cancel")
    ]
    DEFAULT_CSS = """
    IllnessForm { align: center middle; }
    IllnessForm Vertical {
        width: 60; max-width: 100%; height: auto;
        border: round $primary; padding: 0 1; background: $surface;
    }
    IllnessForm #illness-error { color: $text-error; height: auto; }
    """
    PROBLEM = "illness-error"
    FIELDS: ClassVar[Mapping[str, str]] = {
        "start": "illness-start",
        "end": "illness-end",
        "note": "illness-note",
    }

    def __init__(self, pupil: PupilFound, today: dt.date, data: DiaryData | None = None) -> None:
        super().__init__()
        self.pupil = pupil
        self.today = today
        self.data = data

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble((_("Ill: "), "bold"), pupil_line(self.pupil)))
            yield Label(_("First day ({form})").format(form=day_form()))
            yield Input(day_typed(self.today), id="illness-start")
            yield Label(_("Last day ({form})").format(form=day_form()))
            yield Input(day_typed(self.today), id="illness-end")
            yield Label(_("Note (optional)"))
            yield Input(id="illness-note", max_length=2000)
            yield Static(Content.styled(_("Enter records, Escape cancels."), MUTED))
            yield Static("", id="illness-error")

    @on(Input.Submitted)
    def _submit(self) -> None:
        try:
            start = parse_day(self.query_one("#illness-start", Input).value, "first")
            end = parse_day(self.query_one("#illness-end", Input).value, "last")
        except ValueError as exc:
            self.say(str(exc))
            return
        if end < start:
            self.say(_("The last day is before the first."), "end")
            return
        note = self.query_one("#illness-note", Input).value.strip()
        data, pupil_id = self.data, self.pupil.id
        if data is None:
            return
        self.send(
            lambda: data.record_illness(pupil_id, start, end, note),
            _("The illness was not recorded: {reason}"),
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class MedicalScreen(DiaryScreen):
    TITLE = N_("Medical")
    WRITES = ("illness.record",)
    NAME = "medical"
    HELP = N_("""
Find a pupil by name (part of the surname or first name, in any letters case) and press Enter;
choose the pupil with the arrows and Enter. Their illness absences of the last two months are
listed, newest first. Press {medical.record} to record the pupil ill from one day to another:
every lesson of those days gets an illness absence (lessons already marked absent are left as
they are). The class teacher and the parents see it in the diary.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("i", "record", N_("Record illness"), id="medical.record"),
        Binding("slash", "search", N_("Search"), id="medical.search"),
        Binding(
            "escape", "leave_search", N_("Leave the search box"), id="medical.leave", show=False
        ),
    ]

    DEFAULT_CSS = """
    MedicalScreen #medical-search { height: 3; }
    MedicalScreen #medical-found { height: 6; border: none; }
    MedicalScreen #medical-title { height: 1; padding: 0 1; background: $boost; }
    MedicalScreen #medical-table { height: 1fr; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.found: list[PupilFound] = []
        self.pupil: PupilFound | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Input(
            placeholder=_(
                "Find a pupil: part of a name, then Enter (Esc leaves the box: the "
                "screen keys work again)"
            ),
            id="medical-search",
        )
        yield OptionList(id="medical-found")
        yield Static(Content.styled(_("No pupil chosen."), MUTED), id="medical-title")
        yield RowTable(id="medical-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        table: DataTable[Content | str] = self.query_one(DataTable)
        rest = max(self.app.size.width - 9 - 6 - 22 - 20 - 13, 11)
        for label, width in (
            (_("Date"), 9),
            (_("Lesson"), 6),
            (_("Subject"), 22),
            (_("Note"), 20),
            (_("Recorded by"), rest),
        ):
            table.add_column(label, width=width)
        self.query_one("#medical-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "record":
            return self.pupil is not None
        return super().check_action(action, parameters)

    # -- finding a pupil --------------------------------------------------------------------

    @on(Input.Submitted, "#medical-search")
    def _search(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.search(event.value)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def search(self, query: str) -> None:
        found = await self.data.search_pupils(query)
        self.found = found.pupils
        options = self.query_one("#medical-found", OptionList)
        options.clear_options()
        if not found.pupils:
            options.add_option(Option(Content.styled(_("Nobody found."), MUTED), disabled=True))
            return
        options.add_options(Option(pupil_line(p), id=str(p.id)) for p in found.pupils)
        if found.more:
            options.add_option(
                Option(
                    Content.styled(_("More match: type more of the name."), MUTED), disabled=True
                )
            )
        options.highlighted = 0
        options.focus()

    def action_search(self) -> None:
        self.query_one("#medical-search", Input).focus()

    def action_leave_search(self) -> None:
        """Out of the search box (its letters would not reach the screen keys)."""
        options = self.query_one("#medical-found", OptionList)
        if options.option_count:
            options.focus()
        else:
            self.query_one(DataTable).focus()

    @on(OptionList.OptionSelected, "#medical-found")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        for pupil in self.found:
            if str(pupil.id) == event.option.id:
                self.choose(pupil)
                return

    def choose(self, pupil: PupilFound) -> None:
        self.pupil = pupil
        self.refresh_bindings()
        cached = self.data.cached(endpoints.medical_absences(pupil.id))
        if cached is not None:
            self.paint(cached)
        else:
            self.query_one("#medical-title", Static).update(
                Content.assemble(pupil_line(pupil), (" · " + _("loading…"), MUTED))
            )
        self.load(pupil.id)
        self.query_one(DataTable).focus()

    @work(exclusive=True, group="absences", exit_on_error=False)
    async def load(self, pupil_id: int) -> None:
        self.paint(await self.data.load(endpoints.medical_absences(pupil_id)))

    def live_refresh(self) -> None:
        if self.pupil is not None:
            self.load(self.pupil.id)

    # -- recording -------------------------------------------------------------------------

    def action_record(self) -> None:
        pupil = self.pupil
        if pupil is None:
            return

        def done(answer: Outcome | None) -> None:
            if answer is not None:
                self.recorded(pupil, answer)

        self.app.push_screen(IllnessForm(pupil, self.data.today(), self.data), done)

    def recorded(self, pupil: PupilFound, answer: Outcome) -> None:
        """The form closed on the server's answer, or with the illness kept to be sent."""
        if not isinstance(answer, Sent):
            self.notify(
                _(
                    "The server cannot be reached: the illness is kept on this computer and "
                    "will be recorded when it can."
                ),
                severity="warning",
                timeout=8,
            )
            self.refresh_status()
            return
        result = answer.value
        assert isinstance(result, MedicalAbsenceResult)
        words = ngettext(
            "Recorded illness for {n} lesson.", "Recorded illness for {n} lessons.", result.recorded
        ).format(n=result.recorded)
        if result.skipped:
            words += " " + ngettext(
                "{n} was already marked absent.",
                "{n} were already marked absent.",
                result.skipped,
            ).format(n=result.skipped)
        self.notify(words, markup=False)
        self.refresh_status()
        if self.pupil is not None and self.pupil.id == pupil.id:
            self.load(pupil.id)

    # -- painting ----------------------------------------------------------------------------

    def paint(self, absences: MedicalAbsences) -> None:
        count = len(absences.absences)
        days = len({a.date for a in absences.absences})
        self.query_one("#medical-title", Static).update(
            Content.assemble(
                pupil_line(absences.pupil),
                f" · {absences.start:%d.%m}–{absences.end:%d.%m.%Y}: ",
                (
                    ngettext(
                        "{n} lesson missed for illness", "{n} lessons missed for illness", count
                    ).format(n=count)
                    + " "
                    + ngettext("on {n} day", "on {n} days", days).format(n=days)
                )
                if count
                else _("no illness"),
            )
        )
        table: DataTable[Content | str] = self.query_one(DataTable)
        table.clear()
        for absence in absences.absences:
            table.add_row(
                f"{i18n.weekday(absence.date, short=True)} {absence.date:%d.%m}",
                str(absence.number),
                Content(absence.subject).truncate(22, ellipsis=True),
                Content(" ".join(absence.note.split())).truncate(20, ellipsis=True),
                Content(absence.author).truncate(30, ellipsis=True),
                key=str(absence.id),
            )
