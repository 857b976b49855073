"""``diary admin ...`` for the IT staff, and ``diary register`` for a parent with an invite code.

What the users screen does, scriptable: ``import FILE [--dry-run]``, ``invite PUPIL``,
``slips --class 5A --out FILE [--format text|pdf] [--reset-passwords [--confirm N]]``,
``reset-password LOGIN``, ``lock LOGIN``, ``unlock LOGIN``,
``users [--role R] [--class C]``. The server applies the same rules as for the screens; an edit
of an account reads it first and goes with its version, so a colleague's change made in between
is refused with a clear message rather than overwritten. The session is the remembered login of the
keyring (as ``diary --server URL --login NAME`` leaves it) or, failing that, a password typed at
a prompt: never on the command line.

Output is plain text within 80 columns. Exit codes: 0 done, 1 refused (by the server, or a
roster with refused lines), 2 usage (a missing file, no server or login).

Imports stay cheap: httpx and the client load only when a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from api_client import names
from api_client.cli_text import date_argument
from api_client.i18n import _, ngettext, pgettext

if TYPE_CHECKING:
    import httpx

    from api_client.models import RosterImportReport, SetupImportReport, UserSummary
    from diary_tui.data import CredentialStore, DiaryData

WIDTH = 80
OK, REFUSED, USAGE = 0, 1, 2
ATTEMPTS = 5
"""How many times ``diary register`` lets a person correct what the server refused."""
SETUP_KINDS = ("subjects", "rooms", "classes", "groups", "assignments", "timetable")
ROLES = ("pupil", "parent", "teacher", "administration", "it_staff", "health_worker", "authority")


class Usage(Exception):
    """Exit 2 with this message."""


class Refused(Exception):
    """Exit 1 with this message."""


@dataclass
class Env:
    """What the commands touch outside themselves; tests replace each part."""

    transport: httpx.AsyncBaseTransport | None = None
    credentials: CredentialStore | None = None
    use_keyring: bool = True
    ask: Callable[[str], str] = input
    ask_secret: Callable[[str], str] = getpass.getpass
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    today: Callable[[], dt.date] | None = None
    """The school's today, frozen (tests; ``DIARY_TODAY`` when None): default days."""
    now: Callable[[], dt.datetime] | None = None
    """The current instant (UTC), frozen (tests); None: the computer's clock."""

    def data(self, credentials: CredentialStore | None = None) -> DiaryData:
        """The data layer the command talks to the server through, on this clock."""
        from diary_tui.clock import utcnow
        from diary_tui.data import DiaryData

        return DiaryData(
            transport=self.transport,
            credentials=credentials,
            save_last_login=None,
            clock=self.now or utcnow,
            today=self.today,
        )

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def wrap(self, text: str, indent: str = "") -> None:
        lines = textwrap.wrap(
            text, WIDTH, subsequent_indent=indent + "  ", break_on_hyphens=False
        ) or [""]
        for line in lines:
            print(line, file=self.out)


# --- the parsers ---------------------------------------------------------------------------


def _account_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server", metavar="URL", default=argparse.SUPPRESS, help=_("the diary server")
    )
    parser.add_argument(
        "--login", metavar=_("NAME"), default=argparse.SUPPRESS, help=_("your login (IT staff)")
    )


def command(
    sub: Any,
    name: str,
    help: str,
    description: str | None = None,
    *,
    run: Callable[[argparse.Namespace, Env], int] | None = None,
) -> Any:
    """One subcommand of ``diary admin`` (or of one of its commands): its parser, with the
    account options. Without a ``description``, ``--help`` says the ``help`` as a sentence.
    A command of another module names its ``run`` (``run_admin`` calls it; see
    :func:`in_session`)."""
    parser = sub.add_parser(
        name, help=help, description=description or help[:1].upper() + help[1:] + "."
    )
    _account_options(parser)
    if run is not None:
        parser.set_defaults(admin_run=run)
    return parser


def command_group(
    sub: Any,
    name: str,
    help: str,
    description: str | None = None,
    *,
    dest: str,
    titled: bool = False,
    metavar: str | None = None,
    run: Callable[[argparse.Namespace, Env], int] | None = None,
) -> Any:
    """A subcommand of ``diary admin`` that has its own (``diary admin year close``): its
    subcommands, one of which must be given, named in ``args.<dest>``."""
    parser = command(sub, name, help, description, run=run)
    return parser.add_subparsers(
        dest=dest,
        metavar=metavar or _("COMMAND"),
        required=True,
        **({"title": _("commands")} if titled else {}),
    )


