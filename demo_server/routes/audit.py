"""``/audit``: the audit log for IT staff and the administration, newest first, with names.

Every change of a mark, an absence, homework, a topic or a period mark is one record: who, when,
what it was before and after, and the reason. Filters: the pupil the change is about, the
person who made it (``teacher``: anyone who changes marks), a date range in the school's time
zone, the kind of thing, the action (``action=update,remove``: the corrections and removals
without the creation record every new mark has). Pages go back in time: ``before`` is the
``next_before`` of the last page.
"""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_, _
from demo_server.access import AUDIT_READERS, MAX_ID
from demo_server.audit_log import DEFAULT_LIMIT, ENTITIES, MAX_LIMIT, find_people, load_audit
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.routes.deps import requires
from demo_server.routes.week import date_query, parse_date
from demo_server.wire import Id

ACTIONS = ("create", "update", "remove")
#: What ``action`` may be (its OpenAPI pattern): actions separated by commas, nothing else.
ACTIONS_PATTERN = "^({0})(,({0}))*$".format("|".join(ACTIONS))


def parse_actions(text: str) -> tuple[str, ...]:
    """``update,remove`` -> ``("update", "remove")``, or a 400 problem naming ``action``."""
    words = text.split(",") if text else []
    wrong = [word for word in words if word not in ACTIONS]
    if not text or wrong:
        said = f"{wrong[0]!r} is not an action: " if wrong else "'action' is empty: "
        raise ProblemError(
            400,
            said + f"give one or more of {', '.join(ACTIONS)}, separated by commas",
            field="action",
        )
    return tuple(dict.fromkeys(words))


@get(
    "/audit",
    summary="The audit log",
    tags=["audit"],
    guards=[requires(*AUDIT_READERS, what=N_("the audit log"))],
)
async def audit_log(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
    pupil: Annotated[
        str | None,
        QueryParameter(description="Changes about this pupil (name, login or id)"),
    ] = None,
    teacher: Annotated[
        str | None,
        QueryParameter(description="Changes made by this person (name, login or id)"),
    ] = None,
    from_: Annotated[str | None, date_query("From this day, YYYY-MM-DD", name="from")] = None,
    to: Annotated[str | None, date_query("To this day, YYYY-MM-DD")] = None,
    entity: Annotated[
        str | None,
        QueryParameter(
            description="mark, absence, homework, topic or period_mark",
            schema_extra={"enum": list(ENTITIES)},
        ),
    ] = None,
    action: Annotated[
        str | None,
        QueryParameter(
            description="Only these actions, comma-separated: create, update, remove "
            "(update,remove: the corrections and removals, without the record of every entry)",
            schema_extra={"pattern": ACTIONS_PATTERN},
        ),
    ] = None,
    limit: Annotated[
        int,
        QueryParameter(
            description=f"Records per page (1 to {MAX_LIMIT})",
            schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        ),
    ] = DEFAULT_LIMIT,
    before: Annotated[
        Id | None,
        QueryParameter(
            description="Records older than this id (the next page)",
            schema_extra={"minimum": 1, "maximum": MAX_ID},
        ),
    ] = None,
) -> m.AuditPage:
    """Every change of a mark, an absence, homework, a topic or a period mark: before, after,
    who, when and why; newest first. IT staff and administration."""
    start = parse_date(from_, "from") if from_ is not None else None
    end = parse_date(to, "to") if to is not None else None
    if start is not None and end is not None and end < start:
        raise ProblemError(422, _("'to' is before 'from'"), field="to")
    if entity is not None and entity not in ENTITIES:
        raise ProblemError(
            400,
            _("'entity' must be one of {join}").format(join=", ".join(ENTITIES)),
            field="entity",
        )
    actions = parse_actions(action) if action is not None else None
    if not 1 <= limit <= MAX_LIMIT:
        raise ProblemError(
            400, _("'limit' must be 1 to {MAX_LIMIT}").format(MAX_LIMIT=MAX_LIMIT), field="limit"
        )
    if before is not None and not 0 < before <= MAX_ID:
        raise ProblemError(400, _("'before' must be a record id"), field="before")
    return await load_audit(
        db,
        viewer,
        viewer.today,
        pupil_ids=await find_people(db, viewer, pupil, "pupil") if pupil is not None else None,
        actor_ids=(
            await find_people(db, viewer, teacher, "teacher") if teacher is not None else None
        ),
        start=start,
        end=end,
        entity=entity,
        actions=actions,
        limit=limit,
        before=before,
    )
