"""Postcodes, places and Kent districts.

The pure part (these modules and this package's names: no database, web or other app imports):

* :mod:`brokerage.geo.postcodes` — validate and normalise UK postcodes.
* :mod:`brokerage.geo.directory` — :class:`Gazetteer`: postcode → location and
  Kent/Medway district; distance helpers.
* :mod:`brokerage.geo.onspd` — stream the ONS Postcode Directory CSV.

The database part (imported by name, never from here):

* :mod:`brokerage.geo.lookup` — locate a postcode for the app, from exact ONSPD rows when loaded.
* :mod:`brokerage.geo.onspd_import` — load the ONSPD into the database.
"""

from .directory import (
    KENT_AND_MEDWAY_GSS,
    KENT_GSS,
    MEDWAY_GSS,
    OUTSIDE,
    District,
    Gazetteer,
    Location,
    OutcodeInfo,
    UnknownPostcode,
    default_gazetteer,
    haversine_km,
    haversine_miles,
    km_to_miles,
    locate,
    miles_to_km,
)
from .onspd import OnspdFormatError, OnspdRow, iter_onspd, read_onspd
from .postcodes import (
    PostcodeError,
    inward_code,
    is_full_postcode,
    is_valid,
    normalise,
    normalise_postcode,
    outward_code,
    split_postcode,
)

__all__ = [
    "KENT_AND_MEDWAY_GSS",
    "KENT_GSS",
    "MEDWAY_GSS",
    "OUTSIDE",
    "District",
    "Gazetteer",
    "Location",
    "OutcodeInfo",
    "UnknownPostcode",
    "default_gazetteer",
    "haversine_km",
    "haversine_miles",
    "km_to_miles",
    "locate",
    "miles_to_km",
    "OnspdFormatError",
    "OnspdRow",
    "iter_onspd",
    "read_onspd",
    "PostcodeError",
    "inward_code",
    "is_full_postcode",
    "is_valid",
    "normalise",
    "normalise_postcode",
    "outward_code",
    "split_postcode",
]
