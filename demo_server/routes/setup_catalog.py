"""Set-up of subjects, rooms and classes.

Guarded by :data:`~demo_server.routes.deps.SETUP_GUARD` (the school's IT staff and
administration); every route works within the caller's school, and a thing of another school is
answered as one that does not exist. The routes are made from the service functions that do
their work (``setup_read``, ``school_write`` of :mod:`demo_server.routes.deps`): writes go
through :func:`demo_server.idempotency.write` and are audited by the service
(:mod:`demo_server.setup_catalog`).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import setup_catalog as catalog
from demo_server.auth import Viewer
from demo_server.routes.deps import SETUP_GUARD, school_write, setup_read
from demo_server.wire import Id

subjects = setup_read(
    get("/setup/subjects", summary="The school's subjects, retired ones too"),
    catalog.list_subjects,
    "subjects",
)
create_subject = school_write(
    post("/setup/subjects", summary="Create a subject", status_code=201),
    catalog.create_subject,
    "create_subject",
)
change_subject = school_write(
    patch("/setup/subjects/{subject_id:int}", summary="Rename or retire a subject"),
    catalog.update_subject,
    "change_subject",
)
rooms = setup_read(
    get("/setup/rooms", summary="The school's rooms, retired ones too"), catalog.list_rooms, "rooms"
)
create_room = school_write(
    post("/setup/rooms", summary="Create a room", status_code=201),
    catalog.create_room,
    "create_room",
)
change_room = school_write(
    patch("/setup/rooms/{room_id:int}", summary="Change or retire a room"),
    catalog.update_room,
    "change_room",
)


@get("/setup/classes", summary="The school's classes, of one year or all")
async def classes(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    year_id: Annotated[
        Id | None, QueryParameter(description="Only this year's classes", ge=1, le=m.MAX_ID)
    ] = None,
) -> m.SetupClassList:
    return await catalog.list_classes(db, viewer.school_id, year_id, viewer.today)


create_class = school_write(
    post("/setup/classes", summary="Create a class", status_code=201),
    catalog.create_class,
    "create_class",
    """Refused (409, naming it) when the year has a class of the same grade and letter, or
    the class teacher is not a teacher.""",
)
change_class = school_write(
    patch("/setup/classes/{class_id:int}", summary="Change or retire a class"),
    catalog.update_class,
    "change_class",
)


router = Router(
    path="/",
    route_handlers=[
        subjects,
        create_subject,
        change_subject,
        rooms,
        create_room,
        change_room,
        classes,
        create_class,
        change_class,
    ],
    tags=["set-up"],
    guards=[SETUP_GUARD],
)
