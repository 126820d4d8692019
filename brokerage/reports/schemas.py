from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from brokerage.schemas import Input, Output

Dimension = Literal[
    "district",
    "centre",
    "cause",
    "organisation",
    "month",
    "quarter",
    "year",
    "age_band",
    "gender",
    "ethnicity",
    "disability",
    "employment_status",
]
InvestmentCategory = Literal["coordinator_time", "expenses", "training", "dbs_checks", "recruitment", "overheads"]
RateKind = Literal["replacement_cost", "proxy", "wellbeing", "benchmark"]
RateUnit = Literal["hour", "volunteer_year"]
ReportFormat = Literal["json", "csv", "xlsx", "html"]
DistrictCode = Annotated[str, Field(min_length=3, max_length=9)]


_DEFAULT_DIMENSIONS: list[Dimension] = ["district", "quarter"]


class ReportParams(Input):
    period: str | None = Field(default=None, description="2025, 2025-26 (financial year), 2025-Q2 or 2025-04")
    start: str | None = Field(default=None, description="First month, YYYY-MM (with end, instead of period)")
    end: str | None = Field(default=None, description="Last month, YYYY-MM")
    districts: Annotated[list[DistrictCode], Field(max_length=20)] | None = None
    dimensions: Annotated[list[Dimension], Field(max_length=12)] = Field(default_factory=lambda: _DEFAULT_DIMENSIONS.copy())
    rates: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=20)] | None = Field(
        default=None, description="Rate series to value hours with; default: every hourly replacement-cost series"
    )
    as_of: date | None = Field(default=None, description="Retention is measured up to this day (default: today)")


class FreezeRequest(ReportParams):
    title: Annotated[str, Field(min_length=3, max_length=200)]


class FrozenReportOut(BaseModel):
    id: int
    title: str
    params: dict
    district_codes: list[str] | None
    created_at: datetime
    downloads: dict[str, str]
    sha256: dict[str, str]


class RateCreate(Input):
    series: Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[a-z0-9_]+$")]
    name: Annotated[str, Field(min_length=3, max_length=200)]
    kind: RateKind
    unit: RateUnit = "hour"
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    valid_from: date
    valid_to: date | None = None
    price_year: Annotated[str, Field(min_length=4, max_length=20)]
    source: Annotated[str, Field(min_length=5, max_length=2000)]
    licence_note: Annotated[str, Field(max_length=2000)] | None = None


class RateOut(Output):
    id: int
    series: str
    name: str
    kind: str
    unit: str
    amount: float
    valid_from: date
    valid_to: date | None
    price_year: str
    source: str
    licence_note: str | None


class InvestmentCreate(Input):
    centre_id: int | None = Field(default=None, description="Defaults to your own centre")
    period_start: date
    period_end: date
    category: InvestmentCategory
    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    note: Annotated[str, Field(max_length=2000)] | None = None


class InvestmentOut(Output):
    id: int
    centre_id: int
    period_start: date
    period_end: date
    category: str
    amount: float
    note: str | None
    created_at: datetime
