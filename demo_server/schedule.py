"""Teaching assignments, the weekly timetable, and the lessons made from it.

A timetable row says: from ``valid_from`` (to ``valid_to``, or the end of the year), on a
weekday at a bell number, a class (or one group of it) has a subject with a teacher in a room,
every week or on odd or even weeks only (week 1 is the week of the academic year's first day).

Lessons are made from the rows by :func:`plan_lessons`, a pure function the demo generator
calls too: on every school day of the year's periods that is not a holiday, for every row in
force that day and running that week. :func:`generate_lessons` brings the stored lessons of a
class (or of the school) into line with the timetable from a day on, in bulk:

- a lesson already at its place (class, group, day, bell, subject) stays, with its one-off
  changes (substitution, cancellation, room change, move); only its planned teacher and room
  follow the timetable;
- a lesson the timetable no longer holds is removed, unless something was written in it (marks,
  absences, a topic or homework, even removed ones): that one is kept and reported, with why;
- a lesson made by hand (a moved lesson's new place) is never touched;
- the missing lessons are inserted.

Conflicts of a new or changed row are refused, naming the conflict: a teacher or a room in two
places at once, a class or group with two lessons at once (the groups of one class may share a
bell when no pupil is in both), a group of another class or subject, a teacher without the
teaching assignment. Every write appends an audit record; a regeneration adds a
``timetable.changed`` row to the change feed of each class it touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _, weekday
from demo_server import schema as s
from demo_server.auth import Viewer
from demo_server.groups import (
    class_group,
    school_class,
    school_subject,
    school_teacher,
    start_day,
    within_year,
    year_of,
)
from demo_server.problems import ProblemError
from demo_server.records import append_audit, record_class_changes
from demo_server.week import class_name, class_ref, short_name

CHUNK = 500
"""Ids per ``IN (...)`` list: well under SQLite's limit of bound parameters."""

# --- the plan: pure, shared with the demo generator ---------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """A timetable row as lesson making needs it."""

    class_id: int
    weekday: int
    number: int
    subject_id: int
    teacher_id: int
    room: str = ""
    group_id: int | None = None
    weeks: str = m.WeekParity.ALL.value
    valid_from: dt.date = dt.date.min
    valid_to: dt.date | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class PlannedLesson:
    slot: SlotPlan
    date: dt.date


def teaching_days(
    start: dt.date,
    end: dt.date,
    periods: Iterable[tuple[dt.date, dt.date]],
    holidays: Container[dt.date],
) -> list[dt.date]:
    """The days from ``start`` to ``end`` that lie in a period and are not holidays."""
    spans = sorted(periods)
    days: list[dt.date] = []
    for first, last in spans:
        day = max(first, start)
        stop = min(last, end)
        while day <= stop:
            if day not in holidays:
                days.append(day)
            day += dt.timedelta(days=1)
    return sorted(set(days))


def week_number(day: dt.date, year_start: dt.date) -> int:
    """The week of the year ``day`` falls in: 1 for the week of ``year_start``."""
    first_monday = year_start - dt.timedelta(days=year_start.weekday())
    return (day - first_monday).days // 7 + 1


def runs_in_week(weeks: str, number: int) -> bool:
    if weeks == m.WeekParity.ODD.value:
        return number % 2 == 1
    if weeks == m.WeekParity.EVEN.value:
        return number % 2 == 0
    return True


