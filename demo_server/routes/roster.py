"""Roster import: a CSV of pupils, parents and teachers checked (a dry run) or applied by the IT
staff, read and planned off the event loop."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _, ngettext
from demo_server import roster_apply
from demo_server.auth import Viewer
from demo_server.heavy import encode_off_loop, encoded, off_loop
from demo_server.idempotency import Encoded, write
from demo_server.problems import ProblemError
from demo_server.roster import (
    ExistingSchool,
    ImportPlan,
    ParsedRoster,
    RosterError,
    parse_roster,
    plan_import,
    plan_report,
)
from demo_server.routes.accounts import IT_STAFF_ONLY
from demo_server.settings import ServerState

CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


# --- roster import ---------------------------------------------------------------------------


@post(
    "/roster/import",
    summary="Import a roster CSV file",
    status_code=200,
    opt={"problems": (415,), "request_body": "text/csv"},
)
@write(heavy=N_("roster imports"))
async def import_roster(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    dry_run: Annotated[bool, QueryParameter(description="Only say what would happen")] = True,
) -> Encoded[m.RosterImportReport]:
    """The body is the CSV file (``Content-Type: text/csv``). A dry run answers the plan line
    by line and writes nothing. The real run writes all of it in one transaction, or nothing:
    a file with a refused line is answered 422 with the report in ``current``. Importing the
    same file again changes nothing."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise ProblemError(
            415,
            _("send the roster file itself as the body with Content-Type: text/csv"),
            field="Content-Type",
        )
    body = await request.body()
    if not body.strip():
        raise ProblemError(422, _("the file is empty"), field="body")
    return await _import_roster(viewer, server, db, body, dry_run=dry_run)


def _plan(
    body: bytes, snapshot: ExistingSchool, *, dry_run: bool
) -> tuple[ParsedRoster, ImportPlan] | bytes:
    """Read and plan the file; for a dry run, the report's JSON (the plan is dropped here)."""
    parsed = parse_roster(body)
    the_plan = plan_import(parsed, snapshot)
    if dry_run:
        return encoded(plan_report, the_plan, parsed, dry_run=True, applied=False)
    return parsed, the_plan


async def _import_roster(
    viewer: Viewer,
    server: ServerState,
    db: AsyncSession,
    body: bytes,
    *,
    dry_run: bool,
) -> Encoded[m.RosterImportReport]:
    # Reading, planning and reporting take time in proportion to the file: they run off the
    # event loop, and the report comes back as its JSON, so the loop neither encodes it nor
    # keeps its objects alive for the collector to walk.
    today = viewer.today

    async def plan() -> tuple[ParsedRoster, ImportPlan] | bytes:
        snapshot = await roster_apply.build_snapshot(db, viewer.school_id, today)
        try:
            return await off_loop(_plan, body, snapshot, dry_run=dry_run)
        except RosterError as exc:
            raise ProblemError(422, str(exc), field="body") from None

    if dry_run:
        report = await plan()
        await db.rollback()
        assert isinstance(report, bytes)
        return Encoded(report)

    planned = await plan()
    assert not isinstance(planned, bytes)
    parsed, the_plan = planned
    if not the_plan.can_apply:
        raise ProblemError(
            422,
            ngettext(
                "{n} line is refused; nothing was imported. Correct it (see the report) and "
                "import the file again",
                "{n} lines are refused; nothing was imported. Correct them (see the report) "
                "and import the file again",
                len(the_plan.refused),
            ).format(n=len(the_plan.refused)),
            field="body",
            current=await off_loop(plan_report, the_plan, parsed, dry_run=False, applied=False),
        )
    await roster_apply.apply_plan(
        db,
        the_plan,
        parsed,
        data=body,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        today=today,
        now=server.settings.now(),
    )
    return Encoded(
        await encode_off_loop(plan_report, the_plan, parsed, dry_run=False, applied=True)
    )


router = Router(
    path="/",
    route_handlers=[import_roster],
    tags=["accounts"],
    guards=[IT_STAFF_ONLY],
)
