"""Jinja2 rendering for the web pages: one environment, the labels people read, security headers
and flash messages."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from brokerage import __version__
from brokerage.auth import tokens
from brokerage.dates import long_date, long_datetime
from brokerage.reports import definitions as report_definitions
from brokerage.vocab.dbs import DBS_LEVEL
from brokerage.vocab.hours import HOURS_STATUS
from brokerage.vocab.modes import MODE_LABELS
from brokerage.vocab.organisations import ORGANISATION_TYPE, REGISTRAR, VERIFICATION_STATUS
from brokerage.vocab.referrals import REFERRAL_ACTION_LABELS, REFERRAL_STATUS
from brokerage.vocab.roles import ROLE_STATUS
from brokerage.vocab.shifts import BOOKING_STATUS
from brokerage.vocab.slots import DAY_PARTS, DAYS, slot_label
from brokerage.vocab.taxonomies import cause_label, skill_label
from brokerage.vocab.volunteers import DISABILITY, EMPLOYMENT_STATUS, ETHNICITY, GENDER, NOTIFICATION_PREFERENCE, PREFERENCE
from brokerage.shifts.service import describe as describe_session
from brokerage.web import csrf

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

# Words people read, for the codes the services use (each vocabulary's own labels).
ROLE_STATUS_LABELS = ROLE_STATUS.labels
REFERRAL_STATUS_LABELS = REFERRAL_STATUS.labels
PREFERENCE_LABELS = PREFERENCE.labels
NOTIFICATION_LABELS = NOTIFICATION_PREFERENCE.labels
DBS_LABELS = DBS_LEVEL.labels
ORGANISATION_TYPE_LABELS = ORGANISATION_TYPE.labels
REGISTRAR_LABELS = REGISTRAR.labels
VERIFICATION_LABELS = VERIFICATION_STATUS.labels
GENDER_LABELS = GENDER.labels
ETHNICITY_LABELS = ETHNICITY.labels
DISABILITY_LABELS = DISABILITY.labels
EMPLOYMENT_LABELS = EMPLOYMENT_STATUS.labels


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


def fmt_number(value: Any, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{float(value):,.{places}f}"


def fmt_places(value: Any) -> str:
    """A role's places: a number, or "Not stated" when the role's source did not say."""
    return "Not stated" if value is None else str(value)


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
        date=long_date,
        datetime=long_datetime,
        number=fmt_number,
        money=fmt_money,
        places=fmt_places,
        metric_label=report_definitions.metric_label,
        metric_value=lambda value, metric: report_definitions.display_value(metric, value),
        role_status=ROLE_STATUS.label,
        referral_status=REFERRAL_STATUS.label,
        hours_status=HOURS_STATUS.label,
        mode=lambda s: MODE_LABELS.get(s, s),
        dbs=DBS_LEVEL.label,
        session_time=describe_session,
        booking_status=BOOKING_STATUS.label,
    )
    env.globals.update(
        version=__version__,
        DAYS=DAYS,
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


R = TypeVar("R", bound=Response)


def _secure_headers(response: R) -> R:
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


def _read_flash(request: Request) -> dict[str, str] | None:
    value = request.cookies.get(FLASH_COOKIE)
    data = tokens.unsign("brokerage.flash", value, 600) if value else None
    if isinstance(data, dict) and data.get("m"):
        return {"message": str(data["m"]), "kind": str(data.get("k", "success"))}
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
