"""A school: made from nothing (``diary-server init``), read and changed by its IT staff and
administration; and what every set-up write shares (the stale-version refusal, the audit
record, forgetting the week's cached facts).

Every set-up service works within one school, the caller's (``Viewer.school_id``): a thing of
another school is answered as one that does not exist (:func:`demo_server.access.not_found`).
Nothing here commits: the routes' ``write`` wrapper (or the command line) does, so a write and
its audit record land together or not at all.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import schema as s
from demo_server import setup_rules as rules
from demo_server.access import not_found
from demo_server.consent import add_standard_text
from demo_server.passwords import generate_one_time_password
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.roster import unique_login
from demo_server.security import hash_password
from demo_server.week import forget_school_facts

FIRST_IT_FIRST_NAME = {"ru": "Администратор", "en": "IT"}
FIRST_IT_LAST_NAME = {"ru": "ИТ", "en": "Administrator"}


# --- shared by every set-up write ---------------------------------------------------------------


def plain(value: msgspec.Struct) -> dict[str, Any]:
    """A response Struct as the JSON an audit record keeps (dates as ISO text)."""
    result = msgspec.to_builtins(value)
    assert isinstance(result, dict)
    return result


async def audit(
    db: AsyncSession,
    *,
    now: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int,
    before: msgspec.Struct | None = None,
    after: msgspec.Struct | None = None,
) -> None:
    """The audit record of a set-up write: ``entity`` is ``school``, ``year``, ``period``,
    ``holiday``, ``bell_schedule``, ``bell_day``, ``subject``, ``room`` or ``class``."""
    await append_audit(
        db,
        at=now,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=None if before is None else plain(before),
        after=None if after is None else plain(after),
    )


STALE = {
    "year": N_(
        "this year was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
    "period": N_(
        "this period was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
    "holiday": N_(
        "this holiday was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
    "bell_schedule": N_(
        "this bell schedule was changed by someone else since you read it: look at it as it "
        "is now (in 'current') and make your change again"
    ),
    "subject": N_(
        "this subject was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
    "room": N_(
        "this room was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
    "class": N_(
        "this class was changed by someone else since you read it: look at it as it is now "
        "(in 'current') and make your change again"
    ),
}
"""The stale-version refusal of each kind of set-up thing: a sentence each, as the Russian
words for them differ in gender (год изменён, расписание изменено)."""


def stale(kind: str, current: msgspec.Struct) -> ProblemError:
    """The 409 of an update based on an old version: ``current`` is the thing as it is now."""
    return ProblemError(409, _(STALE[kind]), field="version", current=current)


OfSchoolT = TypeVar(
    "OfSchoolT", s.AcademicYear, s.Holiday, s.BellSchedule, s.Subject, s.Room, s.SchoolClass
)
"""A set-up thing kept per school (a period belongs to its year)."""


async def of_school(
    db: AsyncSession,
    model: type[OfSchoolT],
    row_id: int,
    school_id: int,
    what: str,
    field: str,
    status: int = 404,
) -> OfSchoolT:
    """The school's row of ``model``, or the one refusal for "none" and "another school's"
    (:func:`access.not_found`: "there is no ``what`` with this id ...")."""
    row = await db.get(model, row_id)
    if row is None or row.school_id != school_id:
        raise not_found(what, field, status)
    return row


def check_version(kind: str, row: Any, version: int, current: msgspec.Struct) -> None:
    """The stale refusal (:func:`stale`) when ``row`` is no longer at ``version``."""
    if version != row.version:
        raise stale(kind, current)


RowT = TypeVar("RowT")
"""A set-up table's row (:mod:`demo_server.schema`): an ``id`` and the ``version`` an update
is based on."""
AnswerT = TypeVar("AnswerT", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class SetupTable(Generic[RowT, AnswerT]):
    """One kind of set-up thing (a year, a period, a subject ...) as every write of it goes:
    the row written, the answer read back, the audit record, and for what the week shows
    (years, holidays, bells) the week's cached facts dropped.

    The checks before a write (names taken, overlaps, things in use) are each kind's own and
    are made by the caller; the version rule is the same for all: an update or removal based
    on another version than the row's is refused with the thing as it is now."""

    entity: str
    """The audit record's entity, and the key of the stale refusal (:data:`STALE`)."""
    model: type[RowT]
    answer: Callable[[AsyncSession, RowT], Awaitable[AnswerT]]
    """The thing as set-up answers it, read from its row."""
    calendar: bool = False
    """The week's cached bells and holidays depend on it (:func:`calendar_changed`)."""

    def _calendar_changed(self, db: AsyncSession, school_id: int) -> None:
        if self.calendar:
            calendar_changed(db, school_id)

    async def insert(
        self,
        db: AsyncSession,
        values: dict[str, Any],
        *,
        school_id: int,
        actor_id: int,
        now: dt.datetime,
    ) -> AnswerT:
        """A new row of ``values``, audited as made; the answer for it."""
        model: Any = self.model
        row_id = await db.scalar(insert(model).values(**values).returning(model.id))
        assert row_id is not None
        row = await db.get(self.model, row_id)
        assert row is not None
        return await self.written(db, row, None, school_id, actor_id, now)

    def holds(self, row: RowT, values: dict[str, Any]) -> bool:
        """``row`` already holds ``values``: an update of them changes nothing."""
        return all(getattr(row, key) == value for key, value in values.items())

    async def bump(
        self, db: AsyncSession, row: RowT, version: int, values: dict[str, Any], before: AnswerT
    ) -> None:
        """``values`` and the next version written on ``row`` when it is still at
        ``version`` (else the stale refusal), and ``row`` read again."""
        if not await bump(db, self.model, _id_of(row), version, **values):
            raise stale(self.entity, before)
        await db.refresh(row)

    async def written(
        self,
        db: AsyncSession,
        row: RowT,
        before: AnswerT | None,
        school_id: int,
        actor_id: int,
        now: dt.datetime,
    ) -> AnswerT:
        """The answer for ``row`` as written (with what belongs to it), audited as made
        (``before`` None) or as changed from ``before``."""
        after = await self.answer(db, row)
        await audit(
            db,
            now=now,
            actor_id=actor_id,
            action="create" if before is None else "update",
            entity=self.entity,
            entity_id=_id_of(row),
            before=before,
            after=after,
        )
        self._calendar_changed(db, school_id)
        return after

    async def change(
        self,
        db: AsyncSession,
        row: RowT,
        version: int,
        values: dict[str, Any],
        before: AnswerT,
        *,
        school_id: int,
        actor_id: int,
        now: dt.datetime,
    ) -> AnswerT:
        """``values`` written on ``row`` based on ``version`` and audited; ``before`` as it
        was when they change nothing."""
        check_version(self.entity, row, version, before)
        if self.holds(row, values):
            return before
        await self.bump(db, row, version, values, before)
        return await self.written(db, row, before, school_id, actor_id, now)

    async def remove(
        self,
        db: AsyncSession,
        row: RowT,
        before: AnswerT,
        *,
        school_id: int,
        actor_id: int,
        now: dt.datetime,
    ) -> m.Removed:
        """``row`` deleted (its version checked by the caller, with its own rules of what
        keeps it), audited as removed."""
        model: Any = self.model
        row_id = _id_of(row)
        await db.execute(delete(model).where(model.id == row_id))
        await audit(
            db,
            now=now,
            actor_id=actor_id,
            action="remove",
            entity=self.entity,
            entity_id=row_id,
            before=before,
        )
        self._calendar_changed(db, school_id)
        return m.Removed(id=row_id)


