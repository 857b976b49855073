"""The health worker: finds pupils by name (names and classes only), sees and records illness
absences; never marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import func, or_, select

from api_client.models import (
    MedicalAbsenceResult,
    MedicalAbsences,
    Problem,
    PupilSearch,
    decode,
)
from demo_server import schema as s
from demo_server.audit import first_broken
from demo_server.db import make_engine
from tests.conftest import TEST_AUDIT_KEY, LoginAs


async def _scalar(url: str, query: Any) -> Any:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return await c.scalar(query)
    finally:
        await engine.dispose()


async def _chain_intact(url: str) -> bool:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            rows = (await c.execute(select(s.AuditRecord).order_by(s.AuditRecord.id))).mappings()
            return first_broken([dict(r) for r in rows], TEST_AUDIT_KEY) is None
    finally:
        await engine.dispose()


async def test_search_names_and_classes_only(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    pupil_id = await _scalar(demo_url, select(s.User.id).where(s.User.login == "pupil"))
    last = await _scalar(demo_url, select(s.User.last_name).where(s.User.id == pupil_id))
    headers = await login_as(http, "nurse")
    for query in (last, last.lower(), last[:3].lower(), last.upper()):
        response = await http.get("/api/v1/pupils/search", params={"q": query}, headers=headers)
        assert response.status_code == 200, response.text
        found = decode(response.content, PupilSearch)
        assert pupil_id in [p.id for p in found.pupils], query
        for pupil in response.json()["pupils"]:
            assert set(pupil) <= {"id", "first_name", "last_name", "middle_name", "class"}
    hit = next(p for p in found.pupils if p.id == pupil_id)
    assert hit.class_ is not None and hit.class_.name
    # Wildcards are letters, not patterns.
    response = await http.get("/api/v1/pupils/search", params={"q": "%"}, headers=headers)
    assert decode(response.content, PupilSearch).pupils == []
    for bad, status in (("", 422), ("   ", 422), ("x" * 101, 400)):
        response = await http.get("/api/v1/pupils/search", params={"q": bad}, headers=headers)
        assert response.status_code == status, bad
        assert decode(response.content, Problem).field == "q"


async def test_record_and_see_illness(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    pupil_id = await _scalar(demo_url, select(s.User.id).where(s.User.login == "pupil"))
    day = dt.date(2026, 11, 24)  # a Tuesday before the demo's today
    lessons = await _scalar(
        demo_url,
        select(func.count(s.Lesson.id))
        .join(s.Enrolment, s.Enrolment.class_id == s.Lesson.class_id)
        .where(
            s.Enrolment.pupil_id == pupil_id,
            s.Lesson.date == day,
            s.Lesson.status != "cancelled",
            # A group's lesson is its pupils' alone: the other group's is not this pupil's.
            or_(
                s.Lesson.group_id.is_(None),
                s.Lesson.group_id.in_(
                    select(s.GroupMember.group_id).where(
                        s.GroupMember.pupil_id == pupil_id,
                        s.GroupMember.start <= day,
                        or_(s.GroupMember.end.is_(None), s.GroupMember.end >= day),
                    )
                ),
            ),
        ),
    )
    existing = await _scalar(
        demo_url,
        select(func.count(s.Absence.id))
        .join(s.Lesson, s.Lesson.id == s.Absence.lesson_id)
        .where(
            s.Absence.pupil_id == pupil_id, s.Lesson.date == day, s.Absence.removed_at.is_(None)
        ),
    )
    audit_before = await _scalar(demo_url, select(func.count(s.AuditRecord.id)))
    changes_before = await _scalar(demo_url, select(func.count(s.Change.id)))
    assert lessons > 0
    headers = await login_as(http, "nurse") | {"Idempotency-Key": "nurse-flu-0001"}
    body = {"pupil_id": pupil_id, "start": day.isoformat(), "end": day.isoformat(), "note": "ОРВИ"}
    response = await http.post("/api/v1/medical/absences", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result = decode(response.content, MedicalAbsenceResult)
    assert result.recorded == lessons - existing and result.skipped == existing
    assert all(a.date == day and a.note == "ОРВИ" for a in result.absences)
    assert (
        await _scalar(demo_url, select(func.count(s.AuditRecord.id)))
        == audit_before + result.recorded
    )
    assert (
        await _scalar(demo_url, select(func.count(s.Change.id))) == changes_before + result.recorded
    )
    assert await _chain_intact(demo_url)
    # A replay changes nothing.
    again = await http.post("/api/v1/medical/absences", json=body, headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert (
        await _scalar(demo_url, select(func.count(s.AuditRecord.id)))
        == audit_before + result.recorded
    )
    # Recording the same day again skips every lesson.
    headers["Idempotency-Key"] = "nurse-flu-0002"
    second = decode(
        (await http.post("/api/v1/medical/absences", json=body, headers=headers)).content,
        MedicalAbsenceResult,
    )
    assert second.recorded == 0 and second.skipped == lessons
    # The list shows them, newest first.
    response = await http.get(
        "/api/v1/medical/absences",
        params={"pupil": pupil_id, "from": "2026-11-01", "to": "2026-11-25"},
        headers=await login_as(http, "nurse"),
    )
    assert response.status_code == 200, response.text
    seen = decode(response.content, MedicalAbsences)
    assert seen.pupil.id == pupil_id
    assert len([a for a in seen.absences if a.date == day]) >= result.recorded
    assert [(a.date, a.number) for a in seen.absences] == sorted(
        ((a.date, a.number) for a in seen.absences), reverse=True
    )
    assert "mark" not in response.text


async def test_bad_medical_requests(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    pupil_id = await _scalar(demo_url, select(s.User.id).where(s.User.login == "pupil"))
    teacher_id = await _scalar(demo_url, select(s.User.id).where(s.User.login == "teacher"))
    headers = await login_as(http, "nurse")
    for params, status, field in [
        ({"pupil": teacher_id}, 404, "pupil_id"),
        ({"pupil": 99999999}, 404, "pupil_id"),
        ({"pupil": pupil_id, "from": "2026-11-20", "to": "2026-11-10"}, 422, "end"),
        ({"pupil": pupil_id, "from": "2025-01-01", "to": "2026-11-10"}, 422, "end"),
        ({"pupil": pupil_id, "from": "tomorrow"}, 400, "from"),
        ({}, 400, "pupil"),
    ]:
        response = await http.get("/api/v1/medical/absences", params=params, headers=headers)
        assert response.status_code == status, (params, response.text)
        if field:
            assert decode(response.content, Problem).field == field
    for n, (body, status) in enumerate(
        [
            ({"pupil_id": pupil_id, "start": "2026-11-24", "end": "2026-11-20"}, 422),
            ({"pupil_id": teacher_id, "start": "2026-11-24", "end": "2026-11-24"}, 404),
            ({"pupil_id": pupil_id, "start": "2026-11-29", "end": "2026-11-29"}, 422),  # Sunday
            ({"pupil_id": pupil_id, "start": "2026-11-24"}, 400),
            ({"pupil_id": pupil_id, "start": "2026-11-24", "end": "2026-11-24", "x": 1}, 400),
        ]
    ):
        response = await http.post(
            "/api/v1/medical/absences",
            json=body,
            headers=headers | {"Idempotency-Key": f"bad-key-{n:04}"},
        )
        assert response.status_code == status, (body, response.text)
    # Another role may not record them.
    response = await http.post(
        "/api/v1/medical/absences",
        json={"pupil_id": pupil_id, "start": "2026-11-24", "end": "2026-11-24"},
        headers=await login_as(http, "teacher") | {"Idempotency-Key": "teacher-try-01"},
    )
    assert response.status_code == 403
