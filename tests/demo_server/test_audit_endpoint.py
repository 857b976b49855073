"""``GET /audit``: the log with names, newest first, filtered and paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import AuditPage, Problem, decode
from demo_server import audit_log
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs


async def _records(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return list(
                (await c.execute(select(s.AuditRecord).order_by(s.AuditRecord.id.desc()))).all()
            )
    finally:
        await engine.dispose()


async def _user(url: str, login: str) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return (await c.execute(select(s.User).where(s.User.login == login))).one()
    finally:
        await engine.dispose()


async def _get(http: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> AuditPage:
    response = await http.get("/api/v1/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, AuditPage)


async def test_everything_newest_first_with_names(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    records = await _records(demo_url)
    headers = await login_as(http, "it")
    page = await _get(http, headers)
    # Every mark, absence and period mark of the demo has its record: more than a page.
    assert page.entries and page.next_before is not None
    records = records[: len(page.entries)]
    assert [e.id for e in page.entries] == [r.id for r in records]
    for entry, record in zip(page.entries, records, strict=True):
        assert (entry.action, entry.entity, entry.entity_id) == (
            record.action, record.entity, record.entity_id,
        )  # fmt: skip
        assert entry.before == record.before and entry.after == record.after
        assert entry.reason == record.reason
        assert entry.actor and entry.pupil and entry.class_name and entry.subject
        assert entry.lesson_date is not None
    edited = next(r for r in await _records(demo_url) if r.action == "update")
    (update,) = (await _get(http, headers, before=edited.id + 1, limit=1)).entries
    assert update.reason and update.before and update.after
    assert update.before["value"] != update.after["value"]


async def test_filters(http: httpx.AsyncClient, login_as: LoginAs, demo_url: str) -> None:
    headers = await login_as(http, "admin")
    records = await _records(demo_url)
    pupil = await _user(demo_url, "pupil")
    mine = [r.id for r in records if r.pupil_id == pupil.id]
    assert mine
    for value in ("pupil", str(pupil.id), "PUPIL"):
        page = await _get(http, headers, pupil=value)
        assert page.entries and [e.id for e in page.entries] == mine[: len(page.entries)]
        assert all(e.pupil == f"{pupil.first_name} {pupil.last_name}" for e in page.entries)
    actor = records[0].actor_id
    page = await _get(http, headers, teacher=str(actor))
    theirs = [r.id for r in records if r.actor_id == actor]
    assert page.entries and [e.id for e in page.entries] == theirs[: len(page.entries)]
    # The day of the newest record, in the school's time zone (Moscow, UTC+3).
    newest = records[0].at
    day = (newest.replace(tzinfo=dt.UTC) + dt.timedelta(hours=3)).date()
    page = await _get(http, headers, **{"from": day.isoformat(), "to": day.isoformat()})
    assert records[0].id in [e.id for e in page.entries]
    for entry in page.entries:
        assert (entry.at + dt.timedelta(hours=3)).date() == day
    page = await _get(http, headers, to=(day - dt.timedelta(days=1)).isoformat())
    assert records[0].id not in [e.id for e in page.entries]
    assert await _get(http, headers, entity="homework") == AuditPage()
    marks = (await _get(http, headers, entity="mark")).entries
    assert marks and all(e.entity == "mark" for e in marks)


async def test_filters_by_name(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person is found by their name as the staff know it: the surname, or the start of the
    surname and first name in any order and case, ё written as е."""
    headers = await login_as(http, "it")
    records = await _records(demo_url)
    pupil = await _user(demo_url, "pupil")
    mine = [r.id for r in records if r.pupil_id == pupil.id]
    full = f"{pupil.last_name} {pupil.first_name}"
    for value in (full, full.upper(), f"{pupil.first_name[:3]} {pupil.last_name[:4]}".lower()):
        page = await _get(http, headers, pupil=value.replace("ё", "е"))
        assert [e.id for e in page.entries] == mine[: len(page.entries)], value
    # A surname alone stands for everyone whose name starts so (Иванов: Иванова too).
    namesakes = await _namesakes(demo_url, pupil.last_name)
    page = await _get(http, headers, pupil=pupil.last_name, limit=500)
    assert {e.pupil_id for e in page.entries} <= namesakes
    actor = await _user(demo_url, "teacher")
    theirs = [r.id for r in records if r.actor_id == actor.id]
    page = await _get(http, headers, teacher=f"{actor.last_name} {actor.first_name}")
    assert page.entries and [e.id for e in page.entries] == theirs[: len(page.entries)]
    response = await http.get("/api/v1/audit", params={"pupil": "Нетаких Никого"}, headers=headers)
    problem = decode(response.content, Problem)
    assert response.status_code == 404 and problem.field == "pupil"
    assert "Нетаких Никого" in problem.detail
    # A name that fits too many people is no filter: say so rather than guess.
    monkeypatch.setattr(audit_log, "MAX_NAMED", len(namesakes) - 1)
    response = await http.get("/api/v1/audit", params={"teacher": pupil.last_name}, headers=headers)
    problem = decode(response.content, Problem)
    assert response.status_code == 422 and problem.field == "teacher"
    assert "type more of the name" in problem.detail


