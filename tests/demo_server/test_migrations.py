"""The Alembic migrations create exactly the tables of ``demo_server.schema``."""

from __future__ import annotations

from sqlalchemy import select

from demo_server.db import make_engine
from demo_server.migrate import compare, current_revision, head_revision, table_names, upgrade
from demo_server.schema import Base, ServerSetting
from demo_server.settings import TOKEN_SECRET_KEY


async def test_migrated_schema_matches_the_models(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(compare)
        assert differences == []
        assert set(await table_names(engine)) == set(Base.metadata.tables) | {"alembic_version"}
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_upgrade_twice_is_harmless_and_keeps_the_secret(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(
                select(ServerSetting.value).where(ServerSetting.key == TOKEN_SECRET_KEY)
            )
        await upgrade(db_url)
        async with engine.connect() as connection:
            second = await connection.scalar(
                select(ServerSetting.value).where(ServerSetting.key == TOKEN_SECRET_KEY)
            )
        assert first is not None and len(first) == 64
        assert first == second
    finally:
        await engine.dispose()
