"""The slow-link benchmark harness: the delay proxy on loopback, and the real link when root.

The delay proxy tests run anywhere. The link tests need root, ``ip``/``tc`` and ``tbf``; they
skip elsewhere and take a few seconds (a 6 KB transfer at 64 kbit/s is most of it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest

from benchmarks.slowlink import (
    Counts,
    DelayProxy,
    LinkUnavailable,
    qdisc_drops,
    slow_link,
    unavailable_reason,
)


@contextlib.asynccontextmanager
async def echo_behind_proxy(
    delay_s: float, handshake: bool
) -> AsyncIterator[tuple[int, DelayProxy]]:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()

    upstream = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = upstream.sockets[0].getsockname()[1]
    proxy = DelayProxy("127.0.0.1", port, delay_s, handshake=handshake)
    front = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    try:
        yield front.sockets[0].getsockname()[1], proxy
    finally:
        front.close()
        upstream.close()


async def test_the_proxy_delays_each_way_and_keeps_order_without_serialising() -> None:
    delay = 0.1
    async with echo_behind_proxy(delay, handshake=False) as (port, proxy):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"p")
        assert await reader.readexactly(1) == b"p"
        rtt = time.monotonic() - started
        assert 2 * delay <= rtt < 2 * delay + 0.1

        # Twenty chunks in flight at once: they overlap, in order, not twenty round trips.
        chunks = [b"%02d;" % i for i in range(20)]
        started = time.monotonic()
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.005)
        echoed = await reader.readexactly(sum(len(c) for c in chunks))
        elapsed = time.monotonic() - started
        assert echoed == b"".join(chunks)
        assert 2 * delay <= elapsed < 2 * delay + 0.1 + 20 * 0.005 + 0.1

        writer.write_eof()  # the FIN crosses too: the echo server closes, so do we
        assert await asyncio.wait_for(reader.read(), 2 * delay + 1) == b""
        writer.close()
    assert proxy.stats.up == proxy.stats.down == 1 + sum(len(c) for c in chunks)
    assert proxy.stats.connections == 1


async def test_the_first_request_pays_for_the_handshake() -> None:
    delay = 0.1
    async with echo_behind_proxy(delay, handshake=True) as (port, _):
        started = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"p")
        await reader.readexactly(1)
        first = time.monotonic() - started
        started = time.monotonic()
        writer.write(b"q")
        await reader.readexactly(1)
        second = time.monotonic() - started
        writer.close()
    assert 4 * delay <= first < 4 * delay + 0.1  # SYN, SYN-ACK, then the request and answer
    assert 2 * delay <= second < 2 * delay + 0.1


def test_counts_subtract_and_add_field_by_field() -> None:
    a = Counts(10, 20, 1, 2, 5, 6, 1, 0, 3)
    b = Counts(1, 2, 1, 1, 1, 1, 0, 0, 1)
    assert a - b == Counts(9, 18, 0, 1, 4, 5, 1, 0, 2)
    assert (a - b) + b == a


REASON = unavailable_reason()
needs_link = pytest.mark.skipif(REASON is not None, reason=REASON or "")


def namespaces() -> set[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    return {line.split()[0] for line in listed.stdout.splitlines() if line.split()}


@needs_link
def test_the_link_has_the_rate_and_round_trip_asked_for() -> None:
    download = 6000
    with slow_link(rate_kbit=64, rtt_ms=300) as link:
        assert {link.server_ns, link.client_ns} <= namespaces()
        assert qdisc_drops(link.client_if, link.client_ns) == 0
        server = link.run_server(
            [sys.executable, "-m", "benchmarks.slowlink", "probe-server",
             "--port", str(link.server_port)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        link.wait_for_server(process=server, timeout=20)
        before = link.counters()
        done = link.run_client(
            [sys.executable, "-m", "benchmarks.slowlink", "probe-client",
             "--host", link.server_addr, "--port", str(link.proxy_port),
             "--pings", "3", "--download", str(download)],
            timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        after = link.counters()
    assert not {link.server_ns, link.client_ns} & namespaces()

    result = json.loads(done.stdout)
    assert 0.59 <= result["first_ping_s"] < 0.8  # handshake + a round trip
    assert all(0.29 <= rtt < 0.4 for rtt in result["rtts_s"][1:])
    # 6000 B at 8000 B/s, less the 2 KB burst the bucket starts with, plus a round trip.
    assert 0.7 <= result["download_s"] < 2.0
    counts = after - before
    assert counts.payload_down == download + 3
    assert counts.connections == 1
    assert counts.wire_down > download + 4 * 52  # headers of at least five packets


@needs_link
def test_the_link_is_taken_down_after_an_error() -> None:
    with pytest.raises(RuntimeError, match="boom"), slow_link() as link:
        names = {link.server_ns, link.client_ns}
        raise RuntimeError("boom")
    assert not names & namespaces()


def test_no_root_no_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert unavailable_reason() is not None
    with pytest.raises(LinkUnavailable, match="root"), slow_link():
        pass


def test_the_benchmarks_skip_cleanly_without_root(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import slowlink, slowlink_week

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert slowlink_week.main([]) == 0
    assert slowlink.main(["verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("skipped") == 2 and "root" in out
