"""``/pupils/{pupil_id}/grades`` and ``/pupils/{pupil_id}/report-card``: a pupil's marks."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_
from api_client.models import Grades, ReportCard
from demo_server.access import pupil_not_found, require_pupil
from demo_server.auth import Viewer
from demo_server.grades import load_grades, load_report_card
from demo_server.routes.deps import PupilId

PeriodParam = Annotated[
    str | None,
    QueryParameter(
        description="A period id, or 'year' (default: the period holding today)",
        schema_extra={"pattern": "^([0-9]+|year)$"},
    ),
]
"""The ``period`` of a pupil's marks or attendance (read by ``grades.resolve_span``)."""


@get("/pupils/{pupil_id:int}/grades", summary="A pupil's grades", tags=["grades"])
async def pupil_grades(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> Grades:
    """Per subject every mark of the period in date order, the weighted average and the
    period mark; where the school shows them, the class average and the pupil's place."""
    await require_pupil(db, viewer, pupil_id, N_("marks"))
    grades = await load_grades(db, pupil_id, viewer.today, period)
    if grades is None:
        raise pupil_not_found()
    return grades


@get("/pupils/{pupil_id:int}/report-card", summary="A pupil's report card", tags=["grades"])
async def pupil_report_card(
    pupil_id: PupilId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> ReportCard:
    """Period and year marks per subject for the whole school year: the one holding today,
    or the one holding ``period`` (last year's report card, by one of its periods)."""
    await require_pupil(db, viewer, pupil_id, N_("marks"))
    card = await load_report_card(
        db, pupil_id, viewer.today, None if period in (None, "year") else period
    )
    if card is None:
        raise pupil_not_found()
    return card


router = Router(path="/", route_handlers=[pupil_grades, pupil_report_card])
