"""The timetable of one dated lesson: ``GET`` and ``PATCH /lessons/{id}`` (the administration).

The change goes through the journal's :func:`demo_server.routes.journal.write` (idempotent,
``Idempotency-Key`` required; one writer at a time on SQLite; 503 when the database is busy).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import LessonChange, LessonDetail
from demo_server import timetable
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.settings import ServerState

LessonId = Annotated[int, PathParameter(description="The lesson's id")]


@get("/lessons/{lesson_id:int}", summary="One lesson of the timetable", tags=["timetable"])
async def get_lesson(
    lesson_id: LessonId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> LessonDetail:
    """The lesson as the timetable holds it, with the school's teachers who could substitute
    (the administration)."""
    return await timetable.lesson_detail(db, viewer, lesson_id)


@patch(
    "/lessons/{lesson_id:int}",
    summary="Cancel or restore a lesson, give it a substitute or another room",
    tags=["timetable"],
)
@write
async def change_lesson(
    lesson_id: LessonId,
    data: JSONBody[LessonChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> LessonDetail:
    """The administration changes a lesson; families and teachers of the class see it in the
    change feed (``lesson.changed``)."""
    return await timetable.change_lesson(
        db, viewer, lesson_id, data, server.settings.now(), viewer.today
    )


router = Router(path="/", route_handlers=[get_lesson, change_lesson])
