"""The FastAPI application: REST API (OpenAPI at /docs) and, mounted beside it, the web pages."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from functools import partial

import anyio.to_thread
import swagger_ui_bundle
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from brokerage import __version__
from brokerage.auth.endpoints import router as auth_router
from brokerage.callouts.endpoints import router as callouts_router
from brokerage.centres.endpoints import router as centres_router
from brokerage.config import get_settings
from brokerage.db import session_scope
from brokerage.deps import DbSession, read_only_session
from brokerage.edge import bounded_inputs
from brokerage.errors import install_exception_handlers
from brokerage.guidance.endpoints import router as guidance_router
from brokerage.headers import SecurityHeaders, quiet_access_log
from brokerage.hours.endpoints import router as hours_router
from brokerage.interop.endpoints import router as interop_router
from brokerage.invitations.endpoints import router as invitations_router
from brokerage.jobs.endpoints import router as jobs_router
from brokerage.matches.answers import PublicAnswers
from brokerage.matches.index_holder import warm
from brokerage.matches.endpoints import router as matches_router
from brokerage.matches.fast import MatchesFromMemory
from brokerage.organisations.endpoints import router as organisations_router
from brokerage.referrals.endpoints import router as referrals_router
from brokerage.reports.endpoints import router as reports_router
from brokerage.roles.endpoints import router as roles_router
from brokerage.safeguarding.endpoints import router as safeguarding_router
from brokerage.users.endpoints import audit_router, router as users_router
from brokerage.volunteers.endpoints import router as volunteers_router
from brokerage.web import mount_pages

logger = logging.getLogger(__name__)

DESCRIPTION = """
Volunteer brokerage for Kent: volunteers find roles that fit them, organisations fill their roles,
volunteer centres broker and follow up, and pilot leads report the value of volunteering.

Sign in with `POST /auth/token` and send the token as `Authorization: Bearer …`.
Every error has one shape: `{"error": {"status", "code", "message", "details"}}`.
"""

# The routers are tried in this order for every request, so the busiest paths (the role list, ranked
# search and a volunteer's matches) come first; no two routers answer the same method and path, so the
# order changes nothing else.
API_ROUTERS = (
    roles_router,
    matches_router,
    auth_router,
    centres_router,
    organisations_router,
    volunteers_router,
    referrals_router,
    invitations_router,
    users_router,
    audit_router,
    reports_router,
    interop_router,
    jobs_router,
    hours_router,
    safeguarding_router,
    guidance_router,
    callouts_router,
)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # Blocking route code runs on this many threads; the connection pool is sized to match (db.py).
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().threadpool_size
    # The published roles in memory (the catalogue and the matching index) are built before the first
    # request is taken, so no visitor waits for them; a database not ready yet leaves them to first use.
    await anyio.to_thread.run_sync(_warm)
    yield


def _warm() -> None:
    try:
        with session_scope() as session:
            warm(session)
    except Exception:
        logger.warning("the role catalogue and index will be built on first use", exc_info=True)


def _mount_docs(app: FastAPI) -> None:
    """/docs: Swagger UI with its script, styles and icon from the swagger-ui-bundle package, so the
    documentation works offline (FastAPI's default loads them from a CDN)."""
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API documentation",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )


def create_app() -> FastAPI:
    show_docs = get_settings().show_docs
    app = FastAPI(
        # No OpenTelemetry providers are set up: FastAPI's own telemetry would still look for them on
        # every request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        lifespan=_lifespan,
        dependencies=[Depends(bounded_inputs)],
        title="Kent Volunteer Brokerage",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served below, with Swagger UI's files from this server
        redoc_url=None,
        openapi_url="/openapi.json" if show_docs else None,
    )
    install_exception_handlers(app)
    # Kept anonymous answers pass through the security headers like every other response.
    app.add_middleware(PublicAnswers)
    # A volunteer's matches, when this process holds everything they need, skip routing and dependencies.
    app.add_middleware(MatchesFromMemory, sessions=partial(read_only_session, app))
    app.add_middleware(SecurityHeaders)
    quiet_access_log()

    for router in API_ROUTERS:
        app.include_router(router)
    if show_docs:
        _mount_docs(app)

    @app.get("/healthz", tags=["operations"], include_in_schema=False)
    def healthz(session: DbSession):
        session.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    if get_settings().pages_enabled:
        mount_pages(app)
    return app
