"""Invite codes, a class's credential slips, and a parent's registration with an invite code.

Invite codes are stored as SHA-256 hashes of their canonical form, single use, expiring. Slips
for a class are issued here (one-time passwords and invite codes, in the caller's transaction,
never committing) and rendered by :mod:`demo_server.slips`. Registration: a parent with a valid
code creates their own account, linked to the code's child; failed codes are counted per host and
slow the next try.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import i18n
from api_client import models as m
from api_client.i18n import N_, _
from demo_server import consent
from demo_server import schema as s
from demo_server.access import MAX_ID, may_issue_invite_codes, pupil_not_found
from demo_server.accounts import (
    audit_account,
    bump_version,
    check_login,
    class_pupils,
    clean_name,
    full_name,
    hash_in_thread,
    hash_passwords,
    login_taken,
    name_fields,
    new_one_time_password,
    revoke_sessions,
    user_summary,
)
from demo_server.auth import Viewer
from demo_server.clock import school_date
from demo_server.heavy import off_loop
from demo_server.passwords import (
    check_strength,
    generate_invite_code,
    normalise_invite_code,
)
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.security import token_hash
from demo_server.slips import Slip

# --- invite codes and slips ------------------------------------------------------------------


def invite_hash(code: str) -> str:
    return token_hash(normalise_invite_code(code))


INVITE_LIFETIME = dt.timedelta(days=30)
"""How long an invite code can be used."""
_rng = random.SystemRandom()


async def new_invite_code(
    db: AsyncSession, *, pupil_id: int, actor_id: int, now: dt.datetime
) -> tuple[str, dt.datetime]:
    """Store a fresh invite code for ``pupil_id``; returns the code and when it expires."""
    expires = now + INVITE_LIFETIME
    while True:
        code = generate_invite_code(_rng)
        digest = invite_hash(code)
        if await db.scalar(select(s.InviteCode.id).where(s.InviteCode.code_hash == digest)) is None:
            break
    await db.execute(
        insert(s.InviteCode).values(
            code_hash=digest,
            pupil_id=pupil_id,
            created_by=actor_id,
            created_at=now,
            expires_at=expires,
        )
    )
    return code, expires


async def issue_invite(
    db: AsyncSession, viewer: Viewer, pupil_id: int, now: dt.datetime
) -> m.InviteCodeIssued:
    """A new invite code for a parent of the pupil: for the IT staff, and the class teacher of
    the pupil's class. Audited under the pupil (the code itself is kept only as its hash)."""
    missing = pupil_not_found()
    if not 0 < pupil_id <= MAX_ID:
        raise missing
    pupil = await db.get(s.User, pupil_id)
    if pupil is None or pupil.school_id != viewer.school_id or pupil.role != m.Role.PUPIL.value:
        raise missing
    summary = await user_summary(db, pupil, viewer.today)
    homeroom = None
    if summary.class_ is not None:
        homeroom = await db.scalar(
            select(s.SchoolClass.homeroom_teacher_id).where(s.SchoolClass.id == summary.class_.id)
        )
    if not may_issue_invite_codes(viewer, homeroom):
        if viewer.role is m.Role.TEACHER:
            raise missing  # not their class: as if there were no such pupil
        raise ProblemError(403, _("your role may not issue invite codes"))
    code, expires = await new_invite_code(db, pupil_id=pupil.id, actor_id=viewer.id, now=now)
    zone = await db.scalar(select(s.School.timezone).where(s.School.id == pupil.school_id))
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="invite_code",
        entity_id=pupil.id,
        pupil_id=pupil.id,
        after={"pupil_id": pupil.id, "expires": expires.isoformat()},
    )
    return m.InviteCodeIssued(
        code=code,
        pupil=m.PupilRef(
            id=pupil.id,
            first_name=pupil.first_name,
            last_name=pupil.last_name,
            class_=summary.class_,
        ),
        expires=school_date(expires - dt.timedelta(seconds=1), zone),
    )


