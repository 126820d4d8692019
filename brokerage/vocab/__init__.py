"""One home for every vocabulary the product speaks: the code stored in a column or sent in the API,
and the words a person reads for it.

* :mod:`brokerage.vocab.taxonomies` — the shipped taxonomies (causes, skills, requirements) with
  their labels and synonyms.
* :mod:`brokerage.vocab.slots` — the 21 weekly time slots.
* :mod:`brokerage.vocab.organisations`, :mod:`~brokerage.vocab.roles`, :mod:`~brokerage.vocab.referrals`,
  :mod:`~brokerage.vocab.hours`, :mod:`~brokerage.vocab.volunteers`, :mod:`~brokerage.vocab.users`,
  :mod:`~brokerage.vocab.dbs` and :mod:`~brokerage.vocab.modes` — the closed lists of codes (types,
  statuses, levels, modes), each declared once as a ``Literal`` type (for the schemas and the type
  checker) and a :class:`Vocabulary` (codes in order, with labels).

Models, schemas, pages, seed data and exports read these; nothing here imports a domain.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, get_args


class Vocabulary:
    """A closed list of codes, in order, each with the words a person reads for it."""

    def __init__(self, name: str, literal: Any, labels: Mapping[str, str]) -> None:
        codes: tuple[str, ...] = get_args(literal)
        if set(codes) != set(labels) or len(codes) != len(labels):
            missing = sorted(set(codes) ^ set(labels))
            raise ValueError(f"The {name} vocabulary's labels do not match its codes: {', '.join(missing)}")
        self.name = name
        self.type = literal
        self.codes = codes
        self.labels: Mapping[str, str] = MappingProxyType({code: labels[code] for code in codes})

    def label(self, code: str | None) -> str:
        """The words for ``code`` (the code itself when it is not one of this vocabulary's)."""
        if code is None:
            return ""
        return self.labels.get(code, code)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {self.codes!r})"
