"""Registration with an invite code: single use, expiry, the rate limit, a second child, and
clear answers for taken logins and weak passwords."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, cast

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import update

from api_client.models import Problem, Registration, TokenPair, decode
from demo_server.cli import build_parser, serve_options
from demo_server.clients import (
    ENV_FORWARDED_ALLOW_IPS,
    BadProxyList,
    client_address,
    parse_networks,
)
from demo_server.db import make_engine, make_sessionmaker
from demo_server.invites import invite_hash, new_invite_code
from demo_server.routes.deps import STATE_KEY
from demo_server.schema import InviteCode, User
from demo_server.settings import ServerState
from tests.conftest import BASE_URL, DEMO_NOW, LoginAs

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
            now = DEMO_NOW
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


def body(code: str, login: str = "new.parent", password: str = GOOD) -> dict[str, Any]:
    return {
        "code": code,
        "first_name": "Нина",
        "last_name": "Новикова",
        "login": login,
        "password": password,
        "consent_version": 1,
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


@contextlib.asynccontextmanager
async def client_at(
    app: Litestar, host: str, *, proxies: tuple[str, ...] = ()
) -> AsyncIterator[httpx.AsyncClient]:
    """A client connecting from ``host``, to the app trusting ``proxies``."""
    server = app.state[STATE_KEY]
    if proxies:
        settings = replace(server.settings, forwarded_allow_ips=proxies)
        app.state[STATE_KEY] = ServerState(server.engine, settings, server.backend)
    transport = httpx.ASGITransport(app=cast(Any, app), client=(host, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client
    finally:
        app.state[STATE_KEY] = server


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "203.0.113.9"])
async def test_a_forwarded_for_header_does_not_choose_the_address_by_default(
    app: Litestar, http: httpx.AsyncClient, demo: Any, demo_url: str, peer: str
) -> None:
    """Without --forwarded-allow-ips a client (even one on loopback) that sends a new
    X-Forwarded-For with each try is still one address, and is stopped after ten."""
    code = await issue(demo_url, demo.ids["mover"])
    async with client_at(app, peer) as client:
        for n in range(10):
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
            wrong = await client.post(
                f"{API}/register", json=body(f"WRNG-{n:04d}"), headers=spoofed
            )
            assert wrong.status_code == 422
        blocked = await client.post(
            f"{API}/register", json=body(code), headers={"X-Forwarded-For": "198.51.100.99"}
        )
        assert blocked.status_code == 429, blocked.text
    # Another address is not blocked.
    async with client_at(app, "192.0.2.50") as other:
        assert (await other.post(f"{API}/register", json=body(code))).status_code == 201


async def test_a_configured_proxy_names_the_client(
    app: Litestar, http: httpx.AsyncClient, demo: Any, demo_url: str
) -> None:
    """Behind a trusted proxy each client counts on its own, by the address the proxy
    appended; what a client wrote into the header itself is not believed."""
    code = await issue(demo_url, demo.ids["mover"])
    async with client_at(app, "10.0.0.5", proxies=("10.0.0.0/24",)) as proxy:
        for n in range(10):
            # The client sends a forged address each time; the proxy appends the real one.
            forged = {"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.7"}
            wrong = await proxy.post(f"{API}/register", json=body(f"WRNG-{n:04d}"), headers=forged)
            assert wrong.status_code == 422
        blocked = await proxy.post(
            f"{API}/register", json=body(code), headers={"X-Forwarded-For": "203.0.113.7"}
        )
        assert blocked.status_code == 429
        other_client = await proxy.post(
            f"{API}/register", json=body(code), headers={"X-Forwarded-For": "203.0.113.8"}
        )
        assert other_client.status_code == 201, other_client.text
    # A peer that is not the proxy gets no say with the header.
    async with client_at(app, "203.0.113.7", proxies=("10.0.0.0/24",)) as direct:
        again = await direct.post(
            f"{API}/register", json=body(code), headers={"X-Forwarded-For": "192.0.2.1"}
        )
        assert again.status_code == 429


@pytest.mark.parametrize(
    ("peer", "header", "proxies", "client"),
    [
        ("127.0.0.1", ["1.2.3.4"], (), "127.0.0.1"),
        ("10.0.0.5", ["1.2.3.4"], ("10.0.0.5",), "1.2.3.4"),
        ("10.0.0.5", ["6.6.6.6, 1.2.3.4"], ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.5", ["1.2.3.4, 10.0.0.9"], ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.5", ["1.2.3.4", "10.0.0.9"], ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.5", [], ("10.0.0.0/8",), "10.0.0.5"),
        ("10.0.0.5", ["not-an-address"], ("10.0.0.0/8",), "10.0.0.5"),
        ("10.0.0.5", ["[2001:db8::1]:5555"], ("10.0.0.0/8",), "2001:db8::1"),
        ("10.0.0.5", ["1.2.3.4:5555"], ("10.0.0.0/8",), "1.2.3.4"),
        ("::ffff:10.0.0.5", ["1.2.3.4"], ("10.0.0.0/8",), "1.2.3.4"),
        (None, ["1.2.3.4"], ("10.0.0.0/8",), "unknown"),
    ],
)
def test_client_address(
    peer: str | None, header: list[str], proxies: tuple[str, ...], client: str
) -> None:
    assert client_address(peer, header, parse_networks(proxies)) == client


def test_a_proxy_list_entry_that_is_no_address_is_refused() -> None:
    with pytest.raises(BadProxyList, match=r"'proxy\.lan' is not an IP address"):
        parse_networks(["10.0.0.1", "proxy.lan"])


@pytest.mark.parametrize(
    ("flag", "limited"), [([], True), (["--forwarded-allow-ips", "127.0.0.1"], False)]
)
async def test_the_served_app_trusts_forwarded_for_only_from_configured_proxies(
    demo: Any, demo_url: str, monkeypatch: pytest.MonkeyPatch, flag: list[str], limited: bool
) -> None:
    """``diary-server serve`` as uvicorn runs it: a loopback peer's X-Forwarded-For counts
    only when loopback is named with --forwarded-allow-ips."""
    monkeypatch.setenv("DIARY_DB", "")
    monkeypatch.setenv(ENV_FORWARDED_ALLOW_IPS, "")
    args = build_parser().parse_args(["serve", "--db", demo_url, *flag])
    config = uvicorn.Config(**serve_options(args, demo_url))
    config.load()
    code = await issue(demo_url, demo.ids["mover"])
    transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            for n in range(10):
                spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
                wrong = await client.post(
                    f"{API}/register", json=body(f"WRNG-{n:04d}"), headers=spoofed
                )
                assert wrong.status_code == 422
            last = await client.post(
                f"{API}/register", json=body(code), headers={"X-Forwarded-For": "198.51.100.99"}
            )
            assert last.status_code == (429 if limited else 201), last.text
    finally:
        app = config.loaded_app
        while not isinstance(app, Litestar):
            app = app.app
        await app.state[STATE_KEY].engine.dispose()
