"""Messages, announcements and events: the queries behind their routes.

Who may write to whom about which child:

- a parent, about their child: the child's teachers and the class teacher;
- a pupil: their own teachers and class teacher;
- a teacher: the parents of a pupil they teach (or lead);
- administration: the parents and teachers of any pupil of their school.

A thread is read only by its participants: a pupil never sees their parents' correspondence,
administration sees only threads it takes part in, and IT staff may not read messages at all.

Announcements and events reach the school (``class_id`` null) and the viewer's classes: a
pupil's class, a parent's children's classes, a teacher's classes. Each function runs a fixed
number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import schema as s
from demo_server.access import (
    MAX_ID,
    announcement_visibility,
    forbidden,
    may_announce,
    may_see_pupil,
    pupil_not_found,
    teacher_class_ids,
)
from demo_server.auth import Viewer
from demo_server.clock import school_zone
from demo_server.problems import ProblemError
from demo_server.records import record_change, record_class_changes
from demo_server.week import class_ref, current_classes

#: Roles that have message threads at all (IT staff, health workers and the authority do not).
MESSAGE_ROLES = frozenset({m.Role.PUPIL, m.Role.PARENT, m.Role.TEACHER, m.Role.ADMINISTRATION})

#: How far ahead the News screen lists events.
EVENTS_AHEAD = dt.timedelta(days=42)


def full_name(user: s.User) -> str:
    return " ".join(part for part in (user.last_name, user.first_name, user.middle_name) if part)


def require_messages(viewer: Viewer) -> None:
    if viewer.role not in MESSAGE_ROLES:
        raise forbidden(N_("private messages"))


def thread_not_found() -> ProblemError:
    return ProblemError(404, _("there is no message thread with this id"), field="thread_id")


def check_text(value: str, field: str, limit: int) -> str:
    """Text a person typed: not blank, at most ``limit`` characters; else a 422."""
    if not value.strip():
        raise ProblemError(422, _("the {field} must not be empty").format(field=field), field=field)
    if len(value) > limit:
        raise ProblemError(
            422,
            _("the {field} is {n:,} characters long; at most {limit:,} are allowed").format(
                field=field, n=len(value), limit=limit
            ),
            field=field,
        )
    if "\x00" in value:
        raise ProblemError(
            422, _("the {field} must not contain NUL characters").format(field=field), field=field
        )
    return value.strip("\n\r ")


# --- people -----------------------------------------------------------------------------------


async def users_by_id(db: AsyncSession, ids: Iterable[int]) -> dict[int, s.User]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.scalars(select(s.User).where(s.User.id.in_(wanted)))
    return {user.id: user for user in rows}


async def pupil_refs(db: AsyncSession, ids: Iterable[int], today: dt.date) -> dict[int, m.PupilRef]:
    users = await users_by_id(db, ids)
    classes = await current_classes(db, list(users), today)
    return {
        uid: m.PupilRef(
            id=uid, first_name=u.first_name, last_name=u.last_name, class_=classes.get(uid)
        )
        for uid, u in users.items()
    }


def participant(user: s.User, title: str = "") -> m.Participant:
    return m.Participant(id=user.id, name=full_name(user), role=m.Role(user.role), title=title)


async def _pupil_class(db: AsyncSession, pupil_id: int, today: dt.date) -> m.ClassRef | None:
    return (await current_classes(db, [pupil_id], today)).get(pupil_id)


async def teachers_of_pupil(db: AsyncSession, pupil_id: int, today: dt.date) -> list[m.Participant]:
    """The class teacher and the subject teachers of the pupil's current class."""
    cls = await _pupil_class(db, pupil_id, today)
    if cls is None:
        return []
    homeroom_id = await db.scalar(
        select(s.SchoolClass.homeroom_teacher_id).where(s.SchoolClass.id == cls.id)
    )
    subjects: dict[int, list[str]] = defaultdict(list)
    for teacher_id, name in await db.execute(
        select(s.TeachingAssignment.teacher_id, s.Subject.name)
        .join(s.Subject, s.Subject.id == s.TeachingAssignment.subject_id)
        .where(s.TeachingAssignment.class_id == cls.id)
        .order_by(s.Subject.name)
    ):
        subjects[teacher_id].append(name)
    ids = set(subjects) | ({homeroom_id} if homeroom_id else set())
    users = await users_by_id(db, ids)
    result: list[m.Participant] = []
    if homeroom_id in users:
        titles = [_("class teacher {name}").format(name=cls.name), *subjects.get(homeroom_id, [])]
        result.append(participant(users[homeroom_id], ", ".join(titles)))
    others = sorted(
        (uid for uid in subjects if uid != homeroom_id and uid in users),
        key=lambda uid: (subjects[uid][0], users[uid].last_name),
    )
    for uid in others:
        result.append(participant(users[uid], ", ".join(subjects[uid])))
    return result


