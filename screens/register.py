"""Registering with an invite code, and choosing a new password after a one-time one.

``RegisterScreen`` opens from the login screen (F2): the invite code from the class teacher,
the parent's names, a login and a password typed twice. What is wrong with the password is
shown while it is typed, by the same check the server applies. It returns the new login.

``NewPasswordScreen`` follows a login with a one-time password: the account must choose its
own password.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from api_client.i18n import N_, _
from api_client.models import RegisterRequest
from api_client.passwords import check_strength
from diary_tui.data import DiaryData, describe_error
from diary_tui.ui import MUTED
from screens.dialogs.consent import ConsentDialog

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""

CODE_SHAPE = "XXXX-XXXX"
"""How an invite code is written (Latin letters and digits in every language)."""

FORM_CSS = """
{name} {{ align: center middle; }}
{name} #form {{
    width: 64; max-width: 100%; height: auto; max-height: 100%;
    border: round $primary; padding: 0 1; background: $surface;
}}
{name} #form Label {{ color: $text-muted; }}
{name} #reasons {{ height: auto; color: $text-warning; }}
{name} #error {{ height: auto; color: $text-error; }}
{name} Button {{ margin: 1 0 0 0; }}
"""


def password_problems(password: str, again: str, login: str, names: list[str]) -> list[str]:
    """What is wrong with a new password as typed so far (empty: fine)."""
    if not password:
        return []
    reasons = check_strength(password, login=login, names=[n for n in names if n])
    if again and again != password:
        reasons.append(_("the two passwords differ"))
    return reasons


def reasons_content(reasons: list[str], password: str, again: str) -> Content:
    if not password:
        return Content.styled(_("Choose a password of 8 or more characters."), MUTED)
    if reasons:
        return Content("\n").join(Content(f"✗ {reason}") for reason in reasons)
    if not again:
        return Content.styled(_("Strong enough. Type it again below."), "$text-success")
    return Content.styled("✓ " + _("Strong enough, and the two match."), "$text-success")


class RegisterScreen(ModalScreen[str | None]):
    """A parent's registration with an invite code; returns the new login."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Back"), id="register.cancel"),
        Binding("ctrl+s", "submit", N_("Register"), id="register.submit", show=False),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="RegisterScreen")

    def __init__(self, data: DiaryData, server: str = "") -> None:
        super().__init__()
        self.data = data
        self.server = server

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="form"):
            yield Static(Content.styled(_("Register with an invite code"), "bold"))
            yield Label(_("Server"))
            yield Input(
                self.server, placeholder="https://diary.school.org", id="server", compact=True
            )
            yield Label(_("Invite code (from the class teacher)"))
            yield Input(placeholder=CODE_SHAPE, id="code", compact=True)
            yield Label(_("First name and last name"))
            yield Input(placeholder=_("first name"), id="first", compact=True)
            yield Input(placeholder=_("last name"), id="last", compact=True)
            yield Label(_("Login (latin letters, digits, . _ -)"))
            yield Input(placeholder=_("e.g. anna.ivanova"), id="login", compact=True)
            yield Label(_("Password, twice"))
            yield Input(password=True, placeholder=_("password"), id="password", compact=True)
            yield Input(password=True, placeholder=_("again"), id="again", compact=True)
            yield Static(reasons_content([], "", ""), id="reasons")
            yield Static("", id="error")
            yield Button(_("Register"), variant="primary", id="submit", compact=True)

    def on_mount(self) -> None:
        first_empty = next((i for i in self.query(Input) if not i.value), None)
        if first_empty is not None:
            first_empty.focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _problems(self) -> list[str]:
        return password_problems(
            self._value("password"),
            self._value("again"),
            self._value("login").strip().lower(),
            [self._value("first").strip(), self._value("last").strip()],
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        password, again = self._value("password"), self._value("again")
        self.query_one("#reasons", Static).update(
            reasons_content(self._problems(), password, again)
        )

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "again" or all(i.value for i in self.query(Input)):
            self.action_submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#submit")
    def _pressed(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        for name, what in (
            ("server", _("Enter the server's address.")),
            ("code", _("Enter the invite code.")),
            ("first", _("Enter your first name.")),
            ("last", _("Enter your last name.")),
            ("login", _("Enter a login.")),
            ("password", _("Enter a password.")),
            ("again", _("Enter the password again.")),
        ):
            if not self._value(name).strip():
                self._fail(what, name)
                return
        problems = self._problems()
        if problems:
            self._fail(
                _("The password will not do: {reasons}.").format(reasons="; ".join(problems)),
                "password",
            )
            return
        self.query_one("#error", Static).update(Content.styled(_("Registering…"), MUTED))
        self.query_one("#submit", Button).disabled = True
        self.register(
            self._value("server"),
            RegisterRequest(
                code=self._value("code").strip(),
                first_name=self._value("first").strip(),
                last_name=self._value("last").strip(),
                login=self._value("login").strip().lower(),
                password=self._value("password"),
            ),
        )

    @work(exclusive=True, group="register", exit_on_error=False)
    async def register(self, server: str, body: RegisterRequest) -> None:
        try:
            consent = await self.data.consent_for_code(server, body.code)
            accepted = await self.app.push_screen_wait(ConsentDialog(consent, registering=True))
            if not accepted:
                self._fail(
                    _(
                        "Registration needs your consent to the processing of personal data; "
                        "nothing was registered."
                    ),
                    "code",
                )
                return
            body = msgspec.structs.replace(body, consent_version=consent.version)
            result = await self.data.register(server, body)
        finally:
            self.query_one("#submit", Button).disabled = False
        self.dismiss(result.login)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            field = getattr(error, "field", None)
            target = {"first_name": "first", "last_name": "last"}.get(field or "", field or "")
            self._fail(describe_error(error), target if target in self._ids() else "code")

    def _ids(self) -> set[str]:
        return {i.id for i in self.query(Input) if i.id}

    def _fail(self, message: str, focus: str) -> None:
        self.query_one("#error", Static).update(Content.styled(message, "bold $text-error"))
        self.query_one(f"#{focus}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class _FormScreen(ModalScreen[bool]):
    """A small form whose worker's failure is said in its ``#error`` line."""

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self._fail(describe_error(event.worker.error))

    def _fail(self, message: str) -> None:
        self.query_one("#error", Static).update(Content.styled(message, "bold $text-error"))


class NewPasswordScreen(_FormScreen):
    """Choose your own password after logging in with a one-time one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", N_("Log out"), id="new_password.later"),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="NewPasswordScreen")

    def __init__(self, data: DiaryData, old_password: str) -> None:
        super().__init__()
        self.data = data
        self.old_password = old_password

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="form"):
            yield Static(Content.styled(_("Choose your own password"), "bold"))
            yield Static(
                Content(
                    _(
                        "You logged in with a one-time password from the school. Choose a "
                        "password of your own; the one-time one stops working."
                    )
                )
            )
            yield Label(_("New password, twice"))
            yield Input(password=True, placeholder=_("new password"), id="password", compact=True)
            yield Input(password=True, placeholder=_("again"), id="again", compact=True)
            yield Static(reasons_content([], "", ""), id="reasons")
            yield Static("", id="error")
            yield Button(_("Save"), variant="primary", id="submit", compact=True)
            yield Static(
                Content.styled(
                    _("Escape: log out (nothing else opens until you choose a password)."),
                    MUTED,
                )
            )

    def on_mount(self) -> None:
        self.query_one("#password", Input).focus()

    def _problems(self) -> list[str]:
        me = self.data.me
        names = [me.first_name, me.last_name, me.middle_name] if me else []
        return password_problems(
            self.query_one("#password", Input).value,
            self.query_one("#again", Input).value,
            me.login if me else "",
            names,
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        self.query_one("#reasons", Static).update(
            reasons_content(
                self._problems(),
                self.query_one("#password", Input).value,
                self.query_one("#again", Input).value,
            )
        )

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "again":
            self.action_save()
        else:
            self.query_one("#again", Input).focus()

    @on(Button.Pressed, "#submit")
    def action_save(self) -> None:
        password = self.query_one("#password", Input).value
        if not password or not self.query_one("#again", Input).value:
            self._fail(_("Type the new password twice."))
            return
        problems = self._problems()
        if problems:
            self._fail(
                _("The password will not do: {reasons}.").format(reasons="; ".join(problems))
            )
            return
        self.save(password)

    @work(exclusive=True, group="new-password", exit_on_error=False)
    async def save(self, password: str) -> None:
        await self.data.change_password(self.old_password, password)
        self.notify(_("Your password is changed."))
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)


class AddChildScreen(_FormScreen):
    """A parent with a second child types that child's invite code."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="add_child.cancel"),
    ]
    DEFAULT_CSS = FORM_CSS.format(name="AddChildScreen")

    def __init__(self, data: DiaryData) -> None:
        super().__init__()
        self.data = data

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="form"):
            yield Static(Content.styled(_("Add a child with an invite code"), "bold"))
            yield Label(_("Invite code (from the child's class teacher)"))
            yield Input(placeholder=CODE_SHAPE, id="code", compact=True)
            yield Static("", id="error")
            yield Static(Content.styled(_("Enter adds, Escape cancels."), MUTED))

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted)
    def _enter(self) -> None:
        code = self.query_one("#code", Input).value.strip()
        if not code:
            self._fail(_("Type the invite code."))
            return
        self.add(code)

    @work(exclusive=True, group="add-child", exit_on_error=False)
    async def add(self, code: str) -> None:
        result = await self.data.add_child(code)
        names = ", ".join(f"{c.first_name} {c.last_name}" for c in result.children)
        self.notify(_("Your children: {names}.").format(names=names), markup=False)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
