"""Who may see whose week: each role against its own pupil and a foreign one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.models import Problem, Week, decode
from tests.conftest import LoginAs


@pytest.fixture
def school_kind() -> str:
    return "mini"


# viewer -> (own pupil, expected), (foreign pupil, expected)
TABLE = [
    ("pupil", ("pupil", 200), ("sibling", 404)),
    ("parent", ("sibling", 200), ("stranger", 404)),
    ("teacher", ("pupil", 200), ("stranger", 404)),
    ("classteacher", ("pupil", 200), ("sibling", 404)),
    ("teacher2", ("stranger", 200), ("pupil", 200)),  # teaches 5А history too
    ("admin", ("pupil", 200), ("stranger", 200)),
    ("it", ("pupil", 403), ("stranger", 403)),
    ("nurse", ("pupil", 403), ("stranger", 403)),
    ("authority", ("pupil", 403), ("stranger", 403)),
    (None, ("pupil", 401), ("stranger", 401)),
]


@pytest.mark.parametrize(("viewer", "own", "foreign"), TABLE)
async def test_week_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    own: tuple[str, int],
    foreign: tuple[str, int],
) -> None:
    headers = await login_as(http, viewer) if viewer else {}
    for pupil, expected in (own, foreign):
        response = await http.get(f"/api/v1/pupils/{demo.ids[pupil]}/week", headers=headers)
        assert response.status_code == expected, (viewer, pupil, response.text)
        if expected == 200:
            assert decode(response.content, Week).pupil.id == demo.ids[pupil]
        else:
            assert decode(response.content, Problem).status == expected


@pytest.mark.parametrize("viewer", ["pupil", "parent", "teacher", "classteacher"])
async def test_foreign_pupil_looks_exactly_like_no_pupil(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str
) -> None:
    headers = await login_as(http, viewer)
    foreign = await http.get(f"/api/v1/pupils/{demo.ids['stranger']}/week", headers=headers)
    missing = await http.get("/api/v1/pupils/999999/week", headers=headers)
    not_a_pupil = await http.get(f"/api/v1/pupils/{demo.ids['admin']}/week", headers=headers)
    assert foreign.status_code == missing.status_code == not_a_pupil.status_code == 404
    assert foreign.content == missing.content == not_a_pupil.content
    assert dict(foreign.headers) == dict(missing.headers)


@pytest.mark.parametrize(
    "viewer", ["pupil", "parent", "teacher", "classteacher", "admin", "it", "nurse", "authority"]
)
async def test_me_for_every_role_and_anonymous(
    http: httpx.AsyncClient, login_as: LoginAs, viewer: str
) -> None:
    assert (await http.get("/api/v1/me", headers=await login_as(http, viewer))).status_code == 200
    assert (await http.get("/api/v1/me")).status_code == 401
