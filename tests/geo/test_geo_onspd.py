import io
import zipfile

import pytest

from brokerage.geo.onspd import OnspdFormatError, OnspdRow, iter_onspd, read_onspd

HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,usertype,oseast1m,osnrth1m,osgrdind,lat,long,imd"

ROWS = [
    # live Kent postcodes
    "TN231AB,TN23 1AB,TN23 1AB,199912,,E10000016,E58000001,E07000105,E05000001,0,601234,141234,1,51.146500,0.875000,100",
    '"ME141XX","ME14 1XX","ME14 1XX",200001,,E10000016,E58000002,E07000110,E05000002,0,575000,156000,1,51.280000,0.530000,200',
    # terminated: skipped
    "CT1 1AA,CT1  1AA,CT1 1AA,198001,200512,E10000016,E58000003,E07000106,E05000003,1,615000,157000,1,51.280000,1.080000,300",
    # no grid reference: skipped
    "ME4 4ZZ,ME4  4ZZ,ME4 4ZZ,201001,,E10000016,E58000004,E06000035,E05000004,0,,,9,99.999999,0.000000,400",
    # Medway, live
    "ME4 4AA,ME4  4AA,ME4 4AA,198001,,E99999999,E99999999,E06000035,E05000005,0,576000,168000,1,51.384000,0.532000,500",
    # London, live
    "SW1A1AA,SW1A 1AA,SW1A 1AA,198001,,E99999999,E99999999,E09000033,E05000006,1,529090,179645,1,51.501009,-0.141588,600",
]


def _csv(bom=False, rows=ROWS):
    text = HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"
    return ("\ufeff" if bom else "") + text


@pytest.fixture
def onspd_file(tmp_path):
    p = tmp_path / "ONSPD_TEST_UK.csv"
    p.write_text(_csv(bom=True), encoding="utf-8")
    return p


def test_reads_live_rows_from_a_path_with_bom(onspd_file):
    rows = list(iter_onspd(onspd_file))
    assert rows == [
        OnspdRow("TN23 1AB", 51.1465, 0.875, "E07000105"),
        OnspdRow("ME14 1XX", 51.28, 0.53, "E07000110"),
        OnspdRow("ME4 4AA", 51.384, 0.532, "E06000035"),
        OnspdRow("SW1A 1AA", 51.501009, -0.141588, "E09000033"),
    ]
    postcode, lat, lon, gss = rows[0]  # plain tuple unpacking works
    assert (postcode, gss) == ("TN23 1AB", "E07000105")


def test_only_lads_filter(onspd_file):
    kent = {"E07000105", "E07000106", "E06000035"}
    assert [r.postcode for r in iter_onspd(str(onspd_file), only_lads=kent)] == ["TN23 1AB", "ME4 4AA"]


def test_progress_callback(onspd_file):
    calls = []
    list(iter_onspd(onspd_file, progress=lambda *a: calls.append(a), progress_every=2))
    size = onspd_file.stat().st_size
    assert [c[0] for c in calls] == [2, 4, 6, 6]
    assert all(c[2] == size for c in calls)
    bytes_read = [c[1] for c in calls]
    assert bytes_read == sorted(bytes_read)
    assert bytes_read[-1] == size


@pytest.mark.parametrize("kind", ["binary", "text", "textfile"])
def test_file_objects(kind, onspd_file):
    if kind == "binary":
        f = io.BytesIO(_csv(bom=True).encode("utf-8"))
    elif kind == "text":
        f = io.StringIO(_csv(bom=True))
    else:
        f = open(onspd_file, encoding="utf-8", newline="")
    try:
        calls = []
        rows = list(iter_onspd(f, progress=lambda *a: calls.append(a)))
    finally:
        f.close()
    assert [r.postcode for r in rows] == ["TN23 1AB", "ME14 1XX", "ME4 4AA", "SW1A 1AA"]
    assert calls[-1][0] == 6 and calls[-1][2] is not None


def test_zip_as_published(tmp_path):
    z = tmp_path / "ONSPD_TEST.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Documents/readme.csv", "a,b\n1,2\n")
        zf.writestr("Data/ONSPD_TEST_UK.csv", _csv(bom=True))
    assert len(list(iter_onspd(z))) == 4


def test_newer_header_names_and_case():
    text = (
        "PCD7,PCD8,PCDS,DOINTR,DOTERM,LAD24CD,LAD25CD,LAT,LONG\nCT11AB,CT1  1AB,CT1 1AB,198001,,E07000999,E07000106,51.28,1.08\n"
    )
    assert read_onspd(io.StringIO(text)) == {"CT1 1AB": (51.28, 1.08, "E07000106")}


def test_missing_columns_is_a_clear_error():
    with pytest.raises(OnspdFormatError) as exc:
        list(iter_onspd(io.StringIO("a,b,c\n1,2,3\n")))
    assert "ONS Postcode Directory" in str(exc.value)


def test_empty_file():
    calls = []
    assert list(iter_onspd(io.BytesIO(b""), progress=lambda *a: calls.append(a))) == []
    assert calls == [(0, 0, 0)]


def test_feeds_the_gazetteer(onspd_file):
    from brokerage.geo.directory import Gazetteer

    g = Gazetteer(exact_lookup=read_onspd(onspd_file))
    loc = g.locate("tn23 1ab")
    assert loc.precision == "postcode" and loc.district_gss == "E07000105"
    assert g.locate("SW1A 1AA").district_gss is None
