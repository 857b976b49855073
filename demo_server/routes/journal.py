"""The class journal: ``GET /journal`` and the writes a teacher makes in it.

Every write is a plain function under :func:`demo_server.idempotency.write`
(``Idempotency-Key`` required, the write lock on SQLite, 503 with ``Retry-After`` when locked).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_
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
    LessonKindSet,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
    TopicSet,
)
from demo_server import journal
from demo_server.access import PUPIL_READERS
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import PupilId, requires
from demo_server.settings import ServerState
from demo_server.wire import Id

LessonId = Annotated[int, PathParameter(description="The lesson's id")]
MarkId = Annotated[int, PathParameter(description="The mark's id")]


@get("/journal", summary="A class journal for a subject and period", tags=["journal"])
async def get_journal(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    class_id: Annotated[Id, QueryParameter(description="The class's id")],
    subject_id: Annotated[Id, QueryParameter(description="The subject's id")],
    period_id: Annotated[
        Id | None, QueryParameter(description="The period's id (default: the one holding today)")
    ] = None,
    group_id: Annotated[
        Id | None,
        QueryParameter(description="A group of the class for the subject: its pupils and lessons"),
    ] = None,
) -> Journal:
    """Pupils, the period's lessons with topic and homework, marks, absences and period marks.

    Teachers of the class and subject and the class's class teacher (any subject); the
    administration reads any class."""
    return await journal.load_journal(
        db, viewer, class_id, subject_id, period_id, viewer.today, group_id
    )


@post("/marks", summary="Give a mark", tags=["journal"], status_code=201)
@write
async def create_mark(
    data: JSONBody[MarkCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalMark:
    return await journal.create_mark(db, viewer, data, server.settings.now(), viewer.today)


@get(
    "/marks/{mark_id:int}",
    summary="One mark",
    tags=["journal"],
    guards=[requires(*PUPIL_READERS, what=N_("marks"))],
)
async def get_mark(
    mark_id: MarkId, viewer: NamedDependency[Viewer], db: NamedDependency[AsyncSession]
) -> JournalMark:
    """A mark as its journal shows it, with its version (the one a change is based on).

    Whoever reads its journal (the lesson's teachers, the class teacher, the administration);
    the pupil and their parents while it stands. Anyone else: 404, as for no such mark."""
    return await journal.read_mark(db, viewer, mark_id)


@patch("/marks/{mark_id:int}", summary="Change a mark", tags=["journal"])
@write
async def update_mark(
    mark_id: MarkId,
    data: JSONBody[MarkUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalMark:
    return await journal.update_mark(db, viewer, mark_id, data, server.settings.now())


@post(
    "/marks/{mark_id:int}/remove",
    summary="Remove a mark (it stays on record)",
    tags=["journal"],
    status_code=200,
)
@write
async def remove_mark(
    mark_id: MarkId,
    data: JSONBody[MarkRemove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalMark:
    return await journal.remove_mark(db, viewer, mark_id, data, server.settings.now())


@put("/lessons/{lesson_id:int}/absences/{pupil_id:int}", summary="Set an absence", tags=["journal"])
@write
async def set_absence(
    lesson_id: LessonId,
    pupil_id: PupilId,
    data: JSONBody[AbsenceSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalAbsence:
    return await journal.set_absence(
        db, viewer, lesson_id, pupil_id, data, server.settings.now(), viewer.today
    )


@post(
    "/lessons/{lesson_id:int}/absences/{pupil_id:int}/remove",
    summary="Remove an absence",
    tags=["journal"],
    status_code=200,
)
@write
async def remove_absence(
    lesson_id: LessonId,
    pupil_id: PupilId,
    data: JSONBody[AbsenceRemove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalAbsence:
    return await journal.remove_absence(
        db, viewer, lesson_id, pupil_id, data, server.settings.now()
    )


@patch("/lessons/{lesson_id:int}/topic", summary="Set a lesson's topic", tags=["journal"])
@write
async def set_topic(
    lesson_id: LessonId,
    data: JSONBody[TopicSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalLesson:
    return await journal.set_topic(db, viewer, lesson_id, data, server.settings.now())


@patch(
    "/lessons/{lesson_id:int}/kind",
    summary="Make a lesson a test (a quiz, ...) or an ordinary lesson",
    tags=["journal"],
)
@write
async def set_lesson_kind(
    lesson_id: LessonId,
    data: JSONBody[LessonKindSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalLesson:
    """A test lesson gives every new mark of its column the test's kind and weight."""
    return await journal.set_lesson_kind(db, viewer, lesson_id, data, server.settings.now())


@put(
    "/lessons/{lesson_id:int}/homework",
    summary="Set or remove a lesson's homework",
    tags=["journal"],
)
@write
async def set_homework(
    lesson_id: LessonId,
    data: JSONBody[HomeworkSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalHomework:
    return await journal.set_homework(db, viewer, lesson_id, data, server.settings.now())


@put("/period-marks", summary="Set or remove a period mark", tags=["journal"])
@write
async def set_period_mark(
    data: JSONBody[PeriodMarkSet],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> JournalPeriodMark:
    return await journal.set_period_mark(db, viewer, data, server.settings.now(), viewer.today)


router = Router(
    path="/",
    route_handlers=[
        get_journal,
        get_mark,
        create_mark,
        update_mark,
        remove_mark,
        set_absence,
        remove_absence,
        set_topic,
        set_lesson_kind,
        set_homework,
        set_period_mark,
    ],
)
