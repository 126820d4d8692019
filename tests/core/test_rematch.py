"""``brokerage matches rematch`` re-matches every active volunteer and can write the result out."""

from __future__ import annotations

import csv
from datetime import date

from brokerage import db as dbmod
from workers.cli import main


def test_rematch_the_county(tmp_path, capsys, migrated_sqlite):
    from brokerage.seed.generate import seed

    engine = migrated_sqlite(tmp_path / "db.sqlite3")
    dbmod.set_engine(engine)
    try:
        seed(scale="tiny", seed=3, progress=False, today=date.today())
        out = tmp_path / "matches.csv"
        assert main(["matches", "rematch", "--quiet", "--processes", "1", "--output", str(out)]) == 0
        summary = capsys.readouterr().out
        assert "Re-matched" in summary and "have matches" in summary
        rows = list(csv.DictReader(out.open()))
        assert rows and {int(r["rank"]) for r in rows} <= set(range(1, 11))
        per_volunteer: dict[str, list[float]] = {}
        for r in rows:
            per_volunteer.setdefault(r["volunteer_id"], []).append(float(r["score"]))
        assert all(len(s) <= 10 for s in per_volunteer.values())
    finally:
        dbmod.set_engine(None)
        engine.dispose()
