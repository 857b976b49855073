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
import getpass
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

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
        "--server", metavar="URL", default=argparse.SUPPRESS, help="the diary server"
    )
    parser.add_argument(
        "--login", metavar="NAME", default=argparse.SUPPRESS, help="your login (IT staff)"
    )


def add_parsers(commands: Any) -> None:
    """Add ``admin`` (with its subcommands) and ``register`` to ``diary``'s subparsers."""
    admin = commands.add_parser(
        "admin",
        help="accounts for the school's IT staff: import, slips, passwords, locks, users",
        description="Accounts, scriptable. Uses the remembered login (see 'diary --server URL "
        "--login NAME') or asks for the password. Exit codes: 0 done, 1 refused, 2 usage.",
    )
    _account_options(admin)
    sub = admin.add_subparsers(dest="admin_command", metavar="COMMAND", required=True)
    imp = sub.add_parser(
        "import",
        help="import a roster CSV file (pupils, parents, teachers)",
        description="Import a roster CSV file in one transaction: all of it or, when any line "
        "is refused, nothing. Importing the same file again changes nothing.",
    )
    _account_options(imp)
    imp.add_argument("file", metavar="FILE", help="the CSV file (UTF-8, Windows-1251, ; or ,)")
    imp.add_argument("--dry-run", action="store_true", help="only show what would happen")
    setup = sub.add_parser(
        "setup",
        help="the school's set-up from files: subjects, rooms, classes, groups, timetable",
        description="Set the school up from CSV files (see 'diary admin templates DIR' and "
        "docs/setup.md), in this order: subjects, rooms, classes, then the roster of people "
        "(diary admin import), then groups, assignments, timetable.",
    )
    _account_options(setup)
    setup_sub = setup.add_subparsers(dest="setup_command", metavar="COMMAND", required=True)
    setup_import = setup_sub.add_parser(
        "import",
        help="check a set-up file (a dry run), or import it with --apply",
        description="Check a set-up file line by line and show what importing it would do; "
        "with --apply, import it in one transaction: all of it or, when any line is refused, "
        "nothing. Importing the same file again changes nothing.",
    )
    _account_options(setup_import)
    setup_import.add_argument(
        "kind", metavar="KIND", choices=SETUP_KINDS, help=", ".join(SETUP_KINDS)
    )
    setup_import.add_argument(
        "file",
        metavar="FILE",
        help="the CSV file (UTF-8, Windows-1251, ; or ,)",
    )
    setup_import.add_argument("--apply", action="store_true", help="import it (not only check)")
    templates = sub.add_parser(
        "templates",
        help="write the set-up files' templates with example rows into a folder",
        description="Write one CSV template for each set-up file (subjects.csv, rooms.csv, "
        "classes.csv, groups.csv, assignments.csv, timetable.csv) with example rows, to fill in "
        "a spreadsheet and import with 'diary admin setup import'. Needs no server.",
    )
    templates.add_argument("folder", metavar="DIR")
    templates.add_argument(
        "--lang", choices=("ru", "en"), default="ru", help="the columns' names (default ru)"
    )
    slips = sub.add_parser(
        "slips",
        help="credential slips for a class (invite codes; one-time passwords when asked)",
        description="Write printable slips for a class to a file: an invite code for a parent "
        "of each pupil; no password changes. With --reset-passwords, every pupil of the class "
        "and every parent account linked to one gets a new one-time password instead (their old "
        "passwords stop working), after a confirmation that says how many accounts it resets.",
    )
    _account_options(slips)
    slips.add_argument("--class", dest="class_name", required=True, metavar="CLASS")
    slips.add_argument("--out", required=True, metavar="FILE", help="where to write the slips")
    slips.add_argument("--format", choices=("text", "pdf"), default=None)
    slips.add_argument(
        "--reset-passwords",
        action="store_true",
        help="reset the passwords of the class's pupils and their parents (asks first)",
    )
    slips.add_argument(
        "--confirm",
        type=int,
        metavar="N",
        help="with --reset-passwords, without asking: the number of accounts it resets "
        "(refused when it is not that number)",
    )
    invite = sub.add_parser(
        "invite",
        help="an invite code for one parent of one pupil",
        description="Issue a new invite code with which one parent registers, linked to this "
        "pupil alone. No password changes. The code works once, for 30 days.",
    )
    _account_options(invite)
    invite.add_argument("pupil", metavar="PUPIL", help="the pupil's login")
    reset = sub.add_parser(
        "reset-password",
        help="give an account a one-time password",
        description="Reset a password: the one-time password is shown once, the account's "
        "sessions end, and the owner must choose a new password at the next login.",
    )
    _account_options(reset)
    reset.add_argument("target", metavar="LOGIN")
    for verb, what in (
        ("lock", "lock an account: it cannot log in and its sessions end at once"),
        ("unlock", "unlock an account: it can log in again"),
    ):
        locking = sub.add_parser(
            verb, help=what.split(":")[0], description=what[:1].upper() + what[1:] + "."
        )
        _account_options(locking)
        locking.add_argument("target", metavar="LOGIN")
    year = sub.add_parser(
        "year",
        help="the end of the school year: close it and move the classes up",
        description="The end of the school year.",
    )
    _account_options(year)
    year_sub = year.add_subparsers(dest="year_command", metavar="COMMAND", required=True)
    close = year_sub.add_parser(
        "close",
        help="close a year: classes move up into the next year, the 11th grade graduates",
        description="Close an academic year after its last period: each class moves up one "
        "grade into the next year with its pupils (5А becomes 6А), the 11th grade graduates "
        "(accounts and parents stay), and the year becomes read-only (the administration can "
        "still correct a mark, giving a reason). Without --apply it only shows what would "
        "happen. The next year must be set up first (its periods; its timetable may follow).",
    )
    _account_options(close)
    close.add_argument("year_name", metavar="YEAR", help="the year to close, like 2025/26")
    close.add_argument(
        "--next",
        dest="next_year",
        required=True,
        metavar="YEAR",
        help="the next year, like 2026/27",
    )
    close.add_argument("--apply", action="store_true", help="close it (not only show the plan)")
    users = sub.add_parser("users", help="list accounts", description="List accounts.")
    _account_options(users)
    users.add_argument("--role", choices=ROLES)
    users.add_argument("--class", dest="class_name", metavar="CLASS")
    users.add_argument("--search", metavar="TEXT", default="", help="part of a login or name")
    register = commands.add_parser(
        "register",
        help="create a parent account with an invite code from the school",
        description="Register as a parent with the invite code from the class teacher. Asks "
        "for the code, your names, a login and a password.",
    )
    register.add_argument("--server", metavar="URL", default=argparse.SUPPRESS)
    register.add_argument(
        "--add-child",
        action="store_true",
        help="add another child to your parent account (asks for its invite code)",
    )
    register.add_argument(
        "--login", metavar="NAME", default=argparse.SUPPRESS, help="your login (--add-child)"
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
        raise Usage("no server: give --server URL (or log in once with diary --server URL)")
    if need_login and not login:
        raise Usage("no login: give --login NAME")
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
    from diary_tui.data import DiaryData

    credentials = env.credentials
    if credentials is None and env.use_keyring:
        from diary_tui.credentials import Credentials

        credentials = Credentials()
    data = DiaryData(transport=env.transport, credentials=credentials, save_last_login=None)
    try:
        me = None
        if await data.resume(server, login):
            try:
                me = await data.load_me()
            except AuthenticationError:
                me = None  # the remembered login ended: ask for the password
        if me is None or me.must_change_password:
            # A one-time password: changing it needs it typed, as for a login.
            password = env.ask_secret(f"Password for {login} on {server}: ")
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
        "This account has a one-time password from the school; choose your own before "
        "anything else (the one-time one then stops working)."
    )
    for _attempt in range(ATTEMPTS):
        new = env.ask_secret("New password: ")
        if new != env.ask_secret("The new password again: "):
            env.say("  The two passwords differ; try again.")
            continue
        try:
            await data.change_password(one_time, new)
        except InvalidRequest as exc:
            if exc.field != "new":
                raise
            env.wrap(f"  {exc.message}", "  ")
            continue
        env.say("Your password is changed.")
        return
    raise Refused("the password was not changed; nothing else was done")


