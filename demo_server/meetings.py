"""Events opened one at a time, and parent meetings: planning, answers, minutes.

Who sees an event: the school's (no class) everyone of the school; a class's its pupils, the
parents of its pupils, the teachers of the class (``messaging.audience_classes``) and the
administration. Anyone else is told there is no such event, as for an id that does not exist.

Who does what with a parent meeting:

- plans one: the class teacher for their class, the administration for any class or the
  whole school;
- changes or cancels it until it starts (based on its version; a stale one is a 409 with the
  meeting as it is now): the same people;
- answers (coming or not, with a short comment), and changes the answer, until it starts: a
  parent of a pupil of the class (of the school, for the school's meeting); one answer per
  parent, whichever of their children it is for;
- sees who answered what, per pupil's parents, with counts: the class teacher and the
  administration;
- records the minutes (the decisions) once it has started: the class teacher and the
  administration; everyone who sees the meeting reads them.

Every change of a meeting (planned, changed, cancelled, minutes) appends an audit record and a
change-feed row for the class (or the school), in the write's own transaction. A parent's
answer appends an ``event.answer`` row addressed to whoever planned the meeting and to the
class's class teacher alone (:func:`organisers`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import leads_class, valid_id, visible_class
from demo_server.auth import Viewer
from demo_server.clock import school_zone
from demo_server.messaging import (
    audience_classes,
    check_text,
    class_refs,
    event_audience,
    events_of,
    full_name,
    users_by_id,
)
from demo_server.problems import ProblemError
from demo_server.records import record_change, record_write

#: How far ahead a meeting may be planned.
PLAN_AHEAD = dt.timedelta(days=400)
#: How far back the News screen lists past meetings.
PAST_MEETINGS_BACK = dt.timedelta(days=365)
PAST_MEETINGS_MOST = 30

_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
MEETING = m.EventKind.PARENT_MEETING.value


def event_not_found() -> ProblemError:
    return ProblemError(
        404, _("there is no event with this id among those you may see"), field="event_id"
    )


def parse_day(text: str) -> dt.date:
    """A day written ``01.12.2026`` or ``2026-12-01``; else a 422 naming ``date``."""
    value = text.strip()
    dotted, iso = _DOTTED.fullmatch(value), _ISO.fullmatch(value)
    if dotted is None and iso is None:
        raise ProblemError(
            422,
            _("write the day of the meeting like 01.12.2026 (day, month, year)"),
            field="date",
        )
    try:
        if dotted is not None:
            day, month, year = (int(part) for part in dotted.groups())
        else:
            assert iso is not None
            year, month, day = (int(part) for part in iso.groups())
        return dt.date(year, month, day)
    except ValueError:
        raise ProblemError(
            422, _("{text} is not a day of the calendar").format(text=value), field="date"
        ) from None


def parse_clock(text: str) -> dt.time:
    """A time of day written ``18:30``; else a 422 naming ``time``."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise ProblemError(422, _("write the time the meeting starts like 18:30"), field="time")
    return dt.time(int(found[1]), int(found[2]))


