from dataclasses import replace
from datetime import date, datetime

from matching import RoleFeatures, RoleIndex, VolunteerFeatures, score, why_not
from matching.types import session_slots, slot_bit

TODAY = date(2026, 3, 2)  # Monday
SAT_AM = 1 << slot_bit(5, 0)
ASHFORD = (51.1465, 0.8750)
CANTERBURY = (51.2802, 1.0789)  # about 12 miles from Ashford

ROLE = RoleFeatures(id=1, organisation_id=10, lat=ASHFORD[0], lon=ASHFORD[1], slot_mask=SAT_AM, title="Gardener", description="")
VOL = VolunteerFeatures(
    id=7, date_of_birth=date(1990, 6, 1), lat=ASHFORD[0] + 0.01, lon=ASHFORD[1], travel_radius_miles=5, availability_mask=SAT_AM
)


def codes(v, r, today=TODAY):
    return [x.code for x in why_not(v, r, today)]


def check(v, r, code, words):
    reasons = why_not(v, r, TODAY)
    assert code in [x.code for x in reasons]
    msg = next(x.message for x in reasons if x.code == code)
    assert msg.endswith(".") and msg[0].isupper()
    for w in words:
        assert w in msg, (w, msg)
    # the vectorised index agrees that the role is not a match
    idx = RoleIndex([r])
    assert r.id not in idx.eligible_ids(v, TODAY)
    assert score(v, r, TODAY) is None


def test_baseline_is_eligible():
    assert why_not(VOL, ROLE, TODAY) == []
    assert list(RoleIndex([ROLE]).eligible_ids(VOL, TODAY)) == [1]


def test_not_published():
    check(VOL, replace(ROLE, status="draft"), "not_published", ["not open"])


def test_outside_publish_window():
    check(VOL, replace(ROLE, publish_start=date(2026, 3, 10)), "outside_publish_window", ["opens on 10 March 2026"])
    check(VOL, replace(ROLE, publish_end=date(2026, 3, 1)), "outside_publish_window", ["closed on 1 March 2026"])
    assert why_not(VOL, replace(ROLE, publish_end=TODAY), TODAY) == []


def test_no_places():
    check(VOL, replace(ROLE, places_available=0), "no_places", ["filled"])


def test_places_not_stated_are_never_full():
    unknown = replace(ROLE, places_available=None)
    assert why_not(VOL, unknown, TODAY) == []
    assert list(RoleIndex([unknown]).eligible_ids(VOL, TODAY)) == [1]
    assert score(VOL, unknown, TODAY) == score(VOL, replace(ROLE, places_available=1), TODAY)


def test_under_and_over_age():
    young = replace(VOL, date_of_birth=date(2010, 1, 1))
    check(young, replace(ROLE, min_age=18), "under_min_age", ["at least 18", "16"])
    check(VOL, replace(ROLE, max_age=25), "over_max_age", ["25 or under", "35"])


def test_age_at_session_date_for_one_off_roles():
    # turns 18 on 2026-03-20: too young today, old enough for a session on Saturday 21 March
    v = replace(VOL, date_of_birth=date(2008, 3, 20))
    reg = replace(ROLE, min_age=18)
    assert "under_min_age" in codes(v, reg)
    one = replace(reg, one_off=True, sessions=((datetime(2026, 3, 21, 9), datetime(2026, 3, 21, 12)),))
    assert why_not(v, one, TODAY) == []
    early = replace(one, sessions=((datetime(2026, 3, 14, 9), datetime(2026, 3, 14, 12)),))
    check(v, early, "under_min_age", ["on the day"])


def test_dbs_required_unless_willing():
    r = replace(ROLE, dbs_level=3)
    check(VOL, r, "dbs_required", ["enhanced DBS check"])
    willing = replace(VOL, dbs_willing=True)
    assert why_not(willing, r, TODAY) == []
    res = score(willing, r, TODAY)
    assert "needs_dbs_check" in res.flags
    assert RoleIndex([r]).rank(willing, today=TODAY)[0].flags == res.flags
    assert why_not(replace(VOL, dbs_level=3), r, TODAY) == []


def test_too_far_in_person_but_remote_and_hybrid_ignore_distance():
    r = replace(ROLE, lat=CANTERBURY[0], lon=CANTERBURY[1])
    check(VOL, r, "too_far", ["miles away", "5 miles"])
    assert why_not(VOL, replace(r, mode="remote"), TODAY) == []
    assert why_not(VOL, replace(r, mode="hybrid"), TODAY) == []
    assert why_not(replace(VOL, travel_radius_miles=15), r, TODAY) == []


