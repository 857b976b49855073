"""The users screen of the IT staff, registration from the login screen, and the new password
after a one-time one: the app against the real server in-process."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import insert
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from api_client.errors import PasswordChangeRequired
from api_client.models import API_PREFIX, TokenPair, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.invites import invite_hash
from demo_server.schema import InviteCode
from diary_tui.app import DiaryApp
from screens.dialogs.confirm import ConfirmOrEnter as Confirm
from screens.dialogs.consent import ConsentDialog
from screens.login import LoginScreen
from screens.register import AddChildScreen, NewPasswordScreen, RegisterScreen
from screens.users import AccountForm, PasswordShown, UsersScreen
from tests.conftest import DEMO_NOW, asgi_transport, sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, wait_for

STRONG = "Quiet-Meadow-73"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def logins(screen: UsersScreen) -> list[str]:
    return [u.login for u in screen.users.values()]


def idle(screen: Any) -> bool:
    return not screen.workers


def text_of(widget: Static) -> str:
    visual = widget.visual
    return str(getattr(visual, "plain", visual))


async def users_loaded(pilot: Any, diary: Any, demo: Any) -> UsersScreen:
    """The IT staff's login: the users screen, its accounts loaded."""
    await log_in(pilot, "it", demo.password)
    await wait_for(pilot, lambda: isinstance(diary.screen, UsersScreen))
    screen = diary.screen
    assert isinstance(screen, UsersScreen)
    await wait_for(pilot, lambda: len(screen.users) > 5 and idle(screen))
    return screen


@asynccontextmanager
async def it_staff(
    app: Litestar, demo: Any, *, size: tuple[int, int] = (80, 24), on_stranger: bool = False
) -> AsyncIterator[tuple[DiaryApp, Pilot[Any], UsersScreen]]:
    """The app logged in as the IT staff on the users screen (the cursor on "stranger" if asked)."""
    diary = make_app(app, login="it")
    async with diary.run_test(size=size) as pilot:
        screen = await (open_users if on_stranger else users_loaded)(pilot, diary, demo)
        yield diary, pilot, screen


async def try_login(app: Litestar, login: str, password: str) -> int:
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url="http://diary.test"
    ) as http:
        response = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": login, "password": password}
        )
        return response.status_code


@sqlite_only
async def test_it_staff_land_on_users_search_and_reset_a_password(app: Litestar, demo: Any) -> None:
    async with it_staff(app, demo) as (diary, pilot, screen):
        assert {"parent", "pupil", "teacher"} <= set(logins(screen))
        # Search: "/" then type and Enter.
        await pilot.press("slash", *"соколов", "enter")
        await wait_for(pilot, lambda: sorted(logins(screen)) == ["parent", "pupil", "sibling"])
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(demo.ids["sibling"])))
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(diary.screen, PasswordShown))
        shown = diary.screen
        assert isinstance(shown, PasswordShown)
        assert shown.result.user.login == "sibling"
        password = shown.result.one_time_password
        assert password in text_of(shown.query_one("#password-shown-text", Static))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, UsersScreen))
        await wait_for(
            pilot, lambda: idle(screen) and screen.users[demo.ids["sibling"]].must_change_password
        )
    assert await try_login(app, "sibling", password) == 200
    assert await try_login(app, "sibling", demo.password) == 401
    await dispose(app)


@sqlite_only
async def test_create_an_account_and_lock_it(app: Litestar, demo: Any) -> None:
    async with it_staff(app, demo, size=(100, 30)) as (diary, pilot, screen):
        await pilot.press("n")
        await pilot.pause()
        form = diary.screen
        form.query_one("#f-last_name", Input).value = "Ким"
        form.query_one("#f-first_name", Input).value = "Вера"
        form.query_one("#f-class", Input).value = "7в"
        form.query_one("#f-last_name", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, PasswordShown))
        made = diary.screen
        assert isinstance(made, PasswordShown)
        assert made.result.user.login == "kim.v" and made.result.user.class_ is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: "kim.v" in logins(screen) and idle(screen))
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(made.result.user.id)))
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                idle(screen)
                and screen.users.get(made.result.user.id) is not None
                and screen.users[made.result.user.id].locked
            ),
        )
    await dispose(app)


