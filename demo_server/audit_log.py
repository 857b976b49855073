"""The audit log as its readers see it: a page of a school's records, newest first, with the
names of the people, the class, subject and day of the lesson each change is about.

The records themselves, and the keyed chain that makes them tamper-evident, are written by
``records.py`` with ``audit.py``; ``audit_verify.py`` checks them. This module only reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import MAX_ID, not_found
from demo_server.auth import Viewer
from demo_server.clock import school_zone
from demo_server.problems import ProblemError
from demo_server.week import class_name, current_classes

ENTITIES = ("mark", "absence", "homework", "topic", "period_mark")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


async def find_user(db: AsyncSession, viewer: Viewer, value: str, field: str) -> int:
    """A user of the viewer's school by id or login, or a 404 problem naming ``field``."""
    text = value.strip()
    if not text:
        raise ProblemError(
            422, _("'{field}' is empty: give a login or an id").format(field=field), field=field
        )
    query = select(s.User.id).where(s.User.school_id == viewer.school_id)
    if text.isdigit():
        number = int(text)
        if not 0 < number <= MAX_ID:
            raise not_found("person", field)
        query = query.where(or_(s.User.id == number, s.User.login == text))
    else:
        query = query.where(func.lower(s.User.login) == text.lower())
    found = (await db.execute(query.limit(2))).scalars().all()
    if not found:
        # An id answers as every unknown id does (it names nobody); a login is the caller's own
        # words, said back.
        if text.isdigit():
            raise not_found("person", field)
        raise ProblemError(
            404, _("there is nobody with the login {text!r}").format(text=text), field=field
        )
    if len(found) > 1:  # a login made of digits that is also someone's id: the id wins
        return int(text)
    return int(found[0])


MAX_NAMED = 50
"""At most this many people a name may stand for in a filter (more: type more of it)."""


def _folded(text: str) -> str:
    """For comparing names: case and ё/е do not matter (SQLite's lower() knows ASCII only,
    so names are compared here)."""
    return text.casefold().replace("ё", "е")


async def find_people(db: AsyncSession, viewer: Viewer, value: str, field: str) -> list[int]:
    """The people of the viewer's school that a filter stands for: an id, a login, or a name
    (each word the start of the surname, first name or middle name, in any order and case:
    ``Иванова``, ``иванова мар``). A 404 problem naming ``field`` when nobody fits, a 422 when
    too many do."""
    text = value.strip()
    if not text:
        raise ProblemError(
            422,
            _("'{field}' is empty: give a name, a login or an id").format(field=field),
            field=field,
        )
    if text.isdigit():
        return [await find_user(db, viewer, text, field)]
    by_login = (
        (
            await db.execute(
                select(s.User.id).where(
                    s.User.school_id == viewer.school_id, func.lower(s.User.login) == text.lower()
                )
            )
        )
        .scalars()
        .all()
    )
    if by_login:
        return [int(by_login[0])]
    words = [_folded(w) for w in text.split()]
    found = [
        int(uid)
        for uid, last, first, middle in await db.execute(
            select(s.User.id, s.User.last_name, s.User.first_name, s.User.middle_name)
            .where(s.User.school_id == viewer.school_id)
            .order_by(s.User.id)
        )
        if all(
            any(_folded(part).startswith(w) for part in (last, first, middle) if part)
            for w in words
        )
    ]
    if not found:
        raise ProblemError(
            404,
            _("nobody has the login or name '{text}': check the spelling").format(text=text),
            field=field,
        )
    if len(found) > MAX_NAMED:
        raise ProblemError(
            422,
            _("'{text}' fits {count} people: type more of the name, or a login").format(
                text=text, count=len(found)
            ),
            field=field,
        )
    return found


def _lesson_id(record: s.AuditRecord) -> int | None:
    for state in (record.after, record.before):
        if isinstance(state, dict) and isinstance(state.get("lesson_id"), int):
            return int(state["lesson_id"])
    return None


async def _lesson_of(
    db: AsyncSession, records: Iterable[s.AuditRecord]
) -> dict[int, tuple[int, int, dt.date]]:
    """record id -> (class id, subject id, date) of the lesson the change is about."""
    by_table: dict[str, dict[int, list[int]]] = {}
    lesson_of_record: dict[int, int] = {}
    for record in records:
        lesson = _lesson_id(record)
        if lesson is not None:
            lesson_of_record[record.id] = lesson
        elif record.entity == "topic":
            lesson_of_record[record.id] = record.entity_id
        elif record.entity in ("mark", "absence", "homework"):
            by_table.setdefault(record.entity, {}).setdefault(record.entity_id, []).append(
                record.id
            )
    tables: dict[str, Any] = {"mark": s.Mark, "absence": s.Absence, "homework": s.Homework}
    for entity, ids in by_table.items():
        table = tables[entity]
        for entity_id, lesson_id in await db.execute(
            select(table.id, table.lesson_id).where(table.id.in_(list(ids)))
        ):
            for record_id in ids[entity_id]:
                lesson_of_record[record_id] = lesson_id
    if not lesson_of_record:
        return {}
    lessons = {
        lid: (cid, sid, day)
        for lid, cid, sid, day in await db.execute(
            select(s.Lesson.id, s.Lesson.class_id, s.Lesson.subject_id, s.Lesson.date).where(
                s.Lesson.id.in_(set(lesson_of_record.values()))
            )
        )
    }
    return {rid: lessons[lid] for rid, lid in lesson_of_record.items() if lid in lessons}


