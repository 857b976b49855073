"""Check that the served OpenAPI document tells the truth, with schemathesis, for every role.

    uv run python -m tests.contract.run_schemathesis [--max-examples N] [--jobs N]
        [--role ROLE ...] [--keep DIR]

A fresh demo school (seed 1, today 2026-11-30, the server's today too) is made once in a
throwaway SQLite file. Then ``st run --checks all`` runs against ``/api/v1/schema/openapi.json``
once per demo account, with that account's bearer token (kept fresh by ``schemathesis_auth``),
and once without a token (the only pass that exercises ``/auth/*``: their answers do not
depend on who is logged in). Each pass has its own copy of the school and its own
``diary-server serve``, so one role's writes never change what another sees (and the
anonymous pass's wrong passwords lock nobody else out); ``--jobs`` passes run at once.

Every pass runs every phase (examples, coverage, fuzzing, stateful) over every operation;
``--max-examples`` bounds the fuzzed cases per operation so that the nine passes take a few
minutes on two cores (it is the CI step ``schemathesis`` of ``.ci/run``).

Exit status: 0 when no pass found a failure or an error, 1 otherwise. The report of each
failing pass is printed, then one line per pass and the totals.
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
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import httpx

ROLES = ("parent", "pupil", "teacher", "classteacher", "admin", "it", "nurse", "authority")
DEMO_PASSWORD = "demo"
HOOKS = Path(__file__).with_name("schemathesis_auth.py")
CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Operations whose answer does not depend on the bearer token: only the anonymous pass runs them.
AUTH_PATHS = "^/api/v1/auth/"
#: The school's frozen today, for the demo generator and the server alike.
TODAY = "2026-11-30"


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
                "serve",
                "--db",
                f"sqlite:///{db_path}",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--today",
                TODAY,
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


@dataclass
class Pass:
    """One ``st run`` as one account (``None``: without a token), and what it found."""

    name: str
    status: int = -1
    failures: int = 0
    errors: int = 0
    seconds: float = 0.0
    output: str = ""


def st_command(
    base: str, *, max_examples: int, seed: int, workers: int, report: Path, phases: str
) -> list[str]:
    return [
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
        str(workers),
        "--no-shrink",
        "--phases",
        phases,
        "--suppress-health-check",
        "all",
        "--report",
        "junit",
        "--report-dir",
        str(report),
    ]


def junit_counts(report: Path) -> tuple[int, int]:
    """The failures and errors the JUnit report of one ``st run`` counts."""
    failures = errors = 0
    for path in report.glob("*.xml"):
        for suite in ET.parse(path).iter("testsuite"):
            failures += int(suite.get("failures", "0"))
            errors += int(suite.get("errors", "0"))
    return failures, errors


def run_pass(
    work: Path,
    school: Path,
    one: Pass,
    *,
    max_examples: int,
    seed: int,
    workers: int,
    phases: str,
) -> Pass:
    """One pass over its own copy of the school and its own server."""
    db = work / f"{one.name}.db"
    shutil.copyfile(school, db)
    report = work / f"report-{one.name}"
    started = time.monotonic()
    with serving(db, work / f"{one.name}.log") as base:
        env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HOOKS), DIARY_ST_BASE=base, NO_COLOR="1")
        env.pop("DIARY_ST_ACCESS", None)
        env.pop("DIARY_ST_REFRESH", None)
        command = st_command(
            base,
            max_examples=max_examples,
            seed=seed,
            workers=workers,
            report=report,
            phases=phases,
        )
        if one.name != "anonymous":
            env["DIARY_ST_ACCESS"], env["DIARY_ST_REFRESH"] = login(base, one.name)
            command += ["--exclude-path-regex", AUTH_PATHS]
        done = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
    one.seconds = time.monotonic() - started
    one.status = done.returncode
    one.output = done.stdout.decode("utf-8", "replace")
    (work / f"st-{one.name}.txt").write_text(one.output)
    one.failures, one.errors = junit_counts(report)
    return one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--max-examples", type=int, default=3, help="fuzzed cases per operation (default 3)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--jobs", type=int, default=4, help="passes run at once, each with its own server"
    )
    # One worker per pass: the passes run in parallel as processes instead. Schemathesis's
    # threads race in CPython 3.11's ast module (hypothesis describes its lambdas with it):
    # "AST constructor recursion depth mismatch" errors a pass now and then.
    parser.add_argument("--workers", type=int, default=1, help="schemathesis workers per pass")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument(
        "--role",
        action="append",
        choices=[*ROLES, "anonymous"],
        help="run only these passes (default: every role and anonymous)",
    )
    parser.add_argument("--keep", type=Path, help="keep the reports and logs in this folder")
    args = parser.parse_args(argv)
    names: list[str] = args.role or [*ROLES, "anonymous"]

    work = Path(tempfile.mkdtemp(prefix="diary-schemathesis."))
    started = time.monotonic()
    passes = [Pass(name) for name in names]
    try:
        school = work / "school.db"
        subprocess.run(
            server_command(
                "init-demo", "--db", f"sqlite:///{school}", "--today", TODAY, "--seed", "1"
            ),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            running = [
                pool.submit(
                    run_pass,
                    work,
                    school,
                    one,
                    max_examples=args.max_examples,
                    seed=args.seed,
                    workers=args.workers,
                    phases=args.phases,
                )
                for one in passes
            ]
            for future in as_completed(running):
                one = future.result()
                print(
                    f"==> schemathesis {one.name}: {one.failures} failures, {one.errors} errors"
                    f" ({one.seconds:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    failed = [one for one in passes if one.status != 0 or one.failures or one.errors]
    for one in failed:
        print(f"\n==> schemathesis {one.name}: exit status {one.status}\n{one.output}")
    print()
    for one in passes:
        verdict = "FAILED" if one in failed else "ok"
        print(
            f"  {one.name:<13} {verdict:<7} {one.failures:4} failures {one.errors:3} errors"
            f" {one.seconds:6.1f} s"
        )
    print(
        f"schemathesis: {len(passes) - len(failed)} passed, {len(failed)} failed,"
        f" {sum(one.failures for one in passes)} failures in all,"
        f" {time.monotonic() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
