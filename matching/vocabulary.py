"""Skill and cause vocabularies, text normalisation and free text → vocabulary mapping.

The skill vocabulary is ``brokerage/data/taxonomy/skill_vocabulary.csv`` and the causes are
``causes.csv`` next to it. They are read as files (never imported); the directory can be overridden with
the ``MATCHING_TAXONOMY_DIR`` environment variable or by passing ``taxonomy_dir`` to
:func:`load_vocabulary`.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from .reading import Reading, SkillReader

_DEFAULT_DIR = Path(__file__).resolve().parent.parent / "brokerage" / "data" / "taxonomy"

# Broader/narrower and closely related skills: holding the key skill counts as holding each value skill
# at the given strength (one level, not transitive).
RELATED: dict[str, dict[str, float]] = {
    "minibus-driving": {"driving": 1.0},
    "hgv-category-d": {"minibus-driving": 1.0, "driving": 1.0},
    "sports-coaching": {"coaching": 0.8},
    "cooking": {"catering": 0.8},
    "catering": {"cooking": 0.7},
    "dog-walking": {"animal-care": 0.7},
    "it-support": {"basic-it-skills": 1.0, "digital-skills-help": 0.8, "data-entry": 0.6},
    "web-design": {"basic-it-skills": 1.0, "it-support": 0.5},
    "digital-skills-help": {"basic-it-skills": 1.0, "smartphone-use": 0.8},
    "counselling": {"listening-support": 0.9, "active-listening": 1.0, "empathy-compassion": 0.8, "professional-boundaries": 0.8},
    "listening-support": {"active-listening": 1.0, "phone-online-support": 0.7, "empathy-compassion": 0.7},
    "befriending": {"active-listening": 0.7, "empathy-compassion": 0.6},
    "teaching-tutoring": {"mentoring": 0.5, "patience": 0.6},
    "youth-work": {"safeguarding": 0.8, "mentoring": 0.5},
    "care-support": {"empathy-compassion": 0.7, "manual-handling": 0.5, "safeguarding": 0.6},
    "data-entry": {"record-keeping": 0.8, "basic-it-skills": 0.8},
    "admin": {"record-keeping": 0.8, "data-entry": 0.7, "basic-it-skills": 0.6},
    "finance-bookkeeping": {"record-keeping": 0.8},
    "reception": {"customer-service": 0.8, "public-engagement": 0.7},
    "charity-retail": {"customer-service": 0.8, "public-engagement": 0.6},
    "customer-service": {"public-engagement": 0.8},
    "event-planning": {"project-management": 0.6},
    "marketing-social-media": {"social-media-handling": 1.0},
    "campaigning": {"advocacy": 0.6},
    "advocacy": {"campaigning": 0.5},
    "warehouse-logistics": {"manual-handling": 0.6},
    "trustee-governance": {"leading-groups": 0.5},
    "project-management": {"leading-groups": 0.6},
    "mentoring": {"supporting-new-volunteers": 0.7},
    "british-sign-language": {"cultural-sensitivity": 0.4},
    "graphic-design": {"arts-crafts": 0.4},
    "mental-health-awareness": {"listening-support": 0.5},
    "crowd-management": {"public-engagement": 0.5},
}

# Words people use for causes that the standard's synonyms do not cover (for tag suggestions and search).
CAUSE_EXTRA: dict[str, str] = {
    "AnimalWelfare": "animal|animals|animal rescue|rescue centre|rspca|dog|dogs|cat|cats|horse|horses|"
    "kennels|sanctuary|wildlife hospital",
    "AntiPoverty": "food bank|foodbank|food parcels|pantry|community fridge|food poverty|hardship|"
    "cost of living|warm space|warm spaces",
    "ArtsAndCulture": "arts|art|theatre|music|festival|gallery|choir|concert|cinema|dance|creative",
    "Care": "day centre|care home|carers|caring|respite|personal care|hospice|support worker",
    "Community": "community|community centre|village hall|neighbours|community group",
    "CrimeSafety": "community safety|street pastors|neighbourhood watch|safety",
    "DevelopmentAndEmergencyRelief": "emergency|flooding|floods|flood|rest centre|crisis|disaster",
    "Disability": "disabled|disability|wheelchair|wheelchair users|accessible|special needs|send",
    "EducationAndLanguages": "school|schools|education|tutoring|homework|learning|english lessons|esol|"
    "language|college|library|reading",
    "Environment": "conservation|environment|environmental|nature reserve|litter|litter pick|woodland|"
    "tree planting|recycling|beach clean|wildlife|countryside|green|garden|gardens|"
    "allotment|biodiversity|river|habitat",
    "Families": "family|families|family support|parenting",
    "Health": "hospital|nhs|health|patients|gp surgery|clinic|hospice|wellbeing|health centre",
    "Heritage": "museum|heritage|history|historic|castle|archive|heritage railway|national trust|cathedral|historic house",
    "Housing": "homeless|homelessness|rough sleepers|rough sleeping|hostel|night shelter|housing",
    "Illness": "cancer|illness|patients|stroke|long term condition|chronic illness|parkinsons",
    "LearningDisabilities": "learning disability|learning disabilities|autism|autistic|down syndrome",
    "LiteracyNeeds": "literacy|reading|reading helper|reading volunteer|adult literacy",
    "LocalCommunity": "local community|neighbourhood|village|parish|town",
    "MentalHealth": "mental health|wellbeing|anxiety|depression|mind|emotional support|suicide|samaritans|listening",
    "OlderPeople": "older people|older person|older adults|elderly|isolated older|pensioners|later life|"
    "dementia|age uk|retired|lonely older|seniors|day centre",
    "RefugeesAsylumSeekers": "refugee|refugees|asylum|asylum seekers|migrants|resettlement|ukrainian",
    "SportAndOutdoorActivities": "sport|sports|football|cricket|rugby|netball|running|parkrun|walking|"
    "cycling|outdoor|outdoors|swimming|athletics",
    "SubstanceAbuse": "addiction|recovery|drugs|alcohol|substance misuse",
    "Unemployment": "unemployed|job seekers|employability|job club|cv|interview skills|back to work",
    "VictimsOfCrime": "victims|victim support|domestic abuse|domestic violence|survivors",
    "YouthAndChildren": "youth|young people|children|kids|teenagers|scouts|guides|youth club|school|"
    "pupils|students|toddlers|babies",
    "SensoryImpairment": "deaf|blind|sight loss|hearing loss|visual impairment|partially sighted",
    "PhysicalDisability": "physical disability|wheelchair|mobility",
    "InCare": "care leavers|looked after children|foster|fostering",
    "ReligionAndFaith": "church|churches|faith|mosque|temple|gurdwara|synagogue|parish church|chaplaincy",
}

# Short descriptions used (with labels and synonyms) to build the TF-IDF model for tag suggestions.
SKILL_DESCRIPTIONS: dict[str, str] = {
    "befriending": "visit or phone a lonely or isolated person regularly for a chat and companionship, "
    "older people, loneliness, company, friendship",
    "driving": "drive people to appointments, hospital transport, deliver food parcels and shopping, "
    "volunteer driver using your own car",
    "minibus-driving": "drive the charity minibus or community transport bus, take members to the day "
    "centre, outings and trips, D1 licence and MiDAS training",
    "gardening": "look after gardens and grounds, weeding, planting, mowing, community garden, allotment",
    "fundraising": "raise money for the charity, collections, sponsored events, bucket collecting, grants",
    "trustee-governance": "join the board of trustees, governance, strategy, legal and financial oversight, "
    "chair, treasurer, secretary",
    "charity-retail": "help in our charity shop, serve customers on the till, sort and price donations, "
    "steam clothes, dress the window",
    "admin": "office administration, filing, answering emails, data, letters, diary, paperwork",
    "it-support": "fix computers, set up laptops, networks, IT troubleshooting, help the office with technology",
    "digital-skills-help": "help people get online, use tablets, smartphones and email, digital inclusion",
    "web-design": "build and update the website, WordPress, web pages",
    "coaching": "coach people to reach goals, career and life coaching",
    "mentoring": "mentor a young person or adult, regular one to one support, role model",
    "sports-coaching": "coach a sports team, football, cricket, running, training sessions",
    "teaching-tutoring": "tutor pupils, homework club, reading helper, teach English ESOL, maths, classes",
    "youth-work": "run youth club sessions, scouts, guides, activities with children and young people",
    "catering": "serve tea, coffee and meals in the cafe, kitchen help, food hygiene, lunch club",
    "cooking": "cook meals, community kitchen, bake cakes, prepare food",
    "diy": "repairs and maintenance, odd jobs, painting and decorating, handyperson, carpentry",
    "cleaning": "cleaning and tidying, keep the premises clean",
    "translation": "interpret and translate for people who speak other languages",
    "british-sign-language": "communicate with deaf people using BSL sign language",
    "first-aid": "first aider at events, first aid cover, first aid certificate",
    "event-planning": "plan and run events, fun day, fete, festival, stalls",
    "marketing-social-media": "run our social media, Facebook, Instagram, publicity, newsletter, marketing",
    "photography": "take photos and video of our events and work",
    "finance-bookkeeping": "keep the accounts, bookkeeping, treasurer, budgets, gift aid, invoices",
    "legal-advice": "give legal advice, solicitor, law, pro bono",
    "listening-support": "listen and give emotional support to people in distress, helpline, crisis line",
    "care-support": "support people with care needs, hospital ward, hospice, care home, personal support",
    "animal-care": "care for animals at the rescue centre, feed, clean kennels, socialise cats and dogs",
    "dog-walking": "walk dogs for the rescue centre or for owners who can no longer walk them",
    "conservation": "practical conservation tasks, nature reserve, hedge laying, tree planting, "
    "scrub clearance, wildlife surveys, litter picking, beach clean",
    "music": "play music or sing with groups, choir, music sessions",
    "arts-crafts": "run arts and crafts sessions, knitting, painting, sewing",
    "customer-service": "welcome visitors, front of house, visitor services, help customers",
    "reception": "staff the reception desk, answer the phone, greet visitors",
    "warehouse-logistics": "sort, pack and distribute food parcels and supplies in the warehouse, food bank",
    "advocacy": "speak up for people and represent their views, independent advocacy",
    "campaigning": "campaign for change, awareness raising, petitions, lobbying",
    "counselling": "qualified counsellor giving counselling sessions, therapy, bereavement",
    "research": "research, surveys, evaluation, data analysis, local history research",
    "writing-editing": "write and edit newsletters, reports, blogs and stories",
    "hr-recruitment": "human resources, recruit staff and volunteers, HR policy",
    "project-management": "manage a project, plan, coordinate and deliver on time",
    "public-speaking": "give talks and presentations to groups, schools and clubs",
    "graphic-design": "design posters, leaflets and graphics, Canva",
    "dementia-awareness": "support people living with dementia, memory cafe",
    "mental-health-awareness": "mental health awareness, wellbeing support",
    "benefits-debt-advice": "help people with benefits, debt and money advice, form filling",
    "tour-guiding": "guide visitors around the museum or heritage site, give tours and talks",
    "phone-online-support": "support people by telephone or online, telephone befriending, helpline calls",
    "safeguarding": "safeguarding children and vulnerable adults",
    "crowd-management": "steward at events, marshal the route, manage queues and crowds",
}

# Names used in explanations ("uses your IT skill") where the label does not shorten well.
SHORT_NAMES = {
    "basic-it-skills": "IT",
    "smartphone-use": "smartphone",
    "remote-communication-tools": "video-call",
    "social-media-handling": "social media",
    "empathy-compassion": "empathy",
    "calm-under-pressure": "calm",
    "patience": "patience",
    "reliability": "reliability",
    "professional-boundaries": "discretion",
    "relaying-information": "communication",
    "clear-spoken-communication": "communication",
    "phone-online-support": "phone support",
    "radio-use": "radio",
    "public-engagement": "people",
    "warehouse-logistics": "logistics",
    "shelter-support": "shelter support",
    "basic-equipment": "practical",
    "emergency-briefings": "emergency",
    "teamwork": "teamwork",
    "working-independently": "independent working",
    "leading-groups": "leadership",
    "team-conflict": "mediation",
    "supporting-new-volunteers": "volunteer support",
    "hgv-category-d": "HGV/PCV driving",
    "pilot-licence": "pilot",
    "it-support": "IT support",
    "diy": "DIY",
    "hr-recruitment": "HR",
    "british-sign-language": "BSL",
    "first-aid": "first aid",
    "data-entry": "data entry",
    "trustee-governance": "governance",
    "digital-skills-help": "digital",
    "marketing-social-media": "marketing",
    "finance-bookkeeping": "bookkeeping",
    "listening-support": "listening",
    "care-support": "care",
    "conflict-de-escalation": "de-escalation",
    "trauma-informed": "trauma-informed",
    "crowd-management": "stewarding",
}

_TOKEN = re.compile(r"[a-z0-9]+")


def _stem(tok: str) -> str:
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss") and not tok.endswith("us"):
        return tok[:-1]
    return tok


def tokens(text: str) -> list[str]:
    """Lower-case word tokens with light plural stripping; "St John's" → ["st", "john"]."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return [_stem(t) for t in _TOKEN.findall(text)]


