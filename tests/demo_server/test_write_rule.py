"""One rule for who writes a lesson's records (``demo_server.journal_rights``): every kind of
journal write, by the teacher of the lesson and by the administration, in an open and in a
closed year, with and without a reason, and by a parent.

A teacher of the lesson writes while the year is open and gets 409 once it is closed; the
administration reads an open year's journal only (403) and corrects a closed year's, every kind
of record alike, only giving a reason (422 on ``reason`` without one), audited with it; a parent
is refused by role (403) whatever the year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api_client.models import Problem, decode
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs
from tests.demo_server.journal_support import API, fetch_all, new_key, send


@pytest.fixture
def school_kind() -> str:
    return "district"  # the mini school with a period, and a neighbour school


WRITES = (
    "mark",
    "edit",
    "remove",
    "absent",
    "unabsent",
    "topic",
    "kind",
    "homework",
    "attachment",
    "period",
)
DONE = dict.fromkeys(WRITES, 200) | {"mark": 201, "attachment": 201}
REASON = "ошибка при вводе, исправлено по заявлению"

# (who, the year closed, a reason given) -> every write's status
SCENARIOS: list[tuple[str, bool, bool, dict[str, int]]] = [
    ("teacher", False, False, DONE),
    ("teacher", True, True, dict.fromkeys(WRITES, 409)),
    ("admin", True, False, dict.fromkeys(WRITES, 422)),
    ("admin", True, True, DONE),
    ("admin", False, True, dict.fromkeys(WRITES, 403)),
    ("parent", False, True, dict.fromkeys(WRITES, 403)),
    ("parent", True, True, dict.fromkeys(WRITES, 403)),
]


async def _close_the_year(url: str) -> str:
    """Mark the mini school's year closed, as closing it does (the rollover's own steps are
    tested in test_rollover); its name."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            year = (await conn.execute(select(s.AcademicYear.id, s.AcademicYear.name))).first()
            assert year is not None
            await conn.execute(
                update(s.AcademicYear)
                .where(s.AcademicYear.id == year.id)
                .values(closed_at=dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
            )
            return str(year.name)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("who", "closed", "with_reason", "expected"),
    SCENARIOS,
    ids=[
        f"{w}-{'closed' if c else 'open'}-{'reason' if r else 'none'}" for w, c, r, _e in SCENARIOS
    ],
)
async def test_every_journal_write_under_one_rule(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    demo_url: str,
    who: str,
    closed: bool,
    with_reason: bool,
    expected: dict[str, int],
) -> None:
    ids = demo.ids
    lesson, pupil, mark = ids["mon1"], ids["pupil"], ids["mark_edited"]
    (period,) = (
        await fetch_all(
            demo_url,
            select(s.Period.id)
            .join(s.AcademicYear, s.AcademicYear.id == s.Period.year_id)
            .where(
                s.AcademicYear.school_id == demo.school_id,
                s.Period.start <= demo.today,
                s.Period.end >= demo.today,
            ),
        )
    )[0]
    year = await _close_the_year(demo_url) if closed else ""
    headers = await login_as(http, who)
    why = {"reason": REASON} if with_reason else {}
    versions = {"mark": 2, "lesson": 1, "absence": 1}

    async def write(name: str) -> httpx.Response:
        if name == "attachment":
            return await http.post(
                f"{API}/lessons/{lesson}/homework/attachments",
                params={"name": "лист.pdf", **why},
                content=b"%PDF-1.4 worksheet",
                headers={
                    **headers,
                    "Content-Type": "application/octet-stream",
                    "Idempotency-Key": new_key(),
                },
            )
        method, path, body = {
            "mark": ("POST", "/marks", {"lesson_id": lesson, "pupil_id": pupil, "value": 4}),
            "edit": ("PATCH", f"/marks/{mark}", {"version": versions["mark"], "value": 3}),
            "remove": ("POST", f"/marks/{mark}/remove", {"version": versions["mark"]}),
            "absent": ("PUT", f"/lessons/{lesson}/absences/{pupil}", {"kind": "unexcused"}),
            "unabsent": (
                "POST",
                f"/lessons/{lesson}/absences/{pupil}/remove",
                {"version": versions["absence"]},
            ),
            "topic": (
                "PATCH",
                f"/lessons/{lesson}/topic",
                {"version": versions["lesson"], "topic": "Дроби: сравнение"},
            ),
            "kind": (
                "PATCH",
                f"/lessons/{lesson}/kind",
                {"version": versions["lesson"], "kind": "test", "weight": 2},
            ),
            "homework": (
                "PUT",
                f"/lessons/{lesson}/homework",
                {"text": "№ 125", "due": "2026-11-30", "version": 1},
            ),
            "period": (
                "PUT",
                "/period-marks",
                {"pupil_id": pupil, "subject_id": ids["math"], "period_id": period, "value": 5},
            ),
        }[name]
        return await send(http, headers, method, path, {**body, **why})

    got: dict[str, int] = {}
    for name in WRITES:
        response = await write(name)
        got[name] = response.status_code
        if response.status_code < 300:
            answer = response.json()
            if name == "edit":
                versions["mark"] = answer.get("version", 1)
            elif name == "absent":
                versions["absence"] = answer.get("version", 1)
            elif name in ("topic", "kind"):
                versions["lesson"] = answer.get("version", 1)
            continue
        problem = decode(response.content, Problem)
        assert problem.status == response.status_code
        if response.status_code == 409:
            assert year and year in problem.detail, problem
            assert problem.field in ("lesson_id", "period_id"), problem
        if response.status_code == 422:
            assert problem.field == "reason", problem
    assert got == expected, (who, closed, with_reason)

    if who == "admin" and all(code < 300 for code in got.values()):
        # Each correction is in the audit log, by the administration, with the reason.
        admin_id = ids["admin"]
        records = await fetch_all(
            demo_url, select(s.AuditRecord).where(s.AuditRecord.actor_id == admin_id)
        )
        entities = {r.entity for r in records}
        assert {
            "mark",
            "absence",
            "topic",
            "lesson_kind",
            "homework",
            "homework_attachment",
            "period_mark",
        } <= entities, entities
        assert all(r.reason == REASON for r in records), [(r.entity, r.reason) for r in records]


