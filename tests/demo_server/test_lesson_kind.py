"""A lesson's kind: a test (a quiz, ...) set through PATCH /lessons/{id}/kind, versioned,
audited, refused at a cancelled lesson; the demo school's control lessons are tests whose
marks have the test's kind and weight."""

from __future__ import annotations

from typing import Any

import httpx

from api_client.models import (
    JournalLesson,
    LessonKind,
    LessonKindSet,
    LessonStatus,
    Problem,
    decode,
)
from tests.conftest import LoginAs
from tests.demo_server.journal_support import API, me, open_journal, send, teacher_desk


async def test_a_lesson_is_made_a_test_once_per_version_and_audited(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    headers = await login_as(http, "teacher")
    desk = await teacher_desk(http, headers, demo.today)
    lesson = desk.lesson
    kind = LessonKind.QUIZ if lesson.kind is LessonKind.TEST else LessonKind.TEST
    body = LessonKindSet(version=lesson.version, kind=kind, weight=3)
    answer = await send(http, headers, "PATCH", f"/lessons/{lesson.id}/kind", body)
    assert answer.status_code == 200, answer.text
    made = decode(answer.content, JournalLesson)
    assert (made.kind, made.weight, made.version) == (kind, 3, lesson.version + 1)
    # The same version again is stale: 409 with the lesson as it is now.
    stale = await send(http, headers, "PATCH", f"/lessons/{lesson.id}/kind", body)
    assert stale.status_code == 409, stale.text
    assert decode(stale.content, Problem).field == "version"
    heavy = LessonKindSet(version=made.version, kind=kind, weight=9)
    refused = await send(http, headers, "PATCH", f"/lessons/{lesson.id}/kind", heavy)
    assert refused.status_code == 422 and decode(refused.content, Problem).field == "weight"
    admin = await login_as(http, "admin")
    audit = await http.get(f"{API}/audit", headers=admin)
    assert audit.status_code == 200 and "lesson_kind" in audit.text


async def test_a_cancelled_lesson_is_made_no_test(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    headers = await login_as(http, "teacher")
    desk = await teacher_desk(http, headers, demo.today)
    admin = await login_as(http, "admin")
    lesson_id = desk.lesson.id
    detail = await http.get(f"{API}/lessons/{lesson_id}", headers=admin)
    assert detail.status_code == 200, detail.text
    version = detail.json().get("version", 1)
    cancelled = await http.patch(
        f"{API}/lessons/{lesson_id}",
        json={"version": version, "status": LessonStatus.CANCELLED.value, "reason": "Trip"},
        headers={**admin, "Idempotency-Key": "cancel-for-kind"},
    )
    assert cancelled.status_code == 200, cancelled.text
    body = LessonKindSet(version=version + 1, kind=LessonKind.TEST, weight=3)
    answer = await send(http, headers, "PATCH", f"/lessons/{lesson_id}/kind", body)
    assert answer.status_code == 422, answer.text
    assert "cancelled" in decode(answer.content, Problem).detail


async def test_the_demo_schools_control_lessons_are_tests_with_their_marks_weight(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    headers = await login_as(http, "teacher")
    teacher = await me(http, headers)
    tests = 0
    for teaching in teacher.teaching:
        journal = await open_journal(http, headers, teaching.class_.id, teaching.subject.id)
        for lesson in journal.lessons:
            if lesson.kind is LessonKind.LESSON:
                continue
            tests += 1
            for mark in journal.marks:
                if mark.lesson_id == lesson.id:
                    assert mark.kind is lesson.kind.mark_kind and mark.weight == lesson.weight
    assert tests > 0
