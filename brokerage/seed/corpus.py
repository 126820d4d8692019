"""Synthetic, deterministic content for a demo Kent: people, organisations, roles.

Everything here is invented.  Names are drawn at random from lists of common
first names and surnames (so no real person is described), e-mail addresses
use only the reserved example domains (``example.org``, ``example.com``,
``example.net`` — RFC 2606), telephone numbers come from Ofcom's range for
drama (07700 900000–900999), and postcodes are made-up inward codes on real
Kent outward codes (they locate to outcode precision, but may not exist).

Every function takes a ``random.Random`` and uses nothing else that varies, so
``random.Random(seed)`` gives the same county every time.  The word lists and
templates are built once at import; a call is a few dozen ``rng`` draws, which
keeps 400,000 volunteers and 50,000 roles fast to generate.

Field names and values follow the project's models (``brokerage/models``) and
vocabularies (``brokerage/vocab``): organisation types, role and volunteer modes,
DBS levels (``dbs_rank`` is a level's place in ``DBS_LEVELS``, 0–3).

Registration numbers (all invented; formats as used by the registrars):

* Charity Commission for England and Wales (``ccew``): 6 digits (old
  registrations, 200000–329999) or 7 digits (1000000–1212999, the modern
  series; every CIO is in it, from 1150000).  A linked charity (a subsidiary
  or special trust registered under a main charity) adds a suffix ``-1``,
  ``-2`` …, e.g. ``1123456-1``.
* Companies House (``companies_house``): 8 characters — England and Wales
  companies are 8 digits with leading zeros (``07123456``).  CICs and
  charitable companies limited by guarantee have one; a CIO never does (it is
  not a company).  A charitable company's charity number goes in
  ``charity_number`` and its company number in ``company_number``.
* Community groups (income under £5,000, not required to register) and most
  "other" bodies have no number.

Availability masks use the data standard's 21 weekly slots: bit ``day*3 +
part`` with Monday = 0 … Sunday = 6 and part morning (06–12) = 0, afternoon
(12–18) = 1, evening (18–24) = 2, so MondayMorning is bit 0 and SundayEvening
bit 20.
"""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect
from datetime import date, timedelta
from itertools import accumulate
from typing import NamedTuple

from brokerage.geo.directory import KENT_GSS, MEDWAY_GSS, default_gazetteer
from brokerage.vocab.dbs import DBS_LEVEL
from brokerage.vocab.organisations import ORGANISATION_TYPE
from brokerage.vocab import taxonomies

__all__ = [
    "REFERENCE_DATE",
    "SKILL_IDS",
    "CAUSE_IDS",
    "EMAIL_DOMAINS",
    "ORGANISATION_TYPES",
    "ORGANISATION_TYPE_LABELS",
    "DBS_LEVELS",
    "DISTRICTS",
    "DISTRICT_NAMES",
    "DISTRICT_WEIGHTS",
    "TOWNS",
    "TOWN_OUTCODES",
    "FIRST_NAMES",
    "SURNAMES",
    "ROLE_TEMPLATES",
    "RoleTemplate",
    "Centre",
    "CENTRES",
    "PILOT_LEAD_CENTRE",
    "SKILL_PHRASES",
    "slot_bit",
    "slot_mask",
    "mask_slots",
    "SLOT_IDS",
    "choose_district",
    "postcode_in",
    "place",
    "random_age",
    "date_of_birth",
    "phone_number",
    "email_address",
    "person",
    "organisation",
    "charity_number",
    "company_number",
    "role_from_template",
    "availability_mask",
    "skill_set",
    "skills_text",
    "volunteer_profile",
    "volunteer",
]

# A fixed "today" so that ages and dates of birth are reproducible.
REFERENCE_DATE = date(2026, 11, 23)

# --------------------------------------------------------------------------- vocabularies

SKILL_IDS: tuple[str, ...] = (
    "befriending",
    "driving",
    "minibus-driving",
    "gardening",
    "fundraising",
    "trustee-governance",
    "charity-retail",
    "admin",
    "data-entry",
    "it-support",
    "digital-skills-help",
    "web-design",
    "coaching",
    "mentoring",
    "sports-coaching",
    "teaching-tutoring",
    "youth-work",
    "catering",
    "cooking",
    "diy",
    "cleaning",
    "translation",
    "british-sign-language",
    "first-aid",
    "event-planning",
    "marketing-social-media",
    "photography",
    "finance-bookkeeping",
    "legal-advice",
    "listening-support",
    "care-support",
    "animal-care",
    "dog-walking",
    "conservation",
    "music",
    "arts-crafts",
    "customer-service",
    "reception",
    "warehouse-logistics",
    "advocacy",
    "campaigning",
    "counselling",
    "research",
    "writing-editing",
    "hr-recruitment",
    "project-management",
)
_SKILL_SET = frozenset(SKILL_IDS)


CAUSE_IDS: tuple[str, ...] = tuple(taxonomies.causes())
_CAUSE_SET = frozenset(CAUSE_IDS)

EMAIL_DOMAINS: tuple[str, ...] = ("example.org", "example.com", "example.net")

ORGANISATION_TYPES: tuple[str, ...] = ORGANISATION_TYPE.codes
ORGANISATION_TYPE_LABELS = ORGANISATION_TYPE.labels
DBS_LEVELS: tuple[str, ...] = DBS_LEVEL.codes

# --------------------------------------------------------------------------- places

# GSS -> short name used in organisation names.
DISTRICT_NAMES: dict[str, str] = {
    "E07000105": "Ashford",
    "E07000106": "Canterbury",
    "E07000107": "Dartford",
    "E07000108": "Dover",
    "E07000109": "Gravesham",
    "E07000110": "Maidstone",
    "E07000111": "Sevenoaks",
    "E07000112": "Folkestone & Hythe",
    "E07000113": "Swale",
    "E07000114": "Thanet",
    "E07000115": "Tonbridge & Malling",
    "E07000116": "Tunbridge Wells",
    MEDWAY_GSS: "Medway",
}
DISTRICTS: tuple[str, ...] = KENT_GSS + (MEDWAY_GSS,)

# Resident population, Census 2021 (thousands, rounded) — used as weights.
DISTRICT_WEIGHTS: dict[str, int] = {
    "E07000105": 133,
    "E07000106": 157,
    "E07000107": 117,
    "E07000108": 116,
    "E07000109": 106,
    "E07000110": 176,
    "E07000111": 121,
    "E07000112": 109,
    "E07000113": 151,
    "E07000114": 140,
    "E07000115": 133,
    "E07000116": 116,
    MEDWAY_GSS: 279,
}

# Towns and villages per district: (name, outward codes, weight).  Every outward code
# resolves to the same district in brokerage.geo (tests check this), so a made-up
# postcode, its town and its district always agree.
_TOWN_TABLE: dict[str, tuple[tuple[str, tuple[str, ...], int], ...]] = {
    "E07000105": (
        ("Ashford", ("TN23", "TN24"), 6),
        ("Tenterden", ("TN30",), 2),
        ("Wye", ("TN25",), 1),
        ("Charing", ("TN27",), 1),
        ("Hamstreet", ("TN26",), 1),
        ("Kingsnorth", ("TN23",), 2),
        ("Willesborough", ("TN24",), 2),
    ),
    "E07000106": (
        ("Canterbury", ("CT1", "CT2"), 6),
        ("Whitstable", ("CT5",), 3),
        ("Herne Bay", ("CT6",), 3),
        ("Sturry", ("CT2",), 1),
        ("Bridge", ("CT4",), 1),
        ("Chartham", ("CT4",), 1),
    ),
    "E07000107": (
        ("Dartford", ("DA1", "DA2"), 6),
        ("Swanscombe", ("DA10",), 2),
        ("Greenhithe", ("DA9",), 2),
        ("Stone", ("DA9",), 1),
        ("Wilmington", ("DA2",), 1),
        ("Longfield", ("DA3",), 1),
    ),
    "E07000108": (
        ("Dover", ("CT16", "CT17"), 5),
        ("Deal", ("CT14",), 4),
        ("Sandwich", ("CT13",), 2),
        ("Walmer", ("CT14",), 1),
        ("Eastry", ("CT13",), 1),
        ("St Margaret's at Cliffe", ("CT15",), 1),
    ),
    "E07000109": (
        ("Gravesend", ("DA11", "DA12"), 6),
        ("Northfleet", ("DA11",), 3),
        ("Meopham", ("DA13",), 1),
        ("Istead Rise", ("DA13",), 1),
        ("Singlewell", ("DA12",), 1),
        ("Cobham", ("DA12",), 1),
    ),
    "E07000110": (
        ("Maidstone", ("ME14", "ME15", "ME16"), 8),
        ("Bearsted", ("ME14",), 2),
        ("Allington", ("ME16",), 1),
        ("Lenham", ("ME17",), 1),
        ("Coxheath", ("ME17",), 1),
        ("Harrietsham", ("ME17",), 1),
        ("Boughton Monchelsea", ("ME17",), 1),
    ),
    "E07000111": (
        ("Sevenoaks", ("TN13",), 4),
        ("Swanley", ("BR8",), 3),
        ("Edenbridge", ("TN8",), 2),
        ("Westerham", ("TN16",), 1),
        ("Otford", ("TN14",), 1),
        ("Hextable", ("BR8",), 1),
        ("Dunton Green", ("TN14",), 1),
    ),
    "E07000112": (
        ("Folkestone", ("CT19", "CT20"), 6),
        ("Hythe", ("CT21",), 3),
        ("New Romney", ("TN28",), 2),
        ("Lydd", ("TN29",), 1),
        ("Dymchurch", ("TN29",), 1),
        ("Sandgate", ("CT20",), 1),
        ("Hawkinge", ("CT18",), 1),
    ),
    "E07000113": (
        ("Sittingbourne", ("ME10",), 6),
        ("Faversham", ("ME13",), 4),
        ("Sheerness", ("ME12",), 3),
        ("Minster-on-Sea", ("ME12",), 2),
        ("Queenborough", ("ME11",), 1),
        ("Iwade", ("ME9",), 1),
        ("Teynham", ("ME9",), 1),
    ),
    "E07000114": (
        ("Margate", ("CT9",), 5),
        ("Ramsgate", ("CT11", "CT12"), 5),
        ("Broadstairs", ("CT10",), 3),
        ("Birchington", ("CT7",), 2),
        ("Westgate-on-Sea", ("CT8",), 1),
        ("Cliftonville", ("CT9",), 1),
    ),
    "E07000115": (
        ("Tonbridge", ("TN9", "TN10"), 6),
        ("West Malling", ("ME19",), 2),
        ("Snodland", ("ME6",), 2),
        ("Kings Hill", ("ME19",), 2),
        ("East Malling", ("ME19",), 1),
        ("Leybourne", ("ME19",), 1),
        ("Hildenborough", ("TN11",), 1),
    ),
    "E07000116": (
        ("Tunbridge Wells", ("TN1", "TN2", "TN4"), 7),
        ("Southborough", ("TN4",), 2),
        ("Rusthall", ("TN4",), 1),
        ("Cranbrook", ("TN17",), 1),
        ("Hawkhurst", ("TN18",), 1),
        ("Pembury", ("TN2",), 1),
    ),
    MEDWAY_GSS: (
        ("Chatham", ("ME4", "ME5"), 5),
        ("Rochester", ("ME1",), 4),
        ("Gillingham", ("ME7",), 5),
        ("Strood", ("ME2",), 3),
        ("Rainham", ("ME8",), 3),
        ("Hoo", ("ME3",), 1),
        ("Walderslade", ("ME5",), 2),
    ),
}
TOWNS: dict[str, tuple[str, ...]] = {g: tuple(t[0] for t in rows) for g, rows in _TOWN_TABLE.items()}
TOWN_OUTCODES: dict[str, tuple[str, ...]] = {t[0]: t[1] for rows in _TOWN_TABLE.values() for t in rows}

# Wider area names for county-ish organisations ("Swale Befriending Scheme").
_AREAS: dict[str, tuple[str, ...]] = {
    "E07000105": ("Ashford", "Ashford Borough", "Weald"),
    "E07000106": ("Canterbury", "Canterbury District", "East Kent"),
    "E07000107": ("Dartford", "North Kent", "Dartford & District"),
    "E07000108": ("Dover", "Dover District", "East Kent", "White Cliffs"),
    "E07000109": ("Gravesham", "Gravesend", "North Kent"),
    "E07000110": ("Maidstone", "Mid Kent", "Maidstone & District"),
    "E07000111": ("Sevenoaks", "Sevenoaks District", "West Kent", "Darent Valley"),
    "E07000112": ("Folkestone", "Romney Marsh", "Shepway", "Folkestone & Hythe"),
    "E07000113": ("Swale", "Sheppey", "Faversham", "Sittingbourne"),
    "E07000114": ("Thanet", "Isle of Thanet", "East Kent"),
    "E07000115": ("Tonbridge", "Malling", "West Kent", "Tonbridge & Malling"),
    "E07000116": ("Tunbridge Wells", "High Weald", "West Kent"),
    MEDWAY_GSS: ("Medway", "Medway Towns", "Chatham", "Rochester"),
}

_LANDMARKS: dict[str, tuple[str, ...]] = {
    "E07000105": ("Victoria Park", "Conningbrook Lakes", "Singleton Lake", "Ashford Town Gardens"),
    "E07000106": ("Dane John Gardens", "Westgate Gardens", "Whitstable Harbour", "Herne Bay Pier Gardens"),
    "E07000107": ("Central Park", "Darenth Woods", "Dartford Heath", "Hesketh Park"),
    "E07000108": ("Dover Castle Gardens", "Pencester Gardens", "Kearsney Abbey", "Deal Pier"),
    "E07000109": ("Gravesend Promenade", "Woodlands Park", "Cobham Woods", "Windmill Hill"),
    "E07000110": ("Mote Park", "Whatman Park", "Clare Park", "Brenchley Gardens"),
    "E07000111": ("Sevenoaks Wildlife Reserve", "Swanley Park", "Otford Palace", "Westerham Green"),
    "E07000112": ("The Leas", "Lower Leas Coastal Park", "Royal Military Canal", "Radnor Park"),
    "E07000113": ("Milton Creek", "Faversham Creek", "Barton's Point", "Oare Marshes"),
    "E07000114": ("Dane Park", "Ellington Park", "King George VI Park", "Margate Sands"),
    "E07000115": ("Tonbridge Castle Grounds", "Leybourne Lakes", "Haysden Country Park", "Ryarsh Wood"),
    "E07000116": ("Calverley Grounds", "Dunorlan Park", "The Grove", "Grosvenor and Hilbert Park"),
    MEDWAY_GSS: ("Great Lines Heritage Park", "Rochester Castle Gardens", "Capstone Farm", "Riverside Country Park"),
}

_DISTRICT_CUM = list(accumulate(DISTRICT_WEIGHTS[g] for g in DISTRICTS))


def _town_places() -> dict[str, tuple[tuple[tuple[str, str, float, float], ...], list[float]]]:
    """Per district: ((town, outcode, lat, lon), ...) and cumulative weights."""
    gaz = default_gazetteer()
    out = {}
    for gss, rows in _TOWN_TABLE.items():
        entries, weights = [], []
        for town, codes, weight in rows:
            for code in codes:
                info = gaz.outcode(code)
                entries.append((town, code, info.latitude, info.longitude))
                weights.append(weight / len(codes))
        out[gss] = (tuple(entries), list(accumulate(weights)))
    return out


_PLACES = _town_places()

# Just over the county line: people who live outside Kent but volunteer in it.
_NEIGHBOUR_OUTCODES: tuple[tuple[str, float, float], ...] = tuple(
    (c, default_gazetteer().outcode(c).latitude, default_gazetteer().outcode(c).longitude)
    for c in ("DA5", "DA6", "DA7", "DA8", "DA14", "DA15", "BR5", "BR6", "SE9", "TN5", "TN6", "TN22", "TN31", "TN32", "RH19")
)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _inward(rng: random.Random) -> str:
    return f"{rng.randrange(10)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"


def _town_point(rng: random.Random, gss: str) -> tuple[str, str, float, float]:
    entries, cum = _PLACES[gss]
    return entries[bisect(cum, rng.random() * cum[-1])]


def choose_district(rng: random.Random) -> str:
    """A Kent district or Medway GSS code, weighted by population."""
    return DISTRICTS[bisect(_DISTRICT_CUM, rng.random() * _DISTRICT_CUM[-1])]


def postcode_in(rng: random.Random, district: str, town: str | None = None) -> str:
    """A made-up full postcode on a real outward code of the district (or of ``town``)."""
    if town is not None:
        code = rng.choice(TOWN_OUTCODES[town])
    else:
        code = _town_point(rng, district)[1]
    return f"{code} {_inward(rng)}"


