"""What every screen of the app shares: the data layer, F1 help, the status line and one
handler that turns any failed worker into a plain-words notification; and the cycle of the
screens that show one child's data (``ChildScreen``): painted from the local store first and
refreshed in a worker, never another child's.

A ``ChildScreen`` says how to read its data from the store (``cached``), how to fetch it
(``fetch``), and how to paint it (``paint``). An answer that arrives after the user switched
child, or asked for another period or week, is dropped: it belongs to a screen no longer shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import Worker, WorkerState

from api_client.endpoints import Get
from api_client.i18n import N_, _
from api_client.models import ChangeItem, PeriodRef
from diary_tui.data import (
    AuthenticationError,
    DiaryData,
    Me,
    NotSignedIn,
    Offline,
    PupilRef,
    describe_error,
)
from diary_tui.help import HelpScreen
from diary_tui.keys import key_label, key_of, localized, with_keys
from diary_tui.navigation import DESTINATIONS, Destination, destinations_for
from diary_tui.store import OutboxItem
from diary_tui.ui import MUTED, plain, role_name
from diary_tui.widgets import DiaryList, KeyFooter, NavBar, StatusLine


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
    bindings.append(Binding("c", "next_child", N_("Next child"), id="app.next_child", show=False))
    return bindings


#: Kinds of change that concern a screen whatever child it shows (its own are not news).
LIVE_KINDS_BY_SCREEN: dict[str, tuple[str, ...]] = {
    "messages": ("message.",),
    "news": ("announcement.", "event."),
}


def list_layout(name: str, title_id: str, list_id: str) -> ComposeResult:
    """The widgets of a screen that is one list: the navigation bar, a one-line title (empty
    until the screen paints it), the list, the status line and the key footer. The title and
    the list carry the classes ``list-title`` and ``list-body`` (styled for every
    ``ListScreen`` by the app's stylesheet)."""
    yield NavBar(name)
    yield Static(Content(""), id=title_id, classes="list-title")
    yield DiaryList(id=list_id, classes="list-body")
    yield StatusLine()
    yield KeyFooter()


class Choice(Protocol):
    """A thing a list shows as one choice, named ``{prefix}{id}``."""

    @property
    def id(self) -> int: ...


L = TypeVar("L", bound=Choice)


def under_cursor(option_list: OptionList, items: Iterable[L] | None, prefix: str) -> L | None:
    """The item of ``items`` whose choice (``{prefix}{id}``) is under the list's cursor."""
    option = option_list.highlighted_option
    if items is None or option is None or option.id is None:
        return None
    return next((item for item in items if f"{prefix}{item.id}" == option.id), None)


def choice_width(option_list: OptionList) -> int:
    """The width a choice may take in ``option_list`` (at least 30): its width inside the
    scroll bar less the choice's padding; before the list is laid out, the terminal's."""
    width = option_list.scrollable_content_region.width
    if width <= 0:
        width = option_list.app.size.width - 2
    return max(width - 2, 30)


class DiaryScreen(Screen[None]):
    """A full screen of the app.

    Its words are written in English and marked: ``TITLE``, ``HELP`` and the descriptions of
    ``BINDINGS`` with ``N_()`` (translated where shown, so the footer and F1 help follow the
    language switched in Settings), the rest with ``_()`` where the screen builds its
    widgets. Switching the language builds the screen again (``rebuilt``)."""

    HELP: ClassVar[str] = ""
    """Shown by F1, followed by the screen's keys."""
    TITLE: ClassVar[str] = N_("Diary")
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

    def rebuilt(self) -> DiaryScreen:
        """This screen made again, in the language now in force: it paints from the store at
        once. Screens built with more than the data override it."""
        return type(self)(self.data)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys that work here, described in the language in force (the footer and F1
        help show these)."""
        return localized(super().active_bindings)

    def refresh_status(self, note: str = "") -> None:
        for line in self.query(StatusLine):
            line.show(self.data.state, self.data.clock(), self.data.zone, note)

    # -- navigation and the current child -------------------------------------------------

    @property
    def navigator(self) -> Navigator:
        return cast(Navigator, self.app)

    def offered(self) -> list[Destination]:
        """The screens this user may open (from the palette always)."""
        return destinations_for(self.data.me, self.navigator.available_screens())

    def destinations(self) -> list[Destination]:
        """The navigation bar's entries: a key this screen gives another meaning (the
        journal's ``b`` marks a pupil ill) is not offered there for another screen, so no
        key means two things on one screen and the bar says what each key does here. This
        screen's own entry stays, without a key it uses otherwise."""
        taken = self.keys_taken()
        shown = []
        for d in self.offered():
            if d.key not in taken:
                shown.append(d)
            elif d.name == self.NAME:
                shown.append(dataclasses.replace(d, key=""))
        return shown

    def keys_taken(self) -> set[str]:
        """The keys bound here, by the screen or a widget on it, to something other than
        going to another screen (a binding whose ``check_action`` is False is not in force:
        a read-only journal leaves ``b`` to the news)."""
        taken: set[str] = set()
        for node in (self, *self.query("*")):
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    if (binding.id or "").startswith("nav."):
                        continue
                    action = binding.action.split("(", 1)[0]
                    if node.check_action(action, ()) is not False:
                        taken.add(key)
        return taken

    def refresh_nav(self) -> None:
        """Redraw the navigation bar (call after ``me`` or the child changed)."""
        children = self.data.children
        for bar in self.query(NavBar):
            bar.show(
                self.destinations(),
                self.data.child,
                self.data.child_index,
                len(children),
                self.key_of("app.next_child"),
            )
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            name = str(parameters[0]) if parameters else ""
            return name != self.NAME and any(d.name == name for d in self.offered())
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
            keys.append(
                (key_label(self.app.get_key_display(binding), binding.key), binding.description)
            )
        self.app.push_screen(HelpScreen(_(self.TITLE), self.help_text(), keys))

    def help_text(self) -> str:
        """F1's text in the language in force, each ``{binding.id}`` in it the key of that
        binding (:func:`diary_tui.keys.with_keys`); a screen with other words to fill in
        overrides it."""
        return with_keys(self, _(self.HELP)) if self.HELP else ""

    def reload_key(self) -> str:
        """The key that refreshes this screen (its binding of ``reload``) as bound, for a
        hint that says how to try again."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == "reload" and binding.id:
                    return self.key_of(binding.id)
        return ""

    def key_of(self, binding_id: str, *, every: bool = False) -> str:
        """The key of the binding ``binding_id`` as a person reads it in the language in
        force (``A (Ф)`` in Russian): the key in force after the user's keymap
        (:func:`diary_tui.keys.key_of`)."""
        return key_of(self, binding_id, every=every)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            assert error is not None
            if not self.worker_failed(error):
                if isinstance(error, NotSignedIn):
                    pass  # said once when the copy opened, and the status line says it
                elif isinstance(error, Offline):
                    self.notify(describe_error(error), severity="warning", timeout=8, markup=False)
                else:
                    self.notify(describe_error(error), severity="error", timeout=8, markup=False)
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.refresh_status()

    ENDS_SESSION: ClassVar[bool] = False
    """Whether an authentication error in a worker ends the session (the login form opens and
    says why) instead of being notified."""

    def worker_failed(self, error: BaseException) -> bool:
        """Screens hook here to react to a failure; True when the screen showed it itself.
        An authentication error ends the session on the screens that say so (``ENDS_SESSION``);
        any other failure goes to ``load_failed`` and is then notified."""
        if self.ENDS_SESSION and isinstance(error, AuthenticationError):
            self.post_message(SessionEnded(error.message))
            return True
        self.load_failed()
        return False

    def load_failed(self) -> None:
        """A worker failed and the session goes on: a screen whose data was never loaded on
        this computer says so here."""

    def action_help(self) -> None:
        self.show_help()


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


# -- a child's data -------------------------------------------------------------------------

T = TypeVar("T")

NEVER_LOADED_ACCOUNT = N_(
    "This account was never loaded on this computer; the diary will appear when the server "
    "can be reached."
)


class ChildScreen(DiaryScreen, Generic[T]):
    """A screen of one child's data (the current child of ``self.data``)."""

    ENDS_SESSION = True

    WHAT: ClassVar[str] = N_("data")
    """What the screen shows, for messages: ``N_("grades")``, ``N_("homework")``, ..."""

    class MeLoaded(Message):
        def __init__(self, me: Me) -> None:
            super().__init__()
            self.me = me

    class Loaded(Message):
        def __init__(self, pupil_id: int, key: object, value: Any) -> None:
            super().__init__()
            self.pupil_id = pupil_id
            self.key = key
            self.value = value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value: T | None = None
        """What is on screen now (for the current child and key)."""
        self.shown_pupil: int | None = None

    # -- to override --------------------------------------------------------------------

    def load_key(self) -> object:
        """What besides the child selects the data (a period); part of every request."""
        return None

    def cached(self, pupil_id: int) -> T | None:
        raise NotImplementedError

    async def fetch(self, pupil_id: int) -> T:
        raise NotImplementedError

    def paint(self, value: T) -> None:
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        raise NotImplementedError

    def update_title(self) -> None:
        """Redraw the title line (after the child, the data or the key changed)."""

    def loading_text(self) -> str:
        """Shown while data never loaded here is on its way."""
        return _("Loading {what}…").format(what=_(self.WHAT))

    def never_loaded_text(self, child: PupilRef) -> str:
        """Shown when data never loaded here cannot be fetched."""
        return _(
            "The {what} of {name} were never loaded on this computer; they will appear when "
            "the server can be reached ({key} tries again)."
        ).format(what=_(self.WHAT), name=plain(child.full_name), key=self.reload_key())

    # -- the cycle ----------------------------------------------------------------------

    @property
    def child(self) -> PupilRef | None:
        return self.data.child

    def on_mount(self) -> None:
        super().on_mount()
        me = self.data.me or self.data.cached_me()
        if me is not None:
            self._set_me(me)
        else:
            self.show_message(_("Loading…"))
        if me is None or self.data.state.online is not True:
            self.load_me()

    def _set_me(self, me: Me) -> None:
        self.refresh_nav()
        if not me.children:
            self.value = None
            self.update_title()
            self.show_message(
                _("{name} ({role}) has no pupil's {what} to show.").format(
                    name=plain(me.full_name), role=role_name(me.role), what=_(self.WHAT)
                )
            )
            return
        if self.shown_pupil is None or self.shown_pupil != (self.child and self.child.id):
            self.show_current()

    def show_current(self) -> None:
        """Paint the current child's data from the store, then refresh it from the server."""
        child = self.child
        if child is None:
            return
        if self.shown_pupil != child.id:
            self.value = None
        self.shown_pupil = child.id
        self.update_title()
        cached = self.cached(child.id)
        if cached is not None:
            self.value = cached
            self.paint(cached)
        else:
            self.value = None
            self.show_message(self.loading_text())
        self.load(child.id, self.load_key())

    def child_changed(self) -> None:
        self.show_current()

    def action_reload(self) -> None:
        self.load_me()
        if self.child is not None:
            self.load(self.child.id, self.load_key())

    @work(exclusive=True, group="me", exit_on_error=False)
    async def load_me(self) -> None:
        me = await self.data.load_me()
        self.post_message(self.MeLoaded(me))

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self, pupil_id: int, key: object) -> None:
        value = await self.fetch(pupil_id)
        self.post_message(self.Loaded(pupil_id, key, value))

    @on(MeLoaded)
    def _me_loaded(self, event: MeLoaded) -> None:
        self._set_me(event.me)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        child = self.child
        if child is None or event.pupil_id != child.id or event.key != self.load_key():
            return  # an answer for a child or a period no longer shown
        self.value = event.value
        self.update_title()
        self.paint(event.value)

    def load_failed(self) -> None:
        if self.data.me is None:
            self.show_message(_(NEVER_LOADED_ACCOUNT))
        elif self.value is None and self.child is not None:
            self.show_message(self.never_loaded_text(self.child))


