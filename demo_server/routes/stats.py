"""``/stats/...``: the school's figures for the administration, anonymised ones for the
education authority.

A period's figures read every mark and absence of the school: they take turns with the other
heavy work (``demo_server.heavy``), so many at once are told to come back instead of filling
the server."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import stats
from demo_server.access import (
    ANONYMOUS_STATS_READERS,
    MAX_ID,
    STATS_READERS,
)
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.routes.deps import ClassId, requires
from demo_server.settings import ServerState
from demo_server.wire import Id

PeriodParam = Annotated[
    Id | None,
    QueryParameter(description="The period's id (default: the period that holds today)"),
]


@get(
    "/school",
    summary="The school's statistics for a period",
    guards=[requires(*STATS_READERS, what=N_("the school's named statistics"))],
)
async def school_stats(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> m.SchoolStats:
    """Averages per class and subject, the distribution of marks, attendance, pupils at risk,
    the ranking of classes and the average of each week. Administration only."""
    today = viewer.today
    scope = await stats.resolve_scope(db, viewer.school_id, period, today)
    async with server.heavy.turn(N_("statistics")):
        return await stats.school_stats(db, scope, today)


@get(
    "/classes/{class_id:int}",
    summary="One class's statistics for a period",
    guards=[requires(*STATS_READERS, what=N_("a class's named statistics"))],
)
async def class_stats(
    class_id: ClassId,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> m.ClassStats:
    """The class's averages per subject, distribution, attendance, rank, pupils at risk and
    weekly trend. Administration only."""
    today = viewer.today
    scope = await stats.resolve_scope(db, viewer.school_id, period, today)
    found = None
    if 0 < class_id <= MAX_ID:
        async with server.heavy.turn(N_("statistics")):
            found = await stats.class_stats(db, scope, class_id, today)
    if found is None:
        raise ProblemError(
            404, _("there is no class with this id in that period's year"), field="class_id"
        )
    return found


@get(
    "/authority",
    summary="Anonymised figures per school and class",
    guards=[requires(*ANONYMOUS_STATS_READERS, what=N_("anonymised statistics"))],
)
async def authority_stats(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    period: PeriodParam = None,
) -> m.AuthorityStats:
    """Average, distribution and attendance per school and class; never a pupil, and any
    group of fewer than five pupils withheld. The education authority and administration."""
    scope = await stats.resolve_scope(db, viewer.school_id, period, viewer.today)
    async with server.heavy.turn(N_("statistics")):
        return await stats.authority_stats(db, scope)


router = Router(
    path="/stats", route_handlers=[school_stats, class_stats, authority_stats], tags=["stats"]
)
