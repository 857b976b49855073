"""Parent meetings over the hand-made school: an event's detail, planning, answers, minutes.

The clock is frozen: the school's today is Wednesday 25 November 2026 (Moscow, UTC+3) and
``now`` is moved by the test; the 5А meeting of the mini school starts at 18:00 that day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from api_client.models import Announcements, EventDetail, Problem, Week, decode
from demo_server.app import create_app
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import AuditRecord, Change
from demo_server.settings import ServerSettings
from tests.conftest import LoginAs, asgi_transport, server_app

API = "/api/v1"
MOSCOW = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture
def school_kind() -> str:
    return "mini"


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MOSCOW)

    def __call__(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)

    def today(self) -> dt.date:
        return self.at.date()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(demo_url: str, demo: Any, clock: Clock) -> Litestar:
    return server_app(demo_url, ServerSettings(today=clock.today, now=clock))


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def problem(response: httpx.Response, status: int, field: str | None = None) -> Problem:
    assert response.status_code == status, response.text
    body = decode(response.content, Problem)
    assert body.detail
    if field is not None:
        assert body.field == field, body
    return body


def detail(response: httpx.Response, status: int = 200) -> EventDetail:
    assert response.status_code == status, response.text
    return decode(response.content, EventDetail)


async def plan(http: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> httpx.Response:
    body = {"title": "Собрание", "date": "01.12.2026", "time": "18:30", "place": "каб. 101"}
    return await http.post(f"{API}/meetings", json={**body, **fields}, headers={**headers, **key()})


async def test_an_event_opens_to_its_detail_for_its_class_alone(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    meeting = demo.ids["meeting"]
    missing = await http.get(f"{API}/events/999999", headers=await login_as(http, "other_parent"))
    for login in ("other_parent", "stranger", "it", "nurse"):
        hidden = await http.get(f"{API}/events/{meeting}", headers=await login_as(http, login))
        assert hidden.status_code == 404, login
        assert hidden.json()["detail"] == missing.json()["detail"]
        assert hidden.json()["field"] == missing.json()["field"] == "event_id"
    parent = detail(
        await http.get(f"{API}/events/{meeting}", headers=await login_as(http, "parent"))
    )
    assert parent.event.title == "Родительское собрание" and parent.event.place == "каб. 101"
    assert parent.event.class_ is not None and parent.event.class_.name == "5А"
    assert parent.may_answer and parent.answer is None and parent.answers is None
    pupil = detail(await http.get(f"{API}/events/{meeting}", headers=await login_as(http, "pupil")))
    assert not pupil.may_answer and pupil.answers is None
    lead = detail(
        await http.get(f"{API}/events/{meeting}", headers=await login_as(http, "classteacher"))
    )
    assert lead.may_edit and lead.answers is not None and not lead.may_record_minutes
    admin = detail(await http.get(f"{API}/events/{meeting}", headers=await login_as(http, "admin")))
    assert admin.may_edit and admin.answers is not None
    school = demo.ids["concert"]
    assert (
        await http.get(f"{API}/events/{school}", headers=await login_as(http, "other_parent"))
    ).status_code == 200


async def test_planning_a_meeting_reads_typed_days_and_names_the_bad_field(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    c5a = demo.ids["c5a"]
    lead = await login_as(http, "classteacher")
    made = detail(
        await plan(http, lead, class_id=c5a, agenda=["Итоги четверти", " ", "Экскурсия"]), 201
    )
    assert made.event.starts_at == dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC)
    assert made.event.agenda == ["Итоги четверти", "Экскурсия"]
    assert made.event.class_ is not None and made.event.class_.id == c5a
    iso = detail(await plan(http, lead, class_id=c5a, date="2026-12-02"), 201)
    assert iso.event.starts_at.date() == dt.date(2026, 12, 2)
    problem(await plan(http, lead, class_id=c5a, date="31.02.2027"), 422, "date")
    problem(await plan(http, lead, class_id=c5a, date="завтра"), 422, "date")
    problem(await plan(http, lead, class_id=c5a, date="0568-11-19"), 422, "date")
    problem(await plan(http, lead, class_id=c5a, date="20.11.2026"), 422, "date")
    problem(await plan(http, lead, class_id=c5a, time="25:00"), 422, "time")
    problem(await plan(http, lead, class_id=c5a, date="25.11.2026", time="09:00"), 422, "time")
    problem(await plan(http, lead, class_id=c5a, title="  "), 422, "title")
    # Only the class teacher of the class, and the administration (for the school too).
    problem(await plan(http, lead, class_id=None), 403)
    assert (await plan(http, await login_as(http, "teacher2"), class_id=c5a)).status_code in (
        403,
        422,
    )
    problem(await plan(http, await login_as(http, "parent"), class_id=c5a), 403)
    admin = await login_as(http, "admin")
    assert detail(await plan(http, admin, class_id=None), 201).event.class_ is None
    # Audited and in the class's change feed.
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            audited = (
                await db.scalars(
                    select(AuditRecord).where(
                        AuditRecord.entity == "meeting", AuditRecord.entity_id == made.event.id
                    )
                )
            ).all()
            feed = (
                await db.scalars(
                    select(Change).where(Change.kind == "event.new", Change.class_id == c5a)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [a.action for a in audited] == ["create"]
    assert len(feed) == 2


async def test_change_and_cancel_until_it_starts_version_checked(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, clock: Clock, demo_url: str
) -> None:
    lead = await login_as(http, "classteacher")
    made = detail(await plan(http, lead, class_id=demo.ids["c5a"]), 201)
    url = f"{API}/meetings/{made.event.id}"
    changed = detail(
        await http.patch(
            url,
            json={"version": 1, "place": "актовый зал", "time": "19:00"},
            headers={**lead, **key()},
        )
    )
    assert changed.event.place == "актовый зал" and changed.event.version == 2
    assert changed.event.starts_at == dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC)
    problem(
        await http.patch(url, json={"version": 1, "title": "Старое"}, headers={**lead, **key()}),
        409,
        "version",
    )
    other = await login_as(http, "teacher2")
    assert (
        await http.patch(url, json={"version": 2, "title": "x"}, headers={**other, **key()})
    ).status_code in (403, 404)
    cancelled = detail(
        await http.patch(url, json={"version": 2, "cancelled": True}, headers={**lead, **key()})
    )
    assert cancelled.event.cancelled and not cancelled.may_edit
    week = await http.get(
        f"{API}/pupils/{demo.ids['pupil']}/week",
        params={"date": "2026-12-01"},
        headers=await login_as(http, "parent"),
    )
    shown = [e for e in decode(week.content, Week).events if e.id == made.event.id]
    assert len(shown) == 1 and shown[0].cancelled  # the week says it is off, too
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            kinds = (
                await db.scalars(
                    select(Change.kind)
                    .where(Change.entity_id == made.event.id, Change.kind.like("event.%"))
                    .order_by(Change.id)
                )
            ).all()
            actions = (
                await db.scalars(
                    select(AuditRecord.action)
                    .where(AuditRecord.entity == "meeting", AuditRecord.entity_id == made.event.id)
                    .order_by(AuditRecord.id)
                )
            ).all()
    finally:
        await engine.dispose()
    assert list(kinds) == ["event.new", "event.changed", "event.cancelled"]
    assert list(actions) == ["create", "update", "remove"]
    parent = await login_as(http, "parent")
    problem(
        await http.put(f"{url}/answer", json={"coming": True}, headers={**parent, **key()}), 409
    )
    # The mini school's own meeting starts at 18:00 today: after that no change.
    clock.at = dt.datetime(2026, 11, 25, 18, 5, tzinfo=MOSCOW)
    meeting = f"{API}/meetings/{demo.ids['meeting']}"
    problem(
        await http.patch(meeting, json={"version": 1, "title": "x"}, headers={**lead, **key()}),
        409,
    )


async def test_parents_answer_and_the_class_teacher_counts_by_family(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, clock: Clock
) -> None:
    meeting = demo.ids["meeting"]
    url = f"{API}/meetings/{meeting}/answer"
    parent = await login_as(http, "parent")
    first = detail(
        await http.put(
            url, json={"coming": True, "comment": "буду с мужем"}, headers={**parent, **key()}
        )
    )
    assert (
        first.answer is not None and first.answer.coming and first.answer.comment == "буду с мужем"
    )
    lead = await login_as(http, "classteacher")
    seen = detail(await http.get(f"{API}/events/{meeting}", headers=lead)).answers
    assert seen is not None
    assert (seen.coming, seen.not_coming, seen.unanswered) == (1, 0, 1)  # Миша's; Дима's not
    families = {f.pupil.id: f for f in seen.families}
    assert families[demo.ids["pupil"]].parents[0].comment == "буду с мужем"
    assert families[demo.ids["mover"]].parents == []
    again = detail(await http.put(url, json={"coming": False}, headers={**parent, **key()}))
    assert again.answer is not None and again.answer.coming is False
    seen = detail(await http.get(f"{API}/events/{meeting}", headers=lead)).answers
    assert seen is not None and (seen.coming, seen.not_coming) == (0, 1)
    # Not a parent of the class; not a parent; a bad body.
    other = await login_as(http, "other_parent")
    assert (
        await http.put(url, json={"coming": True}, headers={**other, **key()})
    ).status_code == 404
    problem(await http.put(url, json={"coming": True}, headers={**lead, **key()}), 403)
    problem(await http.put(url, json={"coming": "yes"}, headers={**parent, **key()}), 400, "coming")
    clock.at = dt.datetime(2026, 11, 25, 18, 0, tzinfo=MOSCOW)
    problem(await http.put(url, json={"coming": True}, headers={**parent, **key()}), 409)


async def test_minutes_after_the_meeting_and_past_meetings_newest_first(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, clock: Clock
) -> None:
    meeting = demo.ids["meeting"]
    url = f"{API}/meetings/{meeting}/minutes"
    lead, parent = await login_as(http, "classteacher"), await login_as(http, "parent")
    body = {"version": 1, "minutes": "Решили: экскурсия 12 декабря."}
    problem(await http.put(url, json=body, headers={**lead, **key()}), 409, "minutes")
    clock.at = dt.datetime(2026, 11, 25, 19, 30, tzinfo=MOSCOW)
    problem(await http.put(url, json=body, headers={**parent, **key()}), 403)
    recorded = detail(await http.put(url, json=body, headers={**lead, **key()}))
    assert recorded.event.minutes == body["minutes"] and recorded.event.version == 2
    problem(await http.put(url, json=body, headers={**lead, **key()}), 409, "version")
    read = detail(await http.get(f"{API}/events/{meeting}", headers=parent))
    assert read.event.minutes == body["minutes"] and not read.may_answer
    # The next day it is listed among the past meetings, apart from the upcoming events.
    clock.at = dt.datetime(2026, 11, 26, 9, 0, tzinfo=MOSCOW)
    news = decode((await http.get(f"{API}/announcements", headers=parent)).content, Announcements)
    assert [e.id for e in news.past_meetings][:1] == [meeting]
    assert news.past_meetings[0].minutes == body["minutes"]
    assert meeting not in [e.id for e in news.events]
    stranger = await login_as(http, "other_parent")
    theirs = decode(
        (await http.get(f"{API}/announcements", headers=stranger)).content, Announcements
    )
    assert meeting not in [e.id for e in theirs.past_meetings]


@pytest.fixture
def frozen_day() -> Clock:
    clock = Clock()
    clock.at = dt.datetime(2026, 12, 5, 10, 0, tzinfo=MOSCOW)  # ten days after "today"
    return clock


async def test_on_a_frozen_school_day_the_meeting_tonight_is_still_to_come(
    demo_url: str, demo: Any, login_as: LoginAs, frozen_day: Clock
) -> None:
    """``DIARY_TODAY`` (a demo shown on a chosen day) freezes the day, not the clock: meetings
    are measured against that day at the clock's time, so tonight's meeting takes answers."""
    frozen = create_app(
        demo_url, settings=ServerSettings(today=lambda: dt.date(2026, 11, 25), now=frozen_day)
    )
    async with httpx.AsyncClient(
        transport=asgi_transport(frozen), base_url="http://diary.test"
    ) as http:
        parent = await login_as(http, "parent")
        url = f"{API}/events/{demo.ids['meeting']}"
        assert detail(await http.get(url, headers=parent)).may_answer
        answered = await http.put(
            f"{API}/meetings/{demo.ids['meeting']}/answer",
            json={"coming": True},
            headers={**parent, **key()},
        )
        assert detail(answered).answer is not None


async def feed(http: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    from api_client.models import ChangeFeed

    got = await http.get(f"{API}/changes", params={"since": "0"}, headers=headers)
    assert got.status_code == 200, got.text
    return decode(got.content, ChangeFeed).changes


async def test_an_answer_is_told_to_the_planner_and_the_class_teacher_alone(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """A parent's answer reaches whoever planned the meeting and the class teacher, as a row
    addressed to each; other parents, the pupils and other teachers never see it."""
    admin, lead = await login_as(http, "admin"), await login_as(http, "classteacher")
    planned = detail(await plan(http, admin, class_id=demo.ids["c5a"], date="10.12.2026"), 201)
    parent = await login_as(http, "parent")
    url = f"{API}/meetings/{planned.event.id}/answer"
    answered = await http.put(
        url, json={"coming": True, "comment": "приду"}, headers={**parent, **key()}
    )
    detail(answered)
    for headers in (admin, lead):
        told = [c for c in await feed(http, headers) if c.kind == "event.answer"]
        assert len(told) == 1, told
        assert told[0].entity_id == planned.event.id
        assert told[0].payload["coming"] is True and told[0].payload["date"] == "2026-12-10"
        assert told[0].payload["comment"] == "приду" and told[0].payload["parent"]
    for login in ("other_parent", "pupil", "teacher2", "parent"):
        seen = await feed(http, await login_as(http, login))
        assert not [c for c in seen if c.kind == "event.answer"], login
    # The class teacher's own meeting: one row for them, not two.
    own = detail(await plan(http, lead, class_id=demo.ids["c5a"], date="11.12.2026"), 201)
    detail(
        await http.put(
            f"{API}/meetings/{own.event.id}/answer",
            json={"coming": False},
            headers={**parent, **key()},
        )
    )
    told = [
        c
        for c in await feed(http, lead)
        if c.kind == "event.answer" and c.entity_id == own.event.id
    ]
    assert len(told) == 1 and told[0].payload["coming"] is False


async def test_the_administration_lists_every_classs_meetings_marked_by_class(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, clock: Clock
) -> None:
    """The administration plans and changes any class's meeting, so its News lists every
    class's upcoming (and past) meetings, each with its class, not only those it planned."""
    lead, admin = await login_as(http, "classteacher"), await login_as(http, "admin")
    theirs = detail(await plan(http, lead, class_id=demo.ids["c5a"]), 201)
    news = decode((await http.get(f"{API}/announcements", headers=admin)).content, Announcements)
    listed = {e.id: e for e in news.events}
    for meeting in (demo.ids["meeting"], theirs.event.id):
        assert meeting in listed
        shown_class = listed[meeting].class_
        assert shown_class is not None and shown_class.id == demo.ids["c5a"]
    events = await http.get(f"{API}/events", headers=admin)
    assert theirs.event.id in [e["id"] for e in events.json()["events"]]
    clock.at = dt.datetime(2026, 12, 2, 9, 0, tzinfo=MOSCOW)
    news = decode((await http.get(f"{API}/announcements", headers=admin)).content, Announcements)
    assert theirs.event.id in [e.id for e in news.past_meetings]
    # A parent of another class still does not see it.
    other = await login_as(http, "other_parent")
    theirs_news = decode(
        (await http.get(f"{API}/announcements", headers=other)).content, Announcements
    )
    assert theirs.event.id not in [e.id for e in theirs_news.past_meetings]


