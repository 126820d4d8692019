"""Properties of the ranking, agreement of the scalar and vectorised paths, spread, both directions."""

import random
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import RoleFeatures, RoleIndex, VolunteerFeatures, Weights, is_eligible, rank_roles, rank_volunteers, score, why_not
from matching.spread import Candidate, spread
from matching.types import COMPONENTS, slot_bit

from ._gen import TODAY, random_role, random_volunteer, role_sets, volunteers

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAT_AM = 1 << slot_bit(5, 0)
BASE = RoleFeatures(id=1, organisation_id=1, lat=51.15, lon=0.87, slot_mask=SAT_AM, title="Role")
VOL = VolunteerFeatures(id=1, adult_confirmed=True, lat=51.15, lon=0.87, travel_radius_miles=20)


@FAST
@given(role_sets(), volunteers(), st.integers(1, 15))
def test_no_ineligible_role_is_ever_returned(roles, v, k):
    idx = RoleIndex(roles)
    for res in idx.rank(v, k, TODAY) + rank_roles(v, roles, TODAY, k):
        role = idx.get(res.role_id)
        reasons = why_not(v, role, TODAY)
        if res.close is None:
            assert reasons == []
        else:  # a close match misses exactly one soft condition, and says which
            assert [r.code for r in reasons] == [res.close.code] and res.close.soft and res.close.change
    for res in idx.search(v, "role", k, TODAY):
        assert is_eligible(v, idx.get(res.role_id), TODAY)


@FAST
@given(role_sets(), volunteers())
def test_scalar_and_vectorised_paths_agree(roles, v):
    idx = RoleIndex(roles)
    elig = [r.id for r in roles if not why_not(v, r, TODAY)]
    assert sorted(elig) == list(idx.eligible_ids(v, TODAY))
    a = rank_roles(v, roles, TODAY, k=len(roles))
    b = idx.rank(v, len(roles), TODAY)
    assert [x.role_id for x in a] == [x.role_id for x in b]
    for x, y in zip(a, b):
        assert abs(x.score - y.score) < 1e-9
        assert x.flags == y.flags and x.explanation == y.explanation
        for c in COMPONENTS:
            assert abs(x.contributions[c] - y.contributions[c]) < 1e-9
        assert abs(sum(x.contributions.values()) - x.score) < 1e-6


def test_agreement_on_a_larger_random_county():
    rng = random.Random(5)
    roles = [random_role(rng, i, n_orgs=200) for i in range(3000)]
    idx = RoleIndex(roles)
    for j in range(40):
        v = random_volunteer(rng, j)
        a = rank_roles(v, roles, TODAY, 10)
        b = idx.rank(v, 10, TODAY)
        assert [x.role_id for x in a] == [x.role_id for x in b]
        assert all(abs(x.score - y.score) < 1e-9 for x, y in zip(a, b))


@FAST
@given(role_sets(), volunteers())
def test_same_input_same_order(roles, v):
    idx1 = RoleIndex(roles)
    idx2 = RoleIndex(list(reversed(roles)))
    r1 = [x.role_id for x in idx1.rank(v, 10, TODAY)]
    assert r1 == [x.role_id for x in idx1.rank(v, 10, TODAY)]
    assert r1 == [x.role_id for x in idx2.rank(v, 10, TODAY)]


@FAST
@given(st.floats(0.0, 0.2), st.floats(0.0, 0.2), st.sampled_from(["in_person", "hybrid"]))
def test_nearer_never_ranks_below_farther(d1, d2, mode):
    near, far = sorted([d1, d2])
    a = replace(BASE, id=2, mode=mode, lat=51.15 + near)
    b = replace(BASE, id=1, mode=mode, lat=51.15 + far)
    sa, sb = score(VOL, a, TODAY), score(VOL, b, TODAY)
    assert sa.score >= sb.score
    order = [x.role_id for x in RoleIndex([a, b]).rank(VOL, 2, TODAY)]
    if sa.score > sb.score:
        assert order == [2, 1]


