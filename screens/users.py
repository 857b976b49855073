"""The users screen of the IT staff: find accounts, create and edit them, lock them, reset a
password, link parents and children, move a pupil to another class.

Filters on one line: a search box (part of a login or name), the role and the class; the server
searches all the school's accounts, as one types (after a short pause) or on Enter. The table
holds them a page at a time: the cursor reaching its last row (the "more" row, by Down, PgDn or
End) loads the next page, and the title says which of how many are shown ("1–200 of 1,465").
A one-time password (a new account, a reset) is shown once, in a window of its own, and never
again. A form that is refused, by its own check (the server's rule for names) or by the server,
stays open with what was typed and says why under the box concerned, named by its label.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Select, Static

from api_client import endpoints, names
from api_client.endpoints import Get
from api_client.errors import Conflict, InvalidRequest
from api_client.i18n import N_, _, ngettext, pgettext, whole_number
from api_client.models import (
    LOGIN_MAX_LENGTH,
    CredentialSlips,
    OneTimePassword,
    Role,
    UserCreate,
    UserPage,
    UserSummary,
    UserUpdate,
    email_refusal,
    name_refusal,
    phone_refusal,
    text_refusal,
)
from diary_tui.data import (
    USERS_SHOWN,
    DiaryData,
    DiaryError,
    Offline,
    describe_error,
)
from diary_tui.ui import MUTED, day_form, day_typed, parse_day
from diary_tui.widgets import KeyFooter, NavBar, RowTable, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.confirm import ConfirmOrEnter as Confirm
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import Refusal, SendingForm
from screens.dialogs.invites import InviteShown, ResetQuestion, slip_format
from screens.users_consent import ConsentListScreen

MORE = "more"
"""The key of the table's last row while more accounts match than are shown."""

SEARCH_PAUSE = 0.3
"""Seconds after the last key typed in the search box before the server is asked."""


def role_options() -> list[tuple[str, str]]:
    """The role filter's choices, in the language in force."""
    return [(_("all roles"), "")] + [(word, role.value) for role, word in names.roles().items()]


def family(user: UserSummary) -> str:
    """A parent's children or a pupil's parents, in a few words."""
    if user.children:
        return ", ".join(f"{c.first_name} {c.last_name}" for c in user.children)
    if user.parents:
        return _("parents: {logins}").format(logins=", ".join(p.login for p in user.parents))
    return ""


def flags(user: UserSummary) -> str:
    """L (Б): locked; P (П): must change the password."""
    locked = pgettext("account flag", "L") if user.locked else ""
    return locked + (pgettext("account flag", "P") if user.must_change_password else "")


def as_it_is(user: UserSummary) -> str:
    """The account in one line, as a colleague left it."""
    state = [_("locked") if user.locked else _("not locked")]
    if user.must_change_password:
        state.append(_("must change the password"))
    return f"{user.full_name} ({', '.join(state)})"


def changed_meanwhile(user: UserSummary, detail: str) -> Content:
    """What a conflict dialog says first: someone else changed the account meanwhile."""
    return Content("\n").join(
        [
            Content.styled(
                _("Someone else changed {login} while you had it open.").format(login=user.login),
                "bold $text-warning",
            ),
            Content(_("It is now: {account}.").format(account=as_it_is(user))),
            Content.styled(detail, MUTED),
        ]
    )


def account_detail(user: UserSummary, edit_key: str) -> Content:
    """One account in full, as the IT staff see it: login, role, class, family, state, and how
    the school reaches the person."""
    none = Content.styled(_("not given"), MUTED)
    rows: list[tuple[str, Content]] = [
        (_("Login:"), Content(user.login)),
        (_("Role:"), Content(names.role(user.role))),
    ]
    if user.class_ is not None:
        rows.append((_("Class:"), Content(user.class_.name)))
    if user.children:
        rows.append(
            (
                _("Children:"),
                Content(", ".join(f"{c.first_name} {c.last_name}" for c in user.children)),
            )
        )
    if user.role is Role.PUPIL:
        parents = ", ".join(f"{p.first_name} {p.last_name} ({p.login})" for p in user.parents)
        rows.append((_("Parents:"), Content(parents) if parents else none))
    state = [_("locked") if user.locked else _("not locked")]
    if user.must_change_password:
        state.append(_("must change the password"))
    rows.append((_("State:"), Content(", ".join(state))))
    rows.append((_("Telephone:"), Content(user.phone) if user.phone else none))
    rows.append((_("E-mail:"), Content(user.email) if user.email else none))
    width = max(len(label) for label, _value in rows) + 1
    lines = [Content.styled(user.full_name, "bold"), Content("")]
    lines += [Content.assemble(f"{label:<{width}}", value) for label, value in rows]
    lines += [
        Content(""),
        Content.styled(
            _("Esc closes; then {key} edits the names and contacts.").format(key=edit_key), MUTED
        ),
    ]
    return Content("\n").join(lines)


