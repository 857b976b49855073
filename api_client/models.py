"""The wire contract: every request and response body of the diary API.

This module is the one definition of the contract. The client decodes responses into these
Structs, the server validates requests against them and generates its OpenAPI document from
them. Keep it free of any import but the standard library and msgspec.

Conventions:
- Dates are ISO dates (``2026-11-23``), times ``HH:MM``, instants ISO 8601 in UTC.
- Fields left at their default are omitted from responses (``omit_defaults``) to keep weeks
  small on a slow link; a client must treat a missing field as its default.
- Request bodies reject unknown fields, so a typo is an error instead of a silent no-op.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import typing
from typing import Annotated, Any, TypeVar

import msgspec

API_PREFIX = "/api/v1"

PASSWORD_CHANGE_REQUIRED = "urn:diary:problem:password-change-required"
"""The ``type`` of the 403 problem every request but the password change (and ``GET /me``)
gets while the account still has a one-time password: the client opens the change form."""

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Enumerations


class Role(enum.StrEnum):
    """What a user is in the school. A class teacher is a teacher with a homeroom class."""

    PUPIL = "pupil"
    PARENT = "parent"
    TEACHER = "teacher"
    ADMINISTRATION = "administration"
    IT_STAFF = "it_staff"
    HEALTH_WORKER = "health_worker"
    AUTHORITY = "authority"


class LessonStatus(enum.StrEnum):
    PLANNED = "planned"
    SUBSTITUTED = "substituted"
    CANCELLED = "cancelled"
    MOVED = "moved"


class MarkKind(enum.StrEnum):
    ORAL = "oral"
    HOMEWORK = "homework"
    CLASSWORK = "classwork"
    TEST = "test"
    QUIZ = "quiz"
    DICTATION = "dictation"
    LAB = "lab"
    ESSAY = "essay"


class LessonKind(enum.StrEnum):
    """What a lesson is: an ordinary lesson, or one whose marks are all of one kind (a test,
    контрольная работа), weighed alike."""

    LESSON = "lesson"
    TEST = "test"
    QUIZ = "quiz"
    DICTATION = "dictation"
    LAB = "lab"
    ESSAY = "essay"

    @property
    def mark_kind(self) -> MarkKind:
        """The kind of a mark given at such a lesson (oral at an ordinary one)."""
        return MarkKind.ORAL if self is LessonKind.LESSON else MarkKind(self.value)


LESSON_KIND_WEIGHTS: dict[LessonKind, int] = {
    LessonKind.LESSON: 1,
    LessonKind.TEST: 3,
    LessonKind.QUIZ: 2,
    LessonKind.DICTATION: 2,
    LessonKind.LAB: 2,
    LessonKind.ESSAY: 2,
}
"""The weight a lesson of each kind gives its marks unless the teacher says otherwise."""


class AbsenceKind(enum.StrEnum):
    UNEXCUSED = "unexcused"
    ILLNESS = "illness"
    EXCUSED = "excused"
    LATE = "late"


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    TRIMESTER = "trimester"
    HALF = "half"


class EventKind(enum.StrEnum):
    PARENT_MEETING = "parent_meeting"
    SCHOOL_EVENT = "school_event"
    EXAM = "exam"
    HOLIDAY = "holiday"


# --------------------------------------------------------------------------------------
# Base classes


class Response(msgspec.Struct, omit_defaults=True, kw_only=True):
    """Base of every response body."""


# --------------------------------------------------------------------------------------
# Text a person typed
#
# Every text field of a request is one of the aliases below, which carry its length limit
# and the characters it may hold, so the server refuses the rest (422, naming the field) and
# the OpenAPI document states both. Control characters are never stored: C0 (but for the
# line breaks and tabs of multi-line text), DEL, C1, and the bidirectional overrides and
# isolates (U+202A-U+202E, U+2066-U+2069) that make a name read differently than it is
# stored. A carriage return in multi-line text is taken as a line break (``\r\n`` and a lone
# ``\r`` become ``\n``) as the request is decoded.

LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$(?!\n)"
"""One line of text: no control characters at all. (``$(?!\n)``: Python's ``$`` also
matches before a final line break, which a single line may not end with.)"""
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"
"""Multi-line text: line breaks (``\n``, ``\r``) and tabs, no other control characters."""

NAME_MAX_LENGTH = 100
LOGIN_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 200
ROOM_MAX_LENGTH = 20
NOTE_MAX_LENGTH = 2_000
MESSAGE_MAX_LENGTH = 10_000
SUBJECT_MAX_LENGTH = TITLE_MAX_LENGTH
CONTACT_MAX_LENGTH = 120


def _line(max_length: int, min_length: int = 0) -> msgspec.Meta:
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=LINE_PATTERN)


def _text(max_length: int) -> msgspec.Meta:
    return msgspec.Meta(max_length=max_length, pattern=TEXT_PATTERN)


Login = Annotated[str, _line(LOGIN_MAX_LENGTH, min_length=1)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
Token = Annotated[str, _line(512, min_length=1)]
InviteCode = Annotated[str, _line(64, min_length=1)]
PersonName = Annotated[str, _line(NAME_MAX_LENGTH)]
"""A first, last or middle name."""
Title = Annotated[str, _line(TITLE_MAX_LENGTH)]
"""The subject of a message thread, the title of an announcement."""
RoomText = Annotated[str, _line(ROOM_MAX_LENGTH)]
Note = Annotated[str, _text(NOTE_MAX_LENGTH)]
"""A comment on a mark, a reason for a change, a note on an absence."""
Comment = Note
Reason = Note
NoticeNote = Note
LongText = Annotated[str, _text(MESSAGE_MAX_LENGTH)]
"""A message, an announcement, a lesson's topic or homework."""

ContactText = Annotated[str, _line(CONTACT_MAX_LENGTH)]
"""A telephone number or an e-mail address as typed (checked by the server's rule)."""

MAX_ID = 2**31 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
"""The id of a row: a positive 32-bit number (a larger one names nothing and would not fit
the database's column)."""
Version = Annotated[int, msgspec.Meta(ge=0, le=MAX_ID)]
Int32 = Annotated[int, msgspec.Meta(ge=-MAX_ID - 1, le=MAX_ID)]


def text_refusal(value: str, what: str, max_length: int, *, one_line: bool = True) -> str | None:
    """Why the server refuses ``value`` as the ``what`` (a field of ``max_length`` characters,
    one line or several), in words for a form to show before anything is sent; None when it
    will do. ``what`` is the box's label in the language in force."""
    from api_client.i18n import _

    if re.search(LINE_PATTERN if one_line else TEXT_PATTERN, value) is None:
        if one_line:
            said = _(
                "The {what} may not contain line breaks, tabs or other control characters: "
                "remove them."
            )
        else:
            said = _("The {what} may not contain invisible control characters: remove them.")
        return said.format(what=what)
    if len(value) > max_length:
        return _("The {what} is {n} characters long; at most {limit} fit.").format(
            what=what, n=len(value), limit=max_length
        )
    return None


NAME_PUNCTUATION = " -'’ʼ."
"""What a person's name may hold besides letters: spaces, hyphens, apostrophes, dots."""


def name_refusal(value: str, what: str) -> str | None:
    """Why ``value`` will not do as a person's name (``what``: the field's label, ``last
    name``), in words for a form or a command line; None when it will. A name is letters of
    any alphabet (with their accents), spaces, hyphens, apostrophes and dots, at most
    :data:`NAME_MAX_LENGTH` characters: no digits, no markup (``<b>``, ``[red]``), no control
    characters. The server applies the same rule to every name it stores."""
    import unicodedata

    from api_client.i18n import _

    if len(value) > NAME_MAX_LENGTH:
        return _("The {what} is {n} characters long; at most {limit} fit.").format(
            what=what, n=len(value), limit=NAME_MAX_LENGTH
        )
    odd = [
        ch
        for ch in value
        if ch not in NAME_PUNCTUATION and unicodedata.category(ch)[0] not in ("L", "M")
    ]
    if odd:
        shown = odd[0] if odd[0].isprintable() and not odd[0].isspace() else f"U+{ord(odd[0]):04X}"
        return _(
            "The {what} may hold only letters, spaces, hyphens, apostrophes and dots, not {char}."
        ).format(what=what, char=repr(shown))
    if value and not any(unicodedata.category(ch)[0] == "L" for ch in value):
        return _("The {what} needs at least one letter.").format(what=what)
    return None


PHONE_DIGITS = (5, 15)
"""How many digits a telephone number has: an internal extension to a full international
number (E.164 allows 15)."""


def normal_phone(value: str) -> str:
    """A telephone number as it is kept: spaces collapsed (empty: none)."""
    return " ".join(value.split())


def phone_refusal(value: str) -> str | None:
    """Why ``value`` will not do as a telephone number, in words for a form, a command line
    or a roster line; None when it will (empty will: it clears the number). Digits, with
    ``+`` at the start, spaces, hyphens and brackets. The server applies the same rule."""
    from api_client.i18n import _

    value = normal_phone(value)
    if not value:
        return None
    digits = sum(ch.isascii() and ch.isdigit() for ch in value)
    allowed = all((ch.isascii() and ch.isdigit()) or ch in "+-() " for ch in value)
    if allowed and "+" not in value[1:] and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return None
    return _(
        "a telephone number holds {low} to {high} digits, with + at the start, spaces, "
        "hyphens and brackets only, such as +7 912 345-67-89"
    ).format(low=PHONE_DIGITS[0], high=PHONE_DIGITS[1])


def normal_email(value: str) -> str:
    """An e-mail address as it is kept: trimmed, its domain lower-cased (empty: none)."""
    local, at, domain = value.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else value.strip()


