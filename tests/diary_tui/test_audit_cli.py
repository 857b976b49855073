"""``diary admin audit`` against the real server in-process (the generated school)."""

from __future__ import annotations

import argparse
import asyncio
import io
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api_client.models import API_PREFIX, AuditPage, decode
from diary_tui.admin_cli import Env
from diary_tui.cli import build_parser
from tests.conftest import LoginAs, asgi_transport, frozen_settings, server_app, sqlite_only

SERVER = "http://diary.test"


@pytest.fixture
def run(demo_url: str, demo: Any) -> Iterator[Any]:
    """``run(argv) -> (code, out, err)`` with the demo password typed at the prompt."""
    today = demo.today

    def call(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        settings = frozen_settings(today)
        app: Litestar = server_app(demo_url, settings, slot="command")
        env = Env(
            today=settings.today,
            now=settings.now,
            transport=asgi_transport(app),
            use_keyring=False,
            ask_secret=lambda prompt: str(demo.password),
            out=out,
            err=err,
        )
        args: argparse.Namespace = build_parser().parse_args(argv)
        result: list[int] = []
        failures: list[BaseException] = []

        def target() -> None:
            try:
                result.append(args.admin_run(args, env))
            except BaseException as exc:
                failures.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        asyncio.run(app.state["server"].engine.dispose(close=False))
        if failures:
            raise failures[0]
        return result[0], out.getvalue(), err.getvalue()

    yield call


def audit(login: str, *words: str) -> list[str]:
    return ["--server", SERVER, "--login", login, "admin", "audit", *words]


@sqlite_only
async def test_table_fits_80_columns_and_filters(
    run: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "it")

    async def page(**params: Any) -> AuditPage:
        answer = await http.get(f"{API_PREFIX}/audit", params=params, headers=headers)
        return decode(answer.content, AuditPage)

    # By default the corrections and removals: all of them, since the school's log (every
    # mark's entry has its record) is thousands of lines nobody reads in a terminal.
    changes = await page(action="update,remove", limit=500)
    assert changes.entries and changes.next_before is None
    assert all(e.action in ("update", "remove") for e in changes.entries)
    mine = await page(pupil="pupil", action="update,remove", limit=500)
    code, out, err = await asyncio.to_thread(run, audit("it"))
    assert code == 0, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["When", "Who", "Pupil", "Change"]
    assert lines[-1] == (
        f"{len(changes.entries)} changes (corrections and removals; --all adds new entries)"
    )
    rows = [line for line in lines[2:-1] if not line.startswith(" ")]
    reasons = [line.strip() for line in lines[2:-1] if line.startswith(" ")]
    assert len(rows) == len(changes.entries)
    assert reasons == [f"why: {e.reason}" for e in changes.entries if e.reason]
    first = changes.entries[0]
    assert first.actor.split()[-1] in rows[0] and first.pupil.split()[-1] in rows[0]

    code, out, err = await asyncio.to_thread(run, audit("admin", "--pupil", "pupil"))
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"{len(mine.entries)} change")
    code, out, _ = await asyncio.to_thread(
        run, audit("it", "--from", "2000-01-01", "--to", "2000-01-31", "--all")
    )
    assert code == 0 and out.strip() == "No changes match."

    # --all: every record, the entries too; more than --limit says so with a "+".
    everything = await page(limit=3)
    assert everything.next_before is not None
    code, out, _ = await asyncio.to_thread(run, audit("it", "--all", "--limit", "3"))
    lines = out.splitlines()
    assert lines[-1] == "3+ changes: the newest 3 shown (--limit)"
    rows = [line for line in lines[2:-1] if not line.startswith(" ")]
    assert len(rows) == 3
    for row, entry in zip(rows, everything.entries, strict=True):
        assert entry.pupil.split()[-1] in row
    code, out, _ = await asyncio.to_thread(run, audit("it", "--limit", "1"))
    assert out.splitlines()[-1] == (
        "1+ changes: the newest 1 shown (--limit); --all adds new entries"
    )
    # Exactly the limit and nothing more is no "+": the count is the whole answer.
    exact = len(changes.entries)
    code, out, _ = await asyncio.to_thread(run, audit("it", "--limit", str(exact)))
    assert out.splitlines()[-1].startswith(f"{exact} changes (")


@sqlite_only
async def test_refusals(run: Any) -> None:
    code, _, err = await asyncio.to_thread(run, audit("it", "--pupil", "nobody-at-all"))
    assert code == 1 and "nobody-at-all" in err
    code, _, err = await asyncio.to_thread(run, audit("teacher"))
    assert code == 1 and "audit log" in err
    code, _, err = await asyncio.to_thread(
        run, audit("it", "--from", "2026-11-20", "--to", "2026-11-01")
    )
    assert code == 2 and "before" in err
    with pytest.raises(SystemExit):
        build_parser().parse_args(audit("it", "--from", "yesterday"))
