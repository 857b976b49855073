"""One clock on the server: instants are stored in UTC and read back aware on every database;
what a person reads is on the school's clock."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import StatementError

from api_client.models import API_PREFIX, HomeworkList, Me, TokenPair, Week, decode
from demo_server.clock import school_date, school_zone, stamp
from demo_server.db import make_engine, make_sessionmaker
from demo_server.migrate import upgrade
from demo_server.schema import LoginAttempt
from tests.conftest import BASE_URL, asgi_transport, bearer

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


@pytest.fixture
def far_machine_zone() -> Iterator[None]:
    """The server machine's zone set far from the school's (Los Angeles, eleven hours behind
    Moscow), restored after: the school's today must not move with it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


class _Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


async def test_the_servers_today_is_the_schools_date(
    demo_url: str, demo: Any, far_machine_zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from demo_server.app import create_app
    from demo_server.settings import TODAY_ENV, ServerSettings

    monkeypatch.delenv(TODAY_ENV, raising=False)
    # 22:30 UTC on Wednesday 25 November: 01:30 on Thursday 26 November in Moscow, 14:30
    # on the 25th in Los Angeles.
    clock = _Clock(dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC))
    week_long = dt.timedelta(days=7)  # the token outlives the clock's moves
    # today=None: nothing freezes the date, so the server derives it from ``now``, which is
    # this test's frozen clock (the real clock is never read).
    settings = ServerSettings(today=None, now=clock, access_token_lifetime=week_long)
    app = create_app(demo_url, settings=settings)
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as http:
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": "parent", "password": demo.password}
        )
        assert login.status_code == 200, login.text
        headers = bearer(decode(login.content, TokenPair).access_token)
        me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
        pupil = me.children[0].id

        async def homework_today() -> dt.date:
            response = await http.get(f"{API_PREFIX}/pupils/{pupil}/homework", headers=headers)
            assert response.status_code == 200, response.text
            return decode(response.content, HomeworkList).today

        async def default_week() -> Week:
            response = await http.get(f"{API_PREFIX}/pupils/{pupil}/week", headers=headers)
            assert response.status_code == 200, response.text
            return decode(response.content, Week)

        assert await homework_today() == dt.date(2026, 11, 26)
        # 22:30 UTC on Sunday 29 November is Monday 30 November in Moscow: the default week
        # is the one that starts that Monday, not the week that ends on the UTC (or the
        # machine's) Sunday.
        clock.at = dt.datetime(2026, 11, 29, 22, 30, tzinfo=dt.UTC)
        week = await default_week()
        assert week.start == dt.date(2026, 11, 30)
        assert await homework_today() == dt.date(2026, 11, 30)
        # One minute before Moscow's midnight it is still Sunday there.
        clock.at = dt.datetime(2026, 11, 29, 20, 59, tzinfo=dt.UTC)
        assert (await default_week()).start == dt.date(2026, 11, 23)
    await app.state["server"].engine.dispose()


async def test_a_frozen_today_wins_over_the_clock(
    demo_url: str, demo: Any, far_machine_zone: None
) -> None:
    from demo_server.app import create_app
    from demo_server.settings import ServerSettings

    frozen = dt.date(2026, 11, 18)
    clock = _Clock(dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC))
    app = create_app(demo_url, settings=ServerSettings(today=lambda: frozen, now=clock))
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as http:
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": "parent", "password": demo.password}
        )
        headers = bearer(decode(login.content, TokenPair).access_token)
        me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
        response = await http.get(
            f"{API_PREFIX}/pupils/{me.children[0].id}/homework", headers=headers
        )
        assert decode(response.content, HomeworkList).today == frozen
    await app.state["server"].engine.dispose()
