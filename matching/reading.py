"""Reading skills from a person's or a role's own words, precisely.

A phrase of the vocabulary counts only where it stands as whole words (word boundaries), in any of
its forms (a light lemmatiser: "drives", "driving" and "drive" are one word; "driven" is not), in the
sense the vocabulary means it (``data/senses.json``: "photo ID" is not photography, "patients" are not
patience, "first aid kit" is not first aid, "I don't drive" is not driving). Character-level fuzz is
kept for long words that are not words of their own (typos such as "gardning"): such a reading gets
:data:`TYPO_STRENGTH`, which is shown as "may use" and never opens a gate (gates need
``Weights.essential_match_threshold``).

Every reading carries its strength and the words it came from, so that it can be shown.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

DATA_DIR = Path(__file__).resolve().parent / "data"
EXACT_STRENGTH = 1.0
TYPO_STRENGTH = 0.7
TYPO_MIN_LEN = 7

_WORD = re.compile(r"[a-z0-9]+")
_CLAUSE = re.compile(r"[,;:/\n\.\(\)\u2022|!?]+|\bbut\b|\bhowever\b|\bthough\b")


def _undouble(t: str) -> str:
    if len(t) > 3 and t[-1] == t[-2] and t[-1] not in "lsz":
        return t[:-1]
    return t


def lemma(tok: str) -> str:
    """One form for the forms of a word: plurals, -ing and -ed endings and a final e go
    ("drives", "driving", "drive", "drived" → "driv"; "gardening", "gardens" → "garden";
    "counselling" → "counsel"). Agent nouns keep their ending ("driver"), so that a word is never
    read as a different word ("poster" is not "post")."""
    t = tok
    if len(t) > 4 and t.endswith("ies"):
        t = t[:-3] + "y"
    elif len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
        t = t[:-1]
    if len(t) >= 6 and t.endswith("ing"):
        t = _undouble(t[:-3])
    elif len(t) >= 5 and t.endswith("ed") and not t.endswith("eed"):
        t = _undouble(t[:-2])
    if len(t) > 3 and t.endswith("e"):
        t = t[:-1]
    if len(t) > 3 and t.endswith("ll"):  # "fill", "filling"; "counsel", "counselling"
        t = t[:-1]
    return t


def words(text: str) -> list[str]:
    """Lower-case words; "St John's" → ["st", "johns"], "first-aider" → ["first", "aider"]."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return _WORD.findall(text)


def clauses(text: str) -> list[list[str]]:
    return [w for w in (words(c) for c in _CLAUSE.split(text.lower())) if w]


@dataclass(frozen=True, slots=True)
class Reading:
    """One skill read from text: vocabulary index, strength (1.0 for a phrase of the vocabulary as
    written, :data:`TYPO_STRENGTH` for a typo), and the words it was read from."""

    skill: int
    strength: float
    phrase: str


@dataclass(frozen=True)
class Senses:
    exact: frozenset[str]
    stop: dict[str, tuple[str, ...]]
    negators: frozenset[str]
    provided: frozenset[str]
    add: dict[str, tuple[str, ...]]
    remove: dict[str, frozenset[str]]


@lru_cache(maxsize=4)
def load_senses(path: str | None = None) -> Senses:
    raw = json.loads(Path(path or DATA_DIR / "senses.json").read_text(encoding="utf-8"))
    return Senses(
        exact=frozenset(" ".join(words(x)) for x in raw["exact"]),
        stop={" ".join(words(k)): tuple(v) for k, v in raw["stop"].items()},
        negators=frozenset(raw["negators"]),
        provided=frozenset(raw.get("provided", ())),
        add={k: tuple(v) for k, v in raw["add"].items()},
        remove={k: frozenset(" ".join(words(x)) for x in v) for k, v in raw["remove"].items()},
    )


@lru_cache(maxsize=4)
def known_words(path: str | None = None) -> frozenset[str]:
    """Words of ordinary English of seven letters or more (``data/words.txt.gz``, from SCOWL's British
    English list): they are never read as a typo of another word ("patients" is not a misspelt
    "patience", "account" not a misspelt "accounts")."""
    with gzip.open(path or DATA_DIR / "words.txt.gz", "rt", encoding="utf-8") as f:
        return frozenset(w for w in f.read().split() if w)