def run_admin(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    if args.admin_command == "templates":
        return _templates(Path(args.folder), args.lang, env)
    try:
        files = _files(args)
    except Usage as exc:
        print(f"diary admin: {exc}", file=env.err)
        return USAGE
    return _run(lambda: _admin(args, env, files), env, "diary admin")


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
            raise Usage(f"there is no file {args.file}")
        try:
            return _Files(data=path.read_bytes())
        except OSError as exc:
            raise Usage(f"cannot read {path}: {exc.strerror}") from None
    if args.admin_command == "setup":
        return _Files(data=_setup_file(Path(args.file), args.kind))
    if args.admin_command == "slips":
        out = Path(args.out)
        if out.is_dir():
            raise Usage(f"{out} is a folder: give a file name")
        if not out.parent.is_dir():
            raise Usage(f"there is no folder {out.parent}")
        return _Files(out=out)
    return _Files()


def run_register(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    return _run(lambda: _register(args, env), env, "diary register")


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
        print(f"{prog}: refused: {exc.message}", file=env.err)
        return REFUSED
    except DiaryError as exc:
        from diary_tui.data import describe_error

        print(f"{prog}: {describe_error(exc)}", file=env.err)
        return REFUSED
    except (EOFError, KeyboardInterrupt):
        print(f"\n{prog}: cancelled", file=env.err)
        return REFUSED


async def _admin(args: argparse.Namespace, env: Env, files: _Files) -> int:
    command = args.admin_command
    server, login = _server_and_login(args, need_login=True)
    async with session(server, login, env) as data:
        if command == "import":
            return await _import(data, Path(args.file).name, files.data, args.dry_run, env)
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
        if command == "year":
            return await _close_year(data, args.year_name, args.next_year, args.apply, env)
        return await _users(data, args.role, args.class_name, args.search, env)


# --- import ------------------------------------------------------------------------------------


def print_report(report: RosterImportReport, name: str, env: Env) -> None:
    what = "Dry run of" if report.dry_run else "Import of"
    env.wrap(
        f"{what} {name} ({report.encoding}): {report.created} created, {report.changed} "
        f"changed, {report.unchanged} unchanged, {report.skipped} skipped, "
        f"{report.refused} refused."
    )
    for warning in report.warnings:
        env.wrap(f"warning: {warning}", "  ")
    for row in report.rows:
        who = f"{row.kind.value} {row.name}" if row.kind else row.name or "row"
        if row.class_name:
            who += f" ({row.class_name})"
        text = f"line {row.line}: {row.action.value} {who}"
        if row.login and row.action.value != "refused":
            text += f", login {row.login}"
        if row.changes:
            text += ": " + "; ".join(
                f"{c.field} {c.before or '-'} -> {c.after or '-'}" for c in row.changes
            )
        if row.reason:
            text += f": {row.reason}"
        env.wrap(text, "  ")


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
        env.wrap(f"{report.refused} line(s) would be refused: the import would write nothing.")
        return REFUSED
    if dry_run:
        env.say("Nothing was written (dry run).")
    else:
        env.say("Imported.")
    return OK


# --- the school's set-up from files ----------------------------------------------------------


def _setup_file(path: Path, kind: str) -> bytes:
    """The set-up file's bytes."""
    if not path.is_file():
        raise Usage(f"there is no file {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise Usage(f"cannot read {path}: {exc.strerror}") from None


def _templates(folder: Path, lang: str, env: Env) -> int:
    from api_client.setup_files import KINDS, template

    if folder.exists() and not folder.is_dir():
        print(f"diary admin: {folder} is not a folder", file=env.err)
        return USAGE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind in KINDS.values():
            path = folder / f"{kind.name}.csv"
            if path.exists():
                env.say(f"{path}: kept (it exists)")
                continue
            path.write_bytes(template(kind, lang))
            env.say(f"{path}: {len(kind.examples)} example rows")
    except OSError as exc:
        print(f"diary admin: cannot write {folder}: {exc.strerror}", file=env.err)
        return USAGE
    env.wrap(
        "Fill them in (UTF-8 or Windows-1251, ; or ,) and check each with 'diary admin setup "
        "import KIND FILE', then import it with --apply. The columns are described in "
        "docs/setup.md."
    )
    return OK


def print_setup_report(report: SetupImportReport, name: str, env: Env) -> None:
    what = "Dry run of" if report.dry_run else "Import of"
    env.wrap(
        f"{what} {report.kind} {name} ({report.encoding or 'zip'}): {report.created} created, "
        f"{report.changed} changed, {report.unchanged} unchanged, {report.skipped} skipped, "
        f"{report.refused} refused."
    )
    for warning in report.warnings:
        env.wrap(f"warning: {warning}", "  ")
    for row in report.rows:
        where = f"{row.file} line {row.line}" if row.file else f"line {row.line}"
        if row.column:
            where += f", column {row.column}"
        text = f"{where}: {row.action.value} {row.what}".rstrip()
        if row.changes:
            text += ": " + "; ".join(
                f"{c.field} {c.before or '-'} -> {c.after or '-'}" for c in row.changes
            )
        if row.reason:
            text += f": {row.reason}"
        env.wrap(text, "  ")


async def _setup_import(
    data: DiaryData, kind: str, name: str, content: bytes, apply: bool, env: Env
) -> int:
    from api_client.errors import InvalidRequest
    from api_client.models import SetupImportReport, decode, encode

    try:
        report = await data.import_setup(kind, content, dry_run=not apply)
    except InvalidRequest as exc:
        current = exc.problem.current if exc.problem is not None else None
        if current is None:
            raise
        print_setup_report(decode(encode(current), SetupImportReport), name, env)
        raise Refused(exc.message) from None
    print_setup_report(report, name, env)
    if report.refused:
        env.wrap(f"{report.refused} line(s) would be refused: the import would write nothing.")
        return REFUSED
    if apply:
        env.say("Imported.")
    else:
        env.say("Nothing was written (a dry run): add --apply to import it.")
    return OK


# --- slips, passwords, users -------------------------------------------------------------------


async def _class_id(data: DiaryData, class_name: str) -> tuple[int, str]:
    from api_client import endpoints

    wanted = _class_key(class_name)
    for cls in (await data.load(endpoints.classes())).classes:
        if _class_key(cls.name) == wanted or str(cls.id) == class_name.strip():
            return cls.id, cls.name
    raise Refused(f"there is no class {class_name} in this school")


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
        raise Usage("--confirm goes with --reset-passwords")
    if fmt is None:
        fmt = "pdf" if out.suffix.lower() == ".pdf" else "text"
    class_id, name = await _class_id(data, class_name)
    agreed: int | None = None
    if reset:
        plan = await data.slip_plan(class_id)
        said = (
            f"This resets the passwords of {plan.accounts} accounts of {name} "
            f"({plan.pupils} pupils and {plan.parents} parents): their old passwords stop "
            "working."
        )
        if confirm is None:
            env.wrap(said)
            answer = env.ask(f"Type {plan.accounts} to reset them: ").strip()
            if answer != str(plan.accounts):
                raise Refused("nothing was reset")
            agreed = plan.accounts
        elif confirm != plan.accounts:
            raise Refused(f"--confirm is {confirm}, but {said[0].lower()}{said[1:]}")
        else:
            agreed = confirm
    slips = await data.class_slips(class_id, SlipFormat(fmt), reset_confirmed=agreed)
    await asyncio.to_thread(write_private, out, slips.content)
    total = slips.pupils + slips.parents + slips.invite_codes
    if reset:
        env.wrap(
            f"Wrote {total} slips for {name} to {out}: {slips.pupils} pupils and "
            f"{slips.parents} parents with one-time passwords, {slips.invite_codes} invite codes"
            + (f" (valid until {slips.expires.isoformat()})." if slips.expires else ".")
        )
        env.wrap("Their old passwords no longer work. Print the file, then delete it.")
    else:
        env.wrap(
            f"Wrote {total} invite-code slips for {name} to {out}"
            + (f" (valid until {slips.expires.isoformat()})." if slips.expires else ".")
            + " No password was changed."
        )
    return OK


async def _invite(data: DiaryData, login: str, env: Env) -> int:
    pupil = await _find(data, login)
    if pupil.role.value != "pupil":
        raise Refused(f"{pupil.login} is not a pupil")
    issued = await data.invite_code(pupil.id)
    where = f", {issued.pupil.class_.name}" if issued.pupil.class_ else ""
    env.wrap(
        f"Invite code for a parent of {issued.pupil.last_name} {issued.pupil.first_name}"
        f"{where}: {issued.code}"
    )
    env.wrap(
        f"It works once, until {issued.expires.isoformat()}: the parent registers with it "
        "(diary register) and is linked to this pupil alone. No password was changed."
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
    raise Refused(f"there is no account with the login {login}")


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
    head = "Closed" if plan.applied else "Closing (a dry run: nothing is changed yet)"
    env.wrap(f"{head}: {plan.year} into {plan.next_year}")
    for row in plan.classes:
        if row.to:
            made = " (new class)" if row.new else ""
            env.say(f"  {row.class_.name:>4} → {row.to:<4} {row.pupils:>3} pupils{made}")
        else:
            env.say(f"  {row.class_.name:>4} graduates {row.pupils:>3} pupils")
    env.wrap(f"{plan.moved} pupils move up, {plan.graduates} graduate.")
    for warning in plan.warnings:
        env.wrap(f"Note: {warning}")
    if not plan.applied:
        env.wrap("Run again with --apply to close the year.")
    return OK


async def _reset(data: DiaryData, login: str, env: Env) -> int:
    user = await _find(data, login)
    result = await data.reset_password(user.id)
    env.wrap(f"One-time password for {user.login} ({user.full_name}): {result.one_time_password}")
    env.wrap(
        "It is shown only this once. The account's sessions have ended; the new password "
        "must be changed at the next login."
    )
    return OK


async def _lock(data: DiaryData, login: str, locked: bool, env: Env) -> int:
    """Lock or unlock, on the version just read: a change in between is refused, not undone."""
    from api_client.errors import Conflict
    from api_client.models import UserSummary, UserUpdate

    user = await _find(data, login)
    word = "locked" if locked else "unlocked"
    if user.locked == locked:
        env.wrap(f"{user.login} ({user.full_name}) is already {word}; nothing to do.")
        return OK
    try:
        saved = await data.update_user(user.id, UserUpdate(version=user.version, locked=locked))
    except Conflict as exc:
        current = exc.current_as(UserSummary)
        now = ""
        if current is not None:
            state = "locked" if current.locked else "not locked"
            now = f" It is now: {current.full_name}, {state}."
        raise Refused(
            f"someone else changed {user.login} while this command ran, so it was not "
            f"{word}.{now} Check it (diary admin users --search {user.login}) and run the "
            f"command again. ({exc.message})"
        ) from None
    env.wrap(
        f"{saved.login} ({saved.full_name}) is {word}."
        + (" Their sessions have ended." if locked else "")
    )
    return OK


def user_line(user: UserSummary) -> str:
    """One account in at most 80 columns: login, role, class, flags, name."""
    flags = ("L" if user.locked else "-") + ("P" if user.must_change_password else "-")
    cls = user.class_.name if user.class_ is not None else ""
    name = user.full_name
    if user.children:
        name += " [" + ", ".join(c.first_name for c in user.children) + "]"
    line = f"{user.login[:20]:<20} {user.role.value[:14]:<14} {cls:<4} {flags} {name}"
    return line[:WIDTH]


async def _users(
    data: DiaryData, role: str | None, class_name: str | None, search: str, env: Env
) -> int:
    from api_client import endpoints
    from api_client.models import Role

    chosen = Role(role) if role else None
    offset, total = 0, None
    env.say(f"{'LOGIN':<20} {'ROLE':<14} {'CLS':<4} LP NAME")
    while total is None or offset < total:
        page = await data.load(endpoints.users(search, chosen, class_name, offset, limit=500))
        total = page.total
        for user in page.items:
            env.say(user_line(user))
        if not page.items:
            break
        offset += len(page.items)
    env.say(f"{total} account(s). L: locked, P: must change the password.")
    return OK


# --- registration ------------------------------------------------------------------------------


async def _add_child(args: argparse.Namespace, env: Env) -> int:
    server, login = _server_and_login(args, need_login=True)
    code = env.ask("Invite code of the child: ").strip()
    if not code:
        raise Usage("no invite code")
    async with session(server, login, env) as data:
        result = await data.add_child(code)
    children = ", ".join(f"{c.first_name} {c.last_name}" for c in result.children)
    env.wrap(f"{result.login} is now linked to {children}.")
    return OK


async def _register(args: argparse.Namespace, env: Env) -> int:
    if getattr(args, "add_child", False):
        return await _add_child(args, env)
    from api_client.errors import InvalidRequest, RateLimited
    from api_client.models import RegisterRequest
    from diary_tui.data import DiaryData, normalize_server

    server: str | None = getattr(args, "server", None)
    if server is None:
        from diary_tui.config import ConfigError, load_config

        try:
            server = load_config().server
        except ConfigError:
            server = None
    if not server:
        server = env.ask("Server (e.g. https://diary.school.org): ").strip()
    try:
        server = normalize_server(server)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    env.wrap(f"Registering a parent account on {server} with an invite code from the school.")

    def ask(prompt: str) -> str:
        while True:
            value = env.ask(prompt).strip()
            if value:
                return value
            env.say("  Please fill this in.")

    def ask_password() -> str:
        while True:
            first = env.ask_secret("Password: ")
            if first != env.ask_secret("The password again: "):
                env.say("  The two passwords differ; try again.")
                continue
            return first

    values = {
        "code": ask("Invite code: "),
        "first_name": ask("First name: "),
        "last_name": ask("Last name: "),
        "login": ask("Login (latin letters, digits, . _ -): "),
    }
    values["password"] = ask_password()
    prompts = {
        "code": "Invite code: ",
        "first_name": "First name: ",
        "last_name": "Last name: ",
        "login": "Login: ",
    }
    data = DiaryData(transport=env.transport, save_last_login=None)
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
        raise Refused("too many attempts; nothing was registered")
    children = ", ".join(f"{c.first_name} {c.last_name}" for c in result.children)
    env.wrap(f"Registered {result.login}, linked to {children}.")
    env.wrap(f"Log in with: diary --server {server} --login {result.login}")
    return OK
