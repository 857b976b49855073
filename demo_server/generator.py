"""The demo school: a whole school year generated deterministically from a seed.

``generate`` fills an empty database (tables created by the caller) with one school: the
calendar (quarters, breaks, public holidays), the bell schedule, classes with their pupils,
parents and class teachers, subject teachers, a weekly timetable with no teacher in two places
at once, dated lessons for the whole year, and, up to "today", topics, homework, marks,
absences, period marks, substitutions, cancellations, room changes and moved lessons (also in
the coming two weeks), message threads, announcements and events, and a few edited marks with
their hash-chained audit records.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so a seed, a language,
a size and a date always give the same school (only the salted password hash differs).
The rows are built in memory first and inserted with Core bulk inserts, with ids assigned
here, which works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from sqlalchemy import JSON, Column, Dialect, Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api_client.models import (
    LESSON_KIND_WEIGHTS,
    AbsenceKind,
    LessonKind,
    LessonStatus,
    MarkKind,
    PeriodKind,
    Role,
)
from demo_server import schema
from demo_server import setup_rules as rules
from demo_server.audit import GENESIS, audit_row, canonical_instant, plain_record_hash
from demo_server.clock import school_zone
from demo_server.demo_data import (
    EN_FEMALE,
    EN_MAIL_DOMAINS,
    EN_MALE,
    EN_SURNAMES,
    MAX_LESSONS_A_DAY,
    MAX_TEACHER_HOURS,
    RU_FEMALE,
    RU_MAIL_DOMAINS,
    RU_MALE,
    RU_SURNAMES,
    SUBJECTS,
    TEXTS,
    SubjectInfo,
    Texts,
    ru_surname,
    transliterate,
)
from demo_server.schedule import SlotPlan, plan_lessons, teaching_days

DEMO_PASSWORD = "demo"
"""The password of every generated account."""

SCHOOL_ID = 1
LANGS = tuple(TEXTS)
SIZES = ("small", "school")

SCHOOL_TIMEZONE = "Europe/Moscow"
"""The demo school's time zone: its bells, messages and events are times on its clock."""

BELLS: tuple[tuple[str, str], ...] = (
    ("08:30", "09:15"),
    ("09:25", "10:10"),
    ("10:30", "11:15"),
    ("11:35", "12:20"),
    ("12:30", "13:15"),
    ("13:25", "14:10"),
    ("14:20", "15:05"),
)
"""Seven 45-minute lessons; two 20-minute breaks for meals after the second and third."""

CHANGES_AHEAD = dt.timedelta(days=14)
"""How far ahead substitutions, cancellations, room changes and moves are known."""

_CHUNK = 2000

_T = TypeVar("_T")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_WEIGHTS: dict[MarkKind, tuple[int, ...]] = {
    MarkKind.ORAL: (1,),
    MarkKind.HOMEWORK: (1,),
    MarkKind.CLASSWORK: (1,),
    MarkKind.QUIZ: (2,),
    MarkKind.LAB: (2,),
    MarkKind.TEST: (2, 3),
    MarkKind.DICTATION: (2, 3),
    MarkKind.ESSAY: (3,),
}


@dataclass(frozen=True)
class DemoAccount:
    login: str
    password: str
    role: str
    """An ``api_client.models.Role`` value."""
    title: str
    """For a chooser, e.g. "Parent of two: Anna Ivanova (5А), Pavel Ivanov (9Б)"."""


@dataclass(frozen=True)
class DemoSchool:
    school_id: int
    today: dt.date
    password: str
    """The one demo password every generated login has."""
    featured: list[DemoAccount]
    """Parent of two (children in different classes), pupil, teacher, class teacher,
    administration, IT staff, health worker, authority: in this order."""
    counts: dict[str, int]


async def generate(
    engine: AsyncEngine,
    *,
    seed: int = 1,
    lang: str = "ru",
    size: str = "small",
    today: dt.date | None = None,
    audit_key: bytes | None = None,
) -> DemoSchool:
    """Fill the empty database behind ``engine`` with a demo school and say who to log in as.

    ``today`` (default: the real date) decides which academic year is generated and where
    the past ends. ``audit_key`` (default: the process's, see ``audit_key.current_key``) keys
    the audit chain. Raises ``ValueError`` for an unknown language or size, or when the database
    already holds a school.
    """
    if lang not in TEXTS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"the seed must be an integer, not {seed!r}")
    if today is None:
        today = dt.datetime.now(school_zone(SCHOOL_TIMEZONE)).date()
    if audit_key is None:
        from demo_server.audit_key import current_key

        audit_key = current_key()
    school = _School(seed, TEXTS[lang], size, today, audit_key)
    school.build()
    # Demo only: every account shares one password, so it is hashed once (argon2id is slow by
    # design) and the same salted hash is stored for every user.
    password_hash = await asyncio.to_thread(_hash_password, DEMO_PASSWORD)
    for user in school.rows[schema.User.__tablename__]:
        user["password_hash"] = password_hash
    await _insert(engine, school.rows)
    return DemoSchool(
        school_id=SCHOOL_ID,
        today=today,
        password=DEMO_PASSWORD,
        featured=school.featured,
        counts=school.counts,
    )


