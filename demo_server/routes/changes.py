"""``/changes``: what changed for this user, as a feed and as a server-sent-events stream."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated

from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import AuditHead, ChangeFeed, encode
from demo_server.auth import Viewer
from demo_server.changes import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    audit_head_at,
    check_cursor,
    hub_for,
    latest_cursor,
    parse_cursor,
    parse_limit,
    read_feed,
)
from demo_server.settings import ServerState
from demo_server.wire import Id

KEEP_ALIVE_SECONDS = 15.0
RETRY_MS = 2000
"""How long a browser's EventSource waits before it reconnects."""


def cursor_query(description: str) -> QueryParameter:
    """The ``since`` query parameter: a change cursor, read with ``parse_cursor``."""
    return QueryParameter(description=description, schema_extra={"pattern": CURSOR_PATTERN})


@get("/changes", summary="What changed since a cursor", tags=["changes"])
async def changes(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    since: Annotated[
        str | None, cursor_query("The cursor of an earlier answer; none: start at the newest")
    ] = None,
    limit: Annotated[
        int | None,
        QueryParameter(
            description=f"At most this many changes (default {DEFAULT_LIMIT})",
            schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        ),
    ] = None,
) -> ChangeFeed:
    """The changes this user may see after ``since``, oldest first. Without ``since`` the
    answer has no changes and ``next`` is the newest cursor: a new client starts there."""
    count = parse_limit(limit)
    cursor = parse_cursor(since) if since is not None else None
    newest = await latest_cursor(db)
    if cursor is not None:
        check_cursor(cursor, newest)
    return await read_feed(db, viewer, cursor, today=viewer.today, limit=count, latest=newest)


@get(
    "/audit/head",
    summary="The audit chain's record at a position (its hash only)",
    tags=["changes"],
)
async def audit_head(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    at: Annotated[
        Id, QueryParameter(description="A position from an earlier ChangeFeed.head", ge=1)
    ],
) -> AuditHead:
    """The hash of the audit record at position ``at``, so a client can check that the chain
    still holds the head it saw (404: the record is gone, or never was). Any signed-in user
    may ask: a position and a hash say nothing of what the record is about."""
    return await audit_head_at(db, at)


@get(
    "/changes/stream",
    summary="The changes as server-sent events",
    opt={"stream": True},
    tags=["changes"],
    description=(
        "Each event is a ChangeItem as JSON with `id:` its cursor. Resume with the "
        "`Last-Event-ID` header (or `since`); without either the stream starts at the newest "
        f"change. A comment every {KEEP_ALIVE_SECONDS:.0f} s keeps the connection alive."
    ),
)
async def change_stream(
    request: Request[object, object, State],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    since: Annotated[
        str | None, cursor_query("Resume after this cursor (Last-Event-ID wins)")
    ] = None,
) -> ServerSentEvent:
    last_event_id = request.headers.get("last-event-id")
    field = "Last-Event-ID" if last_event_id else "since"
    given = last_event_id or since
    start = parse_cursor(given, field) if given is not None else None
    newest = await latest_cursor(db)
    if start is not None:
        check_cursor(start, newest, field)
    else:
        start = newest
    await db.close()  # the stream reads with sessions of its own

    def today() -> dt.date:  # a stream outlives midnight: each read asks for the day anew
        return server.today(viewer.zone)

    hub = hub_for(server)

    # A stream lives as long as an access token: then the client reconnects with a fresh one,
    # so a session ended or revoked meanwhile stops hearing of changes.
    lifetime = server.settings.access_token_lifetime.total_seconds()
    loop = asyncio.get_running_loop()
    ends = loop.time() + lifetime

    async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
        # The first bytes go out at once, so the client knows it is connected.
        # Comments carry no data line (data=None): an empty ``data:`` would make an empty
        # ``message`` event of each, which no client wants.
        yield ServerSentEventMessage(data=None, comment="connected", retry=RETRY_MS)
        cursor = start
        while not hub.stopped and loop.time() < ends:
            wait = max(0.0, min(KEEP_ALIVE_SECONDS, ends - loop.time()))
            if await hub.wait_beyond(cursor, wait):
                more = True
                while more and not hub.stopped:
                    async with server.sessionmaker() as session:
                        feed = await read_feed(session, viewer, cursor, today=today())
                    for item in feed.changes:
                        yield ServerSentEventMessage(
                            data=encode(item).decode(), event="change", id=item.cursor
                        )
                    cursor = int(feed.next)
                    more = feed.more
            elif not hub.stopped and loop.time() < ends:
                yield ServerSentEventMessage(data=None, comment="keep-alive")

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return ServerSentEvent(events(), headers=headers)