def email_refusal(value: str) -> str | None:
    """Why ``value`` will not do as an e-mail address; None when it will (empty clears it)."""
    from api_client.i18n import _

    value = value.strip()
    if not value:
        return None
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not local
        or "@" in local
        or len(labels) < 2
        or not all(labels)
        or any(ch.isspace() or ch in '<>()[],;:"\\' for ch in value)
        or len(value) > CONTACT_MAX_LENGTH
    ):
        return _("this is not an e-mail address: write it as name@example.ru")
    return None


def _is_multiline(hint: Any) -> bool:
    if typing.get_origin(hint) is Annotated:
        return any(
            isinstance(meta, msgspec.Meta) and meta.pattern == TEXT_PATTERN
            for meta in hint.__metadata__
        )
    return any(_is_multiline(arg) for arg in typing.get_args(hint))


_multiline_fields: dict[type, tuple[str, ...]] = {}


class Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused."""

    def __post_init__(self) -> None:
        cls = type(self)
        names = _multiline_fields.get(cls)
        if names is None:
            hints = typing.get_type_hints(cls, include_extras=True)
            names = tuple(name for name, hint in hints.items() if _is_multiline(hint))
            _multiline_fields[cls] = names
        for name in names:
            value = getattr(self, name)
            if isinstance(value, str) and "\r" in value:
                setattr(self, name, value.replace("\r\n", "\n").replace("\r", "\n"))


# --------------------------------------------------------------------------------------
# Errors (RFC 9457)


class Problem(Response):
    """An error answer, sent as ``application/problem+json``.

    ``detail`` is written for a person; ``field`` names the part of the request that was
    wrong (a JSON field, a path or query parameter, or a header), when there is one.
    """

    title: str
    status: int
    type: str = "about:blank"
    detail: str = ""
    field: str | None = None
    instance: str | None = None
    retry_after: int | None = None
    current: Any = None
    """For a 409 on a stale write: the current value, encoded as its own response Struct
    (decoded as plain JSON data: decode it again with the Struct it is; ``Raw | None`` cannot
    be decoded by msgspec)."""
    conflict: Conflict | None = None
    """For a refusal because of another object (a period overlapping another, a class of
    the same name): which one."""


class Conflict(Response):
    """The object a write collided with, named so a person can find it."""

    kind: str
    """``year``, ``period``, ``holiday``, ``bell_schedule``, ``bell``, ``subject``, ``room``,
    ``class`` or ``user``."""
    id: int
    """The object's id; for a ``bell`` of the same schedule, its lesson number."""
    name: str


# --------------------------------------------------------------------------------------
# Authentication


class LoginRequest(Request):
    login: Login
    password: Password


class RefreshRequest(Request):
    refresh_token: Token


class LogoutRequest(Request):
    refresh_token: Token


class TokenPair(Response):
    access_token: str
    refresh_token: str
    expires_in: int
    """Seconds until the access token expires."""
    refresh_expires_in: int
    token_type: str = "bearer"
    must_change_password: bool = False


# --------------------------------------------------------------------------------------
# Who I am


class SubjectRef(Response):
    id: int
    name: str


class ClassRef(Response):
    id: int
    name: str
    """Grade and letter, e.g. ``5Б``."""
    grade: int
    letter: str


class PupilRef(Response):
    id: int
    first_name: str
    last_name: str
    class_: ClassRef | None = msgspec.field(default=None, name="class")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class GroupRef(Response):
    """A group within a class for a subject."""

    id: int
    name: str


class Teaching(Response):
    """One class and subject a teacher teaches, or one group of the class for the subject."""

    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    group: GroupRef | None = None


class MarkScale(Response):
    min: int = 1
    max: int = 5


class SchoolInfo(Response):
    id: int
    name: str
    mark_scale: MarkScale = msgspec.field(default_factory=MarkScale)
    timezone: str = "Europe/Moscow"
    language: str = "ru"
    """The school's language (``ru``, ``en``): the app speaks it when the user chose none
    (no ``--lang``, no ``language`` in the config file, no locale)."""


class Me(Response):
    id: int
    login: str
    first_name: str
    last_name: str
    role: Role
    school: SchoolInfo
    middle_name: str = ""
    children: list[PupilRef] = []
    """A parent's children; for a pupil, the pupil themself."""
    teaching: list[Teaching] = []
    homeroom: ClassRef | None = None
    """The class a class teacher leads (the first of ``homerooms``)."""
    homerooms: list[ClassRef] = []
    """Every class a class teacher leads this year, in grade and letter order (a teacher may
    lead more than one; absent from servers older than this field)."""
    must_change_password: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# --------------------------------------------------------------------------------------
# The week


class Bell(Response):
    number: int
    start: str
    """``HH:MM``"""
    end: str


class Mark(Response):
    id: int
    value: int
    weight: int = 1
    kind: MarkKind = MarkKind.ORAL
    comment: str = ""
    author: str = ""
    version: int = 1
    edited: bool = False
    """True when the mark was changed after it was first given (the audit log has both)."""


class Absence(Response):
    id: int
    kind: AbsenceKind
    minutes: int = 0
    """Minutes late, for ``late``."""
    note: str = ""
    version: int = 1


class Attachment(Response):
    id: int
    name: str
    size: int


class Homework(Response):
    id: int
    text: str
    due: dt.date
    attachments: list[Attachment] = []
    done: bool = False


class Lesson(Response):
    id: int
    date: dt.date
    number: int
    """The bell number: the lesson's place in the day."""
    start: str
    end: str
    subject: SubjectRef
    teacher: str
    room: str = ""
    topic: str = ""
    status: LessonStatus = LessonStatus.PLANNED
    original_teacher: str = ""
    """For a substitution: who the lesson was planned with."""
    original_room: str = ""
    """Set when the room differs from the timetable's."""
    group: str = ""
    """The group's name when the lesson is for one group of the class."""
    note: str = ""
    """Why a lesson was cancelled or moved, and where to."""
    homework: list[Homework] = []
    """Homework given at this lesson."""
    marks: list[Mark] = []
    absence: Absence | None = None


class Event(Response):
    id: int
    kind: EventKind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str = ""
    description: str = ""
    class_: ClassRef | None = msgspec.field(default=None, name="class")
    """The class it is for; None: the whole school."""
    agenda: list[str] = []
    """A meeting's agenda, one point an item."""
    cancelled: bool = False
    minutes: str = ""
    """A meeting's minutes (its decisions), recorded by the class teacher after it."""
    version: int = 1


class WeekBellDay(Response):
    """A day of the week whose bells are not the normal schedule's."""

    date: dt.date
    schedule: str
    """The schedule's name (``Суббота``, ``Сокращённый день``)."""
    shortened: bool = False
    """The date was given a schedule of its own (a shortened day)."""
    bells: list[Bell] = []


class Week(Response):
    """Everything the week screen shows, in one GET."""

    pupil: PupilRef
    start: dt.date
    """The Monday of the week."""
    end: dt.date
    """The Sunday of the week."""
    bells: list[Bell] = []
    lessons: list[Lesson] = []
    """In order of date and bell number."""
    events: list[Event] = []
    holidays: list[dt.date] = []
    """School days of this week with no lessons (school holidays)."""
    bell_days: list[WeekBellDay] = []
    """The days of this week that keep another bell schedule than the normal one (``bells``):
    a shortened day, Saturday's."""
    signed: WeekSignature | None = None
    """The latest parent's signature of this week, with what changed since (see Signing)."""


# --------------------------------------------------------------------------------------
# Health


class Health(Response):
    version: str
    database: str
    """``sqlite`` or ``postgresql``."""
    status: str = "ok"


def encode(value: object) -> bytes:
    """Encode a Struct (or plain data) as JSON, the one encoder used on both sides."""
    return msgspec.json.encode(value)


def decode(data: bytes | str, type_: type[T]) -> T:
    """Decode JSON into the Struct ``type_``, raising ``msgspec.ValidationError`` on a mismatch."""
    return msgspec.json.decode(data, type=type_)


# ---- Roster import


class ImportAction(enum.StrEnum):
    """What importing one line of a roster file does (or would do, in a dry run)."""

    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    """A line identical to an earlier one."""
    REFUSED = "refused"


class RosterFieldChange(Response):
    field: str
    """``last_name``, ``first_name``, ``middle_name``, ``class``, ``children`` or ``teaches``
    (a code: the same in every language)."""
    before: str
    after: str
    label: str = ""
    """What a person calls it: the column's header as the file spells it (``Фамилия``), else
    its name in the answer's language; what a report shows."""


class RosterImportRow(Response):
    line: int
    action: ImportAction
    kind: Role | None = None
    """pupil, parent or teacher; None when the line does not say."""
    name: str = ""
    login: str = ""
    class_name: str = ""
    reason: str = ""
    """Why the line is refused or skipped."""
    changes: list[RosterFieldChange] = []


class RosterImportReport(Response):
    """The answer to a roster import: line by line, what it did or would do."""

    dry_run: bool
    applied: bool
    """True when the import was written; never when a line is refused (all or nothing)."""
    encoding: str
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    refused: int = 0
    rows: list[RosterImportRow] = []
    warnings: list[str] = []


class SetupImportRow(Response):
    line: int
    action: ImportAction
    what: str = ""
    """What the line is about, in a few words: ``5А``, ``5А пн 2 Математика``."""
    file: str = ""
    """The file of a bulk of several files (OneRoster's ``users.csv``); empty for one file."""
    column: str = ""
    """The column a refusal is about, as the file names it; empty for the whole line."""
    reason: str = ""
    """Why the line is refused or skipped, in plain words."""
    changes: list[RosterFieldChange] = []


