"""``/audit``: the audit log for IT staff and the administration, newest first, with names.

Every change of a mark, an absence, homework, a topic or a period mark is one record: who, when,
what it was before and after, and the reason. Filters: the pupil the change is about, the
person who made it (``teacher``: anyone who changes marks), a date range in the school's time
zone, the kind of thing, the action (``action=update,remove``: the corrections and removals
without the creation record every new mark has). Pages go back in time: ``before`` is the
``next_before`` of the last page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from api_client import models as m
from demo_server import schema as s
from demo_server.access import AUDIT_READERS, MAX_ID, not_found
from demo_server.auth import Viewer
from demo_server.clock import school_zone
from demo_server.problems import ProblemError
from demo_server.routes.deps import requires
from demo_server.routes.week import parse_date
from demo_server.settings import ServerState
from demo_server.week import class_name, current_classes

ENTITIES = ("mark", "absence", "homework", "topic", "period_mark")
ACTIONS = ("create", "update", "remove")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


async def find_user(
    db: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer], value: str, field: str
) -> int:
    """A user of the viewer's school by id or login, or a 404 problem naming ``field``."""
    text = value.strip()
    if not text:
        raise ProblemError(422, f"'{field}' is empty: give a login or an id", field=field)
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
        raise ProblemError(404, f"there is nobody with the login {text!r}", field=field)
    if len(found) > 1:  # a login made of digits that is also someone's id: the id wins
        return int(text)
    return int(found[0])


def parse_actions(text: str) -> tuple[str, ...]:
    """``update,remove`` -> ``("update", "remove")``, or a 400 problem naming ``action``."""
    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    wrong = [word for word in words if word not in ACTIONS]
    if not words or wrong:
        said = f"{wrong[0]!r} is not an action: " if wrong else "'action' is empty: "
        raise ProblemError(
            400,
            said + f"give one or more of {', '.join(ACTIONS)}, separated by commas",
            field="action",
        )
    return tuple(dict.fromkeys(words))


def _lesson_id(record: s.AuditRecord) -> int | None:
    for state in (record.after, record.before):
        if isinstance(state, dict) and isinstance(state.get("lesson_id"), int):
            return int(state["lesson_id"])
    return None


async def _lesson_of(
    db: NamedDependency[AsyncSession], records: Iterable[s.AuditRecord]
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
    db: NamedDependency[AsyncSession],
    viewer: NamedDependency[Viewer],
    today: dt.date,
    *,
    pupil_id: int | None = None,
    actor_id: int | None = None,
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
    if pupil_id is not None:
        query = query.where(s.AuditRecord.pupil_id == pupil_id)
    if actor_id is not None:
        query = query.where(s.AuditRecord.actor_id == actor_id)
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


@get(
    "/audit",
    summary="The audit log",
    tags=["audit"],
    guards=[requires(*AUDIT_READERS, what="the audit log")],
)
async def audit_log(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    pupil: Annotated[
        str | None, QueryParameter(description="Changes about this pupil (login or id)")
    ] = None,
    teacher: Annotated[
        str | None, QueryParameter(description="Changes made by this person (login or id)")
    ] = None,
    from_: Annotated[
        str | None,
        QueryParameter(
            name="from", description="From this day, YYYY-MM-DD", schema_extra={"format": "date"}
        ),
    ] = None,
    to: Annotated[
        str | None,
        QueryParameter(description="To this day, YYYY-MM-DD", schema_extra={"format": "date"}),
    ] = None,
    entity: Annotated[
        str | None,
        QueryParameter(
            description="mark, absence, homework, topic or period_mark",
            schema_extra={"enum": list(ENTITIES)},
        ),
    ] = None,
    action: Annotated[
        str | None,
        QueryParameter(
            description="Only these actions, comma-separated: create, update, remove "
            "(update,remove: the corrections and removals, without the record of every entry)"
        ),
    ] = None,
    limit: Annotated[
        int,
        QueryParameter(
            description=f"Records per page (1 to {MAX_LIMIT})",
            schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        ),
    ] = DEFAULT_LIMIT,
    before: Annotated[
        int | None,
        QueryParameter(
            description="Records older than this id (the next page)",
            schema_extra={"minimum": 1, "maximum": MAX_ID},
        ),
    ] = None,
) -> m.AuditPage:
    """Every change of a mark, an absence, homework, a topic or a period mark: before, after,
    who, when and why; newest first. IT staff and administration."""
    start = parse_date(from_, "from") if from_ is not None else None
    end = parse_date(to, "to") if to is not None else None
    if start is not None and end is not None and end < start:
        raise ProblemError(422, "'to' is before 'from'", field="to")
    if entity is not None and entity not in ENTITIES:
        raise ProblemError(400, f"'entity' must be one of {', '.join(ENTITIES)}", field="entity")
    actions = parse_actions(action) if action is not None else None
    if not 1 <= limit <= MAX_LIMIT:
        raise ProblemError(400, f"'limit' must be 1 to {MAX_LIMIT}", field="limit")
    if before is not None and not 0 < before <= MAX_ID:
        raise ProblemError(400, "'before' must be a record id", field="before")
    return await load_audit(
        db,
        viewer,
        server.settings.today(),
        pupil_id=await find_user(db, viewer, pupil, "pupil") if pupil is not None else None,
        actor_id=await find_user(db, viewer, teacher, "teacher") if teacher is not None else None,
        start=start,
        end=end,
        entity=entity,
        actions=actions,
        limit=limit,
        before=before,
    )