# -- a child's data by period ---------------------------------------------------------------


class ByPeriod(Protocol):
    """What a screen by period shows: the period shown (None: the whole year) and the others."""

    @property
    def period(self) -> PeriodRef | None: ...

    @property
    def periods(self) -> list[PeriodRef]: ...


P = TypeVar("P", bound=ByPeriod)


def period_bindings(screen: str) -> list[BindingType]:
    """[ and ] step through the periods (the terms, then the whole year)."""
    return [
        Binding(
            "left_square_bracket", "previous_period", N_("Prev period"), id=f"{screen}.previous"
        ),
        Binding("right_square_bracket", "next_period", N_("Next period"), id=f"{screen}.next"),
    ]


def period_after(value: ByPeriod, step: int) -> str:
    """The period ``]`` (``step`` 1) or ``[`` (-1) goes to from the one ``value`` shows: the
    periods in order, then the whole year (``year``), and round again."""
    choices = [str(p.id) for p in value.periods] + ["year"]
    current = str(value.period.id) if value.period is not None else "year"
    index = choices.index(current) if current in choices else -1
    return choices[(index + step) % len(choices)]


class PeriodKeys:
    """[ and ] (``period_bindings``) on a screen that shows one period at a time: the period
    asked for goes to ``period`` and the screen shows it (``show_current``). Mixed in after
    the screen's base, whose ``show_current`` comes first."""

    period: str | None
    """The period asked for: None (the current one), a period id, or ``year``."""

    def period_shown(self) -> ByPeriod | None:
        """What the keys step from (None: nothing by period is shown)."""
        raise NotImplementedError

    def show_current(self) -> None:
        raise NotImplementedError

    def _step_period(self, step: int) -> None:
        value = self.period_shown()
        if value is None:
            return
        self.period = period_after(value, step)
        self.show_current()

    def action_next_period(self) -> None:
        self._step_period(1)

    def action_previous_period(self) -> None:
        self._step_period(-1)