async def store_code(url: str, code: str, pupil_id: int, actor_id: int) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as db:
        await db.execute(
            insert(InviteCode).values(
                code_hash=invite_hash(code),
                pupil_id=pupil_id,
                created_by=actor_id,
                expires_at=DEMO_NOW + dt.timedelta(days=3),
            )
        )
        await db.commit()
    await engine.dispose()


@sqlite_only
async def test_a_parent_adds_a_second_child_from_the_palette(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    await store_code(demo_url, "MNPQ-6789", demo.ids["mover"], demo.ids["it"])
    diary = make_app(app, login="other_parent")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "other_parent", demo.password)
        await wait_for(pilot, lambda: diary.data.me is not None and idle(diary.screen))
        assert "Add a child" in [c.name for c in diary.palette_commands()]
        diary.add_child()
        await wait_for(pilot, lambda: isinstance(diary.screen, AddChildScreen))
        await pilot.press(*"mnpq 6789", "enter")
        await wait_for(pilot, lambda: not isinstance(diary.screen, AddChildScreen))
        me = diary.data.me
        assert me is not None
        assert {c.id for c in me.children} == {demo.ids["stranger"], demo.ids["mover"]}
    await dispose(app)


@sqlite_only
async def test_register_from_the_login_screen_then_log_in(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    code = "QRST-2345"
    engine = make_engine(demo_url)
    async with make_sessionmaker(engine)() as db:
        await db.execute(
            insert(InviteCode).values(
                code_hash=invite_hash(code),
                pupil_id=demo.ids["mover"],
                created_by=demo.ids["it"],
                expires_at=DEMO_NOW + dt.timedelta(days=3),
            )
        )
        await db.commit()
    await engine.dispose()
    diary = make_app(app, login=None)
    async with diary.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
        await pilot.pause()
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(diary.screen, RegisterScreen))
        form = diary.screen
        for field, value in (("code", code.lower()), ("first", "Нина"), ("last", "Новикова")):
            form.query_one(f"#{field}", Input).value = value
        form.query_one("#login", Input).value = "nina.n"
        form.query_one("#password", Input).value = "nina.n-2026"
        await pilot.pause()
        reasons = text_of(form.query_one("#reasons", Static))
        assert "login" in reasons  # shown while typing, before anything is sent
        form.query_one("#password", Input).value = STRONG
        form.query_one("#again", Input).value = STRONG
        await pilot.pause()
        assert "Strong enough" in text_of(form.query_one("#reasons", Static))
        form.query_one("#again", Input).focus()
        await pilot.press("enter")
        # The school's consent is shown before anything is registered; Esc registers nothing.
        await wait_for(pilot, lambda: isinstance(diary.screen, ConsentDialog))
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: "needs your consent" in text_of(form.query_one("#error", Static))
        )
        form.query_one("#again", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConsentDialog))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
        login = diary.screen
        assert login.query_one("#login", Input).value == "nina.n"
        login.query_one("#password", Input).focus()
        await pilot.press(*STRONG, "enter")
        await wait_for(pilot, lambda: diary.data.me is not None and diary.data.me.login == "nina.n")
        me = diary.data.me
        assert me is not None and [c.id for c in me.children] == [demo.ids["mover"]]
    await dispose(app)


@sqlite_only
async def test_a_one_time_password_asks_for_a_new_one(app: Litestar, demo: Any) -> None:
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url="http://diary.test"
    ) as http:
        it = decode(
            (
                await http.post(
                    f"{API_PREFIX}/auth/login", json={"login": "it", "password": demo.password}
                )
            ).content,
            TokenPair,
        )
        reset = await http.post(
            f"{API_PREFIX}/users/{demo.ids['stranger']}/reset-password",
            headers={"Authorization": f"Bearer {it.access_token}", "Idempotency-Key": "reset-1234"},
        )
        otp = reset.json()["one_time_password"]
    diary = make_app(app, login="stranger")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "stranger", otp)
        await wait_for(pilot, lambda: isinstance(diary.screen, NewPasswordScreen))
        form = diary.screen
        form.query_one("#password", Input).value = STRONG
        form.query_one("#again", Input).value = STRONG
        form.query_one("#again", Input).focus()
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: not isinstance(diary.screen, (NewPasswordScreen, LoginScreen))
        )
        assert diary.data.me is not None and not diary.data.me.must_change_password
    assert await try_login(app, "stranger", STRONG) == 200
    assert await try_login(app, "stranger", otp) == 401
    await dispose(app)