def plan_lessons(
    slots: Iterable[SlotPlan], days: Iterable[dt.date], year_start: dt.date
) -> list[PlannedLesson]:
    """Every lesson the rows make on ``days``, by day, class, bell and group."""
    by_weekday: dict[int, list[SlotPlan]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    for day_slots in by_weekday.values():
        day_slots.sort(key=lambda x: (x.class_id, x.number, x.group_id or 0, x.id or 0))
    out: list[PlannedLesson] = []
    every, odd = m.WeekParity.ALL.value, m.WeekParity.ODD.value
    for day in days:
        odd_week = week_number(day, year_start) % 2 == 1
        for slot in by_weekday.get(day.weekday(), ()):
            if day < slot.valid_from or (slot.valid_to is not None and day > slot.valid_to):
                continue
            # runs_in_week, with the week's parity taken once a day
            if slot.weeks == every or (slot.weeks == odd) == odd_week:
                out.append(PlannedLesson(slot, day))
    return out


def _parities_meet(a: str, b: str) -> bool:
    return a == m.WeekParity.ALL.value or b == m.WeekParity.ALL.value or a == b


def slot_clashes(slots: Sequence[SlotPlan]) -> list[tuple[SlotPlan, SlotPlan, str]]:
    """Pairs of rows that meet (same weekday and bell, overlapping dates and weeks) and share a
    teacher (``teacher``), a room (``room``) or a class (``class``: whole-class rows, or the
    same group). Groups of one class sharing a bell are not a clash here (see
    :func:`check_row` for shared pupils)."""
    found: list[tuple[SlotPlan, SlotPlan, str]] = []
    at: dict[tuple[int, int], list[SlotPlan]] = defaultdict(list)
    for slot in slots:
        at[(slot.weekday, slot.number)].append(slot)
    for same in at.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if not _meet(a, b):
                    continue
                what = _clash(a, b)
                if what:
                    found.append((a, b, what))
    return found


def _meet(a: SlotPlan, b: SlotPlan) -> bool:
    if not _parities_meet(a.weeks, b.weeks):
        return False
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _clash(a: SlotPlan, b: SlotPlan) -> str:
    if a.teacher_id == b.teacher_id:
        return "teacher"
    if a.room and a.room.casefold() == b.room.casefold():
        return "room"
    if a.class_id == b.class_id and (
        a.group_id is None or b.group_id is None or a.group_id == b.group_id
    ):
        return "class"
    return ""


# --- reading ------------------------------------------------------------------------------------


def _slot_plan(row: s.TimetableSlot) -> SlotPlan:
    return SlotPlan(
        id=row.id,
        class_id=row.class_id,
        group_id=row.group_id,
        weekday=row.weekday,
        number=row.number,
        subject_id=row.subject_id,
        teacher_id=row.teacher_id,
        room=row.room,
        weeks=row.weeks,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


_Row = TypeVar("_Row", bound=s.Base)


async def _audit_made(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    entity: str,
    made: Sequence[Any],
    state: Callable[[Any], dict[str, Any]],
    many: str,
) -> None:
    """One audit record of the rows a write created: the row's own state when it made one,
    else every row with its id under ``many`` (and entity id 0)."""
    one = len(made) == 1
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity=entity,
        entity_id=made[0].id if one else 0,
        after=state(made[0]) if one else {many: [{"id": r.id, **state(r)} for r in made]},
    )


async def _fill(
    db: AsyncSession, model: type[_Row], ids: Iterable[int | None], into: dict[int, _Row]
) -> None:
    """Read the rows of ``model`` with ``ids`` not yet in ``into``, into it."""
    wanted = sorted({i for i in ids if i is not None} - set(into))
    key = getattr(model, "id")  # noqa: B009 (Base declares no id; every model here has one)
    for start in range(0, len(wanted), CHUNK):
        for row in await db.scalars(select(model).where(key.in_(wanted[start : start + CHUNK]))):
            into[getattr(row, "id")] = row  # noqa: B009


class _Names:
    """Names of classes, groups, subjects and teachers, read once per answer."""

    def __init__(self) -> None:
        self.classes: dict[int, s.SchoolClass] = {}
        self.groups: dict[int, s.ClassGroup] = {}
        self.subjects: dict[int, s.Subject] = {}
        self.teachers: dict[int, s.User] = {}

    async def load(
        self,
        db: AsyncSession,
        classes: Iterable[int] = (),
        groups: Iterable[int | None] = (),
        subjects: Iterable[int] = (),
        teachers: Iterable[int] = (),
    ) -> _Names:
        await _fill(db, s.SchoolClass, classes, self.classes)
        await _fill(db, s.ClassGroup, groups, self.groups)
        await _fill(db, s.Subject, subjects, self.subjects)
        await _fill(db, s.User, teachers, self.teachers)
        return self

    def class_ref(self, class_id: int) -> m.ClassRef:
        c = self.classes[class_id]
        return class_ref(c.id, c.grade, c.letter)

    def class_name(self, class_id: int, group_id: int | None = None) -> str:
        c = self.classes[class_id]
        name = class_name(c.grade, c.letter)
        if group_id is not None and group_id in self.groups:
            return f"{name} ({self.groups[group_id].name})"
        return name

    def group_ref(self, group_id: int | None) -> m.GroupRef | None:
        if group_id is None:
            return None
        g = self.groups[group_id]
        return m.GroupRef(id=g.id, name=g.name)

    def subject_ref(self, subject_id: int) -> m.SubjectRef:
        x = self.subjects[subject_id]
        return m.SubjectRef(id=x.id, name=x.name)

    def teacher(self, teacher_id: int) -> str:
        t = self.teachers.get(teacher_id)
        return short_name(t.first_name, t.middle_name, t.last_name) if t else ""


async def _names_for_slots(db: AsyncSession, rows: Sequence[s.TimetableSlot]) -> _Names:
    return await _Names().load(
        db,
        classes=(r.class_id for r in rows),
        groups=(r.group_id for r in rows),
        subjects=(r.subject_id for r in rows),
        teachers=(r.teacher_id for r in rows),
    )


def _row_info(row: s.TimetableSlot, names: _Names) -> m.TimetableRowInfo:
    return m.TimetableRowInfo(
        id=row.id,
        class_=names.class_ref(row.class_id),
        weekday=row.weekday,
        number=row.number,
        subject=names.subject_ref(row.subject_id),
        teacher_id=row.teacher_id,
        teacher=names.teacher(row.teacher_id),
        valid_from=row.valid_from,
        room=row.room,
        group=names.group_ref(row.group_id),
        weeks=m.WeekParity(row.weeks),
        valid_to=row.valid_to,
    )


async def list_timetable(
    db: AsyncSession, viewer: Viewer, class_id: int | None, on: dt.date | None
) -> m.TimetableList:
    """The rows in force on ``on`` (default today), of one class or the whole school."""
    day = on or viewer.today
    query = (
        select(s.TimetableSlot)
        .join(s.SchoolClass, s.SchoolClass.id == s.TimetableSlot.class_id)
        .where(
            s.SchoolClass.school_id == viewer.school_id,
            s.TimetableSlot.valid_from <= day,
            or_(s.TimetableSlot.valid_to.is_(None), s.TimetableSlot.valid_to >= day),
        )
        .order_by(
            s.SchoolClass.grade,
            s.SchoolClass.letter,
            s.TimetableSlot.weekday,
            s.TimetableSlot.number,
            s.TimetableSlot.group_id,
            s.TimetableSlot.id,
        )
    )
    if class_id is not None:
        await school_class(db, viewer, class_id, status=404)
        query = query.where(s.TimetableSlot.class_id == class_id)
    rows = (await db.scalars(query)).all()
    names = await _names_for_slots(db, rows)
    return m.TimetableList(rows=[_row_info(r, names) for r in rows])


# --- teaching assignments ------------------------------------------------------------------------


async def _assignment_infos(
    db: AsyncSession, rows: Sequence[s.TeachingAssignment]
) -> list[m.AssignmentInfo]:
    names = await _Names().load(
        db,
        classes=(r.class_id for r in rows),
        groups=(r.group_id for r in rows),
        subjects=(r.subject_id for r in rows),
        teachers=(r.teacher_id for r in rows),
    )
    return [
        m.AssignmentInfo(
            id=r.id,
            teacher_id=r.teacher_id,
            teacher=names.teacher(r.teacher_id),
            class_=names.class_ref(r.class_id),
            subject=names.subject_ref(r.subject_id),
            group=names.group_ref(r.group_id),
        )
        for r in rows
    ]


async def list_assignments(
    db: AsyncSession, viewer: Viewer, class_id: int | None, teacher_id: int | None
) -> m.AssignmentList:
    query = (
        select(s.TeachingAssignment)
        .join(s.SchoolClass, s.SchoolClass.id == s.TeachingAssignment.class_id)
        .join(s.Subject, s.Subject.id == s.TeachingAssignment.subject_id)
        .where(s.SchoolClass.school_id == viewer.school_id)
        .order_by(
            s.SchoolClass.grade,
            s.SchoolClass.letter,
            s.Subject.name,
            s.TeachingAssignment.group_id,
            s.TeachingAssignment.id,
        )
    )
    if class_id is not None:
        query = query.where(s.TeachingAssignment.class_id == class_id)
    if teacher_id is not None:
        query = query.where(s.TeachingAssignment.teacher_id == teacher_id)
    rows = (await db.scalars(query)).all()
    return m.AssignmentList(assignments=await _assignment_infos(db, rows))


async def _group_of(
    db: AsyncSession, viewer: Viewer, group_id: int | None, cls: s.SchoolClass, subject: s.Subject
) -> s.ClassGroup | None:
    if group_id is None:
        return None
    return _group_fits(await class_group(db, viewer, group_id), cls, subject)


def _group_fits(group: s.ClassGroup, cls: s.SchoolClass, subject: s.Subject) -> s.ClassGroup:
    if group.class_id != cls.id or group.subject_id != subject.id:
        raise ProblemError(
            422,
            _("group {group} is not a group of class {cls} for {subject}").format(
                group=group.name, cls=class_name(cls.grade, cls.letter), subject=subject.name
            ),
            field="group_id",
        )
    return group


def _assignment_state(row: s.TeachingAssignment) -> dict[str, Any]:
    return {
        "teacher_id": row.teacher_id,
        "class_id": row.class_id,
        "subject_id": row.subject_id,
        "group_id": row.group_id,
    }


class _Lookups:
    """The classes, subjects, teachers, groups and years a batch of writes names, each looked
    up once, with the refusals of the one-at-a-time lookups (``school_class``, ...)."""

    def __init__(self, db: AsyncSession, viewer: Viewer) -> None:
        self.db = db
        self.viewer = viewer
        self.classes: dict[int, s.SchoolClass] = {}
        self.subjects: dict[int, s.Subject] = {}
        self.teachers: dict[int, s.User] = {}
        self.groups: dict[int, s.ClassGroup] = {}
        self.years: dict[int, s.AcademicYear] = {}

    async def school_class(self, class_id: int) -> s.SchoolClass:
        if class_id not in self.classes:
            self.classes[class_id] = await school_class(self.db, self.viewer, class_id)
        return self.classes[class_id]

    async def subject(self, subject_id: int) -> s.Subject:
        if subject_id not in self.subjects:
            self.subjects[subject_id] = await school_subject(self.db, self.viewer, subject_id)
        return self.subjects[subject_id]

    async def teacher(self, teacher_id: int) -> s.User:
        if teacher_id not in self.teachers:
            self.teachers[teacher_id] = await school_teacher(self.db, self.viewer, teacher_id)
        return self.teachers[teacher_id]

    async def group(
        self, group_id: int | None, cls: s.SchoolClass, subject: s.Subject
    ) -> s.ClassGroup | None:
        if group_id is None:
            return None
        if group_id not in self.groups:
            self.groups[group_id] = await class_group(self.db, self.viewer, group_id)
        return _group_fits(self.groups[group_id], cls, subject)

    async def year(self, cls: s.SchoolClass) -> s.AcademicYear:
        if cls.year_id not in self.years:
            self.years[cls.year_id] = await year_of(self.db, cls)
        return self.years[cls.year_id]


async def create_assignment(
    db: AsyncSession, viewer: Viewer, body: m.AssignmentCreate, now: dt.datetime
) -> m.AssignmentInfo:
    rows = await add_assignments(db, viewer, [body], now)
    return (await _assignment_infos(db, rows))[0]


def _assignment_key(row: s.TeachingAssignment) -> tuple[int, int, int, int | None]:
    return (row.teacher_id, row.class_id, row.subject_id, row.group_id)


async def add_assignments(
    db: AsyncSession, viewer: Viewer, bodies: Sequence[m.AssignmentCreate], now: dt.datetime
) -> list[s.TeachingAssignment]:
    """The teaching assignments ``bodies`` name, each checked as ``POST /assignments`` checks
    one; those the school has already are left as they are (the same again changes nothing),
    the others inserted in one statement and audited in one record. Returns the assignment of
    each body, in order. ``POST /assignments`` and the set-up files both write through here."""
    look = _Lookups(db, viewer)
    keys: list[tuple[int, int, int, int | None]] = []
    for body in bodies:
        teacher = await look.teacher(body.teacher_id)
        cls = await look.school_class(body.class_id)
        subject = await look.subject(body.subject_id)
        group = await look.group(body.group_id, cls, subject)
        keys.append((teacher.id, cls.id, subject.id, group.id if group else None))
    if not keys:
        return []
    class_ids = sorted({k[1] for k in keys})

    async def current() -> dict[tuple[int, int, int, int | None], s.TeachingAssignment]:
        found: dict[tuple[int, int, int, int | None], s.TeachingAssignment] = {}
        for at in range(0, len(class_ids), CHUNK):
            for row in await db.scalars(
                select(s.TeachingAssignment)
                .where(s.TeachingAssignment.class_id.in_(class_ids[at : at + CHUNK]))
                .order_by(s.TeachingAssignment.id)
            ):
                found.setdefault(_assignment_key(row), row)
        return found

    have = await current()
    new = [k for k in dict.fromkeys(keys) if k not in have]
    if new:
        await db.execute(
            insert(s.TeachingAssignment),
            [
                {"teacher_id": t, "class_id": c, "subject_id": sub, "group_id": g}
                for t, c, sub, g in new
            ],
        )
        have = await current()
        made = [have[k] for k in new]
        await _audit_made(
            db, viewer, now, "teaching_assignment", made, _assignment_state, "assignments"
        )
    return [have[k] for k in keys]


async def remove_assignment(
    db: AsyncSession, viewer: Viewer, assignment_id: int, now: dt.datetime
) -> m.AssignmentInfo:
    row = await db.scalar(
        select(s.TeachingAssignment)
        .join(s.SchoolClass, s.SchoolClass.id == s.TeachingAssignment.class_id)
        .where(
            s.TeachingAssignment.id == assignment_id,
            s.SchoolClass.school_id == viewer.school_id,
        )
    )
    if row is None:
        raise ProblemError(
            404,
            _("there is no teaching assignment with this id among those you may see"),
            field="assignment_id",
        )
    in_use = await db.scalar(
        select(func.count(s.TimetableSlot.id)).where(
            s.TimetableSlot.teacher_id == row.teacher_id,
            s.TimetableSlot.class_id == row.class_id,
            s.TimetableSlot.subject_id == row.subject_id,
            s.TimetableSlot.group_id.is_(None)
            if row.group_id is None
            else s.TimetableSlot.group_id == row.group_id,
            or_(s.TimetableSlot.valid_to.is_(None), s.TimetableSlot.valid_to >= viewer.today),
        )
    )
    if in_use:
        raise ProblemError(
            422,
            _(
                "the teacher still has {n} timetable rows for this class and subject: end them "
                "or give them to another teacher first"
            ).format(n=in_use),
            field="assignment_id",
        )
    info = (await _assignment_infos(db, [row]))[0]
    before = _assignment_state(row)
    await db.execute(delete(s.TeachingAssignment).where(s.TeachingAssignment.id == row.id))
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="remove",
        entity="teaching_assignment",
        entity_id=assignment_id,
        before=before,
    )
    return info


