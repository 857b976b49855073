"""Logging in, refreshing and logging out, and who is asking (the bearer of an access token).

A login opens an *auth session*: the chain of refresh tokens that rotate from it. Each
refresh marks the presented token used and issues the next one; presenting a used token again
means it was stolen or replayed, and the whole session is revoked. Logging out revokes it too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import N_, _
from api_client.models import LoginRequest, Role, TokenPair
from demo_server.clients import rate_key
from demo_server.problems import ProblemError, unauthorized
from demo_server.schema import AuthSession, LoginAttempt, RefreshToken, School, User
from demo_server.security import (
    AccessClaims,
    BadToken,
    new_refresh_token,
    read_access_token,
    sign_access_token,
    token_hash,
    verify_password,
)
from demo_server.settings import ServerState

WRONG_CREDENTIALS = N_(
    "the login or the password is wrong, or the account is locked; "
    "check both, or ask the school's IT staff"
)
SESSION_ENDED = N_("this session has ended; log in again")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user behind a request."""

    id: int
    school_id: int
    role: Role
    login: str
    session_id: int
    zone: str
    """The school's IANA time zone (``Europe/Moscow``)."""
    today: dt.date
    """The school's date for this request (:meth:`ServerState.today`), read once so that
    every part of one answer agrees on the day even across midnight."""
    must_change_password: bool = False
    """The account still has a one-time password: only changing it is allowed."""


# --- issuing tokens ---------------------------------------------------------------------------


async def _issue(
    state: ServerState, db: AsyncSession, *, session_id: int, user_id: int, must_change: bool
) -> TokenPair:
    settings = state.settings
    now = settings.now()
    refresh = new_refresh_token()
    await db.execute(
        insert(RefreshToken).values(
            session_id=session_id,
            token_hash=token_hash(refresh),
            created_at=now,
            expires_at=now + settings.refresh_token_lifetime,
        )
    )
    expires_in = int(settings.access_token_lifetime.total_seconds())
    claims = AccessClaims(session_id, user_id, int(now.timestamp()) + expires_in)
    access = sign_access_token(await state.token_secret(), claims)
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=expires_in,
        refresh_expires_in=int(settings.refresh_token_lifetime.total_seconds()),
        must_change_password=must_change,
    )


# --- login ---------------------------------------------------------------------------------------


def _wait(
    failures: Sequence[dt.datetime], limit: int, window: dt.timedelta, now: dt.datetime
) -> int:
    """Seconds until fewer than ``limit`` of ``failures`` (newest first, at most ``limit``)
    are within ``window``, or 0."""
    if len(failures) < limit:
        return 0
    # The oldest of the last ``limit`` failures leaves the window first.
    free_at = failures[-1] + window
    return max(1, math.ceil((free_at - now).total_seconds()))


