"""Messages: ``/threads`` and ``/pupils/{id}/recipients``.

Reads are one GET each (the thread list; one thread with its messages); writes (read mark,
reply, new thread) go through :func:`demo_server.idempotency.idempotent`.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import messaging
from demo_server.access import pupil_not_found, require_pupil
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import PupilId
from demo_server.settings import ServerState

ThreadId = Annotated[int, PathParameter(description="The thread's id")]


@get("/threads", summary="The user's message threads", tags=["messages"])
async def threads(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.Threads:
    """Subject, the other participants, the child, the last message time and unread count."""
    messaging.require_messages(viewer)
    return await messaging.list_threads(db, viewer, viewer.today)


@get("/threads/{thread_id:int}", summary="One thread with its messages", tags=["messages"])
async def thread(
    thread_id: ThreadId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.Thread:
    return await messaging.load_thread(db, viewer, thread_id, viewer.today)


@post(
    "/threads/{thread_id:int}/read",
    summary="Mark a thread read",
    tags=["messages"],
    status_code=200,
)
@write
async def read_thread(
    thread_id: ThreadId,
    data: JSONBody[m.ReadRequest],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.ReadState:
    """Move the read mark forward to ``last_read_id``."""
    return await messaging.mark_read(db, viewer, thread_id, data.last_read_id)


@post("/threads/{thread_id:int}/messages", summary="Reply in a thread", tags=["messages"])
@write
async def reply(
    thread_id: ThreadId,
    data: JSONBody[m.ReplyRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Thread:
    """Add a message; answers with the whole thread."""
    settings = server.settings
    return await messaging.reply(db, viewer, thread_id, data.body, settings.now(), viewer.today)


@post("/threads", summary="Start a thread", tags=["messages"])
@write
async def start_thread(
    data: JSONBody[m.NewThreadRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Thread:
    """A new thread with one recipient from the pupil's list of recipients."""
    settings = server.settings
    return await messaging.start_thread(db, viewer, data, settings.now(), viewer.today)


@get(
    "/pupils/{pupil_id:int}/recipients",
    summary="Whom the user may write to about a pupil",
    tags=["messages"],
)
async def recipients(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.Recipients:
    """For a parent or pupil: the teachers and class teacher; for staff: the parents."""
    messaging.require_messages(viewer)
    await require_pupil(db, viewer, pupil_id, N_("message recipients"))
    today = viewer.today
    pupil = (await messaging.pupil_refs(db, [pupil_id], today)).get(pupil_id)
    if pupil is None:
        raise pupil_not_found()
    people = await messaging.recipients(db, viewer, pupil_id, today)
    return m.Recipients(pupil=pupil, recipients=people)


router = Router(
    path="/", route_handlers=[threads, thread, read_thread, reply, start_thread, recipients]
)
