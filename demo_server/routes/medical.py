"""The health worker: find a pupil by name, see and record their illness absences; no marks.

``/pupils/search`` answers names and classes only. ``POST /medical/absences`` records a pupil
ill from one day to another: an illness absence for every lesson of those days, each audited
and sent to the change feed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import schema as s
from demo_server.access import (
    MEDICAL_STAFF,
    PUPIL_SEARCHERS,
    school_pupil,
)
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.journal import _absence_state
from demo_server.problems import ProblemError
from demo_server.records import append_audit, record_change
from demo_server.routes.deps import requires
from demo_server.routes.week import parse_date
from demo_server.settings import ServerState
from demo_server.week import current_classes, short_name

SEARCH_LIMIT = 20
MAX_SPAN_DAYS = 62
"""The longest range one request may read or record."""
DEFAULT_DAYS = 60


def _found(user: s.User, classes: dict[int, m.ClassRef]) -> m.PupilFound:
    return m.PupilFound(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        middle_name=user.middle_name,
        class_=classes.get(user.id),
    )


@get(
    "/pupils/search",
    summary="Find pupils by name",
    tags=["pupils"],
    guards=[requires(*PUPIL_SEARCHERS, what="the pupil search")],
)
async def search_pupils(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    q: Annotated[
        str,
        QueryParameter(
            description="Part of a surname or first name, or both (up to 100 characters)",
            schema_extra={"maxLength": 100},
        ),
    ],
) -> m.PupilSearch:
    """Pupils of the school whose names hold every word of ``q``: names and classes, no
    marks. The health worker, administration and IT staff."""
    words = q.split()
    if len(q) > 100:
        raise ProblemError(400, "'q' must be at most 100 characters of a name", field="q")
    if not words:
        raise ProblemError(422, "'q' is empty: give part of a surname or first name", field="q")
    query = select(s.User).where(
        s.User.school_id == viewer.school_id, s.User.role == m.Role.PUPIL.value
    )
    for word in words[:4]:
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
    classes = await current_classes(db, [u.id for u in users], server.settings.today())
    return m.PupilSearch(pupils=[_found(u, classes) for u in users], more=more)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ProblemError(422, "the end is before the start", field="end")
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ProblemError(422, f"ask for at most {MAX_SPAN_DAYS} days at a time", field="end")


async def _illness(
    db: NamedDependency[AsyncSession], pupil_id: int, start: dt.date, end: dt.date
) -> list[m.MedicalAbsence]:
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


@get(
    "/medical/absences",
    summary="A pupil's illness absences",
    tags=["medical"],
    guards=[requires(*MEDICAL_STAFF, what="medical absences")],
)
async def medical_absences(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    pupil: Annotated[int, QueryParameter(description="The pupil's id")],
    from_: Annotated[
        str | None,
        QueryParameter(
            name="from",
            description="From this day (default: 60 days ago)",
            schema_extra={"format": "date"},
        ),
    ] = None,
    to: Annotated[
        str | None,
        QueryParameter(description="To this day (default: today)", schema_extra={"format": "date"}),
    ] = None,
) -> m.MedicalAbsences:
    """Illness absences of any pupil of the school, newest first; never marks. The health
    worker only."""
    today = server.settings.today()
    end = parse_date(to, "to") if to is not None else today
    start = parse_date(from_, "from") if from_ is not None else end - dt.timedelta(DEFAULT_DAYS)
    _range(start, end)
    user = await school_pupil(db, viewer, pupil)
    classes = await current_classes(db, [user.id], today)
    return m.MedicalAbsences(
        pupil=_found(user, classes),
        start=start,
        end=end,
        absences=await _illness(db, user.id, start, end),
    )


async def record_illness(
    db: NamedDependency[AsyncSession],
    viewer: NamedDependency[Viewer],
    data: m.MedicalAbsenceCreate,
    now: dt.datetime,
) -> m.MedicalAbsenceResult:
    """Illness absences for every lesson of the pupil's class(es) from start to end."""
    _range(data.start, data.end)
    user = await school_pupil(db, viewer, data.pupil_id)
    lessons = (
        await db.execute(
            select(s.Lesson.id, s.Lesson.class_id)
            .join(
                s.Enrolment,
                and_(
                    s.Enrolment.class_id == s.Lesson.class_id,
                    s.Enrolment.pupil_id == user.id,
                    s.Enrolment.start <= s.Lesson.date,
                    or_(s.Enrolment.end.is_(None), s.Enrolment.end >= s.Lesson.date),
                ),
            )
            .where(
                s.Lesson.date >= data.start,
                s.Lesson.date <= data.end,
                s.Lesson.status != m.LessonStatus.CANCELLED.value,
            )
            .order_by(s.Lesson.date, s.Lesson.number)
        )
    ).all()
    if not lessons:
        raise ProblemError(
            422, "the pupil has no lessons on those days: nothing to record", field="start"
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
        absence = s.Absence(
            lesson_id=lesson_id,
            pupil_id=user.id,
            kind=m.AbsenceKind.ILLNESS.value,
            minutes=0,
            note=data.note,
            author_id=viewer.id,
            version=1,
            created_at=now,
        )
        db.add(absence)
        await db.flush()
        state = _absence_state(absence)
        await append_audit(
            db,
            at=now,
            actor_id=viewer.id,
            action="create",
            entity="absence",
            entity_id=absence.id,
            pupil_id=user.id,
            after=state,
        )
        await record_change(
            db,
            school_id=viewer.school_id,
            kind="absence.set",
            entity_id=absence.id,
            at=now,
            payload={
                "lesson_id": lesson_id,
                "kind": absence.kind,
                "minutes": 0,
                "note": data.note,
                "version": 1,
            },
            pupil_id=user.id,
            class_id=class_id,
            actor_id=viewer.id,
        )
        recorded += 1
    return m.MedicalAbsenceResult(
        recorded=recorded,
        skipped=len(taken),
        absences=await _illness(db, user.id, data.start, data.end),
    )


@post(
    "/medical/absences",
    summary="Record a pupil ill for some days",
    tags=["medical"],
    guards=[requires(*MEDICAL_STAFF, what="medical absences")],
)
@write
async def create_medical_absences(
    data: JSONBody[m.MedicalAbsenceCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.MedicalAbsenceResult:
    """An illness absence for every lesson of the days from ``start`` to ``end``; lessons
    already marked absent stay as they are. The health worker only."""
    return await record_illness(db, viewer, data, server.settings.now())
