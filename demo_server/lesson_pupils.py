"""Who takes a lesson: the one rule joining lessons to pupils, for every read and write.

A lesson is its class's on its day; a lesson with a ``group_id`` (a class split for English or
computer science, :mod:`demo_server.groups`) is that group's alone: its pupils are the group's
members on the lesson's day. Every query that joins lessons to pupils (the week, grades,
attendance, homework, statistics, absence notices, medical absences, the journal) adds
:func:`takes_lesson` or :func:`lesson_pupils`, and nothing else decides it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from demo_server import schema as s


def member_on(pupil: Any, group: Any, day: Any) -> ColumnElement[bool]:
    """The condition "``pupil`` is in ``group`` on ``day``" (columns or bound values)."""
    return (
        exists()
        .where(
            s.GroupMember.group_id == group,
            s.GroupMember.pupil_id == pupil,
            s.in_group_on(day),
        )
        .correlate_except(s.GroupMember)
    )


def takes_lesson(pupil: Any, lesson: Any = s.Lesson) -> ColumnElement[bool]:
    """The condition "``pupil`` takes ``lesson``" beyond being in its class on its day: the
    lesson is the whole class's, or its group's and the pupil is in the group that day.
    ``pupil`` is a column or a bound value; ``lesson`` the lesson's entity or alias."""
    return or_(lesson.group_id.is_(None), member_on(pupil, lesson.group_id, lesson.date))


def enrolled_on(pupil: Any, class_id: Any, day: Any) -> ColumnElement[bool]:
    """The condition "``pupil`` is in class ``class_id`` on ``day``"."""
    return (
        exists()
        .where(
            s.Enrolment.pupil_id == pupil,
            s.Enrolment.class_id == class_id,
            s.enrolled_on(day),
        )
        .correlate_except(s.Enrolment)
    )


async def classes_on(db: AsyncSession, school_id: int, day: dt.date) -> dict[int, int]:
    """The class of each pupil of the school on ``day`` (pupil id to class id); where two
    enrolments overlap, the later start wins (the roster import and the set-up files read the
    classes of the school's pupils alike)."""
    found: dict[int, int] = {}
    for pupil_id, class_id in await db.execute(
        select(s.Enrolment.pupil_id, s.Enrolment.class_id)
        .join(s.User, s.User.id == s.Enrolment.pupil_id)
        .where(
            s.User.school_id == school_id,
            s.enrolled_on(day),
        )
        .order_by(s.Enrolment.start)
    ):
        found[int(pupil_id)] = int(class_id)
    return found


def lesson_pupils(lesson: Any = s.Lesson, pupil: Any = s.User.id) -> ColumnElement[bool]:
    """The condition "``pupil`` is a pupil of ``lesson``": in its class on its day and, for a
    group's lesson, in the group that day."""
    return and_(enrolled_on(pupil, lesson.class_id, lesson.date), takes_lesson(pupil, lesson))


def members_between(group_id: int, start: dt.date, end: dt.date) -> Any:
    """A select of the ids of the pupils in group ``group_id`` at some time from ``start`` to
    ``end``."""
    return select(s.GroupMember.pupil_id).where(
        s.GroupMember.group_id == group_id,
        s.in_group_between(start, end),
    )