def test_remote_only_volunteer_and_in_person_role():
    v = replace(VOL, mode="remote")
    check(v, ROLE, "remote_only", ["in person", "from home"])
    assert why_not(v, replace(ROLE, mode="hybrid"), TODAY) == []
    assert why_not(v, replace(ROLE, mode="remote"), TODAY) == []


def test_no_shared_weekly_slot():
    check(replace(VOL, availability_mask=1), ROLE, "no_shared_slot", ["Saturday mornings"])
    assert why_not(replace(VOL, availability_mask=0), ROLE, TODAY) == []  # not stated = any time
    assert why_not(replace(VOL, availability_mask=1), replace(ROLE, slot_mask=0), TODAY) == []  # flexible


def test_one_off_needs_a_future_session_in_a_free_slot():
    sat = (datetime(2026, 3, 7, 9), datetime(2026, 3, 7, 12))
    mon_past = (datetime(2026, 2, 23, 9), datetime(2026, 2, 23, 12))
    one = replace(ROLE, one_off=True, slot_mask=0, sessions=(sat,))
    assert why_not(VOL, one, TODAY) == []
    check(replace(VOL, availability_mask=1), one, "no_matching_session", ["dates still to come"])
    check(VOL, replace(one, sessions=(mon_past,)), "dates_passed", ["have passed"])
    check(VOL, replace(one, sessions=()), "dates_passed", ["have passed"])


def test_a_session_counts_in_every_slot_it_runs_an_hour_in():
    # Saturday 7 March 2026: 15:00-21:00 is an afternoon and an evening; 08:00-12:30 a morning only
    sat_eve = 1 << slot_bit(5, 2)
    evening_only = replace(VOL, availability_mask=sat_eve)
    long_one = replace(ROLE, one_off=True, slot_mask=0, sessions=((datetime(2026, 3, 7, 15), datetime(2026, 3, 7, 21)),))
    assert session_slots(*long_one.sessions[0]) == (1 << slot_bit(5, 1)) | sat_eve
    assert why_not(evening_only, long_one, TODAY) == []
    assert list(RoleIndex([long_one]).eligible_ids(evening_only, TODAY)) == [1]
    res = score(evening_only, long_one, TODAY)
    assert res is not None and "Sat 7 Mar evening suits you" in res.explanation
    # half an hour into the afternoon is not an afternoon session
    morning = replace(long_one, sessions=((datetime(2026, 3, 7, 8), datetime(2026, 3, 7, 12, 30)),))
    assert session_slots(*morning.sessions[0]) == SAT_AM
    check(replace(VOL, availability_mask=1 << slot_bit(5, 1)), morning, "no_matching_session", ["Saturday mornings"])
    # a short session is in the slot it runs in; one past midnight keeps its evening
    assert session_slots(datetime(2026, 3, 7, 17, 30), datetime(2026, 3, 7, 18, 10)) == 1 << slot_bit(5, 1)
    assert session_slots(datetime(2026, 3, 7, 21), datetime(2026, 3, 8, 0, 30)) == sat_eve


def test_missing_essential_skill_and_precise_readings():
    r = replace(ROLE, essential_skills=("minibus-driving", "first-aid"))
    reasons = why_not(VOL, r, TODAY)
    assert [x.code for x in reasons] == ["missing_skill", "missing_skill"]
    assert {x.skill for x in reasons} == {"minibus-driving", "first-aid"}
    assert "minibus driving" in reasons[0].message and "essential" in reasons[0].message
    check(VOL, r, "missing_skill", ["add it to your profile"])
    v = replace(VOL, skills_text="St John Ambulance trained first-aider; can drive a minibus")
    assert why_not(v, r, TODAY) == []
    # a broader skill is implied by a narrower one
    assert why_not(replace(VOL, skills=("minibus-driving",)), replace(ROLE, essential_skills=("driving",)), TODAY) == []
    # a typo scores but never opens a gate; saying you lack it never does either
    assert "missing_skill" in codes(replace(VOL, skills_text="love gardning"), replace(ROLE, essential_skills=("gardening",)))
    assert "missing_skill" in codes(replace(VOL, skills_text="I don't drive"), replace(ROLE, essential_skills=("driving",)))


def test_skills_the_role_needs_score_but_do_not_gate():
    r = replace(ROLE, required_skills=("customer-service",), desired_skills=("catering",))
    assert why_not(VOL, r, TODAY) == []
    with_skill = score(replace(VOL, skills=("customer-service",)), r, TODAY)
    without = score(VOL, r, TODAY)
    assert with_skill.contributions["skills"] > without.contributions["skills"]


def test_already_referred():
    check(replace(VOL, active_referral_role_ids=frozenset({1})), ROLE, "already_referred", ["already"])


