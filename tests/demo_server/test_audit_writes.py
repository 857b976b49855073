"""Every journal change leaves an audit record (before, after, reason) and a change-feed row;
the audit chain stays whole under concurrent writers; a locked SQLite database answers 503."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from types import SimpleNamespace
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from api_client.models import (
    AbsenceKind,
    AbsenceRemove,
    AbsenceSet,
    HomeworkSet,
    JournalAbsence,
    JournalHomework,
    JournalMark,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
    Problem,
    TopicSet,
    decode,
)
from demo_server import schema as s
from demo_server.audit import first_broken
from tests.conftest import TEST_AUDIT_KEY, LoginAs, sqlite_only
from tests.demo_server.journal_support import fetch_all, send, teacher_desk


def objects(rows: list[Any]) -> list[Any]:
    """Database rows with their columns as attributes."""
    return [SimpleNamespace(**row._mapping) for row in rows]


async def test_every_change_is_audited_and_fed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await teacher_desk(http, await login_as(http, "teacher"), demo.today)
    last_audit = await fetch_all(
        demo_url, select(s.AuditRecord.id).order_by(s.AuditRecord.id.desc()).limit(1)
    )
    since_audit = last_audit[0].id if last_audit else 0
    last_change = await fetch_all(
        demo_url, select(s.Change.id).order_by(s.Change.id.desc()).limit(1)
    )
    since_change = last_change[0].id if last_change else 0
    pupil = next(
        p
        for p in d.journal.pupils
        if not any(a.pupil_id == p.id and a.lesson_id == d.lesson.id for a in d.journal.absences)
        and p.id not in {m.pupil_id for m in d.journal.period_marks}
    )
    lesson = d.lesson

    async def ok(method: str, path: str, body: Any, status: int = 200) -> bytes:
        response = await send(http, d.headers, method, path, body)
        assert response.status_code == status, response.text
        return response.content

    mark = decode(
        await ok(
            "POST", "/marks", MarkCreate(lesson_id=lesson.id, pupil_id=pupil.id, value=2), 201
        ),
        JournalMark,
    )
    await ok("PATCH", f"/marks/{mark.id}", MarkUpdate(version=1, value=3, reason="пересдал"))
    await ok("POST", f"/marks/{mark.id}/remove", MarkRemove(version=2, reason="не тот ученик"))
    absence_path = f"/lessons/{lesson.id}/absences/{pupil.id}"
    absence = decode(
        await ok("PUT", absence_path, AbsenceSet(kind=AbsenceKind.UNEXCUSED)), JournalAbsence
    )
    await ok("POST", f"{absence_path}/remove", AbsenceRemove(version=absence.version))
    await ok(
        "PATCH", f"/lessons/{lesson.id}/topic", TopicSet(version=lesson.version, topic="Новая тема")
    )
    hw_version = lesson.homework.version if lesson.homework else None
    homework = decode(
        await ok(
            "PUT",
            f"/lessons/{lesson.id}/homework",
            HomeworkSet(text="стр. 10", due=lesson.date + dt.timedelta(days=1), version=hw_version),
        ),
        JournalHomework,
    )
    await ok(
        "PUT",
        f"/lessons/{lesson.id}/homework",
        HomeworkSet(text="", due=homework.due, version=homework.version),
    )
    await ok(
        "PUT",
        "/period-marks",
        PeriodMarkSet(
            pupil_id=pupil.id,
            subject_id=d.journal.subject.id,
            period_id=d.journal.period.id,
            value=4,
        ),
    )

    records = objects(
        await fetch_all(
            demo_url,
            select(s.AuditRecord).where(s.AuditRecord.id > since_audit).order_by(s.AuditRecord.id),
        )
    )
    got = [(r.entity, r.action) for r in records]
    assert got == [
        ("mark", "create"),
        ("mark", "update"),
        ("mark", "remove"),
        ("absence", "create"),
        ("absence", "remove"),
        ("topic", "update"),
        ("homework", "create" if hw_version is None else "update"),
        ("homework", "remove"),
        ("period_mark", "create"),
    ]
    by_step = list(records)
    create, update, remove = by_step[0], by_step[1], by_step[2]
    assert create.before is None and create.after["value"] == 2
    assert (update.before["value"], update.after["value"], update.reason) == (2, 3, "пересдал")
    assert remove.before["value"] == 3 and remove.after is None
    assert remove.reason == "не тот ученик"
    assert all(r.actor_id is not None for r in records)
    assert {r.pupil_id for r in by_step[:5]} == {pupil.id}
    assert by_step[5].before["topic"] == lesson.topic and by_step[5].after["topic"] == "Новая тема"

    changes = objects(
        await fetch_all(
            demo_url, select(s.Change).where(s.Change.id > since_change).order_by(s.Change.id)
        )
    )
    assert [c.kind for c in changes] == [
        "mark.added",
        "mark.edited",
        "mark.removed",
        "absence.set",
        "absence.removed",
        "lesson.topic",
        "homework.set",
        "homework.set",
        "period_mark.set",
    ]
    assert all(c.class_id == d.journal.class_.id for c in changes)
    for c in changes[:5] + changes[-1:]:
        assert c.pupil_id == pupil.id
        assert c.payload["pupil"] == f"{pupil.first_name} {pupil.last_name}"
        assert c.payload["subject"] == d.journal.subject.name
    added, edited = changes[0], changes[1]
    assert (added.payload["value"], added.payload["date"]) == (2, lesson.date.isoformat())
    assert (edited.payload["old"], edited.payload["new"]) == ({"value": 2}, {"value": 3})


async def test_chain_whole_after_a_burst_of_concurrent_writes(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await teacher_desk(http, await login_as(http, "teacher"), demo.today)
    pupils = [p.id for p in d.journal.pupils]

    async def give(n: int) -> JournalMark:
        body = MarkCreate(lesson_id=d.lesson.id, pupil_id=pupils[n % len(pupils)], value=1 + n % 5)
        response = await send(http, d.headers, "POST", "/marks", body)
        assert response.status_code == 201, response.text
        return decode(response.content, JournalMark)

    marks = await asyncio.gather(*(give(n) for n in range(24)))

    async def edit(mark: JournalMark) -> int:
        body = MarkUpdate(version=mark.version, weight=2)
        return (await send(http, d.headers, "PATCH", f"/marks/{mark.id}", body)).status_code

    # Each mark edited twice at once from the same version: one wins, the other gets 409.
    statuses = await asyncio.gather(*(edit(m) for m in marks for _ in range(2)))
    assert sorted(statuses) == [200] * len(marks) + [409] * len(marks)
    rows = await fetch_all(demo_url, select(s.AuditRecord).order_by(s.AuditRecord.id))
    records = [dict(row._mapping) for row in rows]
    assert first_broken(records, TEST_AUDIT_KEY) is None
    assert len({r["prev_hash"] for r in records}) == len(records), "the chain forked"
    edits = [
        r for r in records if r["entity"] == "mark" and r["entity_id"] in {m.id for m in marks}
    ]
    assert len(edits) == 2 * len(marks)


@sqlite_only
async def test_locked_sqlite_answers_503_not_500(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await teacher_desk(http, await login_as(http, "teacher"), demo.today)
    engine = app.state["server"].engine
    await engine.dispose()  # new connections pick up the short busy timeout below

    def short_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=200")
        cursor.close()

    event.listen(engine.sync_engine, "connect", short_timeout)
    holder = sqlite3.connect(str(make_url(demo_url).database), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        body = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=5)
        response = await send(http, d.headers, "POST", "/marks", body)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert decode(response.content, Problem).retry_after == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = await send(
        http,
        d.headers,
        "POST",
        "/marks",
        MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=5),
    )
    assert again.status_code == 201, again.text
