"""The server over the generated demo school: the featured accounts see what they should."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.models import Me, Role, Week, decode
from tests.conftest import LoginAs, generator_available

pytestmark = pytest.mark.skipif(not generator_available(), reason="no demo school generator")


async def me(http: httpx.AsyncClient, headers: dict[str, str]) -> Me:
    response = await http.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Me)


async def test_featured_accounts_and_their_weeks(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    parent = await me(http, await login_as(http, "parent"))
    assert parent.role is Role.PARENT and len(parent.children) == 2
    assert parent.school.language == "ru", "the demo school is Russian: the app may speak it"
    classes = {child.class_.id for child in parent.children if child.class_}
    assert len(classes) == 2, "the featured parent's children are in different classes"
    pupil = await me(http, await login_as(http, "pupil"))
    assert pupil.role is Role.PUPIL and pupil.children[0].id in {c.id for c in parent.children}
    pupil_id = pupil.children[0].id
    teacher = await me(http, await login_as(http, "teacher"))
    assert teacher.role is Role.TEACHER and teacher.teaching
    classteacher = await me(http, await login_as(http, "classteacher"))
    assert classteacher.homeroom is not None
    for login in ("parent", "pupil", "teacher", "admin"):
        response = await http.get(
            f"/api/v1/pupils/{pupil_id}/week", headers=await login_as(http, login)
        )
        assert response.status_code == 200, (login, response.text)
        week = decode(response.content, Week)
        assert week.start <= demo.today <= week.end
        assert week.lessons and week.bells
    for login in ("it", "nurse", "authority"):
        response = await http.get(
            f"/api/v1/pupils/{pupil_id}/week", headers=await login_as(http, login)
        )
        assert response.status_code == 403, login


async def test_a_week_of_the_demo_school_is_small_on_the_wire(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = {**await login_as(http, "parent"), "Accept-Encoding": "gzip"}
    child = (await me(http, headers)).children[0]
    response = await http.get(f"/api/v1/pupils/{child.id}/week", headers=headers)
    assert response.status_code == 200
    compressed = int(response.headers["content-length"])
    assert compressed < 4096, compressed
