"""Groups within a class for a subject, and the one rule of who takes which lesson.

A class is split for a subject (English, computer science) into groups, each with its own
teacher, pupils and lessons. A lesson with a ``group_id`` is that group's alone: its pupils are
the group's members on the lesson's day; a lesson without one is the whole class's. Every read
and write that joins lessons to pupils asks this module, not the class alone:

- :func:`takes_lesson` is the condition "this pupil takes this lesson" (SQL, for the week,
  grades, attendance, homework, statistics, absence notices, medical absences);
- :func:`lesson_pupils` is "the pupils of a lesson" (a pupil of the class on its day who, for a
  group's lesson, is in the group that day): the journal's writes check it;
- :func:`members_between` is a group's pupils over a span (the group's journal lists them).

A pupil who leaves the class leaves its groups the same day (:func:`leave_class_groups`, called
where an enrolment ends). Set-up writes (create, change, retire, pupils in and out) are the IT
staff's and the administration's (the routes' guards) and append audit records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Select, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import not_found, valid_id
from demo_server.auth import Viewer
from demo_server.lesson_pupils import lesson_pupils, members_between, takes_lesson
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.week import class_ref, short_name

T = TypeVar("T")

# --- who takes which lesson -------------------------------------------------------------------


async def is_lesson_pupil(db: AsyncSession, lesson: s.Lesson, pupil_id: int) -> bool:
    found = await db.scalar(
        select(s.Lesson.id).where(s.Lesson.id == lesson.id, lesson_pupils(s.Lesson, pupil_id))
    )
    return found is not None


async def leave_class_groups(
    db: AsyncSession, pupil_ids: Iterable[int], class_id: int, last_day: dt.date
) -> None:
    """Pupils leaving class ``class_id`` after ``last_day`` leave its groups then too."""
    ids = list(pupil_ids)
    if not ids:
        return
    groups = select(s.ClassGroup.id).where(s.ClassGroup.class_id == class_id)
    await db.execute(
        update(s.GroupMember)
        .where(
            s.GroupMember.pupil_id.in_(ids),
            s.GroupMember.group_id.in_(groups),
            or_(s.GroupMember.end.is_(None), s.GroupMember.end > last_day),
            s.GroupMember.start <= last_day,
        )
        .values(end=last_day)
    )
    # Memberships that had not begun by then never happen.
    await db.execute(
        delete(s.GroupMember).where(
            s.GroupMember.pupil_id.in_(ids),
            s.GroupMember.group_id.in_(groups),
            s.GroupMember.start > last_day,
        )
    )


def group_label(class_name: str, subject: str, group: str | None) -> str:
    """How a list of journals names one: ``5А англ. (гр. 1)``, ``5А Maths``."""
    if not group:
        return f"{class_name} {subject}"
    return _("{cls} {subject} ({group})").format(cls=class_name, subject=subject, group=group)


# --- lookups within the viewer's school ---------------------------------------------------------


async def _of_school(
    db: AsyncSession, query: Select[T], row_id: int, what: str, field: str, status: int
) -> T:
    """What ``query`` finds for ``row_id`` within the viewer's school, or the one "no such
    ``what``" answer (the same for an id out of range, of another school or of nothing)."""
    if not valid_id(row_id):
        raise not_found(what, field, status)
    row = await db.scalar(query)
    if row is None:
        raise not_found(what, field, status)
    return row


async def school_class(
    db: AsyncSession, viewer: Viewer, class_id: int, field: str = "class_id", status: int = 422
) -> s.SchoolClass:
    query = select(s.SchoolClass).where(
        s.SchoolClass.id == class_id, s.SchoolClass.school_id == viewer.school_id
    )
    return await _of_school(db, query, class_id, "class", field, status)


async def school_subject(
    db: AsyncSession, viewer: Viewer, subject_id: int, field: str = "subject_id"
) -> s.Subject:
    query = select(s.Subject).where(
        s.Subject.id == subject_id, s.Subject.school_id == viewer.school_id
    )
    return await _of_school(db, query, subject_id, "subject", field, 422)


async def school_teacher(
    db: AsyncSession, viewer: Viewer, teacher_id: int, field: str = "teacher_id"
) -> s.User:
    query = select(s.User).where(s.User.id == teacher_id, s.User.school_id == viewer.school_id)
    user = await _of_school(db, query, teacher_id, "teacher", field, 422)
    if user.role != m.Role.TEACHER.value:
        raise ProblemError(
            422,
            _("{name} is not a teacher: choose a teacher's account").format(name=full_name(user)),
            field=field,
        )
    if user.locked:
        raise ProblemError(
            422,
            _("the account of {name} is locked: unlock it or choose another teacher").format(
                name=full_name(user)
            ),
            field=field,
        )
    return user


