"""Duplicates to review (one person registered at two centres is one volunteer), on
``brokerage.interop.dedup`` and ``brokerage.interop.merge``: the pages of ``/centre/duplicates``."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from brokerage.auth.principal import Principal
from brokerage.interop import dedup, merge
from brokerage.web import forms, paging
from brokerage.web.rendering import redirect, render


DUPLICATES_PAGE = 50


def duplicates_page(request: Request, session: Session, principal: Principal, page: str | None = None):
    number = paging.page_number(page)
    pairs, total = dedup.list_candidates(session, principal, page=number, page_size=DUPLICATES_PAGE)
    return render(
        request,
        "pages/centre/duplicates.html",
        {
            "title": "Duplicates to review",
            "pairs": pairs,
            **paging.context("/centre/duplicates", {}, number, total, DUPLICATES_PAGE),
            "merges": merge.list_pending(session, principal),
        },
    )


def decide(request: Request, session: Session, principal: Principal, pair_id: int, form: FormData):
    action = forms.text(form, "action") or ""
    if action == "scan":
        result, errors = forms.attempt(session, lambda: dedup.scan(session, principal))
        if result is None:
            return redirect(request, "/centre/duplicates", forms.first_error(errors), kind="error")
        message = f"Compared {result.compared} records: {result.new} new possible duplicates."
        return redirect(request, "/centre/duplicates", message)
    if action == "dismiss":
        _, errors = forms.attempt(session, lambda: dedup.dismiss(session, principal, pair_id))
        message = "Marked as two different people."
    elif action in ("confirm-merge", "reverse-merge"):
        step = merge.confirm if action == "confirm-merge" else merge.reverse
        _, errors = forms.attempt(session, lambda: step(session, principal, pair_id))
        message = (
            "The merge is confirmed."
            if action == "confirm-merge"
            else "The merge has been reversed: the two records are separate again."
        )
    elif action.startswith("keep-") and action[5:].isdigit():
        _, errors = forms.attempt(session, lambda: merge.merge(session, principal, pair_id, int(action[5:])))
        message = "The records have been merged. The merge can be reversed until it is confirmed."
    else:
        errors, message = [{"field": "", "message": "Choose what to do with this pair."}], ""
    if errors:
        return redirect(request, "/centre/duplicates", errors[0]["message"], kind="error")
    return redirect(request, "/centre/duplicates", message)
