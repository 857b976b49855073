"""``diary admin ...`` and ``diary register`` against the real server in-process."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from diary_tui.admin_cli import Env, run_admin, run_register
from diary_tui.cli import build_parser
from tests.conftest import asgi_transport, frozen_settings, server_app, sqlite_only

SERVER = "http://diary.test"
ROSTER = """тип;фамилия;имя;класс;дети
ученик;Зайцева;Анна;5А;
родитель;Зайцева;Мария;;Зайцева Анна 5А
"""


@pytest.fixture
def school_kind() -> str:
    return "mini"


class Answers:
    """Answers to prompts, in order; a prompt nobody expected fails the test."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise AssertionError(f"unexpected prompt {prompt!r}")
        return self.answers.pop(0)


@pytest.fixture
def run(demo_url: str, demo: Any) -> Iterator[Any]:
    """``run(argv, secrets=[...], answers=[...]) -> (code, out, err)``: each command gets its
    own engine, since each runs its own event loop (pooled connections belong to one loop), on
    the session's one server app (``server_app``)."""
    today = demo.today

    def call(
        argv: list[str],
        secrets: list[str] | None = None,
        answers: list[str] | None = None,
        credentials: Any = None,
        wrap: Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport] | None = None,
        on: dt.date | None = None,
    ) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        day = on or today
        settings = frozen_settings(day)
        app: Litestar = server_app(demo_url, settings, slot="command")
        transport: httpx.AsyncBaseTransport = asgi_transport(app)
        env = Env(
            today=settings.today,
            now=settings.now,
            transport=wrap(transport) if wrap is not None else transport,
            credentials=credentials,
            use_keyring=False,
            ask=Answers(answers or []),
            ask_secret=Answers(secrets if secrets is not None else [demo.password]),
            out=out,
            err=err,
        )
        args: argparse.Namespace = build_parser().parse_args(argv)
        result: list[int] = []
        # asyncio.run inside the command needs a thread without a running loop.
        runner = run_register if args.command == "register" else run_admin
        failures: list[BaseException] = []

        def target() -> None:
            try:
                result.append(runner(args, env))
            except BaseException as exc:
                failures.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        # The command's loop is gone: drop its pool without touching the connections.
        asyncio.run(app.state["server"].engine.dispose(close=False))
        if failures:
            raise failures[0]
        return result[0], out.getvalue(), err.getvalue()

    yield call


def admin(*words: str) -> list[str]:
    return ["--server", SERVER, "--login", "it", "admin", *words]


def fits(text: str) -> bool:
    return all(len(line) <= 80 for line in text.splitlines())


def test_import_dry_run_then_real_then_again(run: Any, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="cp1251")
    code, out, err = run(admin("import", str(roster), "--dry-run"))
    assert code == 0, err
    assert "2 created" in out and "Nothing was written" in out and fits(out)
    assert "line 2: created pupil Зайцева Анна (5А), login zaytseva.a" in out
    code, out, _ = run(admin("import", str(roster)))
    assert code == 0 and "Imported." in out
    code, out, _ = run(admin("import", str(roster)))
    assert code == 0 and "0 created, 0 changed, 2 unchanged" in out


def test_import_with_a_refused_line_writes_nothing(run: Any, tmp_path: Path) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text(ROSTER + "ученик;Орлов;Илья;11Щ;\n", encoding="utf-8")
    code, out, err = run(admin("import", str(roster)))
    assert code == 1
    assert "refused" in out and "11Щ" in out and "nothing was imported" in err
    code, out, _ = run(admin("users", "--search", "зайцева"))
    assert code == 0 and "0 accounts." in out


def test_usage_errors_exit_2(run: Any, tmp_path: Path) -> None:
    code, _, err = run(admin("import", str(tmp_path / "missing.csv")))
    assert code == 2 and "no file" in err
    code, _, err = run(admin("slips", "--class", "5А", "--out", str(tmp_path / "no" / "x.txt")))
    assert code == 2 and "no folder" in err
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["admin", "users", "--role", "king"])
    assert exc.value.code == 2


