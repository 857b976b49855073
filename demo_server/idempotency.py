"""``Idempotency-Key`` for every write: a replay returns the first result and changes nothing.

A write handler hands its work to :func:`idempotent`. The first request with a key runs the
work and stores its answer in ``idempotency_records`` in the same transaction as the write, so
the two are committed together. A repeat of the key by the same user, with the same method,
path and body, gets the stored answer again (``Idempotent-Replayed: true``) and the work does not
run. The same key with a different request is refused: the client has a bug. Two requests with
one key at once: the database's unique key lets one commit; the other is rolled back and
answered from the record the first one left.

Failed writes (a problem answer) store nothing: nothing changed, so a retry is judged afresh.

A write route does not call :func:`idempotent` itself: it is a plain function returning its
Struct, decorated with :func:`write` under its Litestar decorator. The wrapper requires the key,
runs the function at most once per key inside one transaction, and on SQLite takes the app's
turn on ``ServerState.write_lock`` around it; a database still locked after the busy timeout
(another process holding it) answers 503 with ``Retry-After``, never 500.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast, overload

import msgspec
from litestar import MediaType, Request, Response
from litestar.di import NamedDependency
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import _
from api_client.models import encode
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.schema import IdempotencyRecord
from demo_server.settings import ServerState

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Encoded(Generic[T]):
    """A response of type ``T`` already encoded as JSON, for a big answer made off the event
    loop (see ``demo_server.heavy.encode_off_loop``): stored and sent as these bytes."""

    body: bytes


HEADER = "Idempotency-Key"
_KEY = re.compile(r"[A-Za-z0-9._:\-]{8,128}")
KEY_PATTERN = f"^{_KEY.pattern}$"
"""What an Idempotency-Key may be, as the OpenAPI document says it."""


def idempotency_key(request: Request[Any, Any, Any]) -> str:
    """The request's key, or a 400 problem that says how to send one."""
    key = request.headers.get(HEADER)
    if key is None:
        raise ProblemError(
            400,
            _(
                "every write needs an {HEADER} header: a unique value per change, "
                "such as a random UUID, reused only when the same change is sent "
                "again"
            ).format(HEADER=HEADER),
            field=HEADER,
        )
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise ProblemError(
            400,
            _("the {HEADER} must be 8 to 128 letters, digits or . _ : -").format(HEADER=HEADER),
            field=HEADER,
        )
    return key


async def _fingerprint(request: Request[Any, Any, Any]) -> str:
    body = await request.body()
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.url.path.encode())
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


async def _stored(db: AsyncSession, user_id: int, key: str) -> IdempotencyRecord | None:
    return await db.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )


def _replay(record: IdempotencyRecord, fingerprint: str, type_: type[T]) -> Response[T]:
    if record.request_hash != fingerprint:
        raise ProblemError(
            422,
            _(
                "this {HEADER} was already used for a different change; send each "
                "new change with a new key"
            ).format(HEADER=HEADER),
            field=HEADER,
        )
    value = msgspec.json.decode(record.body, type=type_)
    return Response(
        content=value, status_code=record.status, headers={"Idempotent-Replayed": "true"}
    )


async def idempotent(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    db: AsyncSession,
    server: ServerState,
    type_: type[T],
    work: Callable[[], Awaitable[T | Encoded[T]]],
    *,
    status_code: int | None = None,
) -> Response[T]:
    """Run ``work`` (a write in ``db``'s transaction, not yet committed) at most once per key.

    ``work`` returns the response Struct (or its :class:`Encoded` JSON); this function
    commits. Raise a ``ProblemError`` in ``work`` to refuse the write: the transaction is
    rolled back. The answer's status is the one the route declares (and the OpenAPI document
    says) unless ``status_code`` is given.
    """
    if status_code is None:
        status_code = int(request.route_handler.status_code)
    key = idempotency_key(request)
    fingerprint = await _fingerprint(request)
    found = await _stored(db, viewer.id, key)
    if found is not None:
        return _replay(found, fingerprint, type_)
    try:
        value = await work()
        body = value.body if isinstance(value, Encoded) else encode(value)
        await db.execute(
            insert(IdempotencyRecord).values(
                user_id=viewer.id,
                key=key,
                method=request.method,
                path=request.url.path,
                request_hash=fingerprint,
                status=status_code,
                body=body,
                created_at=server.settings.now(),
            )
        )
        await db.commit()
    except IntegrityError:
        # The same key raced in from another request, which committed first.
        await db.rollback()
        found = await _stored(db, viewer.id, key)
        if found is None:
            raise
        return _replay(found, fingerprint, type_)
    except BaseException:
        await db.rollback()
        raise
    if isinstance(value, Encoded):
        return Response(
            content=cast(T, value.body), status_code=status_code, media_type=MediaType.JSON
        )
    return Response(content=value, status_code=status_code)


