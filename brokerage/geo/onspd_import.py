"""Load exact postcodes from the ONS Postcode Directory (streamed, with progress)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, insert
from tqdm import tqdm

from brokerage.db import session_scope
from brokerage.geo import KENT_AND_MEDWAY_GSS, iter_onspd
from brokerage.geo.lookup import forget_exact_rows_cache
from brokerage.models import Postcode

BATCH = 5_000


def import_onspd(path: Path, *, only_kent: bool = True, progress: bool = True) -> int:
    total_bytes = path.stat().st_size
    bar = tqdm(total=total_bytes, unit="B", unit_scale=True, desc="ONSPD", disable=not progress)
    last = [0]

    def on_progress(rows: int, read: int, total: int | None) -> None:
        bar.update(read - last[0])
        last[0] = read

    count = 0
    with session_scope() as session:
        session.execute(delete(Postcode))
        batch: list[dict[str, object]] = []
        for row in iter_onspd(path, progress=on_progress, only_lads=KENT_AND_MEDWAY_GSS if only_kent else None):
            postcode, lat, lon, gss = row
            batch.append(
                {
                    "postcode": postcode,
                    "latitude": lat,
                    "longitude": lon,
                    "lad_gss_code": gss,
                    "district_gss": gss if gss in KENT_AND_MEDWAY_GSS else "OUTSIDE",
                }
            )
            if len(batch) >= BATCH:
                session.execute(insert(Postcode), batch)
                count += len(batch)
                batch.clear()
        if batch:
            session.execute(insert(Postcode), batch)
            count += len(batch)
    bar.close()
    forget_exact_rows_cache()
    return count
