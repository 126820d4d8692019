"""``brokerage matches rematch``: re-match the whole county (top roles for every active volunteer)."""

from __future__ import annotations

import argparse
from brokerage.spreadsheets import csv_writer
import sys
import time
from datetime import date

from sqlalchemy import select
from tqdm import tqdm


def register(subparsers) -> None:
    p = subparsers.add_parser("matches", help="matching across the county")
    sub = p.add_subparsers(dest="matches_command", required=True)
    r = sub.add_parser("rematch", help="rank the best roles for every active volunteer (the nightly re-match)")
    r.add_argument("--top", type=int, default=10, help="roles per volunteer")
    r.add_argument("--processes", type=int, default=2)
    r.add_argument("--chunk", type=int, default=20_000, help="volunteers loaded at a time")
    r.add_argument("--output", help="write volunteer_id,rank,role_id,score to this CSV file")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_rematch)


def cmd_rematch(args: argparse.Namespace) -> int:
    from brokerage.db import session_scope
    from brokerage.matches.features import role_features, volunteer_features
    from brokerage.models import Volunteer
    from matching import RoleIndex

    started = time.perf_counter()
    with session_scope() as session:
        index = RoleIndex(list(role_features(session)))
        ids = list(session.scalars(select(Volunteer.id).where(Volunteer.status == "active").order_by(Volunteer.id)))
        out = open(args.output, "w", newline="") if args.output else None
        writer = csv_writer(out) if out else None
        if writer:
            writer.writerow(["volunteer_id", "rank", "role_id", "score"])
        matched = with_none = 0
        bar = tqdm(total=len(ids), unit="volunteers", desc="Re-matching the county", disable=args.quiet, file=sys.stderr)
        today = date.today()
        for start in range(0, len(ids), args.chunk):
            vols = volunteer_features(session, ids[start : start + args.chunk])
            result = index.rank_many(vols, k=args.top, today=today, processes=args.processes)
            for i, vid in enumerate(result.volunteer_ids):
                row = result.role_ids[i]
                found = int((row >= 0).sum())
                matched += found > 0
                with_none += found == 0
                if writer:
                    for rank, (rid, score) in enumerate(zip(row, result.scores[i]), start=1):
                        if rid >= 0:
                            writer.writerow([int(vid), rank, int(rid), f"{float(score):.4f}"])
            bar.update(len(vols))
        bar.close()
        if out:
            out.close()
    print(
        f"Re-matched {len(ids):,} volunteers against {len(index):,} open roles in {time.perf_counter() - started:.1f} s: "
        f"{matched:,} have matches, {with_none:,} have none."
    )
    return 0