async def _failures(
    db: AsyncSession, *where: Any, since: dt.datetime, limit: int
) -> list[dt.datetime]:
    rows = await db.scalars(
        select(LoginAttempt.at)
        .where(*where, LoginAttempt.success.is_(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    )
    return list(rows.all())


async def _refusal(
    state: ServerState, db: AsyncSession, login: str, address: str
) -> ProblemError | None:
    """The 429 for a login tried from ``address`` while it is held back, or None.

    Failures count per login *and* address (``lockout_failures``, forgotten at a success
    from there), so failing someone's login from one place never locks it anywhere else; and
    per address across logins (``address_lockout_failures``), which stops one address trying
    one password on many logins. The answer comes before the password is checked: it is the
    same for a right and a wrong one."""
    settings = state.settings
    now = settings.now()
    since = now - settings.lockout_window
    spread = await _failures(
        db, LoginAttempt.address == address, since=since, limit=settings.address_lockout_failures
    )
    wait = _wait(spread, settings.address_lockout_failures, settings.lockout_window, now)
    what = _("from this address")
    if not wait:
        pair = LoginAttempt.login == login, LoginAttempt.address == address
        last_success = await db.scalar(
            select(func.max(LoginAttempt.at)).where(
                *pair, LoginAttempt.success.is_(True), LoginAttempt.at > since
            )
        )
        start = max(since, last_success) if last_success is not None else since
        failures = await _failures(db, *pair, since=start, limit=settings.lockout_failures)
        wait = _wait(failures, settings.lockout_failures, settings.lockout_window, now)
        what = _("for '{login}' from this address").format(login=login)
    if not wait:
        return None
    minutes = max(1, math.ceil(wait / 60))
    return ProblemError(
        429,
        _("too many failed logins {what}; try again in {minutes} min").format(
            what=what, minutes=minutes
        ),
        headers={"Retry-After": str(wait)},
        retry_after=wait,
        field="login",
    )


async def login(
    state: ServerState, db: AsyncSession, request: LoginRequest, address: str
) -> TokenPair:
    """Tokens for a right login and password tried from the client ``address``.

    A wrong password, an unknown login and a locked account get one answer, whichever the
    password: nothing tells a guesser that a password was right."""
    name = request.login.strip()
    address = rate_key(address)
    refusal = await _refusal(state, db, name, address)
    if refusal is not None:
        raise refusal
    user = (await db.execute(select(User).where(User.login == name))).scalar_one_or_none()
    ok = await verify_password(user.password_hash if user else None, request.password)
    now = state.settings.now()
    if not ok or user is None or user.locked:
        await db.execute(
            insert(LoginAttempt).values(login=name, address=address, at=now, success=False)
        )
        await db.commit()
        raise unauthorized(_(WRONG_CREDENTIALS))
    await db.execute(insert(LoginAttempt).values(login=name, address=address, at=now, success=True))
    session_id = (
        await db.execute(
            insert(AuthSession).values(user_id=user.id, created_at=now).returning(AuthSession.id)
        )
    ).scalar_one()
    pair = await _issue(
        state, db, session_id=session_id, user_id=user.id, must_change=user.must_change_password
    )
    await db.commit()
    return pair


# --- refresh and logout ------------------------------------------------------------------------


async def _revoke(db: AsyncSession, session_id: int, reason: str, now: dt.datetime) -> None:
    await db.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


async def refresh(state: ServerState, db: AsyncSession, token: str) -> TokenPair:
    now = state.settings.now()
    row = (
        await db.execute(
            select(RefreshToken, AuthSession, User)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .join(User, User.id == AuthSession.user_id)
            .where(RefreshToken.token_hash == token_hash(token))
        )
    ).one_or_none()
    if row is None:
        raise unauthorized(_("the refresh token is not valid; log in again"))
    stored, session, user = row
    if session.revoked_at is not None:
        raise unauthorized(_(SESSION_ENDED))
    if stored.used_at is not None:
        await _revoke(db, session.id, "refresh_reuse", now)
        await db.commit()
        raise unauthorized(
            _(
                "this refresh token was already used; the session has been ended for safety, "
                "log in again"
            )
        )
    if stored.expires_at <= now:
        raise unauthorized(_("the refresh token has expired; log in again"))
    if user.locked:
        raise ProblemError(403, _("this account is locked; ask the school's IT staff"))
    claimed = await db.execute(
        update(RefreshToken)
        .where(and_(RefreshToken.id == stored.id, RefreshToken.used_at.is_(None)))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        # Two refreshes raced with the same token: treat as reuse.
        await _revoke(db, session.id, "refresh_reuse", now)
        await db.commit()
        raise unauthorized(_("this refresh token was already used; log in again"))
    pair = await _issue(
        state, db, session_id=session.id, user_id=user.id, must_change=user.must_change_password
    )
    await db.commit()
    return pair


async def logout(state: ServerState, db: AsyncSession, token: str) -> None:
    session_id = await db.scalar(
        select(RefreshToken.session_id).where(RefreshToken.token_hash == token_hash(token))
    )
    if session_id is None:
        raise unauthorized(_("the refresh token is not valid"))
    await _revoke(db, session_id, "logout", state.settings.now())
    await db.commit()


# --- the bearer of a request --------------------------------------------------------------------

# Built once: every request runs it, and building a statement costs more than running it.
_BEARER = (
    select(
        User.school_id,
        User.role,
        User.login,
        User.locked,
        User.must_change_password,
        AuthSession.revoked_at,
        School.timezone,
    )
    .join(AuthSession, AuthSession.user_id == User.id)
    .join(School, School.id == User.school_id)
    .where(AuthSession.id == bindparam("session"), User.id == bindparam("user"))
)


async def authenticate(state: ServerState, db: AsyncSession, authorization: str | None) -> Viewer:
    """The viewer for an ``Authorization: Bearer`` header, or a 401 problem."""
    if not authorization:
        raise unauthorized(_("log in first: this needs an 'Authorization: Bearer' access token"))
    scheme, __, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized(_("the Authorization header must be 'Bearer <access token>'"))
    try:
        claims = read_access_token(
            await state.token_secret(), token, state.settings.now().timestamp()
        )
    except BadToken as exc:
        raise unauthorized(_(str(exc))) from None
    # The session is read on every request, so that a logout or a revoked session takes
    # effect at once, in every server process.
    conn = await db.connection()
    row = (
        await conn.execute(_BEARER, {"session": claims.session_id, "user": claims.user_id})
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise unauthorized(_(SESSION_ENDED))
    if row.locked:
        raise ProblemError(403, _("this account is locked; ask the school's IT staff"))
    try:
        role = Role(row.role)
    except ValueError:
        raise ProblemError(403, _("this account has no role this server knows")) from None
    return Viewer(
        id=claims.user_id,
        school_id=row.school_id,
        role=role,
        login=row.login,
        session_id=claims.session_id,
        zone=row.timezone,
        today=state.today(row.timezone),
        must_change_password=bool(row.must_change_password),
    )
