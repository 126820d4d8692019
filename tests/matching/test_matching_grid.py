"""The grid of the role index: looking only in the cells around a volunteer's home finds exactly what a
scan of every role finds, for homes at the edge of the county (and beyond it) and roles at the edge of
the travel radius, before and after roles move."""

import math
import random
from dataclasses import replace

import numpy as np

from matching import RoleIndex, VolunteerFeatures, rank_roles
from matching.eligibility import EARTH_RADIUS_MILES

from ._gen import TODAY, random_role, random_volunteer

RADII = [0, 0.5, 1, 2, 3.7, 5, 10, 25, 60]
CORNERS = [(50.9, 0.0), (50.9, 1.45), (51.5, 0.0), (51.5, 1.45), (51.2, 0.0), (51.2, 1.45), (50.9, 0.7), (51.5, 0.7)]


def _destination(lat: float, lon: float, miles: float, bearing: float) -> tuple[float, float]:
    """The point ``miles`` from (lat, lon) along ``bearing`` (radians), on the index's sphere."""
    d = miles / EARTH_RADIUS_MILES
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def _county(seed: int):
    """Roles over the county, bunched at its edges and on circles of the volunteers' radii around
    homes at the corners and edges (exactly at the radius, a hair inside and a hair outside)."""
    rng = random.Random(seed)
    roles = [random_role(rng, i, n_orgs=150) for i in range(2500)]
    homes = CORNERS + [(rng.uniform(50.9, 51.5), rng.uniform(0.0, 1.45)) for _ in range(8)]
    vols = []
    i = len(roles)
    for j, (lat, lon) in enumerate(homes):
        for radius in rng.sample(RADII, 3):
            base = replace(
                random_volunteer(rng, len(vols)),
                lat=lat,
                lon=lon,
                travel_radius_miles=radius,
                mode=rng.choice(["in_person", "either"]),
            )
            vols.append(base)
            for _ in range(6):
                bearing = rng.uniform(0, 2 * math.pi)
                for miles in (radius, radius * (1 - 1e-9), radius * (1 + 1e-9), radius + 0.3, max(radius - 0.3, 0)):
                    rlat, rlon = _destination(lat, lon, miles, bearing)
                    roles.append(replace(random_role(rng, i), mode="in_person", lat=rlat, lon=rlon))
                    i += 1
    # homes just outside the county and far away: the grid's cells stop at the roles' edge
    for lat, lon in [(50.85, -0.05), (51.55, 1.5), (52.5, 0.7), (51.2, -2.0), (0.0, 0.0)]:
        for radius in (2, 25, 200):
            vols.append(replace(random_volunteer(rng, len(vols)), lat=lat, lon=lon, travel_radius_miles=radius, mode="either"))
    vols += [random_volunteer(rng, len(vols) + j) for j in range(40)]
    return roles, vols


def _assert_grid_is_a_full_scan(idx: RoleIndex, vols: list[VolunteerFeatures]) -> None:
    for v in vols:
        p = idx.profile(v)
        for close in (False, True):
            extra = idx.w.close_extra_miles(float(v.travel_radius_miles)) if close else 0.0
            everything = idx._candidates(p, extra, relaxed=close, full_scan=True)
            got = idx._evaluate(p, TODAY, close=close)
            want = idx._evaluate(p, TODAY, rows=everything, close=close)
            assert np.array_equal(got[0], want[0]), (v, close)
            assert np.array_equal(got[1], want[1])
            assert np.array_equal(got[2], want[2])
            assert np.array_equal(got[3], want[3], equal_nan=True)


def test_the_grid_finds_what_a_full_scan_finds_at_the_edges():
    roles, vols = _county(7)
    idx = RoleIndex(roles)
    idx.rank(vols[0], 10, TODAY)
    assert idx._grid is not None and idx._grid[4] * idx._grid[5] > 100  # many cells
    _assert_grid_is_a_full_scan(idx, vols)
    # the explained lists and the re-match agree with the one-pair-at-a-time reference
    many = idx.rank_many(vols, 10, TODAY)
    for v in vols[:: max(1, len(vols) // 30)]:
        want = rank_roles(v, roles, TODAY, 10)
        got = idx.rank(v, 10, TODAY)
        assert [(x.role_id, x.explanation) for x in got] == [(x.role_id, x.explanation) for x in want]
        assert all(abs(x.score - y.score) < 1e-9 for x, y in zip(got, want))
        strict = rank_roles(v, roles, TODAY, 10, close=False)
        assert [int(r) for r in many.role_ids[vols.index(v)] if r >= 0] == [x.role_id for x in strict]


def test_the_grid_stays_exact_as_roles_move():
    roles, vols = _county(11)
    idx = RoleIndex(roles)
    idx.rank(vols[0], 10, TODAY)
    rng = random.Random(3)
    moved = []
    for r in rng.sample(roles, 600):
        how = rng.random()
        if how < 0.4:  # a few yards: most stay in their cell
            new = replace(r, lat=None if r.lat is None else r.lat + rng.uniform(-1e-4, 1e-4))
        elif how < 0.7:  # across the county
            new = replace(r, mode="in_person", lat=rng.uniform(50.9, 51.5), lon=rng.uniform(0.0, 1.45))
        elif how < 0.85:  # outside the grid
            new = replace(r, mode="in_person", lat=rng.uniform(51.5, 51.7), lon=rng.uniform(-0.3, 0.0))
        else:  # from home now, or back in person
            new = replace(r, mode=rng.choice(["remote", "hybrid", "in_person"]))
        idx.upsert(new)
        moved.append(new)
    for r in rng.sample(roles, 50):
        idx.remove(r.id)
    _assert_grid_is_a_full_scan(idx, vols)
    for _ in range(6):  # enough changes to compact the index and lay the grid again
        for r in rng.sample(roles, 800):
            idx.upsert(replace(r, lat=rng.uniform(50.85, 51.6), lon=rng.uniform(-0.1, 1.5), mode="in_person"))
    idx.rank(vols[0], 10, TODAY)
    _assert_grid_is_a_full_scan(idx, vols)
