"""The ``diary-server`` command: serve the API, create a demo school, migrate.

    diary-server serve [--db URL] [--host 127.0.0.1] [--port 8000] [--workers N]
                       [--forwarded-allow-ips ADDRESSES]
                       [--today YYYY-MM-DD]
                       [--audit-key-file PATH]
    diary-server init-demo [--db URL] [--seed N] [--lang ru|en] [--size small|school]
                           [--today YYYY-MM-DD] [--force] [--audit-key-file PATH]
    diary-server init --school NAME [--db URL] [--timezone ZONE] [--lang ru|en]
                      [--audit-key-file PATH]
    diary-server migrate [--db URL]
    diary-server audit verify [--db URL] [--audit-key-file PATH] [--checkpoint FILE]
    diary-server audit head [--db URL] [--out FILE]
    diary-server backup [--db URL] --to FILE
    diary-server restore FILE [--db URL]

Without ``--db`` the database is ``DIARY_DB`` or a SQLite file in the user data folder.
``DIARY_TODAY`` (or ``--today``) freezes the school's "today": a demo shown on a chosen day. The
audit key is ``DIARY_AUDIT_KEY``, the ``--audit-key-file``, ``DIARY_AUDIT_KEY_FILE``, or
``audit.key`` in the server's config folder (see ``demo_server.audit_key``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from api_client.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")

KEEP_ALIVE_SECONDS = 75
"""How long an idle client connection stays open: a client browsing screens on a slow link
keeps one connection (a new one costs a round trip more); clients close theirs first."""
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A failure to report in one line: ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a whole number").format(text=repr(text))
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be 1 or more"))
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(_("a port is 1 to 65535"))
    return value


def _proxies(text: str) -> str:
    from demo_server.clients import BadProxyList, parse_networks

    try:
        networks = parse_networks(text.split(","))
    except BadProxyList as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return ",".join(str(net) for net in networks)


def _today_from_env() -> dt.date | None:
    from demo_server.settings import TODAY_ENV, frozen_today

    try:
        return frozen_today(os.environ.get(TODAY_ENV))
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """``diary-server``'s parser, in the language in force (:func:`api_client.cli_text.speak`
    chose it before)."""
    from api_client.cli_text import date_argument, lang_argument

    parser = argparse.ArgumentParser(
        prog="diary-server", description=_("The school diary server and its demo school.")
    )
    lang_argument(parser)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=_("COMMAND"), title=_("commands")
    )
    db_help = _(
        "database URL: sqlite:///path or postgresql://user:pass@host/db "
        "(default: DIARY_DB or a file in the user data folder)"
    )

    serve = sub.add_parser("serve", help=_("migrate the database, then serve the API"))
    serve.add_argument("--db", metavar="URL", help=db_help)
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("the address to listen on (default 127.0.0.1)")
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help=_("the port to listen on (default 8000)")
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help=_("how many server processes (default 1)"),
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        type=_proxies,
        default="",
        metavar=_("ADDRESSES"),
        help=_(
            "comma-separated addresses or networks of reverse proxies whose X-Forwarded-For "
            "names the client (default: none; the client is whoever connects)"
        ),
    )
    serve.add_argument(
        "--today",
        type=date_argument,
        metavar=_("DATE"),
        help=_(
            "serve as if today were this date (25.11.2026 or 2026-11-25), for a demo shown "
            "on a chosen day; default: DIARY_TODAY, else each school's date in its own time zone"
        ),
    )
    key_help = _(
        "the audit key's file (default: DIARY_AUDIT_KEY, DIARY_AUDIT_KEY_FILE or audit.key "
        "in the server's config folder)"
    )
    serve.add_argument("--audit-key-file", metavar=_("FILE"), help=key_help)
    serve.add_argument(
        "--attachment-max-mb",
        metavar=_("MB"),
        help=_("the largest homework file a teacher may attach, in MB (default: 10, at most 100)"),
    )
    serve.add_argument(
        "--attachment-types",
        metavar=_("TYPES"),
        help=_(
            "the file types homework may carry, comma-separated endings (default: pdf, doc, "
            "docx, xls, xlsx, ppt, pptx, odt, ods, odp, rtf, txt, png, jpg, jpeg, gif, webp)"
        ),
    )

    demo = sub.add_parser("init-demo", help=_("create a demo school in an empty database"))
    demo.add_argument("--db", metavar="URL", help=db_help)
    demo.add_argument(
        "--seed", type=int, default=1, metavar="N", help=_("the demo school's seed (default 1)")
    )
    demo.add_argument(
        "--lang",
        choices=("ru", "en"),
        default=None,
        help=_("the school's language (default: --lang, DIARY_LANG, the locale, else Russian)"),
    )
    demo.add_argument(
        "--size",
        choices=("small", "school"),
        default="school",
        help=_("small (a few classes) or school (about 800 pupils; the default)"),
    )
    demo.add_argument(
        "--today",
        type=date_argument,
        metavar=_("DATE"),
        help=_("the demo's today (default: DIARY_TODAY, else the real today)"),
    )
    demo.add_argument(
        "--force", action="store_true", help=_("drop everything in the database first")
    )
    demo.add_argument(
        "--audit-key-file",
        metavar=_("FILE"),
        help=_("{key_help}; created when missing").format(key_help=key_help),
    )

    init = sub.add_parser(
        "init",
        help=_("create a school and its first IT staff account (database migrated first)"),
        description=_(
            "Create a real school in a new or existing database and its first IT staff "
            "account, whose one-time password is printed once and must be changed at the "
            "first login. Then set the school up: see docs/setup.md."
        ),
    )
    init.add_argument("--db", metavar="URL", help=db_help)
    init.add_argument(
        "--school",
        required=True,
        metavar=_("NAME"),
        help=_("the school's name, as families know it"),
    )
    init.add_argument(
        "--timezone",
        default="Europe/Moscow",
        metavar=_("ZONE"),
        help=_("the school's IANA time zone (default: Europe/Moscow)"),
    )
    init.add_argument(
        "--lang", default="ru", help=_("the school's language: ru or en (default: ru)")
    )
    init.add_argument(
        "--audit-key-file",
        metavar=_("FILE"),
        help=_("{key_help}; created when missing").format(key_help=key_help),
    )

    migrate = sub.add_parser("migrate", help=_("bring the database schema up to date"))
    migrate.add_argument("--db", metavar="URL", help=db_help)

    audit = sub.add_parser("audit", help=_("the audit log"))
    audit_sub = audit.add_subparsers(
        dest="audit_command", required=True, metavar=_("ACTION"), title=_("actions")
    )
    verify = audit_sub.add_parser(
        "verify", help=_("check the audit log's hash chain and name the first broken record")
    )
    verify.add_argument("--db", metavar="URL", help=db_help)
    verify.add_argument("--audit-key-file", metavar=_("FILE"), help=key_help)
    verify.add_argument(
        "--checkpoint",
        metavar=_("FILE"),
        help=_("a head written earlier by 'audit head': check the log still holds it"),
    )
    head = audit_sub.add_parser(
        "head",
        help=_("print the chain's newest record (position and hash) to keep outside the server"),
    )
    head.add_argument("--db", metavar="URL", help=db_help)
    head.add_argument("--out", metavar=_("FILE"), help=_("write it to FILE instead"))

    backup = sub.add_parser(
        "backup",
        help=_("write a consistent backup of the database while the server runs"),
        description=_(
            "Writes one archive: the database (SQLite's online backup, or pg_dump "
            "for PostgreSQL) and the files kept beside it. The audit key is not in it: keep the "
            "key with the backup, stored apart."
        ),
    )
    backup.add_argument("--db", metavar="URL", help=db_help)
    backup.add_argument(
        "--to", required=True, metavar=_("FILE"), help=_("the backup file to write")
    )
    backup.add_argument("--audit-key-file", metavar=_("FILE"), help=key_help)

    restore = sub.add_parser(
        "restore",
        help=_("restore a backup into an empty database, then migrate it"),
        description=_(
            "Restores a file written by 'diary-server backup' into a new, empty "
            "database of the same kind; nothing is written when the target is not empty. Run "
            "'diary-server audit verify' afterwards, with the audit key kept with the backup."
        ),
    )
    restore.add_argument("backup_file", metavar=_("FILE"), help=_("the backup file"))
    restore.add_argument("--db", metavar="URL", help=db_help)
    return parser


def _describe_db_error(exc: BaseException, url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:
        shown = url
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    text = reason[0] if reason else type(exc).__name__
    return _("cannot use the database {url}: {reason}").format(url=shown, reason=text)


def _run(coro_factory: Callable[[], Coroutine[Any, Any, T]], url: str) -> T:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return asyncio.run(coro_factory())
    except CommandError:
        raise
    except (SQLAlchemyError, OSError, ConnectionError) as exc:
        raise CommandError(_describe_db_error(exc, url)) from None
    except Exception as exc:  # asyncpg raises its own errors for auth, missing db, ...
        if type(exc).__module__.startswith("asyncpg"):
            raise CommandError(_describe_db_error(exc, url)) from None
        raise


def _resolve(url: str | None) -> str:
    from demo_server.db import BadDatabaseURL, resolve_url

    try:
        return resolve_url(url)
    except BadDatabaseURL as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    except OSError as exc:  # the default data folder cannot be created
        raise CommandError(
            _("cannot create the database folder: {reason}").format(reason=exc)
        ) from None


def cmd_migrate(args: argparse.Namespace) -> int:
    from demo_server.migrate import upgrade

    url = _resolve(args.db)
    _run(lambda: upgrade(url), url)
    print(_("the database is up to date ({url})").format(url=_shown(url)))
    return 0


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextlib.asynccontextmanager
async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    """The database at ``url`` for one command, its connections closed after."""
    from demo_server.db import make_engine

    engine = make_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _init_demo(args: argparse.Namespace, url: str) -> Any:
    from sqlalchemy import func, select

    from demo_server.generator import generate
    from demo_server.migrate import drop_everything, table_names, upgrade_engine
    from demo_server.schema import School

    async with _engine(url) as engine:
        if args.force:
            await drop_everything(engine)
        elif "schools" in await table_names(engine):
            async with engine.connect() as connection:
                schools = await connection.scalar(select(func.count()).select_from(School))
            if schools:
                raise CommandError(
                    _(
                        "the database {url} already holds a school; use --force to delete "
                        "everything in it and start again"
                    ).format(url=_shown(url))
                )
        await upgrade_engine(engine)
        today = args.today or _today_from_env()
        return await generate(
            engine,
            seed=args.seed,
            lang=args.lang or getattr(args, "asked_lang", None) or "ru",
            size=args.size,
            today=today,
            audit_key=args.key,
        )


def cmd_init_demo(args: argparse.Namespace) -> int:
    from demo_server.demo import ROLE_WORDS

    url = _resolve(args.db)
    args.key, created = _key(args.audit_key_file, create=True)
    school = _run(lambda: _init_demo(args, url), url)
    print(
        _("demo school created in {url} (today is {today})").format(
            url=_shown(url), today=school.today.isoformat()
        )
    )
    _say_key_created(created)
    print(_("every account's password: {password}").format(password=school.password))
    print(_("demo logins:"))
    width = max((len(a.login) for a in school.featured), default=0)
    for account in school.featured:
        what = account.title or ROLE_WORDS.get(account.login, account.role)
        print(f"  {account.login:<{width}}  {account.password}  {what}")
    return 0


INIT_OPTIONS = {"name": "--school", "timezone": "--timezone", "language": "--lang"}


async def _init_school(args: argparse.Namespace, url: str) -> Any:
    from demo_server.migrate import upgrade_engine
    from demo_server.problems import ProblemError
    from demo_server.records import AUDIT_KEY_INFO
    from demo_server.schema import utcnow
    from demo_server.setup_school import SchoolExists, init_school

    async with _engine(url) as engine:
        await upgrade_engine(engine)
        from sqlalchemy.ext.asyncio import async_sessionmaker

        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            db.info[AUDIT_KEY_INFO] = args.key
            try:
                made = await init_school(
                    db, name=args.school, timezone=args.timezone, language=args.lang, now=utcnow()
                )
            except ProblemError as exc:
                option = INIT_OPTIONS.get(exc.field or "", "--school")
                raise CommandError(f"{option}: {exc.detail}", EXIT_USAGE) from None
            except SchoolExists as exc:
                raise CommandError(
                    _(
                        "{refusal}; nothing was created. Its IT staff log in with their own "
                        "accounts (another IT account's password is reset with "
                        "'diary admin reset-password')"
                    ).format(refusal=exc)
                ) from None
            await db.commit()
            return made


def cmd_init(args: argparse.Namespace) -> int:
    url = _resolve(args.db)
    args.key, created = _key(args.audit_key_file, create=True)
    made = _run(lambda: _init_school(args, url), url)
    print(
        _("school {name} created in {url} (id {id})").format(
            name=repr(made.name), url=_shown(url), id=made.school_id
        )
    )
    _say_key_created(created)
    print(
        _(
            "its first IT staff account (the password is shown only now, and must be changed "
            "at the first login):"
        )
    )
    print("  " + _("login:    {login}").format(login=made.login))
    print("  " + _("password: {password}").format(password=made.password))
    print(
        _(
            "next: start the server (diary-server serve), log in, and set the school up "
            "(diary admin setup --help; the order is in docs/setup.md)"
        )
    )
    return 0


def _say_key_created(created: Any) -> None:
    """Where a new school's audit key was just made (None: it was there already)."""
    if created is not None:
        print(
            _(
                "the audit key was created in {path}: back it up apart from the database "
                "(without it the audit log cannot be verified)"
            ).format(path=created)
        )