def place(
    rng: random.Random,
    district: str | None = None,
    *,
    town: str | None = None,
    outside_share: float = 0.0,
) -> dict:
    """A made-up address point: ``postcode, latitude, longitude, district_gss, town``.

    Towns are weighted roughly by size.  The point is jittered by up to about
    a mile around the outward code's centroid so that places do not stack up.
    With ``outside_share``, that share of calls (when ``district`` is None)
    lands just outside Kent (``district_gss`` and ``town`` None).
    """
    if district is None and town is None and outside_share and rng.random() < outside_share:
        code, lat, lon = rng.choice(_NEIGHBOUR_OUTCODES)
        gss = None
    else:
        gss = district or choose_district(rng)
        if town is not None:
            entries = [e for e in _PLACES[gss][0] if e[0] == town]
            if not entries:
                raise ValueError(f"{town!r} is not one of the towns listed for {gss}")
            town, code, lat, lon = rng.choice(entries)
        else:
            town, code, lat, lon = _town_point(rng, gss)
    return {
        "postcode": f"{code} {_inward(rng)}",
        "latitude": round(lat + rng.uniform(-0.012, 0.012), 6),
        "longitude": round(lon + rng.uniform(-0.018, 0.018), 6),
        "district_gss": gss,
        "town": town,
    }


# --------------------------------------------------------------------------- names

# (first names by gender, surnames, ethnicity weights) per broad origin group, with
# a weight reflecting Kent's population (Census 2021: about 87% White, with
# large Nepali communities around Folkestone, Ashford and Maidstone, a large
# Sikh Punjabi community in Gravesend, and growing Black African, Eastern
# European and other communities, especially in Medway, Dartford and Gravesham).
_F, _M, _U = "woman", "man", "either"

_ORIGINS: list[tuple[str, int, dict[str, tuple[str, ...]], tuple[str, ...], dict[str, int]]] = [
    (
        "british",
        700,
        {
            _F: (
                "Olivia",
                "Amelia",
                "Isla",
                "Emily",
                "Sophie",
                "Grace",
                "Lily",
                "Freya",
                "Ella",
                "Chloe",
                "Jessica",
                "Hannah",
                "Charlotte",
                "Poppy",
                "Evie",
                "Ruby",
                "Megan",
                "Lucy",
                "Holly",
                "Susan",
                "Margaret",
                "Patricia",
                "Janet",
                "Linda",
                "Carol",
                "Helen",
                "Sarah",
                "Karen",
                "Julie",
                "Deborah",
                "Jacqueline",
                "Gillian",
                "Pauline",
                "Maureen",
                "Wendy",
                "Rachel",
                "Claire",
                "Joanne",
                "Kathleen",
                "Siobhan",
                "Niamh",
                "Bethany",
                "Rosie",
            ),
            _M: (
                "Oliver",
                "George",
                "Harry",
                "Jack",
                "Noah",
                "Jacob",
                "Alfie",
                "Freddie",
                "Thomas",
                "Oscar",
                "William",
                "James",
                "Henry",
                "Leo",
                "Archie",
                "Joshua",
                "Daniel",
                "Ryan",
                "David",
                "John",
                "Michael",
                "Peter",
                "Robert",
                "Paul",
                "Stephen",
                "Andrew",
                "Mark",
                "Richard",
                "Christopher",
                "Brian",
                "Keith",
                "Graham",
                "Colin",
                "Trevor",
                "Barry",
                "Nigel",
                "Ian",
                "Gary",
                "Liam",
                "Connor",
                "Sean",
                "Callum",
                "Dylan",
            ),
            _U: ("Alex", "Sam", "Jordan", "Charlie", "Robin", "Jamie", "Morgan", "Frankie"),
        },
        (
            "Smith",
            "Jones",
            "Williams",
            "Taylor",
            "Brown",
            "Davies",
            "Evans",
            "Wilson",
            "Thomas",
            "Johnson",
            "Roberts",
            "Robinson",
            "Thompson",
            "Wright",
            "Walker",
            "White",
            "Edwards",
            "Hughes",
            "Green",
            "Hall",
            "Lewis",
            "Harris",
            "Clarke",
            "Jackson",
            "Wood",
            "Turner",
            "Martin",
            "Cooper",
            "Hill",
            "Ward",
            "Morris",
            "Moore",
            "King",
            "Baker",
            "Harrison",
            "Morgan",
            "Allen",
            "Scott",
            "Phillips",
            "Watson",
            "Parker",
            "Price",
            "Bennett",
            "Young",
            "Mitchell",
            "Kelly",
            "Cook",
            "Carter",
            "Bailey",
            "Collins",
            "Bell",
            "Shaw",
            "Murphy",
            "Miller",
            "Marshall",
            "Simpson",
            "Ellis",
            "Foster",
            "Chapman",
            "Mason",
            "Webb",
            "Hunt",
            "Holmes",
            "Palmer",
            "Knight",
            "Barnes",
            "Fisher",
            "Pearce",
            "O'Brien",
            "Murray",
            "Sullivan",
            "Fletcher",
            "Godden",
            "Pilcher",
            "Hogben",
            "Ashdown",
            "Kingsnorth",
            "Packham",
            "Wraight",
            "Ovenden",
            "Fagg",
            "Kemp",
            "Austen",
            "Sharp",
            "Campbell",
            "MacDonald",
        ),
        {"white": 93, "mixed": 3, "black": 1, "prefer_not_to_say": 3},
    ),
    (
        "south_asian",
        70,
        {
            _F: (
                "Harpreet",
                "Gurpreet",
                "Manpreet",
                "Simran",
                "Priya",
                "Anita",
                "Neha",
                "Kavita",
                "Aisha",
                "Fatima",
                "Ayesha",
                "Zara",
                "Nadia",
                "Sunita",
                "Anjali",
                "Sabina",
                "Puja",
                "Gita",
            ),
            _M: (
                "Jaspreet",
                "Amandeep",
                "Rajinder",
                "Sukhdev",
                "Arjun",
                "Rohan",
                "Vikram",
                "Deepak",
                "Mohammed",
                "Imran",
                "Bilal",
                "Hamza",
                "Yusuf",
                "Ramesh",
                "Suman",
                "Prakash",
                "Bikash",
                "Dipendra",
            ),
            _U: (),
        },
        (
            "Singh",
            "Kaur",
            "Sandhu",
            "Gill",
            "Dhillon",
            "Sidhu",
            "Bains",
            "Johal",
            "Patel",
            "Sharma",
            "Kumar",
            "Shah",
            "Mistry",
            "Khan",
            "Hussain",
            "Ali",
            "Rahman",
            "Begum",
            "Iqbal",
            "Akhtar",
            "Chowdhury",
            "Gurung",
            "Rai",
            "Limbu",
            "Magar",
            "Thapa",
            "Tamang",
            "Pun",
            "Shrestha",
        ),
        {"asian": 90, "mixed": 3, "prefer_not_to_say": 7},
    ),
    (
        "african_caribbean",
        45,
        {
            _F: (
                "Adaeze",
                "Ngozi",
                "Folake",
                "Ama",
                "Abena",
                "Blessing",
                "Precious",
                "Tendai",
                "Shanice",
                "Aaliyah",
                "Chiamaka",
                "Esther",
            ),
            _M: (
                "Chidi",
                "Chinonso",
                "Oluwaseun",
                "Kwame",
                "Kofi",
                "Emmanuel",
                "Marcus",
                "Jermaine",
                "Tunde",
                "Samuel",
                "Kelechi",
                "Desmond",
            ),
            _U: (),
        },
        (
            "Okafor",
            "Adeyemi",
            "Okonkwo",
            "Mensah",
            "Owusu",
            "Boateng",
            "Asante",
            "Adebayo",
            "Moyo",
            "Ndlovu",
            "Campbell",
            "Thompson",
            "Johnson",
            "Clarke",
            "Oyelaran",
            "Eze",
        ),
        {"black": 88, "mixed": 6, "prefer_not_to_say": 6},
    ),
    (
        "european",
        95,
        {
            _F: (
                "Agnieszka",
                "Katarzyna",
                "Magdalena",
                "Anna",
                "Ioana",
                "Elena",
                "Maria",
                "Sofia",
                "Giulia",
                "Ana",
                "Laura",
                "Kristina",
            ),
            _M: (
                "Piotr",
                "Tomasz",
                "Krzysztof",
                "Jakub",
                "Andrei",
                "Mihai",
                "Alexandru",
                "Lukas",
                "Marco",
                "João",
                "Carlos",
                "Mateusz",
            ),
            _U: (),
        },
        (
            "Kowalski",
            "Nowak",
            "Wiśniewski",
            "Wójcik",
            "Lewandowski",
            "Kamińska",
            "Popescu",
            "Ionescu",
            "Petrov",
            "Kazlauskas",
            "Rossi",
            "Silva",
            "Santos",
            "García",
            "Fernandes",
            "Papadopoulos",
            "Horváth",
            "Novák",
        ),
        {"white": 92, "mixed": 2, "prefer_not_to_say": 6},
    ),
    (
        "east_asian",
        20,
        {
            _F: ("Mei", "Ling", "Yan", "Hui", "Linh", "Maricel"),
            _M: ("Wei", "Jun", "Hao", "Minh", "Kenji", "Jose"),
            _U: ("Kai",),
        },
        ("Chen", "Wong", "Li", "Zhang", "Lam", "Cheung", "Nguyen", "Tran", "Reyes", "Santos"),
        {"asian": 85, "mixed": 5, "other": 3, "prefer_not_to_say": 7},
    ),
    (
        "middle_eastern",
        25,
        {
            _F: ("Elif", "Zeynep", "Layla", "Rania", "Mariam", "Dilan", "Shirin"),
            _M: ("Mehmet", "Emre", "Ahmad", "Omar", "Hassan", "Karim", "Reza"),
            _U: (),
        },
        ("Yilmaz", "Demir", "Kaya", "Hassan", "Karimi", "Ahmadi", "Haddad", "Saleh", "Rostami", "Aziz"),
        {"other": 55, "asian": 20, "white": 15, "prefer_not_to_say": 10},
    ),
]

_ORIGIN_CUM = list(accumulate(o[1] for o in _ORIGINS))


def _flatten(origins) -> tuple[tuple[str, ...], tuple[str, ...]]:
    firsts: list[str] = []
    lasts: list[str] = []
    for _name, _w, by_gender, surnames, _eth in origins:
        for names in by_gender.values():
            firsts.extend(n for n in names if n not in firsts)
        lasts.extend(s for s in surnames if s not in lasts)
    return tuple(firsts), tuple(lasts)


FIRST_NAMES, SURNAMES = _flatten(_ORIGINS)

# Per origin: list of (first name, gender) and cumulative ethnicity weights.
_ORIGIN_FIRSTS = [tuple((n, g) for g, names in o[2].items() for n in names) for o in _ORIGINS]
_ORIGIN_ETH = [(tuple(o[4]), list(accumulate(o[4].values()))) for o in _ORIGINS]


def _ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", text.lower())


# --------------------------------------------------------------------------- ages


# Weights by single year of age, 16–85: volunteering peaks among young adults
# (16–24, a priority group for the pilot) and again around retirement (55–75).
def _age_weight(age: int) -> float:
    if age <= 17:
        return 1.6
    if age <= 24:
        return 2.0
    if age <= 34:
        return 1.0
    if age <= 44:
        return 1.05
    if age <= 54:
        return 1.15
    if age <= 64:
        return 1.7
    if age <= 75:
        return 2.0
    return 2.0 - (age - 75) * 0.17


_AGES = tuple(range(16, 86))
_AGE_CUM = list(accumulate(_age_weight(a) for a in _AGES))


def random_age(rng: random.Random) -> int:
    """A volunteer's age, 16–85, with bumps at 16–24 and 55–75."""
    return _AGES[bisect(_AGE_CUM, rng.random() * _AGE_CUM[-1])]


def date_of_birth(rng: random.Random, age: int | None = None, *, as_of: date = REFERENCE_DATE) -> date:
    """A date of birth giving ``age`` (or a random volunteer age) on ``as_of``."""
    if age is None:
        age = random_age(rng)
    latest = as_of.replace(year=as_of.year - age) if not (as_of.month == 2 and as_of.day == 29) else date(as_of.year - age, 2, 28)
    return latest - timedelta(days=rng.randrange(365))


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


# --------------------------------------------------------------------------- contact details


def phone_number(rng: random.Random) -> str:
    """A mobile number in Ofcom's drama range, 07700 900000–900999."""
    return f"07700 900{rng.randrange(1000):03d}"


def email_address(rng: random.Random, first: str, last: str, serial: int | None = None) -> str:
    """An address at an example domain.  With ``serial`` the address is unique per serial."""
    f, l = _ascii_slug(first) or "volunteer", _ascii_slug(last) or "kent"
    style = rng.randrange(6)
    if style == 0:
        local = f"{f}.{l}"
    elif style == 1:
        local = f"{f}{l}"
    elif style == 2:
        local = f"{f[0]}.{l}"
    elif style == 3:
        local = f"{f}_{l}"
    elif style == 4:
        local = f"{l}.{f}"
    else:
        local = f"{f}.{l}{rng.randrange(1, 100)}"
    if serial is not None:
        local = f"{local}.{serial}" if style == 5 else f"{local}{serial}"
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


# --------------------------------------------------------------------------- people


def person(
    rng: random.Random,
    *,
    serial: int | None = None,
    district: str | None = None,
    age: int | None = None,
    as_of: date = REFERENCE_DATE,
    outside_share: float = 0.03,
) -> dict:
    """A made-up person living in Kent (or, rarely, just outside it).

    Returns ``first_name, last_name, full_name, gender, ethnicity, disability,
    date_of_birth, age, email, phone, postcode, latitude, longitude,
    district_gss, town``.  Pass distinct ``serial`` numbers to get distinct
    e-mail addresses.
    """
    o = bisect(_ORIGIN_CUM, rng.random() * _ORIGIN_CUM[-1])
    first, gender = rng.choice(_ORIGIN_FIRSTS[o])
    # a minority of people have a surname from another origin group
    o_last = o if rng.random() < 0.9 else bisect(_ORIGIN_CUM, rng.random() * _ORIGIN_CUM[-1])
    last = rng.choice(_ORIGINS[o_last][3])
    if gender == _U:
        gender = "woman" if rng.random() < 0.5 else "man"
    r = rng.random()
    if r < 0.012:
        gender = "non_binary"
    elif r < 0.035:
        gender = "prefer_not_to_say"
    names, cum = _ORIGIN_ETH[o]
    ethnicity = names[bisect(cum, rng.random() * cum[-1])]
    if age is None:
        age = random_age(rng)
    dob = date_of_birth(rng, age, as_of=as_of)
    d = rng.random()
    disability = "yes" if d < (0.12 + 0.25 * (age >= 65)) else ("prefer_not_to_say" if d > 0.96 else "no")
    where = place(rng, district, outside_share=outside_share if district is None else 0.0)
    return {
        "first_name": first,
        "last_name": last,
        "full_name": f"{first} {last}",
        "gender": gender,
        "ethnicity": ethnicity,
        "disability": disability,
        "date_of_birth": dob,
        "age": _age_on(dob, as_of),
        "email": email_address(rng, first, last, serial),
        "phone": phone_number(rng),
        **where,
    }


# --------------------------------------------------------------------------- time slots

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PARTS = ("Morning", "Afternoon", "Evening")
SLOT_IDS: tuple[str, ...] = tuple(d + p for d in _DAYS for p in _PARTS)
MORNING, AFTERNOON, EVENING = 0, 1, 2
WEEKDAYS, WEEKEND = (0, 1, 2, 3, 4), (5, 6)


def slot_bit(day: int, part: int) -> int:
    """Bit number of a slot: Monday morning is 0, Sunday evening 20."""
    return day * 3 + part


def slot_mask(days, parts) -> int:
    mask = 0
    for d in days:
        for p in parts:
            mask |= 1 << slot_bit(d, p)
    return mask


def mask_slots(mask: int) -> list[str]:
    """Slot ids (``MondayMorning`` …) in a mask."""
    return [SLOT_IDS[b] for b in range(21) if mask >> b & 1]


def _bits(days, parts) -> tuple[int, ...]:
    return tuple(slot_bit(d, p) for d in days for p in parts)


# Named slot sets used by role templates.
_SLOT_SETS: dict[str, tuple[int, ...]] = {
    "weekday-mornings": _bits(WEEKDAYS, (MORNING,)),
    "weekday-afternoons": _bits(WEEKDAYS, (AFTERNOON,)),
    "weekday-daytime": _bits(WEEKDAYS, (MORNING, AFTERNOON)),
    "weekday-evenings": _bits(WEEKDAYS, (EVENING,)),
    "weekend-mornings": _bits(WEEKEND, (MORNING,)),
    "weekend-daytime": _bits(WEEKEND, (MORNING, AFTERNOON)),
    "saturday-daytime": _bits((5,), (MORNING, AFTERNOON)),
    "saturday-morning": _bits((5,), (MORNING,)),
    "evenings": _bits(range(7), (EVENING,)),
    "daytime": _bits(range(7), (MORNING, AFTERNOON)),
    "any": tuple(range(21)),
}

# --------------------------------------------------------------------------- role templates


