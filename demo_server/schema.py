"""The database schema: the whole diary, for SQLite and PostgreSQL alike.

The tables follow the school: a school has academic years split into periods; classes (grade
and letter) hold pupils through enrolments; teachers teach subjects to classes (teaching
assignments); the weekly timetable is made concrete as dated lessons, which carry topics,
homework, marks and absences. Messages, announcements, events, week acknowledgements, invite
codes, the change feed and the append-only audit log complete it.

Marks and absences are never deleted: removal sets ``removed_at`` and appends an audit record.
Every editable row carries a ``version`` that a write must name (optimistic concurrency).

Alembic migrations under ``migrations/`` create exactly these tables; a test compares the two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, QueryableAttribute, mapped_column
from sqlalchemy.sql.elements import ColumnElement

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: stored in UTC, read back as an aware UTC datetime on every database.

    SQLite keeps datetimes as text without an offset (its binding drops ``tzinfo`` without
    converting, so 19:34+03:00 would be stored as 19:34) and hands them back naive; PostgreSQL
    hands ``timestamptz`` back in the session's zone. This type converts every value to UTC
    before it is stored and marks every value read as UTC, so no code needs to guess. A naive
    datetime is refused: it names no instant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"a naive datetime names no instant: {value!r} (give it a zone)")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


# --- the school and its calendar --------------------------------------------------------


class School(Base):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    mark_min: Mapped[int] = mapped_column(default=1)
    mark_max: Mapped[int] = mapped_column(default=5)
    show_class_rating: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether parents and pupils may see class averages and the pupil's place."""
    reason_after_days: Mapped[int] = mapped_column(default=7)
    """A change to a mark older than this many days needs a reason."""
    language: Mapped[str] = mapped_column(String(8), default="ru", server_default="ru")
    """The school's language (``ru`` or ``en``): what its own texts are written in, and what
    the app speaks to a user who chose none (``Me.school.language``)."""


class AcademicYear(Base):
    __tablename__ = "academic_years"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """When the year was closed (rollover): nothing of it changes after, except by the
    administration with a reason."""
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Period(Base):
    """A quarter, trimester or half of an academic year."""

    __tablename__ = "periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class Holiday(Base):
    """A school day with no lessons (holidays between periods, public holidays)."""

    __tablename__ = "holidays"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100), default="")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __table_args__ = (UniqueConstraint("school_id", "date"),)


class BellSchedule(Base):
    """One of a school's bell schedules: the normal one, Saturday's, a shortened day's.
    ``weekdays`` (``"0,1,2,3,4"``, 0 = Monday) are the days it holds unless a day is given
    another (:class:`BellDay`); a day no schedule names keeps the school's first schedule."""

    __tablename__ = "bell_schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    weekdays: Mapped[str] = mapped_column(String(20), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class Bell(Base):
    __tablename__ = "bells"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("bell_schedules.id"), index=True)
    number: Mapped[int]
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    __table_args__ = (UniqueConstraint("schedule_id", "number"),)


class BellDay(Base):
    """A date given a bell schedule other than its weekday's (a shortened day)."""

    __tablename__ = "bell_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("bell_schedules.id"), index=True)
    __table_args__ = (UniqueConstraint("school_id", "date"),)


