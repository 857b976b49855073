"""The class chat: one room per class for its pupils and their teachers.

Who is in which chat is decided in :mod:`demo_server.access` (``chat_visibility``,
``moderates_chat``, ``chat_write_refusal``); a chat the viewer is not in is answered exactly as
one that does not exist. Messages are plain text (the contract's ``ChatText``: no control
characters, at most ``CHAT_MESSAGE_MAX_LENGTH`` characters), never deleted: a moderator hides
one (kept, audited, shown to members as hidden by its moderator) or shows it again. A closed
chat is read by all its members; only its class teacher writes in it until it is opened again.

Every write leaves a change-feed row for the class (``chat.message``, ``chat.hidden``,
``chat.closed``, ``chat.opened``); :mod:`demo_server.changes` keeps ``chat.*`` from parents
(the chat is the pupils'), so the members' apps show a new message by themselves. The rows say
which message and who, never the text (a message hidden later must not live on in the feed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import (
    chat_visibility,
    chat_write_refusal,
    moderates_chat,
    not_found,
    valid_id,
)
from demo_server.auth import Viewer
from demo_server.messaging import check_text, full_name
from demo_server.problems import ProblemError
from demo_server.records import record_change, record_write
from demo_server.week import class_ref


async def chat_class(db: AsyncSession, viewer: Viewer, class_id: int) -> s.SchoolClass:
    """The class whose chat ``viewer`` is in, else the one "no such chat" answer."""
    cls = (
        await db.scalar(
            select(s.SchoolClass).where(
                s.SchoolClass.id == class_id, chat_visibility(viewer, viewer.today)
            )
        )
        if valid_id(class_id)
        else None
    )
    if cls is None:
        raise not_found("chat", "class_id")
    return cls


async def _state(db: AsyncSession, class_id: int) -> s.ClassChat | None:
    return await db.get(s.ClassChat, class_id)


async def list_chats(db: AsyncSession, viewer: Viewer) -> m.Chats:
    """The viewer's class chats, by grade and letter, with their newest message."""
    newest = (
        select(
            s.ChatMessage.class_id,
            func.max(s.ChatMessage.id).label("last_id"),
            func.max(s.ChatMessage.sent_at).label("last_at"),
        )
        .group_by(s.ChatMessage.class_id)
        .subquery()
    )
    rows = await db.execute(
        select(s.SchoolClass, s.ClassChat.closed_at, newest.c.last_id, newest.c.last_at)
        .outerjoin(s.ClassChat, s.ClassChat.class_id == s.SchoolClass.id)
        .outerjoin(newest, newest.c.class_id == s.SchoolClass.id)
        .where(chat_visibility(viewer, viewer.today))
        .order_by(s.SchoolClass.grade, s.SchoolClass.letter, s.SchoolClass.id)
    )
    chats = [
        m.ChatSummary(
            class_=class_ref(cls.id, cls.grade, cls.letter),
            closed=closed_at is not None,
            last_message_id=int(last_id or 0),
            last_at=last_at,
            may_moderate=moderates_chat(viewer, cls),
        )
        for cls, closed_at, last_id, last_at in rows
    ]
    return m.Chats(chats=chats)


def _message(
    row: s.ChatMessage,
    users: dict[int, s.User],
    moderator: bool,
) -> m.ChatMessage:
    author = users.get(row.author_id)
    hider = users.get(row.hidden_by_id) if row.hidden_by_id is not None else None
    hidden = row.hidden_at is not None
    return m.ChatMessage(
        id=row.id,
        author_id=row.author_id,
        author=full_name(author) if author is not None else "",
        author_role=m.Role(author.role) if author is not None else m.Role.PUPIL,
        sent_at=row.sent_at,
        body=row.body if not hidden or moderator else "",
        hidden=hidden,
        hidden_by=full_name(hider) if hider is not None else "",
        hidden_at=row.hidden_at,
    )


async def _users(
    db: AsyncSession, rows: Sequence[s.ChatMessage], *more: int | None
) -> dict[int, s.User]:
    ids = {r.author_id for r in rows} | {r.hidden_by_id for r in rows if r.hidden_by_id}
    ids |= {i for i in more if i}
    if not ids:
        return {}
    return {u.id: u for u in await db.scalars(select(s.User).where(s.User.id.in_(ids)))}


