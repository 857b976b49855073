"""Logging in, lockout, refresh rotation and reuse detection, logout, bad tokens."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, cast

import httpx
import pytest
from litestar import Litestar

from api_client.models import Me, Problem, TokenPair, decode
from demo_server.app import create_app
from demo_server.routes.deps import STATE_KEY
from demo_server.settings import ServerSettings, ServerState
from tests.conftest import BASE_URL, DEMO_NOW, LoginAs, asgi_transport, bearer, server_app


@pytest.fixture
def school_kind() -> str:
    return "mini"


class Clock:
    def __init__(self) -> None:
        self.at = DEMO_NOW

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(demo_url: str, demo: Any, clock: Clock) -> Litestar:
    today = demo.today
    return server_app(demo_url, ServerSettings(today=lambda: today, now=clock))


async def login(http: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"login": name, "password": password})


def problem(response: httpx.Response, status: int) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = decode(response.content, Problem)
    assert body.status == status and body.detail
    return body


async def test_login_gives_tokens_that_work(http: httpx.AsyncClient, demo: Any) -> None:
    response = await login(http, "parent", demo.password)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    pair = decode(response.content, TokenPair)
    assert pair.expires_in == 300 and pair.refresh_expires_in == 30 * 24 * 3600
    me = await http.get("/api/v1/me", headers=bearer(pair.access_token))
    assert decode(me.content, Me).login == "parent"


async def test_wrong_password_and_unknown_login_answer_alike(
    http: httpx.AsyncClient, demo: Any
) -> None:
    wrong_password = await login(http, "parent", "not-the-password")
    unknown = await login(http, "nobody-here", "not-the-password")
    for response in (wrong_password, unknown):
        problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert wrong_password.content == unknown.content


async def test_ten_failures_lock_the_login_out_until_the_window_passes(
    http: httpx.AsyncClient, demo: Any, clock: Clock
) -> None:
    for _ in range(10):
        problem(await login(http, "pupil", "wrong"), 401)
    locked = await login(http, "pupil", demo.password)  # even the right password
    body = problem(locked, 429)
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= 15 * 60
    assert body.retry_after == retry_after and body.field == "login"
    # Another login is not affected.
    assert (await login(http, "parent", demo.password)).status_code == 200
    clock.at += dt.timedelta(seconds=retry_after + 1)
    assert (await login(http, "pupil", demo.password)).status_code == 200


@contextlib.asynccontextmanager
async def client_at(app: Litestar, host: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from ``host``."""
    transport = httpx.ASGITransport(app=cast(Any, app), client=(host, 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def test_failing_a_login_from_one_address_does_not_lock_it_elsewhere(
    app: Litestar, demo: Any, clock: Clock
) -> None:
    """Anyone can fail a teacher's login ten times; the teacher still logs in from where she
    is, and the address that failed gets the same answer for the right and a wrong password."""
    async with client_at(app, "203.0.113.66") as attacker:
        for _ in range(10):
            problem(await login(attacker, "teacher", "guess"), 401)
        right = await login(attacker, "teacher", demo.password)
        wrong = await login(attacker, "teacher", "another-guess")
        body = problem(right, 429)
        assert "from this address" in body.detail
        assert right.content == wrong.content
        assert right.headers["retry-after"] == wrong.headers["retry-after"]
        # Another login from the same address is not held back by it.
        assert (await login(attacker, "parent", demo.password)).status_code == 200
    async with client_at(app, "192.0.2.10") as teacher:
        assert (await login(teacher, "teacher", demo.password)).status_code == 200
        # Her own typos are counted for her address only, and a success forgets them.
        for _ in range(9):
            problem(await login(teacher, "teacher", "typo"), 401)
        assert (await login(teacher, "teacher", demo.password)).status_code == 200
        for _ in range(9):
            problem(await login(teacher, "teacher", "typo"), 401)
        assert (await login(teacher, "teacher", demo.password)).status_code == 200


async def test_one_address_failing_many_logins_is_held_back(
    app: Litestar, demo: Any, clock: Clock
) -> None:
    """One password tried on many logins from one address: after the address's limit it is
    held back whatever the login and password; other addresses log in as usual."""
    server = app.state[STATE_KEY]
    settings = replace(server.settings, address_lockout_failures=6)
    app.state[STATE_KEY] = ServerState(server.engine, settings, server.backend)
    async with client_at(app, "198.51.100.7") as sprayer:
        for name in ("parent", "pupil", "teacher", "admin", "it", "nobody"):
            problem(await login(sprayer, name, "Spring2026!"), 401)
        held = await login(sprayer, "classteacher", demo.password)
        body = problem(held, 429)
        assert body.detail.startswith("too many failed logins from this address")
        assert held.content == (await login(sprayer, "classteacher", "Spring2026!")).content
        retry_after = int(held.headers["retry-after"])
        assert 0 < retry_after <= 15 * 60
        async with client_at(app, "198.51.100.8") as neighbour:
            assert (await login(neighbour, "classteacher", demo.password)).status_code == 200
        clock.at += dt.timedelta(seconds=retry_after + 1)
        assert (await login(sprayer, "classteacher", demo.password)).status_code == 200


async def test_an_ipv6_client_is_counted_by_its_64_network(
    app: Litestar, demo: Any, clock: Clock
) -> None:
    """A client with an IPv6 /64 chooses any address in it: the network is what counts."""
    for n in range(10):
        async with client_at(app, f"2001:db8:5:7::{n + 1:x}") as client:
            problem(await login(client, "pupil", "guess"), 401)
    async with client_at(app, "2001:db8:5:7::ffff") as same_network:
        problem(await login(same_network, "pupil", demo.password), 429)
    async with client_at(app, "2001:db8:5:8::1") as other_network:
        assert (await login(other_network, "pupil", demo.password)).status_code == 200


async def test_refresh_rotates_and_reuse_ends_the_session(
    http: httpx.AsyncClient, demo: Any
) -> None:
    first = decode((await login(http, "teacher", demo.password)).content, TokenPair)
    response = await http.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = decode(response.content, TokenPair)
    assert second.refresh_token != first.refresh_token
    assert (await http.get("/api/v1/me", headers=bearer(second.access_token))).status_code == 200
    # The old refresh token was used: presenting it again revokes the whole chain.
    reuse = await http.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})
    problem(reuse, 401)
    after = await http.post("/api/v1/auth/refresh", json={"refresh_token": second.refresh_token})
    problem(after, 401)
    problem(await http.get("/api/v1/me", headers=bearer(second.access_token)), 401)
    # Other sessions of the same user are untouched.
    other = decode((await login(http, "teacher", demo.password)).content, TokenPair)
    assert (await http.get("/api/v1/me", headers=bearer(other.access_token))).status_code == 200