def calendar_changed(db: AsyncSession, school_id: int) -> None:
    """The week's cached bells and holidays of this process are dropped (a set-up write)."""
    forget_school_facts(db.get_bind(), school_id)  # type: ignore[arg-type]


async def teacher_name(db: AsyncSession, user_id: int | None) -> m.TeacherRef | None:
    if user_id is None:
        return None
    row = (
        await db.execute(
            select(s.User.first_name, s.User.middle_name, s.User.last_name).where(
                s.User.id == user_id
            )
        )
    ).one_or_none()
    if row is None:
        return None
    from demo_server.week import short_name

    return m.TeacherRef(id=user_id, name=short_name(row[0], row[1], row[2]))


# --- the school ---------------------------------------------------------------------------------


def school_struct(school: s.School) -> m.SetupSchool:
    return m.SetupSchool(
        id=school.id, name=school.name, timezone=school.timezone, language=school.language
    )


async def school_of(db: AsyncSession, school_id: int) -> s.School:
    school = await db.get(s.School, school_id)
    assert school is not None  # the viewer's own school
    return school


async def school_info(db: AsyncSession, school_id: int) -> m.SetupSchool:
    return school_struct(await school_of(db, school_id))


async def update_school(
    db: AsyncSession, *, school_id: int, actor_id: int, data: m.SchoolUpdate, now: dt.datetime
) -> m.SetupSchool:
    """The school's name, time zone and language; fields left out stay."""
    school = await school_of(db, school_id)
    before = school_struct(school)
    if data.name is not None:
        name = rules.check_school_name(data.name)
        await _refuse_same_name(db, name, school_id)
        school.name = name
    if data.timezone is not None:
        school.timezone = rules.check_timezone(data.timezone)
    if data.language is not None:
        school.language = rules.check_language(data.language)
    after = school_struct(school)
    if after != before:
        await db.flush()
        await audit(
            db,
            now=now,
            actor_id=actor_id,
            action="update",
            entity="school",
            entity_id=school_id,
            before=before,
            after=after,
        )
        calendar_changed(db, school_id)
    return after


