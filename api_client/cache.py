"""The response cache protocol, apart from the HTTP client so that reading what is cached
costs no import of httpx: the app paints its first screen from the cache before it loads the
network machinery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode


@dataclass(frozen=True, slots=True)
class CachedResponse:
    etag: str
    body: bytes


class ResponseCache(Protocol):
    """Where GET responses are kept with their ETags. Keys are ``path?query``."""

    def get(self, key: str) -> CachedResponse | None: ...

    def put(self, key: str, etag: str, body: bytes) -> None: ...


class MemoryCache:
    """A ResponseCache in a dict, for scripts and tests."""

    def __init__(self) -> None:
        self._items: dict[str, CachedResponse] = {}

    def get(self, key: str) -> CachedResponse | None:
        return self._items.get(key)

    def put(self, key: str, etag: str, body: bytes) -> None:
        self._items[key] = CachedResponse(etag, body)


def cache_key(path: str, params: Mapping[str, Any] | None = None) -> str:
    """The cache key of a GET: its path and its sorted query."""
    if not params:
        return path
    return f"{path}?{urlencode(sorted((k, str(v)) for k, v in params.items()))}"