class SkillReader:
    """Free text → skills. ``terms`` are (skill index, skill id, phrase) for every label and synonym."""

    def __init__(
        self,
        terms: list[tuple[int, str, str]],
        senses: Senses | None = None,
        lexicon: frozenset[str] | None = None,
        implies: dict[int, frozenset[int]] | None = None,
    ):
        self.implies = implies or {}
        self.senses = senses or load_senses()
        ids: dict[int, str] = {}
        table: dict[str, list[int]] = {}
        exact: dict[str, list[int]] = {}
        typo: dict[str, set[int]] = {}
        items = list(terms)
        for i, sid in {(i, sid) for i, sid, _ in terms}:
            ids[i] = sid
            items.extend((i, sid, extra) for extra in self.senses.add.get(sid, ()))
        for i, sid, phrase in items:
            ws = words(phrase)
            if not ws:
                continue
            surface = " ".join(ws)
            if surface in self.senses.remove.get(sid, frozenset()):
                continue
            if surface in self.senses.exact:
                exact.setdefault(surface, []).append(i)
                continue
            key = " ".join(lemma(w) for w in ws)
            lst = table.setdefault(key, [])
            if i not in lst:
                lst.append(i)
            if len(ws) == 1 and len(ws[0]) >= TYPO_MIN_LEN:
                typo.setdefault(ws[0], set()).add(i)
        self.ids = ids
        self.index_of = {sid: i for i, sid in ids.items()}
        self.table = table
        self.exact = exact
        self.stop = {" ".join(lemma(w) for w in k.split()): v for k, v in self.senses.stop.items()}
        self.stop_surface = dict(self.senses.stop)
        self.typo_targets = sorted(typo.items())
        self.max_n = max([len(k.split()) for k in table] + [len(k.split()) for k in exact] + [len(k.split()) for k in self.stop])
        self.lexicon = (lexicon if lexicon is not None else known_words()) | set(typo) | {w for k in exact for w in k.split()}

    def _stopped(self, ws: list[str], lems: list[str]) -> list[tuple[int, int, frozenset[int] | None]]:
        """Spans of stop phrases: (start, end, skills cancelled; None = every skill)."""
        out: list[tuple[int, int, frozenset[int] | None]] = []
        n = len(ws)
        for size in range(min(self.max_n, n), 0, -1):
            for a in range(n - size + 1):
                hit = self.stop_surface.get(" ".join(ws[a : a + size]))
                if hit is None:
                    hit = self.stop.get(" ".join(lems[a : a + size]))
                if hit is not None:
                    cancelled = frozenset(self.index_of[s] for s in hit if s in self.index_of) if hit else None
                    out.append((a, a + size, cancelled))
        return out

    def _negated(self, ws: list[str], start: int, end: int) -> bool:
        """Said not to be had ("I don't drive", "no driving licence"), or said to be provided ("tools are
        provided", "full training given")."""
        if any(w in self.senses.negators for w in ws[max(0, start - 4) : start]):
            return True
        return any(w in self.senses.provided for w in ws[end : end + 4])

    def read(self, text: str) -> list[Reading]:
        """Every skill the text shows, strongest reading per skill, in order of first appearance."""
        best: dict[int, Reading] = {}
        for ws in clauses(text or ""):
            for r in self._read_clause(ws):
                if r.skill not in best or r.strength > best[r.skill].strength:
                    best[r.skill] = r
        return list(best.values())

    def _read_clause(self, ws: list[str]) -> list[Reading]:
        lems = [lemma(w) for w in ws]
        n = len(ws)
        stops = self._stopped(ws, lems)
        covered = [False] * n
        out: list[Reading] = []
        for size in range(min(self.max_n, n), 0, -1):
            for a in range(n - size + 1):
                b = a + size
                if any(covered[a:b]):
                    continue
                surface = " ".join(ws[a:b])
                hits = list(self.exact.get(surface, ())) + list(self.table.get(" ".join(lems[a:b]), ()))
                if not hits:
                    continue
                for j in range(a, b):
                    covered[j] = True
                if self._negated(ws, a, b):
                    continue
                for i in dict.fromkeys(hits):
                    if any(s <= a and b <= e and (c is None or i in c) for s, e, c in stops):
                        continue
                    out.append(Reading(i, EXACT_STRENGTH, surface))
        for j, w in enumerate(ws):
            if covered[j] or len(w) < TYPO_MIN_LEN or w in self.lexicon or self._negated(ws, j, j + 1):
                continue
            if any(s <= j < e for s, e, _ in stops):
                continue
            limit = 1 if len(w) < 10 else 2
            for target, skills in self.typo_targets:
                if abs(len(target) - len(w)) <= limit and OSA.distance(w, target, score_cutoff=limit) <= limit:
                    out.extend(Reading(i, TYPO_STRENGTH, w) for i in sorted(skills))
                    break
        # a broader skill read beside a narrower one that implies it is not a reading of its own
        # ("HGV class 1 driver" is HGV driving; the driving follows from it)
        found = {r.skill for r in out}
        implied = set().union(*(self.implies.get(i, frozenset()) for i in found)) if found else set()
        return [r for r in out if r.skill not in implied]


