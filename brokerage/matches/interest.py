"""The one rule for saying you are interested in a role, used by the role's page, the interest form
and ``POST /referrals`` alike.

**Hard gates block**, with the reason: a volunteer under 18 whose parent or guardian has not given
consent (or has withdrawn it), age (and a role not suitable for under-18s), a DBS check the volunteer will not get, a role that is
closed or full or outside its publish window or whose dates have passed, and a mode of volunteering the
volunteer ruled out. **Soft mismatches warn** and still let the volunteer say they are interested:
times, distance and skills (the organisation can talk it through with them). An active application
of their own is shown separately and is not a reason here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from brokerage.matches.service import ReasonOut, explain_pair
from brokerage.models import Volunteer
from brokerage.volunteers import guardians

# Preferences and things an organisation can train or talk through: they warn, never block.
SOFT_CODES = frozenset({"too_far", "no_shared_slot", "no_matching_session", "missing_skill"})
IGNORED_CODES = frozenset({"already_referred"})


@dataclass
class InterestRule:
    """What stops the volunteer saying they are interested (``blocks``) and what they should know
    first (``warnings``); ``flags`` are what a match would carry (``needs_dbs_check`` …)."""

    blocks: list[ReasonOut] = field(default_factory=list)
    warnings: list[ReasonOut] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def reasons(self) -> list[ReasonOut]:
        """Every reason, hard ones first, each marked ``soft`` by this rule."""
        return self.blocks + self.warnings


def is_soft(reason: ReasonOut) -> bool:
    return reason.soft or reason.code in SOFT_CODES


def classify(reasons: list[ReasonOut], flags: list[str] | None = None) -> InterestRule:
    rule = InterestRule(flags=list(flags or []))
    for r in reasons:
        if r.code in IGNORED_CODES:
            continue
        marked = ReasonOut(r.code, r.message, is_soft(r), r.change)
        (rule.warnings if marked.soft else rule.blocks).append(marked)
    return rule


def interest_rule(session: Session, volunteer_id: int, role_id: int, today: date | None = None) -> InterestRule:
    """Whether this volunteer may say they are interested in this role, and what to tell them."""
    reasons, flags = explain_pair(session, volunteer_id, role_id, today)
    return with_consent(classify(reasons, flags), session.get(Volunteer, volunteer_id), today)


def with_consent(rule: InterestRule, volunteer: Volunteer | None, today: date | None = None) -> InterestRule:
    """A volunteer under 18 without their parent or guardian's consent is blocked first, with the reason."""
    if volunteer is not None and guardians.consent_missing(volunteer, today):
        rule.blocks.insert(0, ReasonOut(guardians.NEEDED, guardians.NEEDED_MESSAGE, False, ""))
    return rule
