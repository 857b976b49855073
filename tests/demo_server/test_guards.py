"""Role rules are declared as guards on the routes (demo_server.routes.deps.requires): a role
that may not use a route is refused before anything of the request is read, the same way on
every such route, and no route module checks a role by hand."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from api_client.models import Problem, decode
from demo_server.app import create_app
from tests.conftest import LoginAs

API = "/api/v1"
ROUTES = Path(__file__).parents[2] / "demo_server" / "routes"

# (login, method, path with input the route would refuse as bad, were the role allowed)
REFUSED = [
    ("parent", "GET", "/audit?limit=x"),
    ("teacher", "GET", "/stats/school?period=x"),
    ("parent", "GET", "/stats/authority?period=x"),
    ("parent", "GET", "/medical/absences?from=x"),
    ("admin", "POST", "/medical/absences"),
    ("teacher", "GET", "/pupils/search?q="),
    ("nurse", "GET", "/pupils/1/week?date=x"),
    ("teacher", "GET", "/users?limit=x"),
    ("admin", "POST", "/users"),
    ("classteacher", "POST", "/roster/import?dry_run=x"),
    ("classteacher", "POST", "/classes/1/slips?format=x"),
]


@pytest.mark.parametrize(("login", "method", "path"), REFUSED)
async def test_a_refused_role_is_told_so_before_its_input_is_read(
    http: httpx.AsyncClient, login_as: LoginAs, login: str, method: str, path: str
) -> None:
    headers = await login_as(http, login)
    headers["Idempotency-Key"] = "guard-test-0001"
    response = await http.request(method, f"{API}{path}", headers=headers, content=b"{")
    assert response.status_code == 403, response.text
    assert decode(response.content, Problem).detail.startswith("your role may not")


async def test_without_a_token_a_guarded_route_asks_for_one(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{API}/audit")
    assert response.status_code == 401


def test_no_route_module_checks_a_role_by_hand() -> None:
    for module in sorted(ROUTES.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"\brequire_role\(", text), module.name


def test_the_role_rules_are_declared_on_the_routes() -> None:
    app = create_app("sqlite+aiosqlite:///:memory:")
    guarded = {
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.resolve_guards()
    }
    for path in (
        "/audit",
        "/stats/school",
        "/stats/authority",
        "/medical/absences",
        "/pupils/search",
        "/pupils/{pupil_id:int}/week",
        "/users",
        "/roster/import",
        "/classes/{class_id:int}/slips",
    ):
        assert f"{API}{path}" in guarded, path
