"""DiaryClient against the real server in-process: typed answers, conditional GETs, the token
refresh, and every failure turned into the right exception with a message for a person."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from api_client import endpoints, errors, i18n
from api_client.client import DiaryClient, MemoryCache
from api_client.models import Me, Role, TokenPair, Week
from demo_server.db import make_engine
from demo_server.schema import User
from tests.conftest import BASE_URL, asgi_transport, sqlite_only


def client_for(app: Litestar, **kwargs: Any) -> DiaryClient:
    return DiaryClient(BASE_URL, transport=asgi_transport(app), **kwargs)


async def test_login_me_and_week_decode(app: Litestar, demo: Any) -> None:
    async with client_for(app) as client:
        pair = await client.login("parent", "demo")
        assert isinstance(pair, TokenPair)
        me = await client.me()
        assert isinstance(me, Me)
        assert me.role is Role.PARENT
        assert len(me.children) == 2
        week = await client.week(me.children[0].id, demo.today)
        assert isinstance(week, Week)
        assert week.start <= demo.today <= week.end
        assert week.lessons


async def test_an_unchanged_week_costs_a_304(app: Litestar, demo: Any) -> None:
    cache = MemoryCache()
    async with client_for(app, cache=cache) as client:
        await client.login("parent", "demo")
        child = (await client.me()).children[0].id
        first = await client.week(child, demo.today)
        received = client.stats.bytes_received
        again = await client.week(child, demo.today)
        assert again == first
        assert client.stats.not_modified == 1
        assert client.stats.bytes_received - received == 0, "a 304 has no body"
        assert client.cached(endpoints.week(child, demo.today)) == first


async def test_wrong_password_is_an_authentication_error(app: Litestar) -> None:
    async with client_for(app) as client:
        with pytest.raises(errors.AuthenticationError) as caught:
            await client.login("parent", "not the password")
        assert caught.value.status == 401
        assert "wrong" in caught.value.message.lower()
        assert not client.logged_in


@sqlite_only
async def test_lockout_is_rate_limited_with_retry_after(app: Litestar) -> None:
    async with client_for(app) as client:
        for _ in range(10):
            with pytest.raises(errors.AuthenticationError):
                await client.login("pupil", "guess")
        with pytest.raises(errors.RateLimited) as caught:
            await client.login("pupil", "demo")
        assert caught.value.retry_after is not None and caught.value.retry_after > 0


async def test_an_expired_access_token_is_refreshed_once(app: Litestar) -> None:
    seen: list[TokenPair | None] = []
    async with client_for(app, on_tokens=seen.append) as client:
        await client.login("pupil", "demo")
        first_refresh = client.refresh_token
        client._access_token = "garbled.token"  # as if it had expired on the server
        me = await client.me()
        assert me.login == "pupil"
        assert client.refresh_token != first_refresh, "the refresh token rotated"
        assert len(seen) == 2 and all(pair is not None for pair in seen)


async def test_an_access_token_of_an_older_kind_is_refreshed_not_logged_out(
    app: Litestar,
) -> None:
    """A token issued before the format changed (``base64url(JSON).base64url(HMAC)``, signed
    with this server's secret) is refused as not valid; the client refreshes and goes on."""
    from demo_server.routes.deps import STATE_KEY

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    seen: list[TokenPair | None] = []
    async with client_for(app, on_tokens=seen.append) as client:
        await client.login("pupil", "demo")
        secret = await app.state[STATE_KEY].token_secret()
        payload = json.dumps([1, 1, int(time.time()) + 300]).encode()
        signature = hmac.new(secret, payload, hashlib.sha256).digest()
        client._access_token = f"{b64(payload)}.{b64(signature)}"
        me = await client.me()
        assert me.login == "pupil"
        assert client.logged_in and None not in seen
        assert len(seen) == 2, "one login, one refresh"
        assert "." not in (client._access_token or "."), "a token of the current kind"


async def test_requests_carry_only_the_headers_the_server_uses() -> None:
    """Host, User-Agent, gzip, the user's language and the request's own: no ``Connection:
    keep-alive`` (HTTP/1.1 keeps alive anyway) and no ``Accept`` (the server has one type to
    give)."""
    seen: list[httpx.Headers] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"status": "ok", "version": "1", "database": "ok"})

    async with DiaryClient("http://school.invalid", transport=httpx.MockTransport(answer)) as c:
        await c.health()
    assert [name.lower() for name in seen[0]] == [
        "host",
        "user-agent",
        "accept-encoding",
        "accept-language",
    ]
    assert seen[0]["accept-encoding"] == "gzip"
    assert seen[0]["user-agent"].startswith("diary-tui/")