# --- timetable rows ------------------------------------------------------------------------------


def _row_state(row: s.TimetableSlot) -> dict[str, Any]:
    return {
        "class_id": row.class_id,
        "group_id": row.group_id,
        "weekday": row.weekday,
        "number": row.number,
        "subject_id": row.subject_id,
        "teacher_id": row.teacher_id,
        "room": row.room,
        "weeks": row.weeks,
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
    }


def _clean_room(room: str) -> str:
    return " ".join(room.split())


ROOMS_NAMED = 12
"""How many of the school's rooms a refusal names."""


async def school_rooms(db: AsyncSession, school_id: int) -> list[str] | None:
    """The names of the school's rooms in use, or None when the school keeps no rooms list
    (then a timetable's room is free text)."""
    rows = (
        await db.execute(
            select(s.Room.name, s.Room.retired)
            .where(s.Room.school_id == school_id)
            .order_by(s.Room.name)
        )
    ).all()
    if not rows:
        return None
    return [name for name, retired in rows if not retired]


def listed_room(room: str, rooms: list[str] | None) -> str:
    """``room`` as the school's rooms list spells it (any case and spacing). With a list, only
    a room in it is taken, and a refusal names the list's first rooms; with none, any text;
    an empty room is no room."""
    room = _clean_room(room)
    if not room or rooms is None:
        return room
    for name in rooms:
        if name.casefold() == room.casefold():
            return name
    shown = ", ".join(rooms[:ROOMS_NAMED]) + (", ..." if len(rooms) > ROOMS_NAMED else "")
    raise ProblemError(
        422,
        _(
            "there is no room '{room}' in the school's list of rooms: choose one of {rooms}, "
            "or add the room in set-up first"
        ).format(room=room, rooms=shown or "-"),
        field="room",
    )