class PeriodScreen(ChildScreen[P], PeriodKeys):
    """A child's data in one period at a time; [ and ] (``period_bindings``) switch it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period: str | None = None
        """The period asked for: None (the current one), a period id, or ``year``."""

    def load_key(self) -> object:
        return self.period

    def period_shown(self) -> ByPeriod | None:
        return self.value


# -- one list of the user's things ------------------------------------------------------------


class ListScreen(DiaryScreen, Generic[T]):
    """A screen that is one list of the user's things (blogs, message threads, news): the
    navigation bar, a one-line title, the list, the status line and the keys (``list_layout``,
    styled by the app's stylesheet). It paints from the store first and refreshes in a worker
    (``show``, ``load``); an answer for another list than the one shown now (another child's
    news) is dropped; Enter on a choice opens it (``open_choice``); a resize repaints the list
    when its width changed; with nothing ever loaded, the list says so (``NEVER_LOADED``).

    A list screen says which GET it shows (``source``), what is painted (``painted``) and how
    to paint it (``paint``)."""

    TITLE_ID: ClassVar[str] = ""
    LIST_ID: ClassVar[str] = ""
    LOADING: ClassVar[str] = ""
    """What the list says while its first answer comes (marked ``N_()``)."""
    NEVER_LOADED: ClassVar[str] = ""
    """What it says when offline with no copy on this computer (marked ``N_()``)."""

    class Listed(Message):
        """The answer of ``get``, loaded in a worker."""

        def __init__(self, get: Get[Any], value: Any) -> None:
            super().__init__()
            self.get = get
            self.value = value

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.painted_width = 0
        """The list's width when it was painted: a resize to another width repaints it."""

    def compose(self) -> ComposeResult:
        yield from list_layout(self.NAME, self.TITLE_ID, self.LIST_ID)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(OptionList).focus()
        self.show()

    # -- what each list says ------------------------------------------------------------------

    def source(self) -> Get[T]:
        """The one GET of the list shown now."""
        raise NotImplementedError

    def painted(self) -> T | None:
        """What the list shows now (None: nothing yet)."""
        raise NotImplementedError

    def paint(self, value: T) -> None:
        raise NotImplementedError

    def open_choice(self, option_id: str) -> None:
        """Enter on the choice ``option_id``."""

    def show_loading(self) -> None:
        """The list before its first answer."""
        self.say(_(self.LOADING))

    def waiting_options(self) -> list[Option]:
        """Lines shown below a said text: writes of this list still in the outbox."""
        return []

    async def before_load(self) -> None:
        """Anything the list needs from the server before its own GET."""

    # -- the cycle ----------------------------------------------------------------------------

    def show(self) -> None:
        """Paint the list from the store, then refresh it from the server."""
        cached = self.data.cached(self.source())
        if cached is not None:
            self.paint(cached)
        else:
            self.show_loading()
        self.load()

    @work(exclusive=True, group="list", exit_on_error=False)
    async def load(self) -> None:
        await self.before_load()
        await self.relist()

    async def relist(self) -> None:
        """Load the list shown now (in the caller's worker) and paint it when it comes."""
        get = self.source()
        self.post_message(self.Listed(get, await self.data.load(get)))

    @on(Listed)
    def _listed(self, event: Listed) -> None:
        if event.get == self.source():  # else a list no longer shown (another child's)
            self.paint(event.value)

    def action_reload(self) -> None:
        self.load()

    def load_failed(self) -> None:
        if self.painted() is None:
            self.say(_(self.NEVER_LOADED))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == self.LIST_ID and event.option.id is not None:
            self.open_choice(event.option.id)

    # -- drawing ------------------------------------------------------------------------------

    def list_width(self) -> int:
        return choice_width(self.query_one(OptionList))

    def say(self, text: str) -> None:
        """The list is one muted line of text (then any waiting writes)."""
        self.query_one(OptionList).set_options(
            [Option(Content.styled(text, MUTED), disabled=True), *self.waiting_options()]
        )

    def set_choices(
        self, options: list[Option], *, prefer: str | None = None, first: bool = True
    ) -> None:
        """Show ``options`` with the cursor kept on the choice it was on (or on ``prefer``),
        else on the first line when ``first``."""
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted_option
        keep = prefer or (highlighted.id if highlighted is not None else None)
        option_list.set_options(options)
        if keep is not None:
            try:
                option_list.highlighted = option_list.get_option_index(keep)
                return
            except OptionDoesNotExist:
                pass
        if first:
            option_list.highlighted = 0

    def on_resize(self) -> None:
        self.call_after_refresh(self._repaint_if_resized)

    def _repaint_if_resized(self) -> None:
        painted = self.painted()
        if painted is not None and self.list_width() != self.painted_width:
            self.paint(painted)
