"""The role lifecycle: draft → pending review → published → paused / filled / closed / expired."""

from __future__ import annotations

# (from, to) → who may do it: "manager" (of the organisation), "staff" (centre covering it), "system".
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "pending_review"): frozenset({"manager", "staff"}),
    ("draft", "published"): frozenset({"staff"}),
    ("draft", "closed"): frozenset({"manager", "staff"}),
    ("pending_review", "published"): frozenset({"staff"}),
    ("pending_review", "draft"): frozenset({"manager", "staff"}),  # withdrawn, or sent back with a reason
    ("published", "paused"): frozenset({"manager", "staff"}),
    ("published", "filled"): frozenset({"manager", "staff", "system"}),
    ("published", "closed"): frozenset({"manager", "staff"}),
    ("published", "expired"): frozenset({"system", "staff"}),
    ("paused", "published"): frozenset({"manager", "staff"}),
    ("paused", "closed"): frozenset({"manager", "staff"}),
    ("filled", "published"): frozenset({"manager", "staff"}),
    ("filled", "closed"): frozenset({"manager", "staff"}),
    ("expired", "published"): frozenset({"manager", "staff"}),  # refreshed with a new closing date
    ("expired", "draft"): frozenset({"manager", "staff"}),
    ("expired", "pending_review"): frozenset({"manager", "staff"}),
    ("closed", "draft"): frozenset({"manager", "staff"}),
}


def allowed_next(status: str) -> list[str]:
    return sorted(to for (frm, to) in TRANSITIONS if frm == status)