class SetupImportReport(Response):
    """The answer to a set-up file import (subjects, rooms, classes, groups, assignments, the
    timetable, or a OneRoster bulk): line by line, what it did or would do."""

    kind: str
    dry_run: bool
    applied: bool
    """True when the import was written; never when a line is refused (all or nothing)."""
    encoding: str = ""
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    refused: int = 0
    rows: list[SetupImportRow] = []
    warnings: list[str] = []


# ---- The end of the year


class YearClose(Request):
    """Close an academic year and move its classes up into the next one."""

    next_year_id: Id
    """The year the classes move into: it must exist (set up before) and begin after."""
    apply: bool = False
    """False: only say what would happen (the default); True: do it."""


class YearCloseClass(Response):
    """One class of the closing year and where its pupils go."""

    class_: ClassRef = msgspec.field(name="class")
    pupils: int = 0
    """Pupils in the class on the year's last day."""
    to: str = ""
    """The class they move into (``6А``); empty when they graduate."""
    to_id: int | None = None
    """Its id, once it exists (after the closing, or when it was set up already)."""
    new: bool = False
    """True when the next year's class is made by the closing."""


class YearClosePlan(Response):
    """What closing a year does (a dry run) or did."""

    year_id: int
    year: str
    next_year_id: int
    next_year: str
    applied: bool = False
    classes: list[YearCloseClass] = []
    graduates: int = 0
    """Pupils who finish school (the last grade): they keep their accounts."""
    moved: int = 0
    """Pupils who move into a class of the next year."""
    warnings: list[str] = []


# ---- Journal


class PeriodRef(Response):
    id: int
    name: str
    start: dt.date
    end: dt.date


class EnrolmentSpan(Response):
    """From when to when a pupil is in the class (``end`` None: still is)."""

    start: dt.date
    end: dt.date | None = None


class JournalPupil(Response):
    id: int
    number: int
    """The pupil's place in the class list (1, 2, ...), in surname order."""
    first_name: str
    last_name: str
    enrolled: list[EnrolmentSpan] = []
    """When the pupil is in the class, as far as the period goes: a lesson outside these
    takes no mark nor absence for them. Empty: not said (older servers)."""


class JournalHomework(Response):
    id: int
    text: str
    due: dt.date
    version: int = 1
    attachments: list[Attachment] = []
    """The files attached to it, in the order they were attached."""


class JournalLesson(Response):
    id: int
    date: dt.date
    number: int
    """The bell number."""
    topic: str = ""
    status: LessonStatus = LessonStatus.PLANNED
    version: int = 1
    """The lesson's version: a topic change sends it."""
    homework: JournalHomework | None = None
    kind: LessonKind = LessonKind.LESSON
    """A test (and the like) gives every new mark of its column its kind and ``weight``."""
    weight: int = 1
    """The weight of a mark given at this lesson."""


class JournalMark(Response):
    id: int
    pupil_id: int
    lesson_id: int
    value: int
    created_at: dt.datetime
    weight: int = 1
    kind: MarkKind = MarkKind.ORAL
    comment: str = ""
    version: int = 1
    removed: bool = False


class JournalAbsence(Response):
    id: int
    pupil_id: int
    lesson_id: int
    kind: AbsenceKind
    minutes: int = 0
    note: str = ""
    version: int = 1
    removed: bool = False


class JournalPeriodMark(Response):
    id: int
    pupil_id: int
    value: int
    version: int = 1
    removed: bool = False
    """True in the answer to a removal (``PeriodMarkSet`` with ``value`` None)."""


class Journal(Response):
    """One class's journal for one subject and period, in one GET."""

    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    period: PeriodRef
    group: GroupRef | None = None
    """The group whose journal this is: its pupils and its lessons only."""
    periods: list[PeriodRef] = []
    """The periods of the academic year, in order: the journal can switch between them."""
    scale: MarkScale = msgspec.field(default_factory=MarkScale)
    reason_after_days: int = 7
    """A change to a mark older than this many days needs a reason."""
    year: str = ""
    """The name of the class's academic year (``2025/26``)."""
    year_closed: bool = False
    """The year is closed: its journal is written only by the administration, giving a reason
    (every write's ``reason``), and read by everyone else."""
    pupils: list[JournalPupil] = []
    lessons: list[JournalLesson] = []
    """In order of date and bell number; cancelled lessons are listed with their status."""
    marks: list[JournalMark] = []
    """The marks in force (removed ones are left out)."""
    absences: list[JournalAbsence] = []
    period_marks: list[JournalPeriodMark] = []


MARK_WEIGHT_MIN = 1
MARK_WEIGHT_MAX = 5
LATE_MINUTES_MAX = 240
"""The most minutes late a ``late`` absence records (longer is an absence)."""


class MarkCreate(Request):
    lesson_id: Id
    pupil_id: Id
    value: Int32
    """On the school's scale (``Journal.scale``)."""
    weight: Int32 = 1
    """1 to 5."""
    kind: MarkKind = MarkKind.ORAL
    comment: Comment = ""
    reason: Reason = ""
    """Why: required of the administration correcting a closed year's journal (audited)."""


class MarkUpdate(Request):
    """Change a mark; fields left None stay as they are."""

    version: Version
    value: Int32 | None = None
    weight: Int32 | None = None
    kind: MarkKind | None = None
    comment: Comment | None = None
    reason: Reason = ""
    """Required for a mark older than ``Journal.reason_after_days``."""


class MarkRemove(Request):
    version: Version
    reason: Reason = ""


class AbsenceSet(Request):
    kind: AbsenceKind
    minutes: Int32 = 0
    """Minutes late, for ``late`` (0 to 240)."""
    note: Comment = ""
    version: Version | None = None
    """The version of the absence being changed; None when setting a new one."""
    reason: Reason = ""


class AbsenceRemove(Request):
    version: Version
    reason: Reason = ""


class TopicSet(Request):
    version: Version
    """The lesson's version (``JournalLesson.version``)."""
    topic: LongText
    reason: Reason = ""
    """Why: required of the administration correcting a closed year's journal (audited)."""


class LessonKindSet(Request):
    """What a lesson is (``PATCH /lessons/{id}/kind``): a test, a quiz ... or an ordinary
    lesson, and the weight of the marks given at it."""

    version: Version
    """The lesson's version (``JournalLesson.version``)."""
    kind: LessonKind
    weight: Int32 = 1
    """1 to 5."""
    reason: Reason = ""
    """Why: required of the administration correcting a closed year's journal (audited)."""


class LessonChange(Request):
    """The school administration changes one lesson of the timetable (``PATCH
    /lessons/{id}``): cancel or restore it, give it a substitute, move it to another room.
    Fields left out stay as they are."""

    version: Version
    """The lesson's version (``LessonDetail.version`` or ``JournalLesson.version``)."""
    status: LessonStatus | None = None
    """``cancelled`` cancels the lesson, ``planned`` restores it; a substitution is set with
    ``substitute_id`` and a lesson is not moved here."""
    substitute_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    """A teacher of the school other than the lesson's own; null takes the substitute away."""
    room: RoomText | None = None
    """The room for this lesson; an empty text puts it back in the timetable's room."""
    reason: Reason = ""
    """Why: kept in the audit log and shown to families as the lesson's note."""


class LessonTeacher(Response):
    """A teacher who could stand in for a lesson's own teacher."""

    id: int
    name: str
    """Surname and initials."""
    teaches_subject: bool = False
    """Teaches the lesson's subject somewhere in the school."""
    busy: str = ""
    """The lesson they already teach at that time (``6Б История``); empty when free."""


class LessonDetail(Response):
    """One dated lesson as the timetable holds it, for the administration."""

    id: int
    date: dt.date
    number: int
    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    teacher_id: int
    teacher: str
    """The planned teacher (surname and initials)."""
    status: LessonStatus = LessonStatus.PLANNED
    substitute_id: int | None = None
    substitute: str = ""
    room: str = ""
    planned_room: str = ""
    """The timetable's room."""
    note: str = ""
    topic: str = ""
    version: int = 1
    marks: int = 0
    """Marks given at this lesson (they stay when it is cancelled)."""
    absences: int = 0
    teachers: list[LessonTeacher] = []
    """``GET``: the school's other teachers, who could substitute (free ones first)."""
    notice: str = ""
    """``PATCH``: what the change kept or means, in plain words."""


class HomeworkSet(Request):
    text: LongText
    """An empty text removes the homework (the removal is recorded)."""
    due: dt.date
    version: Version | None = None
    """The version of the lesson's homework being changed; None when there is none yet."""
    reason: Reason = ""
    """Why: required of the administration correcting a closed year's journal (audited)."""


class PeriodMarkSet(Request):
    pupil_id: Id
    subject_id: Id
    period_id: Id
    value: Int32 | None
    """On the school's scale; None removes the period mark."""
    version: Version | None = None
    """The version of the period mark being changed; None when there is none yet."""
    reason: Reason = ""


# ---- Grades


class GradeMark(Response):
    """One mark of a pupil, with the date of its lesson."""

    id: int
    date: dt.date
    value: int
    weight: int = 1
    kind: MarkKind = MarkKind.ORAL
    comment: str = ""
    author: str = ""
    edited: bool = False


class SubjectGrades(Response):
    subject: SubjectRef
    marks: list[GradeMark] = []
    """In date order."""
    average: str | None = None
    """The weighted average, two decimals (``"4.33"``); None without marks."""
    period_mark: int | None = None
    """The period's mark (the year mark for the whole year), when it is set."""
    class_average: str | None = None
    """The weighted average of the class's marks in this subject, where the school shows it."""


class Rating(Response):
    """The pupil's place in the class by overall average; other pupils are never named."""

    place: int
    """1 is the highest average; pupils with equal averages share a place."""
    of: int
    """How many pupils of the class have an average."""
    average: str
    """The pupil's overall weighted average over all subjects."""


