"""A pupil's attendance, and parents' absence notices to the class teacher."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import (
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNoticeRequest,
    AbsenceNotices,
    Attendance,
    Role,
)
from demo_server.absence_notices import apply_notice, mark_seen, send_notice, withdraw_notice
from demo_server.access import (
    ATTENDANCE_READERS,
    pupil_not_found,
    require_class_notices,
    require_notice_reader,
    require_pupil,
)
from demo_server.attendance import load_attendance, load_notices
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.deps import ClassId, PupilId, requires
from demo_server.routes.grades import PeriodParam
from demo_server.settings import ServerState


@get("/pupils/{pupil_id:int}/attendance", summary="A pupil's attendance", tags=["attendance"])
async def pupil_attendance(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> Attendance:
    """Absences and lateness with date, lesson and kind; totals per subject and overall."""
    await require_pupil(db, viewer, pupil_id, N_("attendance"), ATTENDANCE_READERS)
    attendance = await load_attendance(db, pupil_id, viewer.today, period)
    if attendance is None:
        raise pupil_not_found()
    return attendance


@post(
    "/pupils/{pupil_id:int}/absence-notices",
    summary="Tell the class teacher about an absence",
    tags=["attendance"],
)
@write
async def add_absence_notice(
    pupil_id: PupilId,
    data: JSONBody[AbsenceNoticeRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> AbsenceNotice:
    """A parent says in advance, or explains after, that their child is or was away."""
    if viewer.role is not Role.PARENT:
        raise ProblemError(403, _("only a parent can send an absence notice"))
    await require_pupil(db, viewer, pupil_id, N_("absence notices"))
    return await send_notice(db, viewer, pupil_id, data, viewer.today, server.settings.now())


@get(
    "/pupils/{pupil_id:int}/absence-notices",
    summary="Absence notices about a pupil",
    tags=["attendance"],
)
async def pupil_absence_notices(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> AbsenceNotices:
    """Newest first: for the pupil, their parents, their class teacher, administration."""
    await require_notice_reader(db, viewer, pupil_id)
    return await load_notices(db, viewer.today, pupil_id=pupil_id)


@get(
    "/classes/{class_id:int}/absence-notices",
    summary="Absence notices about a class's pupils",
    tags=["attendance"],
)
async def class_absence_notices(
    class_id: ClassId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> AbsenceNotices:
    """For the class teacher of the class and administration; newest first."""
    await require_class_notices(db, viewer, class_id)
    return await load_notices(db, viewer.today, class_id=class_id)


NoticeId = Annotated[int, PathParameter(description="The absence notice's id")]


@post(
    "/absence-notices/{notice_id:int}/seen",
    summary="Mark an absence notice as read",
    tags=["attendance"],
    status_code=200,
)
@write
async def absence_notice_seen(
    notice_id: NoticeId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> AbsenceNotice:
    """The class teacher of the pupil's class (or the administration) has read the notice.

    The first reading is kept (when, and by whom) and the pupil's parents are told; reading it
    again changes nothing."""
    return await mark_seen(db, viewer, notice_id, server.settings.now(), viewer.today)


@post(
    "/absence-notices/{notice_id:int}/apply",
    summary="Excuse the absences an absence notice covers",
    tags=["attendance"],
    status_code=200,
)
@write
async def absence_notice_apply(
    notice_id: NoticeId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> AbsenceNoticeApplied:
    """The class teacher: the pupil's unexcused absences at the lessons of the notice's days
    become excused (illness, for a notice about illness), each with its audit record.

    Lessons still to come have no absence yet and get nothing now (``lessons_ahead`` counts
    them). With nothing to change: 422, saying why."""
    return await apply_notice(db, viewer, notice_id, server.settings.now(), viewer.today)


@post(
    "/absence-notices/{notice_id:int}/withdraw",
    summary="Withdraw an absence notice not read yet",
    tags=["attendance"],
    status_code=200,
    guards=[requires(Role.PARENT, action=N_("withdraw absence notices"))],
)
@write
async def absence_notice_withdraw(
    notice_id: NoticeId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> AbsenceNotice:
    """A parent of the pupil takes back a notice the class teacher has not read yet; the
    class teacher's list shows it withdrawn. A notice already read: 409 (write to the class
    teacher instead); one withdrawn already is answered as it is."""
    return await withdraw_notice(db, viewer, notice_id, server.settings.now(), viewer.today)


router = Router(
    path="/",
    route_handlers=[
        pupil_attendance,
        add_absence_notice,
        pupil_absence_notices,
        class_absence_notices,
        absence_notice_seen,
        absence_notice_apply,
        absence_notice_withdraw,
    ],
)
