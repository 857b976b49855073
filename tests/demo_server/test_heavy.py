"""Work that grows with a request never holds the event loop: big bodies are gzipped in a
worker thread, and what the server holds from its start is kept out of the collector's walks."""

from __future__ import annotations

import gc
import gzip
import threading
from typing import Any

import httpx
import pytest

from demo_server import app as app_module
from demo_server.heavy import freeze_start_up_objects


async def test_a_big_body_is_gzipped_off_the_event_loop(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real_compress = gzip.compress

    def compress(data: bytes, level: int = 9) -> bytes:
        threads.append(threading.get_ident())
        return real_compress(data, level)

    monkeypatch.setattr(gzip, "compress", compress)
    url = "/api/v1/schema/openapi.json"
    plain = await http.get(url, headers={"Accept-Encoding": "identity"})
    assert len(plain.content) >= app_module.COMPRESS_OFF_LOOP_FROM  # a big body
    assert threads == []
    zipped = await http.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.headers["etag"] == plain.headers["etag"]  # the tag of the plain body
    assert zipped.content == plain.content  # httpx unzipped it
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert len(threads) == 1 and threads[0] != loop_thread
    # A small body is still compressed as before, on the loop, without a thread.
    small = await http.get("/api/v1/health", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and len(threads) == 1


def test_the_served_app_freezes_what_exists_once_it_has_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("DIARY_DB", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    served = app_module.app_from_env()
    assert freeze_start_up_objects in served.on_startup


def test_freezing_moves_what_exists_out_of_the_collectors_walks() -> None:
    kept = [object() for _ in range(10)]
    assert any(o is kept for o in gc.get_objects())
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # no collection walks it
        made_later = [object()]
        assert any(o is made_later for o in gc.get_objects())
    finally:
        gc.unfreeze()