async def _class_parents(db: AsyncSession, pupils: list[s.User]) -> dict[int, list[s.User]]:
    """The parent accounts linked to each of these pupils, in surname order."""
    links: dict[int, list[s.User]] = {}
    if pupils:
        for parent, pupil_id in await db.execute(
            select(s.User, s.ParentLink.pupil_id)
            .join(s.ParentLink, s.ParentLink.parent_id == s.User.id)
            .where(s.ParentLink.pupil_id.in_([p.id for p in pupils]))
            .order_by(s.User.last_name, s.User.first_name, s.User.id)
        ):
            links.setdefault(int(pupil_id), []).append(parent)
    return links


async def slip_plan(db: AsyncSession, class_id: int, class_name: str, today: dt.date) -> m.SlipPlan:
    """How many accounts slips with new passwords would reset (nothing is changed)."""
    pupils = await class_pupils(db, class_id, today)
    links = await _class_parents(db, pupils)
    parents = {parent.id for found in links.values() for parent in found}
    return m.SlipPlan(
        class_name=class_name,
        pupils=len(pupils),
        parents=len(parents),
        invite_codes=sum(1 for p in pupils if not links.get(p.id)),
    )


async def issue_slips(
    db: AsyncSession,
    *,
    actor_id: int,
    class_id: int,
    today: dt.date,
    now: dt.datetime,
    passwords: bool,
    lang: str = "ru",
) -> list[Slip]:
    """Slips for the class: with ``passwords``, a one-time password for every pupil and every
    parent account linked to one, and an invite code for each pupil with no parent account;
    without, an invite code for every pupil (what a class teacher hands out)."""
    pupils = await class_pupils(db, class_id, today)
    zone = await db.scalar(
        select(s.School.timezone)
        .join(s.SchoolClass, s.SchoolClass.school_id == s.School.id)
        .where(s.SchoolClass.id == class_id)
    )
    links = await _class_parents(db, pupils) if passwords else {}
    to_reset: list[s.User] = []
    seen: set[int] = set()
    plan: list[tuple[str, s.User, s.User | None]] = []  # (kind, person, child)
    for pupil in pupils:
        if passwords:
            plan.append(("password", pupil, None))
            to_reset.append(pupil)
        parents = links.get(pupil.id, [])
        if passwords and parents:
            for parent in parents:
                if parent.id not in seen:
                    seen.add(parent.id)
                    plan.append(("password", parent, pupil))
                    to_reset.append(parent)
        else:
            plan.append(("invite", pupil, pupil))
    new_passwords = {u.id: new_one_time_password() for u in to_reset}
    # One worker thread hashes them all (argon2 computes its lanes in parallel already), so
    # the other threads stay free for logins meanwhile.
    hashes = await off_loop(hash_passwords, [new_passwords[u.id] for u in to_reset])
    for user, digest in zip(to_reset, hashes, strict=True):
        user.password_hash = digest
        user.must_change_password = True
        await revoke_sessions(db, user.id, now, "password_reset")
    await db.flush()
    await bump_version(db, [u.id for u in to_reset])
    slips: list[Slip] = []
    for kind, person, child in plan:
        if kind == "password":
            slips.append(
                Slip(
                    name=full_name(person),
                    role=person.role,
                    login=person.login,
                    one_time_password=new_passwords[person.id],
                    # a parent's slip names the child it was handed out for
                    child_name=full_name(child) if child is not None else "",
                )
            )
            await audit_account(
                db,
                person,
                now=now,
                actor_id=actor_id,
                action="update",
                after={"password": "reset", "must_change_password": True, "slip": True},
            )
        else:
            assert child is not None
            code, expires = await new_invite_code(db, pupil_id=child.id, actor_id=actor_id, now=now)
            with i18n.using(lang):
                parent_of = _("Parent of {name}").format(name=full_name(child))
            slips.append(
                Slip(
                    name=parent_of,
                    role=m.Role.PARENT.value,
                    invite_code=code,
                    child_name=full_name(child),
                    # the last day it works, on the school's calendar
                    expires=school_date(expires - dt.timedelta(seconds=1), zone),
                )
            )
    return slips


# --- registration with an invite code ----------------------------------------------------------

INVALID_CODE = N_(
    "the invite code is invalid or expired; check it, or ask the class teacher for a new one"
)
RATE_KEY = "invite-code@"
"""Failed invite codes are counted in ``login_attempts`` under ``invite-code@<address>``: no
real login holds an ``@``, and several server processes share the count."""


