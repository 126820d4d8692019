"""Match quality: what a broker would check before standing behind the lists.

    python -m benchmarks.match_quality              # the labelled set, then the demo county (seeded into a temporary SQLite file)
    python -m benchmarks.match_quality --no-county  # the labelled set only
    python -m benchmarks.match_quality --tune       # choose the cause threshold on the "tune" half and print it

1. The labelled set (``benchmarks/data/labelled_tags.csv``): phrases → skills and listing texts → causes,
   positives and hard negatives ("photo ID", "patients", "water sports", "account" …), each row in a
   "tune" or a "test" half. Thresholds are chosen on "tune"; the figures that count are on "test".
   Printed: skill mapping precision and recall (at the strength that opens an essential gate, and at the
   one that only scores), cause precision and recall at the suggester's threshold, top-1 accuracy and
   macro-F1, and the same for a keyword baseline (the standard's labels and alternative labels as
   keywords, the cause with most hits first; for skills, labels and synonyms found anywhere in the text).
2. The demo county (``brokerage seed --scale demo``, seeded afresh): for active volunteers with a complete
   profile (a location, stated times, and at least one skill or cause), the share with at least three
   matches (target 95%), the share with none (target 1% at most), the share of remote roles in in-person
   volunteers' lists (must be 0), and the spread across organisations.

Figures only; the thresholds are asserted by ``tests/matching/test_matching_quality.py``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matching import RoleIndex, default_vocabulary
from matching.reading import words
from matching.tags import CAUSE_THRESHOLD, rank_causes
from matching.types import Weights

from ._common import print_table

DATA = Path(__file__).resolve().parent / "data" / "labelled_tags.csv"
TODAY = date(2026, 11, 23)


@dataclass(frozen=True)
class Row:
    kind: str
    text: str
    labels: frozenset[str]
    split: str


def load(split: str | None = None, kind: str | None = None) -> list[Row]:
    with open(DATA, newline="", encoding="utf-8") as f:
        rows = [
            Row(r["kind"], r["text"], frozenset(x for x in r["labels"].split("|") if x), r["split"]) for r in csv.DictReader(f)
        ]
    return [r for r in rows if (split is None or r.split == split) and (kind is None or r.kind == kind)]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    n: int


def set_scores(rows: Sequence[Row], predict: Callable[[str], set[str]]) -> Scores:
    tp = fp = fn = 0
    for r in rows:
        pred = predict(r.text)
        tp += len(pred & r.labels)
        fp += len(pred - r.labels)
        fn += len(r.labels - pred)
    return Scores(tp / max(1, tp + fp), tp / max(1, tp + fn), len(rows))


def skill_reader(threshold: float) -> Callable[[str], set[str]]:
    vocab = default_vocabulary()
    return lambda text: {vocab.skill_ids[x.skill] for x in vocab.read_skills(text) if x.strength >= threshold}


def skill_keyword_baseline() -> Callable[[str], set[str]]:
    """Labels and synonyms found anywhere in the lower-cased text (substring)."""
    vocab = default_vocabulary()
    terms = [
        (t.lower(), vocab.skill_ids[i]) for i in range(vocab.n_skills) for t in [vocab.skill_labels[i], *vocab.skill_synonyms[i]]
    ]
    return lambda text: {sid for t, sid in terms if len(t) > 2 and t in text.lower()}


class KeywordCauses:
    """The ten-minute keyword list: the standard's labels and alternative labels, whole words, the cause
    with most hits first (ties: the first in the standard's order)."""

    def __init__(self) -> None:
        import json

        from matching.reading import DATA_DIR

        vocab = default_vocabulary()
        by_label = {lab.lower(): vocab.cause_ids[i] for i, lab in enumerate(vocab.cause_labels)}
        raw = json.loads((DATA_DIR / "taxonomy_text.json").read_text(encoding="utf-8"))
        self.keywords: list[tuple[str, str]] = []
        for c in raw["causes"]:
            cid = by_label.get(c["label"].lower())
            if cid:
                for k in [c["label"], *c["alt_labels"]]:
                    self.keywords.append((" " + " ".join(words(k)) + " ", cid))

    def rank(self, text: str) -> list[tuple[str, float]]:
        t = " " + " ".join(words(text)) + " "
        hits: Counter[str] = Counter(cid for k, cid in self.keywords if k in t)
        order = {cid: j for j, (_, cid) in enumerate(self.keywords)}
        return sorted(((c, float(n)) for c, n in hits.items()), key=lambda x: (-x[1], order[x[0]]))


@dataclass(frozen=True)
class CauseScores:
    precision: float
    recall: float
    top1: float
    macro_f1: float
    n: int


def cause_scores(rows: Sequence[Row], rank: Callable[[str], list[tuple[str, float]]], threshold: float) -> CauseScores:
    tp = fp = fn = 0
    top_right = top_n = 0
    per: dict[str, list[int]] = {}
    for r in rows:
        ranked = rank(r.text)
        pred = {c for c, s in ranked if s >= threshold}
        tp += len(pred & r.labels)
        fp += len(pred - r.labels)
        fn += len(r.labels - pred)
        for c in pred | r.labels:
            t = per.setdefault(c, [0, 0, 0])
            t[0] += c in pred and c in r.labels
            t[1] += c in pred and c not in r.labels
            t[2] += c in r.labels and c not in pred
        if r.labels:
            top_n += 1
            top_right += bool(ranked) and ranked[0][0] in r.labels
    f1s = [2 * a / max(1, 2 * a + b + c) for a, b, c in per.values()]
    return CauseScores(
        tp / max(1, tp + fp), tp / max(1, tp + fn), top_right / max(1, top_n), sum(f1s) / max(1, len(f1s)), len(rows)
    )


def tune_cause_threshold(rows: Sequence[Row], min_precision: float = 0.85) -> float:
    """The threshold with the best F1 among those reaching ``min_precision`` on ``rows`` (the tune half);
    when several are equally good, the middle one of them (a threshold at the edge of a plateau is the
    one most likely to move on other listings)."""
    scored: list[tuple[float, float]] = []
    for th in [x / 100 for x in range(20, 91, 5)]:
        s = cause_scores(rows, rank_causes, th)
        if s.precision >= min_precision:
            scored.append((th, 2 * s.precision * s.recall / max(1e-9, s.precision + s.recall)))
    if not scored:
        return 0.5
    best = max(f1 for _, f1 in scored)
    return statistics.median_low([th for th, f1 in scored if f1 >= best - 1e-9])


def labelled_report(split: str = "test") -> dict[str, float]:
    w = Weights()
    skills = load(split, "skill")
    causes = load(split, "cause")
    gate = set_scores(skills, skill_reader(w.essential_match_threshold))
    scored = set_scores(skills, skill_reader(w.skill_match_threshold))
    kw = set_scores(skills, skill_keyword_baseline())
    print_table(
        f"Free text → skill, {split} half ({gate.n} phrases, {sum(1 for r in skills if not r.labels)} with no skill)",
        ["reader", "precision", "recall"],
        [
            [
                f"skill reader, strength >= {w.essential_match_threshold} (opens an essential gate)",
                f"{gate.precision:.3f}",
                f"{gate.recall:.3f}",
            ],
            [f"skill reader, strength >= {w.skill_match_threshold} (scores)", f"{scored.precision:.3f}", f"{scored.recall:.3f}"],
            ["baseline: labels and synonyms as substrings", f"{kw.precision:.3f}", f"{kw.recall:.3f}"],
        ],
    )
    ours = cause_scores(causes, rank_causes, CAUSE_THRESHOLD)
    base = cause_scores(causes, KeywordCauses().rank, 1.0)
    print_table(
        f"Listing → cause, {split} half ({ours.n} listings, {sum(1 for r in causes if not r.labels)} with no cause)",
        ["suggester", "precision", "recall", "top-1", "macro-F1"],
        [
            [
                f"tag suggester (threshold {CAUSE_THRESHOLD})",
                f"{ours.precision:.3f}",
                f"{ours.recall:.3f}",
                f"{ours.top1:.3f}",
                f"{ours.macro_f1:.3f}",
            ],
            [
                "baseline: the standard's labels as keywords",
                f"{base.precision:.3f}",
                f"{base.recall:.3f}",
                f"{base.top1:.3f}",
                f"{base.macro_f1:.3f}",
            ],
        ],
    )
    print("targets: skill precision >= 0.95 at recall >= 0.85 (gate strength); cause precision >= 0.8; beat the baseline")
    return {
        "skill_precision": gate.precision,
        "skill_recall": gate.recall,
        "cause_precision": ours.precision,
        "cause_top1": ours.top1,
        "cause_macro_f1": ours.macro_f1,
        "baseline_top1": base.top1,
        "baseline_macro_f1": base.macro_f1,
    }


# --- the demo county -------------------------------------------------------------------------------------
def _seed_demo(path: str) -> None:
    os.environ["BROKERAGE_DATABASE_URL"] = f"sqlite:///{path}"
    from alembic import command
    from sqlalchemy import create_engine

    from brokerage import db as dbmod
    from brokerage.cli import _alembic_config
    from brokerage.seed.generate import seed

    engine = create_engine(f"sqlite:///{path}")
    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    dbmod.set_engine(engine)
    seed(scale="demo", seed=2026, progress=False, today=TODAY)


def county_report() -> dict[str, float]:
    from sqlalchemy import select

    from brokerage import db as dbmod
    from brokerage.matches.features import role_features, volunteer_features
    from brokerage.models import Volunteer

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        _seed_demo(str(Path(tmp) / "demo.sqlite3"))
        print(f"\nSeeded the demo county in {time.perf_counter() - started:.0f} s")
        with dbmod.session_scope() as session:
            roles = list(role_features(session))
            ids = list(session.scalars(select(Volunteer.id).where(Volunteer.status == "active").order_by(Volunteer.id)))
            vols = volunteer_features(session, ids)
        dbmod.set_engine(None)
    index = RoleIndex(roles)
    mode_of = {r.id: r.mode for r in roles}
    org_of = {r.id: r.organisation_id for r in roles}
    complete = [v for v in vols if v.lat is not None and v.availability_mask and (v.skills or v.skills_text or v.causes)]
    full3 = any3 = none = 0
    in_person_slots = in_person_remote = 0
    shown: Counter[int] = Counter()
    for v in complete:
        res = index.rank(v, 10, TODAY)
        n_full = sum(r.close is None for r in res)
        full3 += n_full >= 3
        any3 += len(res) >= 3
        none += not res
        for r in res:
            shown[org_of[r.role_id]] += 1
        if v.mode == "in_person":
            in_person_slots += len(res)
            in_person_remote += sum(mode_of[r.role_id] == "remote" for r in res)
    n = max(1, len(complete))
    orgs = {r.organisation_id for r in roles}
    total = max(1, sum(shown.values()))
    top = shown.most_common(1)[0][1] if shown else 0
    per_org = sorted(shown.get(o, 0) for o in orgs)
    median = per_org[len(per_org) // 2] if per_org else 0
    print_table(
        f"Demo county: {len(complete):,} active volunteers with a complete profile (of {len(vols):,}), {len(roles):,} open roles",
        ["figure", "value", "target"],
        [
            ["share with >= 3 matches (every gate passed)", f"{full3 / n:.1%}", ">= 95%"],
            ["share with >= 3 in the list (close matches included)", f"{any3 / n:.1%}", ""],
            ["share with none at all", f"{none / n:.1%}", "<= 1%"],
            [
                "remote roles in in-person volunteers' lists",
                f"{in_person_remote} of {in_person_slots:,} ({in_person_remote / max(1, in_person_slots):.1%})",
                "0",
            ],
            ["organisations with an open role", f"{len(orgs):,}", ""],
            [
                "… shown to at least one volunteer",
                f"{sum(1 for o in orgs if shown.get(o)):,} ({sum(1 for o in orgs if shown.get(o)) / max(1, len(orgs)):.0%})",
                "",
            ],
            ["list places taken by the most-shown organisation", f"{top:,} ({top / total:.1%})", ""],
            ["list places per organisation: median / max", f"{median} / {per_org[-1] if per_org else 0}", ""],
        ],
    )
    return {"full3": full3 / n, "none": none / n, "remote_in_person": in_person_remote}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-county", action="store_true", help="skip seeding and ranking the demo county")
    ap.add_argument("--tune", action="store_true", help="choose the cause threshold on the tune half")
    ap.add_argument("--split", default="test", choices=("test", "tune"))
    args = ap.parse_args(argv)
    if args.tune:
        th = tune_cause_threshold(load("tune", "cause"))
        print(f"cause threshold chosen on the tune half: {th} (matching.tags.CAUSE_THRESHOLD is {CAUSE_THRESHOLD})")
        return 0
    labelled_report(args.split)
    if not args.no_county:
        county_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
