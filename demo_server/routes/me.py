"""``/me``: who I am, my role, my children or my classes."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server.auth import Viewer
from demo_server.me import load_me
from demo_server.routes.deps import BEFORE_PASSWORD_CHANGE


@get("/me", summary="Who I am", tags=["me"], opt={BEFORE_PASSWORD_CHANGE: True})
async def me(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.Me:
    """My role and school; a parent's children (a pupil: themself); a teacher's classes and
    subjects and the class they lead."""
    return await load_me(db, viewer, viewer.today)