class Grades(Response):
    """The grades screen in one GET: a period's (or the year's) marks per subject."""

    pupil: PupilRef
    start: dt.date
    end: dt.date
    rule: str
    """The averaging rule in words."""
    periods: list[PeriodRef] = []
    """The school year's periods, in order."""
    period: PeriodRef | None = None
    """The period shown; None for the whole year."""
    subjects: list[SubjectGrades] = []
    rating: Rating | None = None
    mark_scale: MarkScale = msgspec.field(default_factory=MarkScale)


class ReportCardRow(Response):
    subject: SubjectRef
    periods: list[int | None] = []
    """The period marks, aligned with ``ReportCard.periods``."""
    year: int | None = None


class ReportCard(Response):
    """Period and year marks per subject for the whole year."""

    pupil: PupilRef
    year: str
    """The school year's name, e.g. ``2026/27``."""
    periods: list[PeriodRef] = []
    subjects: list[ReportCardRow] = []


# ---- Homework


class HomeworkItem(Response):
    id: int
    subject: SubjectRef
    text: str
    due: dt.date
    given: dt.date
    """The date of the lesson it was given at."""
    teacher: str = ""
    attachments: list[Attachment] = []
    done: bool = False


class HomeworkList(Response):
    """A pupil's homework due between ``start`` and ``end``: upcoming first (soonest first),
    then past (latest first)."""

    pupil: PupilRef
    today: dt.date
    start: dt.date
    end: dt.date
    items: list[HomeworkItem] = []
    subjects: list[SubjectRef] = []
    """The subjects of the pupil's homework in this range (before any subject filter)."""


class HomeworkDoneRequest(Request):
    done: bool


class HomeworkDoneState(Response):
    homework_id: int
    done: bool = False


# ---- Attendance


class AbsenceReason(enum.StrEnum):
    """Why a parent says a child is or was away."""

    ILLNESS = "illness"
    FAMILY = "family"
    APPOINTMENT = "appointment"
    OTHER = "other"


class AttendanceEntry(Response):
    id: int
    date: dt.date
    number: int
    """The lesson's bell number."""
    subject: SubjectRef
    kind: AbsenceKind
    minutes: int = 0
    note: str = ""


class AttendanceTotals(Response):
    missed: int = 0
    """Lessons missed (lateness not counted), of which:"""
    illness: int = 0
    excused: int = 0
    unexcused: int = 0
    late: int = 0
    """Times late."""
    late_minutes: int = 0


class SubjectAttendance(Response):
    subject: SubjectRef
    totals: AttendanceTotals


class Attendance(Response):
    """Absences and lateness of a period (or the year), with totals per subject and overall."""

    pupil: PupilRef
    start: dt.date
    end: dt.date
    periods: list[PeriodRef] = []
    period: PeriodRef | None = None
    entries: list[AttendanceEntry] = []
    """In date and lesson order."""
    subjects: list[SubjectAttendance] = []
    total: AttendanceTotals = msgspec.field(default_factory=AttendanceTotals)


class AbsenceNoticeRequest(Request):
    start: dt.date
    end: dt.date
    reason: AbsenceReason
    note: NoticeNote = ""


class AbsenceNotice(Response):
    id: int
    pupil: PupilRef
    parent: str
    start: dt.date
    end: dt.date
    reason: AbsenceReason
    created_at: dt.datetime
    note: str = ""
    seen: bool = False
    seen_at: dt.datetime | None = None
    """When the class teacher (or the administration) first read it; None: not yet."""
    seen_by: str = ""
    """Who read it first, as a diary names a teacher (``Moore R.``)."""
    withdrawn_at: dt.datetime | None = None
    """When a parent withdrew it (possible only while unread); None: it stands."""
    withdrawn_by: str = ""
    """Which parent withdrew it, as a diary names a person."""

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AbsenceNotices(Response):
    notices: list[AbsenceNotice] = []
    """Newest first."""


class ExcusedAbsence(Response):
    """One absence a notice excused: the lesson, and the absence as it is now."""

    absence: JournalAbsence
    date: dt.date
    number: int
    subject: str
    old_kind: AbsenceKind


class AbsenceNoticeApplied(Response):
    """What applying a notice changed in the journal (``POST /absence-notices/{id}/apply``)."""

    notice: AbsenceNotice
    kind: AbsenceKind
    """What the absences became: ``illness`` for a notice about illness, else ``excused``."""
    changed: list[ExcusedAbsence] = []
    """In the order of the lessons."""
    lessons_ahead: int = 0
    """Lessons of the notice's days still to come: no absence is recorded there yet, so they
    got nothing now (apply the notice again once they have been held)."""


# ---- Messages


class Participant(Response):
    """Someone in a message thread."""

    id: int
    name: str
    """Full name: surname, first name and patronymic."""
    role: Role
    title: str = ""
    """What they are to the thread's child: ``class teacher 5А``, ``Математика``, ``parent``."""


class ThreadSummary(Response):
    """One line of the thread list."""

    id: int
    subject: str
    participants: list[Participant]
    """The other participants (not the viewer)."""
    updated_at: dt.datetime
    """The time of the last message."""
    pupil: PupilRef | None = None
    """The child the thread is about, when there is one."""
    unread: int = 0
    """Messages from others after the viewer's read mark."""
    last_message_id: int = 0


class Threads(Response):
    threads: list[ThreadSummary] = []
    """Most recently active first."""
    unread: int = 0
    """Unread messages over all threads."""


class ThreadMessage(Response):
    id: int
    author_id: int
    author: str
    sent_at: dt.datetime
    body: str


class Thread(Response):
    """A thread with all its messages, oldest first."""

    id: int
    subject: str
    participants: list[Participant]
    """Everyone in the thread, the viewer included."""
    messages: list[ThreadMessage] = []
    pupil: PupilRef | None = None
    last_read_id: int = 0
    """The viewer's read mark: the id of the last message they have read."""


class ReadRequest(Request):
    last_read_id: Version


class ReadState(Response):
    thread_id: int
    last_read_id: int
    unread: int = 0


class ReplyRequest(Request):
    body: LongText


class NewThreadRequest(Request):
    recipient_id: Id
    subject: Title
    body: LongText
    pupil_id: Id | None = None
    """The child the thread is about (required for parents and teachers)."""


class Recipients(Response):
    """Whom a user may write to about one pupil."""

    pupil: PupilRef
    recipients: list[Participant] = []


# ---- The class chat

CHAT_MESSAGE_MAX_LENGTH = 1_000
"""A chat message is a line or a few: longer text belongs in a message or an announcement."""
ChatText = Annotated[str, _text(CHAT_MESSAGE_MAX_LENGTH)]
CHAT_PAGE = 50
"""Messages in one page of a chat (the newest, or those before ``before``)."""


class ChatMessage(Response):
    """One message of a class chat. A hidden message keeps its place: ``hidden`` is true,
    ``hidden_by`` names who hid it, and ``body`` is empty for everyone but the moderators
    (the class teacher and the administration), who still read what was hidden."""

    id: int
    author_id: int
    author: str
    """Full name."""
    author_role: Role
    sent_at: dt.datetime
    body: str = ""
    hidden: bool = False
    hidden_by: str = ""
    hidden_at: dt.datetime | None = None


class ChatSummary(Response):
    """A class chat the viewer may open."""

    class_: ClassRef = msgspec.field(name="class")
    closed: bool = False
    last_message_id: int = 0
    last_at: dt.datetime | None = None
    may_moderate: bool = False
    """The viewer may hide messages and close or open the chat (its class teacher, the
    administration)."""


class Chats(Response):
    """The class chats of the viewer: a pupil's class, a teacher's classes (those they lead or
    teach), every class of the school for the administration."""

    chats: list[ChatSummary] = []


class Chat(Response):
    """A page of a class chat, oldest first: the newest messages, or those before ``before``."""

    class_: ClassRef = msgspec.field(name="class")
    messages: list[ChatMessage] = []
    older: bool = False
    """More messages wait before the first of this page: ask with ``before`` = its id."""
    closed: bool = False
    """Closed by the class teacher: only they may write until it is opened again."""
    closed_by: str = ""
    closed_at: dt.datetime | None = None
    may_write: bool = False
    may_moderate: bool = False


class ChatPost(Request):
    """A new message in a class chat (``POST /chats/{class_id}/messages``)."""

    body: ChatText


class ChatHide(Request):
    """Hide a chat message, or show it again (``hidden`` false)."""

    hidden: bool = True
    reason: Reason = ""


class ChatState(Request):
    """Close a class chat (``closed`` true) or open it again."""

    closed: bool


# ---- Announcements


class AnnouncementAudience(enum.StrEnum):
    """Whom an announcement is addressed to.

    ``school``: everyone of the school; ``class``: a class's pupils, parents and teachers;
    ``grade``: the same for every class of a parallel (all the 5th grades); ``parents``: the
    parents of a class (with ``class_id``) or of the whole school (without); ``teachers``: the
    school's teachers and administration. A teacher addresses a class they teach or lead, a
    class teacher also their class's parents; the administration anything."""

    SCHOOL = "school"
    CLASS = "class"
    GRADE = "grade"
    PARENTS = "parents"
    TEACHERS = "teachers"


class AnnouncementItem(Response):
    id: int
    title: str
    body: str
    published_at: dt.datetime
    author: str = ""
    class_: ClassRef | None = msgspec.field(default=None, name="class")
    """The class addressed (``class`` and a class's ``parents``); None otherwise."""
    read: bool = False
    audience: AnnouncementAudience = AnnouncementAudience.SCHOOL
    grade: int | None = None
    """The parallel addressed (``grade``): 5 for all the 5th grades."""


