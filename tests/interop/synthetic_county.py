"""A synthetic county of volunteer records with planted duplicates, to measure the detector.

Planted duplicates: a second record of the same person with a typo in a name, the names swapped,
a changed email, a move of house, a slip in the date of birth or a missing date of birth.
Traps (different people who must not be proposed): many people sharing the commonest names,
twins and households sharing an address and phone, a parent and child with the same name.

Run ``python -m tests.interop.synthetic_county`` to print precision and recall.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from brokerage.interop.dedup import Person

FIRST = (
    "Oliver George Harry Jack Jacob Noah Charlie Thomas Oscar William James Henry Leo Alfie Joshua Freddie Archie "
    "Ethan Isaac Alexander Olivia Amelia Isla Ava Emily Sophia Grace Mia Poppy Ella Lily Evie Isabella Sophie "
    "Ivy Freya Harper Willow Isabelle Daisy Priya Aisha Mohammed Fatima Wojciech Agnieszka Chidi Ngozi Siobhan "
    "Declan Rhys Cerys Margaret Brian Susan Peter Janet Keith Pauline Trevor"
).split()
LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson Wright Walker "
    "White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper Hill Ward Morris "
    "Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
    "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Kowalski "
    "Okafor Nowak Begum Singh Ahmed Ali O'Brien MacDonald"
).split()
OUTCODES = (
    "TN23 TN24 TN25 CT1 CT2 CT3 DA1 DA2 CT16 CT17 CT19 CT20 DA11 DA12 ME14 ME15 ME16 TN13 TN14 CT20 CT21 ME10 "
    "ME12 CT9 CT10 CT11 TN9 TN10 TN1 TN2 ME4 ME5 ME7 ME8"
).split()
DOMAINS = ("gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk", "btinternet.com", "icloud.com")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(OUTCODES)} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def _dob(rng: random.Random) -> date:
    return date(1940, 1, 1) + timedelta(days=rng.randint(0, 68 * 365))


_USED_EMAILS: set[str] = set()


def _email(rng: random.Random, first: str, last: str) -> str:
    """A personal address nobody else in the county has."""
    while True:
        style = rng.randint(0, 3)
        local = (
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}{last}{rng.randint(1, 99)}",
            f"{last}.{first}{rng.randint(60, 99)}",
        )[style]
        email = f"{local.lower().replace(chr(39), '')}{rng.randint(1, 9999)}@{rng.choice(DOMAINS)}"
        if email not in _USED_EMAILS:
            _USED_EMAILS.add(email)
            return email


def _phone(rng: random.Random) -> str | None:
    return f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}" if rng.random() < 0.7 else None


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randint(1, len(word) - 2)
    kind = rng.randint(0, 3)
    if kind == 0:  # transpose
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:  # drop a letter
        return word[:i] + word[i + 1 :]
    if kind == 2:  # double a letter
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]  # wrong vowel


def _dob_slip(rng: random.Random, d: date) -> date:
    if d.day <= 12 and d.day != d.month and rng.random() < 0.5:
        return date(d.year, d.day, d.month)  # day and month swapped
    for _ in range(20):
        s = list(d.strftime("%Y%m%d"))
        i = rng.choice((3, 7))  # last digit of the year or of the day
        s[i] = str((int(s[i]) + rng.randint(1, 8)) % 10)
        try:
            return date(int("".join(s[:4])), int("".join(s[4:6])), int("".join(s[6:])))
        except ValueError:
            continue
    return d


def generate(n: int = 6000, duplicates: int = 200, seed: int = 7) -> tuple[list[Person], set[tuple[int, int]]]:
    """``n`` people (ids 1…), then ``duplicates`` extra records of some of them; returns the records and the true pairs."""
    rng = random.Random(seed)
    _USED_EMAILS.clear()
    people: list[Person] = []
    next_id = 1

    def add(**kw) -> Person:
        nonlocal next_id
        p = Person(id=next_id, **kw)
        next_id += 1
        people.append(p)
        return p

    # Ordinary people, with the commonest names heavily over-represented (the common-name trap).
    for i in range(n):
        if i % 25 == 0:
            first, last = rng.choice((("John", "Smith"), ("Sarah", "Jones"), ("David", "Williams"), ("Mohammed", "Khan")))
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
        add(
            first_name=first,
            last_name=last,
            date_of_birth=_dob(rng) if rng.random() < 0.9 else None,
            email=_email(rng, first, last) if rng.random() < 0.85 else None,
            phone=_phone(rng),
            postcode=_postcode(rng),
        )
    # Households: twins and siblings at one address with one landline (different people).
    for _ in range(n // 60):
        last, pc, phone, dob = (
            rng.choice(LAST),
            _postcode(rng),
            f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            _dob(rng),
        )
        a, b = rng.sample(FIRST, 2)
        add(first_name=a, last_name=last, date_of_birth=dob, email=None, phone=phone, postcode=pc)
        add(
            first_name=b,
            last_name=last,
            date_of_birth=dob if rng.random() < 0.5 else _dob(rng),
            email=None,
            phone=phone,
            postcode=pc,
        )
    # Parent and child with the same name, address and phone but 25–40 years apart.
    for _ in range(n // 150):
        first, last, pc, phone = (
            rng.choice(FIRST),
            rng.choice(LAST),
            _postcode(rng),
            f"01{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        )
        dob = _dob(rng)
        add(first_name=first, last_name=last, date_of_birth=dob, email=_email(rng, first, last), phone=phone, postcode=pc)
        add(
            first_name=first,
            last_name=last,
            date_of_birth=dob.replace(year=max(1925, dob.year - rng.randint(25, 40)), day=min(dob.day, 28)),
            email=_email(rng, first, last),
            phone=phone,
            postcode=pc,
        )

    originals = rng.sample(people[:n], duplicates)
    truth: set[tuple[int, int]] = set()
    variations = ("typo", "swap", "new_email", "moved", "dob_slip", "no_dob", "typo+new_email", "swap+moved")
    for k, p in enumerate(originals):
        v = variations[k % len(variations)]
        q = replace(p, id=0)
        if "typo" in v:
            q = (
                replace(q, last_name=_typo(rng, q.last_name))
                if rng.random() < 0.5
                else replace(q, first_name=_typo(rng, q.first_name))
            )
        if "swap" in v:
            q = replace(q, first_name=q.last_name, last_name=q.first_name)
        if "new_email" in v:
            q = replace(q, email=_email(rng, q.first_name, q.last_name))
        if "moved" in v:
            q = replace(q, postcode=_postcode(rng), phone=q.phone if rng.random() < 0.5 else _phone(rng))
        if "dob_slip" in v and q.date_of_birth:
            q = replace(q, date_of_birth=_dob_slip(rng, q.date_of_birth))
        if "no_dob" in v:
            q = replace(q, date_of_birth=None)
        if rng.random() < 0.3:
            q = replace(q, first_name=q.first_name.upper(), last_name=q.last_name.upper())  # shouted by another system
        dup = add(**{f: getattr(q, f) for f in ("first_name", "last_name", "date_of_birth", "email", "phone", "postcode")})
        truth.add((min(p.id, dup.id), max(p.id, dup.id)))
    rng.shuffle(people)
    return people, truth


def precision_recall(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    return precision, recall


if __name__ == "__main__":  # pragma: no cover - a report for people
    import time

    from brokerage.interop.dedup import find_duplicates

    for n, d in ((6000, 200), (60000, 1500)):
        people, truth = generate(n, d)
        t = time.perf_counter()
        matches = find_duplicates(people)
        took = time.perf_counter() - t
        p, r = precision_recall({(m.a, m.b) for m in matches}, truth)
        print(f"{len(people):>7,} records, {len(truth):>5,} planted duplicates: precision {p:.3f}, recall {r:.3f} ({took:.1f} s)")
