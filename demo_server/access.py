"""Who may see what: the one place the server decides it, by role and by relation.

The rule for a pupil's data (the week now; grades, homework and attendance later):

- a pupil: themself;
- a parent: their linked children;
- a teacher (a class teacher included): pupils of classes they teach or lead;
- administration: any pupil of their school;
- IT staff, health worker, education authority: not at all (403).

A viewer who may see some pupils but not this one gets the same 404 as for a pupil that does
not exist, so that ids cannot be probed. Every check is scoped to the viewer's school.

The same holds for every kind of object named by id (a lesson, a mark, a class, a subject, a
period...): :func:`not_found` is the one answer, in the same words, for an id that exists
nowhere and for one the viewer may not see, and it names nobody. Access is decided in the same
query that looks the object up (the visibility conditions below), so both cases take the same
path. A 403 is given only where the role may never do the thing whatever the id, or where the
viewer may see the object but not change it (a teacher of the class, another subject); it
names no pupil, subject or class either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import MAX_ID as MAX_ID
from api_client.models import AnnouncementAudience, Role
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.schema import (
    Announcement,
    BlogComment,
    BlogPost,
    Enrolment,
    GroupMember,
    Lesson,
    ParentLink,
    SchoolClass,
    TeachingAssignment,
    User,
    enrolled_on,
    in_group_between,
)

#: Roles that see named pupils' diaries (each within its relation).
PUPIL_READERS = frozenset({Role.PUPIL, Role.PARENT, Role.TEACHER, Role.ADMINISTRATION})


def not_found(kind: str, field: str, status: int = 404) -> ProblemError:
    """The one answer for "no such ``kind``" and "not yours to see": the same status, words and
    field for both, naming nobody and not echoing the id. ``status`` is 404 for an id in the
    path or the query, 422 for one in a request body."""
    sentence = _NOT_FOUND.get(kind)
    detail = (
        _(sentence)
        if sentence is not None
        else _("there is no {kind} with this id among those you may see").format(kind=kind)
    )
    return ProblemError(status, detail, field=field)


_NOT_FOUND = {
    "pupil": N_("there is no pupil with this id among those you may see"),
    "class": N_("there is no class with this id among those you may see"),
    "lesson": N_("there is no lesson with this id among those you may see"),
    "mark": N_("there is no mark with this id among those you may see"),
    "period": N_("there is no period with this id among those you may see"),
    "person": N_("there is no person with this id among those you may see"),
    "subject": N_("there is no subject with this id among those you may see"),
    "teacher": N_("there is no teacher with this id among those you may see"),
    "academic year": N_("there is no academic year with this id among those you may see"),
    "holiday": N_("there is no holiday with this id among those you may see"),
    "bell schedule": N_("there is no bell schedule with this id among those you may see"),
    "room": N_("there is no room with this id among those you may see"),
    "group": N_("there is no group with this id among those you may see"),
    "chat": N_("there is no class chat with this id among those you may see"),
    "chat message": N_("there is no message with this id in this chat"),
}
"""Each kind's "not found" in a sentence of its own (a language may inflect the noun)."""


def pupil_not_found(field: str = "pupil_id", status: int = 404) -> ProblemError:
    """The one answer for "no such pupil" and "not your pupil"."""
    return not_found("pupil", field, status)


def valid_id(value: int) -> bool:
    """Whether ``value`` could be an id at all (others are answered as unknown, before the
    database)."""
    return 0 < value <= MAX_ID


def forbidden(what: str = "", *, action: str = "") -> ProblemError:
    """The 403 of a role that may not see ``what`` (a thing, ``N_("the audit log")``) or may
    not do ``action`` (a deed, ``N_("write blog posts")``); both marked, translated here."""
    if action:
        return ProblemError(403, _("your role may not {action}").format(action=_(action)))
    return ProblemError(403, _("your role may not see {what}").format(what=_(what)))


def teacher_class_ids(teacher_id: int) -> CompoundSelect[tuple[int]]:
    """A select of the ids of the classes a teacher teaches or leads."""
    return union(
        select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == teacher_id),
        select(SchoolClass.id).where(SchoolClass.homeroom_teacher_id == teacher_id),
    )