class Announcements(Response):
    """The News screen in one GET: announcements newest first, then upcoming events."""

    announcements: list[AnnouncementItem] = []
    unread: int = 0
    events: list[Event] = []
    """Events from today on (a few weeks ahead), soonest first."""
    past_meetings: list[Event] = []
    """Parent meetings before today (the last year's), newest first, with their minutes."""


class Events(Response):
    start: dt.date
    end: dt.date
    events: list[Event] = []


# --------------------------------------------------------------------------------------
# Parent meetings

AGENDA_MAX_POINTS = 20
AgendaPoint = Annotated[str, _line(TITLE_MAX_LENGTH, min_length=1)]
Agenda = Annotated[list[AgendaPoint], msgspec.Meta(max_length=AGENDA_MAX_POINTS)]
"""A meeting's agenda: up to 20 points, each one line."""
MeetingDay = Annotated[str, _line(20, min_length=1)]
"""The day of a meeting as people write it: ``01.12.2026``, or ISO ``2026-12-01``."""
MeetingPlace = Annotated[str, _line(TITLE_MAX_LENGTH)]
MeetingEnd = Annotated[str, _line(5)]
"""The time a meeting ends, ``19:30``; empty: not said."""
MeetingComment = Annotated[str, _line(300)]
"""A parent's short comment with their answer."""


class MeetingRequest(Request):
    """A new parent meeting: by a class teacher for their class, by the administration for
    any class or (``class_id`` None) the school."""

    title: Title
    date: MeetingDay
    time: Annotated[str, _line(5, min_length=1)]
    """The school's local time it starts, ``18:30``."""
    place: MeetingPlace = ""
    agenda: Agenda = []
    class_id: Id | None = None
    end_time: MeetingEnd = ""
    """The school's local time it ends the same day, ``19:30``, after it starts; empty: not
    said."""


class MeetingUpdate(Request):
    """A change to a meeting before it starts, based on ``version``; the fields left out stay.
    ``cancelled`` true cancels it (for good)."""

    version: Version
    title: Title | None = None
    date: MeetingDay | None = None
    time: Annotated[str, _line(5, min_length=1)] | None = None
    place: MeetingPlace | None = None
    agenda: Agenda | None = None
    cancelled: bool | None = None
    end_time: MeetingEnd | None = None
    """The time it ends (empty: not said any more); left out, the end's time of day stays
    (on the new day, when the day changes)."""


class MeetingAnswerRequest(Request):
    """A parent's answer until the meeting starts: coming or not, with a short comment."""

    coming: bool
    comment: MeetingComment = ""


class MeetingMinutesRequest(Request):
    """The minutes (decisions) of a meeting that took place, based on ``version``."""

    version: Version
    minutes: LongText


class MeetingReply(Response):
    """One parent's answer (``coming`` None: not answered yet)."""

    parent_id: int
    parent: str
    coming: bool | None = None
    comment: str = ""
    answered_at: dt.datetime | None = None


class MeetingFamily(Response):
    """A pupil of the class and their parents' answers."""

    pupil: PupilRef
    parents: list[MeetingReply] = []


class MeetingAnswers(Response):
    """Who answered what, by pupil: a family counts as coming when a parent comes, as not
    coming when its parents answered and none comes, else as not answered."""

    families: list[MeetingFamily] = []
    coming: int = 0
    not_coming: int = 0
    unanswered: int = 0


class EventDetail(Response):
    """One event with what the viewer may do with it."""

    id: int
    event: Event
    version: int = 1
    """The event's (as in ``event``): what a write's answer says it changed."""
    answer: MeetingReply | None = None
    """The viewer's own answer (a parent of the class)."""
    answers: MeetingAnswers | None = None
    """The class's answers: for its class teacher and the administration."""
    may_answer: bool = False
    may_edit: bool = False
    may_record_minutes: bool = False


class AnnouncementRequest(Request):
    title: Title
    body: LongText
    class_id: Id | None = None
    """The class addressed (``class``, ``parents`` of a class); None for the others."""
    audience: AnnouncementAudience | None = None
    """Whom to; None: ``class`` with a ``class_id``, else ``school`` (administration only)."""
    grade: Annotated[int, msgspec.Meta(ge=1, le=12)] | None = None
    """The parallel, with ``audience`` ``grade``."""


# ---- Teacher blogs

BLOG_COMMENT_MAX_LENGTH = NOTE_MAX_LENGTH
"""The longest comment on a blog post, in characters."""


class BlogComment(Response):
    """A comment on a blog post. A hidden one is sent only to the post's author and the
    administration (``hidden`` true); everyone else never receives it."""

    id: int
    post_id: int
    body: str
    created_at: dt.datetime
    author: str = ""
    author_id: int = 0
    author_role: Role = Role.PARENT
    hidden: bool = False
    version: int = 1


class BlogPostItem(Response):
    """A teacher's blog post: to one class (``class``) or the whole school (no class)."""

    id: int
    title: str
    body: str
    published_at: dt.datetime
    author: str = ""
    author_id: int = 0
    class_: ClassRef | None = msgspec.field(default=None, name="class")
    edited_at: dt.datetime | None = None
    comments_closed: bool = False
    hidden: bool = False
    """Hidden by the administration: sent only to its author and the administration."""
    comments: int = 0
    """How many comments the viewer sees under it."""
    version: int = 1
    may_edit: bool = False
    """The viewer wrote it: may edit it, close its comments and hide its comments."""
    may_moderate: bool = False
    """The viewer may hide its comments (its author, the administration) and, for the
    administration, the post itself."""
    may_comment: bool = False
    """The viewer may comment now (comments open, the post not hidden, a role that comments)."""


class BlogPosts(Response):
    """The Blogs screen in one GET: the posts the viewer reads, newest first."""

    posts: list[BlogPostItem] = []
    classes: list[ClassRef] = []
    """The classes the viewer may write a post for (a teacher's classes); empty for others."""
    may_post: bool = False
    """The viewer may write posts (teachers): to ``classes`` or the whole school."""


class BlogPostPage(Response):
    """One post with its comments, oldest first."""

    post: BlogPostItem
    comments: list[BlogComment] = []


class BlogPostRequest(Request):
    title: Title
    body: LongText
    class_id: Id | None = None
    """The class the post is for (one the teacher teaches); None: the whole school."""


class BlogPostEdit(Request):
    """The author's change to a post: any of the title, the text, comments open or closed."""

    version: Version
    title: Title | None = None
    body: LongText | None = None
    comments_closed: bool | None = None


class BlogVisibility(Request):
    """Hide a post or comment (or show it again), with the reason kept in the audit log."""

    version: Version
    hidden: bool
    reason: Reason = ""


class BlogCommentRequest(Request):
    body: Annotated[str, _text(BLOG_COMMENT_MAX_LENGTH)]


# ---- Signing


class WeekSignature(Response):
    """A parent's acknowledgement of a child's week."""

    by_id: int
    by: str
    """The parent's name."""
    signed_at: dt.datetime
    content_hash: str
    """sha256 of the week's marks, absences and lesson notes as signed."""
    changed: list[str] = []
    """What changed since it was signed, in plain words; empty when nothing did."""


# ---- Audit


class AuditEntry(Response):
    """One change of a mark, an absence, homework, a topic or a period mark, with names."""

    id: int
    at: dt.datetime
    action: str
    """``create``, ``update`` or ``remove``."""
    entity: str
    """``mark``, ``absence``, ``homework``, ``topic``, ``period_mark``."""
    entity_id: int
    actor_id: int | None = None
    actor: str = ""
    """Who made the change (first and last name); empty for the system."""
    pupil_id: int | None = None
    pupil: str = ""
    class_name: str = ""
    """The class of the lesson (or of the pupil) the change is about."""
    subject: str = ""
    lesson_date: dt.date | None = None
    before: dict[str, object] | None = None
    after: dict[str, object] | None = None
    reason: str = ""


class AuditPage(Response):
    """A page of the audit log, newest first."""

    entries: list[AuditEntry] = []
    next_before: int | None = None
    """Send as ``before`` for the next (older) page; None on the last page."""


# ---- Statistics


class SubjectAverage(Response):
    subject: SubjectRef
    average: float | None = None
    """The weighted average, two decimals; None without marks."""
    marks: int = 0


class ClassSummary(Response):
    """One class in the school's statistics."""

    class_: ClassRef = msgspec.field(name="class")
    pupils: int = 0
    average: float | None = None
    marks: int = 0
    attendance: float | None = None
    """Share of pupil-lessons attended (0..1), None before any lesson."""
    rank: int | None = None
    """1 for the best class average; None without marks."""
    distribution: list[int] = []
    """How many marks of each value from the scale's min to its max."""
    subjects: list[SubjectAverage] = []


class PupilAtRisk(Response):
    pupil: PupilRef
    absence_rate: float = 0.0
    """Share of the period's lessons missed (0..1)."""
    absences: int = 0
    lessons: int = 0
    low_subjects: list[SubjectAverage] = []
    """Subjects whose average is below the risk line."""


class WeekAverage(Response):
    week: dt.date
    """The Monday of the week."""
    average: float | None = None
    marks: int = 0


class RiskRule(Response):
    average_below: float = 3.0
    absences_above: float = 0.2


class SchoolStats(Response):
    """``GET /stats/school``: the administration's view of the school in one period."""

    period: PeriodRef
    periods: list[PeriodRef] = []
    scale: MarkScale = msgspec.field(default_factory=MarkScale)
    pupils: int = 0
    average: float | None = None
    marks: int = 0
    distribution: list[int] = []
    attendance: float | None = None
    classes: list[ClassSummary] = []
    """Ranked: best average first; classes without marks last."""
    subjects: list[SubjectAverage] = []
    at_risk: list[PupilAtRisk] = []
    weeks: list[WeekAverage] = []
    risk: RiskRule = msgspec.field(default_factory=RiskRule)


