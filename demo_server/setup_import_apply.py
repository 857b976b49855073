"""A set-up file import applied to the database.

:func:`build_snapshot` turns the school into the plain :class:`~demo_server.setup_import.
SetupSnapshot` the planner reads; :func:`apply_plan` writes a plan in the caller's transaction
(never committing): every line the plan creates or changes, all of them, or nothing when a line
is refused. The writes of each kind are one function here (``WRITERS``), each taking the
session, the school and the plan's resolved lines, and writing them in a few statements
whatever their number, so a school's files import in seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server import setup_rules
from demo_server.accounts import current_year_id
from demo_server.auth import Viewer
from demo_server.groups import change_group, change_pupils, create_group
from demo_server.lesson_pupils import classes_on
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.roster import Action
from demo_server.schedule import add_assignments, add_rows, teaching_of
from demo_server.setup_catalog import classes_in_use, names_in_use
from demo_server.setup_import import (
    ExistingClass,
    ExistingGroup,
    ExistingSlot,
    Person,
    PlannedLine,
    SetupPlan,
    SetupSnapshot,
)


async def build_snapshot(db: AsyncSession, school_id: int, today: dt.date) -> SetupSnapshot:
    """The school as the set-up planner sees it: this year's classes, the timetable in force
    today or later."""
    year_id = await current_year_id(db, school_id, today)
    subjects = {
        str(name): int(sid)
        for sid, name in await db.execute(
            select(s.Subject.id, s.Subject.name).where(s.Subject.school_id == school_id)
        )
    }
    classes: list[ExistingClass] = []
    if year_id is not None:
        for cid, grade, letter, teacher in await db.execute(
            select(
                s.SchoolClass.id,
                s.SchoolClass.grade,
                s.SchoolClass.letter,
                s.SchoolClass.homeroom_teacher_id,
            ).where(s.SchoolClass.school_id == school_id, s.SchoolClass.year_id == year_id)
        ):
            classes.append(ExistingClass(int(cid), f"{grade}{letter}", teacher))
    class_ids = {c.id for c in classes}
    people = await db.execute(
        select(
            s.User.id,
            s.User.role,
            s.User.login,
            s.User.last_name,
            s.User.first_name,
            s.User.middle_name,
        )
        .where(s.User.school_id == school_id, s.User.role.in_(("teacher", "pupil")))
        .order_by(s.User.id)
    )
    pupil_class = {
        pupil_id: class_id
        for pupil_id, class_id in (await classes_on(db, school_id, today)).items()
        if class_id in class_ids
    }
    teachers: list[Person] = []
    pupils: list[Person] = []
    for uid, role, login, last, first, middle in people:
        person = Person(int(uid), login, last, first, middle, pupil_class.get(int(uid)))
        (teachers if role == "teacher" else pupils).append(person)
    groups = []
    members: dict[int, set[int]] = {}
    for group_id, pupil_id in await db.execute(
        select(s.GroupMember.group_id, s.GroupMember.pupil_id)
        .join(s.ClassGroup, s.ClassGroup.id == s.GroupMember.group_id)
        .where(
            s.ClassGroup.class_id.in_(class_ids),
            or_(s.GroupMember.end.is_(None), s.GroupMember.end >= today),
        )
    ):
        members.setdefault(int(group_id), set()).add(int(pupil_id))
    for group in await db.scalars(
        select(s.ClassGroup).where(
            s.ClassGroup.class_id.in_(class_ids), s.ClassGroup.retired_at.is_(None)
        )
    ):
        groups.append(
            ExistingGroup(
                id=group.id,
                class_id=group.class_id,
                subject_id=group.subject_id,
                name=group.name,
                teacher_id=group.teacher_id,
                pupils=frozenset(members.get(group.id, ())),
                version=group.version,
            )
        )
    assignments = await teaching_of(db, sorted(class_ids))
    slots = [
        ExistingSlot(
            id=slot.id,
            class_id=slot.class_id,
            group_id=slot.group_id,
            weekday=slot.weekday,
            number=slot.number,
            weeks=slot.weeks,
            subject_id=slot.subject_id,
            teacher_id=slot.teacher_id,
            room=slot.room,
        )
        for slot in await db.scalars(
            select(s.TimetableSlot).where(
                s.TimetableSlot.class_id.in_(class_ids),
                or_(s.TimetableSlot.valid_to.is_(None), s.TimetableSlot.valid_to >= today),
            )
        )
    ]
    numbers = frozenset(
        int(n) for n in await db.scalars(select(s.Bell.number).where(s.Bell.school_id == school_id))
    )
    rooms = {
        str(name): (int(rid), str(note))
        for rid, name, note in await db.execute(
            select(s.Room.id, s.Room.name, s.Room.note).where(
                s.Room.school_id == school_id, s.Room.retired.is_(False)
            )
        )
    }
    return SetupSnapshot(
        subjects=subjects,
        rooms=rooms,
        classes=classes,
        teachers=teachers,
        pupils=pupils,
        groups=groups,
        assignments=assignments,
        slots=slots,
        lesson_numbers=numbers,
    )


Writer = Callable[[AsyncSession, Viewer, dt.datetime, Sequence[PlannedLine]], Awaitable[None]]


async def _subjects(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    """Through the set-up rules' ``subject_row``, as ``POST /subjects`` and the demo."""
    school_id = viewer.school_id
    others = await names_in_use(db, s.Subject, school_id)
    values = []
    for row in rows:
        values.append(setup_rules.subject_row(school_id, row.values["name"], others))
        others.append((0, row.values["name"]))
    await db.execute(insert(s.Subject), values)


