"""The users screen of the IT staff: find accounts, create and edit them, lock them, reset a
password, link parents and children, move a pupil to another class.

Filters on one line: a search box (part of a login or name), the role and the class; Enter in
the search or class box applies them. A one-time password (a new account, a reset) is shown
once, in a window of its own, and never again.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static

from api_client import endpoints
from api_client.endpoints import Get
from api_client.errors import Conflict
from api_client.models import (
    LOGIN_MAX_LENGTH,
    NAME_MAX_LENGTH,
    OneTimePassword,
    Role,
    UserCreate,
    UserPage,
    UserSummary,
    UserUpdate,
    text_refusal,
)
from diary_tui.data import (
    USERS_SHOWN,
    AuthenticationError,
    DiaryData,
    DiaryError,
    Offline,
    describe_error,
)
from diary_tui.ui import MUTED, parse_day
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.confirm import ConfirmOrEnter as Confirm
from screens.dialogs.detail import DetailScreen

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""
ROLE_WORDS = {
    Role.PUPIL: "pupil",
    Role.PARENT: "parent",
    Role.TEACHER: "teacher",
    Role.ADMINISTRATION: "admin",
    Role.IT_STAFF: "IT",
    Role.HEALTH_WORKER: "health",
    Role.AUTHORITY: "authority",
}
ROLE_OPTIONS = [("all roles", "")] + [(word, role.value) for role, word in ROLE_WORDS.items()]


def family(user: UserSummary) -> str:
    """A parent's children or a pupil's parents, in a few words."""
    if user.children:
        return ", ".join(f"{c.first_name} {c.last_name}" for c in user.children)
    if user.parents:
        return "parents: " + ", ".join(p.login for p in user.parents)
    return ""


def flags(user: UserSummary) -> str:
    """L: locked; P: must change the password."""
    return ("L" if user.locked else "") + ("P" if user.must_change_password else "")


def as_it_is(user: UserSummary) -> str:
    """The account in one line, as a colleague left it."""
    state = ["locked" if user.locked else "not locked"]
    if user.must_change_password:
        state.append("must change the password")
    return f"{user.full_name} ({', '.join(state)})"


def changed_meanwhile(user: UserSummary, detail: str) -> Content:
    """What a conflict dialog says first: someone else changed the account meanwhile."""
    return Content("\n").join(
        [
            Content.styled(
                f"Someone else changed {user.login} while you had it open.",
                "bold $text-warning",
            ),
            Content(f"It is now: {as_it_is(user)}."),
            Content.styled(detail, MUTED),
        ]
    )


# --- dialogs --------------------------------------------------------------------------------------


class _Dialog(ModalScreen[dict[str, str] | None]):
    """A small form: labelled inputs, Enter submits, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="users.dialog.cancel")
    ]
    DEFAULT_CSS = """
    _Dialog, AccountForm, AskFields { align: center middle; }
    _Dialog > Vertical, AccountForm > Vertical, AskFields > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    .dialog-error { color: $text-error; height: auto; }
    """

    HINT = "Enter saves, Escape cancels."

    def __init__(self, title: str, fields: list[tuple[str, str, str]]) -> None:
        """``fields``: (id, label, initial value)."""
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.hint = self.HINT

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.title_text, "bold"))
            yield from self.extra()
            for field_id, label, value in self.fields:
                yield Label(label)
                yield Input(value, id=f"f-{field_id}", compact=True)
            yield Static(Content.styled(self.hint, MUTED), id="dialog-hint")
            yield Static("", classes="dialog-error", id="dialog-error")

    def extra(self) -> ComposeResult:
        yield from ()

    def values(self) -> dict[str, str]:
        return {f: self.query_one(f"#f-{f}", Input).value.strip() for f, _, _ in self.fields}

    def check(self, values: dict[str, str]) -> str:
        """An error message, or empty when the values will do."""
        return ""

    @on(Input.Submitted)
    def _submit(self) -> None:
        values = self.values()
        problem = self.check(values)
        if problem:
            self.query_one("#dialog-error", Static).update(Content(problem))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AccountForm(_Dialog):
    """A new account (with its role and, for a pupil, the class) or new names for one.

    ``user`` is the account as the form opened it (its version goes with the change). After a
    conflict the form opens again on the account as it is now, with ``typed`` (what the IT
    person had typed) in the boxes and ``conflict`` saying what happened: Enter saves theirs
    on the new version, Escape keeps the account as it is now."""

    def __init__(
        self,
        user: UserSummary | None = None,
        *,
        typed: dict[str, str] | None = None,
        conflict: Content | None = None,
        problem: str = "",
    ) -> None:
        def initial(field: str) -> str:
            if typed is not None and field in typed:
                return typed[field]
            return str(getattr(user, field)) if user is not None else ""

        fields = [
            ("last_name", "Last name", initial("last_name")),
            ("first_name", "First name", initial("first_name")),
            ("middle_name", "Middle name (optional)", initial("middle_name")),
        ]
        if user is None:
            fields += [
                ("class", "Class (a pupil's: 5А)", initial("class")),
                ("login", "Login (empty: made from the name)", initial("login")),
            ]
        title = f"Edit {user.login}" if user else "New account"
        super().__init__(title, fields)
        self.user = user
        self.conflict = conflict
        self.problem = problem
        """Why what was typed here was not saved (the form opened again with it)."""
        self.role = (typed or {}).get("role", Role.PUPIL.value)
        if conflict is not None:
            self.hint = "Enter saves yours over it; Escape keeps it as it is now."

    def extra(self) -> ComposeResult:
        if self.problem:
            yield Static(Content(self.problem), id="problem")
        if self.conflict is not None:
            yield Static(self.conflict, id="conflict")
            yield Static(Content.styled("What you typed:", "bold"))
        if self.user is None:
            yield Label("Role")
            yield Select(
                [(w, r.value) for r, w in ROLE_WORDS.items()],
                value=self.role,
                allow_blank=False,
                id="f-role",
                compact=True,
            )

    def values(self) -> dict[str, str]:
        values = super().values()
        if self.user is None:
            values["role"] = str(self.query_one("#f-role", Select).value)
        return values

    def check(self, values: dict[str, str]) -> str:
        if not values["last_name"] or not values["first_name"]:
            return "The last and first names are needed."
        if self.user is None and values["role"] == Role.PUPIL.value and not values["class"]:
            return "A pupil needs a class."
        for field, what, limit in (
            ("last_name", "last name", NAME_MAX_LENGTH),
            ("first_name", "first name", NAME_MAX_LENGTH),
            ("middle_name", "middle name", NAME_MAX_LENGTH),
            ("login", "login", LOGIN_MAX_LENGTH),
        ):
            if field in values and (refusal := text_refusal(values[field], what, limit)):
                return refusal
        return ""


