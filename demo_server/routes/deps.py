"""Dependencies shared by the routes: the server state, a database session, the viewer."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar import Request
from litestar.datastructures import CacheControlHeader, State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import PASSWORD_CHANGE_REQUIRED
from demo_server.auth import Viewer, authenticate
from demo_server.problems import ProblemError
from demo_server.settings import ServerState

STATE_KEY = "server"

NO_STORE = CacheControlHeader(no_store=True)
"""For answers that carry a secret (tokens, one-time passwords): no cache or proxy keeps one."""


def server_state(state: State) -> ServerState:
    server = state[STATE_KEY]
    assert isinstance(server, ServerState)
    return server


async def provide_db(state: State) -> AsyncGenerator[AsyncSession, None]:
    async with server_state(state).sessionmaker() as session:
        yield session


BEFORE_PASSWORD_CHANGE = "before_password_change"
"""A route handler's ``opt`` key: True on the few routes an account with a one-time password
may use (who am I, change my password); every other route refuses it."""

PASSWORD_CHANGE_FIRST = (
    "this account still has the one-time password it was given: choose your own password "
    "first; nothing else opens until then (log in with the one-time password to choose one)"
)


async def provide_viewer(
    request: Request[object, object, State], db: NamedDependency[AsyncSession], state: State
) -> Viewer:
    """The viewer of the request's access token; an account that must change its one-time
    password is refused (403, type ``PASSWORD_CHANGE_REQUIRED``) on every route not marked
    ``BEFORE_PASSWORD_CHANGE``: the one place the rule is kept."""
    viewer = await authenticate(server_state(state), db, request.headers.get("authorization"))
    if viewer.must_change_password and not request.route_handler.opt.get(BEFORE_PASSWORD_CHANGE):
        raise ProblemError(403, PASSWORD_CHANGE_FIRST, type=PASSWORD_CHANGE_REQUIRED)
    return viewer


def provide_server(state: State) -> ServerState:
    return server_state(state)


DEPENDENCIES = {
    "server": Provide(provide_server, sync_to_thread=False),
    "db": Provide(provide_db),
    "viewer": Provide(provide_viewer),
}