async def test_a_closed_years_lesson_is_read_and_changed_by_the_administration_with_a_reason(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """Reading a closed year's lesson needs no reason (it was refused for want of one); a
    one-off change of it (cancelled, a substitute) is a correction, with a reason."""
    lesson = demo.ids["mon1"]
    await _close_the_year(demo_url)
    admin = await login_as(http, "admin")
    read = await http.get(f"{API}/lessons/{lesson}", headers=admin)
    assert read.status_code == 200, read.text
    change = {"version": 1, "room": "305"}
    refused = await send(http, admin, "PATCH", f"/lessons/{lesson}", change)
    assert refused.status_code == 422 and decode(refused.content, Problem).field == "reason"
    done = await send(http, admin, "PATCH", f"/lessons/{lesson}", {**change, "reason": REASON})
    assert done.status_code == 200, done.text


async def test_bulk_absences_leave_a_closed_year_alone(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """The health worker's stretch of illness writes no absence into a closed year's lessons
    (it wrote one at every lesson of those days)."""
    await _close_the_year(demo_url)
    nurse = await login_as(http, "nurse")
    monday = (
        await fetch_all(demo_url, select(s.Lesson.date).where(s.Lesson.id == demo.ids["mon1"]))
    )[0][0]
    body = {"pupil_id": demo.ids["pupil"], "start": monday.isoformat(), "end": monday.isoformat()}
    response = await send(http, nurse, "POST", "/medical/absences", body)
    assert response.status_code == 422, response.text
    written = await fetch_all(
        demo_url,
        select(s.Absence.id).where(s.Absence.author_id == demo.ids["nurse"]),
    )
    assert written == []