@dataclass(frozen=True, slots=True)
class PhraseHit:
    label: str
    weight: float
    phrase: str


DERIVED_MIN_PREFIX = 7
DERIVED_WEIGHT = 0.8


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class PhraseMatcher:
    """Whole-word phrases in any form of their words (:func:`lemma`), longest first (a phrase inside a
    longer one for the same label is the same mention); ``stop`` phrases cancel the labels they list (every label when the list is empty) for the
    words they cover; negated mentions ("not for children") are skipped."""

    def __init__(self, entries: list[tuple[str, str, float]], stop: dict[str, tuple[str, ...]], negators: frozenset[str]):
        table: dict[str, dict[str, float]] = {}
        for phrase, label, weight in entries:
            key = " ".join(lemma(w) for w in words(phrase))
            if key:
                slot = table.setdefault(key, {})
                slot[label] = max(slot.get(label, 0.0), weight)
        self.table = table
        self.stop = {" ".join(lemma(w) for w in words(k)): frozenset(v) for k, v in stop.items()}
        self.negators = negators
        # single words by their first letters, for other forms of a word ("conservationists")
        self.by_prefix: dict[str, list[str]] = {}
        for key in table:
            if " " not in key and len(key) >= DERIVED_MIN_PREFIX:
                self.by_prefix.setdefault(key[:DERIVED_MIN_PREFIX], []).append(key)
        self.max_n = max([len(k.split()) for k in table] + [len(k.split()) for k in self.stop] + [1])

    def hits(self, text: str) -> list[PhraseHit]:
        out: list[PhraseHit] = []
        for ws in clauses(text or ""):
            lems = [lemma(w) for w in ws]
            n = len(ws)
            stops: list[tuple[int, int, frozenset[str]]] = []
            for size in range(min(self.max_n, n), 0, -1):
                for a in range(n - size + 1):
                    hit = self.stop.get(" ".join(lems[a : a + size]))
                    if hit is not None:
                        stops.append((a, a + size, hit))
            spans: list[tuple[int, int, str, float]] = []
            for size in range(min(self.max_n, n), 0, -1):
                for a in range(n - size + 1):
                    b = a + size
                    found = self.table.get(" ".join(lems[a:b]))
                    if not found or any(w in self.negators for w in ws[max(0, a - 2) : a]):
                        continue
                    for label, weight in found.items():
                        if any(s <= a and b <= e and (not c or label in c) for s, e, c in stops):
                            continue
                        # a phrase inside a longer one of the same cause is the same mention
                        if any(s <= a and b <= e and lab == label for s, e, lab, _ in spans):
                            continue
                        spans.append((a, b, label, weight))
                        out.append(PhraseHit(label, weight, " ".join(ws[a:b])))
            out.extend(self._derived(ws, lems, spans, stops))
        return out

    def _derived(
        self,
        ws: list[str],
        lems: list[str],
        spans: list[tuple[int, int, str, float]],
        stops: list[tuple[int, int, frozenset[str]]],
    ) -> list[PhraseHit]:
        """Other forms of a single-word phrase that no phrase covers, sharing a long beginning with it
        ("conservationists" → "conservation", "allotmenteers" → "allotment"), at :data:`DERIVED_WEIGHT`."""
        out: list[PhraseHit] = []
        for j, lem in enumerate(lems):
            if len(lem) <= DERIVED_MIN_PREFIX or any(s <= j < e for s, e, _, _ in spans):
                continue
            if any(w in self.negators for w in ws[max(0, j - 2) : j]):
                continue
            for key in self.by_prefix.get(lem[:DERIVED_MIN_PREFIX], ()):
                common = _common_prefix(key, lem)
                if key == lem or common < max(DERIVED_MIN_PREFIX, 0.8 * min(len(key), len(lem))):
                    continue
                for label, weight in self.table[key].items():
                    if any(s <= j < e and (not c or label in c) for s, e, c in stops):
                        continue
                    out.append(PhraseHit(label, weight * DERIVED_WEIGHT, ws[j]))
        return out
