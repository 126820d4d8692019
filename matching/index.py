"""In-memory vectorised index of roles.

Layout: one row per role in column arrays (numpy). Rows are kept in three contiguous segments so that a
query works on array *slices* (views, no gathering) until only the few surviving rows are left:

- ``[0, n_sp)``: in-person roles with a location, sorted by the cell of a grid (cells about two miles
  wide, row by row of cells) so that each cell is one run of rows. A volunteer's travel radius maps to the
  cells of a box around their home, one run of rows for each row of cells, then the exact great-circle
  gate; nothing outside those cells is touched;
- ``[n_sp, n_main)``: remote, hybrid and location-less roles (always candidates);
- ``[n_main, n)``: roles added or moved since the last compaction (unsorted, always candidates).

``upsert`` writes in place when a role keeps its place in the order, otherwise it appends to the last
segment and marks the old row dead; the index compacts itself when that segment grows.

Every eligibility gate is a boolean array and the scoring uses the same formulas as
:mod:`matching.scoring`; only the best results go through the spread re-rank and get explanations.
Things that depend on the date (future sessions of one-off roles, the age reference date, "starting
soon", freshness, publish windows) are derived for one ``today`` at a time and recomputed when a query
comes with another date.
"""

from __future__ import annotations

import functools
import math
import multiprocessing as mp
import threading
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

import numpy as np

import numpy.typing as npt

from .eligibility import (
    ADULT_AGE,
    EARTH_RADIUS_MILES,
    CompiledRole,
    RoleTiming,
    VolunteerProfile,
    close_miss,
    compile_role,
    profile_volunteer,
    role_timing,
    unit_vector,
    youngest_age,
)
from .scoring import HOURS_UNKNOWN, Audience, PREFERENCE_MISMATCH, explain, result, role_flags, volunteer_flags
from . import rematch
from .spread import spread_positions
from .types import ALL_SLOTS, COMPONENTS, MatchResult, RoleFeatures, VolunteerFeatures, Weights
from .vocabulary import Vocabulary, default_vocabulary, tokens

MODE_CODE = {"in_person": 0, "remote": 1, "hybrid": 2}
_NONE_ORD_LO = -(2**31) + 1
_NONE_ORD_HI = 2**31 - 1
_MILES_PER_DEG_LAT = 68.70  # the smallest value (at the equator), so the band is never too narrow
_MILES_PER_DEG_LON_EQ = 69.17
_CELL_MILES = 2.0  # the grid's cells are about this wide (a cell's size never changes a result)
_CELL_DEG_LAT = _CELL_MILES / _MILES_PER_DEG_LAT
_CELL_DEG_LON = _CELL_MILES / 43.0  # about 2 miles of longitude in Kent
_MAX_CELLS = 1 << 20  # roles spread wider than a county get coarser cells

