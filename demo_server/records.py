"""What every write leaves behind: an audit record in the hash chain, and a change-feed row.

Call both inside the write's own transaction, so a change, its audit record and its feed entry
are committed together or not at all. A write that leaves both calls :func:`record_write` once.

The audit chain must stay a single line even with several writers (several requests on one
SQLite file, several server processes on PostgreSQL). :func:`append_audit` therefore takes the
chain's lock before it reads the previous record: on PostgreSQL a transaction-scoped advisory
lock; on SQLite the database's own write lock, which the placeholder insert takes. The lock is
held until the transaction ends, so the previous record it reads is the one that stays before
it.

The chain's key comes with the session (``session.info[AUDIT_KEY_INFO]``, set by the server's
session factory), or else is the process's key (:func:`demo_server.audit_key.current_key`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from demo_server.audit import GENESIS, audit_row, record_content, record_hash
from demo_server.audit_key import current_key
from demo_server.auth import Viewer
from demo_server.schema import AuditRecord, Change

AUDIT_LOCK_KEY = 0x6469617279  # "diary": the advisory lock of the audit chain on PostgreSQL
AUDIT_KEY_INFO = "audit_key"
"""The ``Session.info`` entry that holds the audit chain's key."""


def session_key(db: AsyncSession) -> bytes:
    key = db.info.get(AUDIT_KEY_INFO)
    return key if isinstance(key, bytes) else current_key()


async def audit_head(db: AsyncSession, at: int | None = None) -> tuple[int, str] | None:
    """The chain's newest record (or the one at position ``at``) as (position, hash); ``None``
    when there is none. A position is a record's id: it only grows."""
    query = select(AuditRecord.id, AuditRecord.hash)
    if at is None:
        query = query.order_by(AuditRecord.id.desc()).limit(1)
    else:
        query = query.where(AuditRecord.id == at)
    row = (await db.execute(query)).one_or_none()
    return None if row is None else (int(row[0]), str(row[1]))


async def append_audit(
    db: AsyncSession,
    *,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int,
    pupil_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> int:
    """Append one record to the audit chain; returns its id.

    ``action`` is ``create``, ``update`` or ``remove``; ``entity`` names the table's thing
    (``mark``, ``absence``, ``homework``, ``topic``, ``period_mark``, ...). ``before`` and
    ``after`` hold plain JSON values (dates as ISO strings).
    """
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    at = at.astimezone(dt.UTC)  # the column refuses a naive datetime; the hash sees UTC
    content = audit_row(at, actor_id, action, entity, entity_id, pupil_id, before, after, reason)
    record_id = await db.scalar(
        insert(AuditRecord).values(**content, prev_hash="", hash="").returning(AuditRecord.id)
    )
    assert record_id is not None
    previous = await db.scalar(
        select(AuditRecord.hash)
        .where(AuditRecord.id < record_id)
        .order_by(AuditRecord.id.desc())
        .limit(1)
    )
    prev_hash = previous or GENESIS
    digest = record_hash(prev_hash, record_content(content), session_key(db))
    await db.execute(
        update(AuditRecord)
        .where(AuditRecord.id == record_id)
        .values(prev_hash=prev_hash, hash=digest)
    )
    return int(record_id)


async def record_change(
    db: AsyncSession,
    *,
    school_id: int,
    kind: str,
    entity_id: int,
    at: dt.datetime,
    payload: dict[str, Any],
    pupil_id: int | None = None,
    class_id: int | None = None,
    user_id: int | None = None,
    actor_id: int | None = None,
    group_id: int | None = None,
    audience: str | None = None,
) -> int:
    """Add a row to the change feed; returns its cursor.

    Who may see it: ``user_id`` set: that user only (a message to them); else ``pupil_id``
    set: that pupil, their parents and the staff who may see the pupil; else ``class_id`` set:
    the class's pupils and parents and its teachers (with ``group_id``, a group's lesson: of
    the pupils and parents, the group's alone); else the whole school. ``audience``
    (``parents``, ``teachers``) narrows that to one kind of reader. ``kind`` is
    ``<thing>.<what>``: ``mark.added``, ``mark.edited``, ``mark.removed``, ``absence.set``,
    ``absence.removed``, ``homework.set``, ``lesson.changed``, ``message.new``,
    ``announcement.new``, ``event.new``, ... ``payload`` is what a client needs to say what
    happened without another request (old and new values for edits).
    """
    if db.get_bind().dialect.name == "postgresql":
        # Cursors must commit in order, or a reader could pass a row still to commit: the
        # chain's lock (held to the end of the transaction) orders the writers. The
        # notification reaches the listening servers when the transaction commits.
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        await db.execute(text("SELECT pg_notify('diary_changes', '')"))
    cursor = await db.scalar(
        insert(Change)
        .values(
            school_id=school_id,
            at=at,
            kind=kind,
            entity_id=entity_id,
            pupil_id=pupil_id,
            group_id=group_id,
            class_id=class_id,
            user_id=user_id,
            actor_id=actor_id,
            payload=payload,
            audience=audience,
        )
        .returning(Change.id)
    )
    assert cursor is not None
    return int(cursor)


async def record_write(
    db: AsyncSession,
    viewer: Viewer,
    now: dt.datetime,
    *,
    action: str,
    entity: str,
    entity_id: int,
    kind: str,
    payload: dict[str, Any],
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    pupil_id: int | None = None,
    class_id: int | None = None,
    group_id: int | None = None,
    user_id: int | None = None,
    changed_id: int | None = None,
) -> None:
    """What a person's write leaves: its audit record (:func:`append_audit`, the viewer as the
    actor) and then its change-feed row (:func:`record_change`, in the viewer's school), both
    in the write's own transaction.

    The two share the moment, the actor and the thing written (``entity_id``, and ``pupil_id``
    when the thing is a pupil's). The feed row is about ``changed_id`` instead when its readers
    know the thing by another one (a hidden comment is a change of its post); ``kind``,
    ``payload`` and who sees it (``class_id``, ``group_id``, ``user_id``) are the feed's alone,
    ``before``, ``after`` and ``reason`` the audit record's alone.
    """
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        pupil_id=pupil_id,
        before=before,
        after=after,
        reason=reason,
    )
    await record_change(
        db,
        school_id=viewer.school_id,
        kind=kind,
        entity_id=entity_id if changed_id is None else changed_id,
        at=now,
        pupil_id=pupil_id,
        class_id=class_id,
        group_id=group_id,
        user_id=user_id,
        actor_id=viewer.id,
        payload=payload,
    )


async def record_class_changes(
    db: AsyncSession,
    *,
    school_id: int,
    kind: str,
    class_ids: Sequence[int],
    at: dt.datetime,
    payload: dict[str, Any],
    actor_id: int | None = None,
    audience: str | None = None,
) -> None:
    """:func:`record_change` for each of ``class_ids`` (the class as the entity, seen by the
    class), in one statement: a school-wide change (a timetable import) touches every class."""
    if not class_ids:
        return
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        await db.execute(text("SELECT pg_notify('diary_changes', '')"))
    await db.execute(
        insert(Change),
        [
            {
                "school_id": school_id,
                "at": at,
                "kind": kind,
                "entity_id": class_id,
                "pupil_id": None,
                "group_id": None,
                "class_id": class_id,
                "user_id": None,
                "actor_id": actor_id,
                "payload": payload,
                "audience": audience,
            }
            for class_id in class_ids
        ],
    )
