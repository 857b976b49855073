"""Set-up files: subjects, rooms, classes, groups, teaching assignments and the timetable from
CSV, checked (a dry run) or applied by the IT staff, read and planned off the event loop, as the
roster import is."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from litestar import Request, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from api_client.setup_files import KINDS
from demo_server import oneroster_apply, setup_import_apply
from demo_server.auth import Viewer
from demo_server.heavy import encode_off_loop, off_loop
from demo_server.idempotency import Encoded, write
from demo_server.oneroster import Bundle, OneRosterError, files_of, read_bundle
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.routes.accounts import IT_STAFF_ONLY
from demo_server.routes.roster import CSV_TYPES
from demo_server.settings import ServerState
from demo_server.setup_import import (
    SetupFileError,
    SetupPlan,
    SetupSnapshot,
    parse_file,
    plan_file,
    plan_report,
)


@post(
    "/setup/import/{kind:str}",
    summary="Import a set-up CSV file (subjects, rooms, classes, groups, assignments, timetable)",
    status_code=200,
    opt={"problems": (404, 415), "request_body": "text/csv"},
)
@write(heavy="set-up imports")
async def import_setup(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    kind: FromPath[str],
    dry_run: Annotated[bool, QueryParameter(description="Only say what would happen")] = True,
) -> Encoded[m.SetupImportReport]:
    """``kind`` is ``subjects``, ``rooms``, ``classes``, ``groups``, ``assignments`` or
    ``timetable``; the body is the CSV file (``Content-Type: text/csv``). A dry run answers
    the plan line by line and writes nothing. The real run writes all of it in one transaction,
    or nothing: a file with a refused line is answered 422 with the report in ``current``.
    Importing the same file again changes nothing."""
    if kind == "oneroster":
        return await _import_oneroster(request, viewer, server, db, dry_run=dry_run)
    file_kind = KINDS.get(kind)
    if file_kind is None:
        raise ProblemError(
            404,
            _("there is no set-up file '{kind}': use one of {kinds}").format(
                kind=kind, kinds=", ".join([*KINDS, "oneroster"])
            ),
            field="kind",
        )
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise ProblemError(
            415,
            _("send the file itself as the body with Content-Type: text/csv"),
            field="Content-Type",
        )
    body = await request.body()
    if not body.strip():
        raise ProblemError(422, _("the file is empty"), field="body")
    snapshot = await setup_import_apply.build_snapshot(db, viewer.school_id, viewer.today)
    try:
        plan = await off_loop(_plan, kind, body, snapshot)
    except SetupFileError as exc:
        raise ProblemError(422, str(exc), field="body") from None
    if dry_run:
        await db.rollback()
        return Encoded(await encode_off_loop(plan_report, plan, dry_run=True, applied=False))
    if not plan.can_apply:
        raise ProblemError(
            422,
            _(
                "{n} line(s) are refused; nothing was imported. Correct them (see the report) "
                "and import the file again"
            ).format(n=len(plan.refused)),
            field="body",
            current=await off_loop(plan_report, plan, dry_run=False, applied=False),
        )
    await setup_import_apply.apply_plan(
        db,
        plan,
        data=body,
        viewer=viewer,
        now=server.settings.now(),
    )
    return Encoded(await encode_off_loop(plan_report, plan, dry_run=False, applied=True))


ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})


async def _import_oneroster(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    server: ServerState,
    db: AsyncSession,
    *,
    dry_run: bool,
) -> Encoded[m.SetupImportReport]:
    """A OneRoster 1.2 CSV bulk set, zipped: checked whole (every reference, every date) and
    imported stage by stage in this transaction; a dry run is the import rolled back."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ZIP_TYPES:
        raise ProblemError(
            415,
            _(
                "send the OneRoster CSV files zipped, as the body with "
                "Content-Type: application/zip"
            ),
            field="Content-Type",
        )
    body = await request.body()
    try:
        bundle = await off_loop(_read_bundle, body)
    except OneRosterError as exc:
        raise ProblemError(422, str(exc), field="body") from None
    outcome = await oneroster_apply.import_bundle(
        db, bundle, viewer=viewer, now=server.settings.now()
    )
    if dry_run:
        await db.rollback()
        return Encoded(await encode_off_loop(outcome.report, dry_run=True, applied=False))
    if outcome.refused:
        await db.rollback()
        raise ProblemError(
            422,
            _(
                "{n} line(s) are refused; nothing was imported. Correct them (see the report) "
                "and import the files again"
            ).format(n=outcome.refused),
            field="body",
            current=outcome.report(dry_run=False, applied=False),
        )
    await append_audit(
        db,
        at=server.settings.now(),
        actor_id=viewer.id,
        action="create",
        entity="setup_import",
        entity_id=viewer.school_id,
        after={
            "kind": "oneroster",
            "file_sha256": hashlib.sha256(body).hexdigest(),
            "lines": len(outcome.rows),
        },
    )
    return Encoded(await encode_off_loop(outcome.report, dry_run=False, applied=True))


def _read_bundle(body: bytes) -> Bundle:
    return read_bundle(files_of(body))


def _plan(kind: str, body: bytes, snapshot: SetupSnapshot) -> SetupPlan:
    return plan_file(parse_file(kind, body), snapshot)


router = Router(
    path="/",
    route_handlers=[import_setup],
    tags=["set-up"],
    guards=[IT_STAFF_ONLY],
)
