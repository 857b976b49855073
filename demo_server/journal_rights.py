"""Who may write a lesson's records (or a pupil's period mark), and whether they must say why:
the one rule, beside :mod:`demo_server.access`.

Every record of the journal is written under it: marks (given, changed, removed), period marks,
absences, a lesson's topic, its homework (the text and its files) and its kind (a test ...).

- **A teacher of the lesson** (its teacher or substitute, or a teaching assignment for its class
  and subject, of its group: :func:`access.teaches_lesson`; for attendance also the class
  teacher), while the lesson's year is open. A teacher who sees the lesson but does not teach
  it gets 403; one who does not see it, the answer for no such lesson.
- **The health worker**: illness absences of any pupil, while the year is open (which absences
  is the absence write's own rule, :func:`journal.set_absence`).
- **The administration**: only once the year is closed, and then always giving a reason
  (422 on ``reason`` without one); the correction is audited with the reason like any write.
  While the year is open the journal is the teachers' and the administration reads it only.
- **Everyone else** (parents, pupils, IT staff, the authority): 403 by role, before any id is
  looked up (their roles may never write the journal, whatever the lesson).

After the year is closed nothing of it is written by anyone but the administration: a teacher
or the health worker gets 409 naming the year. Bulk writes that reach many lessons at once (an
absence notice applied, a stretch of illness) leave the lessons of a closed year alone
(:func:`open_year_class`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import Role
from demo_server import schema as s
from demo_server.access import assigned_to_teach_pupil, leads_class, teaches_lesson
from demo_server.auth import Viewer
from demo_server.problems import ProblemError


class Record(enum.Enum):
    """A kind of journal record, with the words of a refusal ("your role may not change ...")."""

    MARK = N_("marks")
    PERIOD_MARK = N_("period marks")
    ABSENCE = N_("absences")
    TOPIC = N_("lesson topics")
    HOMEWORK = N_("homework")
    LESSON_KIND = N_("the kind of a lesson")


_WRITERS: dict[Record, frozenset[Role]] = {
    record: frozenset({Role.TEACHER, Role.ADMINISTRATION}) for record in Record
} | {Record.ABSENCE: frozenset({Role.TEACHER, Role.ADMINISTRATION, Role.HEALTH_WORKER})}
"""The roles that may ever write each record (each within the rule above)."""


@dataclass(frozen=True, slots=True)
class Right:
    """What the rule allowed: ``correction`` is the administration correcting a closed year,
    ``reason`` the reason given (stripped; kept in the audit record)."""

    correction: bool
    reason: str


def role_may_write(viewer: Viewer, record: Record) -> None:
    """403 unless the viewer's role may ever write ``record`` (asked before any id is read)."""
    if viewer.role not in _WRITERS[record]:
        raise ProblemError(403, _("your role may not change {what}").format(what=_(record.value)))


async def closed_year_of_class(db: AsyncSession, class_id: int) -> s.AcademicYear | None:
    """The closed year a class belongs to, None while its year is open."""
    return await db.scalar(
        select(s.AcademicYear)
        .join(s.SchoolClass, s.SchoolClass.year_id == s.AcademicYear.id)
        .where(s.SchoolClass.id == class_id, s.AcademicYear.closed_at.is_not(None))
    )


async def closed_year_of_period(db: AsyncSession, period_id: int) -> s.AcademicYear | None:
    """The closed year a period belongs to, None while its year is open."""
    return await db.scalar(
        select(s.AcademicYear)
        .join(s.Period, s.Period.year_id == s.AcademicYear.id)
        .where(s.Period.id == period_id, s.AcademicYear.closed_at.is_not(None))
    )


def open_year_class() -> ColumnElement[bool]:
    """The condition on a ``SchoolClass`` row that its year is still open (for bulk writes,
    which leave a closed year's lessons alone)."""
    return s.SchoolClass.year_id.in_(
        select(s.AcademicYear.id).where(s.AcademicYear.closed_at.is_(None))
    )


def _closed_year(
    year: s.AcademicYear | None, viewer: Viewer, reason: str, field: str
) -> Right | None:
    """The closed-year half of the rule: None while the year is open; the administration's
    correction with a reason; otherwise the refusal."""
    if year is None:
        return None
    if viewer.role is Role.ADMINISTRATION:
        if reason.strip():
            return Right(correction=True, reason=reason.strip())
        raise ProblemError(
            422,
            _(
                "the year {year} is closed: a change to it needs a reason (say why it is corrected)"
            ).format(year=year.name),
            field="reason",
        )
    raise ProblemError(
        409,
        _(
            "the year {year} is closed: its journal can no longer be changed (the "
            "administration can correct it, giving a reason)"
        ).format(year=year.name),
        field=field,
    )


