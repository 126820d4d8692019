"""Reports API: value-of-volunteering reports (JSON, CSV, XLSX, printable HTML), frozen copies,
valuation rates and investment in volunteers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import StreamingResponse

from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.reports import exports, service
from brokerage.reports.schemas import (
    Dimension,
    FreezeRequest,
    FrozenReportOut,
    InvestmentCreate,
    InvestmentOut,
    RateCreate,
    RateOut,
    ReportFormat,
    ReportParams,
)

router = APIRouter(tags=["reports"])


def _report_reader(principal: CurrentPrincipal) -> Principal:
    """Reports are for centre staff and pilot leads: checked before any of the report's parameters
    are read, so no one else learns anything from how their parameters are judged."""
    policy.report_districts(principal, None)
    return principal


ReportReader = Annotated[Principal, Depends(_report_reader)]

MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _chunks(data: bytes, size: int = 64 * 1024):
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _download(data_or_iter, fmt: str, filename: str) -> StreamingResponse:
    body = _chunks(data_or_iter) if isinstance(data_or_iter, bytes) else data_or_iter
    disposition = "inline" if fmt in ("html", "json") else "attachment"
    return StreamingResponse(
        body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'{disposition}; filename="{filename}.{fmt}"'}
    )


@router.get("/reports", summary="A value-of-volunteering report (json, csv, xlsx or printable html)")
def get_report(
    session: DbSession,
    principal: ReportReader,
    period: str | None = Query(default=None, description="2025, 2025-26 (financial year), 2025-Q2 or 2025-04"),
    start: str | None = Query(default=None, description="First month YYYY-MM (with end)"),
    end: str | None = Query(default=None, description="Last month YYYY-MM"),
    district: Annotated[list[str] | None, Query(description="District GSS codes; default: all you may see")] = None,
    dimension: Annotated[list[Dimension] | None, Query()] = None,
    rate: Annotated[list[str] | None, Query(description="Rate series; default: every hourly replacement-cost series")] = None,
    as_of: date | None = None,
    format: ReportFormat = "json",
):
    params = ReportParams(
        period=period,
        start=start,
        end=end,
        districts=district,
        as_of=as_of,
        rates=rate,
        **({"dimensions": dimension} if dimension is not None else {}),
    )
    report = service.build_report(session, principal, params)
    name = f"value-of-volunteering-{report['period']['start'][:7]}-to-{report['period']['end'][:7]}"
    if format == "json":
        return report
    if format == "csv":
        return _download((c.encode("utf-8") for c in exports.csv_chunks(report)), "csv", name)
    if format == "xlsx":
        return _download(exports.xlsx_bytes(report), "xlsx", name)
    return _download(exports.html_report(report).encode("utf-8"), "html", name)


@router.get("/reports/dictionary", summary="Every captured field and metric, defined")
def get_dictionary():
    return [{"area": a, "field": f, "definition": d} for a, f, d in exports.data_dictionary()]


def _frozen_out(frozen, hashes: dict[str, str]) -> FrozenReportOut:
    return FrozenReportOut(
        id=frozen.id,
        title=frozen.title,
        params=frozen.params,
        district_codes=frozen.district_codes,
        created_at=frozen.created_at,
        downloads={fmt: f"/reports/frozen/{frozen.id}/{fmt}" for fmt in sorted(hashes)},
        sha256=hashes,
    )


@router.post(
    "/reports/frozen",
    response_model=FrozenReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Freeze a report: store it so it downloads the same every time",
)
def freeze_report(body: FreezeRequest, session: DbSession, principal: ReportReader):
    params = ReportParams(**body.model_dump(exclude={"title"}))
    frozen = service.freeze(session, principal, params, body.title)
    _, hashes = service.get_frozen(session, principal, frozen.id)
    return _frozen_out(frozen, hashes)


@router.get("/reports/frozen", response_model=list[FrozenReportOut])
def list_frozen_reports(session: DbSession, principal: CurrentPrincipal):
    out = []
    for frozen in service.list_frozen(session, principal):
        _, hashes = service.get_frozen(session, principal, frozen.id)
        out.append(_frozen_out(frozen, hashes))
    return out


@router.get("/reports/frozen/{frozen_id}", response_model=FrozenReportOut)
def get_frozen_report(frozen_id: int, session: DbSession, principal: CurrentPrincipal):
    frozen, hashes = service.get_frozen(session, principal, frozen_id)
    return _frozen_out(frozen, hashes)


@router.get("/reports/frozen/{frozen_id}/{fmt}", summary="Download a frozen report, byte for byte as stored")
def download_frozen_report(frozen_id: int, fmt: ReportFormat, session: DbSession, principal: CurrentPrincipal):
    frozen, content = service.frozen_file(session, principal, frozen_id, fmt)
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'{"inline" if fmt in ("html", "json") else "attachment"}; filename="report-{frozen.id}.{fmt}"'
        },
    )


# -- rates -----------------------------------------------------------------------------------------
@router.get("/rates", response_model=list[RateOut], tags=["reports"], summary="Valuation rates with their validity and sources")
def list_rates(session: DbSession, principal: CurrentPrincipal, series: str | None = None):
    return service.list_rates(session, series)


@router.post("/rates", response_model=RateOut, status_code=status.HTTP_201_CREATED, summary="Add a rate (pilot leads)")
def add_rate(body: RateCreate, session: DbSession, principal: CurrentPrincipal):
    return service.add_rate(session, principal, body)


# -- investment ---------------------------------------------------------------------------------------
@router.get("/investments", response_model=list[InvestmentOut], summary="Investment in volunteers (VIVA)")
def list_investments(session: DbSession, principal: CurrentPrincipal, centre_id: int | None = None):
    return service.list_investments(session, principal, centre_id)


@router.post(
    "/investments",
    response_model=InvestmentOut,
    status_code=status.HTTP_201_CREATED,
    summary="Record investment: centre staff for their centre, pilot leads for any",
)
def add_investment(body: InvestmentCreate, session: DbSession, principal: CurrentPrincipal):
    return service.add_investment(session, principal, body)


@router.delete("/investments/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_investment(entry_id: int, session: DbSession, principal: CurrentPrincipal):
    service.delete_investment(session, principal, entry_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
