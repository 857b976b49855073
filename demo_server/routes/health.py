"""``/health``: is the server up and its database reachable."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from api_client.i18n import _
from api_client.models import Health
from demo_server.db import reachable
from demo_server.problems import ProblemError
from demo_server.settings import ServerState


def server_version() -> str:
    try:
        return version("diary-tui")
    except PackageNotFoundError:
        return "0.0.0"


@get(
    "/health",
    summary="Health of the server and its database",
    tags=["health"],
    opt={"problems": (503,)},
)
async def health(server: NamedDependency[ServerState], db: NamedDependency[AsyncSession]) -> Health:
    if not await reachable(db):
        raise ProblemError(503, _("the database is not reachable"))
    return Health(version=server_version(), database=server.backend)
