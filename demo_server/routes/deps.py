"""Dependencies shared by the routes: the server state, a database session, the viewer."""

from __future__ import annotations

import inspect
import typing
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader, State
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import FromPath, JSONBody, PathParameter
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import PASSWORD_CHANGE_REQUIRED, Removal, Role
from demo_server.access import SETUP_STAFF, forbidden
from demo_server.auth import Viewer, authenticate
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.settings import ServerState
from demo_server.wire import check_path_ids

STATE_KEY = "server"

PupilId = Annotated[int, PathParameter(description="The pupil's id")]
"""A pupil's id in a route's path (``/pupils/{pupil_id:int}/...``)."""
ClassId = Annotated[int, PathParameter(description="The class's id")]
"""A class's id in a route's path (``/classes/{class_id:int}/...``)."""

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

PASSWORD_CHANGE_FIRST = N_(
    "this account still has the one-time password it was given: choose your own password "
    "first; nothing else opens until then (log in with the one-time password to choose one)"
)


VIEWER_KEY = "diary.viewer"
"""Where a request keeps its viewer once known: a guard and the ``viewer`` dependency share it."""


async def request_viewer(
    connection: ASGIConnection[Any, Any, Any, Any], db: AsyncSession | None = None
) -> Viewer:
    """The viewer of the request's access token; an account that must change its one-time
    password is refused (403, type ``PASSWORD_CHANGE_REQUIRED``) on every route not marked
    ``BEFORE_PASSWORD_CHANGE``: the one place the rule is kept. Read once per request."""
    cached = connection.scope.get(VIEWER_KEY)
    if isinstance(cached, Viewer):
        return cached
    server = server_state(connection.app.state)
    token = connection.headers.get("authorization")
    if db is None:  # a guard, before the request's session exists
        async with server.sessionmaker() as session:
            viewer = await authenticate(server, session, token)
    else:
        viewer = await authenticate(server, db, token)
    if viewer.must_change_password and not connection.route_handler.opt.get(BEFORE_PASSWORD_CHANGE):
        raise ProblemError(403, _(PASSWORD_CHANGE_FIRST), type=PASSWORD_CHANGE_REQUIRED)
    connection.scope[VIEWER_KEY] = viewer  # type: ignore[literal-required]
    return viewer


async def provide_viewer(
    request: Request[object, object, State], db: NamedDependency[AsyncSession]
) -> Viewer:
    """The ``viewer`` dependency: see :func:`request_viewer`."""
    return await request_viewer(request, db)


def requires(*roles: Role, what: str = "", action: str = "") -> Guard:
    """A guard: only viewers of one of ``roles`` pass; others get 403 saying they may not see
    ``what`` (a route that reads, or reads and writes, a thing) or may not do ``action`` (a
    route that only does something: ``N_("write blog posts")``). Role rules are declared with
    it on routers and handlers; rules about relations
    (this parent's child, this teacher's class) stay in :mod:`demo_server.access`."""
    if bool(what) == bool(action):
        raise ValueError("a guard names what may not be seen or what may not be done, not both")
    allowed = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # what a path allows is public, as without the guard
        # A path whose id is not written in digits names nothing, for every role: 404, as
        # the routes without a guard answer it (guards run before ``before_request``).
        check_path_ids(connection)
        if (await request_viewer(connection)).role not in allowed:
            raise forbidden(what, action=action)

    return guard


def provide_server(state: State) -> ServerState:
    return server_state(state)


DEPENDENCIES = {
    "server": Provide(provide_server, sync_to_thread=False),
    "db": Provide(provide_db),
    "viewer": Provide(provide_viewer),
}


# --- the school's set-up --------------------------------------------------------------------

SETUP_GUARD = requires(
    *SETUP_STAFF, what=N_("the school's set-up (its IT staff and administration keep it)")
)
"""The guard of the set-up routers (calendar, bells, subjects, rooms, classes)."""

_SCHOOL_WRITE_CONTEXT = frozenset(
    {"db", "school_id", "actor_id", "now", "today", "data", "version"}
)
"""What a school write's service is given by the route besides the ids in its path."""

_VIEWER_SERVER_DB = {
    "viewer": NamedDependency[Viewer],
    "server": NamedDependency[ServerState],
    "db": NamedDependency[AsyncSession],
}


def _declare(
    fn: Callable[..., Awaitable[Any]], name: str, doc: str | None, params: dict[str, Any]
) -> None:
    """Give ``fn`` (taking ``**kwargs``) the name, docstring and typed keyword parameters
    Litestar reads to decode a request and to document the route."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    fn.__annotations__ = dict(params)
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=kind)
            for key, kind in params.items()
            if key != "return"
        ],
        return_annotation=params["return"],
    )


def setup_read(
    route: Callable[[Any], HTTPRouteHandler],
    service: Callable[[AsyncSession, int], Awaitable[Any]],
    name: str,
    doc: str | None = None,
) -> HTTPRouteHandler:
    """A set-up GET route (``@get(...)`` as ``route``, named ``name`` in the OpenAPI document's
    operation ids) answering what ``service(db, school_id)`` returns for the viewer's school."""

    async def handler(**given: Any) -> Any:
        return await service(given["db"], given["viewer"].school_id)

    _declare(
        handler,
        name,
        doc,
        {**_VIEWER_SERVER_DB, "return": typing.get_type_hints(service)["return"]},
    )
    return route(handler)


def school_write(
    route: Callable[[Any], HTTPRouteHandler],
    service: Callable[..., Awaitable[Any]],
    name: str,
    doc: str | None = None,
) -> HTTPRouteHandler:
    """A write route (``@post(...)``/``@patch(...)`` as ``route``, named ``name`` in the
    OpenAPI document's operation ids, under :func:`~demo_server.idempotency.write`) made from
    the service that does the write in the viewer's school: the service's keyword parameters
    say what the route takes. An id named in the path (``year_id``) comes from the path;
    ``data`` is the JSON body of the service's type; ``version`` is read from a
    :class:`~api_client.models.Removal` body; ``today`` is the viewer's day; and the write is
    done in the viewer's school, by the viewer, at the server's now (audited so by the
    service). Set-up (years, periods, subjects, rooms, classes, bells) and accounts use it."""
    wanted = inspect.signature(service).parameters
    hints = typing.get_type_hints(service)
    path_ids = [key for key in wanted if key not in _SCHOOL_WRITE_CONTEXT]
    removal = "version" in wanted

    async def handler(**given: Any) -> Any:
        viewer: Viewer = given["viewer"]
        server: ServerState = given["server"]
        asked = {key: given[key] for key in path_ids}
        if removal:
            asked["version"] = given["data"].version
        elif "data" in wanted:
            asked["data"] = given["data"]
        if "today" in wanted:
            asked["today"] = viewer.today
        return await service(
            given["db"],
            school_id=viewer.school_id,
            actor_id=viewer.id,
            now=server.settings.now(),
            **asked,
        )

    params: dict[str, Any] = {key: FromPath[int] for key in path_ids}
    if removal or "data" in wanted:
        body = Removal if removal else hints["data"]
        params["data"] = typing.cast(Any, JSONBody)[body]
    _declare(handler, name, doc, {**params, **_VIEWER_SERVER_DB, "return": hints["return"]})
    return route(write(handler))