class Subject(Base):
    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class OneRosterId(Base):
    """What a OneRoster ``sourcedId`` became here: ``kind`` is ``session`` (a year or a period),
    ``course`` (a subject), ``class`` (a class), ``group`` (a group of a class) or ``user`` (an
    account). A OneRoster set imported again finds the same rows through it, whatever the
    school renamed meanwhile."""

    __tablename__ = "oneroster_ids"
    __table_args__ = (UniqueConstraint("school_id", "kind", "sourced_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    sourced_id: Mapped[str] = mapped_column(String(255))
    target_id: Mapped[int] = mapped_column()


class Room(Base):
    """A room lessons can be held in. Lessons and timetable slots keep the room's name as
    text (what was planned stays as it was when a room is renamed or retired); this table is
    the list set-up offers and checks against."""

    __tablename__ = "rooms"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(default=0)
    """Seats; 0 when not said."""
    note: Mapped[str] = mapped_column(String(100), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __table_args__ = (UniqueConstraint("school_id", "name"),)


# --- people ------------------------------------------------------------------------------


class User(Base):
    """An account. ``version`` counts the changes the school's staff make to it: its names,
    locking and unlocking (``PATCH /users/{id}``, a roster import that renames it) and password
    resets (one at a time or by credential slips), each adding one. The owner's own password
    change does not count, nor do parent links and class moves (rows of their own that an
    account edit never overwrites). An edit names the version it was based on."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    """The server default gives accounts from before the column version 1 (migration 0002)."""
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    """How the school reaches the person: set by the IT staff, empty when not known."""
    email: Mapped[str] = mapped_column(String(120), default="", server_default="")


class SchoolClass(Base):
    __tablename__ = "classes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id"), index=True)
    grade: Mapped[int]
    letter: Mapped[str] = mapped_column(String(4))
    homeroom_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __table_args__ = (UniqueConstraint("year_id", "grade", "letter"),)


class Enrolment(Base):
    """A pupil in a class from ``start`` to ``end`` (open-ended while ``end`` is null)."""

    __tablename__ = "enrolments"
    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)


Day = dt.date | ColumnElement[dt.date] | QueryableAttribute[dt.date]
"""A day in a condition: a date, a column (``Lesson.date``) or a bound parameter."""


def _held(
    start: Mapped[dt.date], end: Mapped[dt.date | None], first: Day, last: Day
) -> ColumnElement[bool]:
    """A ``start``..``end`` row (both days included, open while ``end`` is null) holds on
    some day from ``first`` to ``last``."""
    return and_(start <= last, or_(end.is_(None), end >= first))


def enrolled_on(day: Day, enrolment: type[Enrolment] = Enrolment) -> ColumnElement[bool]:
    """The enrolment holds on ``day``: the pupil is in its class that day (the first and the
    last day of an enrolment are both days in the class)."""
    return _held(enrolment.start, enrolment.end, day, day)


def enrolled_between(
    first: Day, last: Day, enrolment: type[Enrolment] = Enrolment
) -> ColumnElement[bool]:
    """The enrolment holds on at least one day from ``first`` to ``last`` (a period, a week)."""
    return _held(enrolment.start, enrolment.end, first, last)


class ParentLink(Base):
    __tablename__ = "parent_links"
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class ClassGroup(Base):
    """A class split for a subject (English, computer science): each group has its own
    teacher, pupils (:class:`GroupMember`) and lessons (``Lesson.group_id``). A retired group
    keeps its lessons and marks but takes no new timetable rows or pupils."""

    __tablename__ = "class_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    name: Mapped[str] = mapped_column(String(40))
    """Short, as a journal names it: ``гр. 1``, ``Group 2``, ``advanced``."""
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "name"),)


class GroupMember(Base):
    """A pupil in a group from ``start`` to ``end`` (open-ended while ``end`` is null); a pupil
    who leaves the class leaves its groups on the same day."""

    __tablename__ = "group_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)


def in_group_on(day: Day, member: type[GroupMember] = GroupMember) -> ColumnElement[bool]:
    """The group membership holds on ``day`` (its first and last day included)."""
    return _held(member.start, member.end, day, day)


def in_group_between(
    first: Day, last: Day, member: type[GroupMember] = GroupMember
) -> ColumnElement[bool]:
    """The group membership holds on at least one day from ``first`` to ``last``."""
    return _held(member.start, member.end, first, last)


class TeachingAssignment(Base):
    """A teacher teaching a subject to a class, or to one group of it (``group_id``)."""

    __tablename__ = "teaching_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("class_groups.id"), default=None)
    __table_args__ = (UniqueConstraint("teacher_id", "class_id", "subject_id", "group_id"),)


# --- the timetable and lessons -------------------------------------------------------------


class TimetableSlot(Base):
    """The weekly plan: on ``weekday`` (0 = Monday) at bell ``number``, this subject, for the
    class or one group of it, every week or on odd or even weeks only (``weeks``: ``all``,
    ``odd``, ``even``; week 1 is the week of the year's first day)."""

    __tablename__ = "timetable_slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("class_groups.id"), default=None)
    weeks: Mapped[str] = mapped_column(String(4), default="all", server_default="all")
    weekday: Mapped[int]
    number: Mapped[int]
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    room: Mapped[str] = mapped_column(String(20), default="")
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class Lesson(Base):
    """A dated lesson, made from the timetable and changed by substitutions and moves."""

    __tablename__ = "lessons"
    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_groups.id"), index=True, default=None
    )
    """The group the lesson is for; null for the whole class."""
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("timetable_slots.id"), default=None)
    """The timetable row it was made from (null for a lesson made by hand or moved here)."""
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    """The planned teacher."""
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    date: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int]
    room: Mapped[str] = mapped_column(String(20), default="")
    planned_room: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="lesson", server_default="lesson")
    """``LessonKind``: a test gives its marks its kind and ``weight``."""
    weight: Mapped[int] = mapped_column(default=1, server_default="1")
    version: Mapped[int] = mapped_column(default=1)
    __table_args__ = (
        Index("ix_lessons_class_date", "class_id", "date", "number"),
        Index("ix_lessons_class_subject_date", "class_id", "subject_id", "date"),
    )


