"""Eligibility: hard gates, never a score. Every failing gate is a :class:`Reason` with a stable code and a
plain-English sentence written to the volunteer.

Reason codes (in the order :func:`why_not` reports them). **Hard** ones are facts no enthusiasm
changes; **soft** ones (marked *) are preferences: a role missing only one of them can be shown as a
close match, with what is off and what the volunteer could change (``Reason.change``).

=======================  =====================================================================
``not_published``        the role is not published (draft, paused, closed …)
``outside_publish_window`` today is before ``publish_start`` or after ``publish_end``
``no_places``            ``places_available`` is 0 (not when it is unknown)
``already_referred``     the volunteer already has an active referral to this role
``under_min_age``        younger than ``min_age`` (at the session date for one-off roles, else today)
``over_max_age``         older than ``max_age`` (same date rule)
``age_not_known``        no date of birth, no confirmation of being 18 or over, and the role is not
                         suitable for under-18s (or its ``min_age`` is 18 or more)
``not_for_under_18s``    under 18 (same date rule) and the role is not suitable for under-18s (when its
                         ``min_age`` is below 18; at 18 or over, ``under_min_age`` says it)
``dbs_required``         the role needs a higher DBS level than held and the volunteer will not get one
                         (if they are willing, the role stays eligible and is flagged ``needs_dbs_check``)
``remote_only``          the volunteer only wants to volunteer from home and this role is in person
``in_person_only``       the volunteer only wants to volunteer in person and this role is done from home
                         (a hybrid role suits both)
``dates_passed``         a one-off role whose dates have all passed
``too_far`` *            an in-person role beyond the volunteer's travel radius (remote roles ignore
                         distance; a hybrid role too, unless the volunteer only volunteers in person)
``no_shared_slot`` *     a regular role none of whose weekly slots the volunteer has free
``no_matching_session`` * a one-off role with no date still to come in a slot the volunteer has free (a
                         session is in every slot it spends an hour in: 15:00-21:00 is an afternoon
                         and an evening)
``missing_skill``        an *essential* skill the volunteer does not hold with certainty (one reason per
                         skill); other skills the role needs or would like only score
=======================  =====================================================================

Other unknowns never fail a gate: an unknown date of birth (from someone who confirmed they are 18 or
over, or for a role open to under-18s) flags ``age_unconfirmed``, an unknown location on
either side flags ``distance_unknown``; a volunteer availability of 0 means "not stated, any time"; a
regular role with ``slot_mask`` 0 is "flexible".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .types import ALL_SLOTS, SLOT_DAYS, SLOT_PARTS, Reason, RoleFeatures, VolunteerFeatures, Weights, session_slots
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


_PART_WORDS = {1: "mornings", 2: "afternoons", 4: "evenings", 3: "mornings and afternoons", 6: "afternoons and evenings"}
_PART_WORDS[5] = "mornings and evenings"
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset((5, 6))


def describe_slots(mask: int) -> str:
    """Weekly slots in the words people use: "mornings", "weekday evenings", "Saturdays",
    "Tuesday evenings and Thursday afternoons"."""
    mask &= ALL_SLOTS
    if mask == ALL_SLOTS:
        return "any time"
    if mask == 0:
        return "no times"
    by_day = {d: (mask >> (d * 3)) & 7 for d in range(7) if (mask >> (d * 3)) & 7}
    parts = set(by_day.values())
    days = frozenset(by_day)
    if len(parts) == 1:
        part = next(iter(parts))
        if days == frozenset(range(7)):
            return _PART_WORDS[part]
        if days in (_WEEKDAYS, _WEEKEND):
            which = "weekday" if days == _WEEKDAYS else "weekend"
            return f"{which}s" if part == 7 else f"{which} {_PART_WORDS[part]}"
        if part == 7:
            return _join([f"{SLOT_DAYS[d]}s" for d in sorted(days)])
    names: list[str] = []
    for d in sorted(by_day):
        part = by_day[d]
        names.append(f"{SLOT_DAYS[d]}s" if part == 7 else f"{SLOT_DAYS[d]} {_PART_WORDS[part]}")
    if len(names) > 3:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return _join(names)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_distance(d: float, approximate: bool = False) -> str:
    """The one wording of a distance between a volunteer and a role: "2.1 miles away", very close
    places as people say them; ``approximate`` when a place is known only by its postcode district's
    centre (an outward-code centroid): "about 2 miles away", "about a mile away"."""
    if approximate:
        return "about a mile away" if d < 1.5 else f"about {round(d)} miles away"
    if d < 0.5:
        return "less than half a mile away"
    if d < 1.05:
        return "about a mile away"
    return f"{d:.1f} miles away"


def describe_miles(m: float) -> str:
    """A distance beyond a limit: "6 miles", "a mile", "less than a mile"."""
    if m < 0.95:
        return "less than a mile"
    n = round(m)
    return "a mile" if n == 1 else f"{n} miles"


@dataclass(frozen=True, slots=True)
class RoleTiming:
    """What a role's times mean on a given day. ``eff_mask``: weekly slots (for a one-off role, the
    slots its sessions still to come run in, see :func:`~matching.types.session_slots`); ``ref_date``: the date ages are checked on (the first session
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
    for start, end in role.sessions:
        d = start.date()
        if d >= today:
            mask |= session_slots(start, end)
            if first is None or d < first:
                first = d
    return RoleTiming(mask, False, first is not None, first or today, first)


@dataclass(frozen=True, slots=True)
class CompiledRole:
    required: tuple[int, ...]  # vocabulary indexes of the skills the role needs (essential ones first)
    desired: tuple[int, ...]  # would like, not also needed
    cause_bits: int
    essential: tuple[int, ...] = ()  # the ones that gate


def _resolve_all(vocab: Vocabulary, names: tuple[str, ...], skip: list[int]) -> list[int]:
    out: list[int] = []
    for s in names:
        i = vocab.resolve_skill(s)
        if i is not None and i not in skip and i not in out:
            out.append(i)
    return out


@lru_cache(maxsize=200_000)
def _compile_cached(
    vocab: Vocabulary, essential: tuple[str, ...], required: tuple[str, ...], desired: tuple[str, ...], causes: tuple[str, ...]
) -> CompiledRole:
    ess = _resolve_all(vocab, essential, [])
    req = ess + _resolve_all(vocab, required, ess)
    des = _resolve_all(vocab, desired, req)
    return CompiledRole(tuple(req), tuple(des), vocab.cause_bits(causes), tuple(ess))


def compile_role(role: RoleFeatures, vocab: Vocabulary | None = None) -> CompiledRole:
    return _compile_cached(
        vocab or default_vocabulary(),
        tuple(role.essential_skills),
        tuple(role.required_skills),
        tuple(role.desired_skills),
        tuple(role.causes),
    )


@dataclass(frozen=True, slots=True)
class VolunteerProfile:
    """A volunteer with their free text read once (see :func:`profile_volunteer`)."""

    v: VolunteerFeatures
    skills: SkillProfile
    cause_bits: int
    avail: int  # 0 in the input becomes ALL_SLOTS here


def profile_volunteer(v: VolunteerFeatures, vocab: Vocabulary | None = None, weights: Weights | None = None) -> VolunteerProfile:
    vocab = vocab or default_vocabulary()
    th = (weights or Weights()).essential_match_threshold
    sp = skill_profile(vocab, v.skills, v.skills_text, th)
    avail = v.availability_mask & ALL_SLOTS
    return VolunteerProfile(v, sp, vocab.cause_bits(v.causes), avail or ALL_SLOTS)


def distance_miles(v: VolunteerFeatures, role: RoleFeatures) -> float | None:
    if v.lat is None or v.lon is None or role.lat is None or role.lon is None:
        return None
    return haversine_miles(v.lat, v.lon, role.lat, role.lon)


def travels_in_person(v: VolunteerFeatures, role: RoleFeatures) -> bool:
    """Whether the volunteer would go to the role's place: an in-person role, or a hybrid one for a
    volunteer who only volunteers in person (so their travel radius applies)."""
    return role.mode == "in_person" or (role.mode == "hybrid" and v.mode == "in_person")


def mode_reason(v: VolunteerFeatures, role: RoleFeatures) -> Reason | None:
    """The mode gate, both ways: in-person-only volunteers never get remote roles, remote-only
    volunteers never get in-person ones; hybrid roles suit both."""
    if role.mode == "in_person" and v.mode == "remote":
        return Reason(
            "remote_only", "This role has to be done in person, and you have told us you only want to volunteer from home."
        )
    if role.mode == "remote" and v.mode == "in_person":
        return Reason("in_person_only", "This role is done from home, and you have told us you only want to volunteer in person.")
    return None


def too_far_reason(v: VolunteerFeatures, d: float) -> Reason:
    r = v.travel_radius_miles
    return Reason(
        "too_far",
        f"This role is {describe_distance(d)}, {describe_miles(d - r)} beyond the {r:g} miles you said you can travel.",
        soft=True,
        change=f"If you could travel {math.ceil(d)} miles, it would suit you: you can change your travel distance.",
    )


def _said_free(p: VolunteerProfile) -> str:
    return "any time" if p.avail == ALL_SLOTS else describe_slots(p.avail)


def slot_reason(p: VolunteerProfile, role_mask: int) -> Reason:
    when = describe_slots(role_mask)
    return Reason(
        "no_shared_slot",
        f"This role is on {when}, and you said you are free on {_said_free(p)}.",
        soft=True,
        change=f"If you can do {when}, you could add them to the times you are free.",
    )


def session_reason(p: VolunteerProfile, future_mask: int) -> Reason:
    when = describe_slots(future_mask)
    return Reason(
        "no_matching_session",
        f"The dates still to come for this role are on {when}, and you said you are free on {_said_free(p)}.",
        soft=True,
        change=f"If you can do {when}, you could add them to the times you are free.",
    )


ADULT_AGE = 18


def youngest_age(role: RoleFeatures) -> int | None:
    """The youngest age a role takes: its ``min_age``, raised to 18 when it is not suitable for under-18s."""
    if role.under_18s:
        return role.min_age
    return max(role.min_age or 0, ADULT_AGE)


def adults_only(role: RoleFeatures) -> bool:
    """Whether a role takes no one under 18."""
    youngest = youngest_age(role)
    return youngest is not None and youngest >= ADULT_AGE


AGE_NOT_KNOWN = (
    "This role is for people aged 18 or over, and we do not know your age: add your date of birth to your "
    "profile, or confirm there that you are 18 or over."
)


def _age_reasons(v: VolunteerFeatures, role: RoleFeatures, t: RoleTiming) -> list[Reason]:
    out: list[Reason] = []
    if v.date_of_birth is None:
        if not v.adult_confirmed and adults_only(role):
            out.append(Reason("age_not_known", AGE_NOT_KNOWN))
        return out
    age = age_on(v.date_of_birth, t.ref_date)
    when = " on the day" if role.one_off else ""
    if role.min_age is not None and age < role.min_age:
        out.append(
            Reason("under_min_age", f"You need to be at least {role.min_age} for this role, and you would be {age}{when}.")
        )
    elif not role.under_18s and age < ADULT_AGE:
        out.append(Reason("not_for_under_18s", f"This role is not suitable for people under 18, and you would be {age}{when}."))
    if role.max_age is not None and age > role.max_age:
        out.append(Reason("over_max_age", f"This role is for people aged {role.max_age} or under, and you would be {age}{when}."))
    return out


def _open_reasons(v: VolunteerFeatures, role: RoleFeatures, today: date) -> list[Reason]:
    out: list[Reason] = []
    if role.status != "published":
        out.append(Reason("not_published", "This role is not open to new volunteers at the moment."))
    if role.publish_start is not None and role.publish_start > today:
        out.append(Reason("outside_publish_window", f"This role is not open yet: it opens on {_fmt_date(role.publish_start)}."))
    elif role.publish_end is not None and role.publish_end < today:
        out.append(Reason("outside_publish_window", f"This role closed on {_fmt_date(role.publish_end)}."))
    if role.places_available is not None and role.places_available <= 0:
        out.append(Reason("no_places", "All the places on this role have been filled."))
    if role.id in v.active_referral_role_ids:
        out.append(
            Reason("already_referred", "You have already said you are interested in this role, and that is still in progress.")
        )
    return out


def _time_reasons(p: VolunteerProfile, role: RoleFeatures, t: RoleTiming) -> list[Reason]:
    if role.one_off:
        if not t.has_future:
            return [Reason("dates_passed", "All the dates for this one-off role have passed.")]
        if not (t.eff_mask & p.avail):
            return [session_reason(p, t.eff_mask)]
    elif not t.flexible and not (t.eff_mask & p.avail):
        return [slot_reason(p, t.eff_mask)]
    return []


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
    t = role_timing(role, today)
    out = _open_reasons(v, role, today)
    out.extend(_age_reasons(v, role, t))
    if role.dbs_level > v.dbs_level and not v.dbs_willing:
        out.append(
            Reason(
                "dbs_required",
                f"This role needs {DBS_NAMES.get(role.dbs_level, 'a DBS check')}, "
                "and you have told us you would rather not have one.",
            )
        )
    mode = mode_reason(v, role)
    if mode is not None:
        out.append(mode)
    elif travels_in_person(v, role):
        d = distance_miles(v, role)
        if d is not None and d > v.travel_radius_miles:
            out.append(too_far_reason(v, d))
    out.extend(_time_reasons(p, role, t))
    cr = compile_role(role, vocab)
    for i in cr.essential:
        if i not in p.skills.gated:
            out.append(
                Reason(
                    "missing_skill",
                    f"This role needs {vocab.skill_labels[i].lower()}, which the organisation has marked essential, "
                    "and nothing you have told us about your skills shows it yet. You can add it to your profile.",
                    vocab.skill_ids[i],
                )
            )
    return out


def close_miss(p: VolunteerProfile, role: RoleFeatures, today: date, vocab: Vocabulary, w: Weights) -> Reason | None:
    """The one soft condition a role misses when it is a close match (every hard gate passed, exactly one
    soft one failed, and a distance miss no more than :meth:`Weights.close_extra_miles` beyond the
    radius); None otherwise (a full match or not close)."""
    reasons = why_not(p, role, today, vocab, w)
    if len(reasons) != 1 or not reasons[0].soft:
        return None
    r = reasons[0]
    if r.code == "too_far":
        d = distance_miles(p.v, role)
        if d is None or d > p.v.travel_radius_miles + w.close_extra_miles(p.v.travel_radius_miles):
            return None
    return r


def is_eligible(
    volunteer: VolunteerFeatures | VolunteerProfile,
    role: RoleFeatures,
    today: date,
    vocab: Vocabulary | None = None,
    weights: Weights | None = None,
) -> bool:
    return not why_not(volunteer, role, today, vocab, weights)
