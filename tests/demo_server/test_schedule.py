"""Groups within a class, teaching assignments, the weekly timetable and the lessons made from
it, through the API (the IT staff and the administration).

The district school: the mini school (today Wednesday 25 November 2026, 5А with ``pupil`` and,
from this Wednesday, ``mover``; a holiday on Friday 27 November) with its second quarter from 5
November to 28 December, and a neighbouring school on the same server.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select

from api_client import models as m
from api_client.models import decode
from demo_server import schema as s
from demo_server.schedule import SlotPlan, plan_lessons, slot_clashes, teaching_days, week_number
from tests.conftest import DEMO_TODAY, LoginAs
from tests.demo_server.journal_support import fetch_all, send

API = "/api/v1"
MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def school_kind() -> str:
    return "district"


async def post(http: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> Any:
    return await send(http, headers, "POST", path, body)


async def ok(response: httpx.Response, type_: type[Any]) -> Any:
    assert response.status_code in (200, 201), response.text
    return decode(response.content, type_)


def problem(response: httpx.Response, status: int = 422) -> m.Problem:
    assert response.status_code == status, response.text
    return decode(response.content, m.Problem)


async def split_5a(http: httpx.AsyncClient, it: dict[str, str], demo: Any) -> tuple[int, int]:
    """5А's maths split in two: ``pupil`` in group 1 with ``teacher``, ``mover`` in group 2
    with ``teacher2``. Returns the two group ids."""
    ids = demo.ids
    g1 = await ok(
        await post(
            http,
            it,
            "/groups",
            m.ClassGroupCreate(
                class_id=ids["c5a"],
                subject_id=ids["math"],
                name="гр. 1",
                teacher_id=ids["teacher"],
                pupil_ids=[ids["pupil"]],
                on=MONDAY,
            ),
        ),
        m.ClassGroupInfo,
    )
    g2 = await ok(
        await post(
            http,
            it,
            "/groups",
            m.ClassGroupCreate(
                class_id=ids["c5a"],
                subject_id=ids["math"],
                name="гр. 2",
                teacher_id=ids["teacher2"],
                pupil_ids=[ids["mover"]],
                on=MONDAY + dt.timedelta(days=2),
            ),
        ),
        m.ClassGroupInfo,
    )
    return g1.id, g2.id


# --- the plan itself ---------------------------------------------------------------------------


def test_days_skip_holidays_and_the_time_between_periods() -> None:
    periods = [
        (dt.date(2026, 9, 1), dt.date(2026, 9, 4)),
        (dt.date(2026, 9, 8), dt.date(2026, 9, 9)),
    ]
    days = teaching_days(dt.date(2026, 9, 2), dt.date(2026, 12, 31), periods, {dt.date(2026, 9, 3)})
    assert days == [
        dt.date(2026, 9, 2),
        dt.date(2026, 9, 4),
        dt.date(2026, 9, 8),
        dt.date(2026, 9, 9),
    ]


def test_odd_and_even_weeks_alternate_from_the_first_week_of_the_year() -> None:
    start = dt.date(2026, 9, 1)  # a Tuesday: week 1 runs from Monday 31 August
    assert week_number(dt.date(2026, 8, 31), start) == 1
    assert week_number(dt.date(2026, 9, 7), start) == 2
    slots = [
        SlotPlan(class_id=1, weekday=0, number=1, subject_id=1, teacher_id=1, weeks="odd"),
        SlotPlan(class_id=1, weekday=0, number=1, subject_id=2, teacher_id=2, weeks="even"),
        SlotPlan(class_id=1, weekday=0, number=2, subject_id=3, teacher_id=3),
    ]
    mondays = [dt.date(2026, 9, 7), dt.date(2026, 9, 14), dt.date(2026, 9, 21)]
    planned = plan_lessons(slots, mondays, start)
    assert [(p.date.day, p.slot.subject_id) for p in planned] == [
        (7, 2),
        (7, 3),
        (14, 1),
        (14, 3),
        (21, 2),
        (21, 3),
    ]
    assert slot_clashes(slots) == []  # odd and even weeks never meet


def test_clashes_name_the_teacher_the_room_and_the_class() -> None:
    base = SlotPlan(class_id=1, weekday=0, number=1, subject_id=1, teacher_id=1, room="101")
    teacher = SlotPlan(class_id=2, weekday=0, number=1, subject_id=1, teacher_id=1, room="102")
    room = SlotPlan(class_id=3, weekday=0, number=1, subject_id=1, teacher_id=3, room="101")
    cls = SlotPlan(class_id=1, weekday=0, number=1, subject_id=2, teacher_id=4, room="103")
    group_a = SlotPlan(class_id=4, weekday=1, number=1, subject_id=5, teacher_id=5, group_id=1)
    group_b = SlotPlan(class_id=4, weekday=1, number=1, subject_id=5, teacher_id=6, group_id=2)
    whole = SlotPlan(class_id=4, weekday=1, number=1, subject_id=6, teacher_id=7)
    found = {
        (a.teacher_id, b.teacher_id, what)
        for a, b, what in slot_clashes([base, teacher, room, cls, group_a, group_b, whole])
    }
    assert (1, 1, "teacher") in found
    assert (1, 3, "room") in found
    assert (1, 4, "class") in found
    assert (5, 6, "class") not in found  # two groups of one class share a bell
    assert (5, 7, "class") in found and (6, 7, "class") in found  # not with the whole class


# --- through the API ---------------------------------------------------------------------------


async def test_groups_assignments_timetable_and_lessons(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    it = await login_as(http, "it")
    g1, g2 = await split_5a(http, it, demo)
    listed = await ok(
        await http.get(f"{API}/groups", params={"class_id": ids["c5a"]}, headers=it),
        m.ClassGroupList,
    )
    assert [(g.name, [p.id for p in g.pupils]) for g in listed.groups] == [
        ("гр. 1", [ids["pupil"]]),
        ("гр. 2", [ids["mover"]]),
    ]
    # The groups' teachers were given their teaching assignments.
    assignments = await ok(
        await http.get(f"{API}/assignments", params={"class_id": ids["c5a"]}, headers=it),
        m.AssignmentList,
    )
    assert {(a.teacher_id, a.group.name if a.group else None) for a in assignments.assignments} >= {
        (ids["teacher"], "гр. 1"),
        (ids["teacher2"], "гр. 2"),
    }

    # Both groups at Thursday's bell 3: allowed. Lessons are made from Monday on.
    rows = []
    for group, teacher, room in ((g1, "teacher", "301"), (g2, "teacher2", "302")):
        written = await ok(
            await post(
                http,
                it,
                "/timetable",
                m.TimetableRowCreate(
                    class_id=ids["c5a"],
                    group_id=group,
                    weekday=3,
                    number=3,
                    subject_id=ids["math"],
                    teacher_id=ids[teacher],
                    room=room,
                    valid_from=MONDAY,
                ),
            ),
            m.TimetableWrite,
        )
        rows.append(written)
    # Thursdays 26 Nov, 3, 10, 17, 24 Dec (the quarter ends on 28 December).
    assert [r.lessons.created for r in rows] == [5, 5]
    made = await fetch_all(
        demo_url,
        select(s.Lesson.date, s.Lesson.group_id)
        .where(s.Lesson.slot_id.is_not(None))
        .order_by(s.Lesson.date, s.Lesson.group_id),
    )
    assert made[:2] == [(dt.date(2026, 11, 26), g1), (dt.date(2026, 11, 26), g2)]

    # A whole-class lesson at that bell clashes with the groups: refused, naming it.
    clash = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c5a"],
                weekday=3,
                number=3,
                subject_id=ids["russian"],
                teacher_id=ids["classteacher"],
                room="105",
                valid_from=MONDAY,
            ),
        )
    )
    assert clash.field == "number" and "5А" in clash.detail
    # The teacher in two places at once: refused, naming the teacher's other lesson.
    busy = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c6b"],
                weekday=3,
                number=3,
                subject_id=ids["math"],
                teacher_id=ids["teacher"],
                room="305",
                valid_from=MONDAY,
            ),
        )
    )
    assert busy.field == "teacher_id" and "гр. 1" in busy.detail
    # The room taken: refused.
    await ok(
        await post(
            http,
            it,
            "/assignments",
            m.AssignmentCreate(
                teacher_id=ids["classteacher"], class_id=ids["c6b"], subject_id=ids["russian"]
            ),
        ),
        m.AssignmentInfo,
    )
    taken = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c6b"],
                weekday=3,
                number=3,
                subject_id=ids["russian"],
                teacher_id=ids["classteacher"],
                room="301",
                valid_from=dt.date(2026, 12, 7),
            ),
        )
    )
    assert taken.field == "room" and "301" in taken.detail

    # A mark in group 1's lesson of 3 December; then the row moves to Friday from 1 December:
    # that lesson is kept and reported, the others are made again on Fridays.
    lesson_3dec = (
        await fetch_all(
            demo_url,
            select(s.Lesson.id).where(
                s.Lesson.group_id == g1, s.Lesson.date == dt.date(2026, 12, 3)
            ),
        )
    )[0][0]
    await _add_mark(demo_url, lesson_3dec, ids["pupil"], ids["teacher"])
    moved = await ok(
        await post(
            http,
            it,
            f"/timetable/{rows[0].row.id}",
            m.TimetableRowChange(weekday=4, valid_from=dt.date(2026, 12, 1)),
        ),
        m.TimetableWrite,
    )
    assert [k.id for k in moved.lessons.kept] == [lesson_3dec]
    assert moved.lessons.kept[0].reasons == ["marks"]
    assert moved.lessons.removed == 3  # 10, 17, 24 December
    assert moved.lessons.created == 4  # Fridays 4, 11, 18, 25 December
    assert moved.row is not None and moved.row.weekday == 4

    # Nothing half-written: a refused write leaves no row, no lesson, no audit record.
    before = await _counts(demo_url)
    bad = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c5a"],
                weekday=0,
                number=1,
                subject_id=ids["math"],
                teacher_id=ids["teacher"],
                group_id=ids["far_subject"],
                valid_from=MONDAY,
            ),
        )
    )
    assert bad.field == "group_id"
    assert await _counts(demo_url) == before


async def _add_mark(url: str, lesson_id: int, pupil_id: int, author_id: int) -> None:
    from demo_server.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(s.Mark).values(
                    lesson_id=lesson_id, pupil_id=pupil_id, value=5, author_id=author_id
                )
            )
    finally:
        await engine.dispose()


async def _counts(url: str) -> tuple[int, ...]:
    out = []
    for table in (s.TimetableSlot, s.Lesson, s.AuditRecord, s.ClassGroup, s.GroupMember):
        out.append((await fetch_all(url, select(func.count()).select_from(table)))[0][0])
    return tuple(out)


async def test_only_it_staff_and_the_administration_set_up(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    for login in ("teacher", "parent", "pupil", "nurse"):
        headers = await login_as(http, login)
        response = await http.get(f"{API}/timetable", headers=headers)
        assert response.status_code == 403, (login, response.text)
        response = await post(
            http,
            headers,
            "/groups",
            m.ClassGroupCreate(class_id=demo.ids["c5a"], subject_id=demo.ids["math"], name="x"),
        )
        assert response.status_code == 403
    admin = await login_as(http, "admin")
    assert (await http.get(f"{API}/timetable", headers=admin)).status_code == 200


async def test_bad_input_names_the_field(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    it = await login_as(http, "it")
    # A pupil of another class cannot join 5А's group.
    wrong = problem(
        await post(
            http,
            it,
            "/groups",
            m.ClassGroupCreate(
                class_id=ids["c5a"],
                subject_id=ids["math"],
                name="гр. 1",
                pupil_ids=[ids["sibling"]],
            ),
        )
    )
    assert wrong.field == "pupil_ids[0]"
    # Another school's class is as unknown as none.
    far = problem(
        await post(
            http,
            it,
            "/groups",
            m.ClassGroupCreate(class_id=ids["far_class"], subject_id=ids["math"], name="гр. 1"),
        )
    )
    assert far.field == "class_id"
    # A weekday out of range, a bell number of 0: refused by the contract, naming the field.
    for body, field in (
        (
            {
                "class_id": ids["c5a"],
                "weekday": 7,
                "number": 1,
                "subject_id": ids["math"],
                "teacher_id": ids["teacher"],
            },
            "weekday",
        ),
        (
            {
                "class_id": ids["c5a"],
                "weekday": 1,
                "number": 17,
                "subject_id": ids["math"],
                "teacher_id": ids["teacher"],
            },
            "number",
        ),
        (
            {
                "class_id": ids["c5a"],
                "weekday": 1,
                "number": 1,
                "subject_id": ids["math"],
                "teacher_id": ids["teacher"],
                "weeks": "third",
            },
            "weeks",
        ),
    ):
        response = await post(http, it, "/timetable", body)
        assert response.status_code in (400, 422), response.text
        refused = decode(response.content, m.Problem)
        assert refused.field == field, refused
    # A teacher without the assignment.
    unassigned = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c7v"],
                weekday=1,
                number=2,
                subject_id=ids["math"],
                teacher_id=ids["teacher"],
                valid_from=MONDAY,
            ),
        )
    )
    assert unassigned.field == "teacher_id" and "assignment" in unassigned.detail
    # A start outside the year.
    outside = problem(
        await post(
            http,
            it,
            "/timetable",
            m.TimetableRowCreate(
                class_id=ids["c5a"],
                weekday=1,
                number=2,
                subject_id=ids["math"],
                teacher_id=ids["teacher"],
                valid_from=dt.date(2027, 7, 1),
            ),
        )
    )
    assert outside.field == "valid_from"


async def test_a_group_lesson_is_its_pupils_alone(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """The week, the journal, the teacher's list and marks all follow the group."""
    ids = demo.ids
    it = await login_as(http, "it")
    g1, g2 = await split_5a(http, it, demo)
    for group, teacher, room in ((g1, "teacher", "301"), (g2, "teacher2", "302")):
        await ok(
            await post(
                http,
                it,
                "/timetable",
                m.TimetableRowCreate(
                    class_id=ids["c5a"],
                    group_id=group,
                    weekday=2,
                    number=3,
                    subject_id=ids["math"],
                    teacher_id=ids[teacher],
                    room=room,
                    valid_from=MONDAY,
                ),
            ),
            m.TimetableWrite,
        )
    # The pupil (group 1) sees group 1's lesson on Wednesday at bell 3, not group 2's.
    pupil = await login_as(http, "pupil")
    week = await ok(
        await http.get(
            f"{API}/pupils/{ids['pupil']}/week", params={"monday": "2026-11-23"}, headers=pupil
        ),
        m.Week,
    )
    third = [x for x in week.lessons if x.date == dt.date(2026, 11, 25) and x.number == 3]
    assert [(x.group, x.room) for x in third] == [("гр. 1", "301")]
    # The teacher's list names the group; the group's journal lists its pupils only.
    teacher_auth = await login_as(http, "teacher")
    me = await ok(await http.get(f"{API}/me", headers=teacher_auth), m.Me)
    assert any(t.group is not None and t.group.id == g1 for t in me.teaching)
    journal = await ok(
        await http.get(
            f"{API}/journal",
            params={"class_id": ids["c5a"], "subject_id": ids["math"], "group_id": g1},
            headers=teacher_auth,
        ),
        m.Journal,
    )
    assert journal.group is not None and journal.group.name == "гр. 1"
    assert [p.id for p in journal.pupils] == [ids["pupil"]]
    assert journal.lessons and all(x.number == 3 for x in journal.lessons)
    # A mark for a pupil of the other group at this group's lesson is refused, naming why.
    lesson = next(x for x in journal.lessons if x.date == dt.date(2026, 11, 25))
    refused = problem(
        await post(
            http,
            teacher_auth,
            "/marks",
            m.MarkCreate(lesson_id=lesson.id, pupil_id=ids["mover"], value=5),
        )
    )
    assert refused.field == "pupil_id" and "гр. 1" in refused.detail
    given = await post(
        http,
        teacher_auth,
        "/marks",
        m.MarkCreate(lesson_id=lesson.id, pupil_id=ids["pupil"], value=5),
    )
    assert given.status_code == 201, given.text
    # A pupil moving class leaves its groups the day before.
    moved = await post(
        http,
        it,
        f"/pupils/{ids['pupil']}/move",
        m.PupilMove(class_id=ids["c6b"], date=dt.date(2026, 12, 1)),
    )
    assert moved.status_code == 200, moved.text
    ends = await fetch_all(
        demo_url,
        select(s.GroupMember.end).where(
            s.GroupMember.group_id == g1, s.GroupMember.pupil_id == ids["pupil"]
        ),
    )
    assert ends == [(dt.date(2026, 11, 30),)]