async def check_row(
    db: AsyncSession, viewer: Viewer, plan: SlotPlan, skip: Iterable[int] = ()
) -> None:
    """Refuse ``plan`` (422, naming the field) when it meets another row in force with the same
    teacher, room, class or group, or a group of the class with a pupil in both; or when its
    teacher has no teaching assignment for it."""
    await check_rows(db, viewer, [plan], skip)


async def teaching_of(
    db: AsyncSession, class_ids: Sequence[int]
) -> frozenset[tuple[int, int, int, int | None]]:
    """Who teaches what in these classes: (teacher, class, subject, group or None for the
    whole class), a few queries whatever the number of classes."""
    assigned: set[tuple[int, int, int, int | None]] = set()
    for at in range(0, len(class_ids), CHUNK):
        for t, c, sub, g in await db.execute(
            select(
                s.TeachingAssignment.teacher_id,
                s.TeachingAssignment.class_id,
                s.TeachingAssignment.subject_id,
                s.TeachingAssignment.group_id,
            ).where(s.TeachingAssignment.class_id.in_(class_ids[at : at + CHUNK]))
        ):
            assigned.add((int(t), int(c), int(sub), None if g is None else int(g)))
    return frozenset(assigned)


async def check_rows(
    db: AsyncSession, viewer: Viewer, plans: Sequence[SlotPlan], skip: Iterable[int] = ()
) -> None:
    """:func:`check_row` for several new rows at once, in a few queries whatever their number:
    each against the rows in force (but ``skip``) and against the new rows before it."""
    if not plans:
        return
    class_ids = sorted({p.class_id for p in plans})
    assigned = await teaching_of(db, class_ids)
    names = _Names()
    for plan in plans:
        key = (plan.teacher_id, plan.class_id, plan.subject_id)
        if (*key, None) in assigned or (
            plan.group_id is not None and (*key, plan.group_id) in assigned
        ):
            continue
        await names.load(
            db,
            classes=[plan.class_id],
            subjects=[plan.subject_id],
            teachers=[plan.teacher_id],
            groups=[plan.group_id],
        )
        raise ProblemError(
            422,
            _(
                "{teacher} has no teaching assignment for {cls} {subject}: add the assignment first"
            ).format(
                teacher=names.teacher(plan.teacher_id),
                cls=names.class_name(plan.class_id, plan.group_id),
                subject=names.subjects[plan.subject_id].name,
            ),
            field="teacher_id",
        )
    skipped = set(skip)
    first = min(p.valid_from for p in plans)
    in_force = (
        await db.scalars(
            select(s.TimetableSlot)
            .join(s.SchoolClass, s.SchoolClass.id == s.TimetableSlot.class_id)
            .where(
                s.SchoolClass.school_id == viewer.school_id,
                or_(s.TimetableSlot.valid_to.is_(None), s.TimetableSlot.valid_to >= first),
            )
            .order_by(s.TimetableSlot.id)
        )
    ).all()
    at_time: dict[tuple[int, int], list[SlotPlan]] = defaultdict(list)
    for row in in_force:
        if row.id not in skipped:
            at_time[(row.weekday, row.number)].append(_slot_plan(row))
    for plan in plans:
        same_time = at_time[(plan.weekday, plan.number)]
        for other in same_time:
            if not _meet(plan, other):
                continue
            what = _clash(plan, other)
            if not what and (
                plan.class_id == other.class_id
                and plan.group_id is not None
                and other.group_id is not None
                and await _shared_pupil(db, plan.group_id, other.group_id, plan.valid_from)
            ):
                what = "pupils"
            if what:
                await _refuse_clash(db, names, plan, other, what)
        same_time.append(plan)


