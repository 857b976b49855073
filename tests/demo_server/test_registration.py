"""Registration with an invite code: single use, expiry, the rate limit, a second child, and
clear answers for taken logins and weak passwords."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api_client.models import Problem, Registration, TokenPair, decode
from demo_server.accounts import invite_hash, new_invite_code
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import InviteCode, User
from tests.conftest import LoginAs

API = "/api/v1"
GOOD = "Quiet-Meadow-73"


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def issue(url: str, pupil_id: int, *, expires_in: dt.timedelta | None = None) -> str:
    """A fresh invite code for ``pupil_id`` written straight into the database."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            actor = await db.get(User, pupil_id)
            assert actor is not None
            now = dt.datetime.now(dt.UTC)
            code, _ = await new_invite_code(db, pupil_id=pupil_id, actor_id=pupil_id, now=now)
            if expires_in is not None:
                await db.execute(
                    update(InviteCode)
                    .where(InviteCode.code_hash == invite_hash(code))
                    .values(expires_at=now + expires_in)
                )
            await db.commit()
            return code
    finally:
        await engine.dispose()


def body(code: str, login: str = "new.parent", password: str = GOOD) -> dict[str, str]:
    return {
        "code": code,
        "first_name": "Нина",
        "last_name": "Новикова",
        "login": login,
        "password": password,
    }


async def test_register_then_log_in_and_see_the_child(
    http: httpx.AsyncClient, demo: Any, demo_url: str
) -> None:
    code = await issue(demo_url, demo.ids["mover"])
    typed = code.lower().replace("-", " ")  # case, spaces and dashes do not matter
    response = await http.post(f"{API}/register", json=body(typed))
    assert response.status_code == 201, response.text
    reg = decode(response.content, Registration)
    assert reg.login == "new.parent" and [c.id for c in reg.children] == [demo.ids["mover"]]
    # A retry after a lost answer gets the same answer; nothing more is created.
    again = await http.post(f"{API}/register", json=body(code))
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    # Anyone else with the same code: used.
    other = await http.post(f"{API}/register", json=body(code, login="someone.else"))
    assert other.status_code == 422
    assert "invalid or expired" in decode(other.content, Problem).detail
    login = await http.post(f"{API}/auth/login", json={"login": "new.parent", "password": GOOD})
    pair = decode(login.content, TokenPair)
    assert not pair.must_change_password
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    week = await http.get(f"{API}/pupils/{demo.ids['mover']}/week", headers=headers)
    assert week.status_code == 200
    foreign = await http.get(f"{API}/pupils/{demo.ids['pupil']}/week", headers=headers)
    assert foreign.status_code == 404


async def test_expired_and_unknown_codes_look_the_same(
    http: httpx.AsyncClient, demo: Any, demo_url: str
) -> None:
    expired = await issue(demo_url, demo.ids["mover"], expires_in=-dt.timedelta(minutes=1))
    a = await http.post(f"{API}/register", json=body(expired))
    b = await http.post(f"{API}/register", json=body("ZZZZ-ZZZZ"))
    assert a.status_code == b.status_code == 422
    assert a.content == b.content
    assert decode(a.content, Problem).field == "code"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"login": "pupil"}, "login", "taken"),
        ({"login": "Has Space"}, "login", "login is"),
        ({"password": "12345678"}, "password", "only digits"),
        ({"password": "novikova-2026"}, "password", "name"),
        ({"password": "short"}, "password", "at least 8"),
        ({"first_name": "  "}, "first_name", "empty"),
    ],
)
async def test_clear_refusals_keep_the_code(
    http: httpx.AsyncClient,
    demo: Any,
    demo_url: str,
    change: dict[str, str],
    field: str,
    words: str,
) -> None:
    code = await issue(demo_url, demo.ids["mover"])
    response = await http.post(f"{API}/register", json={**body(code), **change})
    assert response.status_code == 422, response.text
    problem = decode(response.content, Problem)
    assert problem.field == field and words in problem.detail, problem.detail
    # The code still works afterwards.
    assert (await http.post(f"{API}/register", json=body(code))).status_code == 201


async def test_wrong_codes_are_rate_limited_per_address(
    http: httpx.AsyncClient, demo: Any, demo_url: str
) -> None:
    code = await issue(demo_url, demo.ids["mover"])
    for n in range(10):
        wrong = await http.post(f"{API}/register", json=body(f"WRNG-{n:04d}"))
        assert wrong.status_code == 422
    blocked = await http.post(f"{API}/register", json=body(code))
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert decode(blocked.content, Problem).retry_after


async def test_second_child_with_a_second_code(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    headers = await login_as(http, "other_parent")
    code = await issue(demo_url, demo.ids["mover"])

    async def add(code: str, who: dict[str, str]) -> httpx.Response:
        return await http.post(
            f"{API}/register/add-child",
            json={"code": code},
            headers={**who, "Idempotency-Key": uuid.uuid4().hex},
        )

    response = await add(code, headers)
    assert response.status_code == 200, response.text
    children = {c.id for c in decode(response.content, Registration).children}
    assert children == {demo.ids["stranger"], demo.ids["mover"]}
    assert (await add(code, headers)).status_code == 422  # used
    already = await issue(demo_url, demo.ids["stranger"])
    response = await add(already, headers)
    assert response.status_code == 422 and "already linked" in response.text
    pupil = await login_as(http, "pupil")
    assert (await add(await issue(demo_url, demo.ids["sibling"]), pupil)).status_code == 403
    assert (await add(code, {})).status_code == 401