async def parents_of_pupil(db: AsyncSession, pupil_id: int) -> list[m.Participant]:
    rows = await db.scalars(
        select(s.User)
        .join(s.ParentLink, s.ParentLink.parent_id == s.User.id)
        .where(s.ParentLink.pupil_id == pupil_id)
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    return [participant(user, "parent") for user in rows]


async def recipients(
    db: AsyncSession, viewer: Viewer, pupil_id: int, today: dt.date
) -> list[m.Participant]:
    """Whom ``viewer`` may write to about ``pupil_id`` (the caller has checked the relation)."""
    if viewer.role in (m.Role.PARENT, m.Role.PUPIL):
        return [p for p in await teachers_of_pupil(db, pupil_id, today) if p.id != viewer.id]
    if viewer.role is m.Role.TEACHER:
        return await parents_of_pupil(db, pupil_id)
    if viewer.role is m.Role.ADMINISTRATION:
        return await parents_of_pupil(db, pupil_id) + await teachers_of_pupil(db, pupil_id, today)
    return []


# --- threads ----------------------------------------------------------------------------------


async def list_threads(db: AsyncSession, viewer: Viewer, today: dt.date) -> m.Threads:
    mine = select(s.ThreadParticipant.thread_id).where(s.ThreadParticipant.user_id == viewer.id)
    threads = (
        await db.scalars(
            select(s.MessageThread)
            .where(s.MessageThread.id.in_(mine), s.MessageThread.school_id == viewer.school_id)
            .order_by(s.MessageThread.updated_at.desc(), s.MessageThread.id.desc())
        )
    ).all()
    if not threads:
        return m.Threads()
    ids = [t.id for t in threads]
    members: dict[int, list[int]] = defaultdict(list)
    read_mark: dict[int, int] = {}
    for thread_id, user_id, last_read in await db.execute(
        select(
            s.ThreadParticipant.thread_id,
            s.ThreadParticipant.user_id,
            s.ThreadParticipant.last_read_id,
        ).where(s.ThreadParticipant.thread_id.in_(ids))
    ):
        if user_id == viewer.id:
            read_mark[thread_id] = last_read
        else:
            members[thread_id].append(user_id)
    last_ids = dict(
        (
            await db.execute(
                select(s.Message.thread_id, func.max(s.Message.id))
                .where(s.Message.thread_id.in_(ids))
                .group_by(s.Message.thread_id)
            )
        ).all()
    )
    unread_rows = await db.execute(
        select(s.Message.thread_id, func.count())
        .join(s.ThreadParticipant, s.ThreadParticipant.thread_id == s.Message.thread_id)
        .where(
            s.Message.thread_id.in_(ids),
            s.ThreadParticipant.user_id == viewer.id,
            s.Message.id > s.ThreadParticipant.last_read_id,
            s.Message.author_id != viewer.id,
        )
        .group_by(s.Message.thread_id)
    )
    unread: dict[int, int] = {tid: int(n) for tid, n in unread_rows}
    users = await users_by_id(db, (uid for uids in members.values() for uid in uids))
    pupils = await pupil_refs(db, (t.pupil_id for t in threads if t.pupil_id), today)
    summaries = [
        m.ThreadSummary(
            id=t.id,
            subject=t.subject,
            participants=[participant(users[uid]) for uid in sorted(members[t.id]) if uid in users],
            updated_at=t.updated_at,
            pupil=pupils.get(t.pupil_id) if t.pupil_id else None,
            unread=unread.get(t.id, 0),
            last_message_id=last_ids.get(t.id, 0),
        )
        for t in threads
    ]
    return m.Threads(threads=summaries, unread=sum(x.unread for x in summaries))


async def _thread_for(db: AsyncSession, viewer: Viewer, thread_id: int) -> s.MessageThread:
    """The thread if ``viewer`` takes part in it; else the same 404 as for no thread."""
    require_messages(viewer)
    if not 0 < thread_id <= MAX_ID:
        raise thread_not_found()
    thread = await db.scalar(
        select(s.MessageThread).where(
            s.MessageThread.id == thread_id,
            s.MessageThread.school_id == viewer.school_id,
            s.MessageThread.id.in_(
                select(s.ThreadParticipant.thread_id).where(
                    s.ThreadParticipant.user_id == viewer.id
                )
            ),
        )
    )
    if thread is None:
        raise thread_not_found()
    return thread


async def load_thread(db: AsyncSession, viewer: Viewer, thread_id: int, today: dt.date) -> m.Thread:
    thread = await _thread_for(db, viewer, thread_id)
    members = dict(
        (
            await db.execute(
                select(s.ThreadParticipant.user_id, s.ThreadParticipant.last_read_id).where(
                    s.ThreadParticipant.thread_id == thread.id
                )
            )
        ).all()
    )
    messages = (
        await db.scalars(
            select(s.Message).where(s.Message.thread_id == thread.id).order_by(s.Message.id)
        )
    ).all()
    users = await users_by_id(db, set(members) | {msg.author_id for msg in messages})
    pupil = None
    if thread.pupil_id:
        pupil = (await pupil_refs(db, [thread.pupil_id], today)).get(thread.pupil_id)
    return m.Thread(
        id=thread.id,
        subject=thread.subject,
        participants=[participant(users[uid]) for uid in sorted(members) if uid in users],
        messages=[
            m.ThreadMessage(
                id=msg.id,
                author_id=msg.author_id,
                author=full_name(users[msg.author_id]) if msg.author_id in users else "",
                sent_at=msg.created_at,
                body=msg.body,
            )
            for msg in messages
        ],
        pupil=pupil,
        last_read_id=members.get(viewer.id, 0),
    )


async def mark_read(
    db: AsyncSession, viewer: Viewer, thread_id: int, last_read_id: int
) -> m.ReadState:
    """Move the viewer's read mark forward to ``last_read_id`` (never back, never past the end)."""
    thread = await _thread_for(db, viewer, thread_id)
    if last_read_id < 0:
        raise ProblemError(422, _("last_read_id must not be negative"), field="last_read_id")
    newest = await db.scalar(select(func.max(s.Message.id)).where(s.Message.thread_id == thread.id))
    row = await db.scalar(
        select(s.ThreadParticipant).where(
            s.ThreadParticipant.thread_id == thread.id, s.ThreadParticipant.user_id == viewer.id
        )
    )
    assert row is not None
    row.last_read_id = max(row.last_read_id, min(last_read_id, newest or 0))
    await db.flush()
    unread = await db.scalar(
        select(func.count()).where(
            s.Message.thread_id == thread.id,
            s.Message.id > row.last_read_id,
            s.Message.author_id != viewer.id,
        )
    )
    return m.ReadState(thread_id=thread.id, last_read_id=row.last_read_id, unread=unread or 0)


async def add_message(
    db: AsyncSession, viewer: Viewer, thread: s.MessageThread, body: str, now: dt.datetime
) -> s.Message:
    """Append a message (the viewer's read mark moves to it) and tell the others."""
    message = s.Message(thread_id=thread.id, author_id=viewer.id, body=body, created_at=now)
    db.add(message)
    await db.flush()
    thread.updated_at = now
    others = (
        await db.scalars(
            select(s.ThreadParticipant).where(s.ThreadParticipant.thread_id == thread.id)
        )
    ).all()
    author = await db.get(s.User, viewer.id)
    for member in others:
        if member.user_id == viewer.id:
            member.last_read_id = message.id
            continue
        await record_change(
            db,
            school_id=viewer.school_id,
            kind="message.new",
            entity_id=message.id,
            at=now,
            user_id=member.user_id,
            actor_id=viewer.id,
            payload={
                "thread_id": thread.id,
                "message_id": message.id,
                "subject": thread.subject,
                "author": full_name(author) if author else "",
                "pupil_id": thread.pupil_id,
            },
        )
    await db.flush()
    return message


async def reply(
    db: AsyncSession, viewer: Viewer, thread_id: int, body: str, now: dt.datetime, today: dt.date
) -> m.Thread:
    thread = await _thread_for(db, viewer, thread_id)
    text = check_text(body, "body", m.MESSAGE_MAX_LENGTH)
    await add_message(db, viewer, thread, text, now)
    return await load_thread(db, viewer, thread.id, today)


def check_subject(subject: str) -> str:
    """A thread's subject as :func:`check_text` checks it, and on one line."""
    subject = check_text(subject, "subject", m.SUBJECT_MAX_LENGTH)
    if "\n" in subject or "\r" in subject:
        raise ProblemError(422, _("the subject must be one line"), field="subject")
    return subject


async def start_thread(
    db: AsyncSession,
    viewer: Viewer,
    request: m.NewThreadRequest,
    now: dt.datetime,
    today: dt.date,
) -> m.Thread:
    """A new thread between the viewer and one recipient, about a pupil."""
    require_messages(viewer)
    subject = check_subject(request.subject)
    body = check_text(request.body, "body", m.MESSAGE_MAX_LENGTH)
    pupil_id = request.pupil_id
    if pupil_id is None:
        if viewer.role is m.Role.PUPIL:
            pupil_id = viewer.id
        else:
            raise ProblemError(
                422, _("say which pupil the message is about (pupil_id)"), field="pupil_id"
            )
    if not await may_see_pupil(db, viewer, pupil_id):
        raise pupil_not_found()
    allowed = {p.id for p in await recipients(db, viewer, pupil_id, today)}
    if request.recipient_id not in allowed:
        raise ProblemError(
            422,
            _(
                "you cannot write to this person about this pupil: "
                "choose one from the pupil's list of recipients"
            ),
            field="recipient_id",
        )
    thread, _first = await open_thread(
        db, viewer, subject=subject, pupil_id=pupil_id, to=request.recipient_id, body=body, now=now
    )
    return await load_thread(db, viewer, thread.id, today)


async def open_thread(
    db: AsyncSession,
    viewer: Viewer,
    *,
    subject: str,
    pupil_id: int,
    to: int,
    body: str,
    now: dt.datetime,
) -> tuple[s.MessageThread, s.Message]:
    """A new thread of the viewer and the user ``to`` alone, about the pupil ``pupil_id``, with
    the viewer's first message (``subject`` and ``body`` already checked)."""
    thread = s.MessageThread(
        school_id=viewer.school_id,
        subject=subject,
        pupil_id=pupil_id,
        created_by=viewer.id,
        created_at=now,
        updated_at=now,
    )
    db.add(thread)
    await db.flush()
    db.add_all(
        [
            s.ThreadParticipant(thread_id=thread.id, user_id=viewer.id, last_read_id=0),
            s.ThreadParticipant(thread_id=thread.id, user_id=to, last_read_id=0),
        ]
    )
    await db.flush()
    return thread, await add_message(db, viewer, thread, body, now)


# --- announcements and events -----------------------------------------------------------------


async def audience_classes(
    db: AsyncSession, viewer: Viewer, today: dt.date, pupil_id: int | None = None
) -> list[int]:
    """The classes whose announcements and events ``viewer`` reads (besides the school's).

    With ``pupil_id`` (a parent choosing one child), only that child's class; the caller has
    checked that the viewer may see that pupil.
    """
    if pupil_id is not None:
        cls = await _pupil_class(db, pupil_id, today)
        return [cls.id] if cls else []
    if viewer.role is m.Role.PUPIL:
        cls = await _pupil_class(db, viewer.id, today)
        return [cls.id] if cls else []
    if viewer.role is m.Role.PARENT:
        children = list(
            (
                await db.scalars(
                    select(s.ParentLink.pupil_id).where(s.ParentLink.parent_id == viewer.id)
                )
            ).all()
        )
        classes = await current_classes(db, children, today)
        return sorted({c.id for c in classes.values()})
    if viewer.role is m.Role.TEACHER:
        rows = await db.execute(teacher_class_ids(viewer.id))
        return sorted({int(cast(Any, row)[0]) for row in rows})
    return []


def _audience(column: Any, class_ids: Sequence[int]) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = column.is_(None)
    if class_ids:
        condition = or_(condition, column.in_(class_ids))
    return condition


async def _class_refs(db: AsyncSession, ids: Iterable[int]) -> dict[int, m.ClassRef]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
            s.SchoolClass.id.in_(wanted)
        )
    )
    return {cid: class_ref(cid, grade, letter) for cid, grade, letter in rows}


