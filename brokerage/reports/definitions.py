"""What a report can say: the metrics with their definitions and the dimensions each can be broken
down by, and a figure with the count behind it (what suppression looks at)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

AGE_BANDS = ("under 16", "16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "unknown")
DEMOGRAPHIC_DIMENSIONS = ("gender", "ethnicity", "disability", "employment_status")
TIME_DIMENSIONS = ("month", "quarter", "year")

VOLUNTEER_DIMS = ("district", "centre", "organisation", "cause", *TIME_DIMENSIONS, "age_band", *DEMOGRAPHIC_DIMENSIONS)
ROLE_DIMS = ("district", "centre", "organisation", "cause", *TIME_DIMENSIONS)


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    unit: str
    definition: str
    dimensions: tuple[str, ...] = VOLUNTEER_DIMS


METRICS: tuple[Metric, ...] = (
    Metric(
        "registrations",
        "Registrations",
        "people",
        "Volunteers who registered in the period (by registration date), counting one person registered at two centres once. "
        "District: the volunteer's home district.",
        ("district", "centre", *TIME_DIMENSIONS, "age_band", *DEMOGRAPHIC_DIMENSIONS),
    ),
    Metric(
        "active_volunteers",
        "Active volunteers",
        "people",
        "Distinct volunteers with at least one approved hour on a day in the period.",
    ),
    Metric(
        "new_to_volunteering",
        "New to volunteering",
        "people",
        "Active volunteers whose first approved hour recorded anywhere in the service falls in the period.",
    ),
    Metric(
        "young_people_16_24",
        "Young people (16–24)",
        "people",
        "Active volunteers aged 16 to 24 on the last day of the period.",
    ),
    Metric(
        "approved_hours",
        "Approved hours",
        "hours",
        "Hours approved by the organisation or the volunteer centre, on days in the period. Superseded, queried "
        "and unapproved entries are not counted.",
    ),
    Metric(
        "referrals",
        "Referrals",
        "referrals",
        "Expressions of interest and referrals made in the period (by the date they were made).",
    ),
    Metric(
        "conversion_rate",
        "Conversion rate",
        "percent",
        "Of the referrals made in the period, the percentage that led to a placement starting (at any time up to when the "
        "report was generated).",
    ),
    Metric(
        "median_days_to_start",
        "Median days to start",
        "days",
        "Of the referrals made in the period that led to a start, the median number of days from referral to start.",
    ),
    Metric(
        "placements", "Placements started", "placements", "Placements (a volunteer starting in a role) that began in the period."
    ),
    Metric(
        "retention_3m",
        "Retention after 3 months",
        "percent",
        "Of the placements that began in the period and began at least 3 months before the as-of date, the percentage "
        "with approved hours on or after the day 3 months after the start.",
    ),
    Metric("retention_6m", "Retention after 6 months", "percent", "As retention at 3 months, 6 months after the start."),
    Metric("retention_12m", "Retention after 12 months", "percent", "As retention at 3 months, 12 months after the start."),
    Metric(
        "organisations_supported",
        "Organisations supported",
        "organisations",
        "Distinct organisations at which at least one volunteer had approved hours in the period.",
        tuple(d for d in VOLUNTEER_DIMS if d != "organisation"),
    ),
    Metric(
        "roles_listed",
        "Roles listed",
        "roles",
        "Roles first published in the period. District: where the role is (else the organisation's district).",
        ROLE_DIMS,
    ),
    Metric(
        "roles_filled",
        "Roles filled",
        "roles",
        "Distinct roles in which at least one volunteer started a placement in the period. District: where the role is.",
        ROLE_DIMS,
    ),
)
METRIC_BY_ID = {m.id: m for m in METRICS}
NO_FIGURE = "Not enough data"


def metric_label(metric_id: str) -> str:
    """A metric's name in words ("Retention after 12 months"), for pages and exports."""
    metric = METRIC_BY_ID.get(metric_id)
    return metric.label if metric else metric_id.replace("_", " ").capitalize()


def metric_heading(metric_id: str) -> str:
    """The name with its unit where a column holds bare numbers: "Conversion rate (%)"."""
    metric = METRIC_BY_ID.get(metric_id)
    return f"{metric_label(metric_id)} (%)" if metric and metric.unit == "percent" else metric_label(metric_id)


def display_value(metric_id: str, value: object) -> str:
    """A figure as a person reads it: "48.8%", "1,234", "12.5" hours; a suppressed figure as it is
    ("<5"); no figure at all as "Not enough data"."""
    if value is None:
        return NO_FIGURE
    if isinstance(value, str):
        return value
    metric = METRIC_BY_ID.get(metric_id)
    unit = metric.unit if metric else ""
    number = float(value)  # type: ignore[arg-type]
    if unit == "percent":
        return f"{number:,.1f}%"
    if number == int(number) and unit not in ("hours", "days"):
        return f"{int(number):,}"
    return f"{number:,.1f}"


@dataclass
class Cell:
    value: Decimal | int | float | None
    base: int  # how many people (or items) stand behind the figure: what suppression looks at
