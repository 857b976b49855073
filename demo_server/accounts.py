"""Accounts: what the IT staff do to users, and what a parent's invite code does.

Everything here runs inside the caller's transaction and never commits: the routes hand the
work to :func:`demo_server.idempotency.idempotent`, which commits the change together with its
idempotency record, so a write, its audit records and its stored answer land together or not
at all.

- Queries: :func:`search_users` (a page of :class:`UserSummary`), :func:`user_summaries`.
- Roster import: :func:`build_snapshot` turns the school into the plain snapshot the planner of
  :mod:`demo_server.roster` reads; :func:`apply_plan` writes a plan (all of it, in the caller's
  transaction) and does to the database what :func:`demo_server.roster.apply_to_snapshot` does
  to a snapshot.
- Passwords: one-time passwords are argon2id-hashed like any password and set
  ``must_change_password``; a reset ends the user's sessions. Accounts created by an import get
  no usable password until slips are printed for them.
- Invite codes: stored as SHA-256 hashes of their canonical form, single use, expiring.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server import schema as s
from demo_server.access import not_found
from demo_server.clock import stamp
from demo_server.passwords import (
    check_strength,
    generate_invite_code,
    generate_one_time_password,
    normalise_invite_code,
)
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.roster import (
    Action,
    ExistingSchool,
    ExistingUser,
    ImportPlan,
    ParsedRoster,
    RowKind,
    class_key,
    fold,
    login_base,
    unique_login,
)
from demo_server.security import hash_password, token_hash
from demo_server.week import class_name, class_ref

NO_PASSWORD = "!no-password"
"""The password hash of an account that has none yet: no password ever matches it."""

INVITE_LIFETIME = dt.timedelta(days=30)
LOGIN_CHARS = "lower-case Latin letters, digits, '.', '_' or '-'"
MAX_PAGE = 500

_rng = random.SystemRandom()


def _login_ok(login: str) -> bool:
    import re

    return re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", login) is not None


def check_login(login: str, field: str = "login") -> str:
    """``login`` cleaned (trimmed, lower case), or a 422 saying what a login may hold."""
    login = login.strip().lower()
    if not _login_ok(login):
        raise ProblemError(
            422,
            f"a login is 1 to 64 {LOGIN_CHARS}, starting with a letter or digit",
            field=field,
        )
    return login


def require_it_staff(role: m.Role) -> None:
    if role is not m.Role.IT_STAFF:
        raise ProblemError(403, "only the school's IT staff manage accounts")


# --- the school's classes --------------------------------------------------------------------


async def current_year_id(db: AsyncSession, school_id: int, today: dt.date) -> int | None:
    """The academic year that holds ``today``, else the latest one that started."""
    years = (
        await db.execute(
            select(s.AcademicYear.id, s.AcademicYear.start, s.AcademicYear.end)
            .where(s.AcademicYear.school_id == school_id)
            .order_by(s.AcademicYear.start.desc())
        )
    ).all()
    for year_id, start, end in years:
        if start <= today <= end:
            return int(year_id)
    for year_id, start, _end in years:
        if start <= today:
            return int(year_id)
    return int(years[-1][0]) if years else None


async def school_classes(db: AsyncSession, school_id: int, today: dt.date) -> dict[str, int]:
    """The current year's classes: id by name (``5А``)."""
    year_id = await current_year_id(db, school_id, today)
    if year_id is None:
        return {}
    rows = await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
            s.SchoolClass.school_id == school_id, s.SchoolClass.year_id == year_id
        )
    )
    return {class_name(grade, letter): int(cid) for cid, grade, letter in rows}


async def find_class(db: AsyncSession, school_id: int, today: dt.date, text: str) -> int:
    """A class of the school by id (digits) or by name (``5А``, ``5a``); 404 if none."""
    text = text.strip()
    if text.isdigit():
        found = (
            await db.scalar(
                select(s.SchoolClass.id).where(
                    s.SchoolClass.id == int(text), s.SchoolClass.school_id == school_id
                )
            )
            if int(text) < 2**31
            else None
        )
        if found is not None:
            return int(found)
        raise not_found("class", "class")
    else:
        by_key = {
            class_key(n): cid for n, cid in (await school_classes(db, school_id, today)).items()
        }
        if class_key(text) in by_key:
            return by_key[class_key(text)]
    raise ProblemError(404, f"there is no class {text} in this school", field="class")


