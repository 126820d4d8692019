"""Scoring of eligible pairs (scalar reference path) and the explanation sentence.

Each component is in [0, 1]; the score is their weighted mean (see :class:`~matching.types.Weights`):

- **skills**: (Σ strength of required skills + ``desired_skill_credit`` × Σ strength of desired skills)
  ÷ (n required + credit × n desired); strength is 1 for a skill held, the fuzzy similarity for free
  text close to a skill, or a related skill's strength (``RELATED``). ``no_skills_value`` when the role
  lists no skills.
- **causes**: shared causes ÷ min(role's causes, volunteer's causes); 0 if either has none.
- **distance**: in person: exp(-miles / ``distance_scale_miles``); remote: ``remote_distance_value``;
  hybrid: the larger of the two (for a volunteer who only volunteers in person, the in-person value);
  unknown location: ``remote_distance_value``.
- **availability**: share of the role's (future, for one-off) slots the volunteer has free; 1 for a
  flexible role.
- **commitment**: hours fit (1 if the role's hours per week are within the volunteer's maximum, else
  max ÷ hours; 0.75 if unknown) × preference fit (1, or 0.4 when one-off/regular is not what they prefer).
- **need**: 0.5 × 1/(1 + referrals per place) + 0.25 × starting (one-off) or closing (regular) soon
  + 0.25 × organisation struggling to recruit.
- **freshness**: exp(-days since published / ``freshness_days``); 0 if unknown.

The vectorised :class:`~matching.index.RoleIndex` implements the same formulas; tests check they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal
from datetime import date, datetime

import numpy as np


from .eligibility import (
    CompiledRole,
    RoleTiming,
    VolunteerProfile,
    compile_role,
    describe_distance,
    distance_miles,
    profile_volunteer,
    role_timing,
    slot_name,
    why_not,
)
from .types import (
    COMPONENTS,
    FLAG_MESSAGES,
    SLOT_PARTS,
    MatchResult,
    Reason,
    RoleFeatures,
    VolunteerFeatures,
    Weights,
    session_slot_starts,
)
from .vocabulary import Vocabulary, default_vocabulary

__all__ = ["Audience", "combine", "components", "describe_distance", "explain", "flags_for", "is_oversubscribed", "score"]

HOURS_UNKNOWN = 0.75
PREFERENCE_MISMATCH = 0.4


def _popcount(x: int) -> int:
    return x.bit_count()


def components(
    p: VolunteerProfile,
    role: RoleFeatures,
    today: date,
    w: Weights,
    vocab: Vocabulary,
    cr: CompiledRole | None = None,
    t: RoleTiming | None = None,
    d: float | None = None,
) -> list[float]:
    """The seven component values in :data:`~matching.types.COMPONENTS` order."""
    v = p.v
    cr = cr or compile_role(role, vocab)
    t = t or role_timing(role, today)
    # skills
    if cr.required or cr.desired:
        s = p.skills.strengths
        num = 0.0
        for i in cr.required:
            num += float(s[i])
        num_d = 0.0
        for i in cr.desired:
            num_d += float(s[i])
        skills = (num + w.desired_skill_credit * num_d) / (len(cr.required) + w.desired_skill_credit * len(cr.desired))
    else:
        skills = w.no_skills_value
    # causes
    rc, vc = cr.cause_bits, p.cause_bits
    if rc and vc:
        causes = _popcount(rc & vc) / min(_popcount(rc), _popcount(vc))
    else:
        causes = 0.0
    # distance
    if role.mode == "remote" or (role.mode == "hybrid" and v.mode == "remote"):
        dist = w.remote_distance_value
    else:
        if d is None:
            d = distance_miles(v, role)
        if d is None:
            dist = w.remote_distance_value
        else:
            dist = float(np.exp(-d / w.distance_scale_miles))
            if role.mode == "hybrid" and v.mode != "in_person":
                dist = max(dist, w.remote_distance_value)
    # availability
    if t.flexible:
        avail = 1.0
    elif t.eff_mask:
        avail = _popcount(t.eff_mask & p.avail) / _popcount(t.eff_mask)
    else:
        avail = 0.0
    # commitment
    if role.hours_per_week is not None and role.hours_per_week > 0 and v.max_hours_per_week is not None:
        hours = 1.0 if role.hours_per_week <= v.max_hours_per_week else max(0.0, v.max_hours_per_week) / role.hours_per_week
    else:
        hours = HOURS_UNKNOWN
    if v.preference == "either" or (v.preference == "one_off") == role.one_off:
        pref = 1.0
    else:
        pref = PREFERENCE_MISMATCH
    commitment = hours * pref
    # need
    few = 1.0 / (1.0 + max(role.active_referrals, 0) / max(role.places_available or 1, 1))
    soon_date = t.next_date if role.one_off else role.publish_end
    if soon_date is not None:
        days = max((soon_date - today).days, 0)
        soon = max(0.0, 1.0 - days / w.soon_days)
    else:
        soon = 0.0
    need = 0.5 * few + 0.25 * soon + 0.25 * (1.0 if role.organisation_struggling else 0.0)
    # freshness
    if role.published_at is not None:
        age_days = max((today - role.published_at.date()).days, 0)
        fresh = float(np.exp(-age_days / w.freshness_days))
    else:
        fresh = 0.0
    return [skills, causes, dist, avail, commitment, need, fresh]


def combine(comps: Sequence[float], w: Weights) -> tuple[float, dict[str, float]]:
    ws = w.components()
    total = sum(ws)
    contrib = {name: wi * ci / total for name, wi, ci in zip(COMPONENTS, ws, comps)}
    raw = 0.0
    for name in COMPONENTS:
        raw += contrib[name]
    return float(np.round(raw, 9)), contrib


def flags_for(
    p: VolunteerProfile, role: RoleFeatures, t: RoleTiming, today: date, w: Weights, d: float | None
) -> tuple[str, ...]:
    return volunteer_flags(p, role, d, role_flags(role, t, today, w))


def role_flags(role: RoleFeatures, t: RoleTiming, today: date, w: Weights) -> tuple[bool, tuple[str, ...]]:
    """The flags that depend on the role and the day only: whether it asks for an ID check, and the
    ones that come last (over-subscribed, starting soon). The index keeps them with the role's timing."""
    tail: tuple[str, ...] = ()
    if is_oversubscribed(role, w):
        tail += ("oversubscribed",)
    if role.one_off and t.next_date is not None and (t.next_date - today).days <= w.soon_days:
        tail += ("starting_soon",)
    return any(r.strip().lower() == "id check" for r in role.requirements), tail


