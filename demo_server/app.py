"""The diary server as a Litestar application.

``create_app`` needs no lifespan run: the engine is made eagerly (it connects on first use) and
what lives in the database (the token signing secret) is loaded on the first request that
needs it. Tests can therefore drive the app through ``httpx.ASGITransport`` directly.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import os
from typing import Any, Literal

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.enums import CompressionEncoding, ScopeType
from litestar.middleware.compression import CompressionMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncEngine

from api_client.models import API_PREFIX
from demo_server.clients import ENV_FORWARDED_ALLOW_IPS
from demo_server.db import make_engine
from demo_server.heavy import freeze_start_up_objects
from demo_server.language import LanguageMiddleware
from demo_server.openapi import amend_document, document_problems
from demo_server.problems import exception_handlers
from demo_server.routes import api_router
from demo_server.routes.deps import STATE_KEY
from demo_server.routes.health import server_version
from demo_server.routes.homework import check_upload_size
from demo_server.settings import ServerSettings, ServerState
from demo_server.wire import DiaryRequest, strict_path

OPENAPI_PATH = f"{API_PREFIX}/schema"


def _etag_matches(if_none_match: str, etag: str) -> bool:
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False


def body_etag(body: bytes) -> str:
    """The strong ETag of ``body``: a 96-bit BLAKE2b in base64url, 18 characters with quotes.

    The tag travels in every conditional request and every 304, so it is kept short: 96 bits
    still make an accidental match of two versions of one resource practically impossible
    (and nothing is gained by forging one: the tag only saves the forger a download).
    """
    digest = hashlib.blake2b(body, digest_size=12).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode("ascii") + '"'


class ETagMiddleware:
    """A strong ETag (hash of the body) on every successful GET, and 304 for a match.

    It sits inside the compression middleware, so the tag is that of the uncompressed body
    and a 304 carries no body to compress. Streams (server-sent events) pass through.

    A 304 carries what a 200 to the same request would (RFC 9110 15.4.5): the tag, the Date
    the server adds, and ``Vary: Accept-Encoding`` when the compression middleware would have
    compressed the body (the request accepts ``encoding`` and the body has at least
    ``compress_from`` bytes).
    """

    def __init__(
        self, app: ASGIApp, *, encoding: str = "gzip", compress_from: int | None = None
    ) -> None:
        self.app = app
        self.encoding = encoding
        self.compress_from = compress_from

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = accept_encoding = ""
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
            elif name == b"accept-encoding":
                accept_encoding = value.decode("latin-1")
        start: HTTPResponseStartEvent | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def wrapped_send(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                streaming = any(
                    name == b"content-type" and value.startswith(b"text/event-stream")
                    for name, value in headers
                )
                tagged = any(name == b"etag" for name, _ in headers)
                if message["status"] != 200 or streaming or tagged:
                    passthrough = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            etag = body_etag(body)
            if if_none_match and _etag_matches(if_none_match, etag):
                not_modified = [(b"etag", etag.encode("ascii"))]
                if self._compressed(accept_encoding, len(body)):
                    not_modified.append((b"vary", b"Accept-Encoding"))
                await send({"type": "http.response.start", "status": 304, "headers": not_modified})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            headers = [*start["headers"], (b"etag", etag.encode("ascii"))]
            await send(
                {"type": "http.response.start", "status": start["status"], "headers": headers}
            )
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, wrapped_send)

    def _compressed(self, accept_encoding: str, size: int) -> bool:
        """Whether the compression middleware compresses a body of ``size`` bytes for a
        request with this Accept-Encoding (the same test it makes)."""
        return (
            self.compress_from is not None
            and size >= self.compress_from
            and self.encoding in accept_encoding
        )


COMPRESS_OFF_LOOP_FROM = 64 * 1024
"""Bodies of at least this many bytes are gzipped in a worker thread (zlib lets the event loop
run meanwhile): a 2 MB import report took 25 to 50 ms to compress on the loop."""


class ETagCompressionMiddleware(CompressionMiddleware):
    """Litestar's compression with the ETag middleware inside it (tag first, then gzip); a big
    body in one piece is compressed off the event loop."""

    def __init__(self, app: ASGIApp, config: CompressionConfig) -> None:
        inner = ETagMiddleware(
            app,
            encoding=config.compression_facade.encoding,
            compress_from=config.minimum_size,
        )
        super().__init__(app=inner, config=config)

    def create_compression_send_wrapper(
        self,
        send: Send,
        compression_encoding: Literal[CompressionEncoding.BROTLI, CompressionEncoding.GZIP] | str,
        scope: Scope,
    ) -> Send:
        litestars = super().create_compression_send_wrapper(send, compression_encoding, scope)
        if compression_encoding != CompressionEncoding.GZIP:
            return litestars
        level = self.config.gzip_compress_level
        start: HTTPResponseStartEvent | None = None
        passed_on = False

        async def send_wrapper(message: Message) -> None:
            nonlocal start, passed_on
            if passed_on:
                await litestars(message)
                return
            if message["type"] == "http.response.start" and start is None:
                start = message
                return
            body = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if (
                start is None
                or message["type"] != "http.response.body"
                or message.get("more_body", False)
                or len(body) < COMPRESS_OFF_LOOP_FROM
                or value_or_default(ScopeState.from_scope(scope).is_cached, False)
            ):
                # Streams, small bodies and anything else: Litestar's own way.
                passed_on = True
                if start is not None:
                    await litestars(start)
                await litestars(message)
                return
            compressed = await asyncio.to_thread(gzip.compress, body, level)
            headers = MutableScopeHeaders(start)
            headers["Content-Encoding"] = compression_encoding
            headers["Content-Length"] = str(len(compressed))
            headers.extend_header_value("vary", "Accept-Encoding")
            ScopeState.from_scope(scope).response_compressed = True
            await send(start)
            await send({"type": "http.response.body", "body": compressed, "more_body": False})

        return send_wrapper


def create_app(
    db_url: str | None = None,
    *,
    engine: AsyncEngine | None = None,
    settings: ServerSettings | None = None,
) -> Litestar:
    """The diary server over ``engine``, or a new engine for ``db_url`` (see ``db.resolve_url``).

    The database must be migrated (``demo_server.migrate.upgrade``). An engine made here is
    disposed of when the app shuts down; a given one belongs to the caller.
    """
    settings = settings or ServerSettings()
    owns_engine = engine is None
    if engine is None:
        engine = make_engine(db_url)
    server = ServerState(engine, settings, engine.dialect.name)

    async def dispose() -> None:
        from demo_server.changes import stop_hub

        await stop_hub(server)  # ends the change streams
        if owns_engine:
            await server.engine.dispose()

    app = Litestar(
        route_handlers=[api_router()],
        state=State({STATE_KEY: server}),
        exception_handlers=exception_handlers(settings.max_body_size),
        request_class=DiaryRequest,
        before_request=before_request,
        compression_config=CompressionConfig(
            backend="gzip",
            # Level 6, not Litestar's 9: it compresses on the event loop, and 9 took 120 ms
            # for a 20,000-line import report (6: 25 ms) to save 1% of the bytes.
            gzip_compress_level=6,
            minimum_size=settings.compress_min_size,
            middleware_class=ETagCompressionMiddleware,
        ),
        request_max_body_size=settings.max_body_size,
        openapi_config=OpenAPIConfig(
            title="Diary API",
            version=server_version(),
            description="The school diary: the week of a pupil, for parents, pupils and staff.",
            path=OPENAPI_PATH,
            render_plugins=[ScalarRenderPlugin()],
        ),
        on_shutdown=[dispose],
    )
    # Outside the router and its exception handlers, so that every answer, a refusal of an
    # unknown path included, is written in the request's language.
    app.asgi_handler = LanguageMiddleware(app.asgi_handler)
    document_problems(app)
    amend_document(app)
    return app


ENV_ATTACHMENT_MAX_MB = "DIARY_ATTACHMENT_MAX_MB"
ENV_ATTACHMENT_TYPES = "DIARY_ATTACHMENT_TYPES"


def attachment_settings() -> dict[str, Any]:
    """The homework files' size limit and allowed types from the environment (``serve`` sets
    it from ``--attachment-max-mb`` and ``--attachment-types``); ValueError when wrong."""
    from demo_server.attachments import check_types
    from demo_server.settings import ATTACHMENT_CEILING, MIB

    found: dict[str, Any] = {}
    size = os.environ.get(ENV_ATTACHMENT_MAX_MB, "").strip()
    if size:
        try:
            megabytes = float(size)
        except ValueError:
            megabytes = -1
        if not 0 < megabytes * MIB <= ATTACHMENT_CEILING:
            raise ValueError(
                f"{ENV_ATTACHMENT_MAX_MB}={size!r}: give the size in MB, more than 0 and at "
                f"most {ATTACHMENT_CEILING // MIB}"
            )
        found["attachment_max_size"] = int(megabytes * MIB)
    types = os.environ.get(ENV_ATTACHMENT_TYPES, "").strip()
    if types:
        found["attachment_types"] = check_types(types.split(","))
    return found


def app_from_env() -> Litestar:
    """The app for the database named by ``DIARY_DB`` (uvicorn's factory, one per worker),
    trusting ``X-Forwarded-For`` from the proxies in ``DIARY_FORWARDED_ALLOW_IPS``, with the
    homework files' limits of ``DIARY_ATTACHMENT_MAX_MB`` and ``DIARY_ATTACHMENT_TYPES``."""
    proxies = os.environ.get(ENV_FORWARDED_ALLOW_IPS, "")
    entries = tuple(entry.strip() for entry in proxies.split(",") if entry.strip())
    app = create_app(
        None, settings=ServerSettings(forwarded_allow_ips=entries, **attachment_settings())
    )
    # What exists once the server has started lives as long as the process: no collection
    # needs to walk it again (see demo_server.heavy).
    app.on_startup.append(freeze_start_up_objects)
    return app


async def before_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Refuse malformed path ids and query numbers; answer OPTIONS."""
    await strict_path(request)
    check_upload_size(request)
    return answer_options(request)


def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    """OPTIONS answers 204 with every method the path has in ``Allow``.

    Litestar's own OPTIONS handler lists only the methods of the first handler registered at
    a path (GET, not the PATCH registered after it at ``/lessons/{id}``).
    """
    if request.method != "OPTIONS":
        return None
    handler = request.scope["route_handler"]
    methods: set[str] = {"OPTIONS"}
    for route in request.app.routes:
        if isinstance(route, HTTPRoute) and handler in route.route_handlers:
            methods |= set(route.route_handler_map)
    return Response(content=None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})
