"""The 21 weekly time slots (the standard's ``MondayMorning`` … ``SundayEvening``) and the bit
mask they are stored as: bit i is ``SLOT_NAMES[i]``, i = weekday × 3 + part of the day."""

from __future__ import annotations

from brokerage.errors import InvalidInput

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = ("Morning", "Afternoon", "Evening")
SLOT_NAMES = tuple(f"{d}{p}" for d in DAYS for p in PARTS)  # bit i = SLOT_NAMES[i]
ALL_SLOTS = (1 << 21) - 1
# Each part of the day: its name in a slot, in a sentence, and the hours it covers.
DAY_PARTS = (
    ("Morning", "morning", "6am to midday"),
    ("Afternoon", "afternoon", "midday to 6pm"),
    ("Evening", "evening", "6pm to midnight"),
)


def slots_to_mask(slots: list[str]) -> int:
    mask = 0
    index = {name.lower(): i for i, name in enumerate(SLOT_NAMES)}
    for slot in slots:
        i = index.get(slot.strip().lower())
        if i is None:
            raise InvalidInput(f"“{slot}” is not a time slot; use names like MondayMorning or SundayEvening.", field="slots")
        mask |= 1 << i
    return mask


def mask_to_slots(mask: int) -> list[str]:
    return [name for i, name in enumerate(SLOT_NAMES) if mask >> i & 1]


def slot_label(slot: str) -> str:
    """``MondayMorning`` → ``Monday morning``."""
    for part in PARTS:
        if slot.endswith(part):
            return f"{slot[: -len(part)]} {part.lower()}"
    return slot


def describe_slots(mask: int) -> str:
    return ", ".join(slot_label(name) for name in mask_to_slots(mask))
