"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed):
``await upgrade("sqlite:///diary.sqlite3")``.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from demo_server.db import make_engine, resolve_url
from demo_server.settings import ensure_token_secret

SCRIPT_LOCATION = "demo_server:migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if url is not None:
        # ConfigParser interpolates "%": escape it (passwords may contain it).
        config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_engine(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` and make sure the token signing secret exists."""
    config = alembic_config()
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, config, revision)
    from sqlalchemy.ext.asyncio import AsyncSession

    async with AsyncSession(engine) as session:
        await ensure_token_secret(session)


async def upgrade(url: str | None, revision: str = "head") -> None:
    """Migrate the database at ``url`` (see ``db.resolve_url``) to ``revision``."""
    engine = make_engine(url)
    try:
        await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _table_names(connection: Connection) -> list[str]:
    return inspect(connection).get_table_names()


async def table_names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(_table_names)


def _drop_everything(connection: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    metadata.drop_all(bind=connection)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def drop_everything(engine: AsyncEngine) -> None:
    """Drop every table in the database (the ``--force`` of ``init-demo``)."""
    async with engine.begin() as connection:
        await connection.run_sync(_drop_everything)


def compare(connection: Connection) -> list[Any]:
    """Differences between the live database and ``schema.Base.metadata`` (empty: in sync)."""
    from alembic.autogenerate import compare_metadata

    from demo_server.schema import Base

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return list(compare_metadata(context, Base.metadata))