async def test_logout_with_an_unknown_token(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/auth/logout", json={"refresh_token": "no-such-token"})
    problem(response, 401)


async def test_logout_then_nothing_works(http: httpx.AsyncClient, demo: Any) -> None:
    pair = decode((await login(http, "admin", demo.password)).content, TokenPair)
    response = await http.post("/api/v1/auth/logout", json={"refresh_token": pair.refresh_token})
    assert response.status_code == 204 and response.content == b""
    problem(await http.get("/api/v1/me", headers=bearer(pair.access_token)), 401)
    refresh = await http.post("/api/v1/auth/refresh", json={"refresh_token": pair.refresh_token})
    problem(refresh, 401)


async def test_expired_access_token(http: httpx.AsyncClient, demo: Any, clock: Clock) -> None:
    pair = decode((await login(http, "parent", demo.password)).content, TokenPair)
    clock.at += dt.timedelta(minutes=5, seconds=1)
    body = problem(await http.get("/api/v1/me", headers=bearer(pair.access_token)), 401)
    assert "expired" in body.detail
    # The refresh token still works and gives a fresh access token.
    response = await http.post("/api/v1/auth/refresh", json={"refresh_token": pair.refresh_token})
    fresh = decode(response.content, TokenPair)
    assert (await http.get("/api/v1/me", headers=bearer(fresh.access_token))).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer garbage",
        "Bearer a.b",
        "Bearer ....",
        "Bearer " + "x" * 600,
        "Bearer WzEsMSw5OTk5OTk5OTk5XQ.c2lnbmF0dXJl",  # a payload with a forged signature
    ],
)
async def test_missing_or_garbled_tokens(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await http.get("/api/v1/me", headers=headers)
    problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_by_another_server_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs, db_url: str, demo: Any
) -> None:
    from demo_server.migrate import upgrade

    await upgrade(db_url)  # another database: another signing secret
    other = create_app(db_url)
    headers = await login_as(http, "parent")
    async with httpx.AsyncClient(transport=asgi_transport(other), base_url=BASE_URL) as c:
        problem(await c.get("/api/v1/me", headers=headers), 401)
    await other.state["server"].engine.dispose()
