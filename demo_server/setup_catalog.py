"""Set-up of what a school's timetable is made of: subjects, rooms and classes (grade,
letter, class teacher).

Names are unique within the school (subjects, rooms; spaces, case and ё aside) or the year
(classes), retired ones included, so a retired thing is brought back rather than made twice.
Retiring keeps a thing for history (its lessons, marks and pupils stay) and hides it from new
choices; nothing here deletes. Lessons and timetable slots keep a room's name as text, so a
room renamed or retired leaves what was planned as it was (:class:`schema.Room`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server import setup_rules as rules
from demo_server.setup_calendar import get_year
from demo_server.setup_school import SetupTable, of_school, teacher_name

NamedT = TypeVar("NamedT", s.Subject, s.Room)


async def _by_name(db: AsyncSession, model: type[NamedT], school_id: int) -> list[NamedT]:
    """The school's subjects or rooms, retired ones included, in the order of their names."""
    query = select(model).where(model.school_id == school_id).order_by(model.name)
    return list((await db.scalars(query)).all())


async def names_in_use(
    db: AsyncSession,
    model: type[s.Subject] | type[s.Room],
    school_id: int,
    but: int | None = None,
) -> list[tuple[int, str]]:
    """(id, name) of the school's subjects or rooms, retired ones included, but ``but``: the
    names a new or renamed one may not take (:func:`setup_rules.check_unique_name`)."""
    rows = await db.execute(select(model.id, model.name).where(model.school_id == school_id))
    return [(int(i), str(n)) for i, n in rows if i != but]


# --- subjects -----------------------------------------------------------------------------------


async def subject_struct(db: AsyncSession, subject: s.Subject) -> m.SetupSubject:
    return m.SetupSubject(
        id=subject.id, name=subject.name, retired=subject.retired, version=subject.version
    )


SUBJECTS = SetupTable("subject", s.Subject, subject_struct)


async def list_subjects(db: AsyncSession, school_id: int) -> m.SubjectList:
    return m.SubjectList(
        subjects=[await subject_struct(db, x) for x in await _by_name(db, s.Subject, school_id)]
    )


async def get_subject(db: AsyncSession, school_id: int, subject_id: int) -> s.Subject:
    return await of_school(db, s.Subject, subject_id, school_id, "subject", "subject_id")


async def create_subject(
    db: AsyncSession, *, school_id: int, actor_id: int, data: m.SubjectCreate, now: dt.datetime
) -> m.SetupSubject:
    others = await names_in_use(db, s.Subject, school_id)
    row = rules.subject_row(school_id, data.name, others)
    return await SUBJECTS.insert(db, row, school_id=school_id, actor_id=actor_id, now=now)


async def update_subject(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    subject_id: int,
    data: m.SubjectUpdate,
    now: dt.datetime,
) -> m.SetupSubject:
    subject = await get_subject(db, school_id, subject_id)
    before = await subject_struct(db, subject)
    values: dict[str, Any] = {}
    if data.name is not None:
        others = await names_in_use(db, s.Subject, school_id, but=subject.id)
        values["name"] = rules.check_unique_name("subject", data.name, others)
    if data.retired is not None:
        values["retired"] = data.retired
    return await SUBJECTS.change(
        db, subject, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )


# --- rooms --------------------------------------------------------------------------------------


async def room_struct(db: AsyncSession, room: s.Room) -> m.SetupRoom:
    return m.SetupRoom(
        id=room.id,
        name=room.name,
        capacity=room.capacity,
        note=room.note,
        retired=room.retired,
        version=room.version,
    )


ROOMS = SetupTable("room", s.Room, room_struct)


async def list_rooms(db: AsyncSession, school_id: int) -> m.RoomList:
    return m.RoomList(
        rooms=[await room_struct(db, x) for x in await _by_name(db, s.Room, school_id)]
    )


async def get_room(db: AsyncSession, school_id: int, room_id: int) -> s.Room:
    return await of_school(db, s.Room, room_id, school_id, "room", "room_id")


async def create_room(
    db: AsyncSession, *, school_id: int, actor_id: int, data: m.RoomCreate, now: dt.datetime
) -> m.SetupRoom:
    others = await names_in_use(db, s.Room, school_id)
    row = rules.room_row(school_id, data.name, data.capacity, data.note, others)
    return await ROOMS.insert(db, row, school_id=school_id, actor_id=actor_id, now=now)


async def update_room(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    room_id: int,
    data: m.RoomUpdate,
    now: dt.datetime,
) -> m.SetupRoom:
    room = await get_room(db, school_id, room_id)
    before = await room_struct(db, room)
    values: dict[str, Any] = {}
    if data.name is not None:
        others = await names_in_use(db, s.Room, school_id, but=room.id)
        values["name"] = rules.check_unique_name("room", data.name, others)
    if data.capacity is not None:
        values["capacity"] = data.capacity
    if data.note is not None:
        values["note"] = " ".join(data.note.split())
    if data.retired is not None:
        values["retired"] = data.retired
    return await ROOMS.change(
        db, room, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )


