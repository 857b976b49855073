"""The health worker's service: find a pupil by name, read and record illness absences.

The search answers names and classes only, never marks. ``record_illness`` records a pupil ill
from one day to another: an illness absence for every lesson of those days, each audited and
sent to the change feed in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import school_pupil
from demo_server.auth import Viewer
from demo_server.journal import absence_state, add_absence
from demo_server.journal_rights import open_year_class
from demo_server.lesson_pupils import takes_lesson
from demo_server.problems import ProblemError
from demo_server.records import record_write
from demo_server.week import current_classes, short_name

SEARCH_LIMIT = 20
MAX_SPAN_DAYS = 62
"""The longest range one request may read or record."""
SEARCH_WORDS = 4
"""Words of a search beyond these are not matched."""


def pupil_found(user: s.User, classes: dict[int, m.ClassRef]) -> m.PupilFound:
    return m.PupilFound(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        middle_name=user.middle_name,
        class_=classes.get(user.id),
    )


async def search_pupils(
    db: AsyncSession, viewer: Viewer, words: list[str], today: dt.date
) -> m.PupilSearch:
    """Pupils of the viewer's school whose names hold every word (the first few), with their
    classes on ``today``: at most ``SEARCH_LIMIT``, and whether there are more."""
    query = select(s.User).where(
        s.User.school_id == viewer.school_id, s.User.role == m.Role.PUPIL.value
    )
    for word in words[:SEARCH_WORDS]:
        # SQLite's lower() knows only ASCII: match the word as typed, lower-case and
        # capitalised, which covers names written the usual way in any alphabet.
        variants = {word, word.lower(), word.capitalize(), word.upper()}
        query = query.where(
            or_(
                *(
                    column.like(f"%{_escape(variant)}%", escape="\\")
                    for variant in variants
                    for column in (s.User.last_name, s.User.first_name, s.User.middle_name)
                )
            )
        )
    users = list(
        (
            await db.execute(
                query.order_by(s.User.last_name, s.User.first_name, s.User.id).limit(
                    SEARCH_LIMIT + 1
                )
            )
        ).scalars()
    )
    more = len(users) > SEARCH_LIMIT
    users = users[:SEARCH_LIMIT]
    classes = await current_classes(db, [u.id for u in users], today)
    return m.PupilSearch(pupils=[pupil_found(u, classes) for u in users], more=more)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ProblemError(422, _("the end is before the start"), field="end")
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ProblemError(
            422,
            _("ask for at most {MAX_SPAN_DAYS} days at a time").format(MAX_SPAN_DAYS=MAX_SPAN_DAYS),
            field="end",
        )


async def medical_absences(
    db: AsyncSession, viewer: Viewer, pupil_id: int, start: dt.date, end: dt.date, today: dt.date
) -> m.MedicalAbsences:
    """Illness absences of a pupil of the viewer's school from ``start`` to ``end``."""
    check_range(start, end)
    user = await school_pupil(db, viewer, pupil_id)
    classes = await current_classes(db, [user.id], today)
    return m.MedicalAbsences(
        pupil=pupil_found(user, classes),
        start=start,
        end=end,
        absences=await illness(db, user.id, start, end),
    )


async def illness(
    db: AsyncSession, pupil_id: int, start: dt.date, end: dt.date
) -> list[m.MedicalAbsence]:
    """The pupil's illness absences (not removed) from ``start`` to ``end``, newest first."""
    rows = await db.execute(
        select(s.Absence, s.Lesson.date, s.Lesson.number, s.Subject.name, s.User)
        .join(s.Lesson, s.Lesson.id == s.Absence.lesson_id)
        .join(s.Subject, s.Subject.id == s.Lesson.subject_id)
        .join(s.User, s.User.id == s.Absence.author_id)
        .where(
            s.Absence.pupil_id == pupil_id,
            s.Absence.kind == m.AbsenceKind.ILLNESS.value,
            s.Absence.removed_at.is_(None),
            s.Lesson.date >= start,
            s.Lesson.date <= end,
        )
        .order_by(s.Lesson.date.desc(), s.Lesson.number.desc())
    )
    return [
        m.MedicalAbsence(
            id=absence.id,
            date=date,
            number=number,
            subject=subject,
            note=absence.note,
            author=short_name(author.first_name, author.middle_name, author.last_name),
            version=absence.version,
        )
        for absence, date, number, subject, author in rows
    ]


async def record_illness(
    db: AsyncSession,
    viewer: Viewer,
    data: m.MedicalAbsenceCreate,
    now: dt.datetime,
) -> m.MedicalAbsenceResult:
    """Illness absences for every lesson of the pupil's class(es) from start to end."""
    check_range(data.start, data.end)
    user = await school_pupil(db, viewer, data.pupil_id)
    lessons = (
        await db.execute(
            select(s.Lesson.id, s.Lesson.class_id)
            .join(
                s.Enrolment,
                and_(
                    s.Enrolment.class_id == s.Lesson.class_id,
                    s.Enrolment.pupil_id == user.id,
                    s.enrolled_on(s.Lesson.date),
                ),
            )
            .where(
                s.Lesson.date >= data.start,
                s.Lesson.date <= data.end,
                s.Lesson.status != m.LessonStatus.CANCELLED.value,
                takes_lesson(user.id),
                s.Lesson.class_id.in_(select(s.SchoolClass.id).where(open_year_class())),
            )
            .order_by(s.Lesson.date, s.Lesson.number)
        )
    ).all()
    if not lessons:
        raise ProblemError(
            422, _("the pupil has no lessons on those days: nothing to record"), field="start"
        )
    taken = set(
        (
            await db.execute(
                select(s.Absence.lesson_id).where(
                    s.Absence.pupil_id == user.id,
                    s.Absence.removed_at.is_(None),
                    s.Absence.lesson_id.in_([lid for lid, _ in lessons]),
                )
            )
        ).scalars()
    )
    recorded = 0
    for lesson_id, class_id in lessons:
        if lesson_id in taken:
            continue
        illness_values = {"kind": m.AbsenceKind.ILLNESS.value, "minutes": 0, "note": data.note}
        absence = await add_absence(db, viewer, now, lesson_id, user.id, illness_values)
        state = absence_state(absence)
        await record_write(
            db,
            viewer,
            now,
            action="create",
            entity="absence",
            entity_id=absence.id,
            pupil_id=user.id,
            after=state,
            kind="absence.set",
            class_id=class_id,
            payload={
                "lesson_id": lesson_id,
                "kind": absence.kind,
                "minutes": 0,
                "note": data.note,
                "version": 1,
            },
        )
        recorded += 1
    return m.MedicalAbsenceResult(
        recorded=recorded,
        skipped=len(taken),
        absences=await illness(db, user.id, data.start, data.end),
    )