class Homework(Base):
    __tablename__ = "homework"
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class HomeworkAttachment(Base):
    __tablename__ = "homework_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class HomeworkDone(Base):
    __tablename__ = "homework_done"
    homework_id: Mapped[int] = mapped_column(ForeignKey("homework.id"), primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    done_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mark(Base):
    __tablename__ = "marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[int]
    weight: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(16), default="oral")
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (
        Index("ix_marks_pupil_lesson", "pupil_id", "lesson_id"),
        Index("ix_marks_lesson", "lesson_id"),
    )


class Absence(Base):
    __tablename__ = "absences"
    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (
        Index("ix_absences_pupil_lesson", "pupil_id", "lesson_id"),
        Index("ix_absences_lesson", "lesson_id"),
    )


class AbsenceNotice(Base):
    """A parent telling the class teacher about an absence, in advance or after."""

    __tablename__ = "absence_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """Who read it first (the class teacher or the administration), with ``seen_at``."""
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """When a parent of the pupil withdrew it (only while it was unread); None: it stands."""
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PeriodMark(Base):
    """A pupil's mark for a period, or for the year when ``period_id`` is null."""

    __tablename__ = "period_marks"
    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_years.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    value: Mapped[int]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (UniqueConstraint("pupil_id", "subject_id", "year_id", "period_id"),)


# --- communication -----------------------------------------------------------------------


