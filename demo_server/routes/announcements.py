"""Announcements and events: ``/announcements`` and ``/events``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Router, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from api_client.models import Role
from demo_server import meetings, messaging
from demo_server.access import require_pupil
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.deps import requires
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ServerState
from demo_server.wire import Id

#: The longest range ``/events`` answers at once.
MAX_EVENT_RANGE = dt.timedelta(days=400)

PupilParam = Annotated[
    Id | None,
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
    db: NamedDependency[AsyncSession],
    pupil_id: PupilParam = None,
) -> m.Announcements:
    """The school's and the user's classes' announcements, newest first, with read state; and
    the events of the next weeks."""
    scope = await _pupil_scope(db, viewer, pupil_id)
    news = await messaging.load_announcements(db, viewer, viewer.today, scope)
    classes = await messaging.audience_classes(db, viewer, viewer.today, scope)
    news.past_meetings = await meetings.past_meetings(db, viewer, classes, viewer.today)
    return news


@post(
    "/announcements/{announcement_id:int}/read",
    summary="Mark an announcement read",
    tags=["announcements"],
    status_code=200,
)
@write
async def read_announcement(
    announcement_id: Annotated[int, PathParameter(description="The announcement's id")],
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


EventId = Annotated[int, PathParameter(description="The event's id")]
MEETING_WRITERS = requires(Role.TEACHER, Role.ADMINISTRATION, action=N_("plan parent meetings"))


@get("/events/{event_id:int}", summary="One event with its agenda", tags=["announcements"])
async def event(
    event_id: EventId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.EventDetail:
    """An event the user may see (the school's, or of their class, their child's class, a
    class they teach; the administration: any), with what they may do: a parent's answer to
    a meeting; for its class teacher and the administration, who answered what."""
    return await meetings.event_detail(db, viewer, event_id, server.settings.now())


@post(
    "/meetings",
    summary="Plan a parent meeting",
    tags=["announcements"],
    status_code=201,
    guards=[MEETING_WRITERS],
)
@write
async def create_meeting(
    data: JSONBody[m.MeetingRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.EventDetail:
    """The class teacher for their class, the administration for any class or the school.
    The day is written 01.12.2026 or 2026-12-01, the time 18:30 in the school's zone."""
    return await meetings.create_meeting(db, viewer, data, server.settings.now())


@patch(
    "/meetings/{event_id:int}",
    summary="Change or cancel a parent meeting",
    tags=["announcements"],
    guards=[MEETING_WRITERS],
)
@write
async def update_meeting(
    event_id: EventId,
    data: JSONBody[m.MeetingUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.EventDetail:
    """Until it starts, based on its version (a stale one: 409)."""
    return await meetings.update_meeting(db, viewer, event_id, data, server.settings.now())


@put(
    "/meetings/{event_id:int}/answer",
    summary="Answer a parent meeting's invitation",
    tags=["announcements"],
    guards=[requires(Role.PARENT, action=N_("answer invitations to parent meetings"))],
)
@write
async def answer_meeting(
    event_id: EventId,
    data: JSONBody[m.MeetingAnswerRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.EventDetail:
    """A parent of the class: coming or not, with a short comment; changed until it starts."""
    return await meetings.answer_meeting(db, viewer, event_id, data, server.settings.now())


@put(
    "/meetings/{event_id:int}/minutes",
    summary="Record a parent meeting's minutes",
    tags=["announcements"],
    guards=[MEETING_WRITERS],
)
@write
async def meeting_minutes(
    event_id: EventId,
    data: JSONBody[m.MeetingMinutesRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.EventDetail:
    """Once it has begun, based on its version: the decisions, read by the class's parents."""
    return await meetings.record_minutes(db, viewer, event_id, data, server.settings.now())


router = Router(
    path="/",
    route_handlers=[
        announcements,
        read_announcement,
        post_announcement,
        events,
        event,
        create_meeting,
        update_meeting,
        answer_meeting,
        meeting_minutes,
    ],
)
