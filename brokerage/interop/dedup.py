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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz
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
def _name(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z ]+", " ", text.replace("-", " ")).strip()


_SOUNDEX = {
    c: d for d, letters in {"1": "bfpv", "2": "cgjkqsxz", "3": "dt", "4": "l", "5": "mn", "6": "r"}.items() for c in letters
}


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


def _block_pairs(members: list[int], prepared: list[_Prepared], cap: int) -> Iterator[tuple[int, int]]:
    """Every pair of a block; in a block with more pairs than ``cap``, each record meets only its
    nearest neighbours by name (a sorted neighbourhood), so no block costs more than ``cap`` pairs."""
    n = len(members)
    if n * (n - 1) // 2 <= cap:
        for i_pos, i in enumerate(members):
            for j in members[i_pos + 1 :]:
                yield i, j
        return
    ordered = sorted(members, key=lambda i: (prepared[i].sorted_name, prepared[i].person.id))
    window = max(1, cap // n)
    for pos, i in enumerate(ordered):
        for j in ordered[pos + 1 : pos + 1 + window]:
            yield i, j


def find_duplicates(
    people: Iterable[Person],
    *,
    max_pairs_per_block: int = MAX_PAIRS_PER_BLOCK,
    stats: ScanStats | None = None,
) -> list[Match]:
    """Pairs that are one person, best first; each pair is compared (and proposed) once.

    Records are compared only within blocks that share a key. A pair sharing several keys is compared
    only in the first block they share (keys are numbered), so no memory of compared pairs is kept;
    blocks too large to compare in full are capped (see :func:`_block_pairs`)."""
    stats = stats if stats is not None else ScanStats()
    prepared = [_prepare(p) for p in people]
    name_counts: dict[str, int] = defaultdict(int)
    for x in prepared:
        name_counts[x.sorted_name] += 1
    key_ids: dict[tuple[Any, ...], int] = {}
    blocks: dict[int, list[int]] = defaultdict(list)
    own_keys: list[tuple[int, ...]] = []
    for i, x in enumerate(prepared):
        ids = tuple(sorted({key_ids.setdefault(key, len(key_ids)) for key in _keys(x)}))
        own_keys.append(ids)
        for k in ids:
            blocks[k].append(i)
    found: dict[tuple[int, int], Match] = {}
    for k, members in blocks.items():
        if len(members) < 2:
            continue
        stats.blocks += 1
        stats.largest_block = max(stats.largest_block, len(members))
        if len(members) * (len(members) - 1) // 2 > max_pairs_per_block:
            stats.capped_blocks += 1
        for i, j in _block_pairs(members, prepared, max_pairs_per_block):
            first_shared = min(set(own_keys[i]).intersection(own_keys[j]))
            if first_shared != k and len(blocks[first_shared]) * (len(blocks[first_shared]) - 1) // 2 <= max_pairs_per_block:
                continue  # compared in full in the first block the two share
            x, y = prepared[i], prepared[j]
            pair = (min(x.person.id, y.person.id), max(x.person.id, y.person.id))
            if pair in found:
                continue
            stats.pairs_compared += 1
            match = compare(x, y, rare_name=x.sorted_name == y.sorted_name and name_counts[x.sorted_name] <= RARE_NAME)
            if match is not None:
                found[pair] = match
    matches = list(found.values())
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
