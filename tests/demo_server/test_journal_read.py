"""``GET /journal``: what a teacher, a class teacher and the administration see; refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.models import Journal, Problem, decode
from tests.conftest import LoginAs
from tests.demo_server.journal_support import API, me, open_journal


async def test_teacher_opens_their_journal(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    headers = await login_as(http, "teacher")
    teaching = (await me(http, headers)).teaching[0]
    journal = await open_journal(http, headers, teaching.class_.id, teaching.subject.id)
    assert journal.class_.id == teaching.class_.id
    assert journal.subject.id == teaching.subject.id
    # The default period is the one holding today.
    assert journal.period.start <= demo.today <= journal.period.end
    assert journal.period in journal.periods
    assert [p.start for p in journal.periods] == sorted(p.start for p in journal.periods)
    assert (journal.scale.min, journal.scale.max) == (1, 5)
    assert journal.reason_after_days == 7
    # Pupils numbered in surname order.
    assert 5 <= len(journal.pupils) <= 35
    assert [p.number for p in journal.pupils] == list(range(1, len(journal.pupils) + 1))
    names = [(p.last_name.casefold(), p.first_name.casefold()) for p in journal.pupils]
    assert names == sorted(names)
    # Lessons of this class and subject in the period, in order.
    assert journal.lessons
    keys = [(lesson.date, lesson.number) for lesson in journal.lessons]
    assert keys == sorted(keys)
    assert all(journal.period.start <= d <= journal.period.end for d, _ in keys)
    lesson_ids = {lesson.id for lesson in journal.lessons}
    pupil_ids = {p.id for p in journal.pupils}
    assert journal.marks, "a term in progress has marks"
    for mark in journal.marks:
        assert mark.lesson_id in lesson_ids and not mark.removed
        assert journal.scale.min <= mark.value <= journal.scale.max
    for absence in journal.absences:
        assert absence.lesson_id in lesson_ids and absence.pupil_id in pupil_ids


async def test_other_period_and_admin_read_only(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "teacher")
    teaching = (await me(http, headers)).teaching[0]
    current = await open_journal(http, headers, teaching.class_.id, teaching.subject.id)
    first = current.periods[0]
    earlier = await open_journal(http, headers, teaching.class_.id, teaching.subject.id, first.id)
    assert earlier.period == first
    assert all(first.start <= lesson.date <= first.end for lesson in earlier.lessons)
    admin = await login_as(http, "admin")
    seen = await open_journal(http, admin, teaching.class_.id, teaching.subject.id)
    assert seen == current


async def test_class_teacher_sees_any_subject_of_their_class(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "classteacher")
    who = await me(http, headers)
    assert who.homeroom is not None
    teacher = await login_as(http, "teacher")
    # A subject the class teacher does not teach in their class.
    taught = {t.subject.id for t in who.teaching if t.class_.id == who.homeroom.id}
    other_subjects = {t.subject.id for t in (await me(http, teacher)).teaching} - taught
    subject_id = next(iter(other_subjects)) if other_subjects else next(iter(taught))
    journal = await open_journal(http, headers, who.homeroom.id, subject_id)
    assert journal.class_.id == who.homeroom.id


@pytest.mark.parametrize("viewer", ["parent", "pupil", "it", "nurse", "authority"])
async def test_other_roles_are_refused(
    http: httpx.AsyncClient, login_as: LoginAs, viewer: str
) -> None:
    teacher = await login_as(http, "teacher")
    teaching = (await me(http, teacher)).teaching[0]
    response = await http.get(
        f"{API}/journal",
        params={"class_id": teaching.class_.id, "subject_id": teaching.subject.id},
        headers=await login_as(http, viewer),
    )
    assert response.status_code == 403, response.text
    assert decode(response.content, Problem).status == 403


async def test_a_teacher_of_another_class_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    teacher = await login_as(http, "teacher")
    mine = {(t.class_.id, t.subject.id) for t in (await me(http, teacher)).teaching}
    classteacher = await login_as(http, "classteacher")
    theirs = [
        (t.class_.id, t.subject.id)
        for t in (await me(http, classteacher)).teaching
        if (t.class_.id, t.subject.id) not in mine
    ]
    assert theirs
    class_id, subject_id = theirs[0]
    who = await me(http, teacher)
    if who.homeroom is not None and who.homeroom.id == class_id:
        pytest.skip("the teacher leads that class")
    response = await http.get(
        f"{API}/journal",
        params={"class_id": class_id, "subject_id": subject_id},
        headers=teacher,
    )
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"class_id": 999999, "subject_id": 1}, 404, "class_id"),
        ({"class_id": 10**30, "subject_id": 1}, 404, "class_id"),
        ({"class_id": 2**40, "subject_id": 1}, 404, "class_id"),
        ({"class_id": -1, "subject_id": 1}, 404, "class_id"),
        ({"class_id": "x", "subject_id": 1}, 400, "class_id"),
        ({"subject_id": 1}, 400, "class_id"),
    ],
)
async def test_bad_queries(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    params: dict[str, Any],
    status: int,
    field: str,
) -> None:
    response = await http.get(
        f"{API}/journal", params=params, headers=await login_as(http, "teacher")
    )
    assert response.status_code == status, response.text
    problem = decode(response.content, Problem)
    assert problem.field == field


async def test_unknown_subject_and_period(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "teacher")
    teaching = (await me(http, headers)).teaching[0]
    for params, field in (
        ({"class_id": teaching.class_.id, "subject_id": 999999}, "subject_id"),
        (
            {"class_id": teaching.class_.id, "subject_id": teaching.subject.id, "period_id": 999},
            "period_id",
        ),
    ):
        response = await http.get(f"{API}/journal", params=params, headers=headers)
        assert response.status_code == 404, response.text
        assert decode(response.content, Problem).field == field


async def test_unchanged_journal_is_304(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "teacher")
    teaching = (await me(http, headers)).teaching[0]
    params = {"class_id": teaching.class_.id, "subject_id": teaching.subject.id}
    first = await http.get(f"{API}/journal", params=params, headers=headers)
    decode(first.content, Journal)
    again = await http.get(
        f"{API}/journal",
        params=params,
        headers={**headers, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


async def test_a_substitute_opens_the_journal_of_their_lesson(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    from sqlalchemy import select

    from demo_server import schema as s
    from tests.demo_server.journal_support import fetch_all

    rows = await fetch_all(
        demo_url,
        select(s.Lesson.class_id, s.Lesson.subject_id, s.User.login)
        .join(s.User, s.User.id == s.Lesson.substitute_id)
        .where(
            ~select(s.TeachingAssignment.id)
            .where(
                s.TeachingAssignment.teacher_id == s.Lesson.substitute_id,
                s.TeachingAssignment.class_id == s.Lesson.class_id,
                s.TeachingAssignment.subject_id == s.Lesson.subject_id,
            )
            .exists()
        )
        .limit(1),
    )
    if not rows:
        pytest.skip("no substitution outside the substitute's own teaching")
    class_id, subject_id, login = rows[0]
    headers = await login_as(http, login)
    journal = await open_journal(http, headers, class_id, subject_id)
    assert journal.class_.id == class_id
