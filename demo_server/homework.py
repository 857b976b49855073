"""A pupil's homework list, read with a fixed number of queries (none per subject or lesson);
the pupil's "done" ticks; homework attachments for whoever may see their homework."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, false, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import MAX_ID, may_see_class_homework
from demo_server.attachments import attachments_of
from demo_server.auth import Viewer
from demo_server.grades import pupil_facts, subject_order
from demo_server.lesson_pupils import takes_lesson
from demo_server.problems import ProblemError
from demo_server.records import record_change
from demo_server.week import short_name

#: The default homework window: from two weeks back to four weeks ahead.
HOMEWORK_BEFORE = dt.timedelta(days=14)
HOMEWORK_AFTER = dt.timedelta(days=28)
#: The longest homework window one request may ask for.
HOMEWORK_MAX_SPAN = dt.timedelta(days=366)


# --- homework --------------------------------------------------------------------------------


async def _lesson_windows(
    db: AsyncSession, pupil_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on ``Lesson`` matching the lessons of the pupil's classes while enrolled."""
    query = select(s.Enrolment.class_id, s.Enrolment.start, s.Enrolment.end).where(
        s.Enrolment.pupil_id == pupil_id
    )
    windows: list[ColumnElement[bool]] = []
    for class_id, begins, ends in await db.execute(query):
        conditions = [
            s.Lesson.class_id == class_id,
            s.Lesson.date >= begins,
            takes_lesson(pupil_id),
        ]
        if ends is not None:
            conditions.append(s.Lesson.date <= ends)
        windows.append(and_(*conditions))
    return windows


async def load_homework(
    db: AsyncSession,
    pupil_id: int,
    today: dt.date,
    start: dt.date | None,
    end: dt.date | None,
    subject_id: int | None,
) -> m.HomeworkList | None:
    """Homework due from ``start`` to ``end`` for the pupil's classes; None if no pupil."""
    start = start or today - HOMEWORK_BEFORE
    end = end or today + HOMEWORK_AFTER
    if end < start:
        raise ProblemError(422, _("'to' must not be before 'from'"), field="to")
    if end - start > HOMEWORK_MAX_SPAN:
        raise ProblemError(422, _("ask for at most a year of homework at a time"), field="to")
    facts = await pupil_facts(db, pupil_id, today)
    if facts is None:
        return None
    windows = await _lesson_windows(db, pupil_id)
    teacher = aliased(s.User)
    rows = (
        await db.execute(
            select(
                s.Homework.id,
                s.Homework.text,
                s.Homework.due,
                s.Lesson.date,
                s.Subject.id,
                s.Subject.name,
                teacher.first_name,
                teacher.middle_name,
                teacher.last_name,
            )
            .join(s.Lesson, s.Lesson.id == s.Homework.lesson_id)
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .join(teacher, teacher.id == s.Homework.author_id)
            .where(
                s.Homework.removed_at.is_(None),
                s.Homework.due >= start,
                s.Homework.due <= end,
                or_(*windows) if windows else false(),
            )
            .order_by(s.Homework.due, s.Lesson.date, s.Lesson.number, s.Homework.id)
        )
    ).all()
    subjects = {row[4]: row[5] for row in rows}
    if subject_id is not None:
        rows = [row for row in rows if row[4] == subject_id]
    ids = [row[0] for row in rows]
    attachments = await attachments_of(db, ids)
    done: set[int] = set()
    if ids:
        done = set(
            (
                await db.scalars(
                    select(s.HomeworkDone.homework_id).where(
                        s.HomeworkDone.pupil_id == pupil_id, s.HomeworkDone.homework_id.in_(ids)
                    )
                )
            ).all()
        )
    items = [
        m.HomeworkItem(
            id=homework_id,
            subject=m.SubjectRef(id=subj, name=subject_name),
            text=text,
            due=due,
            given=given,
            teacher=short_name(*who),
            attachments=attachments.get(homework_id, []),
            done=homework_id in done,
        )
        for homework_id, text, due, given, subj, subject_name, *who in rows
    ]
    upcoming = [item for item in items if item.due >= today]
    past = [item for item in items if item.due < today]
    past.reverse()
    return m.HomeworkList(
        pupil=facts.ref,
        today=today,
        start=start,
        end=end,
        items=upcoming + past,
        subjects=[m.SubjectRef(id=subj, name=subjects[subj]) for subj in subject_order(subjects)],
    )