RETRY_AFTER_SECONDS = 1
"""How long a write refused because the database was locked is told to wait."""


def _busy(exc: OperationalError) -> bool:
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "locked" in message or "busy" in message


async def locked_idempotent(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    db: AsyncSession,
    server: ServerState,
    type_: type[T],
    work: Callable[[], Awaitable[T | Encoded[T]]],
    *,
    status_code: int = 200,
) -> Response[T]:
    """:func:`idempotent`, one write at a time per app on SQLite, 503 when the database is
    locked by someone else."""
    try:
        if server.backend == "sqlite":
            async with server.write_lock:
                return await idempotent(
                    request, viewer, db, server, type_, work, status_code=status_code
                )
        return await idempotent(request, viewer, db, server, type_, work, status_code=status_code)
    except OperationalError as exc:
        if not _busy(exc):
            raise
        raise ProblemError(
            503,
            _("the database is busy with other changes; nothing was saved, send it again shortly"),
            retry_after=RETRY_AFTER_SECONDS,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None


_INJECTED: dict[str, Any] = {
    "request": Request[Any, Any, Any],
    "viewer": NamedDependency[Viewer],
    "db": NamedDependency[AsyncSession],
    "server": NamedDependency[ServerState],
}
"""What the wrapper of a write route needs from Litestar, added to its signature if missing."""


def _answer_type(fn: Callable[..., Any]) -> type[Any]:
    """The Struct a write route answers: its return annotation, unwrapped from ``Encoded``."""
    answer = typing.get_type_hints(fn).get("return")
    if typing.get_origin(answer) is Encoded:
        (answer,) = typing.get_args(answer)
    if answer is None:
        raise TypeError(f"the write route {fn.__qualname__} must say what it returns")
    return cast(type[Any], answer)


def _wrap(fn: Callable[..., Awaitable[Any]], heavy: str | None) -> Callable[..., Awaitable[Any]]:
    answer = _answer_type(fn)
    signature = inspect.signature(fn)
    wanted = set(signature.parameters)
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
        for name, annotation in _INJECTED.items()
        if name not in wanted
    ]

    @functools.wraps(fn)
    async def route(**kwargs: Any) -> Response[Any]:
        request: Request[Any, Any, Any] = kwargs["request"]
        viewer: Viewer = kwargs["viewer"]
        db: AsyncSession = kwargs["db"]
        server: ServerState = kwargs["server"]
        own = {name: value for name, value in kwargs.items() if name in wanted}
        status = request.route_handler.status_code
        assert isinstance(status, int)

        async def work() -> Any:
            return await fn(**own)

        if heavy is None:
            return await locked_idempotent(
                request, viewer, db, server, answer, work, status_code=status
            )
        async with server.heavy.turn(heavy):
            return await locked_idempotent(
                request, viewer, db, server, answer, work, status_code=status
            )

    route.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *added],
        return_annotation=Response[answer],  # type: ignore[valid-type]
    )
    route.__annotations__ = {
        **fn.__annotations__,
        **{p.name: p.annotation for p in added},
        "return": Response[answer],  # type: ignore[valid-type]
    }
    route.__dict__["write_route"] = True
    return route


F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@overload
def write(fn: F, /) -> F: ...


@overload
def write(*, heavy: str) -> Callable[[F], F]: ...


def write(fn: F | None = None, /, *, heavy: str | None = None) -> F | Callable[[F], F]:
    """Make a write route of a plain function returning its answer (a Struct, or its
    :class:`Encoded` JSON): put it under ``@post``/``@put``/``@patch``.

    The route answers with the handler's ``status_code``; the first answer per
    ``Idempotency-Key`` is stored with the write and replayed byte for byte (with the route's
    headers, such as ``Cache-Control: no-store``). The function takes only the parameters it
    uses; the wrapper adds ``request``, ``viewer``, ``db`` and ``server`` for itself. With
    ``heavy``, the request first takes a turn of the heavy work (``demo_server.heavy``) of
    that name, then the write lock.
    """
    if fn is not None:
        return cast(F, _wrap(fn, heavy))
    return lambda f: cast(F, _wrap(f, heavy))
