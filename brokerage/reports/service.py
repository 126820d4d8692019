"""Value-of-volunteering reports: metrics, replacement cost under each chosen rate, the VIVA ratio,
suppression of small numbers, and frozen copies that download byte for byte the same."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from brokerage.dates import long_date
from brokerage import links
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, InvalidInput, NotFound
from brokerage.hours import leaving
from brokerage.volunteers import quiet
from brokerage.vocab.taxonomies import causes
from brokerage.vocab.volunteers import DISABILITY, EMPLOYMENT_STATUS, ETHNICITY, GENDER
from brokerage.models import Centre, District, Organisation
from brokerage.models.reporting import FrozenReport, FrozenReportFile, InvestmentEntry, ValuationRate
from brokerage.reports import definitions, facts, periods, suppression, training
from brokerage.reports.cube import CUBE_DIMS, Cube
from brokerage.reports.schemas import InvestmentCreate, RateCreate, ReportParams

TWO = Decimal("0.01")
BENCHMARK_SERIES = "england_benchmark_replacement_cost"
DIMENSION_LABELS = {
    "district": "District",
    "centre": "Volunteer centre",
    "cause": "Cause",
    "organisation": "Organisation",
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year",
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "employment_status": "Employment status",
}


def money(x: Decimal) -> float:
    return float(Decimal(x).quantize(TWO, rounding=ROUND_HALF_UP))


# -- rates -------------------------------------------------------------------------------------------
def list_rates(session: Session, series: str | None = None) -> list[ValuationRate]:
    stmt = select(ValuationRate).order_by(ValuationRate.series, ValuationRate.valid_from)
    if series:
        stmt = stmt.where(ValuationRate.series == series)
    return list(session.scalars(stmt))


def add_rate(session: Session, principal: Principal, body: RateCreate) -> ValuationRate:
    if not policy.can_manage_rates(principal):
        raise Forbidden("Only pilot leads can add valuation rates.")
    if body.valid_to is not None and body.valid_to < body.valid_from:
        raise InvalidInput("The rate stops being valid before it starts.", field="valid_to")
    if body.kind == "wellbeing" and not body.licence_note:
        raise InvalidInput("Say under what licence this wellbeing value may be used.", field="licence_note")
    existing = list_rates(session, body.series)
    for r in existing:
        if (r.unit, r.kind) != (body.unit, body.kind):
            raise Conflict(f"The series {body.series} is already a {r.kind} rate per {r.unit.replace('_', ' ')}.")
        far = date.max
        if body.valid_from <= (r.valid_to or far) and r.valid_from <= (body.valid_to or far):
            raise Conflict(
                f"The series {body.series} already has a rate valid from {long_date(r.valid_from)}; validity periods cannot overlap."
            )
    rate = ValuationRate(**body.model_dump(), created_by_id=principal.user_id)
    session.add(rate)
    session.flush()
    return rate


def _rate_on(rows: list[ValuationRate], day: date) -> ValuationRate | None:
    for r in rows:
        if r.valid_from <= day and (r.valid_to is None or day <= r.valid_to):
            return r
    return None


def _month_of_change(d: date) -> date:
    """Rates apply to whole months: the one in force on the first day of the month."""
    return d if d.day == 1 else periods.add_months(date(d.year, d.month, 1), 1)


# -- investment ----------------------------------------------------------------------------------------
def add_investment(session: Session, principal: Principal, body: InvestmentCreate) -> InvestmentEntry:
    centre_id = body.centre_id or principal.centre_id
    if centre_id is None:
        raise InvalidInput("Say which volunteer centre this investment is for.", field="centre_id")
    if session.get(Centre, centre_id) is None:
        raise InvalidInput("There is no volunteer centre with that id.", field="centre_id")
    if not policy.can_enter_investment(principal, centre_id):
        raise Forbidden("Centre staff record investment for their own centre; pilot leads for any centre.")
    if body.period_end < body.period_start:
        raise InvalidInput("The period ends before it starts.", field="period_end")
    entry = InvestmentEntry(
        centre_id=centre_id,
        period_start=body.period_start,
        period_end=body.period_end,
        category=body.category,
        amount=body.amount,
        note=body.note,
        entered_by_id=principal.user_id,
    )
    session.add(entry)
    session.flush()
    return entry


def list_investments(session: Session, principal: Principal, centre_id: int | None = None) -> list[InvestmentEntry]:
    if not (principal.is_pilot_lead or principal.is_staff):
        raise Forbidden("Investment is recorded by volunteer centres and pilot leads.")
    stmt = select(InvestmentEntry).order_by(InvestmentEntry.period_start, InvestmentEntry.id)
    if centre_id:
        stmt = stmt.where(InvestmentEntry.centre_id == centre_id)
    return [e for e in session.scalars(stmt) if policy.can_see_investment(principal, e.centre_id)]


def delete_investment(session: Session, principal: Principal, entry_id: int) -> None:
    entry = session.get(InvestmentEntry, entry_id)
    if entry is None or not policy.can_see_investment(principal, entry.centre_id):
        raise NotFound("There is no investment entry with that id.")
    if not policy.can_enter_investment(principal, entry.centre_id):
        raise Forbidden("Only the centre or a pilot lead can remove this entry.")
    session.delete(entry)


def _centres_in_scope(session: Session, districts: frozenset[str] | None) -> list[Centre]:
    centres = list(session.scalars(select(Centre).order_by(Centre.name)))
    if districts is None:
        return centres
    return [c for c in centres if set(c.district_codes) & set(districts)]


def _investment(session: Session, centre_ids: list[int], period: periods.Period) -> tuple[dict[int, dict[str, Decimal]], Decimal]:
    """Investment per centre and category in the period; entries straddling it are pro-rated by days."""
    by_centre: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    total = Decimal(0)
    if not centre_ids:
        return by_centre, total
    rows = session.scalars(
        select(InvestmentEntry).where(
            InvestmentEntry.centre_id.in_(centre_ids),
            InvestmentEntry.period_start <= period.end,
            InvestmentEntry.period_end >= period.start,
        )
    )
    for e in rows:
        days = (e.period_end - e.period_start).days + 1
        overlap = (min(e.period_end, period.end) - max(e.period_start, period.start)).days + 1
        amount = (Decimal(e.amount) * overlap / days).quantize(TWO, rounding=ROUND_HALF_UP)
        by_centre[e.centre_id][e.category] += amount
        total += amount
    return by_centre, total


# -- the report ------------------------------------------------------------------------------------------
def _display(cell: definitions.Cell | None, hidden: bool):
    if cell is None:
        return 0
    if hidden:
        return suppression.SUPPRESSED
    v = cell.value
    if v is None:
        return None
    if isinstance(v, Decimal):
        return money(v)
    return v


def _value_pieces(pieces: list, series_rows: list[ValuationRate]) -> tuple[Decimal, Decimal, list[date]]:
    """(value, hours with no rate in force, the months of those hours) for hours by rollup piece."""
    value, unvalued = Decimal(0), Decimal(0)
    months: set[date] = set()
    for _kind, start, hours in pieces:
        rate = _rate_on(series_rows, start)
        if rate is None:
            if hours:
                unvalued += hours
                months.add(date(start.year, start.month, 1))
        else:
            value += hours * Decimal(rate.amount)
    return value, unvalued, sorted(months)


def _gaps(months: list[date], series_rows: list[ValuationRate], period_end: date) -> str:
    """The stretches without a rate, from each month that has none to the next rate of the series
    (or the end of the period): "April 2026 to June 2026"."""
    words = []
    for m in months:
        later = [r.valid_from for r in series_rows if r.valid_from > m]
        last = (min(later) - timedelta(days=1)) if later else period_end
        words.append(f"{m:%B %Y}" if (last.year, last.month) == (m.year, m.month) else f"{m:%B %Y} to {last:%B %Y}")
    return ", ".join(dict.fromkeys(words))


def missing_rate(series: str, series_rows: list[ValuationRate], months: list[date], period_end: date) -> dict | None:
    """What a report says when hours fall outside every rate of a series: which rate is missing and
    where a pilot lead adds it (a rate's value is never guessed). ``months``: the first months
    without a rate."""
    if not months:
        return None
    name = series_rows[0].name if series_rows else series
    return {
        "months": [m.isoformat() for m in months],
        "message": f"No {name} rate covers {_gaps(months, series_rows, period_end)}: "
        "hours in those months are not valued at this rate. Add the rate to value them.",
        "add_rate_url": links.rates_admin_page(series),
    }


DEMOGRAPHIC_VOCABULARIES = {
    "gender": GENDER,
    "ethnicity": ETHNICITY,
    "disability": DISABILITY,
    "employment_status": EMPLOYMENT_STATUS,
}


def _labels(session: Session, dim: str, keys) -> dict:
    keys = [k for k in keys if k not in (None, "unknown")]
    if dim == "district":
        return dict(session.execute(select(District.gss_code, District.name)).all())
    if dim == "centre":
        return dict(session.execute(select(Centre.id, Centre.name).where(Centre.id.in_(keys))).all()) if keys else {}
    if dim == "organisation":
        return (
            dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(keys))).all())
            if keys
            else {}
        )
    if dim == "cause":
        return {k: t.label for k, t in causes().items()}
    if dim in DEMOGRAPHIC_VOCABULARIES:
        return dict(DEMOGRAPHIC_VOCABULARIES[dim].labels)
    return {}


def _label(dim: str, key, labels: dict) -> str:
    if key in labels:
        return str(labels[key])
    if key in (None, "unknown"):
        return "Not stated" if dim in definitions.DEMOGRAPHIC_DIMENSIONS else "Not known"
    if dim == "age_band":
        return str(key)
    return str(key).replace("_", " ").capitalize()


def _sort_key(dim: str, key, label: str):
    if dim == "age_band":
        return (definitions.AGE_BANDS.index(key) if key in definitions.AGE_BANDS else 99, "")
    return (1 if key in (None, "unknown") else 0, label.lower())


def build_report(
    session: Session,
    principal: Principal,
    params: ReportParams,
    *,
    generated_at: datetime | None = None,
    sections: bool = True,
) -> dict:
    """The report; ``sections=False`` leaves out leaving, re-engagement and training (None), for a
    page that shows none of them (the pilot lead's dashboard)."""
    requested = frozenset(params.districts) if params.districts else None
    districts = policy.report_districts(principal, requested)
    if session.get_bind().dialect.name == "postgresql":
        # Hash aggregates over the rollups fit in memory; this report's transaction only.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    period = periods.parse_period(params.period, params.start, params.end)
    as_of = params.as_of or date.today()
    generated_at = generated_at or utcnow()
    if requested:
        known = set(session.scalars(select(District.gss_code)))
        unknown = sorted(set(requested) - known)
        if unknown:
            raise InvalidInput(f"Unknown district code: {', '.join(unknown)}.", field="districts")

    # rates
    all_rates = list_rates(session)
    by_series: dict[str, list[ValuationRate]] = defaultdict(list)
    for r in all_rates:
        by_series[r.series].append(r)
    chosen = params.rates or sorted(
        s for s, rows in by_series.items() if rows[0].kind == "replacement_cost" and rows[0].unit == "hour"
    )
    missing = [s for s in chosen if s not in by_series]
    if missing:
        raise InvalidInput(f"Unknown rate series: {', '.join(missing)}.", field="rates")
    chosen = list(dict.fromkeys(chosen))
    hourly = [s for s in chosen if by_series[s][0].unit == "hour"]
    per_volunteer = [s for s in chosen if by_series[s][0].unit == "volunteer_year"]
    breaks = set()
    for s in hourly:
        for r in by_series[s]:
            breaks.add(_month_of_change(r.valid_from))
            if r.valid_to:
                breaks.add(_month_of_change(r.valid_to + timedelta(days=1)))
    ctx = facts.Context(
        districts=districts,
        as_of=as_of,
        dialect=session.get_bind().dialect.name,
        rate_breaks=frozenset(b for b in breaks if period.start < b <= period.end),
    )

    cube = Cube(session, ctx, period, list(params.dimensions))
    totals, total_pieces = cube.result(None)
    total_cells = {m: by_key.get(None) for m, by_key in totals.items()}
    active_total = (total_cells.get("active_volunteers") or definitions.Cell(0, 0)).base
    total_hidden = suppression.is_small(active_total)

    # investment and VIVA
    centres = _centres_in_scope(session, districts)
    inv_by_centre, inv_total = _investment(session, [c.id for c in centres], period)
    inv_categories: dict[str, Decimal] = defaultdict(Decimal)
    for cats in inv_by_centre.values():
        for cat, amount in cats.items():
            inv_categories[cat] += amount

    used_rates: dict[int, ValuationRate] = {}
    value_rows = []
    for s in hourly:
        value, unvalued, unvalued_months = _value_pieces(total_pieces.get(None, []), by_series[s])
        for _k, start, _h in total_pieces.get(None, []):
            in_force = _rate_on(by_series[s], start)
            if in_force is not None:
                used_rates[in_force.id] = in_force
        value_rows.append(
            {
                "series": s,
                "name": by_series[s][0].name,
                "kind": by_series[s][0].kind,
                "unit": "hour",
                "value": suppression.SUPPRESSED if total_hidden else money(value),
                "unvalued_hours": money(unvalued),
                "missing_rate": missing_rate(s, by_series[s], unvalued_months, period.end),
                "value_per_volunteer": suppression.SUPPRESSED
                if total_hidden
                else (money(value / active_total) if active_total else None),
                "viva_ratio": suppression.SUPPRESSED
                if total_hidden
                else (float((value / inv_total).quantize(TWO, rounding=ROUND_HALF_UP)) if inv_total else None),
            }
        )
    for s in per_volunteer:
        rate = _rate_on(by_series[s], period.end) or _rate_on(by_series[s], period.start)
        if rate is None:
            value_rows.append(
                {
                    "series": s,
                    "name": by_series[s][0].name,
                    "kind": by_series[s][0].kind,
                    "unit": "volunteer_year",
                    "value": None,
                    "unvalued_hours": None,
                    "missing_rate": missing_rate(s, by_series[s], [period.start], period.end),
                    "value_per_volunteer": None,
                    "viva_ratio": None,
                }
            )
            continue
        used_rates[rate.id] = rate
        value = Decimal(rate.amount) * active_total * period.months / 12
        value_rows.append(
            {
                "series": s,
                "name": rate.name,
                "kind": rate.kind,
                "unit": "volunteer_year",
                "value": suppression.SUPPRESSED if total_hidden else money(value),
                "unvalued_hours": None,
                "missing_rate": None,
                "value_per_volunteer": suppression.SUPPRESSED
                if total_hidden
                else (money(value / active_total) if active_total else None),
                "viva_ratio": suppression.SUPPRESSED
                if total_hidden
                else (float((value / inv_total).quantize(TWO, rounding=ROUND_HALF_UP)) if inv_total else None),
            }
        )
    benchmark_rows = by_series.get(BENCHMARK_SERIES, [])
    benchmark = None
    if benchmark_rows:
        b = benchmark_rows[-1]
        used_rates[b.id] = b
        benchmark = {
            "series": b.series,
            "name": b.name,
            "value_per_volunteer": money(b.amount),
            "price_year": b.price_year,
            "source": b.source,
            "note": "An annual figure per volunteer: compare it with a 12-month report.",
        }

    # breakdowns
    breakdowns = []
    for dim in params.dimensions:
        breakdowns.append(_breakdown(session, ctx, period, dim, total_cells, hourly, by_series, inv_by_centre, cube))

    totals_out = {}
    for metric in definitions.METRICS:
        cell = total_cells.get(metric.id)
        totals_out[metric.id] = _display(cell, cell is not None and suppression.is_small(cell.base))
    if total_hidden:
        totals_out["approved_hours"] = suppression.SUPPRESSED

    district_names = dict(session.execute(select(District.gss_code, District.name)).all())
    rates_out = [
        {
            "series": r.series,
            "name": r.name,
            "kind": r.kind,
            "unit": r.unit,
            "amount": money(r.amount),
            "valid_from": r.valid_from.isoformat(),
            "valid_to": r.valid_to.isoformat() if r.valid_to else None,
            "price_year": r.price_year,
            "source": r.source,
            "licence_note": r.licence_note,
        }
        for r in sorted(used_rates.values(), key=lambda r: (r.series, r.valid_from))
    ]
    price_years = sorted({r.price_year for r in used_rates.values() if r.kind != "benchmark"})
    return {
        "title": "Value of volunteering in Kent",
        "generated_at": generated_at.replace(microsecond=0).isoformat() + "Z",
        "as_of": as_of.isoformat(),
        "period": period.as_dict(),
        "filters": {
            "area": "Whole county" if districts is None else ", ".join(district_names.get(d, d) for d in sorted(districts)),
            "districts": None if districts is None else sorted(districts),
            "dimensions": list(params.dimensions),
            "rates": chosen,
        },
        "method": [
            "Replacement cost (ONS household satellite account method): approved hours multiplied by the hourly rate of "
            "each chosen series in force on the first day of the month in which the hours were given.",
            "Price year: cash terms, with no inflation adjustment; each rate's price year is listed with its source"
            + (f" ({', '.join(price_years)})." if price_years else "."),
            "Values per volunteer (unit volunteer_year) are annual amounts, applied to active volunteers and scaled by the "
            "number of months in the period.",
            "VIVA ratio (Volunteer Investment and Value Audit): value of volunteer time divided by the investment in "
            "volunteers recorded for the same period by the centres covering the area; entries that straddle the period "
            "are pro-rated by days.",
            "Value per volunteer: value divided by active volunteers in the period. The England benchmark is annual "
            "(2021/22 prices).",
            "Hours, active volunteers and retention come from rollups of approved hours kept up to date as hours are "
            "approved; superseded, queried and unapproved hours are never counted.",
            "District: the volunteer's home district for measures about volunteers, hours, referrals and placements; the "
            "role's district for roles listed and filled. A centre is the districts it covers.",
            f"Retention is measured with approved hours up to {long_date(as_of)} (the as-of date).",
        ],
        "suppression": (
            'Any figure resting on 1 to 4 people or items is shown as "<5". Where only one figure in a breakdown would be '
            "hidden, the next smallest is hidden too, so that it cannot be worked out from the total."
        ),
        "rates": rates_out,
        "price_year": ", ".join(price_years) if price_years else None,
        "benchmark": benchmark,
        "investment": {
            "total": money(inv_total),
            "by_category": {
                cat: money(inv_categories.get(cat, Decimal(0)))
                for cat in ("coordinator_time", "expenses", "training", "dbs_checks", "recruitment", "overheads")
            },
            "centres": [c.name for c in centres],
        },
        "totals": totals_out,
        "value": value_rows,
        "breakdowns": breakdowns,
        "leaving": leaving.report(session, districts, period.start, period.end) if sections else None,
        "reengagement": quiet.reengagement_report(session, districts, period.start, period.end) if sections else None,
        "training": training.report(session, districts, period.start, period.end) if sections else None,
    }


def _breakdown(session, ctx, period, dim, total_cells, hourly, by_series, inv_by_centre, cube: Cube | None = None) -> dict:
    if dim in definitions.TIME_DIMENSIONS:
        buckets = periods.time_buckets(period, dim)
        labels = {key: label for key, label, _ in buckets}
        order = [key for key, _, _ in buckets]
        if cube is not None and dim in CUBE_DIMS:
            cells, pieces = cube.result(dim)
        elif all(
            sub.start == periods.bucket_start(sub.start, dim)
            and periods.add_months(sub.start, {"month": 1, "quarter": 3, "year": 12}[dim]) - timedelta(days=1) == sub.end
            for _, _, sub in buckets
        ):
            cells, pieces = facts.compute(session, ctx, period, dim)  # one grouped query per measure
        else:  # buckets cut by the period: one at a time
            cells, pieces = defaultdict(dict), {}
            for key, _bucket_label, sub in buckets:
                c, p = facts.compute(session, ctx, sub, None)
                for metric, by_key in c.items():
                    if None in by_key:
                        cells[metric][key] = by_key[None]
                pieces[key] = p.get(None, [])
    else:
        cells, pieces = cube.result(dim) if cube is not None and dim in CUBE_DIMS else facts.compute(session, ctx, period, dim)
        keys = {k for by_key in cells.values() for k in by_key}
        if dim == "district":
            keys |= set(ctx.districts) if ctx.districts is not None else set(session.scalars(select(District.gss_code)))
        labels = _labels(session, dim, keys)
        order = sorted(keys, key=lambda k: _sort_key(dim, k, _label(dim, k, labels)))
    applicable = [m for m in definitions.METRICS if dim in m.dimensions]
    hidden = {
        m.id: suppression.suppress({k: cells.get(m.id, {}).get(k, definitions.Cell(0, 0)) for k in order}, total_cells.get(m.id))
        for m in applicable
    }
    rows = []
    for key in order:
        row_metrics = {m.id: _display(cells.get(m.id, {}).get(key), key in hidden[m.id]) for m in applicable}
        hours_hidden = key in hidden.get("approved_hours", set()) or key in hidden.get("active_volunteers", set())
        if hours_hidden:
            row_metrics["approved_hours"] = suppression.SUPPRESSED
        values: dict[str, str | float | None] = {}
        for s in hourly:
            v, _, _ = _value_pieces(pieces.get(key, []), by_series[s])
            values[s] = suppression.SUPPRESSED if hours_hidden else money(v)
        if dim == "centre":
            inv = sum(inv_by_centre.get(key, {}).values(), Decimal(0))
            row_metrics["investment"] = money(inv)
            for s in hourly:
                if values[s] == suppression.SUPPRESSED:
                    values[f"viva_ratio:{s}"] = suppression.SUPPRESSED
                else:
                    values[f"viva_ratio:{s}"] = (
                        float((Decimal(str(values[s])) / inv).quantize(TWO, rounding=ROUND_HALF_UP)) if inv else None
                    )
        rows.append(
            {
                "key": key if key is None or isinstance(key, (int, str)) else str(key),
                "label": labels.get(key) if dim in definitions.TIME_DIMENSIONS else _label(dim, key, labels),
                "metrics": row_metrics,
                "value": values,
            }
        )
    return {"dimension": dim, "label": DIMENSION_LABELS[dim], "metrics": [m.id for m in applicable], "rows": rows}


# -- frozen reports ----------------------------------------------------------------------------------------
def report_json_bytes(report: dict) -> bytes:
    return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def freeze(session: Session, principal: Principal, params: ReportParams, title: str) -> FrozenReport:
    from brokerage.reports import exports

    report = build_report(session, principal, params)
    report["title"] = title
    files = {
        "json": report_json_bytes(report),
        "csv": b"".join(chunk.encode("utf-8") for chunk in exports.csv_chunks(report)),
        "xlsx": exports.xlsx_bytes(report),
        "html": exports.html_report(report).encode("utf-8"),
    }
    frozen = FrozenReport(
        title=title,
        params=params.model_dump(mode="json"),
        district_codes=report["filters"]["districts"],
        created_by_id=principal.user_id,
    )
    session.add(frozen)
    session.flush()
    for fmt, content in files.items():
        session.add(
            FrozenReportFile(frozen_report_id=frozen.id, format=fmt, content=content, sha256=hashlib.sha256(content).hexdigest())
        )
    session.flush()
    return frozen


def _require_frozen(session: Session, principal: Principal, frozen_id: int) -> FrozenReport:
    frozen = session.get(FrozenReport, frozen_id)
    if frozen is None:
        raise NotFound("There is no stored report with that id.")
    if not policy.can_see_frozen_report(principal, frozen.district_codes):
        if principal.is_staff or principal.is_pilot_lead:
            raise Forbidden("This stored report covers districts outside your centre.")
        raise Forbidden("Reports are for volunteer centre staff and pilot leads.")
    return frozen


def get_frozen(session: Session, principal: Principal, frozen_id: int) -> tuple[FrozenReport, dict[str, str]]:
    frozen = _require_frozen(session, principal, frozen_id)
    hashes = dict(
        session.execute(
            select(FrozenReportFile.format, FrozenReportFile.sha256).where(FrozenReportFile.frozen_report_id == frozen.id)
        ).all()
    )
    return frozen, hashes


def frozen_file(session: Session, principal: Principal, frozen_id: int, fmt: str) -> tuple[FrozenReport, bytes]:
    frozen = _require_frozen(session, principal, frozen_id)
    f = session.get(FrozenReportFile, (frozen.id, fmt))
    if f is None:
        raise NotFound(f"This stored report has no {fmt} file.")
    return frozen, f.content


def list_frozen(session: Session, principal: Principal) -> list[FrozenReport]:
    if not (principal.is_staff or principal.is_pilot_lead):
        raise Forbidden("Reports are for volunteer centre staff and pilot leads.")
    rows = session.scalars(select(FrozenReport).order_by(FrozenReport.created_at.desc(), FrozenReport.id.desc()))
    return [r for r in rows if policy.can_see_frozen_report(principal, r.district_codes)]
