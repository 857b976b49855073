"""The class teacher's class: attendance by day, the parents' contacts, one message to the
parents (a private thread each)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from api_client.models import (
    AbsenceKind,
    ClassAttendance,
    ClassMessageSent,
    ClassParents,
    Me,
    OneTimePassword,
    Problem,
    Threads,
    UserPage,
    UserSummary,
    decode,
)
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import SchoolClass
from tests.conftest import LoginAs

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def _absent(
    http: httpx.AsyncClient, headers: dict[str, str], lesson: int, pupil: int, kind: str, key: str
) -> None:
    response = await http.put(
        f"/api/v1/lessons/{lesson}/absences/{pupil}",
        json={"kind": kind},
        headers={**headers, "Idempotency-Key": f"absence-{key}"},
    )
    assert response.status_code in (200, 201), response.text


async def test_class_attendance_rows_days_and_totals(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    lead = await login_as(http, "classteacher")
    await _absent(http, lead, ids["mon1"], ids["pupil"], "illness", "a1")
    await _absent(http, lead, ids["wed1"], ids["pupil"], "unexcused", "a2")
    await _absent(http, lead, ids["wed1"], ids["mover"], "excused", "a3")
    response = await http.get(f"/api/v1/classes/{ids['c5a']}/attendance", headers=lead)
    assert response.status_code == 200, response.text
    table = decode(response.content, ClassAttendance)
    assert table.class_.name == "5А"
    assert table.start <= MONDAY <= table.end
    # The days with lessons of the class (Tuesday's only lesson was cancelled).
    assert MONDAY in table.school_days and MONDAY + dt.timedelta(days=2) in table.school_days
    assert MONDAY + dt.timedelta(days=1) not in table.school_days
    rows = {row.pupil.id: row for row in table.pupils}
    assert set(rows) == {ids["pupil"], ids["mover"]}
    pupil = rows[ids["pupil"]]
    assert [d.date for d in pupil.days] == [MONDAY, MONDAY + dt.timedelta(days=2)]
    monday = pupil.days[0]
    # Monday: the illness at lesson 1 and the lateness at lesson 2, in lesson order.
    assert [(e.number, e.kind) for e in monday.entries] == [
        (1, AbsenceKind.ILLNESS),
        (2, AbsenceKind.LATE),
    ]
    assert (monday.totals.missed, monday.totals.illness, monday.totals.late) == (1, 1, 1)
    total = pupil.total
    assert (total.missed, total.illness, total.unexcused, total.excused, total.late) == (
        2,
        1,
        1,
        0,
        1,
    )
    assert pupil.days_missed == 2
    assert rows[ids["mover"]].total.excused == 1
    wednesday = next(d for d in table.days if d.date == MONDAY + dt.timedelta(days=2))
    assert (wednesday.totals.missed, wednesday.pupils) == (2, 2)
    assert table.total.missed == 3
    # Another period: an empty table for it, not this one's absences.
    current = table.period.id if table.period else None
    other = next((p for p in table.periods if p.id != current), None)
    if other is not None:
        again = await http.get(
            f"/api/v1/classes/{ids['c5a']}/attendance",
            params={"period": str(other.id)},
            headers=lead,
        )
        assert again.status_code == 200
        assert decode(again.content, ClassAttendance).total.missed == 0


async def test_class_attendance_takes_a_fixed_number_of_queries(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """However many pupils and absences: the same queries (not one per pupil or day)."""
    ids = demo.ids
    engine = app.state["server"].engine
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    lead = await login_as(http, "classteacher")
    url = f"/api/v1/classes/{ids['c5a']}/attendance"
    await http.get(url, headers=lead)  # warm up
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        statements.clear()
        await http.get(url, headers=lead)
        quiet = len(statements)
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        await _absent(http, lead, ids["mon1"], ids["pupil"], "illness", "q1")
        await _absent(http, lead, ids["wed1"], ids["mover"], "excused", "q2")
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        statements.clear()
        await http.get(url, headers=lead)
        busy = len(statements)
    finally:
        if event.contains(engine.sync_engine, "before_cursor_execute", count):
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert busy == quiet
    assert busy <= 12


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("attendance", {"classteacher", "admin"}),
        ("parents", {"classteacher", "admin", "it"}),
    ],
)
async def test_who_sees_a_class_s_attendance_and_parents(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, path: str, allowed: set[str]
) -> None:
    ids = demo.ids
    missing = await http.get(
        f"/api/v1/classes/99999999/{path}", headers=await login_as(http, "admin")
    )
    assert missing.status_code == 404
    for who in ("classteacher", "admin", "it", "teacher", "teacher2", "parent", "pupil", "nurse"):
        response = await http.get(
            f"/api/v1/classes/{ids['c5a']}/{path}", headers=await login_as(http, who)
        )
        if who in allowed:
            assert response.status_code == 200, (who, response.text)
        else:
            # Another teacher of the class, its parents: the same answer as for no class.
            assert response.status_code == 404, (who, response.text)
            assert (
                decode(response.content, Problem).detail == decode(missing.content, Problem).detail
            )
    # The class teacher of 5А is not the class teacher of 6Б.
    other = await http.get(
        f"/api/v1/classes/{ids['c6b']}/{path}", headers=await login_as(http, "classteacher")
    )
    assert other.status_code == 404


async def _set_contacts(
    http: httpx.AsyncClient, it: dict[str, str], user: int, key: str, **contacts: str
) -> httpx.Response:
    current = decode((await http.get(f"/api/v1/users/{user}", headers=it)).content, UserSummary)
    return await http.patch(
        f"/api/v1/users/{user}",
        json={"version": current.version, **contacts},
        headers={**it, "Idempotency-Key": f"absence-{key}"},
    )


async def test_it_staff_set_contacts_and_the_class_teacher_sees_them(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    it = await login_as(http, "it")
    done = await _set_contacts(
        http, it, ids["parent"], "c1", phone=" +7 912  345-67-89 ", email="Irina@Example.RU"
    )
    assert done.status_code == 200, done.text
    summary = decode(done.content, UserSummary)
    assert (summary.phone, summary.email) == ("+7 912 345-67-89", "Irina@example.ru")
    for n, (field, value) in enumerate(
        [
            ("phone", "call me"),
            ("phone", "12"),
            ("phone", "+7 912 +345"),
            ("email", "irina.example.ru"),
            ("email", "irina@example"),
            ("email", "a b@example.ru"),
        ]
    ):
        refused = await _set_contacts(http, it, ids["parent"], f"bad-{n}", **{field: value})
        assert refused.status_code == 422, (field, value)
        problem = decode(refused.content, Problem)
        assert problem.field == field and problem.detail
    parents = decode(
        (
            await http.get(
                f"/api/v1/classes/{ids['c5a']}/parents",
                headers=await login_as(http, "classteacher"),
            )
        ).content,
        ClassParents,
    )
    rows = {row.pupil.id: row for row in parents.pupils}
    assert set(rows) == {ids["pupil"], ids["mover"]}
    (contact,) = rows[ids["pupil"]].parents
    assert (contact.id, contact.phone, contact.email) == (
        ids["parent"],
        "+7 912 345-67-89",
        "Irina@example.ru",
    )
    assert rows[ids["mover"]].parents == []
    # Empty clears it.
    cleared = await _set_contacts(http, it, ids["parent"], "c2", phone="")
    assert decode(cleared.content, UserSummary).phone == ""


async def test_one_message_to_the_class_s_parents_a_thread_each(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    lead = await login_as(http, "classteacher")
    body = {"subject": "Родительское собрание", "body": "Собрание в четверг в 18:00."}
    url = f"/api/v1/classes/{ids['c5a']}/parent-messages"
    sent = await http.post(url, json=body, headers={**lead, "Idempotency-Key": "message-1"})
    assert sent.status_code == 201, sent.text
    threads = decode(sent.content, ClassMessageSent).threads
    assert [[p.id for p in t.participants] for t in threads] == [[ids["parent"]]]
    assert threads[0].pupil is not None and threads[0].pupil.id == ids["pupil"]
    # A replay makes no second thread.
    again = await http.post(url, json=body, headers={**lead, "Idempotency-Key": "message-1"})
    assert again.content == sent.content
    mine = decode(
        (await http.get("/api/v1/threads", headers=await login_as(http, "parent"))).content,
        Threads,
    )
    ours = [t for t in mine.threads if t.subject == "Родительское собрание"]
    assert len(ours) == 1 and [p.id for p in ours[0].participants] == [ids["classteacher"]]
    # A chosen parent who is not a parent of the class: refused, nothing written.
    refused = await http.post(
        url,
        json={**body, "parent_ids": [ids["parent"], ids["other_parent"]]},
        headers={**lead, "Idempotency-Key": "message-2"},
    )
    assert refused.status_code == 422
    assert decode(refused.content, Problem).field == "parent_ids"
    mine = decode(
        (await http.get("/api/v1/threads", headers=await login_as(http, "parent"))).content,
        Threads,
    )
    assert len([t for t in mine.threads if t.subject == "Родительское собрание"]) == 1
    empty = await http.post(
        url, json={**body, "body": "  "}, headers={**lead, "Idempotency-Key": "message-3"}
    )
    assert (empty.status_code, decode(empty.content, Problem).field) == (422, "body")


async def test_only_the_class_teacher_writes_to_the_class_s_parents(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    body = {"subject": "Тема", "body": "Текст"}
    for who, cls in (
        ("teacher", "c5a"),
        ("parent", "c5a"),
        ("classteacher", "c6b"),
        ("it", "c5a"),
    ):
        response = await http.post(
            f"/api/v1/classes/{ids[cls]}/parent-messages",
            json=body,
            headers={**await login_as(http, who), "Idempotency-Key": f"message-{who}-{cls}"},
        )
        assert response.status_code == 404, (who, cls, response.text)


async def test_a_new_account_gets_its_contacts_checked_and_kept(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    body = {"role": "parent", "first_name": "Вера", "last_name": "Ким"}
    for n, (field, value) in enumerate([("phone", "call me"), ("email", "vera@")]):
        refused = await http.post(
            "/api/v1/users",
            json={**body, field: value},
            headers={**it, "Idempotency-Key": f"new-account-bad-{n}"},
        )
        assert refused.status_code == 422, refused.text
        assert decode(refused.content, Problem).field == field
    made = await http.post(
        "/api/v1/users",
        json={**body, "phone": "8 (343) 222-33-44", "email": "Vera@Mail.RU"},
        headers={**it, "Idempotency-Key": "new-account-ok"},
    )
    assert made.status_code == 201, made.text
    user = decode(made.content, OneTimePassword).user
    assert (user.phone, user.email) == ("8 (343) 222-33-44", "Vera@mail.ru")
    page = decode(
        (await http.get("/api/v1/users", params={"q": "ким вера"}, headers=it)).content, UserPage
    )
    assert [(u.phone, u.email) for u in page.items] == [("8 (343) 222-33-44", "Vera@mail.ru")]


async def test_me_lists_every_class_a_class_teacher_leads(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    me = decode(
        (await http.get("/api/v1/me", headers=await login_as(http, "classteacher"))).content, Me
    )
    assert [c.id for c in me.homerooms] == [demo.ids["c5a"]]
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            await db.execute(
                update(SchoolClass)
                .where(SchoolClass.id == demo.ids["c7v"])
                .values(homeroom_teacher_id=me.id)
            )
    finally:
        await engine.dispose()
    me = decode(
        (await http.get("/api/v1/me", headers=await login_as(http, "classteacher"))).content, Me
    )
    assert [c.name for c in me.homerooms] == ["5А", "7В"]
    assert me.homeroom is not None and me.homeroom.id == demo.ids["c5a"]
    other = decode(
        (await http.get("/api/v1/me", headers=await login_as(http, "teacher"))).content, Me
    )
    assert other.homerooms == [] and other.homeroom is None