class RoleTemplate(NamedTuple):
    id: str
    title: str
    description: str
    commitment: str  # may contain {hours}
    hours: tuple[float, float]  # typical hours per week (regular) or for the occasion (one-off)
    one_off: bool
    slots: tuple[int, ...]  # candidate slot bits
    n_slots: tuple[int, int]
    modes: tuple[tuple[str, int], ...]  # (mode, weight)
    required_skills: tuple[str, ...]
    desired_skills: tuple[str, ...]
    causes: tuple[str, ...]  # empty: suits any organisation
    dbs: int  # 0 none, 1 basic, 2 standard, 3 enhanced
    min_age: int
    requirements: tuple[str, ...] = ()
    rewards: tuple[str, ...] = ()
    places: tuple[int, int] = (1, 3)
    activity: str = ""
    emergency: bool = False


_IP = (("in_person", 1),)
_REMOTE = (("remote", 1),)
_HYB = (("hybrid", 3), ("remote", 1), ("in_person", 1))


def _t(
    id,
    title,
    description,
    commitment,
    hours,
    one_off,
    slots,
    n_slots,
    modes,
    required,
    desired,
    causes,
    dbs,
    min_age,
    requirements=(),
    rewards=("Travel expenses",),
    places=(1, 3),
    activity="",
    emergency=False,
) -> RoleTemplate:
    bits: list[int] = []
    for name in slots if isinstance(slots, tuple) else (slots,):
        bits.extend(b for b in _SLOT_SETS[name] if b not in bits)
    return RoleTemplate(
        id,
        title,
        " ".join(description.split()),
        commitment,
        hours,
        one_off,
        tuple(sorted(bits)),
        n_slots,
        modes,
        tuple(required),
        tuple(desired),
        tuple(causes),
        dbs,
        min_age,
        tuple(requirements),
        tuple(rewards),
        places,
        activity or title,
        emergency,
    )


_REG = "Regular: about {hours} hours a week, for at least six months."
_REG3 = "Regular: about {hours} hours a week, for at least three months."
_FLEX = "Flexible: about {hours} hours a week, at times that suit you."
_ONE = "One-off: a single session of about {hours} hours."
_MONTHLY = "Monthly: one session of about {hours} hours each month."