# Whom a viewer sees, as conditions on the pupil's ``User`` row, built once (every request for
# a pupil's data runs one): bound to ``school`` (the viewer's) and ``viewer`` (the viewer's id).
# The subqueries correlate with ``User`` alone, so a query that also reads enrolments (the
# week's) can add the condition unchanged.
_A_PUPIL_OF_THE_SCHOOL = and_(
    User.role == Role.PUPIL.value, User.school_id == bindparam("school", type_=Integer)
)
_VISIBLE: dict[Role, ColumnElement[bool]] = {
    Role.PUPIL: and_(_A_PUPIL_OF_THE_SCHOOL, User.id == bindparam("viewer", type_=Integer)),
    Role.PARENT: and_(
        _A_PUPIL_OF_THE_SCHOOL,
        exists()
        .where(
            ParentLink.parent_id == bindparam("viewer", type_=Integer),
            ParentLink.pupil_id == User.id,
        )
        .correlate(User),
    ),
    Role.TEACHER: and_(
        _A_PUPIL_OF_THE_SCHOOL,
        exists()
        .where(
            Enrolment.pupil_id == User.id,
            Enrolment.class_id.in_(
                union(
                    select(TeachingAssignment.class_id).where(
                        TeachingAssignment.teacher_id == bindparam("viewer", type_=Integer)
                    ),
                    select(SchoolClass.id).where(
                        SchoolClass.homeroom_teacher_id == bindparam("viewer", type_=Integer)
                    ),
                )
            ),
        )
        .correlate(User),
    ),
}
"""Pupil, parent and teacher: by relation. Any other reader: every pupil of the school."""


def pupil_visibility(role: Role) -> ColumnElement[bool]:
    """The condition on a pupil's ``User`` row under which a viewer of ``role`` (a reader of
    pupils' data) sees that pupil; bound to ``school`` and ``viewer`` (see ``visibility_params``).
    """
    return _VISIBLE.get(role, _A_PUPIL_OF_THE_SCHOOL)


def visibility_params(viewer: Viewer) -> dict[str, int]:
    """The bound values of :func:`pupil_visibility` for ``viewer``."""
    return {"school": viewer.school_id, "viewer": viewer.id}


_MAY_SEE: dict[Role, Select[int]] = {
    role: select(User.id).where(User.id == bindparam("pupil"), pupil_visibility(role))
    for role in Role
}


async def may_see_pupil(
    db: AsyncSession, viewer: Viewer, pupil_id: int, readers: frozenset[Role] = PUPIL_READERS
) -> bool:
    """Whether ``viewer`` may see the diary of ``pupil_id`` (False also when there is none).

    Roles in ``readers`` beyond pupil, parent and teacher see every pupil of their school."""
    if viewer.role not in readers or not 0 < pupil_id <= MAX_ID:
        return False
    if viewer.role is Role.PUPIL and pupil_id != viewer.id:
        return False
    conn = await db.connection()
    params = {"pupil": pupil_id, **visibility_params(viewer)}
    return (await conn.execute(_MAY_SEE[viewer.role], params)).first() is not None


async def require_pupil(
    db: AsyncSession,
    viewer: Viewer,
    pupil_id: int,
    what: str,
    readers: frozenset[Role] = PUPIL_READERS,
) -> None:
    """Raise the right problem unless ``viewer`` may see ``what`` of ``pupil_id``."""
    if viewer.role not in readers:
        raise forbidden(what)
    if not await may_see_pupil(db, viewer, pupil_id, readers):
        raise pupil_not_found()


# ---- Lessons and classes named by id
#
# A lesson (and so its marks, absences, topic and homework):
# - a teacher: the lessons of the classes they teach or lead, and those they teach or stand in
#   for;
# - administration and the health worker: every lesson of the school;
# - anyone else: none (their roles are refused before any lesson is looked up).
#
# A class: the classes of those lessons for a teacher; a pupil's own classes; a parent's
# children's; every class of the school for administration, IT staff and the health worker.


def gives_lesson(teacher_id: int) -> ColumnElement[bool]:
    """The condition on a ``Lesson`` that the teacher gives it: their own, or one they stand
    in for."""
    return or_(Lesson.teacher_id == teacher_id, Lesson.substitute_id == teacher_id)


def lesson_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """The condition on a ``Lesson`` joined with its ``SchoolClass`` under which ``viewer``
    sees the lesson."""
    in_school = SchoolClass.school_id == viewer.school_id
    if viewer.role in (Role.ADMINISTRATION, Role.HEALTH_WORKER):
        return in_school
    if viewer.role is Role.TEACHER:
        return and_(
            in_school,
            or_(
                Lesson.class_id.in_(teacher_class_ids(viewer.id)),
                gives_lesson(viewer.id),
            ),
        )
    return false()


