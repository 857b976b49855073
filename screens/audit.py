"""The audit log screen: every change of a mark, an absence, homework or a topic, newest first.

Filters on one line: the pupil and the person who made the change (a name as the staff know it,
a login or an id), the first and last day (``25.11.2026`` or ISO), the kind of thing. Enter in a
filter applies them all. The table shows when, who, about whom, what changed (before → after)
and why, its columns shared out over the screen's width whenever it changes; Enter on a row
shows the whole record in plain words (never the stored JSON). ``n`` loads older records.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Select, Static

from api_client import names
from api_client.endpoints import AuditFilters
from api_client.i18n import N_, _, ngettext, pgettext
from api_client.models import AuditEntry, AuditPage
from diary_tui.data import DiaryData
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, local, parse_day
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.detail import DetailScreen

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""
ENTITIES = [
    (N_("all"), ""),
    (N_("marks"), "mark"),
    (N_("absences"), "absence"),
    (N_("homework"), "homework"),
    (N_("topics"), "topic"),
    (N_("period marks"), "period_mark"),
]
PAGE = 100
"""Records asked for at once (n asks for the older ones)."""

SHOWN = [(N_("changes"), "update,remove"), (N_("+ entries"), "")]
"""What the log shows: the corrections and removals (the default: what the log is read for),
or also the record of every new mark, absence and period mark (thousands a term)."""
THINGS = {
    "mark": N_("mark"),
    "absence": N_("absence"),
    "homework": N_("homework"),
    "topic": N_("topic"),
    "period_mark": N_("period mark"),
    "academic_year": N_("school year"),
    "absence_notice": N_("absence notice"),
    "chat_message": N_("chat message"),
    "chat": N_("class chat"),
}
"""What a record is about, in words (other kinds are named as the log names them)."""

ACTION_WORDS = {
    "create": N_("given"),
    "update": N_("changed"),
    "remove": N_("removed"),
}


def thing_name(entity: str) -> str:
    return _(THINGS[entity]) if entity in THINGS else entity.replace("_", " ")


def _words(value: object) -> str:
    return " ".join(str(value).split())


def notice_state(withdrawn: bool) -> str:
    """An absence notice's state in an audit record."""
    return (
        pgettext("absence notice", "withdrawn") if withdrawn else pgettext("absence notice", "sent")
    )


def state_text(state: dict[str, object] | None) -> str:
    """A record's before or after in a few words: the value first (``4×2``, ``болел``)."""
    if not state:
        return "—"
    if state.get("value") not in (None, ""):
        value = _words(state["value"])
        if state.get("weight") not in (None, 1):
            value += f"×{state['weight']}"
        return value
    if state.get("kind") not in (None, ""):
        return names.absence_kind(str(state["kind"]))
    for key in ("topic", "text"):
        if state.get(key) not in (None, ""):
            return _words(state[key])
    if "closed" in state:
        return _("closed") if state["closed"] else _("open")
    if "withdrawn" in state:
        return notice_state(bool(state["withdrawn"]))
    return "—"


def state_lines(state: dict[str, object] | None) -> list[str]:
    """Everything a record's before or after says, one plain sentence part a line."""
    if not state:
        return ["—"]
    said: list[str] = []
    if state.get("value") not in (None, ""):
        said.append(_("mark {value}").format(value=_words(state["value"])))
    if state.get("weight") not in (None, 1):
        said.append(_("weight {weight}").format(weight=state["weight"]))
    if state.get("kind") not in (None, ""):
        kind = str(state["kind"])
        word = names.absence_kind(kind) if "value" not in state else names.mark_kind(kind)
        said.append(_("kind: {kind}").format(kind=word))
    if state.get("minutes"):
        said.append(_("{minutes} minutes late").format(minutes=state["minutes"]))
    for key, label in (
        ("comment", N_("comment: {text}")),
        ("note", N_("note: {text}")),
        ("topic", N_("topic: {text}")),
        ("text", N_("text: {text}")),
    ):
        if state.get(key) not in (None, ""):
            said.append(_(label).format(text=_words(state[key])))
    if state.get("due"):
        try:
            due = dt.date.fromisoformat(str(state["due"]))
            said.append(_("due {day}").format(day=f"{due:%d.%m.%Y}"))
        except ValueError:
            said.append(_("due {day}").format(day=_words(state["due"])))
    if "closed" in state:
        said.append(_("closed") if state["closed"] else _("open"))
    if state.get("reason") and "withdrawn" in state:
        said.append(names.absence_reason(str(state["reason"])))
    for key, label in (("start", N_("from {day}")), ("end", N_("to {day}"))):
        if "withdrawn" in state and state.get(key):
            said.append(_(label).format(day=_words(state[key])))
    if "withdrawn" in state:
        said.append(notice_state(bool(state["withdrawn"])))
    if state.get("next_year"):
        said.append(_("into {year}").format(year=_words(state["next_year"])))
    return said or ["—"]