async def patch_elsewhere(app: Litestar, password: str, user_id: int, body: object) -> Any:
    """A colleague's edit, through the API while the screen is open."""
    from api_client.models import UserSummary

    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url="http://diary.test"
    ) as http:
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": "it", "password": password}
        )
        token = decode(login.content, TokenPair).access_token
        response = await http.patch(
            f"{API_PREFIX}/users/{user_id}",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 200, response.text
        return decode(response.content, UserSummary)


async def open_users(pilot: Any, diary: Any, demo: Any) -> UsersScreen:
    """The users screen loaded, the cursor on the account "stranger"."""
    screen = await users_loaded(pilot, diary, demo)
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(demo.ids["stranger"])))
    return screen


async def edit_form(pilot: Any, diary: Any) -> AccountForm[Any]:
    """``e`` on the users screen: the form of the account under the cursor."""
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(diary.screen, AccountForm))
    form = diary.screen
    assert isinstance(form, AccountForm)
    return form


def back_on_users(diary: Any, screen: UsersScreen, who: int, version: int) -> bool:
    """The users screen is back, settled, with account ``who`` at ``version``."""
    return (
        isinstance(diary.screen, UsersScreen)
        and idle(screen)
        and screen.users[who].version == version
    )


def conflict_shown(diary: Any) -> bool:
    return isinstance(diary.screen, AccountForm) and diary.screen.conflict is not None


@sqlite_only
async def test_an_edit_after_a_colleagues_change_shows_it_and_keeps_what_was_typed(
    app: Litestar, demo: Any
) -> None:
    who = demo.ids["stranger"]
    async with it_staff(app, demo, on_stranger=True) as (diary, pilot, screen):
        assert screen.users[who].version == 1
        form = await edit_form(pilot, diary)
        # Meanwhile a colleague renames the account and locks it.
        await patch_elsewhere(
            app, demo.password, who, {"version": 1, "last_name": "Орлов", "locked": True}
        )
        first = form.query_one("#f-first_name", Input)
        first.value = "Николай"
        first.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: conflict_shown(diary))
        again = diary.screen
        assert again is form, "the form stays open, it is not closed and opened again"
        assert isinstance(again, AccountForm) and again.user is not None
        problem = text_of(again.query_one("#dialog-error", Static))
        assert "someone else changed the account" in problem
        said = text_of(again.query_one("#conflict", Static))
        assert "Someone else changed stranger while you had it open" in said
        assert "It is now: Орлов Коля" in said and "locked" in said
        # What was typed is kept, over the account as it is now.
        assert again.query_one("#f-first_name", Input).value == "Николай"
        assert again.query_one("#f-last_name", Input).value == "Морозов"
        assert again.user.version == 2
        # The table shows the account as it is now.
        await wait_for(pilot, lambda: screen.users[who].last_name == "Орлов")
        # Enter puts theirs over it, on the new version.
        again.query_one("#f-first_name", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: back_on_users(diary, screen, who, 3))
        now = screen.users[who]
        assert (now.last_name, now.first_name, now.locked) == ("Морозов", "Николай", True)
    await dispose(app)