async def _refuse_clash(
    db: AsyncSession, names: _Names, plan: SlotPlan, other: SlotPlan, what: str
) -> None:
    await names.load(
        db,
        classes=[plan.class_id, other.class_id],
        groups=[plan.group_id, other.group_id],
        subjects=[plan.subject_id, other.subject_id],
        teachers=[plan.teacher_id, other.teacher_id],
    )
    where = _("{cls} {subject} ({teacher}), {weekday} lesson {number}, from {start}").format(
        cls=names.class_name(other.class_id, other.group_id),
        subject=names.subjects[other.subject_id].name,
        teacher=names.teacher(other.teacher_id),
        weekday=weekday(_a_day_of(other.weekday)),
        number=other.number,
        start=other.valid_from.isoformat(),
    )
    if what == "teacher":
        detail = _("{teacher} already teaches at that time: {where}").format(
            teacher=names.teacher(plan.teacher_id), where=where
        )
        field = "teacher_id"
    elif what == "room":
        detail = _("room {room} is already taken at that time: {where}").format(
            room=plan.room, where=where
        )
        field = "room"
    elif what == "pupils":
        detail = _(
            "the two groups share pupils and would have two lessons at once: {where}"
        ).format(where=where)
        field = "group_id"
    else:
        detail = _("{cls} already has a lesson at that time: {where}").format(
            cls=names.class_name(plan.class_id, plan.group_id), where=where
        )
        field = "number"
    raise ProblemError(422, detail, field=field)


def _a_day_of(weekday_number: int) -> dt.date:
    """A date on that weekday (2024-01-01 was a Monday), for naming the weekday."""
    return dt.date(2024, 1, 1) + dt.timedelta(days=weekday_number)


async def _shared_pupil(db: AsyncSession, a: int, b: int, on: dt.date) -> bool:
    from sqlalchemy.orm import aliased

    other = aliased(s.GroupMember)
    found = await db.scalar(
        select(s.GroupMember.pupil_id)
        .join(other, other.pupil_id == s.GroupMember.pupil_id)
        .where(
            s.GroupMember.group_id == a,
            other.group_id == b,
            or_(s.GroupMember.end.is_(None), s.GroupMember.end >= on),
            or_(other.end.is_(None), other.end >= on),
        )
        .limit(1)
    )
    return found is not None


async def create_row(
    db: AsyncSession, viewer: Viewer, body: m.TimetableRowCreate, now: dt.datetime
) -> m.TimetableWrite:
    rows, lessons = await add_rows(db, viewer, [body], now)
    names = await _names_for_slots(db, rows)
    return m.TimetableWrite(row=_row_info(rows[0], names), lessons=lessons)