@FAST
@given(
    st.lists(st.sampled_from(["first-aid", "driving", "gardening", "cooking", "admin", "befriending"]), max_size=4, unique=True),
    st.sampled_from(["first-aid", "driving", "gardening", "cooking", "admin", "befriending", "music"]),
    st.lists(st.sampled_from(["first-aid", "gardening", "music", "admin"]), max_size=3, unique=True),
)
def test_another_matching_skill_never_lowers_a_score(have, extra, desired):
    role = replace(BASE, desired_skills=tuple(desired), required_skills=())
    v1 = replace(VOL, skills=tuple(have))
    v2 = replace(VOL, skills=tuple(have) + (extra,))
    s1, s2 = score(v1, role, TODAY), score(v2, role, TODAY)
    assert s2.score >= s1.score - 1e-12
    idx = RoleIndex([role])
    assert idx.rank(v2, 1, TODAY)[0].score >= idx.rank(v1, 1, TODAY)[0].score - 1e-12


def test_components_reward_what_they_should():
    v = replace(VOL, skills=("first-aid",), causes=("OlderPeople",), availability_mask=SAT_AM, max_hours_per_week=4)
    plain = score(v, BASE, TODAY)
    assert score(v, replace(BASE, required_skills=("first-aid",)), TODAY).contributions["skills"] > plain.contributions["skills"]
    assert score(v, replace(BASE, causes=("OlderPeople",)), TODAY).score > plain.score
    assert score(v, replace(BASE, organisation_struggling=True), TODAY).score > plain.score
    assert score(v, replace(BASE, hours_per_week=10), TODAY).score < score(v, replace(BASE, hours_per_week=3), TODAY).score
    assert score(v, replace(BASE, slot_mask=SAT_AM | 1), TODAY).score < plain.score
    assert score(v, replace(BASE, published_at=datetime(2026, 3, 1)), TODAY).score > plain.score
    few = score(v, replace(BASE, places_available=3, active_referrals=0), TODAY)
    many = score(v, replace(BASE, places_available=3, active_referrals=9), TODAY)
    assert few.score > many.score
    w = Weights(distance=0.0, need=0.0, freshness=0.0, commitment=0.0, availability=0.0, causes=0.0)
    assert score(v, replace(BASE, required_skills=("first-aid",)), TODAY, w).score == 1.0


def test_explanation_reads_well():
    v = replace(VOL, skills_text="first-aider", availability_mask=SAT_AM | 1)
    r = replace(BASE, lat=51.18, required_skills=("first-aid",))
    res = score(v, r, TODAY)
    assert res.explanation.startswith("2.1 miles away · Saturday mornings match · uses your first aid skill")


def _org_roles(n_per_org, orgs, score_by_org=True):
    roles = []
    rid = 1
    for o in range(orgs):
        for _ in range(n_per_org):
            # earlier organisations fit better (nearer)
            roles.append(replace(BASE, id=rid, organisation_id=o + 1, lat=51.15 + 0.002 * o + 0.0001 * rid))
            rid += 1
    return roles


def test_spread_at_most_two_per_organisation_in_top_ten():
    roles = _org_roles(8, 8)
    for res in (RoleIndex(roles).rank(VOL, 10, TODAY), rank_roles(VOL, roles, TODAY, 10)):
        orgs = [RoleIndex(roles).get(r.role_id).organisation_id for r in res]
        assert len(res) == 10
        assert max(orgs.count(o) for o in set(orgs)) <= 2
    # when one organisation is all there is, its roles still fill the list
    solo = _org_roles(6, 1)
    assert len(RoleIndex(solo).rank(VOL, 10, TODAY)) == 6