@sqlite_only
async def test_escape_after_a_conflict_keeps_the_colleagues_change(
    app: Litestar, demo: Any
) -> None:
    who = demo.ids["stranger"]
    async with it_staff(app, demo, on_stranger=True) as (diary, pilot, screen):
        form = await edit_form(pilot, diary)
        await patch_elsewhere(app, demo.password, who, {"version": 1, "first_name": "Пётр"})
        form.query_one("#f-middle_name", Input).value = "Ильич"
        form.query_one("#f-middle_name", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: conflict_shown(diary))
        assert diary.screen.query_one("#f-middle_name", Input).value == "Ильич"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, UsersScreen) and idle(screen))
        now = screen.users[who]
        assert (now.first_name, now.middle_name, now.version) == ("Пётр", "", 2)
    await dispose(app)


@sqlite_only
async def test_a_lock_after_a_colleagues_change_asks_again(app: Litestar, demo: Any) -> None:
    who = demo.ids["stranger"]
    async with it_staff(app, demo, on_stranger=True) as (diary, pilot, screen):
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, Confirm))
        # Meanwhile a colleague renames the account (it stays unlocked).
        await patch_elsewhere(app, demo.password, who, {"version": 1, "last_name": "Орлов"})
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, Confirm) and "Someone else" in str(diary.screen.question)
            ),
        )
        asked = diary.screen
        assert isinstance(asked, Confirm)
        assert "Lock stranger all the same?" in str(asked.question)
        await pilot.press("y")
        await wait_for(pilot, lambda: back_on_users(diary, screen, who, 3))
        assert screen.users[who].locked and screen.users[who].last_name == "Орлов"
    await dispose(app)


def error_line(diary: DiaryApp) -> str:
    return text_of(diary.screen.query_one("#login-error", Static))


@sqlite_only
async def test_a_one_time_login_not_changed_opens_nothing(app: Litestar, demo: Any) -> None:
    """Escape on the new-password form logs out: the server opens nothing else until the
    password is changed, so the app does not pretend to be logged in."""
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url="http://diary.test"
    ) as http:
        it = decode(
            (
                await http.post(
                    f"{API_PREFIX}/auth/login", json={"login": "it", "password": demo.password}
                )
            ).content,
            TokenPair,
        )
        reset = await http.post(
            f"{API_PREFIX}/users/{demo.ids['stranger']}/reset-password",
            headers={"Authorization": f"Bearer {it.access_token}", "Idempotency-Key": "reset-5678"},
        )
        otp = reset.json()["one_time_password"]
    diary = make_app(app, login="stranger")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "stranger", otp)
        await wait_for(pilot, lambda: isinstance(diary.screen, NewPasswordScreen))
        client = diary.data.client
        assert client is not None
        # What the server says to anything else meanwhile: the client knows it by its type.
        with pytest.raises(PasswordChangeRequired, match="one-time password"):
            await client.threads()
        await pilot.press("escape")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, LoginScreen)
                and "choose your own password" in error_line(diary)
            ),
        )
        assert not diary.data.logged_in
    # The one-time password still works for the next try.
    assert await try_login(app, "stranger", otp) == 200
    await dispose(app)


@sqlite_only
async def test_a_name_the_server_would_refuse_keeps_the_form_open_with_the_reason(
    app: Litestar, demo: Any
) -> None:
    """Too long, with a control character pasted in, a digit or markup: said at once under
    the box, naming it by its label, by the server's own rule (``models.name_refusal``);
    nothing typed is lost, nothing is sent."""
    who = demo.ids["stranger"]
    async with it_staff(app, demo, on_stranger=True) as (diary, pilot, screen):
        form = await edit_form(pilot, diary)
        first = form.query_one("#f-first_name", Input)
        for typed, words in (
            ("Н" * 101, "The First name is 101 characters long; at most 100 fit"),
            ("Коля\u202e", "may hold only letters, spaces, hyphens, apostrophes and dots"),
            ("Коля2", "The First name may hold only letters"),
            ("[b]Коля[/b]", "not '['"),
        ):
            first.value = typed
            first.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert diary.screen is form
            assert words in text_of(form.query_one("#e-first_name", Static))
            assert text_of(form.query_one("#e-last_name", Static)) == ""
            assert first.value == typed
        assert screen.users[who].version == 1