class AskFields(_Dialog):
    """A question with one or two answers (a login; a class and a date)."""

    def __init__(self, title: str, fields: list[tuple[str, str, str]], explain: str = "") -> None:
        super().__init__(title, fields)
        self.explain = explain

    def extra(self) -> ComposeResult:
        if self.explain:
            yield Static(Content(self.explain))

    def check(self, values: dict[str, str]) -> str:
        missing = [label for f, label, _ in self.fields if not values[f]]
        return f"Fill in: {', '.join(missing)}." if missing else ""


class PasswordShown(DetailScreen):
    """A one-time password, shown once."""

    def __init__(self, result: OneTimePassword, what: str) -> None:
        user = result.user
        text = Content("\n").join(
            [
                Content.styled(what, "bold"),
                Content(""),
                Content(f"Name:     {user.full_name}"),
                Content(f"Login:    {user.login}"),
                Content.assemble("Password: ", (result.one_time_password, "bold reverse")),
                Content(""),
                Content(
                    "It is shown only now: hand it over or write it down. It must be "
                    "changed at the first login."
                ),
                Content.styled("Enter closes.", MUTED),
            ]
        )
        super().__init__(
            text,
            name="password-shown",
            binding_id="users.password.close",
            keys="escape,enter",
            width="64",
            frame="success",
        )
        self.result = result


# --- the screen ----------------------------------------------------------------------------------


