"""Check that the served OpenAPI document tells the truth, with schemathesis, for every role.

    uv run python -m tests.contract.run_schemathesis [--max-examples N] [--role ROLE ...]

A fresh demo school (seed 1, today 2026-11-30) in a throwaway SQLite file is served by
``diary-server serve`` on a free loopback port. Then ``st run --checks all`` runs against
``/api/v1/schema/openapi.json`` once per demo account, with that account's bearer token (kept
fresh by ``schemathesis_auth``), and once without a token (which is also the only pass that
exercises ``/auth/*``: their answers do not depend on who is logged in, and that pass floods
``/auth/login`` with wrong passwords, so it runs last). The examples per operation are bounded
so the whole run takes a few minutes on two cores.

Writes mutate the throwaway school; every pass starts from a fresh copy of it so that one
role's writes do not change what the next role sees.

Exit status: 0 when every pass found no failure, 1 otherwise. The last line counts them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROLES = ("parent", "pupil", "teacher", "classteacher", "admin", "it", "nurse", "authority")
DEMO_PASSWORD = "demo"
HOOKS = Path(__file__).with_name("schemathesis_auth.py")
CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Operations whose answer does not depend on the bearer token: only the anonymous pass runs them.
AUTH_PATHS = "^/api/v1/auth/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "demo_server.cli", *args]


@contextlib.contextmanager
def serving(db_path: Path, log_path: Path) -> Iterator[str]:
    """``diary-server serve`` over ``db_path``; yields the API's base URL."""
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            server_command(
                "serve", "--db", f"sqlite:///{db_path}", "--host", "127.0.0.1", "--port", str(port)
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"the server stopped:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def login(base: str, account: str) -> tuple[str, str]:
    response = httpx.post(
        f"{base}/auth/login", json={"login": account, "password": DEMO_PASSWORD}, timeout=30
    )
    response.raise_for_status()
    pair = response.json()
    return pair["access_token"], pair["refresh_token"]


def run_pass(
    base: str, role: str | None, *, max_examples: int, seed: int, report: Path
) -> tuple[int, float]:
    """One ``st run``; returns its exit status and wall time."""
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HOOKS), DIARY_ST_BASE=base)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "2",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(report),
    ]
    if role is None:
        env.pop("DIARY_ST_ACCESS", None)
        env.pop("DIARY_ST_REFRESH", None)
    else:
        access, refresh = login(base, role)
        env["DIARY_ST_ACCESS"] = access
        env["DIARY_ST_REFRESH"] = refresh
        command += ["--exclude-path-regex", AUTH_PATHS]
    started = time.monotonic()
    status = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False).returncode
    return status, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--role",
        action="append",
        choices=[*ROLES, "anonymous"],
        help="run only these passes (default: every role, then anonymous)",
    )
    parser.add_argument("--keep", type=Path, help="keep the reports and logs in this folder")
    args = parser.parse_args(argv)
    passes: list[str] = args.role or [*ROLES, "anonymous"]

    work = Path(tempfile.mkdtemp(prefix="diary-schemathesis."))
    results: list[tuple[str, int, float]] = []
    try:
        school = work / "school.db"
        subprocess.run(
            server_command(
                "init-demo", "--db", f"sqlite:///{school}", "--today", "2026-11-30", "--seed", "1"
            ),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        for name in passes:
            db = work / f"{name}.db"
            shutil.copyfile(school, db)
            print(f"==> schemathesis: {name}", file=sys.stderr, flush=True)
            with serving(db, work / f"{name}.log") as base:
                status, seconds = run_pass(
                    base,
                    None if name == "anonymous" else name,
                    max_examples=args.max_examples,
                    seed=args.seed,
                    report=work / f"report-{name}",
                )
            results.append((name, status, seconds))
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    failed = [name for name, status, _ in results if status != 0]
    for name, status, seconds in results:
        print(f"  {name:<13} {'ok' if status == 0 else 'FAILED':<7} {seconds:6.1f} s")
    print(f"schemathesis: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