def shown_range(first: int, last: int, total: int) -> str:
    """``1–200 of 1,465`` (``1 465`` in Russian); ``12 accounts`` when all are shown."""
    if first <= 1 and last >= total:
        return ngettext("{n} account", "{n} accounts", total).format(n=whole_number(total))
    return _("{first}–{last} of {total}").format(
        first=whole_number(first), last=whole_number(last), total=whole_number(total)
    )


# --- dialogs --------------------------------------------------------------------------------------


T = TypeVar("T")

Submit = Callable[[dict[str, str]], Awaitable[T | Refusal]]
"""What a dialog sends: an online call with what was typed, answering the server's answer or a
:class:`Refusal` (why not, and the box concerned)."""


class _Dialog(SendingForm[T]):
    """A small form: labelled inputs, Enter sends, Escape cancels. It writes online (account
    administration needs the server on purpose) through the shared :class:`SendingForm`: it
    stays open while the server answers, closes answering what the server answered, and on a
    refusal (or offline) stays open with everything typed, the refusal said under the box it
    concerns (``#e-<field>``, naming it by its label) with the cursor in it; one about the
    whole form at its foot."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="users.dialog.cancel")
    ]
    DEFAULT_CSS = """
    _Dialog, AccountForm, AskFields { align: center middle; }
    _Dialog > Vertical, AccountForm > Vertical, AskFields > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    .dialog-error { color: $text-error; height: auto; }
    .field-error { color: $text-error; height: auto; display: none; }
    .field-error.-shown { display: block; }
    #conflict { height: auto; display: none; }
    #conflict.-shown { display: block; }
    """

    PROBLEM = "dialog-error"
    HINT = N_("Enter saves, Escape cancels.")

    def __init__(
        self,
        title: str,
        fields: list[tuple[str, str, str]],
        submit: Submit[T] | None = None,
        not_sent: str = "",
    ) -> None:
        """``fields``: (id, label, initial value); ``submit`` sends what was typed (None: the
        form answers what was typed, a dict, without sending)."""
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.not_sent = not_sent or _("Not saved: {reason}")
        self.hint = _(self.HINT)

    def labels(self) -> dict[str, str]:
        """Each box's label as shown, by its id."""
        return {field_id: label for field_id, label, _value in self.fields}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.title_text, "bold"))
            yield from self.extra()
            for field_id, label, value in self.fields:
                yield Label(label)
                yield Input(value, id=f"f-{field_id}", compact=True)
                yield Static("", classes="field-error", id=f"e-{field_id}")
            yield Static(Content.styled(self.hint, MUTED), id="dialog-hint")
            yield Static("", classes="dialog-error", id="dialog-error")

    def extra(self) -> ComposeResult:
        yield from ()

    def values(self) -> dict[str, str]:
        return {f: self.query_one(f"#f-{f}", Input).value.strip() for f, _l, _v in self.fields}

    def check(self, values: dict[str, str]) -> dict[str, str]:
        """What will not do, by field id ("" for the form as a whole); empty when all will."""
        return {}

    def say(self, text: str, field: str | None = None) -> None:
        """A refusal of the server (or "Sending…") under the box it concerns, else at the
        form's foot."""
        box = API_FIELDS.get(field or "", field or "")
        self.show_refusals({box if box in self.labels() else "": text})

    def show_refusals(self, refusals: dict[str, str]) -> None:
        """Each refusal under its box (the first such box gets the focus), the rest at the
        foot; earlier ones are cleared."""
        focused = False
        for field_id, _label, _value in self.fields:
            line = self.query_one(f"#e-{field_id}", Static)
            why = refusals.get(field_id, "")
            line.update(Content(why))
            line.set_class(bool(why), "-shown")
            if why and not focused:
                self.query_one(f"#f-{field_id}", Input).focus()
                focused = True
        known = {f for f, _l, _v in self.fields}
        rest = [why for field_id, why in refusals.items() if field_id not in known]
        self.query_one("#dialog-error", Static).update(Content("\n".join(rest)))

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self.sending:
            return
        values = self.values()
        problems = self.check(values)
        self.show_refusals(problems)
        if problems:
            return
        submit = self.submit
        if submit is None:
            self.dismiss(cast(T, values))
            return
        self.send(lambda: submit(values), self.not_sent)

    def action_cancel(self) -> None:
        self.dismiss(None)


