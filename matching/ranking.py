"""Scalar (reference) ranking in both directions. For many roles use :class:`matching.index.RoleIndex`,
which gives the same results vectorised."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .eligibility import VolunteerProfile, close_miss, profile_volunteer, why_not
from .scoring import is_oversubscribed, result
from .spread import Candidate, spread
from .types import MatchResult, RoleFeatures, VolunteerFeatures, Weights
from .vocabulary import Vocabulary, default_vocabulary


def _picked(cands: list[Candidate], k: int, w: Weights) -> list[MatchResult]:
    picked, _ = spread(cands, k, w)
    out: list[MatchResult] = []
    for c in picked:
        assert isinstance(c.payload, MatchResult)
        out.append(c.payload)
    return out


def close_order(results: list[MatchResult]) -> list[MatchResult]:
    """Close matches best first (score, then role id)."""
    return sorted(results, key=lambda r: (-r.score, r.role_id))


def rank_roles(
    volunteer: VolunteerFeatures,
    roles: Iterable[RoleFeatures],
    today: date,
    k: int = 10,
    weights: Weights | None = None,
    vocab: Vocabulary | None = None,
    close: bool = True,
) -> list[MatchResult]:
    """Volunteer → roles, one pair at a time: eligible roles only, scored, spread, best first. When fewer
    than ``Weights.close_match_below`` pass every gate (and ``close``), close matches follow: roles that
    miss exactly one soft condition, each with ``MatchResult.close`` saying which."""
    w = weights or Weights()
    vocab = vocab or default_vocabulary()
    p = profile_volunteer(volunteer, vocab, w)
    cands: list[Candidate] = []
    near: list[MatchResult] = []
    roles = list(roles)
    for role in roles:
        if why_not(p, role, today, vocab, w):
            continue
        r = result(p, role, today, w, vocab)
        cands.append(Candidate(r.score, role.id, role.organisation_id, is_oversubscribed(role, w), r))
    out = _picked(cands, k, w)
    if close and len(cands) < w.close_match_below:
        for role in roles:
            miss = close_miss(p, role, today, vocab, w)
            if miss is not None:
                near.append(result(p, role, today, w, vocab, miss))
        room = max(0, min(k, w.close_match_fill) - len(out))
        out += close_order(near)[:room]
    return out


def rank_volunteers(
    role: RoleFeatures,
    volunteers: Iterable[VolunteerFeatures],
    today: date,
    k: int = 10,
    weights: Weights | None = None,
    vocab: Vocabulary | None = None,
) -> list[MatchResult]:
    """Role → volunteers: eligible volunteers who agreed to be contacted and have not already been
    contacted about this role, best first (score desc, then volunteer id)."""
    w = weights or Weights()
    vocab = vocab or default_vocabulary()
    out = []
    for v in volunteers:
        if not v.contact_consent or role.id in v.contacted_role_ids:
            continue
        p: VolunteerProfile = profile_volunteer(v, vocab, w)
        if why_not(p, role, today, vocab, w):
            continue
        out.append(result(p, role, today, w, vocab, audience="staff"))
    out.sort(key=lambda r: (-r.score, r.volunteer_id))
    return out[:k]
