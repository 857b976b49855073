"""Dependencies shared by the routes: the server state, a database session, the viewer."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from litestar import Request
from litestar.datastructures import CacheControlHeader, State
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from demo_server.auth import Viewer, authenticate
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


async def provide_viewer(
    request: Request[object, object, State], db: NamedDependency[AsyncSession], state: State
) -> Viewer:
    return await authenticate(server_state(state), db, request.headers.get("authorization"))


def provide_server(state: State) -> ServerState:
    return server_state(state)


DEPENDENCIES = {
    "server": Provide(provide_server, sync_to_thread=False),
    "db": Provide(provide_db),
    "viewer": Provide(provide_viewer),
}