def class_visibility(viewer: Viewer) -> ColumnElement[bool]:
    """The condition on a ``SchoolClass`` row under which ``viewer`` sees the class."""
    in_school = SchoolClass.school_id == viewer.school_id
    if viewer.role in (Role.ADMINISTRATION, Role.IT_STAFF, Role.HEALTH_WORKER):
        return in_school
    if viewer.role is Role.TEACHER:
        return and_(
            in_school,
            or_(
                SchoolClass.id.in_(teacher_class_ids(viewer.id)),
                SchoolClass.id.in_(select(Lesson.class_id).where(gives_lesson(viewer.id))),
            ),
        )
    if viewer.role is Role.PUPIL:
        return and_(
            in_school,
            exists().where(Enrolment.class_id == SchoolClass.id, Enrolment.pupil_id == viewer.id),
        )
    if viewer.role is Role.PARENT:
        return and_(
            in_school,
            exists().where(
                Enrolment.class_id == SchoolClass.id,
                Enrolment.pupil_id == ParentLink.pupil_id,
                ParentLink.parent_id == viewer.id,
            ),
        )
    return false()


async def visible_class(
    db: AsyncSession, viewer: Viewer, class_id: int, *, field: str = "class_id", status: int = 404
) -> SchoolClass:
    """The class ``class_id`` if ``viewer`` may see it, else :func:`not_found`."""
    cls = (
        await db.scalar(
            select(SchoolClass).where(SchoolClass.id == class_id, class_visibility(viewer))
        )
        if valid_id(class_id)
        else None
    )
    if cls is None:
        raise not_found("class", field, status)
    return cls


# ---- Journal
# Who may write to a class journal (and open it):
# - marks, topics, homework, period marks: a teacher who teaches the lesson's class and
#   subject: the lesson's teacher or its substitute, or a teaching assignment for the class and
#   subject; an assignment that names a group (a class split for English) gives that group's
#   lessons, journal and pupils only, never the other group's nor the whole class's;
# - absences: the same teachers and the class's class teacher; the health worker sets and
#   removes ``illness`` absences of any pupil of the school, nothing else;
# - the journal GET: the teachers above (a substitute included; a class teacher: their class
#   with any subject, for attendance) and, read-only, the administration;
# - parents, pupils, IT staff and the education authority: 403.

JOURNAL_READERS = frozenset({Role.TEACHER, Role.ADMINISTRATION})


def _same_group(column: Any, group_id: int | None) -> ColumnElement[bool]:
    same: ColumnElement[bool] = column.is_(None) if group_id is None else column == group_id
    return same


async def assigned_to_teach(
    db: AsyncSession, teacher_id: int, class_id: int, subject_id: int, group_id: int | None = None
) -> bool:
    """Whether a teaching assignment gives ``teacher_id`` this class and subject: for the
    whole class (``group_id`` None), an assignment for the whole class; for one group of it,
    one for the whole class or for that group."""
    found = await db.scalar(
        select(TeachingAssignment.id)
        .where(
            TeachingAssignment.teacher_id == teacher_id,
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.subject_id == subject_id,
            or_(
                TeachingAssignment.group_id.is_(None),
                _same_group(TeachingAssignment.group_id, group_id),
            ),
        )
        .limit(1)
    )
    return found is not None


async def assigned_to_teach_pupil(
    db: AsyncSession,
    teacher_id: int,
    class_id: int,
    subject_id: int,
    pupil_id: int,
    start: dt.date,
    end: dt.date,
) -> bool:
    """Whether a teaching assignment gives ``teacher_id`` this pupil in this class and
    subject from ``start`` to ``end``: one for the whole class, or for a group the pupil was in
    then."""
    groups = select(GroupMember.group_id).where(
        GroupMember.pupil_id == pupil_id,
        in_group_between(start, end),
    )
    found = await db.scalar(
        select(TeachingAssignment.id)
        .where(
            TeachingAssignment.teacher_id == teacher_id,
            TeachingAssignment.class_id == class_id,
            TeachingAssignment.subject_id == subject_id,
            or_(TeachingAssignment.group_id.is_(None), TeachingAssignment.group_id.in_(groups)),
        )
        .limit(1)
    )
    return found is not None