NAME_FIELDS = ("last_name", "first_name", "middle_name")
CONTACT_FIELDS = ("phone", "email")
"""How the school reaches the person: the form's boxes after the names."""


def account_labels(*, new: bool) -> dict[str, str]:
    """The account form's boxes by id, with their labels as shown, in the form's order."""
    labels = {
        "last_name": _("Last name"),
        "first_name": _("First name"),
        "middle_name": _("Middle name (optional)"),
        "phone": _("Telephone (optional: +7 912 345-67-89)"),
        "email": _("E-mail (optional)"),
    }
    if new:
        labels["class"] = _("Class (a pupil's: 5А)")
        labels["login"] = _("Login (empty: made from the name)")
        labels["role"] = _("Role")
    return labels


API_FIELDS = {"class_id": "class", "class": "class", "role": "role"}
"""A field the server names in a refusal -> the form's box it concerns (the others are the
same)."""


class AccountForm(_Dialog[T]):
    """A new account (with its role and, for a pupil, the class) or new names for one.

    ``user`` is the account as the form opened it (its version goes with the change). After a
    conflict the form stays open on the account as it is now (:meth:`changed_meanwhile`),
    with what the IT person had typed in the boxes and the colleague's change said above
    them: Enter saves theirs on the new version, Escape keeps the account as it is now."""

    def __init__(self, user: UserSummary | None = None, submit: Submit[T] | None = None) -> None:
        labels = account_labels(new=user is None)
        fields = [
            (f, labels[f], str(getattr(user, f)) if user is not None else "")
            for f in labels
            if f != "role"
        ]
        title = _("Edit {login}").format(login=user.login) if user else _("New account")
        not_sent = (
            _("The account was not saved: {reason}")
            if user
            else _("The account was not created: {reason}")
        )
        super().__init__(title, fields, submit, not_sent)
        self.user = user
        self.conflict: Content | None = None
        """What a colleague changed meanwhile, once the server said so."""
        self.role = Role.PUPIL.value

    def extra(self) -> ComposeResult:
        yield Static("", id="conflict")
        if self.user is None:
            yield Label(account_labels(new=True)["role"])
            yield Select(
                [(w, r.value) for r, w in names.roles().items()],
                value=self.role,
                allow_blank=False,
                id="f-role",
                compact=True,
            )

    def changed_meanwhile(self, current: UserSummary, detail: str) -> Refusal:
        """Someone else changed the account since the form opened: the form now edits it as
        it is (its version), says what changed, and keeps what was typed."""
        self.user = current
        self.conflict = changed_meanwhile(current, detail)
        shown = self.query_one("#conflict", Static)
        shown.update(Content.assemble(self.conflict, "\n", (_("What you typed:"), "bold")))
        shown.add_class("-shown")
        self.query_one("#dialog-hint", Static).update(
            Content.styled(_("Enter saves yours over it; Escape keeps it as it is now."), MUTED)
        )
        return Refusal(_("Not saved: someone else changed the account meanwhile."))

    def values(self) -> dict[str, str]:
        values = super().values()
        if self.user is None:
            values["role"] = str(self.query_one("#f-role", Select).value)
        return values

    def check(self, values: dict[str, str]) -> dict[str, str]:
        """The server's rules for names (:func:`api_client.models.name_refusal`) and logins,
        each refusal naming the box by its label."""
        labels = account_labels(new=self.user is None)
        problems: dict[str, str] = {}
        for field in NAME_FIELDS:
            label = labels[field].split(" (")[0]
            if field != "middle_name" and not values[field]:
                problems[field] = _("The {what} is needed.").format(what=label)
            elif refusal := name_refusal(values[field], label):
                problems[field] = refusal
        if self.user is None:
            if values["role"] == Role.PUPIL.value and not values["class"]:
                problems["class"] = _("A pupil needs a class.")
            login = labels["login"].split(" (")[0]
            if refusal := text_refusal(values["login"], login, LOGIN_MAX_LENGTH):
                problems["login"] = refusal
        for field, rule in (("phone", phone_refusal), ("email", email_refusal)):
            if refusal := rule(values[field]):
                label = labels[field].split(" (")[0]
                problems[field] = f"{label}: {refusal}"
        return problems