def volunteer_flags(
    p: VolunteerProfile, role: RoleFeatures, d: float | None, fixed: tuple[bool, tuple[str, ...]]
) -> tuple[str, ...]:
    """:func:`flags_for` from the role's :func:`role_flags`."""
    v = p.v
    id_check, tail = fixed
    f: tuple[str, ...] = ()
    if role.dbs_level > v.dbs_level:
        f += ("needs_dbs_check",)
    if id_check:
        f += ("needs_id_check",)
    if v.date_of_birth is None and (role.min_age is not None or role.max_age is not None):
        f += ("age_unconfirmed",)
    if (role.mode == "in_person" or (role.mode == "hybrid" and v.mode == "in_person")) and d is None:
        f += ("distance_unknown",)
    return f + tail if f else tail


def _first_free_session_slot(role: RoleFeatures, today: date, avail: int) -> tuple[datetime, int] | None:
    """The first slot, among the sessions still to come, that the volunteer is free in: (when the
    session enters it, its slot bit)."""
    for when, bit in _future_session_slots(role.sessions, today):
        if avail >> bit & 1:
            return when, bit
    return None


@lru_cache(maxsize=65536)
def _future_session_slots(sessions: tuple[tuple[datetime, datetime], ...], today: date) -> tuple[tuple[datetime, int], ...]:
    """Every slot of the sessions still to come, in time order (session by session)."""
    out: list[tuple[datetime, int]] = []
    for start, end in sorted(sessions):
        if start.date() >= today:
            out += session_slot_starts(start, end)
    return tuple(out)


@lru_cache(maxsize=65536)
def _session_day(when: datetime, bit: int) -> str:
    return f"{when.strftime('%a')} {when.day} {when.strftime('%b')} {SLOT_PARTS[bit % 3]}"


@lru_cache(maxsize=4096)
def _shared_slots_phrase(shared: int) -> str:
    names = [slot_name(b) for b in range(21) if shared >> b & 1]
    if len(names) == 1:
        return f"{names[0]} match"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} match"
    more = len(names) - 2
    return f"{names[0]}, {names[1]} and {more} more {'time' if more == 1 else 'times'} match"


def is_oversubscribed(role: RoleFeatures, w: Weights) -> bool:
    return role.active_referrals >= w.oversubscribed_ratio * max(role.places_available or 1, 1)


# Who reads an explanation: the volunteer themself, staff reading about them, or a visitor not signed in.
Audience = Literal["volunteer", "staff", "visitor"]


