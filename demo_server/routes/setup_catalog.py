"""Set-up of subjects, rooms and classes.

Guarded by :data:`GUARD` (the school's IT staff and administration); every route works
within the caller's school, and a thing of another school is answered as one that does not
exist. Writes go through :func:`demo_server.idempotency.write` and are audited by the service
(:mod:`demo_server.setup_catalog`).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import setup_catalog as catalog
from demo_server.access import SETUP_STAFF
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState
from demo_server.wire import Id

GUARD = requires(
    *SETUP_STAFF, what=N_("the school's set-up (its IT staff and administration keep it)")
)


@get("/setup/subjects", summary="The school's subjects, retired ones too")
async def subjects(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SubjectList:
    return await catalog.list_subjects(db, viewer.school_id)


@post("/setup/subjects", summary="Create a subject", status_code=201)
@write
async def create_subject(
    data: JSONBody[m.SubjectCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupSubject:
    return await catalog.create_subject(
        db, data=data, school_id=viewer.school_id, actor_id=viewer.id, now=server.settings.now()
    )


@patch("/setup/subjects/{subject_id:int}", summary="Rename or retire a subject")
@write
async def change_subject(
    subject_id: FromPath[int],
    data: JSONBody[m.SubjectUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupSubject:
    return await catalog.update_subject(
        db,
        subject_id=subject_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@get("/setup/rooms", summary="The school's rooms, retired ones too")
async def rooms(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.RoomList:
    return await catalog.list_rooms(db, viewer.school_id)


@post("/setup/rooms", summary="Create a room", status_code=201)
@write
async def create_room(
    data: JSONBody[m.RoomCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupRoom:
    return await catalog.create_room(
        db, data=data, school_id=viewer.school_id, actor_id=viewer.id, now=server.settings.now()
    )


@patch("/setup/rooms/{room_id:int}", summary="Change or retire a room")
@write
async def change_room(
    room_id: FromPath[int],
    data: JSONBody[m.RoomUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupRoom:
    return await catalog.update_room(
        db,
        room_id=room_id,
        data=data,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@get("/setup/classes", summary="The school's classes, of one year or all")
async def classes(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    year_id: Annotated[
        Id | None, QueryParameter(description="Only this year's classes", ge=1, le=m.MAX_ID)
    ] = None,
) -> m.SetupClassList:
    return await catalog.list_classes(db, viewer.school_id, year_id, viewer.today)


@post("/setup/classes", summary="Create a class", status_code=201)
@write
async def create_class(
    data: JSONBody[m.ClassCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupClass:
    """Refused (409, naming it) when the year has a class of the same grade and letter, or
    the class teacher is not a teacher."""
    return await catalog.create_class(
        db,
        data=data,
        today=viewer.today,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
    )


@patch("/setup/classes/{class_id:int}", summary="Change or retire a class")
@write
async def change_class(
    class_id: FromPath[int],
    data: JSONBody[m.ClassUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.SetupClass:
    return await catalog.update_class(
        db,
        class_id=class_id,
        data=data,
        today=viewer.today,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        now=server.settings.now(),
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
    guards=[GUARD],
)
