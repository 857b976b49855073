"""The class teacher's class: ``/classes/{id}/attendance``, ``/classes/{id}/parents`` and
``/classes/{id}/parent-messages`` (one message to the class's parents, a thread each)."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import homeroom
from demo_server.access import (
    CLASS_ATTENDANCE_STAFF,
    CLASS_CONTACTS_STAFF,
    CLASS_MESSAGE_STAFF,
    led_class,
)
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import ClassId
from demo_server.routes.grades import PeriodParam
from demo_server.settings import ServerState


@get("/classes/{class_id:int}/attendance", summary="A class's attendance by day", tags=["class"])
async def class_attendance(
    class_id: ClassId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> m.ClassAttendance:
    """For the class teacher of the class and the administration: a row per pupil, a column
    per school day of the period, each day's absences with lessons and reasons, totals."""
    cls = await led_class(db, viewer, class_id, CLASS_ATTENDANCE_STAFF)
    return await homeroom.class_attendance(db, cls, viewer.today, period)


@get("/classes/{class_id:int}/parents", summary="A class's parents and contacts", tags=["class"])
async def class_parents(
    class_id: ClassId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.ClassParents:
    """For the class teacher of the class, the administration and IT staff: the pupils with
    their parents' telephone numbers and e-mail addresses."""
    cls = await led_class(db, viewer, class_id, CLASS_CONTACTS_STAFF)
    return await homeroom.class_parents(db, cls, viewer.today)


@post(
    "/classes/{class_id:int}/parent-messages",
    summary="Write to the parents of a class",
    tags=["class"],
)
@write
async def message_parents(
    class_id: ClassId,
    data: JSONBody[m.ClassMessageRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ClassMessageSent:
    """The class teacher (or administration) sends one subject and text to every parent of the
    class, or to those named, as a private thread with each; all threads or none."""
    cls = await led_class(db, viewer, class_id, CLASS_MESSAGE_STAFF)
    return await homeroom.message_parents(
        db, viewer, cls, data, server.settings.now(), viewer.today
    )


router = Router(path="/", route_handlers=[class_attendance, class_parents, message_parents])