async def _grades(db: AsyncSession, class_ids: Sequence[int]) -> list[int]:
    """The grades (parallels) of ``class_ids``."""
    if not class_ids:
        return []
    rows = await db.scalars(
        select(s.SchoolClass.grade).where(s.SchoolClass.id.in_(class_ids)).distinct()
    )
    return sorted(rows)


def announcement_item(
    row: s.Announcement,
    author: str,
    class_refs: dict[int, m.ClassRef],
    read: bool,
) -> m.AnnouncementItem:
    """The contract's announcement of a row."""
    return m.AnnouncementItem(
        id=row.id,
        title=row.title,
        body=row.body,
        published_at=row.published_at,
        author=author,
        class_=class_refs.get(row.class_id) if row.class_id else None,
        read=read,
        audience=m.AnnouncementAudience(row.audience),
        grade=row.grade,
    )


async def visible_announcement(
    db: AsyncSession, viewer: Viewer, announcement_id: int, today: dt.date
) -> s.Announcement:
    not_found = ProblemError(
        404, _("there is no announcement with this id"), field="announcement_id"
    )
    if not 0 < announcement_id <= MAX_ID:
        raise not_found
    classes = await audience_classes(db, viewer, today)
    row = await db.scalar(
        select(s.Announcement).where(
            s.Announcement.id == announcement_id,
            s.Announcement.school_id == viewer.school_id,
            announcement_visibility(viewer, classes, await _grades(db, classes)),
        )
    )
    if row is None:
        raise not_found
    return row


