"""Accounts for the IT staff: users, parent links, class moves, roster import, credential slips;
invite codes for a class teacher; one's own password change.

Every write goes through :func:`demo_server.idempotency.idempotent` and leaves an audit record
(entity ``user``, ``parent_link``, ``enrolment`` or ``roster_import``). None of these routes
reads a message, a mark or anything else private: the IT staff keep accounts, not diaries.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import accounts as acc
from demo_server import invites, roster_apply
from demo_server import schema as s
from demo_server.access import (
    ACCOUNT_MANAGERS,
    may_issue_invite_codes,
    require_role,
    visible_class,
)
from demo_server.auth import Viewer
from demo_server.heavy import off_loop
from demo_server.idempotency import idempotent
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
from demo_server.routes.deps import BEFORE_PASSWORD_CHANGE, NO_STORE
from demo_server.settings import ServerState
from demo_server.week import class_name, class_ref

WHAT = "accounts (only the school's IT staff manage them)"
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def _it(viewer: NamedDependency[Viewer]) -> None:
    require_role(viewer, ACCOUNT_MANAGERS, WHAT)


# --- reading ---------------------------------------------------------------------------------


@get("/users", summary="Search the school's accounts")
async def list_users(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    q: Annotated[str, QueryParameter(description="Part of a login or name", max_length=100)] = "",
    role: Annotated[m.Role | None, QueryParameter(description="Only this role")] = None,
    class_: Annotated[
        str | None,
        QueryParameter(name="class", description="A class name (5А) or id", max_length=20),
    ] = None,
    offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=acc.MAX_PAGE)] = 50,
) -> m.UserPage:
    """Users whose login or name holds ``q``; ``class`` gives the class's pupils and their
    parents. In surname order, a page at a time."""
    _it(viewer)
    today = server.settings.today()
    class_id = await acc.find_class(db, viewer.school_id, today, class_) if class_ else None
    return await acc.search_users(
        db,
        viewer.school_id,
        today,
        q=q,
        role=role,
        class_id=class_id,
        offset=offset,
        limit=limit,
    )


@get("/classes", summary="The school's classes")
async def list_classes(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ClassList:
    """This year's classes (for the IT staff: where pupils go)."""
    _it(viewer)
    classes = await acc.school_classes(db, viewer.school_id, server.settings.today())
    rows = await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter)
        .where(s.SchoolClass.id.in_(list(classes.values())))
        .order_by(s.SchoolClass.grade, s.SchoolClass.letter)
    )
    return m.ClassList(classes=[class_ref(cid, grade, letter) for cid, grade, letter in rows])