def refusal_by_field(exc: DiaryError, labels: dict[str, str]) -> Refusal:
    """A server's refusal placed under the box it concerns (by the problem's ``field``), its
    words naming the box by its label rather than the API's field name; one about no box of
    the form goes to the form's foot."""
    detail = describe_error(exc)
    field = exc.field or ""
    box = API_FIELDS.get(field, field)
    if box not in labels:
        return Refusal(_("The account was not saved: {reason}").format(reason=detail))
    label = labels[box].split(" (")[0]
    for name in {field, box}:
        detail = detail.replace(f"'{name}'", f"«{label}»")
        if "_" in name:
            detail = detail.replace(name, f"«{label}»")
    return Refusal(detail, box)


class AskFields(_Dialog[T]):
    """A question with one or two answers (a login; a class and a date), sent by ``submit``."""

    def __init__(
        self,
        title: str,
        fields: list[tuple[str, str, str]],
        submit: Submit[T] | None = None,
        not_sent: str = "",
        explain: str = "",
    ) -> None:
        super().__init__(title, fields, submit, not_sent)
        self.explain = explain

    def extra(self) -> ComposeResult:
        if self.explain:
            yield Static(Content(self.explain))

    def check(self, values: dict[str, str]) -> dict[str, str]:
        return {f: _("Fill this in.") for f, _label, _v in self.fields if not values[f]}