def test_wrong_password_and_wrong_role_are_refused(run: Any) -> None:
    code, _, err = run(admin("users"), secrets=["wrong"])
    assert code == 1 and "wrong" in err
    argv = ["--server", SERVER, "--login", "teacher", "admin", "users"]
    code, _, err = run(argv)
    assert code == 1 and "IT staff" in err


def test_users_lists_in_80_columns(run: Any) -> None:
    code, out, _ = run(admin("users", "--class", "5a"))
    assert code == 0 and fits(out)
    logins = [line.split()[0] for line in out.splitlines()[1:-1]]
    assert sorted(logins) == ["mover", "parent", "pupil"]
    code, out, _ = run(admin("users", "--role", "teacher"))
    assert "3 accounts." in out


def test_reset_password_and_slips_then_register(run: Any, tmp_path: Path, demo: Any) -> None:
    code, out, _ = run(admin("reset-password", "stranger"))
    assert code == 0 and fits(out)
    otp = re.search(r"stranger \(.*\): (\S+)", out)
    assert otp is not None
    code, _, err = run(admin("reset-password", "nobody"))
    assert code == 1 and "no account" in err

    slips = tmp_path / "5a.txt"
    code, out, err = run(admin("slips", "--class", "5А", "--out", str(slips)))
    assert code == 0, err
    assert "2 invite-code slips" in out and "No password was changed" in out
    assert oct(slips.stat().st_mode & 0o777) == "0o600"
    text = slips.read_text(encoding="utf-8")
    invite = re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", text)
    assert invite is not None, text

    code, out, err = run(
        ["register", "--server", SERVER],
        answers=[invite.group(1), "да", "Нина", "Новикова", "pupil", "nina.n"],
        secrets=["short", "short", "Quiet-Meadow-73", "Quiet-Meadow-73"],
    )
    assert code == 0, err
    assert "taken" in out and "too weak" in out
    assert "Registered nina.n, linked to Дима Новиков." in out
    assert "consent to the processing of personal data, version 1" in out
    code, out, _ = run(admin("consent", "history", "nina.n"))
    assert code == 0 and "consent, version 1 (when registering" in " ".join(out.split())
    code, out, _ = run(admin("users", "--search", "nina.n"))
    assert "nina.n" in out and "[Дима]" in out


def test_slips_reset_passwords_only_when_confirmed_with_the_count(
    run: Any, tmp_path: Path, demo: Any
) -> None:
    slips = tmp_path / "5a.txt"
    argv = admin("slips", "--class", "5А", "--out", str(slips), "--reset-passwords")
    code, out, err = run(argv, answers=["2"])
    assert code == 1 and "nothing was reset" in err
    assert "resets the passwords of 3 accounts of 5А (2 pupils and 1 parents)" in out
    assert not slips.exists()
    code, _, err = run([*argv, "--confirm", "4"])
    assert code == 1 and "--confirm is 4" in err
    code, out, err = run([*argv, "--confirm", "3"])
    assert code == 0, err
    assert "2 pupils and 1 parents with one-time passwords" in " ".join(out.split())
    code, out, err = run(admin("invite", "mover"))
    assert code == 0, err
    assert re.search(r"Invite code for a parent of Новиков Дима, 5А: [2-9A-Z]{4}-[2-9A-Z]{4}", out)
    assert "No password was changed" in out


def test_register_with_a_bad_code_is_refused(run: Any) -> None:
    answers = ["AAAA-AAAA"] + ["BBBB-BBBB"] * 4
    code, out, err = run(["register", "--server", SERVER], answers=answers)
    assert code == 1 and "invalid or expired" in out and "nothing was registered" in err


def test_register_without_consent_is_refused(run: Any, tmp_path: Path) -> None:
    slips = tmp_path / "5a.txt"
    assert run(admin("slips", "--class", "5А", "--out", str(slips)))[0] == 0
    invite = re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", slips.read_text(encoding="utf-8"))
    assert invite is not None
    code, out, err = run(["register", "--server", SERVER], answers=[invite.group(1), "no"])
    assert code == 1 and "needs your consent" in err and "nothing was registered" in err
    assert "Согласие на обработку персональных данных" in out  # the school's text, shown