class ClassStats(Response):
    """``GET /stats/classes/{id}``: one class in one period."""

    summary: ClassSummary
    period: PeriodRef
    periods: list[PeriodRef] = []
    scale: MarkScale = msgspec.field(default_factory=MarkScale)
    classes: int = 0
    """How many classes the rank is out of."""
    at_risk: list[PupilAtRisk] = []
    weeks: list[WeekAverage] = []
    risk: RiskRule = msgspec.field(default_factory=RiskRule)


class AnonymousGroup(Response):
    """Aggregated figures of a school or a class: never a pupil. A group of fewer pupils than
    ``AuthorityStats.min_group`` has every figure null and a ``note`` saying why."""

    name: str
    pupils: int | None = None
    average: float | None = None
    marks: int | None = None
    distribution: list[int] | None = None
    attendance: float | None = None
    suppressed: bool = False
    note: str = ""


class AuthorityStats(Response):
    """``GET /stats/authority``: per school and per class, anonymised."""

    period: PeriodRef
    school: AnonymousGroup
    periods: list[PeriodRef] = []
    scale: MarkScale = msgspec.field(default_factory=MarkScale)
    min_group: int = 5
    classes: list[AnonymousGroup] = []


# ---- Medical


class PupilFound(Response):
    """A pupil found by name: the name and class, nothing more."""

    id: int
    first_name: str
    last_name: str
    middle_name: str = ""
    class_: ClassRef | None = msgspec.field(default=None, name="class")


class PupilSearch(Response):
    pupils: list[PupilFound] = []
    more: bool = False
    """True when more pupils match than were sent: type more of the name."""


class MedicalAbsence(Response):
    id: int
    date: dt.date
    number: int
    """The bell number of the lesson missed."""
    subject: str
    note: str = ""
    author: str = ""
    version: int = 1


class MedicalAbsences(Response):
    pupil: PupilFound
    start: dt.date
    end: dt.date
    absences: list[MedicalAbsence] = []
    """Illness absences, newest first."""


class MedicalAbsenceCreate(Request):
    """Record a pupil ill from ``start`` to ``end``: an illness absence for every lesson of
    those days (lessons already marked absent are left as they are)."""

    pupil_id: Id
    start: dt.date
    end: dt.date
    note: Comment = ""


class MedicalAbsenceResult(Response):
    recorded: int
    """How many lessons got an illness absence."""
    skipped: int = 0
    """Lessons that already had an absence."""
    absences: list[MedicalAbsence] = []


# ---- Changes


class ChangeItem(Response):
    """One change this user may see, in the feed and in the event stream.

    ``kind`` is ``<thing>.<what>``: ``mark.added``, ``mark.edited``, ``mark.removed``,
    ``absence.set``, ``absence.removed``, ``lesson.topic``, ``lesson.changed``,
    ``homework.set``, ``period_mark.set``, ``message.new``, ``announcement.new``,
    ``event.new``. ``payload`` says what happened without another request (an edit carries
    ``old`` and ``new``)."""

    cursor: str
    """Opaque; give it back as ``since`` (or ``Last-Event-ID``) to read what came after."""
    at: dt.datetime
    kind: str
    entity_id: int
    pupil_id: int | None = None
    class_id: int | None = None
    actor: str = ""
    """The full name of who made the change (empty for the system)."""
    actor_id: int | None = None
    payload: dict[str, object] = {}


class AuditHead(Response):
    """A point of the server's audit chain (every change to a mark, an absence, ... appends a
    record to it): the record at ``position`` and its hash. Nothing of what the record says.

    A client keeps the newest head it has seen; at its next sync the chain must still hold
    that hash at that position (``GET /audit/head?at=``). If it does not, records were deleted
    from the server's audit log or rewritten, and the user is told."""

    position: int
    hash: str


class ChangeFeed(Response):
    next: str
    """The cursor to ask from next time (also when ``changes`` is empty)."""
    changes: list[ChangeItem] = []
    """Oldest first."""
    more: bool = False
    """True when more changes wait beyond this page: ask again at once with ``next``."""
    head: AuditHead | None = None
    """The audit chain's newest record when this page was read (none while the log is empty;
    absent from servers older than this field)."""


# ---- Accounts


class PersonRef(Response):
    """A user named in another user's record: a pupil's parent, say."""

    id: int
    login: str
    first_name: str
    last_name: str


class UserSummary(Response):
    """One account as the IT staff see it (never anything private: no messages, no marks)."""

    id: int
    login: str
    role: Role
    first_name: str
    last_name: str
    middle_name: str = ""
    locked: bool = False
    must_change_password: bool = False
    class_: ClassRef | None = msgspec.field(default=None, name="class")
    """A pupil's current class."""
    children: list[PupilRef] = []
    """A parent's linked children."""
    parents: list[PersonRef] = []
    """A pupil's linked parents."""
    version: int = 1
    """The account's version: an edit (:class:`UserUpdate`) sends it back."""
    phone: str = ""
    """How the school reaches the person (set by the IT staff); empty: not known."""
    email: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class ClassList(Response):
    """The school's classes this year, in grade and letter order."""

    classes: list[ClassRef] = []


class UserPage(Response):
    """A page of ``GET /users``: ``items`` from ``offset``, of ``total`` that match."""

    items: list[UserSummary] = []
    total: int = 0
    offset: int = 0
    limit: int = 50