async def leads_class(db: AsyncSession, teacher_id: int, class_id: int) -> bool:
    """Whether ``teacher_id`` is the class teacher of ``class_id``."""
    found = await db.scalar(
        select(SchoolClass.id).where(
            SchoolClass.id == class_id, SchoolClass.homeroom_teacher_id == teacher_id
        )
    )
    return found is not None


async def teaches_lesson(
    db: AsyncSession,
    viewer: Viewer,
    *,
    class_id: int,
    subject_id: int,
    teacher_id: int,
    substitute_id: int | None,
    group_id: int | None = None,
) -> bool:
    """Whether ``viewer`` may give marks, topic and homework at this lesson (of the group
    ``group_id``, or of the whole class)."""
    if viewer.role is not Role.TEACHER:
        return False
    if viewer.id in (teacher_id, substitute_id):
        return True
    return await assigned_to_teach(db, viewer.id, class_id, subject_id, group_id)


async def may_open_journal(
    db: AsyncSession, viewer: Viewer, class_id: int, subject_id: int, group_id: int | None = None
) -> bool:
    """Whether ``viewer`` may read the journal of this class and subject (of its group
    ``group_id``, or of the whole class)."""
    if viewer.role is Role.ADMINISTRATION:
        return True
    if viewer.role is not Role.TEACHER:
        return False
    if await assigned_to_teach(db, viewer.id, class_id, subject_id, group_id):
        return True
    if await leads_class(db, viewer.id, class_id):
        return True
    # A substitute: the journal of the class (or group) and subject they stood in for.
    found = await db.scalar(
        select(Lesson.id)
        .where(
            Lesson.class_id == class_id,
            Lesson.subject_id == subject_id,
            _same_group(Lesson.group_id, group_id),
            gives_lesson(viewer.id),
        )
        .limit(1)
    )
    return found is not None


# ---- Grades, homework and attendance

#: Attendance is also seen by the health worker, who records medical absences (any pupil of
#: the school). Marks are not: a health worker asking for grades gets 403.
ATTENDANCE_READERS = PUPIL_READERS | {Role.HEALTH_WORKER}


async def may_see_class_homework(db: AsyncSession, viewer: Viewer, class_id: int) -> bool:
    """Whether ``viewer`` may see homework set for the class ``class_id`` (an attachment):
    its pupils and their parents (while enrolled at any time), its teachers, administration."""
    in_school = select(SchoolClass.id).where(
        SchoolClass.id == class_id, SchoolClass.school_id == viewer.school_id
    )
    if viewer.role is Role.PUPIL:
        query = in_school.where(
            exists().where(Enrolment.class_id == class_id, Enrolment.pupil_id == viewer.id)
        )
    elif viewer.role is Role.PARENT:
        query = in_school.where(
            exists().where(
                Enrolment.class_id == class_id,
                Enrolment.pupil_id == ParentLink.pupil_id,
                ParentLink.parent_id == viewer.id,
            )
        )
    elif viewer.role is Role.TEACHER:
        query = in_school.where(SchoolClass.id.in_(teacher_class_ids(viewer.id)))
    elif viewer.role is Role.ADMINISTRATION:
        query = in_school
    else:
        return False
    return (await db.scalar(query)) is not None


async def require_notice_reader(db: AsyncSession, viewer: Viewer, pupil_id: int) -> None:
    """Absence notices about a pupil: the pupil, their parents, the class teacher of the
    pupil's class, administration. Other teachers get the same 404 as for no pupil."""
    await require_pupil(db, viewer, pupil_id, N_("absence notices"))
    if viewer.role is Role.TEACHER:
        leads = await db.scalar(
            select(Enrolment.id)
            .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
            .where(
                Enrolment.pupil_id == pupil_id,
                Enrolment.end.is_(None),
                SchoolClass.homeroom_teacher_id == viewer.id,
            )
            .limit(1)
        )
        if leads is None:
            raise pupil_not_found()


async def require_class_notices(db: AsyncSession, viewer: Viewer, class_id: int) -> None:
    """A class's absence notices: its class teacher and administration of the school."""
    if viewer.role not in (Role.TEACHER, Role.ADMINISTRATION):
        raise forbidden(N_("absence notices of a class"))
    cls = await visible_class(db, viewer, class_id)
    if viewer.role is Role.TEACHER and cls.homeroom_teacher_id != viewer.id:
        raise ProblemError(403, _("only the class teacher of this class sees its absence notices"))