@sqlite_only
async def test_a_new_account_offline_is_not_queued_and_what_was_typed_stays(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    """A new account answers with its one-time password, to be shown at once: offline it is
    not queued; the form stays open with everything typed and says so, and Enter makes it
    (once) when the server is back."""
    from sqlalchemy import func, select

    from demo_server import schema as s
    from screens.users import AccountForm
    from tests.diary_tui.test_outbox_family import Switch, count

    switch = Switch(asgi_transport(app))
    diary = make_app(app, login="it", transport=switch)
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await users_loaded(pilot, diary, demo)
        await pilot.press("n")
        await pilot.pause()
        form = diary.screen
        form.query_one("#f-last_name", Input).value = "Ким"
        form.query_one("#f-first_name", Input).value = "Вера"
        form.query_one("#f-class", Input).value = "7в"
        form.query_one("#f-login", Input).value = "vera.kim"
        form.query_one("#f-last_name", Input).focus()
        switch.up = False
        await pilot.press("enter")
        problem = form.query_one("#dialog-error", Static)
        await wait_for(pilot, lambda: "No connection" in text_of(problem))
        again = diary.screen
        assert again is form and isinstance(again, AccountForm) and not again.sending
        typed = {
            name: again.query_one(f"#f-{name}", Input).value
            for name in ("last_name", "first_name", "class", "login")
        }
        assert typed == {
            "last_name": "Ким",
            "first_name": "Вера",
            "class": "7в",
            "login": "vera.kim",
        }
        assert diary.data.waiting_ops() == []  # not queued: it needs the server
        switch.up = True
        again.query_one("#f-last_name", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, PasswordShown))
        made = diary.screen
        assert isinstance(made, PasswordShown) and made.result.user.login == "vera.kim"
        await pilot.press("enter")
        await wait_for(pilot, lambda: idle(screen))
    users = select(func.count(s.User.id)).where(s.User.login == "vera.kim")
    assert await count(demo_url, users) == 1
    await dispose(app)


def rows_shown(screen: UsersScreen) -> int:
    return screen.query_one(DataTable).row_count


def title_of(screen: UsersScreen) -> str:
    return text_of(screen.query_one("#users-title", Static))