async def _group_rows(http: httpx.AsyncClient, it: dict[str, str], demo: Any) -> tuple[int, int]:
    """5А's maths split (see :func:`split_5a`), each group at Wednesday's bell 3."""
    ids = demo.ids
    g1, g2 = await split_5a(http, it, demo)
    for group, teacher, room in ((g1, "teacher", "301"), (g2, "teacher2", "302")):
        await ok(
            await post(
                http,
                it,
                "/timetable",
                m.TimetableRowCreate(
                    class_id=ids["c5a"],
                    group_id=group,
                    weekday=2,
                    number=3,
                    subject_id=ids["math"],
                    teacher_id=ids[teacher],
                    room=room,
                    valid_from=MONDAY,
                ),
            ),
            m.TimetableWrite,
        )
    return g1, g2


async def _pupil_lessons(url: str, school_id: int, class_id: int) -> dict[int, int]:
    from sqlalchemy.ext.asyncio import AsyncSession

    from demo_server.db import make_engine
    from demo_server.stats import gather, resolve_scope

    engine = make_engine(url)
    try:
        async with AsyncSession(engine) as db:
            scope = await resolve_scope(db, school_id, None, dt.date(2026, 11, 25))
            figures = await gather(db, scope, class_id)
    finally:
        await engine.dispose()
    return {pid: n for (pid, cid), n in figures.lessons.items() if cid == class_id}