def normalise(text: str) -> str:
    return " ".join(tokens(text))


_SPLIT = re.compile(r"[,;:/\n\.\(\)\u2022|]+|\band\b|\bor\b|&")


@dataclass
class Vocabulary:
    """Skill and cause vocabularies with their term indexes. Build with :func:`load_vocabulary`."""

    skill_ids: list[str]
    skill_labels: list[str]
    skill_groups: list[str]
    skill_synonyms: list[list[str]]
    skill_standard: list[str]
    cause_ids: list[str]
    cause_labels: list[str]
    cause_synonyms: list[list[str]]
    skill_index: dict[str, int] = field(default_factory=dict)
    cause_index: dict[str, int] = field(default_factory=dict)
    terms: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # normalised term → hits
    max_ngram: int = 1
    related: list[list[tuple[int, float]]] = field(default_factory=list)
    _skill_choices: list[str] = field(default_factory=list)
    _skill_choice_idx: list[int] = field(default_factory=list)
    _word_choices: list[str] = field(default_factory=list)
    _word_choice_idx: list[int] = field(default_factory=list)
    _skill_lens: list[int] = field(default_factory=list)
    _word_lens: list[int] = field(default_factory=list)
    _cause_choices: list[str] = field(default_factory=list)
    _cause_choice_idx: list[int] = field(default_factory=list)
    _reader: SkillReader | None = None
    _short: dict[int, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)

    @property
    def n_causes(self) -> int:
        return len(self.cause_ids)

    @property
    def skill_words(self) -> int:
        """Number of 64-bit words in a skill bitset."""
        return (self.n_skills + 63) // 64

    def _build(self) -> None:
        self.skill_index = {s: i for i, s in enumerate(self.skill_ids)}
        self.cause_index = {c: i for i, c in enumerate(self.cause_ids)}
        terms: dict[str, list[tuple[str, int]]] = {}

        def add(term: str, kind: str, i: int) -> None:
            key = normalise(term)
            if not key:
                return
            lst = terms.setdefault(key, [])
            if (kind, i) not in lst:
                lst.append((kind, i))

        for i, sid in enumerate(self.skill_ids):
            add(sid.replace("-", " "), "skill", i)
            add(self.skill_labels[i], "skill", i)
            if self.skill_standard[i]:
                add(self.skill_standard[i], "skill", i)
            for s in self.skill_synonyms[i]:
                add(s, "skill", i)
        for i, cid in enumerate(self.cause_ids):
            add(self.cause_labels[i], "cause", i)
            for s in self.cause_synonyms[i]:
                add(s, "cause", i)
        self.terms = terms
        self.max_ngram = max(len(k.split()) for k in terms)
        self.related = [[] for _ in self.skill_ids]
        for src, rel in RELATED.items():
            if src in self.skill_index:
                self.related[self.skill_index[src]] = [(self.skill_index[t], w) for t, w in rel.items() if t in self.skill_index]
        for key, hits in terms.items():
            for kind, i in hits:
                if kind == "skill":
                    self._skill_choices.append(key)
                    self._skill_choice_idx.append(i)
                    if " " not in key and len(key) >= 5:
                        self._word_choices.append(key)
                        self._word_choice_idx.append(i)
                else:
                    self._cause_choices.append(key)
                    self._cause_choice_idx.append(i)
        # sort the fuzzy choices by length so that a query only looks at terms of a compatible length
        for a, b, c in (
            ("_skill_choices", "_skill_choice_idx", "_skill_lens"),
            ("_word_choices", "_word_choice_idx", "_word_lens"),
        ):
            pairs = sorted(zip(getattr(self, a), getattr(self, b)), key=lambda p: (len(p[0]), p[0], p[1]))
            setattr(self, a, [p[0] for p in pairs])
            setattr(self, b, [p[1] for p in pairs])
            setattr(self, c, [len(p[0]) for p in pairs])

    # --- exact / fuzzy lookups ----------------------------------------------------------------------
    def find_terms(self, toks: list[str]) -> list[tuple[str, int, int, int]]:
        """All vocabulary terms occurring in a token list: (kind, index, start, n_tokens)."""
        out = []
        n = len(toks)
        terms = self.terms
        for size in range(min(self.max_ngram, n), 0, -1):
            for i in range(n - size + 1):
                hits = terms.get(" ".join(toks[i : i + size]))
                if hits:
                    for kind, idx in hits:
                        out.append((kind, idx, i, size))
        return out

    def resolve_skill(self, text: str) -> int | None:
        """Vocabulary index of a skill given as id, label or synonym (fuzzy); None if nothing is close."""
        i = self.skill_index.get(text)
        if i is not None:
            return i
        return _resolve_cached(self, text, "skill")

    def resolve_cause(self, text: str) -> int | None:
        i = self.cause_index.get(text)
        if i is not None:
            return i
        return _resolve_cached(self, text, "cause")

    @property
    def reader(self) -> SkillReader:
        """The precise free-text reader over this vocabulary's labels and synonyms (built once)."""
        r = self._reader
        if r is None:
            terms: list[tuple[int, str, str]] = []
            for i, sid in enumerate(self.skill_ids):
                terms.append((i, sid, sid.replace("-", " ")))
                terms.append((i, sid, self.skill_labels[i]))
                if self.skill_standard[i]:
                    terms.append((i, sid, self.skill_standard[i]))
                terms.extend((i, sid, syn) for syn in self.skill_synonyms[i])
            # only full implications (a minibus driver can drive), never mutual ones
            implies = {i: frozenset(j for j, w in rel if w >= 1.0) for i, rel in enumerate(self.related) if rel}
            r = self._reader = SkillReader(terms, implies=implies)
        return r

    def read_skills(self, text: str) -> list[Reading]:
        """Skills the text shows, each with its strength and the words it was read from."""
        return self.reader.read(text)

    def skill_strengths_from_text(self, text: str) -> dict[int, float]:
        """Map free text about a person onto skills: a phrase of the vocabulary as written (any form of its
        words, in its sense) scores 1.0; a typo of a long word scores :data:`~matching.reading.TYPO_STRENGTH`."""
        return {r.skill: r.strength for r in self.read_skills(text)}

    def expand_related(self, direct: dict[int, float]) -> dict[int, float]:
        out = dict(direct)
        for i, s in direct.items():
            for j, w in self.related[i]:
                v = s * w
                if v > out.get(j, 0.0):
                    out[j] = v
        return out

    def cause_bits(self, causes: Iterable[str]) -> int:
        bits = 0
        for c in causes:
            i = self.resolve_cause(c)
            if i is not None:
                bits |= 1 << i
        return bits

    def skill_short(self, i: int) -> str:
        """A short lower-case name for explanations: "first aid", "minibus driving"."""
        name = self._short.get(i)
        if name is None:
            name = self._short[i] = self._skill_short(i)
        return name

    def _skill_short(self, i: int) -> str:
        sid = self.skill_ids[i]
        if sid in SHORT_NAMES:
            return SHORT_NAMES[sid]
        if self.skill_standard[i]:
            lab = self.skill_labels[i]
            lab = re.sub(r"\s*\(.*?\)", "", lab)
            lab = re.sub(r"^(Basic|Simple|Safe|Confident) ", "", lab)
            lab = re.sub(r" (knowledge|awareness)$", "", lab)
            return lab.lower()
        return sid.replace("-", " ")