def test_consent_from_the_command_line(run: Any, tmp_path: Path) -> None:
    code, out, err = run(admin("consent", "list", "--state", "none"))
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["other_parent"]
    assert "1 given, 0 outdated, 0 withdrawn, 1 none" in " ".join(out.split())
    code, out, err = run(admin("consent", "record", "other_parent", "--signed", "2026-11-20"))
    assert code == 0, err
    said = " ".join(out.split())
    assert "consent, version 1 (on paper, signed 20.11.2026, recorded by Белов Игорь)" in said
    # Recorded at the frozen instant (10:30 UTC, 13:30 at the school), not the machine's.
    code, out, err = run(admin("consent", "history", "other_parent"))
    assert code == 0 and "25.11.2026 13:30 consent" in " ".join(out.split()), out + err
    code, out, err = run(
        admin("consent", "withdraw", "other_parent", "--signed", "2026-11-24", "--note", "папка 7В")
    )
    assert code == 0, err
    said = " ".join(out.split())
    assert "withdrawal, version 1 (on paper, signed 24.11.2026" in said and "папка 7В" in said
    code, out, _ = run(admin("consent", "list", "--class", "7В"))
    assert "other_parent" in out and "withdrawn" in out
    # A day as people write it is taken; one that is not a day of the calendar is not.
    code, _, err = run(admin("consent", "record", "other_parent", "--signed", "31.02.2026"))
    assert code == 2 and "--signed" in err

    text = tmp_path / "consent.txt"
    text.write_text("Новая редакция согласия школы.", encoding="utf-8")
    code, out, err = run(admin("consent", "text", "set", str(text)))
    assert code == 0 and "version 2" in out, err
    code, out, _ = run(admin("consent", "text"))
    assert "Version 2" in out and "Новая редакция согласия школы." in out
    code, out, _ = run(admin("consent", "list", "--state", "outdated"))
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["parent"]


def test_register_add_child(run: Any, tmp_path: Path) -> None:
    slips = tmp_path / "5a.txt"
    assert run(admin("slips", "--class", "5А", "--out", str(slips)))[0] == 0
    invite = re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", slips.read_text(encoding="utf-8"))
    assert invite is not None
    argv = ["register", "--server", SERVER, "--login", "other_parent", "--add-child"]
    code, out, err = run(argv, answers=[invite.group(1)])
    assert code == 0, err
    assert "other_parent is now linked to" in out and "Дима Новиков" in out
    code, _, err = run(argv, answers=[invite.group(1)])
    assert code == 1 and "invalid or expired" in err


class FakeKeyring:
    """The OS keyring as ``diary --server URL --login NAME`` leaves it: one refresh token."""

    def __init__(self, tokens: dict[tuple[str, str], str]) -> None:
        self.tokens = dict(tokens)

    def available(self) -> tuple[bool, str]:
        return True, ""

    def save(self, server: str, login: str, refresh_token: str) -> None:
        self.tokens[(server, login)] = refresh_token

    def load(self, server: str, login: str) -> str | None:
        return self.tokens.get((server, login))

    def delete(self, server: str, login: str) -> bool:
        return self.tokens.pop((server, login), None) is not None


def test_the_remembered_login_needs_no_password(run: Any, demo: Any, demo_url: str) -> None:
    async def refresh_token() -> str:
        import httpx

        app = server_app(demo_url, frozen_settings(demo.today), slot="command")
        async with httpx.AsyncClient(transport=asgi_transport(app), base_url=SERVER) as http:
            answer = await http.post(
                "/api/v1/auth/login", json={"login": "it", "password": demo.password}
            )
        await app.state["server"].engine.dispose()
        return str(answer.json()["refresh_token"])

    token = asyncio.run(refresh_token())
    keyring = FakeKeyring({(SERVER, "it"): token})
    code, out, err = run(admin("users", "--role", "teacher"), secrets=[], credentials=keyring)
    assert code == 0, err
    assert "3 accounts." in out
    assert keyring.tokens[(SERVER, "it")] != token  # rotated, and the new one kept
    # A remembered login that has ended: the password is asked for instead.
    keyring.tokens[(SERVER, "it")] = "ended-token"
    code, out, _ = run(admin("users", "--role", "teacher"), credentials=keyring)
    assert code == 0 and "3 accounts." in out


