"""What the answers in other systems' exports mean here: ethnicity written as free text, the statuses
of a volunteer's record, UK phone numbers without their leading 0.

Every mapping is explicit. An answer that does not map is never turned into a guess: an ethnicity that
names no ONS 2021 group is kept as written (and counted in the import's mapping table); a status we do
not know stops its row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from brokerage.vocab.volunteers import ETHNICITY, ETHNICITY_DETAIL, PREFER_NOT_TO_SAY, ethnicity_group

# -- ethnicity ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EthnicityAnswer:
    group: str | None  # a code of ETHNICITY, or None when the answer names no group
    detail: str | None  # a code of ETHNICITY_DETAIL, or None
    kept_as_given: bool  # the answer is stored as written because it maps to no detailed group

    @property
    def label(self) -> str:
        if self.detail:
            return ETHNICITY_DETAIL.label(self.detail)
        if self.group == PREFER_NOT_TO_SAY:
            return ETHNICITY.label(self.group)
        if self.group:
            return ETHNICITY.label(self.group) + " (detailed group not given)"
        return "Not mapped: kept as written"


_PREFER_NOT = re.compile(r"prefer|not (revealed|stated|known|given|disclosed|say)|rather not|declined?|withheld|^n ?a$|^unknown$")

# Words that name one detailed group. Checked in order; mixed groups first, as they contain the others.
_DETAIL_WORDS: tuple[tuple[str, str], ...] = (
    (r"white (and|&) black caribbean|black caribbean (and|&) white", "mixed_white_black_caribbean"),
    (r"white (and|&) black african|black african (and|&) white", "mixed_white_black_african"),
    (r"white (and|&) asian|asian (and|&) white", "mixed_white_asian"),
    (r"(other|any other) mixed|mixed other|multiple ethnic", "mixed_other"),
    (r"gypsy|irish traveller|\btraveller\b", "white_gypsy_traveller"),
    (r"\broma\b|\bromany\b", "white_roma"),
    (r"bangladeshi", "asian_bangladeshi"),
    (r"pakistani", "asian_pakistani"),
    (r"west indian", "black_caribbean"),
    (r"\bindian\b", "asian_indian"),
    (r"chinese|hong kong", "asian_chinese"),
    (
        r"(other|any other) asian|asian other|sri lankan|nepali|nepalese|filipino|vietnamese|malaysian|thai\b|japanese|korean",
        "asian_other",
    ),
    (r"caribbean|jamaican|barbadian|trinidadian", "black_caribbean"),
    (
        r"african|somali|nigerian|ghanaian|eritrean|ethiopian|sudanese|congolese|zimbabwean|kenyan|ugandan|sierra leon",
        "black_african",
    ),
    (r"(other|any other) black|black other", "black_other"),
    (r"\barab\b|arabic|yemeni|iraqi|syrian|egyptian|moroccan|lebanese", "other_arab"),
    (
        r"(other|any other) white|white other|polish|european|romanian|lithuanian|italian|portuguese|spanish|french|german",
        "white_other",
    ),
    (r"^(white )?irish$|^irish white$", "white_irish"),
    (
        r"^white (english|welsh|scottish|northern irish|british)( ?/? ?(english|welsh|scottish|northern irish|british))*$"
        r"|^(english|welsh|scottish|northern irish|british) white$|^white british$",
        "white_british",
    ),
    (r"^(any )?other( ethnic group)?$|^other ethnic group", "other_any"),
)
# Words that name only a high-level group.
_GROUP_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bmixed\b|dual heritage|\bmulti", "mixed"),
    (r"\bwhite\b", "white"),
    (r"\basian\b", "asian"),
    (r"\bblack\b", "black"),
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z&]+", " ", text.lower())).strip()


@lru_cache(maxsize=4096)
def ethnicity(text: str) -> EthnicityAnswer:
    """Map an ethnicity answer to the ONS 2021 groups. "British" or "English" alone is a national
    identity, not an ethnic group, so it is kept as written rather than guessed."""
    v = _norm(text)
    if not v:
        return EthnicityAnswer(None, None, False)
    if _PREFER_NOT.search(v):
        return EthnicityAnswer(PREFER_NOT_TO_SAY, None, False)
    details = {detail for pattern, detail in _DETAIL_WORDS if re.search(pattern, v)}
    mixed = {d for d in details if d.startswith("mixed_") and d != "mixed_other"}
    if mixed:  # "White and Black Caribbean" names a mixed group, not the Caribbean one
        details = mixed
    if len(details) == 1:
        (detail,) = details
        return EthnicityAnswer(ethnicity_group(detail), detail, False)
    groups = {ethnicity_group(d) for d in details} or {g for pattern, g in _GROUP_WORDS if re.search(pattern, v)}
    if len(groups) == 1:
        return EthnicityAnswer(groups.pop(), None, True)
    return EthnicityAnswer(None, None, True)


# -- gender and disability ------------------------------------------------------------------------------
GENDERS = {
    "m": "man",
    "male": "man",
    "man": "man",
    "boy": "man",
    "f": "woman",
    "female": "woman",
    "woman": "woman",
    "girl": "woman",
    "non binary": "non_binary",
    "nonbinary": "non_binary",
    "non-binary": "non_binary",
    "nb": "non_binary",
    "enby": "non_binary",
    "other": "other",
    "another way": "other",
    "in another way": "other",
    "prefer to self describe": "other",
    "self describe": "other",
}


def gender(text: str) -> str | None:
    """A gender answer; ``None`` when it is not one we recognise (the row says so, without the value)."""
    v = text.strip().lower()
    if _PREFER_NOT.search(_norm(v)):
        return PREFER_NOT_TO_SAY
    return GENDERS.get(v) or GENDERS.get(_norm(v))


# -- the status of a volunteer's record ----------------------------------------------------------------
# Every status TeamKinetic and the common spreadsheets use, mapped explicitly. A blank status is a record
# the other system never changed: an active one.
STATUSES: dict[str, str] = {
    "": "active",
    "access granted": "active",
    "new": "active",
    "active": "active",
    "live": "active",
    "current": "active",
    "approved": "active",
    "registered": "active",
    "pending": "active",
    "access denied": "inactive",
    "denied": "inactive",
    "inactive": "inactive",
    "archived": "inactive",
    "deleted": "inactive",
    "removed": "inactive",
    "left": "inactive",
    "suspended": "inactive",
    "blocked": "inactive",
    "banned": "inactive",
    "dormant": "inactive",
    "lapsed": "inactive",
}


def status(text: str) -> str | None:
    return STATUSES.get(re.sub(r"\s+", " ", text.strip().lower()))


# -- UK phone numbers -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Phone:
    number: str
    added_zero: bool


def phone(text: str) -> Phone | None:
    """A UK number in its national form ("07700 900123"); a 10-digit number starting 1, 2, 3, 7 or 8 has
    lost its leading 0 (a spreadsheet took it for a number) and gets it back. ``None`` if not a number."""
    value = text.strip()
    if not re.fullmatch(r"[0-9 +()\-.]{6,40}", value):
        return None
    digits = re.sub(r"\D", "", value)
    if value.startswith("+") and not digits.startswith("44"):
        return Phone(value, False)  # a number abroad, kept as written
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    added = False
    if (len(digits) == 10 and digits[0] in "12378") or (len(digits) == 9 and digits[0] in "12"):
        digits, added = "0" + digits, True
    if not digits.startswith("0") or len(digits) not in (10, 11):
        return None if len(digits) < 6 else Phone(value, False)
    if digits.startswith("07"):
        return Phone(f"{digits[:5]} {digits[5:]}", added)
    parsed = phonenumbers.parse(digits, "GB")
    return Phone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL), added)
