"""The journal's writes: each endpoint's happy path, versions, reasons and bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import (
    AbsenceKind,
    AbsenceRemove,
    AbsenceSet,
    HomeworkSet,
    JournalAbsence,
    JournalHomework,
    JournalLesson,
    JournalMark,
    JournalPeriodMark,
    LessonStatus,
    MarkCreate,
    MarkKind,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
    Problem,
    TopicSet,
    Week,
    decode,
)
from demo_server import schema as s
from tests.conftest import DEMO_NOW, LoginAs
from tests.demo_server.journal_support import (
    API,
    Desk,
    current_as,
    fetch_all,
    me,
    open_journal,
    send,
    teacher_desk,
)


async def desk(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> Desk:
    return await teacher_desk(http, await login_as(http, "teacher"), demo.today)


def problem(response: httpx.Response, status: int) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return decode(response.content, Problem)


async def give(http: httpx.AsyncClient, d: Desk, value: int = 4, **more: Any) -> JournalMark:
    body = MarkCreate(lesson_id=d.lesson.id, pupil_id=d.pupil_id, value=value, **more)
    response = await send(http, d.headers, "POST", "/marks", body)
    assert response.status_code == 201, response.text
    return decode(response.content, JournalMark)


async def test_mark_given_changed_removed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    mark = await give(http, d, 5, weight=2, kind=MarkKind.TEST, comment="контрольная")
    assert (mark.value, mark.weight, mark.kind, mark.comment) == (
        5,
        2,
        MarkKind.TEST,
        "контрольная",
    )
    assert (mark.version, mark.removed) == (1, False)
    assert (mark.lesson_id, mark.pupil_id) == (d.lesson.id, d.pupil_id)
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert mark in journal.marks

    changed = await send(
        http, d.headers, "PATCH", f"/marks/{mark.id}", MarkUpdate(version=1, value=4, comment="")
    )
    assert changed.status_code == 200, changed.text
    edited = decode(changed.content, JournalMark)
    assert (edited.value, edited.weight, edited.comment, edited.version) == (4, 2, "", 2)

    removed = await send(http, d.headers, "POST", f"/marks/{mark.id}/remove", MarkRemove(version=2))
    assert removed.status_code == 200, removed.text
    gone = decode(removed.content, JournalMark)
    assert gone.removed and gone.version == 3 and gone.value == 4
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert mark.id not in {m.id for m in journal.marks}
    # The row stays, marked removed: nothing is deleted.
    rows = await fetch_all(
        demo_url, select(s.Mark.value, s.Mark.removed_at).where(s.Mark.id == mark.id)
    )
    assert len(rows) == 1 and rows[0].value == 4 and rows[0].removed_at is not None


async def test_parent_sees_the_new_mark_in_the_week(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    parent = await login_as(http, "parent")
    children = {c.class_.id: c.id for c in (await me(http, parent)).children if c.class_}
    teacher = await login_as(http, "teacher")
    d = await teacher_desk(http, teacher, demo.today, set(children))
    child = children[d.journal.class_.id]
    body = MarkCreate(lesson_id=d.lesson.id, pupil_id=child, value=3, comment="устно")
    response = await send(http, teacher, "POST", "/marks", body)
    assert response.status_code == 201, response.text
    mark = decode(response.content, JournalMark)
    week = await http.get(
        f"{API}/pupils/{child}/week", params={"date": d.lesson.date.isoformat()}, headers=parent
    )
    assert week.status_code == 200
    lesson = next(x for x in decode(week.content, Week).lessons if x.id == d.lesson.id)
    assert [(m.id, m.value, m.comment) for m in lesson.marks if m.id == mark.id] == [
        (mark.id, 3, "устно")
    ]


async def test_absence_set_changed_removed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    d = await desk(http, login_as, demo)
    pupil = next(
        p.id
        for p in d.journal.pupils
        if not any(a.pupil_id == p.id and a.lesson_id == d.lesson.id for a in d.journal.absences)
    )
    path = f"/lessons/{d.lesson.id}/absences/{pupil}"
    response = await send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.UNEXCUSED))
    assert response.status_code == 200, response.text
    absence = decode(response.content, JournalAbsence)
    assert (absence.kind, absence.version, absence.pupil_id) == (AbsenceKind.UNEXCUSED, 1, pupil)
    # Setting again without the version is a conflict, not an overwrite.
    again = problem(
        await send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.LATE, minutes=5)), 409
    )
    assert again.current is not None
    assert current_as(again, JournalAbsence) == absence
    late = await send(
        http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.LATE, minutes=5, version=1)
    )
    assert late.status_code == 200, late.text
    changed = decode(late.content, JournalAbsence)
    assert (changed.kind, changed.minutes, changed.version) == (AbsenceKind.LATE, 5, 2)
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert changed in journal.absences
    removed = await send(http, d.headers, "POST", f"{path}/remove", AbsenceRemove(version=2))
    assert removed.status_code == 200, removed.text
    assert decode(removed.content, JournalAbsence).removed
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert changed.id not in {a.id for a in journal.absences}
    # Set once more after the removal: the same row comes back, a version on.
    back = await send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.EXCUSED))
    assert back.status_code == 200, back.text
    returned = decode(back.content, JournalAbsence)
    assert (returned.id, returned.version, returned.removed) == (absence.id, 4, False)


async def test_topic_and_homework(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    d = await desk(http, login_as, demo)
    lesson = d.lesson
    response = await send(
        http,
        d.headers,
        "PATCH",
        f"/lessons/{lesson.id}/topic",
        TopicSet(version=lesson.version, topic="  Десятичные дроби  "),
    )
    assert response.status_code == 200, response.text
    topic = decode(response.content, JournalLesson)
    assert (topic.topic, topic.version) == ("Десятичные дроби", lesson.version + 1)
    stale = problem(
        await send(
            http,
            d.headers,
            "PATCH",
            f"/lessons/{lesson.id}/topic",
            TopicSet(version=lesson.version, topic="другое"),
        ),
        409,
    )
    assert stale.current is not None
    assert current_as(stale, JournalLesson).topic == "Десятичные дроби"

    path = f"/lessons/{lesson.id}/homework"
    hw = lesson.homework
    due = lesson.date + dt.timedelta(days=2)
    body = HomeworkSet(text="№ 1-5", due=due, version=hw.version if hw else None)
    response = await send(http, d.headers, "PUT", path, body)
    assert response.status_code == 200, response.text
    homework = decode(response.content, JournalHomework)
    assert (homework.text, homework.due) == ("№ 1-5", due)
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert next(x for x in journal.lessons if x.id == lesson.id).homework == homework
    # An empty text removes it.
    removed = await send(
        http, d.headers, "PUT", path, HomeworkSet(text="", due=due, version=homework.version)
    )
    assert removed.status_code == 200, removed.text
    assert decode(removed.content, JournalHomework).text == ""
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert next(x for x in journal.lessons if x.id == lesson.id).homework is None
    early = problem(
        await send(
            http,
            d.headers,
            "PUT",
            path,
            HomeworkSet(text="x", due=lesson.date - dt.timedelta(days=1)),
        ),
        422,
    )
    assert early.field == "due"


async def test_period_mark_set_changed_removed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    d = await desk(http, login_as, demo)
    pupil = next(
        p.id for p in d.journal.pupils if p.id not in {m.pupil_id for m in d.journal.period_marks}
    )
    base: dict[str, Any] = {
        "pupil_id": pupil,
        "subject_id": d.journal.subject.id,
        "period_id": d.journal.period.id,
    }
    response = await send(http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=4, **base))
    assert response.status_code == 200, response.text
    pm = decode(response.content, JournalPeriodMark)
    assert (pm.pupil_id, pm.value, pm.version, pm.removed) == (pupil, 4, 1, False)
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert pm in journal.period_marks
    stale = problem(
        await send(http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=5, **base)), 409
    )
    assert stale.current is not None and current_as(stale, JournalPeriodMark) == pm
    five = await send(
        http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=5, version=1, **base)
    )
    assert decode(five.content, JournalPeriodMark).value == 5
    gone = await send(
        http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=None, version=2, **base)
    )
    assert gone.status_code == 200, gone.text
    assert decode(gone.content, JournalPeriodMark).removed
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert pupil not in {x.pupil_id for x in journal.period_marks}
    off_scale = problem(
        await send(http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=6, **base)), 422
    )
    assert off_scale.field == "value"


async def test_stale_version_gets_409_with_current_and_who(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    d = await desk(http, login_as, demo)
    mark = await give(http, d, 3)
    first = await send(
        http, d.headers, "PATCH", f"/marks/{mark.id}", MarkUpdate(version=1, value=4)
    )
    assert first.status_code == 200
    conflict = problem(
        await send(http, d.headers, "PATCH", f"/marks/{mark.id}", MarkUpdate(version=1, value=5)),
        409,
    )
    assert conflict.field == "version"
    assert conflict.current is not None
    current = current_as(conflict, JournalMark)
    assert (current.value, current.version) == (4, 2)
    who = await me(http, d.headers)
    assert who.last_name in conflict.detail and "version 1" in conflict.detail
    removed = problem(
        await send(http, d.headers, "POST", f"/marks/{mark.id}/remove", MarkRemove(version=1)),
        409,
    )
    assert removed.current is not None
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert next(m for m in journal.marks if m.id == mark.id).value == 4


async def test_old_mark_needs_a_reason(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    d = await desk(http, login_as, demo)
    now = DEMO_NOW
    old = next(m for m in d.journal.marks if now - m.created_at > dt.timedelta(days=8))
    path = f"/marks/{old.id}"
    refused = problem(
        await send(http, d.headers, "PATCH", path, MarkUpdate(version=old.version, value=2)), 422
    )
    assert refused.field == "reason" and "7 days" in refused.detail
    blank = MarkUpdate(version=old.version, value=2, reason="   ")
    assert problem(await send(http, d.headers, "PATCH", path, blank), 422).field == "reason"
    no_reason_remove = MarkRemove(version=old.version)
    assert problem(await send(http, d.headers, "POST", f"{path}/remove", no_reason_remove), 422)
    ok = await send(
        http,
        d.headers,
        "PATCH",
        path,
        MarkUpdate(version=old.version, value=2, reason="ошибка при вводе"),
    )
    assert ok.status_code == 200, ok.text
    rows = await fetch_all(
        demo_url,
        select(s.AuditRecord.reason, s.AuditRecord.before, s.AuditRecord.after)
        .where(s.AuditRecord.entity == "mark", s.AuditRecord.entity_id == old.id)
        .order_by(s.AuditRecord.id),
    )
    # The mark's creation record (the demo school's marks have theirs), then the correction.
    created, *changes = rows
    assert created.before is None and created.after["value"] == old.value
    assert [(r.reason, r.before["value"], r.after["value"]) for r in changes] == [
        ("ошибка при вводе", old.value, 2)
    ]
    # A fresh mark changes without a reason.
    fresh = await give(http, d, 4)
    quick = await send(
        http, d.headers, "PATCH", f"/marks/{fresh.id}", MarkUpdate(version=1, value=5)
    )
    assert quick.status_code == 200, quick.text


async def test_marks_refused_for_future_and_cancelled_lessons(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    d = await desk(http, login_as, demo)
    teacher = await me(http, d.headers)
    future = cancelled = None
    for teaching in teacher.teaching:
        journal = await open_journal(http, d.headers, teaching.class_.id, teaching.subject.id)
        for lesson in journal.lessons:
            if (
                future is None
                and lesson.date > demo.today
                and lesson.status is not LessonStatus.CANCELLED
            ):
                future = (lesson, journal.pupils[0].id)
            if (
                cancelled is None
                and lesson.status is LessonStatus.CANCELLED
                and lesson.date <= demo.today
            ):
                cancelled = (lesson, journal.pupils[0].id)
    assert future is not None
    lesson, pupil = future
    body = MarkCreate(lesson_id=lesson.id, pupil_id=pupil, value=5)
    refused = problem(await send(http, d.headers, "POST", "/marks", body), 422)
    assert refused.field == "lesson_id" and "not happened" in refused.detail
    absent = AbsenceSet(kind=AbsenceKind.UNEXCUSED)
    problem(
        await send(http, d.headers, "PUT", f"/lessons/{lesson.id}/absences/{pupil}", absent), 422
    )
    if cancelled is not None:
        lesson, pupil = cancelled
        body = MarkCreate(lesson_id=lesson.id, pupil_id=pupil, value=5)
        refused = problem(await send(http, d.headers, "POST", "/marks", body), 422)
        assert "cancelled" in refused.detail


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"value": 6}, 422, "value"),
        ({"value": 0}, 422, "value"),
        ({"value": -(10**6)}, 422, "value"),
        ({"value": 10**18}, 422, "value"),
        ({"value": 10**30}, 422, "value"),
        ({"value": "five"}, 400, "value"),
        ({"value": [5]}, 400, "value"),
        ({"value": 4.5}, 400, "value"),
        ({"value": None}, 400, "value"),
        ({"weight": 0}, 422, "weight"),
        ({"weight": 6}, 422, "weight"),
        ({"kind": "bogus"}, 400, "kind"),
        ({"comment": "x" * 2001}, 422, "comment"),
        ({"lesson_id": 99999999}, 422, "lesson_id"),
        ({"lesson_id": 2**40}, 422, "lesson_id"),
        ({"lesson_id": -3}, 422, "lesson_id"),
        ({"pupil_id": 99999999}, 422, "pupil_id"),
        ({"pupil_id": 2**63}, 422, "pupil_id"),
        ({"extra": 1}, 400, "extra"),
    ],
)
async def test_bad_marks_are_refused_plainly(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    d = await desk(http, login_as, demo)
    full = {"lesson_id": d.lesson.id, "pupil_id": d.pupil_id, "value": 4, **body}
    got = problem(await send(http, d.headers, "POST", "/marks", full), status)
    assert got.field == field, got
    assert got.detail


async def test_pupil_of_another_class_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    d = await desk(http, login_as, demo)
    teacher = await me(http, d.headers)
    other = next(t for t in teacher.teaching if t.class_.id != d.journal.class_.id)
    stranger = (await open_journal(http, d.headers, other.class_.id, other.subject.id)).pupils[0]
    body = MarkCreate(lesson_id=d.lesson.id, pupil_id=stranger.id, value=4)
    got = problem(await send(http, d.headers, "POST", "/marks", body), 422)
    assert got.field == "pupil_id" and d.journal.class_.name in got.detail


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/marks", b"{not json"),
        ("POST", "/marks", b""),
        ("POST", "/marks", b"[]"),
        ("POST", "/marks", b'{"lesson_id": "a", "pupil_id": 1, "value": 4}'),
        ("PATCH", "/marks/1", b'{"version": "x"}'),
        ("PATCH", "/marks/99999999", b'{"version": 1, "value": 4}'),
        ("PATCH", "/marks/99999999999999999999", b'{"version": 1}'),
        ("POST", "/marks/0/remove", b'{"version": 1}'),
        ("PUT", "/lessons/99999999/absences/1", b'{"kind": "late", "minutes": 5}'),
        ("PUT", "/lessons/1/absences/99999999999", b'{"kind": "illness"}'),
        ("PUT", "/lessons/1/absences/1", b'{"kind": "asleep"}'),
        ("POST", "/lessons/1/absences/1/remove", b'{"version": null}'),
        ("PATCH", "/lessons/99999999/topic", b'{"version": 1, "topic": "x"}'),
        ("PATCH", "/lessons/1/topic", b'{"version": 1, "topic": 5}'),
        ("PUT", "/lessons/1/homework", b'{"text": "x", "due": "2026-02-30"}'),
        ("PUT", "/lessons/99999999/homework", b'{"text": "x", "due": "2026-12-01"}'),
        ("PUT", "/period-marks", b'{"pupil_id": 1, "subject_id": 1, "period_id": 1}'),
        (
            "PUT",
            "/period-marks",
            b'{"pupil_id": 1, "subject_id": 99999999999, "period_id": 1, "value": 4}',
        ),
        (
            "PUT",
            "/period-marks",
            b'{"pupil_id": 99999999, "subject_id": 1, "period_id": 1, "value": 4}',
        ),
    ],
)
async def test_bad_input_never_5xx(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    method: str,
    path: str,
    content: bytes,
) -> None:
    response = await send(http, await login_as(http, "teacher"), method, path, content)
    assert 400 <= response.status_code < 500, response.text
    assert decode(response.content, Problem).detail


async def test_two_first_writes_at_once_one_wins_one_conflicts(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """Two devices set the same absence or period mark at once: one is saved, the other gets
    409 with it; neither doubles the row nor fails with 500."""
    d = await desk(http, login_as, demo)
    pupil = next(
        p.id
        for p in d.journal.pupils
        if p.id not in {m.pupil_id for m in d.journal.period_marks}
        and not any(a.pupil_id == p.id and a.lesson_id == d.lesson.id for a in d.journal.absences)
    )
    path = f"/lessons/{d.lesson.id}/absences/{pupil}"
    absences = await asyncio.gather(
        send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.ILLNESS)),
        send(http, d.headers, "PUT", path, AbsenceSet(kind=AbsenceKind.UNEXCUSED)),
    )
    assert sorted(r.status_code for r in absences) == [200, 409], [r.text for r in absences]
    body: dict[str, Any] = {
        "pupil_id": pupil,
        "subject_id": d.journal.subject.id,
        "period_id": d.journal.period.id,
    }
    marks = await asyncio.gather(
        send(http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=4, **body)),
        send(http, d.headers, "PUT", "/period-marks", PeriodMarkSet(value=5, **body)),
    )
    assert sorted(r.status_code for r in marks) == [200, 409], [r.text for r in marks]
    journal = await open_journal(http, d.headers, d.journal.class_.id, d.journal.subject.id)
    assert (
        len([a for a in journal.absences if a.pupil_id == pupil and a.lesson_id == d.lesson.id])
        == 1
    )
    assert len([m for m in journal.period_marks if m.pupil_id == pupil]) == 1