class MessageThread(Base):
    __tablename__ = "message_threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The child the thread is about, when there is one."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThreadParticipant(Base):
    __tablename__ = "thread_participants"
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
    """The id of the last message this participant has read."""


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChatMessage(Base):
    """A message of a class chat (the class's pupils and teachers). Never deleted: hiding one
    (the class teacher, the administration) sets ``hidden_at`` and ``hidden_by_id``, audited."""

    __tablename__ = "chat_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class ClassChat(Base):
    """A class chat's state; a class without a row has an open chat."""

    __tablename__ = "class_chats"
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), primary_key=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=None)
    """When it was closed; null while it is open."""
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class Announcement(Base):
    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    """The class addressed (audience ``class``, or ``parents`` of one); null otherwise."""
    audience: Mapped[str] = mapped_column(String(16), default="school", server_default="school")
    """``models.AnnouncementAudience``: school, class, grade, parents, teachers."""
    grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The parallel addressed (audience ``grade``)."""
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnnouncementRead(Base):
    __tablename__ = "announcement_reads"
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BlogPost(Base):
    """A teacher's blog post to one class they teach (``class_id``) or the whole school (null).

    Never deleted: the administration hides one (``hidden_at``), which keeps it for the author
    and the administration only; ``comments_closed`` is the author's. Edits bump ``version``."""

    __tablename__ = "blog_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    comments_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class BlogComment(Base):
    """A parent's, pupil's or teacher's comment on a blog post. Never deleted: the post's
    author or the administration hides one (``hidden_at``); hidden, it is shown only to the
    post's author and the administration."""

    __tablename__ = "blog_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("blog_posts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Event(Base):
    """Parent meetings, school events, exams: things with a date, time and place."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="", server_default="")
    """A meeting's agenda, one point a line (a point is one line)."""
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """Who created it through the app (None: the school's own calendar)."""
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    minutes: Mapped[str] = mapped_column(Text, default="", server_default="")
    """A meeting's minutes: the decisions, recorded after it."""
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class MeetingAnswer(Base):
    """A parent's answer to a meeting's invitation: coming or not, with a comment."""

    __tablename__ = "meeting_answers"
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    coming: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(String(300), default="")
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WeekAcknowledgement(Base):
    """A parent "signing" a child's week, with a hash of the week as the parent saw it."""

    __tablename__ = "week_acknowledgements"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The marks and notes of the week as signed, to show what changed afterwards."""
    __table_args__ = (Index("ix_week_ack_pupil_week", "pupil_id", "week_start"),)


# --- accounts and security -----------------------------------------------------------------


class AuthSession(Base):
    """One login: the chain of refresh tokens that rotate from it."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """One login tried, from one client address (``demo_server.clients.rate_key``): failures
    are counted per login and address, and per address across logins."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean)
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    """None for rows written before addresses were kept, and for invite-code failures (whose
    ``login`` names the address)."""
    __table_args__ = (
        Index("ix_login_attempts_login_address_at", "login", "address", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )


class InviteCode(Base):
    """A single-use code a parent registers with, linking the new account to a pupil."""

    __tablename__ = "invite_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ConsentText(Base):
    """One version of a school's consent to the processing of personal data. A new version is
    a new row (the old ones stay, for what parents signed); the newest is the current one."""

    __tablename__ = "consent_texts"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (UniqueConstraint("school_id", "version"),)


class ConsentRecord(Base):
    """A parent's consent or withdrawal, append-only: never changed or deleted, so the rows of
    a parent are their history and the newest is where they stand."""

    __tablename__ = "consent_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("consent_texts.id"))
    """The version consented to (or, for a withdrawal, withdrawn from)."""
    action: Mapped[str] = mapped_column(String(20))
    """``given`` or ``withdrawn``."""
    way: Mapped[str] = mapped_column(String(20))
    """``registration``, ``app`` or ``paper``."""
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")


class IdempotencyRecord(Base):
    """The first answer to a write, replayed for a repeated ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    __table_args__ = (UniqueConstraint("user_id", "key"),)


class ServerSetting(Base):
    """Key-value settings of the server itself, such as the token signing secret."""

    __tablename__ = "server_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- change feed and audit -------------------------------------------------------------------


class Change(Base):
    """The change feed: one row per change a client may need to hear about; ``id`` is the
    cursor. ``pupil_id`` and ``class_id`` decide who may see it."""

    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("class_groups.id"), default=None)
    """A change about a group's lesson: of the class's pupils, the group's alone see it."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    """For changes addressed to one user (a message)."""
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience: Mapped[str | None] = mapped_column(String(16), default=None)
    """Of those the row reaches, only ``parents`` or only ``teachers`` (and the
    administration); None: all of them."""


class AuditRecord(Base):
    """Append-only, hash-chained: ``hash`` covers this record's content and ``prev_hash``."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
