"""Duplicate volunteers across the county: propose pairs of records that are one person.

Blocking keeps it linear-ish: records are compared only when they share a key — the same date of
birth, email, email name (the part before @), phone number, the same pair of phonetic name codes
(in either order, so "Smith John" meets "John Smith"), or the same postcode and phonetic surname.
Each candidate pair is then scored with rapidfuzz on the names and checked on date of birth, email,
phone and postcode. A pair is proposed only when the names agree *and* there is independent
evidence (the same or nearly the same date of birth, email, phone or address); two different dates
of birth rule a pair out, so two people who merely share a common name are never proposed.

The comparison (:func:`find_duplicates`) is pure; :func:`scan` reads the county and stores
candidates for staff to review.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from brokerage import audit, locking
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.db import utcnow
from brokerage.errors import Conflict, Forbidden, NotFound
from brokerage.models import DuplicateCandidate, Volunteer

NAME_THRESHOLD = 85.0
PART_THRESHOLD = 75.0
EVIDENCE_THRESHOLD = 3.0
MAX_PAIRS_PER_BLOCK = 2_000  # a block with more pairs than this is compared by nearest names only
RARE_NAME = 3  # a name held by at most this many records (the pair included) counts as rare
INACTIVE_STATUSES = ("erased", "merged")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None


@dataclass(slots=True)
class Match:
    a: int
    b: int
    score: float
    reasons: list[str] = field(default_factory=list)


# -- normalising -----------------------------------------------------------------------------
@lru_cache(maxsize=65_536)
def _name(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z ]+", " ", text.replace("-", " ")).strip()


_SOUNDEX = {
    c: d for d, letters in {"1": "bfpv", "2": "cgjkqsxz", "3": "dt", "4": "l", "5": "mn", "6": "r"}.items() for c in letters
}


@lru_cache(maxsize=65_536)
def soundex(word: str) -> str:
    """American Soundex: a phonetic code that forgives most spelling slips (Smith = Smyth)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return ""
    out, last = word[0].upper(), _SOUNDEX.get(word[0], "")
    for ch in word[1:]:
        code = _SOUNDEX.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "hw":
            last = code
    return (out + "000")[:4]


def _email(text: str | None) -> tuple[str, str] | None:
    if not text or "@" not in text:
        return None
    local, _, domain = text.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}", local


def _phone(text: str | None) -> str | None:
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits[-10:] if len(digits) >= 9 else None


