"""Background jobs for admins (failed jobs, re-drive, counts) and the one-click unsubscribe link."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from brokerage.deps import AdminPrincipal, DbSession
from brokerage.jobs import service
from brokerage.jobs.schemas import JobOut, JobStats
from brokerage.schemas import Page, PageNumber, PageSize

router = APIRouter(tags=["background jobs"])


@router.get("/jobs/failed", response_model=Page[JobOut], summary="Jobs that failed after their last attempt")
def failed_jobs(
    session: DbSession, principal: AdminPrincipal, actor: str | None = None, page: PageNumber = 1, page_size: PageSize = 50
) -> Page[JobOut]:
    rows, total = service.list_failed(session, actor=actor, page=page, page_size=page_size)
    return Page[JobOut](items=[service.to_out(r) for r in rows], total=total, page=page, page_size=page_size)


@router.post("/jobs/{job_id}/redrive", response_model=JobOut, summary="Send a failed job again")
def redrive(job_id: int, session: DbSession, principal: AdminPrincipal) -> JobOut:
    return service.to_out(service.redrive(session, principal, job_id))


@router.get("/jobs/stats", response_model=JobStats, summary="Emails sent and failed per kind; jobs per state")
def stats(session: DbSession, principal: AdminPrincipal) -> JobStats:
    return service.stats(session)


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - Kent Volunteer Brokerage</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;max-width:600px;margin:2em auto;padding:0 1em;line-height:1.5">'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code)


_BAD_LINK = (
    "This link does not work",
    "<p>The unsubscribe link is incomplete or has been changed. "
    "Please use the link from the most recent email, or sign in and change what we send you on your profile.</p>",
)


@router.get("/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(token: str | None = Query(default=None)) -> HTMLResponse:
    """Asks to confirm (link checkers open links, so a GET changes nothing)."""
    if service.read_unsubscribe_token(token) is None:
        return _page(*_BAD_LINK, status_code=400)
    return _page(
        "Stop these emails?",
        f'<form method="post" action="/unsubscribe?token={escape(token or "", quote=True)}">'
        "<p>We will stop sending you emails about volunteering roles. You can turn them back on from your profile.</p>"
        '<button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>',
    )


@router.post("/unsubscribe", response_class=HTMLResponse, summary="One-click unsubscribe (RFC 8058)")
async def unsubscribe(request: Request, session: DbSession, token: str | None = Query(default=None)) -> HTMLResponse:
    """Works without signing in: the signed token says who. Mail clients POST
    ``List-Unsubscribe=One-Click`` here."""
    if token is None:
        form = await request.form()
        field = form.get("token")
        token = field if isinstance(field, str) else None
    data = service.read_unsubscribe_token(token)
    if data is None:
        return _page(*_BAD_LINK, status_code=400)
    service.unsubscribe(session, data)
    return _page(
        "You have been unsubscribed",
        "<p>We will not send you any more of these emails. You can turn them back on from your profile at any time.</p>",
    )