def change_text(entry: AuditEntry) -> str:
    """``mark 3→4``, ``+absence illness``, ``−mark 5``."""
    thing = thing_name(entry.entity)
    if entry.action == "create":
        return f"+{thing} {state_text(entry.after)}"
    if entry.action == "remove":
        return f"−{thing} {state_text(entry.before)}"
    return f"{thing} {state_text(entry.before)}→{state_text(entry.after)}"


def when(entry: AuditEntry, zone: dt.tzinfo) -> dt.datetime:
    """When the change was made, on the school's clock."""
    return local(entry.at, zone)


def parse_day_or_none(text: str, what: str) -> dt.date | None:
    """A day of the filter, or None when the box is empty (no limit)."""
    return parse_day(text, what) if text.strip() else None


def detail(entry: AuditEntry, zone: dt.tzinfo) -> Content:
    """The whole record in plain words: who did what to which pupil's what, when and why."""
    action = _(ACTION_WORDS[entry.action]) if entry.action in ACTION_WORDS else entry.action
    rows: list[tuple[str, str]] = [
        (_("When"), f"{when(entry, zone):%d.%m.%Y %H:%M:%S %Z}"),
        (_("Who"), entry.actor or _("the system")),
        (_("Pupil"), f"{entry.pupil or '—'} {entry.class_name}".rstrip()),
        (_("Subject"), entry.subject or "—"),
        (_("Lesson"), f"{entry.lesson_date:%d.%m.%Y}" if entry.lesson_date else "—"),
        (_("What"), f"{thing_name(entry.entity)}: {action}"),
    ]
    if entry.action != "create":
        rows.append((_("Before"), "; ".join(state_lines(entry.before))))
    if entry.action != "remove":
        rows.append((_("After"), "; ".join(state_lines(entry.after))))
    rows.append((_("Reason"), entry.reason or "—"))
    width = max(len(label) for label, _value in rows) + 2
    lines = [Content.styled(_("Record {id}").format(id=entry.id), "bold")]
    lines += [Content(f"{label + ':':<{width}}{value}") for label, value in rows]
    lines += [Content(""), Content.styled(_("Escape closes."), MUTED)]
    return Content("\n").join(lines)