async def test_every_request_asks_for_the_language_spoken_when_it_is_sent() -> None:
    """Accept-Language follows the app's language, switched between two requests of one client
    (and the change stream's request carries it too)."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("accept-language", ""))
        return httpx.Response(200, json={"status": "ok", "version": "1", "database": "ok"})

    previous = i18n.language()
    try:
        async with DiaryClient(
            "http://school.invalid", transport=httpx.MockTransport(answer)
        ) as client:
            i18n.set_language("ru")
            await client.health()
            i18n.set_language("en")
            await client.health()
            with i18n.using("ru"):
                await client.health()
    finally:
        i18n.set_language(previous)
    assert seen == ["ru", "en", "ru"]


async def test_a_stale_refresh_token_ends_the_session(app: Litestar) -> None:
    async with client_for(app) as client:
        await client.login("pupil", "demo")
        stolen = client.refresh_token
        await client.refresh()
    seen: list[TokenPair | None] = []
    async with client_for(app, refresh_token=stolen, on_tokens=seen.append) as thief:
        with pytest.raises(errors.AuthenticationError, match="log in again"):
            await thief.me()
        assert seen == [None]
        assert not thief.logged_in


async def test_logout_ends_the_session_everywhere(app: Litestar) -> None:
    async with client_for(app) as client:
        await client.login("pupil", "demo")
        token = client.refresh_token
        await client.logout()
        assert not client.logged_in
    async with client_for(app, refresh_token=token) as again:
        with pytest.raises(errors.AuthenticationError):
            await again.me()


async def test_a_foreign_pupil_is_not_found(app: Litestar, demo: Any, demo_url: str) -> None:
    async with client_for(app) as client:
        await client.login("parent", "demo")
        mine = [child.id for child in (await client.me()).children]
        engine = make_engine(demo_url)
        try:
            async with engine.connect() as db:
                foreign = await db.scalar(
                    select(User.id).where(User.role == "pupil", User.id.not_in(mine)).limit(1)
                )
        finally:
            await engine.dispose()
        assert foreign is not None
        with pytest.raises(errors.NotFound):
            await client.week(foreign, demo.today)
        with pytest.raises(errors.NotFound):
            await client.week(10**9, demo.today)


async def test_bad_input_is_an_invalid_request_naming_the_field(app: Litestar) -> None:
    async with client_for(app) as client:
        await client.login("pupil", "demo")
        me = await client.me()
        with pytest.raises(errors.InvalidRequest) as caught:
            await client.get(f"/pupils/{me.id}/week", Week, params={"date": "2026-13-45"})
        assert caught.value.field == "date"
        assert "date" in caught.value.message


async def test_no_connection_is_offline() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with DiaryClient("http://school.invalid", transport=httpx.MockTransport(refuse)) as c:
        with pytest.raises(errors.Offline, match="Cannot reach"):
            await c.login("pupil", "demo")


async def test_a_timeout_is_offline() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with DiaryClient("http://school.invalid", transport=httpx.MockTransport(slow)) as c:
        with pytest.raises(errors.Offline, match="did not answer in time"):
            await c.health()


async def test_an_answer_that_is_not_the_contract_is_a_protocol_error() -> None:
    def wrong(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>captive portal</html>")

    async with DiaryClient("http://school.invalid", transport=httpx.MockTransport(wrong)) as c:
        with pytest.raises(errors.ProtocolError, match="could not be read"):
            await c.health()


async def test_a_server_error_without_a_problem_body() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=b"Bad Gateway")

    async with DiaryClient("http://school.invalid", transport=httpx.MockTransport(broken)) as c:
        with pytest.raises(errors.ServerError, match="502"):
            await c.health()


async def test_an_account_edit_on_a_stale_version_is_a_conflict_with_the_current_account(
    app: Litestar,
) -> None:
    from api_client.models import UserSummary, UserUpdate

    async with client_for(app) as first, client_for(app) as second:
        await first.login("it", "demo")
        await second.login("it", "demo")
        page = await first.users("pupil", role=Role.PUPIL)
        opened = next(u for u in page.items if u.login == "pupil")
        saved = await first.update_user(
            opened.id, UserUpdate(version=opened.version, middle_name="Ивановна")
        )
        assert saved.version == opened.version + 1
        with pytest.raises(errors.Conflict) as caught:
            await second.update_user(
                opened.id, UserUpdate(version=opened.version, middle_name="Петровна")
            )
        conflict = caught.value
        assert conflict.status == 409 and conflict.field == "version"
        assert "changed by" in conflict.message
        current = conflict.current_as(UserSummary)
        assert current is not None
        assert (current.middle_name, current.version) == ("Ивановна", saved.version)
        again = await second.update_user(
            opened.id, UserUpdate(version=current.version, middle_name="Петровна")
        )
        assert (again.middle_name, again.version) == ("Петровна", saved.version + 1)


def test_a_conflict_without_a_current_value_has_none() -> None:
    from api_client.models import Problem, UserSummary

    bare = errors.Conflict("stale", status=409, problem=Problem(title="Conflict", status=409))
    assert bare.current_as(UserSummary) is None
    other = Problem(title="Conflict", status=409, current={"not": "an account"})
    assert errors.Conflict("stale", status=409, problem=other).current_as(UserSummary) is None


class DropsOnce(httpx.AsyncBaseTransport):
    """The server closed a kept-alive connection just as it was reused: the next request of
    each method fails once on the read."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.drop: set[str] = set()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        if request.method in self.drop:
            self.drop.discard(request.method)
            raise httpx.ReadError("connection closed by the server", request=request)
        return await self.inner.handle_async_request(request)


async def test_a_read_on_a_connection_the_server_closed_is_asked_again(app: Litestar) -> None:
    transport = DropsOnce(asgi_transport(app))
    async with DiaryClient(BASE_URL, transport=transport) as client:
        await client.login("parent", "demo")
        transport.drop = {"GET"}
        me = await client.me()  # asked again at once: not "offline"
        assert me.login == "parent" and transport.seen[-2:] == ["GET", "GET"]
        # A write is not repeated here (the outbox sends it again, with its Idempotency-Key).
        transport.drop = {"POST"}
        with pytest.raises(errors.Offline):
            await client.mark_thread_read(1, 1)
        assert transport.seen[-1] == "POST"
