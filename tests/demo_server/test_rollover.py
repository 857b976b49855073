"""Closing a school year (``POST /setup/years/{id}/close``): a dry run that writes nothing, the
classes moving up with their pupils into the next year, the last grade graduating, and the closed
year's journal refused to teachers and corrected only by the administration with a reason,
while families still read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, insert, select

from api_client.models import (
    AbsenceKind,
    AbsenceSet,
    Grades,
    JournalMark,
    MarkCreate,
    MarkUpdate,
    Problem,
    ReportCard,
    Week,
    YearClose,
    YearClosePlan,
    decode,
)
from demo_server import schema as s
from demo_server.db import make_engine
from demo_server.routes.deps import STATE_KEY
from demo_server.settings import ServerSettings, ServerState
from tests.conftest import BASE_URL, LoginAs, asgi_transport
from tests.demo_server.journal_support import fetch_all, send, teacher_desk


async def _year_and_next(url: str) -> tuple[Any, int, dt.date]:
    """The demo's year, and a next year made for it (with its quarters): its id and start."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            year = (await conn.execute(select(s.AcademicYear))).one()
            start = dt.date(year.end.year, 9, 1)
            next_id = await conn.scalar(
                insert(s.AcademicYear)
                .values(
                    school_id=year.school_id,
                    name=f"{start.year}/{start.year + 1 - 2000}",
                    start=start,
                    end=dt.date(start.year + 1, 8, 31),
                )
                .returning(s.AcademicYear.id)
            )
            await conn.execute(
                insert(s.Period),
                [
                    {
                        "year_id": next_id,
                        "kind": "quarter",
                        "number": 1,
                        "name": "1 четверть",
                        "start": start,
                        "end": dt.date(start.year, 10, 26),
                    }
                ],
            )
        return year, int(next_id or 0), start
    finally:
        await engine.dispose()


@pytest.fixture
async def after_year(
    app: Litestar, demo_url: str, demo: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, int, dt.date]]:
    """The server on the first day after the demo's year, with a next year set up."""
    year, next_id, next_start = await _year_and_next(demo_url)
    day_after = year.end + dt.timedelta(days=1)
    engine = make_engine(demo_url)
    app.state[STATE_KEY] = ServerState(
        engine, ServerSettings(today=lambda: day_after), engine.dialect.name
    )
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as client:
        yield client, year, next_id, next_start
    await engine.dispose()


async def _close(
    http: httpx.AsyncClient, headers: dict[str, str], year_id: int, body: YearClose
) -> httpx.Response:
    return await send(http, headers, "POST", f"/setup/years/{year_id}/close", body)


async def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                table.__tablename__: int(
                    await conn.scalar(select(func.count()).select_from(table)) or 0
                )
                for table in (s.SchoolClass, s.Enrolment, s.AuditRecord, s.AcademicYear)
            }
    finally:
        await engine.dispose()


async def test_a_dry_run_says_what_would_happen_and_writes_nothing(
    after_year: tuple[httpx.AsyncClient, Any, int, dt.date], login_as: LoginAs, demo_url: str
) -> None:
    http, year, next_id, _start = after_year
    before = await _counts(demo_url)
    response = await _close(
        http, await login_as(http, "it"), year.id, YearClose(next_year_id=next_id)
    )
    assert response.status_code == 200, response.text
    plan = decode(response.content, YearClosePlan)
    assert not plan.applied and plan.year == year.name
    assert plan.classes and plan.moved > 0
    for row in plan.classes:
        if row.class_.grade >= 11:
            assert row.to == "" and row.to_id is None
        else:
            assert row.to == f"{row.class_.grade + 1}{row.class_.letter}" and row.new
    assert plan.moved + plan.graduates == sum(r.pupils for r in plan.classes)
    assert any("timetable" in w for w in plan.warnings)
    assert await _counts(demo_url) == before