def users_query(
    q: str = "",
    role: Role | None = None,
    class_: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    """The query of ``GET /users`` (what the request sends, and what its answer is kept under)."""
    params: dict[str, Any] = {"offset": offset, "limit": limit}
    if q:
        params["q"] = q
    if role is not None:
        params["role"] = role.value
    if class_:
        params["class"] = class_
    return params


class UserCreate(Request):
    role: Role
    first_name: PersonName
    last_name: PersonName
    middle_name: PersonName = ""
    login: Login | None = None
    """Generated from the name when absent."""
    class_id: Id | None = None
    """A pupil's class (required for a pupil)."""
    phone: ContactText = ""
    """A telephone number, as :class:`UserUpdate` takes it; empty: not known."""
    email: ContactText = ""
    """An e-mail address; empty: not known."""


class UserUpdate(Request):
    """Only the fields given change. ``version`` is the account's version the change was based
    on (``UserSummary.version``); a stale one is answered 409 with the account as it is now."""

    version: Version
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    middle_name: PersonName | None = None
    locked: bool | None = None
    """Locking also ends the account's sessions."""
    phone: ContactText | None = None
    """A telephone number: digits, with ``+``, spaces, hyphens, brackets; empty clears it."""
    email: ContactText | None = None
    """An e-mail address; empty clears it."""


class OneTimePassword(Response):
    """A new account or a reset password: the one-time password is shown once, never again."""

    user: UserSummary
    one_time_password: str


class ParentLinkChange(Request):
    parent_id: Id
    pupil_id: Id


class ParentLinkResult(Response):
    parent: UserSummary
    pupil: UserSummary
    linked: bool
    """Whether the two are linked now."""
    changed: bool = True
    """False when they already were (or were not) linked."""


class PupilMove(Request):
    class_id: Id
    date: dt.date | None = None
    """The first day in the new class (default: today)."""


class SlipFormat(enum.StrEnum):
    TEXT = "text"
    PDF = "pdf"


class CredentialSlips(Response):
    """Printable credential slips for a class: the file, and what went into it."""

    class_name: str
    format: SlipFormat
    filename: str
    media_type: str
    content: bytes
    """The text (UTF-8) or PDF file."""
    pupils: int = 0
    """Pupils given a one-time password."""
    parents: int = 0
    """Parent accounts given a one-time password."""
    invite_codes: int = 0
    """Invite codes for parents who have no account yet."""
    expires: dt.date | None = None
    """The last day the invite codes work."""


class PasswordChange(Request):
    old: Password
    new: Password


# ---- Registration


class InviteCodeIssued(Response):
    """One invite code for one parent of one pupil: the parent registers with it (or adds the
    child to their account). No password is touched."""

    code: str
    pupil: PupilRef
    """The child the code links to, with the class."""
    expires: dt.date
    """The last day it works, on the school's calendar."""


class SlipPlan(Response):
    """What a class's credential slips with new passwords would change, asked before: how
    many accounts get a new one-time password (their old passwords stop working)."""

    class_name: str
    pupils: int
    """Pupils whose password would be reset."""
    parents: int
    """Parent accounts (linked to a pupil of the class) whose password would be reset."""
    invite_codes: int
    """Pupils with no parent account, who would get an invite code instead."""

    @property
    def accounts(self) -> int:
        return self.pupils + self.parents


class RegisterRequest(Request):
    code: InviteCode
    first_name: PersonName
    last_name: PersonName
    login: Login
    password: Password
    consent_version: Id | None = None
    """The version of the school's consent to the processing of personal data that the parent
    read and accepted (``POST /register/consent`` gives it); registration is refused without
    the current one."""


class AddChildRequest(Request):
    code: InviteCode


class Registration(Response):
    """A parent account after registering (or adding a child): log in with the login."""

    login: str
    children: list[PupilRef] = []


# --------------------------------------------------------------------------------------
# Consent to the processing of personal data. The text and its version are the school's; a
# new version asks every parent again. Each parent's consents and withdrawals are kept as an
# append-only history (never overwritten): who, when, which version, how (registration, the
# app, a paper form) and who recorded it.

CONSENT_TEXT_MAX_LENGTH = 20_000
ConsentBody = Annotated[
    str, msgspec.Meta(min_length=1, max_length=CONSENT_TEXT_MAX_LENGTH, pattern=TEXT_PATTERN)
]


class ConsentState(enum.StrEnum):
    """Where a parent stands with the school's current consent text."""

    GIVEN = "given"
    """Consented to the current version."""
    OUTDATED = "outdated"
    """Consented to an earlier version: asked again at the next login."""
    WITHDRAWN = "withdrawn"
    NONE = "none"
    """Never consented."""


class ConsentAction(enum.StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class ConsentWay(enum.StrEnum):
    """How a consent or withdrawal reached the school."""

    REGISTRATION = "registration"
    APP = "app"
    PAPER = "paper"


class ConsentText(Response):
    """One version of a school's consent text."""

    version: int
    text: str
    school: str = ""
    created_at: dt.datetime | None = None


class ConsentTexts(Response):
    """Every version of the school's consent text, newest first."""

    versions: list[ConsentText] = []


class ConsentTextCreate(Request):
    """A new version of the consent text: every parent is asked again."""

    text: ConsentBody


class ConsentForCode(Request):
    """Before registering: the consent text of the invite code's school."""

    code: InviteCode


class ConsentEvent(Response):
    """One entry of a parent's consent history (never changed once written)."""

    id: int
    action: ConsentAction
    version: int
    way: ConsentWay
    at: dt.datetime
    """When it was recorded."""
    signed_on: dt.date | None = None
    """For a paper form: the day it was signed."""
    recorded_by: str = ""
    """Who recorded it (the parent themself, or the staff member who entered a paper)."""
    note: str = ""


class ParentConsent(Response):
    """A parent account and where it stands with the current consent text."""

    id: int
    login: str
    first_name: str
    last_name: str
    middle_name: str = ""
    children: list[PupilRef] = []
    state: ConsentState = ConsentState.NONE
    version: int | None = None
    """The version of the latest consent or withdrawal."""
    since: dt.datetime | None = None
    way: ConsentWay | None = None
    signed_on: dt.date | None = None


class ParentConsents(Response):
    """``GET /consent/parents``: the parents that match, with the counts by state."""

    version: int
    """The current version of the text."""
    items: list[ParentConsent] = []
    given: int = 0
    outdated: int = 0
    withdrawn: int = 0
    none: int = 0


class ConsentHistory(Response):
    parent: ParentConsent
    events: list[ConsentEvent] = []
    """Oldest first."""


class PaperConsent(Request):
    """A consent or a withdrawal the parent signed on paper, recorded by the staff."""

    action: ConsentAction
    signed_on: dt.date
    version: Id | None = None
    """For a consent: the version of the text signed (default: the current one)."""
    note: Note = ""


class MyConsent(Response):
    """A parent's own standing: the current text and whether it is accepted."""

    text: ConsentText
    state: ConsentState
    version: int | None = None
    since: dt.datetime | None = None
    way: ConsentWay | None = None
    """How the latest consent or withdrawal reached the school."""
    signed_on: dt.date | None = None
    """For a paper form: the day it was signed."""

    @property
    def needed(self) -> bool:
        return self.state is not ConsentState.GIVEN


class ConsentAccept(Request):
    version: Id
    """The version read and accepted (a stale one is refused: read the new text)."""


class ConsentWithdraw(Request):
    note: Note = ""


# --------------------------------------------------------------------------------------
# School set-up (IT staff and administration): the school, its year, periods and holidays,
# bell schedules, subjects, rooms and classes. Every thing set-up changes carries a
# ``version``: an update names the version it was based on (409 with the current value
# when stale). Retiring keeps a thing for history and hides it from new choices; nothing
# referenced is ever deleted.

SetupName = Annotated[str, _line(60, min_length=1)]
"""A bell schedule's name."""
YearName = Annotated[str, _line(20, min_length=1)]
"""An academic year's name, e.g. ``2026/2027``."""
PeriodName = Annotated[str, _line(40)]
HolidayName = Annotated[str, _line(100)]
SubjectName = Annotated[str, _line(NAME_MAX_LENGTH, min_length=1)]
SchoolName = Annotated[str, _line(TITLE_MAX_LENGTH, min_length=1)]
RoomName = Annotated[str, _line(ROOM_MAX_LENGTH, min_length=1)]
RoomNote = Annotated[str, _line(NAME_MAX_LENGTH)]
ClassLetter = Annotated[str, _line(4, min_length=1)]
Grade = Annotated[int, msgspec.Meta(ge=1, le=12)]
PeriodNumber = Annotated[int, msgspec.Meta(ge=1, le=6)]
BellNumber = Annotated[int, msgspec.Meta(ge=0, le=16)]
"""A lesson's place in the day; 0 is a lesson before the first (нулевой урок)."""
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6)]
"""0 = Monday ... 6 = Sunday."""
ClockTime = Annotated[str, _line(5, min_length=1)]
"""``HH:MM``, 24-hour (checked by the server: 08:30, not 8.30)."""
TimeZoneName = Annotated[str, _line(64, min_length=1)]
"""An IANA time zone, e.g. ``Europe/Moscow``."""
LanguageCode = Annotated[str, _line(8, min_length=1)]
"""``ru`` or ``en``."""
Capacity = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
"""Seats in a room; 0 when not said."""


class SetupSchool(Response):
    """The caller's school, as set-up sees it."""

    id: int
    name: str
    timezone: str
    language: str


class SchoolUpdate(Request):
    """Fields left out stay as they are."""

    name: SchoolName | None = None
    timezone: TimeZoneName | None = None
    language: LanguageCode | None = None


class SetupPeriod(Response):
    id: int
    year_id: int
    kind: PeriodKind
    number: int
    name: str
    start: dt.date
    end: dt.date
    version: int = 1


class SetupHoliday(Response):
    id: int
    date: dt.date
    name: str = ""
    version: int = 1


class SetupYear(Response):
    """An academic year with its periods (in order) and holidays (by date)."""

    id: int
    name: str
    start: dt.date
    end: dt.date
    retired: bool = False
    version: int = 1
    periods: list[SetupPeriod] = []
    holidays: list[SetupHoliday] = []
    closed: bool = False
    """Closed at the end of the year (rollover): read-only from then on."""


class YearList(Response):
    years: list[SetupYear] = []
    """Newest first."""


class YearCreate(Request):
    name: YearName
    start: dt.date
    end: dt.date


class YearUpdate(Request):
    version: Version
    name: YearName | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    retired: bool | None = None
    """True retires the year (kept, read-only for set-up, hidden from new choices)."""


class PeriodCreate(Request):
    kind: PeriodKind
    number: PeriodNumber
    start: dt.date
    end: dt.date
    name: PeriodName = ""
    """Empty: named by kind and number (``2 четверть``)."""


class PeriodUpdate(Request):
    version: Version
    number: PeriodNumber | None = None
    name: PeriodName | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class HolidayCreate(Request):
    """One day off, or every day from ``start`` to ``end`` (a school break)."""

    start: dt.date
    end: dt.date | None = None
    name: HolidayName = ""


class HolidayUpdate(Request):
    version: Version
    date: dt.date | None = None
    name: HolidayName | None = None


class HolidayList(Response):
    holidays: list[SetupHoliday] = []


class Removal(Request):
    """Removes a thing nothing refers to (a period with no period marks, a holiday)."""

    version: Version


class Removed(Response):
    id: int


class BellTime(Request):
    number: BellNumber
    start: ClockTime
    end: ClockTime


class BellScheduleInfo(Response):
    id: int
    name: str
    weekdays: list[int] = []
    """The weekdays it holds (0 = Monday) unless a date is given another schedule."""
    bells: list[Bell] = []
    days: list[dt.date] = []
    """Dates given this schedule (a shortened day)."""
    main: bool = False
    """The school's first schedule: it holds on days no other schedule names."""
    retired: bool = False
    version: int = 1


class BellScheduleList(Response):
    schedules: list[BellScheduleInfo] = []


class BellScheduleCreate(Request):
    name: SetupName
    bells: Annotated[list[BellTime], msgspec.Meta(min_length=1, max_length=17)]
    weekdays: Annotated[list[Weekday], msgspec.Meta(max_length=7)] = []


class BellScheduleUpdate(Request):
    version: Version
    name: SetupName | None = None
    bells: Annotated[list[BellTime], msgspec.Meta(min_length=1, max_length=17)] | None = None
    weekdays: Annotated[list[Weekday], msgspec.Meta(max_length=7)] | None = None
    retired: bool | None = None


class BellScheduleDay(Response):
    """Which bell schedule holds on one date (``GET /bells``)."""

    date: dt.date
    schedule_id: int | None = None
    """None: the school has no bell schedule."""
    shortened: bool = False
    """The date was given a schedule of its own (a shortened day), not its weekday's."""
    holiday: bool = False
    """No lessons that day (a school holiday)."""


class SchoolBells(Response):
    """The school's bell schedules and which one each day of this week and the next keeps;
    what any member of the school may read (``GET /bells``). Times are the school's clock."""

    schedules: list[BellScheduleInfo] = []
    """The live schedules, the main (normal) one first."""
    days: list[BellScheduleDay] = []
    """Monday of this week to Sunday of the next, in order."""
    today: dt.date | None = None
    timezone: str = ""
    """The school's time zone (IANA name): the bells are times on its clock."""


class BellDaySet(Request):
    """Gives ``date`` a bell schedule; null gives it back to its weekday's."""

    date: dt.date
    schedule_id: Id | None


class BellDay(Response):
    date: dt.date
    schedule_id: int | None = None


class SetupSubject(Response):
    id: int
    name: str
    retired: bool = False
    version: int = 1


class SubjectList(Response):
    subjects: list[SetupSubject] = []


