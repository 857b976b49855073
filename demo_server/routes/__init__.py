"""The HTTP routes of the diary API, all under ``/api/v1``."""

from __future__ import annotations

from litestar import Router

from api_client.models import API_PREFIX
from demo_server.routes import announcements, auth, health, me, messages, signing, week
from demo_server.routes.deps import DEPENDENCIES


def api_router() -> Router:
    return Router(
        path=API_PREFIX,
        route_handlers=[
            auth.router,
            me.me,
            week.pupil_week,
            health.health,
            messages.router,
            announcements.router,
            signing.sign,
        ],
        dependencies=DEPENDENCIES,
    )