async def _namesakes(url: str, last_name: str) -> set[int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            rows = await c.execute(select(s.User.id, s.User.last_name, s.User.first_name))
            start = last_name.casefold()
            return {
                int(uid)
                for uid, last, first in rows
                if last.casefold().startswith(start) or first.casefold().startswith(start)
            }
    finally:
        await engine.dispose()


@pytest.mark.parametrize(("size", "action"), [(3, "update,remove"), (500, None)])
async def test_pages(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str, size: int, action: str | None
) -> None:
    """Pages of ``size`` walk the log, or the corrections and removals, newest first, each
    record once (the whole log has thousands of creation records: big pages for it)."""
    headers = await login_as(http, "it")
    records = await _records(demo_url)
    wanted = [r.id for r in records if action is None or r.action in action.split(",")]
    seen: list[int] = []
    before: int | None = None
    while True:
        params: dict[str, Any] = {"limit": size}
        if action is not None:
            params["action"] = action
        if before is not None:
            params["before"] = before
        page = await _get(http, headers, **params)
        assert len(page.entries) <= size
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == wanted


async def test_corrections_and_removals_without_the_entries(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    """``action=update,remove``: what was corrected or removed, all of it, without the
    creation record each of the demo's thousands of marks has."""
    headers = await login_as(http, "it")
    records = await _records(demo_url)
    changed = [r.id for r in records if r.action in ("update", "remove")]
    assert changed and len(changed) < len(records) // 10
    page = await _get(http, headers, action="update,remove", limit=500)
    assert [e.id for e in page.entries] == changed and page.next_before is None
    for value in ("create", "create,create"):
        created = await _get(http, headers, action=value, limit=5)
        assert [e.id for e in created.entries] == [r.id for r in records if r.action == "create"][
            :5
        ]
    both = await _get(http, headers, action="update,create", limit=5)
    assert [e.id for e in both.entries] == [
        r.id for r in records if r.action in ("update", "create")
    ][:5]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from": "2026-02-30"}, 400, "from"),
        ({"to": "yesterday"}, 400, "to"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, 422, "to"),
        ({"entity": "grade"}, 400, "entity"),
        ({"action": "delete"}, 400, "action"),
        ({"action": ","}, 400, "action"),
        # Read exactly as the documented pattern says: no spaces, lower case.
        ({"action": " CREATE "}, 400, "action"),
        ({"action": "update, create"}, 400, "action"),
        ({"limit": "0"}, 400, "limit"),
        ({"limit": "100000"}, 400, "limit"),
        ({"limit": "many"}, 400, None),
        ({"before": "-1"}, 400, "before"),
        ({"pupil": "nobody-here"}, 404, "pupil"),
        ({"pupil": "99999999999"}, 404, "pupil"),
        ({"teacher": " "}, 422, "teacher"),
        ({"pupil": ""}, 422, "pupil"),
    ],
)
async def test_bad_filters(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    params: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    response = await http.get("/api/v1/audit", params=params, headers=await login_as(http, "it"))
    assert response.status_code == status, response.text
    if field is not None:
        assert decode(response.content, Problem).field == field
