"""The education authority: figures per school and class, never a pupil; small groups
withheld; every request for named data refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
from sqlalchemy import select, update

from api_client.models import AuthorityStats, SchoolStats, decode
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs

ALLOWED_KEYS = {
    "period", "periods", "id", "name", "start", "end", "scale", "min", "max", "min_group",
    "school", "classes", "pupils", "average", "marks", "distribution", "attendance",
    "suppressed", "note",
}  # fmt: skip


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _walk(item, f"{path}[{n}]")


async def _pupils(url: str) -> list[tuple[int, str, str, str, str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            rows = await c.execute(
                select(
                    s.User.id, s.User.login, s.User.first_name, s.User.last_name, s.User.middle_name
                ).where(s.User.role == "pupil")
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        await engine.dispose()


async def test_no_pupil_anywhere(http: httpx.AsyncClient, login_as: LoginAs, demo_url: str) -> None:
    response = await http.get("/api/v1/stats/authority", headers=await login_as(http, "authority"))
    assert response.status_code == 200, response.text
    body = response.json()
    pupils = await _pupils(demo_url)
    names = {
        text
        for _, login, first, last, middle in pupils
        for text in (login, first, last, middle)
        if text
    }
    period_ids = {p["id"] for p in body["periods"]}
    for path, key, value in _walk(body):
        assert key in ALLOWED_KEYS, (path, key)
        if key == "id":  # the only ids are the periods'
            assert path.startswith((".period", ".periods")) and value in period_ids, path
        if isinstance(value, str):
            assert not any(name in value for name in names), (path, value)
    stats = decode(response.content, AuthorityStats)
    assert stats.school.pupils == len(pupils) > 0
    assert stats.school.average is not None and stats.school.marks
    assert len(stats.classes) >= 3
    assert not any(group.suppressed for group in stats.classes)  # 10-12 pupils each


async def test_small_groups_are_withheld(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    headers = await login_as(http, "authority")
    before = decode(
        (await http.get("/api/v1/stats/authority", headers=headers)).content, AuthorityStats
    )
    small = before.classes[0]
    engine = make_engine(demo_url)
    try:
        async with engine.begin() as c:
            class_id = await c.scalar(
                select(s.SchoolClass.id).where(
                    s.SchoolClass.grade == int(small.name[:-1]),
                    s.SchoolClass.letter == small.name[-1],
                )
            )
            pupil_ids = list(
                (
                    await c.scalars(
                        select(s.Enrolment.pupil_id).where(s.Enrolment.class_id == class_id)
                    )
                ).all()
            )
            # All but four pupils left the class before the period began.
            await c.execute(
                update(s.Enrolment)
                .where(s.Enrolment.class_id == class_id, s.Enrolment.pupil_id.in_(pupil_ids[4:]))
                .values(end=dt.date(2026, 8, 1))
            )
    finally:
        await engine.dispose()
    after = decode(
        (await http.get("/api/v1/stats/authority", headers=headers)).content, AuthorityStats
    )
    group = after.classes[0]
    assert group.name == small.name
    assert group.suppressed and "fewer than 5 pupils" in group.note
    assert group.pupils is None and group.average is None and group.marks is None
    assert group.distribution is None and group.attendance is None
    # Another class is withheld too, so the school's total minus the rest does not give it away.
    others = [g for g in after.classes[1:] if g.suppressed]
    assert len(others) == 1 and "withheld too" in others[0].note
    assert not after.school.suppressed and after.school.average is not None
    # The administration still sees the class by name, with its four pupils.
    admin = decode(
        (await http.get("/api/v1/stats/school", headers=await login_as(http, "admin"))).content,
        SchoolStats,
    )
    assert next(c for c in admin.classes if c.class_.name == small.name).pupils == 4


async def test_a_group_of_five_is_shown(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    engine = make_engine(demo_url)
    try:
        async with engine.begin() as c:
            class_id = await c.scalar(select(s.SchoolClass.id).order_by(s.SchoolClass.id).limit(1))
            pupil_ids = list(
                (
                    await c.scalars(
                        select(s.Enrolment.pupil_id).where(s.Enrolment.class_id == class_id)
                    )
                ).all()
            )
            await c.execute(
                update(s.Enrolment)
                .where(s.Enrolment.class_id == class_id, s.Enrolment.pupil_id.in_(pupil_ids[5:]))
                .values(end=dt.date(2026, 8, 1))
            )
    finally:
        await engine.dispose()
    headers = await login_as(http, "authority")
    stats = decode(
        (await http.get("/api/v1/stats/authority", headers=headers)).content, AuthorityStats
    )
    assert not any(group.suppressed for group in stats.classes)
    assert 5 in {group.pupils for group in stats.classes}


async def test_named_data_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    headers = await login_as(http, "authority")
    pupil_id = (await _pupils(demo_url))[0][0]
    for path in [
        "/api/v1/stats/school",
        "/api/v1/stats/classes/1",
        "/api/v1/audit",
        "/api/v1/pupils/search?q=a",
        f"/api/v1/medical/absences?pupil={pupil_id}",
        f"/api/v1/pupils/{pupil_id}/week",
    ]:
        response = await http.get(path, headers=headers)
        assert response.status_code == 403, (path, response.text)
