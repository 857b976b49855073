"""What every screen of the app shares: the data layer, F1 help, the status line and one
handler that turns any failed worker into a plain-words notification."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from diary_tui.data import DiaryData, Me, Offline, describe_error
from diary_tui.help import HelpScreen
from diary_tui.widgets import StatusLine


class DiaryScreen(Screen[None]):
    """A full screen of the app."""

    HELP: ClassVar[str] = ""
    """Shown by F1, followed by the screen's keys."""
    TITLE: ClassVar[str] = "Diary"

    def __init__(self, data: DiaryData) -> None:
        super().__init__()
        self.data = data

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self, note: str = "") -> None:
        for line in self.query(StatusLine):
            line.show(self.data.state, self.data.clock(), note)

    def show_help(self) -> None:
        keys: list[tuple[str, str]] = []
        seen: set[str] = set()
        for active in self.app.active_bindings.values():
            binding = active.binding
            if binding.id is None or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            keys.append((self.app.get_key_display(binding), binding.description))
        self.app.push_screen(HelpScreen(self.TITLE, self.HELP, keys))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            assert error is not None
            if not self.worker_failed(error):
                if isinstance(error, Offline):
                    self.notify(describe_error(error), severity="warning", timeout=8)
                else:
                    self.notify(describe_error(error), severity="error", timeout=8)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.refresh_status()

    def worker_failed(self, error: BaseException) -> bool:
        """Screens hook here to react to a failure; True when the screen showed it itself."""
        return False


class LoggedIn(Message):
    """A session is open (by password, by a remembered token or as a demo account)."""

    def __init__(self, me: Me | None) -> None:
        super().__init__()
        self.me = me


class SessionEnded(Message):
    """The session ended (logout, or the remembered login stopped working)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason


class ShowLogin(Message):
    """The user asked for the login form."""