def test_spread_when_the_best_organisation_has_many_roles():
    # 100 near roles of one organisation, then other organisations further away: the index has to look
    # past its first candidates to fill the list.
    roles = [replace(BASE, id=i, organisation_id=1, lat=51.15 + 0.00001 * i) for i in range(1, 101)]
    roles += [replace(BASE, id=1000 + i, organisation_id=2 + i, lat=51.2 + 0.001 * i) for i in range(20)]
    a = rank_roles(VOL, roles, TODAY, 10)
    b = RoleIndex(roles).rank(VOL, 10, TODAY)
    assert [x.role_id for x in a] == [x.role_id for x in b]
    assert [x.role_id for x in b][:2] == [1, 2] and sum(x.role_id < 1000 for x in b) == 2


def test_oversubscribed_roles_give_way_to_similar_ones():
    w = Weights()
    c = [Candidate(0.80, 1, 1, True), Candidate(0.78, 2, 2, False), Candidate(0.70, 3, 3, False)]
    assert [x.role_id for x in spread(c, 3, w)[0]] == [2, 1, 3]
    busy = replace(BASE, id=1, organisation_id=1, places_available=1, active_referrals=5, lat=51.15)
    quiet = replace(BASE, id=2, organisation_id=2, places_available=1, active_referrals=0, lat=51.16)
    sb, sq = score(VOL, busy, TODAY), score(VOL, quiet, TODAY)
    assert "oversubscribed" in sb.flags
    order = [x.role_id for x in RoleIndex([busy, quiet]).rank(VOL, 2, TODAY)]
    if sb.score - sq.score < w.similar_fit_margin:
        assert order == [2, 1]


def test_ties_break_on_role_id():
    roles = [replace(BASE, id=i, organisation_id=i) for i in (5, 3, 9, 1)]
    assert [x.role_id for x in RoleIndex(roles).rank(VOL, 4, TODAY)] == [1, 3, 5, 9]
    assert [x.role_id for x in rank_roles(VOL, roles, TODAY, 4)] == [1, 3, 5, 9]


def test_upsert_and_remove_keep_the_index_current():
    rng = random.Random(3)
    roles = [random_role(rng, i) for i in range(400)]
    idx = RoleIndex(roles[:200])
    v = random_volunteer(rng, 1)
    idx.rank(v, 10, TODAY)
    current = {r.id: r for r in roles[:200]}
    for r in roles[200:]:
        idx.upsert(r)
        current[r.id] = r
    for i in range(0, 400, 3):
        idx.remove(i)
        current.pop(i, None)
    for i in range(1, 400, 7):  # move some roles, close others
        if i in current:
            r = replace(current[i], lat=51.0 + (i % 50) / 100, status="published" if i % 2 else "closed")
            idx.upsert(r)
            current[i] = r
    assert len(idx) == len(current)
    for j in range(30):
        v = random_volunteer(rng, j)
        assert [x.role_id for x in idx.rank(v, 10, TODAY)] == [x.role_id for x in rank_roles(v, current.values(), TODAY, 10)]
        assert sorted(r.id for r in current.values() if not why_not(v, r, TODAY)) == list(idx.eligible_ids(v, TODAY))


def test_today_changes_are_picked_up():
    r = replace(BASE, one_off=True, slot_mask=0, sessions=((datetime(2026, 3, 7, 9), datetime(2026, 3, 7, 12)),))
    idx = RoleIndex([r])
    assert len(idx.rank(VOL, 5, TODAY)) == 1
    assert idx.rank(VOL, 5, TODAY)[0].flags == ("starting_soon",)
    assert idx.rank(VOL, 5, TODAY + timedelta(days=6)) == []


def test_rank_many_matches_rank():
    rng = random.Random(9)
    roles = [random_role(rng, i, n_orgs=100) for i in range(1500)]
    vols = [random_volunteer(rng, j) for j in range(300)]
    idx = RoleIndex(roles)
    one = idx.rank_many(vols, 10, TODAY)
    two = idx.rank_many(vols, 10, TODAY, processes=2, chunk=50)
    assert (one.role_ids == two.role_ids).all()
    for i, v in enumerate(vols[:60]):
        ids = [x.role_id for x in idx.rank(v, 10, TODAY)]
        assert ids == [x for x in one.role_ids[i].tolist() if x >= 0]