async def add_rows(
    db: AsyncSession,
    viewer: Viewer,
    bodies: Sequence[m.TimetableRowCreate],
    now: dt.datetime,
    *,
    replacing: Sequence[int] = (),
) -> tuple[list[s.TimetableSlot], m.LessonGeneration]:
    """New timetable rows, each checked as ``POST /timetable`` checks one (against the rows in
    force and each other), inserted in one statement and audited in one record; the rows
    ``replacing`` names end the day before the new ones start. Then the lessons of every class
    touched are made again from the first day a row starts, once
    (:func:`generate_lessons`). ``POST /timetable`` and the set-up files both write through
    here. Returns the new rows, in order, and what happened to the lessons."""
    look = _Lookups(db, viewer)
    rooms = await school_rooms(db, viewer.school_id)
    plans: list[SlotPlan] = []
    for body in bodies:
        cls = await look.school_class(body.class_id)
        subject = await look.subject(body.subject_id)
        teacher = await look.teacher(body.teacher_id)
        group = await look.group(body.group_id, cls, subject)
        if group is not None and group.retired_at is not None:
            raise ProblemError(
                422,
                _("group {name} is retired: it takes no new lessons").format(name=group.name),
                field="group_id",
            )
        year = await look.year(cls)
        start = start_day(body.valid_from, viewer, year)
        within_year(start, year, "valid_from")
        plans.append(
            SlotPlan(
                class_id=cls.id,
                group_id=group.id if group else None,
                weekday=body.weekday,
                number=body.number,
                subject_id=subject.id,
                teacher_id=teacher.id,
                room=listed_room(body.room, rooms),
                weeks=body.weeks.value,
                valid_from=start,
            )
        )
    if not plans:
        return [], m.LessonGeneration(valid_from=viewer.today)
    first = min(p.valid_from for p in plans)
    class_ids = {p.class_id for p in plans}
    for row_id in replacing:
        row = await _row(db, viewer, row_id)
        class_ids.add(row.class_id)
        await _end_at(db, viewer, row, first, now)
    await check_rows(db, viewer, plans, skip=replacing)
    new_ids = await _insert_slots(db, plans)
    rows: dict[int, s.TimetableSlot] = {}
    await _fill(db, s.TimetableSlot, new_ids, rows)
    made = [rows[i] for i in new_ids]
    await _audit_made(db, viewer, now, "timetable_row", made, _row_state, "rows")
    lessons = await generate_lessons(db, viewer, first, sorted(class_ids), now)
    return made, lessons


def _slot_key(plan: SlotPlan | Any) -> tuple[Any, ...]:
    return (plan.class_id, plan.group_id, plan.weekday, plan.number, plan.weeks, plan.valid_from)


async def _insert_slots(db: AsyncSession, plans: Sequence[SlotPlan]) -> list[int]:
    """Insert ``plans``, checked, in one statement; their new ids in order. The ids come back
    with each row's place (class, group, day, lesson, weeks, start), unique in a checked batch,
    rather than in the order of the parameters: SQLite can give that order only by inserting
    the rows one at a time."""
    found: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    t = s.TimetableSlot
    for row in await db.execute(
        insert(t).returning(
            t.id, t.class_id, t.group_id, t.weekday, t.number, t.weeks, t.valid_from
        ),
        [{k: v for k, v in _plan_fields(plan).items() if k != "id"} for plan in plans],
    ):
        found[_slot_key(row)].append(int(row.id))
    for ids in found.values():
        ids.sort()
    return [found[_slot_key(plan)].pop(0) for plan in plans]


async def _row(db: AsyncSession, viewer: Viewer, row_id: int) -> s.TimetableSlot:
    row = await db.scalar(
        select(s.TimetableSlot)
        .join(s.SchoolClass, s.SchoolClass.id == s.TimetableSlot.class_id)
        .where(s.TimetableSlot.id == row_id, s.SchoolClass.school_id == viewer.school_id)
    )
    if row is None:
        raise ProblemError(
            404,
            _("there is no timetable row with this id among those you may see"),
            field="row_id",
        )
    return row


async def _row_from(
    db: AsyncSession, viewer: Viewer, row_id: int, valid_from: dt.date | None
) -> tuple[s.TimetableSlot, dt.date]:
    """The timetable row, and the day a change of it takes effect (:func:`groups.start_day`),
    which must lie in the row's class's year."""
    row = await _row(db, viewer, row_id)
    cls = await db.get(s.SchoolClass, row.class_id)
    assert cls is not None
    year = await year_of(db, cls)
    start = start_day(valid_from, viewer, year)
    within_year(start, year, "valid_from")
    return row, start


async def _end_at(
    db: AsyncSession, viewer: Viewer, row: s.TimetableSlot, start: dt.date, now: dt.datetime
) -> None:
    """The row ends the day before ``start`` (or is gone, when it had not begun by then)."""
    if row.valid_to is not None and row.valid_to < start:
        raise ProblemError(
            422,
            _("this timetable row already ended on {day}").format(day=row.valid_to.isoformat()),
            field="valid_from",
        )
    before = _row_state(row)
    if row.valid_from >= start:
        end = row.valid_from - dt.timedelta(days=1)  # never in force: an empty span
    else:
        end = start - dt.timedelta(days=1)
    await db.execute(
        update(s.TimetableSlot).where(s.TimetableSlot.id == row.id).values(valid_to=end)
    )
    await db.refresh(row)
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="update",
        entity="timetable_row",
        entity_id=row.id,
        before=before,
        after=_row_state(row),
    )


async def change_row(
    db: AsyncSession, viewer: Viewer, row_id: int, body: m.TimetableRowChange, now: dt.datetime
) -> m.TimetableWrite:
    row, start = await _row_from(db, viewer, row_id, body.valid_from)
    subject_id = row.subject_id
    if body.subject_id is not None and body.subject_id != row.subject_id:
        if row.group_id is not None:
            raise ProblemError(
                422,
                _("a group's row keeps the group's subject: end it and add a row instead"),
                field="subject_id",
            )
        subject_id = (await school_subject(db, viewer, body.subject_id)).id
    teacher_id = row.teacher_id
    if body.teacher_id is not None and body.teacher_id != row.teacher_id:
        teacher_id = (await school_teacher(db, viewer, body.teacher_id)).id
    plan = SlotPlan(
        class_id=row.class_id,
        group_id=row.group_id,
        weekday=row.weekday if body.weekday is None else body.weekday,
        number=row.number if body.number is None else body.number,
        subject_id=subject_id,
        teacher_id=teacher_id,
        room=row.room
        if body.room is None
        else listed_room(body.room, await school_rooms(db, viewer.school_id)),
        weeks=row.weeks if body.weeks is None else body.weeks.value,
        valid_from=start,
        valid_to=None,
    )
    same = {"valid_from": start, "valid_to": None, "id": None}
    if plan == SlotPlan(**{**_plan_fields(_slot_plan(row)), **same}):
        lessons = m.LessonGeneration(valid_from=start)
        names = await _names_for_slots(db, [row])
        return m.TimetableWrite(row=_row_info(row, names), lessons=lessons)
    await check_row(db, viewer, plan, skip=[row.id])
    await _end_at(db, viewer, row, start, now)
    new_id = await db.scalar(
        insert(s.TimetableSlot)
        .values(**{k: v for k, v in _plan_fields(plan).items() if k != "id"})
        .returning(s.TimetableSlot.id)
    )
    assert new_id is not None
    new = await db.get(s.TimetableSlot, new_id)
    assert new is not None
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="timetable_row",
        entity_id=new.id,
        before={"replaces": row.id},
        after=_row_state(new),
    )
    lessons = await generate_lessons(db, viewer, start, [row.class_id], now)
    names = await _names_for_slots(db, [new])
    return m.TimetableWrite(row=_row_info(new, names), lessons=lessons)


