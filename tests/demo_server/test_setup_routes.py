"""Routes made from their services (``routes.deps.setup_read``, ``school_write``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from litestar import patch
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from demo_server.routes import accounts, setup_bells, setup_calendar, setup_catalog
from demo_server.routes.deps import school_write


def _takes(handler: object) -> dict[str, object]:
    parameters = handler.parsed_fn_signature.parameters  # type: ignore[attr-defined]
    return {name: field.annotation for name, field in parameters.items()}


def test_a_school_write_takes_what_its_service_asks() -> None:
    """The path's ids, the body of the service's ``data`` type (a ``Removal`` where the service
    takes a ``version``), and the request's viewer, server and session; nothing else."""
    context = {"viewer", "server", "db", "request"}
    assert set(_takes(setup_calendar.remove_period)) - context == {"period_id", "data"}
    assert _takes(setup_calendar.remove_period)["data"] is m.Removal
    assert _takes(setup_calendar.add_holidays)["data"] is m.HolidayCreate
    assert set(_takes(setup_catalog.create_class)) - context == {"data"}
    assert _takes(setup_bells.change_schedule)["schedule_id"] is int
    assert setup_catalog.change_class.handler_name == "change_class"
    # a service that takes neither ``data`` nor ``version`` makes a route without a body
    assert set(_takes(accounts.reset_password)) - context == {"user_id"}
    assert setup_calendar.create_year.fn.__doc__ == (
        "Refused (409, naming it) when it overlaps another year of the school."
    )


async def test_a_school_write_passes_the_viewers_school_day_and_the_servers_now() -> None:
    """What the service is given: the path's id, the body (or its version), the viewer's school,
    the viewer as actor, the viewer's day where the service asks for it, the server's now."""
    seen: dict[str, object] = {}

    async def change_thing(
        db: AsyncSession,
        *,
        school_id: int,
        actor_id: int,
        thing_id: int,
        version: int,
        today: dt.date,
        now: dt.datetime,
    ) -> m.Removed:
        seen.update(school_id=school_id, actor_id=actor_id, thing_id=thing_id, version=version)
        seen.update(today=today, now=now)
        return m.Removed(id=thing_id)

    route = school_write(patch("/things/{thing_id:int}"), change_thing, "change_thing")
    assert route.handler_name == "change_thing"
    assert _takes(route)["data"] is m.Removal and _takes(route)["thing_id"] is int
    now = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)
    viewer = SimpleNamespace(school_id=7, id=42, today=dt.date(2026, 11, 25))
    server = SimpleNamespace(settings=SimpleNamespace(now=lambda: now))
    work = route.fn.__wrapped__  # type: ignore[attr-defined]  # its work, under the write
    answer = await work(
        thing_id=5, data=m.Removal(version=3), viewer=viewer, server=server, db=None
    )
    assert answer == m.Removed(id=5)
    assert seen == {
        "school_id": 7,
        "actor_id": 42,
        "thing_id": 5,
        "version": 3,
        "today": dt.date(2026, 11, 25),
        "now": now,
    }
