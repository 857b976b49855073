"""Accounts for the IT staff: users, parent links, class moves; one's own
password change (roster import and slips: :mod:`demo_server.routes.roster`,
:mod:`demo_server.routes.slips`).

Every write goes through :func:`demo_server.idempotency.idempotent` and leaves an audit record
(entity ``user``, ``parent_link``, ``enrolment`` or ``roster_import``). None of these routes
reads a message, a mark or anything else private: the IT staff keep accounts, not diaries.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import accounts as acc
from demo_server.access import (
    ACCOUNT_MANAGERS,
)
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import BEFORE_PASSWORD_CHANGE, NO_STORE, requires, school_write
from demo_server.settings import ServerState

WHAT = N_("accounts (only the school's IT staff manage them)")


IT_STAFF_ONLY = requires(*ACCOUNT_MANAGERS, what=WHAT)
"""The guard of every route that manages accounts."""


# --- reading ---------------------------------------------------------------------------------


@get("/users", summary="Search the school's accounts")
async def list_users(
    viewer: NamedDependency[Viewer],
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
    today = viewer.today
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
    db: NamedDependency[AsyncSession],
) -> m.ClassList:
    """This year's classes (for the IT staff: where pupils go; for the administration: which
    class to open)."""
    return await acc.class_list(db, viewer.school_id, viewer.today)


@get("/users/{user_id:int}", summary="One account")
async def get_user(
    user_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.UserSummary:
    user = await acc.get_user(db, viewer.school_id, user_id)
    return await acc.user_summary(db, user, viewer.today)


# --- writes on accounts ---------------------------------------------------------------------


create_user = school_write(
    post("/users", summary="Create an account", status_code=201, cache_control=NO_STORE),
    acc.create_user,
    "create_user",
    "The answer holds the one-time password: show it once, it is never sent again.",
)
update_user = school_write(
    patch("/users/{user_id:int}", summary="Edit names, lock or unlock an account"),
    acc.update_user,
    "update_user",
    """``version`` is the account's version the edit was based on (``UserSummary.version``);
    a stale one is answered 409 with the account as it is now in ``current``, and nothing
    changes. A change adds one to the version. Locking ends the account's sessions at once.""",
)
reset_password = school_write(
    post(
        "/users/{user_id:int}/reset-password",
        summary="Reset a password",
        status_code=200,
        cache_control=NO_STORE,
    ),
    acc.reset_password,
    "reset_password",
    """A new one-time password (shown once), to be changed at the next login; the user's
    sessions end.""",
)


async def _link(
    data: m.ParentLinkChange,
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    linked: bool,
) -> m.ParentLinkResult:
    return await acc.set_parent_link(
        db,
        school_id=viewer.school_id,
        actor_id=viewer.id,
        parent_id=data.parent_id,
        pupil_id=data.pupil_id,
        linked=linked,
        today=viewer.today,
        now=server.settings.now(),
    )


@post("/parent-links", summary="Link a parent to a child", status_code=200)
@write
async def link_parent(
    data: JSONBody[m.ParentLinkChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ParentLinkResult:
    return await _link(data, viewer, server, db, True)


@post("/parent-links/remove", summary="Unlink a parent from a child", status_code=200)
@write
async def unlink_parent(
    data: JSONBody[m.ParentLinkChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.ParentLinkResult:
    return await _link(data, viewer, server, db, False)


@post("/pupils/{pupil_id:int}/move", summary="Move a pupil to another class", status_code=200)
@write
async def move_pupil(
    pupil_id: FromPath[int],
    data: JSONBody[m.PupilMove],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.UserSummary:
    """The pupil's enrolment ends the day before ``date``; one in the new class starts then."""
    today = viewer.today
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


# --- one's own password ----------------------------------------------------------------------


@post(
    "/me/password",
    summary="Change my password",
    status_code=200,
    opt={BEFORE_PASSWORD_CHANGE: True},
)
@write
async def change_password(
    data: JSONBody[m.PasswordChange],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.UserSummary:
    """The current password and a new one that passes the strength check; clears
    ``must_change_password``. Other sessions of the account end."""
    user = await acc.change_password(
        db,
        user_id=viewer.id,
        session_id=viewer.session_id,
        old=data.old,
        new=data.new,
        now=server.settings.now(),
    )
    return await acc.user_summary(db, user, viewer.today)


router = Router(
    path="/",
    route_handlers=[
        list_users,
        get_user,
        create_user,
        update_user,
        reset_password,
        link_parent,
        unlink_parent,
        move_pupil,
    ],
    tags=["accounts"],
    guards=[IT_STAFF_ONLY],
)

classes = Router(
    path="/",
    route_handlers=[list_classes],
    tags=["accounts"],
    guards=[
        requires(
            *ACCOUNT_MANAGERS,
            m.Role.ADMINISTRATION,
            what=N_("the list of classes (the IT staff and the administration use it)"),
        )
    ],
)
"""The school's classes: the IT staff's and the administration's."""

own_password = Router(path="/", route_handlers=[change_password], tags=["accounts"])
"""Every logged-in user's own password change."""