def event_audience(viewer: Viewer, classes: Sequence[int]) -> ColumnElement[bool]:
    """The events ``viewer`` has listed: the school's, ``classes``' and those they planned;
    the administration every class's (it plans and changes any class's meetings)."""
    if viewer.role is m.Role.ADMINISTRATION:
        return true()
    return or_(_audience(s.Event.class_id, classes), s.Event.author_id == viewer.id)


async def load_events(
    db: AsyncSession, viewer: Viewer, classes: Sequence[int], start: dt.date, end: dt.date
) -> list[m.Event]:
    """Events of the school and ``classes`` (and those ``viewer`` planned; every class's for
    the administration, :func:`event_audience`) from ``start`` to ``end`` (school-local
    days)."""
    timezone = await db.scalar(select(s.School.timezone).where(s.School.id == viewer.school_id))
    zone = school_zone(timezone)
    lower = dt.datetime.combine(start, dt.time(), zone).astimezone(dt.UTC)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    rows = await db.scalars(
        select(s.Event)
        .where(
            s.Event.school_id == viewer.school_id,
            event_audience(viewer, classes),
            s.Event.starts_at >= lower,
            s.Event.starts_at < upper,
        )
        .order_by(s.Event.starts_at, s.Event.id)
    )
    return await events_of(db, list(rows))


