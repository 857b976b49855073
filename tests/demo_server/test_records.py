"""The audit chain stays one line under concurrent writers; change-feed rows get cursors."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select

from api_client.models import Role
from demo_server.audit import first_broken
from demo_server.auth import Viewer
from demo_server.db import make_engine, make_sessionmaker
from demo_server.records import append_audit, record_change, record_write
from demo_server.schema import AuditRecord, Change, ClassGroup, SchoolClass, User
from tests.conftest import TEST_AUDIT_KEY

AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


async def test_concurrent_appends_keep_one_chain(demo_url: str, demo: Any) -> None:
    engine = make_engine(demo_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db:
            actor = await db.scalar(select(User.id).where(User.login == "teacher"))
            before = len((await db.execute(select(AuditRecord.id))).all())

        async def writer(n: int) -> None:
            for i in range(5):
                for attempt in range(50):
                    try:
                        async with sessions() as db, db.begin():
                            await append_audit(
                                db,
                                at=AT,
                                actor_id=actor,
                                action="update",
                                entity="mark",
                                entity_id=n * 100 + i,
                                before={"value": 4},
                                after={"value": 5},
                                reason=f"writer {n}",
                            )
                        break
                    except Exception as exc:  # SQLite: database is locked under contention
                        if "locked" not in str(exc) or attempt == 49:
                            raise
                        await asyncio.sleep(0.01)

        await asyncio.gather(*(writer(n) for n in range(6)))
        async with sessions() as db:
            rows = (await db.execute(select(AuditRecord).order_by(AuditRecord.id))).scalars()
            records: list[dict[str, Any]] = [
                {c.name: getattr(r, c.name) for c in AuditRecord.__table__.columns} for r in rows
            ]
        assert len(records) == before + 30
        assert first_broken(records, TEST_AUDIT_KEY) is None
        assert len({r["prev_hash"] for r in records}) == len(records), "the chain forked"
    finally:
        await engine.dispose()


async def test_change_cursors_increase(demo_url: str, demo: Any) -> None:
    engine = make_engine(demo_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db, db.begin():
            first = await record_change(
                db,
                school_id=demo.school_id,
                kind="mark.added",
                entity_id=1,
                at=AT,
                payload={"value": 5},
            )
            second = await record_change(
                db,
                school_id=demo.school_id,
                kind="mark.edited",
                entity_id=1,
                at=AT,
                payload={"old": 5, "new": 4},
            )
        assert second > first
        async with sessions() as db:
            kinds = (await db.execute(select(Change.kind).order_by(Change.id))).scalars().all()
        assert kinds[-2:] == ["mark.added", "mark.edited"]
    finally:
        await engine.dispose()


async def test_record_write_leaves_what_the_two_calls_leave(demo_url: str, demo: Any) -> None:
    """One write's audit record and feed row, as the pair of calls wrote them: the viewer as
    actor, the viewer's school, the pupil on both, the feed row about ``changed_id``."""
    engine = make_engine(demo_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db, db.begin():
            teacher = await db.scalar(select(User.id).where(User.login == "teacher"))
            cls = await db.scalar(select(SchoolClass.id).limit(1))
            group = await db.scalar(select(ClassGroup.id).limit(1))
            assert teacher is not None and cls is not None and group is not None
            viewer = Viewer(teacher, demo.school_id, Role.TEACHER, "teacher", 0, "UTC", AT.date())
            await record_write(
                db,
                viewer,
                AT,
                action="update",
                entity="blog_comment",
                entity_id=7,
                before={"hidden": False},
                after={"hidden": True},
                reason="rude",
                pupil_id=teacher,
                kind="blog.changed",
                changed_id=3,
                class_id=cls,
                group_id=group,
                user_id=teacher,
                payload={"title": "Т"},
            )
            await append_audit(
                db,
                at=AT,
                actor_id=teacher,
                action="update",
                entity="blog_comment",
                entity_id=7,
                pupil_id=teacher,
                before={"hidden": False},
                after={"hidden": True},
                reason="rude",
            )
            await record_change(
                db,
                school_id=demo.school_id,
                kind="blog.changed",
                entity_id=3,
                at=AT,
                payload={"title": "Т"},
                pupil_id=teacher,
                class_id=cls,
                group_id=group,
                user_id=teacher,
                actor_id=teacher,
            )
        async with sessions() as db:
            audits = (
                (await db.execute(select(AuditRecord).order_by(AuditRecord.id.desc()).limit(2)))
                .scalars()
                .all()
            )
            changes = (
                (await db.execute(select(Change).order_by(Change.id.desc()).limit(2)))
                .scalars()
                .all()
            )

        def columns(row: Any, leave: set[str]) -> dict[str, Any]:
            return {
                c.name: getattr(row, c.name) for c in row.__table__.columns if c.name not in leave
            }

        chained = {"id", "prev_hash", "hash"}
        assert columns(audits[0], chained) == columns(audits[1], chained)
        assert columns(changes[0], {"id"}) == columns(changes[1], {"id"})
        assert changes[0].entity_id == 3 and audits[0].entity_id == 7
    finally:
        await engine.dispose()