def _plan_fields(plan: SlotPlan) -> dict[str, Any]:
    return {f.name: getattr(plan, f.name) for f in fields(SlotPlan)}


async def end_row(
    db: AsyncSession, viewer: Viewer, row_id: int, body: m.TimetableRowEnd, now: dt.datetime
) -> m.TimetableWrite:
    row, start = await _row_from(db, viewer, row_id, body.valid_from)
    await _end_at(db, viewer, row, start, now)
    lessons = await generate_lessons(db, viewer, start, [row.class_id], now)
    return m.TimetableWrite(row=None, lessons=lessons)


async def regenerate(
    db: AsyncSession, viewer: Viewer, body: m.LessonGenerate, now: dt.datetime
) -> m.LessonGeneration:
    if body.class_id is not None:
        cls = await school_class(db, viewer, body.class_id)
        year = await year_of(db, cls)
        class_ids: list[int] | None = [cls.id]
    else:
        years = (
            await db.scalars(
                select(s.AcademicYear)
                .where(s.AcademicYear.school_id == viewer.school_id)
                .order_by(s.AcademicYear.start)
            )
        ).all()
        # The year under way, else the next to begin, else the last.
        year_row = next((y for y in years if y.start <= viewer.today <= y.end), None) or next(
            (y for y in years if y.start > viewer.today), years[-1] if years else None
        )
        if year_row is None:
            raise ProblemError(
                422, _("the school has no academic year yet: create one first"), field="valid_from"
            )
        year = year_row
        class_ids = None
    start = start_day(body.valid_from, viewer, year)
    within_year(start, year, "valid_from")
    return await generate_lessons(db, viewer, start, class_ids, now, year=year)


# --- making lessons -------------------------------------------------------------------------------


async def generate_lessons(
    db: AsyncSession,
    viewer: Viewer,
    start: dt.date,
    class_ids: Sequence[int] | None,
    now: dt.datetime,
    *,
    year: s.AcademicYear | None = None,
) -> m.LessonGeneration:
    """Bring the lessons of ``class_ids`` (default: every class of ``year``) from ``start`` to
    the end of their year into line with the timetable (see the module's docstring), audited."""
    if class_ids is None:
        assert year is not None
        classes = list(
            (
                await db.scalars(
                    select(s.SchoolClass).where(
                        s.SchoolClass.year_id == year.id,
                        s.SchoolClass.school_id == viewer.school_id,
                    )
                )
            ).all()
        )
    else:
        classes = list(
            (await db.scalars(select(s.SchoolClass).where(s.SchoolClass.id.in_(class_ids)))).all()
        )
    report = m.LessonGeneration(valid_from=start)
    by_year: dict[int, list[int]] = defaultdict(list)
    for c in classes:
        by_year[c.year_id].append(c.id)
    for year_id, ids in sorted(by_year.items()):
        the_year = await db.get(s.AcademicYear, year_id)
        assert the_year is not None
        await _generate_year(db, viewer.school_id, the_year, start, ids, report)
    touched = sorted({c.id for c in classes})
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="update",
        entity="lessons",
        entity_id=touched[0] if len(touched) == 1 else 0,
        after={
            "classes": touched,
            "from": start.isoformat(),
            "created": report.created,
            "removed": report.removed,
            "updated": report.updated,
            "kept": [k.id for k in report.kept],
        },
    )
    if report.created or report.removed or report.updated:
        await record_class_changes(
            db,
            school_id=viewer.school_id,
            kind="timetable.changed",
            class_ids=touched,
            at=now,
            actor_id=viewer.id,
            payload={"from": start.isoformat()},
        )
    return report


def _lessons_table() -> Table:
    table = s.Lesson.__table__
    assert isinstance(table, Table)
    return table


_LESSONS = _lessons_table()
"""The lessons' table itself: bulk writes go through Core, not the ORM's unit of work."""

_LESSON_KEY_COLUMNS = (
    s.Lesson.id,
    s.Lesson.class_id,
    s.Lesson.group_id,
    s.Lesson.date,
    s.Lesson.number,
    s.Lesson.subject_id,
    s.Lesson.teacher_id,
    s.Lesson.room,
    s.Lesson.planned_room,
    s.Lesson.slot_id,
    s.Lesson.topic,
)


async def _ids_with(db: AsyncSession, table: Any, lesson_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(lesson_ids), CHUNK):
        chunk = lesson_ids[start : start + CHUNK]
        found.update(
            await db.scalars(select(table.lesson_id).where(table.lesson_id.in_(chunk)).distinct())
        )
    return found


