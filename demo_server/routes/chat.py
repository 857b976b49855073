"""The class chat: ``/chats``, ``/chats/{class_id}`` and its writes.

Pupils, teachers and the administration (a guard); which chats each is in is the service's
(``demo_server.chat``) through ``access.chat_visibility``. Writes go through ``@write``.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import chat
from demo_server.access import CHAT_ROLES, MAX_ID
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState
from demo_server.wire import Id

ClassId = Annotated[int, PathParameter(description="The class's id (its chat)")]
MessageId = Annotated[int, PathParameter(description="The chat message's id")]
CHAT_MEMBERS = requires(*CHAT_ROLES, what=N_("class chats"))


@get("/chats", summary="The user's class chats", tags=["chat"])
async def chats(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.Chats:
    """A pupil's class, a teacher's classes, every class for the administration."""
    return await chat.list_chats(db, viewer)


@get("/chats/{class_id:int}", summary="A page of a class chat", tags=["chat"])
async def class_chat(
    class_id: ClassId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    before: Annotated[
        Id | None,
        QueryParameter(
            description="Only messages older than this one (the first id of a page)",
            ge=1,
            le=MAX_ID,
        ),
    ] = None,
) -> m.Chat:
    """The newest messages, oldest first (or those before ``before``), and the chat's state."""
    return await chat.load_chat(db, viewer, class_id, before)


@post("/chats/{class_id:int}/messages", summary="Write in a class chat", tags=["chat"])
@write
async def post_message(
    class_id: ClassId,
    data: JSONBody[m.ChatPost],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ChatMessage:
    """A message from the user; refused while the chat is closed (but for its class teacher)."""
    return await chat.post_message(db, viewer, class_id, data.body, server.settings.now())


@post(
    "/chats/{class_id:int}/messages/{message_id:int}/hide",
    summary="Hide a chat message or show it again",
    tags=["chat"],
    status_code=200,
)
@write
async def hide_message(
    class_id: ClassId,
    message_id: MessageId,
    data: JSONBody[m.ChatHide],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ChatMessage:
    """The class teacher and the administration; the text is kept and the change audited."""
    now = server.settings.now()
    return await chat.hide_message(db, viewer, class_id, message_id, data, now)


@post(
    "/chats/{class_id:int}/state",
    summary="Close a class chat or open it again",
    tags=["chat"],
    status_code=200,
)
@write
async def set_state(
    class_id: ClassId,
    data: JSONBody[m.ChatState],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Chat:
    """The class teacher and the administration; answers with the chat's newest page."""
    return await chat.set_state(db, viewer, class_id, data.closed, server.settings.now())


router = Router(
    path="/",
    guards=[CHAT_MEMBERS],
    route_handlers=[chats, class_chat, post_message, hide_message, set_state],
)
