"""Finding roles: the roles that suit a signed-in volunteer, and the search anyone can use (near a
postcode, within some miles, by cause, day, time of day, remote, one-off or regular)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from brokerage.auth.principal import Principal
from brokerage.deps import DbSession, OptionalPrincipal
from brokerage.errors import InvalidInput
from brokerage.geo.lookup import locate
from brokerage.vocab import slots, taxonomies
from brokerage.models import Volunteer
from brokerage.web import paging
from brokerage.web.choices import cause_options
from brokerage.web.deps import VolunteerUser, page_router
from brokerage.web.pages.volunteer.sections import Errors, my_volunteer
from brokerage.web.rendering import render
from brokerage.web.views import matches as match_views

router = page_router()

PAGE_SIZE = 20
MAX_MILES = 200


@router.get("/my/matches")
def my_matches(request: Request, session: DbSession, principal: VolunteerUser) -> Response:
    v = my_volunteer(session, principal)
    matches = match_views.recommend(session, principal, v)
    return render(request, "pages/volunteer/matches.html", {"title": "Roles that suit you", "volunteer": v, "matches": matches})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _filters(request: Request, session: Session, principal: Principal | None) -> dict[str, Any]:
    """The search form as sent; a volunteer who has not given a postcode searches from theirs."""
    q = request.query_params
    filters = {
        "q": (q.get("q") or "").strip()[:200],
        "postcode": (q.get("postcode") or "").strip()[:10],
        "miles": (q.get("miles") or "").strip()[:5],
        "cause": q.get("cause") or "",
        "day": q.get("day") or "",
        "time": q.get("time") or "",
        "remote": q.get("remote") == "yes",
        "kind": q.get("kind") or "",
    }
    if principal is not None and principal.is_volunteer and "postcode" not in q:
        v = session.get(Volunteer, principal.volunteer_id) if principal.volunteer_id else None
        if v is not None and v.postcode:
            filters["postcode"], filters["miles"] = v.postcode, f"{v.travel_radius_miles:g}"
    return filters


def _where(session: Session, filters: dict[str, Any]) -> tuple[str | None, float | None, Errors]:
    """The postcode searched from (as found) and the distance, with what is wrong with either."""
    errors = []
    postcode = None
    if filters["postcode"]:
        try:
            postcode = locate(session, filters["postcode"]).postcode
        except InvalidInput as exc:
            errors.append({"field": "postcode", "message": exc.message})
    miles = None
    if filters["miles"]:
        try:
            miles = float(filters["miles"])
            if not math.isfinite(miles) or miles <= 0 or miles > MAX_MILES:
                raise ValueError
        except ValueError:
            errors.append({"field": "miles", "message": "Enter a distance in miles, like 10"})
            miles = None
    return postcode, miles, errors


def _query_string(filters: dict[str, Any]) -> str:
    """The filters as a query string, for the links to other pages of results."""
    pairs = (
        ("q", filters["q"]),
        ("postcode", filters["postcode"]),
        ("miles", filters["miles"]),
        ("cause", filters["cause"]),
        ("day", filters["day"]),
        ("time", filters["time"]),
        ("remote", "yes" if filters["remote"] else ""),
        ("kind", filters["kind"]),
    )
    return urlencode([(k, v) for k, v in pairs if v])


@router.get("/opportunities")
def search(request: Request, session: DbSession, principal: OptionalPrincipal) -> Response:
    filters = _filters(request, session, principal)
    page = paging.page_number(request.query_params.get("page"))
    postcode, miles, errors = _where(session, filters)
    results, total = match_views.search_roles(
        session,
        principal,
        q=filters["q"] or None,
        cause=filters["cause"] if filters["cause"] in taxonomies.causes() else None,
        postcode=postcode,
        miles=miles if postcode else None,
        day=filters["day"] if filters["day"] in slots.DAYS else None,
        part=filters["time"] if filters["time"] in slots.PARTS else None,
        remote=filters["remote"],
        one_off={"one_off": True, "regular": False}.get(filters["kind"]),
        page=page,
        page_size=PAGE_SIZE,
    )
    query = _query_string(filters)
    return render(
        request,
        "pages/volunteer/search.html",
        {
            "title": "Find volunteering roles",
            "filters": filters,
            "results": results,
            **paging.context("/opportunities", {}, page, total, PAGE_SIZE),
            "base": f"/opportunities?{query}&" if query else "/opportunities?",
            "errors": errors,
            "values": filters,
            "cause_options": cause_options(),
        },
    )
