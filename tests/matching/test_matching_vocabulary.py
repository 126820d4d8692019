import csv
from pathlib import Path

import pytest

from matching import default_vocabulary

TAX = Path(__file__).resolve().parents[2] / "brokerage" / "data" / "taxonomy"
REQUIRED_IDS = """befriending driving minibus-driving gardening fundraising trustee-governance charity-retail admin
data-entry it-support digital-skills-help web-design coaching mentoring sports-coaching teaching-tutoring youth-work
catering cooking diy cleaning translation british-sign-language first-aid event-planning marketing-social-media
photography finance-bookkeeping legal-advice listening-support care-support animal-care dog-walking conservation
music arts-crafts customer-service reception warehouse-logistics advocacy campaigning counselling research
writing-editing hr-recruitment project-management""".split()


def rows():
    with open(TAX / "skill_vocabulary.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_vocabulary_columns_ids_and_standard_skills():
    rs = rows()
    assert list(rs[0].keys()) == ["id", "label", "group", "synonyms", "standard_label"]
    ids = [r["id"] for r in rs]
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)
    assert not set(REQUIRED_IDS) - set(ids)
    with open(TAX / "skills.csv", newline="", encoding="utf-8") as f:
        standard = {r["label"] for r in csv.DictReader(f)}
    assert len(standard) == 41
    assert {r["standard_label"] for r in rs if r["standard_label"]} == standard
    fa = next(r for r in rs if r["id"] == "first-aid")
    assert fa["label"] == "Basic first aid knowledge" == fa["standard_label"]
    syn = fa["synonyms"].split("|")
    assert {"first-aider", "first aider", "St John Ambulance trained"} <= set(syn)


def test_notes_have_attribution():
    text = (TAX / "skill_vocabulary.NOTES.md").read_text(encoding="utf-8")
    assert "Open Government Licence" in text and "ESCO" in text and "European Commission" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("first-aider", {"first-aid"}),
        ("I'm a qualified first aider", {"first-aid"}),
        ("St John Ambulance trained", {"first-aid"}),
        ("can drive a minibus", {"minibus-driving"}),
        ("good with computers", {"basic-it-skills"}),
        ("dog walker and bookkeeping", {"dog-walking", "finance-bookkeeping"}),
        ("BSL level 2", {"british-sign-language"}),
    ],
)
def test_free_text_lands_on_the_right_skill(text, expected):
    v = default_vocabulary()
    got = {v.skill_ids[i] for i, s in v.skill_strengths_from_text(text).items() if s >= 0.85}
    assert expected <= got


def test_typos_of_long_words_are_read_weakly():
    v = default_vocabulary()
    got = {v.skill_ids[r.skill]: r.strength for r in v.read_skills("love gardning, befreinding")}
    assert got == {"gardening": 0.7, "befriending": 0.7}


def test_resolve_labels_and_synonyms():
    v = default_vocabulary()
    assert v.skill_ids[v.resolve_skill("Basic first aid knowledge")] == "first-aid"
    assert v.skill_ids[v.resolve_skill("minibus driver")] == "minibus-driving"
    assert v.cause_ids[v.resolve_cause("older people")] == "OlderPeople"
    assert v.resolve_skill("quantum chromodynamics") is None