async def class_group(
    db: AsyncSession, viewer: Viewer, group_id: int, field: str = "group_id", status: int = 422
) -> s.ClassGroup:
    query = (
        select(s.ClassGroup)
        .join(s.SchoolClass, s.SchoolClass.id == s.ClassGroup.class_id)
        .where(s.ClassGroup.id == group_id, s.SchoolClass.school_id == viewer.school_id)
    )
    return await _of_school(db, query, group_id, "group", field, status)


def full_name(user: s.User) -> str:
    return f"{user.first_name} {user.last_name}"


def start_day(on: dt.date | None, viewer: Viewer, year: s.AcademicYear) -> dt.date:
    """The day a set-up change takes effect: the one asked for, else today, or the year's first
    day when that is later."""
    if on is not None:
        return on
    return max(viewer.today, year.start)


async def year_of(db: AsyncSession, cls: s.SchoolClass) -> s.AcademicYear:
    year = await db.get(s.AcademicYear, cls.year_id)
    assert year is not None
    return year


def within_year(day: dt.date, year: s.AcademicYear, field: str) -> None:
    if not year.start <= day <= year.end:
        raise ProblemError(
            422,
            _("{day} is outside the academic year {name} ({start} to {end})").format(
                day=day.isoformat(),
                name=year.name,
                start=year.start.isoformat(),
                end=year.end.isoformat(),
            ),
            field=field,
        )


# --- reading ---------------------------------------------------------------------------------


