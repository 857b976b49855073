"""Settings: which live changes pop up, quiet hours and the terminal bell.

The preferences live in the ``[notifications]`` table of the config file; this screen edits
them and writes them back (comments and other settings in the file are kept).
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

import msgspec
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from api_client.models import ChangeItem
from diary_tui.config import (
    NOTIFICATION_GROUPS,
    ConfigError,
    Notifications,
    load_config,
    save_notifications,
)
from diary_tui.data import DiaryData
from diary_tui.widgets import KeyFooter, NavBar, StatusLine
from screens.base import DiaryScreen

BELL = "bell"


class HasNotifications(Protocol):
    notifications: Notifications | None


LABELS = {**NOTIFICATION_GROUPS, BELL: "Ring the terminal bell with a notification"}


def prompt(key: str, on: bool) -> Content:
    """A line of the list: the state in words too, so it reads without colour (NO_COLOR)."""
    state = Content.styled("on ", "bold $text-success") if on else Content.styled("off", "dim")
    return Content.assemble(state, " ", LABELS[key])


def selections(prefs: Notifications) -> list[Selection[str]]:
    items = [
        Selection(prompt(key, prefs.enabled(key)), key, prefs.enabled(key))
        for key in NOTIFICATION_GROUPS
    ]
    items.append(Selection(prompt(BELL, prefs.bell), BELL, prefs.bell))
    return items


def preferences_from(selected: list[str], quiet_from: str, quiet_to: str) -> Notifications:
    """The preferences the form shows; ValueError in plain words when they are wrong."""
    values: dict[str, object] = {key: key in selected for key in NOTIFICATION_GROUPS}
    values["bell"] = BELL in selected
    values["quiet_from"] = quiet_from.strip()
    values["quiet_to"] = quiet_to.strip()
    try:
        return msgspec.convert(values, Notifications)
    except msgspec.ValidationError as exc:
        raise ValueError(str(exc).split(" - at ")[0]) from None


class SettingsScreen(DiaryScreen):
    TITLE = "Settings"
    NAME = "settings"
    HELP = """
Which changes pop up as a notification while the diary is open, the quiet hours (no pop-ups
and no bell, e.g. 22:00 to 07:00) and the terminal bell.

Space switches the highlighted line on or off; Tab moves to the quiet hours; Ctrl+S saves to
the config file (its comments and other settings are kept).
"""

    BINDINGS = [
        Binding("f1", "help", "Help", id="settings.help"),
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "revert", "Revert", id="settings.revert"),
    ]

    DEFAULT_CSS = """
    SettingsScreen #settings-kinds { height: auto; max-height: 12; border: round $panel; }
    SettingsScreen #settings-quiet { height: 3; }
    SettingsScreen #settings-quiet Label { padding: 1 1 0 1; }
    SettingsScreen #settings-quiet Input { width: 12; }
    SettingsScreen #settings-title { height: 1; padding: 0 1; background: $boost; }
    SettingsScreen #settings-note { height: 1fr; padding: 0 1; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.prefs = Notifications()

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content.styled("Notifications of live changes", "bold"), id="settings-title")
        yield SelectionList[str](id="settings-kinds")
        with Horizontal(id="settings-quiet"):
            yield Label("Quiet from")
            yield Input(placeholder="HH:MM", id="quiet-from", max_length=5)
            yield Label("to")
            yield Input(placeholder="HH:MM", id="quiet-to", max_length=5)
            yield Label("(both empty: never quiet)")
        yield Static(Content(""), id="settings-note")
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(SelectionList).focus()
        current = getattr(self.app, "notifications", None)
        if isinstance(current, Notifications):
            self._show(current)
        else:
            self.load()

    def _show(self, prefs: Notifications) -> None:
        self.prefs = prefs
        kinds = self.query_one(SelectionList)
        kinds.clear_options()
        kinds.add_options(selections(prefs))
        kinds.highlighted = 0
        self.query_one("#quiet-from", Input).value = prefs.quiet_from
        self.query_one("#quiet-to", Input).value = prefs.quiet_to

    def _note(self, text: str, style: str = "dim") -> None:
        self.query_one("#settings-note", Static).update(Content.styled(text, style))

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def load(self) -> None:
        try:
            prefs = (await asyncio.to_thread(load_config)).notifications
        except ConfigError as exc:
            self._note(str(exc), "$text-error")
            prefs = Notifications()
        self._show(prefs)

    def form(self) -> Notifications:
        selected = list(self.query_one(SelectionList).selected)
        return preferences_from(
            [str(key) for key in selected],
            self.query_one("#quiet-from", Input).value,
            self.query_one("#quiet-to", Input).value,
        )

    def action_save(self) -> None:
        try:
            prefs = self.form()
        except ValueError as exc:
            self._note(f"Not saved: {exc}.", "$text-error")
            return
        self.save(prefs)

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def save(self, prefs: Notifications) -> None:
        try:
            await asyncio.to_thread(save_notifications, prefs)
        except (ConfigError, OSError) as exc:
            self._note(f"Not saved: {exc}", "$text-error")
            return
        self.prefs = prefs
        cast(HasNotifications, self.app).notifications = prefs
        self._note("Saved.", "$text-success")

    def action_revert(self) -> None:
        self._show(self.prefs)
        self._note("Back to the saved settings.")

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        kinds = self.query_one(SelectionList)
        key = str(event.selection.value)
        kinds.replace_option_prompt_at_index(
            event.selection_index, prompt(key, key in kinds.selected)
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        return False
