"""The shipped taxonomies: causes (UK Volunteering Data Standard), skills (the standard's list
extended with everyday volunteering skills) and requirements, with labels and synonyms."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from brokerage.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    group: str | None = None


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("brokerage.data.taxonomy").joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _synonyms(text: str | None) -> tuple[str, ...]:
    return tuple(s for s in (text or "").split("|") if s)


@lru_cache
def causes() -> dict[str, Term]:
    return {r["id"]: Term(r["id"], r["label"], _synonyms(r["synonyms"])) for r in _rows("causes.csv")}


@lru_cache
def skills() -> dict[str, Term]:
    return {
        r["id"]: Term(r["id"], r["label"], _synonyms(r.get("synonyms")), r.get("group")) for r in _rows("skill_vocabulary.csv")
    }


@lru_cache
def requirements() -> tuple[str, ...]:
    return tuple(r["label"] for r in _rows("requirements.csv"))


def cause_label(cause_id: str) -> str:
    term = causes().get(cause_id)
    return term.label if term else cause_id


def skill_label(skill_id: str) -> str:
    term = skills().get(skill_id)
    return term.label if term else skill_id


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
