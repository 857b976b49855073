"""Accounts: what the IT staff do to users (create, edit, lock, reset a password, link a parent
to a child, move a pupil to another class) and one's own password change.

Everything here runs inside the caller's transaction and never commits: the routes hand the
work to :func:`demo_server.idempotency.idempotent`, which commits the change together with its
idempotency record, so a write, its audit records and its stored answer land together or not
at all. Invite codes, slips and registration are in :mod:`demo_server.invites`; a roster import
is applied by :mod:`demo_server.roster_apply`.

- Queries: :func:`search_users` (a page of :class:`UserSummary`), :func:`user_summaries`.
- Passwords: one-time passwords are argon2id-hashed like any password and set
  ``must_change_password``; a reset ends the user's sessions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server import schema as s
from demo_server.access import not_found
from demo_server.clock import stamp
from demo_server.groups import leave_class_groups
from demo_server.passwords import (
    check_strength,
    generate_one_time_password,
)
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.roster import (
    class_key,
    fold,
    login_base,
    unique_login,
)
from demo_server.security import hash_password
from demo_server.week import class_name, class_ref, current_classes

NO_PASSWORD = "!no-password"
"""The password hash of an account that has none yet: no password ever matches it."""

LOGIN_CHARS = N_("lower-case Latin letters, digits, '.', '_' or '-'")
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
            _("a login is 1 to 64 {chars}, starting with a letter or digit").format(
                chars=_(LOGIN_CHARS)
            ),
            field=field,
        )
    return login


def require_it_staff(role: m.Role) -> None:
    if role is not m.Role.IT_STAFF:
        raise ProblemError(403, _("only the school's IT staff manage accounts"))


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


async def class_list(db: AsyncSession, school_id: int, today: dt.date) -> m.ClassList:
    """The current year's classes in order (``1А`` to ``11В``)."""
    year_id = await current_year_id(db, school_id, today)
    if year_id is None:
        return m.ClassList(classes=[])
    rows = await db.execute(
        select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter)
        .where(s.SchoolClass.school_id == school_id, s.SchoolClass.year_id == year_id)
        .order_by(s.SchoolClass.grade, s.SchoolClass.letter)
    )
    return m.ClassList(classes=[class_ref(cid, grade, letter) for cid, grade, letter in rows])


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
    raise ProblemError(
        404, _("there is no class {text} in this school").format(text=text), field="class"
    )


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
            s.enrolled_on(today),
        )
        .order_by(s.User.last_name, s.User.first_name, s.User.id)
    )
    return list(rows)


# --- users as the IT staff see them ---------------------------------------------------------


async def _classes_of(
    db: AsyncSession, pupil_ids: Sequence[int], today: dt.date
) -> dict[int, m.ClassRef]:
    """Each pupil's class on ``today`` (``week.current_classes``), a chunk of ids at a time."""
    out: dict[int, m.ClassRef] = {}
    for chunk in chunks(pupil_ids):
        out.update(await current_classes(db, chunk, today))
    return out


def chunks(ids: Sequence[int], size: int = 900) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


async def user_summaries(
    db: AsyncSession, users: Sequence[s.User], today: dt.date
) -> list[m.UserSummary]:
    """Summaries of ``users`` (in that order) with classes, children and parents."""
    ids = [u.id for u in users]
    links: list[tuple[int, int]] = []
    for chunk in chunks(ids):
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
    for chunk in chunks(missing):
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
            phone=u.phone,
            email=u.email,
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
        raise ProblemError(404, _("there is no user with this id in this school"), field=field)
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
                s.enrolled_on(today),
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


def hash_passwords(passwords: list[str]) -> list[str]:
    """The argon2id hash of each password, one after the other (call it off the loop).

    A class's slips reset 60 or more passwords: hashed at once they took every thread of the
    shared pool for seconds, and each login's password check waited behind them."""
    return [hash_password(password) for password in passwords]


