"""Set-up files write through the set-up services the API uses: groups with their teachers and
pupils, a group's teaching assignment, timetable rows of a group and of alternate weeks, and the
lessons made from the timetable (school days of the periods, holidays left out), made again
when an imported row changes, exactly as ``POST /timetable`` does.

The district school: today Wednesday 25 November 2026, its second quarter from 5 November to 28
December, a holiday on Friday 27 November; 5А has ``pupil`` and, from today, ``mover``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api_client.models import SetupImportReport, decode
from demo_server import schema as s
from demo_server.db import make_engine, make_sessionmaker
from tests.conftest import LoginAs

API = "/api/v1"

GROUPS = (
    "класс;предмет;группа;учитель;ученики\n"
    "5А;Математика;1;teacher;pupil\n"
    "5А;Математика;2;teacher2;Новиков Дима\n"
)
ASSIGNMENTS = (
    "учитель;класс;предмет;группа\nteacher;5А;Математика;1\nclassteacher;5А;Математика;2\n"
)
TIMETABLE = (
    "класс;группа;день;урок;предмет;учитель;кабинет;недели\n"
    "5А;1;пт;3;Математика;teacher;;нечётные\n"
    "5А;2;пт;3;Математика;teacher2;;\n"
)


@pytest.fixture
def school_kind() -> str:
    return "district"


async def send(http: httpx.AsyncClient, headers: dict[str, str], kind: str, body: str) -> Any:
    answer = await http.post(
        f"{API}/setup/import/{kind}",
        params={"dry_run": "false"},
        content=body.encode(),
        headers={**headers, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code == 200, (kind, answer.text)
    return decode(answer.content, SetupImportReport)


async def lessons_of_groups(url: str) -> dict[str, list[tuple[dt.date, str]]]:
    """Each group's lessons from today on: (day, planned room) by the group's name."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = await db.execute(
                select(s.ClassGroup.name, s.Lesson.date, s.Lesson.planned_room)
                .join(s.Lesson, s.Lesson.group_id == s.ClassGroup.id)
                .where(s.Lesson.date >= dt.date(2026, 11, 25))
                .order_by(s.ClassGroup.name, s.Lesson.date)
            )
            out: dict[str, list[tuple[dt.date, str]]] = {}
            for name, day, room in rows:
                out.setdefault(name, []).append((day, room))
            return out
    finally:
        await engine.dispose()


async def scalar(url: str, query: Any) -> Any:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return await db.scalar(query)
    finally:
        await engine.dispose()


async def test_groups_and_their_alternate_week_timetable_import_with_their_lessons(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    it = await login_as(http, "it")
    # Counted against what is there before: the neighbour school has a group and its pupil.
    current_members = (
        select(func.count()).select_from(s.GroupMember).where(s.GroupMember.end.is_(None))
    )
    members_before = await scalar(demo_url, current_members)
    groups = await send(http, it, "groups", GROUPS)
    assert (groups.created, groups.refused) == (2, 0)
    assert await scalar(demo_url, current_members) == members_before + 2
    # A group's teacher gets the group's assignment with the group, as POST /groups gives it.
    assignments = await send(http, it, "assignments", ASSIGNMENTS)
    assert (assignments.created, assignments.unchanged) == (1, 1)
    timetable = await send(http, it, "timetable", TIMETABLE)
    assert (timetable.created, timetable.refused) == (2, 0)

    fridays = [dt.date(2026, 12, d) for d in (4, 11, 18, 25)]  # 27 November is a holiday
    made = await lessons_of_groups(demo_url)
    assert [day for day, _room in made["1"]] == [dt.date(2026, 12, 11), dt.date(2026, 12, 25)]
    assert [day for day, _room in made["2"]] == fridays

    # The same files again change nothing, the lessons neither.
    for kind, body in (("groups", GROUPS), ("assignments", ASSIGNMENTS), ("timetable", TIMETABLE)):
        again = await send(http, it, kind, body)
        assert (again.created, again.changed) == (0, 0), kind
    assert await lessons_of_groups(demo_url) == made

    # A changed line: its row ends yesterday, the new one starts today, and the lessons from
    # today follow it (the room), as a change through the API does.
    changed = await send(http, it, "timetable", TIMETABLE.replace("teacher2;;", "teacher2;301;"))
    assert (changed.changed, changed.unchanged) == (1, 1)
    after = await lessons_of_groups(demo_url)
    assert after["2"] == [(day, "301") for day in fridays]
    assert after["1"] == made["1"]
    ended = await scalar(
        demo_url,
        select(func.count())
        .select_from(s.TimetableSlot)
        .where(s.TimetableSlot.valid_to == dt.date(2026, 11, 24)),
    )
    assert ended == 1


async def test_a_timetable_line_whose_teacher_is_not_assigned_is_refused_by_the_dry_run(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    """A teacher without the teaching assignment is refused in the plan, as the timetable's
    own check would refuse it on writing: the dry run names the line and the column, and the
    real run writes neither rows nor lessons."""
    it = await login_as(http, "it")
    before = await scalar(demo_url, select(func.count()).select_from(s.Lesson))
    # The neighbour school has a timetable row of its own: nothing is added to what is there.
    rows_before = await scalar(demo_url, select(func.count()).select_from(s.TimetableSlot))
    body = "класс;день;урок;предмет;учитель\n7В;пт;3;Математика;teacher\n".encode()
    for dry_run in ("true", "false"):
        answer = await http.post(
            f"{API}/setup/import/timetable",
            params={"dry_run": dry_run},
            content=body,
            headers={**it, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
        )
        report = answer.json() if dry_run == "true" else answer.json()["current"]
        assert answer.status_code == (200 if dry_run == "true" else 422), answer.text
        [row] = report["rows"]
        assert (row["action"], row["line"], row["column"]) == ("refused", 2, "учитель")
        assert "has no teaching assignment for 7В Математика" in row["reason"]
    assert await scalar(demo_url, select(func.count()).select_from(s.Lesson)) == before
    assert await scalar(demo_url, select(func.count()).select_from(s.TimetableSlot)) == rows_before
