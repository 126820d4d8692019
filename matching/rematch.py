"""The county re-match in matrices: many volunteers against the role index at once.

Volunteers are grouped so that a group shares one block of candidate rows: the same mode, the same
travel radius and nearby homes (a grid cell half the radius wide), or all remote volunteers, or all
volunteers without a place. Each block is gathered from the index's columns once; the gates and the
seven components are then computed for (volunteers × rows) matrices of at most ``MAX_CELLS`` cells,
with exactly the arithmetic of :meth:`RoleIndex._evaluate` (same values, same order of the sums), and
each volunteer's best ``k`` go through the same spread re-rank (:meth:`RoleIndex._top`). No explanations:
call :meth:`RoleIndex.rank` for the volunteers you show or email.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .eligibility import ADULT_AGE, EARTH_RADIUS_MILES, VolunteerProfile, unit_vector
from .types import VolunteerFeatures

if TYPE_CHECKING:
    from .index import RoleIndex

MAX_CELLS = 1_500_000  # volunteers × rows per matrix (about 12 MB for each float64 matrix)
_MILES_PER_DEG_LAT = 68.70  # as the index: the smallest value, so that a band is never too narrow
_MILES_PER_DEG_LON_EQ = 69.17
_KENT_MILES_PER_DEG_LON = 43.0  # only for the grid cells (a cell's size never changes a result)
_DOB_NONE_HI = np.iinfo(np.int64).min  # passes ``dob_hi >= key`` for every role
_DOB_NONE_LO = np.iinfo(np.int64).max  # passes ``dob_lo < key`` for every role

Key = tuple[object, ...]


def group_key(v: VolunteerFeatures) -> Key:
    """Volunteers with the same key share a candidate block."""
    if v.mode == "remote":
        return ("remote",)
    if v.lat is None or v.lon is None:
        return ("nowhere", v.mode)
    r = float(v.travel_radius_miles)
    cell = max(r, 2.0)
    return (v.mode, r, math.floor(v.lat * _MILES_PER_DEG_LAT / cell), math.floor(v.lon * _KENT_MILES_PER_DEG_LON / cell))


def rank_arrays(
    index: RoleIndex, vols: Sequence[VolunteerFeatures], k: int, today: date
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Top ``k`` role ids and scores of each volunteer (-1 / NaN padding), as ``RoleIndex.rank`` without
    explanations or close matches would give them."""
    n = len(vols)
    rid = np.full((n, k), -1, np.int64)
    sc = np.full((n, k), np.nan, np.float32)
    groups: dict[Key, list[int]] = {}
    skill_cols = index._skill_columns()
    for i, v in enumerate(vols):
        groups.setdefault(group_key(v), []).append(i)
    for members in groups.values():
        group = [vols[i] for i in members]
        block = _block(index, group)
        if block.size == 0:
            continue
        step = max(1, MAX_CELLS // block.size)
        cache: dict[object, Any] = {}  # the block's values of the index's columns, gathered once per group
        for s in range(0, len(members), step):
            for j, top in enumerate(_rank_batch(index, group[s : s + step], block, k, skill_cols, cache)):
                i = members[s + j]
                for c, (row, score) in enumerate(top):
                    rid[i, c] = index.ids[row]
                    sc[i, c] = score
    return rid, sc


def _block(index: RoleIndex, group: Sequence[VolunteerFeatures]) -> npt.NDArray[np.int64]:
    """Rows open today that some volunteer of the group could reach (ascending)."""
    v0 = group[0]
    n, n_sp = index._n, index._n_sp
    code = 0
    for v in group:
        code |= index._code_bits(v)
    spans: list[tuple[int, int]]
    parts: list[npt.NDArray[np.int64]] = []
    if v0.mode == "remote":
        spans = [(n_sp, n)]
    elif v0.lat is None or v0.lon is None:
        spans = [(0, n)]
    else:
        r = max(float(v0.travel_radius_miles), 0.0)
        lats = [float(v.lat) for v in group if v.lat is not None]
        lons = [float(v.lon) for v in group if v.lon is not None]
        dlat = r / _MILES_PER_DEG_LAT + 1e-9
        maxlat = min(89.9, max(abs(x) for x in lats) + dlat)
        dlon = r / (_MILES_PER_DEG_LON_EQ * math.cos(math.radians(maxlat))) + 1e-9
        lon_lo, lon_hi = min(lons) - dlon, max(lons) + dlon
        near = index._grid_rows(min(lats) - dlat, max(lats) + dlat, lon_lo, lon_hi)  # the grid's cells around them
        lon = index.lon.take(near)
        near = near[((index.gate_bit.take(near) & code) != 0) & (lon >= lon_lo) & (lon <= lon_hi)]
        spans = [(n_sp, n)]
        parts.append(near)
    for lo, hi in spans:
        if hi <= lo:
            continue
        sl = slice(lo, hi)
        ok = (index.gate_bit[sl] & code) != 0
        rows = np.flatnonzero(ok)
        rows += lo
        parts.append(rows)
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


def _skill_component(
    index: RoleIndex,
    profiles: Sequence[VolunteerProfile],
    vi: npt.NDArray[np.int64],
    ci: npt.NDArray[np.int64],
    skill_cols: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]],
    sk_base: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """The skills component of each (volunteer, row) pair, as :meth:`RoleIndex._skill_rows` adds it up."""
    idx, wts = skill_cols
    strengths = np.stack([p.skills.strengths for p in profiles])
    width = strengths.shape[1]
    flat = strengths.ravel()
    base = vi * width
    out = sk_base.take(ci)
    for j in range(idx.shape[0]):
        term = flat.take(base + idx[j].take(ci))
        term *= wts[j].take(ci)
        out += term
    return out


