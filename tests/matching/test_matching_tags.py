import pytest

from matching import suggest_tags


def ids(title, description=""):
    return [t.id for t in suggest_tags(title, description)]


@pytest.mark.parametrize(
    "title, description, expected",
    [
        ("Befriender for isolated older people in Ashford", "", {"befriending", "OlderPeople"}),
        ("Minibus driver for day centre", "", {"minibus-driving"}),
        ("Charity shop volunteer", "Help on the till and sort donations in our Folkestone shop", {"charity-retail"}),
        ("Conservation volunteer", "Hedge laying and scrub clearance on the nature reserve", {"conservation", "Environment"}),
        (
            "Homework club helper",
            "Support children with reading and maths after school",
            {"teaching-tutoring", "YouthAndChildren"},
        ),
        ("Treasurer", "Join our board of trustees as treasurer", {"trustee-governance"}),
        ("Dog walker", "Walk dogs at our rescue centre near Maidstone", {"dog-walking", "AnimalWelfare"}),
        ("Food bank warehouse volunteer", "Sort and pack food parcels", {"warehouse-logistics", "AntiPoverty"}),
        ("Gardning volunteer", "", {"gardening"}),
    ],
)
def test_realistic_listings(title, description, expected):
    got = ids(title, description)
    assert expected <= set(got), got


def test_ranked_with_confidence_and_labels():
    res = suggest_tags("Minibus driver for day centre", "Drive our accessible minibus. D1 licence needed.")
    assert res[0].id == "minibus-driving" and res[0].label == "Minibus driving" and res[0].kind == "skill"
    confs = [t.confidence for t in res]
    assert confs == sorted(confs, reverse=True) and all(0 < c <= 1 for c in confs)
    skills = [t.id for t in res if t.kind == "skill"]
    assert skills.index("minibus-driving") < skills.index("driving")


def test_nothing_for_empty_text():
    assert suggest_tags("", "") == []
