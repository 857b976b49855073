"""What every screen of the app shares: the data layer, F1 help, the status line and one
handler that turns any failed worker into a plain-words notification."""

from __future__ import annotations

from typing import ClassVar, Protocol, cast

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from api_client.models import ChangeItem
from diary_tui.data import DiaryData, Me, Offline, describe_error
from diary_tui.help import HelpScreen
from diary_tui.navigation import DESTINATIONS, Destination, destinations_for
from diary_tui.store import OutboxItem
from diary_tui.widgets import NavBar, StatusLine


class Navigator(Protocol):
    """What a screen asks of the app to move between screens."""

    def go(self, name: str) -> None: ...

    def available_screens(self) -> frozenset[str]: ...


def navigation_bindings() -> list[BindingType]:
    """One binding per destination (``nav.week``, ...), hidden from the footer: the
    navigation bar at the top shows them."""
    bindings: list[BindingType] = [
        Binding(d.key, f"go('{d.name}')", d.title, id=f"nav.{d.name}", show=False)
        for d in DESTINATIONS
    ]
    bindings.append(Binding("c", "next_child", "Next child", id="app.next_child", show=False))
    return bindings


#: Kinds of change that concern a screen whatever child it shows (its own are not news).
LIVE_KINDS_BY_SCREEN: dict[str, tuple[str, ...]] = {
    "messages": ("message.",),
    "news": ("announcement.", "event."),
}


class DiaryScreen(Screen[None]):
    """A full screen of the app."""

    HELP: ClassVar[str] = ""
    """Shown by F1, followed by the screen's keys."""
    TITLE: ClassVar[str] = "Diary"
    NAME: ClassVar[str] = ""
    """The destination this screen is (see ``diary_tui.navigation``); empty for none."""

    BINDINGS: ClassVar[list[BindingType]] = navigation_bindings()

    def __init__(self, data: DiaryData) -> None:
        super().__init__()
        self.data = data

    def on_mount(self) -> None:
        if self.data.me is None:
            self.data.cached_me()  # who this is, from the store: the bar shows the right screens
        self.refresh_status()
        self.refresh_nav()

    def refresh_status(self, note: str = "") -> None:
        for line in self.query(StatusLine):
            line.show(self.data.state, self.data.clock(), note)

    # -- navigation and the current child -------------------------------------------------

    @property
    def navigator(self) -> Navigator:
        return cast(Navigator, self.app)

    def destinations(self) -> list[Destination]:
        return destinations_for(self.data.me, self.navigator.available_screens())

    def refresh_nav(self) -> None:
        """Redraw the navigation bar (call after ``me`` or the child changed)."""
        children = self.data.children
        for bar in self.query(NavBar):
            bar.show(self.destinations(), self.data.child, self.data.child_index, len(children))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            name = str(parameters[0]) if parameters else ""
            return name != self.NAME and any(d.name == name for d in self.destinations())
        if action == "next_child":
            return len(self.data.children) > 1
        return True

    def action_go(self, name: str) -> None:
        self.navigator.go(name)

    def action_next_child(self) -> None:
        """Show the next child's diary on this screen (a parent with several children)."""
        if self.data.next_child() is None:
            return
        self.refresh_nav()
        self.child_changed()

    def child_changed(self) -> None:
        """Screens that show a child's data reload it here."""

    # -- live changes (diary_tui.live) ------------------------------------------------------

    def changes_arrived(self, changes: list[ChangeItem]) -> None:
        """Changes came from the server: refresh when one is about what this screen shows."""
        if self.touched_by(changes):
            self.live_refresh()
        self.refresh_status()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        """Whether any of ``changes`` is about this screen's child: the child, the child's
        class, or a school-wide event. Screens that show something else override it."""
        kinds = LIVE_KINDS_BY_SCREEN.get(self.NAME, ())
        me = self.data.me
        if kinds and any(
            c.kind.startswith(kinds) and (me is None or c.actor_id != me.id) for c in changes
        ):
            return True
        child = self.data.child
        if child is None:
            return False
        class_id = child.class_.id if child.class_ is not None else None
        for change in changes:
            if change.pupil_id is not None:
                if change.pupil_id == child.id:
                    return True
            elif change.class_id is not None:
                if change.class_id == class_id:
                    return True
            elif change.kind.startswith("event."):
                return True
        return False

    def live_refresh(self) -> None:
        """Reload what the screen shows (its ``action_reload``, if it has one)."""
        reload = getattr(self, "action_reload", None)
        if callable(reload):
            reload()

    WRITES: ClassVar[tuple[str, ...]] = ()
    """The outbox writes (``op``) this screen shows waiting: it reloads when one is settled."""

    def write_settled(self, item: OutboxItem) -> None:
        """The server answered a write from the outbox (perhaps typed long ago, offline)."""
        self.refresh_status()
        if item.op in self.WRITES:
            self.live_refresh()

    def link_changed(self, online: bool, *, recovered: bool = False) -> None:
        """The server went away or came back; back after a break, the screen refreshes."""
        self.refresh_status()
        if recovered:
            self.live_refresh()

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
                    self.notify(describe_error(error), severity="warning", timeout=8, markup=False)
                else:
                    self.notify(describe_error(error), severity="error", timeout=8, markup=False)
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
