"""Jinja2 rendering for the web pages: one environment, the labels people read, security headers
and flash messages."""

from __future__ import annotations

import csv
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from brokerage import __version__
from brokerage.auth import tokens
from brokerage.kit import taxonomy
from brokerage.web import csrf
from matching.scoring import describe_distance

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

FLASH_COOKIE = "brokerage_flash"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Words people read, for the codes the services use.
ROLE_STATUS_LABELS = {
    "draft": "Draft",
    "pending_review": "Waiting for review",
    "published": "Open",
    "paused": "Paused",
    "filled": "Filled",
    "closed": "Closed",
    "expired": "Expired",
}
REFERRAL_STATUS_LABELS = {
    "interested": "Interested",
    "referred": "Referred by a volunteer centre",
    "contacted": "Contacted by the organisation",
    "started": "Started volunteering",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "unsuccessful": "Not taken forward",
    "no_response": "No response",
}
REFERRAL_ACTION_LABELS = {
    "referred": "Mark as referred",
    "contacted": "Mark as contacted",
    "started": "Mark as started",
    "completed": "Mark as completed",
    "withdrawn": "Withdraw",
    "unsuccessful": "Mark as not taken forward",
    "no_response": "Mark as no response",
}
MODE_LABELS = {
    "in_person": "In person",
    "remote": "Remote (from home or online)",
    "hybrid": "Partly in person, partly remote",
    "either": "In person or remote",
}
PREFERENCE_LABELS = {"one_off": "One-off", "regular": "Regular", "either": "One-off or regular"}
NOTIFICATION_LABELS = {
    "instant": "Email me when a new role matches",
    "weekly_digest": "One email a week with new matches",
    "none": "Do not email me about new roles",
}
DBS_LABELS = {
    "none": "No DBS check",
    "basic": "Basic DBS check",
    "standard": "Standard DBS check",
    "enhanced": "Enhanced DBS check",
}
ORGANISATION_TYPE_LABELS = {
    "registered_charity": "Registered charity",
    "cio": "Charitable incorporated organisation (CIO)",
    "cic": "Community interest company (CIC)",
    "community_group": "Community group",
    "social_enterprise": "Social enterprise",
    "other": "Other",
}
REGISTRAR_LABELS = {
    "ccew": "Charity Commission for England and Wales",
    "oscr": "Office of the Scottish Charity Regulator",
    "ccni": "Charity Commission for Northern Ireland",
    "companies_house": "Companies House",
}
VERIFICATION_LABELS = {"pending": "Waiting for checks", "verified": "Verified", "rejected": "Not verified"}
GENDER_LABELS = {
    "woman": "Woman",
    "man": "Man",
    "non_binary": "Non-binary",
    "other": "Another way",
    "prefer_not_to_say": "Prefer not to say",
}
ETHNICITY_LABELS = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "white": "White",
    "other": "Another ethnic group",
    "prefer_not_to_say": "Prefer not to say",
}
DISABILITY_LABELS = {"yes": "Yes", "no": "No", "prefer_not_to_say": "Prefer not to say"}
EMPLOYMENT_LABELS = {
    "employed": "Employed",
    "self_employed": "Self-employed",
    "unemployed": "Looking for work",
    "student": "In education",
    "retired": "Retired",
    "carer": "Looking after family or home",
    "other": "Something else",
    "prefer_not_to_say": "Prefer not to say",
}
DAY_PARTS = (
    ("Morning", "morning", "6am to midday"),
    ("Afternoon", "afternoon", "midday to 6pm"),
    ("Evening", "evening", "6pm to midnight"),
)