async def _refuse_same_name(db: AsyncSession, name: str, school_id: int | None) -> None:
    key = rules.fold(name)
    for other_id, other_name in await db.execute(select(s.School.id, s.School.name)):
        if other_id != school_id and rules.fold(other_name) == key:
            raise rules.conflict(
                "school",
                other_id,
                other_name,
                _("this server already holds a school named {name}").format(name=repr(other_name)),
                "name",
            )


@dataclass(frozen=True)
class NewSchool:
    """What ``diary-server init`` made: the school and its first IT account."""

    school_id: int
    name: str
    login: str
    password: str
    """The one-time password, shown once: it must be changed at the first login."""


class SchoolExists(Exception):
    """``diary-server init`` for a school the server already holds."""

    def __init__(self, school_id: int, name: str) -> None:
        super().__init__(
            _("the school {name} already exists on this server (id {id})").format(
                name=repr(name), id=school_id
            )
        )
        self.school_id = school_id
        self.name = name


async def init_school(
    db: AsyncSession, *, name: str, timezone: str, language: str, now: dt.datetime
) -> NewSchool:
    """A new school and its first IT staff account, with a one-time password.

    Raises :class:`SchoolExists` when a school of the same name (spaces and case aside) is
    already there, and :class:`ProblemError` (naming the field: ``name``, ``timezone``,
    ``language``) for a bad value. Nothing is written in either case."""
    row = rules.school_row(name, timezone, language)
    key = rules.fold(row["name"])
    for other_id, other_name in await db.execute(select(s.School.id, s.School.name)):
        if rules.fold(other_name) == key:
            raise SchoolExists(other_id, other_name)
    school_id = await db.scalar(insert(s.School).values(**row).returning(s.School.id))
    assert school_id is not None
    taken = set((await db.execute(select(s.User.login))).scalars())
    login = unique_login("it.admin", taken)
    password = generate_one_time_password(random.SystemRandom())
    user_id = await db.scalar(
        insert(s.User)
        .values(
            school_id=school_id,
            login=login,
            password_hash=hash_password(password),
            role=m.Role.IT_STAFF.value,
            first_name=FIRST_IT_FIRST_NAME[language],
            last_name=FIRST_IT_LAST_NAME[language],
            must_change_password=True,
            created_at=now,
        )
        .returning(s.User.id)
    )
    assert user_id is not None
    await add_standard_text(db, school_id, row["language"], now)
    school = await school_of(db, school_id)
    await audit(
        db,
        now=now,
        actor_id=None,
        action="create",
        entity="school",
        entity_id=school_id,
        after=school_struct(school),
    )
    await append_audit(
        db,
        at=now,
        actor_id=None,
        action="create",
        entity="user",
        entity_id=user_id,
        after={"login": login, "role": m.Role.IT_STAFF.value, "school_id": school_id},
    )
    return NewSchool(school_id=school_id, name=row["name"], login=login, password=password)


async def school_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(s.School)) or 0)


async def bump(db: AsyncSession, model: Any, row_id: int, version: int, **values: Any) -> bool:
    """Writes ``values`` and the next version when the row still has ``version``; False when
    a concurrent write got there first."""
    result = await db.execute(
        update(model)
        .where(model.id == row_id, model.version == version)
        .values(version=version + 1, **values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _id_of(row: Any) -> int:
    row_id: int = row.id
    return row_id
