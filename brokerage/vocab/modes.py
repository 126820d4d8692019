"""How a role is done, and how a volunteer wants to volunteer."""

from __future__ import annotations

from typing import Literal

from brokerage.vocab import Vocabulary

RoleMode = Literal["in_person", "remote", "hybrid"]
VolunteerMode = Literal["in_person", "remote", "either"]

_WORDS = {
    "in_person": "In person",
    "remote": "Remote (from home or online)",
    "hybrid": "Partly in person, partly remote",
    "either": "In person or remote",
}
ROLE_MODE = Vocabulary("role mode", RoleMode, {k: v for k, v in _WORDS.items() if k != "either"})
VOLUNTEER_MODE = Vocabulary("volunteer mode", VolunteerMode, {k: v for k, v in _WORDS.items() if k != "hybrid"})
# Every mode's words, for a page that shows a role's or a volunteer's.
MODE_LABELS = dict(_WORDS)
