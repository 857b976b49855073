"""The one way a set-up thing is written (``setup_school.SetupTable``): made and audited, an
update based on another version refused with the thing as it is, an update that changes
nothing writing nothing, a removal audited; the week's cached facts dropped only for what the
week shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api_client import models as m
from demo_server import schema as s
from demo_server import week
from demo_server.db import make_engine
from demo_server.migrate import upgrade_engine
from demo_server.problems import ProblemError
from demo_server.setup_calendar import HOLIDAYS
from demo_server.setup_catalog import SUBJECTS
from demo_server.setup_school import init_school
from tests.conftest import frozen_settings

TODAY = dt.date(2026, 11, 25)
NOW = frozen_settings(TODAY).now()


async def _audit(db: AsyncSession) -> list[tuple[str, str, int]]:
    rows = await db.execute(
        select(s.AuditRecord.action, s.AuditRecord.entity, s.AuditRecord.entity_id)
        .where(s.AuditRecord.entity.in_(("subject", "holiday")))
        .order_by(s.AuditRecord.id)
    )
    return [(action, entity, entity_id) for action, entity, entity_id in rows]


async def _who(db: AsyncSession, login: str) -> dict[str, Any]:
    """The school and the author of a set-up write: the school's first IT account, now."""
    user = await db.scalar(select(s.User).where(s.User.login == login))
    assert user is not None
    return {"school_id": user.school_id, "actor_id": user.id, "now": NOW}


async def test_a_set_up_thing_is_written_once_per_version_and_audited(db_url: str) -> None:
    engine = make_engine(db_url)
    await upgrade_engine(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            made = await init_school(
                db, name="Школа № 1", timezone="Europe/Moscow", language="ru", now=NOW
            )
            who = await _who(db, made.login)
            maths = await SUBJECTS.insert(
                db, {"school_id": made.school_id, "name": "Алгебра"}, **who
            )
            assert (maths.name, maths.version, maths.retired) == ("Алгебра", 1, False)
            row = await db.get(s.Subject, maths.id)
            assert row is not None

            same = await SUBJECTS.change(db, row, 1, {"name": "Алгебра"}, maths, **who)
            assert same is maths  # nothing to write: no new version, no audit record
            assert row.version == 1

            with pytest.raises(ProblemError) as stale:
                await SUBJECTS.change(db, row, 7, {"name": "Геометрия"}, maths, **who)
            assert (stale.value.status, stale.value.field) == (409, "version")
            assert stale.value.current == maths

            renamed = await SUBJECTS.change(db, row, 1, {"name": "Геометрия"}, maths, **who)
            assert (renamed.name, renamed.version) == ("Геометрия", 2)

            holiday = await HOLIDAYS.insert(
                db,
                {"school_id": made.school_id, "date": dt.date(2026, 12, 31), "name": ""},
                **who,
            )
            holiday_row = await db.get(s.Holiday, holiday.id)
            assert holiday_row is not None
            removed = await HOLIDAYS.remove(db, holiday_row, holiday, **who)
            assert removed == m.Removed(id=holiday.id)
            assert await db.get(s.Holiday, holiday.id) is None

            assert await _audit(db) == [
                ("create", "subject", maths.id),
                ("update", "subject", maths.id),
                ("create", "holiday", holiday.id),
                ("remove", "holiday", holiday.id),
            ]
            await db.commit()
    finally:
        await engine.dispose()


async def test_only_what_the_week_shows_drops_its_cached_facts(db_url: str) -> None:
    engine = make_engine(db_url)
    await upgrade_engine(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as db:
            made = await init_school(
                db, name="Школа № 2", timezone="Europe/Moscow", language="ru", now=NOW
            )
            await db.commit()
            who = await _who(db, made.login)

            async def cached() -> bool:
                per_school = week._school_facts.get(engine.sync_engine, {})
                return made.school_id in per_school

            async with engine.connect() as conn:
                await week.school_facts(conn, made.school_id)
            assert await cached()
            await SUBJECTS.insert(db, {"school_id": made.school_id, "name": "Химия"}, **who)
            assert await cached()  # subjects are not among the week's cached facts
            await HOLIDAYS.insert(
                db,
                {"school_id": made.school_id, "date": dt.date(2027, 1, 2), "name": ""},
                **who,
            )
            assert not await cached()
            await db.commit()
    finally:
        await engine.dispose()