def event_of(row: s.Event, cls: m.ClassRef | None) -> m.Event:
    """The contract's event of a row, with its class (None: the school's)."""
    return m.Event(
        id=row.id,
        kind=m.EventKind(row.kind),
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at if row.ends_at else None,
        place=row.place,
        description=row.description,
        class_=cls,
        agenda=[line for line in row.agenda.split("\n") if line] if row.agenda else [],
        cancelled=row.cancelled_at is not None,
        minutes=row.minutes,
        version=row.version,
    )


async def class_refs(db: AsyncSession, ids: Iterable[int]) -> dict[int, m.ClassRef]:
    return await _class_refs(db, ids)


async def events_of(db: AsyncSession, rows: Sequence[s.Event]) -> list[m.Event]:
    """The contract's events of ``rows``, each with its class (one query for the classes)."""
    refs = await _class_refs(db, (row.class_id for row in rows if row.class_id is not None))
    return [
        event_of(row, refs.get(row.class_id) if row.class_id is not None else None) for row in rows
    ]


async def load_announcements(
    db: AsyncSession, viewer: Viewer, today: dt.date, pupil_id: int | None = None
) -> m.Announcements:
    classes = await audience_classes(db, viewer, today, pupil_id)
    rows = (
        await db.scalars(
            select(s.Announcement)
            .where(
                s.Announcement.school_id == viewer.school_id,
                announcement_visibility(viewer, classes, await _grades(db, classes)),
            )
            .order_by(s.Announcement.published_at.desc(), s.Announcement.id.desc())
        )
    ).all()
    ids = [row.id for row in rows]
    read: set[int] = set()
    if ids:
        read = set(
            (
                await db.scalars(
                    select(s.AnnouncementRead.announcement_id).where(
                        s.AnnouncementRead.user_id == viewer.id,
                        s.AnnouncementRead.announcement_id.in_(ids),
                    )
                )
            ).all()
        )
    authors = await users_by_id(db, (row.author_id for row in rows))
    class_refs = await _class_refs(db, (row.class_id for row in rows if row.class_id))
    items = [
        announcement_item(
            row,
            full_name(authors[row.author_id]) if row.author_id in authors else "",
            class_refs,
            row.id in read or row.author_id == viewer.id,
        )
        for row in rows
    ]
    events = await load_events(db, viewer, classes, today, today + EVENTS_AHEAD)
    return m.Announcements(
        announcements=items, unread=sum(1 for item in items if not item.read), events=events
    )


