"""A pupil's week: everything the week screen shows, read with a fixed number of queries.

The lessons are those of the classes the pupil was enrolled in during the week (a pupil who
moved class mid-week sees each class's lessons for their days in it), in order of date and bell.
Each query below runs once per week whatever its size: no query per lesson.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from demo_server import schema as s


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week that holds ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def short_name(first: str, middle: str, last: str) -> str:
    """``Петрова М. И.``: a surname with initials, the way a diary names a teacher."""
    initials = " ".join(f"{part[0]}." for part in (first, middle) if part)
    return f"{last} {initials}".strip()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def class_name(grade: int, letter: str) -> str:
    return f"{grade}{letter}"


def class_ref(class_id: int, grade: int, letter: str) -> m.ClassRef:
    return m.ClassRef(id=class_id, name=class_name(grade, letter), grade=grade, letter=letter)


async def current_classes(
    db: AsyncSession, pupil_ids: list[int], on: dt.date
) -> dict[int, m.ClassRef]:
    """Each pupil's class on ``on`` (the latest enrolment started by then, if any)."""
    if not pupil_ids:
        return {}
    rows = await db.execute(
        select(s.Enrolment.pupil_id, s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter)
        .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
        .where(
            s.Enrolment.pupil_id.in_(pupil_ids),
            s.Enrolment.start <= on,
            or_(s.Enrolment.end.is_(None), s.Enrolment.end >= on),
        )
        .order_by(s.Enrolment.start)
    )
    return {pupil_id: class_ref(cid, grade, letter) for pupil_id, cid, grade, letter in rows}