# ---- The class chat
#
# A class's chat is its pupils' and their teachers' room:
# - a pupil: the chat of the class they are in today;
# - a teacher: the chats of the classes they lead or teach (a teaching assignment);
# - administration: every chat of the school, to read and moderate (not to write);
# - parents, IT staff, the health worker and the authority: 403 (a guard on the routes).
# Moderators (hide a message, close and open the chat) are the class teacher of the class and
# the administration. A chat the viewer is not in is answered as one that does not exist.

CHAT_ROLES = frozenset({Role.PUPIL, Role.TEACHER, Role.ADMINISTRATION})


def chat_visibility(viewer: Viewer, today: dt.date) -> ColumnElement[bool]:
    """The condition on a ``SchoolClass`` row under which ``viewer`` is in its chat."""
    base = and_(SchoolClass.school_id == viewer.school_id, SchoolClass.retired.is_(False))
    if viewer.role is Role.ADMINISTRATION:
        return base
    if viewer.role is Role.TEACHER:
        return and_(base, SchoolClass.id.in_(teacher_class_ids(viewer.id)))
    if viewer.role is Role.PUPIL:
        return and_(
            base,
            exists().where(
                Enrolment.class_id == SchoolClass.id,
                Enrolment.pupil_id == viewer.id,
                enrolled_on(today),
            ),
        )
    return false()


def moderates_chat(viewer: Viewer, cls: SchoolClass) -> bool:
    """Whether ``viewer`` may hide messages of the class's chat and close or open it."""
    return viewer.role is Role.ADMINISTRATION or cls.homeroom_teacher_id == viewer.id


def chat_write_refusal(viewer: Viewer, cls: SchoolClass, closed: bool) -> str | None:
    """Why ``viewer`` (who is in the chat) may not write in it now, in words; None if they may."""
    if viewer.role is Role.ADMINISTRATION:
        return _(
            "the administration reads and moderates class chats but does not write in them: "
            "write to the class teacher, or post an announcement to the class"
        )
    if closed and cls.homeroom_teacher_id != viewer.id:
        return _(
            "the class teacher has closed this chat: you can read it, and write again once "
            "it is opened"
        )
    return None


# ---- Audit, statistics and medical records
#
# - the audit log: IT staff and administration of the school;
# - named statistics (averages per class, pupils at risk): administration;
# - anonymised statistics (per school and class, small groups withheld): the authority and
#   the administration; never a pupil's name or id;
# - illness absences and the pupil search (names and classes only, no marks): the health
#   worker; the search also for administration and IT staff.

AUDIT_READERS = frozenset({Role.IT_STAFF, Role.ADMINISTRATION})
STATS_READERS = frozenset({Role.ADMINISTRATION})
ANONYMOUS_STATS_READERS = frozenset({Role.AUTHORITY, Role.ADMINISTRATION})
MEDICAL_STAFF = frozenset({Role.HEALTH_WORKER})
PUPIL_SEARCHERS = frozenset({Role.HEALTH_WORKER, Role.ADMINISTRATION, Role.IT_STAFF})


def require_role(viewer: Viewer, roles: frozenset[Role], what: str) -> None:
    """A 403 problem unless the viewer's role is one of ``roles``."""
    if viewer.role not in roles:
        raise forbidden(what)


async def school_pupil(db: AsyncSession, viewer: Viewer, pupil_id: int) -> User:
    """A pupil of the viewer's school (for roles that see every pupil's name), else 404."""
    if not 0 < pupil_id <= MAX_ID:
        raise pupil_not_found()
    pupil = await db.get(User, pupil_id)
    if pupil is None or pupil.role != Role.PUPIL.value or pupil.school_id != viewer.school_id:
        raise pupil_not_found()
    return pupil


# ---- Accounts
#
# - accounts, parent links, class moves, roster import and credential slips: IT staff of the
#   school only (and never a private message through any of it);
# - invite codes for a class's parents: IT staff, and the class teacher of that class;
# - one's own password: everyone logged in.

ACCOUNT_MANAGERS = frozenset({Role.IT_STAFF})
SETUP_STAFF = frozenset({Role.IT_STAFF, Role.ADMINISTRATION})
"""Who sets the school up: its calendar, bells, subjects, rooms and classes."""


