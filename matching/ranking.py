"""Scalar (reference) ranking in both directions. For many roles use :class:`matching.index.RoleIndex`,
which gives the same results vectorised."""

from __future__ import annotations

from datetime import date
from collections.abc import Iterable
from typing import cast

from .eligibility import VolunteerProfile, compile_role, distance_miles, profile_volunteer, role_timing, why_not
from .scoring import combine, components, explain, flags_for, is_oversubscribed
from .spread import Candidate, spread
from .types import MatchResult, RoleFeatures, VolunteerFeatures, Weights
from .vocabulary import Vocabulary, default_vocabulary


def _result(p: VolunteerProfile, role: RoleFeatures, today: date, w: Weights, vocab: Vocabulary) -> MatchResult:
    cr = compile_role(role, vocab)
    t = role_timing(role, today)
    d = distance_miles(p.v, role)
    comps = components(p, role, today, w, vocab, cr, t, d)
    sc, contrib = combine(comps, w)
    fl = flags_for(p, role, t, today, w, d)
    return MatchResult(role.id, p.v.id, sc, contrib, fl, explain(p, role, t, today, w, vocab, d, fl, cr), d)


def rank_roles(
    volunteer: VolunteerFeatures,
    roles: Iterable[RoleFeatures],
    today: date,
    k: int = 10,
    weights: Weights | None = None,
    vocab: Vocabulary | None = None,
) -> list[MatchResult]:
    """Volunteer → roles, one pair at a time: eligible roles only, scored, spread, best first."""
    w = weights or Weights()
    vocab = vocab or default_vocabulary()
    p = profile_volunteer(volunteer, vocab, w)
    cands = []
    for role in roles:
        if why_not(p, role, today, vocab, w):
            continue
        r = _result(p, role, today, w, vocab)
        cands.append(Candidate(r.score, role.id, role.organisation_id, is_oversubscribed(role, w), r))
    picked, _ = spread(cands, k, w)
    return [cast(MatchResult, c.payload) for c in picked]


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
        p = profile_volunteer(v, vocab, w)
        if why_not(p, role, today, vocab, w):
            continue
        out.append(_result(p, role, today, w, vocab))
    out.sort(key=lambda r: (-r.score, r.volunteer_id))
    return out[:k]
