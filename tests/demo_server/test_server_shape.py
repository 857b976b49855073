"""The server's shape (ARCHITECTURE.md, "The server"): route modules hold no SQL and no idempotency
plumbing; every authenticated write is a plain function under ``demo_server.idempotency.write``,
which carries the ``Idempotency-Key``, the write lock on SQLite and the 503 when locked."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import event
from sqlalchemy.engine import make_url

from api_client.models import Me, PasswordChange, Problem, decode, encode
from demo_server.app import create_app
from tests.conftest import LoginAs, sqlite_only

API = "/api/v1"
ROUTES = Path(__file__).parents[2] / "demo_server" / "routes"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


SQL = re.compile(r"(?<![\w.])(select|insert|update|delete|text)\(|\bfrom sqlalchemy import\b")
"""A statement built, or SQLAlchemy's builders imported (``AsyncSession`` for the type of the
``db`` dependency comes from ``sqlalchemy.ext.asyncio`` and is allowed)."""


def test_no_route_module_holds_sql() -> None:
    """Queries and writes live in the feature's service module; a route decodes, guards, calls
    the service and encodes its answer."""
    found = [
        f"{module.name}:{number}: {line.strip()}"
        for module in sorted(ROUTES.glob("*.py"))
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1)
        if SQL.search(line)
    ]
    assert found == []


def test_the_sql_check_finds_sql() -> None:
    for line in (
        "from sqlalchemy import select",
        "    rows = await db.execute(select(s.User.id))",
        "        insert(s.HomeworkDone).values(homework_id=1)",
        "    await db.execute(text('SELECT 1'))",
    ):
        assert SQL.search(line), line
    for line in (
        "from sqlalchemy.ext.asyncio import AsyncSession",
        "    return await acc.update_user(db, viewer, data)",
        "    query = query.where(s.User.id == 1).select_from(x)",
    ):
        assert not SQL.search(line), line


def test_no_route_module_calls_idempotent() -> None:
    for module in sorted(ROUTES.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert "idempotent(" not in text, f"{module.name}: use demo_server.idempotency.write"


def test_every_authenticated_write_goes_through_the_write_wrapper() -> None:
    app = create_app("sqlite+aiosqlite:///:memory:")
    plain = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            takes_viewer = "viewer" in handler.parsed_fn_signature.parameters
            if method in WRITES and takes_viewer and not getattr(handler.fn, "write_route", False):
                plain.append(f"{method} {route.path}")
    assert plain == []


async def _locked(app: Litestar, demo_url: str) -> sqlite3.Connection:
    """Another process holds SQLite's write lock; this app's connections wait 0.2 s for it."""
    engine = app.state["server"].engine
    await engine.dispose()  # new connections pick up the short busy timeout below

    def short_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.close()

    event.listen(engine.sync_engine, "connect", short_timeout)
    holder = sqlite3.connect(str(make_url(demo_url).database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@sqlite_only
@pytest.mark.parametrize("write", ["own password", "password reset"])
async def test_writes_beyond_the_journal_answer_503_when_sqlite_is_locked(
    app: Litestar,
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    demo_url: str,
    write: str,
) -> None:
    parent = await login_as(http, "parent")
    it = await login_as(http, "it")
    me = decode((await http.get(f"{API}/me", headers=parent)).content, Me)
    password = next(a.password for a in demo.featured if a.login == "parent")
    if write == "own password":
        headers, path = parent, "/me/password"
        body = encode(PasswordChange(old=password, new="a much longer new pass 7"))
    else:
        headers, path, body = it, f"/users/{me.id}/reset-password", b""
    headers = {**headers, "Idempotency-Key": f"locked-{write.replace(' ', '-')}"}
    if body:
        headers["Content-Type"] = "application/json"
    holder = await _locked(app, demo_url)
    try:
        response = await http.post(f"{API}{path}", headers=headers, content=body)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert decode(response.content, Problem).retry_after == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Nothing was kept under the key: the same request, sent again, is done now.
    again = await http.post(f"{API}{path}", headers=headers, content=body)
    assert again.status_code == 200, again.text
    assert "idempotent-replayed" not in again.headers
