"""The sync engine against the real server in-process: order, retries, conflicts, refusals,
marks typed offline, and exactly once when an answer is lost."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_client import models as wire
from api_client.client import DiaryClient
from api_client.models import Journal, JournalLesson, LessonStatus, Me
from diary_tui.data import SyncState
from diary_tui.outbox_ops import MarkUpdateOp
from diary_tui.store import CONFLICT, REJECTED, SENT, WAITING, Store
from diary_tui.sync import Settled, SyncEngine, SyncEvent, read_answer
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.writes import (
    absence_set,
    mark_create,
    mark_remove,
    mark_update,
    period_mark_set,
)

BASE = "http://diary.test"


class Switch(httpx.AsyncBaseTransport):
    """A transport that can be cut (connection refused) or answer 503 a few times."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.busy = 0
        """Answer this many writes with 503 and Retry-After before passing them on."""
        self.lose_answers = 0
        """Do this many writes on the server, then fail as if the answer was lost."""
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method != "GET" and "/auth/" not in request.url.path:
            self.writes += 1
            if self.busy:
                self.busy -= 1
                return httpx.Response(
                    503,
                    json={"title": "busy", "status": 503, "detail": "busy", "retry_after": 0},
                    headers={"Retry-After": "0", "content-type": "application/problem+json"},
                )
            if self.lose_answers:
                self.lose_answers -= 1
                await self.inner.handle_async_request(request)
                raise httpx.ReadError("connection reset", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class Desk:
    client: DiaryClient
    store: Store
    engine: SyncEngine
    switch: Switch
    journal: Journal
    lesson: JournalLesson
    events: list[SyncEvent]

    @property
    def pupils(self) -> list[int]:
        return [p.id for p in self.journal.pupils]

    async def reload(self) -> Journal:
        return await load_journal(self.client, self.journal)


async def load_journal(client: DiaryClient, journal: Journal) -> Journal:
    params = {"class_id": journal.class_.id, "subject_id": journal.subject.id}
    params["period_id"] = journal.period.id
    return await client.get("/journal", Journal, params=params)


async def open_desk(app: Any, folder: Path, today: dt.date, login: str = "teacher") -> Desk:
    switch = Switch(asgi_transport(app))
    client = DiaryClient(BASE, transport=switch)
    await client.login(login, "demo")
    me = await client.me()
    teaching = me.teaching[0]
    journal = await client.get(
        "/journal",
        Journal,
        params={"class_id": teaching.class_.id, "subject_id": teaching.subject.id},
    )
    held = [
        lesson
        for lesson in journal.lessons
        if lesson.date <= today and lesson.status is not LessonStatus.CANCELLED
    ]
    assert held, "the teacher has no lesson to write at"
    store = Store(folder / f"{login}-{id(switch)}.sqlite3")
    engine = SyncEngine(client, store, state=SyncState(), base_delay=0.01, cap=0.05)
    events: list[SyncEvent] = []
    engine.listen(events.append)
    return Desk(client, store, engine, switch, journal, held[-1], events)


@pytest.fixture
async def desk(app: Any, demo: Any, tmp_path: Path) -> AsyncIterator[Desk]:
    found = await open_desk(app, tmp_path, demo.today)
    yield found
    await found.client.aclose()
    found.store.close()


def marks_of(journal: Journal, lesson_id: int) -> list[tuple[int, int]]:
    return sorted((m.pupil_id, m.value) for m in journal.marks if m.lesson_id == lesson_id)


def new_marks(before: Journal, after: Journal) -> list[tuple[int, int]]:
    old = {m.id for m in before.marks}
    return sorted((m.pupil_id, m.value) for m in after.marks if m.id not in old)


async def test_marks_go_in_order_and_each_arrives_once(desk: Desk) -> None:
    lesson = desk.lesson.id
    typed = [(pupil, 5 - i % 4) for i, pupil in enumerate(desk.pupils[:6])]
    ids = [
        desk.engine.enqueue(mark_create(key=f"k{i}", lesson_id=lesson, pupil_id=pupil, value=value))
        for i, (pupil, value) in enumerate(typed)
    ]
    assert desk.store.outbox_count() == 6
    assert desk.engine.state is not None and desk.engine.state.outbox == 6
    assert await desk.engine.drain()
    assert desk.store.outbox_count() == 0
    assert [desk.store.item(i).state for i in ids] == [SENT] * 6  # type: ignore[union-attr]
    settled = [e.item.id for e in desk.events if isinstance(e, Settled)]
    assert settled == ids
    after = await desk.reload()
    assert new_marks(desk.journal, after) == sorted(typed)
    assert desk.engine.state.online is True and desk.engine.state.outbox == 0


@sqlite_only
async def test_a_lost_answer_is_replayed_not_doubled(desk: Desk) -> None:
    pupil = desk.pupils[0]
    desk.switch.lose_answers = 1
    item = desk.engine.enqueue(
        mark_create(key="lost", lesson_id=desk.lesson.id, pupil_id=pupil, value=4)
    )
    assert not await desk.engine.drain()  # the answer was lost: the write still waits
    assert desk.store.item(item).state == WAITING  # type: ignore[union-attr]
    assert desk.engine.online is False
    assert await desk.engine.drain()
    assert desk.switch.writes == 2
    after = await desk.reload()
    assert new_marks(desk.journal, after) == [(pupil, 4)]


@sqlite_only
async def test_offline_writes_wait_and_arrive_when_back(desk: Desk) -> None:
    desk.switch.down = True
    for i, pupil in enumerate(desk.pupils[:3]):
        desk.engine.enqueue(
            mark_create(key=f"o{i}", lesson_id=desk.lesson.id, pupil_id=pupil, value=3)
        )
    assert not await desk.engine.drain()
    assert desk.engine.state is not None
    assert desk.engine.state.online is False and desk.engine.state.outbox == 3
    assert desk.engine.failures == 1
    assert not await desk.engine.drain()
    assert desk.engine.failures == 2
    desk.switch.down = False
    assert await desk.engine.drain()
    after = await desk.reload()
    assert new_marks(desk.journal, after) == sorted((p, 3) for p in desk.pupils[:3])


@sqlite_only
async def test_busy_server_is_retried_after_its_pause(desk: Desk) -> None:
    desk.switch.busy = 2
    desk.engine.enqueue(
        mark_create(key="b", lesson_id=desk.lesson.id, pupil_id=desk.pupils[0], value=5)
    )
    await desk.engine.drain(stop_when_offline=False)
    assert desk.switch.writes == 3
    assert desk.engine.online is True
    after = await desk.reload()
    assert new_marks(desk.journal, after) == [(desk.pupils[0], 5)]


def test_backoff_doubles_up_to_the_cap() -> None:
    engine = SyncEngine(None, None, base_delay=1.0, cap=30.0)  # type: ignore[arg-type]
    pauses = []
    for failures in range(1, 9):
        engine.failures = failures
        pauses.append(engine.backoff())
    assert 0.8 <= pauses[0] <= 1.0
    assert 1.6 <= pauses[1] <= 2.0
    assert all(24.0 <= p <= 30.0 for p in pauses[5:])


@sqlite_only
async def test_edits_of_a_mark_typed_offline_wait_for_its_id(desk: Desk) -> None:
    pupil, lesson = desk.pupils[1], desk.lesson.id
    desk.switch.down = True
    create = desk.engine.enqueue(mark_create(key="x", lesson_id=lesson, pupil_id=pupil, value=2))
    update = desk.engine.enqueue(
        mark_update(key="x", mark_id=None, version=None, changes={"value": 3})
    )
    weight = desk.engine.enqueue(
        mark_update(key="x", mark_id=None, version=None, changes={"weight": 2})
    )
    assert desk.store.item(update).depends_on == create  # type: ignore[union-attr]
    assert not await desk.engine.drain()
    desk.switch.down = False
    assert await desk.engine.drain()
    answer = read_answer(desk.store.item(create).result)  # type: ignore[union-attr]
    final = read_answer(desk.store.item(weight).result)  # type: ignore[union-attr]
    assert final.id == answer.id and final.version == 3
    after = await desk.reload()
    mark = next(m for m in after.marks if m.id == answer.id)
    assert (mark.value, mark.weight) == (3, 2)
    # Removed afterwards: the id is known now, the path is resolved at once.
    desk.engine.enqueue(mark_remove(key="x", mark_id=None, version=None))
    assert await desk.engine.drain()
    after = await desk.reload()
    assert all(m.id != answer.id for m in after.marks)


@sqlite_only
async def test_a_refusal_loses_nothing_else(desk: Desk) -> None:
    lesson = desk.lesson.id
    high = desk.journal.scale.max
    first = desk.engine.enqueue(
        mark_create(key="a", lesson_id=lesson, pupil_id=desk.pupils[0], value=high)
    )
    bad = desk.engine.enqueue(
        mark_create(key="b", lesson_id=lesson, pupil_id=desk.pupils[1], value=high + 1)
    )
    dependent = desk.engine.enqueue(
        mark_update(key="b", mark_id=None, version=None, changes={"weight": 2})
    )
    last = desk.engine.enqueue(
        mark_create(key="c", lesson_id=lesson, pupil_id=desk.pupils[2], value=high)
    )
    assert await desk.engine.drain()
    states = [desk.store.item(i) for i in (first, bad, dependent, last)]
    assert [s.state for s in states if s] == [SENT, REJECTED, REJECTED, SENT]
    refused = states[1]
    assert refused is not None and refused.field == "value" and refused.error
    assert states[2] is not None and "not saved" in states[2].error
    after = await desk.reload()
    assert new_marks(desk.journal, after) == sorted(
        [(desk.pupils[0], high), (desk.pupils[2], high)]
    )


@sqlite_only
async def test_another_teachers_class_is_refused(app: Any, demo: Any, tmp_path: Path) -> None:
    mine = await open_desk(app, tmp_path, demo.today, "teacher")
    other = await open_desk(app, tmp_path, demo.today, "classteacher")
    try:
        theirs_me: Me = await other.client.me()
        shared = {(t.class_.id, t.subject.id) for t in theirs_me.teaching}
        if (mine.journal.class_.id, mine.journal.subject.id) in shared:
            pytest.skip("the two demo teachers share this journal")
        bad = other.engine.enqueue(
            mark_create(key="z", lesson_id=mine.lesson.id, pupil_id=mine.pupils[0], value=4)
        )
        good = other.engine.enqueue(
            absence_set(
                lesson_id=other.lesson.id, pupil_id=other.pupils[0], kind="unexcused", version=None
            )
        )
        assert await other.engine.drain()
        refused = other.store.item(bad)
        assert refused is not None and refused.state == REJECTED and refused.error
        accepted = other.store.item(good)
        assert accepted is not None
        assert accepted.state == SENT, accepted.error
    finally:
        for d in (mine, other):
            await d.client.aclose()
            d.store.close()


async def test_conflict_between_two_clients_on_one_cell(
    app: Any, demo: Any, tmp_path: Path
) -> None:
    first = await open_desk(app, tmp_path, demo.today)
    second = await open_desk(app, tmp_path, demo.today)
    try:
        pupil, lesson = first.pupils[3], first.lesson.id
        first.engine.enqueue(mark_create(key="c", lesson_id=lesson, pupil_id=pupil, value=3))
        assert await first.engine.drain()
        seen = await second.reload()
        mark = next(
            m
            for m in seen.marks
            if m.pupil_id == pupil
            and m.lesson_id == lesson
            and m.value == 3
            and m.id not in {x.id for x in first.journal.marks}
        )
        # Both change the same mark from version 1.
        first.engine.enqueue(
            mark_update(key="c", mark_id=mark.id, version=mark.version, changes={"value": 4})
        )
        assert await first.engine.drain()
        item = second.engine.enqueue(
            mark_update(
                key=f"m{mark.id}", mark_id=mark.id, version=mark.version, changes={"value": 5}
            )
        )
        assert await second.engine.drain()
        conflict = second.store.item(item)
        assert conflict is not None and conflict.state == CONFLICT
        current = read_answer(conflict.result)
        assert current.id == mark.id and current.version == mark.version + 1
        # The second teacher keeps theirs: sent again on the current version.
        second.engine.enqueue(
            mark_update(
                key=f"m{mark.id}", mark_id=mark.id, version=current.version, changes={"value": 5}
            )
        )
        assert await second.engine.drain()
        final = await first.reload()
        assert next(m for m in final.marks if m.id == mark.id).value == 5
    finally:
        for d in (first, second):
            await d.client.aclose()
            d.store.close()


@sqlite_only
async def test_period_mark_and_absence_chains(desk: Desk) -> None:
    lesson = desk.lesson.id
    # A pupil the demo gave no absence at this lesson: the chain starts from none (version None).
    absent = {a.pupil_id for a in desk.journal.absences if a.lesson_id == lesson}
    pupil = next(p for p in desk.pupils[4:] if p not in absent)
    existing = next((p for p in desk.journal.period_marks if p.pupil_id == pupil), None)
    base = existing.version if existing else None
    common: dict[str, Any] = {
        "pupil_id": pupil,
        "subject_id": desk.journal.subject.id,
        "period_id": desk.journal.period.id,
    }
    desk.switch.down = True
    desk.engine.enqueue(period_mark_set(**common, value=4, version=base))
    desk.engine.enqueue(period_mark_set(**common, value=5, version=base))
    desk.engine.enqueue(
        absence_set(lesson_id=lesson, pupil_id=pupil, kind="unexcused", version=None)
    )
    desk.engine.enqueue(absence_set(lesson_id=lesson, pupil_id=pupil, kind="illness", version=None))
    assert not await desk.engine.drain()
    desk.switch.down = False
    assert await desk.engine.drain()
    assert [e.item.state for e in desk.events if isinstance(e, Settled)] == [SENT] * 4
    after = await desk.reload()
    assert next(p for p in after.period_marks if p.pupil_id == pupil).value == 5
    absence = next(a for a in after.absences if a.pupil_id == pupil and a.lesson_id == lesson)
    assert absence.kind == "illness"


def test_old_answers_are_forgotten_but_not_what_a_waiting_write_needs(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    a = mark_create(key="a", lesson_id=1, pupil_id=2, value=5)
    create = store.enqueue(a, "key-create")
    store.settle(create, SENT, result=b'{"id": 7}')
    update = mark_update(key="a", mark_id=None, version=None, changes={"value": 4})
    waiting = store.enqueue(update, "key-update", depends_on=create)
    b = mark_create(key="b", lesson_id=1, pupil_id=3, value=5)
    refused = store.enqueue(b, "key-refused")
    store.settle(refused, REJECTED, error="no")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert store.forget_settled(later) == 1
    assert [i.id for i in store.items()] == [create, waiting]
    assert store.last_answer("mark:a", waiting) is not None
    assert store.latest("mark:a", "mark.create") is not None
    store.close()


def legacy_store(
    path: Path, rows: list[tuple[str, str, str, bytes, str, str, int | None, str]]
) -> None:
    """A store file as versions before typed operations wrote it, with waiting writes."""
    import sqlite3

    from diary_tui.store import SCHEMA

    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    for column in ("op", "entity", "meta", "field"):
        db.execute(f"ALTER TABLE outbox ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE outbox ADD COLUMN depends_on INTEGER")
    for key, op, method_path, body, entity, meta, depends_on, state in rows:
        method, where = method_path.split(" ")
        db.execute(
            "INSERT INTO outbox (created_at, method, path, body, idempotency_key, op, entity, "
            "depends_on, meta, state) VALUES ('2024-01-01T00:00:00+00:00', ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            (method, where, body, key, op, entity, depends_on, meta, state),
        )
    db.commit()
    db.close()


@sqlite_only
async def test_writes_kept_by_an_older_version_are_sent_after_the_upgrade(
    desk: Desk, tmp_path: Path
) -> None:
    pupil, lesson = desk.pupils[5], desk.lesson.id
    path = tmp_path / "old.sqlite3"
    create = json.dumps(
        {
            "lesson_id": lesson,
            "pupil_id": pupil,
            "value": 4,
            "weight": 1,
            "kind": "oral",
            "comment": "old",
        }
    ).encode()
    meta = json.dumps({"j": "1:2", "p": pupil, "l": lesson, "k": "old"})
    legacy_store(
        path,
        [
            ("a" * 32, "mark.create", "POST /marks", create, "mark:old", meta, None, WAITING),
            (
                "b" * 32,
                "mark.update",
                "PATCH /marks/{id}",
                b'{"version":null,"weight":2,"reason":""}',
                "mark:old",
                meta,
                1,
                WAITING,
            ),
            ("c" * 32, "x.y", "POST /nowhere", b"{}", "", "", None, WAITING),
        ],
    )
    store = Store(path)
    try:
        items = store.items()
        assert [type(i.write).__name__ for i in items] == ["MarkCreateOp", "MarkUpdateOp"]
        create_op, update_op = items[0].write, items[1].write
        assert create_op.place is not None and create_op.place.key == "old"
        assert isinstance(update_op, MarkUpdateOp) and update_op.mark_id is None
        assert items[1].depends_on == items[0].id and items[0].idempotency_key == "a" * 32
        assert store.outbox_count() == 2  # the unreadable one is kept in the file, not sent
        engine = SyncEngine(desk.client, store, base_delay=0.01, cap=0.05)
        assert await engine.drain()
        assert [i.error for i in store.items()] == ["", ""]
        after = await desk.reload()
        made = [m for m in after.marks if m.comment == "old" and m.pupil_id == pupil]
        assert [(m.value, m.weight) for m in made] == [(4, 2)]
        # Reopening reads nothing twice.
        store.close()
        store = Store(path)
        assert [i.state for i in store.items()] == [SENT, SENT]
    finally:
        store.close()


def test_family_writes_of_an_older_version_are_read_as_typed_operations() -> None:
    from diary_tui import outbox_ops as ops

    sign = ops.from_legacy("week.sign", "/pupils/7/weeks/2024-09-02/sign", b"{}", "", "")
    assert sign == ops.WeekSignOp(pupil_id=7, monday=dt.date(2024, 9, 2))
    tick = ops.from_legacy(
        "homework_done.set", "/pupils/7/homework/9/done", b'{"done":true}', "", ""
    )
    assert tick == ops.HomeworkDoneOp(
        pupil_id=7, homework_id=9, request=wire.HomeworkDoneRequest(done=True)
    )
    reply = ops.from_legacy("message.reply", "/threads/3/messages", b'{"body":"Da"}', "", "")
    assert reply == ops.ReplyOp(thread_id=3, request=wire.ReplyRequest(body="Da"))
    notice = ops.from_legacy(
        "notice.create",
        "/pupils/7/absence-notices",
        b'{"start":"2024-09-02","end":"2024-09-03","reason":"illness","note":""}',
        "",
        "",
    )
    assert isinstance(notice, ops.NoticeCreateOp) and notice.pupil_id == 7
    thread = ops.from_legacy(
        "thread.create", "/threads", b'{"recipient_id":4,"subject":"S","body":"B"}', "", ""
    )
    assert isinstance(thread, ops.ThreadCreateOp) and thread.request.recipient_id == 4
    absence = ops.from_legacy(
        "absence.remove", "/lessons/5/absences/7/remove", b'{"version":null,"reason":""}', "", ""
    )
    assert absence == ops.AbsenceRemoveOp(
        lesson_id=5, pupil_id=7, request=wire.AbsenceRemove(version=ops.UNKNOWN_VERSION)
    )
    for op in (sign, tick, reply, notice, thread, absence):
        assert ops.decode(ops.encode(op)) == op
    with pytest.raises(ValueError):
        ops.from_legacy("mark.update", "/elsewhere", b"{}", "", "")