async def load_week(db: AsyncSession, pupil_id: int, day: dt.date) -> m.Week | None:
    """The week of ``pupil_id`` that holds ``day``; None when there is no such pupil."""
    monday, sunday = week_bounds(day)

    # 1. The pupil and their school.
    pupil_row = (
        await db.execute(
            select(s.User.first_name, s.User.last_name, s.User.school_id, s.School.timezone)
            .join(s.School, s.School.id == s.User.school_id)
            .where(s.User.id == pupil_id)
        )
    ).one_or_none()
    if pupil_row is None:
        return None
    first_name, last_name, school_id, timezone = pupil_row

    # 2. Enrolments overlapping the week, with their classes.
    enrolments = (
        await db.execute(
            select(
                s.Enrolment.class_id,
                s.Enrolment.start,
                s.Enrolment.end,
                s.SchoolClass.grade,
                s.SchoolClass.letter,
            )
            .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
            .where(
                s.Enrolment.pupil_id == pupil_id,
                s.Enrolment.start <= sunday,
                or_(s.Enrolment.end.is_(None), s.Enrolment.end >= monday),
            )
            .order_by(s.Enrolment.start)
        )
    ).all()
    pupil_class: m.ClassRef | None = None
    windows: list[ColumnElement[bool]] = []
    class_ids: list[int] = []
    for class_id, start, end, grade, letter in enrolments:
        ref = class_ref(class_id, grade, letter)
        if pupil_class is None or start <= day:
            pupil_class = ref
        class_ids.append(class_id)
        windows.append(
            and_(
                s.Lesson.class_id == class_id,
                s.Lesson.date >= max(start, monday),
                s.Lesson.date <= min(end or sunday, sunday),
            )
        )

    # 3. Bells of the school.
    bells = [
        m.Bell(number=number, start=start, end=end)
        for number, start, end in await db.execute(
            select(s.Bell.number, s.Bell.start, s.Bell.end)
            .where(s.Bell.school_id == school_id)
            .order_by(s.Bell.number)
        )
    ]
    bell_times = {bell.number: (bell.start, bell.end) for bell in bells}

    # 4. Lessons, with subject and teachers' names.
    teacher = aliased(s.User)
    substitute = aliased(s.User)
    lesson_rows = (
        await db.execute(
            select(
                s.Lesson.id,
                s.Lesson.date,
                s.Lesson.number,
                s.Lesson.room,
                s.Lesson.planned_room,
                s.Lesson.status,
                s.Lesson.note,
                s.Lesson.topic,
                s.Lesson.substitute_id,
                s.Subject.id,
                s.Subject.name,
                teacher.first_name,
                teacher.middle_name,
                teacher.last_name,
                substitute.first_name,
                substitute.middle_name,
                substitute.last_name,
            )
            .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
            .join(teacher, teacher.id == s.Lesson.teacher_id)
            .outerjoin(substitute, substitute.id == s.Lesson.substitute_id)
            .where(or_(*windows) if windows else false())
            .order_by(s.Lesson.date, s.Lesson.number, s.Lesson.id)
        )
    ).all()
    lesson_ids = [row[0] for row in lesson_rows]

    homework: dict[int, list[m.Homework]] = defaultdict(list)
    marks: dict[int, list[m.Mark]] = defaultdict(list)
    absences: dict[int, m.Absence] = {}
    if lesson_ids:
        # 5. Homework given at these lessons, with attachments and the pupil's "done" ticks.
        homework_rows = (
            await db.execute(
                select(s.Homework.id, s.Homework.lesson_id, s.Homework.text, s.Homework.due)
                .where(s.Homework.lesson_id.in_(lesson_ids), s.Homework.removed_at.is_(None))
                .order_by(s.Homework.id)
            )
        ).all()
        homework_ids = [row[0] for row in homework_rows]
        attachments: dict[int, list[m.Attachment]] = defaultdict(list)
        done: set[int] = set()
        if homework_ids:
            for att_id, homework_id, name, size in await db.execute(
                select(
                    s.HomeworkAttachment.id,
                    s.HomeworkAttachment.homework_id,
                    s.HomeworkAttachment.name,
                    s.HomeworkAttachment.size,
                )
                .where(s.HomeworkAttachment.homework_id.in_(homework_ids))
                .order_by(s.HomeworkAttachment.id)
            ):
                attachments[homework_id].append(m.Attachment(id=att_id, name=name, size=size))
            done = set(
                (
                    await db.scalars(
                        select(s.HomeworkDone.homework_id).where(
                            s.HomeworkDone.pupil_id == pupil_id,
                            s.HomeworkDone.homework_id.in_(homework_ids),
                        )
                    )
                ).all()
            )
        for homework_id, lesson_id, text, due in homework_rows:
            homework[lesson_id].append(
                m.Homework(
                    id=homework_id,
                    text=text,
                    due=due,
                    attachments=attachments.get(homework_id, []),
                    done=homework_id in done,
                )
            )

        # 6. The pupil's marks at these lessons.
        author = aliased(s.User)
        for (
            mark_id,
            lesson_id,
            value,
            weight,
            kind,
            comment,
            version,
            a1,
            a2,
            a3,
        ) in await db.execute(
            select(
                s.Mark.id,
                s.Mark.lesson_id,
                s.Mark.value,
                s.Mark.weight,
                s.Mark.kind,
                s.Mark.comment,
                s.Mark.version,
                author.first_name,
                author.middle_name,
                author.last_name,
            )
            .join(author, author.id == s.Mark.author_id)
            .where(
                s.Mark.pupil_id == pupil_id,
                s.Mark.lesson_id.in_(lesson_ids),
                s.Mark.removed_at.is_(None),
            )
            .order_by(s.Mark.created_at, s.Mark.id)
        ):
            marks[lesson_id].append(
                m.Mark(
                    id=mark_id,
                    value=value,
                    weight=weight,
                    kind=m.MarkKind(kind),
                    comment=comment,
                    author=short_name(a1, a2, a3),
                    version=version,
                    edited=version > 1,
                )
            )

        # 7. The pupil's absences at these lessons.
        for absence_id, lesson_id, kind, minutes, note, version in await db.execute(
            select(
                s.Absence.id,
                s.Absence.lesson_id,
                s.Absence.kind,
                s.Absence.minutes,
                s.Absence.note,
                s.Absence.version,
            )
            .where(
                s.Absence.pupil_id == pupil_id,
                s.Absence.lesson_id.in_(lesson_ids),
                s.Absence.removed_at.is_(None),
            )
            .order_by(s.Absence.id)
        ):
            absences[lesson_id] = m.Absence(
                id=absence_id, kind=m.AbsenceKind(kind), minutes=minutes, note=note, version=version
            )

    lessons: list[m.Lesson] = []
    for row in lesson_rows:
        (
            lesson_id,
            date,
            number,
            room,
            planned_room,
            status,
            note,
            topic,
            substitute_id,
            subject_id,
            subject_name,
            t1,
            t2,
            t3,
            s1,
            s2,
            s3,
        ) = row
        planned_teacher = short_name(t1, t2, t3)
        substituted = substitute_id is not None and s3 is not None
        bell_start, bell_end = bell_times.get(number, ("", ""))
        lessons.append(
            m.Lesson(
                id=lesson_id,
                date=date,
                number=number,
                start=bell_start,
                end=bell_end,
                subject=m.SubjectRef(id=subject_id, name=subject_name),
                teacher=(
                    short_name(s1 or "", s2 or "", s3 or "") if substituted else planned_teacher
                ),
                original_teacher=planned_teacher if substituted else "",
                room=room,
                original_room=planned_room if planned_room and planned_room != room else "",
                topic=topic,
                status=m.LessonStatus(status),
                note=note,
                homework=homework.get(lesson_id, []),
                marks=marks.get(lesson_id, []),
                absence=absences.get(lesson_id),
            )
        )

    # 8. Events of the school and the pupil's classes in the week (the school's local week).
    zone = _zone(timezone)
    week_start = dt.datetime.combine(monday, dt.time(), zone).astimezone(dt.UTC)
    week_end = dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time(), zone).astimezone(
        dt.UTC
    )
    class_filter: ColumnElement[bool] = s.Event.class_id.is_(None)
    if class_ids:
        class_filter = or_(class_filter, s.Event.class_id.in_(class_ids))
    events = [
        m.Event(
            id=event.id,
            kind=m.EventKind(event.kind),
            title=event.title,
            starts_at=_utc(event.starts_at),
            ends_at=_utc(event.ends_at) if event.ends_at else None,
            place=event.place,
            description=event.description,
        )
        for event in (
            await db.scalars(
                select(s.Event)
                .where(
                    s.Event.school_id == school_id,
                    class_filter,
                    s.Event.starts_at >= week_start,
                    s.Event.starts_at < week_end,
                )
                .order_by(s.Event.starts_at, s.Event.id)
            )
        ).all()
    ]

    # 9. Holidays in the week.
    holidays = list(
        (
            await db.scalars(
                select(s.Holiday.date)
                .where(
                    s.Holiday.school_id == school_id,
                    s.Holiday.date >= monday,
                    s.Holiday.date <= sunday,
                )
                .order_by(s.Holiday.date)
            )
        ).all()
    )

    return m.Week(
        pupil=m.PupilRef(
            id=pupil_id, first_name=first_name, last_name=last_name, class_=pupil_class
        ),
        start=monday,
        end=sunday,
        bells=bells,
        lessons=lessons,
        events=events,
        holidays=holidays,
    )
