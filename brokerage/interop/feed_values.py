"""The values of a feed's nodes in the brokerage's terms: concepts (causes, skills, requirements,
rewards, accessibility, time slots) taken as the standard's IRIs or as labels, dated times,
numbers and places. Every value the brokerage cannot take is reported, never silently lost."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from brokerage.interop.feed_graph import Graph, value_text
from brokerage.interop.standard import Concept, concept_for, label_from_iri
from brokerage.vocab import taxonomies
from brokerage.vocab.dbs import DBS_LEVEL

LONDON = ZoneInfo("Europe/London")
POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})\b", re.I)
TITLE_LIMIT = 200


@dataclass
class Problems:
    """Problems found while reading one row (a role, or an organisation with no roles)."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    left_out: str | None = None  # why the row cannot become a record at all (it is skipped, not an error)

    def leave_out(self, where: str, reason: str, message: str) -> None:
        self.left_out = self.left_out or reason
        self.warnings.append((where, message + " This row is left out."))

    def error(self, where: str, message: str) -> None:
        self.errors.append((where, message))

    def warning(self, where: str, message: str) -> None:
        self.warnings.append((where, message))


def digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def fit_title(text: str, where: str, problems: Problems, what: str = "title") -> str:
    """A title within the limit; a longer one is cut at a word and reported."""
    if len(text) <= TITLE_LIMIT:
        return text
    cut = text[: TITLE_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    problems.warning(where, f"The {what} is {len(text)} characters long, over the limit of {TITLE_LIMIT}; it is kept as “{cut}”.")
    return cut


def whole_number(text: str | None, where: str, problems: Problems) -> int | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.error(where, f"“{text[:40]}” is not a whole number.")
        return None
    if not value.is_integer() or not 0 <= value <= 150:
        problems.error(where, f"“{text[:40]}” is not an age in whole years.")
        return None
    return int(value)


def number(text: str | None, where: str, problems: Problems) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        problems.error(where, f"“{text[:40]}” is not a number.")
        return None


def day(text: str | None, where: str, problems: Problems) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.error(where, f"“{text[:40]}” is not a date (use 2025-10-08).")
        return None


def moment(text: str, *, end: bool) -> datetime:
    """An ISO date-time as local (UK) time; a date alone is the start or the end of that day."""
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, 23, 59, 59) if end else datetime(d.year, d.month, d.day)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(LONDON).replace(tzinfo=None)
    return value


def local_iso(value: datetime) -> str:
    """A local (UK) time written with its offset, as a feed should carry it."""
    return value.replace(tzinfo=LONDON).isoformat()