def test_county_rematch_in_matrices_agrees_with_the_scalar_scorer():
    """The re-match scores volunteers in batches (neighbours with the same mode and radius together):
    every volunteer gets the roles, order and scores of the one-pair-at-a-time reference."""
    rng = random.Random(21)
    roles = [random_role(rng, i, n_orgs=60) for i in range(1200)]
    idx = RoleIndex(roles)
    base = [random_volunteer(rng, j) for j in range(40)]
    # neighbours of each volunteer (a few hundred yards away, the same radius): batches of many
    vols = base + [
        replace(v, id=1000 + j, lat=v.lat + rng.uniform(-0.01, 0.01), lon=v.lon + rng.uniform(-0.01, 0.01))
        for j, v in enumerate(base * 4)
        if v.lat is not None and v.lon is not None
    ]
    many = idx.rank_many(vols, 10, TODAY, processes=2, chunk=40)
    assert list(many.volunteer_ids) == [v.id for v in vols]
    for row, v in enumerate(vols):
        ref = [x for x in rank_roles(v, roles, TODAY, 10, close=False)]
        assert [int(r) for r in many.role_ids[row] if r >= 0] == [x.role_id for x in ref]
        assert all(abs(float(s) - x.score) < 1e-6 for s, x in zip(many.scores[row], ref))


def test_role_to_volunteers_only_consenting_and_not_contacted():
    rng = random.Random(4)
    vols = [random_volunteer(rng, j) for j in range(400)]
    role = replace(BASE, id=77, slot_mask=0)
    vols.append(replace(VOL, id=5000, contact_consent=True, contacted_role_ids=frozenset({77})))
    vols.append(replace(VOL, id=5001, contact_consent=False))
    vols.append(replace(VOL, id=5002, contact_consent=True))
    res = rank_volunteers(role, vols, TODAY, k=500)
    ids = {r.volunteer_id for r in res}
    by_id = {v.id: v for v in vols}
    assert 5002 in ids and 5000 not in ids and 5001 not in ids
    for r in res:
        v = by_id[r.volunteer_id]
        assert v.contact_consent and 77 not in v.contacted_role_ids and not why_not(v, role, TODAY)
    expected = [v.id for v in vols if v.contact_consent and 77 not in v.contacted_role_ids and not why_not(v, role, TODAY)]
    assert sorted(ids) == sorted(expected)
    scores = [r.score for r in res]
    assert scores == sorted(scores, reverse=True)


def test_search_blends_text_and_filters():
    roles = [
        replace(
            BASE,
            id=1,
            organisation_id=1,
            title="Gardening volunteer",
            description="Help in our community garden",
            causes=("Environment",),
        ),
        replace(
            BASE, id=2, organisation_id=2, title="Befriender", description="Visit isolated older people", causes=("OlderPeople",)
        ),
        replace(BASE, id=3, organisation_id=3, title="Minibus driver", description="Drive the day centre minibus", mode="hybrid"),
        replace(BASE, id=4, organisation_id=4, title="Shop volunteer", description="Charity shop till", status="draft"),
    ]
    idx = RoleIndex(roles)
    assert [r.role_id for r in idx.search(VOL, "gardning", today=TODAY)] == [1]  # typo tolerant
    assert [r.role_id for r in idx.search(VOL, "older people befriending", today=TODAY)] == [2]
    assert [r.role_id for r in idx.search(VOL, "shop", today=TODAY)] == []  # not eligible
    assert [r.role_id for r in idx.search(VOL, "", today=TODAY, causes=("Environment",))] == [1]
    assert [r.role_id for r in idx.search(VOL, "", today=TODAY, modes=("hybrid",))] == [3]
    assert {r.role_id for r in idx.search(VOL, "", today=TODAY)} == {1, 2, 3}
    idx.upsert(replace(roles[3], status="published"))
    assert [r.role_id for r in idx.search(VOL, "shop", today=TODAY)] == [4]


