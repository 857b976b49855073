"""The Textual app: screens, the session, F1 help, the command palette and the keymap.

``DiaryApp`` takes its dependencies in the constructor (the server address, an httpx
transport for tests, the keyring, a frozen date and clock), so tests run it against the real
server in-process and nothing of the user's own machine leaks in.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from api_client import i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import ChangeItem
from diary_tui.clock import utcnow
from diary_tui.commands import PaletteCommand, ScreensProvider
from diary_tui.config import Notifications
from diary_tui.data import CredentialStore, DemoAccount, DiaryData, describe_error
from diary_tui.keys import latin_twin, with_keys
from diary_tui.live import AuditLogChanged, ChangesArrived, LinkChanged, LiveSync
from diary_tui.navigation import destinations_for, home_for
from diary_tui.store import CONFLICT, REFUSED, OutboxItem
from screens.base import DiaryScreen, LoggedIn, SessionEnded, ShowLogin

if TYPE_CHECKING:
    import httpx

    from diary_tui.sync import SyncEngine

# Imported where they are used, not here: the login and chooser screens and the outbox's sync
# engine are not needed to paint a remembered login's first screen from the local store.

REFUSED_THINGS = {
    "mark.create": N_("A new mark"),
    "mark.update": N_("A change to a mark"),
    "mark.remove": N_("Removing a mark"),
    "absence.set": N_("An absence"),
    "absence.remove": N_("Removing an absence"),
    "period_mark.set": N_("A period mark"),
    "topic.set": N_("A lesson's topic"),
    "homework.set": N_("Homework"),
    "week.sign": N_("Signing the week"),
    "notice.create": N_("An absence notice"),
    "notice.withdraw": N_("Withdrawing an absence notice"),
    "message.reply": N_("A reply"),
    "thread.create": N_("A new message"),
    "chat.post": N_("A message in the class chat"),
    "chat.hide": N_("Hiding a chat message"),
    "chat.state": N_("Closing or opening the class chat"),
    "class_message.send": N_("A message to the class's parents"),
    "homework_done.set": N_("A homework tick"),
    "consent.accept": N_("Your consent"),
    "consent.withdraw": N_("Withdrawing your consent"),
    "meeting.create": N_("A new parent meeting"),
    "meeting.update": N_("A change to a parent meeting"),
    "meeting.answer": N_("Your answer to a parent meeting"),
    "meeting.minutes": N_("A meeting's minutes"),
}
"""What a refused outbox write was, in words (by its ``op``), translated where said."""

SYSTEM_COMMANDS = {
    "Bell": N_("Bell"),
    "Ring the bell": N_("Ring the bell"),
    "Theme": N_("Theme"),
    "Change the current theme": N_("Change the current theme"),
    "Quit": N_("Quit"),
    "Quit the application as soon as possible": N_("Quit the application as soon as possible"),
    "Keys": N_("Keys"),
    "Hide the keys and widget help panel": N_("Hide the keys and widget help panel"),
    "Show help for the focused widget and a summary of available keys": N_(
        "Show help for the focused widget and a summary of available keys"
    ),
    "Minimize": N_("Minimize"),
    "Minimize the widget and restore to normal size": N_(
        "Minimize the widget and restore to normal size"
    ),
    "Maximize": N_("Maximize"),
    "Maximize the focused widget": N_("Maximize the focused widget"),
    "Screenshot": N_("Screenshot"),
    "Save an SVG 'screenshot' of the current screen": N_(
        "Save an SVG 'screenshot' of the current screen"
    ),
}
"""Textual's own palette commands and the app's bindings it adds (``palette``, the tooltip of
Ctrl+Q), marked here so the catalogs carry them; translated as the palette lists them."""
TEXTUAL_BINDINGS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Quit the app and return to the command prompt."),
)

FAMILY_WRITES = frozenset(
    {
        "week.sign",
        "notice.create",
        "notice.withdraw",
        "message.reply",
        "thread.create",
        "chat.post",
        "chat.hide",
        "chat.state",
        "class_message.send",
        "homework_done.set",
        "consent.accept",
        "consent.withdraw",
        "meeting.create",
        "meeting.update",
        "meeting.answer",
        "meeting.minutes",
    }
)
"""Writes no screen keeps a refusal of (the journal keeps its cells'): the notification is
where the user sees it, so it is dealt with once said."""

SCREEN_CLASSES: dict[str, str] = {
    "week": "screens.week:WeekScreen",
    "grades": "screens.grades:GradesScreen",
    "homework": "screens.homework:HomeworkScreen",
    "attendance": "screens.attendance:AttendanceScreen",
    "homeroom": "screens.homeroom:ClassScreen",
    "journal": "screens.journal:JournalScreen",
    "whatsnew": "screens.whatsnew:WhatsNewScreen",
    "settings": "screens.settings:SettingsScreen",
    "messages": "screens.messages:MessagesScreen",
    "chat": "screens.chat:ChatScreen",
    "news": "screens.announcements:NewsScreen",
    "blogs": "screens.blogs:BlogsScreen",
    "stats": "screens.stats:StatsScreen",
    "audit": "screens.audit:AuditScreen",
    "medical": "screens.medical:MedicalScreen",
    "users": "screens.users:UsersScreen",
    "setup": "screens.setup:SetupScreen",
    "bells": "screens.bells:BellsScreen",
}
"""Every destination of ``diary_tui.navigation`` that has a screen, by name, as
``module:Class``. A screen's module is imported when the screen first opens, so starting the
app costs only the screens it shows."""


def _typed_text(item: OutboxItem) -> str:
    """What the user typed in a refused write, to copy from the notification."""
    request = getattr(item.write, "request", None)
    typed = [
        text
        for name in ("subject", "body", "note", "title", "comment", "minutes")
        if isinstance(text := getattr(request, name, None), str) and text
    ]
    return ("\n" + _("You wrote: {text}").format(text="\n".join(typed))) if typed else ""


def screen_class(name: str) -> Callable[[DiaryData], DiaryScreen] | None:
    """The screen class registered as ``name``, imported on first use."""
    spec = SCREEN_CLASSES.get(name)
    if spec is None:
        return None
    module, _, cls = spec.partition(":")
    factory: Callable[[DiaryData], DiaryScreen] = getattr(importlib.import_module(module), cls)
    return factory


"""Every destination of ``diary_tui.navigation`` that has a screen, by name."""


class DiaryApp(App[None]):
    """The diary in a terminal."""

    CSS_PATH = "diary.tcss"
    TITLE = "Diary"
    COMMANDS = App.COMMANDS | {ScreensProvider}
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="app.help", show=False),
    ]

    def __init__(
        self,
        *,
        server: str | None = None,
        login: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        credentials: CredentialStore | None = None,
        today: dt.date | None = None,
        now: Callable[[], dt.datetime] | None = None,
        demo_accounts: list[DemoAccount] | None = None,
        keymap: Mapping[str, str] | None = None,
        data: DiaryData | None = None,
        theme: str | None = None,
        started: float | None = None,
        open_screen: str | None = None,
        live: bool | None = None,
        notifications: Notifications | None = None,
        language: str | None = None,
        configured_language: str | None = None,
        school_language: str | None = None,
    ) -> None:
        super().__init__()
        # The language: --lang or DIARY_LANG, the config file's, the locale; else the
        # school's, once known (``school_language`` when it is known before login: the demo).
        self.chosen_language = i18n.chosen(language, configured_language)
        """The language the user chose (None: the school's decides)."""
        i18n.set_language(self.chosen_language or school_language)
        self.title = _("Diary")
        # Live changes: on by default over the network; tests with an injected transport
        # switch them on when they want them (``live=True``).
        in_process = transport is not None or getattr(data, "_transport", None) is not None
        self._live = live if live is not None else not in_process
        self.notifications = notifications
        self._unannounced: list[ChangeItem] = []
        """The ``[notifications]`` preferences (read from the config file when None)."""
        if theme and theme in self.available_themes:
            self.theme = theme
        self.server = server or ""
        self.login_name = login or ""
        self.demo_accounts = list(demo_accounts or [])
        self._keymap = dict(keymap or {})
        self._started = started
        self._open_screen = open_screen
        if data is None:
            clock = now or utcnow
            data = DiaryData(
                transport=transport,
                credentials=credentials,
                clock=clock,
                today=(lambda: today) if today is not None else None,
            )
        self.data = data
        self._syncing = False
        self._sync_engine: SyncEngine | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Opening the diary…")), id="splash")

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)
        self.start()

    @work(exclusive=True, group="start", exit_on_error=False)
    async def start(self) -> None:
        """Open the first screen: the demo chooser, the remembered session, or the login."""
        if self.demo_accounts:
            self.show_chooser()
        elif self.server and self.login_name and self.data.open_saved(self.server, self.login_name):
            # A remembered login: paint the saved diary at once, then open the session (the
            # keyring and the network stack load meanwhile; the screen's refresh waits for it).
            self.go(self._first_screen())
            self._log_started()
            if await self.data.resume(self.server, self.login_name):
                self._start_session_work()
            else:
                await self.data.close()
                self.show_login(_("Log in again: the saved login was not found in the keyring."))
        elif (
            self.server and self.login_name and await self.data.resume(self.server, self.login_name)
        ):
            self.data.cached_me()
            self.show_home()
        elif not await self.open_saved_copy():
            self.show_login()
        self._log_started()

    async def open_saved_copy(self, server: str = "", login: str = "") -> bool:
        """No session can be opened, and the server does not answer: open this computer's copy
        of the account read-only and say so plainly (True), rather than a login form that
        cannot succeed (False: no copy, or the server answers)."""
        server, login = server or self.server, login or self.login_name
        if not server or not login or not self.data.has_saved_copy(server, login):
            return False
        if await self.data.server_answers(server):
            return False
        if not self.data.open_read_only(server, login):
            return False
        from diary_tui.data import NOT_SIGNED_IN

        self.go(self._first_screen())
        self.notify(
            _(NOT_SIGNED_IN), title=_("Offline"), severity="warning", timeout=15, markup=False
        )
        return True

    def _log_started(self) -> None:
        if self._started is not None:
            self.log.info(f"started in {(time.perf_counter() - self._started) * 1000:.0f} ms")
            self._started = None

    # -- screens ----------------------------------------------------------------------

    def _show(self, screen: DiaryScreen) -> None:
        while not isinstance(self.screen, DiaryScreen) and len(self.screen_stack) > 1:
            self.pop_screen()  # a modal (help, lesson detail) on top
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def show_login(self, message: str = "") -> None:
        from screens.login import LoginScreen

        self._show(
            LoginScreen(
                self.data,
                server=self.data.server or self.server,
                login=self.data.login_name or self.login_name,
                message=message,
            )
        )

    def show_chooser(self) -> None:
        from screens.chooser import ChooserScreen

        self._show(ChooserScreen(self.data, self.server, self.demo_accounts))

    def show_week(self) -> None:
        self.go("week")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification, always shown as plain text: its words may hold a server's detail,
        a name, a path or a translation, none of which is the program's markup (``[b]`` shown
        as typed, ``[/]`` never an error). Every screen's and dialog's ``notify`` comes here."""
        del markup
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def available_screens(self) -> frozenset[str]:
        return frozenset(SCREEN_CLASSES)

    def go(self, name: str) -> None:
        """Open the screen ``name`` (a destination of ``diary_tui.navigation``)."""
        factory = screen_class(name)
        if factory is None:
            self.notify(
                _("There is no screen called {name}.").format(name=repr(name)),
                severity="error",
                markup=False,
            )
            return
        current = self.screen
        if isinstance(current, DiaryScreen) and name == current.NAME:
            return
        self._show(factory(self.data))

    def show_home(self) -> None:
        """The first screen for this user's role, with the session's background work."""
        self._start_session_work()
        self.go(self._first_screen())

    def _first_screen(self) -> str:
        """The screen asked for on the command line (once, if the role has it), else home."""
        self._speak_the_schools_language()
        wanted, self._open_screen = self._open_screen, None
        offered = {d.name for d in destinations_for(self.data.me, self.available_screens())}
        if wanted is not None and wanted in offered:
            return wanted
        return home_for(self.data.me, self.available_screens())

    def _start_session_work(self) -> None:
        """Send the outbox and follow the server's changes (once the session is open)."""
        self.run_sync()
        if self._live:
            self.run_live()
        self.ask_consent()

    @work(exclusive=True, group="consent", exit_on_error=False)
    async def ask_consent(self) -> None:
        """A parent who has not accepted the school's current consent text is asked, once a
        start (``screens.dialogs.consent.ask_after_login``)."""
        from screens.dialogs.consent import ask_after_login

        await ask_after_login(cast("App[object]", self), self.data)

    @work(exclusive=True, group="live", exit_on_error=False)
    async def run_live(self) -> None:
        """Follow the server's changes for as long as the session lasts (``diary_tui.live``)."""
        if self.notifications is None:
            self.notifications = await self._load_notifications()
        await LiveSync(self.data, self.post_message).run()

    async def _load_notifications(self) -> Notifications:
        import asyncio

        from diary_tui.config import ConfigError, load_config

        try:
            return (await asyncio.to_thread(load_config)).notifications
        except ConfigError as exc:
            self.notify(str(exc), severity="warning", timeout=10, markup=False)
            return Notifications()

    @on(ChangesArrived)
    def _changes_arrived(self, event: ChangesArrived) -> None:
        # Changes that come together (a teacher entering a row of marks) make one notification.
        if not self._unannounced:
            self.set_timer(0.3, self._announce)
        self._unannounced.extend(event.changes)
        # The screen on top hears of them: a screen of the app, or a view over one (an open
        # thread) that shows what a change may be about.
        arrived = getattr(self.screen, "changes_arrived", None)
        if callable(arrived):
            arrived(event.changes)

    def _announce(self) -> None:
        from diary_tui.notify import announce

        changes, self._unannounced = self._unannounced, []
        prefs = self.notifications or Notifications()
        shown = getattr(self.screen, "shows_change", None)
        said = announce(
            changes,
            prefs,
            self.data.me,
            self.data.clock(),
            shown=shown if callable(shown) else None,
        )
        if said.lines:
            self.notify("\n".join(said.lines), title=_("What's new"), timeout=6, markup=False)
            if said.bell:
                self.bell()

    @on(AuditLogChanged)
    def _audit_log_changed(self, event: AuditLogChanged) -> None:
        self.notify(
            event.text, title=_("Audit log changed"), severity="error", timeout=30, markup=False
        )
        screen = self.screen
        if isinstance(screen, DiaryScreen):
            screen.refresh_status()

    @on(LinkChanged)
    def _link_changed(self, event: LinkChanged) -> None:
        if event.online and self._sync_engine is not None:
            self._sync_engine.kick()  # the server is back: what waits goes now, not after a pause
        screen = self.screen
        if isinstance(screen, DiaryScreen):
            screen.link_changed(event.online, recovered=event.recovered)

    def run_sync(self) -> None:
        """Send the outbox in a worker while it holds writes (started again by the next one)."""
        if self.data.store is None or getattr(self.data.store, "items", None) is None:
            return  # no session, or a store without an outbox (tests)
        engine = self.data.sync_engine()
        if engine is not self._sync_engine:
            # A new session: the old one's sender stops (its writes stay in its own store).
            self.workers.cancel_group(self, "sync")
            self._syncing = False
            self._sync_engine = engine
            engine.listen(self._sync_event)
        if self._syncing:
            return
        self._syncing = True
        self._send_outbox(engine)

    def _sync_event(self, event: object) -> None:
        from diary_tui.sync import Settled

        if isinstance(event, Settled):
            if event.item.state in REFUSED and not self.data.answered_here(event.item.id):
                self._refused(event.item)
            # The screen on top (a thread is a modal over the messages) and the screen under it.
            for screen in self.screen_stack[-2:]:
                settled = getattr(screen, "write_settled", None)
                if callable(settled):
                    settled(event.item)
        if self.data.state.outbox and not self._syncing:
            self.run_sync()

    def _refused(self, item: OutboxItem) -> None:
        """The server did not take a write: say so wherever the user is (the journal shows
        the cell; the status line counts what is still to deal with)."""
        thing = _(REFUSED_THINGS.get(item.op, N_("A change")))
        if item.state == CONFLICT and item.op not in FAMILY_WRITES:
            text = with_keys(
                self.screen,
                _(
                    "{thing} was changed by someone else meanwhile. In the journal, "
                    "{journal.keep_mine} keeps yours and {journal.take_theirs} takes theirs."
                ),
                thing=thing,
            )
        else:
            text = _("{thing} was not saved: {reason}").format(
                thing=thing, reason=item.error or _("the server refused it")
            )
        if item.op in FAMILY_WRITES:
            text += _typed_text(item)
            dismiss = getattr(self.data.store, "dismiss", None)
            if dismiss is not None:
                dismiss([item.id])
                self.data.state.refused = self.data.store.refused_count()  # type: ignore[union-attr]
        self.notify(text, title=_("Not saved"), severity="error", timeout=10, markup=False)
        screen = self.screen
        if isinstance(screen, DiaryScreen):
            screen.refresh_status()

    @work(group="sync", exit_on_error=False)
    async def _send_outbox(self, engine: SyncEngine) -> None:
        try:
            while not await engine.drain(stop_when_offline=False) or engine.store.outbox_count():
                pass
        finally:
            # No await between the last look at the outbox and this: a write enqueued from
            # now on starts a new worker.
            self._syncing = False

    @on(LoggedIn)
    def _logged_in(self, event: LoggedIn) -> None:
        self.show_home()

    @on(SessionEnded)
    def _session_ended(self, event: SessionEnded) -> None:
        self.show_login(event.reason)

    @on(ShowLogin)
    def _login_form(self) -> None:
        self.show_login()

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, DiaryScreen):
            screen.show_help()

    def action_log_out(self) -> None:
        """Log out; with writes still waiting to be sent, only after two questions that name
        them (logging out deletes this computer's copy, and the outbox with it)."""
        ops, refused = self.data.waiting_ops(), self.data.refused_ops()
        if not ops and not refused:
            self.log_out()
            return
        from diary_tui.sync import describe_unsent
        from screens.dialogs.confirm import ConfirmScreen

        count = len(ops) + len(refused)
        after = []
        if ops:
            after.append(_("Those waiting go by themselves once the server answers."))
        if refused:
            after.append(_("Those refused wait for you where they were typed."))
        first = _(
            "{unsent}.\n{after} Logging out now deletes this computer's copy of the diary, and "
            "them with it.\n\nLog out anyway?"
        ).format(unsent=describe_unsent(ops, refused), after=" ".join(after))
        second = ngettext(
            "Throw away {n} unsent write for good and log out? This cannot be undone.",
            "Throw away {n} unsent writes for good and log out? This cannot be undone.",
            count,
        ).format(n=count)

        def sure(yes: bool | None) -> None:
            if yes:
                self.log_out(discard_unsent=True)

        def asked(yes: bool | None) -> None:
            if yes:
                self.push_screen(ConfirmScreen(second), sure)

        self.push_screen(ConfirmScreen(first), asked)

    async def action_quit(self) -> None:
        """Quit; with writes still waiting to be sent, say so first."""
        ops = self.data.waiting_ops()
        if not ops:
            self.exit()
            return
        from diary_tui.sync import describe_waiting
        from screens.dialogs.confirm import ConfirmScreen

        if self.demo_accounts:
            later = _("The demo server stops when you quit, so they will not be sent.")
        else:
            later = _(
                "They are kept on this computer and sent the next time the diary is open and "
                "the server answers."
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        question = _("{waiting}.\n{later}\n\nQuit anyway?").format(
            waiting=describe_waiting(ops), later=later
        )
        self.push_screen(ConfirmScreen(question), answered)

    @work(exclusive=True, group="session", exit_on_error=False)
    async def log_out(self, *, discard_unsent: bool = False) -> None:
        from diary_tui.data import UnsentWrites

        if not discard_unsent and (self.data.waiting_ops() or self.data.refused_ops()):
            self.action_log_out()  # a write came in meanwhile: ask
            return
        self.workers.cancel_group(self, "sync")
        self.workers.cancel_group(self, "live")
        try:
            await self.data.logout(discard_unsent=discard_unsent)
        except UnsentWrites as exc:
            self.notify(
                _("Not logged out: {reason}.").format(reason=exc), severity="warning", markup=False
            )
            self._start_session_work()
            return
        if self.demo_accounts:
            self.show_chooser()
        else:
            self.show_login(_("Logged out. The saved login and the local copy are deleted."))

    def palette_commands(self) -> list[PaletteCommand]:
        commands: list[PaletteCommand] = []
        if self.data.logged_in:
            for dest in destinations_for(self.data.me, self.available_screens()):
                commands.append(
                    PaletteCommand(
                        f"{_(dest.title)} ({dest.key})",
                        _(dest.description),
                        lambda name=dest.name: self.go(name),  # type: ignore[misc]
                    )
                )
            me = self.data.me
            if me is not None and me.role.value == "parent":
                commands.append(
                    PaletteCommand(
                        _("Add a child"),
                        _("Link another child to this account with an invite code"),
                        self.add_child,
                    )
                )
            commands.append(
                PaletteCommand(
                    _("Log out"),
                    _("End the session and delete the saved login and local copy"),
                    self.action_log_out,
                )
            )
        commands.append(PaletteCommand(_("Log in"), _("Log in as someone else"), self.show_login))
        if self.demo_accounts:
            commands.append(
                PaletteCommand(_("Demo accounts"), _("Choose a demo account"), self.show_chooser)
            )
        commands.append(PaletteCommand(_("Help"), _("Help for this screen (F1)"), self.action_help))
        return commands

    # -- the language ---------------------------------------------------------------------

    def _speak_the_schools_language(self) -> None:
        """With no language chosen, the app speaks the school's, once it knows the school."""
        me = self.data.me
        if self.chosen_language is None and me is not None:
            school = i18n.normalize(me.school.language) or i18n.SOURCE
            if school != i18n.language():
                self.use_language(school)

    def choose_language(self, lang: str | None) -> None:
        """The user chose ``lang`` in Settings (None: automatic, the environment's, else the
        school's); the app speaks it from now on."""
        self.chosen_language = i18n.normalize(lang) or i18n.chosen()
        me = self.data.me
        self.use_language(
            self.chosen_language or (me.school.language if me is not None else i18n.SOURCE)
        )

    def use_language(self, lang: str) -> None:
        """Speak ``lang``: every screen is built again in it (each paints from the store at
        once), the title, the footer and the palette follow."""
        i18n.set_language(lang)
        self.title = _("Diary")
        while len(self.screen_stack) > 1 and not isinstance(self.screen, DiaryScreen):
            self.pop_screen()  # a dialog or help over the screen: it was in the old language
        screen = self.screen
        if isinstance(screen, DiaryScreen) and screen.is_mounted:
            self.switch_screen(screen.rebuilt())
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            yield SystemCommand(
                _(SYSTEM_COMMANDS.get(command.title, command.title)),
                _(SYSTEM_COMMANDS.get(command.help, command.help)),
                command.callback,
                command.discover,
            )

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        """A key of the Russian layout no binding takes works as the key in the same place on
        the Latin one (``diary_tui.keys``): after the keymap, and after the focused widget
        took the letters it types."""
        if await super()._check_bindings(key, priority):
            return True
        twin = latin_twin(key)
        return twin is not None and await super()._check_bindings(twin, priority)

    def add_child(self) -> None:
        """A parent adds a second child with its invite code."""
        from screens.register import AddChildScreen

        def added(done: bool | None) -> None:
            screen = self.screen
            if done and isinstance(screen, DiaryScreen):
                screen.refresh_nav()

        self.push_screen(AddChildScreen(self.data), added)

    async def on_unmount(self) -> None:
        await self.data.close()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # Screens report their own workers' failures; these are the app's own workers.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(
                describe_error(event.worker.error), severity="error", timeout=8, markup=False
            )
