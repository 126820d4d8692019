"""The referral lifecycle: interested → referred → contacted → started → completed, or it ends
early (withdrawn, not taken forward, no response)."""

from __future__ import annotations

# What may follow what. Anything else is a 409.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "interested": ("referred", "contacted", "withdrawn", "unsuccessful", "no_response"),
    "referred": ("contacted", "withdrawn", "unsuccessful", "no_response"),
    "contacted": ("started", "withdrawn", "unsuccessful", "no_response"),
    "started": ("completed", "withdrawn"),
    "completed": (),
    "withdrawn": (),
    "unsuccessful": (),
    "no_response": (),
}