@lru_cache(maxsize=20000)
def _resolve_cached(vocab: "Vocabulary", text: str, kind: str) -> int | None:
    key = normalise(text.replace("-", " "))
    if not key:
        return None
    for k, i in vocab.terms.get(key, ()):
        if k == kind:
            return i
    if kind == "skill":
        choices, idx = vocab._skill_choices, vocab._skill_choice_idx
    else:
        choices, idx = vocab._cause_choices, vocab._cause_choice_idx
        low = text.lower().replace(" ", "")
        for j, cid in enumerate(vocab.cause_ids):
            if cid.lower() == low:
                return j
    m = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=88)
    return None if m is None else idx[m[2]]


Vocabulary.__hash__ = lambda self: id(self)  # type: ignore[method-assign]
Vocabulary.__eq__ = lambda self, other: self is other  # type: ignore[method-assign]


def _split_syn(s: str) -> list[str]:
    return [x.strip() for x in (s or "").split("|") if x.strip()]


def load_vocabulary(taxonomy_dir: str | os.PathLike[str] | None = None) -> Vocabulary:
    d = Path(taxonomy_dir or os.environ.get("MATCHING_TAXONOMY_DIR") or _DEFAULT_DIR)
    ids, labels, groups, syns, std = [], [], [], [], []
    with open(d / "skill_vocabulary.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ids.append(row["id"].strip())
            labels.append(row["label"].strip())
            groups.append(row["group"].strip())
            syns.append(_split_syn(row["synonyms"]))
            std.append((row.get("standard_label") or "").strip())
    cids, clabels, csyns = [], [], []
    with open(d / "causes.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cid = row["id"].strip()
            cids.append(cid)
            clabels.append(row["label"].strip())
            csyns.append(_split_syn(row["synonyms"]) + _split_syn(CAUSE_EXTRA.get(cid, "")))
    if len(cids) > 64:
        raise ValueError("matching supports at most 64 causes (one 64-bit word)")
    v = Vocabulary(ids, labels, groups, syns, std, cids, clabels, csyns)
    v._build()
    return v


_default: Vocabulary | None = None


def default_vocabulary() -> Vocabulary:
    global _default
    if _default is None:
        _default = load_vocabulary()
    return _default


# --- per-volunteer skill profile (fuzzy matching happens once per volunteer) -----------------------


@dataclass(frozen=True)
class SkillProfile:
    strengths: np.ndarray  # float64, length n_skills + 1 (last entry 0 = padding)
    gate_bits: np.ndarray  # uint64, skill_words long: skills held with certainty (they open essential gates)
    gated: frozenset[int]
    direct: frozenset[int]  # skills declared or read in the text (not via RELATED)


@lru_cache(maxsize=16384)
def _text_strengths(vocab: Vocabulary, text: str) -> tuple[tuple[int, float], ...]:
    """The skills a free text shows (read once per text: many volunteers type the same words)."""
    return tuple(vocab.skill_strengths_from_text(text).items())


@lru_cache(maxsize=65536)
def _skill_profile_cached(vocab: Vocabulary, skills: tuple[str, ...], text: str, threshold: float) -> SkillProfile:
    direct: dict[int, float] = {}
    for s in skills:
        i = vocab.resolve_skill(s)
        if i is not None:
            direct[i] = 1.0
    for i, v in _text_strengths(vocab, text):
        if v > direct.get(i, 0.0):
            direct[i] = v
    full = vocab.expand_related(direct)
    strengths = np.zeros(vocab.n_skills + 1, dtype=np.float64)
    bits = np.zeros(vocab.skill_words, dtype=np.uint64)
    gated = set()
    for i, v in full.items():
        strengths[i] = v
        if v >= threshold:
            gated.add(i)
            bits[i >> 6] |= np.uint64(1 << (i & 63))
    strengths.setflags(write=False)
    bits.setflags(write=False)
    return SkillProfile(strengths, bits, frozenset(gated), frozenset(direct))


def skill_profile(vocab: Vocabulary, skills: Iterable[str], text: str, threshold: float = 0.9) -> SkillProfile:
    """A volunteer's skill strengths; ``threshold`` is the strength at which a skill opens an essential gate."""
    return _skill_profile_cached(vocab, tuple(skills), text or "", float(threshold))
