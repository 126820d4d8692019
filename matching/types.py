"""Plain data types of the matching library.

Everything here is a frozen, slotted dataclass so that the web app and the workers can build them from
database rows without the library knowing about the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# --- enumerations (plain strings so they survive JSON and the database unchanged) -----------------
ROLE_MODES = ("in_person", "remote", "hybrid")
VOLUNTEER_MODES = ("in_person", "remote", "either")
PREFERENCES = ("one_off", "regular", "either")
DBS_LEVELS = {0: "none", 1: "basic", 2: "standard", 3: "enhanced"}

SLOT_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT_PARTS = ("morning", "afternoon", "evening")  # 06-12, 12-18, 18-24
ALL_SLOTS = (1 << 21) - 1


def slot_bit(day: int, part: int) -> int:
    """Bit number of a weekly slot: ``day`` 0 = Monday … 6 = Sunday, ``part`` 0 morning, 1 afternoon,
    2 evening (see ``time_slots.csv``)."""
    return day * 3 + part


def slot_of_datetime(dt: datetime) -> int:
    """Bit number of the weekly slot a moment falls in. Hours 00-06 count as that day's morning."""
    h = dt.hour
    part = 0 if h < 12 else (1 if h < 18 else 2)
    return dt.weekday() * 3 + part


SESSION_SLOT_MIN = timedelta(hours=1)  # a session is in a slot when it runs at least this long in it


def _next_boundary(t: datetime) -> datetime:
    """The start of the slot after the one ``t`` is in (12:00, 18:00 or the next midnight)."""
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    for h in (12, 18):
        b = day + timedelta(hours=h)
        if b > t:
            return b
    return day + timedelta(days=1)