async def test_closing_moves_classes_up_and_keeps_last_year_readable(
    after_year: tuple[httpx.AsyncClient, Any, int, dt.date],
    login_as: LoginAs,
    demo_url: str,
    demo: Any,
) -> None:
    http, year, next_id, next_start = after_year
    it = await login_as(http, "it")
    response = await _close(http, it, year.id, YearClose(next_year_id=next_id, apply=True))
    assert response.status_code == 200, response.text
    plan = decode(response.content, YearClosePlan)
    assert plan.applied
    classes = {c.id: c for c in await fetch_all(demo_url, select(s.SchoolClass))}
    enrolments = await fetch_all(demo_url, select(s.Enrolment))
    for row in plan.classes:
        old = [e for e in enrolments if e.class_id == row.class_.id]
        assert all(e.end is not None and e.end <= year.end for e in old)
        if not row.to:
            continue
        assert row.to_id is not None
        new_class = classes[row.to_id]
        assert (new_class.year_id, new_class.grade) == (next_id, row.class_.grade + 1)
        assert new_class.homeroom_teacher_id == classes[row.class_.id].homeroom_teacher_id
        moved = [e for e in enrolments if e.class_id == row.to_id]
        assert len(moved) == row.pupils and all(e.start == next_start for e in moved)
    (closed,) = await fetch_all(
        demo_url, select(s.AcademicYear).where(s.AcademicYear.id == year.id)
    )
    assert closed.closed_at is not None
    records = await fetch_all(
        demo_url, select(s.AuditRecord).where(s.AuditRecord.entity == "academic_year")
    )
    assert records and records[-1].after["closed"] is True
    # Closing twice is refused, naming the year.
    again = await _close(http, it, year.id, YearClose(next_year_id=next_id, apply=True))
    assert again.status_code == 409 and decode(again.content, Problem).field == "year_id"

    # A parent still opens last year's grades by its periods; the new year's week is empty
    # (no timetable yet) but the child is in the next class.
    parent = await login_as(http, "parent")
    me = (await http.get("/api/v1/me", headers=parent)).json()
    child = me["children"][0]["id"]
    (old_period,) = (
        await fetch_all(
            demo_url,
            select(s.Period.id).where(
                s.Period.year_id == year.id,
                s.Period.start <= demo.today,
                s.Period.end >= demo.today,
            ),
        )
    )[0]
    grades = await http.get(
        f"/api/v1/pupils/{child}/grades", params={"period": old_period}, headers=parent
    )
    assert grades.status_code == 200, grades.text
    assert any(subject.marks for subject in decode(grades.content, Grades).subjects)
    # In the new year, last year's periods come first, named with their year, so the grades
    # screen steps back into them; its report card is asked for by one of its periods.
    (new_period,) = (
        await fetch_all(demo_url, select(s.Period.id).where(s.Period.year_id == next_id))
    )[0]
    now = await http.get(
        f"/api/v1/pupils/{child}/grades", params={"period": new_period}, headers=parent
    )
    periods = decode(now.content, Grades).periods
    assert [p.id for p in periods][-1] == new_period
    assert old_period in [p.id for p in periods]
    assert all(p.name.endswith(f" · {year.name}") for p in periods[:-1])
    card = await http.get(
        f"/api/v1/pupils/{child}/report-card", params={"period": old_period}, headers=parent
    )
    assert card.status_code == 200 and decode(card.content, ReportCard).year == year.name
    week = await http.get(
        f"/api/v1/pupils/{child}/week", params={"date": next_start.isoformat()}, headers=parent
    )
    assert week.status_code == 200, week.text
    assert decode(week.content, Week).lessons == []


