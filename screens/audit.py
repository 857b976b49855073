"""The audit log screen: every change of a mark, an absence, homework or a topic, newest first.

Filters on one line: the pupil and the person who made the change (a login or an id), the
first and last day, the kind of thing. Enter in a filter applies them all. The table shows
when, who, about whom, what changed (before → after) and why; Enter on a row shows the whole
record. ``n`` loads older records.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Select, Static

from api_client import endpoints
from api_client.models import AuditEntry, AuditPage
from diary_tui.data import DiaryData
from diary_tui.ui import MUTED, local, parse_day
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.detail import DetailScreen

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""
ENTITIES = [
    ("all", ""),
    ("marks", "mark"),
    ("absences", "absence"),
    ("homework", "homework"),
    ("topics", "topic"),
    ("period marks", "period_mark"),
]
PAGE = 100
"""Records asked for at once (n asks for the older ones)."""

ACTIONS = {"create": "+", "update": "~", "remove": "−"}
SHOWN = [("changes", "update,remove"), ("+ entries", "")]
"""What the log shows: the corrections and removals (the default: what the log is read for),
or also the record of every new mark, absence and period mark (thousands a term)."""
WORDS = {"period_mark": "period mark"}


def state_text(state: dict[str, object] | None) -> str:
    """A record's before or after in a few words: the value first."""
    if not state:
        return "—"
    for key in ("value", "kind", "topic", "text"):
        if key in state and state[key] not in ("", None):
            value = " ".join(str(state[key]).split())
            if key == "value" and state.get("weight") not in (None, 1):
                value += f"×{state['weight']}"
            return value
    return ", ".join(f"{k}={v}" for k, v in state.items())


def state_json(state: dict[str, object] | None) -> str:
    return "—" if state is None else json.dumps(state, ensure_ascii=False)


def change_text(entry: AuditEntry) -> str:
    """``mark 3→4``, ``+absence illness``, ``−mark 5``."""
    thing = WORDS.get(entry.entity, entry.entity)
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
    """The whole record, plain text."""
    lines = [
        Content.styled(f"Record {entry.id}", "bold"),
        Content(f"When:    {when(entry, zone):%Y-%m-%d %H:%M:%S %Z}"),
        Content(f"Who:     {entry.actor or '—'}"),
        Content(f"Pupil:   {entry.pupil or '—'} {entry.class_name}".rstrip()),
        Content(f"Subject: {entry.subject or '—'}"),
        Content(f"Lesson:  {entry.lesson_date.isoformat() if entry.lesson_date else '—'}"),
        Content(
            f"What:    {entry.action} {WORDS.get(entry.entity, entry.entity)} {entry.entity_id}"
        ),
        Content(f"Before:  {state_json(entry.before)}"),
        Content(f"After:   {state_json(entry.after)}"),
        Content(f"Reason:  {entry.reason or '—'}"),
        Content(""),
        Content.styled("Escape closes.", MUTED),
    ]
    return Content("\n").join(lines)


@dataclass(frozen=True, slots=True)
class Filters:
    pupil: str | None
    teacher: str | None
    start: dt.date | None
    end: dt.date | None
    entity: str | None
    actions: tuple[str, ...] | None


class AuditScreen(DiaryScreen):
    TITLE = "Audit log"
    NAME = "audit"
    HELP = """
Every change of a mark, an absence, homework, a lesson topic or a period mark, newest first:
when, who made it, about which pupil, what it was before and after, and the reason given.
Nothing in the diary is changed without a record here, and the log is hash-chained: the
server can prove no record was altered or removed (diary-server audit verify).

Filters: the pupil and the person who made the change (a login or an id), the first and last
day (YYYY-MM-DD), the kind of change, and "changes" (corrections and removals, the default)
or "+ entries" (also the record of every new mark, absence and period mark). Type in a filter
and press Enter to apply them all. Enter on a row shows the whole record; n loads older
records.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("n", "older", "Older", id="audit.older"),
        Binding("f", "filters", "Filters", id="audit.filters"),
        Binding("r", "reload", "Reload", id="audit.reload"),
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
        yield Static(Content("Audit log"), id="audit-title")
        with Horizontal(id="audit-filters"):
            yield Input(placeholder="pupil", id="audit-pupil")
            yield Input(placeholder="changed by", id="audit-teacher")
            yield Input(placeholder="from", id="audit-from")
            yield Input(placeholder="to", id="audit-to")
            yield Select(ENTITIES, value="", allow_blank=False, id="audit-entity")
            yield Select(SHOWN, value=SHOWN[0][1], allow_blank=False, id="audit-action")
        yield RowTable(id="audit-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self._columns()
        self.query_one(DataTable).focus()
        self.load(append=False)

    # -- loading --------------------------------------------------------------------------

    def _filters(self) -> Filters:
        entity = self.query_one("#audit-entity", Select).value
        shown = self.query_one("#audit-action", Select).value
        return Filters(
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
        self.refresh_status("loading…")
        page: AuditPage = await self.data.load(
            endpoints.audit(
                pupil=filters.pupil,
                teacher=filters.teacher,
                start=filters.start,
                end=filters.end,
                entity=filters.entity,
                actions=filters.actions,
                before=before,
                limit=PAGE,
            )
        )
        if not append:
            self.entries = []
        self.entries.extend(page.entries)
        self.next_before = page.next_before
        self.paint(reset=not append, added=page.entries)

    def action_reload(self) -> None:
        self.load(append=False)

    def action_older(self) -> None:
        if self.next_before is None:
            self.notify("There are no older records.")
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
        """Who, pupil, change, reason: the screen's width shared out."""
        if self.size.width >= 110:
            who, pupil, change = 20, 24, 28
        else:
            who, pupil, change = 12, 15, 13
        reason = max(self.size.width - 11 - who - pupil - change - 13, 8)
        return who, pupil, change, reason

    def _columns(self) -> None:
        table: DataTable[Content | str] = self.query_one(DataTable)
        table.clear(columns=True)
        who, pupil, change, reason = self._widths()
        for label, width in (
            ("When", 11),
            ("Who", who),
            ("Pupil", pupil),
            ("Change", change),
            ("Reason", reason),
        ):
            table.add_column(label, width=width)

    def paint(self, *, reset: bool, added: list[AuditEntry]) -> None:
        count = len(self.entries)
        if self.next_before is not None:
            said, more = f" · {count}+ records: the newest {count} shown", " · n: older"
        else:
            said, more = f" · {count} record{'s' if count != 1 else ''}, newest first", ""
        self.query_one("#audit-title", Static).update(
            Content.assemble(("Audit log", "bold"), said, (more, MUTED))
        )
        table: DataTable[Content | str] = self.query_one(DataTable)
        if reset:
            self._columns()
        if reset and not added:
            table.add_row(Content.styled("No records match these filters.", MUTED), "", "", "", "")
        wide = self.size.width >= 110
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
