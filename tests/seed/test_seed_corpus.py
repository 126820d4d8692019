import csv
import random
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from brokerage.geo import default_gazetteer, is_full_postcode
from brokerage.seed import corpus as c

ROOT = Path(__file__).resolve().parents[2]
TAXONOMY_CAUSES = {row["id"] for row in csv.DictReader(open(ROOT / "brokerage/data/taxonomy/causes.csv", encoding="utf-8-sig"))}
# The skill vocabulary agreed with the engineer writing brokerage's skill list.
AGREED_SKILLS = set(
    "befriending driving minibus-driving gardening fundraising trustee-governance charity-retail admin "
    "data-entry it-support digital-skills-help web-design coaching mentoring sports-coaching "
    "teaching-tutoring youth-work catering cooking diy cleaning translation british-sign-language "
    "first-aid event-planning marketing-social-media photography finance-bookkeeping legal-advice "
    "listening-support care-support animal-care dog-walking conservation music arts-crafts "
    "customer-service reception warehouse-logistics advocacy campaigning counselling research "
    "writing-editing hr-recruitment project-management".split()
)
KENT = set(c.DISTRICTS)
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


def _example_host(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def _county(seed: int, n_orgs=60, n_roles=300, n_vols=300):
    rng = random.Random(seed)
    taken: set[str] = set()
    orgs = [c.organisation(rng, c.DISTRICTS[i % 13], taken=taken) for i in range(n_orgs)]
    roles = [c.role_from_template(rng, orgs[i % n_orgs]) for i in range(n_roles)]
    vols = [c.volunteer(rng, serial=i) for i in range(n_vols)]
    return orgs, roles, vols


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_county():
    assert _county(42) == _county(42)


def test_different_seed_different_county():
    assert _county(1)[2] != _county(2)[2]


def test_no_hidden_global_randomness():
    random.seed(1)
    a = c.person(random.Random(5))
    random.seed(2)
    b = c.person(random.Random(5))
    assert a == b


# --------------------------------------------------------------------------- vocabularies


def test_vocabularies_match_the_taxonomy_and_agreed_skills():
    assert set(c.CAUSE_IDS) == TAXONOMY_CAUSES
    assert set(c.SKILL_IDS) == AGREED_SKILLS
    assert len(c.SKILL_IDS) == len(AGREED_SKILLS)
    assert set(c.SKILL_PHRASES) == AGREED_SKILLS


def test_role_templates():
    templates = c.ROLE_TEMPLATES
    assert len(templates) >= 60
    assert len({t.id for t in templates}) == len(templates)
    assert sum(t.one_off for t in templates) >= 5
    assert {m for t in templates for m, _ in t.modes} == {"in_person", "remote", "hybrid"}
    assert {t.dbs for t in templates} == {0, 1, 2, 3}
    for t in templates:
        assert set(t.required_skills) <= AGREED_SKILLS, t.id
        assert set(t.desired_skills) <= AGREED_SKILLS, t.id
        assert t.required_skills, t.id
        assert set(t.causes) <= TAXONOMY_CAUSES, t.id
        assert 3 <= _sentences(t.description) <= 5, t.id
        assert 16 <= t.min_age <= 25
        assert 0 <= t.dbs <= 3
        assert t.slots and all(0 <= b < 21 for b in t.slots)
        assert 1 <= t.n_slots[0] <= t.n_slots[1]
        assert 0 < t.hours[0] <= t.hours[1] <= 12
        assert t.commitment
        if t.dbs == 3:
            assert t.min_age >= 16
    # every cause has at least one role template, and every skill is required somewhere
    assert {x for t in templates for x in t.causes} == TAXONOMY_CAUSES
    assert {s for t in templates for s in t.required_skills} == AGREED_SKILLS


def test_generated_ids_exist():
    orgs, roles, vols = _county(3, n_orgs=300, n_roles=2000, n_vols=2000)
    for o in orgs:
        assert o["causes"] and set(o["causes"]) <= TAXONOMY_CAUSES
    for r in roles:
        assert set(r["causes"]) <= TAXONOMY_CAUSES
        assert set(r["required_skills"]) <= AGREED_SKILLS
        assert set(r["desired_skills"]) <= AGREED_SKILLS
    for v in vols:
        assert v["skills"] and set(v["skills"]) <= AGREED_SKILLS
        assert v["causes"] and set(v["causes"]) <= TAXONOMY_CAUSES
    # a large sample reaches most templates
    assert len({r["template_id"] for r in roles}) >= 60


# --------------------------------------------------------------------------- people


def test_person_shape_and_contact_details():
    rng = random.Random(11)
    emails = set()
    for i in range(3000):
        p = c.person(rng, serial=i)
        assert p["first_name"] in c.FIRST_NAMES and p["last_name"] in c.SURNAMES
        assert p["full_name"] == f"{p['first_name']} {p['last_name']}"
        local, _, domain = p["email"].partition("@")
        assert domain in EXAMPLE_DOMAINS
        assert re.fullmatch(r"[a-z0-9._]+", local), p["email"]
        assert re.fullmatch(r"07700 900\d{3}", p["phone"])
        assert 16 <= p["age"] <= 85
        assert isinstance(p["date_of_birth"], date)
        assert p["gender"] in ("woman", "man", "non_binary", "other", "prefer_not_to_say")
        assert p["ethnicity"] in ("asian", "black", "mixed", "white", "other", "prefer_not_to_say")
        assert p["disability"] in ("yes", "no", "prefer_not_to_say")
        assert is_full_postcode(p["postcode"])
        emails.add(p["email"])
    assert len(emails) == 3000  # distinct serials give distinct addresses


def test_emails_unique_with_serials_at_scale():
    rng = random.Random(0)
    first, last = "Ann", "O'Brien"
    # even the same name over and over gives distinct addresses
    emails = {c.email_address(rng, first, last, serial=i) for i in range(20000)}
    assert len(emails) == 20000
    assert all(e.split("@")[1] in EXAMPLE_DOMAINS for e in emails)


def test_non_ascii_names_make_ascii_emails():
    e = c.email_address(random.Random(1), "João", "Wiśniewski", serial=1)
    assert e.isascii() and ("joao" in e or "wisniewski" in e)


def test_age_distribution_has_young_and_retirement_bumps():
    rng = random.Random(5)
    ages = [c.random_age(rng) for _ in range(40000)]
    assert min(ages) >= 16 and max(ages) <= 85

    def per_year(lo, hi):
        return sum(lo <= a <= hi for a in ages) / (hi - lo + 1)

    assert per_year(16, 24) > 1.5 * per_year(30, 44)
    assert per_year(55, 75) > 1.5 * per_year(30, 44)
    assert per_year(80, 85) < per_year(60, 70)


def test_date_of_birth_matches_age():
    rng = random.Random(9)
    for age in (16, 24, 55, 85):
        for _ in range(50):
            dob = c.date_of_birth(rng, age, as_of=date(2026, 11, 23))
            assert c._age_on(dob, date(2026, 11, 23)) == age


def test_places_agree_with_the_gazetteer():
    gaz = default_gazetteer()
    for gss, towns in c.TOWNS.items():
        for town in towns:
            for code in c.TOWN_OUTCODES[town]:
                assert gaz.outcode(code).district_gss == gss, (town, code)
    rng = random.Random(4)
    outside = 0
    for _ in range(2000):
        p = c.place(rng, outside_share=0.05)
        loc = gaz.locate(p["postcode"])
        assert loc.district_gss == p["district_gss"]
        assert abs(loc.latitude - p["latitude"]) < 0.02 and abs(loc.longitude - p["longitude"]) < 0.03
        outside += p["district_gss"] is None
    assert 40 < outside < 170


def test_districts_weighted_by_population():
    rng = random.Random(8)
    counts = {g: 0 for g in c.DISTRICTS}
    for _ in range(26000):
        counts[c.choose_district(rng)] += 1
    assert counts["E06000035"] == max(counts.values())  # Medway is the largest


# --------------------------------------------------------------------------- organisations


def test_organisations():
    rng = random.Random(21)
    taken: set[str] = set()
    orgs = [c.organisation(rng, c.DISTRICTS[i % 13], taken=taken) for i in range(1500)]
    assert len({o["name"] for o in orgs}) == 1500
    assert len({o["website"] for o in orgs}) == 1500
    types = {o["organisation_type"] for o in orgs}
    assert types == set(c.ORGANISATION_TYPES)
    for o in orgs:
        assert o["district_gss"] in KENT
        assert o["town"] in c.TOWNS[o["district_gss"]]
        assert 2 <= _sentences(o["description"]) <= 3
        assert o["description"].startswith(o["name"])
        url = urlparse(o["website"])
        assert url.scheme == "https" and _example_host(url.hostname)
        assert _example_host(o["contact_email"].split("@")[1])
        assert re.fullmatch(r"07700 900\d{3}", o["contact_phone"])
        t = o["organisation_type"]
        if t in ("registered_charity", "cio"):
            assert o["charity_registrar"] == "ccew"
            assert re.fullmatch(r"\d{6,7}(-\d)?", o["charity_number"])
        if t == "cio":
            assert re.fullmatch(r"1[12]\d{5}", o["charity_number"]) and o["company_number"] is None
        if t == "cic":
            assert o["name"].endswith(" CIC")
            assert o["charity_registrar"] == "companies_house"
            assert re.fullmatch(r"\d{8}", o["company_number"]) and o["charity_number"] == o["company_number"]
        if t == "community_group":
            assert o["charity_number"] is None and o["company_number"] is None
        if o["company_number"] is not None:
            assert re.fullmatch(r"\d{8}", o["company_number"])
    share = sum(o["struggling_to_recruit"] for o in orgs) / len(orgs)
    assert 0.3 < share < 0.6


def test_brief_examples_are_reachable():
    names = set()
    rng = random.Random(0)
    for i in range(20000):
        names.add(c.organisation(rng, c.DISTRICTS[i % 13])["name"])
    for example in ("Ashford Foodbank", "Friends of Dover Castle Gardens", "Thanet Youth Music CIC", "Swale Befriending Scheme"):
        assert example in names


def test_unknown_district_is_an_error():
    with pytest.raises(ValueError):
        c.organisation(random.Random(1), "E09000001")


# --------------------------------------------------------------------------- roles


def test_roles():
    orgs, roles, _ = _county(13, n_orgs=200, n_roles=3000, n_vols=0)
    by_name = {o["name"]: o for o in orgs}
    modes = set()
    for r in roles:
        o = by_name[r["organisation_name"]]
        assert r["title"] and 3 <= _sentences(r["description"]) <= 5
        assert "{" not in r["commitment"]
        assert 0 < r["hours_per_week"] <= 12
        assert 0 < r["slot_mask"] < 1 << 21
        assert r["slots"] == c.mask_slots(r["slot_mask"])
        assert r["mode"] in ("in_person", "remote", "hybrid")
        modes.add(r["mode"])
        assert r["dbs_level"] == c.DBS_LEVELS[r["dbs_rank"]]
        assert r["minimum_age"] >= 16
        assert r["places_available"] >= 1
        assert r["district_gss"] == o["district_gss"]
        if r["mode"] == "remote":
            assert r["postcode"] is None and r["latitude"] is None
        else:
            assert r["postcode"] == o["postcode"] and r["latitude"] is not None
        if r["dbs_rank"] == 3:
            assert "DBS Check" in r["requirements"]
    assert modes == {"in_person", "remote", "hybrid"}
    assert 0.03 < sum(r["one_off"] for r in roles) / len(roles) < 0.3
    # most roles share a cause with their organisation
    shared = sum(bool(set(r["causes"]) & set(by_name[r["organisation_name"]]["causes"])) for r in roles)
    assert shared / len(roles) > 0.6


def test_role_from_named_template():
    org = c.organisation(random.Random(2), "E07000105")
    r = c.role_from_template(random.Random(3), org, "minibus-driver")
    assert r["title"] == "Community Minibus Driver"
    assert r["required_skills"] == ["minibus-driving"]
    assert "Driving Licence" in r["requirements"] and r["minimum_age"] == 25


# --------------------------------------------------------------------------- volunteers


def test_slot_bits():
    assert c.slot_bit(0, c.MORNING) == 0
    assert c.slot_bit(6, c.EVENING) == 20
    assert c.SLOT_IDS[0] == "MondayMorning" and c.SLOT_IDS[20] == "SundayEvening"
    assert c.mask_slots(c.slot_mask((5,), (c.MORNING, c.AFTERNOON))) == ["SaturdayMorning", "SaturdayAfternoon"]
    rows = list(csv.DictReader(open(ROOT / "brokerage/data/taxonomy/time_slots.csv")))
    assert [r["id"] for r in rows] == list(c.SLOT_IDS)


def test_availability_patterns():
    rng = random.Random(17)
    weekday_day = c.slot_mask(c.WEEKDAYS, (c.MORNING, c.AFTERNOON))
    evenings_weekends = c.slot_mask(c.WEEKDAYS, (c.EVENING,)) | c.slot_mask(c.WEEKEND, (0, 1, 2))

    def share(stage, region):
        masks = [c.availability_mask(rng, stage) for _ in range(3000)]
        assert all(0 < m < 1 << 21 for m in masks)
        on = sum(bin(m & region).count("1") for m in masks)
        return on / sum(bin(m).count("1") for m in masks)

    assert share("retired", weekday_day) > 0.7
    assert share("working", evenings_weekends) > 0.7
    s = share("student", evenings_weekends)
    assert 0.5 < s < 0.95  # students: mostly evenings and weekends, some daytime


def test_volunteer_profiles():
    rng = random.Random(23)
    radii, modes, stages, dbs = [], set(), set(), set()
    for i in range(3000):
        v = c.volunteer(rng, serial=i)
        assert 16 <= v["age"] <= 85
        assert 1 <= v["travel_radius_miles"] <= 30
        radii.append(v["travel_radius_miles"])
        assert v["mode"] in ("in_person", "remote", "either")
        assert v["preference"] in ("one_off", "regular", "either")
        assert 0 < v["availability_mask"] < 1 << 21
        assert v["dbs_level"] in c.DBS_LEVELS and c.DBS_LEVELS.index(v["dbs_level"]) == v["dbs_rank"]
        assert v["max_hours_per_week"] > 0
        if v["age"] < 18:
            assert v["dbs_rank"] < 3
            assert v["life_stage"] != "retired"
        if "minibus-driving" in v["skills"] or "driving" in v["skills"]:
            assert v["driving_licence"]
        assert isinstance(v["skills_text"], str)
        modes.add(v["mode"])
        stages.add(v["life_stage"])
        dbs.add(v["dbs_rank"])
    assert modes == {"in_person", "remote", "either"}
    assert stages == {"student", "working", "retired"}
    assert dbs == {0, 1, 2, 3}
    radii.sort()
    assert 3 <= radii[len(radii) // 2] <= 15


def test_skills_text_is_free_text():
    rng = random.Random(1)
    text = c.skills_text(rng, ["first-aid", "minibus-driving", "data-entry"] * 3)
    assert text.endswith(".") and text[0].isupper()
    phrases = {p for s in ("first-aid", "minibus-driving", "data-entry") for p in c.SKILL_PHRASES[s]}
    assert any(p.lower() in text.lower() for p in phrases)
    assert "first-aider" in c.SKILL_PHRASES["first-aid"]
    assert "can drive a minibus" in c.SKILL_PHRASES["minibus-driving"]
    assert "good with spreadsheets" in c.SKILL_PHRASES["data-entry"]


# --------------------------------------------------------------------------- centres


def test_centres():
    assert len(c.CENTRES) == 13
    covered = [g for centre in c.CENTRES for g in centre.districts]
    assert sorted(covered) == sorted(KENT) and len(set(covered)) == 13
    names = [centre.name for centre in c.CENTRES]
    assert len(set(names)) == 13
    assert c.PILOT_LEAD_CENTRE == "Ashford Volunteer Centre" in names
    name, districts = c.CENTRES[0]  # plain (name, district GSS codes) tuples
    assert name == "Ashford Volunteer Centre" and districts == ("E07000105",)


# --------------------------------------------------------------------------- no real domains


def test_no_real_domains_anywhere():
    orgs, roles, vols = _county(99, n_orgs=200, n_roles=500, n_vols=1000)
    text = repr((orgs, roles, vols))
    hosts = re.findall(r"(?:@|https?://)([A-Za-z0-9.-]+)", text)
    assert hosts
    assert all(_example_host(h.lower()) for h in hosts), {h for h in hosts if not _example_host(h.lower())}
    assert not re.search(r"\.(co\.uk|org\.uk|gov\.uk|nhs\.uk|io)\b", text)


def test_skill_ids_exist_in_the_shipped_skill_vocabulary():
    path = ROOT / "brokerage/data/taxonomy/skill_vocabulary.csv"
    if not path.exists():
        pytest.skip("skill vocabulary not shipped yet")
    ids = {row["id"] for row in csv.DictReader(open(path, encoding="utf-8-sig"))}
    assert set(c.SKILL_IDS) <= ids, set(c.SKILL_IDS) - ids