async def test_a_closed_year_is_corrected_only_by_the_administration_with_a_reason(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs, demo_url: str, demo: Any
) -> None:
    teacher = await login_as(http, "teacher")
    desk = await teacher_desk(http, teacher, demo.today)
    given = await send(
        http, teacher, "POST", "/marks",
        MarkCreate(lesson_id=desk.lesson.id, pupil_id=desk.pupil_id, value=4),
    )  # fmt: skip
    assert given.status_code == 201, given.text
    mark = decode(given.content, JournalMark)
    # While the year is open the administration changes no absence (the teachers keep them).
    path = f"/lessons/{desk.lesson.id}/absences/{desk.pupil_id}"
    admin = await login_as(http, "admin")
    open_year = await send(http, admin, "PUT", path, AbsenceSet(kind=AbsenceKind.LATE, reason="x"))
    assert open_year.status_code == 403, open_year.text
    # Close the year (on the day after it ends), then come back to the same lesson.
    year, next_id, _start = await _year_and_next(demo_url)
    day_after = year.end + dt.timedelta(days=1)
    engine = make_engine(demo_url)
    app.state[STATE_KEY] = ServerState(
        engine, ServerSettings(today=lambda: day_after), engine.dialect.name
    )
    closed = await _close(
        http, await login_as(http, "it"), year.id, YearClose(next_year_id=next_id, apply=True)
    )
    assert closed.status_code == 200, closed.text

    new_mark = MarkCreate(lesson_id=desk.lesson.id, pupil_id=desk.pupil_id, value=5)
    refused = await send(http, teacher, "POST", "/marks", new_mark)
    problem = decode(refused.content, Problem)
    assert refused.status_code == 409 and problem.field == "lesson_id"
    assert year.name in problem.detail
    change = MarkUpdate(value=3, version=mark.version, reason="ошибка при вводе")
    refused = await send(http, teacher, "PATCH", f"/marks/{mark.id}", change)
    assert refused.status_code == 409

    admin = await login_as(http, "admin")
    no_reason = MarkUpdate(value=3, version=mark.version)
    refused = await send(http, admin, "PATCH", f"/marks/{mark.id}", no_reason)
    problem = decode(refused.content, Problem)
    assert refused.status_code == 422 and problem.field == "reason"
    corrected = await send(http, admin, "PATCH", f"/marks/{mark.id}", change)
    assert corrected.status_code == 200, corrected.text
    (record,) = await fetch_all(
        demo_url,
        select(s.AuditRecord)
        .where(s.AuditRecord.entity == "mark", s.AuditRecord.entity_id == mark.id)
        .order_by(s.AuditRecord.id.desc())
        .limit(1),
    )
    assert record.reason == "ошибка при вводе" and record.after["value"] == 3
    # Absences too: refused to the teacher, corrected by the administration with a reason.
    absent = AbsenceSet(kind=AbsenceKind.ILLNESS, reason="справка от врача")
    refused = await send(http, teacher, "PUT", path, absent)
    assert refused.status_code == 409, refused.text
    without = AbsenceSet(kind=AbsenceKind.ILLNESS)
    refused = await send(http, admin, "PUT", path, without)
    assert refused.status_code == 422 and decode(refused.content, Problem).field == "reason"
    corrected = await send(http, admin, "PUT", path, absent)
    assert corrected.status_code in (200, 201), corrected.text
    await engine.dispose()


async def test_a_year_not_over_cannot_be_closed(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    year, next_id, _start = await _year_and_next(demo_url)
    response = await _close(
        http, await login_as(http, "admin"), year.id, YearClose(next_year_id=next_id, apply=True)
    )
    problem = decode(response.content, Problem)
    assert response.status_code == 409 and problem.field == "year_id"


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("teacher", {"next_year_id": 1}, 403, None),
        ("parent", {"next_year_id": 1}, 403, None),
        ("it", {}, 400, None),
        ("it", {"next_year_id": 999999}, 422, "next_year_id"),
        ("it", {"next_year_id": "x"}, 400, None),
        ("it", {"next_year_id": 1, "extra": 1}, 400, None),
    ],
)
async def test_bad_requests_are_named(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo_url: str,
    who: str,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    year, _next_id, _start = await _year_and_next(demo_url)
    response = await send(
        http, await login_as(http, who), "POST", f"/setup/years/{year.id}/close", body
    )
    assert response.status_code in (status, 422 if status == 400 else status), response.text
    if field is not None:
        assert decode(response.content, Problem).field == field
