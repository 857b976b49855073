"""The login screen: server, login, password and "remember me"."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, Static

from api_client.i18n import N_, _
from diary_tui.data import DiaryData, Offline, describe_error
from diary_tui.widgets import KeyFooter, StatusLine
from screens.base import DiaryScreen, LoggedIn


class LoginScreen(DiaryScreen):
    TITLE = N_("Log in")
    HELP = N_("""
Log in to your school's diary with the login and password the school gave you.

Server: the address of the diary server, e.g. https://diary.school.org.
Remember me: keep the login in the system keyring, so the next start opens your
week without a password. Nothing is kept on disk. "diary logout" forgets it.
Tab moves between the fields; Enter logs in.
F2: register as a parent with an invite code from the school.
""")

    DEFAULT_CSS = """
    LoginScreen #register { width: 100%; }
    """

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="login.help"),
        Binding("ctrl+s", "submit", N_("Log in"), id="login.submit", show=False),
        Binding("f2", "register", N_("Register with a code"), id="login.register"),
    ]

    def __init__(
        self,
        data: DiaryData,
        *,
        server: str = "",
        login: str = "",
        message: str = "",
    ) -> None:
        super().__init__(data)
        self._server = server
        self._login = login
        self._message = message

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-form"):
            yield Static(Content.styled(_("Diary: log in"), "bold"), id="login-title")
            yield Label(_("Server"))
            yield Input(
                self._server, placeholder="https://diary.school.org", id="server", compact=True
            )
            yield Label(_("Login"))
            yield Input(self._login, placeholder=_("your login"), id="login", compact=True)
            yield Label(_("Password"))
            yield Input(password=True, placeholder=_("password"), id="password", compact=True)
            yield Checkbox(
                _("Remember me on this computer"), value=False, id="remember", compact=True
            )
            yield Static(Content(""), id="keyring-note")
            yield Button(_("Log in"), variant="primary", id="submit", compact=True)
            yield Button(_("Register with a code (F2)"), id="register", compact=True)
            yield Static(Content(self._message), id="login-error")
        yield StatusLine()
        yield KeyFooter()

    def rebuilt(self) -> LoginScreen:
        """The form again in the language now in force, keeping what was typed but the
        password (a password field is never carried over)."""
        if not self.is_mounted:
            return LoginScreen(
                self.data, server=self._server, login=self._login, message=self._message
            )
        return LoginScreen(
            self.data,
            server=self.query_one("#server", Input).value,
            login=self.query_one("#login", Input).value,
        )

    def on_mount(self) -> None:
        super().on_mount()
        first_empty = next(
            (i for i in self.query(Input) if not i.value), self.query_one("#password", Input)
        )
        first_empty.focus()
        self.check_keyring()

    @work(exclusive=True, group="keyring", exit_on_error=False)
    async def check_keyring(self) -> None:
        ok, reason = await self.data.keyring_status()
        remember = self.query_one("#remember", Checkbox)
        note = self.query_one("#keyring-note", Static)
        if ok:
            remember.disabled = False
            note.update(Content(""))
            note.display = False
        else:
            remember.value = False
            remember.disabled = True
            note.update(Content(reason))
            note.display = True

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def _pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#register")
    def action_register(self) -> None:
        """A parent with an invite code creates their account, then logs in here."""
        from screens.register import RegisterScreen

        def registered(login: str | None) -> None:
            if login:
                self.query_one("#login", Input).value = login
                self.query_one("#password", Input).value = ""
                self._set_error(
                    Content(
                        _("Registered as {login}: log in with your password.").format(login=login)
                    )
                )
                self.query_one("#password", Input).focus()

        server = self.query_one("#server", Input).value
        self.app.push_screen(RegisterScreen(self.data, server), registered)

    def action_submit(self) -> None:
        server = self.query_one("#server", Input).value
        login = self.query_one("#login", Input).value
        password = self.query_one("#password", Input).value
        remember = self.query_one("#remember", Checkbox).value
        if not server.strip():
            self._fail(_("Enter the address of the diary server."), "#server")
            return
        if not login.strip():
            self._fail(_("Enter your login."), "#login")
            return
        if not password:
            self._fail(_("Enter your password."), "#password")
            return
        self._set_error(Content.styled(_("Logging in…"), "dim"))
        self.query_one("#submit", Button).disabled = True
        self.log_in(server, login, password, remember)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def log_in(self, server: str, login: str, password: str, remember: bool) -> None:
        try:
            me = await self.data.login(server, login, password, remember)
        finally:
            self.query_one("#submit", Button).disabled = False
        self._set_error(Content(""))
        if me.must_change_password:
            # The server opens nothing else until the one-time password is changed.
            from screens.register import NewPasswordScreen

            def then(changed: bool | None) -> None:
                if changed:
                    self.post_message(LoggedIn(self.data.me or me))
                else:
                    self.give_up_one_time_login()

            self.app.push_screen(NewPasswordScreen(self.data, password), then)
            return
        self.post_message(LoggedIn(me))

    @work(exclusive=True, group="login", exit_on_error=False)
    async def give_up_one_time_login(self) -> None:
        """The one-time password was not changed: the session it opened is ended (and not
        remembered), and the login form says what to do."""
        await self.data.logout(discard_unsent=True)  # the session could send nothing
        self._set_error(
            Content(
                _(
                    "Not logged in: choose your own password first. Log in with the one-time "
                    "password again when you are ready."
                )
            )
        )
        self.query_one("#password", Input).focus()

    def worker_failed(self, error: BaseException) -> bool:
        self._fail(describe_error(error), "#password")
        self.query_one("#password", Input).value = ""
        if isinstance(error, Offline):
            server = self.query_one("#server", Input).value
            login = self.query_one("#login", Input).value.strip()
            if self.data.has_saved_copy(server, login):
                self.open_saved_copy(server, login)
        return True

    @work(exclusive=True, group="saved-copy", exit_on_error=False)
    async def open_saved_copy(self, server: str, login: str) -> None:
        """The server cannot be reached: this computer's copy of the account opens read-only."""
        opener = getattr(self.app, "open_saved_copy", None)
        if opener is not None:
            await opener(server, login)

    def _fail(self, message: str, focus: str) -> None:
        self._set_error(Content.styled(message, "bold $text-error"))
        self.query_one(focus, Input).focus()

    def _set_error(self, message: Content) -> None:
        self.query_one("#login-error", Static).update(message)