async def post_announcement(
    db: AsyncSession,
    viewer: Viewer,
    request: m.AnnouncementRequest,
    now: dt.datetime,
    today: dt.date,
) -> m.AnnouncementItem:
    """An announcement to its audience, if ``viewer`` may address it (``access.may_announce``).

    The change feed carries it, with its title, to whom it is addressed: a class's to the
    class, a parallel's to each of its classes, the school's to the school; the parents' (of
    the school or of a class) to those parents alone and the teachers' to the teachers and the
    administration alone (``Change.audience``)."""
    audience = request.audience
    if audience is None:
        audience = (
            m.AnnouncementAudience.CLASS
            if request.class_id is not None
            else m.AnnouncementAudience.SCHOOL
        )
    await may_announce(db, viewer, audience, request.class_id, request.grade)
    title = check_text(request.title, "title", m.SUBJECT_MAX_LENGTH)
    body = check_text(request.body, "body", m.MESSAGE_MAX_LENGTH)
    class_refs = await _class_refs(db, [request.class_id] if request.class_id else [])
    cls = class_refs.get(request.class_id) if request.class_id else None
    row = s.Announcement(
        school_id=viewer.school_id,
        class_id=request.class_id,
        audience=audience.value,
        grade=request.grade,
        author_id=viewer.id,
        title=title,
        body=body,
        published_at=now,
    )
    db.add(row)
    await db.flush()
    author = await db.get(s.User, viewer.id)
    payload: dict[str, Any] = {
        "title": title,
        "class": cls.name if cls else None,
        "audience": audience.value,
        "grade": request.grade,
    }
    # The parents' and the teachers' reach those readers alone (``changes.visible``), so
    # their title is no news to anyone else.
    readers = {
        m.AnnouncementAudience.PARENTS: "parents",
        m.AnnouncementAudience.TEACHERS: "teachers",
    }.get(audience)
    if audience is m.AnnouncementAudience.GRADE:
        class_ids = list(
            await db.scalars(
                select(s.SchoolClass.id).where(
                    s.SchoolClass.school_id == viewer.school_id,
                    s.SchoolClass.grade == request.grade,
                )
            )
        )
        await record_class_changes(
            db,
            school_id=viewer.school_id,
            kind="announcement.new",
            class_ids=class_ids,
            at=now,
            payload=payload,
            actor_id=viewer.id,
        )
    else:
        await record_change(
            db,
            school_id=viewer.school_id,
            kind="announcement.new",
            entity_id=row.id,
            at=now,
            class_id=request.class_id,
            actor_id=viewer.id,
            payload=payload,
            audience=readers,
        )
    return announcement_item(row, full_name(author) if author else "", class_refs, True)


async def mark_announcement_read(
    db: AsyncSession, viewer: Viewer, announcement_id: int, now: dt.datetime, today: dt.date
) -> m.AnnouncementItem:
    row = await visible_announcement(db, viewer, announcement_id, today)
    seen = await db.scalar(
        select(s.AnnouncementRead.announcement_id).where(
            s.AnnouncementRead.announcement_id == row.id, s.AnnouncementRead.user_id == viewer.id
        )
    )
    if seen is None:
        db.add(s.AnnouncementRead(announcement_id=row.id, user_id=viewer.id, read_at=now))
        await db.flush()
    author = await db.get(s.User, row.author_id)
    class_refs = await _class_refs(db, [row.class_id] if row.class_id else [])
    return announcement_item(row, full_name(author) if author else "", class_refs, True)
