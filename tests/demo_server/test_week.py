"""The week endpoint over the hand-made school: every case the week screen must show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from api_client.models import AbsenceKind, EventKind, LessonStatus, Me, Role, Week, decode
from tests.conftest import LoginAs


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def week(
    http: httpx.AsyncClient, headers: dict[str, str], pupil_id: int, date: str | None = None
) -> Week:
    params = {"date": date} if date else {}
    response = await http.get(f"/api/v1/pupils/{pupil_id}/week", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Week)


async def test_parents_week_of_a_child(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    w = await week(http, await login_as(http, "parent"), ids["pupil"])
    assert (w.start, w.end) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert w.pupil.id == ids["pupil"] and w.pupil.class_ is not None
    assert w.pupil.class_.name == "5А"
    assert [b.number for b in w.bells] == [1, 2, 3]
    assert [lesson.id for lesson in w.lessons] == [
        ids["mon1"],
        ids["mon2"],
        ids["tue1"],
        ids["wed1"],
    ]
    mon1, mon2, tue1, wed1 = w.lessons
    assert (mon1.start, mon1.end, mon1.subject.name, mon1.topic) == (
        "08:30",
        "09:15",
        "Математика",
        "Дроби",
    )
    assert mon1.teacher == "Смирнова А. П." and mon1.status is LessonStatus.PLANNED
    assert mon1.original_teacher == "" and mon1.original_room == ""
    # Homework given at the lesson, without the removed one; attachment and done tick.
    assert [h.id for h in mon1.homework] == [ids["hw1"]]
    assert mon1.homework[0].done and mon1.homework[0].attachments[0].name == "task.pdf"
    # The pupil's own marks, not removed; edited after a change; not a classmate's.
    assert [m.id for m in mon1.marks] == [ids["mark_edited"]]
    mark = mon1.marks[0]
    assert (mark.value, mark.weight, mark.version, mark.edited) == (5, 2, 2, True)
    assert mark.author == "Смирнова А. П." and mark.comment == "Молодец"
    # Substitution with a room change.
    assert mon2.status is LessonStatus.SUBSTITUTED
    assert (mon2.teacher, mon2.original_teacher) == ("Козлов П. И.", "Иванова О. С.")
    assert (mon2.room, mon2.original_room) == ("204", "101")
    assert mon2.absence is not None and mon2.absence.kind is AbsenceKind.LATE
    assert mon2.absence.minutes == 10
    assert tue1.status is LessonStatus.CANCELLED and tue1.note == "Учитель на курсах"
    assert wed1.marks == [] and wed1.absence is None
    # Events of the school and of the pupil's class, in the school's local week.
    assert [e.id for e in w.events] == [ids["meeting"], ids["concert"]]
    assert w.events[0].kind is EventKind.PARENT_MEETING
    assert w.events[0].starts_at == dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC)
    assert w.holidays == [dt.date(2026, 11, 27)]


async def test_any_day_of_the_week_gives_the_same_week(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    headers = await login_as(http, "parent")
    monday = await week(http, headers, demo.ids["pupil"], "2026-11-23")
    sunday = await week(http, headers, demo.ids["pupil"], "2026-11-29")
    default = await week(http, headers, demo.ids["pupil"])  # today is 2026-11-25
    assert monday == sunday == default
    previous = await week(http, headers, demo.ids["pupil"], "2026-11-22")
    assert previous.start == dt.date(2026, 11, 16)
    assert [lesson.id for lesson in previous.lessons] == [demo.ids["prev_mon1"]]
    assert previous.events == [] and previous.holidays == []


async def test_a_pupil_who_moves_class_mid_week(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    w = await week(http, await login_as(http, "admin"), ids["mover"], "2026-11-25")
    # 6Б on Monday and Tuesday, 5А from Wednesday.
    assert [lesson.id for lesson in w.lessons] == [ids["c6b_mon1"], ids["wed1"]]
    assert w.pupil.class_ is not None and w.pupil.class_.name == "5А"
    assert [m.id for m in w.lessons[0].marks] == []


async def test_me_for_each_role(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids

    async def me(login: str) -> Me:
        response = await http.get("/api/v1/me", headers=await login_as(http, login))
        assert response.status_code == 200, response.text
        return decode(response.content, Me)

    parent = await me("parent")
    assert parent.role is Role.PARENT and parent.school.name == "Школа № 1"
    assert {(c.id, c.class_.name if c.class_ else None) for c in parent.children} == {
        (ids["pupil"], "5А"),
        (ids["sibling"], "6Б"),
    }
    pupil = await me("pupil")
    assert [c.id for c in pupil.children] == [ids["pupil"]] and pupil.teaching == []
    classteacher = await me("classteacher")
    assert classteacher.homeroom is not None and classteacher.homeroom.name == "5А"
    assert [(t.class_.name, t.subject.name) for t in classteacher.teaching] == [
        ("5А", "Русский язык")
    ]
    teacher = await me("teacher")
    assert teacher.homeroom is None
    assert [t.class_.name for t in teacher.teaching] == ["5А", "6Б"]
    it = await me("it")
    assert it.role is Role.IT_STAFF and it.children == [] and it.teaching == []


async def test_the_week_takes_a_constant_number_of_queries(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    engine = app.state["server"].engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    headers = await login_as(http, "admin")
    await week(http, headers, demo.ids["pupil"])  # warm up (the signing secret)
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        statements.clear()
        await week(http, headers, demo.ids["pupil"], "2026-11-23")  # four lessons
        busy = len(statements)
        statements.clear()
        await week(http, headers, demo.ids["pupil"], "2026-11-16")  # one lesson
        quiet = len(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert busy <= 14  # auth, access, then one query per part of the week
    assert quiet <= busy