def may_issue_invite_codes(viewer: Viewer, homeroom_teacher_id: int | None) -> bool:
    """Whether ``viewer`` may issue invite codes for a class led by ``homeroom_teacher_id``."""
    if viewer.role in ACCOUNT_MANAGERS:
        return True
    return viewer.role is Role.TEACHER and homeroom_teacher_id == viewer.id


# --- announcements: who may address whom, who reads what ------------------------------------

Audience = AnnouncementAudience


async def may_announce(
    db: AsyncSession,
    viewer: Viewer,
    audience: AnnouncementAudience,
    class_id: int | None,
    grade: int | None,
) -> None:
    """Refuse an announcement ``viewer`` may not address (raises, else returns).

    A teacher addresses a class they teach or lead, and a class teacher also the parents of
    their class; the administration addresses anything: the school, a class, a parallel, the
    parents (of a class or all), the teachers. A class the teacher neither teaches nor leads is
    refused as one that does not exist."""
    if viewer.role not in (Role.TEACHER, Role.ADMINISTRATION):
        raise ProblemError(403, _("your role may not post announcements"))
    needs_class = audience is Audience.CLASS
    may_class = audience in (Audience.CLASS, Audience.PARENTS)
    if needs_class and class_id is None:
        raise ProblemError(422, _("choose the class the announcement is for"), field="class_id")
    if class_id is not None and not may_class:
        raise ProblemError(
            422,
            _("a class is chosen only for an announcement to a class or to its parents"),
            field="class_id",
        )
    if audience is Audience.GRADE and grade is None:
        raise ProblemError(
            422,
            _("choose the grade (5 for all the 5th grades) the announcement is for"),
            field="grade",
        )
    if grade is not None and audience is not Audience.GRADE:
        raise ProblemError(
            422, _("a grade is chosen only for an announcement to a parallel"), field="grade"
        )
    if viewer.role is Role.TEACHER and class_id is None:
        raise ProblemError(
            403,
            _(
                "only the school administration addresses the whole school, a parallel, "
                "all parents or the teachers; a teacher addresses a class"
            ),
            field="audience",
        )
    if class_id is not None:
        missing = ProblemError(
            404, _("there is no class with this id that you teach"), field="class_id"
        )
        if not valid_id(class_id):
            raise missing
        query = select(SchoolClass.id).where(
            SchoolClass.id == class_id, SchoolClass.school_id == viewer.school_id
        )
        if viewer.role is Role.TEACHER:
            query = query.where(SchoolClass.id.in_(teacher_class_ids(viewer.id)))
        if await db.scalar(query) is None:
            raise missing
        if (
            audience is Audience.PARENTS
            and viewer.role is Role.TEACHER
            and not await leads_class(db, viewer.id, class_id)
        ):
            raise ProblemError(
                403,
                _(
                    "only the class teacher (or the administration) writes to a class's "
                    "parents alone; address the whole class instead"
                ),
                field="audience",
            )
    if grade is not None:
        found = await db.scalar(
            select(SchoolClass.id)
            .where(SchoolClass.school_id == viewer.school_id, SchoolClass.grade == grade)
            .limit(1)
        )
        if found is None:
            raise ProblemError(
                422,
                _("the school has no class of grade {grade}").format(grade=grade),
                field="grade",
            )


def announcement_visibility(
    viewer: Viewer, classes: Sequence[int], grades: Sequence[int]
) -> ColumnElement[bool]:
    """The announcements addressed to ``viewer`` (besides their own), given the classes they
    belong to (``messaging.audience_classes``) and those classes' grades: the school's; their
    classes' and parallels'; a parent also the parents' (the school's and their children's
    classes'); teachers and the administration also the teachers'."""
    shown: list[ColumnElement[bool]] = [
        Announcement.audience == Audience.SCHOOL.value,
        Announcement.author_id == viewer.id,
    ]
    if classes:
        shown.append(
            and_(Announcement.audience == Audience.CLASS.value, Announcement.class_id.in_(classes))
        )
    if grades:
        shown.append(
            and_(Announcement.audience == Audience.GRADE.value, Announcement.grade.in_(grades))
        )
    if viewer.role is Role.PARENT:
        of_their_classes: ColumnElement[bool] = Announcement.class_id.is_(None)
        if classes:
            of_their_classes = or_(of_their_classes, Announcement.class_id.in_(classes))
        shown.append(and_(Announcement.audience == Audience.PARENTS.value, of_their_classes))
    if viewer.role in (Role.TEACHER, Role.ADMINISTRATION):
        shown.append(Announcement.audience == Audience.TEACHERS.value)
    return or_(*shown)