async def _rooms(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    """Through the set-up rules' ``room_row``; a changed room gets its new description."""
    school_id = viewer.school_id
    others = await names_in_use(db, s.Room, school_id)
    values = []
    for row in rows:
        if row.action is Action.CHANGED:
            await db.execute(
                update(s.Room)
                .where(s.Room.id == row.target)
                .values(note=row.values["description"], version=s.Room.version + 1)
            )
            continue
        values.append(
            setup_rules.room_row(
                school_id, row.values["name"], 0, row.values["description"], others
            )
        )
        others.append((0, row.values["name"]))
    if values:
        await db.execute(insert(s.Room), values)


async def _classes(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    school_id, today = viewer.school_id, viewer.today
    year_id = await current_year_id(db, school_id, today)
    if year_id is None:
        raise ProblemError(
            422,
            _("the school has no academic year for {day}: create the year first").format(
                day=today.isoformat()
            ),
            field="body",
        )
    new = [r for r in rows if r.action is Action.CREATED]
    if new:
        others = await classes_in_use(db, year_id)
        values = []
        for r in new:
            values.append(
                setup_rules.class_row(
                    school_id,
                    year_id,
                    r.values["grade"],
                    r.values["letter"],
                    r.values["teacher_id"],
                    others,
                )
            )
            others.append((0, r.values["grade"], values[-1]["letter"]))
        await db.execute(insert(s.SchoolClass), values)
    for row in rows:
        if row.action is Action.CHANGED:
            await db.execute(
                update(s.SchoolClass)
                .where(s.SchoolClass.id == row.target)
                .values(homeroom_teacher_id=row.values["teacher_id"])
            )


async def _groups(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    """Through ``groups.create_group`` (a new group, its teacher's assignment and pupils) and
    ``change_group`` / ``change_pupils`` (a new teacher, pupils added), as the API does."""
    for row in rows:
        v = row.values
        if row.action is Action.CREATED:
            await create_group(
                db,
                viewer,
                m.ClassGroupCreate(
                    class_id=v["class_id"],
                    subject_id=v["subject_id"],
                    name=v["name"],
                    teacher_id=v["teacher_id"],
                    pupil_ids=list(v["pupils"]),
                ),
                now,
            )
            continue
        assert row.target is not None
        if v["teacher_id"] is not None and v["teacher_id"] != v["was_teacher_id"]:
            await change_group(
                db,
                viewer,
                row.target,
                m.ClassGroupChange(version=v["version"], teacher_id=v["teacher_id"]),
                now,
            )
        if v["pupils"]:
            await change_pupils(
                db, viewer, row.target, m.GroupPupilsChange(add=list(v["pupils"])), now
            )


async def _assignments(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    """Through ``schedule.add_assignments``, as ``POST /assignments``."""
    await add_assignments(
        db,
        viewer,
        [
            m.AssignmentCreate(
                teacher_id=r.values["teacher_id"],
                class_id=r.values["class_id"],
                subject_id=r.values["subject_id"],
                group_id=r.values["group_id"],
            )
            for r in rows
        ],
        now,
    )


async def _timetable(
    db: AsyncSession, viewer: Viewer, now: dt.datetime, rows: Sequence[PlannedLine]
) -> None:
    """Through ``schedule.add_rows``, as ``POST /timetable``: the new rows start today (or on
    the year's first day), a changed row ends the day before its new form starts, and the
    lessons of the classes touched are made again from then on, keeping every lesson with
    marks, absences, a topic or homework."""
    await add_rows(
        db,
        viewer,
        [
            m.TimetableRowCreate(
                class_id=r.values["class_id"],
                group_id=r.values["group_id"],
                weekday=r.values["weekday"],
                number=r.values["number"],
                subject_id=r.values["subject_id"],
                teacher_id=r.values["teacher_id"],
                room=r.values["room"],
                weeks=m.WeekParity(r.values["weeks"]),
            )
            for r in rows
        ],
        now,
        replacing=[r.target for r in rows if r.action is Action.CHANGED and r.target],
    )


WRITERS: dict[str, Writer] = {
    "subjects": _subjects,
    "rooms": _rooms,
    "classes": _classes,
    "groups": _groups,
    "assignments": _assignments,
    "timetable": _timetable,
}


async def apply_plan(
    db: AsyncSession,
    plan: SetupPlan,
    *,
    data: bytes,
    viewer: Viewer,
    now: dt.datetime,
) -> int:
    """Write ``plan`` in the caller's transaction; returns the import's audit record id.
    Refuses (422) a plan with refused lines: nothing is written."""
    if not plan.can_apply:
        raise ProblemError(
            422,
            _("{n} line(s) are refused; nothing was imported").format(n=len(plan.refused)),
            field="body",
        )
    rows = plan.to_write()
    if rows:
        await WRITERS[plan.kind.name](db, viewer, now, rows)
    after: dict[str, Any] = {
        "kind": plan.kind.name,
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "encoding": plan.encoding,
        "created": plan.count(Action.CREATED),
        "changed": plan.count(Action.CHANGED),
        "unchanged": plan.count(Action.UNCHANGED),
        "skipped": plan.count(Action.SKIPPED),
    }
    return await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="setup_import",
        entity_id=viewer.school_id,
        after=after,
    )
