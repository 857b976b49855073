"""What the benchmarks share: a real server process, and a proxy that counts bytes on the wire.

Benchmarks print their figures; they assert nothing. Run them from the project folder with
``uv run python -m benchmarks.NAME``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FROZEN_TODAY = "2026-11-25"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def server_command() -> list[str]:
    return [sys.executable, "-m", "demo_server.cli"]


def init_demo(db_url: str, *, size: str = "small", seed: int = 1) -> None:
    subprocess.run(
        [
            *server_command(),
            "init-demo",
            "--db",
            db_url,
            "--size",
            size,
            "--seed",
            str(seed),
            "--today",
            FROZEN_TODAY,
            "--force",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def running_server(db_url: str, *, workers: int = 1) -> Iterator[str]:
    """``diary-server serve`` in a child process; yields its base URL."""
    port = free_port()
    env = dict(os.environ, DIARY_TODAY=FROZEN_TODAY)
    process = subprocess.Popen(
        [
            *server_command(),
            "serve",
            "--db",
            db_url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, process)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_port(
    port: int, process: subprocess.Popen[bytes] | None = None, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"the server exited with {process.returncode}: {err}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@contextlib.contextmanager
def temp_db(name: str = "bench.sqlite3") -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="diary-bench-") as folder:
        yield f"sqlite:///{Path(folder) / name}"


@dataclass
class WireCount:
    """Bytes that crossed the proxy, each way."""

    up: int = 0
    down: int = 0
    connections: int = 0

    def reset(self) -> None:
        self.up = self.down = self.connections = 0


@contextlib.asynccontextmanager
async def counting_proxy(target_port: int) -> AsyncIterator[tuple[int, WireCount]]:
    """A TCP proxy on loopback that counts every byte each way: what a client really costs."""
    count = WireCount()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, up: bool) -> None:
        try:
            while data := await reader.read(65536):
                if up:
                    count.up += len(data)
                else:
                    count.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        count.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
            await asyncio.gather(pipe(client_r, server_w, True), pipe(server_r, client_w, False))
        except (ConnectionError, asyncio.CancelledError):
            client_w.close()  # the proxy is shutting down, or the server went away

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, count
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1)


def row(label: str, *values: object, width: int = 34) -> str:
    return f"{label:<{width}}" + "".join(f"{v!s:>14}" for v in values)