def add_parsers(commands: Any) -> None:
    """Add ``admin`` (with its subcommands) and ``register`` to ``diary``'s subparsers."""
    sub = command_group(
        commands,
        "admin",
        help=_("accounts for the school's IT staff: import, slips, passwords, locks, users"),
        description=_(
            "Accounts, scriptable. Uses the remembered login (see 'diary --server URL "
            "--login NAME') or asks for the password. Exit codes: 0 done, 1 refused, 2 usage."
        ),
        dest="admin_command",
        titled=True,
    )
    imp = command(
        sub,
        "import",
        help=_("import a roster CSV file (pupils, parents, teachers)"),
        description=_(
            "Import a roster CSV file in one transaction: all of it or, when any line "
            "is refused, nothing. Importing the same file again changes nothing."
        ),
    )
    imp.formatter_class = argparse.RawDescriptionHelpFormatter
    imp.epilog = roster_columns()
    imp.add_argument(
        "file", metavar=_("FILE"), help=_("the CSV file (UTF-8, Windows-1251, ; or ,)")
    )
    imp.add_argument("--dry-run", action="store_true", help=_("only show what would happen"))
    setup_sub = command_group(
        sub,
        "setup",
        help=_("the school's set-up from files: subjects, rooms, classes, groups, timetable"),
        description=_(
            "Set the school up from CSV files (see 'diary admin templates DIR' and "
            "docs/setup.md), in this order: subjects, rooms, classes, then the roster of people "
            "(diary admin import), then groups, assignments, timetable."
        ),
        dest="setup_command",
        titled=True,
    )
    setup_import = command(
        setup_sub,
        "import",
        help=_("check a set-up file (a dry run), or import it with --apply"),
        description=_(
            "Check a set-up file line by line and show what importing it would do; "
            "with --apply, import it in one transaction: all of it or, when any line is refused, "
            "nothing. Importing the same file again changes nothing."
        ),
    )
    setup_import.add_argument(
        "kind", metavar=_("KIND"), choices=SETUP_KINDS, help=", ".join(SETUP_KINDS)
    )
    setup_import.add_argument(
        "file",
        metavar=_("FILE"),
        help=_("the CSV file (UTF-8, Windows-1251, ; or ,)"),
    )
    setup_import.add_argument("--apply", action="store_true", help=_("import it (not only check)"))
    oneroster = command(
        setup_sub,
        "oneroster",
        help=_("check a OneRoster 1.2 CSV bulk set (a dry run), or import it with --apply"),
        description=_(
            "Check a OneRoster 1.2 CSV bulk set as a school information system exports it "
            "(a folder or a zip of orgs, academicSessions, courses, classes, users and "
            "enrollments .csv) and show what importing it would do, file by file and line by "
            "line; with --apply, import it in one transaction: the year and its periods, "
            "subjects, classes, accounts, class teachers, groups and teaching assignments, all "
            "of it or nothing. Importing the same set again changes nothing."
        ),
    )
    oneroster.add_argument(
        "path", metavar=_("PATH"), help=_("the folder of the CSV files, or their zip")
    )
    oneroster.add_argument("--apply", action="store_true", help=_("import it (not only check)"))
    templates = sub.add_parser(
        "templates",
        help=_("write the set-up files' templates with example rows into a folder"),
        description=_(
            "Write one CSV template for each set-up file (subjects.csv, rooms.csv, "
            "classes.csv, groups.csv, assignments.csv, timetable.csv) with example rows, to fill "
            "in a spreadsheet and import with 'diary admin setup import'. Needs no server."
        ),
    )
    templates.add_argument("folder", metavar=_("DIR"), help=_("the folder to write them into"))
    templates.add_argument(
        "--lang", choices=("ru", "en"), default="ru", help=_("the columns' names (default ru)")
    )
    slips = command(
        sub,
        "slips",
        help=_("credential slips for a class (invite codes; one-time passwords when asked)"),
        description=_(
            "Write printable slips for a class to a file: an invite code for a parent of "
            "each pupil; no password changes. With --reset-passwords, every pupil of the "
            "class and every parent account linked to one gets a new one-time password "
            "instead (their old passwords stop working), after a confirmation that says how "
            "many accounts it resets."
        ),
    )
    slips.add_argument("--class", dest="class_name", required=True, metavar=_("CLASS"))
    slips.add_argument(
        "--out", required=True, metavar=_("FILE"), help=_("where to write the slips")
    )
    slips.add_argument("--format", choices=("text", "pdf"), default=None)
    slips.add_argument(
        "--reset-passwords",
        action="store_true",
        help=_("reset the passwords of the class's pupils and their parents (asks first)"),
    )
    slips.add_argument(
        "--confirm",
        type=int,
        metavar="N",
        help=_(
            "with --reset-passwords, without asking: the number of accounts it resets "
            "(refused when it is not that number)"
        ),
    )
    invite = command(
        sub,
        "invite",
        help=_("an invite code for one parent of one pupil"),
        description=_(
            "Issue a new invite code with which one parent registers, linked to this "
            "pupil alone. No password changes. The code works once, for 30 days."
        ),
    )
    invite.add_argument("pupil", metavar=_("PUPIL"), help=_("the pupil's login"))
    reset = command(
        sub,
        "reset-password",
        help=_("give an account a one-time password"),
        description=_(
            "Reset a password: the one-time password is shown once, the account's "
            "sessions end, and the owner must choose a new password at the next login."
        ),
    )
    reset.add_argument("target", metavar=_("LOGIN"), help=_("the account's login"))
    for verb, what, description in (
        (
            "lock",
            _("lock an account"),
            _("Lock an account: it cannot log in and its sessions end at once."),
        ),
        ("unlock", _("unlock an account"), _("Unlock an account: it can log in again.")),
    ):
        locking = command(sub, verb, help=what, description=description)
        locking.add_argument("target", metavar=_("LOGIN"), help=_("the account's login"))
    year_sub = command_group(
        sub,
        "year",
        help=_("the end of the school year: close it and move the classes up"),
        description=_("The end of the school year."),
        dest="year_command",
    )
    close = command(
        year_sub,
        "close",
        help=_("close a year: classes move up into the next year, the 11th grade graduates"),
        description=_(
            "Close an academic year after its last period: each class moves up one "
            "grade into the next year with its pupils (5А becomes 6А), the 11th grade graduates "
            "(accounts and parents stay), and the year becomes read-only (the administration can "
            "still correct a mark, giving a reason). Without --apply it only shows what would "
            "happen. The next year must be set up first (its periods; its timetable may follow)."
        ),
    )
    close.add_argument("year_name", metavar=_("YEAR"), help=_("the year to close, like 2025/26"))
    close.add_argument(
        "--next",
        dest="next_year",
        required=True,
        metavar=_("YEAR"),
        help=_("the next year, like 2026/27"),
    )
    close.add_argument("--apply", action="store_true", help=_("close it (not only show the plan)"))
    create = command(
        sub,
        "create",
        help=_("create an account and show its one-time password"),
        description=_(
            "Create an account. Its one-time password is shown once; the owner chooses a "
            "new one at the first login. A pupil needs a class."
        ),
    )
    create.add_argument("--role", required=True, choices=ROLES, help=_("the account's role"))
    create.add_argument("--last-name", required=True, metavar=_("NAME"), help=_("last name"))
    create.add_argument("--first-name", required=True, metavar=_("NAME"), help=_("first name"))
    create.add_argument("--middle-name", default="", metavar=_("NAME"), help=_("middle name"))
    create.add_argument(
        "--class", dest="class_name", metavar=_("CLASS"), help=_("a pupil's class, e.g. 5А")
    )
    create.add_argument(
        "--new-login",
        dest="new_login",
        metavar=_("LOGIN"),
        help=_("the new account's login (default: made from the name)"),
    )
    _contact_options(create, new=True)
    edit = command(
        sub,
        "edit",
        help=_("change an account's names, telephone or e-mail"),
        description=_(
            "Change an account's last, first or middle name, telephone or e-mail; what is "
            "not given stays. A change made by a colleague meanwhile is refused, not "
            "overwritten."
        ),
    )
    edit.add_argument("target", metavar=_("LOGIN"))
    edit.add_argument("--last-name", metavar=_("NAME"), help=_("the new last name"))
    edit.add_argument("--first-name", metavar=_("NAME"), help=_("the new first name"))
    edit.add_argument(
        "--middle-name", metavar=_("NAME"), help=_("the new middle name ('' to remove it)")
    )
    _contact_options(edit, new=False)
    for verb, what in (
        ("link", _("link a parent's account to a pupil's")),
        ("unlink", _("unlink a parent's account from a pupil's")),
    ):
        linking = command(sub, verb, help=what)
        linking.add_argument("parent", metavar=_("PARENT"), help=_("the parent's login"))
        linking.add_argument("pupil", metavar=_("PUPIL"), help=_("the pupil's login"))
    move = command(
        sub,
        "move",
        help=_("move a pupil to another class from a given day"),
        description=_(
            "Move a pupil to another class from a given day (default: today); the marks stay "
            "in the journals they were given in."
        ),
    )
    move.add_argument("target", metavar=_("LOGIN"), help=_("the pupil's login"))
    move.add_argument("class_name", metavar=_("CLASS"), help=_("the new class, e.g. 6Б"))
    move.add_argument(
        "--from",
        dest="day",
        type=date_argument,
        metavar=_("DATE"),
        help=_("the first day in the new class: 01.11.2026 or 2026-11-01 (default: today)"),
    )
    from diary_tui import consent_cli

    consent_cli.add_parser(sub)
    users = command(sub, "users", help=_("list accounts"), description=_("List accounts."))
    users.add_argument("--role", choices=ROLES, help=_("only accounts of this role"))
    users.add_argument(
        "--class",
        dest="class_name",
        metavar=_("CLASS"),
        help=_("only this class's pupils and parents"),
    )
    users.add_argument("--search", metavar=_("TEXT"), default="", help=_("part of a login or name"))
    register = commands.add_parser(
        "register",
        help=_("create a parent account with an invite code from the school"),
        description=_(
            "Register as a parent with the invite code from the class teacher. Asks "
            "for the code, your names, a login and a password."
        ),
    )
    register.add_argument(
        "--server", metavar="URL", default=argparse.SUPPRESS, help=_("the diary server")
    )
    register.add_argument(
        "--add-child",
        action="store_true",
        help=_("add another child to your parent account (asks for its invite code)"),
    )
    register.add_argument(
        "--login", metavar=_("NAME"), default=argparse.SUPPRESS, help=_("your login (--add-child)")
    )