class PasswordShown(DetailScreen):
    """A one-time password, shown once."""

    def __init__(self, result: OneTimePassword, what: str) -> None:
        user = result.user
        labels = [_("Name:"), _("Login:"), _("Password:")]
        width = max(len(label) for label in labels) + 1
        text = Content("\n").join(
            [
                Content.styled(what, "bold"),
                Content(""),
                Content(f"{labels[0]:<{width}}{user.full_name}"),
                Content(f"{labels[1]:<{width}}{user.login}"),
                Content.assemble(
                    f"{labels[2]:<{width}}", (result.one_time_password, "bold reverse")
                ),
                Content(""),
                Content(
                    _(
                        "It is shown only now: hand it over or write it down. It must be "
                        "changed at the first login."
                    )
                ),
                Content.styled(_("Enter closes."), MUTED),
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
    TITLE = N_("Accounts")
    NAME = "users"
    HELP = N_("""
The school's accounts. Type part of a login or name in the search box: the server looks
through all the accounts as you type. Choose a role and type a class (5А) to narrow the list.
The list comes a page at a time: moving down onto its last row (or PgDn, End) brings the next
page; the title says how many of how many are shown. In the table: L is a locked account, P one
that must change its password at the next login.

Enter shows the account in full, with its telephone and e-mail. {users.create} creates an
account (a one-time password is shown once), {users.edit} edits the names, the telephone and the
e-mail, {users.lock} locks or unlocks (locking ends the account's sessions), {users.reset}
resets the password (a new one-time password, shown once), {users.link} links a parent and a
child (type the other's login), {users.unlink} unlinks them, {users.move} moves a pupil to
another class from a given day. {users.invite} on a pupil issues one invite code for a parent
(shown once, with the child's name; no password changes); {users.slips} writes a class's slips
to a file you name: invite codes only, unless you agree to reset passwords after being told how
many accounts that is. {users.consent} lists the parents' consents to the processing of personal
data by class and state, with each parent's history and paper forms. The same is scriptable:
diary admin users | create | edit | lock | unlock | reset-password | link | unlink | move |
import | slips | invite | consent.

When someone else changed an account while you had it open, nothing is overwritten: you see
the account as it is now, what you typed stays, and you choose whether yours goes over it.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        *DiaryScreen.BINDINGS,
        Binding("slash", "search", N_("Search"), id="users.search"),
        Binding("n", "create", N_("New"), id="users.create"),
        Binding("e", "edit", N_("Edit"), id="users.edit"),
        Binding("x", "lock", N_("Lock"), id="users.lock"),
        Binding("P", "reset", N_("Password"), id="users.reset"),
        Binding("k", "link", N_("Link"), id="users.link"),
        Binding("d", "unlink", N_("Unlink"), id="users.unlink", show=False),
        Binding("v", "move", N_("Move"), id="users.move"),
        Binding("i", "invite", N_("Invite code"), id="users.invite"),
        Binding("f", "slips", N_("Slips"), id="users.slips", show=False),
        Binding("C", "consent", N_("Consents"), id="users.consent"),
        Binding("f5", "reload", N_("Refresh"), id="users.reload", show=False),
    ]

    DEFAULT_CSS = """
    UsersScreen #users-title { height: 1; padding: 0 1; background: $boost; }
    UsersScreen #users-filters { height: 1; margin: 0 0 1 0; }
    UsersScreen #users-q { width: 1fr; }
    UsersScreen #users-role { width: 18; }
    UsersScreen #users-class { width: 10; }
    UsersScreen #users-table { height: 1fr; }
    """

    PAGE: ClassVar[int] = USERS_SHOWN
    """Accounts asked for at a time."""

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.users: dict[int, UserSummary] = {}
        """The accounts shown, in the table's order."""
        self.total = 0
        """How many accounts the filters match on the server."""
        self._shown_for: Get[UserPage] | None = None
        """The first page's request of the accounts shown (a later page of other filters is
        dropped)."""
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(_("Accounts")), id="users-title")
        with Horizontal(id="users-filters"):
            yield Input(placeholder=_("search login or name"), id="users-q", compact=True)
            yield Select(role_options(), value="", allow_blank=False, id="users-role", compact=True)
            yield Input(placeholder=_("class"), id="users-class", compact=True)
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
        family = max(14, min(40, self.app.size.width - (login + 8 + 3 + 2 + name) - 6 * 2 - 2))
        table.add_column(_("Login"), key="login", width=login)
        table.add_column(_("Role"), key="role", width=8)
        table.add_column(pgettext("column: the pupil's class", "Cls"), key="class", width=3)
        table.add_column("", key="flags", width=2)
        table.add_column(_("Name"), key="name", width=name)
        table.add_column(_("Children / parents"), key="family", width=family)
        table.focus()
        cached = self.data.cached(self._request())
        if cached is not None:
            self._show(cached, self._request())
        self.load()

    # -- loading ------------------------------------------------------------------------------

    def _request(self, offset: int = 0) -> Get[UserPage]:
        """The page from ``offset`` of the accounts the filters ask for."""
        role = self.query_one("#users-role", Select).value
        q = self.query_one("#users-q", Input).value
        cls = self.query_one("#users-class", Input).value.strip()
        chosen = Role(role) if isinstance(role, str) and role else None
        return endpoints.users(q, chosen, cls, offset=offset, limit=self.PAGE)

    @work(exclusive=True, group="users-load", exit_on_error=False)
    async def load(self) -> None:
        """The first page of what the filters ask for (a later page on its way is dropped)."""
        self.workers.cancel_group(self, "users-more")
        first = self._request()
        page = await self.data.load(first)
        self._show(page, first)

    @work(exclusive=True, group="users-more", exit_on_error=False)
    async def load_more(self) -> None:
        """The next page of the accounts shown, added below them."""
        first = self._shown_for
        if first is None or len(self.users) >= self.total:
            return
        page = await self.data.load(self._request(offset=len(self.users)))
        if self._shown_for is not first or self._request() != first:
            return  # the filters changed meanwhile: that list is gone
        self._show(page, first, append=True)

    def _show(self, page: UserPage, first: Get[UserPage], *, append: bool = False) -> None:
        table = self.query_one(DataTable)
        selected = self.selected()
        row = table.cursor_row
        if append:
            if MORE in table.rows:
                table.remove_row(MORE)
        else:
            table.clear()
            self.users = {}
        self._shown_for = first
        self.total = page.total
        for user in page.items:
            if user.id in self.users:
                continue  # an account created meanwhile shifted the pages by one
            self.users[user.id] = user
            table.add_row(
                Content(user.login),
                Content(names.role(user.role, short=True)),
                Content(user.class_.name if user.class_ else ""),
                Content.styled(flags(user), "bold $warning"),
                Content(user.full_name),
                Content(family(user)),
                key=str(user.id),
            )
        left = self.total - len(self.users)
        if left > 0 and page.items:
            table.add_row(
                Content.styled("▼ " + _("more"), MUTED),
                Content(""),
                Content(""),
                Content(""),
                Content.styled(
                    ngettext("{n} more account", "{n} more accounts", left).format(
                        n=whole_number(left)
                    ),
                    MUTED,
                ),
                Content.styled(_("move here to load them"), MUTED),
                key=MORE,
            )
        self.query_one("#users-title", Static).update(
            Content.assemble(
                (_("Accounts"), "bold"),
                " · ",
                shown_range(1 if self.users else 0, len(self.users), self.total),
            )
        )
        if append:
            table.move_cursor(row=min(row, table.row_count - 1))
        elif selected is not None and selected.id in self.users:
            table.move_cursor(row=table.get_row_index(str(selected.id)))

    @on(DataTable.RowSelected, "#users-table")
    def _open_account(self, event: DataTable.RowSelected) -> None:
        """Enter on an account shows it in full (its telephone and e-mail too)."""
        key = event.row_key.value
        user = self.users.get(int(key)) if key is not None and key != MORE else None
        if user is None:
            return
        self.app.push_screen(
            DetailScreen(
                account_detail(user, self.key_of("users.edit")),
                name="account-detail",
                binding_id="users.detail.close",
                width="64",
            )
        )

    @on(DataTable.RowHighlighted, "#users-table")
    def _more_when_reached(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value == MORE:
            self.load_more()

    def selected(self) -> UserSummary | None:
        table = self.query_one(DataTable)
        if not self.users or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        if key is None or key == MORE:
            return None
        return self.users.get(int(key))

    @on(Input.Submitted, "#users-q, #users-class")
    def _filter(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.load()
        self.query_one(DataTable).focus()

    @on(Input.Changed, "#users-q")
    def _typed(self) -> None:
        """The server is asked once typing pauses, not on every key."""
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_PAUSE, self.load)

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
            self.notify(_("Choose an account in the table first."), severity="warning")
            return None
        if role is Role.PUPIL and user.role is not role:
            self.notify(
                _("{login} is not a pupil.").format(login=user.login),
                severity="warning",
                markup=False,
            )
            return None
        return user

    # -- writes -------------------------------------------------------------------------------

    def action_create(self) -> None:
        def done(made: OneTimePassword | None) -> None:
            if made is not None:
                self.app.push_screen(PasswordShown(made, _("New account")))
                self.load()

        self.app.push_screen(AccountForm[OneTimePassword](submit=self.create), done)

    async def create(self, values: dict[str, str]) -> OneTimePassword | Refusal:
        """Create the account. It needs the server (its one-time password is shown at once):
        when it cannot be made, the form stays open with everything typed and says why, under
        the box concerned when the refusal names one."""
        try:
            return await self._create(values)
        except Offline:
            return Refusal(
                _(
                    "No connection: the account was not created. A new account needs the "
                    "server, which gives its one-time password at once; what you typed is kept "
                    "here: press Enter to try again when the server is back."
                )
            )
        except UnknownClass as exc:
            return Refusal(str(exc), "class")
        except InvalidRequest as exc:
            return refusal_by_field(exc, account_labels(new=True))

    async def _create(self, values: dict[str, str]) -> OneTimePassword:
        class_id: int | None = None
        role = Role(values["role"])
        if role is Role.PUPIL:
            wanted = "".join(values["class"].split()).upper()
            classes = (await self.data.load(endpoints.classes())).classes
            found = [c.id for c in classes if c.name.upper() == wanted]
            if not found:
                raise UnknownClass(
                    _("There is no class {name}; the classes are {names}.").format(
                        name=values["class"], names=", ".join(c.name for c in classes)
                    )
                )
            class_id = found[0]
        return await self.data.create_user(
            UserCreate(
                role=role,
                first_name=values["first_name"],
                last_name=values["last_name"],
                middle_name=values["middle_name"],
                login=values["login"] or None,
                class_id=class_id,
                phone=values["phone"],
                email=values["email"],
            )
        )

    def action_edit(self) -> None:
        user = self._need()
        if user is None:
            return
        self._edit(user)

    def _edit(self, user: UserSummary) -> None:
        """The names and contacts form on ``user``; the change goes with the version the form
        edits (the account as it is now, after a colleague's change)."""
        form: AccountForm[UserSummary] = AccountForm(user)

        async def save(values: dict[str, str]) -> UserSummary | Refusal:
            editing = form.user or user
            body = UserUpdate(
                version=editing.version,
                first_name=values["first_name"],
                last_name=values["last_name"],
                middle_name=values["middle_name"],
                phone=values["phone"],
                email=values["email"],
            )
            try:
                return await self.data.update_user(editing.id, body)
            except Offline:
                return Refusal(
                    _(
                        "No connection: the account was not changed. Account changes need the "
                        "server; what you typed is kept here: press Enter to try again when it "
                        "is back."
                    )
                )
            except Conflict as exc:
                current = exc.current_as(UserSummary)
                if current is None:
                    raise
                self.load()
                return form.changed_meanwhile(current, exc.message)
            except InvalidRequest as exc:
                return refusal_by_field(exc, account_labels(new=False))

        def done(saved: UserSummary | None) -> None:
            if saved is not None:
                self.notify(_("{login} saved.").format(login=saved.login), markup=False)
                self.load()
            elif form.conflict is not None:
                shown = form.user or user
                self.notify(
                    _("{login} is kept as it is now.").format(login=shown.login), markup=False
                )

        form.submit = save
        self.app.push_screen(form, done)

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def update(self, user: UserSummary, body: UserUpdate, message: str) -> None:
        """Send a lock or an unlock made on ``user`` (nothing typed: a refusal is said)."""
        try:
            await self.data.update_user(user.id, body)
        except Conflict as exc:
            current = exc.current_as(UserSummary)
            if current is None:
                raise
            self._changed_meanwhile(current, body, exc.message)
            return
        self.notify(message, markup=False)
        self.load()

    def _changed_meanwhile(self, current: UserSummary, body: UserUpdate, detail: str) -> None:
        """Someone else changed the account since it was shown: show it as it is now and let
        the IT person choose."""
        self.load()
        conflict = changed_meanwhile(current, detail)
        if body.locked is None:
            return
        wanted = body.locked
        if current.locked == wanted:
            said = (
                _("Someone else has locked {login} meanwhile: it is locked now.")
                if wanted
                else _("Someone else has unlocked {login} meanwhile: it is unlocked now.")
            )
            self.notify(said.format(login=current.login), markup=False)
            return

        def done(yes: bool | None) -> None:
            if yes:
                again = UserUpdate(version=current.version, locked=wanted)
                self.update(current, again, locked_said(current, wanted))
            else:
                self.notify(
                    _("{login} is kept as it is now.").format(login=current.login), markup=False
                )

        if wanted:
            question = _("Lock {login} all the same?")
            answers = _("{yes}: lock it on the new version   {no}: keep it as it is now")
        else:
            question = _("Unlock {login} all the same?")
            answers = _("{yes}: unlock it on the new version   {no}: keep it as it is now")
        self.app.push_screen(
            Confirm(
                Content.assemble(conflict, "\n\n" + question.format(login=current.login)),
                answers,
            ),
            done,
        )

    def action_lock(self) -> None:
        user = self._need()
        if user is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                body = UserUpdate(version=user.version, locked=not user.locked)
                self.update(user, body, locked_said(user, not user.locked))

        if user.locked:
            question = _("Unlock {login} ({name})?")
        else:
            question = _("Lock {login} ({name})? Their sessions end at once.")
        self.app.push_screen(Confirm(question.format(login=user.login, name=user.full_name)), done)

    def action_reset(self) -> None:
        user = self._need()
        if user is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.reset(user)

        self.app.push_screen(
            Confirm(
                _(
                    "Reset the password of {login} ({name})? The old one stops working and "
                    "their sessions end."
                ).format(login=user.login, name=user.full_name)
            ),
            done,
        )

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def reset(self, user: UserSummary) -> None:
        result = await self.data.reset_password(user.id)
        self.app.push_screen(PasswordShown(result, _("One-time password")))
        self.load()

    def _other(self, user: UserSummary) -> str | None:
        """The label of the other login asked for when linking ``user``."""
        if user.role is Role.PARENT:
            return _("The child's login")
        if user.role is Role.PUPIL:
            return _("The parent's login")
        self.notify(_("Choose a parent or a pupil."), severity="warning")
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
        title = (
            _("Link a parent and a child: {login} ({name})")
            if linked
            else _("Unlink a parent and a child: {login} ({name})")
        ).format(login=user.login, name=user.full_name)

        async def send(values: dict[str, str]) -> str | Refusal:
            return await self.link(user, values["other"], linked)

        def done(said: str | None) -> None:
            if said is not None:
                self.notify(said, markup=False)
                self.load()

        self.app.push_screen(
            AskFields(title, [("other", other, initial)], send, _("Not saved: {reason}")), done
        )

    async def link(self, user: UserSummary, other_login: str, linked: bool) -> str | Refusal:
        """Link or unlink; what happened in words, or why not (by the login's box)."""
        try:
            other = await self.data.find_user(other_login)
        except ValueError as exc:
            return Refusal(str(exc), "other")
        parent, pupil = (user, other) if user.role is Role.PARENT else (other, user)
        result = await self.data.set_parent_link(parent.id, pupil.id, linked)
        if not result.changed:
            said = (
                _("{parent} and {pupil} were already linked.")
                if linked
                else _("{parent} and {pupil} were not linked.")
            )
        else:
            said = (
                _("{parent} and {pupil} linked.") if linked else _("{parent} and {pupil} unlinked.")
            )
        return said.format(parent=parent.login, pupil=pupil.login)

    def action_move(self) -> None:
        user = self._need(Role.PUPIL)
        if user is None:
            return
        today = day_typed(self.data.today())
        now = user.class_.name if user.class_ else _("no class")

        async def send(values: dict[str, str]) -> str | Refusal:
            return await self.move(user, values["class"], values["date"])

        def done(said: str | None) -> None:
            if said is not None:
                self.notify(said, markup=False)
                self.load()

        self.app.push_screen(
            AskFields(
                _("Move {login} ({name}) to another class; now in {now}").format(
                    login=user.login, name=user.full_name, now=now
                ),
                [
                    ("class", _("To the class"), ""),
                    ("date", _("From the day ({form})").format(form=day_form()), today),
                ],
                send,
                _("The pupil was not moved: {reason}"),
            ),
            done,
        )

    async def move(self, user: UserSummary, class_name: str, day_text: str) -> str | Refusal:
        """Move the pupil; what happened in words, or why not (by the box concerned)."""
        try:
            day = parse_day(day_text)
        except ValueError as exc:
            return Refusal(str(exc), "date")
        try:
            moved = await self.data.move_pupil(user.id, class_name, day)
        except DiaryError:
            raise
        except ValueError as exc:
            return Refusal(str(exc), "class")
        where = moved.class_.name if moved.class_ else "?"
        return _("{login} moves to {cls} from {day}.").format(
            login=user.login, cls=where, day=day_typed(day)
        )

    # -- invite codes, slips, consents (screens/dialogs/invites.py, screens/users_consent.py) --

    def action_invite(self) -> None:
        user = self._need(Role.PUPIL)
        if user is not None:
            self.invite(user)

    @work(exclusive=True, group="users-write", exit_on_error=False)
    async def invite(self, user: UserSummary) -> None:
        self.app.push_screen(InviteShown(await self.data.invite_code(user.id)))

    def action_slips(self) -> None:
        user = self.selected()
        cls = user.class_.name if user is not None and user.class_ else ""
        cls = cls or self.query_one("#users-class", Input).value.strip()

        async def send(values: dict[str, str]) -> str | Refusal:
            return await self.slips(values["class"], values["file"])

        def done(said: str | None) -> None:
            if said is not None:
                self.notify(said, markup=False, timeout=10)
                self.load()

        self.app.push_screen(
            AskFields(
                _("A class's slips, written to a file (.txt, or .pdf to print)"),
                [("class", _("The class"), cls), ("file", _("The file"), "")],
                send,
                _("The slips were not made: {reason}"),
            ),
            done,
        )

    async def slips(self, class_name: str, path: str) -> str | Refusal:
        """Make a class's slips into ``path`` (asking first whether to reset the passwords of
        accounts that have one); what was written, or why not (by the box concerned)."""
        if not path.strip():
            return Refusal(_("Name the file the slips are written to."), "file")
        try:
            class_id = await self.data.class_id(class_name)
        except DiaryError:
            raise
        except ValueError as exc:
            return Refusal(str(exc), "class")
        plan = await self.data.slip_plan(class_id)
        reset = False
        if plan.accounts:
            question: Any = ResetQuestion(plan)
            reset = bool(await self.app.push_screen_wait(question))
        made = await self.data.class_slips(
            class_id, slip_format(path), reset_confirmed=plan.accounts if reset else None
        )
        try:
            target = await asyncio.to_thread(write_file, path, made.content)
        except OSError as exc:
            return Refusal(describe_error(exc), "file")
        return slips_said(made, target)

    def action_consent(self) -> None:
        self.app.push_screen(
            ConsentListScreen(self.data, self.query_one("#users-class", Input).value.strip())
        )


class UnknownClass(ValueError):
    """The class typed for a new pupil is not one of the school's."""


def locked_said(user: UserSummary, locked: bool) -> str:
    """``ivanov locked.`` / ``ivanov unlocked.``"""
    said = _("{login} locked.") if locked else _("{login} unlocked.")
    return said.format(login=user.login)


def slips_said(made: CredentialSlips, path: str) -> str:
    """What went into a class's slips, and where."""
    parts = [
        ngettext("{n} invite code", "{n} invite codes", made.invite_codes).format(
            n=made.invite_codes
        )
    ]
    if made.pupils or made.parents:
        passwords = made.pupils + made.parents
        parts.append(
            ngettext("{n} new one-time password", "{n} new one-time passwords", passwords).format(
                n=passwords
            )
        )
    return _("Slips for {cls} written to {path}: {what}.").format(
        cls=made.class_name, path=path, what=", ".join(parts)
    )


def write_file(path: str, content: bytes) -> str:
    """Write ``content`` to ``path`` (``~`` is the home folder); the path written."""
    target = Path(path.strip()).expanduser()
    target.write_bytes(content)
    return str(target)