async def load_chat(
    db: AsyncSession, viewer: Viewer, class_id: int, before: int | None = None
) -> m.Chat:
    """A page of the chat, oldest first: the newest ``CHAT_PAGE`` messages, or those before
    the message ``before`` (the cursor of an earlier page)."""
    cls = await chat_class(db, viewer, class_id)
    query = select(s.ChatMessage).where(s.ChatMessage.class_id == cls.id)
    if before is not None:
        query = query.where(s.ChatMessage.id < before)
    rows = list(await db.scalars(query.order_by(s.ChatMessage.id.desc()).limit(m.CHAT_PAGE + 1)))
    older = len(rows) > m.CHAT_PAGE
    rows = rows[: m.CHAT_PAGE]
    rows.reverse()
    state = await _state(db, cls.id)
    closed_by = state.closed_by_id if state is not None and state.closed_at else None
    users = await _users(db, rows, closed_by)
    moderator = moderates_chat(viewer, cls)
    closed = state is not None and state.closed_at is not None
    closer = users.get(closed_by) if closed_by is not None else None
    return m.Chat(
        class_=class_ref(cls.id, cls.grade, cls.letter),
        messages=[_message(row, users, moderator) for row in rows],
        older=older,
        closed=closed,
        closed_by=full_name(closer) if closer is not None else "",
        closed_at=state.closed_at if state is not None else None,
        may_write=chat_write_refusal(viewer, cls, closed) is None,
        may_moderate=moderator,
    )


async def post_message(
    db: AsyncSession, viewer: Viewer, class_id: int, body: str, now: dt.datetime
) -> m.ChatMessage:
    """A new message of the viewer in the class's chat (refused while it is closed, but for
    its class teacher)."""
    cls = await chat_class(db, viewer, class_id)
    state = await _state(db, cls.id)
    refusal = chat_write_refusal(viewer, cls, state is not None and state.closed_at is not None)
    if refusal is not None:
        raise ProblemError(403, refusal, field="class_id")
    text = check_text(body, "body", m.CHAT_MESSAGE_MAX_LENGTH)
    row = s.ChatMessage(
        school_id=viewer.school_id, class_id=cls.id, author_id=viewer.id, body=text, sent_at=now
    )
    db.add(row)
    await db.flush()
    users = await _users(db, [row])
    answer = _message(row, users, moderates_chat(viewer, cls))
    await record_change(
        db,
        school_id=viewer.school_id,
        kind="chat.message",
        entity_id=row.id,
        at=now,
        class_id=cls.id,
        actor_id=viewer.id,
        payload={"class_id": cls.id, "message_id": row.id, "author": answer.author},
    )
    return answer


def _not_moderator(what: str) -> ProblemError:
    return ProblemError(
        403,
        _("only the class teacher of this class or the administration may {what}").format(
            what=what
        ),
        field="class_id",
    )


async def hide_message(
    db: AsyncSession,
    viewer: Viewer,
    class_id: int,
    message_id: int,
    request: m.ChatHide,
    now: dt.datetime,
) -> m.ChatMessage:
    """Hide a message (or show it again): the class teacher and the administration. The text
    is kept; the audit log says who, when and why (not the text)."""
    cls = await chat_class(db, viewer, class_id)
    row = (
        await db.scalar(
            select(s.ChatMessage).where(
                s.ChatMessage.id == message_id, s.ChatMessage.class_id == cls.id
            )
        )
        if valid_id(message_id)
        else None
    )
    if row is None:
        raise not_found("chat message", "message_id")
    if not moderates_chat(viewer, cls):
        raise _not_moderator(_("hide messages of its chat"))
    was_hidden = row.hidden_at is not None
    if was_hidden != request.hidden:
        row.hidden_at = now if request.hidden else None
        row.hidden_by_id = viewer.id if request.hidden else None
        await db.flush()
        await record_write(
            db,
            viewer,
            now,
            action="update",
            entity="chat_message",
            entity_id=row.id,
            before={"hidden": was_hidden, "class_id": cls.id},
            after={"hidden": request.hidden, "class_id": cls.id},
            reason=request.reason,
            kind="chat.hidden" if request.hidden else "chat.shown",
            class_id=cls.id,
            payload={"class_id": cls.id, "message_id": row.id},
        )
    users = await _users(db, [row])
    return _message(row, users, True)


async def set_state(
    db: AsyncSession, viewer: Viewer, class_id: int, closed: bool, now: dt.datetime
) -> m.Chat:
    """Close the class's chat or open it again (the class teacher, the administration);
    answers with its newest page."""
    cls = await chat_class(db, viewer, class_id)
    if not moderates_chat(viewer, cls):
        raise _not_moderator(_("close or open its chat"))
    state = await _state(db, cls.id)
    was_closed = state is not None and state.closed_at is not None
    if was_closed != closed:
        if state is None:
            state = s.ClassChat(class_id=cls.id)
            db.add(state)
        state.closed_at = now if closed else None
        state.closed_by_id = viewer.id if closed else None
        await db.flush()
        await record_write(
            db,
            viewer,
            now,
            action="update",
            entity="chat",
            entity_id=cls.id,
            before={"closed": was_closed},
            after={"closed": closed},
            kind="chat.closed" if closed else "chat.opened",
            class_id=cls.id,
            payload={"class_id": cls.id},
        )
    return await load_chat(db, viewer, cls.id)
