"""A parent withdraws an absence notice not read yet, and cannot send a duplicate."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.models import (
    AbsenceNotice,
    AbsenceNotices,
    ChangeFeed,
    Problem,
    decode,
)
from demo_server import schema as s
from tests.conftest import LoginAs
from tests.demo_server.test_attendance import NOTICE, newest_id, post_notice, rows_after, write


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def sent_notice(
    http: httpx.AsyncClient, login_as: LoginAs, pupil: int, key: str, body: dict[str, Any]
) -> AbsenceNotice:
    response = await post_notice(http, await login_as(http, "parent"), pupil, body, key)
    assert response.status_code == 201, response.text
    return decode(response.content, AbsenceNotice)


async def test_a_parent_withdraws_an_unread_notice(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    sent = await sent_notice(http, login_as, ids["pupil"], "w-key-0001", NOTICE)
    assert sent.withdrawn_at is None and not sent.withdrawn
    teacher = await login_as(http, "classteacher")
    start = await http.get("/api/v1/changes", headers=teacher)
    since = decode(start.content, ChangeFeed).next
    since_audit = await newest_id(demo_url, s.AuditRecord)

    parent = await login_as(http, "parent")
    path = f"/absence-notices/{sent.id}/withdraw"
    response = await write(http, parent, path, "withdraw-0001")
    assert response.status_code == 200, response.text
    withdrawn = decode(response.content, AbsenceNotice)
    assert withdrawn.withdrawn and withdrawn.withdrawn_by == "Соколова И."
    assert withdrawn.note == NOTICE["note"] and not withdrawn.seen

    # Audited: before and after, by the parent, about the pupil.
    (record,) = await rows_after(demo_url, s.AuditRecord, since_audit)
    assert (record.entity, record.entity_id, record.action) == ("absence_notice", sent.id, "update")
    assert (record.actor_id, record.pupil_id) == (ids["parent"], ids["pupil"])
    assert record.before["withdrawn"] is False and record.after["withdrawn"] is True

    # The replay is the first answer; withdrawing again changes nothing and audits nothing.
    replay = await write(http, parent, path, "withdraw-0001")
    assert replay.headers["Idempotent-Replayed"] == "true"
    again = await write(http, parent, path, "withdraw-0002")
    assert again.status_code == 200
    assert decode(again.content, AbsenceNotice).withdrawn_at == withdrawn.withdrawn_at
    assert len(await rows_after(demo_url, s.AuditRecord, since_audit)) == 1

    # The class teacher's list shows it withdrawn, and the feed said so.
    listed = await http.get(f"/api/v1/classes/{ids['c5a']}/absence-notices", headers=teacher)
    (shown,) = decode(listed.content, AbsenceNotices).notices
    assert shown.withdrawn and shown.withdrawn_by == "Соколова И."
    feed = await http.get("/api/v1/changes", params={"since": since}, headers=teacher)
    kinds = [(c.kind, c.entity_id) for c in decode(feed.content, ChangeFeed).changes]
    assert kinds == [("absence_notice.withdrawn", sent.id)]

    # A withdrawn notice is not read and not applied.
    seen = await write(http, teacher, f"/absence-notices/{sent.id}/seen", "seen-withdrawn-1")
    assert seen.status_code == 200 and not decode(seen.content, AbsenceNotice).seen
    applied = await write(http, teacher, f"/absence-notices/{sent.id}/apply", "apply-withdrawn-1")
    assert applied.status_code == 422
    assert "withdrew" in decode(applied.content, Problem).detail


async def test_a_read_notice_cannot_be_withdrawn(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    sent = await sent_notice(http, login_as, demo.ids["pupil"], "w-key-0002", NOTICE)
    teacher = await login_as(http, "classteacher")
    assert (await write(http, teacher, f"/absence-notices/{sent.id}/seen", "s-key-0002")).is_success
    since_audit = await newest_id(demo_url, s.AuditRecord)
    response = await write(
        http, await login_as(http, "parent"), f"/absence-notices/{sent.id}/withdraw", "wd-key-0002"
    )
    assert response.status_code == 409, response.text
    problem = decode(response.content, Problem)
    assert "already read" in problem.detail and "Иванова О. С." in problem.detail
    assert problem.current is not None and problem.current["id"] == sent.id
    assert await rows_after(demo_url, s.AuditRecord, since_audit) == []


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("other_parent", 404),  # not their child: as no notice at all
        ("pupil", 403),
        ("classteacher", 403),
        ("admin", 403),
        (None, 401),
    ],
)
async def test_only_a_parent_of_the_child_withdraws(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str | None, status: int
) -> None:
    sent = await sent_notice(http, login_as, demo.ids["pupil"], "w-key-0003", NOTICE)
    headers = await login_as(http, viewer) if viewer else {}
    response = await write(http, headers, f"/absence-notices/{sent.id}/withdraw", "wd-key-0003")
    assert response.status_code == status, response.text
    missing = await write(
        http, await login_as(http, "parent"), "/absence-notices/999999/withdraw", "w-key-0004"
    )
    assert missing.status_code == 404


async def test_a_duplicate_notice_is_refused_naming_the_other(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    first = await sent_notice(http, login_as, ids["pupil"], "d-key-0001", NOTICE)  # 26-27 Nov
    parent = await login_as(http, "parent")
    notices_before = await newest_id(demo_url, s.AbsenceNotice)
    overlapping = {**NOTICE, "start": "2026-11-27", "end": "2026-11-30", "reason": "family"}
    response = await post_notice(http, parent, ids["pupil"], overlapping, "d-key-0002")
    assert response.status_code == 409, response.text
    problem = decode(response.content, Problem)
    assert problem.field == "start" and str(first.id) in problem.detail
    assert "26.11.2026" in problem.detail and "withdraw it first" in problem.detail
    assert problem.current is not None and problem.current["id"] == first.id
    assert await newest_id(demo_url, s.AbsenceNotice) == notices_before  # nothing written

    # Days not covered, and another child on the same days, are not duplicates.
    after = {**NOTICE, "start": "2026-11-30", "end": "2026-12-01"}
    assert (await post_notice(http, parent, ids["pupil"], after, "d-key-0003")).status_code == 201
    assert (
        await post_notice(http, parent, ids["sibling"], NOTICE, "d-key-0004")
    ).status_code == 201

    # Withdrawn, it stands in the way no more.
    assert (
        await write(http, parent, f"/absence-notices/{first.id}/withdraw", "d-key-0005")
    ).is_success
    again = await post_notice(http, parent, ids["pupil"], overlapping, "d-key-0006")
    assert again.status_code == 409  # still overlaps 30 Nov – 1 Dec
    fixed = {**overlapping, "end": "2026-11-29"}
    assert (await post_notice(http, parent, ids["pupil"], fixed, "d-key-0007")).status_code == 201
    rows = await rows_after(demo_url, s.AbsenceNotice, 0)
    assert len([r for r in rows if r.pupil_id == ids["pupil"]]) == 3


async def test_a_duplicate_of_a_read_notice_says_to_write_to_the_class_teacher(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    first = await sent_notice(http, login_as, demo.ids["pupil"], "r-key-0001", NOTICE)
    teacher = await login_as(http, "classteacher")
    assert (
        await write(http, teacher, f"/absence-notices/{first.id}/seen", "r-key-0002")
    ).is_success
    response = await post_notice(
        http, await login_as(http, "parent"), demo.ids["pupil"], NOTICE, "r-key-0003"
    )
    assert response.status_code == 409
    assert "write to the class teacher" in decode(response.content, Problem).detail


async def test_sending_a_notice_is_audited(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    since = await newest_id(demo_url, s.AuditRecord)
    sent = await sent_notice(http, login_as, demo.ids["pupil"], "a-key-0001", NOTICE)
    records = await rows_after(demo_url, s.AuditRecord, since)
    assert [(r.entity, r.entity_id, r.action) for r in records] == [
        ("absence_notice", sent.id, "create")
    ]
    assert records[0].after["note"] == NOTICE["note"]
