"""Accounts for the IT staff: search, create, edit, lock, reset, link, move, slips, invite codes,
and the password change a one-time password leads to."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api_client.models import (
    PASSWORD_CHANGE_REQUIRED,
    ClassList,
    CredentialSlips,
    Me,
    OneTimePassword,
    ParentLinkResult,
    Problem,
    SlipPlan,
    TokenPair,
    UserPage,
    UserSummary,
    decode,
    encode,
)
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import AuditRecord, InviteCode
from tests.conftest import LoginAs

API = "/api/v1"
STRONG = "Lilac-Harbour-41"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def post(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], body: object = None
) -> httpx.Response:
    return await http.post(f"{API}{path}", json=body, headers={**headers, **key()})


async def log_in(http: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    return await http.post(f"{API}/auth/login", json={"login": login, "password": password})


async def audit_count(url: str, entity: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return int(
                await db.scalar(
                    select(func.count(AuditRecord.id)).where(AuditRecord.entity == entity)
                )
                or 0
            )
    finally:
        await engine.dispose()


async def test_search_by_name_login_role_and_class(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    page = decode(
        (await http.get(f"{API}/users", params={"q": "СОКОЛ"}, headers=it)).content, UserPage
    )
    assert {u.login for u in page.items} == {"parent", "pupil", "sibling"}
    parent = next(u for u in page.items if u.login == "parent")
    assert {c.id for c in parent.children} == {demo.ids["pupil"], demo.ids["sibling"]}
    pupil = next(u for u in page.items if u.login == "pupil")
    assert pupil.class_ is not None and pupil.class_.name == "5А"
    assert [p.login for p in pupil.parents] == ["parent"]

    pupils = decode(
        (await http.get(f"{API}/users", params={"role": "pupil"}, headers=it)).content, UserPage
    )
    assert {u.login for u in pupils.items} == {"pupil", "sibling", "stranger", "mover"}
    # "5a" with a Latin letter is 5А: its pupils and their parents.
    in_class = decode(
        (await http.get(f"{API}/users", params={"class": "5a"}, headers=it)).content, UserPage
    )
    assert {u.login for u in in_class.items} == {"pupil", "mover", "parent"}
    paged = decode(
        (await http.get(f"{API}/users", params={"limit": 2, "offset": 1}, headers=it)).content,
        UserPage,
    )
    assert len(paged.items) == 2 and paged.total > 4 and paged.offset == 1
    for bad in ({"limit": 0}, {"role": "king"}, {"class": "99Z"}):
        response = await http.get(f"{API}/users", params=bad, headers=it)
        assert response.status_code in (400, 404), (bad, response.text)
        assert decode(response.content, Problem).detail


async def test_create_user_then_the_one_time_password_must_be_changed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    response = await post(
        http,
        "/users",
        it,
        {
            "role": "pupil",
            "first_name": "Вера",
            "last_name": "Крылова",
            "class_id": demo.ids["c5a"],
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"  # it holds a password
    made = decode(response.content, OneTimePassword)
    assert made.user.login == "krylova.v" and made.user.must_change_password
    assert made.user.class_ is not None and made.user.class_.name == "5А"
    login = await log_in(http, made.user.login, made.one_time_password)
    assert login.status_code == 200
    pair = decode(login.content, TokenPair)
    assert pair.must_change_password
    me = {"Authorization": f"Bearer {pair.access_token}"}
    # Until the one-time password is changed, nothing but who-am-I and the change is open.
    own = made.user.id
    for path in (f"/pupils/{own}/week", f"/pupils/{own}/grades", "/threads", "/changes"):
        gated = await http.get(f"{API}{path}", headers=me)
        assert gated.status_code == 403, (path, gated.text)
        refusal = decode(gated.content, Problem)
        assert refusal.type == PASSWORD_CHANGE_REQUIRED and "one-time password" in refusal.detail
    message = {"recipient_id": demo.ids["teacher"], "subject": "Hello", "body": "hi"}
    sent = await post(http, "/threads", me, message)
    assert (
        sent.status_code == 403 and decode(sent.content, Problem).type == PASSWORD_CHANGE_REQUIRED
    )
    who = await http.get(f"{API}/me", headers=me)
    assert who.status_code == 200 and decode(who.content, Me).must_change_password
    weak = await post(
        http, "/me/password", me, {"old": made.one_time_password, "new": "krylova.v1"}
    )
    assert weak.status_code == 422
    problem = decode(weak.content, Problem)
    assert problem.field == "new" and "login" in problem.detail and "name" in problem.detail
    wrong = await post(http, "/me/password", me, {"old": "nope", "new": STRONG})
    assert wrong.status_code == 422 and decode(wrong.content, Problem).field == "old"
    ok = await post(http, "/me/password", me, {"old": made.one_time_password, "new": STRONG})
    assert ok.status_code == 200, ok.text
    assert not decode(ok.content, UserSummary).must_change_password
    # The same session goes on, now with everything open.
    assert (await http.get(f"{API}/pupils/{own}/week", headers=me)).status_code == 200
    again = decode((await log_in(http, made.user.login, STRONG)).content, TokenPair)
    assert not again.must_change_password
    assert (await log_in(http, made.user.login, made.one_time_password)).status_code == 401
    assert await audit_count(demo_url, "user") >= 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "pupil", "first_name": "А", "last_name": "Б"}, "class_id"),
        ({"role": "teacher", "first_name": " ", "last_name": "Б"}, "first_name"),
        ({"role": "teacher", "first_name": "А", "last_name": "Б", "login": "pupil"}, "login"),
        ({"role": "teacher", "first_name": "А", "last_name": "Б", "login": "Bad Login"}, "login"),
        ({"role": "parent", "first_name": "А", "last_name": "Б", "class_id": 1}, "class_id"),
    ],
)
async def test_create_user_refuses_bad_input(
    http: httpx.AsyncClient, login_as: LoginAs, body: dict[str, object], field: str
) -> None:
    response = await post(http, "/users", await login_as(http, "it"), body)
    assert response.status_code == 422, response.text
    assert decode(response.content, Problem).field == field


async def test_lock_ends_sessions_and_unlock_lets_back_in(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    pupil = await login_as(http, "sibling")
    assert (await http.get(f"{API}/me", headers=pupil)).status_code == 200
    locked = await http.patch(
        f"{API}/users/{demo.ids['sibling']}",
        json={"version": 1, "locked": True},
        headers={**it, **key()},
    )
    assert locked.status_code == 200 and decode(locked.content, UserSummary).locked
    assert (await http.get(f"{API}/me", headers=pupil)).status_code in (401, 403)
    # A locked account answers the right password as it answers a wrong one: the answer
    # does not confirm a guessed password.
    right = await log_in(http, "sibling", demo.password)
    wrong = await log_in(http, "sibling", "not-the-password")
    assert right.status_code == wrong.status_code == 401
    assert right.content == wrong.content and "locked" in decode(right.content, Problem).detail
    renamed = await http.patch(
        f"{API}/users/{demo.ids['sibling']}",
        json={"version": 2, "locked": False, "first_name": "Елена"},
        headers={**it, **key()},
    )
    summary = decode(renamed.content, UserSummary)
    assert not summary.locked and summary.first_name == "Елена" and summary.version == 3
    assert (await log_in(http, "sibling", demo.password)).status_code == 200
    own = await http.patch(
        f"{API}/users/{demo.ids['it']}",
        json={"version": 1, "locked": True},
        headers={**it, **key()},
    )
    assert own.status_code == 422
    unknown = await http.patch(f"{API}/users/999999", json={"version": 1}, headers={**it, **key()})
    assert unknown.status_code == 404


async def patch_user(
    http: httpx.AsyncClient, headers: dict[str, str], user_id: int, body: object
) -> httpx.Response:
    return await http.patch(f"{API}/users/{user_id}", json=body, headers={**headers, **key()})


async def test_an_edit_on_a_stale_version_is_refused_with_the_account_as_it_is(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    opened = decode((await http.get(f"{API}/users/{who}", headers=it)).content, UserSummary)
    assert opened.version == 1
    # A colleague renames the account first: the version moves on by one.
    first = await patch_user(http, it, who, {"version": 1, "last_name": "Орлова"})
    assert first.status_code == 200, first.text
    saved = decode(first.content, UserSummary)
    assert saved.version == 2 and saved.last_name == "Орлова"
    before = await audit_count(demo_url, "user")
    stale = await patch_user(http, it, who, {"version": 1, "last_name": "Соколова"})
    assert stale.status_code == 409, stale.text
    assert stale.headers["content-type"].startswith("application/problem+json")
    problem = decode(stale.content, Problem)
    assert problem.field == "version"
    assert "based on version 1, the current one is version 2" in problem.detail
    assert "changed by" in problem.detail and "nothing was saved" in problem.detail
    current = decode(encode(problem.current), UserSummary)
    assert (current.id, current.last_name, current.version) == (who, "Орлова", 2)
    # Nothing was written: the name, the version and the audit log are as they were.
    after = decode((await http.get(f"{API}/users/{who}", headers=it)).content, UserSummary)
    assert (after.last_name, after.version) == ("Орлова", 2)
    assert await audit_count(demo_url, "user") == before
    # On the current version the same change goes through.
    retried = await patch_user(http, it, who, {"version": 2, "last_name": "Соколова"})
    assert retried.status_code == 200
    assert decode(retried.content, UserSummary).version == 3


async def test_version_is_required_and_shown_in_lists(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    missing = await patch_user(http, it, who, {"locked": True})
    assert missing.status_code == 400, missing.text
    problem = decode(missing.content, Problem)
    assert problem.field == "version" and problem.detail == "the field 'version' is required"
    wrong = await patch_user(http, it, who, {"version": "one", "locked": True})
    assert wrong.status_code == 400 and decode(wrong.content, Problem).field == "version"
    absurd = await patch_user(http, it, who, {"version": 2**70, "locked": True})
    assert absurd.status_code == 422, absurd.text
    assert decode(absurd.content, Problem).field == "version"
    locked = await patch_user(http, it, who, {"version": 1, "locked": True})
    assert decode(locked.content, UserSummary).version == 2
    page = decode(
        (await http.get(f"{API}/users", params={"q": "stranger"}, headers=it)).content, UserPage
    )
    assert [(u.id, u.version) for u in page.items if u.id == who] == [(who, 2)]
    # Sending what the account already holds is no change: the version stays.
    same = await patch_user(http, it, who, {"version": 2, "locked": True})
    assert same.status_code == 200 and decode(same.content, UserSummary).version == 2


async def test_a_password_reset_moves_the_version_the_owners_own_change_does_not(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    reset = await post(http, f"/users/{who}/reset-password", it)
    assert decode(reset.content, OneTimePassword).user.version == 2
    otp = decode(reset.content, OneTimePassword).one_time_password
    # A form opened before the reset is stale now.
    stale = await patch_user(http, it, who, {"version": 1, "first_name": "Пётр"})
    assert stale.status_code == 409
    assert decode(encode(decode(stale.content, Problem).current), UserSummary).version == 2
    tokens = decode((await log_in(http, "stranger", otp)).content, TokenPair)
    own = await post(
        http,
        "/me/password",
        {"Authorization": f"Bearer {tokens.access_token}"},
        {"old": otp, "new": STRONG},
    )
    assert own.status_code == 200, own.text
    assert decode(own.content, UserSummary).version == 2


async def test_a_replayed_edit_returns_the_first_answer(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    headers = {**it, "Idempotency-Key": "rename-stranger-1"}
    body = {"version": 1, "first_name": "Пётр"}
    first = await http.patch(f"{API}/users/{who}", json=body, headers=headers)
    again = await http.patch(f"{API}/users/{who}", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert decode(again.content, UserSummary).version == 2
    now = decode((await http.get(f"{API}/users/{who}", headers=it)).content, UserSummary)
    assert now.version == 2


async def test_reset_password_once_and_replayed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    session = await login_as(http, "stranger")
    headers = {**it, "Idempotency-Key": "reset-stranger-1"}
    first = await http.post(f"{API}/users/{demo.ids['stranger']}/reset-password", headers=headers)
    assert first.status_code == 200, first.text
    again = await http.post(f"{API}/users/{demo.ids['stranger']}/reset-password", headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.headers["cache-control"] == again.headers["cache-control"] == "no-store"
    otp = decode(first.content, OneTimePassword)
    assert decode(again.content, OneTimePassword).one_time_password == otp.one_time_password
    assert (await http.get(f"{API}/me", headers=session)).status_code == 401
    assert (await log_in(http, "stranger", demo.password)).status_code == 401
    pair = decode((await log_in(http, "stranger", otp.one_time_password)).content, TokenPair)
    assert pair.must_change_password


async def test_link_unlink_and_move(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    body = {"parent_id": demo.ids["other_parent"], "pupil_id": demo.ids["pupil"]}
    linked = decode((await post(http, "/parent-links", it, body)).content, ParentLinkResult)
    assert linked.linked and linked.changed
    assert demo.ids["pupil"] in {c.id for c in linked.parent.children}
    twice = decode((await post(http, "/parent-links", it, body)).content, ParentLinkResult)
    assert not twice.changed
    other = await login_as(http, "other_parent")
    assert (
        await http.get(f"{API}/pupils/{demo.ids['pupil']}/week", headers=other)
    ).status_code == 200
    gone = decode((await post(http, "/parent-links/remove", it, body)).content, ParentLinkResult)
    assert not gone.linked and gone.changed
    assert (
        await http.get(f"{API}/pupils/{demo.ids['pupil']}/week", headers=other)
    ).status_code == 404
    wrong = await post(
        http, "/parent-links", it, {"parent_id": demo.ids["pupil"], "pupil_id": demo.ids["pupil"]}
    )
    assert wrong.status_code == 422 and decode(wrong.content, Problem).field == "parent_id"
    assert await audit_count(demo_url, "parent_link") == 2

    move = await post(
        http,
        f"/pupils/{demo.ids['pupil']}/move",
        it,
        {"class_id": demo.ids["c7v"], "date": demo.today.isoformat()},
    )
    assert move.status_code == 200, move.text
    moved = decode(move.content, UserSummary)
    assert moved.class_ is not None and moved.class_.name == "7В"
    same = await post(http, f"/pupils/{demo.ids['pupil']}/move", it, {"class_id": demo.ids["c7v"]})
    assert same.status_code == 422
    not_pupil = await post(
        http, f"/pupils/{demo.ids['parent']}/move", it, {"class_id": demo.ids["c7v"]}
    )
    assert not_pupil.status_code == 422
    assert await audit_count(demo_url, "enrolment") == 1


RESET_3 = "reset_passwords=true&confirm=3"
"""5А's slips with new passwords: its two pupils and the one parent account linked to them."""


