"""The HTTP routes of the diary API, all under ``/api/v1``."""

from __future__ import annotations

from litestar import Router

from api_client.models import API_PREFIX
from demo_server.routes import accounts as accounts_routes
from demo_server.routes import (
    announcements,
    auth,
    blogs,
    health,
    me,
    messages,
    setup_bells,
    setup_calendar,
    setup_catalog,
    signing,
    week,
)
from demo_server.routes import attendance as attendance_routes
from demo_server.routes import audit as audit_routes
from demo_server.routes import changes as changes_routes
from demo_server.routes import chat as chat_routes
from demo_server.routes import consent as consent_routes
from demo_server.routes import grades as grades_routes
from demo_server.routes import homeroom as homeroom_routes
from demo_server.routes import homework as homework_routes
from demo_server.routes import journal as journal_routes
from demo_server.routes import lessons as lesson_routes
from demo_server.routes import medical as medical_routes
from demo_server.routes import registration as registration_routes
from demo_server.routes import rollover as rollover_routes
from demo_server.routes import roster as roster_routes
from demo_server.routes import schedule as schedule_routes
from demo_server.routes import setup_import as setup_import_routes
from demo_server.routes import slips as slips_routes
from demo_server.routes import stats as stats_routes
from demo_server.routes.deps import DEPENDENCIES


def api_router() -> Router:
    return Router(
        path=API_PREFIX,
        route_handlers=[
            auth.router,
            me.me,
            week.pupil_week,
            setup_bells.school_bells,
            grades_routes.router,
            homework_routes.router,
            attendance_routes.router,
            homeroom_routes.router,
            journal_routes.router,
            lesson_routes.router,
            health.health,
            accounts_routes.router,
            accounts_routes.classes,
            accounts_routes.own_password,
            roster_routes.router,
            schedule_routes.router,
            setup_import_routes.router,
            rollover_routes.router,
            slips_routes.router,
            registration_routes.router,
            consent_routes.router,
            audit_routes.audit_log,
            stats_routes.router,
            medical_routes.search_pupils,
            medical_routes.medical_absences,
            medical_routes.create_medical_absences,
            messages.router,
            chat_routes.router,
            announcements.router,
            blogs.router,
            signing.sign,
            changes_routes.changes,
            changes_routes.change_stream,
            changes_routes.audit_head,
            setup_calendar.router,
            setup_bells.router,
            setup_catalog.router,
        ],
        dependencies=DEPENDENCIES,
    )
