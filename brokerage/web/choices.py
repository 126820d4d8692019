"""The choices pages offer from the vocabularies: causes and skills in the order people read them,
and the skill someone meant by what they typed."""

from __future__ import annotations

from brokerage.vocab import taxonomies


def cause_options() -> list[tuple[str, str]]:
    return sorted(((c.id, c.label) for c in taxonomies.causes().values()), key=lambda kv: kv[1])


def skill_suggestions() -> list[tuple[str, str]]:
    return sorted(((s.id, s.label) for s in taxonomies.skills().values()), key=lambda kv: kv[1].lower())


def resolve_skill(text: str) -> str | None:
    """A skill id for what someone typed: the label, the id or one of its other names."""
    key = text.strip().lower()
    if not key:
        return None
    for term in taxonomies.skills().values():
        if key in (term.id.lower(), term.label.lower()) or key in (s.lower() for s in term.synonyms):
            return term.id
    return None