async def test_slips_for_a_class(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    response = await post(http, f"/classes/{demo.ids['c5a']}/slips?format=text&{RESET_3}", it)
    assert response.headers["cache-control"] == "no-store"
    assert response.status_code == 200, response.text
    slips = decode(response.content, CredentialSlips)
    text = slips.content.decode("utf-8")
    # 5А: pupil (whose parent has an account) and mover (who has none: an invite code).
    assert slips.pupils == 2 and slips.parents == 1 and slips.invite_codes == 1
    assert text.count("\n-- ") == 4  # pupil, mover, parent, an invite: five cut lines
    assert "pupil" in text and "Соколова Ирина" in text and "Новиков Дима" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "parent" in text and slips.filename.endswith(".txt")
    assert (await log_in(http, "parent", demo.password)).status_code == 401  # reset by the slip
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            codes = list(await db.scalars(select(InviteCode)))
    finally:
        await engine.dispose()
    assert [c.pupil_id for c in codes] == [demo.ids["mover"]]
    assert all(len(c.code_hash) == 64 for c in codes)
    pdf = await post(http, f"/classes/{demo.ids['c5a']}/slips?format=pdf&{RESET_3}", it)
    assert pdf.status_code == 200, pdf.text
    assert decode(pdf.content, CredentialSlips).content.startswith(b"%PDF")
    bad = await post(http, f"/classes/{demo.ids['c5a']}/slips?format=doc&{RESET_3}", it)
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("viewer", "cls", "expected"),
    [
        ("classteacher", "c5a", 200),
        ("classteacher", "c6b", 404),  # teaches nothing in 6Б: as no class at all
        ("teacher2", "c6b", 200),
        ("teacher2", "c5a", 403),  # teaches history in 5А: sees the class, does not lead it
        ("teacher", "c5a", 403),
        ("it", "c7v", 200),
        ("parent", "c5a", 403),
    ],
)
async def test_invite_codes_by_class_teacher(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str, cls: str, expected: int
) -> None:
    headers = await login_as(http, viewer)
    response = await post(http, f"/classes/{demo.ids[cls]}/invite-codes", headers)
    assert response.status_code == expected, response.text
    if expected == 200:
        slips = decode(response.content, CredentialSlips)
        assert slips.invite_codes >= 1 and slips.pupils == 0 and slips.expires is not None


