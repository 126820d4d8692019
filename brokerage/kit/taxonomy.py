"""The shipped vocabularies: causes (UK Volunteering Data Standard), skills (the standard's
list extended with everyday volunteering skills), requirements and the 21 weekly time slots."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from brokerage.errors import InvalidInput

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = ("Morning", "Afternoon", "Evening")
SLOT_NAMES = tuple(f"{d}{p}" for d in DAYS for p in PARTS)  # bit i = SLOT_NAMES[i]
ALL_SLOTS = (1 << 21) - 1


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    group: str | None = None


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("brokerage.data.taxonomy").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache
def causes() -> dict[str, Term]:
    return {r["id"]: Term(r["id"], r["label"], tuple(s for s in r["synonyms"].split("|") if s)) for r in _rows("causes.csv")}


@lru_cache
def skills() -> dict[str, Term]:
    try:
        rows = _rows("skill_vocabulary.csv")
    except FileNotFoundError:  # pragma: no cover - the vocabulary ships with the package
        rows = []
    return {
        r["id"]: Term(r["id"], r["label"], tuple(s for s in (r.get("synonyms") or "").split("|") if s), r.get("group"))
        for r in rows
    }


@lru_cache
def requirements() -> tuple[str, ...]:
    return tuple(r["label"] for r in _rows("requirements.csv"))


def check_causes(ids: list[str], field: str = "causes") -> list[str]:
    known = causes()
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise InvalidInput(f"Unknown cause: {', '.join(unknown)}. Use ids from GET /taxonomies/causes.", field=field)
    return sorted(set(ids))


def check_skills(ids: list[str], field: str = "skills") -> list[str]:
    known = skills()
    unknown = [s for s in ids if s not in known]
    if unknown:
        raise InvalidInput(f"Unknown skill: {', '.join(unknown)}. Use ids from GET /taxonomies/skills.", field=field)
    return sorted(set(ids))


def slots_to_mask(slots: list[str]) -> int:
    mask = 0
    index = {name.lower(): i for i, name in enumerate(SLOT_NAMES)}
    for slot in slots:
        i = index.get(slot.strip().lower())
        if i is None:
            raise InvalidInput(f"“{slot}” is not a time slot; use names like MondayMorning or SundayEvening.", field="slots")
        mask |= 1 << i
    return mask


def mask_to_slots(mask: int) -> list[str]:
    return [name for i, name in enumerate(SLOT_NAMES) if mask >> i & 1]


def describe_slots(mask: int) -> str:
    return ", ".join(f"{n[: -len(p)]} {p.lower()}" for n in mask_to_slots(mask) for p in PARTS if n.endswith(p))
