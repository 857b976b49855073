"""``Idempotency-Key`` for every write: a replay returns the first result and changes nothing.

A write handler hands its work to :func:`idempotent`. The first request with a key runs the
work and stores its answer in ``idempotency_records`` in the same transaction as the write, so
the two are committed together. A repeat of the key by the same user, with the same method,
path and body, gets the stored answer again (``Idempotent-Replayed: true``) and the work does not
run. The same key with a different request is refused: the client has a bug. Two requests with
one key at once: the database's unique key lets one commit; the other is rolled back and
answered from the record the first one left.

Failed writes (a problem answer) store nothing: nothing changed, so a retry is judged afresh.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import msgspec
from litestar import MediaType, Request, Response
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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
            f"every write needs an {HEADER} header: a unique value per change, "
            "such as a random UUID, reused only when the same change is sent again",
            field=HEADER,
        )
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise ProblemError(
            400,
            f"the {HEADER} must be 8 to 128 letters, digits or . _ : -",
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
            f"this {HEADER} was already used for a different change; "
            "send each new change with a new key",
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
