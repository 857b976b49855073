"""The language of each answer: the request's ``Accept-Language`` (English when it names no
language the server speaks).

:class:`LanguageMiddleware` wraps the whole application, outside Litestar's router and its
exception handlers, so every word the server writes for a request (a problem's ``title`` and
``detail``, a refusal of an unknown path, a slip) is in that request's language: it sets
:mod:`api_client.i18n`'s language for the request (a context variable, so the threads and
tasks the request starts speak it too). Codes and ``field`` names are never translated.
"""

from __future__ import annotations

from typing import Final, cast

from litestar.types import ASGIApp, Receive, Scope, Send

from api_client import i18n

SCOPE_KEY: Final = "diary_language"
"""The scope's entry holding the language the request asked for, or None when it asked none
we speak (no header, or only other languages)."""


def asked_language(scope: Scope) -> str | None:
    """The language the request's ``Accept-Language`` chose, or None when it chose none (a
    default such as the school's language then applies)."""
    value = cast("dict[str, object]", scope).get(SCOPE_KEY)
    return value if isinstance(value, str) else None


def _accept_language(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return value.decode("latin-1")
    return None


class LanguageMiddleware:
    """Speaks the language of each HTTP request's ``Accept-Language`` while it is served."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = _accept_language(scope)
        lang = i18n.negotiate(header)
        named = header is not None and (lang != i18n.SOURCE or _names_source(header))
        cast("dict[str, object]", scope)[SCOPE_KEY] = lang if named else None
        with i18n.using(lang):
            await self.app(scope, receive, send)


def _names_source(header: str | None) -> bool:
    """Whether the header asks for the source language itself (``en``), not merely for none
    we speak."""
    if not header:
        return False
    return any(
        i18n.normalize(item.split(";", 1)[0]) == i18n.SOURCE for item in header.split(",")[:32]
    )