async def revoke_sessions(db: AsyncSession, user_id: int, now: dt.datetime, reason: str) -> None:
    await db.execute(
        update(s.AuthSession)
        .where(s.AuthSession.user_id == user_id, s.AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


def full_name(user: s.User) -> str:
    return " ".join(p for p in (user.last_name, user.first_name, user.middle_name) if p)


def name_fields(user: s.User) -> dict[str, Any]:
    return {
        "login": user.login,
        "role": user.role,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "middle_name": user.middle_name,
        "locked": user.locked,
    }


def account_fields(user: s.User) -> dict[str, Any]:
    """What an account edit may change: the names, locking and the contacts."""
    return {**name_fields(user), "phone": user.phone, "email": user.email}


def clean_phone(value: str) -> str:
    """A telephone number as typed, spaces collapsed; empty clears it; else a 422 saying what
    a number may hold (:func:`api_client.models.phone_refusal`)."""
    if (refusal := m.phone_refusal(value)) is not None:
        raise ProblemError(422, refusal, field="phone")
    return m.normal_phone(value)


def clean_email(value: str) -> str:
    """An e-mail address (lower-cased domain); empty clears it; else a 422."""
    if (refusal := m.email_refusal(value)) is not None:
        raise ProblemError(422, refusal, field="email")
    return m.normal_email(value)


async def audit_account(
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


def clean_name(value: str, field: str, *, required: bool = True) -> str:
    from demo_server.roster import collapse

    value = collapse(value)
    labels = {
        "first_name": _("first name"),
        "last_name": _("last name"),
        "middle_name": _("middle name"),
    }
    label = labels.get(field, field.replace("_", " "))
    if required and not value:
        raise ProblemError(422, _("the {field} must not be empty").format(field=label), field=field)
    refusal = m.name_refusal(value, label)
    if refusal:
        raise ProblemError(422, refusal, field=field)
    return value


async def login_taken(db: AsyncSession, login: str) -> bool:
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
    first = clean_name(data.first_name, "first_name")
    last = clean_name(data.last_name, "last_name")
    middle = clean_name(data.middle_name, "middle_name", required=False)
    phone = clean_phone(data.phone)
    email = clean_email(data.email)
    if data.role is m.Role.PUPIL:
        if data.class_id is None:
            raise ProblemError(422, _("a pupil needs a class: give class_id"), field="class_id")
        await class_info(db, school_id, data.class_id)
    elif data.class_id is not None:
        raise ProblemError(422, _("only a pupil is put in a class"), field="class_id")
    if data.login is not None and data.login.strip():
        login = check_login(data.login)
        if await login_taken(db, login):
            raise ProblemError(
                422,
                _("the login {login} is taken; choose another").format(login=login),
                field="login",
            )
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
        phone=phone,
        email=email,
    )
    db.add(user)
    await db.flush()
    if data.role is m.Role.PUPIL and data.class_id is not None:
        await _enrol(db, user.id, data.class_id, today)
    await audit_account(
        db,
        user,
        now=now,
        actor_id=actor_id,
        action="create",
        after={**account_fields(user), "class_id": data.class_id},
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
        who = full_name(actor) if actor is not None else _("someone")
        zone = school.timezone if school is not None else None
        by = _(" by {who} on {when}").format(who=who, when=stamp(last[1], zone))
    return ProblemError(
        409,
        _(
            "the account {login} was changed{by} after you opened it: your "
            "change was based on version {seen}, the current one is version "
            "{version}; nothing was saved"
        ).format(login=user.login, by=by, seen=seen, version=user.version),
        field="version",
        current=await user_summary(db, user, today),
    )


async def bump_version(db: AsyncSession, user_ids: Sequence[int]) -> None:
    """One more change by the staff to each of these accounts (see ``schema.User``)."""
    for chunk in chunks(user_ids):
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
    before = account_fields(user)
    values: dict[str, Any] = {}
    if data.first_name is not None:
        values["first_name"] = clean_name(data.first_name, "first_name")
    if data.last_name is not None:
        values["last_name"] = clean_name(data.last_name, "last_name")
    if data.middle_name is not None:
        values["middle_name"] = clean_name(data.middle_name, "middle_name", required=False)
    if data.locked is not None:
        if data.locked and user.id == actor_id:
            raise ProblemError(422, _("you cannot lock your own account"), field="locked")
        values["locked"] = data.locked
    if data.phone is not None:
        values["phone"] = clean_phone(data.phone)
    if data.email is not None:
        values["email"] = clean_email(data.email)
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
    after = account_fields(user)
    await audit_account(
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
    await bump_version(db, [user.id])
    await db.refresh(user)
    await audit_account(
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
) -> s.User:
    """The user's own password change: the old one must match, the new one be strong. Returns
    the changed account."""
    from demo_server.security import verify_password

    user = await db.get(s.User, user_id)
    if user is None:
        raise ProblemError(401, _("this account no longer exists"))
    if not await verify_password(user.password_hash, old):
        raise ProblemError(422, _("the current password is wrong"), field="old")
    if new == old:
        raise ProblemError(422, _("the new password must differ from the current one"), field="new")
    reasons = check_strength(
        new, login=user.login, names=[user.first_name, user.last_name, user.middle_name]
    )
    if reasons:
        raise ProblemError(
            422,
            _("the new password is too weak: {reasons}").format(reasons="; ".join(reasons)),
            field="new",
        )
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
    await audit_account(
        db,
        user,
        now=now,
        actor_id=user.id,
        action="update",
        after={"password": "changed", "must_change_password": False},
    )
    return user


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
        raise ProblemError(
            422, _("{login} is not a parent account").format(login=parent.login), field="parent_id"
        )
    if pupil.role != m.Role.PUPIL.value:
        raise ProblemError(
            422, _("{login} is not a pupil").format(login=pupil.login), field="pupil_id"
        )
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
        raise ProblemError(422, _("{login} is not a pupil").format(login=pupil.login), field="id")
    target = await class_info(db, school_id, class_id)
    current = await db.scalar(
        select(s.Enrolment)
        .where(
            s.Enrolment.pupil_id == pupil.id,
            s.enrolled_on(day),
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
            _("the pupil already has a class change after this date; move them from a later date"),
            field="date",
        )
    before: dict[str, Any] = {"class_id": None}
    if current is not None:
        if current.class_id == target.id:
            raise ProblemError(
                422,
                _("the pupil is already in {grade} on {day}").format(
                    grade=class_name(target.grade, target.letter), day=day
                ),
                field="class_id",
            )
        before = {"class_id": current.class_id, "enrolment_id": current.id}
    new_id: int | None = None
    if current is not None:
        # Leaving the class is leaving its groups (English, computer science) the same day.
        await leave_class_groups(db, [pupil.id], current.class_id, day - dt.timedelta(days=1))
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


async def count_users(db: AsyncSession, school_id: int) -> int:
    return int(
        await db.scalar(select(func.count(s.User.id)).where(s.User.school_id == school_id)) or 0
    )
