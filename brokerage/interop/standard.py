"""The UK Volunteering Data Standard as shipped with the brokerage: its JSON-LD context (served
locally for the context's web address, so reading a feed never goes to the network), and its
taxonomies and time slots with their IRIs and labels, read from the standard's own Turtle files
under ``brokerage/data/standard/`` (see ``brokerage/data/standard/README.md`` for sources and
licences)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

STANDARD_NS = "https://ns.volunteeringdata.io/"
STANDARD_BASE = "https://id.volunteeringdata.io/"
STANDARD_CONTEXT = "https://api.volunteeringdata.io/context/v1"
# Other spellings of the context's address seen in published feeds
CONTEXT_URLS = (
    STANDARD_CONTEXT,
    STANDARD_CONTEXT + "/",
    STANDARD_CONTEXT + ".jsonld",
    "http://api.volunteeringdata.io/context/v1",
)
SCHEMES = ("Cause", "Skill", "Requirement", "Reward", "Accessibility")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _data(*parts: str) -> Any:
    return resources.files("brokerage").joinpath("data", "standard", *parts)


@lru_cache
def context() -> dict[str, Any]:
    """The v1 context document, as published (a local copy)."""
    doc: dict[str, Any] = json.loads(_data("reference", "context-v1.jsonld").read_text(encoding="utf-8"))
    return doc


class ContextNotAvailable(ValueError):
    pass


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON-LD document loader that knows only the standard's context and never fetches."""
    if url.rstrip("/") in {u.rstrip("/") for u in CONTEXT_URLS}:
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": context()}
    raise ContextNotAvailable(
        f"The feed refers to the context “{url[:120]}”, which the brokerage does not know; "
        "only the Volunteering Data Standard's context is read (nothing is fetched)."
    )


def ttl_files() -> list[Any]:
    """Every shipped Turtle file of the standard: ontology, taxonomies and reference vocabulary."""
    out = []
    for folder in ("ontology", "taxonomy", "reference"):
        out += sorted((f for f in _data(folder).iterdir() if f.name.endswith(".ttl")), key=lambda f: f.name)
    return out


@dataclass(frozen=True, slots=True)
class Concept:
    iri: str
    scheme: str  # Cause, Skill, Requirement, Reward, Accessibility or Time
    label: str
    alt_labels: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.iri[len(STANDARD_NS) :]


def _graph() -> Any:
    import rdflib

    g = rdflib.Graph()
    for f in ttl_files():
        if f.name == "shapes.ttl":
            continue
        g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    return g


@lru_cache
def concepts() -> dict[str, Concept]:
    """Every concept of the standard's taxonomies and its 21 weekly time slots, by IRI."""
    import rdflib

    g = _graph()
    pref, alt, broader = rdflib.URIRef(SKOS + "prefLabel"), rdflib.URIRef(SKOS + "altLabel"), rdflib.URIRef(SKOS + "broader")
    out: dict[str, Concept] = {}
    tops = {rdflib.URIRef(STANDARD_NS + s): s for s in SCHEMES}

    def scheme_of(node: Any, depth: int = 0) -> str | None:
        if node in tops:
            return tops[node]
        for parent in g.objects(node, broader):
            found = scheme_of(parent, depth + 1) if depth < 10 else None
            if found:
                return found
        return None

    for subject in set(g.subjects(pref, None)):
        if not str(subject).startswith(STANDARD_NS):
            continue
        scheme = scheme_of(subject)
        if scheme is None:
            continue
        labels = [str(o) for o in g.objects(subject, pref)]
        out[str(subject)] = Concept(str(subject), scheme, labels[0], tuple(sorted(str(o) for o in g.objects(subject, alt))))
    weekday = rdflib.URIRef(STANDARD_NS + "WeekdayTimePeriod")
    for subject in g.subjects(rdflib.URIRef(RDF_TYPE), weekday):
        label = next((str(o) for o in g.objects(subject, rdflib.URIRef(RDFS + "label"))), str(subject))
        out[str(subject)] = Concept(str(subject), "Time", label)
    return out


@lru_cache
def defined_terms() -> frozenset[str]:
    """Every IRI the shipped ontology, taxonomies and reference vocabulary define: each subject of
    their statements, and each property they name as the parent of another (``:title`` is
    defined as what ``:roleTitle`` and ``:activityTitle`` refine)."""
    import rdflib

    g = _graph()
    sub = rdflib.URIRef(RDFS + "subPropertyOf")
    terms = {str(s) for s in g.subjects() if isinstance(s, rdflib.URIRef)}
    terms |= {str(o) for o in g.objects(None, sub) if isinstance(o, rdflib.URIRef)}
    return frozenset(t for t in terms if t.startswith(STANDARD_NS))


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


@lru_cache
def _by_label() -> dict[tuple[str, str], Concept]:
    out: dict[tuple[str, str], Concept] = {}
    for c in concepts().values():
        for label in (c.label, *c.alt_labels, c.name):
            out.setdefault((c.scheme, _key(label)), c)
    return out


def concept_for(scheme: str, value: str) -> Concept | None:
    """A concept of ``scheme`` named by its IRI (or its name alone), its label or one of its
    other labels, in any case and spacing."""
    c = concepts().get(value)
    if c is None and value.startswith(("http://", "https://")):
        value = re.split(r"[/#]", value.rstrip("/"))[-1]
    if c is None:
        c = _by_label().get((scheme, _key(value)))
    return c if c is not None and c.scheme == scheme else None


def top_concept(scheme: str) -> str:
    return STANDARD_NS + scheme


def label_from_iri(iri: str) -> str:
    """``…/TrainingProvided`` → ``Training provided`` (for a concept no taxonomy lists)."""
    tail = re.split(r"[/#:]", iri.rstrip("/"))[-1]
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", tail)
    text = " ".join(words)
    return text[:1].upper() + text[1:].lower() if text else iri
