"""``/pupils/{pupil_id}/week``: a pupil's week in one GET."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import Week
from demo_server.access import PUPIL_READERS, pupil_not_found
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.routes.deps import requires
from demo_server.signing import week_signature
from demo_server.week import load_week

MIN_YEAR = 2000
MAX_YEAR = 2100
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_query(description: str, name: str | None = None) -> QueryParameter:
    """A query parameter that names a day, documented as an OpenAPI ``date``; read it with
    ``parse_date``. ``name`` is the parameter's name where it is not the argument's."""
    return QueryParameter(name=name, description=description, schema_extra={"format": "date"})


def parse_date(value: str, field: str) -> dt.date:
    """A ``YYYY-MM-DD`` date between the years 2000 and 2100, or a 400 problem."""
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        raise ProblemError(
            400,
            _("'{field}' must be a date written YYYY-MM-DD, like 2026-11-23").format(field=field),
            field=field,
        )
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ProblemError(
            400,
            _("'{field}' is not a real date: {text} does not exist").format(field=field, text=text),
            field=field,
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ProblemError(
            400,
            _("'{field}' must be in the years {MIN_YEAR} to {MAX_YEAR}").format(
                field=field, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR
            ),
            field=field,
        )
    return day


@get(
    "/pupils/{pupil_id:int}/week",
    summary="A pupil's week",
    tags=["week"],
    guards=[requires(*PUPIL_READERS, what=N_("pupils' weeks"))],
)
async def pupil_week(
    pupil_id: Annotated[int, Parameter(description="The pupil's id")],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    date: Annotated[
        str | None,
        Parameter(
            description="Any day of the wanted week, YYYY-MM-DD (default: today)",
            schema_extra={"format": "date"},
        ),
    ] = None,
) -> Week:
    """Lessons with times, subject, teacher, room, topic, homework, marks and absence; the
    bells; events; holidays. The week runs Monday to Sunday."""
    day = parse_date(date, "date") if date is not None else viewer.today
    week = await load_week(db, pupil_id, day, seen_by=viewer)  # None: not theirs to see
    if week is None:
        raise pupil_not_found()
    week.signed = await week_signature(db, week)
    return week
