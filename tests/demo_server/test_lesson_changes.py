"""The administration changes the timetable (``PATCH /lessons/{id}``): the change reaches the
feed once, for exactly the users allowed; stale versions, bad input and replays.

The mini school: today is Wednesday 25 November 2026; ``mon1`` is 5А maths on Monday with two
marks; ``wed1`` 5А maths today at bell 1, when ``teacher2`` teaches 6Б history; ``tue1`` 5А
history, cancelled; ``prev_mon1`` nine days ago.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import insert, select

from api_client.models import (
    ChangeFeed,
    ChangeItem,
    LessonDetail,
    LessonStatus,
    Problem,
    Week,
    decode,
)
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.notify import describe
from tests.conftest import LoginAs
from tests.demo_server.journal_support import current_as, fetch_all, new_key, send

FEED = "/api/v1/changes"

#: Who hears of a change to a 5А lesson: its families, its teachers, the administration.
HEARS = {"parent", "pupil", "mover", "teacher", "classteacher", "teacher2", "admin"}
DEAF = {"sibling", "other_parent", "stranger", "nurse", "it", "authority"}


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def cursor(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await http.get(FEED, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, ChangeFeed).next


async def lesson_changes(
    http: httpx.AsyncClient, headers: dict[str, str], since: str
) -> list[ChangeItem]:
    response = await http.get(FEED, params={"since": since, "limit": 500}, headers=headers)
    assert response.status_code == 200, response.text
    feed = decode(response.content, ChangeFeed)
    assert not feed.more
    return [c for c in feed.changes if c.kind == "lesson.changed"]


async def change(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    lesson_id: int,
    body: dict[str, Any],
    key: str | None = None,
) -> httpx.Response:
    return await send(http, headers, "PATCH", f"/lessons/{lesson_id}", body, key)


async def add_outside_teacher(demo_url: str, demo: Any) -> int:
    """A teacher of the school who neither teaches nor leads 5А (login ``teacher3``)."""
    [(password_hash,)] = await fetch_all(
        demo_url, select(s.User.password_hash).where(s.User.id == demo.ids["teacher"])
    )
    engine = make_engine(demo_url)
    try:
        async with engine.begin() as conn:
            return int(
                (
                    await conn.execute(
                        insert(s.User)
                        .values(
                            school_id=demo.school_id,
                            login="teacher3",
                            password_hash=password_hash,
                            role="teacher",
                            first_name="Сергей",
                            last_name="Лебедев",
                            middle_name="Андреевич",
                        )
                        .returning(s.User.id)
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()


async def add_other_school_lesson(demo_url: str) -> int:
    """A lesson of another school on the same server."""
    engine = make_engine(demo_url)
    try:
        async with engine.begin() as conn:

            async def add(table: Any, **values: Any) -> int:
                return int(
                    (
                        await conn.execute(insert(table).values(**values).returning(table.id))
                    ).scalar_one()
                )

            school = await add(s.School, name="Школа № 2")
            year = await add(
                s.AcademicYear,
                school_id=school,
                name="2026/27",
                start=dt.date(2026, 9, 1),
                end=dt.date(2027, 5, 31),
            )
            cls = await add(s.SchoolClass, school_id=school, year_id=year, grade=5, letter="А")
            subject = await add(s.Subject, school_id=school, name="Физика")
            teacher = await add(
                s.User,
                school_id=school,
                login="school2_teacher",
                password_hash="x",
                role="teacher",
                first_name="Иван",
                last_name="Петров",
            )
            return await add(
                s.Lesson,
                class_id=cls,
                subject_id=subject,
                teacher_id=teacher,
                date=dt.date(2026, 11, 26),
                number=1,
                room="1",
                planned_room="1",
            )
    finally:
        await engine.dispose()


async def test_a_cancellation_reaches_exactly_the_class_once(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    viewers = sorted(HEARS | DEAF)
    heads = {v: await login_as(http, v) for v in viewers}
    starts = {v: await cursor(http, heads[v]) for v in viewers}

    response = await change(
        http,
        heads["admin"],
        ids["mon1"],
        {"version": 1, "status": "cancelled", "reason": "Учитель заболел"},
    )
    assert response.status_code == 200, response.text
    lesson = decode(response.content, LessonDetail)
    assert lesson.status is LessonStatus.CANCELLED and lesson.version == 2
    assert lesson.note == "Учитель заболел"
    # Cancelling deletes nothing: the marks stay and the answer says so.
    assert lesson.marks == 2
    assert "2 marks" in lesson.notice and "deletes nothing" in lesson.notice

    for viewer in viewers:
        items = await lesson_changes(http, heads[viewer], starts[viewer])
        expected = 1 if viewer in HEARS else 0
        assert len(items) == expected, (viewer, items)
    [item] = await lesson_changes(http, heads["parent"], starts["parent"])
    assert item.entity_id == ids["mon1"] and item.class_id == ids["c5a"]
    assert item.actor == "Елена Орлова"
    assert item.payload["status"] == "cancelled"
    assert item.payload["old"] == {
        "status": "planned",
        "room": "101",
        "substitute": "",
        "substitute_id": None,
    }
    assert describe(item) == "Математика on Monday 23 Nov is cancelled"

    # The parent's week shows it cancelled with the reason; the marks are still there.
    week = await http.get(
        f"/api/v1/pupils/{ids['pupil']}/week",
        params={"date": "2026-11-23"},
        headers=heads["parent"],
    )
    assert week.status_code == 200, week.text
    [monday] = [x for x in decode(week.content, Week).lessons if x.id == ids["mon1"]]
    assert monday.status is LessonStatus.CANCELLED and monday.note == "Учитель заболел"
    assert [m.value for m in monday.marks] == [5]

    # One audit record, with the reason; no new mark can be given at the cancelled lesson.
    records = await fetch_all(
        demo_url,
        select(s.AuditRecord.before, s.AuditRecord.after, s.AuditRecord.reason).where(
            s.AuditRecord.entity == "lesson", s.AuditRecord.entity_id == ids["mon1"]
        ),
    )
    assert len(records) == 1
    assert records[0].before["status"] == "planned"
    assert records[0].after["status"] == "cancelled"
    assert records[0].reason == "Учитель заболел"
    refused = await send(
        http,
        heads["teacher"],
        "POST",
        "/marks",
        {"lesson_id": ids["mon1"], "pupil_id": ids["pupil"], "value": 4},
    )
    assert refused.status_code == 422 and "cancelled" in refused.text

    # Restored: back as planned, the cancellation's note goes with it.
    restored = await change(http, heads["admin"], ids["mon1"], {"version": 2, "status": "planned"})
    assert restored.status_code == 200, restored.text
    back = decode(restored.content, LessonDetail)
    assert back.status is LessonStatus.PLANNED and back.note == "" and back.version == 3
    items = await lesson_changes(http, heads["pupil"], starts["pupil"])
    assert [describe(i) for i in items] == [
        "Математика on Monday 23 Nov is cancelled",
        "Математика on Monday 23 Nov is back as planned",
    ]


async def test_a_substitute_from_outside_the_class_hears_of_it(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    outsider = await add_outside_teacher(demo_url, demo)
    admin = await login_as(http, "admin")
    heads = {v: await login_as(http, v) for v in ("teacher3", "teacher", "parent", "admin")}
    starts = {v: await cursor(http, h) for v, h in heads.items()}

    detail = await http.get(f"/api/v1/lessons/{ids['wed1']}", headers=admin)
    assert detail.status_code == 200, detail.text
    offered = {t.id: t for t in decode(detail.content, LessonDetail).teachers}
    assert ids["teacher"] not in offered  # the lesson's own teacher
    assert offered[ids["teacher2"]].busy == "6Б История"
    assert offered[outsider].busy == ""

    response = await change(
        http, admin, ids["wed1"], {"version": 1, "substitute_id": outsider, "room": "305"}
    )
    assert response.status_code == 200, response.text
    lesson = decode(response.content, LessonDetail)
    assert lesson.status is LessonStatus.SUBSTITUTED
    assert lesson.substitute == "Лебедев С. А." and lesson.room == "305"
    assert lesson.planned_room == "101"

    for viewer in heads:
        items = await lesson_changes(http, heads[viewer], starts[viewer])
        assert len(items) == 1, (viewer, items)
        assert items[0].payload["substitute"] == "Лебедев С. А."
        assert items[0].payload["substitute_id"] == outsider
        assert describe(items[0]) == (
            "Математика on Wednesday 25 Nov has another teacher (Лебедев С. А.), room 305"
        )

    week = await http.get(f"/api/v1/pupils/{ids['pupil']}/week", headers=heads["parent"])
    [today] = [x for x in decode(week.content, Week).lessons if x.id == ids["wed1"]]
    assert today.teacher == "Лебедев С. А." and today.original_teacher == "Смирнова А. П."
    assert today.room == "305" and today.original_room == "101"

    # Taken away again, back in the timetable's room: the outsider is told too.
    cleared = await change(
        http, admin, ids["wed1"], {"version": 2, "substitute_id": None, "room": ""}
    )
    assert cleared.status_code == 200, cleared.text
    back = decode(cleared.content, LessonDetail)
    assert back.status is LessonStatus.PLANNED and back.substitute_id is None
    assert back.room == "101"
    items = await lesson_changes(http, heads["teacher3"], starts["teacher3"])
    assert len(items) == 2
    assert describe(items[1]) == "Математика on Wednesday 25 Nov is back as planned, room 101"
    assert items[1].payload["old"]["substitute_id"] == outsider  # type: ignore[index]


async def test_a_stale_version_gets_409_with_the_current_lesson(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    admin = await login_as(http, "admin")
    lesson = demo.ids["next_mon1"]
    first = await change(http, admin, lesson, {"version": 1, "room": "210"})
    assert first.status_code == 200, first.text
    stale = await change(http, admin, lesson, {"version": 1, "status": "cancelled"})
    assert stale.status_code == 409, stale.text
    problem = decode(stale.content, Problem)
    assert problem.field == "version"
    assert "Елена Орлова" in problem.detail and "version 2" in problem.detail
    current = current_as(problem, LessonDetail)
    assert current.version == 2 and current.room == "210"
    assert current.status is LessonStatus.PLANNED
    parent = await login_as(http, "parent")
    week = await http.get(
        f"/api/v1/pupils/{demo.ids['pupil']}/week",
        params={"date": "2026-11-30"},
        headers=parent,
    )
    [moved] = [x for x in decode(week.content, Week).lessons if x.id == lesson]
    assert moved.room == "210" and moved.original_room == "101"


async def test_a_replay_changes_nothing_more(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    admin = await login_as(http, "admin")
    parent = await login_as(http, "parent")
    since = await cursor(http, parent)
    lesson = demo.ids["wed1"]
    key = new_key()
    body = {"version": 1, "status": "cancelled"}
    first = await change(http, admin, lesson, body, key)
    again = await change(http, admin, lesson, body, key)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.content == again.content
    assert len(await lesson_changes(http, parent, since)) == 1
    audit = await fetch_all(
        demo_url, select(s.AuditRecord.id).where(s.AuditRecord.entity == "lesson")
    )
    assert len(audit) == 1
    # The same key with another body is a client's bug, not a second change.
    other = await change(http, admin, lesson, {"version": 2, "status": "planned"}, key)
    assert other.status_code >= 400 and other.status_code != 500
    # Asking for what already is: no new version, no news.
    same = await change(http, admin, lesson, {"version": 2, "status": "cancelled"})
    assert same.status_code == 200 and decode(same.content, LessonDetail).version == 2
    assert len(await lesson_changes(http, parent, since)) == 1


REFUSALS: list[tuple[str, str, dict[str, Any], int, str, str]] = [
    # case, lesson, body, status, field, words in the detail
    ("moved", "wed1", {"status": "moved"}, 422, "status", "not moved here"),
    ("substituted", "wed1", {"status": "substituted"}, 422, "status", "substitute_id"),
    ("own teacher", "wed1", {"substitute_id": "{teacher}"}, 422, "substitute_id", "own teacher"),
    ("a pupil", "wed1", {"substitute_id": "{pupil}"}, 422, "substitute_id", "not a teacher"),
    ("no such", "wed1", {"substitute_id": 999999}, 422, "substitute_id", "no teacher"),
    ("bad id", "wed1", {"substitute_id": -1}, 422, "substitute_id", "at least 1"),
    ("busy", "wed1", {"substitute_id": "{teacher2}"}, 422, "substitute_id", "6Б История"),
    ("control", "wed1", {"room": "20\x074"}, 422, "room", "control characters"),
    ("long room", "wed1", {"room": "x" * 21}, 422, "room", "20"),
    ("past", "prev_mon1", {"status": "cancelled"}, 422, "lesson_id", "more than 7 days"),
    ("unknown field", "wed1", {"teacher_id": 1}, 400, "teacher_id", "teacher_id"),
    ("bad status", "wed1", {"status": "gone"}, 400, "status", "status"),
]


@pytest.mark.readonly
@pytest.mark.parametrize(
    ("lesson", "body", "status", "field", "words"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSALS],
)
async def test_nonsense_is_refused_in_plain_words(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    lesson: str,
    body: dict[str, Any],
    status: int,
    field: str,
    words: str,
) -> None:
    ids = demo.ids
    filled = {
        k: ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()
    }
    admin = await login_as(http, "admin")
    response = await change(http, admin, ids[lesson], {"version": 1, **filled})
    assert response.status_code == status, response.text
    problem = decode(response.content, Problem)
    assert problem.field == field, problem
    assert words in problem.detail, problem.detail


@pytest.mark.readonly
async def test_missing_version_key_and_lesson(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    admin = await login_as(http, "admin")
    lesson = demo.ids["wed1"]
    no_version = await change(http, admin, lesson, {"status": "cancelled"})
    assert no_version.status_code == 400
    assert decode(no_version.content, Problem).field == "version"
    no_key = await http.patch(
        f"/api/v1/lessons/{lesson}", json={"version": 1, "status": "cancelled"}, headers=admin
    )
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.text
    for missing in (999999, 0, 2**40):
        response = await change(http, admin, missing, {"version": 1})
        assert response.status_code == 404, (missing, response.text)


async def test_another_schools_lesson_is_not_found(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    foreign = await add_other_school_lesson(demo_url)
    admin = await login_as(http, "admin")
    patched = await change(http, admin, foreign, {"version": 1, "status": "cancelled"})
    missing = await change(http, admin, 999999, {"version": 1, "status": "cancelled"})
    assert patched.status_code == missing.status_code == 404
    assert patched.content == missing.content
    got = await http.get(f"/api/v1/lessons/{foreign}", headers=admin)
    assert got.status_code == 404
    [(status,)] = await fetch_all(demo_url, select(s.Lesson.status).where(s.Lesson.id == foreign))
    assert status == "planned"


async def test_a_cancelled_lesson_is_restored(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, app: Litestar
) -> None:
    admin = await login_as(http, "admin")
    lesson = demo.ids["tue1"]
    response = await change(http, admin, lesson, {"version": 1, "status": "planned"})
    assert response.status_code == 200, response.text
    restored = decode(response.content, LessonDetail)
    assert restored.status is LessonStatus.PLANNED
    assert restored.note == ""  # "Учитель на курсах" no longer holds
    assert restored.notice == ""