def _contact_options(parser: argparse.ArgumentParser, *, new: bool) -> None:
    """``--phone`` and ``--email``: how the school reaches the person."""
    clear = "" if new else " " + _("('' to remove it)")
    parser.add_argument(
        "--phone",
        metavar=_("NUMBER"),
        default="" if new else None,
        help=_("telephone, e.g. +7 912 345-67-89") + clear,
    )
    parser.add_argument(
        "--email",
        metavar=_("ADDRESS"),
        default="" if new else None,
        help=_("e-mail, e.g. name@example.ru") + clear,
    )


def _check_contacts(values: dict[str, str]) -> None:
    """The telephone and e-mail as the server will take them (``--phone``: why not)."""
    from api_client.models import email_refusal, phone_refusal

    for option, value, rule in (
        ("--phone", values.get("phone"), phone_refusal),
        ("--email", values.get("email"), email_refusal),
    ):
        if value is not None and (refusal := rule(value)) is not None:
            raise Usage(f"{option}: {refusal}")


def roster_columns() -> str:
    """The roster file's columns, for ``diary admin import --help``."""
    return "\n".join(
        [
            _("The roster file's columns (a header line names them, in any order):"),
            "  kind         " + _("pupil, parent or teacher (тип: ученик, родитель, учитель)"),
            "  last_name    " + _("last name (фамилия)"),
            "  first_name   " + _("first name (имя)"),
            "  middle_name  " + _("middle name, optional (отчество)"),
            "  full_name    " + _("or the whole name in one column (ФИО)"),
            "  class        " + _("a pupil's class, e.g. 5А (класс)"),
            "  login        " + _("optional; made from the name when empty (логин)"),
            "  children     " + _("a parent's children: their logins or names (дети)"),
            "  subjects     " + _("a teacher's subjects (предметы)"),
            "  classes      " + _("a teacher's classes (классы)"),
            "  phone        " + _("a parent's telephone, optional (телефон)"),
            "  email        " + _("a parent's e-mail, optional (почта)"),
        ]
    )


# --- running -----------------------------------------------------------------------------------


def _server_and_login(args: argparse.Namespace, need_login: bool) -> tuple[str, str]:
    from diary_tui.config import ConfigError, load_config
    from diary_tui.data import normalize_server

    server: str | None = getattr(args, "server", None)
    login: str | None = getattr(args, "login", None)
    try:
        config = load_config()
    except ConfigError as exc:
        raise Usage(str(exc)) from None
    if server is None:
        server = config.server
        login = login or config.login
    elif login is None and config.server and config.server.rstrip("/") == server.rstrip("/"):
        login = config.login
    if not server:
        raise Usage(_("no server: give --server URL (or log in once with diary --server URL)"))
    if need_login and not login:
        raise Usage(_("no login: give --login NAME"))
    try:
        server = normalize_server(server)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    return server, login or ""


@asynccontextmanager
async def session(server: str, login: str, env: Env) -> AsyncIterator[DiaryData]:
    """The session the app opens (``DiaryData``): the remembered login of the keyring, else a
    password from the prompt; an account with a one-time password chooses its own first.

    The answers are kept in the account's store, as the app keeps them; the app's last login
    is left as it was.
    """
    from api_client.errors import AuthenticationError

    credentials = env.credentials
    if credentials is None and env.use_keyring:
        from diary_tui.credentials import Credentials

        credentials = Credentials()
    data = env.data(credentials)
    try:
        me = None
        if await data.resume(server, login):
            try:
                me = await data.load_me()
            except AuthenticationError:
                me = None  # the remembered login ended: ask for the password
        if me is None or me.must_change_password:
            # A one-time password: changing it needs it typed, as for a login.
            password = env.ask_secret(
                _("Password for {login} on {server}: ").format(login=login, server=server)
            )
            me = await data.login(server, login, password, remember=False)
            if me.must_change_password:
                await _choose_password(data, password, env)
        yield data
    finally:
        await data.close()


