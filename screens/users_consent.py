"""The IT staff's view of the parents' consents to the processing of personal data, opened
from the accounts screen (C).

The school's parents with their state against the current text (given, outdated, withdrawn,
none) and the counts by state, filtered by class and state (the server's
``GET /consent/parents``). Enter on a parent shows their history, oldest first; there r records
a consent signed on paper and w a withdrawal on paper, each with the day it was signed (the
form stays open with what was typed when the server refuses it).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Select, Static

from api_client.errors import DiaryError
from api_client.i18n import N_, _, whole_number
from api_client.models import (
    ConsentAction,
    ConsentHistory,
    ConsentState,
    PaperConsent,
    ParentConsent,
    ParentConsents,
)
from diary_tui.data import DiaryData, describe_error
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, day_form, day_typed, parse_day
from diary_tui.widgets import RowTable
from screens.dialogs.consent import how_said, standing, state_word, when_said
from screens.dialogs.form import Field, FormScreen, Refusal

ALL = "all"


def state_options() -> list[tuple[str, str]]:
    return [(_("all states"), ALL)] + [(state_word(s), s.value) for s in ConsentState]


def counts_said(page: ParentConsents) -> str:
    return _(
        "text version {version} · given {given} · outdated {outdated} · withdrawn {withdrawn} "
        "· none {none}"
    ).format(
        version=page.version,
        given=whole_number(page.given),
        outdated=whole_number(page.outdated),
        withdrawn=whole_number(page.withdrawn),
        none=whole_number(page.none),
    )


class ConsentListScreen(ModalScreen[None]):
    """Who has and has not consented; Enter: a parent's history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="consent_list.close"),
        Binding("slash", "filter", N_("Class"), id="consent_list.class"),
        Binding("f5", "reload", N_("Refresh"), id="consent_list.reload", show=False),
    ]
    DEFAULT_CSS = """
    ConsentListScreen { background: $background 60%; }
    ConsentListScreen > Vertical { border: round $primary; background: $surface; }
    ConsentListScreen #consent-filters { height: 1; }
    ConsentListScreen #consent-class { width: 14; }
    ConsentListScreen #consent-state { width: 24; }
    ConsentListScreen #consent-counts { height: 1; padding: 0 1; }
    ConsentListScreen #consent-table { height: 1fr; }
    """

    def __init__(self, data: DiaryData, class_name: str = "") -> None:
        super().__init__()
        self.data = data
        self.class_name = class_name
        self.parents: dict[int, ParentConsent] = {}
        self.page: ParentConsents | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(_("Consent to the processing of personal data"), "bold"))
            with Horizontal(id="consent-filters"):
                yield Input(
                    self.class_name, placeholder=_("class"), id="consent-class", compact=True
                )
                yield Select(
                    state_options(), value=ALL, allow_blank=False, id="consent-state", compact=True
                )
            yield Static("", id="consent-counts")
            yield RowTable(id="consent-table", zebra_stripes=True)
            yield Static(
                Content.styled(
                    with_keys(
                        self,
                        _(
                            "Enter: history and paper forms · {consent_list.class}: class · "
                            "Esc: close"
                        ),
                    ),
                    MUTED,
                )
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Login"), key="login", width=14)
        table.add_column(_("Name"), key="name", width=22)
        table.add_column(_("State"), key="state", width=10)
        table.add_column(_("Since"), key="since", width=16)
        table.add_column(_("Children"), key="children", width=24)
        table.focus()
        self.load()

    @work(exclusive=True, group="consent-list", exit_on_error=False)
    async def load(self) -> None:
        cls = self.query_one("#consent-class", Input).value.strip() or None
        chosen = self.query_one("#consent-state", Select).value
        state = ConsentState(chosen) if isinstance(chosen, str) and chosen != ALL else None
        counts = self.query_one("#consent-counts", Static)
        try:
            page = await self.data.consent_parents(cls, state)
        except DiaryError as exc:
            counts.update(Content.styled(describe_error(exc), "$text-error"))
            return
        self.page = page
        table = self.query_one(DataTable)
        table.clear()
        self.parents = {}
        for p in page.items:
            self.parents[p.id] = p
            since = when_said(p.since, self.data.zone) if p.since else ""
            table.add_row(
                Content(p.login),
                Content(f"{p.last_name} {p.first_name}"),
                Content.styled(
                    state_word(p.state), "" if p.state is ConsentState.GIVEN else "$text-warning"
                ),
                Content(since),
                Content(", ".join(f"{c.first_name} {c.last_name}" for c in p.children)),
                key=str(p.id),
            )
        counts.update(Content(counts_said(page)))

    @on(Input.Submitted, "#consent-class")
    def _class(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    @on(Select.Changed, "#consent-state")
    def _state(self) -> None:
        self.load()

    def action_filter(self) -> None:
        self.query_one("#consent-class", Input).focus()

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected, "#consent-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None or int(key) not in self.parents:
            return

        def closed(_: None) -> None:
            self.load()

        self.app.push_screen(ConsentHistoryScreen(self.data, self.parents[int(key)]), closed)


class ConsentHistoryScreen(ModalScreen[None]):
    """One parent's consents and withdrawals, oldest first; r and w record paper forms."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Close"), id="consent_history.close"),
        Binding("r", "paper('given')", N_("Paper consent"), id="consent_history.record"),
        Binding("w", "paper('withdrawn')", N_("Paper withdrawal"), id="consent_history.withdraw"),
    ]
    DEFAULT_CSS = """
    ConsentHistoryScreen { align: center middle; }
    ConsentHistoryScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, data: DiaryData, parent: ParentConsent) -> None:
        super().__init__()
        self.data = data
        self.parent_consent = parent
        self.history: ConsentHistory | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="consent-history")
            yield Static(
                Content.styled(
                    with_keys(
                        self,
                        _(
                            "{consent_history.record}: consent signed on paper · "
                            "{consent_history.withdraw}: withdrawal on paper · Esc: close"
                        ),
                    ),
                    MUTED,
                )
            )

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="consent-history", exit_on_error=False)
    async def load(self) -> None:
        shown = self.query_one("#consent-history", Static)
        try:
            self.history = await self.data.consent_history(self.parent_consent.id)
        except DiaryError as exc:
            shown.update(Content.styled(describe_error(exc), "$text-error"))
            return
        shown.update(self.said(self.history))

    def said(self, history: ConsentHistory) -> Content:
        p = history.parent
        zone = self.data.zone
        lines = [
            Content.styled(f"{p.last_name} {p.first_name} {p.middle_name} ({p.login})", "bold"),
            Content(standing(p.state, p.version, p.since, p.way, p.signed_on, zone)),
            Content(""),
        ]
        if not history.events:
            lines.append(Content.styled(_("No consent or withdrawal recorded."), MUTED))
        for e in history.events:
            action = (
                _("consent, version {version}")
                if e.action is ConsentAction.GIVEN
                else _("withdrawal, version {version}")
            ).format(version=e.version)
            line = f"{when_said(e.at, zone)}  {action}, {how_said(e.way, e.signed_on)}"
            if e.recorded_by:
                line += " · " + _("recorded by {who}").format(who=e.recorded_by)
            if e.note:
                line += " · " + e.note
            lines.append(Content(line))
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_paper(self, action: str) -> None:
        kind = ConsentAction(action)
        p = self.parent_consent
        title = (
            _("A consent signed on paper: {login} ({name})")
            if kind is ConsentAction.GIVEN
            else _("A withdrawal signed on paper: {login} ({name})")
        ).format(login=p.login, name=f"{p.last_name} {p.first_name}")

        async def save(values: dict[str, str]) -> Refusal | None:
            try:
                day = parse_day(values["signed_on"])
            except ValueError as exc:
                return Refusal(str(exc), "signed_on")
            body = PaperConsent(action=kind, signed_on=day, note=values["note"].strip())
            try:
                self.history = await self.data.record_paper_consent(p.id, body)
            except DiaryError as exc:
                return Refusal(describe_error(exc), exc.field)
            return None

        fields = [
            Field(
                "signed_on",
                _("Signed on ({form})").format(form=day_form()),
                day_typed(self.data.today()),
            ),
            Field("note", _("Note (e.g. where the form is kept)")),
        ]

        def done(saved: bool | None) -> None:
            if saved:
                self.notify(_("Recorded."), markup=False)
                self.load()

        self.app.push_screen(FormScreen(title, fields, save, name="consent-paper"), done)
