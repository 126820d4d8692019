"""Spread re-rank: keep one organisation or one popular role from filling everyone's list.

1. Over-subscribed roles (``active_referrals >= oversubscribed_ratio × places``) give way to others of
   similar fit: they are ordered as if their score were ``similar_fit_margin`` lower.
2. In the first ``spread_window`` (10) places, one organisation has at most ``max_per_organisation`` (2)
   roles. Roles held back go after them, so they only fill the top places when nothing else is eligible.
3. Ties break on role id (ascending), so the same input always gives the same order.
"""

from __future__ import annotations

from typing import NamedTuple
from collections.abc import Sequence

from .types import Weights


class Candidate(NamedTuple):
    score: float
    role_id: int
    organisation_id: int
    oversubscribed: bool
    payload: object = None


def order_key(c: Candidate, w: Weights) -> tuple[float, int]:
    return (-(c.score - (w.similar_fit_margin if c.oversubscribed else 0.0)), c.role_id)


def spread(
    candidates: Sequence[Candidate], k: int, w: Weights | None = None, presorted: bool = False
) -> tuple[list[Candidate], bool]:
    """Re-rank ``candidates`` and return the first ``k`` plus whether the window was short of
    organisations (held-back roles had to be used); with ``presorted`` they are already in
    :func:`order_key` order."""
    w = w or Weights()
    order = list(candidates) if presorted else sorted(candidates, key=lambda c: order_key(c, w))
    picked, short = spread_positions([c.organisation_id for c in order], k, w)
    return [order[j] for j in picked], short


def spread_positions(organisations: Sequence[int], k: int, w: Weights) -> tuple[list[int], bool]:
    """:func:`spread` on the organisations of candidates already in :func:`order_key` order: the
    positions of the first ``k`` after the re-rank, and whether the window was short."""
    top: list[int] = []
    rest: list[int] = []
    counts: dict[int, int] = {}
    window, cap = w.spread_window, w.max_per_organisation
    enough = max(window, k)
    for j, o in enumerate(organisations):
        c = counts.get(o, 0)
        if len(top) < window and c < cap:
            top.append(j)
            counts[o] = c + 1
        else:
            rest.append(j)
            if len(top) >= enough:
                break
    short = len(top) < min(window, k) and bool(rest)
    return (top + rest)[:k], short