async def _choose_password(data: DiaryData, one_time: str, env: Env) -> None:
    """The server opens nothing else to an account with a one-time password: choose one."""
    from api_client.errors import InvalidRequest

    env.wrap(
        _(
            "This account has a one-time password from the school; choose your own before "
            "anything else (the one-time one then stops working)."
        )
    )
    for _attempt in range(ATTEMPTS):
        new = env.ask_secret(_("New password: "))
        if new != env.ask_secret(_("The new password again: ")):
            env.say("  " + _("The two passwords differ; try again."))
            continue
        try:
            await data.change_password(one_time, new)
        except InvalidRequest as exc:
            if exc.field != "new":
                raise
            env.wrap(f"  {exc.message}", "  ")
            continue
        env.say(_("Your password is changed."))
        return
    raise Refused(_("the password was not changed; nothing else was done"))


def run_admin(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    command = getattr(args, "admin_run", None)
    if command is not None:  # a command added by another module (setup_cli, audit_cli)
        return int(command(args, env))
    if args.admin_command == "templates":
        return _templates(Path(args.folder), args.lang, env)
    try:
        files = _files(args)
    except Usage as exc:
        print(f"diary admin: {exc}", file=env.err)
        return USAGE
    return in_session(args, env, "diary admin", lambda data: _admin(data, args, env, files))


@dataclass
class _Files:
    data: bytes = b""
    """The roster file's bytes (``import``)."""
    out: Path | None = None
    """Where the slips go (``slips``)."""


def _files(args: argparse.Namespace) -> _Files:
    """Read and check the files a command names, before anything is sent."""
    if args.admin_command == "import":
        path = Path(args.file)
        if not path.is_file():
            raise Usage(_("there is no file {path}").format(path=args.file))
        try:
            return _Files(data=path.read_bytes())
        except OSError as exc:
            raise Usage(
                _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)
            ) from None
    if args.admin_command == "setup" and args.setup_command == "oneroster":
        return _Files(data=oneroster_zip(Path(args.path)))
    if args.admin_command == "setup":
        return _Files(data=_setup_file(Path(args.file), args.kind))
    if args.admin_command == "slips":
        out = Path(args.out)
        if out.is_dir():
            raise Usage(_("{path} is a folder: give a file name").format(path=out))
        if not out.parent.is_dir():
            raise Usage(_("there is no folder {path}").format(path=out.parent))
        return _Files(out=out)
    return _Files()


