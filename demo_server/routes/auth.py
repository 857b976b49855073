"""``/auth``: log in, refresh, log out."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import LoginRequest, LogoutRequest, RefreshRequest, TokenPair
from demo_server import auth
from demo_server.clients import request_client
from demo_server.routes.deps import NO_STORE
from demo_server.settings import ServerState


@post(
    "/login",
    status_code=HTTP_200_OK,
    summary="Log in with a login and a password",
    cache_control=NO_STORE,
    opt={"problems": (401, 429)},
)
async def login(
    request: Request[Any, Any, Any],
    data: JSONBody[LoginRequest],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> TokenPair:
    """Returns an access token and a refresh token. Ten failed logins for one login from one
    address within 15 minutes hold that login back from that address, and a hundred from one
    address hold the address back (429 with Retry-After, whichever the password); other
    addresses are not affected. A wrong password, an unknown login and a locked account get
    the same 401."""
    return await auth.login(server, db, data, request_client(request, server.proxies))


@post(
    "/refresh",
    status_code=HTTP_200_OK,
    summary="Trade a refresh token for a new pair",
    cache_control=NO_STORE,
    opt={"problems": (401,)},
)
async def refresh(
    data: JSONBody[RefreshRequest],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> TokenPair:
    """The refresh token rotates: each one works once. Reusing a used one ends the session."""
    return await auth.refresh(server, db, data.refresh_token)


@post(
    "/logout",
    status_code=HTTP_204_NO_CONTENT,
    summary="End the session of a refresh token",
    opt={"problems": (401,)},
)
async def logout(
    data: JSONBody[LogoutRequest],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> None:
    await auth.logout(server, db, data.refresh_token)


router = Router(path="/auth", route_handlers=[login, refresh, logout], tags=["auth"])
