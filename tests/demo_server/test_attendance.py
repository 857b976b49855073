"""Attendance and absence notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import (
    AbsenceKind,
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNotices,
    AbsenceReason,
    Attendance,
    ChangeFeed,
    Problem,
    decode,
)
from demo_server import schema as s
from tests.conftest import LoginAs


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def test_attendance_entries_and_totals(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    for viewer in ("parent", "pupil", "classteacher", "nurse", "admin"):
        response = await http.get(
            f"/api/v1/pupils/{ids['pupil']}/attendance", headers=await login_as(http, viewer)
        )
        assert response.status_code == 200, (viewer, response.text)
        attendance = decode(response.content, Attendance)
        assert [e.id for e in attendance.entries] == [ids["absence"]]
        entry = attendance.entries[0]
        assert (entry.date, entry.number, entry.subject.name, entry.kind, entry.minutes) == (
            dt.date(2026, 11, 23),
            2,
            "Русский язык",
            AbsenceKind.LATE,
            10,
        )
        assert (attendance.total.late, attendance.total.late_minutes) == (1, 10)
        assert attendance.total.missed == 0
        assert [x.subject.name for x in attendance.subjects] == ["Русский язык"]
    first = await http.get(
        f"/api/v1/pupils/{ids['pupil']}/attendance", headers=await login_as(http, "parent")
    )
    again = await http.get(
        f"/api/v1/pupils/{ids['pupil']}/attendance",
        headers={**await login_as(http, "parent"), "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304


async def post_notice(
    http: httpx.AsyncClient, headers: dict[str, str], pupil: int, body: dict[str, Any], key: str
) -> httpx.Response:
    return await http.post(
        f"/api/v1/pupils/{pupil}/absence-notices",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )


NOTICE = {"start": "2026-11-26", "end": "2026-11-27", "reason": "illness", "note": "Простуда"}


async def test_parent_sends_a_notice_the_class_teacher_sees_it(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    start = await http.get("/api/v1/changes", headers=await login_as(http, "classteacher"))
    since = decode(start.content, ChangeFeed).next
    parent = await login_as(http, "parent")
    response = await post_notice(http, parent, ids["pupil"], NOTICE, "notice-0001")
    assert response.status_code == 201, response.text
    notice = decode(response.content, AbsenceNotice)
    assert (notice.start, notice.end, notice.reason, notice.note) == (
        dt.date(2026, 11, 26),
        dt.date(2026, 11, 27),
        AbsenceReason.ILLNESS,
        "Простуда",
    )
    assert notice.pupil.id == ids["pupil"] and notice.parent == "Соколова И."
    replay = await post_notice(http, parent, ids["pupil"], NOTICE, "notice-0001")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    for viewer in ("parent", "pupil", "classteacher", "admin"):
        listed = await http.get(
            f"/api/v1/pupils/{ids['pupil']}/absence-notices", headers=await login_as(http, viewer)
        )
        assert listed.status_code == 200, (viewer, listed.text)
        assert [n.id for n in decode(listed.content, AbsenceNotices).notices] == [notice.id]
    for viewer in ("classteacher", "admin"):
        by_class = await http.get(
            f"/api/v1/classes/{ids['c5a']}/absence-notices", headers=await login_as(http, viewer)
        )
        assert by_class.status_code == 200, by_class.text
        assert [n.id for n in decode(by_class.content, AbsenceNotices).notices] == [notice.id]
    # Another class's teacher sees none of it.
    other = await http.get(
        f"/api/v1/classes/{ids['c6b']}/absence-notices", headers=await login_as(http, "teacher2")
    )
    assert decode(other.content, AbsenceNotices).notices == []
    # The class teacher's feed says whose and from whom, once (the replay added nothing).
    feed = await http.get(
        "/api/v1/changes", params={"since": since}, headers=await login_as(http, "classteacher")
    )
    items = [c for c in decode(feed.content, ChangeFeed).changes if c.kind.startswith("absence_n")]
    assert [(c.kind, c.entity_id, c.pupil_id) for c in items] == [
        ("absence_notice.new", notice.id, ids["pupil"])
    ]
    assert items[0].payload["pupil"] == notice.pupil.full_name
    assert items[0].payload["parent"] == "Соколова И."
    # Only those who may read the notice are told: not a subject teacher of the class.
    for viewer, told in (("parent", True), ("pupil", True), ("teacher", False)):
        seen = await http.get(
            "/api/v1/changes", params={"since": since}, headers=await login_as(http, viewer)
        )
        kinds = [c.kind for c in decode(seen.content, ChangeFeed).changes]
        assert ("absence_notice.new" in kinds) is told, (viewer, kinds)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**NOTICE, "end": "2026-11-25"}, 422, "end"),
        ({**NOTICE, "end": "2026-12-26"}, 422, "end"),
        ({**NOTICE, "start": "2027-06-01", "end": "2027-06-02"}, 422, "start"),
        ({**NOTICE, "start": "2026-08-30", "end": "2026-09-02"}, 422, "start"),
        ({**NOTICE, "reason": "bored"}, 400, None),
        ({**NOTICE, "start": "26.11.2026"}, 400, None),
        ({**NOTICE, "note": "x" * 2001}, 422, "note"),
        ({**NOTICE, "extra": 1}, 400, None),
        ({"start": "2026-11-26"}, 400, None),
    ],
)
async def test_notice_dates_and_fields_are_checked(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    response = await post_notice(
        http, await login_as(http, "parent"), demo.ids["pupil"], body, "bad-notice-1"
    )
    assert response.status_code == status, response.text
    problem = decode(response.content, Problem)
    assert problem.detail
    if field is not None:
        assert problem.field == field


@pytest.mark.parametrize(
    ("viewer", "pupil", "status"),
    [
        ("parent", "sibling", 201),
        ("parent", "stranger", 404),
        ("other_parent", "pupil", 404),
        ("pupil", "pupil", 403),
        ("classteacher", "pupil", 403),
        ("admin", "pupil", 403),
        ("nurse", "pupil", 403),
        ("it", "pupil", 403),
        (None, "pupil", 401),
    ],
)
async def test_only_a_parent_of_the_child_sends_notices(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    pupil: str,
    status: int,
) -> None:
    headers = await login_as(http, viewer) if viewer else {}
    response = await post_notice(http, headers, demo.ids[pupil], NOTICE, "notice-role-1")
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("viewer", "pupil", "status"),
    [
        ("parent", "pupil", 200),
        ("pupil", "pupil", 200),
        ("classteacher", "pupil", 200),
        ("admin", "stranger", 200),
        ("teacher", "pupil", 404),  # teaches the class, but is not its class teacher
        ("pupil", "sibling", 404),
        ("other_parent", "pupil", 404),
        ("nurse", "pupil", 403),
        ("it", "pupil", 403),
        ("authority", "pupil", 403),
    ],
)
async def test_who_reads_a_pupils_notices(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str, pupil: str, status: int
) -> None:
    response = await http.get(
        f"/api/v1/pupils/{demo.ids[pupil]}/absence-notices", headers=await login_as(http, viewer)
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("viewer", "cls", "status"),
    [
        ("classteacher", "c5a", 200),
        ("teacher2", "c6b", 200),
        ("admin", "c7v", 200),
        ("teacher", "c5a", 403),
        ("classteacher", "c6b", 404),  # teaches nothing in 6Б: as no class at all
        ("parent", "c5a", 403),
        ("pupil", "c5a", 403),
        ("nurse", "c5a", 403),
        ("classteacher", "nonexistent", 404),
    ],
)
async def test_who_reads_a_class_notices(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str, cls: str, status: int
) -> None:
    class_id = demo.ids.get(cls, 999999)
    response = await http.get(
        f"/api/v1/classes/{class_id}/absence-notices", headers=await login_as(http, viewer)
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("viewer", "path"),
    [
        ("parent", "/api/v1/pupils/{pupil}/absence-notices"),
        ("classteacher", "/api/v1/classes/{c5a}/absence-notices"),
        ("nurse", "/api/v1/pupils/{pupil}/attendance?period=year"),
    ],
)
async def test_unchanged_notices_and_attendance_are_a_304(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str, path: str
) -> None:
    headers = await login_as(http, viewer)
    url = path.format(pupil=demo.ids["pupil"], c5a=demo.ids["c5a"])
    first = await http.get(url, headers=headers)
    assert first.status_code == 200 and first.headers["etag"]
    again = await http.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    # A new notice changes the answer.
    sent = await post_notice(
        http, await login_as(http, "parent"), demo.ids["pupil"], NOTICE, "notice-etag-1"
    )
    assert sent.status_code == 201
    after = await http.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert after.status_code == (304 if "attendance" in url else 200)


# -- the class teacher reads a notice and excuses by it ----------------------------------------


async def write(
    http: httpx.AsyncClient, headers: dict[str, str], path: str, key: str
) -> httpx.Response:
    return await http.post(f"/api/v1{path}", headers={**headers, "Idempotency-Key": key})


async def set_unexcused(
    http: httpx.AsyncClient, headers: dict[str, str], lesson: int, pupil: int
) -> None:
    response = await http.put(
        f"/api/v1/lessons/{lesson}/absences/{pupil}",
        json={"kind": "unexcused"},
        headers={**headers, "Idempotency-Key": f"absent-{lesson}-{pupil}"},
    )
    assert response.status_code == 200, response.text


async def rows_after(demo_url: str, table: Any, since: int) -> list[Any]:
    from tests.demo_server.journal_support import fetch_all

    return await fetch_all(demo_url, select(table).where(table.id > since).order_by(table.id))


async def newest_id(demo_url: str, table: Any) -> int:
    from tests.demo_server.journal_support import fetch_all

    rows = await fetch_all(demo_url, select(table.id).order_by(table.id.desc()).limit(1))
    return int(rows[0].id) if rows else 0


async def test_the_class_teacher_reads_a_notice_and_the_parent_sees_it_read(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    sent = decode(
        (await post_notice(http, parent, ids["pupil"], NOTICE, "notice-read-1")).content,
        AbsenceNotice,
    )
    assert (sent.seen, sent.seen_at, sent.seen_by) == (False, None, "")
    feeds = {}
    for who in ("parent", "pupil", "teacher", "classteacher", "admin"):
        start = await http.get("/api/v1/changes", headers=await login_as(http, who))
        feeds[who] = decode(start.content, ChangeFeed).next
    since_change = await newest_id(demo_url, s.Change)

    teacher = await login_as(http, "classteacher")
    read = await write(http, teacher, f"/absence-notices/{sent.id}/seen", "seen-0001")
    assert read.status_code == 200, read.text
    notice = decode(read.content, AbsenceNotice)
    assert notice.id == sent.id and notice.seen and notice.seen_by == "Иванова О. С."
    assert notice.seen_at is not None
    # The same key again: the first answer; the administration reading it later: still the
    # class teacher's reading, and nothing new in the feed.
    replay = await write(http, teacher, f"/absence-notices/{sent.id}/seen", "seen-0001")
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.content == read.content
    again = await write(http, teacher, f"/absence-notices/{sent.id}/seen", "seen-0002")
    by_admin = await write(
        http, await login_as(http, "admin"), f"/absence-notices/{sent.id}/seen", "seen-0003"
    )
    for response in (again, by_admin):
        assert response.status_code == 200, response.text
        assert decode(response.content, AbsenceNotice).seen_by == "Иванова О. С."

    listed = await http.get(f"/api/v1/pupils/{ids['pupil']}/absence-notices", headers=parent)
    (shown,) = decode(listed.content, AbsenceNotices).notices
    assert (shown.seen, shown.seen_by, shown.seen_at) == (True, "Иванова О. С.", notice.seen_at)

    # One change, addressed to the parent alone: no teacher, pupil or admin hears of it.
    changes = await rows_after(demo_url, s.Change, since_change)
    assert [(c.kind, c.user_id, c.pupil_id) for c in changes] == [
        ("absence_notice.seen", ids["parent"], ids["pupil"])
    ]
    for who, since in feeds.items():
        feed = await http.get(
            "/api/v1/changes", params={"since": since}, headers=await login_as(http, who)
        )
        kinds = [c.kind for c in decode(feed.content, ChangeFeed).changes]
        assert kinds == (["absence_notice.seen"] if who == "parent" else []), who
    feed = await http.get("/api/v1/changes", params={"since": feeds["parent"]}, headers=parent)
    (item,) = decode(feed.content, ChangeFeed).changes
    assert item.payload["seen_by"] == "Иванова О. С." and item.entity_id == sent.id


ILL = {"start": "2026-11-23", "end": "2026-11-30", "reason": "illness", "note": "Грипп"}


async def test_applying_a_notice_excuses_only_its_pupils_unexcused_absences_on_its_days(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    teacher = await login_as(http, "classteacher")
    # Unexcused: the pupil before the notice (16 Nov), on Monday and today; the mover today.
    for lesson in ("prev_mon1", "mon1", "wed1"):
        await set_unexcused(http, teacher, ids[lesson], ids["pupil"])
    await set_unexcused(http, teacher, ids["wed1"], ids["mover"])
    parent = await login_as(http, "parent")
    sent = await post_notice(http, parent, ids["pupil"], ILL, "notice-ill-1")
    notice = decode(sent.content, AbsenceNotice)
    since_audit = await newest_id(demo_url, s.AuditRecord)
    since_change = await newest_id(demo_url, s.Change)

    applied = await write(http, teacher, f"/absence-notices/{notice.id}/apply", "apply-0001")
    assert applied.status_code == 200, applied.text
    answer = decode(applied.content, AbsenceNoticeApplied)
    assert answer.kind is AbsenceKind.ILLNESS
    assert [(c.date, c.absence.lesson_id, c.old_kind, c.absence.kind) for c in answer.changed] == [
        (dt.date(2026, 11, 23), ids["mon1"], AbsenceKind.UNEXCUSED, AbsenceKind.ILLNESS),
        (dt.date(2026, 11, 25), ids["wed1"], AbsenceKind.UNEXCUSED, AbsenceKind.ILLNESS),
    ]
    assert all(
        c.absence.pupil_id == ids["pupil"] and c.absence.version == 2 for c in answer.changed
    )
    assert answer.lessons_ahead == 1  # Monday 30 Nov: no absence yet, nothing changed
    assert answer.notice.seen  # excusing by it reads it too

    audit = await rows_after(demo_url, s.AuditRecord, since_audit)
    assert [(a.entity, a.action, a.entity_id) for a in audit] == [
        ("absence", "update", c.absence.id) for c in answer.changed
    ]
    assert all(a.before["kind"] == "unexcused" and a.after["kind"] == "illness" for a in audit)
    assert all(a.reason.startswith(f"absence notice {notice.id}") for a in audit)
    changes = await rows_after(demo_url, s.Change, since_change)
    assert sorted((c.kind, c.entity_id) for c in changes) == sorted(
        [("absence.set", c.absence.id) for c in answer.changed]
        + [("absence_notice.seen", notice.id)]
    )

    # A replay answers the same and changes nothing; a new request finds nothing to change.
    replay = await write(http, teacher, f"/absence-notices/{notice.id}/apply", "apply-0001")
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.content == applied.content
    again = await write(http, teacher, f"/absence-notices/{notice.id}/apply", "apply-0002")
    assert again.status_code == 422, again.text
    detail = decode(again.content, Problem).detail
    assert "nothing to excuse" in detail and "still to come" in detail
    assert await rows_after(demo_url, s.AuditRecord, since_audit + len(audit)) == []
    assert len(await rows_after(demo_url, s.Change, since_change)) == len(changes)

    # What stayed: the absence before the notice, the lateness on Monday, the mover's.
    attendance = await http.get(
        f"/api/v1/pupils/{ids['pupil']}/attendance", params={"period": "year"}, headers=teacher
    )
    kinds = {(e.date, e.kind) for e in decode(attendance.content, Attendance).entries}
    assert kinds == {
        (dt.date(2026, 11, 16), AbsenceKind.UNEXCUSED),
        (dt.date(2026, 11, 23), AbsenceKind.LATE),
        (dt.date(2026, 11, 23), AbsenceKind.ILLNESS),
        (dt.date(2026, 11, 25), AbsenceKind.ILLNESS),
    }
    mover = await http.get(f"/api/v1/pupils/{ids['mover']}/attendance", headers=teacher)
    assert [e.kind for e in decode(mover.content, Attendance).entries] == [AbsenceKind.UNEXCUSED]


async def test_a_notice_for_other_reasons_excuses_and_one_ahead_has_nothing_yet(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    ids = demo.ids
    teacher = await login_as(http, "classteacher")
    await set_unexcused(http, teacher, ids["mon1"], ids["pupil"])
    parent = await login_as(http, "parent")
    family = {"start": "2026-11-23", "end": "2026-11-23", "reason": "family"}
    sent = await post_notice(http, parent, ids["pupil"], family, "notice-fam-1")
    notice = decode(sent.content, AbsenceNotice)
    applied = await write(http, teacher, f"/absence-notices/{notice.id}/apply", "apply-fam-1")
    answer = decode(applied.content, AbsenceNoticeApplied)
    assert answer.kind is AbsenceKind.EXCUSED and answer.lessons_ahead == 0
    assert [c.absence.kind for c in answer.changed] == [AbsenceKind.EXCUSED]

    ahead = {"start": "2026-11-30", "end": "2026-11-30", "reason": "appointment"}
    sent = await post_notice(http, parent, ids["pupil"], ahead, "notice-ahead-1")
    later = decode(sent.content, AbsenceNotice)
    refused = await write(http, teacher, f"/absence-notices/{later.id}/apply", "apply-ahead-1")
    assert refused.status_code == 422
    assert "has not come" in decode(refused.content, Problem).detail
