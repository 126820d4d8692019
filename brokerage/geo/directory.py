"""Where is a postcode, and which Kent district (if any) is it in?

:class:`Gazetteer` answers both questions from data shipped with the package
(``brokerage/data/geo``, see ``brokerage/data/NOTES.md`` for sources):

* ``uk_outcodes.csv`` — a centroid for every UK outward code (postcode
  district).  A full postcode is placed at its outward code's centroid, so
  positions are good to a few kilometres (``precision="outcode"``).
* ``kent_medway_outcodes.csv`` — the Kent and Medway outward codes and the
  district(s) each one touches (``kent_lads``, pipe-separated names).
* ``kent_districts.csv`` — the 12 Kent districts and Medway, with GSS codes
  and a main-town centroid.

District assignment (outcode precision)
---------------------------------------
* An outward code touching exactly one Kent/Medway district gets that one.
* An outward code touching several gets the candidate whose **main-town
  centroid** (``kent_districts.csv``: ``main_town_lat/lon``) is nearest to the
  outward code's centroid.  We use the main town rather than the mean of the
  district's outward codes because the main town is where the volunteer centre
  and most of the population are, and it is stable when the outcode list
  changes.  It is a heuristic: e.g. ME20 (Aylesford/Ditton, mostly Tonbridge
  and Malling) lands in Maidstone.  Exact per-postcode rows fix this.
* Outward codes flagged ``in_kent_medway=false`` in the source (DA17 Belvedere,
  TN20 Mayfield — their Kent assignment is doubtful) count as outside Kent.
  ``partial`` ones (TN16 Westerham/Biggin Hill) keep their Kent district.
* One correction in code: TN18 (Hawkhurst) also touches Tunbridge Wells, which
  the source list misses (the source note says so), so it is a candidate.
* Any other outward code is outside Kent and Medway: ``district_gss=None``.

Exact postcodes
---------------
``Gazetteer(exact_lookup=...)`` takes a callable or mapping
``postcode -> (lat, lon, gss) | None`` (for example a table filled from the
ONS Postcode Directory with :mod:`brokerage.geo.onspd`).  It is consulted first
for full postcodes; a hit gives ``precision="postcode"`` and the exact
district (a GSS code outside Kent/Medway becomes ``None``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Union

from .postcodes import PostcodeError, normalise

__all__ = [
    "OUTSIDE",
    "OUTSIDE_NAME",
    "MEDWAY_GSS",
    "KENT_GSS",
    "KENT_AND_MEDWAY_GSS",
    "District",
    "Location",
    "OutcodeInfo",
    "UnknownPostcode",
    "Gazetteer",
    "ExactLookup",
    "default_gazetteer",
    "locate",
    "haversine_miles",
    "haversine_km",
    "miles_to_km",
    "km_to_miles",
]

OUTSIDE = "OUTSIDE"
OUTSIDE_NAME = "Outside Kent"
MEDWAY_GSS = "E06000035"
KENT_GSS: tuple[str, ...] = tuple(f"E07000{n}" for n in range(105, 117))
KENT_AND_MEDWAY_GSS: frozenset[str] = frozenset(KENT_GSS + (MEDWAY_GSS,))

EARTH_RADIUS_MILES = 3958.7613
KM_PER_MILE = 1.609344

# Corrections to the candidate lists in kent_medway_outcodes.csv (see module doc).
_EXTRA_CANDIDATES: dict[str, tuple[str, ...]] = {"TN18": ("E07000116",)}

ExactLookup = Union[
    Callable[[str], "tuple[float, float, str | None] | None"],
    Mapping[str, "tuple[float, float, str | None]"],
]
# A postcode's exact place, or None: (lat, lon, district GSS code or None).
_ExactFn = Callable[[str], "tuple[float, float, str | None] | None"]


# --------------------------------------------------------------------------- distance


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in statute miles between two WGS84 points."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return miles_to_km(haversine_miles(lat1, lon1, lat2, lon2))


def miles_to_km(miles: float) -> float:
    return miles * KM_PER_MILE


def km_to_miles(km: float) -> float:
    return km / KM_PER_MILE


# --------------------------------------------------------------------------- records


class UnknownPostcode(PostcodeError):
    """The postcode is well formed but its outward code is not one we know."""


@dataclass(frozen=True, slots=True)
class District:
    """A Kent district, Medway, or the pseudo-district ``OUTSIDE``."""

    gss: str
    name: str
    main_town: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class OutcodeInfo:
    outward: str
    latitude: float
    longitude: float
    district_gss: str | None  # resolved Kent/Medway district, None outside
    candidates: tuple[str, ...]  # Kent/Medway districts the outward code touches
    town: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    postcode: str  # canonical full postcode, or the outward code if only that was given
    outward: str
    latitude: float
    longitude: float
    district_gss: str | None  # None means outside Kent and Medway
    precision: str  # "postcode" (exact row) or "outcode" (district centroid)

    @property
    def in_kent(self) -> bool:
        """True when in one of the 12 Kent districts or Medway."""
        return self.district_gss is not None

    @property
    def district_code(self) -> str:
        """``district_gss`` with ``OUTSIDE`` for places outside Kent and Medway."""
        return self.district_gss or OUTSIDE

    def miles_to(self, other: "Location | tuple[float, float]") -> float:
        if isinstance(other, Location):
            lat, lon = other.latitude, other.longitude
        else:
            lat, lon = other
        return haversine_miles(self.latitude, self.longitude, lat, lon)


# --------------------------------------------------------------------------- loading


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("brokerage") / "data" / "geo" / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _load_tables() -> tuple[dict[str, OutcodeInfo], tuple[District, ...], dict[str, District]]:
    # uk_outcodes.csv: id,outcode,latitude,longitude,<empty trailing column>
    centroids: dict[str, tuple[float, float]] = {}
    for row in _read_csv("uk_outcodes.csv"):
        code = (row.get("outcode") or "").strip().upper()
        lat_s, lon_s = (row.get("latitude") or "").strip(), (row.get("longitude") or "").strip()
        if not code or not lat_s or not lon_s:
            continue
        centroids[code] = (float(lat_s), float(lon_s))

    districts: list[District] = []
    by_name: dict[str, str] = {}
    for row in _read_csv("kent_districts.csv"):
        d = District(
            gss=row["lad_gss_code"].strip(),
            name=row["lad_name"].strip(),
            main_town=row["main_town"].strip() or None,
            lat=float(row["main_town_lat"]),
            lon=float(row["main_town_lon"]),
        )
        districts.append(d)
        by_name[d.name.lower()] = d.gss
        if row.get("former_name", "").strip():
            by_name[row["former_name"].strip().lower()] = d.gss
    # Kent districts in GSS order, then Medway, then the pseudo-district.
    districts.sort(key=lambda d: (d.gss == MEDWAY_GSS, d.gss))
    districts.append(District(OUTSIDE, OUTSIDE_NAME, None, None, None))
    district_by_gss = {d.gss: d for d in districts}

    kent_rows: dict[str, dict[str, str]] = {}
    for row in _read_csv("kent_medway_outcodes.csv"):
        kent_rows[row["outcode"].strip().upper()] = row

    outcodes: dict[str, OutcodeInfo] = {}
    for code, (lat, lon) in centroids.items():
        outcodes[code] = OutcodeInfo(code, lat, lon, None, ())
    for code, row in kent_rows.items():
        lat, lon = centroids.get(code, (float(row["lat"]), float(row["lon"])))
        town = row.get("town", "").strip() or None
        if row.get("in_kent_medway", "").strip().lower() == "false":
            outcodes[code] = OutcodeInfo(code, lat, lon, None, (), town)
            continue
        names = [n.strip().lower() for n in row.get("kent_lads", "").split("|") if n.strip()]
        candidates = [by_name[n] for n in names]  # KeyError = bad data, fail loudly
        for extra in _EXTRA_CANDIDATES.get(code, ()):
            if extra not in candidates:
                candidates.append(extra)
        resolved = _nearest(lat, lon, candidates, district_by_gss)
        outcodes[code] = OutcodeInfo(code, lat, lon, resolved, tuple(candidates), town)
    return outcodes, tuple(districts), district_by_gss


def _nearest(lat: float, lon: float, candidates: Iterable[str], by_gss: Mapping[str, District]) -> str | None:
    best, best_d = None, math.inf
    for gss in candidates:
        d = by_gss[gss]
        if d.lat is None or d.lon is None:  # the pseudo-district outside Kent has no place
            continue
        dist = haversine_miles(lat, lon, d.lat, d.lon)
        if dist < best_d:
            best, best_d = gss, dist
    return best


# --------------------------------------------------------------------------- gazetteer


def _unknown_message(canonical: str, outward: str) -> str:
    if canonical == outward:
        return (
            f"We can't find the postcode area “{outward}”. Please check it and try again — it should look like ME14 or ME14 1XX."
        )
    return f"We can't find “{canonical}” — “{outward}” is not a postcode area we know. Please check the postcode and try again."


class Gazetteer:
    """Places postcodes using the shipped outward-code centroids.

    ``exact_lookup`` (optional) is a callable ``postcode -> (lat, lon, gss) |
    None`` or a mapping keyed by canonical postcode (``"ME14 1XX"``); it is
    consulted first for full postcodes.
    """

    def __init__(self, exact_lookup: ExactLookup | None = None):
        self._outcodes, self._districts, self._district_by_gss = _load_tables()
        self._exact: _ExactFn | None
        if exact_lookup is None:
            self._exact = None
        elif isinstance(exact_lookup, Mapping):
            self._exact = exact_lookup.get
        elif callable(exact_lookup):
            self._exact = exact_lookup
        else:
            raise TypeError("exact_lookup must be a callable or a mapping")

    # -- districts -----------------------------------------------------------------

    def districts(self) -> list[District]:
        """The 12 Kent districts, Medway and the pseudo-district ``OUTSIDE`` (14 rows)."""
        return list(self._districts)

    def district(self, gss: str | None) -> District:
        """The district for a GSS code; ``None`` or ``"OUTSIDE"`` gives the pseudo-district."""
        return self._district_by_gss[gss or OUTSIDE]

    def district_name(self, gss: str | None) -> str:
        return self.district(gss).name

    # -- outward codes ----------------------------------------------------------------

    def outcode(self, outward: str) -> OutcodeInfo:
        """Information about an outward code; raises :class:`UnknownPostcode`."""
        code = normalise(outward, allow_outward_only=True).split(" ")[0]
        info = self._outcodes.get(code)
        if info is None:
            raise UnknownPostcode(_unknown_message(code, code), outward)
        return info

    def is_known_outward(self, outward: str) -> bool:
        try:
            self.outcode(outward)
        except PostcodeError:
            return False
        return True

    def kent_outcodes(self) -> list[OutcodeInfo]:
        """Outward codes assigned to a Kent district or Medway."""
        return sorted(
            (o for o in self._outcodes.values() if o.district_gss is not None),
            key=lambda o: o.outward,
        )

    def outcodes_in(self, gss: str) -> list[str]:
        """Outward codes resolved to the district ``gss``."""
        return sorted(o.outward for o in self._outcodes.values() if o.district_gss == gss)

    def __len__(self) -> int:
        return len(self._outcodes)

    # -- locate ---------------------------------------------------------------------

    def locate(self, postcode: str, *, allow_outward_only: bool = False) -> Location:
        """Place a postcode.

        Raises :class:`PostcodeError` for a badly formed postcode and
        :class:`UnknownPostcode` when its outward code is not in the list.
        """
        canonical = normalise(postcode, allow_outward_only=allow_outward_only)
        outward = canonical.split(" ")[0]
        if self._exact is not None and " " in canonical:
            hit = self._exact(canonical)
            if hit is not None:
                lat, lon, gss = hit
                return Location(
                    postcode=canonical,
                    outward=outward,
                    latitude=float(lat),
                    longitude=float(lon),
                    district_gss=gss if gss in KENT_AND_MEDWAY_GSS else None,
                    precision="postcode",
                )
        info = self._outcodes.get(outward)
        if info is None:
            raise UnknownPostcode(_unknown_message(canonical, outward), postcode)
        return Location(
            postcode=canonical,
            outward=outward,
            latitude=info.latitude,
            longitude=info.longitude,
            district_gss=info.district_gss,
            precision="outcode",
        )

    def district_near(self, latitude: float, longitude: float) -> str | None:
        """The Kent/Medway district of the outward code whose centroid is nearest a point, or None
        when that outward code is outside Kent and Medway (district precision, a few km)."""
        if not (50.7 < latitude < 51.7 and -0.2 < longitude < 1.7):  # well clear of Kent and Medway
            return None
        best, best_d = None, math.inf
        for info in self._outcodes.values():
            if abs(info.latitude - latitude) > 0.3 or abs(info.longitude - longitude) > 0.45:
                continue
            dist = haversine_miles(latitude, longitude, info.latitude, info.longitude)
            if dist < best_d:
                best, best_d = info, dist
        return best.district_gss if best is not None and best_d < 15 else None

    def district_of(self, postcode: str, *, allow_outward_only: bool = True) -> str | None:
        """The Kent/Medway district GSS code for a postcode, or None outside."""
        return self.locate(postcode, allow_outward_only=allow_outward_only).district_gss


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """A shared Gazetteer without exact lookups (the tables are loaded once)."""
    return Gazetteer()


def locate(postcode: str, *, allow_outward_only: bool = False) -> Location:
    """:meth:`Gazetteer.locate` on :func:`default_gazetteer`."""
    return default_gazetteer().locate(postcode, allow_outward_only=allow_outward_only)
