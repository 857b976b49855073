"""A fresh demo school in a database: migrate, then generate (used by ``diary demo``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from demo_server.db import make_engine
from demo_server.migrate import upgrade_engine

if TYPE_CHECKING:
    from demo_server.generator import DemoSchool

ROLE_WORDS = {
    "parent": "a parent of two children in different classes",
    "pupil": "a pupil (one of that parent's children)",
    "teacher": "a teacher of the pupil's class",
    "classteacher": "a class teacher (leads a class)",
    "admin": "school administration",
    "it": "the school's IT staff",
    "nurse": "the health worker",
    "authority": "the education authority",
}


async def prepare_demo_database(
    url: str,
    *,
    seed: int = 1,
    lang: str = "ru",
    size: str = "small",
    today: dt.date | None = None,
    audit_key: bytes | None = None,
) -> DemoSchool:
    """Migrate the (empty) database at ``url`` and generate a demo school into it, its audit
    chain keyed with ``audit_key`` (default: the process's key)."""
    from demo_server.generator import generate

    engine = make_engine(url)
    try:
        await upgrade_engine(engine)
        return await generate(
            engine, seed=seed, lang=lang, size=size, today=today, audit_key=audit_key
        )
    finally:
        await engine.dispose()
