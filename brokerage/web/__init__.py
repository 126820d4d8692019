"""The web pages: server-rendered (Jinja2), working without JavaScript, calling the domain services
directly. ``mount_pages(app)`` adds the page routers, the static files and the page error handling
(``brokerage.web.errors``). Nothing but ``brokerage.app`` imports this package."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from brokerage.web.errors import install_page_error_handlers
from brokerage.web.pages import (
    admin,
    callouts,
    centre,
    guardian,
    guidance,
    hours,
    imports,
    leaving,
    milestones,
    invitations,
    organisation,
    pilot,
    public,
    referral,
    safeguarding,
    shifts,
)
from brokerage.web.pages.volunteer import interest, my_data, profile, role, search, sign_up
from brokerage.web.rendering import STATIC_DIR

PAGE_ROUTERS = (
    public.router,
    sign_up.router,
    profile.router,
    search.router,
    role.router,
    interest.router,
    my_data.router,
    organisation.router,
    centre.router,
    imports.router,
    referral.router,
    invitations.router,
    hours.router,
    shifts.router,
    milestones.router,
    leaving.router,
    pilot.router,
    admin.router,
    safeguarding.router,
    guardian.router,
    guidance.router,
    callouts.router,
)


def mount_pages(app: FastAPI) -> None:
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    install_page_error_handlers(app)