def _open_year_refused(record: Record) -> ProblemError:
    return ProblemError(
        403,
        _(
            "while the year is open only its teachers change {what}; the administration "
            "corrects the journal after the year is closed, giving a reason"
        ).format(what=_(record.value)),
    )


def _not_taught(record: Record) -> ProblemError:
    return ProblemError(
        403,
        _("you do not teach this lesson's subject in its class: you may not change {what}").format(
            what=_(record.value)
        ),
    )


async def may_write_lesson(
    db: AsyncSession,
    viewer: Viewer,
    lesson: s.Lesson,
    record: Record,
    reason: str = "",
) -> Right:
    """Whether ``viewer`` may write ``record`` at ``lesson`` (one they see: the caller found it
    under :func:`access.lesson_visibility`), and with which reason; raises the refusal."""
    role_may_write(viewer, record)
    correction = _closed_year(
        await closed_year_of_class(db, lesson.class_id), viewer, reason, "lesson_id"
    )
    if correction is not None:
        return correction
    if viewer.role is Role.ADMINISTRATION:
        raise _open_year_refused(record)
    if viewer.role is Role.HEALTH_WORKER:  # illness absences: the absence write says which
        return Right(correction=False, reason=reason.strip())
    if record is Record.ABSENCE and await leads_class(db, viewer.id, lesson.class_id):
        return Right(correction=False, reason=reason.strip())
    if not await teaches_lesson(
        db,
        viewer,
        class_id=lesson.class_id,
        subject_id=lesson.subject_id,
        teacher_id=lesson.teacher_id,
        substitute_id=lesson.substitute_id,
        group_id=lesson.group_id,
    ):
        raise _not_taught(record)
    return Right(correction=False, reason=reason.strip())


async def may_write_period_mark(
    db: AsyncSession,
    viewer: Viewer,
    pupil_id: int,
    subject_id: int,
    period: s.Period,
    reason: str = "",
) -> tuple[Right, s.SchoolClass]:
    """Whether ``viewer`` may set the period mark of this pupil, subject and period, and the
    class it is given in (for its audit record and change feed): a teacher who taught the
    subject to the pupil during the period (in any class the pupil was in then, the latest
    first), in an open year; the administration in a closed year with a reason; raises the
    refusal (422 on ``pupil_id`` for a pupil in no class during the period)."""
    role_may_write(viewer, Record.PERIOD_MARK)
    right = _closed_year(await closed_year_of_period(db, period.id), viewer, reason, "period_id")
    if right is None and viewer.role is Role.ADMINISTRATION:
        raise _open_year_refused(Record.PERIOD_MARK)
    classes = (
        await db.scalars(
            select(s.SchoolClass)
            .join(s.Enrolment, s.Enrolment.class_id == s.SchoolClass.id)
            .where(
                s.Enrolment.pupil_id == pupil_id,
                s.enrolled_between(period.start, period.end),
            )
            .order_by(s.Enrolment.start.desc())
        )
    ).all()
    if not classes:
        raise ProblemError(
            422,
            _("this pupil was in no class during {name}").format(name=period.name),
            field="pupil_id",
        )
    if right is not None:
        return right, classes[0]
    for candidate in classes:
        if await assigned_to_teach_pupil(
            db, viewer.id, candidate.id, subject_id, pupil_id, period.start, period.end
        ):
            return Right(correction=False, reason=reason.strip()), candidate
    raise ProblemError(
        403,
        _("you do not teach this subject to this pupil: you may not give their period mark"),
    )


async def may_change_timetable_lesson(
    db: AsyncSession, viewer: Viewer, lesson: s.Lesson, reason: str
) -> Right:
    """A one-off change of a lesson (cancelled, a substitute, another room) is the
    administration's own in an open year; in a closed year it is a correction like any other,
    needing a reason (the caller has checked the role)."""
    year = await closed_year_of_class(db, lesson.class_id)
    right = _closed_year(year, viewer, reason, "lesson_id")
    return right or Right(correction=False, reason=reason.strip())


__all__ = [
    "Record",
    "Right",
    "closed_year_of_class",
    "closed_year_of_period",
    "may_change_timetable_lesson",
    "may_write_lesson",
    "may_write_period_mark",
    "open_year_class",
    "role_may_write",
]
