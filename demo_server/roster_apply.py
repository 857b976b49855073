"""A roster import applied to the database.

:func:`build_snapshot` turns the school into the plain snapshot the planner of
:mod:`demo_server.roster` reads; :func:`apply_plan` writes a plan (all of it, in the caller's
transaction, never committing) and does to the database what
:func:`demo_server.roster.apply_to_snapshot` does to a snapshot. Accounts created by an import get
no usable password until slips are printed for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _, ngettext
from demo_server import schema as s
from demo_server.accounts import NO_PASSWORD, chunks, school_classes
from demo_server.groups import leave_class_groups
from demo_server.lesson_pupils import classes_on
from demo_server.problems import ProblemError
from demo_server.records import append_audit
from demo_server.roster import (
    Action,
    ExistingSchool,
    ExistingUser,
    ImportPlan,
    ParsedRoster,
    RowKind,
)

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
    pupil_class = {
        pupil_id: class_names[class_id]
        for pupil_id, class_id in (await classes_on(db, school_id, today)).items()
        if class_id in class_names
    }
    users = [
        ExistingUser(
            id=int(uid),
            role=str(role),
            last_name=last,
            first_name=first,
            middle_name=middle,
            login=login,
            class_name=pupil_class.get(int(uid), ""),
            phone=phone,
            email=email,
        )
        for uid, role, last, first, middle, login, phone, email in await db.execute(
            select(
                s.User.id,
                s.User.role,
                s.User.last_name,
                s.User.first_name,
                s.User.middle_name,
                s.User.login,
                s.User.phone,
                s.User.email,
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
            422,
            ngettext(
                "{n} line is refused; nothing was imported",
                "{n} lines are refused; nothing was imported",
                len(plan.refused),
            ).format(n=len(plan.refused)),
            field="body",
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
                    _(
                        "the login {taken} is taken by another school's account; give these "
                        "people a login in the login column; nothing was imported"
                    ).format(taken=taken[0]),
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
                "phone": r.phone,
                "email": r.email,
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
    # Names and contacts of changed accounts: one statement for each set of changed fields,
    # however many accounts change (never one round trip per line).
    renamed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in changed:
        names = {
            c.field: c.after
            for c in row.changes
            if c.field.endswith("_name") or c.field in ("phone", "email")
        }
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
    for pupil_ids in chunks([pupil_id for pupil_id, _class in moved]):
        for enrolment in await db.scalars(
            select(s.Enrolment)
            .where(
                s.Enrolment.pupil_id.in_(pupil_ids),
                s.enrolled_on(today),
            )
            .order_by(s.Enrolment.pupil_id, s.Enrolment.start, s.Enrolment.id)
        ):
            current_of[enrolment.pupil_id] = enrolment  # the later start wins
    # Leaving a class is leaving its groups: one batch per class left, not one per pupil.
    leaving: dict[int, list[int]] = {}
    for pupil_id, _class in moved:
        if (current := current_of.get(pupil_id)) is not None:
            leaving.setdefault(current.class_id, []).append(pupil_id)
    for old_class_id, leavers in sorted(leaving.items()):
        for pupil_ids in chunks(leavers):
            await leave_class_groups(db, pupil_ids, old_class_id, today - dt.timedelta(days=1))
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
