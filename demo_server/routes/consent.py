"""Consent to the processing of personal data (see :mod:`demo_server.consent`).

The school's text in versions (``/consent/texts``: the IT staff and the administration set
it); who has and has not consented (``/consent/parents``, filtered by class and state), one
parent's history and a paper form recorded (``/consent/parents/{id}``); a parent's own
standing, acceptance and withdrawal (``/me/consent``). Before registering, the text comes with
the invite code (``POST /register/consent``, :mod:`demo_server.routes.registration`).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import accounts as acc
from demo_server import consent
from demo_server.access import SETUP_STAFF
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import NO_STORE, requires
from demo_server.settings import ServerState

KEEPERS = requires(*SETUP_STAFF, what=N_("the parents' consents (the IT staff and administration)"))


@get("/consent/texts", summary="Every version of the school's consent text", guards=[KEEPERS])
async def consent_texts(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.ConsentTexts:
    """Newest first; the first is the current one."""
    return await consent.text_versions(db, viewer.school_id)


@post(
    "/consent/texts",
    summary="A new version of the school's consent text",
    status_code=201,
    guards=[KEEPERS],
    opt={"problems": (409,)},
)
@write
async def new_consent_text(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    data: JSONBody[m.ConsentTextCreate],
) -> m.ConsentText:
    """The new version becomes the current one: every parent is asked again at their next
    login (the consents given stay, naming the version they were given to)."""
    return await consent.new_version(db, viewer, data.text, server.settings.now())


@get("/consent/parents", summary="Who has and has not consented", guards=[KEEPERS])
async def consent_parents(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    class_: Annotated[
        str | None,
        QueryParameter(
            name="class", description="A class name (5А) or id: its pupils' parents", max_length=20
        ),
    ] = None,
    state_: Annotated[
        m.ConsentState | None,
        QueryParameter(name="state", description="Only parents in this state"),
    ] = None,
) -> m.ParentConsents:
    """The school's parent accounts in surname order, each with where it stands with the
    current text (given, outdated: given to an earlier version, withdrawn, none), and the
    counts by state."""
    today = viewer.today
    class_id = await acc.find_class(db, viewer.school_id, today, class_) if class_ else None
    return await consent.parents(db, viewer.school_id, today, class_id=class_id, state=state_)


@get(
    "/consent/parents/{parent_id:int}",
    summary="One parent's consents and withdrawals",
    guards=[KEEPERS],
)
async def consent_history(
    parent_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.ConsentHistory:
    """Where the parent stands, and every record, oldest first (never changed once written)."""
    return await consent.history(db, viewer.school_id, parent_id, viewer.today)


@post(
    "/consent/parents/{parent_id:int}",
    summary="Record a consent or withdrawal signed on paper",
    status_code=201,
    guards=[KEEPERS],
    opt={"problems": (404, 409)},
)
@write
async def record_paper_consent(
    parent_id: FromPath[int],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    data: JSONBody[m.PaperConsent],
) -> m.ConsentHistory:
    """With the day the form was signed (not after today); a consent names the version of the
    text signed (default: the current one). Added to the parent's history and audited."""
    return await consent.record_paper(db, viewer, parent_id, data, server.settings.now())


@get("/me/consent", summary="My consent to the processing of personal data", cache_control=NO_STORE)
async def my_consent(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.MyConsent:
    """For a parent: the school's current text and whether it is accepted (``state`` given)."""
    return await consent.mine(db, viewer)


@post(
    "/me/consent",
    summary="Accept the school's consent text",
    status_code=200,
    opt={"problems": (409,)},
)
@write
async def accept_consent(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    data: JSONBody[m.ConsentAccept],
) -> m.MyConsent:
    """``version`` is the one read; a text changed since is refused (read it again)."""
    return await consent.accept(db, viewer, data.version, server.settings.now())


@post(
    "/me/consent/withdraw",
    summary="Withdraw my consent",
    status_code=200,
    opt={"problems": (409,)},
)
@write
async def withdraw_consent(
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
    data: JSONBody[m.ConsentWithdraw],
) -> m.MyConsent:
    """Recorded in the parent's history and audited; the school is told through its list."""
    return await consent.withdraw(db, viewer, data.note, server.settings.now())


router = Router(
    path="/",
    route_handlers=[
        consent_texts,
        new_consent_text,
        consent_parents,
        consent_history,
        record_paper_consent,
        my_consent,
        accept_consent,
        withdraw_consent,
    ],
    tags=["consent"],
)