async def load_audit(
    db: AsyncSession,
    viewer: Viewer,
    today: dt.date,
    *,
    pupil_ids: list[int] | None = None,
    actor_ids: list[int] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entity: str | None = None,
    actions: tuple[str, ...] | None = None,
    limit: int = DEFAULT_LIMIT,
    before: int | None = None,
) -> m.AuditPage:
    """A page of the viewer's school's audit log, newest first."""
    school = await db.get(s.School, viewer.school_id)
    zone = school_zone(school.timezone if school is not None else None)
    actor = aliased(s.User)
    pupil = aliased(s.User)
    query = (
        select(s.AuditRecord)
        .outerjoin(actor, actor.id == s.AuditRecord.actor_id)
        .outerjoin(pupil, pupil.id == s.AuditRecord.pupil_id)
        .where(func.coalesce(pupil.school_id, actor.school_id) == viewer.school_id)
    )
    if pupil_ids is not None:
        query = query.where(s.AuditRecord.pupil_id.in_(pupil_ids))
    if actor_ids is not None:
        query = query.where(s.AuditRecord.actor_id.in_(actor_ids))
    if start is not None:
        query = query.where(
            s.AuditRecord.at >= dt.datetime.combine(start, dt.time(), zone).astimezone(dt.UTC)
        )
    if end is not None:
        after_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
        query = query.where(s.AuditRecord.at < after_end.astimezone(dt.UTC))
    if entity is not None:
        query = query.where(s.AuditRecord.entity == entity)
    if actions is not None:
        query = query.where(s.AuditRecord.action.in_(actions))
    if before is not None:
        query = query.where(s.AuditRecord.id < before)
    rows = list(
        (await db.execute(query.order_by(s.AuditRecord.id.desc()).limit(limit + 1))).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]

    people = {r.actor_id for r in rows if r.actor_id} | {r.pupil_id for r in rows if r.pupil_id}
    names = {
        uid: f"{first} {last}"
        for uid, first, last in await db.execute(
            select(s.User.id, s.User.first_name, s.User.last_name).where(s.User.id.in_(people))
        )
    }
    lessons = await _lesson_of(db, rows)
    class_ids = {cid for cid, _, _ in lessons.values()}
    classes = {
        cid: class_name(grade, letter)
        for cid, grade, letter in await db.execute(
            select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
                s.SchoolClass.id.in_(class_ids)
            )
        )
    }
    subject_ids = {sid for _, sid, _ in lessons.values()}
    period_marks = {r.entity_id for r in rows if r.entity == "period_mark"}
    pm_subjects: dict[int, int] = {}
    if period_marks:
        pm_subjects = {
            pid: sid
            for pid, sid in await db.execute(
                select(s.PeriodMark.id, s.PeriodMark.subject_id).where(
                    s.PeriodMark.id.in_(period_marks)
                )
            )
        }
        subject_ids |= set(pm_subjects.values())
    subjects = {
        sid: name
        for sid, name in await db.execute(
            select(s.Subject.id, s.Subject.name).where(s.Subject.id.in_(subject_ids))
        )
    }
    without_lesson = sorted({r.pupil_id for r in rows if r.pupil_id and r.id not in lessons})
    pupil_classes = await current_classes(db, without_lesson, today)

    entries = []
    for record in rows:
        lesson = lessons.get(record.id)
        klass, subject, day = "", "", None
        if lesson is not None:
            klass, subject, day = classes.get(lesson[0], ""), subjects.get(lesson[1], ""), lesson[2]
        else:
            if record.pupil_id in pupil_classes:
                klass = pupil_classes[record.pupil_id].name
            if record.entity == "period_mark" and record.entity_id in pm_subjects:
                subject = subjects.get(pm_subjects[record.entity_id], "")
        entries.append(
            m.AuditEntry(
                id=record.id,
                at=record.at,
                action=record.action,
                entity=record.entity,
                entity_id=record.entity_id,
                actor_id=record.actor_id,
                actor=names.get(record.actor_id or 0, ""),
                pupil_id=record.pupil_id,
                pupil=names.get(record.pupil_id or 0, ""),
                class_name=klass,
                subject=subject,
                lesson_date=day,
                before=record.before,
                after=record.after,
                reason=record.reason,
            )
        )
    return m.AuditPage(entries=entries, next_before=rows[-1].id if more and rows else None)