def explain(
    p: VolunteerProfile,
    role: RoleFeatures,
    t: RoleTiming,
    today: date,
    w: Weights,
    vocab: Vocabulary,
    d: float | None,
    flags: tuple[str, ...],
    cr: CompiledRole | None = None,
    close: Reason | None = None,
    audience: Audience = "volunteer",
) -> str:
    """A short sentence: "2.1 miles away · Saturday mornings match · uses your first aid skill". Each fact
    has one wording, shared with the why-not reasons (distances, slots) and :data:`FLAG_MESSAGES`.

    ``audience`` is who reads it: the ``volunteer`` themself ("uses your gardening skill", "older people,
    a cause you care about"); a role's managers or centre ``staff`` reading about the volunteer ("lives
    2.1 miles away", "has gardening skills", "cares about Older People"); or a ``visitor`` who is not
    signed in, who is told neutral facts of the role only (nothing about skills or causes of theirs)."""
    v = p.v
    cr = cr or compile_role(role, vocab)
    parts: list[str] = []
    far = (lambda x: f"lives {describe_distance(x)}") if audience == "staff" else describe_distance
    if role.mode == "remote":
        parts.append("from home")
    elif role.mode == "hybrid" and v.mode == "in_person":
        parts.append(f"{far(d)} (it can also be done from home)" if d is not None else "in person or from home")
    elif role.mode == "hybrid":
        parts.append(f"{far(d)} or from home" if d is not None and v.mode != "remote" else "can be done from home")
    elif d is not None:
        parts.append(far(d))
    shared = t.eff_mask & p.avail
    if t.flexible:
        parts.append("flexible times")
    elif role.one_off:
        nxt = _first_free_session_slot(role, today, p.avail)
        if nxt is not None:
            day = _session_day(*nxt)
            if audience == "volunteer":
                parts.append(f"{day} suits you")
            else:
                parts.append(f"free on {day}" if audience == "staff" else f"on {day}")
    elif shared:
        parts.append(_shared_slots_phrase(shared))
    if audience != "visitor":
        parts += _personal(p, cr, w, vocab, audience)
    for flag in ("needs_dbs_check", "needs_id_check"):
        if flag in flags:
            parts.append(FLAG_MESSAGES[flag])
    if "oversubscribed" in flags:
        parts.append(FLAG_MESSAGES["oversubscribed"])
    elif role.active_referrals == 0 or role.organisation_struggling:
        parts.append("they need volunteers")
    if close is not None:
        parts.append(close.message.rstrip(".").replace("This role is", "it is", 1))
    return " · ".join(parts)


def _personal(p: VolunteerProfile, cr: CompiledRole, w: Weights, vocab: Vocabulary, audience: Audience) -> list[str]:
    """The skills and the cause the volunteer brings to the role, said to them or about them."""
    out: list[str] = []
    s = p.skills.strengths
    th = w.skill_match_threshold
    used = [i for i in cr.required + cr.desired if s[i] >= th] if cr.required or cr.desired else None
    if used:
        names = " and ".join([vocab.skill_short(i) for i in used[:2]])
        sure = all(s[i] >= w.essential_match_threshold for i in used[:2])
        if audience == "staff":
            out.append(("has " if sure else "may have ") + names + " skills")
        else:
            out.append(("uses your " if sure else "may use your ") + names + (" skills" if len(used[:2]) > 1 else " skill"))
    shared_c = cr.cause_bits & p.cause_bits
    if shared_c:
        i = (shared_c & -shared_c).bit_length() - 1
        label = vocab.cause_labels[i]
        out.append(f"cares about {label}" if audience == "staff" else f"{label.lower()}, a cause you care about")
    return out


def score(
    volunteer: VolunteerFeatures | VolunteerProfile,
    role: RoleFeatures,
    today: date,
    weights: Weights | None = None,
    vocab: Vocabulary | None = None,
    check_eligible: bool = True,
) -> MatchResult | None:
    """Score one pair; ``None`` if the role is not eligible (unless ``check_eligible`` is False)."""
    w = weights or Weights()
    vocab = vocab or default_vocabulary()
    p = volunteer if isinstance(volunteer, VolunteerProfile) else profile_volunteer(volunteer, vocab, w)
    if check_eligible and why_not(p, role, today, vocab, w):
        return None
    return result(p, role, today, w, vocab)


def result(
    p: VolunteerProfile,
    role: RoleFeatures,
    today: date,
    w: Weights,
    vocab: Vocabulary,
    close: Reason | None = None,
    audience: Audience = "volunteer",
) -> MatchResult:
    """The scored, flagged and explained result of one pair (a close match when ``close`` is given)."""
    cr = compile_role(role, vocab)
    t = role_timing(role, today)
    d = distance_miles(p.v, role)
    comps = components(p, role, today, w, vocab, cr, t, d)
    sc, contrib = combine(comps, w)
    fl = flags_for(p, role, t, today, w, d) + (("close_match",) if close is not None else ())
    return MatchResult(
        role.id, p.v.id, sc, contrib, fl, explain(p, role, t, today, w, vocab, d, fl, cr, close, audience), d, close
    )