async def class_info(db: AsyncSession, school_id: int, class_id: int) -> s.SchoolClass:
    cls = (
        await db.scalar(
            select(s.SchoolClass).where(
                s.SchoolClass.id == class_id, s.SchoolClass.school_id == school_id
            )
        )
        if 0 < class_id < 2**31
        else None
    )
    if cls is None:
        raise not_found("class", "class_id")
    return cls


async def class_pupils(db: AsyncSession, class_id: int, today: dt.date) -> list[s.User]:
    """The pupils in the class on ``today``, in surname order."""
    rows = await db.scalars(
        select(s.User)
        .join(s.Enrolment, s.Enrolment.pupil_id == s.User.id)
        .where(
            s.Enrolment.class_id == class_id,
            s.Enrolment.start <= today,
            or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
        )
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    return list(rows)


# --- users as the IT staff see them ---------------------------------------------------------


async def _classes_of(
    db: AsyncSession, pupil_ids: Sequence[int], today: dt.date
) -> dict[int, m.ClassRef]:
    out: dict[int, m.ClassRef] = {}
    for chunk in _chunks(pupil_ids):
        rows = await db.execute(
            select(
                s.Enrolment.pupil_id, s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter
            )
            .join(s.SchoolClass, s.SchoolClass.id == s.Enrolment.class_id)
            .where(
                s.Enrolment.pupil_id.in_(chunk),
                s.Enrolment.start <= today,
                or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
            )
            .order_by(s.Enrolment.start)
        )
        for pupil_id, cid, grade, letter in rows:
            out[int(pupil_id)] = class_ref(cid, grade, letter)
    return out


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


async def user_summaries(
    db: AsyncSession, users: Sequence[s.User], today: dt.date
) -> list[m.UserSummary]:
    """Summaries of ``users`` (in that order) with classes, children and parents."""
    ids = [u.id for u in users]
    links: list[tuple[int, int]] = []
    for chunk in _chunks(ids):
        links += [
            (int(p), int(c))
            for p, c in await db.execute(
                select(s.ParentLink.parent_id, s.ParentLink.pupil_id).where(
                    or_(s.ParentLink.parent_id.in_(chunk), s.ParentLink.pupil_id.in_(chunk))
                )
            )
        ]
    others = {p for p, _ in links} | {c for _, c in links}
    people: dict[int, s.User] = {u.id: u for u in users}
    missing = [i for i in others if i not in people]
    for chunk in _chunks(missing):
        for user in await db.scalars(select(s.User).where(s.User.id.in_(chunk))):
            people[user.id] = user
    pupils = [i for i, u in people.items() if u.role == m.Role.PUPIL.value]
    classes = await _classes_of(db, pupils, today)
    children: dict[int, list[int]] = {}
    parents: dict[int, list[int]] = {}
    for parent_id, pupil_id in sorted(set(links)):
        children.setdefault(parent_id, []).append(pupil_id)
        parents.setdefault(pupil_id, []).append(parent_id)

    def pupil_ref(pid: int) -> m.PupilRef:
        p = people[pid]
        return m.PupilRef(
            id=p.id, first_name=p.first_name, last_name=p.last_name, class_=classes.get(p.id)
        )

    def person_ref(pid: int) -> m.PersonRef:
        p = people[pid]
        return m.PersonRef(id=p.id, login=p.login, first_name=p.first_name, last_name=p.last_name)

    return [
        m.UserSummary(
            id=u.id,
            login=u.login,
            role=m.Role(u.role),
            first_name=u.first_name,
            last_name=u.last_name,
            middle_name=u.middle_name,
            locked=u.locked,
            must_change_password=u.must_change_password,
            class_=classes.get(u.id) if u.role == m.Role.PUPIL.value else None,
            children=[pupil_ref(c) for c in children.get(u.id, [])]
            if u.role == m.Role.PARENT.value
            else [],
            parents=[person_ref(p) for p in parents.get(u.id, [])]
            if u.role == m.Role.PUPIL.value
            else [],
            version=u.version,
        )
        for u in users
    ]


async def user_summary(db: AsyncSession, user: s.User, today: dt.date) -> m.UserSummary:
    return (await user_summaries(db, [user], today))[0]


async def get_user(db: AsyncSession, school_id: int, user_id: int, field: str = "id") -> s.User:
    """A user of the school, or 404."""
    user = (
        await db.scalar(select(s.User).where(s.User.id == user_id, s.User.school_id == school_id))
        if 0 < user_id < 2**31
        else None
    )
    if user is None:
        raise ProblemError(404, "there is no user with this id in this school", field=field)
    return user


async def search_users(
    db: AsyncSession,
    school_id: int,
    today: dt.date,
    *,
    q: str = "",
    role: m.Role | None = None,
    class_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> m.UserPage:
    """Users of the school whose login or name holds ``q`` (any case, ё as е), of ``role``,
    in ``class_id`` (pupils of the class, and their parents); in surname order."""
    query = select(s.User).where(s.User.school_id == school_id)
    if role is not None:
        query = query.where(s.User.role == role.value)
    if class_id is not None:
        in_class = (
            select(s.Enrolment.pupil_id)
            .where(
                s.Enrolment.class_id == class_id,
                s.Enrolment.start <= today,
                or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
            )
            .scalar_subquery()
        )
        parents = select(s.ParentLink.parent_id).where(s.ParentLink.pupil_id.in_(in_class))
        query = query.where(or_(s.User.id.in_(in_class), s.User.id.in_(parents)))
    query = query.order_by(s.User.last_name, s.User.first_name, s.User.id)
    users = list(await db.scalars(query))
    words = fold(q).split()
    if words:
        # Folded in Python: SQLite's lower() knows only ASCII, and names are often Cyrillic.
        def matches(u: s.User) -> bool:
            text = fold(f"{u.login} {u.last_name} {u.first_name} {u.middle_name}")
            return all(w in text for w in words)

        users = [u for u in users if matches(u)]
    page = users[offset : offset + limit]
    return m.UserPage(
        items=await user_summaries(db, page, today),
        total=len(users),
        offset=offset,
        limit=limit,
    )


# --- writes on one account --------------------------------------------------------------------


def new_one_time_password() -> str:
    return generate_one_time_password(_rng)


async def hash_in_thread(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def revoke_sessions(db: AsyncSession, user_id: int, now: dt.datetime, reason: str) -> None:
    await db.execute(
        update(s.AuthSession)
        .where(s.AuthSession.user_id == user_id, s.AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


def _names(user: s.User) -> dict[str, Any]:
    return {
        "login": user.login,
        "role": user.role,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "middle_name": user.middle_name,
        "locked": user.locked,
    }


async def _audit_account(
    db: AsyncSession,
    user: s.User,
    *,
    now: dt.datetime,
    actor_id: int | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The audit record of a change to an account (a pupil's is also filed under the pupil)."""
    await append_audit(
        db,
        at=now,
        actor_id=actor_id,
        action=action,
        entity="user",
        entity_id=user.id,
        pupil_id=user.id if user.role == m.Role.PUPIL.value else None,
        before=before,
        after=after,
    )


def _clean_name(value: str, field: str, *, required: bool = True) -> str:
    from demo_server.roster import collapse

    value = collapse(value)
    if required and not value:
        raise ProblemError(422, f"the {field.replace('_', ' ')} must not be empty", field=field)
    return value


async def _login_taken(db: AsyncSession, login: str) -> bool:
    return (await db.scalar(select(s.User.id).where(s.User.login == login))) is not None


async def _free_login(db: AsyncSession, last: str, first: str) -> str:
    base = login_base(last, first)
    taken = set(
        await db.scalars(
            select(s.User.login).where(or_(s.User.login == base, s.User.login.like(f"{base}%")))
        )
    )
    return unique_login(base, taken)


async def _enrol(db: AsyncSession, pupil_id: int, class_id: int, start: dt.date) -> None:
    await db.execute(
        insert(s.Enrolment).values(pupil_id=pupil_id, class_id=class_id, start=start, end=None)
    )


async def create_user(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    data: m.UserCreate,
    today: dt.date,
    now: dt.datetime,
) -> m.OneTimePassword:
    first = _clean_name(data.first_name, "first_name")
    last = _clean_name(data.last_name, "last_name")
    middle = _clean_name(data.middle_name, "middle_name", required=False)
    if data.role is m.Role.PUPIL:
        if data.class_id is None:
            raise ProblemError(422, "a pupil needs a class: give class_id", field="class_id")
        await class_info(db, school_id, data.class_id)
    elif data.class_id is not None:
        raise ProblemError(422, "only a pupil is put in a class", field="class_id")
    if data.login is not None and data.login.strip():
        login = check_login(data.login)
        if await _login_taken(db, login):
            raise ProblemError(422, f"the login {login} is taken; choose another", field="login")
    else:
        login = await _free_login(db, last, first)
    password = new_one_time_password()
    user = s.User(
        school_id=school_id,
        login=login,
        password_hash=await hash_in_thread(password),
        role=data.role.value,
        first_name=first,
        last_name=last,
        middle_name=middle,
        must_change_password=True,
        created_at=now,
    )
    db.add(user)
    await db.flush()
    if data.role is m.Role.PUPIL and data.class_id is not None:
        await _enrol(db, user.id, data.class_id, today)
    await _audit_account(
        db,
        user,
        now=now,
        actor_id=actor_id,
        action="create",
        after={**_names(user), "class_id": data.class_id},
    )
    return m.OneTimePassword(user=await user_summary(db, user, today), one_time_password=password)


async def _account_changed(
    db: AsyncSession, school_id: int, user: s.User, seen: int, today: dt.date
) -> ProblemError:
    """The 409 for an edit based on version ``seen`` of an account that has moved on: who
    changed it last, and the account as it is now in ``current``."""
    last = (
        await db.execute(
            select(s.AuditRecord.actor_id, s.AuditRecord.at)
            .where(s.AuditRecord.entity == "user", s.AuditRecord.entity_id == user.id)
            .order_by(s.AuditRecord.id.desc())
            .limit(1)
        )
    ).first()
    by = ""
    if last is not None:
        actor = await db.get(s.User, last[0]) if last[0] is not None else None
        school = await db.get(s.School, school_id)
        who = _full(actor) if actor is not None else "someone"
        by = f" by {who} on {stamp(last[1], school.timezone if school is not None else None)}"
    return ProblemError(
        409,
        f"the account {user.login} was changed{by} after you opened it: your change was "
        f"based on version {seen}, the current one is version {user.version}; nothing was "
        "saved",
        field="version",
        current=await user_summary(db, user, today),
    )


async def _bump_version(db: AsyncSession, user_ids: Sequence[int]) -> None:
    """One more change by the staff to each of these accounts (see ``schema.User``)."""
    for chunk in _chunks(user_ids):
        await db.execute(
            update(s.User)
            .where(s.User.id.in_(chunk))
            .values(version=s.User.version + 1)
            .execution_options(synchronize_session=False)
        )


async def update_user(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    user_id: int,
    data: m.UserUpdate,
    today: dt.date,
    now: dt.datetime,
) -> m.UserSummary:
    """Names and locking, on the version ``data.version`` of the account: a stale one is a 409
    with the current account. A change adds one to the version; sending what the account
    already holds changes nothing (and is no conflict when the version is current)."""
    user = await get_user(db, school_id, user_id)
    if data.version != user.version:
        raise await _account_changed(db, school_id, user, data.version, today)
    before = _names(user)
    values: dict[str, Any] = {}
    if data.first_name is not None:
        values["first_name"] = _clean_name(data.first_name, "first_name")
    if data.last_name is not None:
        values["last_name"] = _clean_name(data.last_name, "last_name")
    if data.middle_name is not None:
        values["middle_name"] = _clean_name(data.middle_name, "middle_name", required=False)
    if data.locked is not None:
        if data.locked and user.id == actor_id:
            raise ProblemError(422, "you cannot lock your own account", field="locked")
        values["locked"] = data.locked
    values = {k: v for k, v in values.items() if before[k] != v}
    if not values:
        return await user_summary(db, user, today)
    # Only if it is still the version the change was based on: a concurrent edit that
    # committed first makes this match nothing.
    result = await db.execute(
        update(s.User)
        .where(s.User.id == user.id, s.User.version == data.version)
        .values(version=data.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(user)
    if getattr(result, "rowcount", 0) != 1:
        raise await _account_changed(db, school_id, user, data.version, today)
    if values.get("locked"):
        await revoke_sessions(db, user.id, now, "locked")
    after = _names(user)
    await _audit_account(
        db,
        user,
        now=now,
        actor_id=actor_id,
        action="update",
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return await user_summary(db, user, today)


async def reset_password(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    user_id: int,
    today: dt.date,
    now: dt.datetime,
) -> m.OneTimePassword:
    user = await get_user(db, school_id, user_id)
    password = new_one_time_password()
    user.password_hash = await hash_in_thread(password)
    user.must_change_password = True
    await revoke_sessions(db, user.id, now, "password_reset")
    await db.flush()
    await _bump_version(db, [user.id])
    await db.refresh(user)
    await _audit_account(
        db,
        user,
        now=now,
        actor_id=actor_id,
        action="update",
        after={"password": "reset", "must_change_password": True},
    )
    return m.OneTimePassword(user=await user_summary(db, user, today), one_time_password=password)


async def change_password(
    db: AsyncSession, *, user_id: int, session_id: int, old: str, new: str, now: dt.datetime
) -> None:
    """The user's own password change: the old one must match, the new one be strong."""
    from demo_server.security import verify_password

    user = await db.get(s.User, user_id)
    if user is None:
        raise ProblemError(401, "this account no longer exists")
    if not await verify_password(user.password_hash, old):
        raise ProblemError(422, "the current password is wrong", field="old")
    if new == old:
        raise ProblemError(422, "the new password must differ from the current one", field="new")
    reasons = check_strength(
        new, login=user.login, names=[user.first_name, user.last_name, user.middle_name]
    )
    if reasons:
        raise ProblemError(422, "the new password is too weak: " + "; ".join(reasons), field="new")
    user.password_hash = await hash_in_thread(new)
    user.must_change_password = False
    # Other sessions (someone who knew the old password) end; this one goes on.
    await db.execute(
        update(s.AuthSession)
        .where(
            s.AuthSession.user_id == user.id,
            s.AuthSession.id != session_id,
            s.AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=now, revoked_reason="password_changed")
    )
    await db.flush()
    await _audit_account(
        db,
        user,
        now=now,
        actor_id=user.id,
        action="update",
        after={"password": "changed", "must_change_password": False},
    )


# --- parents and children, classes -------------------------------------------------------------


async def set_parent_link(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    parent_id: int,
    pupil_id: int,
    linked: bool,
    today: dt.date,
    now: dt.datetime,
) -> m.ParentLinkResult:
    parent = await get_user(db, school_id, parent_id, "parent_id")
    pupil = await get_user(db, school_id, pupil_id, "pupil_id")
    if parent.role != m.Role.PARENT.value:
        raise ProblemError(422, f"{parent.login} is not a parent account", field="parent_id")
    if pupil.role != m.Role.PUPIL.value:
        raise ProblemError(422, f"{pupil.login} is not a pupil", field="pupil_id")
    exists = await db.get(s.ParentLink, (parent.id, pupil.id)) is not None
    changed = exists != linked
    if changed:
        if linked:
            await db.execute(insert(s.ParentLink).values(parent_id=parent.id, pupil_id=pupil.id))
        else:
            await db.execute(
                delete(s.ParentLink).where(
                    s.ParentLink.parent_id == parent.id, s.ParentLink.pupil_id == pupil.id
                )
            )
        link = {"parent_id": parent.id, "pupil_id": pupil.id}
        await append_audit(
            db,
            at=now,
            actor_id=actor_id,
            action="create" if linked else "remove",
            entity="parent_link",
            entity_id=parent.id,
            pupil_id=pupil.id,
            before=None if linked else link,
            after=link if linked else None,
        )
    parent_summary, pupil_summary = await user_summaries(db, [parent, pupil], today)
    return m.ParentLinkResult(
        parent=parent_summary, pupil=pupil_summary, linked=linked, changed=changed
    )


async def move_pupil(
    db: AsyncSession,
    *,
    school_id: int,
    actor_id: int,
    pupil_id: int,
    class_id: int,
    day: dt.date,
    today: dt.date,
    now: dt.datetime,
) -> m.UserSummary:
    """Close the pupil's enrolment the day before ``day`` and open one in ``class_id``."""
    pupil = await get_user(db, school_id, pupil_id)
    if pupil.role != m.Role.PUPIL.value:
        raise ProblemError(422, f"{pupil.login} is not a pupil", field="id")
    target = await class_info(db, school_id, class_id)
    current = await db.scalar(
        select(s.Enrolment)
        .where(
            s.Enrolment.pupil_id == pupil.id,
            s.Enrolment.start <= day,
            or_(s.Enrolment.end.is_(None), s.Enrolment.end >= day),
        )
        .order_by(s.Enrolment.start.desc())
        .limit(1)
    )
    later = await db.scalar(
        select(s.Enrolment.id).where(s.Enrolment.pupil_id == pupil.id, s.Enrolment.start > day)
    )
    if later is not None:
        raise ProblemError(
            422,
            "the pupil already has a class change after this date; move them from a later date",
            field="date",
        )
    before: dict[str, Any] = {"class_id": None}
    if current is not None:
        if current.class_id == target.id:
            raise ProblemError(
                422,
                f"the pupil is already in {class_name(target.grade, target.letter)} on {day}",
                field="class_id",
            )
        before = {"class_id": current.class_id, "enrolment_id": current.id}
    new_id: int | None = None
    if current is not None and current.start >= day:
        # The enrolment starts that very day: it simply becomes one in the new class.
        current.class_id = target.id
        new_id = current.id
    else:
        if current is not None:
            current.end = day - dt.timedelta(days=1)
        await db.flush()
        new_id = await db.scalar(
            insert(s.Enrolment)
            .values(pupil_id=pupil.id, class_id=target.id, start=day, end=None)
            .returning(s.Enrolment.id)
        )
    await db.flush()
    assert new_id is not None
    await append_audit(
        db,
        at=now,
        actor_id=actor_id,
        action="update",
        entity="enrolment",
        entity_id=int(new_id),
        pupil_id=pupil.id,
        before=before,
        after={"class_id": target.id, "start": day.isoformat()},
    )
    return await user_summary(db, pupil, today)


# --- invite codes and slips ------------------------------------------------------------------


def invite_hash(code: str) -> str:
    return token_hash(normalise_invite_code(code))


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


@dataclass(frozen=True)
class IssuedSlip:
    name: str
    role: str
    login: str = ""
    one_time_password: str = ""
    invite_code: str = ""
    child_name: str = ""
    expires: dt.date | None = None


def _full(user: s.User) -> str:
    return " ".join(p for p in (user.last_name, user.first_name, user.middle_name) if p)


async def issue_slips(
    db: AsyncSession,
    *,
    actor_id: int,
    class_id: int,
    today: dt.date,
    now: dt.datetime,
    passwords: bool,
    lang: str = "ru",
) -> list[IssuedSlip]:
    """Slips for the class: with ``passwords``, a one-time password for every pupil and every
    parent account linked to one, and an invite code for each pupil with no parent account;
    without, an invite code for every pupil (what a class teacher hands out)."""
    pupils = await class_pupils(db, class_id, today)
    links: dict[int, list[s.User]] = {}
    if passwords and pupils:
        for parent, pupil_id in await db.execute(
            select(s.User, s.ParentLink.pupil_id)
            .join(s.ParentLink, s.ParentLink.parent_id == s.User.id)
            .where(s.ParentLink.pupil_id.in_([p.id for p in pupils]))
            .order_by(s.User.last_name, s.User.first_name, s.User.id)
        ):
            links.setdefault(int(pupil_id), []).append(parent)
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
    hashes = await asyncio.gather(*(hash_in_thread(new_passwords[u.id]) for u in to_reset))
    for user, digest in zip(to_reset, hashes, strict=True):
        user.password_hash = digest
        user.must_change_password = True
        await revoke_sessions(db, user.id, now, "password_reset")
    await db.flush()
    await _bump_version(db, [u.id for u in to_reset])
    slips: list[IssuedSlip] = []
    for kind, person, child in plan:
        if kind == "password":
            slips.append(
                IssuedSlip(
                    name=_full(person),
                    role=person.role,
                    login=person.login,
                    one_time_password=new_passwords[person.id],
                    child_name=_full(child) if child is not None else "",
                )
            )
            await _audit_account(
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
            slips.append(
                IssuedSlip(
                    name=(
                        f"Родитель: {_full(child)}" if lang == "ru" else f"Parent of {_full(child)}"
                    ),
                    role=m.Role.PARENT.value,
                    invite_code=code,
                    child_name=_full(child),
                    expires=(expires - dt.timedelta(seconds=1)).date(),
                )
            )
    return slips


# --- registration with an invite code ----------------------------------------------------------

INVALID_CODE = (
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
        raise ProblemError(422, INVALID_CODE, field="code")
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
    first = _clean_name(data.first_name, "first_name")
    last = _clean_name(data.last_name, "last_name")
    login = check_login(data.login)
    if await _login_taken(db, login):
        raise ProblemError(422, f"the login {login} is taken; choose another", field="login")
    reasons = check_strength(data.password, login=login, names=[first, last])
    if reasons:
        raise ProblemError(422, "the password is too weak: " + "; ".join(reasons), field="password")
    pupil = await db.get(s.User, invite.pupil_id)
    assert pupil is not None
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
    await _audit_account(
        db,
        parent,
        now=now,
        actor_id=parent.id,
        action="create",
        after={**_names(parent), "registered_with_invite": invite.id},
    )
    await link_by_invite(db, invite, parent, now)
    return parent


# --- roster import -------------------------------------------------------------------------------


async def build_snapshot(db: AsyncSession, school_id: int, today: dt.date) -> ExistingSchool:
    """The school as the import planner sees it."""
    classes = await school_classes(db, school_id, today)
    class_names = {cid: name for name, cid in classes.items()}
    subjects = {
        str(name): int(sid)
        for sid, name in await db.execute(
            select(s.Subject.id, s.Subject.name).where(s.Subject.school_id == school_id)
        )
    }
    pupil_class: dict[int, str] = {}
    for pupil_id, class_id in await db.execute(
        select(s.Enrolment.pupil_id, s.Enrolment.class_id)
        .join(s.User, s.User.id == s.Enrolment.pupil_id)
        .where(
            s.User.school_id == school_id,
            s.Enrolment.start <= today,
            or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
        )
        .order_by(s.Enrolment.start)
    ):
        if class_id in class_names:
            pupil_class[int(pupil_id)] = class_names[class_id]
    users = [
        ExistingUser(
            id=int(uid),
            role=str(role),
            last_name=last,
            first_name=first,
            middle_name=middle,
            login=login,
            class_name=pupil_class.get(int(uid), ""),
        )
        for uid, role, last, first, middle, login in await db.execute(
            select(
                s.User.id,
                s.User.role,
                s.User.last_name,
                s.User.first_name,
                s.User.middle_name,
                s.User.login,
            )
            .where(s.User.school_id == school_id)
            .order_by(s.User.id)
        )
    ]
    links = frozenset(
        (int(p), int(c))
        for p, c in await db.execute(
            select(s.ParentLink.parent_id, s.ParentLink.pupil_id)
            .join(s.User, s.User.id == s.ParentLink.parent_id)
            .where(s.User.school_id == school_id)
        )
    )
    teaching = frozenset(
        (int(t), int(c), int(sub))
        for t, c, sub in await db.execute(
            select(
                s.TeachingAssignment.teacher_id,
                s.TeachingAssignment.class_id,
                s.TeachingAssignment.subject_id,
            )
            .join(s.User, s.User.id == s.TeachingAssignment.teacher_id)
            .where(s.User.school_id == school_id)
        )
    )
    return ExistingSchool(
        classes=classes, subjects=subjects, users=users, parent_links=links, teaching=teaching
    )


_ROLE = {
    RowKind.PUPIL: m.Role.PUPIL,
    RowKind.PARENT: m.Role.PARENT,
    RowKind.TEACHER: m.Role.TEACHER,
}


async def apply_plan(
    db: AsyncSession,
    plan: ImportPlan,
    parsed: ParsedRoster,
    *,
    data: bytes,
    school_id: int,
    actor_id: int,
    today: dt.date,
    now: dt.datetime,
) -> int:
    """Write ``plan`` in the caller's transaction; returns the import's audit record id.

    Refuses (422) a plan with refused lines: nothing is written. New accounts have no password
    until slips are printed for them; a pupil whose class changes leaves the old class the day
    before ``today``."""
    if not plan.can_apply:
        raise ProblemError(
            422, f"{len(plan.refused)} line(s) are refused; nothing was imported", field="body"
        )
    created = [r for r in plan.rows if r.action is Action.CREATED and r.kind is not None]
    changed = [r for r in plan.rows if r.action is Action.CHANGED and r.kind is not None]
    new_ids: dict[int, int] = {}
    if created:
        logins = [r.login for r in created]
        for chunk in [logins[i : i + 900] for i in range(0, len(logins), 900)]:
            taken = list(await db.scalars(select(s.User.login).where(s.User.login.in_(chunk))))
            if taken:
                raise ProblemError(
                    422,
                    f"the login {taken[0]} is taken by another school's account; give these "
                    "people a login in the login column; nothing was imported",
                    field="body",
                )
        values = [
            {
                "school_id": school_id,
                "login": r.login,
                "password_hash": NO_PASSWORD,
                "role": _ROLE[r.kind].value,  # type: ignore[index]
                "first_name": r.first_name,
                "last_name": r.last_name,
                "middle_name": r.middle_name,
                "must_change_password": True,
                "locked": False,
                "created_at": now,
            }
            for r in created
        ]
        # One executemany, then the new ids by login (unique): INSERT ... RETURNING in the
        # parameters' order is sent row by row on SQLite, one round trip per line.
        await db.execute(insert(s.User), values)
        id_of: dict[str, int] = {}
        for chunk in [logins[i : i + 900] for i in range(0, len(logins), 900)]:
            for uid, login in await db.execute(
                select(s.User.id, s.User.login).where(s.User.login.in_(chunk))
            ):
                id_of[login] = int(uid)
        new_ids = {r.line: id_of[r.login] for r in created}
    # Names of changed accounts: one statement for each set of changed fields, however many
    # accounts change (never one round trip per line).
    renamed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in changed:
        names = {c.field: c.after for c in row.changes if c.field.endswith("_name")}
        if names:
            renamed.setdefault(tuple(sorted(names)), []).append(
                {"uid": row.user_id, **{f"new_{f}": v for f, v in names.items()}}
            )
    users = cast(Table, s.User.__table__)
    for fields, params in renamed.items():
        await db.execute(  # executemany: Core's, not the ORM's bulk update
            update(users)
            .where(users.c.id == bindparam("uid"))
            .values(version=users.c.version + 1, **{f: bindparam(f"new_{f}") for f in fields}),
            params,
        )
    # Enrolments: new pupils, and pupils who change class.
    enrol: list[dict[str, Any]] = []
    moved: list[tuple[int, int]] = []
    for row in created + changed:
        if row.kind is not RowKind.PUPIL or row.class_id is None:
            continue
        if row.action is Action.CREATED:
            enrol.append(
                {
                    "pupil_id": new_ids[row.line],
                    "class_id": row.class_id,
                    "start": today,
                    "end": None,
                }
            )
        elif any(c.field == "class" for c in row.changes):
            assert row.user_id is not None
            moved.append((row.user_id, row.class_id))
    # The current enrolment of every moved pupil, read in a few queries: the latest one each.
    current_of: dict[int, s.Enrolment] = {}
    for pupil_ids in _chunks([pupil_id for pupil_id, _class in moved]):
        for enrolment in await db.scalars(
            select(s.Enrolment)
            .where(
                s.Enrolment.pupil_id.in_(pupil_ids),
                s.Enrolment.start <= today,
                or_(s.Enrolment.end.is_(None), s.Enrolment.end >= today),
            )
            .order_by(s.Enrolment.pupil_id, s.Enrolment.start, s.Enrolment.id)
        ):
            current_of[enrolment.pupil_id] = enrolment  # the later start wins
    for pupil_id, class_id in moved:
        current = current_of.get(pupil_id)
        if current is not None and current.start >= today:
            current.class_id = class_id
            continue
        if current is not None:
            current.end = today - dt.timedelta(days=1)
        enrol.append({"pupil_id": pupil_id, "class_id": class_id, "start": today, "end": None})
    await db.flush()
    if enrol:
        await db.execute(insert(s.Enrolment), enrol)
    # Parent links and teaching assignments (only ever added).
    links: set[tuple[int, int]] = set()
    assignments: set[tuple[int, int, int]] = set()
    for row in created + changed:
        user_id = row.user_id if row.user_id is not None else new_ids[row.line]
        for child in row.add_children:
            child_id = child.user_id if child.user_id is not None else new_ids[child.line or 0]
            links.add((user_id, child_id))
        for a in row.add_assignments:
            assignments.add((user_id, a.class_id, a.subject_id))
    if links:
        await db.execute(
            insert(s.ParentLink), [{"parent_id": p, "pupil_id": c} for p, c in sorted(links)]
        )
    if assignments:
        await db.execute(
            insert(s.TeachingAssignment),
            [
                {"teacher_id": t, "class_id": c, "subject_id": sub}
                for t, c, sub in sorted(assignments)
            ],
        )
    return await append_audit(
        db,
        at=now,
        actor_id=actor_id,
        action="create",
        entity="roster_import",
        entity_id=school_id,
        after={
            "file_sha256": hashlib.sha256(data).hexdigest(),
            "encoding": parsed.encoding,
            "created": sorted(r.login for r in created),
            "changed": sorted(r.login for r in changed),
            "unchanged": plan.count(Action.UNCHANGED),
            "skipped": plan.count(Action.SKIPPED),
            "parent_links_added": len(links),
            "teaching_added": len(assignments),
            "moved": len(moved),
        },
    )


async def count_users(db: AsyncSession, school_id: int) -> int:
    return int(
        await db.scalar(select(func.count(s.User.id)).where(s.User.school_id == school_id)) or 0
    )