def _json_text(value: object) -> str:
    return msgspec.json.encode(value).decode()


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _keys_of(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


async def _insert_rows(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``rows`` inserted by the database driver's executemany, in order.

    Each statement is compiled once per set of keys, each value goes through its column type's
    bind processor and a missing column gets its default, as SQLAlchemy's executemany does,
    but without its generic per-row work (most of the generator's time for 200,000 rows)."""
    for _keys, run in itertools.groupby(rows, key=_keys_of):
        await _insert_run(conn, table, list(run))


async def _insert_run(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
    processors: dict[str, Callable[[Any], Any] | None] = {}
    defaults: dict[str, Any] = {}
    for name in names:
        column = table.c[name]
        # JSON (the audit records' before and after) written once by msgspec, not per value
        # by json.dumps; None is JSON null, as the column type stores it.
        processors[name] = (
            _json_text if isinstance(column.type, JSON) else _processor(column, dialect)
        )
        if name not in rows[0]:
            default = column.default
            if default is None or not getattr(default, "is_scalar", False):
                raise ValueError(f"{table.name}.{name} has no value and no plain default")
            defaults[name] = default.arg  # type: ignore[attr-defined]
    prepared: list[Any] = []
    for row in rows:
        values = [row[name] if name in row else defaults[name] for name in names]
        values = [
            value if process is None else process(value)
            for value, process in zip(values, (processors[n] for n in names), strict=True)
        ]
        if compiled.positional:
            prepared.append(tuple(values))
        else:
            prepared.append(dict(zip(names, values, strict=True)))
    for start in range(0, len(prepared), _CHUNK):
        await conn.exec_driver_sql(compiled.string, prepared[start : start + _CHUNK])


def _hash_password(password: str) -> str:
    from demo_server.security import hash_password

    return hash_password(password)  # the server's one hasher, as for every other account


_TABLES: tuple[type[schema.Base], ...] = (
    schema.School,
    schema.AcademicYear,
    schema.Period,
    schema.Holiday,
    schema.BellSchedule,
    schema.Bell,
    schema.Subject,
    schema.User,
    schema.SchoolClass,
    schema.Enrolment,
    schema.ParentLink,
    schema.ConsentText,
    schema.ConsentRecord,
    schema.ClassGroup,
    schema.GroupMember,
    schema.TeachingAssignment,
    schema.TimetableSlot,
    schema.Lesson,
    schema.Homework,
    schema.HomeworkDone,
    schema.Mark,
    schema.Absence,
    schema.PeriodMark,
    schema.MessageThread,
    schema.ThreadParticipant,
    schema.Message,
    schema.ChatMessage,
    schema.Announcement,
    schema.AnnouncementRead,
    schema.BlogPost,
    schema.BlogComment,
    schema.Event,
    schema.MeetingAnswer,
    schema.AuditRecord,
)
"""Every table the generator fills, parents before children."""


def _table(model: type[schema.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def _insert(engine: AsyncEngine, rows: dict[str, list[dict[str, Any]]]) -> None:
    async with engine.begin() as conn:
        for filled in (schema.School, schema.User):
            count = await conn.scalar(select(func.count()).select_from(_table(filled)))
            if count:
                raise ValueError(
                    "the database already holds a school; the demo generator needs an empty one"
                )
        for model in _TABLES:
            table = _table(model)
            await _insert_rows(conn, table, rows.get(table.name, []))
        if conn.dialect.name == "postgresql":
            # Ids were assigned here, so the sequences still stand at 1: move them past the
            # rows, or the server's first insert would collide.
            for model in _TABLES:
                table = _table(model)
                if "id" in table.c and rows.get(table.name):
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )


# --- the model the generator builds in memory ------------------------------------------------


@dataclass(eq=False)
class _Person:
    role: Role
    first: str
    last: str
    middle: str
    female: bool
    id: int = 0
    login: str = ""
    room: str = ""
    specialty: str = ""
    load: int = 0
    homeroom: _Class | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(eq=False)
class _Class:
    id: int
    grade: int
    letter: str
    size: int
    room: str = ""
    homeroom: _Person | None = None
    pupils: list[_Person] = field(default_factory=list)
    teachers: dict[str, _Person] = field(default_factory=dict)
    """Subject key to teacher, in curriculum order."""
    week: dict[tuple[int, int], str] = field(default_factory=dict)
    """(weekday, bell number) to subject key: the weekly timetable."""
    split: dict[str, _Person] = field(default_factory=dict)
    """Subject key to the second group's teacher, for a subject the class learns in two
    groups (the first group keeps the class's teacher of the subject)."""
    groups: dict[str, list[_Group]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass(eq=False)
class _Group:
    """Half of a class for one subject, with its own teacher and lessons."""

    id: int
    cls: _Class
    key: str
    name: str
    teacher: _Person
    pupils: list[_Person]
    members: frozenset[int]


@dataclass(eq=False)
class _Family:
    children: list[_Person]
    parents: list[_Person]


@dataclass(eq=False, slots=True)
class _Lesson:
    cls: _Class
    subject: SubjectInfo
    teacher: _Person
    date: dt.date
    number: int
    room: str
    planned_room: str
    substitute: _Person | None = None
    status: LessonStatus = LessonStatus.PLANNED
    note: str = ""
    topic: str = ""
    id: int = 0
    group: _Group | None = None
    slot_id: int | None = None

    @property
    def pupils(self) -> list[_Person]:
        """Who takes it: the group's pupils for a group's lesson, else the class's."""
        return self.group.pupils if self.group is not None else self.cls.pupils

    def takes(self, pupil: _Person) -> bool:
        return self.group is None or pupil.id in self.group.members

    @property
    def stream(self) -> tuple[int, str, int]:
        """The run of lessons a topic plan and homework follow: class, subject, group."""
        return (self.cls.id, self.subject.key, self.group.id if self.group else 0)

    @property
    def held(self) -> bool:
        return self.status in (LessonStatus.PLANNED, LessonStatus.SUBSTITUTED)

    @property
    def by(self) -> _Person:
        """Who teaches it in fact."""
        return self.substitute or self.teacher


@dataclass(eq=False, slots=True)
class _Mark:
    lesson: _Lesson
    pupil: _Person
    value: int
    weight: int
    kind: MarkKind
    comment: str
    created: dt.datetime
    id: int = 0
    version: int = 1
    updated: dt.datetime | None = None


_KIND_VALUES = {kind: kind.value for kind in MarkKind}


def _at_school(day: dt.date, hhmm: str, minutes: int = 0) -> dt.datetime:
    """The UTC instant of the school's clock reading ``hhmm`` on ``day``, ``minutes`` later."""
    hours, mins = (int(part) for part in hhmm.split(":"))
    zone = school_zone(SCHOOL_TIMEZONE)
    local = dt.datetime(day.year, day.month, day.day, hours, mins, tzinfo=zone)
    return (local + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class _School:
    """Builds every row of the demo school in memory (see :func:`generate`)."""

    def __init__(
        self, seed: int, texts: Texts, size: str, today: dt.date, audit_key: bytes
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.audit_key = audit_key
        self.t = texts
        self.ru = texts.lang == "ru"
        self.size = size
        self.today = today
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}
        self.featured: list[DemoAccount] = []
        self.people: list[_Person] = []
        self.teachers: list[_Person] = []
        self.classes: list[_Class] = []
        self.families: list[_Family] = []
        self.lessons: list[_Lesson] = []
        self.marks: list[_Mark] = []

    # --- the whole build, in a fixed order ----------------------------------------------------

    def build(self) -> None:
        self._calendar()
        self._classes()
        self._staff()
        self._assign_teachers()
        self._families()
        self._number_people()
        self._subjects()
        self._groups()
        self._timetable()
        self._lessons()
        self._changes()
        self._topics_and_homework()
        self._absences()
        self._marks()
        self._edited_marks()
        self._period_marks()
        self._audit_log()
        self._threads()
        self._chat()
        self._announcements()
        self._blogs()
        self._events()
        self._logins_and_featured()
        self._people_rows()
        self._lesson_rows()
        for name, table_rows in self.rows.items():
            self.counts.setdefault(name, len(table_rows))
        self.counts["pupils"] = sum(len(c.pupils) for c in self.classes)
        self.counts["parents"] = sum(p.role == Role.PARENT for p in self.people)
        self.counts["teachers"] = len(self.teachers)
        self.counts["classes"] = len(self.classes)
        self.counts["substitutions"] = sum(
            lesson.status == LessonStatus.SUBSTITUTED for lesson in self.lessons
        )
        self.counts["cancellations"] = sum(
            lesson.status == LessonStatus.CANCELLED for lesson in self.lessons
        )
        self.counts["moved"] = sum(lesson.status == LessonStatus.MOVED for lesson in self.lessons)
        self.counts["room_changes"] = sum(
            lesson.room != lesson.planned_room for lesson in self.lessons
        )
        self.counts["edited_marks"] = sum(mark.version > 1 for mark in self.marks)

    def _add(self, model: type[schema.Base], row: dict[str, Any]) -> dict[str, Any]:
        table_rows = self.rows.setdefault(_table(model).name, [])
        if "id" in _table(model).c and "id" not in row:
            row["id"] = len(table_rows) + 1
        table_rows.append(row)
        return row

    # --- the calendar --------------------------------------------------------------------------

    def _calendar(self) -> None:
        today = self.today
        first = today.year if today.month >= 9 else today.year - 1
        # June to August belong to the year that has just ended: it is all in the past.
        self.year_start = dt.date(first, 9, 1)
        self.year_end = dt.date(first + 1, 5, 31)
        autumn = _monday(dt.date(first, 10, 28))
        winter = (dt.date(first, 12, 29), dt.date(first + 1, 1, 11))
        spring = _monday(dt.date(first + 1, 3, 24))
        week = dt.timedelta(days=7)
        three = dt.timedelta(days=3)
        self.periods = [
            (1, self.year_start, autumn - three),
            (2, autumn + week, winter[0] - dt.timedelta(days=1)),
            (3, winter[1] + dt.timedelta(days=1), spring - three),
            (4, spring + week, self.year_end),
        ]
        holidays: dict[dt.date, str] = {}
        for start, end, name in (
            (autumn, autumn + dt.timedelta(days=6), self.t.autumn_break),
            (winter[0], winter[1], self.t.winter_break),
            (spring, spring + dt.timedelta(days=6), self.t.spring_break),
        ):
            day = start
            while day <= end:
                if day.weekday() < 5:
                    holidays[day] = name
                day += dt.timedelta(days=1)
        for month, mday, name in self.t.public_holidays:
            day = dt.date(first if month >= 9 else first + 1, month, mday)
            if day.weekday() < 5 and day not in holidays:
                holidays[day] = name
        self.holidays = holidays
        days = []
        day = self.year_start
        while day <= self.year_end:
            if day.weekday() < 5 and day not in holidays:
                days.append(day)
            day += dt.timedelta(days=1)
        self.school_days = days
        self.past_days = [d for d in days if d <= today]

        number = self.rng.randint(2, 99)
        self.school_name = self.rng.choice(self.t.school_names).format(n=number)
        # Through the set-up rules a real school's IT staff meet (demo_server.setup_rules).
        lang = self.t.lang
        self._add(
            schema.School,
            {"id": SCHOOL_ID, **rules.school_row(self.school_name, SCHOOL_TIMEZONE, lang)},
        )
        year_row = self._add(
            schema.AcademicYear,
            rules.year_row(
                SCHOOL_ID,
                self.t.year_name.format(a=first, b=first + 1),
                self.year_start,
                self.year_end,
            ),
        )
        self.year_id = year_row["id"]
        year = rules.Span("year", self.year_id, year_row["name"], self.year_start, self.year_end)
        kind = PeriodKind.QUARTER
        made: list[tuple[rules.Span, PeriodKind, int]] = []
        self.period_ids = []
        for n, start, end in self.periods:
            row = self._add(
                schema.Period,
                rules.period_row(year, kind, n, start, end, self.t.quarter.format(n=n), made, lang),
            )
            made.append((rules.Span("period", row["id"], row["name"], start, end), kind, n))
            self.period_ids.append(row["id"])
        for day in sorted(holidays):
            self._add(schema.Holiday, rules.holiday_row(SCHOOL_ID, year, day, holidays[day]))
        schedule = self._add(
            schema.BellSchedule, rules.schedule_row(SCHOOL_ID, self.t.main_bells, range(5))
        )
        for row in rules.bell_rows(
            SCHOOL_ID,
            schedule["id"],
            [(n, bell_start, bell_end) for n, (bell_start, bell_end) in enumerate(BELLS, 1)],
        ):
            self._add(schema.Bell, row)

    # --- people ----------------------------------------------------------------------------------

    def _name(
        self, female: bool, surname: str | None = None, father: int | None = None
    ) -> tuple[str, str, str]:
        """First name, surname (gendered) and patronymic; ``surname`` in its masculine form
        and ``father`` (an index into the Russian male names) keep a family together."""
        rng = self.rng
        if self.ru:
            first = rng.choice(RU_FEMALE) if female else rng.choice(RU_MALE)[0]
            base = surname or rng.choice(RU_SURNAMES)
            dad = RU_MALE[father if father is not None else rng.randrange(len(RU_MALE))]
            return first, ru_surname(base, female), dad[2] if female else dad[1]
        first = rng.choice(EN_FEMALE if female else EN_MALE)
        return first, surname or rng.choice(EN_SURNAMES), ""

    def _person(
        self,
        role: Role,
        female: bool,
        surname: str | None = None,
        father: int | None = None,
    ) -> _Person:
        first, last, middle = self._name(female, surname, father)
        person = _Person(role, first, last, middle, female)
        self.people.append(person)
        return person

    def _classes(self) -> None:
        letters = self.t.letters
        if self.size == "small":
            plan = [(2, 1), (5, 2), (9, 1)]
            sizes = (10, 12)
        else:
            plan = [(grade, 3 if grade <= 6 else 2) for grade in range(1, 12)]
            sizes = (26, 30)
        for grade, parallel in plan:
            for index in range(parallel):
                self.classes.append(
                    _Class(
                        id=len(self.classes) + 1,
                        grade=grade,
                        letter=letters[index],
                        size=self.rng.randint(*sizes),
                    )
                )
        self.pupil_class = next(c for c in self.classes if c.grade == 5)
        self.sibling_class = [c for c in self.classes if c.grade == 9][-1]

    def _staff(self) -> None:
        rng = self.rng
        self.director = self._person(Role.ADMINISTRATION, rng.random() < 0.6)
        for _ in range(1 if self.size == "small" else 2):
            self._person(Role.ADMINISTRATION, rng.random() < 0.8)
        self.it = self._person(Role.IT_STAFF, rng.random() < 0.3)
        self.nurse = self._person(Role.HEALTH_WORKER, rng.random() < 0.9)
        self.authority = self._person(Role.AUTHORITY, rng.random() < 0.5)

    def _teacher(self, specialty: str) -> _Person:
        teacher = self._person(Role.TEACHER, self.rng.random() < 0.85)
        teacher.specialty = specialty
        self.teachers.append(teacher)
        return teacher

    def _curriculum(self, grade: int) -> list[tuple[SubjectInfo, int]]:
        return [(s, s.hours[grade - 1]) for s in SUBJECTS if s.hours[grade - 1] > 0]

    @staticmethod
    def _specialty(subject: SubjectInfo, grade: int) -> str:
        if subject.specialty.startswith("primary|"):
            return "primary" if grade <= 4 else subject.specialty.split("|", 1)[1]
        return subject.specialty

    def _assign_teachers(self) -> None:
        """Each class gets a teacher per subject: the primary class teacher for most of grades
        1 to 4, specialists otherwise, hiring another specialist when the others are full."""
        self._rooms = rooms = iter(range(201, 400))
        for cls in self.classes:
            if cls.grade <= 4:
                cls.room = str(100 + cls.id)
                primary = self._teacher("primary")
                primary.room = cls.room
                cls.homeroom = primary
                primary.homeroom = cls
            hours: dict[str, int] = {}
            for subject, h in self._curriculum(cls.grade):
                spec = self._specialty(subject, cls.grade)
                hours[spec] = hours.get(spec, 0) + h
            by_specialty: dict[str, _Person] = {}
            for subject, _h in self._curriculum(cls.grade):
                spec = self._specialty(subject, cls.grade)
                if spec == "primary":
                    assert cls.homeroom is not None
                    teacher = cls.homeroom
                elif spec in by_specialty:
                    teacher = by_specialty[spec]
                else:
                    candidates = [
                        t
                        for t in self.teachers
                        if t.specialty == spec and t.load + hours[spec] <= MAX_TEACHER_HOURS
                    ]
                    if candidates:
                        teacher = min(candidates, key=lambda t: t.load)
                    else:
                        teacher = self._teacher(spec)
                        if subject.room == "gym":
                            teacher.room = self.t.gym
                        else:
                            teacher.room = str(next(rooms))
                    teacher.load += hours[spec]
                    by_specialty[spec] = teacher
                cls.teachers[subject.key] = teacher
        # Classes from grade 5 get a class teacher among their own teachers.
        for cls in self.classes:
            if cls.homeroom is not None:
                continue
            own = _unique(cls.teachers.values())
            free = [t for t in own if t.homeroom is None and t.room != self.t.gym]
            teacher = self.rng.choice(free or own)
            cls.homeroom = teacher
            teacher.homeroom = cls
            cls.room = teacher.room
        self._split_teachers()

    SPLIT: tuple[tuple[str, int], ...] = (("english", 5), ("informatics", 7))
    """Subjects the first class of a grade (from the grade given) learns in two groups."""

    def _split_teachers(self) -> None:
        """The first class of each grade from 5 (English) and from 7 (computer science) is
        split in two groups; the second group gets another teacher of the subject, hired when
        the others are full."""
        hours = {s.key: s.hours for s in SUBJECTS}
        for cls in self.classes:
            if cls.letter != self.t.letters[0]:
                continue
            for key, grade in self.SPLIT:
                if cls.grade < grade or key not in cls.teachers:
                    continue
                h = hours[key][cls.grade - 1]
                first = cls.teachers[key]
                candidates = [
                    t
                    for t in self.teachers
                    if t is not first
                    and t.specialty == first.specialty
                    and t.load + h <= MAX_TEACHER_HOURS
                ]
                if candidates:
                    second = min(candidates, key=lambda t: t.load)
                else:
                    second = self._teacher(first.specialty)
                    second.room = str(next(self._rooms))
                second.load += h
                cls.split[key] = second

    def _unit_teachers(self, cls: _Class, key: str) -> list[_Person]:
        """Who teaches a lesson of ``key`` in ``cls`` at once: one teacher, or one a group."""
        second = cls.split.get(key)
        return [cls.teachers[key]] if second is None else [cls.teachers[key], second]

    def _families(self) -> None:
        """Pupils come in families of one to three children in different grades; each family
        has one or two parent accounts. The featured family comes first."""
        rng = self.rng
        seats = {cls.id: cls.size for cls in self.classes}
        by_grade: dict[int, list[_Class]] = {}
        for cls in self.classes:
            by_grade.setdefault(cls.grade, []).append(cls)

        def family(classes: Sequence[_Class], parents: int) -> _Family:
            surname = rng.choice(RU_SURNAMES if self.ru else EN_SURNAMES)
            father = rng.randrange(len(RU_MALE))
            children = []
            for cls in classes:
                child = self._person(Role.PUPIL, rng.random() < 0.5, surname, father)
                cls.pupils.append(child)
                seats[cls.id] -= 1
                children.append(child)
            adults = []
            mother_first = rng.random() < 0.8
            for index in range(parents):
                female = mother_first if index == 0 else not mother_first
                adult = self._person(Role.PARENT, female, surname)
                if self.ru and not female:
                    adult.first = RU_MALE[father][0]  # the children's patronymic is his
                adults.append(adult)
            fam = _Family(children, adults)
            self.families.append(fam)
            return fam

        self.featured_family = family([self.pupil_class, self.sibling_class], 2)
        while True:
            open_grades = sorted({c.grade for c in self.classes if seats[c.id] > 0})
            if not open_grades:
                break
            k = rng.choices((1, 2, 3), weights=(62, 30, 8))[0]
            grades = sorted(rng.sample(open_grades, min(k, len(open_grades))))
            classes = [
                rng.choice([c for c in by_grade[grade] if seats[c.id] > 0]) for grade in grades
            ]
            family(classes, 2 if rng.random() < 0.2 else 1)
        for cls in self.classes:
            cls.pupils.sort(key=lambda p: (p.last, p.first, p.middle))

    def _number_people(self) -> None:
        """Ids: staff, then teachers, then pupils class by class, then parents."""
        order: list[_Person] = [p for p in self.people if p.role not in (Role.PUPIL, Role.PARENT)]
        order.sort(key=lambda p: p.role != Role.ADMINISTRATION)
        order = [p for p in order if p.role != Role.TEACHER] + self.teachers
        for cls in self.classes:
            order.extend(cls.pupils)
        order.extend(p for fam in self.families for p in fam.parents)
        for n, person in enumerate(order, 1):
            person.id = n
        self.people = order

    # --- subjects, assignments, timetable -------------------------------------------------------

    def _subjects(self) -> None:
        used = {key for cls in self.classes for key in cls.teachers}
        self.subject_ids: dict[str, int] = {}
        made: list[tuple[int, str]] = []
        for subject in SUBJECTS:
            if subject.key in used:
                row = self._add(
                    schema.Subject,
                    rules.subject_row(SCHOOL_ID, subject.ru if self.ru else subject.en, made),
                )
                made.append((row["id"], row["name"]))
                self.subject_ids[subject.key] = row["id"]

    def _groups(self) -> None:
        """The split classes' groups: the class list halved in its order (the first half is
        group 1), members for the whole year, through the set-up rules' names."""
        for cls in self.classes:
            for key, second in cls.split.items():
                half = (len(cls.pupils) + 1) // 2
                made: list[_Group] = []
                for n, (teacher, pupils) in enumerate(
                    ((cls.teachers[key], cls.pupils[:half]), (second, cls.pupils[half:])), 1
                ):
                    row = self._add(
                        schema.ClassGroup,
                        {
                            "class_id": cls.id,
                            "subject_id": self.subject_ids[key],
                            "name": self.t.group_name.format(n=n),
                            "teacher_id": teacher.id,
                            "retired_at": None,
                            "version": 1,
                        },
                    )
                    group = _Group(
                        row["id"],
                        cls,
                        key,
                        row["name"],
                        teacher,
                        pupils,
                        frozenset(p.id for p in pupils),
                    )
                    made.append(group)
                    for pupil in pupils:
                        self._add(
                            schema.GroupMember,
                            {
                                "group_id": group.id,
                                "pupil_id": pupil.id,
                                "start": self.year_start,
                                "end": None,
                            },
                        )
                cls.groups[key] = made

    def _timetable(self) -> None:
        """Place each class's weekly lessons in its days, no teacher in two classes at once:
        a bipartite matching of lessons to free slots per class, spread over the week."""
        rng = self.rng
        busy: set[tuple[int, int, int]] = set()  # (teacher id, weekday, bell)
        info = {s.key: s for s in SUBJECTS}
        order = sorted(
            self.classes,
            # short days first: they have the fewest slots to choose from
            key=lambda c: (
                MAX_LESSONS_A_DAY[c.grade - 1],
                -sum(h for _s, h in self._curriculum(c.grade)),
                c.id,
            ),
        )
        for cls in order:
            units: list[str] = []
            for subject, hours in self._curriculum(cls.grade):
                units.extend([subject.key] * hours)
            total = len(units)
            limit = MAX_LESSONS_A_DAY[cls.grade - 1]
            if total > 5 * limit:
                raise RuntimeError(f"{cls.name}: {total} lessons do not fit in five days")
            days = list(range(5))
            rng.shuffle(days)
            day_len = [total // 5] * 5
            for d in days[: total % 5]:
                day_len[d] += 1
            preference: dict[str, list[int]] = {}
            for key in _unique(units):
                pref = list(range(5))
                rng.shuffle(pref)
                preference[key] = pref
            seen: dict[str, int] = {}
            ranked: list[list[int]] = []
            for key in units:
                k = seen.get(key, 0)
                seen[key] = k + 1
                pref = preference[key]
                ranked.append(pref[k % 5 :] + pref[: k % 5])
            unit_order = sorted(
                range(total), key=lambda u: (-cls.teachers[units[u]].load, units[u], u)
            )
            while True:
                slots = [(d, n) for d in range(5) for n in range(1, day_len[d] + 1)]
                owner = self._match(cls, units, ranked, unit_order, slots, busy)
                if owner is not None:
                    break
                shortest = [d for d in range(5) if day_len[d] < limit]
                if not shortest or sum(day_len) >= total + 5:
                    raise RuntimeError(f"{cls.name}: no timetable without a teacher clash")
                day_len[min(shortest, key=lambda d: (day_len[d], d))] += 1
            # (Only when a day had to grow can a slot stay empty: a rare gap in that day.)
            self._spread(cls, units, owner, busy)
            for (d, n), unit in sorted(owner.items()):
                key = units[unit]
                for teacher in self._unit_teachers(cls, key):
                    busy.add((teacher.id, d, n))
                cls.week[(d, n)] = key
        self.busy = busy
        # The rows lessons are made from (schedule.plan_lessons, as the server makes them),
        # and what each row stands for here.
        self.slots: list[SlotPlan] = []
        self.slot_of: dict[int, tuple[_Class, SubjectInfo, _Person, str, _Group | None]] = {}
        for cls in self.classes:
            for (d, n), key in sorted(cls.week.items()):
                for group in self._groups_of(cls, key):
                    teacher = group.teacher if group else cls.teachers[key]
                    room = self._room(cls, info[key], teacher)
                    row = self._add(
                        schema.TimetableSlot,
                        {
                            "class_id": cls.id,
                            "group_id": group.id if group else None,
                            "weekday": d,
                            "number": n,
                            "subject_id": self.subject_ids[key],
                            "teacher_id": teacher.id,
                            "room": room,
                            "valid_from": self.year_start,
                            "valid_to": None,
                        },
                    )
                    self.slots.append(
                        SlotPlan(
                            id=row["id"],
                            class_id=cls.id,
                            group_id=row["group_id"],
                            weekday=d,
                            number=n,
                            subject_id=row["subject_id"],
                            teacher_id=teacher.id,
                            room=room,
                            valid_from=self.year_start,
                        )
                    )
                    self.slot_of[row["id"]] = (cls, info[key], teacher, room, group)
            pairs = _unique((teacher.id, key) for key, teacher in cls.teachers.items())
            for teacher_id, key in pairs:
                for group in self._groups_of(cls, key):
                    self._add(
                        schema.TeachingAssignment,
                        {
                            "teacher_id": group.teacher.id if group else teacher_id,
                            "class_id": cls.id,
                            "subject_id": self.subject_ids[key],
                            "group_id": group.id if group else None,
                        },
                    )

    @staticmethod
    def _groups_of(cls: _Class, key: str) -> list[_Group | None]:
        """A subject's groups in ``cls``, or ``[None]`` for the whole class."""
        return list(cls.groups[key]) if key in cls.groups else [None]

    def _room(self, cls: _Class, subject: SubjectInfo, teacher: _Person | None = None) -> str:
        if subject.room == "gym":
            return self.t.gym
        return (teacher or cls.teachers[subject.key]).room or cls.room

    def _match(
        self,
        cls: _Class,
        units: list[str],
        ranked: list[list[int]],
        unit_order: list[int],
        slots: list[tuple[int, int]],
        busy: set[tuple[int, int, int]],
    ) -> dict[tuple[int, int], int] | None:
        """Kuhn's augmenting paths: every lesson unit in a slot its teacher has free."""
        owner: dict[tuple[int, int], int] = {}
        order_in_day = {s: self.rng.random() for s in slots}
        candidates: list[list[tuple[int, int]]] = []
        for unit in range(len(units)):
            tids = [t.id for t in self._unit_teachers(cls, units[unit])]
            rank = {d: i for i, d in enumerate(ranked[unit])}
            free = [s for s in slots if all((tid, s[0], s[1]) not in busy for tid in tids)]
            free.sort(key=lambda s: (rank[s[0]], order_in_day[s]))
            candidates.append(free)

        def augment(unit: int, visited: set[tuple[int, int]]) -> bool:
            for slot in candidates[unit]:
                if slot in visited:
                    continue
                visited.add(slot)
                if slot not in owner or augment(owner[slot], visited):
                    owner[slot] = unit
                    return True
            return False

        for unit in unit_order:
            if not augment(unit, set()):
                return None
        return owner

    def _spread(
        self,
        cls: _Class,
        units: list[str],
        owner: dict[tuple[int, int], int],
        busy: set[tuple[int, int, int]],
    ) -> None:
        """Swap lessons within the class while that puts fewer lessons of one subject on a day."""

        def clashes() -> int:
            per_day: dict[tuple[int, str], int] = {}
            for (d, _n), unit in owner.items():
                per_day[(d, units[unit])] = per_day.get((d, units[unit]), 0) + 1
            return sum((c - 1) ** 2 for c in per_day.values() if c > 1)

        slots = sorted(owner)
        score = clashes()
        for _ in range(3):
            improved = False
            for i, a in enumerate(slots):
                for b in slots[i + 1 :]:
                    if a[0] == b[0] or units[owner[a]] == units[owner[b]]:
                        continue
                    ta = self._unit_teachers(cls, units[owner[a]])
                    tb = self._unit_teachers(cls, units[owner[b]])
                    if any((t.id, b[0], b[1]) in busy for t in ta) or any(
                        (t.id, a[0], a[1]) in busy for t in tb
                    ):
                        continue
                    owner[a], owner[b] = owner[b], owner[a]
                    new = clashes()
                    if new < score:
                        score = new
                        improved = True
                    else:
                        owner[a], owner[b] = owner[b], owner[a]
            if not improved or score == 0:
                break

    # --- lessons and their changes ----------------------------------------------------------------

    def _lessons(self) -> None:
        """The year's lessons, made from the timetable's rows by the server's own planner."""
        days = teaching_days(
            self.year_start,
            self.year_end,
            [(start, end) for _n, start, end in self.periods],
            self.holidays,
        )
        # The server's school days are the demo's (the demo's timetable keeps weekends free).
        assert [d for d in days if d.weekday() < 5] == self.school_days
        for planned in plan_lessons(self.slots, days, self.year_start):
            slot = planned.slot
            assert slot.id is not None
            cls, subject, teacher, room, group = self.slot_of[slot.id]
            self.lessons.append(
                _Lesson(
                    cls,
                    subject,
                    teacher,
                    planned.date,
                    slot.number,
                    room,
                    room,
                    group=group,
                    slot_id=slot.id,
                )
            )
        # Who is busy on a date beyond the weekly plan (substitutions, moved lessons).
        self.extra_busy: set[tuple[int, dt.date, int]] = set()
        self.class_extra: set[tuple[int, dt.date, int]] = set()
        self.spare_used: set[tuple[str, dt.date, int]] = set()

    def _free(self, teacher: _Person, day: dt.date, number: int) -> bool:
        return (teacher.id, day.weekday(), number) not in self.busy and (
            teacher.id,
            day,
            number,
        ) not in self.extra_busy

    def _substitute(self, lesson: _Lesson) -> bool:
        same = [
            t
            for t in self.teachers
            if t is not lesson.teacher and t.specialty == lesson.teacher.specialty
        ]
        others = [t for t in self.teachers if t is not lesson.teacher and t not in same]
        for pool in (same, others):
            free = [t for t in pool if self._free(t, lesson.date, lesson.number)]
            if free:
                sub = self.rng.choice(free)
                lesson.substitute = sub
                lesson.status = LessonStatus.SUBSTITUTED
                lesson.note = self.rng.choice(self.t.substitution_notes)
                self.extra_busy.add((sub.id, lesson.date, lesson.number))
                return True
        return False

    def _cancel(self, lesson: _Lesson) -> bool:
        lesson.status = LessonStatus.CANCELLED
        lesson.note = self.rng.choice(self.t.cancellation_notes)
        return True

    def _change_room(self, lesson: _Lesson) -> bool:
        rooms = [
            r
            for r in self.t.spare_rooms
            if (r, lesson.date, lesson.number) not in self.spare_used and r != lesson.room
        ]
        if not rooms or lesson.room == self.t.gym:
            return False
        room = self.rng.choice(rooms)
        self.spare_used.add((room, lesson.date, lesson.number))
        lesson.room = room
        lesson.note = self.rng.choice(self.t.room_change_notes)
        return True

    def _move(self, lesson: _Lesson) -> bool:
        """Move a lesson to the end of another day within a week of it."""
        start = bisect.bisect_left(self.school_days, lesson.date - dt.timedelta(days=7))
        end = bisect.bisect_right(self.school_days, lesson.date + dt.timedelta(days=7))
        days = [d for d in self.school_days[start:end] if d != lesson.date]
        self.rng.shuffle(days)
        for day in days:
            number = max((n for (d, n) in lesson.cls.week if d == day.weekday()), default=0) + 1
            if number > len(BELLS) or (lesson.cls.id, day, number) in self.class_extra:
                continue
            if not self._free(lesson.teacher, day, number):
                continue
            self.class_extra.add((lesson.cls.id, day, number))
            self.extra_busy.add((lesson.teacher.id, day, number))
            lesson.status = LessonStatus.MOVED
            lesson.note = self.t.moved_to.format(date=self._date(day), number=number)
            self.lessons.append(
                _Lesson(
                    lesson.cls,
                    lesson.subject,
                    lesson.teacher,
                    day,
                    number,
                    lesson.planned_room,
                    lesson.planned_room,
                    note=self.t.moved_from.format(date=self._date(lesson.date)),
                    group=lesson.group,
                )
            )
            return True
        return False

    def _date(self, day: dt.date) -> str:
        return day.strftime("%d.%m") if self.ru else f"{day.day} {_MONTHS[day.month - 1]}"

    def _changes(self) -> None:
        """Substitutions, cancellations, room changes and moves, up to two weeks ahead."""
        rng = self.rng
        horizon = self.today + CHANGES_AHEAD
        actions = (self._substitute, self._cancel, self._change_room, self._move)
        # probability thresholds for one lesson: substitution, cancellation, room, move
        limits = (0.012, 0.016, 0.030, 0.033)
        base = list(self.lessons)
        for lesson in base:
            if lesson.date >= horizon:
                break
            r = rng.random()
            for action, limit in zip(actions, limits, strict=True):
                if r < limit:
                    if lesson.status == LessonStatus.PLANNED and lesson.room == lesson.planned_room:
                        action(lesson)
                    break
        # The featured children's classes show each kind of change this week and next, and
        # the pupil's class also in the last two weeks.
        window_ahead = (self.today, horizon)
        window_past = (self.today - CHANGES_AHEAD, self.today)
        wanted = [
            (self.pupil_class, window_ahead, actions),
            (self.pupil_class, window_past, actions[:3]),
            (self.sibling_class, window_ahead, (self._substitute, self._change_room)),
        ]
        for cls, (lo, hi), kinds in wanted:
            pool = [
                lesson
                for lesson in base
                if lesson.cls is cls
                and lo <= lesson.date < hi
                and lesson.status == LessonStatus.PLANNED
                and lesson.room == lesson.planned_room
            ]
            for action in kinds:
                if any(
                    self._shows(lesson, action)
                    for lesson in self.lessons
                    if lesson.cls is cls and lo <= lesson.date < hi
                ):
                    continue
                rng.shuffle(pool)
                for lesson in pool:
                    untouched = (
                        lesson.status == LessonStatus.PLANNED and lesson.room == lesson.planned_room
                    )
                    if untouched and action(lesson):
                        break
        self.lessons.sort(key=lambda lesson: (lesson.date, lesson.cls.id, lesson.number))
        for n, lesson in enumerate(self.lessons, 1):
            lesson.id = n

    def _shows(self, lesson: _Lesson, action: Any) -> bool:
        if action == self._substitute:
            return lesson.status == LessonStatus.SUBSTITUTED
        if action == self._cancel:
            return lesson.status == LessonStatus.CANCELLED
        if action == self._change_room:
            return lesson.room != lesson.planned_room
        return lesson.status == LessonStatus.MOVED

    # --- what happened in lessons ----------------------------------------------------------

    def _topics_and_homework(self) -> None:
        rng = self.rng
        t = self.t
        count: dict[tuple[int, str, int], int] = {}
        progress: dict[int, float] = {}  # lesson id: how far through the year's lessons
        self.control: dict[int, MarkKind] = {}
        self.control_weight: dict[int, int] = {}
        """The weight a control lesson gave its marks (its lesson row carries it)."""
        series: dict[tuple[int, str, int], list[_Lesson]] = {}
        for lesson in self.lessons:
            if lesson.held:
                series.setdefault(lesson.stream, []).append(lesson)
        series_dates = {key: [x.date for x in later] for key, later in series.items()}
        for lesson in self.lessons:
            if not lesson.held or lesson.date > self.today:
                continue
            key = lesson.stream
            i = count.get(key, 0)
            count[key] = i + 1
            topics = self._topic_window(lesson.subject, lesson.cls.grade)
            progress[lesson.id] = i / len(series[key])
            topic = topics[min(len(topics) - 1, int(progress[lesson.id] * len(topics)))]
            graded = lesson.subject.graded and lesson.cls.grade >= 2
            if graded and i % 8 == 7:
                kind = rng.choice(lesson.subject.control)
                self.control[lesson.id] = kind
                lesson.topic = t.control_topic[kind].format(topic=topic)
            else:
                lesson.topic = topic + (t.practice_suffix if i % 2 else "")
        done_by = [child for child in self.featured_family.children]
        for lesson in self.lessons:
            if not lesson.held or lesson.date > self.today:
                continue
            chance = {"pe": 0.1, "music": 0.3, "art": 0.3, "technology": 0.3}.get(
                lesson.subject.key, 0.85
            )
            if lesson.cls.grade == 1:
                chance /= 3
            if lesson.id in self.control or rng.random() >= chance:
                continue
            later = series[lesson.stream]
            index = bisect.bisect_right(series_dates[lesson.stream], lesson.date)
            if index >= len(later):
                continue
            templates = t.homework.get(lesson.subject.key, t.homework["*"])
            page = 5 + int(progress[lesson.id] * 200) + rng.randint(0, 4)
            body = rng.choice(templates).format(
                p=page,
                a=1 + int(progress[lesson.id] * 35) + rng.randint(0, 2),
                b=page + rng.randint(1, 6),
            )
            due = later[index].date
            row = self._add(
                schema.Homework,
                {
                    "lesson_id": lesson.id,
                    "text": body,
                    "due": due,
                    "author_id": lesson.by.id,
                    "version": 1,
                    "removed_at": None,
                },
            )
            for child in done_by:
                if child in lesson.pupils and due <= self.today and rng.random() < 0.85:
                    self._add(
                        schema.HomeworkDone,
                        {
                            "homework_id": row["id"],
                            "pupil_id": child.id,
                            "done_at": _at_school(
                                due - dt.timedelta(days=1), "17:00", rng.randint(0, 240)
                            ),
                        },
                    )

    def _topic_window(self, subject: SubjectInfo, grade: int) -> Sequence[str]:
        """The part of a subject's topics (listed from first steps to the most advanced) that
        this grade works through in a year: at least four topics."""
        topics = self.t.topics[subject.key]
        grades = [g for g in range(1, 12) if subject.hours[g - 1] > 0]
        pos, n = grades.index(grade), len(grades)
        start = pos * len(topics) // n
        end = max((pos + 1) * len(topics) // n, start + 4)
        if end > len(topics):
            start, end = max(0, len(topics) - 4), len(topics)
        return topics[start:end]

    def _absences(self) -> None:
        rng = self.rng
        past = self.past_days
        self.absent: set[tuple[int, int]] = set()  # (pupil id, lesson id), not counting late
        if not past:
            return
        day_lessons: dict[tuple[int, dt.date], list[_Lesson]] = {}
        for lesson in self.lessons:
            if lesson.held and lesson.date <= self.today:
                day_lessons.setdefault((lesson.cls.id, lesson.date), []).append(lesson)
        frac = len(past) / len(self.school_days)
        notes = self.t.absence_notes
        seen: set[tuple[int, int]] = set()

        def record(
            pupil: _Person,
            lesson: _Lesson,
            kind: AbsenceKind,
            note: str,
            minutes: int,
            author: _Person,
        ) -> None:
            if (pupil.id, lesson.id) in seen or not lesson.takes(pupil):
                return
            seen.add((pupil.id, lesson.id))
            if kind != AbsenceKind.LATE:
                self.absent.add((pupil.id, lesson.id))
            self._add(
                schema.Absence,
                {
                    "lesson_id": lesson.id,
                    "pupil_id": pupil.id,
                    "kind": kind.value,
                    "minutes": minutes,
                    "note": note,
                    "author_id": author.id,
                    "version": 1,
                    "created_at": _at_school(
                        lesson.date, BELLS[lesson.number - 1][0], rng.randint(5, 300)
                    ),
                    "removed_at": None,
                },
            )

        featured = self.featured_family.children[0]
        for cls in self.classes:
            assert cls.homeroom is not None
            for pupil in cls.pupils:
                must = pupil is featured
                episodes = sum(
                    rng.random() < frac for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4)))
                )
                if must:
                    episodes = max(episodes, 1)
                for _ in range(episodes):
                    start = rng.randrange(len(past))
                    length = rng.randint(2, 6)
                    author = self.nurse if rng.random() < 0.5 else cls.homeroom
                    note = rng.choice(notes["illness"])
                    for day in past[start : start + length]:
                        for lesson in day_lessons.get((cls.id, day), []):
                            record(pupil, lesson, AbsenceKind.ILLNESS, note, 0, author)
                for _ in range(sum(rng.random() < frac for _ in range(rng.choice((0, 0, 1, 2))))):
                    day = rng.choice(past)
                    note = rng.choice(notes["excused"])
                    for lesson in day_lessons.get((cls.id, day), []):
                        record(pupil, lesson, AbsenceKind.EXCUSED, note, 0, cls.homeroom)
                for _ in range(
                    sum(rng.random() < frac for _ in range(rng.choice((0, 0, 1, 2, 3, 5))))
                ):
                    day = rng.choice(past)
                    lessons = [x for x in day_lessons.get((cls.id, day), []) if x.takes(pupil)]
                    if lessons:
                        lesson = rng.choice(lessons)
                        record(
                            pupil,
                            lesson,
                            AbsenceKind.UNEXCUSED,
                            rng.choice(notes["unexcused"]),
                            0,
                            lesson.by,
                        )
                lates = sum(rng.random() < frac for _ in range(rng.choice((0, 1, 2, 4, 6))))
                if must:
                    lates = max(lates, 1)
                for _ in range(lates):
                    day = rng.choice(past)
                    lessons = [x for x in day_lessons.get((cls.id, day), []) if x.takes(pupil)]
                    if lessons:
                        lesson = lessons[0]
                        record(
                            pupil,
                            lesson,
                            AbsenceKind.LATE,
                            rng.choice(notes["late"]),
                            rng.randint(2, 20),
                            lesson.by,
                        )

    def _marks(self) -> None:
        rng = self.rng
        ability: dict[int, float] = {}
        for cls in self.classes:
            for pupil in cls.pupils:
                ability[pupil.id] = rng.uniform(3.4, 4.8)
        knack: dict[tuple[int, str], float] = {}
        comments = self.t.comments
        for lesson in self.lessons:
            if not lesson.held or lesson.date > self.today:
                continue
            if not lesson.subject.graded or lesson.cls.grade < 2:
                continue
            present = [p for p in lesson.pupils if (p.id, lesson.id) not in self.absent]
            if not present:
                continue
            control = self.control.get(lesson.id)
            if control is not None:
                chosen = [p for p in present if rng.random() < 0.92]
                kinds = [control] * len(chosen)
                shift = -0.25
            else:
                n = max(1, round(len(lesson.pupils) * rng.uniform(0.06, 0.18)))
                chosen = rng.sample(present, min(n, len(present)))
                if lesson.subject.key in ("pe", "music", "art", "technology"):
                    pool = (MarkKind.CLASSWORK, MarkKind.ORAL)
                    kinds = [rng.choice(pool) for _ in chosen]
                else:
                    kinds = rng.choices(
                        (MarkKind.ORAL, MarkKind.HOMEWORK, MarkKind.CLASSWORK),
                        weights=(5, 2, 3),
                        k=len(chosen),
                    )
                shift = 0.0
            weight = rng.choice(_WEIGHTS[control]) if control is not None else 1
            if control is not None:
                self.control_weight[lesson.id] = weight
            for pupil, kind in zip(chosen, kinds, strict=True):
                key = (pupil.id, lesson.subject.key)
                if key not in knack:
                    knack[key] = rng.uniform(-0.35, 0.35)
                mean = ability[pupil.id] + knack[key] + shift
                value = max(2, min(5, round(rng.gauss(mean, 0.75))))
                comment = rng.choice(comments[value]) if rng.random() < 0.12 else ""
                created = _at_school(lesson.date, BELLS[lesson.number - 1][1], rng.randint(0, 300))
                self.marks.append(
                    _Mark(lesson, pupil, value, weight if control else 1, kind, comment, created)
                )
        for n, mark in enumerate(self.marks, 1):
            mark.id = n

    def _mark_state(self, mark: _Mark) -> dict[str, Any]:
        """What the server's audit record says of a mark (``journal._mark_state``)."""
        return {
            "lesson_id": mark.lesson.id,
            "pupil_id": mark.pupil.id,
            "value": mark.value,
            "weight": mark.weight,
            "kind": _KIND_VALUES[mark.kind],
            "comment": mark.comment,
            "version": mark.version,
        }

    def _edited_marks(self) -> None:
        """A few marks were corrected after they were given: version 2, with a reason that
        the audit log keeps (see :meth:`_audit_log`)."""
        rng = self.rng
        cutoff = self.today - dt.timedelta(days=10)
        candidates = [m for m in self.marks if m.value <= 4 and m.lesson.date <= cutoff]
        featured = self.featured_family.children[0]
        chosen: list[_Mark] = []
        mine = [m for m in candidates if m.pupil is featured]
        if mine:
            chosen.append(rng.choice(mine))
        want = 4 if self.size == "small" else 12
        rest = [m for m in candidates if m.pupil is not featured]
        chosen.extend(rng.sample(rest, min(want - len(chosen), len(rest))))
        chosen.sort(key=lambda m: m.id)
        self.edits: dict[int, tuple[dict[str, Any], str]] = {}
        """Mark id to the mark as first given and the reason it was changed."""
        for mark in chosen:
            first = self._mark_state(mark)
            mark.value = mark.value + 1
            mark.version = 2
            days = rng.randint(1, 9)
            mark.updated = mark.created + dt.timedelta(days=days, minutes=rng.randint(0, 120))
            self.edits[mark.id] = (first, rng.choice(self.t.retake_reason))

    def _audit_log(self) -> None:
        """The audit records of every mark, absence and period mark, as the server would have
        written them (a creation record each; the edited marks' change too), in time order and
        hash-chained under the audit key, so ``audit verify`` can check every row."""
        records: list[tuple[dt.datetime, int, int, str, dict[str, Any]]] = []
        # (at, order of the entity kind, entity id, action, record): a stable time order.
        for mark in self.marks:
            actor = mark.lesson.by.id
            edit = self.edits.get(mark.id)
            after = self._mark_state(mark)
            first = edit[0] if edit else after
            records.append(
                (
                    mark.created,
                    0,
                    mark.id,
                    "a",
                    audit_row(
                        mark.created,
                        actor,
                        "create",
                        "mark",
                        mark.id,
                        mark.pupil.id,
                        None,
                        first,
                        "",
                    ),
                )
            )
            if edit is not None and mark.updated is not None:
                records.append(
                    (
                        mark.updated,
                        0,
                        mark.id,
                        "b",
                        audit_row(
                            mark.updated,
                            actor,
                            "update",
                            "mark",
                            mark.id,
                            mark.pupil.id,
                            first,
                            after,
                            edit[1],
                        ),
                    )
                )
        # Absences and period marks are created once: one creation record each.
        created: tuple[tuple[type[schema.Base], int, str, str, tuple[str, ...]], ...] = (
            (
                schema.Absence,
                1,
                "absence",
                "created_at",
                ("lesson_id", "pupil_id", "kind", "minutes", "note", "version"),
            ),
            (
                schema.PeriodMark,
                2,
                "period_mark",
                "updated_at",
                ("pupil_id", "subject_id", "period_id", "value", "version"),
            ),
        )
        for model, order, entity, when, fields in created:
            for row in self.rows.get(_table(model).name, []):
                state = {name: row[name] for name in fields}
                at = row[when]
                record = audit_row(
                    at,
                    row["author_id"],
                    "create",
                    entity,
                    row["id"],
                    row["pupil_id"],
                    None,
                    state,
                    "",
                )
                records.append((at, order, row["id"], "a", record))
        records.sort(key=lambda r: r[:4])
        key = self.audit_key
        prev = GENESIS
        table_rows = self.rows.setdefault(_table(schema.AuditRecord).name, [])
        for n, (at, _order, _id, _step, record) in enumerate(records, 1):
            record["at"] = canonical_instant(at)  # what the hash covers
            digest = plain_record_hash(prev, record, key)
            record["at"] = at
            record["id"] = n
            record["prev_hash"] = prev
            record["hash"] = prev = digest
            table_rows.append(record)

    def _period_marks(self) -> None:
        """Quarter marks (the weighted average, half up) for every finished quarter, and year
        marks once the year is over."""
        from api_client.grading import suggested_period_mark, weighted_average

        finished = [(n, s, e) for n, s, e in self.periods if e < self.today]
        ends = [e for _n, _s, e in self.periods]
        per: dict[tuple[int, str, int], list[tuple[int, int]]] = {}
        for mark in self.marks:
            index = bisect.bisect_left(ends, mark.lesson.date)
            if index < len(finished):
                per.setdefault((mark.pupil.id, mark.lesson.subject.key, index), []).append(
                    (mark.value, mark.weight)
                )
        year: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for cls in self.classes:
            for pupil in cls.pupils:
                for key, class_teacher in cls.teachers.items():
                    # A group's pupil has the period mark from the group's teacher.
                    teacher = next(
                        (g.teacher for g in cls.groups.get(key, []) if pupil.id in g.members),
                        class_teacher,
                    )
                    for index, (n, _start, end) in enumerate(finished):
                        value = suggested_period_mark(
                            weighted_average(per.get((pupil.id, key, index), [])), 2, 5
                        )
                        if value is None:
                            continue
                        year.setdefault((pupil.id, key), []).append((value, 1))
                        self._add(
                            schema.PeriodMark,
                            {
                                "pupil_id": pupil.id,
                                "subject_id": self.subject_ids[key],
                                "year_id": self.year_id,
                                "period_id": self.period_ids[n - 1],
                                "value": value,
                                "author_id": teacher.id,
                                "version": 1,
                                "updated_at": _at_school(end, "16:00"),
                                "removed_at": None,
                            },
                        )
                    if self.today > self.year_end and (pupil.id, key) in year:
                        value = suggested_period_mark(weighted_average(year[(pupil.id, key)]), 2, 5)
                        self._add(
                            schema.PeriodMark,
                            {
                                "pupil_id": pupil.id,
                                "subject_id": self.subject_ids[key],
                                "year_id": self.year_id,
                                "period_id": None,
                                "value": value,
                                "author_id": teacher.id,
                                "version": 1,
                                "updated_at": _at_school(self.year_end, "16:00"),
                                "removed_at": None,
                            },
                        )

    # --- communication ---------------------------------------------------------------------------

    def _address(self, person: _Person) -> str:
        if self.ru:
            return f"{person.first} {person.middle}".strip()
        return f"{'Mrs' if person.female else 'Mr'} {person.last}"

    def _threads(self) -> None:
        rng = self.rng
        subject_names = {s.key: (s.ru if self.ru else s.en) for s in SUBJECTS}
        parent_of: dict[int, _Person] = {}
        for fam in self.families:
            for child in fam.children:
                parent_of[child.id] = fam.parents[0]
        plans: list[tuple[_Person, _Person, _Person, _Class, str]] = []
        per_class = 2 if self.size == "small" else 1
        for cls in self.classes:
            for _ in range(per_class):
                child = rng.choice(cls.pupils)
                key = rng.choice(list(cls.teachers))
                teacher = cls.homeroom if rng.random() < 0.5 else cls.teachers[key]
                assert teacher is not None
                plans.append((parent_of[child.id], child, teacher, cls, key))
        fam = self.featured_family
        mum = fam.parents[0]
        for child in fam.children:
            cls = self.pupil_class if child in self.pupil_class.pupils else self.sibling_class
            assert cls.homeroom is not None
            home_key = next((k for k, tt in cls.teachers.items() if tt is cls.homeroom), "math")
            plans.append((mum, child, cls.homeroom, cls, home_key))
        plans.append(
            (
                mum,
                fam.children[0],
                self.featured_teacher_of(self.pupil_class),
                self.pupil_class,
                self._key_of(self.pupil_class, self.featured_teacher_of(self.pupil_class)),
            )
        )
        messages: list[dict[str, Any]] = []
        threads: list[tuple[dict[str, Any], _Person, _Person, list[dict[str, Any]], bool]] = []
        for index, (parent, child, teacher, _cls, key) in enumerate(plans):
            featured = index >= len(plans) - 3
            scripts = list(self.t.threads)
            if index == len(plans) - 3:
                # the featured parent has a teacher's answer still to read
                scripts = [s for s in scripts if (len(s[2]) % 2 == 0) == s[1]]
            subject, parent_starts, script = rng.choice(scripts)
            when = self.today + dt.timedelta(days=rng.randint(3, 12))
            fill = {
                "child": child.first,
                **{
                    word: forms[int(parent.female if word == "dear" else child.female)]
                    for word, forms in self.t.gendered.items()
                },
                "teacher": self._address(teacher),
                "parent": self._address(parent),
                "subject": subject_names[key],
                "date": self._date(when),
            }
            first_at = _at_school(
                self.today - dt.timedelta(days=rng.randint(len(script) + 1, 40)),
                f"{rng.randint(8, 20):02d}:00",
                rng.randint(0, 59),
            )
            thread = self._add(
                schema.MessageThread,
                {
                    "school_id": SCHOOL_ID,
                    "subject": subject.format(**fill),
                    "pupil_id": child.id,
                    "created_by": (parent if parent_starts else teacher).id,
                    "created_at": first_at,
                    "updated_at": first_at,
                },
            )
            at = first_at
            own: list[dict[str, Any]] = []
            for turn, body in enumerate(script):
                author = parent if (turn % 2 == 0) == parent_starts else teacher
                message = {
                    "thread_id": thread["id"],
                    "author_id": author.id,
                    "body": body.format(**fill),
                    "created_at": at,
                }
                own.append(message)
                messages.append(message)
                thread["updated_at"] = at
                at += dt.timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
            threads.append((thread, parent, teacher, own, featured))
        messages.sort(key=lambda m: (m["created_at"], m["thread_id"]))
        for n, message in enumerate(messages, 1):
            message["id"] = n
            self._add(schema.Message, message)
        unread_for_mum = False
        for thread, parent, teacher, own, featured in threads:
            last = own[-1]
            for person in (parent, teacher):
                read = last["id"]
                if last["author_id"] != person.id:
                    unread = rng.random() < 0.4
                    if featured and person is parent and not unread_for_mum:
                        unread = True  # the first featured thread whose last word is not hers
                    if unread:
                        read = own[-2]["id"] if len(own) > 1 else 0
                        if person is parent and featured:
                            unread_for_mum = True
                self._add(
                    schema.ThreadParticipant,
                    {"thread_id": thread["id"], "user_id": person.id, "last_read_id": read},
                )

    def _chat(self) -> None:
        """A short talk in the class chat of the featured pupil's class, two days ago: three
        of its pupils and its class teacher. Drawn without the random stream, so adding it
        changes nothing else of the school."""
        cls = self.pupil_class
        teacher = cls.homeroom
        if teacher is None or not cls.pupils or not self.t.chat:
            return
        key = next(iter(cls.teachers), "")
        subject = next(((s.ru if self.ru else s.en) for s in SUBJECTS if s.key == key), key)
        pupils = cls.pupils[:3]
        start = _at_school(self.today - dt.timedelta(days=2), "16:05")
        turn = 0
        for n, (who, line) in enumerate(self.t.chat):
            if who == "teacher":
                author = teacher
            else:
                author = pupils[turn % len(pupils)]
                turn += 1
            self._add(
                schema.ChatMessage,
                {
                    "school_id": SCHOOL_ID,
                    "class_id": cls.id,
                    "author_id": author.id,
                    "body": line.format(subject=subject),
                    "sent_at": start + dt.timedelta(minutes=7 * n),
                },
            )

    def featured_teacher_of(self, cls: _Class) -> _Person:
        """A teacher of ``cls`` for the chooser: mathematics or Russian first, preferably one
        who leads no class (so the class teacher account shows something else)."""
        order = ("math", "algebra", "russian", "english", "history", "biology", "geography")
        teachers = [cls.teachers[k] for k in order if k in cls.teachers]
        teachers += [t for t in cls.teachers.values() if t not in teachers]
        free = [t for t in teachers if t.homeroom is None]
        return (free or teachers)[0]

    @staticmethod
    def _key_of(cls: _Class, teacher: _Person) -> str:
        return next(k for k, t in cls.teachers.items() if t is teacher)

    def _announcements(self) -> None:
        rng = self.rng
        school = list(self.t.school_announcements)
        rng.shuffle(school)
        count = 3 if self.size == "small" else 5
        first_ids = []
        for i, (title, body) in enumerate(school[:count]):
            days = (count - i) * rng.randint(3, 7)
            row = self._add(
                schema.Announcement,
                {
                    "school_id": SCHOOL_ID,
                    "class_id": None,
                    "audience": "school",
                    "author_id": self.director.id,
                    "title": title,
                    "body": body,
                    "published_at": _at_school(self.today - dt.timedelta(days=days), "10:00"),
                },
            )
            first_ids.append(row["id"])
        for cls in self.classes:
            assert cls.homeroom is not None
            featured = cls is self.pupil_class or cls is self.sibling_class
            for title, body in rng.sample(self.t.class_announcements, 2 if featured else 1):
                self._add(
                    schema.Announcement,
                    {
                        "school_id": SCHOOL_ID,
                        "class_id": cls.id,
                        "audience": "class",
                        "author_id": cls.homeroom.id,
                        "title": title,
                        "body": body,
                        "published_at": _at_school(
                            self.today - dt.timedelta(days=rng.randint(1, 25)),
                            f"{rng.randint(9, 18):02d}:00",
                        ),
                    },
                )
        mum = self.featured_family.parents[0]
        for announcement_id in first_ids[:2]:
            self._add(
                schema.AnnouncementRead,
                {
                    "announcement_id": announcement_id,
                    "user_id": mum.id,
                    "read_at": _at_school(self.today - dt.timedelta(days=1), "20:00"),
                },
            )

    def _blogs(self) -> None:
        """A few teacher blog posts with comments: two for the featured pupil's class (its
        class teacher's and a subject teacher's), one for the school. Drawn from a random
        source of their own, so the rest of the school is the same with or without them."""
        rng = random.Random(f"blogs-{self.seed}")
        cls = self.pupil_class
        assert cls.homeroom is not None
        others = [t for t in cls.teachers.values() if t is not cls.homeroom]
        authors = [cls.homeroom, others[0] if others else cls.homeroom, self.teachers[0]]
        family = self.featured_family
        readers = [*family.parents, *(c for c in family.children if c in cls.pupils)]
        comments = list(self.t.blog_comments)
        for i, (title, body) in enumerate(self.t.blog_posts):
            published = _at_school(
                self.today - dt.timedelta(days=(len(self.t.blog_posts) - i) * rng.randint(2, 5)),
                f"{rng.randint(15, 19):02d}:00",
            )
            post = self._add(
                schema.BlogPost,
                {
                    "school_id": SCHOOL_ID,
                    "class_id": cls.id if i < len(self.t.blog_posts) - 1 else None,
                    "author_id": authors[i % len(authors)].id,
                    "title": title,
                    "body": body,
                    "published_at": published,
                    "comments_closed": False,
                    "version": 1,
                },
            )
            if not comments or not readers:
                continue
            reader = readers[i % len(readers)]
            self._add(
                schema.BlogComment,
                {
                    "post_id": post["id"],
                    "author_id": reader.id,
                    "body": comments[i % len(comments)],
                    "created_at": published + dt.timedelta(hours=rng.randint(1, 4)),
                    "version": 1,
                },
            )

    def _events(self) -> None:
        rng = self.rng
        t = self.t
        rows: list[dict[str, Any]] = []

        def event(
            kind: str,
            title: str,
            start: dt.datetime,
            hours: float,
            place: str,
            description: str,
            class_id: int | None,
        ) -> None:
            agenda = ""
            if kind == "parent_meeting" and description in t.meeting_description:
                agenda = "\n".join(t.meeting_agenda[t.meeting_description.index(description)])
            rows.append(
                {
                    "school_id": SCHOOL_ID,
                    "class_id": class_id,
                    "kind": kind,
                    "title": title,
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(hours=hours),
                    "place": place,
                    "description": description,
                    "agenda": agenda,
                    "minutes": "",
                }
            )

        def school_event(date: dt.date, hour: int, title: str, place: str, text: str) -> None:
            """A two-hour event of the whole school starting on the hour."""
            event("school_event", title, _at_school(date, f"{hour:02d}:00"), 2, place, text, None)

        first = self.year_start.year
        for month, day, hour, title, place, description in t.school_events:
            date = dt.date(first if month >= 9 else first + 1, month, day)
            school_event(date, hour, title, place, description)
        monday = _monday(self.today)
        for (title, place, description), offset, hour in zip(
            t.this_week_events, (2, 8, 10), (12, 14, 15), strict=True
        ):
            school_event(monday + dt.timedelta(days=offset), hour, title, place, description)
        # Parent meetings: one near the end of every quarter, and some this week or next.
        soon: dict[int, dt.date] = {}
        for cls in self.classes:
            if cls is self.pupil_class:
                soon[cls.id] = monday + dt.timedelta(days=3)
            elif cls is self.sibling_class:
                soon[cls.id] = monday + dt.timedelta(days=8)
            elif rng.random() < 0.25:
                soon[cls.id] = monday + dt.timedelta(days=rng.choice((1, 2, 3, 7, 8, 9, 10)))
        for cls in self.classes:
            name = t.parent_meeting.format(cls=cls.name)
            place = t.meeting_place.format(room=cls.room)
            for _n, _start, end in self.periods:
                date = end - dt.timedelta(days=rng.randint(4, 12))
                while date.weekday() >= 5:
                    date -= dt.timedelta(days=1)
                if cls.id in soon and abs((date - soon[cls.id]).days) < 14:
                    continue
                event(
                    "parent_meeting",
                    name,
                    _at_school(date, "18:00"),
                    1,
                    place,
                    rng.choice(t.meeting_description),
                    cls.id,
                )
            if cls.id in soon:
                event(
                    "parent_meeting",
                    name,
                    _at_school(soon[cls.id], "18:30"),
                    1,
                    place,
                    rng.choice(t.meeting_description),
                    cls.id,
                )
        # Mock exams for the leavers.
        names = {s.key: (s.ru if self.ru else s.en) for s in SUBJECTS}
        for cls in self.classes:
            if cls.grade not in (9, 11):
                continue
            for key, date in (
                ("russian", dt.date(first + 1, 2, 10)),
                ("algebra", dt.date(first + 1, 2, 17)),
            ):
                while date.weekday() >= 5:
                    date += dt.timedelta(days=1)
                event(
                    "exam",
                    t.exam_title.format(subject=names[key]),
                    _at_school(date, "09:00"),
                    3.9,
                    cls.room,
                    "",
                    cls.id,
                )
        rows.sort(key=lambda r: (r["starts_at"], r["class_id"] or 0, r["title"]))
        for row in rows:
            self._add(schema.Event, row)
        self._meeting_minutes_and_answers(rows)

    def _meeting_minutes_and_answers(self, rows: list[dict[str, Any]]) -> None:
        """The class teacher's class (the featured family's second child's) shows the whole
        life of a meeting: its last meeting before today has minutes, its next one has some
        parents' answers (not the featured parent's: theirs is to give in the demo). Drawn
        from no random numbers, so the rest of the school is as before."""
        cls = self.sibling_class
        now = _at_school(self.today, "08:00")
        meetings = [
            row for row in rows if row["kind"] == "parent_meeting" and row["class_id"] == cls.id
        ]
        past = [row for row in meetings if row["starts_at"] < now]
        coming = [row for row in meetings if row["starts_at"] >= now]
        if past:
            past[-1]["minutes"] = self.t.meeting_minutes
        if not coming:
            return
        event_id = coming[0]["id"]
        answered_at = _at_school(self.today - dt.timedelta(days=1), "19:00")
        featured = set(map(id, self.featured_family.parents))
        parents: list[_Person] = []
        for fam in self.families:
            if any(child in cls.pupils for child in fam.children) and fam.parents:
                parent = fam.parents[0]
                if id(parent) not in featured and parent not in parents:
                    parents.append(parent)
        comments = self.t.meeting_comments
        for index, parent in enumerate(parents):
            if index % 3 == 2:
                continue  # not answered yet
            self._add(
                schema.MeetingAnswer,
                {
                    "event_id": event_id,
                    "parent_id": parent.id,
                    "coming": index % 3 == 0,
                    "comment": comments[index % len(comments)] if index % 4 == 0 else "",
                    "answered_at": answered_at,
                },
            )

    # --- logins and the featured accounts -----------------------------------------------------

    def _logins_and_featured(self) -> None:
        fam = self.featured_family
        pupil = fam.children[0]
        teacher = self.featured_teacher_of(self.pupil_class)
        classteacher = self.sibling_class.homeroom
        assert classteacher is not None
        if classteacher is teacher:
            classteacher = self.pupil_class.homeroom
            assert classteacher is not None
        chosen = [
            ("parent", fam.parents[0]),
            ("pupil", pupil),
            ("teacher", teacher),
            ("classteacher", classteacher),
            ("admin", self.director),
            ("it", self.it),
            ("nurse", self.nurse),
            ("authority", self.authority),
        ]
        taken: set[str] = set()
        for login, person in chosen:
            person.login = login
            taken.add(login)
        for person in self.people:
            if person.login:
                continue
            base = f"{transliterate(person.last)}.{transliterate(person.first)[:1]}"
            login, n = base, 1
            while login in taken:
                n += 1
                login = f"{base}{n}"
            person.login = login
            taken.add(login)

        def class_of(child: _Person) -> str:
            return next(c.name for c in self.classes if child in c.pupils)

        subject_names = {s.key: (s.ru if self.ru else s.en) for s in SUBJECTS}
        taught = _unique(
            subject_names[k] for c in self.classes for k, tt in c.teachers.items() if tt is teacher
        )
        titles = self.t.titles
        fill = {
            "parent": {"children": ", ".join(f"{c.name} ({class_of(c)})" for c in fam.children)},
            "pupil": {
                "cls": class_of(pupil),
                "name": pupil.name,
                "pupil_word": self.t.gendered["pupil_word"][int(pupil.female)],
            },
            "teacher": {"subjects": ", ".join(taught), "name": teacher.name},
            "classteacher": {
                "cls": classteacher.homeroom.name if classteacher.homeroom else "",
                "name": classteacher.name,
            },
        }
        for login, person in chosen:
            title = titles[login].format(**fill.get(login, {"name": person.name}))
            self.featured.append(DemoAccount(login, DEMO_PASSWORD, person.role.value, title))

    def _parent_contacts(self) -> dict[int, tuple[str, str]]:
        """Each parent's telephone and e-mail as the school has them: most gave a mobile
        number, many an e-mail too, some families gave neither (``""``: not known). Drawn from
        a stream of their own, so every other row of the school stays as the seed makes it."""
        rng = random.Random(f"contacts-{self.seed}")
        domains = RU_MAIL_DOMAINS if self.ru else EN_MAIL_DOMAINS
        contacts: dict[int, tuple[str, str]] = {}
        for person in self.people:
            if person.role != Role.PARENT:
                continue
            phone = email = ""
            if rng.random() < 0.88:
                if self.ru:
                    digits = f"9{rng.randrange(100):02d}{rng.randrange(10_000_000):07d}"
                    phone = f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
                else:
                    phone = f"+44 7700 900{rng.randrange(1000):03d}"
                if rng.random() < 0.7:
                    local = f"{transliterate(person.last)}.{transliterate(person.first)}"
                    if rng.random() < 0.6:
                        local += str(
                            rng.randrange(70, 100) if rng.random() < 0.5 else rng.randrange(1, 30)
                        )
                    email = f"{local}@{rng.choice(domains)}"
            contacts[person.id] = (phone, email)
        return contacts

    def _people_rows(self) -> None:
        created = _at_school(self.year_start - dt.timedelta(days=7), "09:00")
        contacts = self._parent_contacts()
        for person in self.people:
            phone, email = contacts.get(person.id, ("", ""))
            self._add(
                schema.User,
                {
                    "id": person.id,
                    "school_id": SCHOOL_ID,
                    "login": person.login,
                    "password_hash": "",
                    "role": person.role.value,
                    "first_name": person.first,
                    "last_name": person.last,
                    "middle_name": person.middle,
                    "locked": False,
                    "must_change_password": False,
                    "created_at": created,
                    "phone": phone,
                    "email": email,
                },
            )
        made: list[tuple[int, int, str]] = []
        for cls in self.classes:
            teacher = cls.homeroom
            assert teacher is not None
            rules.check_class_teacher((teacher.id, teacher.role.value, teacher.last))
            row = rules.class_row(SCHOOL_ID, self.year_id, cls.grade, cls.letter, teacher.id, made)
            self._add(schema.SchoolClass, {"id": cls.id, **row})
            made.append((cls.id, cls.grade, row["letter"]))
            for pupil in cls.pupils:
                self._add(
                    schema.Enrolment,
                    {
                        "pupil_id": pupil.id,
                        "class_id": cls.id,
                        "start": self.year_start,
                        "end": None,
                    },
                )
        for fam in self.families:
            for parent in fam.parents:
                for child in fam.children:
                    self._add(schema.ParentLink, {"parent_id": parent.id, "pupil_id": child.id})
        self._consents(created)

    def _consents(self, created: dt.datetime) -> None:
        """The standard consent text as version 1, and the paper forms the families signed at
        the start of the year: most parents consented, some never brought the form back and
        a few withdrew it since (the featured family consented)."""
        from demo_server.consent import STANDARD_TEXT

        text = self._add(
            schema.ConsentText,
            {
                "school_id": SCHOOL_ID,
                "version": 1,
                "text": STANDARD_TEXT[self.t.lang],
                "created_at": created,
                "created_by": None,
            },
        )
        featured = {p.id for p in self.featured_family.parents}
        signed = self.year_start - dt.timedelta(days=5)
        for fam in self.families:
            for parent in fam.parents:
                if parent.id not in featured and parent.id % 10 == 3:
                    continue  # never brought the form back
                record = {
                    "school_id": SCHOOL_ID,
                    "parent_id": parent.id,
                    "text_id": text["id"],
                    "way": "paper",
                    "recorded_by": None,
                    "note": "",
                }
                self._add(
                    schema.ConsentRecord,
                    {**record, "action": "given", "signed_on": signed, "at": created},
                )
                if parent.id not in featured and parent.id % 29 == 0:
                    withdrew = min(self.today, self.year_start + dt.timedelta(days=parent.id % 40))
                    self._add(
                        schema.ConsentRecord,
                        {
                            **record,
                            "action": "withdrawn",
                            "signed_on": withdrew,
                            "at": _at_school(withdrew, "15:00"),
                        },
                    )

    def _lesson_kind(self, lesson_id: int) -> dict[str, object]:
        """A control lesson (a test, a dictation, ...) is of that kind, with its marks' weight."""
        control = self.control.get(lesson_id)
        if control is None:
            return {"kind": LessonKind.LESSON.value, "weight": 1}
        kind = LessonKind(control.value)
        weight = self.control_weight.get(lesson_id, LESSON_KIND_WEIGHTS[kind])
        return {"kind": kind.value, "weight": weight}

    def _lesson_rows(self) -> None:
        lesson_rows = [
            {
                "id": lesson.id,
                "class_id": lesson.cls.id,
                "group_id": lesson.group.id if lesson.group else None,
                "slot_id": lesson.slot_id,
                "subject_id": self.subject_ids[lesson.subject.key],
                "teacher_id": lesson.teacher.id,
                "substitute_id": lesson.substitute.id if lesson.substitute else None,
                "date": lesson.date,
                "number": lesson.number,
                "room": lesson.room,
                "planned_room": lesson.planned_room,
                "status": lesson.status.value,
                "note": lesson.note,
                "topic": lesson.topic,
                **self._lesson_kind(lesson.id),
                "version": 1,
            }
            for lesson in self.lessons
        ]
        self.rows[_table(schema.Lesson).name] = lesson_rows
        self.rows[_table(schema.Mark).name] = [
            {
                "id": mark.id,
                "lesson_id": mark.lesson.id,
                "pupil_id": mark.pupil.id,
                "value": mark.value,
                "weight": mark.weight,
                "kind": mark.kind.value,
                "comment": mark.comment,
                "author_id": mark.lesson.by.id,
                "version": mark.version,
                "created_at": mark.created,
                "updated_at": mark.updated or mark.created,
                "removed_at": None,
            }
            for mark in self.marks
        ]


def _unique(items: Iterable[_T]) -> list[_T]:
    """The items in their first order, without repeats (by equality; people by identity)."""
    out: list[_T] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out
