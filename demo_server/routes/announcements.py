"""Announcements and events: ``/announcements`` and ``/events``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import messaging
from demo_server.access import require_pupil
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ServerState

#: The longest range ``/events`` answers at once.
MAX_EVENT_RANGE = dt.timedelta(days=400)

PupilParam = Annotated[
    int | None,
    QueryParameter(
        name="pupil_id",
        description="Only this child's class (and the school); default: all the user's classes",
    ),
]


async def _pupil_scope(
    db: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer], pupil_id: int | None
) -> int | None:
    if pupil_id is not None:
        await require_pupil(db, viewer, pupil_id, N_("pupils' announcements"))
    return pupil_id


@get("/announcements", summary="Announcements and upcoming events", tags=["announcements"])
async def announcements(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    pupil_id: PupilParam = None,
) -> m.Announcements:
    """The school's and the user's classes' announcements, newest first, with read state; and
    the events of the next weeks."""
    scope = await _pupil_scope(db, viewer, pupil_id)
    return await messaging.load_announcements(db, viewer, viewer.today, scope)


@post(
    "/announcements/{announcement_id:int}/read",
    summary="Mark an announcement read",
    tags=["announcements"],
    status_code=200,
)
@write
async def read_announcement(
    announcement_id: Annotated[int, PathParameter(description="The announcement's id")],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.AnnouncementItem:
    settings = server.settings
    return await messaging.mark_announcement_read(
        db, viewer, announcement_id, settings.now(), viewer.today
    )


@post("/announcements", summary="Post an announcement", tags=["announcements"])
@write
async def post_announcement(
    data: JSONBody[m.AnnouncementRequest],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.AnnouncementItem:
    """A teacher to a class they teach; administration to a class or the whole school."""
    settings = server.settings
    return await messaging.post_announcement(db, viewer, data, settings.now(), viewer.today)


@get("/events", summary="Events in a range of days", tags=["announcements"])
async def events(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    from_: Annotated[
        str | None, date_query("First day, YYYY-MM-DD (default today)", name="from")
    ] = None,
    to: Annotated[str | None, date_query("Last day, YYYY-MM-DD (default six weeks on)")] = None,
    pupil_id: PupilParam = None,
) -> m.Events:
    """School events and the user's (or children's) classes' events: meetings, exams, ..."""
    today = viewer.today
    start = parse_date(from_, "from") if from_ is not None else today
    end = parse_date(to, "to") if to is not None else start + messaging.EVENTS_AHEAD
    if end < start:
        raise ProblemError(422, _("'to' must not be before 'from'"), field="to")
    if end - start > MAX_EVENT_RANGE:
        raise ProblemError(422, _("ask for at most 400 days of events at once"), field="to")
    scope = await _pupil_scope(db, viewer, pupil_id)
    classes = await messaging.audience_classes(db, viewer, today, scope)
    return m.Events(
        start=start, end=end, events=await messaging.load_events(db, viewer, classes, start, end)
    )


router = Router(
    path="/", route_handlers=[announcements, read_announcement, post_announcement, events]
)
