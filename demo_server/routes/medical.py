"""The health worker: find a pupil by name, see and record their illness absences; no marks.

``/pupils/search`` answers names and classes only. ``POST /medical/absences`` records a pupil
ill from one day to another: an illness absence for every lesson of those days, each audited
and sent to the change feed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import medical
from demo_server.access import MEDICAL_STAFF, PUPIL_SEARCHERS
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.routes.deps import requires
from demo_server.routes.week import date_query, parse_date
from demo_server.settings import ServerState
from demo_server.wire import Id

DEFAULT_DAYS = 60
MEDICAL_GUARD = requires(*MEDICAL_STAFF, what=N_("medical absences"))
"""Who reads and records illness absences: the health worker."""


@get(
    "/pupils/search",
    summary="Find pupils by name",
    tags=["pupils"],
    guards=[requires(*PUPIL_SEARCHERS, what=N_("the pupil search"))],
)
async def search_pupils(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    q: Annotated[
        str,
        QueryParameter(
            description="Part of a surname or first name, or both (up to 100 characters)",
            schema_extra={"maxLength": 100},
        ),
    ],
) -> m.PupilSearch:
    """Pupils of the school whose names hold every word of ``q``: names and classes, no
    marks. The health worker, administration and IT staff."""
    words = q.split()
    if len(q) > 100:
        raise ProblemError(400, _("'q' must be at most 100 characters of a name"), field="q")
    if not words:
        raise ProblemError(422, _("'q' is empty: give part of a surname or first name"), field="q")
    return await medical.search_pupils(db, viewer, words, viewer.today)


@get(
    "/medical/absences",
    summary="A pupil's illness absences",
    tags=["medical"],
    guards=[MEDICAL_GUARD],
)
async def medical_absences(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    pupil: Annotated[Id, QueryParameter(description="The pupil's id")],
    from_: Annotated[
        str | None, date_query("From this day (default: 60 days ago)", name="from")
    ] = None,
    to: Annotated[str | None, date_query("To this day (default: today)")] = None,
) -> m.MedicalAbsences:
    """Illness absences of any pupil of the school, newest first; never marks. The health
    worker only."""
    today = viewer.today
    end = parse_date(to, "to") if to is not None else today
    start = parse_date(from_, "from") if from_ is not None else end - dt.timedelta(DEFAULT_DAYS)
    return await medical.medical_absences(db, viewer, pupil, start, end, today)


@post(
    "/medical/absences",
    summary="Record a pupil ill for some days",
    tags=["medical"],
    guards=[MEDICAL_GUARD],
)
@write
async def create_medical_absences(
    data: JSONBody[m.MedicalAbsenceCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.MedicalAbsenceResult:
    """An illness absence for every lesson of the days from ``start`` to ``end``; lessons
    already marked absent stay as they are. The health worker only."""
    return await medical.record_illness(db, viewer, data, server.settings.now())