# --- classes ------------------------------------------------------------------------------------


async def class_struct(db: AsyncSession, cls: s.SchoolClass, on: dt.date) -> m.SetupClass:
    """The class, with its pupils counted on ``on`` (the school's today)."""
    pupils = await db.scalar(
        select(func.count())
        .select_from(s.Enrolment)
        .where(
            s.Enrolment.class_id == cls.id,
            s.enrolled_on(on),
        )
    )
    return m.SetupClass(
        id=cls.id,
        year_id=cls.year_id,
        name=f"{cls.grade}{cls.letter}",
        grade=cls.grade,
        letter=cls.letter,
        class_teacher=await teacher_name(db, cls.homeroom_teacher_id),
        pupils=int(pupils or 0),
        retired=cls.retired,
        version=cls.version,
    )


def _classes(today: dt.date) -> SetupTable[s.SchoolClass, m.SetupClass]:
    """Classes as set-up writes them, each answered with its pupils counted on ``today``."""

    async def answer(db: AsyncSession, cls: s.SchoolClass) -> m.SetupClass:
        return await class_struct(db, cls, today)

    return SetupTable("class", s.SchoolClass, answer)


async def list_classes(
    db: AsyncSession, school_id: int, year_id: int | None, today: dt.date
) -> m.SetupClassList:
    """The classes of ``year_id``, or of every year of the school."""
    query = select(s.SchoolClass).where(s.SchoolClass.school_id == school_id)
    if year_id is not None:
        await get_year(db, school_id, year_id)
        query = query.where(s.SchoolClass.year_id == year_id)
    classes = (await db.scalars(query.order_by(s.SchoolClass.grade, s.SchoolClass.letter))).all()
    return m.SetupClassList(classes=[await class_struct(db, c, today) for c in classes])


async def get_class(db: AsyncSession, school_id: int, class_id: int) -> s.SchoolClass:
    return await of_school(db, s.SchoolClass, class_id, school_id, "class", "class_id")


async def _class_teacher(db: AsyncSession, school_id: int, user_id: int) -> None:
    row = (
        await db.execute(
            select(s.User.id, s.User.role, s.User.first_name, s.User.last_name).where(
                s.User.id == user_id, s.User.school_id == school_id
            )
        )
    ).one_or_none()
    rules.check_class_teacher(
        None if row is None else (row[0], row[1], f"{row[3]} {row[2]}".strip())
    )


async def classes_in_use(
    db: AsyncSession, year_id: int, but: int | None = None
) -> list[tuple[int, int, str]]:
    """(id, grade, letter) of the year's classes, retired ones included, but ``but``: the
    names a new or renamed class may not take (:func:`setup_rules.check_class`)."""
    rows = await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
            s.SchoolClass.year_id == year_id
        )
    )
    return [(i, g, letter) for i, g, letter in rows if i != but]


async def create_class(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    data: m.ClassCreate,
    today: dt.date,
    now: dt.datetime,
) -> m.SetupClass:
    year = await get_year(db, school_id, data.year_id, status=422)
    if year.retired:
        raise rules.conflict(
            "year",
            year.id,
            year.name,
            _("the year {name} is retired: classes are added to a year in use").format(
                name=year.name
            ),
            "year_id",
        )
    if data.class_teacher_id is not None:
        await _class_teacher(db, school_id, data.class_teacher_id)
    row = rules.class_row(
        school_id,
        year.id,
        data.grade,
        data.letter,
        data.class_teacher_id,
        await classes_in_use(db, year.id),
    )
    return await _classes(today).insert(db, row, school_id=school_id, actor_id=actor_id, now=now)


async def update_class(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    class_id: int,
    data: m.ClassUpdate,
    today: dt.date,
    now: dt.datetime,
) -> m.SetupClass:
    cls = await get_class(db, school_id, class_id)
    before = await class_struct(db, cls, today)
    values: dict[str, Any] = {}
    if data.grade is not None or data.letter is not None:
        grade = data.grade or cls.grade
        values["grade"] = grade
        values["letter"] = rules.check_class(
            grade, data.letter or cls.letter, await classes_in_use(db, cls.year_id, cls.id)
        )
    if data.class_teacher_id is not msgspec.UNSET:
        if data.class_teacher_id is not None:
            await _class_teacher(db, school_id, data.class_teacher_id)
        values["homeroom_teacher_id"] = data.class_teacher_id
    if data.retired is not None:
        values["retired"] = data.retired
    return await _classes(today).change(
        db, cls, data.version, values, before, school_id=school_id, actor_id=actor_id, now=now
    )
