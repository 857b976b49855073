"""One clock on the server: instants are stored in UTC and read back aware on every database;
what a person reads is on the school's clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import StatementError

from demo_server.clock import school_date, school_zone, stamp
from demo_server.db import make_engine, make_sessionmaker
from demo_server.migrate import upgrade
from demo_server.schema import LoginAttempt

MOSCOW = ZoneInfo("Europe/Moscow")
EVENING = dt.datetime(2026, 3, 14, 19, 34, 5, 120, tzinfo=MOSCOW)
"""19:34 on the school's clock: 16:34 UTC."""


async def test_instants_are_stored_in_utc_and_read_back_aware(db_url: str, backend: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db, db.begin():
            db.add(LoginAttempt(login="a", at=EVENING, success=True))
            await db.execute(insert(LoginAttempt).values(login="b", at=EVENING, success=False))
        async with sessions() as db:
            orm = (await db.scalars(select(LoginAttempt).order_by(LoginAttempt.id))).all()
            core = (await db.execute(select(LoginAttempt.at))).scalars().all()
            newest = await db.scalar(select(func.max(LoginAttempt.at)))
            # A comparison binds through the type too: the +03:00 instant finds the row.
            found = await db.scalar(
                select(func.count()).where(LoginAttempt.at == EVENING.astimezone(dt.UTC))
            )
        for value in [*(row.at for row in orm), *core, newest]:
            assert value is not None
            assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0)
            assert value == EVENING
            assert (value.hour, value.minute) == (16, 34)
        assert found == 2
        if backend == "sqlite":
            async with engine.connect() as conn:
                raw = await conn.scalar(text("SELECT at FROM login_attempts LIMIT 1"))
            assert str(raw).startswith("2026-03-14 16:34:05")  # UTC, whatever the offset given
    finally:
        await engine.dispose()


async def test_a_naive_datetime_is_refused(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as db:
            with pytest.raises(StatementError, match="naive datetime"):
                await db.execute(
                    insert(LoginAttempt).values(
                        login="a", at=dt.datetime(2026, 3, 14, 19, 34), success=True
                    )
                )
    finally:
        await engine.dispose()


def test_the_school_clock_reads_the_school_zone() -> None:
    late = dt.datetime(2026, 3, 14, 22, 30, tzinfo=dt.UTC)
    assert stamp(late, "Europe/Moscow") == "2026-03-15 at 01:30"
    assert school_date(late, "Europe/Moscow") == dt.date(2026, 3, 15)
    assert school_date(late, "America/Los_Angeles") == dt.date(2026, 3, 14)
    assert school_zone("Not/AZone") is dt.UTC and school_zone("") is dt.UTC
    with pytest.raises(ValueError):
        stamp(dt.datetime(2026, 3, 14, 22, 30), "Europe/Moscow")