def run_register(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    return _run(lambda: _register(args, env), env, "diary register")


def in_session(
    args: argparse.Namespace, env: Env, prog: str, work: Callable[[DiaryData], Awaitable[int]]
) -> int:
    """How a ``diary admin`` command runs: the server and login it names, the session the app
    opens (:func:`session`), ``work`` in it; a refusal said in the user's language after
    ``prog``, and the exit status (:func:`_run`)."""

    async def main() -> int:
        server, login = _server_and_login(args, need_login=True)
        async with session(server, login, env) as data:
            return await work(data)

    return _run(main, env, prog)


def _run(main: Callable[[], Any], env: Env, prog: str) -> int:
    import asyncio

    from api_client.errors import DiaryError, InvalidRequest, NotFound, PermissionDenied

    try:
        result: int = asyncio.run(main())
        return result
    except Usage as exc:
        print(f"{prog}: {exc}", file=env.err)
        return USAGE
    except Refused as exc:
        print(f"{prog}: {exc}", file=env.err)
        return REFUSED
    except (InvalidRequest, NotFound, PermissionDenied) as exc:
        print(f"{prog}: " + _("refused: {reason}").format(reason=exc.message), file=env.err)
        return REFUSED
    except DiaryError as exc:
        from diary_tui.data import describe_error

        print(f"{prog}: {describe_error(exc)}", file=env.err)
        return REFUSED
    except (EOFError, KeyboardInterrupt):
        print(f"\n{prog}: " + _("cancelled"), file=env.err)
        return REFUSED


async def _admin(data: DiaryData, args: argparse.Namespace, env: Env, files: _Files) -> int:
    command = args.admin_command
    if command == "import":
        return await _import(data, Path(args.file).name, files.data, args.dry_run, env)
    if command == "setup" and args.setup_command == "oneroster":
        return await _setup_import(
            data, "oneroster", Path(args.path).name, files.data, args.apply, env
        )
    if command == "setup":
        return await _setup_import(
            data, args.kind, Path(args.file).name, files.data, args.apply, env
        )
    if command == "slips":
        assert files.out is not None
        return await _slips(
            data,
            args.class_name,
            files.out,
            args.format,
            env,
            reset=args.reset_passwords,
            confirm=args.confirm,
        )
    if command == "invite":
        return await _invite(data, args.pupil, env)
    if command == "reset-password":
        return await _reset(data, args.target, env)
    if command in ("lock", "unlock"):
        return await _lock(data, args.target, command == "lock", env)
    if command == "consent":
        from diary_tui import consent_cli

        return await consent_cli.run(data, args, env)
    if command == "year":
        return await _close_year(data, args.year_name, args.next_year, args.apply, env)
    if command == "create":
        return await _create(data, args, env)
    if command == "edit":
        return await _edit(data, args, env)
    if command in ("link", "unlink"):
        return await _link(data, args.parent, args.pupil, command == "link", env)
    if command == "move":
        return await _move(data, args.target, args.class_name, args.day, env)
    return await _users(data, args.role, args.class_name, args.search, env)


# --- import ------------------------------------------------------------------------------------


def import_actions() -> dict[str, str]:
    """What an import did to a line, in the user's language."""
    return {
        "created": pgettext("import action", "created"),
        "changed": pgettext("import action", "changed"),
        "unchanged": pgettext("import action", "unchanged"),
        "skipped": pgettext("import action", "skipped"),
        "refused": pgettext("import action", "refused"),
    }


def _report_head(report: RosterImportReport | SetupImportReport, what: str, env: Env) -> None:
    """The first lines of an import's report: what was imported, the counts, the warnings."""
    said = (
        _(
            "Dry run of {what}: {created} created, {changed} changed, {unchanged} unchanged, "
            "{skipped} skipped, {refused} refused."
        )
        if report.dry_run
        else _(
            "Import of {what}: {created} created, {changed} changed, {unchanged} unchanged, "
            "{skipped} skipped, {refused} refused."
        )
    )
    env.wrap(
        said.format(
            what=what,
            created=report.created,
            changed=report.changed,
            unchanged=report.unchanged,
            skipped=report.skipped,
            refused=report.refused,
        )
    )
    for warning in report.warnings:
        env.wrap(_("warning: {warning}").format(warning=warning), "  ")


def _say_row(text: str, changes: list[Any], reason: str, env: Env) -> None:
    """One line of an import's report: ``text``, then what changed and why it was refused."""
    if changes:
        text += ": " + _changes(changes)
    if reason:
        text += f": {reason}"
    env.wrap(text, "  ")


def _changes(changes: list[Any]) -> str:
    return "; ".join(f"{c.label or c.field} {c.before or '-'} -> {c.after or '-'}" for c in changes)


def print_report(report: RosterImportReport, name: str, env: Env) -> None:
    _report_head(report, f"{name} ({report.encoding})", env)
    actions = import_actions()
    for row in report.rows:
        if row.kind:
            who = f"{names.role(row.kind)} {row.name}"
        else:
            who = row.name or pgettext("import", "row")
        if row.class_name:
            who += f" ({row.class_name})"
        action = actions.get(row.action.value, row.action.value)
        text = _("line {n}: {action} {who}").format(n=row.line, action=action, who=who)
        if row.login and row.action.value != "refused":
            text += _(", login {login}").format(login=row.login)
        _say_row(text, row.changes, row.reason, env)


def would_be_refused(n: int) -> str:
    return ngettext(
        "{n} line would be refused: the import would write nothing.",
        "{n} lines would be refused: the import would write nothing.",
        n,
    ).format(n=n)


async def _import(data: DiaryData, name: str, content: bytes, dry_run: bool, env: Env) -> int:
    import msgspec

    from api_client.errors import InvalidRequest
    from api_client.models import RosterImportReport

    try:
        report = await data.import_roster(content, dry_run=dry_run)
    except InvalidRequest as exc:
        current = exc.problem.current if exc.problem is not None else None
        if current is None:
            raise
        refused = msgspec.json.decode(current, type=RosterImportReport)
        print_report(refused, name, env)
        raise Refused(exc.message) from None
    print_report(report, name, env)
    if report.refused:
        env.wrap(would_be_refused(report.refused))
        return REFUSED
    if dry_run:
        env.say(_("Nothing was written (dry run)."))
    else:
        env.say(_("Imported."))
    return OK


# --- the school's set-up from files ----------------------------------------------------------


def _setup_file(path: Path, kind: str) -> bytes:
    """The set-up file's bytes."""
    if not path.is_file():
        raise Usage(_("there is no file {path}").format(path=path))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Usage(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None


def oneroster_zip(path: Path) -> bytes:
    """A OneRoster set's zip: the file itself, or a folder's CSV files zipped
    (:func:`api_client.setup_files.oneroster_zip`)."""
    from api_client.setup_files import oneroster_zip as bundle

    try:
        return bundle(path)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    except OSError as exc:
        raise Usage(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None


def _templates(folder: Path, lang: str, env: Env) -> int:
    from api_client.setup_files import KINDS, template

    if folder.exists() and not folder.is_dir():
        print(_("diary admin: {path} is not a folder").format(path=folder), file=env.err)
        return USAGE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind in KINDS.values():
            path = folder / f"{kind.name}.csv"
            if path.exists():
                env.say(_("{path}: kept (it exists)").format(path=path))
                continue
            path.write_bytes(template(kind, lang))
            n = len(kind.examples)
            env.say(
                ngettext("{path}: {n} example row", "{path}: {n} example rows", n).format(
                    path=path, n=n
                )
            )
    except OSError as exc:
        print(
            _("diary admin: cannot write {path}: {reason}").format(
                path=folder, reason=exc.strerror
            ),
            file=env.err,
        )
        return USAGE
    env.wrap(
        _(
            "Fill them in (UTF-8 or Windows-1251, ; or ,) and check each with 'diary admin "
            "setup import KIND FILE', then import it with --apply. The columns are described "
            "in docs/setup.md."
        )
    )
    return OK


def print_setup_report(report: SetupImportReport, name: str, env: Env) -> None:
    _report_head(report, f"{report.kind} {name} ({report.encoding or 'zip'})", env)
    actions = import_actions()
    for row in report.rows:
        if row.file:
            where = _("{file} line {n}").format(file=row.file, n=row.line)
        else:
            where = _("line {n}").format(n=row.line)
        if row.column:
            where += _(", column {column}").format(column=row.column)
        action = actions.get(row.action.value, row.action.value)
        text = f"{where}: {action} {row.what}".rstrip()
        _say_row(text, row.changes, row.reason, env)


async def _setup_import(
    data: DiaryData, kind: str, name: str, content: bytes, apply: bool, env: Env
) -> int:
    from api_client.errors import InvalidRequest
    from api_client.models import SetupImportReport, decode, encode

    try:
        report = await data.import_setup(
            kind, content, dry_run=not apply, zip_file=kind == "oneroster"
        )
    except InvalidRequest as exc:
        current = exc.problem.current if exc.problem is not None else None
        if current is None:
            raise
        print_setup_report(decode(encode(current), SetupImportReport), name, env)
        raise Refused(exc.message) from None
    print_setup_report(report, name, env)
    if report.refused:
        env.wrap(would_be_refused(report.refused))
        return REFUSED
    if apply:
        env.say(_("Imported."))
    else:
        env.say(_("Nothing was written (a dry run): add --apply to import it."))
    return OK


# --- slips, passwords, users -------------------------------------------------------------------


async def _class_id(data: DiaryData, class_name: str) -> tuple[int, str]:
    from api_client import endpoints

    wanted = _class_key(class_name)
    for cls in (await data.load(endpoints.classes())).classes:
        if _class_key(cls.name) == wanted or str(cls.id) == class_name.strip():
            return cls.id, cls.name
    raise Refused(_("there is no class {name} in this school").format(name=class_name))


_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


def _class_key(name: str) -> str:
    """``5a``, ``5 А`` and ``5А`` name one class."""
    return "".join(name.split()).replace("-", "").upper().translate(_LATIN_TO_CYRILLIC)


async def _slips(
    data: DiaryData,
    class_name: str,
    out: Path,
    fmt: str | None,
    env: Env,
    *,
    reset: bool = False,
    confirm: int | None = None,
) -> int:
    import asyncio

    from api_client.models import SlipFormat

    if confirm is not None and not reset:
        raise Usage(_("--confirm goes with --reset-passwords"))
    if fmt is None:
        fmt = "pdf" if out.suffix.lower() == ".pdf" else "text"
    class_id, name = await _class_id(data, class_name)
    agreed: int | None = None
    if reset:
        plan = await data.slip_plan(class_id)
        said = _(
            "This resets the passwords of {n} accounts of {name} ({pupils} pupils and "
            "{parents} parents): their old passwords stop working."
        ).format(n=plan.accounts, name=name, pupils=plan.pupils, parents=plan.parents)
        if confirm is None:
            env.wrap(said)
            answer = env.ask(_("Type {n} to reset them: ").format(n=plan.accounts)).strip()
            if answer != str(plan.accounts):
                raise Refused(_("nothing was reset"))
            agreed = plan.accounts
        elif confirm != plan.accounts:
            raise Refused(
                _("--confirm is {confirm}, but {said}").format(
                    confirm=confirm, said=f"{said[0].lower()}{said[1:]}"
                )
            )
        else:
            agreed = confirm
    slips = await data.class_slips(class_id, SlipFormat(fmt), reset_confirmed=agreed)
    await asyncio.to_thread(write_private, out, slips.content)
    total = slips.pupils + slips.parents + slips.invite_codes
    until = (
        _(" (valid until {day}).").format(day=f"{slips.expires:%d.%m.%Y}") if slips.expires else "."
    )
    if reset:
        env.wrap(
            _(
                "Wrote {total} slips for {name} to {out}: {pupils} pupils and {parents} parents "
                "with one-time passwords, {codes} invite codes"
            ).format(
                total=total,
                name=name,
                out=out,
                pupils=slips.pupils,
                parents=slips.parents,
                codes=slips.invite_codes,
            )
            + until
        )
        env.wrap(_("Their old passwords no longer work. Print the file, then delete it."))
    else:
        env.wrap(
            _("Wrote {total} invite-code slips for {name} to {out}").format(
                total=total, name=name, out=out
            )
            + until
            + " "
            + _("No password was changed.")
        )
    return OK


async def _invite(data: DiaryData, login: str, env: Env) -> int:
    pupil = await _find(data, login)
    if pupil.role.value != "pupil":
        raise Refused(_("{login} is not a pupil").format(login=pupil.login))
    issued = await data.invite_code(pupil.id)
    where = f", {issued.pupil.class_.name}" if issued.pupil.class_ else ""
    env.wrap(
        _("Invite code for a parent of {name}{where}: {code}").format(
            name=f"{issued.pupil.last_name} {issued.pupil.first_name}",
            where=where,
            code=issued.code,
        )
    )
    env.wrap(
        _(
            "It works once, until {day}: the parent registers with it (diary register) and is "
            "linked to this pupil alone. No password was changed."
        ).format(day=f"{issued.expires:%d.%m.%Y}")
    )
    return OK


def write_private(path: Path, content: bytes) -> None:
    """Write a file readable by its owner alone (slips hold passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


async def _find(data: DiaryData, login: str) -> UserSummary:
    from api_client import endpoints

    wanted = login.strip().lower()
    page = await data.load(endpoints.users(wanted, limit=500))
    for user in page.items:
        if user.login == wanted:
            return user
    raise Refused(_("there is no account with the login {login}").format(login=login))


async def _year_id(data: DiaryData, name: str, option: str) -> int:
    from api_client import endpoints

    years = (await data.load(endpoints.setup_years())).years
    wanted = "".join(name.split())
    for year in years:
        if "".join(year.name.split()) == wanted:
            return year.id
    known = ", ".join(y.name for y in years) or "none"
    raise Usage(f"{option}: there is no year {name!r} (the school's years: {known})")


async def _close_year(
    data: DiaryData, year_name: str, next_name: str, apply: bool, env: Env
) -> int:
    from api_client.models import YearClose

    year_id = await _year_id(data, year_name, "YEAR")
    next_id = await _year_id(data, next_name, "--next")
    plan = await data.close_year(year_id, YearClose(next_year_id=next_id, apply=apply))
    head = (
        _("Closed: {year} into {next}")
        if plan.applied
        else _("Closing (a dry run: nothing is changed yet): {year} into {next}")
    )
    env.wrap(head.format(year=plan.year, next=plan.next_year))
    for row in plan.classes:
        pupils = ngettext("{n} pupil", "{n} pupils", row.pupils).format(n=row.pupils)
        if row.to:
            made = " " + _("(new class)") if row.new else ""
            env.say(f"  {row.class_.name:>4} → {row.to:<4} {pupils}{made}")
        else:
            env.say(f"  {row.class_.name:>4} " + _("graduate") + f": {pupils}")
    env.wrap(
        _("{moved} move up, {graduates} graduate.").format(
            moved=plan.moved, graduates=plan.graduates
        )
    )
    for warning in plan.warnings:
        env.wrap(_("Note: {warning}").format(warning=warning))
    if not plan.applied:
        env.wrap(_("Run again with --apply to close the year."))
    return OK


async def _reset(data: DiaryData, login: str, env: Env) -> int:
    user = await _find(data, login)
    result = await data.reset_password(user.id)
    env.wrap(
        _("One-time password for {login} ({name}): {password}").format(
            login=user.login, name=user.full_name, password=result.one_time_password
        )
    )
    env.wrap(
        _(
            "It is shown only this once. The account's sessions have ended; the new password "
            "must be changed at the next login."
        )
    )
    return OK


async def _lock(data: DiaryData, login: str, locked: bool, env: Env) -> int:
    """Lock or unlock, on the version just read: a change in between is refused, not undone."""
    from api_client.errors import Conflict
    from api_client.models import UserSummary, UserUpdate

    user = await _find(data, login)
    if user.locked == locked:
        already = (
            _("{login} ({name}) is already locked; nothing to do.")
            if locked
            else _("{login} ({name}) is already unlocked; nothing to do.")
        )
        env.wrap(already.format(login=user.login, name=user.full_name))
        return OK
    try:
        saved = await data.update_user(user.id, UserUpdate(version=user.version, locked=locked))
    except Conflict as exc:
        current = exc.current_as(UserSummary)
        now = ""
        if current is not None:
            state = _("locked") if current.locked else _("not locked")
            now = " " + _("It is now: {name}, {state}.").format(name=current.full_name, state=state)
        changed = (
            _("someone else changed {login} while this command ran, so it was not locked.")
            if locked
            else _("someone else changed {login} while this command ran, so it was not unlocked.")
        )
        raise Refused(
            changed.format(login=user.login)
            + now
            + " "
            + _(
                "Check it (diary admin users --search {login}) and run the command again. "
                "({reason})"
            ).format(login=user.login, reason=exc.message)
        ) from None
    done = (
        _("{login} ({name}) is locked. Their sessions have ended.")
        if locked
        else _("{login} ({name}) is unlocked.")
    )
    env.wrap(done.format(login=saved.login, name=saved.full_name))
    return OK


async def _create(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import Role, UserCreate

    role = Role(args.role)
    class_id: int | None = None
    if role is Role.PUPIL:
        if not args.class_name:
            raise Usage(_("a pupil needs a class: give --class, e.g. --class 5А"))
        class_id, _name = await _class_id(data, args.class_name)
    _check_names(
        {
            "last_name": args.last_name,
            "first_name": args.first_name,
            "middle_name": args.middle_name,
        }
    )
    if not args.last_name.strip() or not args.first_name.strip():
        raise Usage(_("the last and first names are needed"))
    _check_contacts({"phone": args.phone, "email": args.email})
    made = await data.create_user(
        UserCreate(
            role=role,
            last_name=args.last_name.strip(),
            first_name=args.first_name.strip(),
            middle_name=args.middle_name.strip(),
            login=(args.new_login or "").strip().lower() or None,
            class_id=class_id,
            phone=args.phone.strip(),
            email=args.email.strip(),
        )
    )
    user = made.user
    env.wrap(
        _("Created {login} ({name}, {role}).").format(
            login=user.login, name=user.full_name, role=names.role(user.role)
        )
    )
    if user.phone or user.email:
        _say_contacts(user, env)
    env.wrap(_("One-time password: {password}").format(password=made.one_time_password))
    env.wrap(_("It is shown only this once; it must be changed at the first login."))
    return OK


def _check_names(values: dict[str, str]) -> None:
    """The names as the server will take them: one line, no markup, not too long."""
    from api_client.models import name_refusal

    labels = {
        "last_name": _("last name"),
        "first_name": _("first name"),
        "middle_name": _("middle name"),
    }
    for field_name, value in values.items():
        refusal = name_refusal(value.strip(), labels[field_name])
        if refusal:
            raise Usage(refusal)


async def _edit(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.errors import Conflict
    from api_client.models import UserSummary, UserUpdate

    given = {
        key: value.strip()
        for key, value in (
            ("last_name", args.last_name),
            ("first_name", args.first_name),
            ("middle_name", args.middle_name),
        )
        if value is not None
    }
    contacts = {
        key: value.strip()
        for key, value in (("phone", args.phone), ("email", args.email))
        if value is not None
    }
    if not given and not contacts:
        raise Usage(
            _(
                "nothing to change: give --last-name, --first-name, --middle-name, --phone "
                "or --email"
            )
        )
    _check_names(given)
    _check_contacts(contacts)
    if given.get("last_name") == "" or given.get("first_name") == "":
        raise Usage(_("the last and first names cannot be empty"))
    user = await _find(data, args.target)
    try:
        saved = await data.update_user(
            user.id, UserUpdate(version=user.version, **given, **contacts)
        )
    except Conflict as exc:
        current = exc.current_as(UserSummary)
        now = current.full_name if current is not None else "?"
        raise Refused(
            _(
                "someone else changed {login} while this command ran, so it was not changed. "
                "It is now: {name}. Check it and run the command again."
            ).format(login=user.login, name=now)
        ) from None
    if given:
        env.wrap(
            _("{login}: {before} is now {after}.").format(
                login=saved.login, before=user.full_name, after=saved.full_name
            )
        )
    if contacts:
        env.wrap(_("{login} ({name}):").format(login=saved.login, name=saved.full_name))
        _say_contacts(saved, env)
    return OK


def _say_contacts(user: UserSummary, env: Env) -> None:
    """The account's telephone and e-mail, one line each ("not given" when empty)."""
    none = _("not given")
    env.wrap("  " + _("Telephone: {phone}").format(phone=user.phone or none))
    env.wrap("  " + _("E-mail: {email}").format(email=user.email or none))


async def _link(
    data: DiaryData, parent_login: str, pupil_login: str, linked: bool, env: Env
) -> int:
    from api_client.models import Role

    parent = await _find(data, parent_login)
    pupil = await _find(data, pupil_login)
    if parent.role is not Role.PARENT:
        raise Refused(_("{login} is not a parent's account").format(login=parent.login))
    if pupil.role is not Role.PUPIL:
        raise Refused(_("{login} is not a pupil's account").format(login=pupil.login))
    result = await data.set_parent_link(parent.id, pupil.id, linked)
    values = {"parent": parent.login, "pupil": pupil.login}
    if not result.changed:
        text = (
            _("{parent} and {pupil} were already linked; nothing to do.")
            if linked
            else _("{parent} and {pupil} were not linked; nothing to do.")
        )
    else:
        text = (
            _("{parent} and {pupil} are linked.")
            if linked
            else _("{parent} and {pupil} are unlinked.")
        )
    env.wrap(text.format(**values))
    return OK


async def _move(data: DiaryData, login: str, class_name: str, day: dt.date | None, env: Env) -> int:
    from api_client.models import Role

    user = await _find(data, login)
    if user.role is not Role.PUPIL:
        raise Refused(_("{login} is not a pupil's account").format(login=user.login))
    try:
        moved = await data.move_pupil(user.id, class_name, day)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    where = moved.class_.name if moved.class_ else "?"
    env.wrap(
        _("{login} ({name}) moves to {class_name} from {day}.").format(
            login=user.login,
            name=user.full_name,
            class_name=where,
            day=(day or data.today()).strftime("%d.%m.%Y"),
        )
    )
    return OK


def fit(text: str, width: int) -> str:
    """``text`` in ``width`` columns at most, cut with ``…`` when longer."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def user_line(user: UserSummary) -> str:
    """One account in at most 80 columns: login, role, class, flags, name (and a parent's
    children), each cut with ``…`` where it would not fit."""
    flags = ("L" if user.locked else "-") + ("P" if user.must_change_password else "-")
    cls = user.class_.name if user.class_ is not None else ""
    name = user.full_name
    if user.children:
        name += " [" + ", ".join(c.first_name for c in user.children) + "]"
    line = (
        f"{fit(user.login, 18):<18} {fit(names.role(user.role), 14):<14} {fit(cls, 4):<4} {flags} "
    )
    return line + fit(name, WIDTH - len(line))


async def _users(
    data: DiaryData, role: str | None, class_name: str | None, search: str, env: Env
) -> int:
    from api_client import endpoints
    from api_client.models import Role

    chosen = Role(role) if role else None
    offset, total = 0, None
    env.say(
        f"{fit(_('LOGIN'), 18):<18} {fit(_('ROLE'), 14):<14} {fit(_('CLS'), 4):<4} LP {_('NAME')}"
    )
    while total is None or offset < total:
        page = await data.load(endpoints.users(search, chosen, class_name, offset, limit=500))
        total = page.total
        for user in page.items:
            env.say(user_line(user))
        if not page.items:
            break
        offset += len(page.items)
    env.wrap(
        ngettext(
            "{n} account. L: locked, P: must change the password.",
            "{n} accounts. L: locked, P: must change the password.",
            total or 0,
        ).format(n=total or 0)
    )
    return OK


# --- registration ------------------------------------------------------------------------------


async def _add_child(args: argparse.Namespace, env: Env) -> int:
    server, login = _server_and_login(args, need_login=True)
    code = env.ask(_("Invite code of the child: ")).strip()
    if not code:
        raise Usage(_("no invite code"))
    async with session(server, login, env) as data:
        result = await data.add_child(code)
    children = ", ".join(f"{c.first_name} {c.last_name}" for c in result.children)
    env.wrap(
        _("{login} is now linked to {children}.").format(login=result.login, children=children)
    )
    return OK


async def _register(args: argparse.Namespace, env: Env) -> int:
    if getattr(args, "add_child", False):
        return await _add_child(args, env)
    from api_client.errors import InvalidRequest, RateLimited
    from api_client.models import RegisterRequest
    from diary_tui.data import normalize_server

    server: str | None = getattr(args, "server", None)
    if server is None:
        from diary_tui.config import ConfigError, load_config

        try:
            server = load_config().server
        except ConfigError:
            server = None
    if not server:
        server = env.ask(_("Server (e.g. https://diary.school.org): ")).strip()
    try:
        server = normalize_server(server)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    env.wrap(
        _("Registering a parent account on {server} with an invite code from the school.").format(
            server=server
        )
    )

    def ask(prompt: str) -> str:
        while True:
            value = env.ask(prompt).strip()
            if value:
                return value
            env.say("  " + _("Please fill this in."))

    def ask_password() -> str:
        while True:
            first = env.ask_secret(_("Password: "))
            if first != env.ask_secret(_("The password again: ")):
                env.say("  " + _("The two passwords differ; try again."))
                continue
            return first

    data = env.data()
    code = ask(_("Invite code: "))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            consent = await data.consent_for_code(server, code)
            break
        except RateLimited as exc:
            raise Refused(exc.message) from None
        except InvalidRequest as exc:
            env.wrap(f"  {exc.message}", "  ")
            if exc.field != "code" or attempt == ATTEMPTS:
                raise Refused(_("nothing was registered")) from None
            code = ask(_("Invite code: "))
    env.say()
    env.wrap(
        _(
            "{school}: consent to the processing of personal data, version {version}. Read it "
            "before registering:"
        ).format(school=consent.school, version=consent.version)
    )
    env.say()
    for paragraph in consent.text.split("\n"):
        env.wrap(paragraph)
    env.say()
    answer = env.ask(_("Do you accept it? Type yes to accept, anything else to stop: "))
    if answer.strip().lower() not in ("yes", "y", "да", "д"):
        raise Refused(
            _(
                "registration needs your consent to the processing of personal data; nothing "
                "was registered (the school can take a paper form instead: ask the class "
                "teacher)"
            )
        )
    values: dict[str, Any] = {
        "code": code,
        "first_name": ask(_("First name: ")),
        "last_name": ask(_("Last name: ")),
        "login": ask(_("Login (latin letters, digits, . _ -): ")),
        "consent_version": consent.version,
    }
    values["password"] = ask_password()
    prompts = {
        "code": _("Invite code: "),
        "first_name": _("First name: "),
        "last_name": _("Last name: "),
        "login": _("Login: "),
    }
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result = await data.register(server, RegisterRequest(**values))
            break
        except RateLimited as exc:
            raise Refused(exc.message) from None
        except InvalidRequest as exc:
            wrong = exc.field or ""
            env.wrap(f"  {exc.message}", "  ")
            if attempt == ATTEMPTS:
                continue
            if wrong == "password":
                values["password"] = ask_password()
            elif wrong in prompts:
                values[wrong] = ask(prompts[wrong])
            else:
                raise
    else:
        raise Refused(_("too many attempts; nothing was registered"))
    children = ", ".join(f"{c.first_name} {c.last_name}" for c in result.children)
    env.wrap(
        _("Registered {login}, linked to {children}.").format(login=result.login, children=children)
    )
    env.wrap(
        _("Log in with: {command}").format(
            command=f"diary --server {server} --login {result.login}"
        )
    )
    return OK