@lru_cache
def district_names() -> dict[str, str]:
    names: dict[str, str] = {"E06000035": "Medway", "OUTSIDE": "Outside Kent"}
    try:
        with resources.files("brokerage.data.geo").joinpath("kent_districts.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                names[row["lad_gss_code"]] = row["lad_name"]
    except FileNotFoundError:  # pragma: no cover - shipped with the package
        pass
    return names


def kent_districts() -> list[tuple[str, str]]:
    return sorted(((k, v) for k, v in district_names().items() if k != "OUTSIDE"), key=lambda kv: kv[1])


def district_name(code: str | None) -> str:
    if not code:
        return "Not known"
    return district_names().get(code, code)


def cause_label(cause_id: str) -> str:
    term = taxonomy.causes().get(cause_id)
    return term.label if term else cause_id


def skill_label(skill_id: str) -> str:
    term = taxonomy.skills().get(skill_id)
    return term.label if term else skill_id


def slot_label(slot: str) -> str:
    for part in taxonomy.PARTS:
        if slot.endswith(part):
            return f"{slot[: -len(part)]} {part.lower()}"
    return slot


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    hour = value.strftime("%I:%M%p").lstrip("0").lower()
    return f"{fmt_date(value)} at {hour}"


def fmt_number(value: Any, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{float(value):,.{places}f}"


def fmt_money(value: Any) -> str:
    if value is None:
        return ""
    return f"£{float(value):,.2f}"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        district=district_name,
        cause=cause_label,
        skill=skill_label,
        slot=slot_label,
        date=fmt_date,
        datetime=fmt_datetime,
        number=fmt_number,
        money=fmt_money,
        miles_away=describe_distance,
        role_status=lambda s: ROLE_STATUS_LABELS.get(s, s),
        referral_status=lambda s: REFERRAL_STATUS_LABELS.get(s, s),
        mode=lambda s: MODE_LABELS.get(s, s),
        dbs=lambda s: DBS_LABELS.get(s, s),
    )
    env.globals.update(
        version=__version__,
        DAYS=taxonomy.DAYS,
        DAY_PARTS=DAY_PARTS,
        ROLE_STATUS_LABELS=ROLE_STATUS_LABELS,
        REFERRAL_STATUS_LABELS=REFERRAL_STATUS_LABELS,
        REFERRAL_ACTION_LABELS=REFERRAL_ACTION_LABELS,
        MODE_LABELS=MODE_LABELS,
        PREFERENCE_LABELS=PREFERENCE_LABELS,
        NOTIFICATION_LABELS=NOTIFICATION_LABELS,
        DBS_LABELS=DBS_LABELS,
        ORGANISATION_TYPE_LABELS=ORGANISATION_TYPE_LABELS,
        REGISTRAR_LABELS=REGISTRAR_LABELS,
        VERIFICATION_LABELS=VERIFICATION_LABELS,
        GENDER_LABELS=GENDER_LABELS,
        ETHNICITY_LABELS=ETHNICITY_LABELS,
        DISABILITY_LABELS=DISABILITY_LABELS,
        EMPLOYMENT_LABELS=EMPLOYMENT_LABELS,
        kent_districts=kent_districts,
    )
    return env


@lru_cache
def environment() -> Environment:
    return _env()


def _secure_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    """Render a page with the shared context: who is signed in, the CSRF token, any flash message."""
    ctx: dict[str, Any] = {
        "request": request,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": csrf.token_for(request),
        "flash": _read_flash(request),
        "errors": [],
        "values": {},
        "path": request.url.path,
    }
    ctx.update(context or {})
    if ctx["errors"] and not isinstance(ctx["errors"], list):
        ctx["errors"] = list(ctx["errors"])
    ctx["error_for"] = {e["field"]: e["message"] for e in reversed(ctx["errors"]) if e.get("field")}
    html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    csrf.ensure_cookie(request, response)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return _secure_headers(response)


def _read_flash(request: Request) -> str | None:
    value = request.cookies.get(FLASH_COOKIE)
    data = tokens.unsign("brokerage.flash", value, 600) if value else None
    if isinstance(data, dict) and data.get("m"):
        return {"message": data["m"], "kind": data.get("k", "success")}
    return None


def redirect(request: Request, url: str, flash: str | None = None, kind: str = "success") -> RedirectResponse:
    """Post/redirect/get, with an optional one-time message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            tokens.sign("brokerage.flash", {"m": flash, "k": kind}),
            httponly=True,
            samesite="lax",
            secure=csrf.secure_cookies(),
            path="/",
            max_age=600,
        )
    csrf.ensure_cookie(request, response)
    return _secure_headers(response)