def session_slot_starts(start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The weekly slots a dated session runs in, in time order, each with the moment the session enters
    it: every slot it spends at least :data:`SESSION_SLOT_MIN` in (all of it when the session is
    shorter), so a 14:00-18:30 session is an afternoon one and a 15:00-21:00 one is an afternoon and an
    evening one. A session without a length counts in the slot it starts in."""
    if end <= start:
        return [(start, slot_of_datetime(start))]
    if end - start >= timedelta(days=7):
        end = start + timedelta(days=7)
    need = min(SESSION_SLOT_MIN, end - start)
    out: list[tuple[datetime, int]] = []
    t = start
    while t < end:
        seg_end = min(_next_boundary(t), end)
        if seg_end - t >= need:
            out.append((t, slot_of_datetime(t)))
        t = seg_end
    return out or [(start, slot_of_datetime(start))]


def session_slots(start: datetime, end: datetime) -> int:
    """:func:`session_slot_starts` as a slot mask."""
    mask = 0
    for _, bit in session_slot_starts(start, end):
        mask |= 1 << bit
    return mask


@dataclass(frozen=True, slots=True)
class RoleFeatures:
    """One volunteering role as matching sees it.

    ``slot_mask``: 21 bits, bit ``day*3+part`` (Monday morning = bit 0 … Sunday evening = bit 20);
    ``0`` on a regular role means "flexible, any time". ``sessions`` are (start, end) of a one-off role's
    dates; a one-off role's times are taken from its sessions still to come, not from ``slot_mask``.
    ``required_skills``/``desired_skills`` are skill-vocabulary ids (labels and synonyms are accepted and
    resolved; anything unresolvable is ignored): skills the role needs or would like, which *score*.
    ``essential_skills`` are the few the organisation marked essential (a licence, a certificate): they
    *gate*, and count as needed skills in the score too. ``requirements`` are the standard's requirement
    labels ("ID Check", "DBS Check" …); they are flagged, the DBS level itself gates.
    ``causes`` are cause ids from ``causes.csv``.
    ``places_available`` is the number of places still open (None: not stated, never full); ``active_referrals`` the referrals in
    progress. ``dbs_level``: 0 none, 1 basic, 2 standard, 3 enhanced. ``under_18s``: the role is suitable for
    volunteers under 18; when it is not, no one under 18 is ever matched to it, whatever its ``min_age``.
    """

    id: int
    organisation_id: int
    status: str = "published"
    publish_start: date | None = None
    publish_end: date | None = None
    places_available: int | None = 1
    active_referrals: int = 0
    min_age: int | None = None
    max_age: int | None = None
    under_18s: bool = False
    dbs_level: int = 0
    mode: str = "in_person"
    lat: float | None = None
    lon: float | None = None
    slot_mask: int = 0
    one_off: bool = False
    sessions: tuple[tuple[datetime, datetime], ...] = ()
    required_skills: tuple[str, ...] = ()
    desired_skills: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    hours_per_week: float | None = None
    essential_skills: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    organisation_struggling: bool = False
    published_at: datetime | None = None
    title: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class VolunteerFeatures:
    """One volunteer as matching sees it.

    ``availability_mask`` uses the same 21 slots as roles; ``0`` means "not stated" and is treated as
    free at any time. ``skills`` are vocabulary ids; ``skills_text`` is whatever they typed about
    themselves and is mapped onto the vocabulary (fuzzy, synonym-aware). ``travel_radius_miles`` applies
    to in-person roles only. ``adult_confirmed``: with no ``date_of_birth``, whether they have told us
    they are 18 or over; an age neither given nor confirmed rules out every role not suitable for
    under-18s (``age_not_known``), as a child could be behind it.
    """

    id: int
    date_of_birth: date | None = None
    adult_confirmed: bool = False
    lat: float | None = None
    lon: float | None = None
    travel_radius_miles: float = 10.0
    mode: str = "either"
    skills: tuple[str, ...] = ()
    skills_text: str = ""
    causes: tuple[str, ...] = ()
    availability_mask: int = 0
    max_hours_per_week: float | None = None
    preference: str = "either"
    dbs_level: int = 0
    dbs_willing: bool = False
    contact_consent: bool = False
    active_referral_role_ids: frozenset[int] = frozenset()
    contacted_role_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a role is not a match: a stable ``code`` for code and statistics and a plain-English
    ``message`` written to the volunteer. ``skill`` names the skill id for ``missing_skill``.
    ``soft`` reasons are preferences (distance, times): the volunteer may still say they are interested,
    and a role missing only one of them can be shown as a close match; ``change`` then says what the
    volunteer could change for it to suit them."""

    code: str
    message: str
    skill: str | None = None
    soft: bool = False
    change: str = ""


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score components. Every component is in [0, 1]; the score is the weighted mean,
    so it is in [0, 1] too and only the ratios between weights matter. The app's config may override any
    field, e.g. ``Weights(distance=3.0)``."""

    skills: float = 3.0  # required skills matched (+ desired skills at partial credit)
    causes: float = 1.5  # causes the volunteer cares about among the role's causes
    distance: float = 2.0  # decays with miles; remote roles get ``remote_distance_value``
    availability: float = 1.5  # share of the role's weekly slots the volunteer has free
    commitment: float = 1.0  # hours per week fit and one-off/regular preference
    need: float = 1.0  # few referrals per place, starting soon, organisation struggling
    freshness: float = 0.5  # recently published

    # shape parameters
    desired_skill_credit: float = 0.5  # a desired skill counts this much of a required one
    no_skills_value: float = 0.5  # skills component when a role lists no skills
    distance_scale_miles: float = 5.0  # exp(-miles / scale)
    remote_distance_value: float = 0.6  # distance component of remote (and far hybrid) roles
    freshness_days: float = 21.0  # exp(-days since published / this)
    soon_days: float = 14.0  # a start (or closing) within this many days adds need
    oversubscribed_ratio: float = 2.0  # active referrals per place at or above which a role is
    #                                        over-subscribed
    similar_fit_margin: float = 0.05  # over-subscribed roles give way to others this close in score
    max_per_organisation: int = 2  # in a volunteer's top ``spread_window``
    spread_window: int = 10
    skill_match_threshold: float = 0.6  # a skill counts as used (in explanations) at this strength or above
    essential_match_threshold: float = 0.9  # an essential skill's gate opens only at this strength or above:
    #                                        declared, read with certainty from the volunteer's words, or
    #                                        implied by a narrower skill (never a typo-level match)
    close_match_below: int = 3  # fewer full matches than this and the list adds close matches
    close_match_fill: int = 5  # … until it holds this many (or the close matches run out)
    close_extra_miles_min: float = 6.0  # a close match may be this much beyond the travel radius …
    close_extra_miles_share: float = 1.0  # … or this share of the radius, whichever is larger,
    close_extra_miles_max: float = 10.0  # but never more than this

    def close_extra_miles(self, radius: float) -> float:
        return min(self.close_extra_miles_max, max(self.close_extra_miles_min, self.close_extra_miles_share * radius))

    def components(self) -> tuple[float, float, float, float, float, float, float]:
        return (self.skills, self.causes, self.distance, self.availability, self.commitment, self.need, self.freshness)


COMPONENTS = ("skills", "causes", "distance", "availability", "commitment", "need", "freshness")


@dataclass(frozen=True, slots=True)
class MatchResult:
    """One ranked match. ``role_id``/``volunteer_id`` name the pair; ``contributions`` maps each
    component name to its share of ``score`` (they sum to ``score``); ``flags`` are things to act on
    (``needs_dbs_check``, ``needs_id_check``, ``age_unconfirmed``, ``distance_unknown``, ``oversubscribed``,
    ``starting_soon``, ``close_match``; their sentences are :data:`FLAG_MESSAGES`); ``explanation`` is a
    short sentence for the volunteer or centre. ``close`` is set on a close match: the one soft
    condition it misses, with what is off and what the volunteer could change."""

    role_id: int
    volunteer_id: int
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    explanation: str = ""
    distance_miles: float | None = None
    close: Reason | None = None


# One sentence per flag, used by explanations, the API and the pages alike.
FLAG_MESSAGES: dict[str, str] = {
    "needs_dbs_check": "needs a DBS check, which the organisation will arrange",
    "needs_id_check": "needs an ID check, which the organisation will arrange",
    "age_unconfirmed": "has an age limit, and we do not know your date of birth",
    "distance_unknown": "we could not work out how far away it is",
    "oversubscribed": "lots of people have already said they are interested",
    "starting_soon": "starts soon",
    "close_match": "a close match: one thing does not fit what you told us",
}


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    kind: str  # "skill" or "cause"
    id: str
    label: str
    confidence: float  # 0..1
