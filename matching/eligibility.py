"""Eligibility: hard gates, never a score. Every failing gate is a :class:`Reason` with a stable code and a
plain-English sentence written to the volunteer.

Reason codes (in the order :func:`why_not` reports them):

=======================  =====================================================================
``not_published``        the role is not published (draft, paused, closed …)
``outside_publish_window`` today is before ``publish_start`` or after ``publish_end``
``no_places``            ``places_available`` is 0
``already_referred``     the volunteer already has an active referral to this role
``under_min_age``        younger than ``min_age`` (at the session date for one-off roles, else today)
``over_max_age``         older than ``max_age`` (same date rule)
``dbs_required``         the role needs a higher DBS level than held and the volunteer will not get one
                         (if they are willing, the role stays eligible and is flagged ``needs_dbs_check``)
``remote_only``          the volunteer only wants remote roles and this one is in person
``too_far``              an in-person role beyond the volunteer's travel radius (remote roles ignore
                         distance; a hybrid role is reachable either way)
``no_shared_slot``       a regular role none of whose weekly slots the volunteer has free
``no_matching_session``  a one-off role with no date still to come in a slot the volunteer has free
``missing_skill``        a required skill the volunteer has nothing close to (one reason per skill)
=======================  =====================================================================

Unknowns never fail a gate: an unknown date of birth flags ``age_unconfirmed``, an unknown location on
either side flags ``distance_unknown``; a volunteer availability of 0 means "not stated, any time"; a
regular role with ``slot_mask`` 0 is "flexible".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .types import ALL_SLOTS, SLOT_DAYS, SLOT_PARTS, Reason, RoleFeatures, VolunteerFeatures, Weights, slot_of_datetime
from .vocabulary import SkillProfile, Vocabulary, default_vocabulary, skill_profile

EARTH_RADIUS_MILES = 3958.8
DBS_NAMES = {1: "a basic DBS check", 2: "a standard DBS check", 3: "an enhanced DBS check"}


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    p, l = math.radians(lat), math.radians(lon)
    c = math.cos(p)
    return (c * math.cos(l), c * math.sin(l), math.sin(p))


def chord_to_miles(c2: float) -> float:
    """Great-circle miles from the squared chord between two unit vectors (haversine: a = c²/4)."""
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, max(c2, 0.0) / 4)))


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (computed through unit vectors, exactly as the index does)."""
    a = unit_vector(lat1, lon1)
    b = unit_vector(lat2, lon2)
    c2 = (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2
    return chord_to_miles(c2)


def age_on(dob: date, d: date) -> int:
    return d.year - dob.year - ((d.month, d.day) < (dob.month, dob.day))


def _fmt_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def slot_name(bit: int, plural: bool = True) -> str:
    day, part = divmod(bit, 3)
    return f"{SLOT_DAYS[day]} {SLOT_PARTS[part]}{'s' if plural else ''}"


def slot_names(mask: int) -> list[str]:
    return [slot_name(b) for b in range(21) if mask >> b & 1]


@dataclass(frozen=True, slots=True)
class RoleTiming:
    """What a role's times mean on a given day. ``eff_mask``: weekly slots (for a one-off role, the
    slots of its sessions still to come); ``ref_date``: the date ages are checked on (the first session
    still to come for a one-off role, today otherwise); ``next_date``: first session to come."""

    eff_mask: int
    flexible: bool
    has_future: bool
    ref_date: date
    next_date: date | None


def role_timing(role: RoleFeatures, today: date) -> RoleTiming:
    if not role.one_off:
        return RoleTiming(role.slot_mask & ALL_SLOTS, (role.slot_mask & ALL_SLOTS) == 0, True, today, None)
    mask = 0
    first: date | None = None
    for start, _end in role.sessions:
        d = start.date()
        if d >= today:
            mask |= 1 << slot_of_datetime(start)
            if first is None or d < first:
                first = d
    return RoleTiming(mask, False, first is not None, first or today, first)


@dataclass(frozen=True, slots=True)
class CompiledRole:
    required: tuple[int, ...]  # vocabulary indexes
    desired: tuple[int, ...]  # not also required
    cause_bits: int


@lru_cache(maxsize=200_000)
def _compile_cached(
    vocab: Vocabulary, required: tuple[str, ...], desired: tuple[str, ...], causes: tuple[str, ...]
) -> CompiledRole:
    req: list[int] = []
    for s in required:
        i = vocab.resolve_skill(s)
        if i is not None and i not in req:
            req.append(i)
    des: list[int] = []
    for s in desired:
        i = vocab.resolve_skill(s)
        if i is not None and i not in req and i not in des:
            des.append(i)
    return CompiledRole(tuple(req), tuple(des), vocab.cause_bits(causes))


def compile_role(role: RoleFeatures, vocab: Vocabulary | None = None) -> CompiledRole:
    return _compile_cached(
        vocab or default_vocabulary(), tuple(role.required_skills), tuple(role.desired_skills), tuple(role.causes)
    )


@dataclass(frozen=True, slots=True)
class VolunteerProfile:
    """A volunteer with their fuzzy skill matching done once (see :func:`profile_volunteer`)."""

    v: VolunteerFeatures
    skills: SkillProfile
    cause_bits: int
    avail: int  # 0 in the input becomes ALL_SLOTS here


def profile_volunteer(v: VolunteerFeatures, vocab: Vocabulary | None = None, weights: Weights | None = None) -> VolunteerProfile:
    vocab = vocab or default_vocabulary()
    th = (weights or Weights()).skill_match_threshold
    sp = skill_profile(vocab, v.skills, v.skills_text, th)
    avail = v.availability_mask & ALL_SLOTS
    return VolunteerProfile(v, sp, vocab.cause_bits(v.causes), avail or ALL_SLOTS)


def distance_miles(v: VolunteerFeatures, role: RoleFeatures) -> float | None:
    if v.lat is None or v.lon is None or role.lat is None or role.lon is None:
        return None
    return haversine_miles(v.lat, v.lon, role.lat, role.lon)


def _age_reasons(v: VolunteerFeatures, role: RoleFeatures, t: RoleTiming) -> list[Reason]:
    out: list[Reason] = []
    if v.date_of_birth is None:
        return out
    age = age_on(v.date_of_birth, t.ref_date)
    when = " on the day" if role.one_off else ""
    if role.min_age is not None and age < role.min_age:
        out.append(
            Reason("under_min_age", f"You need to be at least {role.min_age} for this role, and you would be {age}{when}.")
        )
    if role.max_age is not None and age > role.max_age:
        out.append(Reason("over_max_age", f"This role is for people aged {role.max_age} or under, and you would be {age}{when}."))
    return out


def why_not(
    volunteer: VolunteerFeatures | VolunteerProfile,
    role: RoleFeatures,
    today: date,
    vocab: Vocabulary | None = None,
    weights: Weights | None = None,
) -> list[Reason]:
    """Every reason ``role`` is not a match for ``volunteer`` on ``today``; empty when it is one."""
    vocab = vocab or default_vocabulary()
    p = volunteer if isinstance(volunteer, VolunteerProfile) else profile_volunteer(volunteer, vocab, weights)
    v = p.v
    out: list[Reason] = []
    t = role_timing(role, today)
    if role.status != "published":
        out.append(Reason("not_published", "This role is not open to new volunteers at the moment."))
    if role.publish_start is not None and role.publish_start > today:
        out.append(Reason("outside_publish_window", f"This role is not open yet: it opens on {_fmt_date(role.publish_start)}."))
    elif role.publish_end is not None and role.publish_end < today:
        out.append(Reason("outside_publish_window", f"This role closed on {_fmt_date(role.publish_end)}."))
    if role.places_available <= 0:
        out.append(Reason("no_places", "All the places on this role have been filled."))
    if role.id in v.active_referral_role_ids:
        out.append(
            Reason("already_referred", "You have already said you are interested in this role, and that is still in progress.")
        )
    out.extend(_age_reasons(v, role, t))
    if role.dbs_level > v.dbs_level and not v.dbs_willing:
        out.append(
            Reason(
                "dbs_required",
                f"This role needs {DBS_NAMES.get(role.dbs_level, 'a DBS check')}, "
                "and you have told us you would rather not have one.",
            )
        )
    if role.mode == "in_person" and v.mode == "remote":
        out.append(
            Reason(
                "remote_only", "This role has to be done in person, and you have told us you only want to volunteer from home."
            )
        )
    elif role.mode == "in_person":
        d = distance_miles(v, role)
        if d is not None and d > v.travel_radius_miles:
            out.append(
                Reason(
                    "too_far",
                    f"This role is {d:.1f} miles away, further than the {v.travel_radius_miles:g} miles you said you can travel.",
                )
            )
    if role.one_off:
        if not t.has_future:
            out.append(Reason("no_matching_session", "All the dates for this one-off role have passed."))
        elif not (t.eff_mask & p.avail):
            out.append(
                Reason(
                    "no_matching_session", "None of the dates still to come for this role fall at a time you said you are free."
                )
            )
    elif not t.flexible and not (t.eff_mask & p.avail):
        names = slot_names(t.eff_mask)
        when = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        out.append(Reason("no_shared_slot", f"This role happens at times you did not say you are free ({when})."))
    cr = compile_role(role, vocab)
    for i in cr.required:
        if i not in p.skills.matched:
            out.append(
                Reason(
                    "missing_skill",
                    f"This role needs {vocab.skill_labels[i].lower()}, and nothing you have told us "
                    "about your skills matches it yet. You can add it to your profile.",
                    vocab.skill_ids[i],
                )
            )
    return out


def is_eligible(
    volunteer: VolunteerFeatures | VolunteerProfile,
    role: RoleFeatures,
    today: date,
    vocab: Vocabulary | None = None,
    weights: Weights | None = None,
) -> bool:
    return not why_not(volunteer, role, today, vocab, weights)
