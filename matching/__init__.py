"""Matching: eligibility, scoring, ranking, explanations and tag suggestions for the Kent volunteer brokerage.

A pure library: it imports nothing from the web app, the workers or the database (numpy, scikit-learn,
rapidfuzz and the standard library only). The app converts its rows to the plain dataclasses below and
gets plain dataclasses (or numpy arrays) back.

Input types (:mod:`matching.types`)
-----------------------------------
``RoleFeatures(id, organisation_id, status, publish_start, publish_end, places_available, active_referrals,
min_age, max_age, under_18s, dbs_level, mode, lat, lon, slot_mask, one_off, sessions, required_skills, desired_skills,
causes, hours_per_week, essential_skills, requirements, organisation_struggling, published_at, title,
description)`` — ``essential_skills`` gate; ``required_skills`` (needed) and ``desired_skills`` only score.

``VolunteerFeatures(id, date_of_birth, lat, lon, travel_radius_miles, mode, skills, skills_text, causes,
availability_mask, max_hours_per_week, preference, dbs_level, dbs_willing, contact_consent,
active_referral_role_ids, contacted_role_ids)``

- ``dbs_level``: 0 none, 1 basic, 2 standard, 3 enhanced. ``mode``: role ``in_person|remote|hybrid``,
  volunteer ``in_person|remote|either``. ``preference``: ``one_off|regular|either``.
- ``slot_mask``/``availability_mask``: 21 bits, bit ``day*3+part`` (Monday morning = bit 0, Sunday evening
  = bit 20, as ``time_slots.csv``). A volunteer's 0 means "not stated" (free any time); a regular role's
  0 means "flexible". One-off roles take their times from ``sessions`` (start, end) still to come.
- Skills are ids of ``brokerage/data/taxonomy/skill_vocabulary.csv`` (labels/synonyms are resolved too);
  causes are ids of ``causes.csv``. ``skills_text`` is free text mapped onto the vocabulary.

Output types
------------
``Reason(code, message, skill=None, soft=False, change="")`` — see :mod:`matching.eligibility` for the codes.
``MatchResult(role_id, volunteer_id, score, contributions, flags, explanation, distance_miles, close=None)``
— ``close`` is the one soft ``Reason`` a close match misses. ``FLAG_MESSAGES``: one sentence per flag.
``Reading(skill, strength, phrase)`` — a skill read from free text (``Vocabulary.read_skills``).
``TagSuggestion(kind, id, label, confidence)``. ``RankManyResult(volunteer_ids, role_ids, scores)``.
``Weights(...)`` — component weights and shape parameters with documented defaults; pass overrides.

What to call
------------
- ``why_not(volunteer, role, today) -> list[Reason]`` — every failing gate (empty = eligible).
- ``is_eligible(volunteer, role, today) -> bool``; ``score(volunteer, role, today, weights=None)
  -> MatchResult | None`` — one pair.
- ``RoleIndex(roles=(), weights=None)`` — keep one per process, ``upsert(role)`` / ``remove(role_id)`` as
  roles change, then:
  ``rank(volunteer, k=10, today=None) -> list[MatchResult]`` (recommendations, spread re-ranked; close
  matches follow when fewer than three roles pass every gate),
  ``search(volunteer, query="", k=20, today=None, *, causes=(), skills=(), modes=(), one_off=None,
  organisation_id=None, max_miles=None) -> list[MatchResult]`` (text query blended with the ranking),
  ``rank_many(volunteers, k=10, today=None, processes=1) -> RankManyResult`` (county re-match),
  ``iter_rank_many(volunteers, k, today)`` (explained, streaming).
- ``rank_volunteers(role, volunteers, today, k=10) -> list[MatchResult]`` — role → volunteers: only those
  with ``contact_consent`` and not already contacted about that role (``contacted_role_ids``).
- ``rank_roles(volunteer, roles, today, k=10)`` — the scalar reference of ``RoleIndex.rank``.
- ``suggest_tags(title, description="") -> list[TagSuggestion]`` — causes and skills for a new listing.
- ``default_vocabulary()`` / ``load_vocabulary(dir)`` — the vocabularies (ids, labels, resolution).
"""

from .eligibility import is_eligible, profile_volunteer, why_not
from .index import RankManyResult, RoleIndex
from .ranking import rank_roles, rank_volunteers
from .scoring import score
from .spread import spread
from .tags import suggest_tags
from .reading import Reading
from .types import (
    ALL_SLOTS,
    COMPONENTS,
    FLAG_MESSAGES,
    MatchResult,
    Reason,
    RoleFeatures,
    TagSuggestion,
    VolunteerFeatures,
    Weights,
    slot_bit,
)
from .vocabulary import Vocabulary, default_vocabulary, load_vocabulary

__all__ = [
    "ALL_SLOTS",
    "COMPONENTS",
    "FLAG_MESSAGES",
    "MatchResult",
    "Reading",
    "RankManyResult",
    "Reason",
    "RoleFeatures",
    "RoleIndex",
    "TagSuggestion",
    "Vocabulary",
    "VolunteerFeatures",
    "Weights",
    "default_vocabulary",
    "is_eligible",
    "load_vocabulary",
    "profile_volunteer",
    "rank_roles",
    "rank_volunteers",
    "score",
    "slot_bit",
    "spread",
    "suggest_tags",
    "why_not",
]
