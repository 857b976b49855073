"""School set-up of who teaches whom and when: groups within a class, teaching assignments, the
weekly timetable and the lessons made from it (the IT staff and the administration).

Every write goes through :func:`demo_server.idempotency.write`; a timetable write answers the
lessons it made, removed, updated and kept (see :mod:`demo_server.schedule`).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import groups, schedule
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ServerState
from demo_server.wire import Id

SETUP_STAFF = (m.Role.IT_STAFF, m.Role.ADMINISTRATION)
SETUP_ONLY = requires(
    *SETUP_STAFF, what=N_("the school's set-up (only the IT staff and the administration)")
)
"""The guard of every route here."""

GroupId = Annotated[int, PathParameter(description="The group's id")]
RowId = Annotated[int, PathParameter(description="The timetable row's id")]
AssignmentId = Annotated[int, PathParameter(description="The teaching assignment's id")]
ClassFilter = Annotated[Id | None, QueryParameter(description="Only this class", ge=1)]


# --- groups ------------------------------------------------------------------------------------


@get("/groups", summary="The groups within classes")
async def list_groups(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    class_id: ClassFilter = None,
) -> m.ClassGroupList:
    """Every group of the school's classes (or of one class), with its pupils today."""
    return await groups.list_groups(db, viewer, class_id)


@get("/groups/{group_id:int}", summary="One group within a class")
async def get_group(
    group_id: GroupId, viewer: NamedDependency[Viewer], db: NamedDependency[AsyncSession]
) -> m.ClassGroupInfo:
    return await groups.get_group(db, viewer, group_id)


@post("/groups", summary="Split a class into a group for a subject", status_code=201)
@write
async def create_group(
    data: JSONBody[m.ClassGroupCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ClassGroupInfo:
    """A new group of a class for a subject, with its teacher (who is given the teaching
    assignment) and pupils of the class."""
    return await groups.create_group(db, viewer, data, server.settings.now())


@post("/groups/{group_id:int}", summary="Rename a group, change its teacher, retire it")
@write
async def change_group(
    group_id: GroupId,
    data: JSONBody[m.ClassGroupChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ClassGroupInfo:
    return await groups.change_group(db, viewer, group_id, data, server.settings.now())


@post("/groups/{group_id:int}/pupils", summary="Pupils join or leave a group", status_code=200)
@write
async def change_group_pupils(
    group_id: GroupId,
    data: JSONBody[m.GroupPupilsChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ClassGroupInfo:
    """Pupils of the class join the group, or leave it, on a day."""
    return await groups.change_pupils(db, viewer, group_id, data, server.settings.now())


# --- teaching assignments -------------------------------------------------------------------


@get("/assignments", summary="Who teaches which subject to which class or group")
async def list_assignments(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    class_id: ClassFilter = None,
    teacher_id: Annotated[Id | None, QueryParameter(description="Only this teacher", ge=1)] = None,
) -> m.AssignmentList:
    return await schedule.list_assignments(db, viewer, class_id, teacher_id)


@post("/assignments", summary="A teacher teaches a subject to a class or group", status_code=201)
@write
async def create_assignment(
    data: JSONBody[m.AssignmentCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.AssignmentInfo:
    """The same assignment again changes nothing and answers the one there is."""
    return await schedule.create_assignment(db, viewer, data, server.settings.now())


@post(
    "/assignments/{assignment_id:int}/remove",
    summary="Take a teaching assignment away",
    status_code=200,
)
@write
async def remove_assignment(
    assignment_id: AssignmentId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.AssignmentInfo:
    """Refused while the teacher has timetable rows for it; answers what was removed."""
    return await schedule.remove_assignment(db, viewer, assignment_id, server.settings.now())


# --- the weekly timetable ------------------------------------------------------------------------


@get("/timetable", summary="The weekly timetable in force on a day")
async def list_timetable(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    class_id: ClassFilter = None,
    on: Annotated[str | None, date_query("The day (default: today)")] = None,
) -> m.TimetableList:
    day = parse_date(on, "on") if on is not None else None
    return await schedule.list_timetable(db, viewer, class_id, day)


@post("/timetable", summary="Add a row to the weekly timetable", status_code=201)
@write
async def create_timetable_row(
    data: JSONBody[m.TimetableRowCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.TimetableWrite:
    """Refused, naming the conflict, when the teacher, the room, the class or the group is
    already busy then; the lessons are made at once from ``valid_from`` on."""
    return await schedule.create_row(db, viewer, data, server.settings.now())


@post("/timetable/{row_id:int}", summary="Change a timetable row from a day on", status_code=200)
@write
async def change_timetable_row(
    row_id: RowId,
    data: JSONBody[m.TimetableRowChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.TimetableWrite:
    """The row ends the day before ``valid_from`` and a changed copy starts then; the lessons
    from that day on are made again (a lesson with marks, absences, a topic or homework is
    kept and reported)."""
    return await schedule.change_row(db, viewer, row_id, data, server.settings.now())


@post("/timetable/{row_id:int}/end", summary="End a timetable row", status_code=200)
@write
async def end_timetable_row(
    row_id: RowId,
    data: JSONBody[m.TimetableRowEnd],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.TimetableWrite:
    return await schedule.end_row(db, viewer, row_id, data, server.settings.now())


@post("/timetable/generate", summary="Make the lessons again from a day on", status_code=200)
@write
async def generate_lessons(
    data: JSONBody[m.LessonGenerate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.LessonGeneration:
    """Brings the lessons of a class (or of every class of the year) into line with the
    timetable, holidays and periods, from ``valid_from`` to the end of the year."""
    return await schedule.regenerate(db, viewer, data, server.settings.now())


router = Router(
    path="/",
    route_handlers=[
        list_groups,
        get_group,
        create_group,
        change_group,
        change_group_pupils,
        list_assignments,
        create_assignment,
        remove_assignment,
        list_timetable,
        create_timetable_row,
        change_timetable_row,
        end_timetable_row,
        generate_lessons,
    ],
    tags=["set-up"],
    guards=[SETUP_ONLY],
)