# ---- The class teacher's class
#
# A class's attendance by day, its parents with their contacts, and one message to its parents:
# the class's class teacher, and of the school's staff those a rule names (attendance and the
# message: administration; the parents' contacts: administration and IT staff). Anyone else,
# another teacher or a parent included, gets the same 404 as for a class that does not exist.

CLASS_ATTENDANCE_STAFF = frozenset({Role.ADMINISTRATION})
CLASS_CONTACTS_STAFF = frozenset({Role.ADMINISTRATION, Role.IT_STAFF})
CLASS_MESSAGE_STAFF = frozenset({Role.ADMINISTRATION})


async def led_class(
    db: AsyncSession, viewer: Viewer, class_id: int, staff: frozenset[Role]
) -> SchoolClass:
    """The class ``class_id`` if ``viewer`` is its class teacher or has a role of ``staff`` in
    its school; else :func:`not_found`, decided in the query that looks the class up."""
    if viewer.role in staff:
        rule: ColumnElement[bool] = SchoolClass.school_id == viewer.school_id
    elif viewer.role is Role.TEACHER:
        rule = and_(
            SchoolClass.school_id == viewer.school_id,
            SchoolClass.homeroom_teacher_id == viewer.id,
        )
    else:
        rule = false()
    cls = (
        await db.scalar(select(SchoolClass).where(SchoolClass.id == class_id, rule))
        if valid_id(class_id)
        else None
    )
    if cls is None:
        raise not_found("class", "class_id")
    return cls


# --- teacher blogs: who writes for which class, who reads what ------------------------------

#: Roles that read (and comment on) teacher blogs; the others get 403 whatever the id.
BLOG_READERS = frozenset({Role.PUPIL, Role.PARENT, Role.TEACHER, Role.ADMINISTRATION})
#: Roles that write posts.
BLOG_WRITERS = frozenset({Role.TEACHER})
#: Roles that hide comments (of their own posts, for a teacher) or, administration, posts.
BLOG_MODERATORS = frozenset({Role.TEACHER, Role.ADMINISTRATION})


def blog_visibility(viewer: Viewer, classes: Sequence[int]) -> ColumnElement[bool]:
    """The posts ``viewer`` reads, given the classes they belong to
    (``messaging.audience_classes``: a pupil's class, a parent's children's, a teacher's):
    the school's and those classes', unless hidden; their own always. The administration
    reads every post of its school, hidden ones too."""
    if viewer.role is Role.ADMINISTRATION:
        return true()
    audience: ColumnElement[bool] = BlogPost.class_id.is_(None)
    if classes:
        audience = or_(audience, BlogPost.class_id.in_(classes))
    return or_(BlogPost.author_id == viewer.id, and_(audience, BlogPost.hidden_at.is_(None)))


def blog_comment_visibility(viewer: Viewer, post: BlogPost) -> ColumnElement[bool]:
    """The comments of ``post`` that ``viewer`` reads: hidden ones only its author and the
    administration."""
    if viewer.role is Role.ADMINISTRATION or post.author_id == viewer.id:
        return true()
    return BlogComment.hidden_at.is_(None)


def may_moderate_blog(viewer: Viewer, post: BlogPost) -> bool:
    """Whether ``viewer`` hides comments of ``post``: its author and the administration."""
    return viewer.role is Role.ADMINISTRATION or post.author_id == viewer.id


async def may_blog_for(db: AsyncSession, viewer: Viewer, class_id: int | None) -> None:
    """Refuse a post ``viewer`` may not write (raises, else returns): a teacher writes for a
    class they teach or lead, or for the whole school (``class_id`` None). A class they
    neither teach nor lead is refused as one that does not exist."""
    if viewer.role not in BLOG_WRITERS:
        raise ProblemError(403, _("only teachers write blog posts"))
    if class_id is None:
        return
    missing = not_found("class", "class_id", 422)
    if not valid_id(class_id):
        raise missing
    found = await db.scalar(
        select(SchoolClass.id).where(
            SchoolClass.id == class_id,
            SchoolClass.school_id == viewer.school_id,
            SchoolClass.id.in_(teacher_class_ids(viewer.id)),
        )
    )
    if found is None:
        raise missing