ROLE_TEMPLATES: tuple[RoleTemplate, ...] = (
    # ---- charity retail -------------------------------------------------------------
    _t(
        "shop-assistant",
        "Charity Shop Assistant",
        """Help customers find a bargain and keep our high-street shop running smoothly. You
       will work on the till, tidy the rails and chat to regulars. Every sale funds our work in
       the local area. Full training is given and no experience is needed.""",
        _REG3,
        (3, 8),
        False,
        ("weekday-daytime", "saturday-daytime"),
        (2, 4),
        _IP,
        ["charity-retail"],
        ["customer-service"],
        [],
        0,
        16,
        [],
        ("Travel expenses", "Training provided", "Staff discount"),
    ),
    _t(
        "shop-sorter",
        "Donations Sorter and Pricer",
        """Work behind the scenes sorting the bags of donations that come into our shop. You will
       check items, steam clothes, research prices for anything unusual and get stock ready for the
       shop floor. It suits someone who likes to be busy and has an eye for quality.""",
        _REG3,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 3),
        _IP,
        ["charity-retail"],
        ["warehouse-logistics"],
        [],
        0,
        16,
    ),
    _t(
        "shop-window",
        "Shop Window Dresser",
        """Bring our shop window to life with seasonal displays that draw people in. You will
       choose stock, plan a theme and dress the window every few weeks. Creative flair matters more
       than experience. Your work makes a real difference to how much the shop takes.""",
        _FLEX,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["arts-crafts"],
        ["charity-retail"],
        [],
        0,
        16,
    ),
    _t(
        "online-seller",
        "Online Sales Volunteer",
        """Help us raise more from special donations by selling them online. You will photograph
       items, write short listings, answer buyers' questions and pack parcels for posting. You need
       to be comfortable with a computer; we will show you our selling accounts.""",
        _REG3,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 3),
        (("in_person", 3), ("hybrid", 1)),
        ["photography"],
        ["writing-editing", "charity-retail", "data-entry"],
        [],
        0,
        16,
    ),
    # ---- food and poverty ---------------------------------------------------------------
    _t(
        "foodbank-warehouse",
        "Foodbank Warehouse Volunteer",
        """Sort, date-check and pack donated food so that it is ready for families in crisis.
       You will weigh donations, stack shelves and make up parcels to our shopping lists. The work
       involves some lifting and standing. It is a friendly team and a great way to help people in
       your own town.""",
        _REG3,
        (2, 6),
        False,
        "weekday-daytime",
        (1, 3),
        _IP,
        ["warehouse-logistics"],
        ["data-entry"],
        ["AntiPoverty", "LowIncomeHouseholds"],
        0,
        16,
        [],
        ("Travel expenses", "Training provided"),
        (2, 6),
    ),
    _t(
        "foodbank-host",
        "Foodbank Centre Host",
        """Welcome people who come to our foodbank sessions and make sure they leave with the
       food and the help they need. You will offer a hot drink, a listening ear and a chat about
       other support such as debt advice or energy vouchers. Some people arrive at a very hard
       time, so warmth and discretion matter most.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["listening-support"],
        ["customer-service", "befriending"],
        ["AntiPoverty", "LowIncomeHouseholds"],
        1,
        18,
        ["ID Check"],
        ("Travel expenses", "Training provided"),
    ),
    _t(
        "foodbank-driver",
        "Foodbank Collection Driver",
        """Collect donations from supermarkets, schools and churches and bring them back to our
       warehouse. Occasionally you will deliver parcels to people who cannot get to a centre. You
       can use our van or your own car, with mileage paid. A clean driving licence is essential.""",
        _REG3,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["driving"],
        ["warehouse-logistics"],
        ["AntiPoverty"],
        1,
        21,
        ["Driving Licence", "ID Check"],
        ("Mileage paid",),
    ),
    _t(
        "community-larder",
        "Community Larder Volunteer",
        """Help run our community larder, where members pay a small weekly sum for a basket of
       good food that would otherwise go to waste. You will unload deliveries from supermarkets,
       set out the tables and help members choose. It is sociable work and tackles both food waste
       and the cost of living.""",
        _REG3,
        (2, 4),
        False,
        ("weekday-daytime", "saturday-morning"),
        (1, 2),
        _IP,
        ["customer-service"],
        ["warehouse-logistics", "catering"],
        ["AntiPoverty", "Environment", "LocalCommunity"],
        0,
        16,
    ),
    _t(
        "social-supermarket",
        "Social Supermarket Assistant",
        """Serve customers at our social supermarket, where people on low incomes buy food and
       household goods at a fraction of the usual price. You will stock shelves, work the till and
       help new members sign up. Experience of retail is welcome but not needed.""",
        _REG3,
        (3, 6),
        False,
        ("weekday-daytime", "saturday-daytime"),
        (1, 3),
        _IP,
        ["customer-service"],
        ["charity-retail", "warehouse-logistics"],
        ["AntiPoverty", "LowIncomeHouseholds"],
        0,
        16,
    ),
    _t(
        "baby-bank",
        "Baby Bank Volunteer",
        """Sort and check donated baby clothes, cots, prams and toys, then pack bundles for
       families referred by health visitors and social workers. You will make sure everything is
       clean, safe and complete. It is practical, cheerful work that makes a big difference to new
       parents on tight budgets.""",
        _REG3,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["warehouse-logistics"],
        ["customer-service", "cleaning"],
        ["Families", "LowIncomeHouseholds", "Parents"],
        0,
        16,
    ),
    _t(
        "community-meal-cook",
        "Community Meal Cook",
        """Cook a hot two-course meal for thirty to fifty guests at our weekly community meal.
       You will plan simple menus from donated food, lead a small kitchen team and keep the kitchen
       safe and clean. A food hygiene certificate is helpful and we can arrange the course.""",
        _REG,
        (3, 5),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 1),
        _IP,
        ["cooking"],
        ["catering", "cleaning"],
        ["AntiPoverty", "ReligionAndFaith", "LocalCommunity"],
        0,
        18,
        [],
        ("Travel expenses", "Meal provided"),
    ),
    # ---- older people, befriending, transport -------------------------------------------
    _t(
        "home-befriender",
        "Home Visiting Befriender",
        """Visit an older person who lives alone for an hour or two each week. You might share a
       cup of tea, play cards, look at old photographs or go for a short walk. For many of the
       people we support, you will be the visitor they look forward to all week. We match you with
       someone nearby with similar interests.""",
        _REG,
        (1, 3),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["befriending"],
        ["listening-support"],
        ["OlderPeople", "MentalHealth"],
        3,
        18,
        ["DBS Check", "ID Check"],
        ("Travel expenses", "Training provided"),
        (1, 5),
    ),
    _t(
        "telephone-befriender",
        "Telephone Befriender",
        """Make a friendly weekly phone call to an older or isolated person from your own home.
       Calls usually last thirty to forty minutes and are a chance to chat about the week, the
       news or shared interests. You will log each call briefly and tell us if you have any
       worries.""",
        _REG,
        (1, 2),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _REMOTE,
        ["befriending"],
        ["listening-support"],
        ["OlderPeople", "MentalHealth"],
        1,
        18,
        ["ID Check"],
        ("Training provided",),
        (2, 8),
    ),
    _t(
        "hospital-driver",
        "Volunteer Driver for Hospital Appointments",
        """Drive people who have no other way to get there to hospital, GP and dental
       appointments, using your own car. Trips are booked in advance and you choose which ones you
       can do. Mileage is paid at the HMRC rate. You need a clean licence, a roadworthy car and
       business-use insurance, which most insurers add free for volunteers.""",
        "Flexible: about {hours} hours a week, choosing the trips that suit you.",
        (2, 6),
        False,
        "weekday-daytime",
        (2, 5),
        _IP,
        ["driving"],
        ["befriending"],
        ["OlderPeople", "Health", "Disability"],
        3,
        21,
        ["Driving Licence", "DBS Check", "ID Check"],
        ("Mileage paid",),
        (2, 6),
    ),
    _t(
        "minibus-driver",
        "Community Minibus Driver",
        """Drive our accessible minibus taking older and disabled passengers to lunch clubs,
       shops and day trips. You will help passengers on and off safely and secure wheelchairs.
       We provide MiDAS minibus training. You will need a full licence held for at least two years;
       D1 entitlement is helpful but not essential.""",
        _REG,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 3),
        _IP,
        ["minibus-driving"],
        ["driving", "first-aid", "care-support"],
        ["OlderPeople", "Disability", "LocalCommunity"],
        3,
        25,
        ["Driving Licence", "DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "lunch-club",
        "Lunch Club Helper",
        """Help at our weekly lunch club for older people. You will set tables, serve a two-course
       meal, wash up and, best of all, sit and chat with the members. Many come for the company as
       much as the food. It is a lovely role for someone who enjoys people.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 1),
        _IP,
        ["catering"],
        ["befriending", "cooking"],
        ["OlderPeople", "LocalCommunity"],
        1,
        16,
        [],
        ("Travel expenses", "Meal provided"),
    ),
    _t(
        "dementia-cafe",
        "Dementia Café Volunteer",
        """Help run a relaxed monthly café for people living with dementia and the people who
       care for them. You will greet guests, serve refreshments and join in with music, quizzes and
       reminiscence. We provide Dementia Friends training. Patience and a sense of humour are the
       main things you need.""",
        _MONTHLY,
        (2, 3),
        False,
        "weekday-daytime",
        (1, 1),
        _IP,
        ["befriending"],
        ["catering", "music", "care-support"],
        ["OlderPeople", "Health", "Care"],
        3,
        16,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "digital-buddy",
        "Digital Buddy",
        """Help people get confident online, one to one, at our drop-in sessions. You might show
       someone how to video call their grandchildren, order a repeat prescription or spot a scam
       e-mail. You do not need to be an expert, just patient and clear. Sessions are held in
       libraries and community centres.""",
        _REG3,
        (2, 3),
        False,
        ("weekday-daytime", "saturday-morning"),
        (1, 2),
        _IP,
        ["digital-skills-help"],
        ["it-support", "teaching-tutoring"],
        ["OlderPeople", "LocalCommunity", "EducationAndLanguages"],
        1,
        16,
        [],
        ("Travel expenses", "Training provided"),
    ),
    _t(
        "handyperson",
        "Volunteer Handyperson",
        """Carry out small jobs in the homes of older and disabled people: fitting grab rails,
       changing light bulbs, putting up curtain poles or fixing a dripping tap. Small jobs like these
       help people stay safe and independent at home. We supply tools and materials. You need
       practical skills and to be comfortable visiting people at home.""",
        _FLEX,
        (3, 6),
        False,
        "weekday-daytime",
        (2, 4),
        _IP,
        ["diy"],
        ["driving"],
        ["OlderPeople", "Disability", "Housing"],
        3,
        18,
        ["DBS Check", "ID Check"],
        ("Mileage paid", "Training provided"),
    ),
    _t(
        "gardening-helper",
        "Garden Helper for Older People",
        """Help older people keep their gardens under control so they can carry on enjoying them.
       You will mow, weed, prune and tidy, usually in a small team. A tidy garden can be the
       difference between feeling at home and feeling overwhelmed. Tools are provided.""",
        _REG3,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["gardening"],
        ["diy"],
        ["OlderPeople", "Disability"],
        2,
        16,
        ["ID Check"],
        ("Travel expenses",),
    ),
    # ---- health and care ----------------------------------------------------------------
    _t(
        "hospice-ward",
        "Hospice Ward Volunteer",
        """Support patients and families on our inpatient unit by making drinks, arranging flowers,
       chatting with patients and helping visitors find their way. You will be part of the ward team
       and never asked to provide personal care. The role needs calm, kindness and good listening.
       Full training and support are given.""",
        _REG,
        (3, 4),
        False,
        ("daytime", "evenings"),
        (1, 1),
        _IP,
        ["listening-support"],
        ["befriending", "care-support"],
        ["Health", "Illness"],
        3,
        18,
        ["DBS Check", "ID Check"],
        ("Training provided", "Meal provided"),
    ),
    _t(
        "hospital-welcome",
        "Hospital Welcome Guide",
        """Meet patients and visitors at the main entrance and help them find the right clinic or
       ward. You will push wheelchairs where needed and answer questions. A friendly face makes a
       daunting visit much easier. You will need to be on your feet for most of the shift.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["customer-service"],
        ["reception"],
        ["Health"],
        2,
        16,
        ["DBS Check"],
        ("Training provided", "Meal provided"),
        (2, 6),
    ),
    _t(
        "cancer-support",
        "Cancer Support Centre Volunteer",
        """Welcome people affected by cancer to our drop-in centre and help them find the
       information and support they need. You will staff the reception, make drinks and be a
       listening ear. Some volunteers have been through cancer themselves, but that is not
       required.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["listening-support"],
        ["reception", "customer-service"],
        ["Illness", "Health"],
        1,
        18,
        ["ID Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "carers-group",
        "Carers' Support Group Helper",
        """Help run a monthly group where unpaid carers can take a break, share experiences and
       hear from guest speakers. You will set up the room, welcome people and sometimes help with
       activities for the people they care for. It is a chance to give carers a little time for
       themselves.""",
        _MONTHLY,
        (2, 3),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 1),
        _IP,
        ["listening-support"],
        ["befriending", "event-planning"],
        ["Care", "Families"],
        2,
        18,
    ),
    _t(
        "first-aider",
        "Event First Aider",
        """Provide first aid cover at a community event, working with our event team. You will
       treat minor injuries, keep a record of incidents and call for help where needed. You must
       hold a current first aid certificate, such as First Aid at Work or Emergency First Aid at
       Work.""",
        _ONE,
        (4, 8),
        True,
        ("weekend-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["first-aid"],
        ["customer-service"],
        ["Health", "SportAndOutdoorActivities", "LocalCommunity"],
        0,
        18,
        ["First aid certificate"],
        ("Meal provided", "Travel expenses"),
    ),
    _t(
        "health-walk-leader",
        "Health Walk Leader",
        """Lead a gentle weekly walk of about an hour for people who want to get more active. You
       will check the route, welcome walkers and keep the group together at a pace that suits
       everyone. We provide walk leader training. Many walkers say the chat is the best part.""",
        _REG,
        (2, 3),
        False,
        ("weekday-mornings", "weekend-mornings"),
        (1, 1),
        _IP,
        ["sports-coaching"],
        ["first-aid", "befriending"],
        ["Health", "OlderPeople", "SportAndOutdoorActivities"],
        0,
        18,
        [],
        ("Training provided",),
    ),
    _t(
        "day-service-activities",
        "Day Service Activities Volunteer",
        """Join our day service for adults with learning disabilities and help run activities such
       as cooking, crafts, gardening and music. You will support members to take part and try new
       things. Our staff lead each session, so you can focus on making it fun.""",
        _REG,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 3),
        _IP,
        ["arts-crafts"],
        ["care-support", "music", "cooking"],
        ["LearningDisabilities", "Disability"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Meal provided"),
    ),
    _t(
        "sighted-guide",
        "Sighted Guide Volunteer",
        """Help a blind or partially sighted person get out and about, whether that is a trip to
       the shops, a walk in the park or an appointment. We will train you in sighted guiding
       techniques. You will be matched with someone near you at times that suit you both.""",
        _REG,
        (2, 3),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["befriending"],
        ["care-support"],
        ["SensoryImpairment", "Disability"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "bsl-support",
        "BSL Communication Support Volunteer",
        """Support Deaf people who use British Sign Language at our social groups and drop-in
       advice sessions. You will help with everyday communication and make sure Deaf members are
       fully included. You need to be at least BSL Level 2 or working towards it.""",
        _REG3,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["british-sign-language"],
        ["listening-support"],
        ["SensoryImpairment", "Disability"],
        2,
        18,
    ),
    # ---- mental health, listening, advice ----------------------------------------------
    _t(
        "listening-volunteer",
        "Listening Volunteer",
        """Give emotional support to people who call our listening line when they are struggling.
       You will listen without judging and help callers think through their feelings and options.
       Shifts include evenings and weekends. Our training course runs over eight weeks and you will
       have a mentor when you start.""",
        _REG,
        (3, 4),
        False,
        ("evenings", "weekend-daytime"),
        (1, 2),
        (("in_person", 2), ("remote", 1)),
        ["listening-support"],
        ["counselling"],
        ["MentalHealth"],
        1,
        18,
        ["ID Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "peer-support",
        "Mental Health Peer Support Volunteer",
        """Use your own lived experience of mental ill health to support others in our peer groups.
       You will co-facilitate sessions, share what has helped you and encourage people to find their
       own way forward. We provide training and regular supervision.""",
        _REG,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["listening-support"],
        ["mentoring", "coaching"],
        ["MentalHealth"],
        2,
        18,
        [],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "counsellor",
        "Volunteer Counsellor",
        """Offer weekly counselling sessions to clients on a low income as part of our
       low-cost counselling service. You will work to the BACP ethical framework with monthly
       clinical supervision provided. The role suits qualified counsellors and trainees on an
       accredited diploma course who need placement hours.""",
        "Regular: {hours} client hours a week, for at least a year.",
        (2, 5),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (2, 3),
        (("in_person", 2), ("hybrid", 1)),
        ["counselling"],
        ["listening-support"],
        ["MentalHealth", "Care"],
        3,
        21,
        ["DBS Check", "Counselling qualification or diploma placement"],
        ("Supervision provided", "Travel expenses"),
    ),
    _t(
        "advice-volunteer",
        "Advice Volunteer (Benefits, Debt and Housing)",
        """Help people sort out problems with benefits, debt, housing and work. You will find out
       what is going on, research the options and help clients decide what to do next. Our training
       programme takes about three months. It suits people who are organised, curious and good with
       people.""",
        _REG,
        (6, 10),
        False,
        "weekday-daytime",
        (2, 4),
        (("in_person", 2), ("hybrid", 2)),
        ["advocacy"],
        ["research", "customer-service", "legal-advice"],
        ["AntiPoverty", "Housing", "CivilRights"],
        1,
        18,
        ["ID Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "legal-clinic",
        "Legal Advice Clinic Volunteer",
        """Give free initial legal advice at our evening clinic on housing, employment and family
       matters. Sessions are twenty minutes with each client and are supervised by a practising
       solicitor. You need to be a qualified solicitor, barrister or chartered legal executive, or
       a law student supervised by one.""",
        _MONTHLY,
        (3, 3),
        False,
        "weekday-evenings",
        (1, 1),
        (("in_person", 2), ("remote", 1)),
        ["legal-advice"],
        ["advocacy"],
        ["CivilRights", "Housing", "AntiPoverty"],
        0,
        18,
        ["Professional qualification"],
        ("Travel expenses",),
    ),
    _t(
        "advocate",
        "Independent Advocacy Volunteer",
        """Support a person with a learning disability or autism to have their say about the
       decisions that affect their life, such as where they live or the care they receive. You will
       listen, help them express their wishes and go with them to meetings. We provide accredited
       advocacy training.""",
        _REG,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["advocacy"],
        ["listening-support"],
        ["LearningDisabilities", "Disability", "CivilRights"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "victim-support",
        "Victim Support Volunteer",
        """Offer practical and emotional support to people affected by crime, by phone or face to
       face. You will help people understand what happens next, put them in touch with other
       services and be there to listen. Full training is given and you will never work alone with
       complex cases.""",
        _REG,
        (3, 5),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 3),
        (("hybrid", 2), ("remote", 1)),
        ["listening-support"],
        ["advocacy"],
        ["VictimsOfCrime", "CrimeSafety"],
        3,
        18,
        ["DBS Check", "ID Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "recovery-mentor",
        "Recovery Peer Mentor",
        """Support people in recovery from drug or alcohol problems, drawing on your own experience
       of recovery. You will meet mentees, go with them to appointments and groups, and help them
       build a life in recovery. We ask that you have been in stable recovery for at least a year.""",
        _REG,
        (3, 5),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 3),
        _IP,
        ["mentoring"],
        ["listening-support"],
        ["SubstanceAbuse", "MentalHealth"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "through-gate-mentor",
        "Through-the-Gate Mentor",
        """Mentor someone leaving prison as they settle back into the community. You will meet
       weekly, help with things like finding somewhere to live, registering with a GP and looking
       for work, and be a steady, positive presence. A criminal record does not rule you out.""",
        _REG,
        (2, 3),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["mentoring"],
        ["listening-support", "advocacy"],
        ["OffendersAndExOffenders", "CrimeAndExOffenders"],
        3,
        21,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    # ---- children, young people, education ---------------------------------------------
    _t(
        "homework-club",
        "Homework Club Tutor",
        """Help secondary school pupils with their homework after school, especially maths,
       English and science. You will work with small groups, explain ideas in different ways and
       encourage pupils who find school hard. You do not need to be a teacher, just confident with
       the subjects.""",
        _REG3,
        (2, 3),
        False,
        "weekday-afternoons",
        (1, 2),
        _IP,
        ["teaching-tutoring"],
        ["mentoring", "youth-work"],
        ["YouthAndChildren", "EducationAndLanguages"],
        3,
        18,
        ["DBS Check"],
        ("Travel expenses", "Training provided"),
    ),
    _t(
        "reading-helper",
        "School Reading Volunteer",
        """Listen to primary school children read and help them grow to love books. You will visit
       the same school each week and work one to one with three children for half an hour each.
       Reading with an adult who is not a teacher or parent can transform a child's confidence.""",
        "Regular: about {hours} hours a week in term time, for at least a school year.",
        (1, 2),
        False,
        "weekday-daytime",
        (1, 1),
        _IP,
        ["teaching-tutoring"],
        ["befriending"],
        ["LiteracyNeeds", "YouthAndChildren", "EducationAndLanguages"],
        3,
        18,
        ["DBS Check"],
        ("Training provided",),
    ),
    _t(
        "esol-conversation",
        "English Conversation Club Volunteer",
        """Help adults who are learning English to practise speaking in a relaxed setting. You will
       lead small-group conversations on everyday topics such as shopping, health and work. Speaking
       another language is welcome but not needed. Many of our learners are new to Kent and this
       is where they make their first friends.""",
        _REG3,
        (2, 2),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 1),
        _IP,
        ["teaching-tutoring"],
        ["translation", "befriending"],
        ["RefugeesAsylumSeekers", "EducationAndLanguages", "EthnicMinorities"],
        1,
        18,
        [],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "youth-club",
        "Youth Club Volunteer",
        """Help run our youth club for 11 to 18 year olds. You will join in with games, sport, arts
       and cooking, and be someone young people can talk to. Our youth workers lead each session and
       will support you. Energy, reliability and a sense of fun matter more than experience.""",
        _REG,
        (2, 3),
        False,
        "weekday-evenings",
        (1, 2),
        _IP,
        ["youth-work"],
        ["sports-coaching", "arts-crafts", "music"],
        ["YouthAndChildren"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
        (1, 4),
    ),
    _t(
        "youth-mentor",
        "Youth Mentor",
        """Mentor a young person aged 14 to 19 who is finding things hard at school or at home.
       You will meet once a week for about an hour, set goals together and help them believe in
       themselves. We provide training and regular support sessions for mentors.""",
        _REG,
        (1, 2),
        False,
        ("weekday-afternoons", "weekday-evenings"),
        (1, 1),
        _IP,
        ["mentoring"],
        ["youth-work", "coaching"],
        ["YouthAndChildren", "EducationAndLanguages"],
        3,
        21,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "care-leavers-mentor",
        "Care Leavers' Mentor",
        """Be a trusted adult for a young person leaving care. You will help with the practical
       side of independent life, such as budgeting, cooking and applying for college or work, and
       be there when things get tough. We ask for a commitment of at least a year.""",
        "Regular: about {hours} hours a week, for at least a year.",
        (1, 3),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 2),
        _IP,
        ["mentoring"],
        ["youth-work", "finance-bookkeeping"],
        ["InCare", "YouthAndChildren"],
        3,
        21,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "football-coach",
        "Junior Football Coach",
        """Coach one of our junior football teams at Saturday matches and a midweek training
       session. We will pay for your FA Introduction to Coaching Football course and safeguarding
       training. Above all we want children to enjoy their football, whatever their ability.""",
        _REG,
        (3, 4),
        False,
        ("weekday-evenings", "weekend-mornings"),
        (2, 2),
        _IP,
        ["sports-coaching"],
        ["coaching", "first-aid", "youth-work"],
        ["SportAndOutdoorActivities", "YouthAndChildren"],
        3,
        18,
        ["DBS Check"],
        ("Training provided",),
    ),
    _t(
        "inclusive-sports",
        "Inclusive Sports Session Helper",
        """Help disabled children and adults take part in sport at our inclusive sessions, from
       boccia and table cricket to adapted cycling. You will set out equipment, support players and
       keep everyone involved. No sporting background is needed.""",
        _REG3,
        (2, 3),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 1),
        _IP,
        ["sports-coaching"],
        ["care-support", "first-aid"],
        ["Disability", "PhysicalDisability", "SportAndOutdoorActivities"],
        3,
        16,
        ["DBS Check"],
        ("Training provided",),
    ),
    _t(
        "run-marshal",
        "Weekend Run Marshal",
        """Marshal our free weekly 5k run in the park. You will stand at a key point on the
       course, cheer runners on and make sure everyone stays safe. It takes about two hours on a
       Saturday morning and you can sign up for as many or as few weeks as you like.""",
        "Flexible: about {hours} hours on the weeks you choose.",
        (1, 2),
        False,
        "saturday-morning",
        (1, 1),
        _IP,
        ["customer-service"],
        ["first-aid", "sports-coaching"],
        ["SportAndOutdoorActivities", "Health", "LocalCommunity"],
        0,
        16,
        [],
        (),
        (2, 8),
    ),
    _t(
        "lgbt-youth",
        "LGBT+ Youth Group Volunteer",
        """Help run a safe, welcoming evening group for LGBT+ young people aged 13 to 19. You will
       support activities, listen and help young people feel they belong. Our youth workers lead each
       session. Lived experience as an LGBT+ person is welcome.""",
        _REG,
        (2, 3),
        False,
        "weekday-evenings",
        (1, 1),
        _IP,
        ["youth-work"],
        ["listening-support", "arts-crafts"],
        ["Lgbt", "GenderSexuality", "YouthAndChildren"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "family-support",
        "Family Support Volunteer",
        """Visit a family with young children in their home each week and offer friendly,
       practical support. You might help a parent get out to a toddler group, cope with twins or
       simply have a break and a chat. Many of our volunteers are parents themselves.""",
        _REG,
        (2, 3),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["befriending"],
        ["listening-support", "youth-work"],
        ["Families", "Parents", "LoneParents"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "toy-appeal",
        "Christmas Toy Appeal Sorter",
        """Help sort thousands of donated toys and gifts into bundles for children in local
       families who are struggling at Christmas. You will check, label and pack presents with a
       cheerful team. It is a one-off session in the run-up to Christmas.""",
        _ONE,
        (3, 5),
        True,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["warehouse-logistics"],
        ["customer-service"],
        ["Families", "YouthAndChildren", "LowIncomeHouseholds"],
        0,
        16,
        [],
        ("Refreshments",),
        (3, 15),
    ),
    # ---- environment, animals ---------------------------------------------------------
    _t(
        "community-gardener",
        "Community Garden Volunteer",
        """Help grow fruit and vegetables in our community garden and share the harvest. You will
       sow, weed, water and build raised beds alongside local people of all ages. It is good
       exercise, good company and good for your wellbeing. No gardening experience is needed.""",
        _REG3,
        (2, 4),
        False,
        ("weekday-daytime", "weekend-mornings"),
        (1, 2),
        _IP,
        ["gardening"],
        ["conservation", "diy"],
        ["Environment", "LocalCommunity", "MentalHealth"],
        0,
        16,
        [],
        ("Refreshments",),
        (2, 8),
    ),
    _t(
        "conservation-volunteer",
        "Practical Conservation Volunteer",
        """Join our weekly work party looking after woods, meadows and wetlands. Tasks change with
       the seasons: coppicing and hedge laying in winter, path repairs and clearing invasive plants in
       summer. All tools, gloves and training are provided. You should be happy working outdoors in
       all weathers.""",
        _REG3,
        (4, 6),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["conservation"],
        ["gardening", "diy"],
        ["Environment", "Heritage"],
        0,
        16,
        [],
        ("Training provided", "Travel expenses"),
        (2, 10),
    ),
    _t(
        "beach-clean",
        "Beach Clean Volunteer",
        """Join a community beach clean and help keep the Kent coast free of litter and plastic.
       We provide litter pickers, bags and gloves and a short safety briefing. Families are welcome,
       with under-16s joining a parent or carer. Everything collected is counted for a national
       survey.""",
        _ONE,
        (2, 3),
        True,
        "weekend-mornings",
        (1, 1),
        _IP,
        ["conservation"],
        [],
        ["Environment", "LocalCommunity"],
        0,
        16,
        [],
        ("Refreshments",),
        (5, 30),
    ),
    _t(
        "litter-pick-organiser",
        "Community Litter Pick Organiser",
        """Organise a monthly litter pick in your neighbourhood. You will choose the route, promote
       the event locally, borrow kit from the council and lead the group on the day. It is a
       simple way to bring neighbours together and make streets you can be proud of.""",
        _MONTHLY,
        (3, 4),
        False,
        "weekend-mornings",
        (1, 1),
        _IP,
        ["event-planning"],
        ["marketing-social-media", "conservation"],
        ["Environment", "ResidentsOfDisadvantagedNeighbourhoods", "LocalCommunity"],
        0,
        18,
    ),
    _t(
        "tree-planting",
        "Tree Planting Day Volunteer",
        """Help plant hundreds of native trees and hedgerow whips in a single winter day. We will
       show you how to plant and protect young trees, and provide tools and a hot drink. You should
       be able to dig and kneel for several hours.""",
        _ONE,
        (4, 6),
        True,
        ("weekend-daytime",),
        (1, 2),
        _IP,
        ["conservation"],
        ["gardening"],
        ["Environment"],
        0,
        16,
        [],
        ("Refreshments",),
        (5, 25),
    ),
    _t(
        "repair-cafe",
        "Repair Café Fixer",
        """Help people mend broken household items at our monthly repair café instead of throwing
       them away. You might fix a lamp, sew on a button, sharpen knives or sort out a slow laptop,
       while showing the owner how it is done. Bring your own tools if you have them.""",
        _MONTHLY,
        (3, 4),
        False,
        "saturday-daytime",
        (1, 1),
        _IP,
        ["diy"],
        ["it-support", "arts-crafts"],
        ["Environment", "LocalCommunity"],
        0,
        16,
        [],
        ("Refreshments",),
    ),
    _t(
        "furniture-reuse",
        "Furniture Reuse Warehouse Volunteer",
        """Help us collect, check and sell donated furniture and appliances at low prices to
       people setting up home. You will help in the warehouse, join the van crew on collections or
       do small repairs. The work is physical and very rewarding.""",
        _REG3,
        (4, 7),
        False,
        "weekday-daytime",
        (1, 3),
        _IP,
        ["warehouse-logistics"],
        ["diy", "driving", "customer-service"],
        ["Environment", "AntiPoverty", "Housing"],
        0,
        18,
        [],
        ("Travel expenses", "Training provided"),
    ),
    _t(
        "dog-walker",
        "Rescue Dog Walker",
        """Walk the dogs in our rescue kennels while they wait for new homes. Regular walks keep
       them healthy, calm and ready to meet adopters. We will match you with dogs that suit your
       experience and give you a kennel induction.""",
        _REG3,
        (2, 3),
        False,
        ("daytime",),
        (1, 3),
        _IP,
        ["dog-walking"],
        ["animal-care"],
        ["AnimalWelfare"],
        0,
        16,
        [],
        ("Training provided",),
        (2, 8),
    ),
    _t(
        "animal-care",
        "Animal Care Assistant",
        """Care for the cats, dogs and small animals at our rescue centre. You will clean and refill
       pens, prepare feeds, socialise nervous animals and help keep records. The work can be messy,
       but it is never dull.""",
        _REG3,
        (3, 5),
        False,
        "daytime",
        (1, 2),
        _IP,
        ["animal-care"],
        ["cleaning", "dog-walking"],
        ["AnimalWelfare"],
        0,
        16,
        [],
        ("Training provided",),
    ),
    _t(
        "cat-fosterer",
        "Foster Carer for Cats",
        """Look after a rescue cat or a mother and kittens in your home until they are ready for
       adoption. We cover all food, litter and vet bills and are on hand for advice. You need a
       quiet spare room and to be at home for much of the day.""",
        "Flexible: about {hours} hours a week at home, for a few weeks at a time.",
        (5, 10),
        False,
        "any",
        (8, 14),
        _IP,
        ["animal-care"],
        [],
        ["AnimalWelfare"],
        0,
        21,
        ["ID Check", "Home visit"],
        ("Expenses covered",),
    ),
    # ---- heritage and arts ------------------------------------------------------------
    _t(
        "museum-steward",
        "Museum Welcome Volunteer",
        """Welcome visitors to our museum, help them make the most of their visit and keep an eye
       on the collection. You will answer questions, hand out trails to families and sometimes help
       in the shop. An interest in local history helps, and we will teach you the rest.""",
        _REG3,
        (3, 4),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["customer-service"],
        ["reception", "research"],
        ["Heritage", "ArtsAndCulture"],
        0,
        16,
        [],
        ("Training provided", "Free entry"),
    ),
    _t(
        "heritage-guide",
        "Heritage Tour Guide",
        """Lead guided walks and tours telling the story of our town and its people. You will
       research and learn a tour, then bring it to life for groups of visitors and school parties.
       Confidence speaking to groups is important; we will help you with the history.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["customer-service"],
        ["research", "writing-editing"],
        ["Heritage", "ArtsAndCulture"],
        0,
        18,
        [],
        ("Training provided",),
    ),
    _t(
        "archive-volunteer",
        "Archive Cataloguing Volunteer",
        """Help catalogue and digitise our collection of photographs, maps and documents so that
       more people can explore them. You will handle items carefully, scan them and enter
       descriptions into our database. Accuracy and patience are key.""",
        _REG3,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 2),
        (("in_person", 3), ("hybrid", 1)),
        ["research"],
        ["data-entry", "photography"],
        ["Heritage"],
        0,
        16,
        [],
        ("Training provided",),
    ),
    _t(
        "music-workshop",
        "Community Music Workshop Assistant",
        """Support our music leaders at workshops where young people write, record and perform
       their own music. You will help set up equipment, support participants and encourage
       everyone to have a go. You should play an instrument, sing or produce music yourself.""",
        _REG3,
        (2, 3),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 1),
        _IP,
        ["music"],
        ["youth-work"],
        ["ArtsAndCulture", "YouthAndChildren"],
        3,
        18,
        ["DBS Check"],
        ("Training provided",),
    ),
    _t(
        "craft-group",
        "Craft Group Facilitator",
        """Run a friendly weekly craft group where people try knitting, card making, painting and
       more. You will plan simple projects, gather materials and help everyone join in. The group is
       as much about conversation and company as making things.""",
        _REG3,
        (2, 3),
        False,
        "weekday-daytime",
        (1, 1),
        _IP,
        ["arts-crafts"],
        ["befriending"],
        ["ArtsAndCulture", "OlderPeople", "MentalHealth"],
        1,
        18,
    ),
    _t(
        "front-of-house",
        "Theatre Front of House Volunteer",
        """Welcome audiences to our community theatre, check tickets, show people to their seats
       and serve in the bar at the interval. You will see the shows for free and be part of a
       lively team. Shifts are mostly evenings and weekend matinées.""",
        "Flexible: about {hours} hours a week, choosing the performances you want to work.",
        (3, 4),
        False,
        ("evenings", "weekend-daytime"),
        (1, 3),
        _IP,
        ["customer-service"],
        ["catering"],
        ["ArtsAndCulture"],
        0,
        16,
        [],
        ("Free tickets",),
        (2, 8),
    ),
    # ---- community, refugees, safety -------------------------------------------------
    _t(
        "refugee-welcome",
        "Refugee Welcome Volunteer",
        """Help refugee families settle into life in Kent. You might show a family around town,
       help with school forms or GP registration, or simply share a cup of tea and practise English.
       Speaking Arabic, Dari, Pashto, Ukrainian or Kurdish is a real bonus.""",
        _REG,
        (2, 3),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["befriending"],
        ["translation", "teaching-tutoring"],
        ["RefugeesAsylumSeekers", "EthnicMinorities"],
        2,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "community-interpreter",
        "Community Interpreter",
        """Interpret for people who do not yet speak English well at appointments with schools,
       housing officers and advice services. You must be fluent in English and at least one other
       language. We provide training on interpreting ethics and confidentiality.""",
        _FLEX,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 3),
        (("in_person", 2), ("remote", 1)),
        ["translation"],
        ["advocacy"],
        ["RefugeesAsylumSeekers", "EthnicMinorities"],
        2,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "elders-link",
        "Community Link Volunteer for Asian Elders",
        """Help older people from South Asian communities find out about and use local services,
       from GP appointments to lunch clubs. You will visit, phone and go along to appointments,
       interpreting where needed. Speaking Punjabi, Hindi, Urdu, Nepali or Gujarati is essential.""",
        _REG,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["translation"],
        ["befriending", "advocacy"],
        ["EthnicMinorities", "OlderPeople"],
        3,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "night-shelter",
        "Night Shelter Volunteer",
        """Help run our winter night shelter for people sleeping rough. Evening volunteers cook
       and serve supper and chat with guests; overnight volunteers keep the shelter safe; morning
       volunteers serve breakfast and tidy up. You will always work with an experienced team
       leader.""",
        "Regular in winter: about {hours} hours a week from December to March.",
        (4, 6),
        False,
        ("evenings", "weekday-mornings"),
        (1, 2),
        _IP,
        ["catering"],
        ["listening-support", "cleaning"],
        ["Housing"],
        1,
        18,
        ["ID Check"],
        ("Training provided", "Meal provided"),
        (2, 8),
    ),
    _t(
        "outreach",
        "Homelessness Outreach Volunteer",
        """Go out with our outreach team in the early evening to meet people sleeping rough. You
       will offer food, warm clothing and information about services, and above all treat people
       with respect. Our team then follows up on what people need.""",
        _REG,
        (2, 3),
        False,
        "evenings",
        (1, 1),
        _IP,
        ["listening-support"],
        ["first-aid", "catering"],
        ["Housing", "SubstanceAbuse", "MentalHealth"],
        2,
        21,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "community-cafe",
        "Community Café Volunteer",
        """Serve coffee, cake and conversation in our community café, a place where everyone is
       welcome whether or not they can pay. You will take orders, make drinks and keep the café
       clean and welcoming. It is ideal if you want to gain experience or meet new people.""",
        _REG3,
        (3, 4),
        False,
        ("weekday-daytime", "saturday-daytime"),
        (1, 2),
        _IP,
        ["catering"],
        ["customer-service", "cooking"],
        ["LocalCommunity", "MentalHealth"],
        0,
        16,
        [],
        ("Training provided", "Meal provided"),
    ),
    _t(
        "community-centre-helper",
        "Community Centre Caretaker Helper",
        """Help look after our community centre so that it stays a welcoming place for the
       playgroups, clubs and classes that use it. You will set out rooms, do small repairs, keep the
       kitchen clean and lock up. Practical, reliable people are ideal.""",
        _REG3,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["cleaning"],
        ["diy"],
        ["LocalCommunity", "Community"],
        0,
        18,
    ),
    _t(
        "mens-shed",
        "Men's Shed Workshop Volunteer",
        """Help run our Men's Shed, a workshop where men come together to make and mend things,
       share skills and look out for each other. You will supervise the use of tools, support new
       members and help with projects for the community. Woodworking skills are a big plus.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["diy"],
        ["befriending", "listening-support"],
        ["MensGroups", "MentalHealth", "OlderPeople"],
        0,
        18,
        [],
        ("Refreshments",),
    ),
    _t(
        "womens-centre",
        "Women's Centre Drop-in Volunteer",
        """Welcome women to our drop-in and help them find support with anything from money
       worries to domestic abuse. You will run the reception, make referrals to our caseworkers
       and offer a friendly, confidential space. This role is open to women only.""",
        _REG,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["reception"],
        ["listening-support", "customer-service"],
        ["WomensGroups", "VictimsOfCrime"],
        2,
        18,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "speedwatch",
        "Community Speedwatch Volunteer",
        """Join your local Speedwatch team to record vehicles speeding through the village,
       working with Kent Police. You will take turns using the speed detection device and noting
       details in sessions of about an hour. Drivers caught receive a warning letter.""",
        _FLEX,
        (1, 2),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 3),
        _IP,
        ["research"],
        ["data-entry"],
        ["CrimeSafety", "LocalCommunity"],
        0,
        18,
        ["ID Check"],
        ("Training provided",),
        (3, 8),
    ),
    _t(
        "flood-warden",
        "Community Flood Warden",
        """Be part of your community's emergency plan for flooding and storms. You will keep an
       eye on local watercourses, pass on warnings, check on vulnerable neighbours and help run a
       rest centre if people need to leave their homes. Training is given by the local
       authority.""",
        "On call: occasional training plus call-outs in an emergency, about {hours} hours a month.",
        (1, 3),
        False,
        "any",
        (6, 21),
        _IP,
        ["first-aid"],
        ["driving", "listening-support"],
        ["DevelopmentAndEmergencyRelief", "LocalCommunity", "LocalAuthority"],
        1,
        18,
        ["ID Check"],
        ("Training provided",),
        (2, 6),
        emergency=True,
    ),
    _t(
        "aid-packing",
        "Aid Warehouse Packing Volunteer",
        """Sort and pack donated clothes, tools and medical supplies bound for communities affected
       by war and disaster overseas. You will check items against our lists, pack them to shipping
       standards and help load lorries. Team leaders will show you everything on the day.""",
        _ONE,
        (3, 5),
        True,
        ("weekday-daytime", "saturday-daytime"),
        (1, 2),
        _IP,
        ["warehouse-logistics"],
        ["driving"],
        ["OverseasAidDevelopingWorld", "DevelopmentAndEmergencyRelief"],
        0,
        16,
        [],
        ("Refreshments",),
        (4, 20),
    ),
    _t(
        "library-volunteer",
        "Library Volunteer",
        """Help at our community library by issuing books, shelving, helping visitors use the
       computers and supporting children's activities. In the summer holidays you can help run the
       reading challenge for local children. It is a friendly role for anyone who loves books and
       people.""",
        _REG3,
        (2, 4),
        False,
        ("weekday-daytime", "saturday-morning"),
        (1, 2),
        _IP,
        ["customer-service"],
        ["digital-skills-help", "reception"],
        ["LiteracyNeeds", "GeneralPublic", "LocalCommunity"],
        1,
        16,
    ),
    _t(
        "equality-forum",
        "Equality Forum Campaign Volunteer",
        """Help our forum speak up for fair treatment for people from minority communities in
       Kent. You will gather people's experiences, help organise public meetings and respond to
       consultations. Good writing and a passion for equality matter most.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-evenings", "weekday-daytime"),
        (1, 2),
        _HYB,
        ["campaigning"],
        ["writing-editing", "research", "advocacy"],
        ["CivilRights", "EthnicMinorities"],
        0,
        18,
    ),
    _t(
        "local-campaigner",
        "Local Campaigns Volunteer",
        """Help us win changes that matter locally, from safer crossings to cleaner rivers. You
       will help with petitions and stalls, talk to residents and local councillors and spread the
       word online. We will train you in effective, respectful campaigning.""",
        _FLEX,
        (2, 3),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 2),
        _HYB,
        ["campaigning"],
        ["marketing-social-media", "writing-editing"],
        ["Environment", "LocalCommunity", "CivilRights"],
        0,
        16,
    ),
    _t(
        "job-club-mentor",
        "Job Club Mentor",
        """Help job seekers at our weekly job club to write a CV, search and apply for jobs online
       and prepare for interviews. You will work one to one with people of all ages, some of whom
       have been out of work for a long time. Experience of recruiting or managing staff is very
       useful.""",
        _REG3,
        (2, 3),
        False,
        "weekday-daytime",
        (1, 1),
        _IP,
        ["mentoring"],
        ["hr-recruitment", "digital-skills-help", "coaching"],
        ["Unemployment"],
        1,
        18,
        [],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "cv-coach",
        "CV and Interview Coach",
        """Run mock interviews and give feedback on CVs for people returning to work after a gap,
       including parents, carers and people leaving the armed forces. Sessions can be face to face
       or by video call. You should have experience of recruitment or HR.""",
        _FLEX,
        (1, 3),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 3),
        _HYB,
        ["hr-recruitment"],
        ["coaching", "mentoring"],
        ["Unemployment", "Parents"],
        0,
        21,
    ),
    # ---- generic back-office and governance (any organisation) ------------------------
    _t(
        "trustee",
        "Trustee",
        """Join our board of trustees and help set the direction of the charity. Trustees meet
       about six times a year, make sure we stay true to our purpose, spend money wisely and keep
       people safe. We particularly welcome people who reflect the communities we serve, including
       younger trustees.""",
        "Regular: about {hours} hours a month, for a three-year term.",
        (2, 4),
        False,
        "weekday-evenings",
        (1, 1),
        _HYB,
        ["trustee-governance"],
        ["finance-bookkeeping", "legal-advice", "hr-recruitment", "marketing-social-media"],
        [],
        1,
        18,
        ["ID Check", "Trustee eligibility declaration"],
        ("Travel expenses", "Training provided"),
        (1, 2),
        activity="Governance",
    ),
    _t(
        "treasurer",
        "Treasurer (Trustee)",
        """Look after our finances as treasurer and a member of the board. You will oversee the
       budget, review monthly accounts, present reports to trustees and work with our independent
       examiner at year end. A background in finance or bookkeeping is needed.""",
        "Regular: about {hours} hours a month, for a three-year term.",
        (3, 5),
        False,
        "weekday-evenings",
        (1, 1),
        _HYB,
        ["finance-bookkeeping", "trustee-governance"],
        ["admin"],
        [],
        1,
        18,
        ["ID Check", "Trustee eligibility declaration"],
        ("Travel expenses",),
        (1, 1),
        activity="Governance",
    ),
    _t(
        "bookkeeper",
        "Volunteer Bookkeeper",
        """Keep our books in order: record income and spending, reconcile the bank account and
       prepare simple monthly reports for the treasurer. We use cloud accounting software, so much
       of this can be done from home. Experience of bookkeeping is essential.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 3),
        _HYB,
        ["finance-bookkeeping"],
        ["data-entry", "admin"],
        [],
        1,
        18,
        ["ID Check"],
        ("Travel expenses",),
        (1, 1),
    ),
    _t(
        "office-admin",
        "Office Administration Volunteer",
        """Help our small team keep on top of the paperwork. You will answer the phone, update
       records, send out letters and e-mails and keep the filing in order. It is a great role for
       someone organised who wants to build office experience or keep their skills sharp.""",
        _REG3,
        (3, 6),
        False,
        "weekday-daytime",
        (1, 3),
        (("in_person", 3), ("hybrid", 2)),
        ["admin"],
        ["data-entry", "reception", "customer-service"],
        [],
        0,
        16,
    ),
    _t(
        "data-entry",
        "Data Entry and Records Volunteer",
        """Help us keep accurate records by entering information from forms, surveys and
       attendance sheets into our database. Accurate data lets us show funders the difference we
       make. The work is flexible and much of it can be done from home.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings", "weekend-daytime"),
        (2, 4),
        (("remote", 2), ("hybrid", 1)),
        ["data-entry"],
        ["admin"],
        [],
        0,
        16,
        [],
        (),
    ),
    _t(
        "receptionist",
        "Reception Volunteer",
        """Be the first friendly face people meet when they visit us. You will greet visitors,
       answer the phone, book rooms and take messages for staff. Good people skills and a calm
       manner are what matter most.""",
        _REG3,
        (3, 4),
        False,
        "weekday-daytime",
        (1, 2),
        _IP,
        ["reception"],
        ["customer-service", "admin"],
        [],
        1,
        16,
    ),
    _t(
        "it-support",
        "IT Support Volunteer",
        """Help keep our computers, phones and Wi-Fi working. You will set up laptops, fix
       everyday problems, keep software up to date and advise us on staying safe online. Some
       support can be done remotely, with occasional visits to the office.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _HYB,
        ["it-support"],
        ["digital-skills-help"],
        [],
        0,
        16,
    ),
    _t(
        "website",
        "Website Volunteer",
        """Help us refresh and look after our website so people can find our services and sign up
       to help. You will update pages, improve accessibility and set up simple forms. Experience of
       WordPress, Squarespace or similar is helpful. You can work entirely from home.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 3),
        _REMOTE,
        ["web-design"],
        ["writing-editing", "photography"],
        [],
        0,
        16,
        [],
        (),
    ),
    _t(
        "social-media",
        "Social Media Volunteer",
        """Tell our story on social media. You will plan and write posts, share photos from our
       activities and reply to comments and messages. A good eye for a picture and a friendly,
       clear writing style are ideal. Most of this role can be done from home.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-evenings", "weekend-daytime", "weekday-daytime"),
        (1, 3),
        _HYB,
        ["marketing-social-media"],
        ["photography", "writing-editing"],
        [],
        0,
        16,
        [],
        (),
    ),
    _t(
        "newsletter",
        "Newsletter Editor",
        """Put together our quarterly newsletter for members, supporters and funders. You will
       gather stories from staff and volunteers, write and edit articles and lay them out in a
       simple template. Good writing and attention to detail are essential.""",
        _FLEX,
        (1, 3),
        False,
        ("weekday-evenings", "weekend-daytime", "weekday-daytime"),
        (1, 3),
        _REMOTE,
        ["writing-editing"],
        ["photography", "marketing-social-media"],
        [],
        0,
        16,
        [],
        (),
        (1, 1),
    ),
    _t(
        "grant-writer",
        "Grant Writing Volunteer",
        """Help us find and apply for grants from trusts, foundations and the National Lottery.
       You will research funders, draft applications with our manager and keep track of deadlines.
       Strong writing skills are essential; experience of bid writing is a bonus.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 3),
        _HYB,
        ["writing-editing"],
        ["fundraising", "research"],
        [],
        0,
        18,
        [],
        (),
        (1, 1),
    ),
    _t(
        "fundraising-events",
        "Fundraising Events Volunteer",
        """Help plan and run our fundraising events, from quiz nights and coffee mornings to our
       summer fun run. You will book venues, gather raffle prizes, promote the event and help on
       the day. Every pound raised goes straight to our work.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 3),
        _HYB,
        ["fundraising"],
        ["event-planning", "marketing-social-media"],
        [],
        0,
        16,
    ),
    _t(
        "collection",
        "Supermarket Collection Volunteer",
        """Hold a collection bucket at a local supermarket and chat to shoppers about our work.
       Shifts are two hours and you can choose as many as you like. Friendly, outgoing people make
       the best collectors. Under-18s are welcome with an adult.""",
        _ONE,
        (2, 2),
        True,
        ("weekday-daytime", "weekend-daytime"),
        (1, 1),
        _IP,
        ["fundraising"],
        ["customer-service"],
        [],
        0,
        16,
        [],
        (),
        (2, 10),
    ),
    _t(
        "event-steward",
        "Event Steward",
        """Help our summer festival run safely and smoothly. You will welcome visitors, give
       directions, help with car parking and keep an eye out for anyone who needs help. A briefing
       is given on the day. Comfortable shoes are a must.""",
        _ONE,
        (4, 6),
        True,
        ("weekend-daytime",),
        (1, 2),
        _IP,
        ["customer-service"],
        ["first-aid", "event-planning"],
        [],
        0,
        16,
        [],
        ("Meal provided", "Free entry"),
        (4, 20),
    ),
    _t(
        "photographer",
        "Event Photographer",
        """Take photographs at one of our events to help us show the difference our work makes.
       You will follow a short brief, get consent from people before photographing them and send us
       a selection of edited images. You will need your own camera.""",
        _ONE,
        (2, 4),
        True,
        ("weekend-daytime", "weekday-evenings"),
        (1, 1),
        _IP,
        ["photography"],
        ["marketing-social-media"],
        [],
        1,
        18,
        [],
        ("Travel expenses",),
        (1, 1),
    ),
    _t(
        "volunteer-recruiter",
        "Volunteer Recruitment Assistant",
        """Help us find and welcome new volunteers. You will write role descriptions, reply to
       enquiries, arrange taster sessions and help with inductions. It suits someone organised and
       warm who enjoys matching people to the right role.""",
        _REG3,
        (2, 4),
        False,
        "weekday-daytime",
        (1, 3),
        _HYB,
        ["hr-recruitment"],
        ["admin", "marketing-social-media"],
        [],
        1,
        18,
    ),
    _t(
        "hr-adviser",
        "HR Adviser (Skilled Volunteering)",
        """Lend your HR experience to a small charity. You will help us update policies, advise on
       recruitment and support the manager on staff and volunteer issues. Work is done mostly
       remotely, with occasional meetings.""",
        _FLEX,
        (1, 3),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _HYB,
        ["hr-recruitment"],
        ["trustee-governance"],
        [],
        0,
        21,
        [],
        (),
        (1, 1),
    ),
    _t(
        "project-lead",
        "Volunteer Project Lead: Hall Refurbishment",
        """Lead a small volunteer team to refurbish our community hall over six months. You will
       plan the work, get quotes, keep the project on budget and report to the committee. Project
       management experience, from any field, is essential.""",
        _REG,
        (3, 5),
        False,
        ("weekday-evenings", "weekend-daytime"),
        (1, 2),
        _HYB,
        ["project-management"],
        ["diy", "finance-bookkeeping"],
        ["LocalCommunity", "Community"],
        0,
        18,
        [],
        (),
        (1, 1),
    ),
    _t(
        "survey-volunteer",
        "Research and Survey Volunteer",
        """Help us understand what local people need by running surveys on the street, online and
       at community events. You will collect responses, enter the data and help write up what we
       find. Good research will shape our plans for the next three years.""",
        _FLEX,
        (2, 4),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 3),
        _HYB,
        ["research"],
        ["data-entry", "writing-editing"],
        ["LocalCommunity", "ResidentsOfDisadvantagedNeighbourhoods", "GeneralPublic"],
        0,
        16,
    ),
    _t(
        "cleaning-team",
        "Cleaning Team Volunteer",
        """Help keep our building clean, safe and welcoming for the people who use it. You will
       clean kitchens and toilets, vacuum and tidy meeting rooms. It is a practical role with a
       friendly team and a big impact on everyone's day.""",
        _REG3,
        (2, 3),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["cleaning"],
        [],
        [],
        0,
        16,
    ),
    _t(
        "christmas-lunch",
        "Christmas Day Lunch Helper",
        """Help give people who would otherwise be alone a warm and happy Christmas Day. You will
       cook, serve, drive guests to and from the venue or simply sit and chat. It is a one-off
       shift on Christmas Day itself.""",
        _ONE,
        (4, 6),
        True,
        "saturday-daytime",
        (1, 2),
        _IP,
        ["catering"],
        ["cooking", "befriending", "driving"],
        ["OlderPeople", "Housing", "LocalCommunity"],
        1,
        18,
        [],
        ("Meal provided",),
        (4, 20),
    ),
    _t(
        "respite-sitter",
        "Respite Sitter for Carers",
        """Sit with a person living with dementia or a long-term condition in their own home so
       that their family carer can take a few hours' break. You will keep them company, make a
       drink and help with simple activities, but not give personal care. We match you with one
       family and introduce you properly first.""",
        _REG,
        (2, 4),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _IP,
        ["care-support"],
        ["befriending", "first-aid"],
        ["Care", "OlderPeople", "Families"],
        3,
        18,
        ["DBS Check", "ID Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "confidence-coach",
        "Confidence Coach for Young Adults",
        """Coach a young adult aged 18 to 25 who is not in work, education or training to set goals
       and take the next step. You will meet every week or two, in person or by video call, and use
       simple coaching techniques to help them find their own answers. We provide a coaching
       toolkit and monthly group supervision.""",
        _REG,
        (1, 2),
        False,
        ("weekday-daytime", "weekday-evenings"),
        (1, 2),
        _HYB,
        ["coaching"],
        ["mentoring", "youth-work"],
        ["Unemployment", "YouthAndChildren"],
        2,
        21,
        ["DBS Check"],
        ("Training provided", "Travel expenses"),
    ),
    _t(
        "care-home-activities",
        "Care Home Activities Volunteer",
        """Bring fun and company to residents of a local care home. You might lead a sing-along,
       play board games, help with gardening or run a reminiscence session. Residents especially
       value volunteers who come regularly.""",
        _REG,
        (2, 3),
        False,
        ("weekday-daytime", "weekend-daytime"),
        (1, 2),
        _IP,
        ["befriending"],
        ["music", "arts-crafts", "care-support"],
        ["OlderPeople", "InCare", "Care"],
        3,
        16,
        ["DBS Check"],
        ("Training provided",),
    ),
)

_TEMPLATE_BY_ID = {t.id: t for t in ROLE_TEMPLATES}

# Skills that are real conditions of a role, as its organisation would mark them essential (a licence,
# a certificate, a qualification or a language the role is about). Every other skill a template lists
# is one the role needs or would like: it counts in the ranking but rules nobody out.
ESSENTIAL_SKILLS: dict[str, tuple[str, ...]] = {
    "foodbank-driver": ("driving",),
    "hospital-driver": ("driving",),
    "minibus-driver": ("minibus-driving",),
    "first-aider": ("first-aid",),
    "counsellor": ("counselling",),
    "legal-clinic": ("legal-advice",),
    "bsl-support": ("british-sign-language",),
    "community-interpreter": ("translation",),
    "elders-link": ("translation",),
    "treasurer": ("finance-bookkeeping",),
    "bookkeeper": ("finance-bookkeeping",),
    "hr-adviser": ("hr-recruitment",),
    "website": ("web-design",),
}
_GENERIC_TEMPLATES = tuple(t for t in ROLE_TEMPLATES if not t.causes)
_TEMPLATES_BY_CAUSE: dict[str, tuple[RoleTemplate, ...]] = {
    c: tuple(t for t in ROLE_TEMPLATES if c in t.causes) for c in CAUSE_IDS
}

# --------------------------------------------------------------------------- organisations

# (name pattern, causes, type weights, what we do)  — {town}, {area}, {landmark}
_ORG_PATTERNS: tuple[tuple[str, tuple[str, ...], dict[str, int], str], ...] = (
    (
        "{town} Foodbank",
        ("AntiPoverty", "LowIncomeHouseholds"),
        {"registered_charity": 5, "cio": 3},
        "runs a foodbank giving emergency food parcels to local people referred by GPs, schools and advice services",
    ),
    (
        "{town} Community Larder",
        ("AntiPoverty", "Environment", "LocalCommunity"),
        {"community_group": 4, "cio": 1},
        "runs a community larder where members get a basket of surplus food each week for a small fee",
    ),
    (
        "{town} Social Supermarket",
        ("AntiPoverty", "LowIncomeHouseholds"),
        {"social_enterprise": 3, "cic": 2},
        "runs a social supermarket selling good food at low prices to people on low incomes",
    ),
    (
        "{area} Befriending Scheme",
        ("OlderPeople", "MentalHealth"),
        {"registered_charity": 3, "cio": 3},
        "matches trained volunteer befrienders with older people who live alone and feel isolated",
    ),
    (
        "{area} Volunteer Car Scheme",
        ("OlderPeople", "Health", "Disability"),
        {"registered_charity": 2, "community_group": 2, "cio": 1},
        "provides volunteer drivers to take people to medical appointments when they have no other way to get there",
    ),
    (
        "{area} Community Transport",
        ("OlderPeople", "Disability", "LocalCommunity"),
        {"registered_charity": 3, "cic": 1},
        "runs accessible minibuses for older and disabled people who cannot use ordinary buses",
    ),
    (
        "{town} Over-60s Club",
        ("OlderPeople", "LocalCommunity"),
        {"community_group": 5},
        "brings older people together for lunches, outings and activities every week",
    ),
    (
        "{area} Hospice Care",
        ("Health", "Illness", "Care"),
        {"registered_charity": 5},
        "provides free specialist care for people with life-limiting illnesses and support for their families",
    ),
    (
        "{area} Cancer Support Centre",
        ("Illness", "Health"),
        {"registered_charity": 2, "cio": 2},
        "offers a welcoming drop-in, complementary therapies and emotional support for anyone affected by cancer",
    ),
    (
        "{area} Carers' Network",
        ("Care", "Families"),
        {"registered_charity": 2, "cio": 2},
        "supports unpaid carers with information, breaks and peer support groups",
    ),
    (
        "{area} Mind and Wellbeing",
        ("MentalHealth",),
        {"registered_charity": 3, "cio": 2},
        "supports people with mental health problems through peer groups, a listening line and low-cost counselling",
    ),
    (
        "{area} Listening Line",
        ("MentalHealth",),
        {"registered_charity": 2, "cio": 2},
        "runs a confidential listening line for anyone who is struggling to cope",
    ),
    (
        "{area} Animal Rescue",
        ("AnimalWelfare",),
        {"registered_charity": 3, "cio": 2},
        "rescues, cares for and rehomes abandoned and unwanted dogs, cats and small animals",
    ),
    (
        "{town} Cat Rescue",
        ("AnimalWelfare",),
        {"community_group": 2, "cio": 2},
        "rescues and rehomes stray and unwanted cats through a network of volunteer fosterers",
    ),
    (
        "{town} Night Shelter",
        ("Housing",),
        {"registered_charity": 2, "cio": 2},
        "runs a winter night shelter and year-round day centre for people who are homeless",
    ),
    (
        "{area} Homeless Outreach",
        ("Housing", "SubstanceAbuse", "MentalHealth"),
        {"registered_charity": 2, "cio": 2},
        "works on the streets with people sleeping rough and helps them into safe accommodation",
    ),
    (
        "{area} Refugee Welcome",
        ("RefugeesAsylumSeekers", "EthnicMinorities"),
        {"community_group": 2, "cio": 2},
        "welcomes refugees and people seeking asylum with English classes, befriending and practical help",
    ),
    (
        "{area} Nepalese Community Association",
        ("EthnicMinorities", "Community", "OlderPeople"),
        {"community_group": 3, "registered_charity": 1},
        "brings the Nepalese community together through cultural events, language classes and support for elders",
    ),
    (
        "{area} Asian Elders Group",
        ("EthnicMinorities", "OlderPeople"),
        {"community_group": 3, "cio": 1},
        "offers lunches, health talks and help with services for older people from South Asian communities",
    ),
    (
        "{town} Youth Project",
        ("YouthAndChildren",),
        {"registered_charity": 2, "cio": 2, "community_group": 1},
        "runs youth clubs, detached youth work and mentoring for young people aged 11 to 19",
    ),
    (
        "{area} Youth Music",
        ("ArtsAndCulture", "YouthAndChildren"),
        {"cic": 4, "registered_charity": 1},
        "gives young people the chance to write, record and perform their own music",
    ),
    (
        "{town} Youth Football Club",
        ("SportAndOutdoorActivities", "YouthAndChildren"),
        {"community_group": 5},
        "runs junior football teams for boys and girls from under-7s to under-18s",
    ),
    (
        "{area} Disability Sports",
        ("Disability", "PhysicalDisability", "SportAndOutdoorActivities"),
        {"registered_charity": 2, "cic": 1},
        "runs inclusive sport and activity sessions for disabled children and adults",
    ),
    (
        "{town} Reading Partners",
        ("LiteracyNeeds", "EducationAndLanguages", "YouthAndChildren"),
        {"cio": 2, "community_group": 2},
        "trains volunteers to help children in local primary schools read with confidence",
    ),
    (
        "{area} Family Friends",
        ("Families", "Parents", "LoneParents"),
        {"registered_charity": 3, "cio": 1},
        "offers volunteer home visiting for families with young children who are going through a tough time",
    ),
    (
        "{area} Baby Bank",
        ("Families", "LowIncomeHouseholds", "Parents"),
        {"community_group": 2, "cio": 2},
        "collects and passes on baby clothes and equipment to families referred by health and social care workers",
    ),
    (
        "{area} Care Leavers Network",
        ("InCare", "YouthAndChildren"),
        {"cio": 2, "registered_charity": 1},
        "supports young people leaving care with mentoring, life skills and a place to belong",
    ),
    (
        "{area} Rainbow Youth",
        ("Lgbt", "GenderSexuality", "YouthAndChildren"),
        {"cio": 2, "community_group": 2},
        "runs safe social groups and one-to-one support for LGBT+ young people",
    ),
    (
        "{area} Pride",
        ("Lgbt", "GenderSexuality", "LocalCommunity"),
        {"community_group": 3, "cic": 1},
        "organises an annual Pride celebration and year-round events for LGBT+ people and their friends",
    ),
    (
        "{area} Women's Centre",
        ("WomensGroups", "VictimsOfCrime"),
        {"registered_charity": 3, "cio": 1},
        "offers a safe space, advice and support for women, including women affected by domestic abuse",
    ),
    (
        "{area} Victim Support Network",
        ("VictimsOfCrime", "CrimeSafety"),
        {"registered_charity": 2, "cio": 1},
        "gives free, confidential support to people affected by crime",
    ),
    (
        "{area} Recovery Community",
        ("SubstanceAbuse", "MentalHealth"),
        {"cio": 2, "cic": 1},
        "is a peer-led community supporting people in recovery from drug and alcohol problems",
    ),
    (
        "{area} Through the Gate",
        ("OffendersAndExOffenders", "CrimeAndExOffenders"),
        {"registered_charity": 2, "cio": 1},
        "mentors people leaving prison to help them build a settled, crime-free life",
    ),
    (
        "{area} Advice Centre",
        ("AntiPoverty", "Housing", "CivilRights"),
        {"registered_charity": 4, "cio": 1},
        "gives free, independent advice on benefits, debt, housing, employment and consumer problems",
    ),
    (
        "{area} Law Clinic",
        ("CivilRights", "Housing"),
        {"cio": 2, "registered_charity": 1},
        "runs free legal advice clinics staffed by volunteer lawyers",
    ),
    (
        "{area} Advocacy",
        ("LearningDisabilities", "Disability", "CivilRights"),
        {"registered_charity": 2, "cio": 2},
        "provides independent advocacy so that people with learning disabilities and autism are heard",
    ),
    (
        "{area} Inclusive Arts",
        ("LearningDisabilities", "ArtsAndCulture"),
        {"cic": 2, "cio": 2},
        "runs arts, drama and day activities for adults with learning disabilities",
    ),
    (
        "{area} Sight Loss Support",
        ("SensoryImpairment", "Disability"),
        {"registered_charity": 3},
        "helps blind and partially sighted people live independently and stay connected",
    ),
    (
        "{area} Deaf Centre",
        ("SensoryImpairment", "Disability"),
        {"registered_charity": 2, "community_group": 1},
        "is a social and advice centre run by and for Deaf people who use British Sign Language",
    ),
    (
        "Friends of {landmark}",
        ("Environment", "Heritage", "LocalCommunity"),
        {"community_group": 4, "registered_charity": 2},
        "looks after and improves {landmark} with practical work days, events and fundraising",
    ),
    (
        "{area} Countryside Volunteers",
        ("Environment", "SportAndOutdoorActivities"),
        {"registered_charity": 2, "community_group": 2},
        "runs weekly practical conservation work parties in woods, meadows and wetlands",
    ),
    (
        "{area} Coast Care",
        ("Environment",),
        {"community_group": 3, "cio": 1},
        "organises beach cleans and protects the coast's wildlife and habitats",
    ),
    (
        "{town} Community Garden",
        ("Environment", "LocalCommunity", "MentalHealth"),
        {"community_group": 3, "cic": 1},
        "grows food and friendships in a shared garden open to everyone",
    ),
    (
        "{town} Repair Café",
        ("Environment", "LocalCommunity"),
        {"community_group": 5},
        "holds monthly repair cafés where volunteers help people mend things instead of throwing them away",
    ),
    (
        "{area} Furniture Reuse",
        ("Environment", "AntiPoverty", "Housing"),
        {"social_enterprise": 3, "cic": 2, "registered_charity": 1},
        "collects unwanted furniture and sells it at low prices to people setting up home",
    ),
    (
        "{town} Men's Shed",
        ("MensGroups", "MentalHealth", "OlderPeople"),
        {"community_group": 4, "cio": 1},
        "is a community workshop where men meet to make, mend and chat",
    ),
    (
        "{town} Museum Trust",
        ("Heritage", "ArtsAndCulture"),
        {"registered_charity": 3, "cio": 1},
        "runs the town museum and shares the story of the area with visitors and schools",
    ),
    (
        "{town} Heritage Society",
        ("Heritage",),
        {"community_group": 3, "registered_charity": 1},
        "researches and celebrates local history through talks, walks and an archive",
    ),
    (
        "{town} Community Theatre",
        ("ArtsAndCulture", "LocalCommunity"),
        {"registered_charity": 2, "cic": 1, "community_group": 1},
        "stages plays, pantomimes and workshops with local people on and off stage",
    ),
    (
        "{town} Community Centre",
        ("LocalCommunity", "Community"),
        {"registered_charity": 2, "cio": 2, "community_group": 1},
        "runs the community centre, home to playgroups, clubs, classes and a café",
    ),
    (
        "{town} Community Café",
        ("LocalCommunity", "MentalHealth"),
        {"cic": 3, "social_enterprise": 1},
        "runs a pay-what-you-can café that is a warm, welcoming space for everyone",
    ),
    (
        "{town} Churches Together",
        ("ReligionAndFaith", "AntiPoverty", "LocalCommunity"),
        {"registered_charity": 2, "other": 1},
        "brings local churches together to run community meals, a night shelter and Christmas lunch",
    ),
    (
        "{town} Job Club",
        ("Unemployment",),
        {"community_group": 2, "cic": 1},
        "helps people who are out of work with CVs, applications and interview practice",
    ),
    (
        "{area} Digital Inclusion",
        ("OlderPeople", "EducationAndLanguages", "LocalCommunity"),
        {"cic": 3, "social_enterprise": 1},
        "helps people get online safely with free drop-in sessions and recycled devices",
    ),
    (
        "{town} Speedwatch",
        ("CrimeSafety", "LocalCommunity"),
        {"community_group": 5},
        "is a residents' group working with Kent Police to reduce speeding in the village",
    ),
    (
        "{town} Flood Action Group",
        ("DevelopmentAndEmergencyRelief", "LocalCommunity", "LocalAuthority"),
        {"community_group": 3, "other": 2},
        "helps the community prepare for and respond to flooding and other emergencies",
    ),
    (
        "{town} Town Council Volunteers",
        ("LocalAuthority", "LocalCommunity"),
        {"other": 5},
        "is the town council's volunteer team, looking after green spaces, events and community projects",
    ),
    (
        "{area} Aid Convoy",
        ("OverseasAidDevelopingWorld", "DevelopmentAndEmergencyRelief"),
        {"registered_charity": 2, "cio": 1},
        "collects and sends humanitarian aid to communities affected by war and disaster",
    ),
    (
        "{area} Equality Forum",
        ("CivilRights", "EthnicMinorities"),
        {"community_group": 2, "cio": 1},
        "speaks up for race equality and fair treatment for minority communities",
    ),
    (
        "{town} Library Friends",
        ("LiteracyNeeds", "GeneralPublic", "LocalCommunity"),
        {"community_group": 3, "cio": 1},
        "supports the local library with volunteers, events and fundraising",
    ),
    (
        "{town} Neighbourhood Network",
        ("ResidentsOfDisadvantagedNeighbourhoods", "LocalCommunity"),
        {"community_group": 3, "cic": 1},
        "brings neighbours together to improve life on the estate, from litter picks to holiday clubs",
    ),
    (
        "{area} Dementia Friends",
        ("OlderPeople", "Health", "Care"),
        {"cio": 2, "community_group": 2},
        "runs dementia cafés and activity groups for people living with dementia and their carers",
    ),
    (
        "{area} Older People's Trust",
        ("OlderPeople", "Care", "InCare"),
        {"registered_charity": 3},
        "supports older people at home and in care homes with befriending, activities and practical help",
    ),
    (
        "{area} Handyperson Service",
        ("OlderPeople", "Disability", "Housing"),
        {"social_enterprise": 2, "registered_charity": 1},
        "carries out small repairs and safety checks so older and disabled people can stay safe at home",
    ),
    (
        "{area} Health Walks",
        ("Health", "OlderPeople", "SportAndOutdoorActivities"),
        {"community_group": 3, "other": 1},
        "runs free, friendly short walks to help people get more active",
    ),
    (
        "{town} Parkrun Volunteers",
        ("SportAndOutdoorActivities", "Health", "LocalCommunity"),
        {"community_group": 4},
        "organises a free, weekly, timed 5k run in the park, run entirely by volunteers",
    ),
    (
        "{area} Women's Institute",
        ("WomensGroups", "LocalCommunity"),
        {"registered_charity": 1, "community_group": 3},
        "brings women together for friendship, learning and campaigning",
    ),
)

_ORG_TYPE_SUFFIX = {"cic": " CIC", "social_enterprise": ""}
_FOUNDED = (1948, 2025)
_DESCRIPTION_MIDDLE = (
    "We work across {district} and welcome volunteers from every background.",
    "Founded in {year}, we now help hundreds of people in {district} every year.",
    "We are a small, friendly organisation based in {town}.",
    "Since {year} we have grown from a handful of neighbours to a team of dedicated volunteers.",
    "Most of what we do is made possible by volunteers.",
    "We are based in {town} and work with partners across {district}.",
)
_DESCRIPTION_END = (
    "New volunteers are always welcome, whatever time you can give.",
    "We would love to hear from anyone who shares our aims.",
    "Volunteers receive full training and ongoing support.",
    "",
    "",
)


def charity_number(rng: random.Random, *, cio: bool = False, linked_share: float = 0.05) -> str:
    """An invented Charity Commission (England and Wales) number.

    CIOs get a 7-digit number from 1150000; others a 7-digit (80%) or older
    6-digit number.  ``linked_share`` of them carry a linked-charity suffix.
    """
    if cio:
        n = str(rng.randrange(1150000, 1213000))
    elif rng.random() < 0.8:
        n = str(rng.randrange(1000000, 1213000))
    else:
        n = str(rng.randrange(200000, 330000))
    if rng.random() < linked_share:
        n = f"{n}-{rng.randint(1, 3)}"
    return n


def company_number(rng: random.Random, *, since: int = 2005) -> str:
    """An invented Companies House number for England and Wales (8 digits, zero-padded)."""
    low = 5_300_000 if since >= 2005 else 1_000_000
    return f"{rng.randrange(low, 15_900_000):08d}"


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("&", "and").replace("'", "")).strip("-")


def organisation(
    rng: random.Random,
    district: str | None = None,
    *,
    taken: set[str] | None = None,
) -> dict:
    """A made-up organisation based in ``district`` (a GSS code; random if None).

    Returns ``name, organisation_type, causes, description, website,
    charity_registrar, charity_number, company_number, contact_name,
    contact_email, contact_phone, struggling_to_recruit, founded, postcode,
    latitude, longitude, district_gss, town``.  Pass the same ``taken`` set
    to every call to get unique names (and so unique websites and e-mails).
    """
    gss = district or choose_district(rng)
    if gss not in TOWNS:
        raise ValueError(f"Unknown Kent district {gss!r}")
    used: set[str] = taken if taken is not None else set()
    for attempt in range(12):
        pattern, causes, type_weights, what = rng.choice(_ORG_PATTERNS)
        town = _town_point(rng, gss)[0]
        area = rng.choice(_AREAS[gss])
        landmark = rng.choice(_LANDMARKS[gss])
        types = tuple(type_weights)
        org_type = rng.choices(types, weights=tuple(type_weights.values()))[0]
        name = pattern.format(town=town, area=area, landmark=landmark)
        name += _ORG_TYPE_SUFFIX.get(org_type, "")
        if name not in used:
            break
    else:
        base, n = name, 2
        name = f"{base} ({town})" if f"{base} ({town})" not in used else base
        while name in used:
            name = f"{base} {n}"
            n += 1
    if taken is not None:
        taken.add(name)

    year = rng.randint(*_FOUNDED) if org_type != "cic" else rng.randint(2006, 2025)
    if org_type == "cio":
        year = max(year, 2013)
    district_name = DISTRICT_NAMES[gss]
    sentences = [f"{name} {what.format(landmark=landmark)}."]
    sentences.append(rng.choice(_DESCRIPTION_MIDDLE).format(district=district_name, town=town, year=year))
    end = rng.choice(_DESCRIPTION_END)
    if end:
        sentences.append(end)

    registrar = number = company = None
    if org_type == "registered_charity":
        registrar, number = "ccew", charity_number(rng)
        if rng.random() < 0.4:  # charitable company limited by guarantee
            company = company_number(rng, since=1990)
    elif org_type == "cio":
        registrar, number = "ccew", charity_number(rng, cio=True, linked_share=0.0)
    elif org_type in ("cic", "social_enterprise"):
        company = company_number(rng)
        if org_type == "cic" or rng.random() < 0.7:
            registrar, number = "companies_house", company

    slug = _slug(name)
    contact = person(rng, district=gss, age=rng.randint(25, 75))
    where = place(rng, gss, town=town)
    # more likely to struggle: small, volunteer-run groups and hard-to-fill causes
    p_struggle = 0.43 + (0.12 if org_type == "community_group" else 0.0) - (0.1 if org_type == "registered_charity" else 0.0)
    return {
        "name": name,
        "organisation_type": org_type,
        "causes": list(causes),
        "description": " ".join(sentences),
        "website": f"https://{slug}.example.org",
        "charity_registrar": registrar,
        "charity_number": number,
        "company_number": company,
        "contact_name": contact["full_name"],
        "contact_email": f"{_slug(contact['first_name']).replace('-', '')}@{slug}.example.org",
        "contact_phone": contact["phone"],
        "struggling_to_recruit": rng.random() < p_struggle,
        "founded": year,
        **where,
    }


# --------------------------------------------------------------------------- roles


def _round_half(x: float) -> float:
    return round(x * 2) / 2


def role_from_template(rng: random.Random, org: dict, template: RoleTemplate | str | None = None) -> dict:
    """A role for ``org`` (a dict from :func:`organisation`) built from a template.

    The template is chosen at random (70% from templates that share a cause
    with the organisation, otherwise a generic back-office template) unless
    one is given.  Returns the role fields used by the models plus
    ``template_id``, ``activity_title``, ``dbs_rank`` (0–3) and
    ``slots`` (slot ids).
    """
    if template is None:
        matched: list[RoleTemplate] = []
        for c in org.get("causes", ()):
            matched.extend(_TEMPLATES_BY_CAUSE.get(c, ()))
        if matched and rng.random() < 0.7:
            template = rng.choice(matched)
        else:
            template = rng.choice(_GENERIC_TEMPLATES)
    elif isinstance(template, str):
        template = _TEMPLATE_BY_ID[template]
    t = template

    lo, hi = t.hours
    hours = _round_half(rng.uniform(lo, hi)) if hi > lo else float(lo)
    hours = max(hours, 0.5)
    n = min(len(t.slots), rng.randint(*t.n_slots))
    mask = 0
    for b in rng.sample(t.slots, n):
        mask |= 1 << b
    modes, weights = zip(*t.modes)
    mode = modes[0] if len(modes) == 1 else rng.choices(modes, weights=weights)[0]
    org_causes = list(org.get("causes", ()))
    causes = list(t.causes) if t.causes else org_causes[:]
    # keep the organisation's own causes in view where they overlap
    causes = [c for c in causes if c in org_causes] + [c for c in causes if c not in org_causes]
    causes = causes[: rng.randint(1, min(3, len(causes)))] if causes else []
    desired = [s for s in t.desired_skills if rng.random() < 0.75]
    location_in_person = mode != "remote"
    place: tuple[float, float] | None = None
    if location_in_person:
        loc_lat, loc_lon = float(org["latitude"]), float(org["longitude"])
        if rng.random() < 0.3:  # an outpost: a hall, shop or site near the base
            loc_lat += rng.uniform(-0.006, 0.006)
            loc_lon += rng.uniform(-0.009, 0.009)
        place = (round(loc_lat, 6), round(loc_lon, 6))
    lo_p, hi_p = t.places
    return {
        "template_id": t.id,
        "activity_title": t.activity,
        "requires_emergency_participation": t.emergency,
        "title": t.title,
        "description": t.description,
        "commitment": t.commitment.format(hours=_fmt_hours(hours)),
        "hours_per_week": hours,
        "one_off": t.one_off,
        "slot_mask": mask,
        "slots": mask_slots(mask),
        "mode": mode,
        "required_skills": list(t.required_skills),
        "essential_skills": list(ESSENTIAL_SKILLS.get(t.id, ())),
        "desired_skills": desired,
        "causes": causes,
        "dbs_level": DBS_LEVELS[t.dbs],
        "dbs_rank": t.dbs,
        "minimum_age": t.min_age,
        "maximum_age": None,
        "requirements": list(t.requirements),
        "rewards": list(t.rewards),
        "places_available": rng.randint(lo_p, hi_p),
        "organisation_name": org["name"],
        "location_name": (f"{org['name']}, {org['town']}" if location_in_person else None),
        "postcode": org["postcode"] if location_in_person else None,
        "latitude": place[0] if place else None,
        "longitude": place[1] if place else None,
        "district_gss": org["district_gss"],
    }


def _fmt_hours(h: float) -> str:
    return str(int(h)) if h == int(h) else f"{h:g}"


# --------------------------------------------------------------------------- volunteers

# Free-text ways people describe their skills (what a matcher has to understand).
SKILL_PHRASES: dict[str, tuple[str, ...]] = {
    "befriending": ("good listener who likes a chat", "used to visit older neighbours", "befriender"),
    "driving": ("full clean driving licence", "have my own car", "happy to drive people"),
    "minibus-driving": ("can drive a minibus", "D1 on my licence", "MiDAS trained"),
    "gardening": ("keen gardener", "allotment holder", "green fingers"),
    "fundraising": ("ran the London Marathon for charity", "organised bake sales", "fundraiser"),
    "trustee-governance": ("school governor", "sat on a charity board", "experience as a trustee"),
    "charity-retail": ("worked in a charity shop", "retail experience", "visual merchandising"),
    "admin": ("office administrator", "organised and good at paperwork", "PA for 20 years"),
    "data-entry": ("good with spreadsheets", "fast accurate typing", "Excel"),
    "it-support": ("IT technician", "can fix computers", "set up home networks"),
    "digital-skills-help": ("patient with people learning computers", "helped my parents get online", "smartphone help"),
    "web-design": ("build websites in WordPress", "front-end developer", "HTML and CSS"),
    "coaching": ("qualified life coach", "ILM coaching certificate", "coach at work"),
    "mentoring": ("mentor at work", "enjoy helping people reach goals", "peer mentor"),
    "sports-coaching": ("FA Level 1 coach", "qualified swimming teacher", "run a running club"),
    "teaching-tutoring": ("retired teacher", "maths tutor", "TEFL qualified"),
    "youth-work": ("Scout leader", "worked in a youth club", "youth worker"),
    "catering": ("food hygiene certificate", "worked in a café", "used to serving food"),
    "cooking": ("love cooking for big groups", "trained chef", "good home cook"),
    "diy": ("handy with tools", "retired carpenter", "can do basic plumbing"),
    "cleaning": ("happy to clean", "housekeeping experience", "cleaner"),
    "translation": ("fluent in Polish", "speak Punjabi and Hindi", "Nepali speaker", "bilingual Arabic/English"),
    "british-sign-language": ("BSL level 2", "signer", "British Sign Language level 3"),
    "first-aid": ("first-aider", "first aid at work certificate", "St John Ambulance trained"),
    "event-planning": ("organise events", "planned weddings", "festival organiser"),
    "marketing-social-media": ("run Instagram for a small business", "social media savvy", "marketing background"),
    "photography": ("keen amateur photographer", "own a DSLR", "photography"),
    "finance-bookkeeping": ("bookkeeper", "chartered accountant", "Xero and Sage"),
    "legal-advice": ("solicitor", "law graduate", "paralegal"),
    "listening-support": ("good listener", "trained in active listening", "Samaritans training"),
    "care-support": ("care assistant", "worked in a care home", "nursing background"),
    "animal-care": ("love animals", "worked at a kennels", "vet nurse"),
    "dog-walking": ("dog walker", "grew up with dogs", "walk dogs"),
    "conservation": ("hedge laying", "conservation volunteer", "ecology degree"),
    "music": ("play guitar", "sing in a choir", "piano grade 8"),
    "arts-crafts": ("knitter", "arts and crafts", "paint and draw"),
    "customer-service": ("customer service experience", "friendly and outgoing", "worked in hospitality"),
    "reception": ("receptionist", "front desk experience", "switchboard"),
    "warehouse-logistics": ("forklift licence", "warehouse work", "stock control"),
    "advocacy": ("advocate", "help people fill in forms", "benefits knowledge"),
    "campaigning": ("campaigner", "organised petitions", "activist"),
    "counselling": ("counselling diploma", "BACP registered counsellor", "trainee counsellor"),
    "research": ("research skills", "PhD researcher", "love digging into local history"),
    "writing-editing": ("good writer", "proofreader", "journalist"),
    "hr-recruitment": ("HR manager", "recruiter", "CIPD qualified"),
    "project-management": ("project manager", "PRINCE2", "managed building projects"),
}
assert set(SKILL_PHRASES) == _SKILL_SET

# Personas: (weight by life stage, skills, causes).  Life stages: student, working, retired.
_PERSONAS: tuple[tuple[dict[str, int], tuple[str, ...], tuple[str, ...]], ...] = (
    (
        {"student": 5, "working": 1, "retired": 0},
        ("digital-skills-help", "marketing-social-media", "photography", "customer-service", "event-planning"),
        ("YouthAndChildren", "Environment", "MentalHealth", "Lgbt"),
    ),
    (
        {"student": 4, "working": 1, "retired": 0},
        ("sports-coaching", "youth-work", "coaching", "first-aid"),
        ("SportAndOutdoorActivities", "YouthAndChildren", "Health"),
    ),
    (
        {"student": 3, "working": 2, "retired": 1},
        ("music", "arts-crafts", "photography", "writing-editing"),
        ("ArtsAndCulture", "Heritage", "YouthAndChildren"),
    ),
    (
        {"student": 2, "working": 2, "retired": 2},
        ("conservation", "gardening", "dog-walking", "animal-care"),
        ("Environment", "AnimalWelfare", "SportAndOutdoorActivities"),
    ),
    (
        {"student": 1, "working": 4, "retired": 1},
        ("admin", "data-entry", "finance-bookkeeping", "customer-service", "reception"),
        ("Community", "LocalCommunity", "AntiPoverty"),
    ),
    (
        {"student": 0, "working": 3, "retired": 1},
        ("it-support", "web-design", "digital-skills-help", "data-entry"),
        ("EducationAndLanguages", "OlderPeople", "LocalCommunity"),
    ),
    (
        {"student": 0, "working": 3, "retired": 2},
        ("trustee-governance", "finance-bookkeeping", "legal-advice", "hr-recruitment", "project-management"),
        ("LocalCommunity", "CivilRights", "Health"),
    ),
    (
        {"student": 0, "working": 2, "retired": 3},
        ("teaching-tutoring", "mentoring", "writing-editing", "research"),
        ("EducationAndLanguages", "LiteracyNeeds", "YouthAndChildren", "Heritage"),
    ),
    (
        {"student": 1, "working": 3, "retired": 3},
        ("care-support", "first-aid", "befriending", "listening-support"),
        ("Health", "OlderPeople", "Illness", "Care"),
    ),
    (
        {"student": 0, "working": 2, "retired": 4},
        ("befriending", "driving", "catering", "charity-retail"),
        ("OlderPeople", "LocalCommunity", "Health"),
    ),
    (
        {"student": 0, "working": 3, "retired": 3},
        ("diy", "driving", "gardening", "warehouse-logistics"),
        ("MensGroups", "Housing", "LocalCommunity", "Environment"),
    ),
    (
        {"student": 1, "working": 2, "retired": 2},
        ("cooking", "catering", "cleaning", "customer-service", "event-planning"),
        ("AntiPoverty", "Housing", "ReligionAndFaith", "LocalCommunity"),
    ),
    (
        {"student": 1, "working": 2, "retired": 1},
        ("translation", "befriending", "teaching-tutoring", "advocacy"),
        ("RefugeesAsylumSeekers", "EthnicMinorities", "CivilRights"),
    ),
    (
        {"student": 1, "working": 2, "retired": 1},
        ("listening-support", "counselling", "mentoring", "advocacy"),
        ("MentalHealth", "VictimsOfCrime", "SubstanceAbuse", "WomensGroups"),
    ),
    (
        {"student": 1, "working": 2, "retired": 1},
        ("campaigning", "marketing-social-media", "writing-editing", "fundraising", "research"),
        ("Environment", "CivilRights", "AntiPoverty", "OverseasAidDevelopingWorld"),
    ),
    (
        {"student": 0, "working": 2, "retired": 2},
        ("fundraising", "event-planning", "charity-retail", "customer-service"),
        ("Illness", "AnimalWelfare", "Health", "YouthAndChildren"),
    ),
    (
        {"student": 0, "working": 1, "retired": 1},
        ("minibus-driving", "driving", "care-support"),
        ("Disability", "OlderPeople", "LocalCommunity"),
    ),
    (
        {"student": 1, "working": 1, "retired": 1},
        ("british-sign-language", "listening-support", "care-support"),
        ("SensoryImpairment", "Disability"),
    ),
)
_STAGES = ("student", "working", "retired")
_PERSONA_CUM = {s: list(accumulate(p[0][s] for p in _PERSONAS)) for s in _STAGES}


def _life_stage(rng: random.Random, age: int) -> str:
    if age <= 21:
        return "student" if rng.random() < 0.85 else "working"
    if age <= 24:
        return "student" if rng.random() < 0.45 else "working"
    if age < 55:
        return "working"
    if age < 66:
        return "retired" if rng.random() < (age - 54) / 14 else "working"
    return "retired" if rng.random() < 0.95 else "working"


def _pick_bits(rng: random.Random, bits: tuple[int, ...], k: int) -> int:
    mask = 0
    for b in rng.sample(bits, min(k, len(bits))):
        mask |= 1 << b
    return mask


_B_WEEKDAY_EVE = _SLOT_SETS["weekday-evenings"]
_B_WEEKEND_DAY = _SLOT_SETS["weekend-daytime"]
_B_WEEKEND_EVE = _bits(WEEKEND, (EVENING,))
_B_WEEKDAY_DAY = _SLOT_SETS["weekday-daytime"]
_B_WEEKDAY_AFT = _SLOT_SETS["weekday-afternoons"]
_B_WEEKDAY_MORN = _SLOT_SETS["weekday-mornings"]


def availability_mask(rng: random.Random, stage: str | None = None, age: int | None = None) -> int:
    """A 21-bit weekly availability mask with realistic patterns.

    * students: some weekday evenings and late afternoons, weekend daytime;
    * working age: weekday evenings and weekends, some with a free weekday;
    * retired: weekday mornings and afternoons, few evenings.
    A few people are available almost any time, a few only in one slot.
    """
    if stage is None:
        stage = _life_stage(rng, age if age is not None else random_age(rng))
    r = rng.random()
    if r < 0.04:
        return _pick_bits(rng, tuple(range(21)), rng.randint(12, 21))
    if r < 0.09:
        return _pick_bits(rng, tuple(range(21)), 1)
    mask = 0
    if stage == "student":
        mask |= _pick_bits(rng, _B_WEEKDAY_EVE, rng.randint(1, 4))
        mask |= _pick_bits(rng, _B_WEEKEND_DAY, rng.randint(1, 4))
        if rng.random() < 0.4:
            mask |= _pick_bits(rng, _B_WEEKDAY_AFT, rng.randint(1, 3))
        if rng.random() < 0.2:
            mask |= _pick_bits(rng, _B_WEEKDAY_MORN, rng.randint(1, 2))
    elif stage == "working":
        if rng.random() < 0.8:
            mask |= _pick_bits(rng, _B_WEEKDAY_EVE, rng.randint(1, 4))
        if rng.random() < 0.75:
            mask |= _pick_bits(rng, _B_WEEKEND_DAY, rng.randint(1, 4))
        if rng.random() < 0.2:
            mask |= _pick_bits(rng, _B_WEEKEND_EVE, 1)
        if rng.random() < 0.25:  # part-time or a regular day off
            day = rng.randrange(5)
            mask |= slot_mask((day,), (MORNING, AFTERNOON))
        if mask == 0:
            mask |= _pick_bits(rng, _B_WEEKEND_DAY, 2)
    else:  # retired
        mask |= _pick_bits(rng, _B_WEEKDAY_DAY, rng.randint(2, 8))
        if rng.random() < 0.2:
            mask |= _pick_bits(rng, _B_WEEKDAY_EVE, rng.randint(1, 2))
        if rng.random() < 0.25:
            mask |= _pick_bits(rng, _B_WEEKEND_DAY, rng.randint(1, 2))
    return mask


def skill_set(rng: random.Random, stage: str = "working") -> tuple[list[str], list[str]]:
    """``(skills, causes)``: a coherent set of skill ids and cause ids for one person."""
    cum = _PERSONA_CUM[stage]
    persona = _PERSONAS[bisect(cum, rng.random() * cum[-1])]
    _w, p_skills, p_causes = persona
    skills = rng.sample(p_skills, rng.randint(1, min(4, len(p_skills))))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        extra = rng.choice(SKILL_IDS)
        if extra not in skills:
            skills.append(extra)
    causes = rng.sample(p_causes, rng.randint(1, min(3, len(p_causes))))
    if rng.random() < 0.5:
        extra = rng.choice(CAUSE_IDS)
        if extra not in causes:
            causes.append(extra)
    return skills, causes


def skills_text(rng: random.Random, skills: list[str]) -> str:
    """How a person might describe their skills in their own words."""
    phrases = [rng.choice(SKILL_PHRASES[s]) for s in skills if rng.random() < 0.7]
    if not phrases:
        return ""
    if len(phrases) == 1:
        text = phrases[0]
    else:
        text = ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return text[0].upper() + text[1:] + "."


_RADII = (1, 2, 3, 5, 8, 10, 15, 20, 25, 30)
_RADIUS_W = (3, 6, 9, 20, 10, 20, 12, 8, 6, 2)
_RADIUS_CUM = list(accumulate(_RADIUS_W))
_EMPLOYMENT = {"student": "student", "retired": "retired"}


def volunteer_profile(rng: random.Random, age: int | None = None) -> dict:
    """The volunteering side of a person: skills, causes, availability and limits.

    Returns ``life_stage, employment_status, skills, skills_text, causes,
    availability_mask, travel_radius_miles, mode, preference,
    max_hours_per_week, dbs_level, dbs_rank, dbs_willing, driving_licence,
    own_car``.  Values follow the models (``mode``: in_person | remote |
    either; ``preference``: one_off | regular | either).
    """
    if age is None:
        age = random_age(rng)
    stage = _life_stage(rng, age)
    skills, causes = skill_set(rng, stage)
    driving_licence = age >= 17 and rng.random() < (0.45 if age < 21 else 0.8)
    own_car = driving_licence and rng.random() < 0.85
    radius = _RADII[bisect(_RADIUS_CUM, rng.random() * _RADIUS_CUM[-1])]
    if not own_car and radius > 10:
        radius = rng.choice((3, 5, 10))
    if ("driving" in skills or "minibus-driving" in skills) and not driving_licence:
        driving_licence = own_car = True
    r = rng.random()
    mode = "in_person" if r < 0.6 else ("either" if r < 0.88 else "remote")
    p = rng.random()
    preference = "either" if p < 0.45 else ("regular" if p < 0.8 else "one_off")
    if stage == "student":
        preference = "one_off" if p < 0.3 else preference
    max_hours = rng.choice((2, 3, 4, 4, 5, 6, 8, 10, 15)) if stage != "retired" else rng.choice((3, 4, 6, 8, 10, 12, 15, 20))
    # DBS certificates held: more common among people with caring/teaching skills.
    caring = any(
        s in skills for s in ("care-support", "teaching-tutoring", "youth-work", "counselling", "befriending", "sports-coaching")
    )
    d = rng.random()
    if d < (0.45 if caring else 0.15):
        dbs = 3
    elif d < (0.5 if caring else 0.2):
        dbs = 2
    elif d < (0.55 if caring else 0.26):
        dbs = 1
    else:
        dbs = 0
    if age < 18 and dbs == 3:
        dbs = 1
    employment = (
        _EMPLOYMENT.get(stage)
        or rng.choices(
            ("employed", "self_employed", "unemployed", "carer", "other", "prefer_not_to_say"),
            weights=(70, 12, 8, 5, 2, 3),
        )[0]
    )
    return {
        "life_stage": stage,
        "employment_status": employment,
        "skills": skills,
        "skills_text": skills_text(rng, skills),
        "causes": causes,
        "availability_mask": availability_mask(rng, stage),
        "travel_radius_miles": float(radius),
        "mode": mode,
        "preference": preference,
        "max_hours_per_week": float(max_hours),
        "dbs_level": DBS_LEVELS[dbs],
        "dbs_rank": dbs,
        "dbs_willing": dbs < 3 and rng.random() < 0.6,
        "driving_licence": driving_licence,
        "own_car": own_car,
    }


def volunteer(
    rng: random.Random, *, serial: int | None = None, district: str | None = None, as_of: date = REFERENCE_DATE
) -> dict:
    """:func:`person` and :func:`volunteer_profile` for the same age, merged."""
    who = person(rng, serial=serial, district=district, as_of=as_of)
    return {**who, **volunteer_profile(rng, who["age"])}


# --------------------------------------------------------------------------- centres


class Centre(NamedTuple):
    name: str
    districts: tuple[str, ...]  # GSS codes covered


PILOT_LEAD_CENTRE = "Ashford Volunteer Centre"

CENTRES: tuple[Centre, ...] = (
    Centre("Ashford Volunteer Centre", ("E07000105",)),
    Centre("Canterbury and Coastal Volunteer Centre", ("E07000106",)),
    Centre("Dartford Volunteer Centre", ("E07000107",)),
    Centre("Dover District Volunteer Centre", ("E07000108",)),
    Centre("Gravesham Volunteer Centre", ("E07000109",)),
    Centre("Maidstone Volunteer Centre", ("E07000110",)),
    Centre("Sevenoaks District Volunteer Centre", ("E07000111",)),
    Centre("Folkestone and Hythe Volunteer Centre", ("E07000112",)),
    Centre("Swale Volunteer Centre", ("E07000113",)),
    Centre("Thanet Volunteer Centre", ("E07000114",)),
    Centre("Tonbridge and Malling Volunteer Centre", ("E07000115",)),
    Centre("Tunbridge Wells Volunteer Centre", ("E07000116",)),
    Centre("Medway Volunteer Centre", (MEDWAY_GSS,)),
)