def ends(starts: dt.datetime, text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """The moment a meeting starting at ``starts`` ends by its end time ``text`` (``19:30``,
    the same school day); None for an empty one; a 422 naming ``end_time`` unless it is a
    time after the start."""
    if not text.strip():
        return None
    found = _CLOCK.fullmatch(text.strip())
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise ProblemError(
            422,
            _("write the time the meeting ends like 19:30, or leave it empty"),
            field="end_time",
        )
    local = starts.astimezone(zone)
    moment = dt.datetime.combine(local.date(), dt.time(int(found[1]), int(found[2])), zone)
    if moment <= local:
        raise ProblemError(
            422,
            _(
                "the meeting ends after it starts ({start}) on the same day: write a later "
                "end, or leave it empty"
            ).format(start=f"{local:%H:%M}"),
            field="end_time",
        )
    return moment.astimezone(dt.UTC)


def agenda_lines(points: list[str]) -> str:
    return "\n".join(point.strip() for point in points if point.strip())


async def _zone(db: AsyncSession, viewer: Viewer) -> dt.tzinfo:
    return school_zone(
        await db.scalar(select(s.School.timezone).where(s.School.id == viewer.school_id))
    )


async def school_moment(db: AsyncSession, viewer: Viewer, now: dt.datetime) -> dt.datetime:
    """The instant the school's meetings are measured against: ``now``, or on a frozen
    school day (``DIARY_TODAY``, a demo on a chosen date) that day at ``now``'s time of day,
    so that a meeting later "today" is still to come and one "yesterday" is past."""
    zone = await _zone(db, viewer)
    local = now.astimezone(zone)
    if local.date() == viewer.today:
        return now
    return dt.datetime.combine(viewer.today, local.time(), zone).astimezone(dt.UTC)


def _starts(day: dt.date, clock: dt.time, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """The moment a meeting planned for ``day`` at ``clock`` starts; a 422 unless it is to
    come (and not beyond :data:`PLAN_AHEAD`)."""
    local_now = now.astimezone(zone)
    if day < local_now.date():
        raise ProblemError(
            422, _("the day of the meeting has passed: choose a day to come"), field="date"
        )
    if day - local_now.date() > PLAN_AHEAD:
        raise ProblemError(422, _("a meeting is planned at most 400 days ahead"), field="date")
    moment = dt.datetime.combine(day, clock, zone)
    if moment <= now:
        raise ProblemError(422, _("this time today has passed: choose a later time"), field="time")
    return moment.astimezone(dt.UTC)


async def visible_event(db: AsyncSession, viewer: Viewer, event_id: int) -> s.Event:
    """The event ``event_id`` if ``viewer`` may see it, else :func:`event_not_found`."""
    if not valid_id(event_id):
        raise event_not_found()
    row = await db.scalar(
        select(s.Event).where(s.Event.id == event_id, s.Event.school_id == viewer.school_id)
    )
    if row is None:
        raise event_not_found()
    if row.class_id is None or viewer.role is m.Role.ADMINISTRATION:
        return row
    if row.class_id not in await audience_classes(db, viewer, viewer.today):
        raise event_not_found()
    return row


async def may_manage(db: AsyncSession, viewer: Viewer, row: s.Event) -> bool:
    """Whether ``viewer`` plans, changes and writes the minutes of the meeting ``row``."""
    if row.kind != MEETING:
        return False
    if viewer.role is m.Role.ADMINISTRATION:
        return True
    return (
        viewer.role is m.Role.TEACHER
        and row.class_id is not None
        and await leads_class(db, viewer.id, row.class_id)
    )


async def _require_manager(db: AsyncSession, viewer: Viewer, row: s.Event) -> None:
    if row.kind != MEETING:
        raise ProblemError(
            409, _("only a parent meeting is changed here; this is another kind of event")
        )
    if not await may_manage(db, viewer, row):
        raise ProblemError(
            403,
            _(
                "only the class teacher of the class or the school administration changes "
                "this meeting"
            ),
        )


def _stale(row: s.Event, version: int) -> None:
    if row.version != version:
        raise ProblemError(
            409,
            _("the meeting was changed meanwhile (now version {version}): reload it").format(
                version=row.version
            ),
            field="version",
        )


async def _meeting_to_change(
    db: AsyncSession,
    viewer: Viewer,
    event_id: int,
    version: int,
    now: dt.datetime,
    if_cancelled: str,
) -> tuple[s.Event, dt.datetime]:
    """The meeting ``event_id`` for its organiser to change, and the school's moment ``now``:
    refused when it is not a parent meeting, not the viewer's to manage, changed since
    ``version``, or cancelled (``if_cancelled`` says so)."""
    row = await visible_event(db, viewer, event_id)
    await _require_manager(db, viewer, row)
    _stale(row, version)
    if row.cancelled_at is not None:
        raise ProblemError(409, if_cancelled)
    return row, await school_moment(db, viewer, now)


async def _families(
    db: AsyncSession, row: s.Event, today: dt.date
) -> tuple[list[tuple[s.User, list[s.User]]], dict[int, s.MeetingAnswer]]:
    """The pupils the meeting is for (of its class, or the school's), each with their
    parents, and the answers given so far by parent."""
    pupils_query = (
        select(s.User)
        .join(s.Enrolment, s.Enrolment.pupil_id == s.User.id)
        .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
        .where(
            s.SchoolClass.school_id == row.school_id,
            s.enrolled_on(today),
        )
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    if row.class_id is not None:
        pupils_query = pupils_query.where(s.Enrolment.class_id == row.class_id)
    pupils = list(dict.fromkeys((await db.scalars(pupils_query)).all()))
    links = await db.execute(
        select(s.ParentLink.pupil_id, s.ParentLink.parent_id).where(
            s.ParentLink.pupil_id.in_([p.id for p in pupils])
        )
    )
    by_pupil: dict[int, list[int]] = defaultdict(list)
    for pupil_id, parent_id in links:
        by_pupil[pupil_id].append(parent_id)
    parents = await users_by_id(db, (pid for ids in by_pupil.values() for pid in ids))
    answers = {
        a.parent_id: a
        for a in await db.scalars(select(s.MeetingAnswer).where(s.MeetingAnswer.event_id == row.id))
    }
    families = [
        (
            pupil,
            sorted(
                (parents[pid] for pid in by_pupil.get(pupil.id, []) if pid in parents),
                key=lambda u: (u.last_name, u.first_name, u.id),
            ),
        )
        for pupil in pupils
    ]
    return families, answers


def _reply(parent: s.User, answer: s.MeetingAnswer | None) -> m.MeetingReply:
    if answer is None:
        return m.MeetingReply(parent_id=parent.id, parent=full_name(parent))
    return m.MeetingReply(
        parent_id=parent.id,
        parent=full_name(parent),
        coming=answer.coming,
        comment=answer.comment,
        answered_at=answer.answered_at,
    )


async def _answers(db: AsyncSession, row: s.Event, today: dt.date) -> m.MeetingAnswers:
    families, answers = await _families(db, row, today)
    refs = await class_refs(db, {row.class_id} if row.class_id is not None else set())
    result = m.MeetingAnswers()
    for pupil, parents in families:
        replies = [_reply(parent, answers.get(parent.id)) for parent in parents]
        given = [reply.coming for reply in replies if reply.coming is not None]
        if any(given):
            result.coming += 1
        elif given:
            result.not_coming += 1
        else:
            result.unanswered += 1
        result.families.append(
            m.MeetingFamily(
                pupil=m.PupilRef(
                    id=pupil.id,
                    first_name=pupil.first_name,
                    last_name=pupil.last_name,
                    class_=refs.get(row.class_id) if row.class_id is not None else None,
                ),
                parents=replies,
            )
        )
    return result


async def event_detail(
    db: AsyncSession, viewer: Viewer, event_id: int, now: dt.datetime
) -> m.EventDetail:
    row = await visible_event(db, viewer, event_id)
    return await _detail(db, viewer, row, await school_moment(db, viewer, now))


async def _detail(
    db: AsyncSession, viewer: Viewer, row: s.Event, now: dt.datetime
) -> m.EventDetail:
    (event,) = await events_of(db, [row])
    is_meeting = row.kind == MEETING
    open_ = is_meeting and row.cancelled_at is None and now < row.starts_at
    detail = m.EventDetail(id=event.id, version=event.version, event=event)
    if is_meeting and viewer.role is m.Role.PARENT:
        answer = await db.get(s.MeetingAnswer, (row.id, viewer.id))
        if answer is not None:
            parent = await db.get(s.User, viewer.id)
            assert parent is not None
            detail.answer = _reply(parent, answer)
        detail.may_answer = open_
    if await may_manage(db, viewer, row):
        detail.answers = await _answers(db, row, viewer.today)
        detail.may_edit = open_
        detail.may_record_minutes = row.cancelled_at is None and now >= row.starts_at
    return detail


def _audit_value(row: s.Event) -> dict[str, Any]:
    return {
        "title": row.title,
        "starts_at": row.starts_at.astimezone(dt.UTC).isoformat(),
        "ends_at": row.ends_at.astimezone(dt.UTC).isoformat() if row.ends_at else None,
        "place": row.place,
        "agenda": row.agenda,
        "class_id": row.class_id,
        "cancelled": row.cancelled_at is not None,
        "minutes": row.minutes,
    }


async def _record(
    db: AsyncSession,
    viewer: Viewer,
    row: s.Event,
    now: dt.datetime,
    *,
    action: str,
    kind: str,
    before: dict[str, Any] | None,
) -> None:
    await record_write(
        db,
        viewer,
        now,
        action=action,
        entity="meeting",
        entity_id=row.id,
        before=before,
        after=_audit_value(row),
        kind=kind,
        class_id=row.class_id,
        payload={
            "title": row.title,
            "starts_at": row.starts_at.astimezone(dt.UTC).isoformat(),
            "date": row.starts_at.astimezone(await _zone(db, viewer)).date().isoformat(),
            "place": row.place,
        },
    )


async def create_meeting(
    db: AsyncSession, viewer: Viewer, request: m.MeetingRequest, now: dt.datetime
) -> m.EventDetail:
    if request.class_id is None:
        if viewer.role is not m.Role.ADMINISTRATION:
            raise ProblemError(
                403,
                _("only the school administration plans a meeting of the whole school"),
                field="class_id",
            )
    else:
        await visible_class(db, viewer, request.class_id, status=422)
        if viewer.role is not m.Role.ADMINISTRATION and not await leads_class(
            db, viewer.id, request.class_id
        ):
            raise ProblemError(
                403,
                _("only the class teacher of the class or the administration plans its meetings"),
                field="class_id",
            )
    title = check_text(request.title, "title", m.TITLE_MAX_LENGTH)
    zone = await _zone(db, viewer)
    moment = await school_moment(db, viewer, now)
    starts = _starts(parse_day(request.date), parse_clock(request.time), zone, moment)
    ending = ends(starts, request.end_time, zone)
    row = s.Event(
        school_id=viewer.school_id,
        class_id=request.class_id,
        kind=MEETING,
        title=title,
        starts_at=starts,
        ends_at=ending,
        place=request.place.strip(),
        description="",
        agenda=agenda_lines(request.agenda),
        author_id=viewer.id,
        minutes="",
        version=1,
    )
    db.add(row)
    await db.flush()
    await _record(db, viewer, row, now, action="create", kind="event.new", before=None)
    return await _detail(db, viewer, row, moment)


async def update_meeting(
    db: AsyncSession,
    viewer: Viewer,
    event_id: int,
    request: m.MeetingUpdate,
    now: dt.datetime,
) -> m.EventDetail:
    row, moment = await _meeting_to_change(
        db,
        viewer,
        event_id,
        request.version,
        now,
        _("the meeting is cancelled; plan a new one instead"),
    )
    if moment >= row.starts_at:
        raise ProblemError(
            409, _("the meeting has begun: it can no longer be changed or cancelled")
        )
    before = _audit_value(row)
    if request.cancelled is False:
        raise ProblemError(
            422, _("a meeting is not un-cancelled; plan a new one instead"), field="cancelled"
        )
    if request.title is not None:
        row.title = check_text(request.title, "title", m.TITLE_MAX_LENGTH)
    if request.place is not None:
        row.place = request.place.strip()
    if request.agenda is not None:
        row.agenda = agenda_lines(request.agenda)
    zone = await _zone(db, viewer)
    end_text = request.end_time
    if end_text is None and row.ends_at is not None:  # the end's time of day stays
        end_text = f"{row.ends_at.astimezone(zone):%H:%M}"
    if request.date is not None or request.time is not None:
        local = row.starts_at.astimezone(zone)
        day = parse_day(request.date) if request.date is not None else local.date()
        clock = parse_clock(request.time) if request.time is not None else local.time()
        row.starts_at = _starts(day, clock.replace(second=0, microsecond=0), zone, moment)
    row.ends_at = ends(row.starts_at, end_text or "", zone)
    cancelled = bool(request.cancelled)
    if cancelled:
        row.cancelled_at = now
    row.version += 1
    await db.flush()
    await _record(
        db,
        viewer,
        row,
        now,
        action="remove" if cancelled else "update",
        kind="event.cancelled" if cancelled else "event.changed",
        before=before,
    )
    return await _detail(db, viewer, row, moment)


async def answer_meeting(
    db: AsyncSession,
    viewer: Viewer,
    event_id: int,
    request: m.MeetingAnswerRequest,
    now: dt.datetime,
) -> m.EventDetail:
    row = await visible_event(db, viewer, event_id)
    if row.kind != MEETING:
        raise ProblemError(409, _("only a parent meeting is answered; this is another event"))
    if row.cancelled_at is not None:
        raise ProblemError(409, _("the meeting is cancelled: there is nothing to answer"))
    moment = await school_moment(db, viewer, now)
    if moment >= row.starts_at:
        raise ProblemError(409, _("the meeting has begun: answers are taken until it starts"))
    answer = await db.get(s.MeetingAnswer, (row.id, viewer.id))
    if answer is None:
        answer = s.MeetingAnswer(event_id=row.id, parent_id=viewer.id)
        db.add(answer)
    answer.coming = request.coming
    answer.comment = request.comment.strip()
    answer.answered_at = now
    await db.flush()
    await _tell_organisers(db, viewer, row, answer, now)
    return await _detail(db, viewer, row, moment)


async def organisers(db: AsyncSession, row: s.Event) -> list[int]:
    """Who hears of the parents' answers to the meeting ``row``: whoever planned it and the
    class's class teacher (one person when they are the same)."""
    people = [row.author_id] if row.author_id is not None else []
    if row.class_id is not None:
        lead = await db.scalar(
            select(s.SchoolClass.homeroom_teacher_id).where(s.SchoolClass.id == row.class_id)
        )
        if lead is not None:
            people.append(lead)
    return list(dict.fromkeys(people))


async def _tell_organisers(
    db: AsyncSession, viewer: Viewer, row: s.Event, answer: s.MeetingAnswer, now: dt.datetime
) -> None:
    """An ``event.answer`` change-feed row addressed to each organiser of the meeting (never
    to the other parents): who answered, coming or not, their comment, the meeting's day."""
    parent = await db.get(s.User, viewer.id)
    assert parent is not None
    zone = await _zone(db, viewer)
    payload = {
        "title": row.title,
        "date": row.starts_at.astimezone(zone).date().isoformat(),
        "parent": full_name(parent),
        "parent_last_name": parent.last_name,
        "coming": answer.coming,
        "comment": answer.comment,
    }
    for person in await organisers(db, row):
        if person == viewer.id:
            continue
        await record_change(
            db,
            school_id=row.school_id,
            kind="event.answer",
            entity_id=row.id,
            at=now,
            payload=payload,
            class_id=row.class_id,
            user_id=person,
            actor_id=viewer.id,
        )


async def record_minutes(
    db: AsyncSession,
    viewer: Viewer,
    event_id: int,
    request: m.MeetingMinutesRequest,
    now: dt.datetime,
) -> m.EventDetail:
    row, moment = await _meeting_to_change(
        db,
        viewer,
        event_id,
        request.version,
        now,
        _("the meeting was cancelled: it has no minutes"),
    )
    if moment < row.starts_at:
        raise ProblemError(
            409, _("the minutes are recorded once the meeting has begun"), field="minutes"
        )
    before = _audit_value(row)
    row.minutes = check_text(request.minutes, "minutes", m.MESSAGE_MAX_LENGTH)
    row.version += 1
    await db.flush()
    await _record(db, viewer, row, now, action="update", kind="event.minutes", before=before)
    return await _detail(db, viewer, row, moment)


async def past_meetings(
    db: AsyncSession, viewer: Viewer, classes: list[int], today: dt.date
) -> list[m.Event]:
    """Parent meetings of the school and ``classes`` (and those ``viewer`` planned; every
    class's for the administration, ``messaging.event_audience``) before
    ``today``, newest first: the last year's, at most :data:`PAST_MEETINGS_MOST`."""
    zone = await _zone(db, viewer)
    upper = dt.datetime.combine(today, dt.time(), zone).astimezone(dt.UTC)
    lower = dt.datetime.combine(today - PAST_MEETINGS_BACK, dt.time(), zone).astimezone(dt.UTC)
    rows = (
        await db.scalars(
            select(s.Event)
            .where(
                s.Event.school_id == viewer.school_id,
                s.Event.kind == MEETING,
                event_audience(viewer, classes),
                s.Event.starts_at >= lower,
                s.Event.starts_at < upper,
            )
            .order_by(s.Event.starts_at.desc(), s.Event.id.desc())
            .limit(PAST_MEETINGS_MOST)
        )
    ).all()
    return await events_of(db, list(rows))