def test_all_failing_reasons_are_returned():
    r = replace(
        ROLE,
        status="closed",
        places_available=0,
        dbs_level=2,
        min_age=40,
        lat=CANTERBURY[0],
        lon=CANTERBURY[1],
        essential_skills=("cooking",),
    )
    v = replace(VOL, availability_mask=1, active_referral_role_ids=frozenset({1}))
    assert codes(v, r) == [
        "not_published",
        "no_places",
        "already_referred",
        "under_min_age",
        "dbs_required",
        "too_far",
        "no_shared_slot",
        "missing_skill",
    ]


def test_unknowns_do_not_fail_gates_but_are_flagged():
    v = replace(VOL, date_of_birth=None, adult_confirmed=True, lat=None, lon=None)
    r = replace(ROLE, min_age=21)
    assert why_not(v, r, TODAY) == []
    res = score(v, r, TODAY)
    assert {"age_unconfirmed", "distance_unknown"} <= set(res.flags)


def test_an_age_neither_given_nor_confirmed_rules_out_roles_for_adults_only():
    unknown = replace(VOL, date_of_birth=None, adult_confirmed=False)
    # not suitable for under-18s (the default), or a minimum age of 18: a child could be behind the record
    check(unknown, ROLE, "age_not_known", ["18 or over", "date of birth", "confirm"])
    check(unknown, replace(ROLE, under_18s=True, min_age=18), "age_not_known", ["18 or over"])
    # a role open to under-18s still suits them (its own minimum age is flagged, not a gate)
    assert why_not(unknown, replace(ROLE, under_18s=True), TODAY) == []
    assert why_not(unknown, replace(ROLE, under_18s=True, min_age=14), TODAY) == []
    # told us they are 18 or over: treated as an adult
    assert why_not(replace(unknown, adult_confirmed=True), ROLE, TODAY) == []
    roles = [ROLE, replace(ROLE, id=2, under_18s=True), replace(ROLE, id=3, min_age=25)]
    idx = RoleIndex(roles)
    assert set(idx.eligible_ids(unknown, TODAY).tolist()) == {2}
    assert {m.role_id for m in idx.rank(unknown, k=10, today=TODAY, close=True)} == {2}
    many = idx.rank_many([unknown, replace(unknown, id=8, adult_confirmed=True)], k=10, today=TODAY)
    assert set(many.role_ids[0].tolist()) - {-1} == {2}
    assert set(many.role_ids[1].tolist()) - {-1} == {1, 2, 3}


def test_an_under_18_is_never_matched_to_a_role_not_suitable_for_under_18s():
    import random

    from tests.matching._gen import random_role

    fifteen = replace(VOL, date_of_birth=date(2010, 6, 1))
    check(fifteen, ROLE, "not_for_under_18s", ["not suitable for people under 18", "15"])
    check(fifteen, replace(ROLE, min_age=18), "under_min_age", ["at least 18"])  # one reason, not two
    assert why_not(fifteen, replace(ROLE, under_18s=True), TODAY) == []
    check(fifteen, replace(ROLE, under_18s=True, min_age=16), "under_min_age", ["at least 16", "15"])
    assert why_not(VOL, ROLE, TODAY) == []  # adults are not affected

    rng = random.Random(18)
    roles = [
        replace(
            random_role(rng, i),
            status="published",
            publish_start=None,
            publish_end=None,
            places_available=3,
            essential_skills=(),
            dbs_level=0,
            one_off=False,
            sessions=(),
            min_age=rng.choice([None, 14, 16]),
        )
        for i in range(1, 301)
    ]
    young = [
        replace(
            VOL,
            id=100 + i,
            date_of_birth=date(2009 + i % 3, 1 + i % 12, 10),
            lat=r.lat or ASHFORD[0],
            lon=r.lon or ASHFORD[1],
            travel_radius_miles=50,
            availability_mask=0,
            mode="either",
        )
        for i, r in enumerate(roles[:40])
    ]
    unsuitable = {r.id for r in roles if not r.under_18s}
    suitable = {r.id for r in roles if r.under_18s}
    idx = RoleIndex(roles)
    for v in young:
        assert not unsuitable & set(idx.eligible_ids(v, TODAY).tolist())
        ranked = idx.rank(v, k=50, today=TODAY, close=True)
        assert ranked and not unsuitable & {m.role_id for m in ranked}
        assert not unsuitable & {m.role_id for m in idx.search(v, "", k=50, today=TODAY)}
    many = idx.rank_many(young, k=50, today=TODAY)
    found = set(many.role_ids.ravel().tolist()) - {-1}
    assert found and found <= suitable