async def homework_of_pupil(db: AsyncSession, pupil_id: int, homework_id: int) -> int | None:
    """The class id of the homework when it was set for one of the pupil's classes."""
    windows = await _lesson_windows(db, pupil_id)
    if not windows:
        return None
    return await db.scalar(
        select(s.Lesson.class_id)
        .join(s.Homework, s.Homework.lesson_id == s.Lesson.id)
        .where(s.Homework.id == homework_id, s.Homework.removed_at.is_(None), or_(*windows))
    )


def homework_not_found() -> ProblemError:
    return ProblemError(404, _("there is no homework with this id"), field="homework_id")


async def mark_done(
    db: AsyncSession,
    viewer: Viewer,
    pupil_id: int,
    homework_id: int,
    done: bool,
    now: dt.datetime,
) -> m.HomeworkDoneState:
    """The pupil's "done" tick on homework set for their class (404 for any other), and its
    ``homework.done`` change when the tick changed."""
    class_id = (
        await homework_of_pupil(db, pupil_id, homework_id) if 0 < homework_id <= MAX_ID else None
    )
    if class_id is None:
        raise homework_not_found()
    was_done = await db.scalar(
        select(s.HomeworkDone.homework_id).where(
            s.HomeworkDone.homework_id == homework_id, s.HomeworkDone.pupil_id == pupil_id
        )
    )
    if done and was_done is None:
        await db.execute(
            insert(s.HomeworkDone).values(homework_id=homework_id, pupil_id=pupil_id, done_at=now)
        )
    elif not done and was_done is not None:
        await db.execute(
            delete(s.HomeworkDone).where(
                s.HomeworkDone.homework_id == homework_id,
                s.HomeworkDone.pupil_id == pupil_id,
            )
        )
    if (was_done is None) == done:
        await record_change(
            db,
            school_id=viewer.school_id,
            kind="homework.done",
            entity_id=homework_id,
            at=now,
            payload={"homework_id": homework_id, "done": done},
            pupil_id=pupil_id,
            actor_id=viewer.id,
        )
    return m.HomeworkDoneState(homework_id=homework_id, done=done)


async def attachment_file(
    db: AsyncSession, viewer: Viewer, attachment_id: int
) -> tuple[str, bytes]:
    """The name and content of an attachment, for whoever may see the homework it belongs to
    (a pupil or parent: homework set for a class while the pupil was in it); else 404."""
    missing = ProblemError(404, _("there is no attachment with this id"), field="attachment_id")
    if not 0 < attachment_id <= MAX_ID:
        raise missing
    row = (
        await db.execute(
            select(
                s.HomeworkAttachment.name,
                s.HomeworkAttachment.content,
                s.Lesson.class_id,
                s.Homework.id,
            )
            .join(s.Homework, s.Homework.id == s.HomeworkAttachment.homework_id)
            .join(s.Lesson, s.Lesson.id == s.Homework.lesson_id)
            .where(s.HomeworkAttachment.id == attachment_id, s.Homework.removed_at.is_(None))
        )
    ).one_or_none()
    if row is None or not await may_see_class_homework(db, viewer, row[2]):
        raise missing
    name, content, _class_id, homework_id = row
    if viewer.role in (m.Role.PUPIL, m.Role.PARENT):
        # As the homework list: set for a class while the pupil was in it.
        pupils = (
            [viewer.id]
            if viewer.role is m.Role.PUPIL
            else list(
                await db.scalars(
                    select(s.ParentLink.pupil_id).where(s.ParentLink.parent_id == viewer.id)
                )
            )
        )
        for pupil in pupils:
            if await homework_of_pupil(db, pupil, homework_id) is not None:
                break
        else:
            raise missing
    return name, bytes(content)
