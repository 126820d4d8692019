"""Pilot lead pages: a dashboard with charts (hours and value by district and over time, the referral
funnel) and a report builder (period, districts, method) with its exports. Built on
``brokerage.reports``; everything here is aggregate, with small numbers suppressed by the service."""

from __future__ import annotations

import csv
import json
import math
from functools import lru_cache
from importlib import resources
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from brokerage.deps import DbSession
from brokerage.errors import BrokerageError, Forbidden
from brokerage.reports import exports, service
from brokerage.reports.schemas import ReportParams
from brokerage.web import forms
from brokerage.web.deps import SignedIn, page_router
from brokerage.web.rendering import kent_districts, render

router = page_router()

SUPPRESSED = "<5"
DIMENSIONS = [
    ("district", "District"),
    ("centre", "Volunteer centre"),
    ("cause", "Cause"),
    ("organisation", "Organisation"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("disability", "Disability"),
    ("employment_status", "Employment status"),
]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}


def _require_reporter(principal) -> None:
    if not (principal.is_pilot_lead or principal.is_staff):
        raise Forbidden("Reports are for pilot leads and volunteer centre staff.")


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def bar_chart(title: str, rows: list[tuple[str, Any]], unit: str, money: bool = False) -> dict[str, Any]:
    """An SVG bar chart drawn by the template: horizontal bars, labels and values, no JavaScript."""
    top = max([_num(v) for _, v in rows] + [0.0])
    scale = 10 ** math.floor(math.log10(top)) if top > 0 else 1
    nice_max = math.ceil(top / scale) * scale if top > 0 else 1
    bars = []
    for i, (label, value) in enumerate(rows):
        shown = (
            SUPPRESSED
            if value == SUPPRESSED
            else ("" if value is None else (f"£{_num(value):,.0f}" if money else f"{_num(value):,.0f}"))
        )
        bars.append(
            {"label": label, "value": value, "shown": shown, "y": 10 + i * 28, "width": round(400 * _num(value) / nice_max, 1)}
        )
    return {"title": title, "unit": unit, "bars": bars, "height": 20 + 28 * len(rows), "max": nice_max}


@lru_cache
def district_centroids() -> dict[str, tuple[float, float]]:
    """The shipped centre of each district (the mean of its postcode districts): latitude, longitude."""
    with resources.files("brokerage.data.geo").joinpath("kent_districts.csv").open(encoding="utf-8") as fh:
        return {
            row["lad_gss_code"]: (float(row["outcode_mean_lat"]), float(row["outcode_mean_lon"])) for row in csv.DictReader(fh)
        }


MAP_WIDTH, MAP_HEIGHT, MAP_PAD, MAX_RADIUS = 640, 400, 50, 42


def bubble_map(title: str, rows: list[tuple[str, str, Any]], unit: str) -> dict[str, Any]:
    """Districts as circles at their centres, each with an area in proportion to its figure: an SVG
    drawn on the server from the shipped centroids (no map tiles, nothing fetched). ``rows``: district
    code, name, figure (a number, "<5" or None)."""
    centres = district_centroids()
    placed = [(code, name, value) for code, name, value in rows if code in centres]
    lats = [lat for lat, _ in centres.values()]
    lons = [lon for _, lon in centres.values()]
    mid = math.cos(math.radians(sum(lats) / len(lats)))  # a degree of longitude is shorter than one of latitude
    span_x, span_y = (max(lons) - min(lons)) * mid, max(lats) - min(lats)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_HEIGHT - 2 * MAP_PAD) / span_y)
    top = max([_num(v) for _, _, v in placed] + [0.0]) or 1.0
    bubbles: list[dict[str, Any]] = []
    for code, name, value in placed:
        lat, lon = centres[code]
        x = MAP_PAD + (lon - min(lons)) * mid * scale
        y = MAP_HEIGHT - MAP_PAD - (lat - min(lats)) * scale
        radius = 3.0 if value == SUPPRESSED or not _num(value) else max(4.0, MAX_RADIUS * math.sqrt(_num(value) / top))
        shown = SUPPRESSED if value == SUPPRESSED else ("" if value is None else f"{_num(value):,.0f}")
        bubbles.append({"code": code, "label": name, "shown": shown, "x": round(x, 1), "y": round(y, 1), "r": round(radius, 1)})
    bubbles.sort(key=lambda b: -b["r"])  # small circles drawn over large ones
    return {"title": title, "unit": unit, "bubbles": bubbles, "width": MAP_WIDTH, "height": MAP_HEIGHT}


