"""``brokerage geo import-onspd``: exact postcodes from the ONS Postcode Directory win over outcode
centroids, and a postcode that spans districts lands in the right one."""

from __future__ import annotations

from brokerage import db as dbmod
from workers.cli import main
from brokerage.geo.lookup import forget_exact_rows_cache, locate

ONSPD = """pcd,pcd2,pcds,dointr,doterm,oslaua,lat,long
ME20 6AA,ME20  6AA,ME20 6AA,200001,,E07000115,51.3012,0.4601
ME20 7ZZ,ME20  7ZZ,ME20 7ZZ,200001,201012,E07000115,51.3100,0.4700
TN23 1AA,TN23  1AA,TN23 1AA,200001,,E07000105,51.1466,0.8710
"""


def test_import_onspd_then_locate_uses_exact_rows(tmp_path, capsys, migrated_sqlite):
    path = tmp_path / "onspd.csv"
    path.write_text(ONSPD)
    engine = migrated_sqlite(tmp_path / "db.sqlite3")
    dbmod.set_engine(engine)
    forget_exact_rows_cache()
    try:
        with dbmod.session_scope() as s:
            before = locate(s, "ME20 6AA")
        assert before.precision == "outcode"
        assert main(["geo", "import-onspd", str(path), "--quiet"]) == 0
        assert "Imported 2 postcodes" in capsys.readouterr().out  # the terminated one is skipped
        with dbmod.session_scope() as s:
            after = locate(s, "me20 6aa")
            other = locate(s, "ME20 9QQ")
        assert after.precision == "postcode" and after.district_gss == "E07000115"  # Tonbridge and Malling
        assert (after.latitude, after.longitude) == (51.3012, 0.4601)
        assert other.precision == "outcode"
    finally:
        dbmod.set_engine(None)
        forget_exact_rows_cache()
        engine.dispose()