async def test_classes_of_the_year(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    response = await http.get(f"{API}/classes", headers=await login_as(http, "it"))
    assert [c.name for c in decode(response.content, ClassList).classes] == ["5А", "6Б", "7В"]


async def test_credential_slips_move_the_version_of_every_account_they_reset(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    plan = decode(
        (await http.get(f"{API}/classes/{demo.ids['c7v']}/slips/plan", headers=it)).content,
        SlipPlan,
    )
    reset = f"reset_passwords=true&confirm={plan.accounts}"
    slips = await post(http, f"/classes/{demo.ids['c7v']}/slips?{reset}", it)
    assert slips.status_code == 200, slips.text
    now = decode((await http.get(f"{API}/users/{who}", headers=it)).content, UserSummary)
    assert now.must_change_password and now.version == 2
    stale = await patch_user(http, it, who, {"version": 1, "locked": True})
    assert stale.status_code == 409


async def test_a_classs_slips_hash_in_one_thread_while_logins_are_answered(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new passwords of a class are hashed one after the other in one worker thread: they
    no longer take every thread of the shared pool, where each login's check waited."""
    import asyncio
    import threading

    from demo_server import accounts
    from demo_server.security import hash_password as real_hash

    hashing, login_answered = threading.Event(), threading.Event()
    lock = threading.Lock()
    at_once = [0, 0]  # now, most
    threads: set[int] = set()

    def held_hash(password: str) -> str:
        with lock:
            at_once[0] += 1
            at_once[1] = max(at_once)
            threads.add(threading.get_ident())
        hashing.set()
        login_answered.wait(10)
        with lock:
            at_once[0] -= 1
        return real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", held_hash)
    it = await login_as(http, "it")
    slips = asyncio.create_task(post(http, f"/classes/{demo.ids['c5a']}/slips?{RESET_3}", it))
    assert await asyncio.to_thread(hashing.wait, 10)
    login = await log_in(http, "teacher", demo.password)
    login_answered.set()
    assert login.status_code == 200, login.text
    answer = await slips
    assert answer.status_code == 200, answer.text
    assert decode(answer.content, CredentialSlips).pupils == 2
    assert at_once[1] == 1 and len(threads) == 1
