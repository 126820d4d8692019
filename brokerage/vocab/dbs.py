"""Levels of Disclosure and Barring Service check, lowest first."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

DbsLevel = Literal["none", "basic", "standard", "enhanced"]
DBS_LEVEL = Vocabulary(
    "DBS level",
    DbsLevel,
    {
        "none": "No DBS check",
        "basic": "Basic DBS check",
        "standard": "Standard DBS check",
        "enhanced": "Enhanced DBS check",
    },
)
# A level's place in the order: a check covers every level at or below its own.
DBS_RANK: dict[str, int] = {level: rank for rank, level in enumerate(DBS_LEVEL.codes)}
