"""Report exports: tidy CSV (one row per dimension × metric), XLSX (summary, tables, charts, data
dictionary) and a printable HTML report with charts. Each takes the report as built by the service."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from brokerage.dates import long_date, long_datetime
from brokerage.reports import definitions
from brokerage.spreadsheets import csv_writer, neutralise_workbook

CSV_COLUMNS = ("section", "dimension", "key", "label", "metric", "unit", "value")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"

# Every field a partner records, and every column of the exports, defined once (also docs/data-dictionary.md).
CAPTURED_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "Hours entry",
        "worked_on",
        "The day the volunteering happened. Not in the future, not before the placement began, not after it ended.",
    ),
    (
        "Hours entry",
        "hours",
        "Hours given that day, more than 0, to two decimal places; a volunteer's entries for one day total at most 24.",
    ),
    (
        "Hours entry",
        "activity",
        "What was done, in a few words (optional). The same placement, day, hours and activity twice is a duplicate.",
    ),
    (
        "Hours entry",
        "status",
        "submitted (waiting for approval), approved, queried (sent back with a note) or superseded (replaced by a correction).",
    ),
    (
        "Hours entry",
        "supersedes_id",
        "For a correction, the entry it replaces; the replaced entry is kept with status superseded.",
    ),
    (
        "Hours entry",
        "reviewed_by / reviewed_at",
        "Who approved or queried the entry (an organisation manager or centre staff), and when.",
    ),
    ("Hours entry", "query_note", "Why hours were queried, or why they were corrected."),
    ("Placement", "started_on", "The day the referral was marked started: the placement begins."),
    ("Placement", "ended_on", "The day the referral was marked completed (or withdrawn after starting)."),
    ("Investment", "centre", "The volunteer centre that spent the money."),
    ("Investment", "period_start / period_end", "The period the spending covers (inclusive)."),
    (
        "Investment",
        "category",
        "coordinator_time, expenses, training, dbs_checks, recruitment or overheads (the VIVA categories).",
    ),
    ("Investment", "amount", "Pounds spent in the period in that category."),
    (
        "Valuation rate",
        "series",
        "The rate series, e.g. nlw (National Living Wage), rlw_uk, rlw_london, or one a pilot lead adds.",
    ),
    ("Valuation rate", "kind", "replacement_cost, proxy, wellbeing (licensed values entered by a pilot lead) or benchmark."),
    ("Valuation rate", "unit", "hour (per hour of volunteering) or volunteer_year (per active volunteer per year)."),
    ("Valuation rate", "amount", "Pounds per unit."),
    (
        "Valuation rate",
        "valid_from / valid_to",
        "The days the rate applies to (inclusive). Hours are valued at the rate in force on the first day of their month.",
    ),
    ("Valuation rate", "price_year", "The year whose prices the amount is in."),
    ("Valuation rate", "source / licence_note", "Where the figure comes from, and the terms under which it may be used."),
    ("Volunteer", "registered_on", "The day the volunteer registered."),
    (
        "Volunteer",
        "date_of_birth",
        "Used only to derive the age band (under 16, 16-24, 25-34 … 75+, unknown), at the end of the period.",
    ),
    (
        "Volunteer",
        "gender / ethnicity / disability / employment_status",
        "Optional; 'Not stated' when not given. Only ever reported in aggregate, with suppression.",
    ),
    (
        "Export",
        "section",
        "about (how the report was made), rate, total, value, investment, breakdown, leaving, reengagement or training.",
    ),
    ("Export", "dimension / key / label", "What the row is broken down by, the code of the group, and its name."),
    ("Export", "metric / unit / value", 'The measure, its unit, and the figure ("<5" when suppressed).'),
)


def data_dictionary() -> list[tuple[str, str, str]]:
    rows = list(CAPTURED_FIELDS)
    for m in definitions.METRICS:
        rows.append(("Metric", m.id, f"{m.label} ({m.unit}): {m.definition}"))
    rows += [
        ("Metric", "replacement_cost:<series>", "Approved hours × the hourly rate of that series in force in each month (£)."),
        ("Metric", "value_per_volunteer:<series>", "Replacement cost ÷ active volunteers (£)."),
        ("Metric", "viva_ratio:<series>", "Value of volunteer time ÷ investment in volunteers (£ of value per £1 invested)."),
        ("Metric", "unvalued_hours:<series>", "Approved hours in months for which the series has no rate."),
        (
            "Metric",
            "investment:<category>",
            "Investment recorded for the period (pro-rated by days where an entry straddles it).",
        ),
        (
            "Metric",
            "volunteer_said / organisation_said",
            "Placements that ended in the period, by the reason the volunteer (or the organisation) gave.",
        ),
        ("Metric", "answers", "Volunteers' answers, in the period, to how satisfied they are four weeks into a placement."),
        ("Metric", "reengagement_emailed", "Volunteers sent the one re-engagement email (gone quiet) in the period."),
        (
            "Metric",
            "reengagement_started_again",
            "Of those, volunteers who said they were interested in a role after the email (up to now).",
        ),
        (
            "Metric",
            "training_organisations",
            "Organisations supported through training: distinct organisations with a place booked or attended on a "
            "volunteer centre's training that started in the period (the organisation's district).",
        ),
        ("Metric", "training_places", "Places booked or attended on that training (cancelled places are not counted)."),
    ]
    return rows


def _unit(metric: str) -> str:
    m = definitions.METRIC_BY_ID.get(metric)
    if m:
        return m.unit
    if metric.startswith("viva_ratio"):
        return "ratio"
    if metric.startswith("unvalued_hours"):
        return "hours"
    return "GBP"


def tidy_rows(report: dict) -> Iterator[tuple]:
    about = [
        ("title", report["title"]),
        ("generated_at", report["generated_at"]),
        ("as_of", report["as_of"]),
        ("period_start", report["period"]["start"]),
        ("period_end", report["period"]["end"]),
        ("area", report["filters"]["area"]),
        ("price_year", report["price_year"] or ""),
        ("suppression", report["suppression"]),
    ]
    about += [(f"method_{i}", line) for i, line in enumerate(report["method"], 1)]
    for metric, value in about:
        yield ("about", "", "", "", metric, "text", value)
    for r in report["rates"]:
        yield (
            "rate",
            "series",
            f"{r['series']}@{r['valid_from']}",
            f"{r['name']}, {r['valid_from']} to {r['valid_to'] or 'open'}, price year {r['price_year']}; source: {r['source']}",
            "rate",
            f"GBP per {r['unit'].replace('_', ' ')}",
            r["amount"],
        )
    for metric, value in report["totals"].items():
        yield ("total", "total", "", "All", metric, _unit(metric), value)
    for v in report["value"]:
        for field in ("value", "value_per_volunteer", "viva_ratio", "unvalued_hours"):
            name = "replacement_cost" if field == "value" and v["kind"] == "replacement_cost" else field
            yield ("value", "total", "", "All", f"{name}:{v['series']}", _unit(f"{name}:"), v[field])
    if report.get("benchmark"):
        b = report["benchmark"]
        yield ("value", "benchmark", b["series"], b["name"], "value_per_volunteer", "GBP", b["value_per_volunteer"])
    for cat, amount in report["investment"]["by_category"].items():
        yield ("investment", "total", "", "All", f"investment:{cat}", "GBP", amount)
    yield ("investment", "total", "", "All", "investment:total", "GBP", report["investment"]["total"])
    for b in report["breakdowns"]:
        for row in b["rows"]:
            for metric, value in row["metrics"].items():
                yield ("breakdown", b["dimension"], row["key"], row["label"], metric, _unit(metric), value)
            for metric, value in row["value"].items():
                name = metric if metric.startswith("viva_ratio") else f"replacement_cost:{metric}"
                yield ("breakdown", b["dimension"], row["key"], row["label"], name, _unit(name), value)
    yield from retention_rows(report)


def retention_rows(report: dict) -> Iterator[tuple]:
    """Why placements ended, satisfaction, and re-engagement: section, dimension, key, label, metric, unit, value."""
    out = report.get("leaving")
    if out:
        for r in out["exit_reasons"]:
            yield ("leaving", "exit_reason", r["code"], r["reason"], "volunteer_said", "placements", r["volunteer"])
            yield ("leaving", "exit_reason", r["code"], r["reason"], "organisation_said", "placements", r["organisation"])
        for side, value in out["exit_totals"].items():
            yield ("leaving", "exit_reason", "", "All reasons given", f"{side}_said", "placements", value)
        for r in out["satisfaction"]:
            yield ("leaving", "satisfaction", r["code"], r["answer"], "answers", "people", r["count"])
        yield ("leaving", "satisfaction", "", "All answers", "answers", "people", out["satisfaction_total"])
    again = report.get("reengagement")
    if again:
        yield ("reengagement", "total", "", "All", "reengagement_emailed", "people", again["emailed"])
        yield ("reengagement", "total", "", "All", "reengagement_started_again", "people", again["started_again"])
    training = report.get("training")
    if training:
        yield ("training", "total", "", "All", "training_organisations", "organisations", training["organisations_supported"])
        yield ("training", "total", "", "All", "training_places", "places", training["places"])


def csv_chunks(report: dict, rows_per_chunk: int = 500) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, row in enumerate(tidy_rows(report), 1):
        writer.writerow(["" if v is None else v for v in row])
        if i % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# -- XLSX ---------------------------------------------------------------------------------------------
def xlsx_bytes(report: dict) -> bytes:
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    bold = Font(bold=True)
    wb = Workbook()
    summary = wb.active
    if not isinstance(summary, Worksheet):  # a new workbook opens on its one worksheet
        raise TypeError("a new workbook has no worksheet")
    summary.title = "Summary"
    summary.append([report["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Period", report["period"]["label"]),
        ("From", report["period"]["start"]),
        ("To", report["period"]["end"]),
        ("Area", report["filters"]["area"]),
        ("Breakdowns", ", ".join(report["filters"]["dimensions"]) or "none"),
        ("Rates", ", ".join(report["filters"]["rates"])),
        ("Price year", report["price_year"] or ""),
        ("Generated at", report["generated_at"]),
        ("As of", report["as_of"]),
    ):
        summary.append([label, value])
    summary.append([])
    summary.append(["Method"])
    summary.cell(summary.max_row, 1).font = bold
    for line in report["method"]:
        summary.append(["", line])
    summary.append(["Suppression", report["suppression"]])
    summary.append([])
    summary.append(["Totals"])
    summary.cell(summary.max_row, 1).font = bold
    for metric, value in report["totals"].items():
        summary.append([definitions.metric_heading(metric), value])
    summary.append([])
    summary.append(["Value", "Series", "Value (£)", "Per volunteer (£)", "VIVA ratio", "Hours without a rate"])
    summary.cell(summary.max_row, 1).font = bold
    for v in report["value"]:
        summary.append(["", v["name"], v["value"], v["value_per_volunteer"], v["viva_ratio"], v["unvalued_hours"]])
    if report.get("benchmark"):
        b = report["benchmark"]
        summary.append(["Benchmark", b["name"], None, b["value_per_volunteer"], None, b["price_year"]])
    summary.append([])
    summary.append(["Investment (£)", "Total", report["investment"]["total"]])
    summary.cell(summary.max_row, 1).font = bold
    for cat, amount in report["investment"]["by_category"].items():
        summary.append(["", cat.replace("_", " "), amount])
    summary.append([])
    summary.append(["Rates used", "Series", "Amount (£)", "Unit", "Valid from", "Valid to", "Price year", "Source"])
    summary.cell(summary.max_row, 1).font = bold
    for r in report["rates"]:
        summary.append(["", r["name"], r["amount"], r["unit"], r["valid_from"], r["valid_to"], r["price_year"], r["source"]])
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 60

    tables = wb.create_sheet("Tables")
    charts = wb.create_sheet("Charts")
    chart_row = 1
    for b in report["breakdowns"]:
        value_keys = sorted({k for row in b["rows"] for k in row["value"]})
        header = [b["label"], *[definitions.metric_heading(m) for m in b["metrics"]], *[f"Value: {k}" for k in value_keys]]
        tables.append(header)
        head_row = tables.max_row
        for c in range(1, len(header) + 1):
            tables.cell(head_row, c).font = bold
        for row in b["rows"]:
            tables.append(
                [row["label"], *[row["metrics"].get(m) for m in b["metrics"]], *[row["value"].get(k) for k in value_keys]]
            )
        last = tables.max_row
        tables.append([])
        if "approved_hours" in b["metrics"] and last > head_row:
            col = 2 + b["metrics"].index("approved_hours")
            chart = BarChart()
            chart.title = f"Approved hours by {b['label'].lower()}"
            chart.y_axis.title = "Hours"
            chart.add_data(Reference(tables, min_col=col, min_row=head_row, max_row=last), titles_from_data=True)
            chart.set_categories(Reference(tables, min_col=1, min_row=head_row + 1, max_row=last))
            chart.width, chart.height = 24, 9
            charts.add_chart(chart, f"A{chart_row}")
            chart_row += 20
    tables.column_dimensions["A"].width = 32
    if chart_row == 1:
        charts.append(["No breakdown with approved hours was requested."])

    retention = wb.create_sheet("Leaving and re-engagement")
    retention.append(["Section", "Breakdown", "Group", "Measure", "Unit", "Value"])
    for c in range(1, 7):
        retention.cell(1, c).font = bold
    for section, dimension, _key, label, metric, unit, value in retention_rows(report):
        retention.append([section, dimension, label, metric, unit, value])
    retention.column_dimensions["C"].width = 40

    dictionary = wb.create_sheet("Data dictionary")
    dictionary.append(["Area", "Field", "Definition"])
    for c in range(1, 4):
        dictionary.cell(1, c).font = bold
    for row in data_dictionary():
        dictionary.append(list(row))
    dictionary.column_dimensions["B"].width = 36
    dictionary.column_dimensions["C"].width = 120

    stamp = datetime.fromisoformat(report["generated_at"].rstrip("Z"))
    wb.properties.creator = "Kent Volunteer Brokerage"
    wb.properties.title = report["title"]
    wb.properties.created = stamp
    wb.properties.modified = stamp
    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- HTML ----------------------------------------------------------------------------------------------
def _svg_bar_chart(title: str, labels: list[str], values: list[float], ylabel: str) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": "kent-volunteer-brokerage", "svg.fonttype": "none", "font.size": 9}):
        fig = Figure(figsize=(7.5, 3.2))
        ax = fig.subplots()
        ax.bar(range(len(values)), values, color="#1d70b8")
        ax.set_xticks(
            range(len(values)), labels, rotation=35 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center"
        )
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def html_report(report: dict) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    charts = []
    for b in report["breakdowns"]:
        if "approved_hours" not in b["metrics"]:
            continue
        shown = [
            (row["label"], row["metrics"]["approved_hours"])
            for row in b["rows"]
            if isinstance(row["metrics"].get("approved_hours"), (int, float))
        ]
        if not shown:
            continue
        charts.append(
            {
                "dimension": b["dimension"],
                "title": f"Approved hours by {b['label'].lower()}",
                "svg": Markup(
                    _svg_bar_chart(
                        f"Approved hours by {b['label'].lower()}",
                        [str(l) for l, _ in shown],
                        [float(v) for _, v in shown],
                        "Hours",
                    )
                ),
                "note": 'Groups shown as "<5" in the table are left out of the chart.' if len(shown) < len(b["rows"]) else "",
            }
        )
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(date=long_date, datetime=long_datetime)
    template = env.get_template("report.html")
    return template.render(
        report=report,
        charts=charts,
        metric_labels={m.id: m.label for m in definitions.METRICS},
        metric_value=definitions.display_value,
        dictionary=data_dictionary(),
    )