async def group_infos(
    db: AsyncSession, viewer: Viewer, groups: Sequence[s.ClassGroup]
) -> list[m.ClassGroupInfo]:
    if not groups:
        return []
    classes = {
        c.id: c
        for c in await db.scalars(
            select(s.SchoolClass).where(s.SchoolClass.id.in_({g.class_id for g in groups}))
        )
    }
    subjects = {
        x.id: x
        for x in await db.scalars(
            select(s.Subject).where(s.Subject.id.in_({g.subject_id for g in groups}))
        )
    }
    teacher_ids = {g.teacher_id for g in groups if g.teacher_id is not None}
    teachers = {u.id: u for u in await db.scalars(select(s.User).where(s.User.id.in_(teacher_ids)))}
    today = viewer.today
    members: dict[int, list[m.PupilRef]] = {}
    rows = await db.execute(
        select(s.GroupMember.group_id, s.User.id, s.User.first_name, s.User.last_name)
        .join(s.User, s.User.id == s.GroupMember.pupil_id)
        .where(
            s.GroupMember.group_id.in_([g.id for g in groups]),
            s.in_group_on(today),
        )
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    for group_id, pupil_id, first, last in rows:
        members.setdefault(group_id, []).append(
            m.PupilRef(id=pupil_id, first_name=first, last_name=last)
        )
    out = []
    for g in groups:
        cls, subject = classes[g.class_id], subjects[g.subject_id]
        teacher = teachers.get(g.teacher_id) if g.teacher_id is not None else None
        out.append(
            m.ClassGroupInfo(
                id=g.id,
                class_=class_ref(cls.id, cls.grade, cls.letter),
                subject=m.SubjectRef(id=subject.id, name=subject.name),
                name=g.name,
                teacher_id=g.teacher_id,
                teacher=short_name(teacher.first_name, teacher.middle_name, teacher.last_name)
                if teacher
                else "",
                pupils=members.get(g.id, []),
                retired=g.retired_at is not None,
                version=g.version,
            )
        )
    return out


async def list_groups(
    db: AsyncSession, viewer: Viewer, class_id: int | None = None
) -> m.ClassGroupList:
    query = (
        select(s.ClassGroup)
        .join(s.SchoolClass, s.SchoolClass.id == s.ClassGroup.class_id)
        .join(s.Subject, s.Subject.id == s.ClassGroup.subject_id)
        .where(s.SchoolClass.school_id == viewer.school_id)
        .order_by(s.SchoolClass.grade, s.SchoolClass.letter, s.Subject.name, s.ClassGroup.name)
    )
    if class_id is not None:
        await school_class(db, viewer, class_id, status=404)
        query = query.where(s.ClassGroup.class_id == class_id)
    groups = (await db.scalars(query)).all()
    return m.ClassGroupList(groups=await group_infos(db, viewer, groups))


async def get_group(db: AsyncSession, viewer: Viewer, group_id: int) -> m.ClassGroupInfo:
    group = await class_group(db, viewer, group_id, status=404)
    return (await group_infos(db, viewer, [group]))[0]


# --- writing ---------------------------------------------------------------------------------


def _state(group: s.ClassGroup) -> dict[str, Any]:
    return {
        "class_id": group.class_id,
        "subject_id": group.subject_id,
        "name": group.name,
        "teacher_id": group.teacher_id,
        "retired": group.retired_at is not None,
        "version": group.version,
    }


async def _name_free(
    db: AsyncSession, class_id: int, subject_id: int, name: str, skip: int
) -> None:
    taken = await db.scalar(
        select(s.ClassGroup.id).where(
            s.ClassGroup.class_id == class_id,
            s.ClassGroup.subject_id == subject_id,
            s.ClassGroup.name == name,
            s.ClassGroup.id != skip,
        )
    )
    if taken is not None:
        raise ProblemError(
            422,
            _(
                "this class already has a group named {name} for this subject: choose another name"
            ).format(name=name),
            field="name",
        )


async def _group_written(
    db: AsyncSession,
    viewer: Viewer,
    group: s.ClassGroup,
    now: dt.datetime,
    *,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    """After a group is made or changed: its teacher (if any) teaches its subject to it, and
    the audit record of the write."""
    if group.teacher_id is not None:
        await _ensure_assignment(db, group.teacher_id, group)
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action=action,
        entity="class_group",
        entity_id=group.id,
        before=before,
        after=_state(group),
    )


async def _ensure_assignment(db: AsyncSession, teacher_id: int, group: s.ClassGroup) -> None:
    found = await db.scalar(
        select(s.TeachingAssignment.id).where(
            s.TeachingAssignment.teacher_id == teacher_id,
            s.TeachingAssignment.class_id == group.class_id,
            s.TeachingAssignment.subject_id == group.subject_id,
            s.TeachingAssignment.group_id == group.id,
        )
    )
    if found is None:
        await db.execute(
            insert(s.TeachingAssignment).values(
                teacher_id=teacher_id,
                class_id=group.class_id,
                subject_id=group.subject_id,
                group_id=group.id,
            )
        )


async def create_group(
    db: AsyncSession, viewer: Viewer, body: m.ClassGroupCreate, now: dt.datetime
) -> m.ClassGroupInfo:
    cls = await school_class(db, viewer, body.class_id)
    subject = await school_subject(db, viewer, body.subject_id)
    name = " ".join(body.name.split())
    if not name:
        raise ProblemError(422, _("a group needs a name, like гр. 1"), field="name")
    await _name_free(db, cls.id, subject.id, name, 0)
    if body.teacher_id is not None:
        await school_teacher(db, viewer, body.teacher_id)
    year = await year_of(db, cls)
    on = start_day(body.on, viewer, year)
    within_year(on, year, "on")
    group_id = await db.scalar(
        insert(s.ClassGroup)
        .values(
            class_id=cls.id,
            subject_id=subject.id,
            name=name,
            teacher_id=body.teacher_id,
            version=1,
        )
        .returning(s.ClassGroup.id)
    )
    assert group_id is not None
    group = await db.get(s.ClassGroup, group_id)
    assert group is not None
    await _group_written(db, viewer, group, now, action="create", before=None)
    await _join(db, viewer, group, body.pupil_ids, on, now, field="pupil_ids")
    return await get_group(db, viewer, group.id)


async def change_group(
    db: AsyncSession, viewer: Viewer, group_id: int, body: m.ClassGroupChange, now: dt.datetime
) -> m.ClassGroupInfo:
    group = await class_group(db, viewer, group_id, status=404)
    if group.version != body.version:
        raise ProblemError(
            409,
            _(
                "the group was changed meanwhile: your change was based on version {seen}, the "
                "current one is version {current}"
            ).format(seen=body.version, current=group.version),
            field="version",
            current=await get_group(db, viewer, group.id),
        )
    before = _state(group)
    values: dict[str, Any] = {}
    if body.name is not None:
        name = " ".join(body.name.split())
        if not name:
            raise ProblemError(422, _("a group needs a name, like гр. 1"), field="name")
        if name != group.name:
            await _name_free(db, group.class_id, group.subject_id, name, group.id)
            values["name"] = name
    if not isinstance(body.teacher_id, msgspec.UnsetType) and body.teacher_id != group.teacher_id:
        if body.teacher_id is not None:
            await school_teacher(db, viewer, body.teacher_id)
        values["teacher_id"] = body.teacher_id
    if body.retired is not None and body.retired != (group.retired_at is not None):
        values["retired_at"] = now if body.retired else None
    if not values:
        return await get_group(db, viewer, group.id)
    values["version"] = group.version + 1
    done = await db.execute(
        update(s.ClassGroup)
        .where(s.ClassGroup.id == group.id, s.ClassGroup.version == body.version)
        .values(**values)
    )
    if getattr(done, "rowcount", 1) != 1:
        raise ProblemError(409, _("the group was changed meanwhile: reload it"), field="version")
    await db.refresh(group)
    await _group_written(db, viewer, group, now, action="update", before=before)
    return await get_group(db, viewer, group.id)


async def _join(
    db: AsyncSession,
    viewer: Viewer,
    group: s.ClassGroup,
    pupil_ids: Sequence[int],
    on: dt.date,
    now: dt.datetime,
    field: str,
) -> None:
    if not pupil_ids:
        return
    if group.retired_at is not None:
        raise ProblemError(422, _("the group is retired: it takes no new pupils"), field=field)
    ids = list(dict.fromkeys(pupil_ids))
    in_class = set(
        (
            await db.scalars(
                select(s.Enrolment.pupil_id).where(
                    s.Enrolment.pupil_id.in_(ids),
                    s.Enrolment.class_id == group.class_id,
                    s.enrolled_on(on),
                )
            )
        ).all()
    )
    for n, pupil_id in enumerate(ids):
        if pupil_id not in in_class:
            raise ProblemError(
                422,
                _(
                    "pupil {id} is not in the group's class on {day}: a group takes pupils of "
                    "its class only"
                ).format(id=pupil_id, day=on.isoformat()),
                field=f"{field}[{n}]",
            )
    already = set(
        (
            await db.scalars(
                select(s.GroupMember.pupil_id).where(
                    s.GroupMember.group_id == group.id,
                    s.GroupMember.pupil_id.in_(ids),
                    or_(s.GroupMember.end.is_(None), s.GroupMember.end >= on),
                )
            )
        ).all()
    )
    for pupil_id in ids:
        if pupil_id in already:
            continue
        member_id = await db.scalar(
            insert(s.GroupMember)
            .values(group_id=group.id, pupil_id=pupil_id, start=on, end=None)
            .returning(s.GroupMember.id)
        )
        assert member_id is not None
        await append_audit(
            db,
            at=now,
            actor_id=viewer.id,
            action="create",
            entity="group_member",
            entity_id=member_id,
            pupil_id=pupil_id,
            after={"group_id": group.id, "pupil_id": pupil_id, "start": on.isoformat()},
        )


async def change_pupils(
    db: AsyncSession,
    viewer: Viewer,
    group_id: int,
    body: m.GroupPupilsChange,
    now: dt.datetime,
) -> m.ClassGroupInfo:
    group = await class_group(db, viewer, group_id, status=404)
    cls = await db.get(s.SchoolClass, group.class_id)
    assert cls is not None
    year = await year_of(db, cls)
    on = start_day(body.on, viewer, year)
    within_year(on, year, "on")
    both = set(body.add) & set(body.remove)
    if both:
        raise ProblemError(
            422,
            _("pupil {id} is both added and removed: name each pupil once").format(id=min(both)),
            field="remove",
        )
    await _join(db, viewer, group, body.add, on, now, field="add")
    for n, pupil_id in enumerate(dict.fromkeys(body.remove)):
        rows = (
            await db.scalars(
                select(s.GroupMember).where(
                    s.GroupMember.group_id == group.id,
                    s.GroupMember.pupil_id == pupil_id,
                    or_(s.GroupMember.end.is_(None), s.GroupMember.end >= on),
                )
            )
        ).all()
        if not rows:
            raise ProblemError(
                422,
                _("pupil {id} is not in this group on {day}: nothing to remove").format(
                    id=pupil_id, day=on.isoformat()
                ),
                field=f"remove[{n}]",
            )
        for row in rows:
            before = {"start": row.start.isoformat(), "end": row.end and row.end.isoformat()}
            last = on - dt.timedelta(days=1)
            row.end = last if row.start <= last else row.start
            if row.start > last:
                # never began: a zero-length membership would still count its first day
                await db.delete(row)
                after = None
            else:
                after = {"start": row.start.isoformat(), "end": last.isoformat()}
            await db.flush()
            await append_audit(
                db,
                at=now,
                actor_id=viewer.id,
                action="remove" if after is None else "update",
                entity="group_member",
                entity_id=row.id,
                pupil_id=pupil_id,
                before={"group_id": group.id, **before},
                after=None if after is None else {"group_id": group.id, **after},
            )
    return await get_group(db, viewer, group.id)


__all__ = [
    "change_group",
    "change_pupils",
    "create_group",
    "get_group",
    "group_label",
    "is_lesson_pupil",
    "leave_class_groups",
    "lesson_pupils",
    "list_groups",
    "members_between",
    "takes_lesson",
]
