"""Nobody is left with nothing: when fewer than three roles pass every gate, close matches follow, each
missing exactly one soft condition, saying what is off and what the volunteer could change."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from matching import RoleFeatures, RoleIndex, VolunteerFeatures, rank_roles, why_not
from matching.eligibility import describe_slots
from matching.types import slot_bit

from ._gen import TODAY, role_sets, volunteers

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASHFORD = (51.1465, 0.8750)
TUE_EVE = 1 << slot_bit(1, 2)
MORNINGS = sum(1 << slot_bit(d, 0) for d in range(7))


@FAST
@given(role_sets(n_max=40), volunteers())
def test_close_matches_fail_exactly_one_soft_condition_and_say_which(roles, v):
    idx = RoleIndex(roles)
    for results in (idx.rank(v, 10, TODAY), rank_roles(v, roles, TODAY, 10)):
        full = [r for r in results if r.close is None]
        close = [r for r in results if r.close is not None]
        assert results == full + close  # full matches first
        if close:
            assert len(full) < 3
        for r in close:
            reasons = why_not(v, idx.get(r.role_id), TODAY)
            assert len(reasons) == 1 and reasons[0].soft
            assert reasons[0] == r.close and "close_match" in r.flags
            assert r.close.message and r.close.change


def test_what_is_off_and_what_to_change():
    v = VolunteerFeatures(
        id=1, adult_confirmed=True, lat=ASHFORD[0], lon=ASHFORD[1], travel_radius_miles=5, availability_mask=MORNINGS
    )
    far = RoleFeatures(id=1, organisation_id=1, lat=ASHFORD[0] + 0.159, lon=ASHFORD[1], title="Far")  # 11 miles
    evening = RoleFeatures(id=2, organisation_id=2, lat=ASHFORD[0], lon=ASHFORD[1], slot_mask=TUE_EVE, title="Evening")
    both = replace(evening, id=3, lat=far.lat)  # misses two: not a close match
    results = RoleIndex([far, evening, both]).rank(v, 10, TODAY)
    assert [r.role_id for r in results] == [r.role_id for r in rank_roles(v, [far, evening, both], TODAY, 10)]
    by_id = {r.role_id: r for r in results}
    assert set(by_id) == {1, 2}
    assert by_id[1].close.code == "too_far"
    assert "11.0 miles away, 6 miles beyond the 5 miles you said you can travel" in by_id[1].close.message
    assert "travel 11 miles" in by_id[1].close.change
    assert by_id[2].close.code == "no_shared_slot"
    assert by_id[2].close.message == "This role is on Tuesday evenings, and you said you are free on mornings."
    assert "add them to the times you are free" in by_id[2].close.change
    assert "6 miles beyond" in by_id[1].explanation


def test_no_close_matches_when_enough_full_ones():
    v = VolunteerFeatures(id=1, adult_confirmed=True, lat=ASHFORD[0], lon=ASHFORD[1], travel_radius_miles=5)
    roles = [RoleFeatures(id=i, organisation_id=i, lat=ASHFORD[0], lon=ASHFORD[1], title="Near") for i in range(3)]
    roles.append(RoleFeatures(id=9, organisation_id=9, lat=ASHFORD[0] + 0.1, lon=ASHFORD[1], title="Far"))
    assert [r.close for r in RoleIndex(roles).rank(v, 10, TODAY)] == [None, None, None]


def test_slots_in_plain_words():
    assert describe_slots(MORNINGS) == "mornings"
    assert describe_slots(sum(1 << slot_bit(d, 2) for d in range(5))) == "weekday evenings"
    assert describe_slots(sum(1 << slot_bit(5, p) for p in range(3))) == "Saturdays"
    assert describe_slots(TUE_EVE | 1 << slot_bit(3, 1)) == "Tuesday evenings and Thursday afternoons"


def test_an_oversubscribed_role_never_claims_to_need_volunteers():
    v = VolunteerFeatures(id=1, adult_confirmed=True, lat=ASHFORD[0], lon=ASHFORD[1], travel_radius_miles=5)
    role = RoleFeatures(id=1, organisation_id=1, lat=ASHFORD[0], lon=ASHFORD[1], title="Popular", places_available=1)
    busy = replace(role, active_referrals=4, organisation_struggling=True)
    (res,) = RoleIndex([busy]).rank(v, 10, TODAY)
    assert "oversubscribed" in res.flags and "they need volunteers" not in res.explanation
    assert "lots of people have already said they are interested" in res.explanation
    (res,) = RoleIndex([role]).rank(v, 10, TODAY)
    assert "they need volunteers" in res.explanation


def test_one_sentence_per_fact():
    from matching import FLAG_MESSAGES

    v = VolunteerFeatures(id=1, adult_confirmed=True, lat=ASHFORD[0], lon=ASHFORD[1], travel_radius_miles=5, dbs_willing=True)
    role = RoleFeatures(id=1, organisation_id=1, lat=ASHFORD[0], lon=ASHFORD[1], dbs_level=3, requirements=("ID Check",))
    (res,) = RoleIndex([role]).rank(v, 10, TODAY)
    assert res.flags[:2] == ("needs_dbs_check", "needs_id_check")
    for flag in res.flags[:2]:
        assert FLAG_MESSAGES[flag] in res.explanation