def _key(key_file: str | None, *, create: bool) -> tuple[bytes, Any]:
    """The audit key (and the file it was just created in, if it was), or a CommandError
    saying where it was looked for."""
    from demo_server.audit_key import AuditKeyError, load_key, load_or_create_key

    try:
        if create:
            return load_or_create_key(key_file=key_file)
        return load_key(key_file=key_file), None
    except AuditKeyError as exc:
        raise CommandError(str(exc)) from None


async def _seal_plain_log(url: str, key: bytes) -> int | None:
    from demo_server.audit_verify import seal_plain_log

    async with _engine(url) as engine:
        return await seal_plain_log(engine, key)


async def _audit_records(url: str) -> int:
    from sqlalchemy import func, select

    from demo_server.schema import AuditRecord

    async with _engine(url) as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(AuditRecord)) or 0)


def serve_options(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """The ``uvicorn.run`` (or ``uvicorn.Config``) arguments of ``serve``; the environment its
    workers read is set."""
    from demo_server.clients import ENV_FORWARDED_ALLOW_IPS
    from demo_server.db import ENV_DB

    os.environ[ENV_DB] = url
    os.environ[ENV_FORWARDED_ALLOW_IPS] = args.forwarded_allow_ips
    from demo_server.app import ENV_ATTACHMENT_MAX_MB, ENV_ATTACHMENT_TYPES, attachment_settings

    if getattr(args, "attachment_max_mb", None):
        os.environ[ENV_ATTACHMENT_MAX_MB] = args.attachment_max_mb
    if getattr(args, "attachment_types", None):
        os.environ[ENV_ATTACHMENT_TYPES] = args.attachment_types
    try:
        attachment_settings()  # a wrong limit is said here, not by every worker
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    return {
        "app": "demo_server.app:app_from_env",
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "server_header": False,
        # The app reads X-Forwarded-For itself, from --forwarded-allow-ips only (uvicorn's own
        # handling believes it from any loopback peer).
        "proxy_headers": False,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "log_level": "info",
    }


def cmd_serve(args: argparse.Namespace) -> int:
    from demo_server.audit_key import ENV_KEY_FILE, key_exists, key_path
    from demo_server.migrate import upgrade
    from demo_server.settings import TODAY_ENV

    url = _resolve(args.db)
    _run(lambda: upgrade(url), url)
    if key_exists(key_file=args.audit_key_file):
        _key(args.audit_key_file, create=False)
    elif _run(lambda: _audit_records(url), url):
        # A log from before keys (plain hashes only) gets a key, and its length is sealed with
        # it; a log with keyed records needs its key: a new one would hide that it is lost.
        new_key, created = _key(args.audit_key_file, create=True)
        sealed = _run(lambda: _seal_plain_log(url, new_key), url)
        if sealed is None:
            if created is not None:
                created.unlink(missing_ok=True)
            _key(args.audit_key_file, create=False)  # raises: the key is missing
        print(
            _(
                "the audit key was created in {path}: back it up apart from the database; "
                "the {n} records that predate it are sealed with it"
            ).format(path=created, n=sealed)
        )
    else:
        _new, created = _key(args.audit_key_file, create=True)
        if created is not None:
            print(
                _("the audit key was created in {path}: back it up apart from the database").format(
                    path=created
                )
            )
    import uvicorn

    _today_from_env()  # a mistyped DIARY_TODAY is said here, not by every worker
    if args.today is not None:  # every worker builds its settings from the environment
        os.environ[TODAY_ENV] = args.today.isoformat()
    options = serve_options(args, url)
    if args.audit_key_file:
        os.environ[ENV_KEY_FILE] = str(key_path(key_file=args.audit_key_file).resolve())
    address = f"http://{args.host}:{args.port}/api/v1"
    print(_("serving {url} on {address}").format(url=_shown(url), address=address), flush=True)
    if args.forwarded_allow_ips:
        print(
            _("trusting X-Forwarded-For from {addresses}").format(
                addresses=args.forwarded_allow_ips
            ),
            flush=True,
        )
    uvicorn.run(**options)
    return 0


async def _audit(url: str, args: argparse.Namespace) -> Any:
    from demo_server.audit_verify import Checkpoint, verify
    from demo_server.migrate import table_names
    from demo_server.schema import AuditRecord

    async with _engine(url) as engine:
        if "audit_log" not in await table_names(engine):
            raise CommandError(
                _("the database {url} holds no diary: no audit log").format(url=_shown(url))
            )
        if args.audit_command == "head":
            from sqlalchemy import select

            async with engine.connect() as connection:
                row = (
                    await connection.execute(
                        select(AuditRecord.id, AuditRecord.hash)
                        .order_by(AuditRecord.id.desc())
                        .limit(1)
                    )
                ).one_or_none()
            if row is None:
                raise CommandError(_("the audit log is empty: there is no head to keep yet"))
            return Checkpoint(int(row[0]), str(row[1]))
        return await verify(engine, args.key, args.checkpoint_head)


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit verify``: exit 0 when the chain is whole, holds the checkpoint and agrees with
    the marks, absences and period marks; 1 naming what does not. ``audit head``: print or
    write the newest record's position and hash."""
    from demo_server.audit_verify import BadCheckpoint, Checkpoint

    url = _resolve(args.db)
    if args.audit_command == "head":
        head = _run(lambda: _audit(url, args), url)
        if args.out:
            try:
                with open(args.out, "w", encoding="utf-8") as out:
                    out.write(head.dumps())
            except OSError as exc:
                raise CommandError(
                    _("cannot write {path}: {reason}").format(path=args.out, reason=exc)
                ) from None
            print(
                _("audit head (record {n}) written to {path}").format(
                    n=head.position, path=args.out
                )
            )
        else:
            print(head.dumps(), end="")
        return 0
    args.key, _created = _key(args.audit_key_file, create=False)
    try:
        args.checkpoint_head = Checkpoint.load(args.checkpoint) if args.checkpoint else None
    except BadCheckpoint as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    verdict = _run(lambda: _audit(url, args), url)
    print(verdict.describe())
    return 0 if verdict.intact else EXIT_FAILURE


def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from demo_server.audit_key import key_path
    from demo_server.backup import BackupError, backup

    url = _resolve(args.db)
    try:
        manifest = _run(lambda: backup(url, Path(args.to)), url)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    schools = ", ".join(manifest.schools)
    print(
        _("backup of {url} ({schools}; {n} audit records) written to {path}").format(
            url=_shown(url), schools=schools, n=manifest.audit_records, path=args.to
        )
    )
    key = os.environ.get("DIARY_AUDIT_KEY") and _("the DIARY_AUDIT_KEY variable")
    where = key or str(key_path(key_file=args.audit_key_file))
    print(
        _(
            "the audit key is in {where}: keep a copy of it with this backup, stored apart "
            "(without it the restored audit log cannot be verified)"
        ).format(where=where)
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from demo_server.backup import BackupError, restore

    url = _resolve(args.db)
    try:
        manifest = _run(lambda: restore(Path(args.backup_file), url), url)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        _("restored the backup of {when} ({schools}) into {url}").format(
            when=manifest.created_at, schools=", ".join(manifest.schools), url=_shown(url)
        )
    )
    print(_("check it with: diary-server audit verify --db URL (with the audit key kept with it)"))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "init-demo": cmd_init_demo,
    "migrate": cmd_migrate,
    "audit": cmd_audit,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "init": cmd_init,
}


def main(argv: list[str] | None = None) -> int:
    from api_client.cli_text import asked, speak

    words = sys.argv[1:] if argv is None else argv
    speak(words)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.asked_lang = asked(words)
    try:
        return COMMANDS[args.command](args)
    except CommandError as exc:
        print(f"diary-server: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
