"""Small numbers: a figure based on 1 to 4 people is shown as "<5", and so is the next smallest
of a breakdown when only one would be, so that no figure can be worked out from the others."""

from __future__ import annotations

from typing import Any

from brokerage.reports.definitions import Cell

SMALL = 5  # counts from 1 to SMALL-1 are suppressed
SUPPRESSED = "<5"


def is_small(base: int) -> bool:
    return 0 < base < SMALL


def suppress(cells: dict[Any, Cell], total: Cell | None) -> set[Any]:
    """Keys to show as "<5": every cell based on 1-4 people (primary), and, when exactly one cell in a
    breakdown is suppressed and the total is shown, the next smallest cell too (secondary), so the
    total minus the other cells cannot reveal it."""
    hidden = {k for k, c in cells.items() if is_small(c.base)}
    total_hidden = total is not None and is_small(total.base)
    if len(hidden) == 1 and not total_hidden:
        candidates = sorted((c.base, str(k)) for k, c in cells.items() if k not in hidden and c.base > 0)
        if candidates:
            hidden.add(next(k for k in cells if str(k) == candidates[0][1]))
    return hidden
