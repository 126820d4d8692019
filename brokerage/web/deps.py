"""Page routes and their dependencies: every page module builds its router with ``page_router()``
(routes of class ``PageRoute``, which is how an error knows it happened on a page), checks CSRF on
every POST, reads the form, and requires a signed-in user of the right kind (redirecting to sign in
when there is none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from brokerage import links
from brokerage.auth.principal import Principal
from brokerage.deps import OptionalPrincipal
from brokerage.errors import Forbidden
from brokerage.web import csrf


class SignInRequired(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


def load_principal(principal: OptionalPrincipal) -> None:
    """Resolve who is signed in, so every page can show the right menu."""


async def check_csrf(request: Request, principal: OptionalPrincipal) -> None:
    """Every POST to a page carries a valid token for this browser and this user."""
    if request.method == "POST":
        form = await request.form()
        token = form.get(csrf.FIELD)
        csrf.check(request, token if isinstance(token, str) else None)


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]

PAGE_DEPENDENCIES = [Depends(load_principal), Depends(check_csrf)]


class PageRoute(APIRoute):
    """A route that answers with a page (its errors are drawn as pages too). Every POST to it is
    checked against the form's CSRF token (``check_csrf``), so the API's rule for cookie requests
    (brokerage/auth/csrf.py) leaves it to the page; and it may use id 0 for "none in particular"."""

    csrf_by_form = True


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, dependencies=PAGE_DEPENDENCIES)


def _require(request: Request, principal: Principal | None) -> Principal:
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(links.sign_in_page(target))
    return principal


def signed_in(request: Request, principal: OptionalPrincipal) -> Principal:
    return _require(request, principal)


def role_required(*roles: str, message: str | None = None):
    def _dep(request: Request, principal: OptionalPrincipal) -> Principal:
        p = _require(request, principal)
        if p.role not in roles:
            raise Forbidden(message or "This page is not for your kind of account.")
        return p

    return Depends(_dep)


SignedIn = Annotated[Principal, Depends(signed_in)]
VolunteerUser = Annotated[
    Principal, role_required("volunteer", message="This page is for volunteers. Sign in with a volunteer account to see it.")
]
ManagerUser = Annotated[Principal, role_required("organisation_manager", message="This page is for organisation managers.")]
StaffUser = Annotated[Principal, role_required("centre_staff", message="This page is for volunteer centre staff.")]
ManagerOrStaffUser = Annotated[
    Principal,
    role_required(
        "organisation_manager", "centre_staff", message="This page is for organisation managers and volunteer centre staff."
    ),
]
PilotUser = Annotated[Principal, role_required("pilot_lead", message="This page is for pilot leads.")]
AdminUser = Annotated[Principal, role_required("admin", message="This page is for administrators.")]
InvestmentUser = Annotated[
    Principal,
    role_required("centre_staff", "pilot_lead", message="Investment is recorded by volunteer centre staff and pilot leads."),
]
