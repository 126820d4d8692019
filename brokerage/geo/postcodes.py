"""UK postcode validation and normalisation.

A UK postcode is an *outward code* (postcode area + district, e.g. ``ME14``,
``SW1A``) followed by an *inward code* (sector digit + two unit letters, e.g.
``1XX``).  People type them in every possible way, so we accept lower case,
a missing space and extra spaces, and always hand back the canonical form
``"ME14 1XX"``.

The check is the format check used by Royal Mail / GOV.UK data standards
(letters not used in certain positions, inward letters never C I K M O V);
it does not prove that a postcode exists — :mod:`brokerage.geo.directory`
does that, to outward-code precision, with the shipped centroid list.

``GIR 0AA`` (the historic Girobank postcode) is accepted as a special case.

Every error is a :class:`PostcodeError` (a ``ValueError``) whose ``.message``
is a sentence that can be shown to the person who typed the postcode.
"""

from __future__ import annotations

import re

__all__ = [
    "PostcodeError",
    "EXAMPLE_POSTCODE",
    "EXAMPLE_OUTWARD",
    "normalise",
    "normalise_postcode",
    "is_valid",
    "is_full_postcode",
    "outward_code",
    "inward_code",
    "split_postcode",
]

EXAMPLE_POSTCODE = "ME14 1XX"
EXAMPLE_OUTWARD = "ME14"

# Outward code.  Position 1: any letter but Q V X.  Position 2 (if a letter):
# any letter but I J Z.  A9A districts end in one of ABCDEFGHJKPSTUW, AA9A in
# one of ABEHMNPRVWXY.  The patterns below are the well-known GOV.UK ones.
_OUTWARD = (
    r"(?:"
    r"[A-PR-UWYZ][0-9][0-9]?"  # A9, A99
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"  # AA9, AA99
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"  # A9A
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"  # AA9A
    r")"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"

_OUTWARD_RE = re.compile(rf"{_OUTWARD}")
_FULL_RE = re.compile(rf"({_OUTWARD})({_INWARD})")
_SPECIAL_FULL = {"GIR0AA": "GIR 0AA"}
_SPECIAL_OUTWARD = {"GIR"}

# Anything that looks like an inward code (digit + two letters) even with
# letters that are never used there; helps us give a more precise message.
_LOOSE_INWARD_RE = re.compile(r"[0-9][A-Z]{2}")
_WHITESPACE_RE = re.compile(r"\s+")


class PostcodeError(ValueError):
    """A postcode could not be understood.

    ``message`` is written for the person who typed ``value``.
    """

    def __init__(self, message: str, value: object = None):
        super().__init__(message)
        self.message = message
        self.value = value


def _display(value: object, limit: int = 20) -> str:
    shown = str(value).strip()
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"“{shown}”"


def _compact(value: object) -> str:
    if value is None:
        raise PostcodeError(f"Please enter a postcode, for example {EXAMPLE_POSTCODE}.", value)
    if not isinstance(value, str):
        raise PostcodeError(f"A postcode must be written as text, for example {EXAMPLE_POSTCODE}.", value)
    compact = _WHITESPACE_RE.sub("", value).upper()
    if not compact:
        raise PostcodeError(f"Please enter a postcode, for example {EXAMPLE_POSTCODE}.", value)
    return compact


def normalise(value: object, *, allow_outward_only: bool = False) -> str:
    """Return the canonical form of a UK postcode.

    >>> normalise(" me14 1xx")
    'ME14 1XX'
    >>> normalise("me141xx")
    'ME14 1XX'
    >>> normalise("tn23", allow_outward_only=True)
    'TN23'

    With ``allow_outward_only=True`` a bare outward code (``"TN23"``) is
    accepted and returned on its own; otherwise it is an error that says a
    full postcode is needed.  Raises :class:`PostcodeError`.
    """
    compact = _compact(value)

    if compact in _SPECIAL_FULL:
        return _SPECIAL_FULL[compact]
    m = _FULL_RE.fullmatch(compact)
    if m:
        return f"{m.group(1)} {m.group(2)}"

    is_outward = bool(_OUTWARD_RE.fullmatch(compact)) or compact in _SPECIAL_OUTWARD
    if is_outward:
        if allow_outward_only:
            return compact
        raise PostcodeError(
            f"{_display(value)} is not a full UK postcode — it should look like {EXAMPLE_POSTCODE}.",
            value,
        )

    shape = f"{EXAMPLE_POSTCODE} or {EXAMPLE_OUTWARD}" if allow_outward_only else EXAMPLE_POSTCODE
    # More specific help when the first half is fine but the second half is not.
    if len(compact) >= 5 and _OUTWARD_RE.fullmatch(compact[:-3]):
        inward = compact[-3:]
        if _LOOSE_INWARD_RE.fullmatch(inward):
            raise PostcodeError(
                f"{_display(value)} is not a valid UK postcode — the last part “{inward}” "
                f"uses a letter that postcodes never use there (C, I, K, M, O or V). "
                f"It should look like {EXAMPLE_POSTCODE}.",
                value,
            )
    if not compact.isalnum():
        raise PostcodeError(
            f"{_display(value)} is not a UK postcode — a postcode has only letters and numbers and should look like {shape}.",
            value,
        )
    raise PostcodeError(f"{_display(value)} is not a UK postcode — it should look like {shape}.", value)


# Aliases that read well at call sites.
normalise_postcode = normalise


def is_valid(value: object, *, allow_outward_only: bool = False) -> bool:
    """True if :func:`normalise` would accept ``value``."""
    try:
        normalise(value, allow_outward_only=allow_outward_only)
    except PostcodeError:
        return False
    return True


def split_postcode(value: object, *, allow_outward_only: bool = True) -> tuple[str, str | None]:
    """Return ``(outward, inward)``; ``inward`` is None for a bare outward code."""
    canonical = normalise(value, allow_outward_only=allow_outward_only)
    if " " in canonical:
        outward, inward = canonical.split(" ")
        return outward, inward
    return canonical, None


def is_full_postcode(value: object) -> bool:
    """True for a full, well-formed postcode (not a bare outward code)."""
    return is_valid(value, allow_outward_only=False)


def outward_code(value: object) -> str:
    """The outward code ("ME14") of a full postcode or of a bare outward code."""
    return split_postcode(value, allow_outward_only=True)[0]


def inward_code(value: object) -> str | None:
    """The inward code ("1XX") of a postcode, or None for a bare outward code."""
    return split_postcode(value, allow_outward_only=True)[1]