def _rank_batch(
    index: RoleIndex,
    vols: Sequence[VolunteerFeatures],
    rows: npt.NDArray[np.int64],
    k: int,
    skill_cols: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None,
    cache: dict[object, Any] | None = None,
) -> list[list[tuple[int, float]]]:
    """Gate (volunteers × rows), then score only the pairs that pass, and each volunteer's
    spread-re-ranked best ``k`` as (row, score) pairs. The hard gates are decided on the whole matrix of
    integers; the distances, the travel radius and the seven components are worked out for the passing
    pairs only (each pair with exactly the arithmetic of the whole-matrix form, element by element)."""
    w = index.w
    profiles = [index.profile(v) for v in vols]
    b = len(vols)
    n_rows = rows.size
    if skill_cols is None:
        skill_cols = index._skill_columns()

    if cache is None:
        cache = {}

    def col(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The block's values of one column (gathered once for all the batches of a block, so that the
        pairs then gather from small arrays)."""
        got = cache.get(id(a))
        if got is None:
            got = cache[id(a)] = a.take(rows)
        return got

    if "skills" not in cache:
        cache["skills"] = (np.ascontiguousarray(skill_cols[0][:, rows]), np.ascontiguousarray(skill_cols[1][:, rows]))

    # --- the hard gates and the times, on the whole matrix
    code = np.array([index._code_bits(v) for v in vols], np.int64)
    avail = np.array([p.avail for p in profiles], np.int64)
    ok = (col(index.gate_bit).astype(np.int64)[None, :] & code[:, None]) != 0
    ok &= (col(index.gate_mask)[None, :] & avail[:, None]) != 0
    keys = [(born.year * 10_000 + born.month * 100 + born.day) if (born := v.date_of_birth) is not None else None for v in vols]
    if any(x is not None for x in keys):
        hi_key = np.array([_DOB_NONE_HI if x is None else x for x in keys], np.int64)[:, None]
        lo_key = np.array([_DOB_NONE_LO if x is None else x for x in keys], np.int64)[:, None]
        ok &= (col(index.dob_hi)[None, :] >= hi_key) & (col(index.dob_lo)[None, :] < lo_key)
    unknown = np.array([v.date_of_birth is None and not v.adult_confirmed for v in vols], bool)[:, None]
    if unknown.any():  # age not known: only roles open to under-18s (age_not_known)
        ok &= ~unknown | (col(index.min_age) < ADULT_AGE)
    ess = np.flatnonzero(col(index.has_ess))
    if ess.size:  # the essential skills, for the few roles that mark any
        er = rows.take(ess)
        bad = np.zeros((b, ess.size), bool)
        vb = np.stack([p.skills.gate_bits.view(np.int64) for p in profiles])
        for j in range(index._W):
            bad |= (index.req_bits[er, j][None, :] & ~vb[:, j : j + 1]) != 0
        ok[:, ess] &= ~bad
    for i, v in enumerate(vols):
        if v.active_referral_role_ids:
            drop = np.array(
                sorted(r for r in (index._row_of.get(x) for x in v.active_referral_role_ids) if r is not None), np.int64
            )
            at = np.searchsorted(rows, drop)
            hit = at[(at < rows.size) & (rows[np.minimum(at, rows.size - 1)] == drop)]
            ok[i, hit] = False
    cells = np.flatnonzero(ok)
    del ok
    vi, ci = np.divmod(cells, n_rows)  # volunteer and block column of each passing pair
    del cells
    mode_b = col(index.mode)
    mode = mode_b.take(ci)
    v0 = vols[0]
    rv = w.remote_distance_value
    # --- distance and the travel radius
    d = None
    if v0.mode != "remote" and v0.lat is not None and v0.lon is not None:
        q = np.array([unit_vector(float(v.lat), float(v.lon)) for v in vols if v.lat is not None and v.lon is not None])
        d = col(index.ux).take(ci)
        d -= q[:, 0].take(vi)
        d *= d
        dy = col(index.uy).take(ci)
        dy -= q[:, 1].take(vi)
        dy *= dy
        dz = col(index.uz).take(ci)
        dz -= q[:, 2].take(vi)
        dz *= dz
        d += dy
        d += dz
        del dy, dz
        np.maximum(d, 0.0, out=d)
        d *= 0.25
        np.minimum(d, 1.0, out=d)
        np.sqrt(d, out=d)
        np.arcsin(d, out=d)
        d *= 2 * EARTH_RADIUS_MILES
        travels = mode == 0
        if v0.mode == "in_person":
            travels |= mode == 2
        near = np.flatnonzero(~(travels & (d > float(v0.travel_radius_miles))))
        if near.size < ci.size:
            vi, ci, mode, d = vi.take(near), ci.take(near), mode.take(near), d.take(near)
        del travels, near
    rc = rows.take(ci)  # the index row of each pair
    # --- the seven components, summed as RoleIndex._evaluate sums them
    ws = index._ws
    comp = _skill_component(index, profiles, vi, ci, cache["skills"], col(index.sk_base))
    raw = comp * ws[0]
    cb = np.array([p.cause_bits for p in profiles], np.int64)
    if cb.any():  # causes
        inter = np.bitwise_count(col(index.cause_bits).take(ci) & cb.take(vi))
        denom = np.minimum(col(index.cause_pop).take(ci), np.bitwise_count(cb).take(vi))
        np.maximum(denom, 1, out=denom)
        np.divide(inter, denom, out=comp)
        del inter, denom
    else:
        comp[:] = 0.0
    comp *= ws[1]
    raw += comp
    if v0.mode == "remote" or d is None:  # distance: only remote and hybrid roles, or no place to measure from
        comp[:] = rv
    else:
        np.multiply(d, -1.0 / w.distance_scale_miles, out=comp)
        np.exp(comp, out=comp)
        comp[np.isnan(comp)] = rv
        if v0.mode != "in_person":
            np.maximum(comp, rv, out=comp, where=mode == 2)
        comp[mode == 1] = rv
    del d
    comp *= ws[2]
    raw += comp
    shared = np.bitwise_count(col(index.eff_mask).take(ci) & avail.take(vi))  # availability
    np.divide(shared, col(index.pop1).take(ci), out=comp)
    del shared
    comp += col(index.flex_f).take(ci)
    comp *= ws[3]
    raw += comp
    n_kinds = len(index._commit_kinds)  # commitment: each volunteer's table of the roles' kinds
    tables = np.empty((b, n_kinds))
    for i, v in enumerate(vols):
        tables[i] = index._commitment_table(v)[:n_kinds]
    tables.ravel().take(vi * n_kinds + col(index.commit_code).take(ci), out=comp)
    comp *= ws[4]
    raw += comp
    raw += col(index.need).take(ci) * ws[5]
    raw += col(index.fresh).take(ci) * ws[6]
    np.round(raw, 9, out=raw)
    out = []
    cuts = np.searchsorted(vi, np.arange(b + 1)).tolist()
    for i in range(b):
        a, e = cuts[i], cuts[i + 1]
        out.append([(r, float(raw[a + j])) for r, j in index._top(rc[a:e], raw[a:e], k)])
    return out