class AuditScreen(DiaryScreen):
    TITLE = N_("Audit log")
    NAME = "audit"
    HELP = N_("""
Every change of a mark, an absence, homework, a lesson topic or a period mark, newest first:
when, who made it, about which pupil, what it was before and after, and the reason given.
Nothing in the diary is changed without a record here, and the log is hash-chained: the
server can prove no record was altered or removed (diary-server audit verify).

Filters: the pupil and the person who made the change (a name, like Иванова or Иванова Мария, a
login or an id), the first and last day (25.11.2026 or 2026-11-25), the kind of change, and
"changes" (corrections and removals, the default) or "+ entries" (also the record of every new
mark, absence and period mark). Type in a filter and press Enter to apply them all. Enter on a
row shows the whole record in plain words; {audit.older} loads older records.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("n", "older", N_("Older"), id="audit.older"),
        Binding("f", "filters", N_("Filters"), id="audit.filters"),
        Binding("f5", "reload", N_("Refresh"), id="audit.reload"),
    ]

    DEFAULT_CSS = """
    AuditScreen #audit-title { height: 1; padding: 0 1; background: $boost; }
    AuditScreen #audit-filters { height: 3; }
    AuditScreen #audit-filters Input { width: 1fr; }
    AuditScreen #audit-filters Select { width: 17; }
    AuditScreen #audit-filters #audit-action { width: 15; }
    AuditScreen #audit-table { height: 1fr; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.entries: list[AuditEntry] = []
        self.next_before: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(_("Audit log")), id="audit-title")
        with Horizontal(id="audit-filters"):
            yield Input(placeholder=_("pupil"), id="audit-pupil")
            yield Input(placeholder=_("changed by"), id="audit-teacher")
            yield Input(placeholder=_("from 01.11.2026"), id="audit-from")
            yield Input(placeholder=_("to"), id="audit-to")
            yield Select(
                [(_(label), value) for label, value in ENTITIES],
                value="",
                allow_blank=False,
                id="audit-entity",
            )
            yield Select(
                [(_(label), value) for label, value in SHOWN],
                value=SHOWN[0][1],
                allow_blank=False,
                id="audit-action",
            )
        yield RowTable(id="audit-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self._columns()
        self.query_one(DataTable).focus()
        self.load(append=False)

    # -- loading --------------------------------------------------------------------------

    def _filters(self) -> AuditFilters:
        entity = self.query_one("#audit-entity", Select).value
        shown = self.query_one("#audit-action", Select).value
        return AuditFilters(
            pupil=self.query_one("#audit-pupil", Input).value.strip() or None,
            teacher=self.query_one("#audit-teacher", Input).value.strip() or None,
            start=parse_day_or_none(self.query_one("#audit-from", Input).value, "first"),
            end=parse_day_or_none(self.query_one("#audit-to", Input).value, "last"),
            entity=entity if isinstance(entity, str) and entity else None,
            actions=tuple(shown.split(",")) if isinstance(shown, str) and shown else None,
        )

    @work(exclusive=True, group="audit", exit_on_error=False)
    async def load(self, append: bool) -> None:
        filters = self._filters()
        before = self.next_before if append else None
        if append and before is None:
            return
        self.refresh_status(_("loading…"))
        page: AuditPage = await self.data.load(filters.page(before=before, limit=PAGE))
        if not append:
            self.entries = []
        self.entries.extend(page.entries)
        self.next_before = page.next_before
        self.paint(reset=not append, added=page.entries)

    def action_reload(self) -> None:
        self.load(append=False)

    def action_older(self) -> None:
        if self.next_before is None:
            self.notify(_("There are no older records."))
            return
        self.load(append=True)

    def action_filters(self) -> None:
        self.query_one("#audit-pupil", Input).focus()

    @on(Input.Submitted)
    def _apply(self) -> None:
        self.next_before = None
        self.load(append=False)
        self.query_one(DataTable).focus()

    @on(Select.Changed, "#audit-entity")
    @on(Select.Changed, "#audit-action")
    def _entity(self) -> None:
        if self.is_mounted:
            self.load(append=False)

    @on(DataTable.RowSelected, "#audit-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        for entry in self.entries:
            if str(entry.id) == key:
                self.app.push_screen(
                    DetailScreen(
                        detail(entry, self.data.zone),
                        name="audit-detail",
                        binding_id="audit.detail.close",
                        width="76",
                    )
                )
                return

    # -- painting -------------------------------------------------------------------------

    def _widths(self) -> tuple[int, int, int, int]:
        """Who, pupil, change, reason: what the screen's width leaves after the time, shared
        out so that every column fits (each column has a cell of padding either side, and the
        table a scroll bar)."""
        room = max(self.size.width - 11 - 5 * 2 - 2, 40)
        if room >= 90:
            who, pupil, change = 20, 24, 28
        else:
            who, pupil, change = room * 22 // 100, room * 26 // 100, room * 28 // 100
        return who, pupil, change, max(room - who - pupil - change, 6)

    def on_resize(self) -> None:
        if self.is_mounted and self.entries is not None:
            self.paint(reset=True, added=list(self.entries))

    def _columns(self) -> None:
        table: DataTable[Content | str] = self.query_one(DataTable)
        table.clear(columns=True)
        who, pupil, change, reason = self._widths()
        for label, width in (
            (_("When"), 11),
            (_("Who"), who),
            (_("Pupil"), pupil),
            (_("Change"), change),
            (_("Reason"), reason),
        ):
            table.add_column(label, width=width)

    def paint(self, *, reset: bool, added: list[AuditEntry]) -> None:
        count = len(self.entries)
        if self.next_before is not None:
            said = " · " + _("{count}+ records: the newest {count} shown").format(count=count)
            more = " · " + with_keys(self, _("{audit.older}: older"))
        else:
            said = " · " + ngettext(
                "{count} record, newest first", "{count} records, newest first", count
            ).format(count=count)
            more = ""
        self.query_one("#audit-title", Static).update(
            Content.assemble((_("Audit log"), "bold"), said, (more, MUTED))
        )
        table: DataTable[Content | str] = self.query_one(DataTable)
        if reset:
            self._columns()
        if reset and not added:
            table.add_row(
                Content.styled(_("No records match these filters."), MUTED), "", "", "", ""
            )
        wide = self.size.width >= 120
        who_w, pupil_w, change_w, reason_w = self._widths()
        zone = self.data.zone
        for entry in added:
            pupil = f"{entry.pupil} {entry.class_name}".strip() or "—"
            change = change_text(entry)
            if entry.subject and wide:
                change = f"{change} · {entry.subject}"
            table.add_row(
                f"{when(entry, zone):%d.%m %H:%M}",
                Content(entry.actor or "—").truncate(who_w, ellipsis=True),
                Content(pupil).truncate(pupil_w, ellipsis=True),
                Content(change).truncate(change_w, ellipsis=True),
                Content(" ".join(entry.reason.split())).truncate(reason_w, ellipsis=True),
                key=str(entry.id),
            )

    def worker_failed(self, error: BaseException) -> bool:
        if isinstance(error, ValueError):
            self.notify(str(error), severity="error", markup=False)
            return True
        return False