def _postcode(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    pc = re.sub(r"\s+", "", text.upper())
    return (pc, pc[:-3]) if len(pc) >= 5 else (pc, pc)


def _near_dob(a: date, b: date) -> bool:
    """A typing slip: day and month swapped, or one wrong digit in the day, the month or the last
    digit of the year (a decade apart is a parent and child, not a slip)."""
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return True
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differing = [i for i, (x, y) in enumerate(zip(sa, sb)) if x != y]
    return len(differing) == 1 and differing[0] not in (0, 1, 2)


@dataclass(slots=True)
class _Prepared:
    person: Person
    first: str
    last: str
    full: str
    swapped: str
    sorted_name: str
    email: tuple[str, str] | None
    phone: str | None
    postcode: tuple[str, str] | None


def _prepare(p: Person) -> _Prepared:
    first, last = _name(p.first_name), _name(p.last_name)
    return _Prepared(
        p,
        first,
        last,
        f"{first} {last}".strip(),
        f"{last} {first}".strip(),
        " ".join(sorted(f"{first} {last}".split())),
        _email(p.email),
        _phone(p.phone),
        _postcode(p.postcode),
    )


def _keys(x: _Prepared) -> list[tuple]:
    keys: list[tuple] = []
    p = x.person
    if p.date_of_birth:
        keys.append(("dob", p.date_of_birth))
    if x.email:
        keys.append(("email", x.email[0]))
        if len(x.email[1]) >= 5:
            keys.append(("email-name", x.email[1]))
    if x.phone:
        keys.append(("phone", x.phone))
    sounds = sorted(soundex(w) for w in (x.first.split()[:1] + x.last.split()[-1:]) if w)
    if len(sounds) == 2:
        keys.append(("names", *sounds))
    if x.postcode and x.last:
        keys.append(("postcode-surname", x.postcode[0], soundex(x.last.split()[-1])))
    return keys


# -- comparing -------------------------------------------------------------------------------
def name_similarity(x: _Prepared, y: _Prepared) -> float:
    """0–100: the names as written, or in the other order (forename and surname swapped). Each part
    must be close on its own too, so that "Isla Roberts" and "Mia Roberts" (twins) stay apart."""
    straight, crossed = fuzz.ratio(x.full, y.full), fuzz.ratio(x.full, y.swapped)
    parts = ((x.first, y.first), (x.last, y.last)) if straight >= crossed else ((x.first, y.last), (x.last, y.first))
    for a, b in parts:
        if a and b and fuzz.ratio(a, b) < PART_THRESHOLD and not (a.startswith(b) or b.startswith(a)):
            return min(straight, crossed, PART_THRESHOLD - 1)
    return max(straight, crossed, fuzz.token_sort_ratio(x.full, y.full))


def compare(x: _Prepared, y: _Prepared, rare_name: bool = False) -> Match | None:
    """Propose a pair only when the names agree and independent evidence agrees too.

    ``rare_name``: the (exact) name is rare in the records compared, so agreeing on it says more.
    """
    name = name_similarity(x, y)
    reasons: list[str] = []
    evidence = 0.0
    p, q = x.person, y.person
    if p.date_of_birth and q.date_of_birth:
        if p.date_of_birth == q.date_of_birth:
            evidence += 2.0
            reasons.append("same date of birth")
        elif _near_dob(p.date_of_birth, q.date_of_birth):
            evidence += 1.0
            reasons.append("dates of birth differ by one slip")
        else:
            return None  # two different dates of birth: two different people
    if x.email and y.email:
        if x.email[0] == y.email[0]:
            evidence += 3.0
            reasons.append("same email address")
        elif fuzz.ratio(x.email[1], y.email[1]) >= 90:
            evidence += 1.0
            reasons.append("similar email address")
    if x.phone and y.phone and x.phone == y.phone:
        evidence += 2.0
        reasons.append("same phone number")
    if x.postcode and y.postcode:
        if x.postcode[0] == y.postcode[0]:
            evidence += 1.5
            reasons.append("same postcode")
        elif x.postcode[1] == y.postcode[1]:
            evidence += 0.25
            reasons.append("same postcode district")
    if x.sorted_name == y.sorted_name:
        evidence += 0.5
        if rare_name:
            evidence += 1.0
    # A personal email and a date of birth both agreeing forgive a nickname ("Bob" for "Robert");
    # a shared address and phone do not (twins and households share those).
    strong = p.date_of_birth is not None and p.date_of_birth == q.date_of_birth and "same email address" in reasons
    threshold = 70.0 if strong else NAME_THRESHOLD
    if name < threshold or evidence < EVIDENCE_THRESHOLD:
        return None
    if x.full == y.full:
        reasons.insert(0, "same name")
    elif x.sorted_name == y.sorted_name:
        reasons.insert(0, "same name, in another order")
    else:
        reasons.insert(0, f"similar name ({name:.0f}%)")
    score = round(0.5 * name / 100 + 0.5 * min(evidence, 6.0) / 6.0, 3)
    a, b = sorted((p.id, q.id))
    return Match(a, b, score, reasons)


@dataclass(slots=True)
class ScanStats:
    """What a comparison did: how many pairs, and which blocks were too big to compare in full."""

    blocks: int = 0
    pairs_compared: int = 0
    capped_blocks: int = 0
    largest_block: int = 0


_TRIU: dict[int, tuple[Any, Any]] = {}
PAIR_CHUNK = 250_000  # candidate pairs whose names are scored in one vectorised call


def _triu(n: int) -> tuple[Any, Any]:
    if n not in _TRIU:
        _TRIU[n] = np.triu_indices(n, 1)
    return _TRIU[n]


def _block_pairs(members: list[int], prepared: list[_Prepared], cap: int) -> tuple[Any, Any]:
    """Every pair of a block (as two arrays of record positions); in a block with more pairs than
    ``cap``, each record meets only its nearest neighbours by name (a sorted neighbourhood), so no
    block costs more than ``cap`` pairs."""
    n = len(members)
    if n * (n - 1) // 2 <= cap:
        m = np.asarray(members, dtype=np.int64)
        iu, ju = _triu(n)
        return m[iu], m[ju]
    ordered = np.asarray(sorted(members, key=lambda i: (prepared[i].sorted_name, prepared[i].person.id)), dtype=np.int64)
    window = max(1, cap // n)
    firsts = [ordered[:-d] for d in range(1, min(window, n - 1) + 1)]
    seconds = [ordered[d:] for d in range(1, min(window, n - 1) + 1)]
    return np.concatenate(firsts), np.concatenate(seconds)


def _candidate_pairs(prepared: list[_Prepared], max_pairs_per_block: int, stats: ScanStats) -> Any:
    """Every pair of records that share a blocking key, once, as one sorted array of codes
    ``i * n + j`` (i < j): a pair sharing several keys is one pair.

    A block is the records whose key has the same hash; the blocks are found by sorting, and the
    blocks of one size are paired all at once, so nothing per pair is done in Python."""
    owners: list[int] = []
    hashes: list[int] = []
    for i, x in enumerate(prepared):
        for h in {hash(key) for key in _keys(x)}:
            owners.append(i)
            hashes.append(h)
    keys = np.asarray(hashes, dtype=np.int64)
    order = np.argsort(keys, kind="stable")  # stable: within a block the records stay in their order
    keys, who = keys[order], np.asarray(owners, dtype=np.int64)[order]
    del owners, hashes, order
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(keys)])
    shared = sizes >= 2
    capped = sizes * (sizes - 1) // 2 > max_pairs_per_block
    stats.blocks = int(shared.sum())
    stats.largest_block = int(sizes.max()) if len(sizes) else 0
    stats.capped_blocks = int(capped.sum())
    n = len(prepared)
    codes: list[Any] = []
    for start, size in zip(starts[capped].tolist(), sizes[capped].tolist()):
        a, b = _block_pairs(who[start : start + size].tolist(), prepared, max_pairs_per_block)
        codes.append(np.minimum(a, b) * n + np.maximum(a, b))
    full = shared & ~capped
    for size in np.unique(sizes[full]).tolist():
        iu, ju = _triu(size)
        first = starts[full & (sizes == size)]
        step = max(1, PAIR_CHUNK // len(iu))
        for c in range(0, len(first), step):
            table = who[first[c : c + step, None] + np.arange(size)]  # a block a row, its records in order
            codes.append(table[:, iu].ravel() * n + table[:, ju].ravel())
    if not codes:
        return np.zeros(0, dtype=np.int64)
    every = np.concatenate(codes)
    del codes
    every.sort()
    return every[np.r_[True, every[1:] != every[:-1]]] if len(every) else every


LOWEST_NAME_THRESHOLD = 70.0  # the name threshold when a date of birth and an email agree (see compare)


class _Columns:
    """The records as columns of numbers, so that whole chunks of pairs are screened at once: every
    value is a code (-1 when missing) and a date of birth is its eight digits."""

    def __init__(self, prepared: list[_Prepared], name_counts: dict[str, int]):
        def codes(values: Iterable[Any]) -> Any:
            seen: dict[Any, int] = {}
            return np.array([-1 if v is None else seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)

        self.full = np.array([x.full for x in prepared], dtype=object)
        self.swapped = np.array([x.swapped for x in prepared], dtype=object)
        self.email = codes(x.email[0] if x.email else None for x in prepared)
        self.phone = codes(x.phone for x in prepared)
        self.postcode = codes(x.postcode[0] if x.postcode else None for x in prepared)
        self.district = codes(x.postcode[1] if x.postcode else None for x in prepared)
        self.name = codes(x.sorted_name for x in prepared)
        self.rare = np.array([name_counts[x.sorted_name] <= RARE_NAME for x in prepared], dtype=bool)
        dobs = [x.person.date_of_birth for x in prepared]
        number = np.array([d.year * 10_000 + d.month * 100 + d.day if d else -1 for d in dobs], dtype=np.int64)
        self.has_dob = number >= 0
        self.dob = number
        self.digits = (np.maximum(number, 0)[:, None] // 10 ** np.arange(7, -1, -1)) % 10  # yyyymmdd, digit by digit
        self.day_month = np.array([d.year * 10_000 + d.day * 100 + d.month if d else -2 for d in dobs], dtype=np.int64)

    def may_match(self, a: Any, b: Any) -> Any:
        """For each pair, False when :func:`compare` certainly rejects it: two different dates of
        birth, too little evidence even at its most generous, or names too far apart. The cheap
        tests come first; only the pairs left have their names scored."""
        both_dob = self.has_dob[a] & self.has_dob[b]
        same_dob = both_dob & (self.dob[a] == self.dob[b])
        differ = self.digits[a] != self.digits[b]
        one_slip = (differ.sum(axis=1) == 1) & ~differ[:, :3].any(axis=1)
        near_dob = both_dob & ~same_dob & ((self.day_month[a] == self.dob[b]) | one_slip)
        both_email = (self.email[a] >= 0) & (self.email[b] >= 0)
        same_email = both_email & (self.email[a] == self.email[b])
        evidence = 2.0 * same_dob + 1.0 * near_dob + 3.0 * same_email + 1.0 * (both_email & ~same_email)
        evidence += 2.0 * ((self.phone[a] >= 0) & (self.phone[a] == self.phone[b]))
        same_postcode = (self.postcode[a] >= 0) & (self.postcode[a] == self.postcode[b])
        evidence += 1.5 * same_postcode
        evidence += 0.25 * (~same_postcode & (self.district[a] >= 0) & (self.district[a] == self.district[b]))
        same_name = self.name[a] == self.name[b]
        evidence += 0.5 * same_name + 1.0 * (same_name & self.rare[a])
        keep = (~both_dob | same_dob | near_dob) & (evidence >= EVIDENCE_THRESHOLD - 1e-9)
        left = np.flatnonzero(keep)
        fa, fb = self.full[a[left]], self.full[b[left]]
        name = process.cpdist(fa, fb, scorer=fuzz.ratio, dtype=np.uint8)
        np.maximum(name, process.cpdist(fa, self.swapped[b[left]], scorer=fuzz.ratio, dtype=np.uint8), out=name)
        np.maximum(name, process.cpdist(fa, fb, scorer=fuzz.token_sort_ratio, dtype=np.uint8), out=name)
        # the scores are rounded down to whole numbers: 69 (from 69.9) may still reach 70
        keep[left] = name >= int(LOWEST_NAME_THRESHOLD) - 1
        return keep


def find_duplicates(
    people: Iterable[Person],
    *,
    max_pairs_per_block: int = MAX_PAIRS_PER_BLOCK,
    stats: ScanStats | None = None,
) -> list[Match]:
    """Pairs that are one person, best first; each pair is compared (and proposed) once.

    Records are compared only within blocks that share a key, and blocks too large to compare in full
    are capped (see :func:`_block_pairs`). Every candidate pair is first screened in bulk (names scored
    by rapidfuzz's ``cpdist``, dates of birth and the other evidence as arrays); only the pairs that
    could pass are compared one by one with :func:`compare`, which decides."""
    stats = stats if stats is not None else ScanStats()
    prepared = [_prepare(p) for p in people]
    name_counts: dict[str, int] = defaultdict(int)
    for x in prepared:
        name_counts[x.sorted_name] += 1
    codes = _candidate_pairs(prepared, max_pairs_per_block, stats)
    stats.pairs_compared = len(codes)
    columns = _Columns(prepared, name_counts)
    n = len(prepared)
    matches: list[Match] = []
    for start in range(0, len(codes), PAIR_CHUNK):
        a, b = np.divmod(codes[start : start + PAIR_CHUNK], n)
        keep = columns.may_match(a, b)
        for i, j in zip(a[keep].tolist(), b[keep].tolist()):
            x, y = prepared[i], prepared[j]
            match = compare(x, y, rare_name=x.sorted_name == y.sorted_name and name_counts[x.sorted_name] <= RARE_NAME)
            if match is not None:
                matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.a, m.b))
    return matches


# -- the county ------------------------------------------------------------------------------
@dataclass
class ScanResult:
    compared: int
    found: int
    new: int
    pairs_compared: int = 0
    capped_blocks: int = 0


def _candidates_scope(principal: Principal):
    visible = policy.volunteer_scope(select(Volunteer.id), principal).where(Volunteer.status.not_in(INACTIVE_STATUSES))
    return and_(DuplicateCandidate.volunteer_a_id.in_(visible), DuplicateCandidate.volunteer_b_id.in_(visible))


def scan(session: Session, principal: Principal | None = None) -> ScanResult:
    """Compare the records the principal may see (the whole county when run by the system) and
    store new candidate pairs. Pairs already dismissed or merged are left as they are."""
    if principal is not None and not principal.is_staff:
        raise Forbidden("Only volunteer centre staff can look for duplicate volunteers.")
    stmt = select(
        Volunteer.id,
        Volunteer.first_name,
        Volunteer.last_name,
        Volunteer.date_of_birth,
        Volunteer.email,
        Volunteer.phone,
        Volunteer.postcode,
    ).where(Volunteer.status.not_in(INACTIVE_STATUSES), Volunteer.merged_into_id.is_(None))
    if principal is not None:
        stmt = policy.volunteer_scope(stmt, principal)
    people = [Person(*row) for row in session.execute(stmt)]
    stats = ScanStats()
    matches = find_duplicates(people, stats=stats)
    existing = {
        (a, b): c
        for a, b, c in session.execute(
            select(DuplicateCandidate.volunteer_a_id, DuplicateCandidate.volunteer_b_id, DuplicateCandidate.id)
        )
    }
    new = 0
    for m in matches:
        cid = existing.get((m.a, m.b))
        if cid is None:
            session.add(
                DuplicateCandidate(volunteer_a_id=m.a, volunteer_b_id=m.b, score=m.score, reasons=m.reasons, status="open")
            )
            new += 1
        else:
            c = session.get(DuplicateCandidate, cid)
            if c is not None and c.status == "open":
                c.score, c.reasons = m.score, m.reasons
    session.flush()
    audit.record(session, principal, "duplicates.scan", "volunteer", None, compared=len(people), found=len(matches), new=new)
    return ScanResult(
        compared=len(people),
        found=len(matches),
        new=new,
        pairs_compared=stats.pairs_compared,
        capped_blocks=stats.capped_blocks,
    )


def list_candidates(
    session: Session, principal: Principal, *, page: int, page_size: int
) -> tuple[list[tuple[DuplicateCandidate, Volunteer, Volunteer]], int]:
    if not principal.is_staff:
        raise Forbidden("Only volunteer centre staff can review duplicate volunteers.")
    from sqlalchemy.orm import aliased

    stmt = select(DuplicateCandidate).where(DuplicateCandidate.status == "open", _candidates_scope(principal))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    va, vb = aliased(Volunteer), aliased(Volunteer)
    rows = session.execute(
        select(DuplicateCandidate, va, vb)
        .where(DuplicateCandidate.id.in_(stmt.with_only_columns(DuplicateCandidate.id)))
        .join(va, va.id == DuplicateCandidate.volunteer_a_id)
        .join(vb, vb.id == DuplicateCandidate.volunteer_b_id)
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    audit.record(session, principal, "duplicates.list", "volunteer", None, count=len(rows))
    return [(c, a, b) for c, a, b in rows], total


def get_candidate(session: Session, principal: Principal, candidate_id: int) -> tuple[DuplicateCandidate, Volunteer, Volunteer]:
    c = session.get(DuplicateCandidate, candidate_id)
    if c is None or not principal.is_staff:
        if c is not None and not principal.is_staff:
            raise Forbidden("Only volunteer centre staff can review duplicate volunteers.")
        raise NotFound("There is no duplicate pair with that id.")
    a, b = session.get(Volunteer, c.volunteer_a_id), session.get(Volunteer, c.volunteer_b_id)
    if a is None or b is None or not policy.can_review_duplicates(principal, a, b):
        raise NotFound("There is no duplicate pair with that id.")
    return c, a, b


def dismiss(session: Session, principal: Principal, candidate_id: int) -> DuplicateCandidate:
    c, a, b = get_candidate(session, principal, candidate_id)
    c = locking.lock(session, DuplicateCandidate, c.id)
    if c.status != "open":
        raise Conflict(f"This pair has already been {c.status}.")
    c.status, c.reviewed_by_id, c.reviewed_at = "dismissed", principal.user_id, utcnow()
    audit.record(session, principal, "duplicates.dismiss", "volunteer", a.id, other_volunteer_id=b.id, candidate_id=c.id)
    return c
