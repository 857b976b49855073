"""Credential slips for a class (IT staff) and invite codes for a class's parents (IT staff and
the class teacher), as text or PDF."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _, ngettext
from api_client.models import Role
from demo_server import invites
from demo_server import schema as s
from demo_server.access import (
    ACCOUNT_MANAGERS,
    may_issue_invite_codes,
    visible_class,
)
from demo_server.auth import Viewer
from demo_server.heavy import off_loop
from demo_server.idempotency import write
from demo_server.language import asked_language
from demo_server.problems import ProblemError
from demo_server.routes.accounts import IT_STAFF_ONLY
from demo_server.routes.deps import NO_STORE, requires
from demo_server.settings import ServerState
from demo_server.week import class_name

# --- slips and invite codes ------------------------------------------------------------------


def _lang(request: Request[Any, Any, Any], school_name: str, lang: str | None) -> str:
    """The slips' language: ``lang`` when given, else the one the request's
    ``Accept-Language`` asks for, else the school's (Russian for a school with a Russian
    name)."""
    if lang:
        return lang
    if asked := asked_language(request.scope):
        return asked
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
) -> m.CredentialSlips:
    refused = ProblemError(
        403, _("only the IT staff and the class teacher of this class issue its invite codes")
    )
    if not passwords and viewer.role not in (m.Role.IT_STAFF, m.Role.TEACHER):
        raise refused
    # The IT staff see every class of the school, a teacher the classes they teach or lead.
    cls = await visible_class(db, viewer, class_id)
    if not may_issue_invite_codes(viewer, cls.homeroom_teacher_id):
        raise refused
    school = await db.get(s.School, viewer.school_id)
    assert school is not None
    name = class_name(cls.grade, cls.letter)
    language = _lang(request, school.name, lang)
    server_url = str(request.base_url).rstrip("/")
    today = viewer.today

    from demo_server.slips import SlipFontError, render_pdf_slips, render_text_slips

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
        raise ProblemError(
            422, _("there are no pupils in {name} today").format(name=name), field="class_id"
        )
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
            content = await off_loop(render_pdf_slips, issued, created=now, **kwargs)
        except SlipFontError as exc:
            raise ProblemError(503, str(exc), field="format") from None
        filename, media = f"{stem}-{name}.pdf", "application/pdf"
    else:
        content = render_text_slips(issued, **kwargs).encode("utf-8")
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


Lang = Annotated[
    str | None,
    QueryParameter(
        description="ru or en (default: the request's Accept-Language, else the school's)",
        schema_extra={"enum": ["ru", "en"]},
    ),
]


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in ("ru", "en"):
        raise ProblemError(400, _("'lang' must be ru or en"), field="lang")


@post(
    "/pupils/{pupil_id:int}/invite-code",
    summary="An invite code for one parent of one pupil",
    status_code=201,
    guards=[requires(*ACCOUNT_MANAGERS, Role.TEACHER, action=N_("make invite codes"))],
    cache_control=NO_STORE,
)
@write
async def pupil_invite_code(
    pupil_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.InviteCodeIssued:
    """A new single-use code (valid 30 days) with which one parent registers, linked to this
    pupil alone; no password changes. For the IT staff and the pupil's class teacher."""
    return await invites.issue_invite(db, viewer, pupil_id, server.settings.now())


@get(
    "/classes/{class_id:int}/slips/plan",
    summary="How many passwords a class's slips would reset",
    guards=[IT_STAFF_ONLY],
    cache_control=NO_STORE,
)
async def class_slip_plan(
    class_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.SlipPlan:
    """Asked before slips with reset_passwords: the pupils and parent accounts whose
    passwords would be reset. Nothing changes."""
    cls = await visible_class(db, viewer, class_id)
    return await invites.slip_plan(db, cls.id, class_name(cls.grade, cls.letter), viewer.today)


@post(
    "/classes/{class_id:int}/slips",
    summary="Credential slips for a class",
    status_code=200,
    guards=[IT_STAFF_ONLY],
    cache_control=NO_STORE,
)
@write(heavy=N_("credential slips"))
async def class_slips(
    request: Request[Any, Any, Any],
    class_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    format: FromQuery[m.SlipFormat] = m.SlipFormat.TEXT,
    lang: Lang = None,
    reset_passwords: Annotated[
        bool,
        QueryParameter(
            description="Give every pupil of the class and every parent account linked to one "
            "a new one-time password (their old passwords stop working). Default: no password "
            "changes; an invite code for each pupil's parent."
        ),
    ] = False,
    confirm: Annotated[
        int | None,
        QueryParameter(
            description="With reset_passwords: the number of accounts to reset, as "
            "GET /classes/{class_id}/slips/plan says; a different number is refused",
            ge=0,
            schema_extra={"maximum": m.MAX_ID},
        ),
    ] = None,
) -> m.CredentialSlips:
    """Slips for the class. By default an invite code for each pupil's parent and no password
    touched. With ``reset_passwords`` and ``confirm`` (the count of accounts it resets): a
    one-time password for every pupil of the class and every parent account linked to one (a
    parent's slip names the child), and an invite code for each pupil with no parent account
    yet. Codes are single-use and expire in 30 days."""
    _check_lang(lang)
    if reset_passwords:
        cls = await visible_class(db, viewer, class_id)
        name = class_name(cls.grade, cls.letter)
        plan = await invites.slip_plan(db, cls.id, name, viewer.today)
        if confirm != plan.accounts:
            pupils = ngettext("{n} pupil", "{n} pupils", plan.pupils).format(n=plan.pupils)
            parents = ngettext("{n} parent", "{n} parents", plan.parents).format(n=plan.parents)
            said = ngettext(
                "this resets the password of {n} account of {name} ({pupils} and {parents}): "
                "its old password stops working; send confirm={n} to go ahead",
                "this resets the passwords of {n} accounts of {name} ({pupils} and {parents}): "
                "their old passwords stop working; send confirm={n} to go ahead",
                plan.accounts,
            ).format(n=plan.accounts, name=name, pupils=pupils, parents=parents)
            if confirm is not None:
                said = _("confirm is {confirm}, but {said}").format(confirm=confirm, said=said)
            raise ProblemError(422, said, field="confirm")
    elif confirm is not None:
        raise ProblemError(
            422,
            _("confirm goes with reset_passwords (no password is reset without it)"),
            field="confirm",
        )
    return await _slips(
        request, viewer, server, db, class_id, format, lang, passwords=reset_passwords
    )


@post(
    "/classes/{class_id:int}/invite-codes",
    summary="Invite codes for a class's parents",
    status_code=200,
)
@write(heavy=N_("credential slips"))
async def class_invite_codes(
    request: Request[Any, Any, Any],
    class_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    format: FromQuery[m.SlipFormat] = m.SlipFormat.TEXT,
    lang: Lang = None,
) -> m.CredentialSlips:
    """One new invite code per pupil of the class, as slips; for the IT staff and the class
    teacher of this class."""
    _check_lang(lang)
    return await _slips(request, viewer, server, db, class_id, format, lang, passwords=False)


router = Router(
    path="/",
    route_handlers=[pupil_invite_code, class_slip_plan, class_slips, class_invite_codes],
    tags=["accounts"],
)
