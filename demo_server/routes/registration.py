"""Registration with an invite code: a parent creates their account, or adds a child to it.

``POST /register`` is anonymous; ``POST /register/add-child`` is for a logged-in parent. Wrong
codes are rate-limited per client address (10 failures in 15 minutes answer 429 with
Retry-After), and every kind of bad code gets the same answer, "invalid or expired", so that
codes cannot be probed.

A repeated ``POST /register`` (a retry after a lost answer) finds its code used by the account
it created: when the login and the password are the same, the same answer comes back and
nothing changes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from litestar import Request, Response, Router, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import consent, invites
from demo_server import schema as s
from demo_server.auth import Viewer
from demo_server.clients import rate_key, request_client
from demo_server.idempotency import write
from demo_server.problems import ProblemError
from demo_server.security import verify_password
from demo_server.settings import ServerState

CODE_FAILURES = 10
CODE_WINDOW = dt.timedelta(minutes=15)


def _host(request: Request[Any, Any, Any], server: ServerState) -> str:
    return rate_key(request_client(request, server.proxies))


async def _check_rate(db: NamedDependency[AsyncSession], host: str, now: dt.datetime) -> None:
    wait = await invites.code_failures_wait(db, host, now, CODE_FAILURES, CODE_WINDOW)
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        raise ProblemError(
            429,
            _("too many wrong invite codes from this address; try again in {minutes} min").format(
                minutes=minutes
            ),
            headers={"Retry-After": str(wait)},
            retry_after=wait,
            field="code",
        )


async def _usable_code(
    db: NamedDependency[AsyncSession], host: str, code: str, now: dt.datetime
) -> s.InviteCode:
    """The code's row, or (counting a failure, committed at once) the one 422 for any bad code."""
    invite = await invites.find_invite(db, code)
    if invite is None or not invites.invite_usable(invite, now):
        await db.rollback()
        await invites.record_code_failure(db, host, now)
        await db.commit()
        raise ProblemError(422, _(invites.INVALID_CODE), field="code")
    return invite


async def _replayed(
    db: NamedDependency[AsyncSession], data: m.RegisterRequest, server: ServerState
) -> m.Registration | None:
    """The answer a repeat of a successful registration gets, if this is one."""
    invite = await invites.find_invite(db, data.code)
    if invite is None or invite.used_by is None:
        return None
    parent = await db.get(s.User, invite.used_by)
    if parent is None or parent.login != data.login.strip().lower():
        return None
    if not await verify_password(parent.password_hash, data.password):
        return None
    return await invites.registration(db, parent, await server.school_today(db, parent.school_id))


@post(
    "/register",
    summary="Register a parent account with an invite code",
    status_code=201,
    opt={"problems": (409, 422, 429), "idempotent": True},
)
async def register(
    request: Request[Any, Any, Any],
    data: JSONBody[m.RegisterRequest],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> Response[m.Registration]:
    """The code (from the class teacher), names, a login and a password (strength checked).
    The new account is linked to the code's pupil; log in with it afterwards."""
    now, host = server.settings.now(), _host(request, server)
    await _check_rate(db, host, now)
    replay = await _replayed(db, data, server)
    if replay is not None:
        return Response(replay, status_code=201, headers={"Idempotent-Replayed": "true"})
    invite = await _usable_code(db, host, data.code, now)
    try:
        parent = await invites.create_parent(db, invite=invite, data=data, now=now)
        today = await server.school_today(db, parent.school_id)
        answer = await invites.registration(db, parent, today)
        await db.commit()
    except BaseException:
        await db.rollback()
        raise
    return Response(answer, status_code=201)


@post(
    "/register/consent",
    summary="The consent text to accept before registering with an invite code",
    status_code=200,
    opt={"problems": (409, 422, 429)},
)
async def consent_for_code(
    request: Request[Any, Any, Any],
    data: JSONBody[m.ConsentForCode],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ConsentText:
    """The current consent to the processing of personal data of the code's school; register
    with its ``version`` as ``consent_version``. A bad code is answered (and counted) as by
    ``/register``. Nothing is written."""
    now, host = server.settings.now(), _host(request, server)
    await _check_rate(db, host, now)
    invite = await _usable_code(db, host, data.code, now)
    pupil = await db.get(s.User, invite.pupil_id)
    assert pupil is not None
    current = await consent.current_text(db, pupil.school_id)
    return consent.text_struct(current, await consent.school_name(db, pupil.school_id))


@post(
    "/register/add-child",
    summary="Add a child to my account with an invite code",
    opt={"problems": (429,)},
    status_code=200,
)
@write
async def add_child(
    request: Request[Any, Any, Any],
    data: JSONBody[m.AddChildRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.Registration:
    """For a parent with a second child: the second child's code links it to this account."""
    if viewer.role is not m.Role.PARENT:
        raise ProblemError(403, _("only a parent account adds a child with an invite code"))
    now, today, host = server.settings.now(), viewer.today, _host(request, server)
    await _check_rate(db, host, now)
    invite = await _usable_code(db, host, data.code, now)
    parent = await db.get(s.User, viewer.id)
    assert parent is not None
    if await db.get(s.ParentLink, (parent.id, invite.pupil_id)) is not None:
        raise ProblemError(422, _("this child is already linked to your account"), field="code")
    await invites.link_by_invite(db, invite, parent, now)
    return await invites.registration(db, parent, today)


router = Router(
    path="/", route_handlers=[register, consent_for_code, add_child], tags=["registration"]
)
