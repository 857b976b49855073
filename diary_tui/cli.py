"""The ``diary`` command line.

Imports stay cheap here: ``diary --help`` loads neither Textual nor httpx; the app and the
demo server are imported only when they run.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()
"""When the command started: the app logs "started in N ms" against it."""

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402


def build_parser(*, accounts: bool = True) -> argparse.ArgumentParser:
    """``diary``'s parser, in the language in force (:func:`api_client.cli_text.speak` chose
    it); without ``accounts``, the IT staff's subcommands are left out (and their modules not
    imported), for a command line that names none of them."""
    from api_client.cli_text import date_argument
    from api_client.i18n import _

    parser = argparse.ArgumentParser(
        prog="diary",
        description=_("The school diary in a terminal: a child's week, homework, marks."),
    )
    parser.add_argument(
        "--server", metavar="URL", help=_("the diary server, e.g. https://diary.school.org")
    )
    parser.add_argument(
        "--login", metavar=_("NAME"), help=_("your login (pre-fills the login screen)")
    )
    parser.add_argument(
        "--lang",
        choices=("ru", "en"),
        help=_(
            "the language of the diary: ru (Русский) or en (English); default: DIARY_LANG, "
            "the config file's language, the locale (LANG), else the school's"
        ),
    )
    parser.add_argument(
        "--open",
        metavar=_("SCREEN"),
        dest="open_screen",
        help=_(
            "the screen to open after login instead of your home screen: week, grades, "
            "homework, attendance, messages, news, journal, ..."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar=_("COMMAND"), title=_("commands"))
    demo = commands.add_parser(
        "demo",
        help=_("try the diary on a made-up school served from this computer"),
        description=_(
            "Start a demo server over a fresh demo school on a free local port and open "
            "the diary at a chooser of demo accounts. Everything is deleted on exit."
        ),
    )
    demo.add_argument("--seed", type=int, default=1, help=_("the demo school's seed (default 1)"))
    demo.add_argument(
        "--lang",
        choices=("ru", "en"),
        default=argparse.SUPPRESS,
        help=_(
            "the language of the demo school and of the diary (default: as for diary: "
            "DIARY_LANG, the config file, the locale, else Russian)"
        ),
    )
    demo.add_argument(
        "--today",
        type=date_argument,
        metavar=_("DATE"),
        help=_(
            "show the demo as if today were this date, 25.11.2026 or 2026-11-25 (default: "
            "DIARY_TODAY, else today)"
        ),
    )
    demo.add_argument(
        "--size",
        choices=("small", "school"),
        default="small",
        help=_("small (a few classes, starts fast) or school (about 800 pupils)"),
    )
    logout_parser = commands.add_parser(
        "logout",
        help=_("forget the saved login and the local copy of the diary"),
        description=_(
            "End the saved session: delete the token from the system keyring and the "
            "account's local store. Uses --server/--login, or the last login. Refuses while "
            "writes made on this computer wait to be sent (they would be lost)."
        ),
    )
    # Also after the command (diary logout --server URL --login NAME); not given, the values
    # before it stand.
    logout_parser.add_argument(
        "--server", metavar="URL", default=argparse.SUPPRESS, help=_("the diary server")
    )
    logout_parser.add_argument(
        "--login", metavar=_("NAME"), default=argparse.SUPPRESS, help=_("the login to forget")
    )
    logout_parser.add_argument(
        "--send-first",
        action="store_true",
        help=_(
            "send the writes that wait to be sent, then log out (needs the server and the "
            "saved login)"
        ),
    )
    logout_parser.add_argument(
        "--discard-unsent",
        action="store_true",
        help=_("log out even though writes wait to be sent: they are thrown away"),
    )
    if not accounts:
        return parser
    from diary_tui.admin_cli import add_parsers

    add_parsers(commands)
    from diary_tui.audit_cli import add_audit_command
    from diary_tui.mark_cli import add_mark_command
    from diary_tui.setup_cli import hook as add_setup_commands
    from diary_tui.setup_cli import subparsers_of

    add_setup_commands(commands)
    admin = subparsers_of(commands.choices["admin"])
    add_audit_command(admin)
    add_mark_command(admin)
    return parser


APP_OPTIONS = ("--server", "--login", "--open", "--lang")


def _opens_app(argv: Sequence[str]) -> bool:
    """Whether the command line only opens the diary: nothing but ``--server``, ``--login``,
    ``--open`` and ``--lang`` with their values (any other word needs the full parser)."""
    words = iter(argv)
    for word in words:
        if word in APP_OPTIONS:
            if next(words, None) is None:
                return False
        elif not word.startswith(tuple(f"{option}=" for option in APP_OPTIONS)):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    from api_client.cli_text import speak

    speak(words)
    # Opening the diary (the common case) does not pay for the account commands' parsers.
    parser = build_parser(accounts=not _opens_app(words))
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            from diary_tui.demo import run_demo

            return run_demo(
                seed=args.seed,
                lang=args.lang,
                size=args.size,
                today=args.today,
                started=STARTED,
            )
        if args.command == "logout":
            return logout(
                args.server,
                args.login,
                send_first=args.send_first,
                discard_unsent=args.discard_unsent,
            )
        if args.command == "admin" and getattr(args, "admin_run", None) is not None:
            return int(args.admin_run(args))
        if args.command == "admin":
            from diary_tui.admin_cli import run_admin

            return run_admin(args)
        if args.command == "register":
            from diary_tui.admin_cli import run_register

            return run_register(args)
        return run_app(args.server, args.login, args.open_screen, args.lang)
    except KeyboardInterrupt:
        from api_client.i18n import _

        print(_("Interrupted."), file=sys.stderr)
        return 130


def _config() -> object:
    from diary_tui.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        print(f"diary: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _account(server: str | None, login: str | None) -> tuple[str | None, str | None, object]:
    from diary_tui.config import Config

    config = _config()
    assert isinstance(config, Config)
    if server is None:
        server = config.server
        login = login or config.login
    elif login is None and config.server and config.server.rstrip("/") == server.rstrip("/"):
        login = config.login
    return server, login, config


def run_app(
    server: str | None,
    login: str | None,
    open_screen: str | None = None,
    lang: str | None = None,
) -> int:
    from diary_tui.config import Config

    server, login, config = _account(server, login)
    assert isinstance(config, Config)
    if server is not None:
        from diary_tui.data import normalize_server

        try:
            server = normalize_server(server)
        except ValueError as exc:
            print(f"diary: {exc}", file=sys.stderr)
            return 2
    from diary_tui.app import SCREEN_CLASSES, DiaryApp
    from diary_tui.credentials import Credentials

    if open_screen is not None and open_screen not in SCREEN_CLASSES:
        names = ", ".join(sorted(SCREEN_CLASSES))
        from api_client.i18n import _

        print(
            "diary: "
            + _("there is no screen {name}; choose one of: {names}").format(
                name=repr(open_screen), names=names
            ),
            file=sys.stderr,
        )
        return 2
    app = DiaryApp(
        open_screen=open_screen,
        server=server,
        login=login,
        credentials=Credentials(),
        keymap=config.keymap,
        theme=config.theme,
        started=STARTED,
        language=lang,
        configured_language=config.language,
    )
    app.run()
    return app.return_code or 0


def logout(
    server: str | None,
    login: str | None,
    *,
    send_first: bool = False,
    discard_unsent: bool = False,
) -> int:
    from api_client.i18n import _, ngettext

    server, login, _config_value = _account(server, login)
    if not server or not login:
        print(
            "diary logout: " + _("no saved login; give --server URL --login NAME"),
            file=sys.stderr,
        )
        return 2
    from diary_tui.data import normalize_server

    try:
        server = normalize_server(server)
    except ValueError as exc:
        print(f"diary logout: {exc}", file=sys.stderr)
        return 2
    from diary_tui.credentials import Credentials, KeyringError
    from diary_tui.store import Store

    credentials = Credentials()
    ok, reason = credentials.available()
    token = credentials.load(server, login) if ok else None
    if send_first:
        if not token:
            print(
                "diary logout: "
                + _(
                    "there is no saved login for {login} to send with; run diary, log in and "
                    "let the writes go first."
                ).format(login=login),
                file=sys.stderr,
            )
        else:
            print(_send_waiting(server, login, token, credentials))
            token = credentials.load(server, login)  # the refresh token rotated
    waiting, refused = _unsent(server, login)
    if (waiting or refused) and not discard_unsent:
        from diary_tui.sync import describe_unsent

        advice = []
        if waiting:
            advice.append(
                _(
                    "Open the diary (diary) while the server can be reached and those waiting "
                    "are sent by themselves, or run diary logout --send-first."
                )
            )
        if refused:
            advice.append(
                _(
                    "Open the diary to see why the server refused the others and to correct "
                    "them or let them go."
                )
            )
        print(
            f"diary logout: {describe_unsent(waiting, refused)}.\n"
            + _(
                "They were made on this computer and {server} has not taken them; logging out "
                "deletes them. {advice} To throw them away, run diary logout --discard-unsent."
            ).format(server=server, advice=" ".join(advice)),
            file=sys.stderr,
        )
        return 1
    if waiting or refused:
        count = len(waiting) + len(refused)
        print(
            ngettext(
                "Throwing away {n} unsent write, as asked.",
                "Throwing away {n} unsent writes, as asked.",
                count,
            ).format(n=count)
        )
    if token:
        print(
            _("Ending the session of {login} on {server}: {result}").format(
                login=login, server=server, result=_revoke(server, token)
            )
        )
        try:
            credentials.delete(server, login)
            print(_("Deleted the saved login from the system keyring."))
        except KeyringError as exc:
            print(f"diary logout: {exc}", file=sys.stderr)
            return 1
    elif ok:
        print(
            _("No saved login for {login} on {server} in the system keyring.").format(
                login=login, server=server
            )
        )
    else:
        print(reason)
    if Store.delete_for(server, login):
        print(_("Deleted the local copy of {login}'s diary.").format(login=login))
    else:
        print(_("There was no local copy of {login}'s diary.").format(login=login))
    return 0


def _unsent(server: str, login: str) -> tuple[list[str], list[str]]:
    """What each write the server has not taken does: those waiting in the account's outbox,
    and those it refused or found in conflict, not dealt with yet (empty with no store)."""
    from diary_tui.store import REFUSED, Store, store_path

    if not store_path(server, login).exists():
        return [], []
    store = Store.open_for(server, login)
    try:
        waiting = [item.op for item in store.pending(limit=1_000_000)]
        return waiting, [item.op for item in store.items(REFUSED, limit=1_000_000)]
    finally:
        store.close()


def _send_waiting(server: str, login: str, refresh_token: str, credentials: object) -> str:
    """Send the account's outbox with the saved login; say how it went."""
    import asyncio

    from api_client.client import DiaryClient
    from api_client.models import TokenPair
    from diary_tui.store import Store
    from diary_tui.sync import SyncEngine

    def rotated(pair: TokenPair | None) -> None:
        # The old refresh token stops working once used: keep the new one while the writes
        # may still need it.
        if pair is not None:
            save = getattr(credentials, "save", None)
            if save is not None:
                save(server, login, pair.refresh_token)

    store = Store.open_for(server, login)

    async def send() -> tuple[bool, int]:
        async with DiaryClient(
            server, refresh_token=refresh_token, timeout=10, on_tokens=rotated
        ) as client:
            client.cache = store
            engine = SyncEngine(client, store)
            done = await engine.drain()
            return done, engine.sent

    try:
        done, sent = asyncio.run(send())
    finally:
        store.close()
    from api_client.i18n import ngettext

    if done:
        return ngettext("Sent {n} write that waited.", "Sent {n} writes that waited.", sent).format(
            n=sent
        )
    return ngettext(
        "Sent {n} write; the server could not take the rest now.",
        "Sent {n} writes; the server could not take the rest now.",
        sent,
    ).format(n=sent)


def _revoke(server: str, refresh_token: str) -> str:
    """End the session on the server; say how it went."""
    import asyncio

    from api_client.client import DiaryClient
    from api_client.errors import AuthenticationError, DiaryError
    from diary_tui.text import decode

    async def revoke() -> None:
        async with DiaryClient(
            server, refresh_token=refresh_token, timeout=5, decode=decode
        ) as client:
            await client.logout()

    from api_client.i18n import _

    try:
        asyncio.run(revoke())
    except AuthenticationError:
        return _("it had already ended.")
    except DiaryError as exc:
        return _(
            "the server could not be told ({reason}); the saved login is deleted anyway."
        ).format(reason=exc.message)
    return _("done.")


if __name__ == "__main__":
    raise SystemExit(main())