# -- concepts ---------------------------------------------------------------------------------
@lru_cache
def _our_skills() -> tuple[dict[str, str], dict[str, str]]:
    """standard concept IRI → our skill id, and normalised label → our skill id."""
    by_iri: dict[str, str] = {}
    by_label: dict[str, str] = {}
    from brokerage.interop.standard import _key

    for sid, term in taxonomies.skills().items():
        by_label.setdefault(_key(term.label), sid)
        by_label.setdefault(_key(sid), sid)
    import csv
    from importlib import resources

    with resources.files("brokerage.data.taxonomy").joinpath("skill_vocabulary.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            concept = concept_for("Skill", (row.get("standard_label") or "").strip()) if row.get("standard_label") else None
            if concept is not None:
                by_iri.setdefault(concept.iri, row["id"])
    return by_iri, by_label


Pair = tuple[str | None, str]  # (the standard's IRI, or None for a concept no taxonomy lists; label)


def skill_concept(skill_id: str) -> Pair:
    """One of our skills as the standard's concept (its IRI and label), or by our label alone
    when the standard has no such skill."""
    for iri, sid in _our_skills()[0].items():
        if sid == skill_id:
            return iri, concept_label(iri)
    return None, taxonomies.skill_label(skill_id)


def concept_label(iri: str) -> str:
    from brokerage.interop.standard import concepts as all_concepts

    return all_concepts()[iri].label


@lru_cache
def _requirement_iris() -> dict[str, str]:
    """our requirement label → the standard's IRI."""
    out = {}
    for label in taxonomies.requirements():
        concept = concept_for("Requirement", label)
        if concept is not None:
            out[label] = concept.iri
    return out


def requirement_concept(label: str) -> Pair:
    iri = _requirement_iris().get(label)
    return (iri, concept_label(iri)) if iri else (None, label)


def free_concept(scheme: str, text: str) -> Pair:
    """A reward or accessibility text: the concept whose label it is, word for word, or the text alone."""
    concept = concept_for(scheme, text)
    return (concept.iri, text) if concept is not None and concept.label == text else (None, text)


@lru_cache
def _our_requirements() -> dict[str, str]:
    from brokerage.interop.standard import _key

    return {_key(label): label for label in taxonomies.requirements()}


DBS_LABELS = {DBS_LEVEL.label(code).lower(): code for code in DBS_LEVEL.codes if code != "none"}


@dataclass
class Concepts:
    causes: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    rewards: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    dbs_level: str = "none"


def _values(graph: Graph, node: str, name: str) -> list[tuple[str | None, str | None]]:
    """(IRI, label) for each value: a node reference gives its IRI and label; a text gives an IRI
    when it is one, else a label."""
    out: list[tuple[str | None, str | None]] = []
    for v in graph.get(node, name):
        if isinstance(v, dict) and "@id" in v:
            iri = v["@id"]
            out.append((None if iri.startswith("_:") else iri, graph.text(iri, "title")))
            continue
        text = value_text(v)
        if text:
            out.append((text, None) if text.startswith(("http://", "https://")) else (None, text))
    return out


def _shown(iri: str | None, label: str | None) -> str:
    return f"“{label or iri}”"


def causes(graph: Graph, nodes: list[str], where: str, problems: Problems) -> list[str]:
    known = taxonomies.causes()
    out: set[str] = set()
    for node in nodes:
        for iri, label in _values(graph, node, "cause"):
            concept = concept_for("Cause", iri or "") if iri else None
            concept = concept or (concept_for("Cause", label) if label else None)
            if concept is not None and concept.name in known:
                out.add(concept.name)
            else:
                problems.warning(
                    f"{where}.cause",
                    f"The cause {_shown(iri, label)} is not in the standard's cause list, so it is not recorded.",
                )
        if out:
            break  # a role's own causes, else its activity's, else its organisation's
    return sorted(out)


def _skill(iri: str | None, label: str | None) -> str | None:
    by_iri, by_label = _our_skills()
    from brokerage.interop.standard import _key

    if iri and iri in by_iri:
        return by_iri[iri]
    for text in (label, label_from_iri(iri) if iri else None):
        if text and _key(text) in by_label:
            return by_label[_key(text)]
    concept = concept_for("Skill", label or "") if label else None
    return by_iri.get(concept.iri) if concept else None


def tag_concept(tag: str) -> tuple[str, str] | None:
    """A free-text tag (TeamKinetic's TAGS) as one of our causes or skills, by the taxonomies' labels
    in any case and spacing: ("cause", id), ("skill", id), or None when it names neither."""
    concept = concept_for("Cause", tag)
    if concept is not None and concept.name in taxonomies.causes():
        return "cause", concept.name
    skill = _skill(None, tag)
    return ("skill", skill) if skill else None


def concepts_by_iri() -> dict[str, Concept]:
    from brokerage.interop.standard import concepts as all_concepts

    return all_concepts()


def _requirement(iri: str | None, label: str | None) -> str:
    """Our requirement label for a value; a requirement no list knows keeps its own words."""
    from brokerage.interop.standard import _key

    by_iri = {v: k for k, v in _requirement_iris().items()}
    if iri and iri in by_iri:
        return by_iri[iri]
    ours = _our_requirements()
    if label and _key(label) in ours:
        return ours[_key(label)]
    concept = (concept_for("Requirement", iri) if iri else None) or (concept_for("Requirement", label) if label else None)
    if concept is not None:
        return by_iri.get(concept.iri, concept.label)
    return label or label_from_iri(iri or "")


def concepts(graph: Graph, role: str, activity: str | None, where: str, problems: Problems) -> Concepts:
    nodes = [n for n in (role, activity) if n]
    out = Concepts()
    for iri, label in [v for n in nodes for v in _values(graph, n, "skill")]:
        sid = _skill(iri, label)
        if sid is None:
            problems.warning(
                f"{where}.skill", f"The skill {_shown(iri, label)} is not in our skills list, so it is not recorded."
            )
        elif sid not in out.skills:
            out.skills.append(sid)
    out.skills.sort()
    dbs_check = False
    for iri, label in [v for n in nodes for v in _values(graph, n, "requirement")]:
        if label and label.lower() in DBS_LABELS:  # "Enhanced DBS check": the level of check
            out.dbs_level = DBS_LABELS[label.lower()]
            continue
        text = _requirement(iri, label)
        dbs_check = dbs_check or text == "DBS Check"
        if (iri is None or iri not in concepts_by_iri()) and text not in taxonomies.requirements():
            problems.warning(
                f"{where}.requirement", f"The requirement {_shown(iri, label)} is in no list we know; it is kept as “{text}”."
            )
        if text not in out.requirements:
            out.requirements.append(text)
    if dbs_check and out.dbs_level == "none":
        out.dbs_level = "standard"
    for scheme, name, target in (("Reward", "reward", out.rewards), ("Accessibility", "accessibility", out.accessibility)):
        for iri, label in [v for n in nodes for v in _values(graph, n, name)]:
            concept = concept_for(scheme, iri) if iri else None
            text = label or (concept.label if concept else label_from_iri(iri or ""))
            if concept is None and (label is None or concept_for(scheme, label) is None):
                problems.warning(
                    f"{where}.{name}", f"The {name} {_shown(iri, label)} is not in the standard's list; it is kept as “{text}”."
                )
            if text not in target:
                target.append(text)
    return out


def slot_of(graph: Graph, value: Any) -> str | None:
    iri = value.get("@id") if isinstance(value, dict) else None
    text = value_text(value)
    for candidate in (iri, text, graph.text(iri, "title") if iri else None):
        if candidate:
            concept = concept_for("Time", candidate)
            if concept is not None:
                return concept.name
    return None


def postcode_in(text: str | None) -> str | None:
    m = POSTCODE_IN_TEXT.search(text or "")
    return f"{m.group(1)} {m.group(2)}".upper() if m else None


def first(values: list[Any]) -> Any:
    return values[0] if values else None
