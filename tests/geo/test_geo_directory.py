import math

import pytest

from brokerage.geo.directory import (
    KENT_AND_MEDWAY_GSS,
    OUTSIDE,
    Gazetteer,
    Location,
    UnknownPostcode,
    default_gazetteer,
    haversine_miles,
    km_to_miles,
    locate,
    miles_to_km,
)
from brokerage.geo.postcodes import PostcodeError

ASHFORD, CANTERBURY, MAIDSTONE, SWALE, THANET = "E07000105", "E07000106", "E07000110", "E07000113", "E07000114"
GRAVESHAM, TUNBRIDGE_WELLS, MEDWAY = "E07000109", "E07000116", "E06000035"


@pytest.fixture(scope="module")
def gaz():
    return default_gazetteer()


def test_loads_every_uk_outcode(gaz):
    assert len(gaz) >= 2972
    assert gaz.is_known_outward("AB10") and gaz.is_known_outward("ZE1")


@pytest.mark.parametrize(
    "postcode, gss",
    [
        ("TN23 7AA", ASHFORD),
        ("tn24 8ab", ASHFORD),
        ("CT1 2AB", CANTERBURY),
        ("ME14 1XX", MAIDSTONE),
        ("ME4 4AA", MEDWAY),
        ("me7 1aa", MEDWAY),
        ("CT9 1AA", THANET),
        ("ME10 4AA", SWALE),
        ("DA12 1AA", GRAVESHAM),
        ("TN1 1AA", TUNBRIDGE_WELLS),
        ("SW1A 1AA", None),
        ("M1 1AE", None),
        ("DA17 5AA", None),  # Belvedere, flagged as not in Kent in the source data
    ],
)
def test_kent_districts(gaz, postcode, gss):
    loc = gaz.locate(postcode)
    assert isinstance(loc, Location)
    assert loc.district_gss == gss
    assert loc.precision == "outcode"
    assert loc.in_kent is (gss is not None)
    assert loc.district_code == (gss or OUTSIDE)


def test_location_fields(gaz):
    loc = gaz.locate(" me14 1xx")
    assert loc.postcode == "ME14 1XX"
    assert loc.outward == "ME14"
    assert loc.latitude == pytest.approx(51.298306)
    assert loc.longitude == pytest.approx(0.561062)


def test_outward_only(gaz):
    with pytest.raises(PostcodeError):
        gaz.locate("TN23")
    loc = gaz.locate("tn23", allow_outward_only=True)
    assert (loc.postcode, loc.outward, loc.district_gss) == ("TN23", "TN23", ASHFORD)
    assert locate("SW1A", allow_outward_only=True).district_gss is None


@pytest.mark.parametrize(
    "outward, expected", [("CT7", THANET), ("ME13", SWALE), ("DA11", GRAVESHAM), ("ME2", MEDWAY), ("TN17", TUNBRIDGE_WELLS)]
)
def test_spanning_outcode_resolves_to_nearest_candidate(gaz, outward, expected):
    info = gaz.outcode(outward)
    assert len(info.candidates) > 1
    assert info.district_gss == expected

    def dist(gss):
        d = gaz.district(gss)
        return haversine_miles(info.latitude, info.longitude, d.lat, d.lon)

    assert dist(expected) == min(dist(c) for c in info.candidates)
    assert gaz.locate(f"{outward} 1AA").district_gss == expected


def test_every_kent_outcode_resolves_to_one_of_its_candidates(gaz):
    kent = gaz.kent_outcodes()
    assert len(kent) >= 70
    for info in kent:
        assert info.district_gss in info.candidates
        assert info.district_gss in KENT_AND_MEDWAY_GSS
    # each district has at least one outward code of its own
    for d in gaz.districts()[:-1]:
        assert gaz.outcodes_in(d.gss), d


def test_unknown_outcode(gaz):
    with pytest.raises(UnknownPostcode) as exc:
        gaz.locate("ME99 1AA")
    assert isinstance(exc.value, PostcodeError)
    assert "ME99" in exc.value.message and exc.value.message.endswith(".")
    with pytest.raises(UnknownPostcode) as exc:
        gaz.locate("ME99", allow_outward_only=True)
    assert "ME99" in exc.value.message


def test_districts_list(gaz):
    ds = gaz.districts()
    assert len(ds) == 14
    codes = [d.gss for d in ds]
    assert codes[:12] == [f"E07000{n}" for n in range(105, 117)]
    assert codes[12] == MEDWAY and codes[13] == OUTSIDE
    assert len(set(codes)) == 14
    by = {d.gss: d for d in ds}
    assert by[ASHFORD].name == "Ashford" and by[ASHFORD].main_town == "Ashford"
    assert by[MEDWAY].name == "Medway"
    assert by[OUTSIDE].lat is None and by[OUTSIDE].name
    for d in ds[:13]:
        assert 50.8 < d.lat < 51.6 and 0.0 < d.lon < 1.5
    assert gaz.district(None).gss == OUTSIDE


def test_exact_lookup_callable_is_consulted_first():
    calls = []

    def exact(pc):
        calls.append(pc)
        if pc == "TN23 1AB":
            return (51.1465, 0.8750, ASHFORD)
        if pc == "ME20 7AB":  # Aylesford really is Tonbridge and Malling
            return (51.30, 0.47, "E07000115")
        if pc == "DA1 1AA":
            return (51.45, 0.21, "E09000004")  # Bexley: outside Kent
        return None

    g = Gazetteer(exact_lookup=exact)
    loc = g.locate("tn231ab")
    assert calls == ["TN23 1AB"]
    assert loc.precision == "postcode" and loc.latitude == pytest.approx(51.1465)
    assert g.locate("ME20 7AB").district_gss == "E07000115"
    assert g.locate("DA1 1AA").district_gss is None
    miss = g.locate("TN23 9ZZ")
    assert miss.precision == "outcode" and miss.district_gss == ASHFORD
    # bare outward codes never hit the exact table
    calls.clear()
    g.locate("TN23", allow_outward_only=True)
    assert calls == []


def test_exact_lookup_mapping():
    g = Gazetteer(exact_lookup={"CT1 2AB": (51.28, 1.08, CANTERBURY)})
    assert g.locate("ct12ab").precision == "postcode"
    assert g.locate("CT1 2AD").precision == "outcode"
    with pytest.raises(TypeError):
        Gazetteer(exact_lookup=42)


def test_distances():
    # Ashford to Canterbury main towns: about 14 miles as the crow flies
    d = haversine_miles(51.134456, 0.840505, 51.278952, 1.079734)
    assert 13 < d < 15
    assert haversine_miles(51.0, 1.0, 51.0, 1.0) == 0
    assert miles_to_km(1) == pytest.approx(1.609344)
    assert km_to_miles(miles_to_km(7.5)) == pytest.approx(7.5)
    # one degree of latitude is ~69 miles
    assert haversine_miles(51, 0, 52, 0) == pytest.approx(69.1, abs=0.2)
    assert math.isclose(haversine_miles(51.1, 0.8, 51.3, 1.1), haversine_miles(51.3, 1.1, 51.1, 0.8))


def test_location_distance(gaz):
    a = gaz.locate("TN23 1AA")
    b = gaz.locate("CT1 1AA")
    assert a.miles_to(b) == pytest.approx(a.miles_to((b.latitude, b.longitude)))
