"""The mode gate holds both ways, on every path: in-person-only volunteers never get a remote role and
remote-only volunteers never an in-person one; hybrid roles suit both; the reason is stated."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import RoleFeatures, RoleIndex, VolunteerFeatures, rank_roles, rank_volunteers, why_not

from ._gen import TODAY, role_sets, volunteers

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULED_OUT = {"in_person": "remote", "remote": "in_person"}


def _offered(idx: RoleIndex, roles: list[RoleFeatures], v: VolunteerFeatures) -> list[RoleFeatures]:
    got = [r.role_id for r in idx.rank(v, 20, TODAY)]
    got += [r.role_id for r in rank_roles(v, roles, TODAY, 20)]
    got += [r.role_id for r in idx.search(v, "", 50, TODAY)]
    got += [r.role_id for r in idx.search(v, "role", 50, TODAY)]
    got += [r.role_id for r in idx.search(v, "", 50, TODAY, modes=("remote", "hybrid", "in_person"))]
    by_id = {r.id: r for r in roles}
    return [by_id[i] for i in got]


@FAST
@given(role_sets(n_max=80), volunteers(), st.sampled_from(["in_person", "remote"]))
def test_volunteer_to_roles_never_offers_a_ruled_out_mode(roles, v, mode):
    roles = [replace(r, status="published", places_available=max(r.places_available, 1)) for r in roles]
    v = replace(v, mode=mode, travel_radius_miles=40)
    idx = RoleIndex(roles)
    offered = _offered(idx, roles, v)
    assert all(r.mode != RULED_OUT[mode] for r in offered)
    # and the ruled-out roles say why
    for r in roles:
        if r.mode == RULED_OUT[mode]:
            codes = [x.code for x in why_not(v, r, TODAY)]
            assert ("in_person_only" if mode == "in_person" else "remote_only") in codes


@FAST
@given(role_sets(n_min=1, n_max=5), st.lists(volunteers(), min_size=1, max_size=30))
def test_role_to_volunteers_never_offers_a_ruled_out_mode(roles, vols):
    vols = [replace(v, id=i, contact_consent=True, contacted_role_ids=frozenset()) for i, v in enumerate(vols)]
    for role in roles:
        for res in rank_volunteers(role, vols, TODAY, k=len(vols)):
            v = next(x for x in vols if x.id == res.volunteer_id)
            assert RULED_OUT.get(v.mode) != role.mode


def test_hybrid_roles_suit_both_and_in_person_volunteers_travel_to_them():
    role = RoleFeatures(id=1, organisation_id=1, mode="hybrid", lat=51.15, lon=0.87, title="Hybrid")
    near = VolunteerFeatures(id=1, adult_confirmed=True, lat=51.16, lon=0.87, travel_radius_miles=5)
    for mode in ("in_person", "remote", "either"):
        assert why_not(replace(near, mode=mode), role, TODAY) == []
    far = replace(near, lat=51.35)  # about 14 miles
    assert why_not(replace(far, mode="either"), role, TODAY) == []  # can do it from home
    assert why_not(replace(far, mode="remote"), role, TODAY) == []
    assert [r.code for r in why_not(replace(far, mode="in_person"), role, TODAY)] == ["too_far"]
    res = RoleIndex([role]).rank(replace(near, mode="in_person"), 5, TODAY)[0]
    assert "can also be done from home" in res.explanation


def test_the_reasons_are_stated():
    role = RoleFeatures(id=1, organisation_id=1, mode="remote", title="Telephone befriender")
    v = VolunteerFeatures(id=1, adult_confirmed=True, mode="in_person")
    (reason,) = why_not(v, role, TODAY)
    assert reason.code == "in_person_only" and "from home" in reason.message and "in person" in reason.message
    assert not reason.soft
    assert RoleIndex([role]).rank(v, 10, TODAY) == []  # a hard gate: never even a close match