def test_lock_and_unlock_read_the_account_first(run: Any) -> None:
    code, out, err = run(admin("lock", "stranger"))
    assert code == 0, err
    assert "stranger (Морозов Коля) is locked. Their sessions have ended." in out and fits(out)
    code, out, _ = run(admin("lock", "stranger"))
    assert code == 0 and "already locked; nothing to do" in out
    code, out, _ = run(admin("users", "--search", "stranger"))
    assert " L- " in out
    code, out, err = run(admin("unlock", "stranger"))
    assert code == 0 and "stranger (Морозов Коля) is unlocked." in out, err
    code, _, err = run(admin("lock", "nobody"))
    assert code == 1 and "no account" in err


class ColleagueFirst(httpx.AsyncBaseTransport):
    """Renames the account in the database just before the command's edit reaches the server:
    the race between reading an account and writing it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, url: str, user_id: int) -> None:
        self.inner, self.url, self.user_id = inner, url, user_id

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            from sqlalchemy import update

            from demo_server.db import make_engine
            from demo_server.schema import User

            engine = make_engine(self.url)
            async with engine.begin() as connection:
                await connection.execute(
                    update(User)
                    .where(User.id == self.user_id)
                    .values(last_name="Орлов", version=User.version + 1)
                )
            await engine.dispose()
        return await self.inner.handle_async_request(request)


def test_a_change_between_reading_and_locking_is_refused_clearly(
    run: Any, demo: Any, demo_url: str
) -> None:
    who = demo.ids["stranger"]
    code, _, err = run(
        admin("lock", "stranger"), wrap=lambda inner: ColleagueFirst(inner, demo_url, who)
    )
    assert code == 1
    assert "someone else changed stranger while this command ran, so it was not locked" in err
    assert "It is now: Орлов Коля, not locked." in err
    code, out, _ = run(admin("users", "--search", "stranger"))
    assert " -- " in out and "Орлов Коля" in out


def test_a_one_time_password_is_changed_before_the_command(
    run: Any, demo: Any, demo_url: str
) -> None:
    """An IT account given a one-time password chooses its own first (the server opens
    nothing else until then), then the command runs."""
    from sqlalchemy import update

    from demo_server.db import make_engine, make_sessionmaker
    from demo_server.schema import User

    async def one_time(login: str) -> None:
        engine = make_engine(demo_url)
        async with make_sessionmaker(engine)() as db:
            await db.execute(
                update(User).where(User.login == login).values(must_change_password=True)
            )
            await db.commit()
        await engine.dispose()

    asyncio.run(one_time("it"))
    mine = "Quiet-Meadow-73"
    code, out, err = run(
        admin("users", "--role", "teacher"),
        secrets=[demo.password, "short", "short", mine, "other", mine, mine],
    )
    assert code == 0, err
    assert "choose your own" in out and "at least" in out and "differ" in out
    assert "Your password is changed." in out and "3 accounts." in out
    code, out, err = run(admin("users", "--role", "teacher"), secrets=[mine])
    assert code == 0 and "3 accounts." in out and "one-time" not in out
    # Giving up (the answers run out as an end of input would) changes nothing.
    asyncio.run(one_time("it"))
    code, out, err = run(
        admin("users", "--role", "teacher"), secrets=[mine, *["short", "short"] * 5]
    )
    assert code == 1 and "the password was not changed" in err and "account(s)" not in out


@sqlite_only
def test_names_from_the_server_are_printed_as_visible_text(
    run: Any, demo_url: str, backend: str
) -> None:
    """An account's name holding escape sequences (an old database, another server) is printed
    with visible stand-ins: the administrator's terminal gets no title change and no clear."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(demo_url).database
    assert path is not None
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE users SET last_name = last_name || ? WHERE login = 'pupil'",
            ("\x1b]0;pwned\x07\x1b[2J\u202e",),
        )
    code, out, _ = run(admin("users", "--class", "5a"))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "␛]0;pwned␇" in out