# column name → (dtype, fill value); 2-D columns get a width
_COLUMNS = {
    "ids": (np.int64, -1),
    "org": (np.int64, -1),
    "present": (bool, False),
    "published": (bool, False),
    "pub_start": (np.int64, _NONE_ORD_LO),
    "pub_end": (np.int64, _NONE_ORD_HI),
    "places": (np.int64, 0),
    "referrals": (np.int64, 0),
    "min_age": (np.int64, -1),
    "max_age": (np.int64, 10_000),
    "dbs": (np.int64, 0),
    "mode": (np.int8, 0),
    "lat": (np.float64, np.nan),
    "lon": (np.float64, np.nan),
    "ux": (np.float64, np.nan),
    "uy": (np.float64, np.nan),
    "uz": (np.float64, np.nan),
    "slot_mask": (np.int64, 0),
    "one_off": (bool, False),
    "hours": (np.float64, np.nan),
    "struggling": (bool, False),
    "published_ord": (np.int64, _NONE_ORD_LO),
    "has_skills": (bool, False),
    "cause_bits": (np.int64, 0),
    "has_ess": (bool, False),  # marks at least one skill essential
    "gate_code": (np.int8, 0),  # mode * 4 + DBS level: one lookup answers the mode and DBS gates
    "sk_base": (np.float64, 0.0),  # the skills component before any skill is matched
    "cause_pop": (np.int64, 0),  # how many causes the role has
    "commit_code": (np.int64, 0),  # the role's kind for the commitment component (hours, one-off)
    # derived for self._today
    "eff_mask": (np.int64, 0),
    "eff_pop": (np.int64, 0),
    "flexible": (bool, False),
    "alive": (bool, False),
    "ref_year": (np.int64, 0),
    "ref_mmdd": (np.int64, 0),
    "need": (np.float64, 0.0),
    "fresh": (np.float64, 0.0),
    "gate_mask": (np.int64, 0),  # eff_mask, or every slot for a flexible role (the time gate)
    "dob_hi": (np.int64, 0),  # the age gates as bounds on the date of birth (yyyymmdd)
    "dob_lo": (np.int64, 0),
    "margin": (np.float64, 0.0),  # the over-subscribed handicap of the spread re-rank
    "gate_bit": (np.int32, 0),  # 1 << gate_code for a role open today, else 0
    "pop1": (np.float64, 1.0),  # how many slots the role has today, at least 1 (the availability share)
    "flex_f": (np.float64, 0.0),  # 1.0 for a flexible role (it counts as free whenever the volunteer is)
}


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Run a public method under the index's lock: lazy derived state (today's date, compaction,
    the text model) and upserts must not interleave with a ranking in another thread."""

    @functools.wraps(method)
    def wrapper(self: RoleIndex, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return cast(_F, wrapper)


@dataclass
class RankManyResult:
    """Top-k of many volunteers: ``role_ids[i]`` are volunteer ``volunteer_ids[i]``'s roles, best first,
    padded with -1; ``scores`` likewise (NaN padding)."""

    volunteer_ids: np.ndarray  # int64 (n,)
    role_ids: np.ndarray  # int64 (n, k)
    scores: np.ndarray  # float32 (n, k)


class RoleIndex:
    """Vectorised index of roles for volunteer → role matching (and search).

    >>> idx = RoleIndex(roles, weights=Weights())   # or RoleIndex() and idx.upsert(role) for each
    >>> idx.rank(volunteer, k=10, today=date.today())   # list[MatchResult], best first
    >>> idx.upsert(changed_role); idx.remove(role_id)   # keep it current as roles change
    """

    # column arrays (see ``_COLUMNS``), set by ``_grow`` and ``_compact``
    ids: npt.NDArray[Any]
    org: npt.NDArray[Any]
    present: npt.NDArray[Any]
    published: npt.NDArray[Any]
    pub_start: npt.NDArray[Any]
    pub_end: npt.NDArray[Any]
    places: npt.NDArray[Any]
    referrals: npt.NDArray[Any]
    min_age: npt.NDArray[Any]
    max_age: npt.NDArray[Any]
    dbs: npt.NDArray[Any]
    mode: npt.NDArray[Any]
    lat: npt.NDArray[Any]
    lon: npt.NDArray[Any]
    ux: npt.NDArray[Any]
    uy: npt.NDArray[Any]
    uz: npt.NDArray[Any]
    slot_mask: npt.NDArray[Any]
    one_off: npt.NDArray[Any]
    hours: npt.NDArray[Any]
    struggling: npt.NDArray[Any]
    published_ord: npt.NDArray[Any]
    has_skills: npt.NDArray[Any]
    cause_bits: npt.NDArray[Any]
    has_ess: npt.NDArray[Any]
    gate_code: npt.NDArray[Any]
    sk_base: npt.NDArray[Any]
    cause_pop: npt.NDArray[Any]
    commit_code: npt.NDArray[Any]
    pop1: npt.NDArray[Any]
    flex_f: npt.NDArray[Any]
    gate_mask: npt.NDArray[Any]
    dob_hi: npt.NDArray[Any]
    dob_lo: npt.NDArray[Any]
    margin: npt.NDArray[Any]
    eff_mask: npt.NDArray[Any]
    eff_pop: npt.NDArray[Any]
    flexible: npt.NDArray[Any]
    alive: npt.NDArray[Any]
    ref_year: npt.NDArray[Any]
    ref_mmdd: npt.NDArray[Any]
    need: npt.NDArray[Any]
    fresh: npt.NDArray[Any]
    req_bits: npt.NDArray[Any]
    skill_idx: npt.NDArray[Any]
    skill_w: npt.NDArray[Any]
    u3: npt.NDArray[Any]
    gate_bit: npt.NDArray[Any]
    _tfidf_X: Any
    _tfidf_vec: Any
    _text_rows: npt.NDArray[np.int64]
    _text_row_pos: npt.NDArray[np.int64] | None
    _text_vocab: list[str]
    _text_prefixes: dict[str, list[str]]

    def __init__(
        self,
        roles: Iterable[RoleFeatures] = (),
        weights: Weights | None = None,
        vocab: Vocabulary | None = None,
        capacity: int = 1024,
    ):
        self._lock = threading.RLock()
        self.w = weights or Weights()
        self.vocab = vocab or default_vocabulary()
        self._W = self.vocab.skill_words
        self._K = 4
        self._n = self._n_sp = self._n_main = 0
        self._cap = 0
        self._row_of: dict[int, int] = {}
        self._roles: list[RoleFeatures | None] = []
        self._today: date | None = None
        self._text_dirty = True
        self._text_row_pos = None
        self._needs_compact = False
        self._compiled: dict[int, CompiledRole] = {}
        self._timings: dict[int, tuple[RoleTiming, tuple[bool, tuple[str, ...]]]] = {}
        self._skill_cols: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None
        # the grid of the in-person segment: (lat0, lon0, cell lat, cell lon, rows, columns, run starts)
        self._grid: tuple[float, float, float, float, int, int, npt.NDArray[np.int64]] | None = None
        self._cell_key = np.empty(0, np.int64)
        self._commit_kinds: dict[tuple[float | None, bool], int] = {}
        self._commit_tables: dict[tuple[float | None, str], npt.NDArray[np.float64]] = {}
        self._ws = np.array(self.w.components()) / sum(self.w.components())
        self._grow(capacity)
        for r in roles:
            self.upsert(r)
        self._compact()

    # --- storage --------------------------------------------------------------------------------------
    def _alloc(self, cap: int) -> dict[str, np.ndarray]:
        cols = {name: np.full(cap, fill, dtype=dt) for name, (dt, fill) in _COLUMNS.items()}
        cols["req_bits"] = np.zeros((cap, self._W), np.int64)
        cols["skill_idx"] = np.full((cap, self._K), self.vocab.n_skills, np.int64)
        cols["skill_w"] = np.zeros((cap, self._K), np.float64)
        cols["u3"] = np.full((cap, 3), np.nan, np.float64)  # ux, uy, uz side by side: one gather
        return cols

    def _grow(self, cap: int) -> None:
        if cap <= self._cap:
            return
        cols = self._alloc(cap)
        for name, arr in cols.items():
            if self._cap:
                arr[: self._cap] = getattr(self, name)
            setattr(self, name, arr)
        self._roles.extend([None] * (cap - self._cap))
        self._cap = cap

    def _grow_k(self, k: int) -> None:
        extra = k - self._K
        self.skill_idx = np.concatenate([self.skill_idx, np.full((self._cap, extra), self.vocab.n_skills, np.int64)], 1)
        self.skill_w = np.concatenate([self.skill_w, np.zeros((self._cap, extra))], 1)
        self._K = k

    def _compact(self) -> None:
        """Rewrite the rows in segment order (in-person with a location cell by cell of the grid, then the
        rest) and lay the grid over the first segment."""
        live = np.flatnonzero(self.present[: self._n])
        sp = (self.mode[live] == 0) & ~np.isnan(self.lat[live])
        a = live[sp]
        key = self._make_grid(self.lat[a], self.lon[a])
        order = np.lexsort((self.lat[a], key))  # cell by cell, by latitude within a cell
        a, key = a[order], key[order]
        b = live[~sp]
        perm = np.concatenate([a, b])
        n = perm.size
        cap = max(1024, self._cap)
        cols = self._alloc(cap)
        for name, arr in cols.items():
            arr[:n] = getattr(self, name)[perm]
            setattr(self, name, arr)
        roles = [self._roles[r] for r in perm]
        self._compiled = {i: self._compiled[int(r)] for i, r in enumerate(perm) if int(r) in self._compiled}
        self._timings = {}
        self._skill_cols = None
        self._roles = roles + [None] * (cap - n)
        self._row_of = {r.id: i for i, r in enumerate(roles)}
        self._cap = cap
        self._n = self._n_main = n
        self._n_sp = a.size
        self._cell_key = key
        self._needs_compact = False
        self._text_dirty = True

    def _make_grid(self, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Lay a grid over these places (cells about ``_CELL_MILES`` wide, coarser when they spread over
        more than ``_MAX_CELLS`` cells) and return each place's cell, numbered row of cells by row."""
        if lat.size == 0:
            self._grid = None
            return np.empty(0, np.int64)
        lat0, lon0 = float(lat.min()), float(lon.min())
        cl, co = _CELL_DEG_LAT, _CELL_DEG_LON
        cells = ((float(lat.max()) - lat0) / cl + 1) * ((float(lon.max()) - lon0) / co + 1)
        if cells > _MAX_CELLS:
            grow = math.sqrt(cells / _MAX_CELLS) * 1.01
            cl, co = cl * grow, co * grow
        cy = np.floor((lat - lat0) / cl).astype(np.int64)
        cx = np.floor((lon - lon0) / co).astype(np.int64)
        ny, nx = int(cy.max()) + 1, int(cx.max()) + 1
        key = cy * nx + cx
        start = np.searchsorted(np.sort(key), np.arange(ny * nx + 1), "left").astype(np.int64)
        self._grid = (lat0, lon0, cl, co, ny, nx, start)
        return key

    def _cell_of(self, lat: float, lon: float) -> int:
        """The grid cell of a place, or -1 outside the grid."""
        if self._grid is None:
            return -1
        lat0, lon0, cl, co, ny, nx, _ = self._grid
        cy, cx = math.floor((lat - lat0) / cl), math.floor((lon - lon0) / co)
        return cy * nx + cx if 0 <= cy < ny and 0 <= cx < nx else -1

    def _grid_rows(self, lat_lo: float, lat_hi: float, lon_lo: float, lon_hi: float) -> npt.NDArray[np.int64]:
        """Rows of the in-person segment in the cells that overlap the box (ascending): every role placed
        inside the box, and some near it."""
        g = self._grid
        if g is None:
            return np.empty(0, np.int64)
        lat0, lon0, cl, co, ny, nx, start = g
        cy0 = max(math.floor((lat_lo - lat0) / cl), 0)
        cy1 = min(math.floor((lat_hi - lat0) / cl), ny - 1)
        cx0 = max(math.floor((lon_lo - lon0) / co), 0)
        cx1 = min(math.floor((lon_hi - lon0) / co), nx - 1)
        if cy0 > cy1 or cx0 > cx1:
            return np.empty(0, np.int64)
        if cx0 == 0 and cx1 == nx - 1:  # whole rows of cells: one run
            return np.arange(start[cy0 * nx], start[(cy1 + 1) * nx], dtype=np.int64)
        base = np.arange(cy0 * nx, cy1 * nx + 1, nx)
        s = start.take(base + cx0)
        lens = start.take(base + (cx1 + 1)) - s
        total = int(lens.sum())
        if total == 0:
            return np.empty(0, np.int64)
        # one arange shifted run by run: rows[i] = s[run] + (i - first position of the run)
        shift = s - (np.cumsum(lens) - lens)
        rows: npt.NDArray[np.int64] = np.arange(total, dtype=np.int64)
        rows += np.repeat(shift, lens)
        return rows

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, role_id: int) -> bool:
        return role_id in self._row_of

    @_locked
    def get(self, role_id: int) -> RoleFeatures | None:
        r = self._row_of.get(role_id)
        return None if r is None else self._roles[r]

    @_locked
    def roles(self) -> list[RoleFeatures]:
        return [r for r in (self._roles[i] for i in sorted(self._row_of.values())) if r is not None]

    @_locked
    def upsert(self, role: RoleFeatures) -> None:
        """Add a role or replace the stored version of it."""
        row = self._row_of.get(role.id)
        spatial = role.mode == "in_person" and role.lat is not None and role.lon is not None
        if row is not None and row < self._n_main:
            in_sp = row < self._n_sp
            same_place = (
                in_sp
                and spatial
                and role.lat is not None
                and role.lon is not None
                and self._cell_of(role.lat, role.lon) == self._cell_key[row]
            )
            if not (same_place or (not in_sp and not spatial)):
                self._kill(row)
                row = None
        if row is None:
            if self._n >= self._cap:
                self._grow(self._cap * 2)
            row = self._n
            self._n += 1
            self._row_of[role.id] = row
            if self._n - self._n_main > max(2048, len(self._row_of) // 16):
                self._needs_compact = True
        self._write(row, role)
        self._text_dirty = True
        if self._today is not None:
            self._derive(np.array([row]), self._today)

    def _kill(self, row: int) -> None:
        self._compiled.pop(row, None)
        self._timings.pop(row, None)
        self._skill_cols = None
        self._roles[row] = None
        self.present[row] = False
        self.alive[row] = False
        self.gate_bit[row] = 0
        self.ids[row] = -1

    @_locked
    def remove(self, role_id: int) -> bool:
        """Drop a role (closed, deleted, filled …). Returns whether it was there."""
        row = self._row_of.pop(role_id, None)
        if row is None:
            return False
        self._kill(row)
        self._text_dirty = True
        return True

    def _write(self, row: int, role: RoleFeatures) -> None:
        w = self.w
        self._roles[row] = role
        self.ids[row] = role.id
        self.org[row] = role.organisation_id
        self.present[row] = True
        self.published[row] = role.status == "published"
        self.pub_start[row] = role.publish_start.toordinal() if role.publish_start else _NONE_ORD_LO
        self.pub_end[row] = role.publish_end.toordinal() if role.publish_end else _NONE_ORD_HI
        self.places[row] = 1 if role.places_available is None else role.places_available  # unknown: never full
        self.referrals[row] = role.active_referrals
        youngest = youngest_age(role)  # 18 for a role not suitable for under-18s
        self.min_age[row] = -1 if youngest is None else youngest
        self.max_age[row] = 10_000 if role.max_age is None else role.max_age
        self.dbs[row] = role.dbs_level
        self.mode[row] = MODE_CODE.get(role.mode, 0)
        if role.lat is None or role.lon is None:
            self.lat[row] = self.lon[row] = self.ux[row] = self.uy[row] = self.uz[row] = np.nan
        else:
            self.lat[row], self.lon[row] = role.lat, role.lon
            self.ux[row], self.uy[row], self.uz[row] = unit_vector(role.lat, role.lon)
        self.u3[row] = (self.ux[row], self.uy[row], self.uz[row])
        self.slot_mask[row] = role.slot_mask & ALL_SLOTS
        self.one_off[row] = role.one_off
        self.hours[row] = np.nan if role.hours_per_week is None else role.hours_per_week
        self.struggling[row] = role.organisation_struggling
        self.published_ord[row] = role.published_at.date().toordinal() if role.published_at else _NONE_ORD_LO
        cr = compile_role(role, self.vocab)
        words = [0] * self._W
        for i in cr.essential:
            words[i >> 6] |= 1 << (i & 63)
        self.req_bits[row] = [x - (1 << 64) if x >= 1 << 63 else x for x in words]
        n_sk = len(cr.required) + len(cr.desired)
        if n_sk > self._K:
            self._grow_k(n_sk)
        self.skill_idx[row] = self.vocab.n_skills
        self.skill_w[row] = 0.0
        if n_sk:
            tot = len(cr.required) + w.desired_skill_credit * len(cr.desired)
            for j, i in enumerate(cr.required):
                self.skill_idx[row, j] = i
                self.skill_w[row, j] = 1.0 / tot
            for j, i in enumerate(cr.desired, start=len(cr.required)):
                self.skill_idx[row, j] = i
                self.skill_w[row, j] = w.desired_skill_credit / tot
        self.has_skills[row] = n_sk > 0
        self.sk_base[row] = 0.0 if n_sk else w.no_skills_value
        self.cause_bits[row] = cr.cause_bits
        self.cause_pop[row] = cr.cause_bits.bit_count()
        hours = role.hours_per_week
        key = (float(hours) if hours is not None and hours > 0 else None, bool(role.one_off))
        code = self._commit_kinds.get(key)
        if code is None:
            code = self._commit_kinds[key] = len(self._commit_kinds)
            self._commit_tables = {}
        self.commit_code[row] = code
        self.has_ess[row] = bool(cr.essential)
        self.gate_code[row] = MODE_CODE.get(role.mode, 0) * 4 + min(max(role.dbs_level, 0), 3)
        self._compiled[row] = cr
        self._timings.pop(row, None)
        self._skill_cols = None

    # --- date-dependent columns -------------------------------------------------------------------------
    def _derive(self, rows: np.ndarray, today: date) -> None:
        w = self.w
        t_ord = today.toordinal()
        rows = rows[self.present[rows]]
        if rows.size == 0:
            return
        one = self.one_off[rows]
        reg = rows[~one]
        self.eff_mask[reg] = self.slot_mask[reg]
        self.flexible[reg] = self.slot_mask[reg] == 0
        self.ref_year[reg] = today.year
        self.ref_mmdd[reg] = today.month * 100 + today.day
        has_future = np.ones(rows.size, bool)
        soon_ord = self.pub_end[rows].copy()
        soon_ord[one] = _NONE_ORD_HI
        for j in np.flatnonzero(one):
            r = rows[j]
            t = role_timing(self._roles[r], today)
            self.eff_mask[r] = t.eff_mask
            self.flexible[r] = False
            has_future[j] = t.has_future
            self.ref_year[r] = t.ref_date.year
            self.ref_mmdd[r] = t.ref_date.month * 100 + t.ref_date.day
            if t.next_date is not None:
                soon_ord[j] = t.next_date.toordinal()
        self.eff_pop[rows] = np.bitwise_count(self.eff_mask[rows])
        self.pop1[rows] = np.maximum(self.eff_pop[rows], 1)
        self.flex_f[rows] = self.flexible[rows]
        self.alive[rows] = (
            self.published[rows]
            & (self.pub_start[rows] <= t_ord)
            & (self.pub_end[rows] >= t_ord)
            & (self.places[rows] > 0)
            & has_future
        )
        few = 1.0 / (1.0 + np.maximum(self.referrals[rows], 0) / np.maximum(self.places[rows], 1))
        days = np.maximum(soon_ord - t_ord, 0)
        soon = np.where(soon_ord == _NONE_ORD_HI, 0.0, np.maximum(0.0, 1.0 - days / w.soon_days))
        self.need[rows] = 0.5 * few + 0.25 * soon + 0.25 * self.struggling[rows]
        pdays = np.maximum(t_ord - self.published_ord[rows], 0)
        self.fresh[rows] = np.where(self.published_ord[rows] == _NONE_ORD_LO, 0.0, np.exp(-pdays / w.freshness_days))
        self.gate_bit[rows] = np.where(self.alive[rows], np.left_shift(1, self.gate_code[rows].astype(np.int32)), 0)
        self.gate_mask[rows] = np.where(self.flexible[rows], ALL_SLOTS, self.eff_mask[rows])
        # age >= m on the reference date  <=>  dob (yyyymmdd) <= ref (yyyymmdd) - m * 10000
        ref = self.ref_year[rows] * 10_000 + self.ref_mmdd[rows]
        self.dob_hi[rows] = ref - self.min_age[rows] * 10_000
        self.dob_lo[rows] = ref - (self.max_age[rows] + 1) * 10_000
        over = self.referrals[rows] >= w.oversubscribed_ratio * np.maximum(self.places[rows], 1)
        self.margin[rows] = np.where(over, w.similar_fit_margin, 0.0)
        for r in rows.tolist():
            self._timings.pop(r, None)

    def _ensure(self, today: date) -> None:
        if self._needs_compact:
            self._compact()
            self._today = None
        if self._today != today:
            self._today = today
            self._timings = {}
            self._derive(np.arange(self._n), today)

    # --- querying -----------------------------------------------------------------------------------
    def profile(self, v: VolunteerFeatures | VolunteerProfile) -> VolunteerProfile:
        return v if isinstance(v, VolunteerProfile) else profile_volunteer(v, self.vocab, self.w)

    def _gate_slice(
        self, p: VolunteerProfile, lo: int, hi: int, lon_box: float | None, relaxed: bool = False
    ) -> npt.NDArray[np.int64]:
        """Rows in [lo, hi) passing every gate except the exact distance (views only, no gathers); with
        ``relaxed``, the time gate is left out too (for close matches)."""
        if hi <= lo:
            return np.empty(0, np.int64)
        v = p.v
        sl = slice(lo, hi)
        ok = (self.gate_bit[sl] & self._code_bits(v)) != 0
        if lon_box is not None and v.lon is not None:
            lon = self.lon[sl]
            ok &= (lon >= v.lon - lon_box) & (lon <= v.lon + lon_box)
        if not relaxed:
            ok &= (self.gate_mask[sl] & p.avail) != 0
        if v.date_of_birth is not None:
            dob = v.date_of_birth
            key = dob.year * 10_000 + dob.month * 100 + dob.day
            ok &= (self.dob_hi[sl] >= key) & (self.dob_lo[sl] < key)
        elif not v.adult_confirmed:  # age not known: only roles open to under-18s (age_not_known)
            ok &= self.min_age[sl] < ADULT_AGE
        rows = np.flatnonzero(ok)
        rows += lo
        return self._with_essentials(p, rows)

    def _gate_rows(self, p: VolunteerProfile, rows: npt.NDArray[np.int64], relaxed: bool = False) -> npt.NDArray[np.int64]:
        """``rows`` (ascending) passing every gate except the exact distance, as :meth:`_gate_slice`
        decides them for a slice."""
        if rows.size == 0:
            return rows
        v = p.v
        ok = (self.gate_bit.take(rows) & self._code_bits(v)) != 0
        if not relaxed:
            ok &= (self.gate_mask.take(rows) & p.avail) != 0
        if v.date_of_birth is not None:
            dob = v.date_of_birth
            key = dob.year * 10_000 + dob.month * 100 + dob.day
            ok &= (self.dob_hi.take(rows) >= key) & (self.dob_lo.take(rows) < key)
        elif not v.adult_confirmed:  # age not known: only roles open to under-18s (age_not_known)
            ok &= self.min_age.take(rows) < ADULT_AGE
        rows = rows.take(np.flatnonzero(ok))
        return self._with_essentials(p, rows)

    def _with_essentials(self, p: VolunteerProfile, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """``rows`` without the roles whose essential skills the volunteer lacks (the few that mark any)."""
        ess = self.has_ess.take(rows)
        if ess.any():
            er = rows[ess]
            vb = p.skills.gate_bits.view(np.int64)
            bad = np.zeros(er.size, bool)
            for j in range(self._W):
                bad |= (self.req_bits[er, j] & ~vb[j]) != 0
            if bad.any():
                rows = np.setdiff1d(rows, er[bad], assume_unique=True)
        return rows

    @staticmethod
    def _code_bits(v: VolunteerFeatures) -> int:
        """The (mode, DBS level) codes that pass the volunteer's mode and DBS gates, as bits."""
        bits = 0
        for m, code in MODE_CODE.items():
            if (v.mode == "remote" and m == "in_person") or (v.mode == "in_person" and m == "remote"):
                continue  # the mode gate, both ways
            for d in range(4):  # the DBS gate
                if v.dbs_willing or d <= v.dbs_level:
                    bits |= 1 << (code * 4 + d)
        return bits

    def _candidates(
        self, p: VolunteerProfile, extra_miles: float = 0.0, relaxed: bool = False, full_scan: bool = False
    ) -> npt.NDArray[np.int64]:
        """Rows passing every gate but the travel radius (widened by ``extra_miles``) and the
        already-referred check (ascending); ``relaxed`` leaves the time gate out. An in-person or either
        volunteer with a home is looked for only in the grid's cells around it (``full_scan`` looks
        everywhere, the same rows once the exact distance is applied: for tests)."""
        v = p.v
        parts = []
        if full_scan:
            parts.append(self._gate_slice(p, 0, self._n, None, relaxed))
        elif v.mode == "remote":
            parts.append(self._gate_slice(p, self._n_sp, self._n, None, relaxed))
        elif v.lat is None or v.lon is None:
            parts.append(self._gate_slice(p, 0, self._n, None, relaxed))
        else:
            r = max(float(v.travel_radius_miles), 0.0) + extra_miles
            dlat = r / _MILES_PER_DEG_LAT + 1e-9
            maxlat = min(89.9, abs(v.lat) + dlat)
            dlon = r / (_MILES_PER_DEG_LON_EQ * math.cos(math.radians(maxlat))) + 1e-9
            near = self._grid_rows(v.lat - dlat, v.lat + dlat, v.lon - dlon, v.lon + dlon)
            parts.append(self._gate_rows(p, near, relaxed))
            parts.append(self._gate_slice(p, self._n_sp, self._n, None, relaxed))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _evaluate(
        self,
        p: VolunteerProfile,
        today: date,
        rows: npt.NDArray[np.int64] | None = None,
        exclude_ids: frozenset[int] | None = None,
        close: bool = False,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Gate and score for one volunteer → (rows, scores, component values (7, n), distances). With
        ``close``, the rows are instead those missing exactly one soft condition (the travel radius, by
        no more than ``Weights.close_extra_miles``, or the times)."""
        v = p.v
        w = self.w
        extra = w.close_extra_miles(float(v.travel_radius_miles)) if close else 0.0
        if rows is None:
            rows = self._candidates(p, extra, relaxed=close)
        excl = v.active_referral_role_ids | (exclude_ids or frozenset())
        if excl and rows.size:
            drop = np.array(sorted(r for r in (self._row_of.get(i) for i in excl) if r is not None), np.int64)
            at = np.searchsorted(rows, drop)  # rows are in ascending order
            hit = at[(at < rows.size) & (rows[np.minimum(at, rows.size - 1)] == drop)]
            if hit.size:
                rows = np.delete(rows, hit)
        # ``take`` rather than fancy indexing throughout: it gathers several times faster
        mode = self.mode.take(rows)
        # distance (and the travel-radius gate for in-person roles)
        if v.lat is not None and v.lon is not None and rows.size:
            d = self._distances(rows, v.lat, v.lon)
            travels = mode == 0
            if v.mode == "in_person":
                travels |= mode == 2
            far = travels & (d > v.travel_radius_miles)
            keep = None
            if close:
                off_time = ~(self.flexible.take(rows) | ((self.eff_mask.take(rows) & p.avail) != 0))
                keep = (far != off_time) & ~(travels & (d > v.travel_radius_miles + extra))
            elif far.any():
                keep = ~far
            if keep is not None:
                kp = np.flatnonzero(keep)
                rows, mode, d = rows.take(kp), mode.take(kp), d.take(kp)
        else:
            d = np.full(rows.size, np.nan)
            if close:
                kp = np.flatnonzero(~(self.flexible.take(rows) | ((self.eff_mask.take(rows) & p.avail) != 0)))
                rows, mode, d = rows.take(kp), mode.take(kp), d.take(kp)
        comps = self._components(p, rows, mode, d)
        ws = self._ws
        raw = comps[0] * ws[0]
        for j in range(1, 7):
            raw += comps[j] * ws[j]
        scores = np.round(raw, 9)
        return rows, scores, comps, d

    def _distances(self, rows: npt.NDArray[np.int64], lat: float, lon: float) -> npt.NDArray[np.float64]:
        """Great-circle miles from (lat, lon) to each row (NaN where the role has no place)."""
        qx, qy, qz = unit_vector(lat, lon)
        c2 = self.ux.take(rows)
        c2 -= qx
        c2 *= c2
        dy = self.uy.take(rows)
        dy -= qy
        dy *= dy
        dz = self.uz.take(rows)
        dz -= qz
        dz *= dz
        c2 += dy
        c2 += dz
        np.maximum(c2, 0.0, out=c2)
        c2 *= 0.25
        np.minimum(c2, 1.0, out=c2)
        np.sqrt(c2, out=c2)
        np.arcsin(c2, out=c2)
        c2 *= 2 * EARTH_RADIUS_MILES
        return c2

    def _components(
        self, p: VolunteerProfile, rows: npt.NDArray[np.int64], mode: npt.NDArray[np.int8], d: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """The seven component values (7, n) of ``rows`` for one volunteer, as :func:`matching.scoring.components`."""
        v = p.v
        w = self.w
        n = rows.size
        comps = np.empty((7, n))
        # skills
        comps[0] = self._skill_rows(p, rows)
        # causes: when either side has none, the intersection is empty and the share is 0
        if p.cause_bits:
            inter = np.bitwise_count(self.cause_bits.take(rows) & p.cause_bits)
            denom = np.minimum(self.cause_pop.take(rows), p.cause_bits.bit_count())
            np.maximum(denom, 1, out=denom)
            np.divide(inter, denom, out=comps[1])
        else:
            comps[1] = 0.0
        # distance
        rv = w.remote_distance_value
        if v.mode == "remote":
            comps[2] = rv  # only remote and hybrid roles are left, and both count as remote
        else:
            dist = d * (-1.0 / w.distance_scale_miles)
            np.exp(dist, out=dist)
            dist[np.isnan(dist)] = rv
            if v.mode != "in_person":
                np.maximum(dist, rv, out=dist, where=mode == 2)
            dist[mode == 1] = rv
            comps[2] = dist
        # availability: a flexible role has no slots of its own (shared 0) and counts 1
        shared = np.bitwise_count(self.eff_mask.take(rows) & p.avail)
        np.divide(shared, self.pop1.take(rows), out=comps[3])
        comps[3] += self.flex_f.take(rows)
        # commitment (hours and one-off or regular): a lookup in the volunteer's table of the roles' kinds
        self._commitment_table(v).take(self.commit_code.take(rows), out=comps[4])
        self.need.take(rows, out=comps[5])
        self.fresh.take(rows, out=comps[6])
        return comps

    def _commitment_table(self, v: VolunteerFeatures) -> npt.NDArray[np.float64]:
        """The commitment component for each kind of role (hours a week, one-off or regular), for one
        volunteer's hours and preference: the same arithmetic as :func:`matching.scoring.components`."""
        key = (None if v.max_hours_per_week is None else float(v.max_hours_per_week), v.preference)
        table = self._commit_tables.get(key)
        if table is None or table.size < len(self._commit_kinds):
            kinds = sorted(self._commit_kinds.items(), key=lambda kv: kv[1])
            h = np.array([np.nan if hk is None else hk for (hk, _), _ in kinds])
            one = np.array([o for (_, o), _ in kinds], bool)
            if v.max_hours_per_week is not None:
                vh = float(v.max_hours_per_week)
                with np.errstate(invalid="ignore", divide="ignore"):
                    hours = np.where(np.isnan(h), HOURS_UNKNOWN, np.where(h <= vh, 1.0, max(0.0, vh) / h))
            else:
                hours = np.full(h.size, HOURS_UNKNOWN)
            if v.preference == "either":
                table = hours
            else:
                table = hours * np.where(one == (v.preference == "one_off"), 1.0, PREFERENCE_MISMATCH)
            self._commit_tables[key] = table
        return table

    def _skill_columns(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Each row's skills and their weights in the skills component, one array per place (K, n), in
        ascending skill order with the padding (a skill no volunteer has) last, so that every sum of a
        row's terms is made in the same order whichever volunteer it is for."""
        if self._skill_cols is None:
            n = self._n
            order = np.argsort(self.skill_idx[:n], axis=1, kind="stable")
            idx = np.ascontiguousarray(np.take_along_axis(self.skill_idx[:n], order, 1).T)
            wts = np.ascontiguousarray(np.take_along_axis(self.skill_w[:n], order, 1).T)
            self._skill_cols = (idx, wts)
        return self._skill_cols

    def _skill_rows(self, p: VolunteerProfile, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """The skills component of ``rows`` for one volunteer: the role's base value plus, skill by skill,
        the volunteer's strength times the skill's weight."""
        idx, wts = self._skill_columns()
        s = p.skills.strengths
        out = self.sk_base.take(rows)
        for j in range(idx.shape[0]):
            term = s.take(idx[j].take(rows))
            term *= wts[j].take(rows)
            out += term
        return out

    def _top(self, rows: npt.NDArray[np.int64], scores: npt.NDArray[np.float64], k: int) -> list[tuple[int, int]]:
        """Spread-re-ranked best ``k`` → list of (row, position in the arrays)."""
        w = self.w
        if rows.size == 0 or k <= 0:
            return []
        adj = scores - self.margin[rows]
        m = max(4 * k, 40)
        while True:
            if m < rows.size:
                part = np.argpartition(-adj, m - 1)[:m]
                # every candidate tied with the cut-off comes along so that role-id tie-breaks are exact
                part = np.flatnonzero(adj >= adj[part].min())
            else:
                part = np.arange(rows.size)
            ids = self.ids[rows[part]]
            order = part[np.lexsort((ids, -adj[part]))]
            picked, short = spread_positions(self.org[rows[order]].tolist(), k, w)
            if not short or part.size >= rows.size:
                pos = order[picked]
                return list(zip(rows[pos].tolist(), pos.tolist()))
            m *= 4

    def _results(
        self,
        p: VolunteerProfile,
        today: date,
        top: Sequence[tuple[int, int]],
        scores: npt.NDArray[np.float64],
        comps: npt.NDArray[np.float64],
        d: npt.NDArray[np.float64],
        audience: Audience = "volunteer",
    ) -> list[MatchResult]:
        out: list[MatchResult] = []
        w = self.w
        if not top:
            return out
        pos = np.array([j for _, j in top], np.intp)
        dists = d.take(pos).tolist()
        sc = scores.take(pos).tolist()
        cb = (comps.take(pos, axis=1).T * self._ws).tolist()
        roles, compiled, vocab = self._roles, self._compiled, self.vocab
        for (row, _), dj, sj, cj in zip(top, dists, sc, cb):
            role = roles[row]
            assert role is not None
            if dj != dj:  # NaN: the distance is unknown
                dj = None
            t, fixed = self._timing(row, role, today)
            fl = volunteer_flags(p, role, dj, fixed)
            out.append(
                MatchResult(
                    role.id,
                    p.v.id,
                    sj,
                    dict(zip(COMPONENTS, cj)),
                    fl,
                    explain(p, role, t, today, w, vocab, dj, fl, compiled.get(row), audience=audience),
                    dj,
                )
            )
        return out

    def _timing(self, row: int, role: RoleFeatures, today: date) -> tuple[RoleTiming, tuple[bool, tuple[str, ...]]]:
        """The role's timing on ``today`` and its flags that depend on the role and the day only."""
        tf = self._timings.get(row) if today == self._today else None
        if tf is None:
            t = role_timing(role, today)
            tf = (t, role_flags(role, t, today, self.w))
            if today == self._today:
                self._timings[row] = tf
        return tf

    @_locked
    def rank(
        self,
        volunteer: VolunteerFeatures | VolunteerProfile,
        k: int = 10,
        today: date | None = None,
        explain: bool = True,
        close: bool = True,
    ) -> list[MatchResult]:
        """Volunteer → best ``k`` eligible roles, spread re-ranked, with explanations. When fewer than
        ``Weights.close_match_below`` roles pass every gate (and ``close``), close matches follow, each
        with ``MatchResult.close`` naming the one soft condition it misses (as :func:`~matching.rank_roles`)."""
        today = today or date.today()
        self._ensure(today)
        p = self.profile(volunteer)
        rows, scores, comps, d = self._evaluate(p, today)
        top = self._top(rows, scores, k)
        if not explain:
            out = [MatchResult(int(self.ids[r]), p.v.id, float(scores[j])) for r, j in top]
        else:
            out = self._results(p, today, top, scores, comps, d)
        if close and rows.size < self.w.close_match_below:
            out += self._close(p, today, max(0, min(k, self.w.close_match_fill) - len(out)))
        return out

    def _close(self, p: VolunteerProfile, today: date, room: int) -> list[MatchResult]:
        """The best ``room`` close matches (score, then role id), explained by the scalar path."""
        if room <= 0:
            return []
        rows, scores, _, _ = self._evaluate(p, today, close=True)
        out: list[MatchResult] = []
        for j in np.lexsort((self.ids[rows], -scores)).tolist():
            role = self._roles[int(rows[j])]
            assert role is not None
            miss = close_miss(p, role, today, self.vocab, self.w)
            if miss is not None:
                out.append(result(p, role, today, self.w, self.vocab, miss))
                if len(out) >= room:
                    break
        return out

    @_locked
    def eligible_ids(self, volunteer: VolunteerFeatures | VolunteerProfile, today: date) -> np.ndarray:
        """Ids of every eligible role (sorted), for tests and diagnostics."""
        self._ensure(today)
        rows, *_ = self._evaluate(self.profile(volunteer), today)
        return np.sort(self.ids[rows])

    def _rank_arrays(
        self, vols: Sequence[VolunteerFeatures], k: int, today: date
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        return rematch.rank_arrays(self, vols, k, today)

    @_locked
    def rank_many(
        self,
        volunteers: Sequence[VolunteerFeatures],
        k: int = 10,
        today: date | None = None,
        processes: int = 1,
        chunk: int = 8000,
    ) -> RankManyResult:
        """County re-match: top ``k`` role ids and scores for every volunteer (no explanations; call
        :meth:`rank` for the ones you show or email). ``processes`` > 1 forks worker processes that share
        the index and the volunteer list copy-on-write (POSIX; falls back to one process elsewhere)."""
        today = today or date.today()
        self._ensure(today)
        n = len(volunteers)
        vids = np.fromiter((v.id for v in volunteers), np.int64, n)
        if processes <= 1 or n < 2 * chunk or "fork" not in mp.get_all_start_methods():
            rid, sc = self._rank_arrays(volunteers, k, today)
            return RankManyResult(vids, rid, sc)
        # neighbours next to each other, so that each worker's span batches well
        keys = [(len(key), key) for key in map(rematch.group_key, volunteers)]
        order = sorted(range(n), key=keys.__getitem__)
        global _FORK_STATE
        _FORK_STATE = (self, [volunteers[i] for i in order], k, today)
        try:
            ctx = mp.get_context("fork")
            spans = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]
            at = np.asarray(order, np.int64)
            rid = np.full((n, k), -1, np.int64)
            sc = np.full((n, k), np.nan, np.float32)
            with ctx.Pool(processes) as pool:
                for (s, e), (r, c) in zip(spans, pool.imap(_fork_rank_span, spans)):
                    rid[at[s:e]] = r
                    sc[at[s:e]] = c
        finally:
            _FORK_STATE = None
        return RankManyResult(vids, rid, sc)

    def iter_rank_many(
        self, volunteers: Iterable[VolunteerFeatures], k: int = 10, today: date | None = None
    ) -> Iterator[tuple[int, list[MatchResult]]]:
        """Like :meth:`rank_many` but yields (volunteer id, explained results) one volunteer at a time,
        so a worker can stream match emails without holding the county in memory."""
        today = today or date.today()
        for v in volunteers:
            yield v.id, self.rank(v, k, today)

    # --- search ------------------------------------------------------------------------------------------
    def _build_text(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self._needs_compact:
            self._compact()
            self._today = None
        rows = np.flatnonzero(self.present[: self._n])
        docs = []
        for r in rows:
            role = self._roles[r]
            assert role is not None
            docs.append(f"{role.title} {role.title} {role.description}")
        vec = TfidfVectorizer(
            tokenizer=tokens, token_pattern=None, lowercase=False, sublinear_tf=True, min_df=1, dtype=np.float32
        )
        if docs:
            self._tfidf_X = vec.fit_transform(docs).tocsc()
        else:
            self._tfidf_X = None
        self._tfidf_vec = vec
        self._text_rows = rows
        self._text_row_pos = np.full(self._cap, -1, np.int64)
        self._text_row_pos[rows] = np.arange(rows.size)
        self._text_vocab = list(vec.vocabulary_) if docs else []
        self._text_prefixes = {}
        for word in self._text_vocab:
            if len(word) >= 5:
                self._text_prefixes.setdefault(word[:5], []).append(word)
        self._text_dirty = False

    @_locked
    def text_relevance(self, query: str, rows: np.ndarray) -> np.ndarray:
        """TF-IDF relevance (0..1) of ``rows`` to ``query``; misspelt words are mapped to the nearest
        word of the listings (rapidfuzz). The text model is rebuilt lazily after changes."""
        from rapidfuzz import fuzz, process

        if self._text_dirty or self._text_row_pos is None or self._text_row_pos.size < self._cap:
            self._build_text()
        assert self._text_row_pos is not None
        rel = np.zeros(rows.size)
        if self._tfidf_X is None or not query.strip():
            return rel
        vocab = self._tfidf_vec.vocabulary_
        idf = self._tfidf_vec.idf_
        cols, weights = [], []
        for t in dict.fromkeys(tokens(query)):
            if t in vocab:
                cols.append(vocab[t])
                weights.append(idf[vocab[t]])
            elif len(t) >= 4:  # a misspelling: the nearest word of the listings
                m = process.extractOne(t, self._text_vocab, scorer=fuzz.ratio, score_cutoff=80)
                if m is not None:
                    c = vocab[m[0]]
                    cols.append(c)
                    weights.append(idf[c] * m[1] / 100.0)
            for word in _other_forms(t, self._text_prefixes):  # "befriending" finds "befriender" too
                c = vocab[word]
                cols.append(c)
                weights.append(idf[c] * 0.8)
        if not cols:
            return rel
        wv = np.asarray(weights)
        wv = wv / np.linalg.norm(wv)
        sub = self._tfidf_X[:, cols].tocsr()
        pos = self._text_row_pos[rows]
        have = pos >= 0
        vals = np.asarray(sub[pos[have]] @ wv).ravel()
        rel[have] = vals
        return rel

    @_locked
    def search(
        self,
        volunteer: VolunteerFeatures | VolunteerProfile,
        query: str = "",
        k: int = 20,
        today: date | None = None,
        *,
        causes: Sequence[str] = (),
        skills: Sequence[str] = (),
        modes: Sequence[str] = (),
        one_off: bool | None = None,
        organisation_id: int | None = None,
        max_miles: float | None = None,
        text_weight: float = 0.5,
        min_relevance: float = 0.05,
        audience: Audience = "volunteer",
    ) -> list[MatchResult]:
        """Role search for a volunteer: eligible roles only, filtered, ordered by a blend of text relevance
        (TF-IDF over title and description, typo-tolerant) and the match score. With an empty query it is
        :meth:`rank` with filters. The contributions gain a ``text`` entry."""
        return self.search_page(
            volunteer,
            query,
            0,
            k,
            today,
            causes=causes,
            skills=skills,
            modes=modes,
            one_off=one_off,
            organisation_id=organisation_id,
            max_miles=max_miles,
            text_weight=text_weight,
            min_relevance=min_relevance,
            audience=audience,
        )[0]

    @_locked
    def search_page(
        self,
        volunteer: VolunteerFeatures | VolunteerProfile,
        query: str = "",
        offset: int = 0,
        k: int = 20,
        today: date | None = None,
        *,
        causes: Sequence[str] = (),
        skills: Sequence[str] = (),
        modes: Sequence[str] = (),
        one_off: bool | None = None,
        organisation_id: int | None = None,
        max_miles: float | None = None,
        text_weight: float = 0.5,
        min_relevance: float = 0.05,
        audience: Audience = "volunteer",
    ) -> tuple[list[MatchResult], int]:
        """One page of :meth:`search` (``k`` results after the first ``offset``) and how many roles the
        search found in all (the true total, whatever the page)."""
        today = today or date.today()
        self._ensure(today)
        p = self.profile(volunteer)
        rows, scores, comps, d = self._evaluate(p, today)
        keep = np.ones(rows.size, bool)
        if causes:
            bits = self.vocab.cause_bits(causes)
            keep &= (self.cause_bits[rows] & bits) != 0
        if skills:
            idx = [i for i in (self.vocab.resolve_skill(s) for s in skills) if i is not None]
            if idx:
                keep &= np.isin(self.skill_idx[rows], idx).any(axis=1)
        if modes:
            keep &= np.isin(self.mode[rows], [MODE_CODE[m] for m in modes if m in MODE_CODE])
        if one_off is not None:
            keep &= self.one_off[rows] == one_off
        if organisation_id is not None:
            keep &= self.org[rows] == organisation_id
        if max_miles is not None:
            keep &= ~(self.mode[rows] == 0) | (np.nan_to_num(d, nan=0.0) <= max_miles)
        pos = np.flatnonzero(keep)
        if query.strip():
            rel = self.text_relevance(query, rows[pos])
            good = rel >= min_relevance
            pos, rel = pos[good], rel[good]
            blended = np.round((1 - text_weight) * scores[pos] + text_weight * np.minimum(rel, 1.0), 9)
        else:
            rel = np.zeros(pos.size)
            blended = scores[pos]
        total = int(pos.size)
        order = np.lexsort((self.ids[rows[pos]], -blended))[offset : offset + k]
        res = self._results(p, today, [(rows[pos[o]], pos[o]) for o in order], scores, comps, d, audience)
        out = []
        for r, o in zip(res, order):
            c = dict(r.contributions)
            c["text"] = float(rel[o])
            out.append(MatchResult(r.role_id, r.volunteer_id, float(blended[o]), c, r.flags, r.explanation, r.distance_miles))
        return out, total


_FORK_STATE: tuple[RoleIndex, Sequence[VolunteerFeatures], int, date] | None = None


def _fork_rank_span(span: tuple[int, int]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    assert _FORK_STATE is not None
    index, vols, k, today = _FORK_STATE
    s, e = span
    return index._rank_arrays(vols[s:e], k, today)


def _other_forms(token: str, prefixes: dict[str, list[str]]) -> list[str]:
    """Words of the listings that share a long stem with ``token`` (befriend, befriender, befriending)."""
    if len(token) < 5:
        return []
    out = []
    for word in prefixes.get(token[:5], ()):
        if word == token:
            continue
        common = 5
        while common < min(len(word), len(token)) and word[common] == token[common]:
            common += 1
        if common >= max(6, 0.7 * min(len(word), len(token))):
            out.append(word)
    return out
