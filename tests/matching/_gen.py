"""Random roles and volunteers for the matching tests (plain random + hypothesis strategies)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hypothesis import strategies as st

from matching import RoleFeatures, VolunteerFeatures, default_vocabulary

TODAY = date(2026, 3, 2)  # a Monday
VOCAB = default_vocabulary()
SKILLS = VOCAB.skill_ids[:12] + ["first-aid", "driving", "minibus-driving", "befriending", "gardening"]
CAUSES = VOCAB.cause_ids[:8]
TEXTS = ["", "first aider", "can drive a minibus, good with computers", "gardning and befreinding"]


def random_role(rng: random.Random, i: int, n_orgs: int = 40) -> RoleFeatures:
    one = rng.random() < 0.25
    sessions = ()
    if one:
        sessions = tuple(
            (s, s + timedelta(hours=3))
            for s in (
                datetime(2026, 3, 2, 9) + timedelta(days=rng.randint(-6, 30), hours=rng.choice([0, 5, 10]))
                for _ in range(rng.randint(0, 3))
            )
        )
    mode = rng.choices(["in_person", "remote", "hybrid"], [8, 1, 1])[0]
    no_loc = rng.random() < 0.05
    return RoleFeatures(
        id=i,
        organisation_id=rng.randint(1, n_orgs),
        status=rng.choices(["published", "draft", "closed"], [10, 1, 1])[0],
        publish_start=rng.choice([None, TODAY - timedelta(days=rng.randint(-3, 60))]),
        publish_end=rng.choice([None, TODAY + timedelta(days=rng.randint(-3, 60))]),
        places_available=rng.randint(0, 4),
        active_referrals=rng.randint(0, 8),
        min_age=rng.choice([None, None, 16, 18]),
        max_age=rng.choice([None] * 5 + [25]),
        under_18s=rng.random() < 0.5,
        dbs_level=rng.choice([0, 0, 0, 1, 2, 3]),
        mode=mode,
        lat=None if no_loc else rng.uniform(50.9, 51.5),
        lon=None if no_loc else rng.uniform(0.0, 1.45),
        slot_mask=rng.getrandbits(21) & rng.getrandbits(21) & rng.getrandbits(21),
        one_off=one,
        sessions=sessions,
        required_skills=tuple(rng.sample(SKILLS, rng.choice([0, 0, 0, 1, 2]))),
        essential_skills=tuple(rng.sample(SKILLS, rng.choice([0, 0, 0, 0, 1]))),
        desired_skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
        causes=tuple(rng.sample(CAUSES, rng.randint(0, 3))),
        hours_per_week=rng.choice([None, 2, 4, 8]),
        organisation_struggling=rng.random() < 0.3,
        published_at=rng.choice([None, datetime(2026, 3, 1) - timedelta(days=rng.randint(0, 90))]),
        title=f"Role {i}",
        description="",
    )


def random_volunteer(rng: random.Random, i: int) -> VolunteerFeatures:
    no_loc = rng.random() < 0.05
    return VolunteerFeatures(
        id=i,
        date_of_birth=rng.choice([None, date(rng.randint(1940, 2012), rng.randint(1, 12), rng.randint(1, 28))]),
        lat=None if no_loc else rng.uniform(50.9, 51.5),
        lon=None if no_loc else rng.uniform(0.0, 1.45),
        travel_radius_miles=rng.choice([2, 5, 10, 25]),
        mode=rng.choice(["in_person", "remote", "either"]),
        skills=tuple(rng.sample(SKILLS, rng.randint(0, 5))),
        skills_text=rng.choice(TEXTS),
        causes=tuple(rng.sample(CAUSES, rng.randint(0, 3))),
        availability_mask=rng.choice([0, rng.getrandbits(21)]),
        max_hours_per_week=rng.choice([None, 2, 5]),
        preference=rng.choice(["one_off", "regular", "either"]),
        dbs_level=rng.choice([0, 1, 3]),
        dbs_willing=rng.random() < 0.5,
        contact_consent=rng.random() < 0.7,
        active_referral_role_ids=frozenset(rng.sample(range(300), 3)),
        contacted_role_ids=frozenset(rng.sample(range(300), 3)),
        adult_confirmed=rng.random() < 0.5,
    )


seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def role_sets(draw, n_min=5, n_max=60):
    rng = random.Random(draw(seeds))
    n = draw(st.integers(n_min, n_max))
    return [random_role(rng, i, n_orgs=max(2, n // 5)) for i in range(n)]


@st.composite
def volunteers(draw):
    return random_volunteer(random.Random(draw(seeds)), draw(st.integers(0, 10_000)))