async def test_a_group_teacher_keeps_to_the_group_and_news_to_its_families(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """A teacher assigned to group 2 alone opens and writes group 2's journal, never group
    1's nor the whole class's; a group's lessons count for its pupils' attendance alone; news
    of a group's lesson reaches its pupils and their parents only."""
    ids = demo.ids
    it = await login_as(http, "it")
    school_id = (
        await fetch_all(
            demo_url, select(s.SchoolClass.school_id).where(s.SchoolClass.id == ids["c5a"])
        )
    )[0][0]
    before = await _pupil_lessons(demo_url, school_id, ids["c5a"])
    g1, g2 = await _group_rows(http, it, demo)
    after = await _pupil_lessons(demo_url, school_id, ids["c5a"])
    # Wednesday 25 November: one group lesson each for the pupil and the mover, none for the
    # rest of the class (in no group), though the class had two lessons at that bell.
    grew = {pid: after.get(pid, 0) - before.get(pid, 0) for pid in after}
    assert grew[ids["pupil"]] == 1 and grew[ids["mover"]] == 1
    assert {n for pid, n in grew.items() if pid not in (ids["pupil"], ids["mover"])} <= {0}

    teacher2 = await login_as(http, "teacher2")

    def journal(group: int | None) -> Any:
        params = {"class_id": ids["c5a"], "subject_id": ids["math"]}
        if group is not None:
            params["group_id"] = group
        return http.get(f"{API}/journal", params=params, headers=teacher2)

    own = await ok(await journal(g2), m.Journal)
    assert [p.id for p in own.pupils] == [ids["mover"]]
    assert problem(await journal(g1), 403)
    assert problem(await journal(None), 403)
    lessons = await fetch_all(
        demo_url,
        select(s.Lesson.id, s.Lesson.group_id).where(
            s.Lesson.date == dt.date(2026, 11, 25), s.Lesson.group_id.is_not(None)
        ),
    )
    by_group = {group: lesson for lesson, group in lessons}
    refused = await send(
        http,
        teacher2,
        "PATCH",
        f"/lessons/{by_group[g1]}/topic",
        m.TopicSet(topic="Чужая тема", version=1),
    )
    assert refused.status_code == 403, refused.text

    # Homework for group 2: its teacher sets it; group 1's pupil and her parent never hear.
    due = dt.date(2026, 11, 30)
    for group, who in ((g2, teacher2), (g1, await login_as(http, "teacher"))):
        written = await send(
            http,
            who,
            "PUT",
            f"/lessons/{by_group[group]}/homework",
            m.HomeworkSet(text=f"№ {group}", due=due),
        )
        assert written.status_code == 200, written.text
    for login in ("pupil", "parent"):
        feed = await ok(
            await http.get(
                f"{API}/changes", params={"since": "0"}, headers=await login_as(http, login)
            ),
            m.ChangeFeed,
        )
        heard = [c.payload.get("lesson_id") for c in feed.changes if c.kind == "homework.set"]
        assert heard == [by_group[g1]], login
    staff = [c for c in await _feed_of(http, login_as, "teacher2") if c.kind == "homework.set"]
    assert {c.payload.get("lesson_id") for c in staff} >= {by_group[g2]}


async def _feed_of(http: httpx.AsyncClient, login_as: LoginAs, login: str) -> list[Any]:
    feed = await ok(
        await http.get(
            f"{API}/changes", params={"since": "0"}, headers=await login_as(http, login)
        ),
        m.ChangeFeed,
    )
    return list(feed.changes)


async def test_a_school_that_keeps_rooms_takes_only_its_rooms(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """A school that keeps rooms: a room not in its list is refused naming the list, and a
    listed one is spelled as listed (a school with no list writes any room: the demo)."""
    ids = demo.ids
    it = await login_as(http, "it")
    # The district school keeps rooms (301 among them); the gym is added.
    made = await post(http, it, "/setup/rooms", m.RoomCreate(name="Спортзал"))
    assert made.status_code == 201, made.text

    def row(room: str, number: int) -> m.TimetableRowCreate:
        return m.TimetableRowCreate(
            class_id=ids["c5a"],
            weekday=4,
            number=number,
            subject_id=ids["math"],
            teacher_id=ids["teacher"],
            room=room,
            valid_from=MONDAY,
        )

    refused = problem(await post(http, it, "/timetable", row("999", 6)))
    assert refused.field == "room"
    assert "999" in refused.detail and "301" in refused.detail and "Спортзал" in refused.detail
    taken = await ok(await post(http, it, "/timetable", row(" спортзал ", 6)), m.TimetableWrite)
    assert taken.row is not None and taken.row.room == "Спортзал"
    changed = await post(http, it, f"/timetable/{taken.row.id}", m.TimetableRowChange(room="998"))
    assert changed.status_code == 422 and "998" in changed.text, changed.text


async def test_a_roster_import_moving_pupils_takes_them_out_of_their_old_groups(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """Two pupils of two different 5А groups moved to 6Б by one roster file both leave their
    group the day before the import."""
    ids = demo.ids
    it = await login_as(http, "it")
    g1, g2 = await split_5a(http, it, demo)
    people = await fetch_all(
        demo_url,
        select(s.User.id, s.User.last_name, s.User.first_name, s.User.login).where(
            s.User.id.in_([ids["pupil"], ids["mover"]])
        ),
    )
    lines = ["тип;фамилия;имя;отчество;класс;логин"]
    lines += [f"ученик;{last};{first};;6Б;{login}" for _id, last, first, login in people]
    imported = await http.post(
        f"{API}/roster/import",
        params={"dry_run": "false"},
        content=("\n".join(lines) + "\n").encode("utf-8"),
        headers={**it, "Content-Type": "text/csv", "Idempotency-Key": "roster-move-5a-6b"},
    )
    assert imported.status_code == 200, imported.text
    rows = await fetch_all(
        demo_url,
        select(s.GroupMember.pupil_id, s.GroupMember.start, s.GroupMember.end).where(
            s.GroupMember.group_id.in_([g1, g2])
        ),
    )
    yesterday = DEMO_TODAY - dt.timedelta(days=1)
    # Neither stays in a 5А group after yesterday (a membership not yet begun is gone).
    assert all(end is not None and end <= yesterday for _pupil, _start, end in rows)
    assert (ids["pupil"], yesterday) in [(pupil, end) for pupil, _start, end in rows]
