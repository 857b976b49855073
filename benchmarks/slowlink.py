"""A slow link for benchmarks: two network namespaces, 64 kbit/s each way, a 300 ms round trip.

The link is two network namespaces, ``diaryS-<pid>`` (the server side) and ``diaryC-<pid>``
(the client side), joined by a veth pair (``10.213.0.1/30`` on the server end, ``10.213.0.2/30``
on the client end; the addresses exist only inside these namespaces). A ``tbf`` qdisc on each end
limits the rate each way. The kernel may have no ``netem``, so the round trip comes from a delay
proxy: an asyncio TCP proxy in the server namespace that holds every chunk for half the round trip
in each direction, in order (a queue per direction with release times, so chunks in flight do not
wait for each other). The proxy also holds a new connection's first request for one more round
trip, the cost of the TCP handshake that it cannot delay itself.

    client ns                         server ns
    client --veth, tbf 64 kbit/s--> proxy (+150 ms each way) --> server on 127.0.0.1

Use it from Python (as root)::

    with slow_link(rate_kbit=64, rtt_ms=300) as link:
        server = link.run_server(["python", "-m", "http.server", str(link.server_port)])
        link.wait_for_server()
        done = link.run_client(["curl", f"http://{link.server_addr}:{link.proxy_port}/"])
        print(link.counters())

Check the link itself (a 1-byte ping-pong and a 32 KB download, timed)::

    sudo .venv/bin/python -m benchmarks.slowlink verify        # or, as root: uv run ...
    sudo .venv/bin/python -m benchmarks.slowlink cleanup       # namespaces of dead runs

Everything is removed on exit, also after an exception or Ctrl+C. Needs root (or
CAP_NET_ADMIN), ``ip`` and ``tc`` from iproute2, and the ``tbf`` qdisc.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SERVER_ADDR = "10.213.0.1"
CLIENT_ADDR = "10.213.0.2"
PREFIX_LEN = 30
SERVER_PORT = 8000
PROXY_PORT = 9000
NS_PREFIXES = ("diaryS-", "diaryC-")

#: Environment variables a client process started by ``run_client`` finds its meters in.
ENV_IFACE = "DIARY_SLOWLINK_IFACE"
ENV_CONTROL = "DIARY_SLOWLINK_CONTROL"
ENV_RTT_MS = "DIARY_SLOWLINK_RTT_MS"
ENV_SERVER_NS = "DIARY_SLOWLINK_SERVER_NS"
ENV_SERVER_IFACE = "DIARY_SLOWLINK_SERVER_IFACE"


class LinkUnavailable(RuntimeError):
    """This machine cannot build the link (not root, no ``ip``/``tc``, no namespaces, no tbf)."""


# -- counters ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """Bytes each way at one moment, seen from the client.

    ``wire_*``: the client end of the veth (Ethernet, IP and TCP headers included, ACKs and
    retransmissions too). ``payload_*``: the TCP payload the proxy carried. ``connections``: TCP
    connections the proxy accepted. ``drops_*``: packets the tbf queues dropped (its queue holds
    ``latency`` worth of the rate plus the burst); each costs a retransmission.
    """

    wire_up: int = 0
    wire_down: int = 0
    packets_up: int = 0
    packets_down: int = 0
    payload_up: int = 0
    payload_down: int = 0
    connections: int = 0
    drops_up: int = 0
    drops_down: int = 0

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, n) - getattr(other, n) for n in self.__slots__))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, n) + getattr(other, n) for n in self.__slots__))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def read_iface_counters(iface: str, sys_root: str = "/sys/class/net") -> tuple[int, int, int, int]:
    """(tx_bytes, rx_bytes, tx_packets, rx_packets) of ``iface`` in the current namespace."""
    stats = Path(sys_root) / iface / "statistics"
    values = []
    for name in ("tx_bytes", "rx_bytes", "tx_packets", "rx_packets"):
        values.append(int((stats / name).read_text().strip()))
    return values[0], values[1], values[2], values[3]


def qdisc_drops(iface: str, namespace: str | None = None) -> int:
    """Packets dropped by the root qdisc of ``iface`` (in ``namespace``, or the current one)."""
    cmd = ["tc", *(["-n", namespace] if namespace else []), "-s", "-j", "qdisc", "show"]
    done = subprocess.run([*cmd, "dev", iface], capture_output=True, text=True, check=True)
    return sum(int(q.get("drops", 0)) for q in json.loads(done.stdout) if q.get("root"))


def ask_proxy(control: str, command: str = "stats") -> dict[str, int]:
    """Send ``stats`` or ``reset`` to a delay proxy's control socket; its counters come back."""
    if command not in ("stats", "reset"):
        raise ValueError(f"unknown proxy command {command!r}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(control)
        sock.sendall(command.encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    answer: dict[str, int] = json.loads(data)
    return answer


class Meter:
    """Reads the link's counters from inside the client namespace (a ``run_client`` process).

    ``Meter.from_env()`` finds the interface and the proxy's control socket in the environment
    that ``SlowLink.run_client`` sets. ``settle()`` waits for the last ACKs to cross the link
    before a reading, so a phase is charged for all of its packets.
    """

    def __init__(
        self,
        iface: str,
        control: str | None,
        rtt_s: float = 0.3,
        server: tuple[str, str] | None = None,
    ) -> None:
        self.iface = iface
        self.control = control
        self.rtt_s = rtt_s
        self.server = server
        """(namespace, interface) of the server end, to read its qdisc's drops."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Meter:
        env = os.environ if env is None else env
        iface = env.get(ENV_IFACE)
        if not iface:
            raise LinkUnavailable(f"{ENV_IFACE} is not set: run this inside SlowLink.run_client")
        rtt_ms = float(env.get(ENV_RTT_MS, "300"))
        server_ns, server_if = env.get(ENV_SERVER_NS), env.get(ENV_SERVER_IFACE)
        server = (server_ns, server_if) if server_ns and server_if else None
        return cls(iface, env.get(ENV_CONTROL) or None, rtt_ms / 1000, server)

    def read(self) -> Counts:
        tx, rx, tx_p, rx_p = read_iface_counters(self.iface)
        proxy = ask_proxy(self.control) if self.control else {}
        return Counts(
            wire_up=tx,
            wire_down=rx,
            packets_up=tx_p,
            packets_down=rx_p,
            payload_up=proxy.get("up", 0),
            payload_down=proxy.get("down", 0),
            connections=proxy.get("connections", 0),
            drops_up=qdisc_drops(self.iface),
            drops_down=qdisc_drops(self.server[1], self.server[0]) if self.server else 0,
        )

    def settle(self) -> None:
        """Wait until delayed ACKs and in-flight packets have crossed (about one round trip)."""
        time.sleep(self.rtt_s + 0.1)


# -- the delay proxy ----------------------------------------------------------------------------


@dataclass
class ProxyStats:
    up: int = 0
    down: int = 0
    connections: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"up": self.up, "down": self.down, "connections": self.connections}


@dataclass
class _Direction:
    """Chunks of one direction of one connection, each with the instant it may leave."""

    queue: deque[tuple[float, bytes | None]] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, release_at: float, data: bytes | None) -> None:
        self.queue.append((release_at, data))
        self.ready.set()


class DelayProxy:
    """A TCP proxy that delays each chunk by ``delay_s`` in each direction, keeping its order.

    Every chunk read is stamped with ``now + delay_s`` and queued; a writer per direction sends
    each chunk when its time comes. Chunks in flight overlap, as on a long wire: the delay adds
    latency, not serialisation. With ``handshake`` the first chunk of a connection leaves one
    more round trip (``2 * delay_s``) later, for the SYN / SYN-ACK exchange a real link costs.
    """

    def __init__(
        self,
        target_host: str,
        target_port: int,
        delay_s: float,
        *,
        handshake: bool = True,
    ) -> None:
        self.target = (target_host, target_port)
        self.delay_s = delay_s
        self.handshake = handshake
        self.stats = ProxyStats()

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        accepted = loop.time()
        self.stats.connections += 1
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        first_up = accepted + 3 * self.delay_s if self.handshake else 0.0
        tasks = [
            asyncio.create_task(self._pump(client_r, server_w, up=True, not_before=first_up)),
            asyncio.create_task(self._pump(server_r, client_w, up=False, not_before=0.0)),
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for writer in (client_w, server_w):
                with contextlib.suppress(Exception):
                    writer.close()

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        up: bool,
        not_before: float,
    ) -> None:
        loop = asyncio.get_running_loop()
        direction = _Direction()
        sender = asyncio.create_task(self._send(direction, writer))
        try:
            while True:
                try:
                    data = await reader.read(65536)
                except ConnectionError:
                    data = b""
                release = max(loop.time() + self.delay_s, not_before)
                if not data:
                    direction.push(release, None)
                    break
                if up:
                    self.stats.up += len(data)
                else:
                    self.stats.down += len(data)
                direction.push(release, data)
            await sender
        finally:
            sender.cancel()

    @staticmethod
    async def _send(direction: _Direction, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not direction.queue:
                direction.ready.clear()
                await direction.ready.wait()
            release_at, data = direction.queue.popleft()
            wait = release_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if data is None:  # the other side closed its half: pass the FIN on
                    if writer.can_write_eof():
                        writer.write_eof()
                    await writer.drain()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    async def serve_control(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            line = (await reader.readline()).strip()
            if line == b"reset":
                self.stats = ProxyStats()
            writer.write(json.dumps(self.stats.as_dict()).encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()


async def run_proxy(
    listen: tuple[str, int],
    target: tuple[str, int],
    delay_s: float,
    control: str | None,
    handshake: bool = True,
) -> None:
    """Serve a DelayProxy until SIGTERM or SIGINT; print ``ready`` when it listens."""
    proxy = DelayProxy(*target, delay_s, handshake=handshake)
    server = await asyncio.start_server(proxy.handle, *listen)
    servers = [server]
    if control:
        servers.append(await asyncio.start_unix_server(proxy.serve_control, control))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for each in servers:
        each.close()


# -- the link -----------------------------------------------------------------------------------


def _run(cmd: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise LinkUnavailable(
            f"`{' '.join(cmd)}` failed ({done.returncode}): {done.stderr.strip() or done.stdout}"
        )
    return done


def unavailable_reason() -> str | None:
    """Why the link cannot be built here, or None when it (probably) can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the slow link needs root (network namespaces and tc): run it with sudo"
    for tool in ("ip", "tc", "ss"):
        if shutil.which(tool) is None:
            return f"the slow link needs `{tool}` from iproute2, which is not installed"
    probe = f"diaryP-{os.getpid()}"
    done = _run(["ip", "netns", "add", probe], check=False)
    if done.returncode != 0:
        return f"`ip netns add` does not work here: {done.stderr.strip()}"
    try:
        steps = [
            ["ip", "-n", probe, "link", "add", "p0", "type", "veth", "peer", "name", "p1"],
            ["ip", "-n", probe, "link", "set", "p0", "up"],
            ["tc", "-n", probe, "qdisc", "add", "dev", "p0", "root", "tbf",
             "rate", "64kbit", "burst", "2kb", "latency", "400ms"],
        ]  # fmt: skip
        for step in steps:
            done = _run(step, check=False)
            if done.returncode != 0:
                return f"`{' '.join(step)}` failed: {done.stderr.strip()}"
    finally:
        _run(["ip", "netns", "del", probe], check=False)
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale() -> list[str]:
    """Delete the namespaces of earlier runs whose process is gone; returns their names."""
    done = _run(["ip", "netns", "list"], check=False)
    removed = []
    for line in done.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        for prefix in (*NS_PREFIXES, "diaryP-"):
            pid = name[len(prefix) :]
            if name.startswith(prefix) and pid.isdigit() and not _pid_alive(int(pid)):
                _kill_namespace_processes(name)
                _run(["ip", "netns", "del", name], check=False)
                removed.append(name)
    return removed


def _kill_namespace_processes(namespace: str) -> None:
    """Stop the processes still running in one of our namespaces (we started them)."""
    done = _run(["ip", "netns", "pids", namespace], check=False)
    pids = [int(p) for p in done.stdout.split() if p.isdigit()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if _pid_alive(p)]
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class SlowLink:
    """A built link; made by :func:`slow_link`, which also tears it down."""

    def __init__(
        self,
        *,
        rate_kbit: int,
        rtt_ms: float,
        burst: str,
        latency_ms: int,
        server_port: int,
        proxy_port: int,
        handshake: bool,
    ) -> None:
        pid = os.getpid()
        self.server_ns = f"diaryS-{pid}"
        self.client_ns = f"diaryC-{pid}"
        self.server_if = f"dS{pid}"[:15]
        self.client_if = f"dC{pid}"[:15]
        self.server_addr = SERVER_ADDR
        self.client_addr = CLIENT_ADDR
        self.rate_kbit = rate_kbit
        self.rtt_ms = rtt_ms
        self.burst = burst
        self.latency_ms = latency_ms
        self.server_port = server_port
        self.proxy_port = proxy_port
        self.handshake = handshake
        self._folder = tempfile.mkdtemp(prefix="diary-slowlink-")
        self.control = str(Path(self._folder) / "proxy.sock")
        self._processes: list[subprocess.Popen[Any]] = []
        self._proxy: subprocess.Popen[str] | None = None

    @property
    def proxy_url(self) -> str:
        """``http://10.213.0.1:9000``: the server through the delay proxy, from the client ns."""
        return f"http://{self.server_addr}:{self.proxy_port}"

    # -- building and tearing down ----------------------------------------------------

    def build(self) -> None:
        for ns in (self.server_ns, self.client_ns):
            if ns in _run(["ip", "netns", "list"]).stdout.split():
                _kill_namespace_processes(ns)  # left by a dead run that had our pid
                _run(["ip", "netns", "del", ns])
            _run(["ip", "netns", "add", ns])
        s, c = self.server_ns, self.client_ns
        steps = [
            ["ip", "link", "add", self.server_if, "netns", s, "type", "veth",
             "peer", "name", self.client_if, "netns", c],
            ["ip", "-n", s, "addr", "add", f"{self.server_addr}/{PREFIX_LEN}",
             "dev", self.server_if],
            ["ip", "-n", c, "addr", "add", f"{self.client_addr}/{PREFIX_LEN}",
             "dev", self.client_if],
        ]  # fmt: skip
        for ns, iface in ((s, self.server_if), (c, self.client_if)):
            # No IPv6 on the link: router solicitations would muddy the byte counts.
            steps += [
                ["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                 f"net.ipv6.conf.{iface}.disable_ipv6=1"],
                ["ip", "-n", ns, "link", "set", "lo", "up"],
                ["ip", "-n", ns, "link", "set", iface, "up"],
                ["tc", "-n", ns, "qdisc", "add", "dev", iface, "root", "tbf",
                 "rate", f"{self.rate_kbit}kbit", "burst", self.burst,
                 "latency", f"{self.latency_ms}ms"],
            ]  # fmt: skip
        for step in steps:
            _run(step)
        self._start_proxy()

    def _start_proxy(self) -> None:
        cmd = [
            sys.executable, "-m", "benchmarks.slowlink", "proxy",
            "--listen", f"{self.server_addr}:{self.proxy_port}",
            "--target", f"127.0.0.1:{self.server_port}",
            "--delay-ms", str(self.rtt_ms / 2),
            "--control", self.control,
        ]  # fmt: skip
        if not self.handshake:
            cmd.append("--no-handshake")
        proxy = subprocess.Popen(
            ["ip", "netns", "exec", self.server_ns, *cmd],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._proxy = proxy
        self._processes.append(proxy)
        assert proxy.stdout is not None
        line = proxy.stdout.readline()
        if line.strip() != "ready":
            err = proxy.stderr.read() if proxy.stderr else ""
            raise LinkUnavailable(f"the delay proxy did not start: {line}{err}")

    def teardown(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in reversed(self._processes):
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for ns in (self.server_ns, self.client_ns):
            _kill_namespace_processes(ns)
            _run(["ip", "netns", "del", ns], check=False)
        shutil.rmtree(self._folder, ignore_errors=True)

    # -- running things ---------------------------------------------------------------

    def client_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        base = dict(os.environ if env is None else env)
        base.update(
            {
                ENV_IFACE: self.client_if,
                ENV_CONTROL: self.control,
                ENV_RTT_MS: str(self.rtt_ms),
                ENV_SERVER_NS: self.server_ns,
                ENV_SERVER_IFACE: self.server_if,
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(ROOT), base.get("PYTHONPATH", "")) if p
                ),
            }
        )
        return base

    def run_server(self, cmd: Sequence[str], **popen: Any) -> subprocess.Popen[Any]:
        """Start ``cmd`` in the server namespace; it is stopped when the link goes down."""
        popen.setdefault("cwd", ROOT)
        process: subprocess.Popen[Any] = subprocess.Popen(
            ["ip", "netns", "exec", self.server_ns, *cmd], **popen
        )
        self._processes.append(process)
        return process

    def run_client(
        self, cmd: Sequence[str], *, timeout: float | None = 300, check: bool = False, **run: Any
    ) -> subprocess.CompletedProcess[Any]:
        """Run ``cmd`` to completion in the client namespace, with the meters' environment."""
        run.setdefault("cwd", ROOT)
        run.setdefault("capture_output", True)
        run.setdefault("text", True)
        run["env"] = self.client_env(run.get("env"))
        return subprocess.run(
            ["ip", "netns", "exec", self.client_ns, *cmd], timeout=timeout, check=check, **run
        )

    def wait_for_server(
        self,
        port: int | None = None,
        timeout: float = 60.0,
        process: subprocess.Popen[Any] | None = None,
    ) -> None:
        """Block until something listens on ``127.0.0.1:port`` in the server namespace."""
        port = self.server_port if port is None else port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            done = _run(["ip", "netns", "exec", self.server_ns, "ss", "-Hltn",
                         f"sport = :{port}"], check=False)  # fmt: skip
            if done.returncode == 0 and done.stdout.strip():
                return
            time.sleep(0.2)
        raise TimeoutError(f"nothing listens on port {port} in {self.server_ns} after {timeout} s")

    # -- counters ---------------------------------------------------------------------

    def iface_counters(self) -> tuple[int, int, int, int]:
        """(up bytes, down bytes, up packets, down packets) at the client end of the veth."""
        base = f"/sys/class/net/{self.client_if}/statistics"
        done = _run(["ip", "netns", "exec", self.client_ns, "cat",
                     f"{base}/tx_bytes", f"{base}/rx_bytes",
                     f"{base}/tx_packets", f"{base}/rx_packets"])  # fmt: skip
        tx, rx, tx_p, rx_p = (int(v) for v in done.stdout.split())
        return tx, rx, tx_p, rx_p

    def counters(self) -> Counts:
        tx, rx, tx_p, rx_p = self.iface_counters()
        proxy = ask_proxy(self.control)
        return Counts(
            tx,
            rx,
            tx_p,
            rx_p,
            proxy["up"],
            proxy["down"],
            proxy["connections"],
            qdisc_drops(self.client_if, self.client_ns),
            qdisc_drops(self.server_if, self.server_ns),
        )

    def reset_proxy_counts(self) -> None:
        ask_proxy(self.control, "reset")


@contextlib.contextmanager
def slow_link(
    rate_kbit: int = 64,
    rtt_ms: float = 300,
    *,
    burst: str = "2kb",
    latency_ms: int = 400,
    server_port: int = SERVER_PORT,
    proxy_port: int = PROXY_PORT,
    handshake: bool = True,
) -> Iterator[SlowLink]:
    """Build the link, yield it, tear it down (on exceptions and Ctrl+C too).

    Raises LinkUnavailable when this machine cannot build it (see ``unavailable_reason``).
    While the link is up, SIGTERM is turned into KeyboardInterrupt so ``kill`` cleans up too.
    """
    if rate_kbit <= 0 or rtt_ms < 0:
        raise ValueError("rate_kbit must be positive and rtt_ms not negative")
    if os.geteuid() != 0:
        raise LinkUnavailable("the slow link needs root (network namespaces and tc)")
    link = SlowLink(
        rate_kbit=rate_kbit,
        rtt_ms=rtt_ms,
        burst=burst,
        latency_ms=latency_ms,
        server_port=server_port,
        proxy_port=proxy_port,
        handshake=handshake,
    )
    previous: Any = None
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        link.build()
        yield link
    finally:
        link.teardown()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


# -- verification: a 1-byte ping-pong and a 32 KB download, timed --------------------------------


def probe_server(port: int) -> None:
    """Serve forever on 127.0.0.1:port: ``p`` -> one byte back; ``dN`` -> N bytes back."""
    with socket.create_server(("127.0.0.1", port)) as listener:
        print("ready", flush=True)
        while True:
            conn, _ = listener.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffer = b""
                while chunk := conn.recv(4096):
                    buffer += chunk
                    while buffer:
                        if buffer[:1] == b"p":
                            conn.sendall(b"P")
                            buffer = buffer[1:]
                        elif buffer[:1] == b"d" and b"\n" in buffer:
                            line, buffer = buffer.split(b"\n", 1)
                            conn.sendall(b"x" * int(line[1:]))
                        else:
                            break


def probe_client(host: str, port: int, pings: int, download: int) -> dict[str, Any]:
    """Time ``pings`` 1-byte round trips and a ``download``-byte transfer over one connection."""
    meter = Meter.from_env() if os.environ.get(ENV_IFACE) else None
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connected = time.monotonic()
        first = None
        rtts = []
        for i in range(pings):
            t0 = time.monotonic()
            sock.sendall(b"p")
            if sock.recv(1) != b"P":
                raise RuntimeError("the probe server answered something else")
            rtts.append(time.monotonic() - t0)
            if i == 0:
                first = time.monotonic() - started
        if meter:
            meter.settle()
        before = meter.read() if meter else Counts()
        t0 = time.monotonic()
        sock.sendall(b"d%d\n" % download)
        got = 0
        while got < download:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"the transfer stopped after {got} bytes")
            got += len(chunk)
        seconds = time.monotonic() - t0
        if meter:
            meter.settle()
        after = meter.read() if meter else Counts()
    return {
        "connect_s": connected - started,
        "first_ping_s": first,
        "rtts_s": rtts,
        "download_bytes": got,
        "download_s": seconds,
        "download_counts": (after - before).as_dict(),
    }


def verify(rate_kbit: int = 64, rtt_ms: float = 300, download: int = 32 * 1024) -> dict[str, Any]:
    """Build a link, time ping-pongs and a download through the proxy, return the figures."""
    with slow_link(rate_kbit=rate_kbit, rtt_ms=rtt_ms) as link:
        server = link.run_server(
            [sys.executable, "-m", "benchmarks.slowlink", "probe-server",
             "--port", str(link.server_port)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        link.wait_for_server(process=server)
        done = link.run_client(
            [sys.executable, "-m", "benchmarks.slowlink", "probe-client",
             "--host", link.server_addr, "--port", str(link.proxy_port),
             "--pings", "5", "--download", str(download)],
            check=True,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(done.stdout)
        result["expected_download_s"] = download * 8 / (rate_kbit * 1000)
        result["expected_rtt_s"] = rtt_ms / 1000
        return result


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.slowlink", description=(__doc__ or "").split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("verify", help="build a link and measure its rate and round trip")
    check.add_argument("--rate-kbit", type=int, default=64)
    check.add_argument("--rtt-ms", type=float, default=300)
    check.add_argument("--download", type=int, default=32 * 1024)
    sub.add_parser("cleanup", help="delete namespaces left by runs that died")
    proxy = sub.add_parser("proxy", help="(internal) run the delay proxy")
    proxy.add_argument("--listen", type=_host_port, required=True)
    proxy.add_argument("--target", type=_host_port, required=True)
    proxy.add_argument("--delay-ms", type=float, required=True)
    proxy.add_argument("--control")
    proxy.add_argument("--no-handshake", action="store_true")
    pserver = sub.add_parser("probe-server", help="(internal) the verification server")
    pserver.add_argument("--port", type=int, required=True)
    pclient = sub.add_parser("probe-client", help="(internal) the verification client")
    pclient.add_argument("--host", required=True)
    pclient.add_argument("--port", type=int, required=True)
    pclient.add_argument("--pings", type=int, default=5)
    pclient.add_argument("--download", type=int, default=32 * 1024)
    args = parser.parse_args(argv)

    if args.command == "proxy":
        asyncio.run(
            run_proxy(
                args.listen, args.target, args.delay_ms / 1000, args.control, not args.no_handshake
            )
        )
        return 0
    if args.command == "probe-server":
        with contextlib.suppress(KeyboardInterrupt):
            probe_server(args.port)
        return 0
    if args.command == "probe-client":
        print(json.dumps(probe_client(args.host, args.port, args.pings, args.download)))
        return 0

    reason = unavailable_reason()
    if reason is not None:
        print(f"slowlink: skipped: {reason}")
        return 0
    if args.command == "cleanup":
        removed = cleanup_stale()
        print("removed: " + (", ".join(removed) if removed else "nothing"))
        return 0
    try:
        result = verify(args.rate_kbit, args.rtt_ms, args.download)
    except KeyboardInterrupt:
        print("slowlink: interrupted; the link was taken down", file=sys.stderr)
        return 130
    rtts = sorted(result["rtts_s"][1:] or result["rtts_s"])  # the first one had the handshake
    counts = result["download_counts"]
    print(f"link: {args.rate_kbit} kbit/s each way, {args.rtt_ms:.0f} ms round trip")
    print(
        f"first request on a new connection: {result['first_ping_s'] * 1000:.0f} ms "
        f"(handshake + one round trip: expect ~{2 * args.rtt_ms:.0f} ms)"
    )
    print(
        f"1-byte ping-pong: median {rtts[len(rtts) // 2] * 1000:.0f} ms, "
        f"min {rtts[0] * 1000:.0f} ms (expect ~{args.rtt_ms:.0f} ms + a few ms on the wire)"
    )
    rate = result["download_bytes"] * 8 / result["download_s"] / 1000
    print(
        f"{result['download_bytes']} B download: {result['download_s']:.2f} s = {rate:.1f} kbit/s "
        f"of payload (expect ~{result['expected_download_s'] + args.rtt_ms / 1000:.1f} s: "
        f"{result['expected_download_s']:.1f} s at the raw rate + a round trip, headers cost ~4%)"
    )
    print(
        f"  on the wire: {counts['wire_down']} B down in {counts['packets_down']} packets, "
        f"{counts['wire_up']} B up in {counts['packets_up']} packets; "
        f"tbf dropped {counts['drops_down']} down, {counts['drops_up']} up"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