def report_charts(report: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The report page's charts (hours and active volunteers by month, value by district, the
    referral funnel) and its district map, from the figures of the report (suppressed as they are)."""
    by = {b["dimension"]: b for b in report["breakdowns"]}
    charts = []
    months = by.get("month", {"rows": []})["rows"]
    charts.append(
        bar_chart("Approved hours by month", [(r["label"], r["metrics"].get("approved_hours")) for r in months], "hours")
    )
    charts.append(
        bar_chart("Active volunteers by month", [(r["label"], r["metrics"].get("active_volunteers")) for r in months], "people")
    )
    districts = by.get("district", {"rows": []})["rows"]
    series = report["filters"]["rates"][0] if report["filters"]["rates"] else None
    if series:
        name = {v["series"]: v["name"] for v in report["value"]}.get(series, series.replace("_", " "))
        charts.append(
            bar_chart(
                f"Value by district ({name})", [(r["label"], r["value"].get(series)) for r in districts], "pounds", money=True
            )
        )
    t = report["totals"]
    charts.append(
        bar_chart(
            "Referral funnel",
            [
                ("Registrations", t.get("registrations")),
                ("Referrals", t.get("referrals")),
                ("Placements started", t.get("placements")),
                ("Active volunteers", t.get("active_volunteers")),
            ],
            "people",
        )
    )
    names = {code: name for code, name in kent_districts()}
    by_code = {r.get("key"): r for r in districts}
    hours_map = (
        bubble_map(
            "Approved hours by district",
            [(code, names[code], by_code[code]["metrics"].get("approved_hours") if code in by_code else 0) for code in names],
            "hours",
        )
        if districts
        else None
    )
    return charts, hours_map


def _last_twelve_months(today: date) -> tuple[str, str]:
    end = date(today.year, today.month, 1)
    start_month = (end.year * 12 + end.month - 1) - 11
    start = date(start_month // 12, start_month % 12 + 1, 1)
    return f"{start:%Y-%m}", f"{end:%Y-%m}"


@router.get("/pilot")
def dashboard(request: Request, session: DbSession, principal: SignedIn):
    _require_reporter(principal)
    start, end = _last_twelve_months(date.today())
    # The dashboard shows the totals, values and two breakdowns: not the leaving, re-engagement and
    # training sections of the full report (the report builder's), so they are not worked out here.
    report = service.build_report(
        session, principal, ReportParams(start=start, end=end, dimensions=["district", "quarter"]), sections=False
    )
    by_district = next(b for b in report["breakdowns"] if b["dimension"] == "district")
    by_quarter = next(b for b in report["breakdowns"] if b["dimension"] == "quarter")
    series = report["filters"]["rates"][0] if report["filters"]["rates"] else None
    charts = [
        bar_chart(
            "Approved hours by district", [(r["label"], r["metrics"].get("approved_hours")) for r in by_district["rows"]], "hours"
        ),
        bar_chart(
            "Approved hours by quarter", [(r["label"], r["metrics"].get("approved_hours")) for r in by_quarter["rows"]], "hours"
        ),
    ]
    names = {v["series"]: v["name"] for v in report["value"]}
    if series:
        name = names.get(series, series.replace("_", " "))
        charts.append(
            bar_chart(
                f"Value by district ({name})",
                [(r["label"], r["value"].get(series)) for r in by_district["rows"]],
                "pounds",
                money=True,
            )
        )
        charts.append(
            bar_chart(
                f"Value by quarter ({name})",
                [(r["label"], r["value"].get(series)) for r in by_quarter["rows"]],
                "pounds",
                money=True,
            )
        )
    t = report["totals"]
    funnel = bar_chart(
        "Referral funnel",
        [
            ("Registrations", t.get("registrations")),
            ("Referrals", t.get("referrals")),
            ("Placements started", t.get("placements")),
            ("Active volunteers", t.get("active_volunteers")),
        ],
        "people",
    )
    return render(
        request, "pages/pilot/dashboard.html", {"title": "Dashboard", "report": report, "charts": charts, "funnel": funnel}
    )


def _params_from_query(request: Request):
    q = request.query_params
    period_kind = q.get("period_kind") or "last12"
    errors: list[dict[str, str]] = []
    start = end = period = None
    today = date.today()
    if period_kind == "last12":
        start, end = _last_twelve_months(today)
    elif period_kind == "financial_year":
        fy = today.year if today.month >= 4 else today.year - 1
        period = f"{fy}-{str(fy + 1)[-2:]}"
    elif period_kind == "custom":
        start, end = (q.get("start") or "").strip(), (q.get("end") or "").strip()
        if not start:
            errors.append({"field": "start", "message": "Enter the first month, like 2025-04"})
        if not end:
            errors.append({"field": "end", "message": "Enter the last month, like 2026-03"})
    districts = [d for d in q.getlist("districts") if d in dict(kent_districts())] or None
    dimensions = [d for d in q.getlist("dimensions") if d in dict(DIMENSIONS)] or ["district", "quarter"]
    rates = [r for r in q.getlist("rates") if r] or None
    values = {
        "period_kind": period_kind,
        "start": q.get("start") or "",
        "end": q.get("end") or "",
        "districts": districts or [],
        "dimensions": dimensions,
        "rates": rates or [],
    }
    return dict(period=period, start=start, end=end, districts=districts, dimensions=dimensions, rates=rates), values, errors


def _build(session, principal, params: dict):
    return service.build_report(session, principal, ReportParams(**params))


@router.get("/pilot/reports")
def report_builder(request: Request, session: DbSession, principal: SignedIn):
    _require_reporter(principal)
    params, values, errors = _params_from_query(request)
    rates = [(r.series, r.name) for r in service.list_rates(session) if r.unit == "hour"]
    rates = list(dict(rates).items())
    report = None
    if "show" in request.query_params and not errors:
        # The charts need months and districts whatever the tables are broken down by.
        charted = {**params, "dimensions": list(dict.fromkeys([*params["dimensions"], "month", "district"]))}
        report, errors = forms.attempt(
            session,
            lambda: _build(session, principal, charted),
            fields={"start": "First month", "end": "Last month", "districts": "Districts", "rates": "Rates"},
            aliases={"period": "start"},
        )
    leaving_figures = None
    charts: list[dict[str, Any]] = []
    hours_map = None
    if report is not None:
        charts, hours_map = report_charts(report)
        leaving_figures = report["leaving"]
    query = str(request.query_params).replace("&show=1", "").replace("show=1&", "").replace("show=1", "")
    return render(
        request,
        "pages/pilot/reports.html",
        {
            "title": "Reports",
            "values": values,
            "errors": errors,
            "report": report,
            "leaving": leaving_figures,
            "charts": charts,
            "hours_map": hours_map,
            "shown_dimensions": params["dimensions"],
            "dimensions": DIMENSIONS,
            "districts": kent_districts(),
            "rates": rates,
            "query": query,
        },
        status_code=422 if errors else 200,
    )


@router.get("/pilot/reports/export")
def report_export(request: Request, session: DbSession, principal: SignedIn, format: str = "xlsx"):
    _require_reporter(principal)
    if format not in MEDIA:
        format = "xlsx"
    params, _values, errors = _params_from_query(request)
    if errors:
        raise BrokerageError(errors[0]["message"], status_code=422)
    report = _build(session, principal, params)
    name = f"value-of-volunteering-{report['period']['start'][:7]}-to-{report['period']['end'][:7]}"
    if format == "xlsx":
        body = exports.xlsx_bytes(report)
    elif format == "csv":
        body = "".join(exports.csv_chunks(report)).encode("utf-8")
    elif format == "html":
        body = exports.html_report(report).encode("utf-8")
    else:
        body = json.dumps(report, indent=2).encode("utf-8")
    disposition = "inline" if format == "html" else "attachment"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'{disposition}; filename="{name}.{format}"', "Cache-Control": "no-store"},
    )