@sqlite_only
async def test_the_accounts_come_a_page_at_a_time_and_search_reaches_them_all(
    app: Litestar, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table asked for the first page only (200 of the 1,465 accounts of a school), with no
    way to the rest. Now the title says which of how many are shown, moving onto the last row
    (End, PgDn, Down) loads the next page, and the search asks the server over all accounts."""
    monkeypatch.setattr(UsersScreen, "PAGE", 6)
    async with it_staff(app, demo) as (_diary, pilot, screen):
        total = screen.total
        assert total > 12
        assert len(screen.users) == 6
        assert title_of(screen).endswith(f"1–6 of {total}")
        # The last row says how many more there are; reaching it brings them.
        table = screen.query_one(DataTable)
        assert rows_shown(screen) == 7
        await pilot.press("end")
        await wait_for(pilot, lambda: len(screen.users) == 12 and idle(screen))
        assert title_of(screen).endswith(f"1–12 of {total}")
        assert table.cursor_row == 6, "the cursor is on the first account of the new page"
        while len(screen.users) < total:
            await pilot.press("end")
            await wait_for(pilot, lambda: idle(screen))
        assert title_of(screen).endswith(f"{total} accounts")
        assert rows_shown(screen) == total, "no 'more' row when all are shown"
        assert len(set(logins(screen))) == total
        # The last account by name, found by the server though not on the first page.
        last = list(screen.users.values())[-1]
        await pilot.press("slash")
        screen.query_one("#users-q", Input).value = last.login
        await pilot.press("enter")
        await wait_for(pilot, lambda: idle(screen) and last.login in logins(screen))
        assert len(screen.users) <= 6
    await dispose(app)


@sqlite_only
async def test_a_refused_new_account_keeps_what_was_typed_and_says_why_under_the_box(
    app: Litestar, demo: Any
) -> None:
    """A taken login: the server refuses it; the form stays open with everything typed, the
    refusal under the Login box and the cursor in it (in Russian, as the interface speaks). A
    name with a digit is refused in the form itself, under its box, naming it by its label."""
    diary = make_app(app, login="it", language="ru")
    async with diary.run_test(size=(80, 24)) as pilot:
        screen = await users_loaded(pilot, diary, demo)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, AccountForm))
        form = diary.screen
        typed = {"last_name": "Ким", "first_name": "Вера2", "class": "", "login": "parent"}
        for name, value in typed.items():
            form.query_one(f"#f-{name}", Input).value = value
        form.query_one("#f-last_name", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert diary.screen is form
        assert "«Имя»" in text_of(form.query_one("#e-first_name", Static))
        assert "Ученику нужен класс" in text_of(form.query_one("#e-class", Static))
        form.query_one("#f-first_name", Input).value = "Вера"
        form.query_one("#f-class", Input).value = "7в"
        form.query_one("#f-last_name", Input).focus()
        await pilot.press("enter")
        refused = form.query_one("#e-login", Static)
        await wait_for(pilot, lambda: "логин parent занят" in text_of(refused))
        again = diary.screen
        assert again is form and isinstance(again, AccountForm)
        assert again.query_one("#f-login", Input).has_focus
        assert text_of(again.query_one("#e-first_name", Static)) == ""
        assert {name: again.query_one(f"#f-{name}", Input).value for name in typed} == typed | {
            "first_name": "Вера",
            "class": "7в",
        }
        assert screen.users and "kim.v" not in logins(screen)
    await dispose(app)


@sqlite_only
async def test_the_accounts_screen_in_russian_fits_80_columns(app: Litestar, demo: Any) -> None:
    """Title, columns, roles, flags, filters, footer and dialogs in Russian at 80x24."""
    diary = make_app(app, login="it", language="ru")
    async with diary.run_test(size=(80, 24)) as pilot:
        screen = await users_loaded(pilot, diary, demo)
        table = screen.query_one(DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == ["Логин", "Роль", "Кл.", "", "ФИО", "Дети / родители"]
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= 80 - 2, "the table fits without scrolling sideways"
        assert title_of(screen).startswith("Учётные записи · ")
        roles = {str(table.get_cell(str(u.id), "role")) for u in screen.users.values()}
        assert {"ученик", "родитель", "учитель"} <= roles
        assert all(len(r) <= 8 for r in roles)
        footer = " ".join(
            f"{k.key_display} {k.description}" for k in screen.query(FooterKey).results()
        )
        for word in ("Новая", "Изменить", "Блокировка"):
            assert word in footer, footer
        for english in ("New", "Edit", "Lock", "Search", "Password"):
            assert english not in footer, footer
        table.move_cursor(row=table.get_row_index(str(demo.ids["pupil"])))
        await pilot.press("v")
        await wait_for(pilot, lambda: not isinstance(diary.screen, UsersScreen))
        labels = " ".join(str(label.render()) for label in diary.screen.query("Label"))
        assert "С дня (ДД.ММ.ГГГГ)" in labels
        assert diary.screen.query_one("#f-date", Input).value == "25.11.2026"
        await pilot.press("escape")
        await pilot.press("P")
        await pilot.pause()
        shown = " ".join(text_of(w) for w in diary.screen.query(Static))
        assert "Сбросить пароль" in shown, shown
    await dispose(app)


@sqlite_only
async def test_the_it_staff_set_a_telephone_and_email_and_see_them_in_the_account(
    app: Litestar, demo: Any
) -> None:
    """The edit form has the telephone and the e-mail: a wrong one is said under its box by
    its label (the server's rule, ``models.phone_refusal``) with everything typed kept and
    nothing sent; a right one is saved, and Enter on the account shows both. The whole form,
    its hint included, fits 80x24."""
    who = demo.ids["stranger"]
    async with it_staff(app, demo, on_stranger=True) as (diary, pilot, screen):
        form = await edit_form(pilot, diary)
        phone = form.query_one("#f-phone", Input)
        email = form.query_one("#f-email", Input)
        phone.value, email.value = "call me", "vera@"
        phone.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert diary.screen is form
        assert "Telephone: a telephone number holds 5 to 15 digits" in text_of(
            form.query_one("#e-phone", Static)
        )
        assert "E-mail: this is not an e-mail address" in text_of(
            form.query_one("#e-email", Static)
        )
        assert (phone.value, email.value) == ("call me", "vera@")
        assert screen.users[who].version == 1
        hint = form.query_one("#dialog-hint", Static)
        assert hint.region.bottom <= 24 and hint.region.height == 1, "the form fits 80x24"
        phone.value, email.value = "+7 912 345-67-89", "Vera@Mail.RU"
        phone.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: back_on_users(diary, screen, who, 2))
        saved = screen.users[who]
        assert (saved.phone, saved.email) == ("+7 912 345-67-89", "Vera@mail.ru")
        screen.query_one(DataTable).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: diary.screen.name == "account-detail")
        shown = text_of(diary.screen.query_one("#account-detail-text", Static))
        assert "+7 912 345-67-89" in shown and "Vera@mail.ru" in shown and "stranger" in shown
        await pilot.press("escape")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, AccountForm))
        new = diary.screen
        for name, value in {
            "last_name": "Ким",
            "first_name": "Вера",
            "class": "7в",
            "phone": "8 (343) 222-33-44",
            "email": "kim@example.ru",
        }.items():
            new.query_one(f"#f-{name}", Input).value = value
        hint = new.query_one("#dialog-hint", Static)
        assert hint.region.bottom <= 24 and hint.region.height == 1, "the new form fits 80x24"
        new.query_one("#f-last_name", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, PasswordShown))
        made = diary.screen
        assert isinstance(made, PasswordShown)
        assert (made.result.user.phone, made.result.user.email) == (
            "8 (343) 222-33-44",
            "kim@example.ru",
        )
    await dispose(app)


@sqlite_only
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_pupil_moved_to_no_such_class_stays_in_the_form(
    app: Litestar, demo: Any, language: str
) -> None:
    """The move form writes online through the shared sending form: a class the school does
    not have is refused in the form, under the class box with the cursor in it, the day typed
    kept; corrected, the pupil moves and the form closes. A login to link that no account has
    is said under its box too. In both languages."""
    diary = make_app(app, login="it", language=language)
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await users_loaded(pilot, diary, demo)
        pupil = next(u for u in screen.users.values() if u.role.value == "pupil" and u.class_)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(pupil.id)))
        table.focus()
        await pilot.press("v")
        await wait_for(pilot, lambda: type(diary.screen).__name__ == "AskFields")
        form = diary.screen
        form.query_one("#f-class", Input).value = "99Я"
        day = form.query_one("#f-date", Input).value  # today, as the form offers it
        form.query_one("#f-date", Input).focus()
        await pilot.press("enter")
        refused = form.query_one("#e-class", Static)
        await wait_for(pilot, lambda: "99Я" in text_of(refused))
        assert diary.screen is form
        assert form.query_one("#f-class", Input).has_focus
        assert form.query_one("#f-date", Input).value == day
        # Corrected: moved, the form closes and the table is read again.
        other = next(
            u.class_.name
            for u in screen.users.values()
            if u.class_ and pupil.class_ and u.class_.name != pupil.class_.name
        )
        form.query_one("#f-class", Input).value = other
        await pilot.press("enter")
        await wait_for(pilot, lambda: diary.screen is screen and idle(screen))
        assert screen.users[pupil.id].class_ is not None
        assert screen.users[pupil.id].class_.name == other  # type: ignore[union-attr]
        # A link to a login nobody has: said under the login's box, the form stays.
        table.move_cursor(row=table.get_row_index(str(pupil.id)))
        await pilot.press("k")
        await wait_for(pilot, lambda: type(diary.screen).__name__ == "AskFields")
        form = diary.screen
        form.query_one("#f-other", Input).value = "nobody.here"
        form.query_one("#f-other", Input).focus()
        await pilot.press("enter")
        refused = form.query_one("#e-other", Static)
        await wait_for(pilot, lambda: "nobody.here" in text_of(refused))
        assert diary.screen is form and form.query_one("#f-other", Input).has_focus
    await dispose(app)