@get("/users/{user_id:int}", summary="One account")
async def get_user(
    user_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.UserSummary:
    _it(viewer)
    user = await acc.get_user(db, viewer.school_id, user_id)
    return await acc.user_summary(db, user, server.settings.today())


# --- writes on accounts ---------------------------------------------------------------------


@post("/users", summary="Create an account", status_code=201, cache_control=NO_STORE)
async def create_user(
    request: Request[Any, Any, Any],
    data: JSONBody[m.UserCreate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.OneTimePassword]:
    """The answer holds the one-time password: show it once, it is never sent again."""
    _it(viewer)

    async def work() -> m.OneTimePassword:
        return await acc.create_user(
            db,
            school_id=viewer.school_id,
            actor_id=viewer.id,
            data=data,
            today=server.settings.today(),
            now=server.settings.now(),
        )

    return await idempotent(request, viewer, db, server, m.OneTimePassword, work, status_code=201)


@patch("/users/{user_id:int}", summary="Edit names, lock or unlock an account")
async def update_user(
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    data: JSONBody[m.UserUpdate],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.UserSummary]:
    """``version`` is the account's version the edit was based on (``UserSummary.version``);
    a stale one is answered 409 with the account as it is now in ``current``, and nothing
    changes. A change adds one to the version. Locking ends the account's sessions at once."""
    _it(viewer)

    async def work() -> m.UserSummary:
        return await acc.update_user(
            db,
            school_id=viewer.school_id,
            actor_id=viewer.id,
            user_id=user_id,
            data=data,
            today=server.settings.today(),
            now=server.settings.now(),
        )

    return await idempotent(request, viewer, db, server, m.UserSummary, work)


@post(
    "/users/{user_id:int}/reset-password",
    summary="Reset a password",
    status_code=200,
    cache_control=NO_STORE,
)
async def reset_password(
    request: Request[Any, Any, Any],
    user_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.OneTimePassword]:
    """A new one-time password (shown once), to be changed at the next login; the user's
    sessions end."""
    _it(viewer)

    async def work() -> m.OneTimePassword:
        return await acc.reset_password(
            db,
            school_id=viewer.school_id,
            actor_id=viewer.id,
            user_id=user_id,
            today=server.settings.today(),
            now=server.settings.now(),
        )

    return await idempotent(request, viewer, db, server, m.OneTimePassword, work)


async def _link(
    request: Request[Any, Any, Any],
    data: m.ParentLinkChange,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    linked: bool,
) -> Response[m.ParentLinkResult]:
    _it(viewer)

    async def work() -> m.ParentLinkResult:
        return await acc.set_parent_link(
            db,
            school_id=viewer.school_id,
            actor_id=viewer.id,
            parent_id=data.parent_id,
            pupil_id=data.pupil_id,
            linked=linked,
            today=server.settings.today(),
            now=server.settings.now(),
        )

    return await idempotent(request, viewer, db, server, m.ParentLinkResult, work)


@post("/parent-links", summary="Link a parent to a child", status_code=200)
async def link_parent(
    request: Request[Any, Any, Any],
    data: JSONBody[m.ParentLinkChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.ParentLinkResult]:
    return await _link(request, data, viewer, server, db, True)


@post("/parent-links/remove", summary="Unlink a parent from a child", status_code=200)
async def unlink_parent(
    request: Request[Any, Any, Any],
    data: JSONBody[m.ParentLinkChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.ParentLinkResult]:
    return await _link(request, data, viewer, server, db, False)


@post("/pupils/{pupil_id:int}/move", summary="Move a pupil to another class", status_code=200)
async def move_pupil(
    request: Request[Any, Any, Any],
    pupil_id: FromPath[int],
    data: JSONBody[m.PupilMove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.UserSummary]:
    """The pupil's enrolment ends the day before ``date``; one in the new class starts then."""
    _it(viewer)
    today = server.settings.today()

    async def work() -> m.UserSummary:
        return await acc.move_pupil(
            db,
            school_id=viewer.school_id,
            actor_id=viewer.id,
            pupil_id=pupil_id,
            class_id=data.class_id,
            day=data.date or today,
            today=today,
            now=server.settings.now(),
        )

    return await idempotent(request, viewer, db, server, m.UserSummary, work)


# --- roster import ---------------------------------------------------------------------------


@post(
    "/roster/import",
    summary="Import a roster CSV file",
    status_code=200,
    opt={"problems": (415,), "request_body": "text/csv"},
)
async def import_roster(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    dry_run: Annotated[bool, QueryParameter(description="Only say what would happen")] = True,
) -> Response[m.RosterImportReport]:
    """The body is the CSV file (``Content-Type: text/csv``). A dry run answers the plan line
    by line and writes nothing. The real run writes all of it in one transaction, or nothing:
    a file with a refused line is answered 422 with the report in ``current``. Importing the
    same file again changes nothing."""
    _it(viewer)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise ProblemError(
            415,
            "send the roster file itself as the body with Content-Type: text/csv",
            field="Content-Type",
        )
    body = await request.body()
    if not body.strip():
        raise ProblemError(422, "the file is empty", field="body")
    async with server.heavy.turn("roster imports"):
        return await _import_roster(request, viewer, server, db, body, dry_run=dry_run)


def _plan_and_report(
    parsed: ParsedRoster, snapshot: ExistingSchool, *, dry_run: bool
) -> tuple[ImportPlan, m.RosterImportReport]:
    the_plan = plan_import(parsed, snapshot)
    return the_plan, plan_report(the_plan, parsed, dry_run=dry_run, applied=False)


async def _import_roster(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    server: ServerState,
    db: AsyncSession,
    body: bytes,
    *,
    dry_run: bool,
) -> Response[m.RosterImportReport]:
    # Reading, planning and reporting take time in proportion to the file: they run off the
    # event loop, so the server answers other requests meanwhile.
    try:
        parsed = await off_loop(parse_roster, body)
    except RosterError as exc:
        raise ProblemError(422, str(exc), field="body") from None
    today = server.settings.today()

    async def plan() -> tuple[ImportPlan, m.RosterImportReport]:
        snapshot = await roster_apply.build_snapshot(db, viewer.school_id, today)
        return await off_loop(_plan_and_report, parsed, snapshot, dry_run=dry_run)

    if dry_run:
        _plan, report = await plan()
        await db.rollback()
        return Response(content=report)

    async def work() -> m.RosterImportReport:
        the_plan, report = await plan()
        if not the_plan.can_apply:
            raise ProblemError(
                422,
                f"{report.refused} line(s) are refused; nothing was imported. "
                "Correct them (see the report) and import the file again",
                field="body",
                current=report,
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
        return await off_loop(plan_report, the_plan, parsed, dry_run=False, applied=True)

    return await idempotent(request, viewer, db, server, m.RosterImportReport, work)


# --- slips and invite codes ------------------------------------------------------------------


def _lang(school_name: str, lang: str | None) -> str:
    if lang:
        return lang
    return "ru" if any("а" <= ch.lower() <= "я" for ch in school_name) else "en"


async def _slips(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    class_id: int,
    format: m.SlipFormat,
    lang: str | None,
    *,
    passwords: bool,
) -> Response[m.CredentialSlips]:
    refused = ProblemError(
        403, "only the IT staff and the class teacher of this class issue its invite codes"
    )
    if passwords:
        _it(viewer)
    elif viewer.role not in (m.Role.IT_STAFF, m.Role.TEACHER):
        raise refused
    # The IT staff see every class of the school, a teacher the classes they teach or lead.
    cls = await visible_class(db, viewer, class_id)
    if not may_issue_invite_codes(viewer, cls.homeroom_teacher_id):
        raise refused
    school = await db.get(s.School, viewer.school_id)
    assert school is not None
    name = class_name(cls.grade, cls.letter)
    language = _lang(school.name, lang)
    server_url = str(request.base_url).rstrip("/")
    today = server.settings.today()

    async def work() -> m.CredentialSlips:
        from demo_server.slips import Slip, SlipFontError, render_pdf_slips, render_text_slips

        now = server.settings.now()
        issued = await invites.issue_slips(
            db,
            actor_id=viewer.id,
            class_id=cls.id,
            today=today,
            now=now,
            passwords=passwords,
            lang=language,
        )
        if not issued:
            raise ProblemError(422, f"there are no pupils in {name} today", field="class_id")
        slips = [
            Slip(
                name=i.name,
                role=i.role,
                login=i.login,
                one_time_password=i.one_time_password,
                invite_code=i.invite_code,
                child_name=i.child_name if i.invite_code else "",
                expires=i.expires,
            )
            for i in issued
        ]
        kwargs: dict[str, Any] = {
            "school": school.name,
            "class_name": name,
            "server_url": server_url,
            "lang": language,
        }
        stem = "invites" if not passwords else "slips"
        if format is m.SlipFormat.PDF:
            try:
                # fpdf2 lays out a page in Python: seconds for a big class, off the loop.
                content = await off_loop(render_pdf_slips, slips, created=now, **kwargs)
            except SlipFontError as exc:
                raise ProblemError(503, str(exc), field="format") from None
            filename, media = f"{stem}-{name}.pdf", "application/pdf"
        else:
            content = render_text_slips(slips, **kwargs).encode("utf-8")
            filename, media = f"{stem}-{name}.txt", "text/plain; charset=utf-8"
        expires = [i.expires for i in issued if i.expires is not None]
        return m.CredentialSlips(
            class_name=name,
            format=format,
            filename=filename,
            media_type=media,
            content=content,
            pupils=sum(1 for i in issued if i.role == m.Role.PUPIL.value),
            parents=sum(1 for i in issued if i.role == m.Role.PARENT.value and i.login),
            invite_codes=sum(1 for i in issued if i.invite_code),
            expires=max(expires) if expires else None,
        )

    async with server.heavy.turn("credential slips"):
        return await idempotent(request, viewer, db, server, m.CredentialSlips, work)


Lang = Annotated[
    str | None,
    QueryParameter(
        description="ru or en (default: the school's)", schema_extra={"enum": ["ru", "en"]}
    ),
]


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in ("ru", "en"):
        raise ProblemError(400, "'lang' must be ru or en", field="lang")


@post(
    "/classes/{class_id:int}/slips",
    summary="Credential slips for a class",
    status_code=200,
    cache_control=NO_STORE,
)
async def class_slips(
    request: Request[Any, Any, Any],
    class_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    format: FromQuery[m.SlipFormat] = m.SlipFormat.TEXT,
    lang: Lang = None,
) -> Response[m.CredentialSlips]:
    """A one-time password for every pupil of the class and every parent account linked to
    one (their old passwords stop working); an invite code for each pupil with no parent
    account yet. Codes are single-use and expire in 30 days."""
    _check_lang(lang)
    return await _slips(request, viewer, server, db, class_id, format, lang, passwords=True)


@post(
    "/classes/{class_id:int}/invite-codes",
    summary="Invite codes for a class's parents",
    status_code=200,
)
async def class_invite_codes(
    request: Request[Any, Any, Any],
    class_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    format: FromQuery[m.SlipFormat] = m.SlipFormat.TEXT,
    lang: Lang = None,
) -> Response[m.CredentialSlips]:
    """One new invite code per pupil of the class, as slips; for the IT staff and the class
    teacher of this class."""
    _check_lang(lang)
    return await _slips(request, viewer, server, db, class_id, format, lang, passwords=False)


# --- one's own password ----------------------------------------------------------------------


@post(
    "/me/password",
    summary="Change my password",
    status_code=200,
    opt={BEFORE_PASSWORD_CHANGE: True},
)
async def change_password(
    request: Request[Any, Any, Any],
    data: JSONBody[m.PasswordChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.UserSummary]:
    """The current password and a new one that passes the strength check; clears
    ``must_change_password``. Other sessions of the account end."""

    async def work() -> m.UserSummary:
        await acc.change_password(
            db,
            user_id=viewer.id,
            session_id=viewer.session_id,
            old=data.old,
            new=data.new,
            now=server.settings.now(),
        )
        user = await db.scalar(select(s.User).where(s.User.id == viewer.id))
        assert user is not None
        return await acc.user_summary(db, user, server.settings.today())

    return await idempotent(request, viewer, db, server, m.UserSummary, work)


router = Router(
    path="/",
    route_handlers=[
        list_users,
        list_classes,
        get_user,
        create_user,
        update_user,
        reset_password,
        link_parent,
        unlink_parent,
        move_pupil,
        import_roster,
        class_slips,
        class_invite_codes,
        change_password,
    ],
    tags=["accounts"],
)