def test_very_near_roles_are_described_as_people_say_it():
    from matching.scoring import describe_distance as _miles

    assert _miles(0.0) == "less than half a mile away"
    assert _miles(0.9) == "about a mile away"
    assert _miles(2.14) == "2.1 miles away"


def test_search_finds_other_forms_of_a_word():
    from matching import RoleFeatures, RoleIndex, VolunteerFeatures

    roles = [
        RoleFeatures(
            id=1, organisation_id=1, mode="remote", title="Telephone Befriender", description="Call an older person each week."
        ),
        RoleFeatures(
            id=2,
            organisation_id=2,
            mode="remote",
            title="Befriending service coordinator",
            description="Organise our befriending rota.",
        ),
        RoleFeatures(id=3, organisation_id=3, mode="remote", title="Shop helper", description="Sort donations."),
    ]
    v = VolunteerFeatures(id=1, adult_confirmed=True, mode="either")
    found = {m.role_id for m in RoleIndex(roles).search(v, "befriending", k=10)}
    assert found == {1, 2}


def test_fast_path_agrees_with_the_reference_after_roles_change():
    """The index's derived columns (skill postings, age bounds, gate codes, timings) follow upserts and
    removals: rankings, batch re-match and the scalar reference still agree."""
    rng = random.Random(11)
    roles = {i: random_role(rng, i, n_orgs=30) for i in range(400)}
    idx = RoleIndex(roles.values())
    vols = [random_volunteer(rng, j) for j in range(30)]
    idx.rank(vols[0], 10, TODAY)  # the date-dependent columns exist before the changes
    for i in rng.sample(sorted(roles), 60):
        fresh = random_role(rng, i, n_orgs=30)
        roles[i] = fresh
        idx.upsert(fresh)
    for i in rng.sample(sorted(roles), 20):
        del roles[i]
        idx.remove(i)
    many = idx.rank_many(vols, 10, TODAY)
    for row, v in enumerate(vols):
        a = rank_roles(v, list(roles.values()), TODAY, 10)
        b = idx.rank(v, 10, TODAY)
        assert [x.role_id for x in a] == [x.role_id for x in b]
        assert all(abs(x.score - y.score) < 1e-9 and x.explanation == y.explanation for x, y in zip(a, b))
        full = [x.role_id for x in b if x.close is None]
        assert [int(r) for r in many.role_ids[row] if r >= 0] == full


def test_explanations_are_phrased_for_who_reads_them():
    from matching.eligibility import profile_volunteer
    from matching.scoring import result
    from matching.vocabulary import default_vocabulary

    vocab, w = default_vocabulary(), Weights()
    v = replace(VOL, skills=("first-aid",), causes=("OlderPeople",), availability_mask=SAT_AM | 1)
    r = replace(BASE, lat=51.18, required_skills=("first-aid",), causes=("OlderPeople",))
    p = profile_volunteer(v, vocab, w)
    own = result(p, r, TODAY, w, vocab).explanation
    staff = result(p, r, TODAY, w, vocab, audience="staff").explanation
    visitor = result(p, r, TODAY, w, vocab, audience="visitor").explanation
    assert "uses your first aid skill" in own and "older people, a cause you care about" in own
    assert staff.startswith("lives 2.1 miles away · Saturday mornings match · has first aid skills · cares about Older People")
    assert "your" not in staff and "you care" not in staff
    assert visitor.startswith("2.1 miles away · Saturday mornings match")
    assert "first aid" not in visitor and "care about" not in visitor and "your" not in visitor


def test_three_shared_times_read_as_one_more_time():
    v = replace(VOL, availability_mask=SAT_AM | 1 | 2)
    res = score(v, replace(BASE, slot_mask=SAT_AM | 1 | 2), TODAY)
    assert "and 1 more time match" in res.explanation and "1 more times" not in res.explanation