class SubjectCreate(Request):
    name: SubjectName


class SubjectUpdate(Request):
    version: Version
    name: SubjectName | None = None
    retired: bool | None = None


class SetupRoom(Response):
    id: int
    name: str
    capacity: int = 0
    note: str = ""
    retired: bool = False
    version: int = 1


class RoomList(Response):
    rooms: list[SetupRoom] = []


class RoomCreate(Request):
    name: RoomName
    capacity: Capacity = 0
    note: RoomNote = ""


class RoomUpdate(Request):
    version: Version
    name: RoomName | None = None
    capacity: Capacity | None = None
    note: RoomNote | None = None
    retired: bool | None = None


class TeacherRef(Response):
    id: int
    name: str
    """Surname and initials."""


class SetupClass(Response):
    id: int
    year_id: int
    name: str
    """Grade and letter, e.g. ``5Б``."""
    grade: int
    letter: str
    class_teacher: TeacherRef | None = None
    pupils: int = 0
    """Pupils in the class today."""
    retired: bool = False
    version: int = 1


class SetupClassList(Response):
    classes: list[SetupClass] = []
    """In grade and letter order."""


class ClassCreate(Request):
    year_id: Id
    grade: Grade
    letter: ClassLetter
    class_teacher_id: Id | None = None


class ClassUpdate(Request):
    version: Version
    grade: Grade | None = None
    letter: ClassLetter | None = None
    class_teacher_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    """A teacher of the school; null leaves the class without a class teacher."""
    retired: bool | None = None


# --------------------------------------------------------------------------------------
# School set-up: groups within a class, teaching assignments, the weekly timetable

GROUP_NAME_MAX_LENGTH = 40
GroupName = Annotated[str, _line(GROUP_NAME_MAX_LENGTH, min_length=1)]
"""A group's short name, as a journal shows it: ``гр. 1``, ``Group 2``."""
MAX_LIST = 1_000
PupilIds = Annotated[list[Id], msgspec.Meta(max_length=MAX_LIST)]


class WeekParity(enum.StrEnum):
    """Which weeks a timetable row runs: week 1 is the week of the academic year's first day."""

    ALL = "all"
    ODD = "odd"
    EVEN = "even"


class ClassGroupCreate(Request):
    """A new group of a class for one subject (``POST /groups``)."""

    class_id: Id
    subject_id: Id
    name: GroupName
    teacher_id: Id | None = None
    """The group's teacher (also given a teaching assignment for the group)."""
    pupil_ids: PupilIds = []
    """Pupils of the class who join the group from ``on``."""
    on: dt.date | None = None
    """The day the pupils join (default: today, or the year's first day when it is later)."""


class ClassGroupChange(Request):
    """Change a group (``PATCH /groups/{id}``); fields left out stay as they are."""

    version: Version
    name: GroupName | None = None
    teacher_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    retired: bool | None = None
    """True retires the group (its lessons and marks stay; no new timetable rows or pupils);
    False brings it back."""


class GroupPupilsChange(Request):
    """Pupils join or leave a group on a day (``POST /groups/{id}/pupils``)."""

    add: PupilIds = []
    remove: PupilIds = []
    on: dt.date | None = None
    """The day of the change (default: today): a pupil who leaves is a member until the day
    before."""


class ClassGroupInfo(Response):
    id: int
    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    name: str
    teacher_id: int | None = None
    teacher: str = ""
    pupils: list[PupilRef] = []
    """The pupils in the group today."""
    retired: bool = False
    version: int = 1


class ClassGroupList(Response):
    groups: list[ClassGroupInfo] = []


class AssignmentCreate(Request):
    """A teacher teaches a subject to a class, or to one group of it (``POST /assignments``)."""

    teacher_id: Id
    class_id: Id
    subject_id: Id
    group_id: Id | None = None


class AssignmentInfo(Response):
    id: int
    teacher_id: int
    teacher: str
    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    group: GroupRef | None = None


class AssignmentList(Response):
    assignments: list[AssignmentInfo] = []


class TimetableRowCreate(Request):
    """A row of the weekly timetable (``POST /timetable``): from ``valid_from`` on, on
    ``weekday`` at bell ``number``, the class (or one group of it) has this subject with this
    teacher in this room, every week or on odd or even weeks only. Lessons are made from it at
    once, from ``valid_from`` to the end of the year."""

    class_id: Id
    weekday: Weekday
    number: BellNumber
    subject_id: Id
    teacher_id: Id
    room: RoomText = ""
    group_id: Id | None = None
    weeks: WeekParity = WeekParity.ALL
    valid_from: dt.date | None = None
    """Default: today, or the year's first day when it is later."""


class TimetableRowChange(Request):
    """Change a timetable row from a day on (``PATCH /timetable/{id}``): the row ends the day
    before ``valid_from`` and a changed copy starts on it; lessons from that day on are made
    again. Fields left out stay as they are."""

    valid_from: dt.date | None = None
    """Default: today, or the year's first day when it is later."""
    weekday: Weekday | None = None
    number: BellNumber | None = None
    subject_id: Id | None = None
    teacher_id: Id | None = None
    room: RoomText | None = None
    weeks: WeekParity | None = None


class TimetableRowEnd(Request):
    """End a timetable row (``POST /timetable/{id}/end``): its lessons from ``valid_from`` on
    are taken away (those with marks, absences, a topic or homework are kept and reported)."""

    valid_from: dt.date | None = None
    """The first day without the row (default: today, or the year's first day when later)."""


class LessonGenerate(Request):
    """Make the lessons of the timetable again from a day on (``POST /timetable/generate``)."""

    valid_from: dt.date | None = None
    """Default: today, or the year's first day when it is later."""
    class_id: Id | None = None
    """One class only; default: every class of the school's current year."""


class TimetableRowInfo(Response):
    id: int
    class_: ClassRef = msgspec.field(name="class")
    weekday: int
    number: int
    subject: SubjectRef
    teacher_id: int
    teacher: str
    valid_from: dt.date
    room: str = ""
    group: GroupRef | None = None
    weeks: WeekParity = WeekParity.ALL
    valid_to: dt.date | None = None


class TimetableList(Response):
    rows: list[TimetableRowInfo] = []
    """The rows in force on the day asked for, by class, weekday and bell."""


class KeptLesson(Response):
    """A lesson the new timetable no longer holds, kept because something was written in it."""

    id: int
    date: dt.date
    number: int
    class_: ClassRef = msgspec.field(name="class")
    subject: SubjectRef
    group: GroupRef | None = None
    reasons: list[str] = []
    """What it holds: ``marks``, ``absences``, ``topic``, ``homework``."""
    detail: str = ""
    """The same in plain words."""


class ScheduleWarning(Response):
    """Something to look at that was not refused: a kept lesson on a holiday, a teacher who is
    also a substitute somewhere at that time."""

    detail: str
    lesson_id: int | None = None


class LessonGeneration(Response):
    """What making the lessons again did, from ``valid_from`` to the end of the year."""

    valid_from: dt.date
    created: int = 0
    removed: int = 0
    updated: int = 0
    """Lessons kept in place whose planned teacher or room changed (one-off changes stay)."""
    unchanged: int = 0
    kept: list[KeptLesson] = []
    warnings: list[ScheduleWarning] = []


class TimetableWrite(Response):
    """The answer to a timetable write: the row (none when it was ended) and its lessons."""

    lessons: LessonGeneration
    row: TimetableRowInfo | None = None


# ---- The class teacher's class: attendance by day, parents and their contacts, one message


class ClassAttendanceDay(Response):
    """One pupil's absences and lateness on one school day."""

    date: dt.date
    totals: AttendanceTotals
    entries: list[AttendanceEntry] = []
    """In lesson order: the lesson, its subject, the kind and the note."""


class ClassAttendancePupil(Response):
    pupil: PupilRef
    days: list[ClassAttendanceDay] = []
    """Only the days with something to show, in date order."""
    total: AttendanceTotals = msgspec.field(default_factory=AttendanceTotals)
    days_missed: int = 0
    """School days with at least one lesson missed (lateness not counted)."""


class ClassAttendanceDayTotal(Response):
    date: dt.date
    totals: AttendanceTotals
    pupils: int = 0
    """Pupils who missed at least one lesson that day."""


class ClassAttendance(Response):
    """A class's absences of a period: a row per pupil in the class during it (surname
    order), a column per school day (a day with lessons of the class), totals both ways."""

    class_: ClassRef = msgspec.field(name="class")
    start: dt.date
    end: dt.date
    periods: list[PeriodRef] = []
    period: PeriodRef | None = None
    school_days: list[dt.date] = []
    pupils: list[ClassAttendancePupil] = []
    days: list[ClassAttendanceDayTotal] = []
    """Only the days with something to show."""
    total: AttendanceTotals = msgspec.field(default_factory=AttendanceTotals)


class ParentContact(Response):
    id: int
    name: str
    """Full name: surname, first name and patronymic."""
    phone: str = ""
    email: str = ""


class ClassParentsPupil(Response):
    pupil: PupilRef
    parents: list[ParentContact] = []


class ClassParents(Response):
    """A class's pupils today (surname order) with their parents and how to reach them."""

    class_: ClassRef = msgspec.field(name="class")
    pupils: list[ClassParentsPupil] = []


ParentIds = Annotated[list[Id], msgspec.Meta(max_length=200)]


class ClassMessageRequest(Request):
    """One message to the parents of a class, sent as one private thread per parent."""

    subject: Title
    body: LongText
    parent_ids: ParentIds = []
    """The parents to write to; empty: every parent of the class's pupils."""


class ClassMessageSent(Response):
    threads: list[ThreadSummary] = []
    """The threads made, one per parent, in the order of the class list."""