class Statuses(httpx.AsyncBaseTransport):
    """Notes the status of every GET the command sends."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: list[tuple[str, int]]) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "GET":
            self.seen.append((request.url.path, response.status_code))
        return response


def test_admin_keeps_the_session_and_the_store_of_the_app(run: Any, demo: Any) -> None:
    """diary admin opens the app's session (DiaryData): what it read is kept in the account's
    store, so the same command again costs a 304 per page on a slow link, and the app's last
    login is left alone."""
    from diary_tui.config import load_config

    seen: list[tuple[str, int]] = []
    code, out, err = run(
        admin("users", "--role", "teacher"), wrap=lambda inner: Statuses(inner, seen)
    )
    assert code == 0 and "3 accounts." in out, err
    assert ("/api/v1/users", 200) in seen
    seen.clear()
    code, again, _ = run(
        admin("users", "--role", "teacher"), wrap=lambda inner: Statuses(inner, seen)
    )
    assert code == 0 and again == out
    assert ("/api/v1/users", 304) in seen and ("/api/v1/users", 200) not in seen
    assert load_config().login in (None, "")


def test_templates_are_written_without_a_server_and_import_as_they_are(
    run: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    code, out, err = run(["admin", "templates", str(folder)])
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "assignments.csv",
        "classes.csv",
        "groups.csv",
        "rooms.csv",
        "subjects.csv",
        "timetable.csv",
    ]
    assert (folder / "classes.csv").read_bytes().startswith("\ufeffкласс;".encode())
    code, out, err = run(admin("setup", "import", "subjects", str(folder / "subjects.csv")))
    assert code == 0, err
    assert "4 created, 0 changed, 2 unchanged" in out and "add --apply" in out and fits(out)
    code, out, err = run(
        admin("setup", "import", "subjects", str(folder / "subjects.csv"), "--apply")
    )
    assert code == 0 and "Imported." in out
    code, out, _ = run(admin("setup", "import", "subjects", str(folder / "subjects.csv")))
    assert code == 0 and "0 created, 0 changed, 6 unchanged" in out
    code, _, _ = run(["admin", "templates", str(folder)])
    assert code == 0, "writing the templates again keeps what the school filled in"


def test_setup_import_with_a_refused_line_says_where_and_writes_nothing(
    run: Any, tmp_path: Path
) -> None:
    classes = tmp_path / "classes.csv"
    classes.write_text("класс;классный руководитель\n8А;\n8Б;Никто Такой\n", encoding="cp1251")
    code, out, err = run(admin("setup", "import", "classes", str(classes), "--apply"))
    assert code == 1 and "nothing was imported" in err
    assert "line 3, column классный руководитель: refused 8Б" in out
    assert "no teacher 'Никто" in out
    code, out, _ = run(admin("setup", "import", "classes", str(classes)))
    assert "1 created" in out, "the good line of a refused file was written"


def test_year_close_shows_the_plan_then_closes(run: Any, demo_url: str) -> None:
    from sqlalchemy import insert, select

    from demo_server import schema as s
    from demo_server.db import make_engine

    async def next_year() -> None:
        engine = make_engine(demo_url)
        try:
            async with engine.begin() as conn:
                school = await conn.scalar(select(s.School.id))
                await conn.execute(
                    insert(s.AcademicYear).values(
                        school_id=school,
                        name="2027/28",
                        start=dt.date(2027, 9, 1),
                        end=dt.date(2028, 5, 31),
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(next_year())
    code, _, err = run(admin("year", "close", "2026/27", "--next", "2027/28"))
    assert code == 1 and "is not over" in err
    june = dt.date(2027, 6, 10)
    code, _, err = run(admin("year", "close", "2026/27", "--next", "2028/29"), on=june)
    assert code == 2 and "there is no year '2028/29'" in err and "2027/28" in err
    code, out, err = run(admin("year", "close", "2026/27", "--next", "2027/28"), on=june)
    assert code == 0, err
    assert "a dry run" in out and "5А → 6А" in out and "--apply" in out and fits(out)
    assert "move up" in out and "graduate" in out
    assert "has no timetable yet" in out
    code, out, err = run(admin("year", "close", "2026/27", "--next", "2027/28", "--apply"), on=june)
    assert code == 0, err
    assert out.startswith("Closed: 2026/27 into 2027/28") and "move up" in out
    code, _, err = run(admin("year", "close", "2026/27", "--next", "2027/28", "--apply"), on=june)
    assert code == 1 and "closed already" in err


def test_every_accounts_screen_action_has_a_command(run: Any) -> None:
    code, out, err = run(
        admin(
            "create",
            "--role",
            "pupil",
            "--last-name",
            "Орлов",
            "--first-name",
            "Илья",
            "--class",
            "5а",
            "--new-login",
            "orlov.i",
        )
    )
    assert code == 0, err
    assert "orlov.i" in out and "One-time password:" in out and fits(out)
    code, out, err = run(admin("edit", "orlov.i", "--middle-name", "Петрович"))
    assert code == 0, err
    assert "Орлов Илья Петрович" in out
    code, out, err = run(admin("link", "parent", "orlov.i"))
    assert code == 0 and "are linked" in out, err
    code, out, _ = run(admin("link", "parent", "orlov.i"))
    assert code == 0 and "already linked" in out
    code, out, err = run(admin("unlink", "parent", "orlov.i"))
    assert code == 0 and "are unlinked" in out, err
    code, out, err = run(admin("users", "--search", "orlov.i"))
    assert "5А" in out
    code, out, err = run(admin("move", "orlov.i", "6Б", "--from", "1.12.2026"))
    assert code == 0, err
    assert "01.12.2026" in out


def test_a_name_with_markup_or_digits_is_refused_before_and_by_the_server(run: Any) -> None:
    code, _, err = run(
        admin("create", "--role", "teacher", "--last-name", "[red]Иванов", "--first-name", "Иван")
    )
    assert code == 2 and "letters" in err
    code, _, err = run(admin("edit", "pupil", "--first-name", "<b>Ann</b>"))
    assert code == 2 and "letters" in err


def test_setup_oneroster_reads_a_folder_and_says_each_refusal_by_file_line_and_column(
    run: Any, tmp_path: Path
) -> None:
    from tests.demo_server.test_oneroster import FILES

    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    with (folder / "enrollments.csv").open("a", encoding="utf-8") as file:
        file.write("e21,active,,hr-5a,org-7,p99,student,false,2026-09-01,\n")
    code, out, _err = run(admin("setup", "oneroster", str(folder)))
    assert code == 1
    assert "enrollments.csv line 22, column userSourcedId: refused" in out
    assert "no users.csv line has the sourcedId 'p99'" in " ".join(out.split())
    code, _out, err = run(admin("setup", "oneroster", str(tmp_path / "nothing")))
    assert code == 2 and "there is no file or folder" in err


def test_create_and_edit_set_a_telephone_and_an_email(run: Any) -> None:
    code, out, err = run(
        admin(
            "create",
            "--role",
            "parent",
            "--last-name",
            "Орлова",
            "--first-name",
            "Нина",
            "--new-login",
            "orlova.n",
            "--phone",
            "+7 912 345-67-89",
            "--email",
            "Nina@Mail.RU",
        )
    )
    assert code == 0, err
    assert "Telephone: +7 912 345-67-89" in out and "E-mail: Nina@mail.ru" in out and fits(out)
    code, _, err = run(admin("edit", "orlova.n", "--phone", "call me"))
    assert code == 2 and "--phone: a telephone number holds 5 to 15 digits" in err
    code, _, err = run(
        admin(
            "create",
            "--role",
            "parent",
            "--last-name",
            "Ким",
            "--first-name",
            "Вера",
            "--email",
            "vera@",
        )
    )
    assert code == 2 and "--email: this is not an e-mail address" in err
    code, out, err = run(admin("edit", "orlova.n", "--phone", "8 (343) 222-33-44", "--email", ""))
    assert code == 0, err
    assert "Telephone: 8 (343) 222-33-44" in out and "E-mail: not given" in out
    code, _, err = run(admin("edit", "orlova.n"))
    assert code == 2 and "--phone or --email" in err


def test_import_help_names_the_contact_columns(run: Any) -> None:
    from diary_tui.admin_cli import roster_columns

    text = roster_columns()
    assert "phone" in text and "телефон" in text and "email" in text and fits(text)
