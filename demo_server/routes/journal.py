"""The class journal: ``GET /journal`` and the writes a teacher makes in it.

Every write goes through :func:`demo_server.idempotency.idempotent` (``Idempotency-Key``
required). On SQLite the writes of one app take turns on ``ServerState.write_lock``, so they
never fight over the database's single write lock; a database still locked after the busy
timeout (another process holding it) answers 503 with ``Retry-After``, never 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from litestar import Request, Response, Router, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.models import (
    AbsenceRemove,
    AbsenceSet,
    HomeworkSet,
    Journal,
    JournalAbsence,
    JournalHomework,
    JournalLesson,
    JournalMark,
    JournalPeriodMark,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
    TopicSet,
)
from demo_server import journal
from demo_server.auth import Viewer
from demo_server.idempotency import idempotent
from demo_server.problems import ProblemError
from demo_server.settings import ServerState

T = TypeVar("T")

RETRY_AFTER_SECONDS = 1

LessonId = Annotated[int, PathParameter(description="The lesson's id")]
PupilId = Annotated[int, PathParameter(description="The pupil's id")]
MarkId = Annotated[int, PathParameter(description="The mark's id")]


def _busy(exc: OperationalError) -> bool:
    message = str(exc.orig if exc.orig is not None else exc).lower()
    return "locked" in message or "busy" in message


async def write(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    server: NamedDependency[ServerState],
    type_: type[T],
    work: Callable[[], Awaitable[T]],
    *,
    status_code: int | None = None,
) -> Response[T]:
    """Run one journal write: idempotent, one at a time per app on SQLite, 503 when locked."""
    try:
        if server.backend == "sqlite":
            async with server.write_lock:
                return await idempotent(
                    request, viewer, db, server, type_, work, status_code=status_code
                )
        return await idempotent(request, viewer, db, server, type_, work, status_code=status_code)
    except OperationalError as exc:
        if not _busy(exc):
            raise
        raise ProblemError(
            503,
            "the database is busy with other changes; nothing was saved, send it again shortly",
            retry_after=RETRY_AFTER_SECONDS,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None


@get("/journal", summary="A class journal for a subject and period", tags=["journal"])
async def get_journal(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    class_id: Annotated[int, QueryParameter(description="The class's id")],
    subject_id: Annotated[int, QueryParameter(description="The subject's id")],
    period_id: Annotated[
        int | None, QueryParameter(description="The period's id (default: the one holding today)")
    ] = None,
) -> Journal:
    """Pupils, the period's lessons with topic and homework, marks, absences and period marks.

    Teachers of the class and subject and the class's class teacher (any subject); the
    administration reads any class."""
    return await journal.load_journal(
        db, viewer, class_id, subject_id, period_id, server.settings.today()
    )


@post("/marks", summary="Give a mark", tags=["journal"], status_code=201)
async def create_mark(
    request: Request[Any, Any, Any],
    data: JSONBody[MarkCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalMark]:
    async def work() -> JournalMark:
        return await journal.create_mark(
            db, viewer, data, server.settings.now(), server.settings.today()
        )

    return await write(request, viewer, db, server, JournalMark, work, status_code=201)


@patch("/marks/{mark_id:int}", summary="Change a mark", tags=["journal"])
async def update_mark(
    request: Request[Any, Any, Any],
    mark_id: MarkId,
    data: JSONBody[MarkUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalMark]:
    async def work() -> JournalMark:
        return await journal.update_mark(db, viewer, mark_id, data, server.settings.now())

    return await write(request, viewer, db, server, JournalMark, work)


@post(
    "/marks/{mark_id:int}/remove",
    summary="Remove a mark (it stays on record)",
    tags=["journal"],
    status_code=200,
)
async def remove_mark(
    request: Request[Any, Any, Any],
    mark_id: MarkId,
    data: JSONBody[MarkRemove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalMark]:
    async def work() -> JournalMark:
        return await journal.remove_mark(db, viewer, mark_id, data, server.settings.now())

    return await write(request, viewer, db, server, JournalMark, work)


@put("/lessons/{lesson_id:int}/absences/{pupil_id:int}", summary="Set an absence", tags=["journal"])
async def set_absence(
    request: Request[Any, Any, Any],
    lesson_id: LessonId,
    pupil_id: PupilId,
    data: JSONBody[AbsenceSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalAbsence]:
    async def work() -> JournalAbsence:
        return await journal.set_absence(
            db, viewer, lesson_id, pupil_id, data, server.settings.now(), server.settings.today()
        )

    return await write(request, viewer, db, server, JournalAbsence, work)


@post(
    "/lessons/{lesson_id:int}/absences/{pupil_id:int}/remove",
    summary="Remove an absence",
    tags=["journal"],
    status_code=200,
)
async def remove_absence(
    request: Request[Any, Any, Any],
    lesson_id: LessonId,
    pupil_id: PupilId,
    data: JSONBody[AbsenceRemove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalAbsence]:
    async def work() -> JournalAbsence:
        return await journal.remove_absence(
            db, viewer, lesson_id, pupil_id, data, server.settings.now()
        )

    return await write(request, viewer, db, server, JournalAbsence, work)


@patch("/lessons/{lesson_id:int}/topic", summary="Set a lesson's topic", tags=["journal"])
async def set_topic(
    request: Request[Any, Any, Any],
    lesson_id: LessonId,
    data: JSONBody[TopicSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalLesson]:
    async def work() -> JournalLesson:
        return await journal.set_topic(db, viewer, lesson_id, data, server.settings.now())

    return await write(request, viewer, db, server, JournalLesson, work)


@put(
    "/lessons/{lesson_id:int}/homework",
    summary="Set or remove a lesson's homework",
    tags=["journal"],
)
async def set_homework(
    request: Request[Any, Any, Any],
    lesson_id: LessonId,
    data: JSONBody[HomeworkSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalHomework]:
    async def work() -> JournalHomework:
        return await journal.set_homework(db, viewer, lesson_id, data, server.settings.now())

    return await write(request, viewer, db, server, JournalHomework, work)


@put("/period-marks", summary="Set or remove a period mark", tags=["journal"])
async def set_period_mark(
    request: Request[Any, Any, Any],
    data: JSONBody[PeriodMarkSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[JournalPeriodMark]:
    async def work() -> JournalPeriodMark:
        return await journal.set_period_mark(
            db, viewer, data, server.settings.now(), server.settings.today()
        )

    return await write(request, viewer, db, server, JournalPeriodMark, work)


router = Router(
    path="/",
    route_handlers=[
        get_journal,
        create_mark,
        update_mark,
        remove_mark,
        set_absence,
        remove_absence,
        set_topic,
        set_homework,
        set_period_mark,
    ],
)