async def _generate_year(
    db: AsyncSession,
    school_id: int,
    year: s.AcademicYear,
    start: dt.date,
    class_ids: list[int],
    report: m.LessonGeneration,
) -> None:
    first = max(start, year.start)
    periods = [
        (p.start, p.end)
        for p in await db.scalars(select(s.Period).where(s.Period.year_id == year.id))
    ]
    holidays = set(
        await db.scalars(
            select(s.Holiday.date).where(
                s.Holiday.school_id == school_id,
                s.Holiday.date >= first,
                s.Holiday.date <= year.end,
            )
        )
    )
    days = teaching_days(first, year.end, periods, holidays)
    slot_rows = (
        await db.scalars(
            select(s.TimetableSlot).where(
                s.TimetableSlot.class_id.in_(class_ids),
                or_(s.TimetableSlot.valid_to.is_(None), s.TimetableSlot.valid_to >= first),
                s.TimetableSlot.valid_from <= year.end,
            )
        )
    ).all()
    wanted = plan_lessons((_slot_plan(r) for r in slot_rows), days, year.start)
    existing = (
        await db.execute(
            select(*_LESSON_KEY_COLUMNS).where(
                s.Lesson.class_id.in_(class_ids),
                s.Lesson.date >= first,
                s.Lesson.date <= year.end,
            )
        )
    ).all()
    at_place: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in existing:
        at_place[(row.class_id, row.group_id, row.date, row.number, row.subject_id)].append(row)
    to_insert: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    for planned in wanted:
        slot = planned.slot
        key = (slot.class_id, slot.group_id, planned.date, slot.number, slot.subject_id)
        rows = at_place.get(key)
        if rows:
            row = rows.pop(0)
            if (row.teacher_id, row.planned_room, row.slot_id) != (
                slot.teacher_id,
                slot.room,
                slot.id,
            ):
                to_update.append(
                    {
                        "b_id": row.id,
                        "teacher_id": slot.teacher_id,
                        "planned_room": slot.room,
                        "room": slot.room if row.room == row.planned_room else row.room,
                        "slot_id": slot.id,
                    }
                )
            else:
                report.unchanged += 1
            continue
        to_insert.append(
            {
                "class_id": slot.class_id,
                "group_id": slot.group_id,
                "slot_id": slot.id,
                "subject_id": slot.subject_id,
                "teacher_id": slot.teacher_id,
                "substitute_id": None,
                "date": planned.date,
                "number": slot.number,
                "room": slot.room,
                "planned_room": slot.room,
                "status": m.LessonStatus.PLANNED.value,
                "note": "",
                "topic": "",
                "version": 1,
            }
        )
    # What is left at a place the timetable no longer fills: made from a row (or before rows
    # were kept), so it goes, unless something was written in it. Lessons made by hand (a
    # moved lesson's new place: no row, status planned, a note) are left alone.
    leftover = [row for rows in at_place.values() for row in rows if row.slot_id is not None]
    leftover_ids = [row.id for row in leftover]
    marks = await _ids_with(db, s.Mark, leftover_ids)
    absences = await _ids_with(db, s.Absence, leftover_ids)
    homework = await _ids_with(db, s.Homework, leftover_ids)
    remove: list[int] = []
    kept_rows = []
    for row in leftover:
        reasons = [
            word
            for word, has in (
                ("marks", row.id in marks),
                ("absences", row.id in absences),
                ("topic", bool(row.topic.strip())),
                ("homework", row.id in homework),
            )
            if has
        ]
        if reasons:
            kept_rows.append((row, reasons))
        else:
            remove.append(row.id)
    if kept_rows:
        names = await _Names().load(
            db,
            classes=(r.class_id for r, _w in kept_rows),
            groups=(r.group_id for r, _w in kept_rows),
            subjects=(r.subject_id for r, _w in kept_rows),
        )
        words = {
            "marks": _("marks"),
            "absences": _("absences"),
            "topic": _("a topic"),
            "homework": _("homework"),
        }
        for row, reasons in sorted(kept_rows, key=lambda x: (x[0].date, x[0].number, x[0].id)):
            detail = _(
                "{cls} {subject} on {day}, lesson {number}, is no longer in the timetable but "
                "was kept: it has {what}"
            ).format(
                cls=names.class_name(row.class_id, row.group_id),
                subject=names.subjects[row.subject_id].name,
                day=row.date.isoformat(),
                number=row.number,
                what=", ".join(words[r] for r in reasons),
            )
            report.kept.append(
                m.KeptLesson(
                    id=row.id,
                    date=row.date,
                    number=row.number,
                    class_=names.class_ref(row.class_id),
                    subject=names.subject_ref(row.subject_id),
                    group=names.group_ref(row.group_id),
                    reasons=reasons,
                    detail=detail,
                )
            )
            if row.date in holidays:
                report.warnings.append(
                    m.ScheduleWarning(
                        detail=_(
                            "a kept lesson falls on a holiday ({day}): move or cancel it"
                        ).format(day=row.date.isoformat()),
                        lesson_id=row.id,
                    )
                )
    for start_at in range(0, len(remove), CHUNK):
        chunk = remove[start_at : start_at + CHUNK]
        await db.execute(delete(_LESSONS).where(_LESSONS.c.id.in_(chunk)))
    if to_update:
        await db.execute(
            update(_LESSONS)
            .where(_LESSONS.c.id == bindparam("b_id"))
            .values(
                teacher_id=bindparam("teacher_id"),
                planned_room=bindparam("planned_room"),
                room=bindparam("room"),
                slot_id=bindparam("slot_id"),
            ),
            to_update,
        )
    if to_insert:
        await db.execute(insert(_LESSONS), to_insert)
    report.created += len(to_insert)
    report.updated += len(to_update)
    report.removed += len(remove)


__all__ = [
    "PlannedLesson",
    "SlotPlan",
    "add_assignments",
    "add_rows",
    "change_row",
    "check_row",
    "check_rows",
    "create_assignment",
    "create_row",
    "end_row",
    "generate_lessons",
    "list_assignments",
    "list_timetable",
    "plan_lessons",
    "regenerate",
    "remove_assignment",
    "slot_clashes",
    "teaching_days",
    "week_number",
]