async def test_a_meeting_may_say_when_it_ends_the_same_day_after_it_starts(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    lead = await login_as(http, "classteacher")
    c5a = demo.ids["c5a"]
    made = detail(await plan(http, lead, class_id=c5a, end_time="19:45"), 201)
    assert made.event.ends_at == dt.datetime(2026, 12, 1, 16, 45, tzinfo=dt.UTC)
    assert detail(await plan(http, lead, class_id=c5a), 201).event.ends_at is None
    for bad in ("18:30", "17:00", "25:00", "7.30", "24:00"):
        problem(await plan(http, lead, class_id=c5a, end_time=bad), 422, "end_time")
    url = f"{API}/meetings/{made.event.id}"
    # A new day keeps the end's time of day; a start after it is refused by the end.
    moved = detail(
        await http.patch(url, json={"version": 1, "date": "02.12.2026"}, headers={**lead, **key()})
    )
    assert moved.event.ends_at == dt.datetime(2026, 12, 2, 16, 45, tzinfo=dt.UTC)
    problem(
        await http.patch(url, json={"version": 2, "time": "20:00"}, headers={**lead, **key()}),
        422,
        "end_time",
    )
    later = detail(
        await http.patch(
            url,
            json={"version": 2, "time": "20:00", "end_time": "21:00"},
            headers={**lead, **key()},
        )
    )
    assert later.event.ends_at == dt.datetime(2026, 12, 2, 18, 0, tzinfo=dt.UTC)
    cleared = detail(
        await http.patch(url, json={"version": 3, "end_time": ""}, headers={**lead, **key()})
    )
    assert cleared.event.ends_at is None and cleared.event.version == 4