class UsersScreen(DiaryScreen):
    TITLE = "Users"
    NAME = "users"
    HELP = """
The school's accounts. Type part of a login or name in the search box and press Enter;
choose a role and type a class (5А) to narrow the list. In the table: L is a locked account,
P one that must change its password at the next login.

n creates an account (a one-time password is shown once), e edits the names, x locks or
unlocks (locking ends the account's sessions), P resets the password (a new one-time
password, shown once), k links a parent and a child (type the other's login), d unlinks
them, v moves a pupil to another class from a given day. The same is scriptable:
diary admin users | lock | unlock | reset-password | import | slips.

When someone else changed an account while you had it open, nothing is overwritten: you see
the account as it is now, what you typed stays, and you choose whether yours goes over it.
"""

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("slash", "search", "Search", id="users.search"),
        Binding("n", "create", "New", id="users.create"),
        Binding("e", "edit", "Edit", id="users.edit"),
        Binding("x", "lock", "Lock", id="users.lock"),
        Binding("P", "reset", "Password", id="users.reset"),
        Binding("k", "link", "Link", id="users.link"),
        Binding("d", "unlink", "Unlink", id="users.unlink", show=False),
        Binding("v", "move", "Move", id="users.move"),
        Binding("r", "reload", "Reload", id="users.reload", show=False),
    ]

    DEFAULT_CSS = """
    UsersScreen #users-title { height: 1; padding: 0 1; background: $boost; }
    UsersScreen #users-filters { height: 1; margin: 0 0 1 0; }
    UsersScreen #users-q { width: 1fr; }
    UsersScreen #users-role { width: 16; }
    UsersScreen #users-class { width: 10; }
    UsersScreen #users-table { height: 1fr; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.users: dict[int, UserSummary] = {}

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content("Users"), id="users-title")
        with Horizontal(id="users-filters"):
            yield Input(placeholder="search login or name", id="users-q", compact=True)
            yield Select(ROLE_OPTIONS, value="", allow_blank=False, id="users-role", compact=True)
            yield Input(placeholder="class", id="users-class", compact=True)
        yield RowTable(id="users-table", zebra_stripes=True)
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        narrow = self.app.size.width < 110
        login, name = (14, 20) if narrow else (16, 24)
        # What is left of the screen goes to the family column (each column pads 1 + 1,
        # and the scroll bar takes 2): at 80 columns the table fits without scrolling.
        family = max(14, min(40, self.app.size.width - (login + 7 + 3 + 2 + name) - 6 * 2 - 2))
        table.add_column("Login", key="login", width=login)
        table.add_column("Role", key="role", width=7)
        table.add_column("Cls", key="class", width=3)
        table.add_column("", key="flags", width=2)
        table.add_column("Name", key="name", width=name)
        table.add_column("Children / parents", key="family", width=family)
        table.focus()
        cached = self.data.cached(self._request())
        if cached is not None:
            self._show(cached.items, cached.total)
        self.load()

    # -- loading ------------------------------------------------------------------------------

    def _request(self) -> Get[UserPage]:
        """The accounts the filters ask for (the first :data:`USERS_SHOWN`)."""
        role = self.query_one("#users-role", Select).value
        q = self.query_one("#users-q", Input).value
        cls = self.query_one("#users-class", Input).value.strip()
        chosen = Role(role) if isinstance(role, str) and role else None
        return endpoints.users(q, chosen, cls, limit=USERS_SHOWN)

    @work(exclusive=True, group="users-load", exit_on_error=False)
    async def load(self) -> None:
        page = await self.data.load(self._request())
        self._show(page.items, page.total)

    def _show(self, users: list[UserSummary], total: int) -> None:
        table = self.query_one(DataTable)
        selected = self.selected()
        table.clear()
        self.users = {u.id: u for u in users}
        for user in users:
            table.add_row(
                Content(user.login),
                Content(ROLE_WORDS.get(user.role, user.role.value)),
                Content(user.class_.name if user.class_ else ""),
                Content.styled(flags(user), "bold $warning"),
                Content(user.full_name),
                Content(family(user)),
                key=str(user.id),
            )
        shown = f"{len(users)} of {total}" if total > len(users) else str(total)
        self.query_one("#users-title", Static).update(
            Content.assemble(("Users", "bold"), f" · {shown} accounts")
        )
        if selected is not None and selected.id in self.users:
            table.move_cursor(row=table.get_row_index(str(selected.id)))

    def selected(self) -> UserSummary | None:
        table = self.query_one(DataTable)
        if not self.users or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self.users.get(int(key)) if key is not None else None

    @on(Input.Submitted, "#users-q, #users-class")
    def _filter(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    @on(Select.Changed, "#users-role")
    def _role(self) -> None:
        self.load()

    def action_search(self) -> None:
        self.query_one("#users-q", Input).focus()

    def action_reload(self) -> None:
        self.load()

    def _need(self, role: Role | None = None) -> UserSummary | None:
        user = self.selected()
        if user is None:
            self.notify("Choose an account in the table first.", severity="warning")
            return None
        if role is not None and user.role is not role:
            self.notify(
                f"{user.login} is not a {ROLE_WORDS[role]}.", severity="warning", markup=False
            )
            return None
        return user

    # -- writes -------------------------------------------------------------------------------

    def action_create(self) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.create(values)

        self.app.push_screen(AccountForm(), done)

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def create(self, values: dict[str, str]) -> None:
        """Create the account. It needs the server (its one-time password is shown at once):
        when it cannot be made, the form opens again with everything typed and says why."""
        try:
            made = await self._create(values)
        except Offline:
            self._retry_create(
                values,
                "No connection: the account was not created. A new account needs the server, "
                "which gives its one-time password at once; what you typed is kept here: "
                "press Enter to try again when the server is back.",
            )
            return
        except AuthenticationError:
            raise
        except (DiaryError, ValueError) as exc:
            self._retry_create(values, f"The account was not created: {describe_error(exc)}")
            return
        self.app.push_screen(PasswordShown(made, "New account"))
        self.load()

    def _retry_create(self, values: dict[str, str], problem: str) -> None:
        def done(again: dict[str, str] | None) -> None:
            if again is not None:
                self.create(again)

        self.app.push_screen(AccountForm(typed=values, problem=problem), done)

    async def _create(self, values: dict[str, str]) -> OneTimePassword:
        class_id: int | None = None
        role = Role(values["role"])
        if role is Role.PUPIL:
            wanted = "".join(values["class"].split()).upper()
            classes = (await self.data.load(endpoints.classes())).classes
            found = [c.id for c in classes if c.name.upper() == wanted]
            if not found:
                names = ", ".join(c.name for c in classes)
                raise ValueError(f"There is no class {values['class']}; the classes are {names}.")
            class_id = found[0]
        return await self.data.create_user(
            UserCreate(
                role=role,
                first_name=values["first_name"],
                last_name=values["last_name"],
                middle_name=values["middle_name"],
                login=values["login"] or None,
                class_id=class_id,
            )
        )

    def action_edit(self) -> None:
        user = self._need()
        if user is None:
            return
        self._edit(user)

    def _edit(
        self,
        user: UserSummary,
        typed: dict[str, str] | None = None,
        conflict: Content | None = None,
        problem: str = "",
    ) -> None:
        """The names form on ``user`` (the change goes with its version)."""

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                names = {k: values[k] for k in ("first_name", "last_name", "middle_name")}
                body = UserUpdate(
                    version=user.version,
                    first_name=names["first_name"],
                    last_name=names["last_name"],
                    middle_name=names["middle_name"],
                )
                self.update(user, body, f"{user.login} saved.", typed=names)
            elif conflict is not None:
                self.notify(f"{user.login} is kept as it is now.", markup=False)

        form = AccountForm(user, typed=typed, conflict=conflict, problem=problem)
        self.app.push_screen(form, done)

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def update(
        self,
        user: UserSummary,
        body: UserUpdate,
        message: str,
        typed: dict[str, str] | None = None,
    ) -> None:
        """Send an edit made on ``user``; ``typed`` is what the names form held."""
        try:
            await self.data.update_user(user.id, body)
        except Offline:
            if typed is None:
                raise  # a lock or an unlock: nothing typed, the refusal says it
            problem = (
                "No connection: the names were not changed. Account changes need the server; "
                "what you typed is kept here: press Enter to try again when it is back."
            )
            self._edit(user, typed, problem=problem)
            return
        except Conflict as exc:
            current = exc.current_as(UserSummary)
            if current is None:
                raise
            self._changed_meanwhile(current, body, exc.message, typed)
            return
        self.notify(message, markup=False)
        self.load()

    def _changed_meanwhile(
        self, current: UserSummary, body: UserUpdate, detail: str, typed: dict[str, str] | None
    ) -> None:
        """Someone else changed the account since it was shown: show it as it is now, keep
        what was typed, and let the IT person choose."""
        self.load()
        conflict = changed_meanwhile(current, detail)
        if typed is not None:
            self._edit(current, typed, conflict)
            return
        if body.locked is None:
            return
        wanted, word = body.locked, "locked" if body.locked else "unlocked"
        if current.locked == wanted:
            self.notify(
                f"Someone else has {word} {current.login} meanwhile: it is {word} now.",
                markup=False,
            )
            return

        def done(yes: bool | None) -> None:
            if yes:
                again = UserUpdate(version=current.version, locked=wanted)
                self.update(current, again, f"{current.login} {word}.")
            else:
                self.notify(f"{current.login} is kept as it is now.", markup=False)

        verb = "Lock" if wanted else "Unlock"
        self.app.push_screen(
            Confirm(
                Content.assemble(conflict, f"\n\n{verb} {current.login} all the same?"),
                f"y: {verb.lower()} it on the new version   n: keep it as it is now",
            ),
            done,
        )

    def action_lock(self) -> None:
        user = self._need()
        if user is None:
            return
        verb = "Unlock" if user.locked else "Lock"

        def done(yes: bool | None) -> None:
            if yes:
                word = "unlocked" if user.locked else "locked"
                body = UserUpdate(version=user.version, locked=not user.locked)
                self.update(user, body, f"{user.login} {word}.")

        extra = "" if user.locked else " Their sessions end at once."
        self.app.push_screen(Confirm(f"{verb} {user.login} ({user.full_name})?{extra}"), done)

    def action_reset(self) -> None:
        user = self._need()
        if user is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.reset(user)

        self.app.push_screen(
            Confirm(
                f"Reset the password of {user.login} ({user.full_name})? The old one stops "
                "working and their sessions end."
            ),
            done,
        )

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def reset(self, user: UserSummary) -> None:
        result = await self.data.reset_password(user.id)
        self.app.push_screen(PasswordShown(result, "One-time password"))
        self.load()

    def _other(self, user: UserSummary) -> tuple[str, str] | None:
        if user.role is Role.PARENT:
            return "pupil", "The child's login"
        if user.role is Role.PUPIL:
            return "parent", "The parent's login"
        self.notify("Choose a parent or a pupil.", severity="warning")
        return None

    def action_link(self) -> None:
        self._ask_link(True)

    def action_unlink(self) -> None:
        self._ask_link(False)

    def _ask_link(self, linked: bool) -> None:
        user = self._need()
        if user is None:
            return
        other = self._other(user)
        if other is None:
            return
        initial = ""
        if not linked and user.role is Role.PUPIL and len(user.parents) == 1:
            initial = user.parents[0].login
        title = ("Link " if linked else "Unlink ") + f"{user.login} ({user.full_name})"

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.link(user, values["other"], linked)

        self.app.push_screen(AskFields(title, [("other", other[1], initial)]), done)

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def link(self, user: UserSummary, other_login: str, linked: bool) -> None:
        other = await self.data.find_user(other_login)
        parent, pupil = (user, other) if user.role is Role.PARENT else (other, user)
        result = await self.data.set_parent_link(parent.id, pupil.id, linked)
        if not result.changed:
            state = "already linked" if linked else "not linked"
            self.notify(f"{parent.login} and {pupil.login} were {state}.", markup=False)
        else:
            word = "linked" if linked else "unlinked"
            self.notify(f"{parent.login} and {pupil.login} {word}.", markup=False)
        self.load()

    def action_move(self) -> None:
        user = self._need(Role.PUPIL)
        if user is None:
            return
        today = self.data.today().isoformat()
        now = user.class_.name if user.class_ else "no class"

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self.move(user, values["class"], values["date"])

        self.app.push_screen(
            AskFields(
                f"Move {user.login} ({user.full_name}), now in {now}",
                [("class", "To the class", ""), ("date", "From the day (YYYY-MM-DD)", today)],
            ),
            done,
        )

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def move(self, user: UserSummary, class_name: str, day_text: str) -> None:
        day = parse_day(day_text)
        moved = await self.data.move_pupil(user.id, class_name, day)
        where = moved.class_.name if moved.class_ else "?"
        self.notify(f"{user.login} moves to {where} from {day.isoformat()}.", markup=False)
        self.load()
