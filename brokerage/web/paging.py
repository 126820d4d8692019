"""Pages of a list: the page asked for (any number from 1; a page past the last is shown empty, with
the true total) and the links to the pages before and after, which keep the list's filters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

MAX_PAGE = 100_000


def page_number(value: Any) -> int:
    """The page asked for, from 1 to ``MAX_PAGE`` (a word or nothing is the first page)."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), MAX_PAGE)


def base_url(path: str, filters: Mapping[str, Any]) -> str:
    """``path?filters&`` (the pagination adds ``page=N``); empty filters are left out."""
    query = urlencode([(k, v) for k, v in filters.items() if v not in (None, "", False)], doseq=True)
    return f"{path}?{query}&" if query else f"{path}?"


def counted_up_to(total: int, page: int, page_size: int, cap: int) -> tuple[int, bool]:
    """(what to show as the total, whether there are more) for a list counted only as far as ``cap`` or
    the end of this page, and one more."""
    limit = max(cap, page * page_size)
    return min(total, limit), total > limit


def context(
    path: str, filters: Mapping[str, Any], page: int, total: int, page_size: int, *, more: bool = False
) -> dict[str, Any]:
    """What the ``pagination`` macro and a list's heading need. ``more``: the list goes on past
    ``total`` (it was not counted to the end), so the pages are "page N", with a next page."""
    pages = max(1, math.ceil(total / page_size))
    if more:
        pages = max(pages, page + 1)
    first = (page - 1) * page_size + 1
    return {
        "total": total,
        "more": more,
        "pages_known": not more,
        "page": page,
        "pages": pages,
        "base": base_url(path, filters),
        "first_shown": first if first <= total else 0,
        "last_shown": min(page * page_size, total),
    }
