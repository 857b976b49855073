"""Idempotency of the journal's writes: a replay changes nothing and answers the same."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from api_client import errors
from api_client.client import DiaryClient
from api_client.models import (
    AbsenceKind,
    AbsenceRemove,
    AbsenceSet,
    HomeworkSet,
    JournalMark,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
    Problem,
    TopicSet,
    decode,
    encode,
)
from demo_server import schema as s
from tests.conftest import BASE_URL, LoginAs, asgi_transport
from tests.demo_server.journal_support import API, Desk, fetch_all, new_key, send, teacher_desk


async def desk(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> Desk:
    return await teacher_desk(http, await login_as(http, "teacher"), demo.today)


async def count_marks(url: str, lesson_id: int, pupil_id: int) -> int:
    rows = await fetch_all(
        url,
        select(func.count())
        .select_from(s.Mark)
        .where(s.Mark.lesson_id == lesson_id, s.Mark.pupil_id == pupil_id),
    )
    return int(rows[0][0])


async def count_audit(url: str) -> int:
    return int((await fetch_all(url, select(func.count()).select_from(s.AuditRecord)))[0][0])


async def test_same_key_twice_gives_one_mark_and_the_same_answer(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    before = await count_marks(demo_url, d.lesson.id, d.pupil_id)
    audit_before = await count_audit(demo_url)
    body = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=5)
    key = new_key()
    first = await send(http, d.headers, "POST", "/marks", body, key)
    second = await send(http, d.headers, "POST", "/marks", body, key)
    assert first.status_code == second.status_code == 201, second.text
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert decode(first.content, JournalMark) == decode(second.content, JournalMark)
    assert await count_marks(demo_url, d.lesson.id, d.pupil_id) == before + 1
    assert await count_audit(demo_url) == audit_before + 1


async def test_replayed_update_is_not_a_conflict(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """A resend of an update whose answer was lost replays, instead of a 409 on its own
    version."""
    d = await desk(http, login_as, demo)
    created = await send(
        http,
        d.headers,
        "POST",
        "/marks",
        MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=3),
    )
    mark = decode(created.content, JournalMark)
    key = new_key()
    update = MarkUpdate(version=1, value=4)
    first = await send(http, d.headers, "PATCH", f"/marks/{mark.id}", update, key)
    again = await send(http, d.headers, "PATCH", f"/marks/{mark.id}", update, key)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert decode(again.content, JournalMark).version == 2


async def test_same_key_different_body_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    key = new_key()
    one = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=5)
    other = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=2)
    assert (await send(http, d.headers, "POST", "/marks", one, key)).status_code == 201
    before = await count_marks(demo_url, d.lesson.id, d.pupil_id)
    refused = await send(http, d.headers, "POST", "/marks", other, key)
    assert refused.status_code == 422
    assert decode(refused.content, Problem).field == "Idempotency-Key"
    # The same key on another endpoint is another request too.
    path = f"/lessons/{d.lesson.id}/absences/{d.pupil_id}"
    elsewhere = await send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.ILLNESS), key)
    assert elsewhere.status_code == 422
    assert await count_marks(demo_url, d.lesson.id, d.pupil_id) == before


async def test_missing_or_bad_key_is_400(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    before = await count_marks(demo_url, d.lesson.id, d.pupil_id)
    body = encode(MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=5))
    headers = {**d.headers, "Content-Type": "application/json"}
    missing = await http.post(f"{API}/marks", content=body, headers=headers)
    assert missing.status_code == 400
    assert decode(missing.content, Problem).field == "Idempotency-Key"
    bad = await http.post(
        f"{API}/marks", content=body, headers={**headers, "Idempotency-Key": "short"}
    )
    assert bad.status_code == 400
    assert await count_marks(demo_url, d.lesson.id, d.pupil_id) == before


async def test_concurrent_same_key_makes_one_mark(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    before = await count_marks(demo_url, d.lesson.id, d.pupil_id)
    body = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=4, comment="дважды")
    key = new_key()
    responses = await asyncio.gather(
        *(send(http, d.headers, "POST", "/marks", body, key) for _ in range(3))
    )
    assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
    marks = {encode(decode(r.content, JournalMark)) for r in responses}
    assert len(marks) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 2
    assert await count_marks(demo_url, d.lesson.id, d.pupil_id) == before + 1


async def test_a_refused_write_can_be_sent_again_with_its_key(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """Failed writes store nothing: the same key is judged afresh."""
    d = await desk(http, login_as, demo)
    key = new_key()
    path = f"/lessons/{d.lesson.id}/homework"
    early = HomeworkSet(text="упр. 5", due=d.lesson.date.replace(day=1), version=None)
    first = await send(http, d.headers, "PUT", path, early, key)
    assert first.status_code in (409, 422)
    second = await send(http, d.headers, "PUT", path, early, key)
    assert second.status_code == first.status_code
    assert "idempotent-replayed" not in second.headers


async def test_the_client_library_speaks_the_journal(app: Litestar, demo: Any) -> None:
    """``DiaryClient``'s journal methods, each with a key from the caller (as the outbox
    keeps it): a resend with the same key lands once."""
    async with DiaryClient(BASE_URL, transport=asgi_transport(app)) as client:
        await client.login("teacher", demo.password)
        teaching = (await client.me()).teaching[0]
        journal = await client.journal(teaching.class_.id, teaching.subject.id)
        lesson = [
            x for x in journal.lessons if x.date <= demo.today and x.status.value != "cancelled"
        ][-1]
        pupil = next(
            p.id
            for p in journal.pupils
            if p.id not in {m.pupil_id for m in journal.period_marks}
            and not any(a.pupil_id == p.id and a.lesson_id == lesson.id for a in journal.absences)
        )
        key = new_key()
        body = MarkCreate(lesson_id=lesson.id, pupil_id=pupil, value=5)
        mark = await client.create_mark(body, key)
        assert await client.create_mark(body, key) == mark
        edited = await client.update_mark(mark.id, MarkUpdate(version=1, value=4), new_key())
        with pytest.raises(errors.Conflict) as stale:
            await client.update_mark(mark.id, MarkUpdate(version=1, value=3), new_key())
        assert stale.value.problem is not None
        removed = await client.remove_mark(mark.id, MarkRemove(version=edited.version), new_key())
        assert removed.removed
        absence = await client.set_absence(
            lesson.id, pupil, AbsenceSet(kind=AbsenceKind.LATE, minutes=7), new_key()
        )
        assert absence.minutes == 7
        gone = await client.remove_absence(
            lesson.id, pupil, AbsenceRemove(version=absence.version), new_key()
        )
        assert gone.removed
        topic = await client.set_topic(
            lesson.id, TopicSet(version=lesson.version, topic="Т"), new_key()
        )
        assert topic.topic == "Т"
        version = lesson.homework.version if lesson.homework else None
        homework = await client.set_homework(
            lesson.id, HomeworkSet(text="стр. 5", due=lesson.date, version=version), new_key()
        )
        assert homework.text == "стр. 5"
        period_mark = await client.set_period_mark(
            PeriodMarkSet(
                pupil_id=pupil,
                subject_id=journal.subject.id,
                period_id=journal.period.id,
                value=5,
            ),
            new_key(),
        )
        assert period_mark.value == 5
        again = await client.journal(teaching.class_.id, teaching.subject.id, journal.period.id)
        assert period_mark in again.period_marks
        assert mark.id not in {m.id for m in again.marks}
    async with DiaryClient(BASE_URL, transport=asgi_transport(app)) as parent:
        await parent.login("parent", demo.password)
        with pytest.raises(errors.PermissionDenied):
            await parent.create_mark(body, new_key())