async def code_failures_wait(
    db: AsyncSession, host: str, now: dt.datetime, limit: int, window: dt.timedelta
) -> int:
    """Seconds until ``host`` may try another code, or 0."""
    failures = list(
        await db.scalars(
            select(s.LoginAttempt.at)
            .where(
                s.LoginAttempt.login == (RATE_KEY + host)[:64],
                s.LoginAttempt.success.is_(False),
                s.LoginAttempt.at > now - window,
            )
            .order_by(s.LoginAttempt.at.desc())
            .limit(limit)
        )
    )
    if len(failures) < limit:
        return 0
    free_at = failures[-1] + window
    return max(1, int((free_at - now).total_seconds() + 0.999))


async def record_code_failure(db: AsyncSession, host: str, now: dt.datetime) -> None:
    await db.execute(
        insert(s.LoginAttempt).values(login=(RATE_KEY + host)[:64], at=now, success=False)
    )


async def find_invite(db: AsyncSession, code: str) -> s.InviteCode | None:
    return await db.scalar(select(s.InviteCode).where(s.InviteCode.code_hash == invite_hash(code)))


def invite_usable(invite: s.InviteCode | None, now: dt.datetime) -> bool:
    return invite is not None and invite.used_at is None and invite.expires_at > now


async def use_invite(
    db: AsyncSession, invite: s.InviteCode, parent_id: int, now: dt.datetime
) -> bool:
    """Mark the code used by ``parent_id``; False when another request used it first."""
    result = await db.execute(
        update(s.InviteCode)
        .where(s.InviteCode.id == invite.id, s.InviteCode.used_at.is_(None))
        .values(used_at=now, used_by=parent_id)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def link_by_invite(
    db: AsyncSession, invite: s.InviteCode, parent: s.User, now: dt.datetime
) -> None:
    if not await use_invite(db, invite, parent.id, now):
        raise ProblemError(422, _(INVALID_CODE), field="code")
    await db.execute(insert(s.ParentLink).values(parent_id=parent.id, pupil_id=invite.pupil_id))
    link = {"parent_id": parent.id, "pupil_id": invite.pupil_id, "invite_code_id": invite.id}
    await append_audit(
        db,
        at=now,
        actor_id=parent.id,
        action="create",
        entity="parent_link",
        entity_id=parent.id,
        pupil_id=invite.pupil_id,
        after=link,
    )


async def registration(db: AsyncSession, parent: s.User, today: dt.date) -> m.Registration:
    summary = await user_summary(db, parent, today)
    return m.Registration(login=parent.login, children=summary.children)


async def create_parent(
    db: AsyncSession,
    *,
    invite: s.InviteCode,
    data: m.RegisterRequest,
    now: dt.datetime,
) -> s.User:
    first = clean_name(data.first_name, "first_name")
    last = clean_name(data.last_name, "last_name")
    login = check_login(data.login)
    if await login_taken(db, login):
        raise ProblemError(
            422, _("the login {login} is taken; choose another").format(login=login), field="login"
        )
    reasons = check_strength(data.password, login=login, names=[first, last])
    if reasons:
        raise ProblemError(
            422,
            _("the password is too weak: {reasons}").format(reasons="; ".join(reasons)),
            field="password",
        )
    pupil = await db.get(s.User, invite.pupil_id)
    assert pupil is not None
    consent_text = await consent.check_registration(db, pupil.school_id, data.consent_version)
    parent = s.User(
        school_id=pupil.school_id,
        login=login,
        password_hash=await hash_in_thread(data.password),
        role=m.Role.PARENT.value,
        first_name=first,
        last_name=last,
        middle_name="",
        must_change_password=False,
        created_at=now,
    )
    db.add(parent)
    await db.flush()
    await audit_account(
        db,
        parent,
        now=now,
        actor_id=parent.id,
        action="create",
        after={**name_fields(parent), "registered_with_invite": invite.id},
    )
    await link_by_invite(db, invite, parent, now)
    await consent.given_at_registration(db, parent, consent_text, now)
    return parent
