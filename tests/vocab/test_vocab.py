"""Each vocabulary is declared once: the API accepts exactly its codes and people read its labels."""

from __future__ import annotations

from typing import Literal

import pytest

from brokerage.vocab import Vocabulary, dbs, hours, modes, organisations, placements, referrals, roles, shifts, users, volunteers

VOCABULARIES = [
    dbs.DBS_LEVEL,
    hours.HOURS_STATUS,
    modes.ROLE_MODE,
    modes.VOLUNTEER_MODE,
    organisations.ORGANISATION_TYPE,
    organisations.REGISTRAR,
    organisations.VERIFICATION_STATUS,
    placements.EXIT_REASON,
    placements.SATISFACTION,
    referrals.REFERRAL_STATUS,
    roles.ROLE_STATUS,
    shifts.BOOKING_STATUS,
    users.USER_ROLE,
    volunteers.PREFERENCE,
    volunteers.NOTIFICATION_PREFERENCE,
    volunteers.VOLUNTEER_STATUS,
    volunteers.GENDER,
    volunteers.ETHNICITY,
    volunteers.DISABILITY,
    volunteers.EMPLOYMENT_STATUS,
]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.name)
def test_every_code_has_words_a_person_reads(vocabulary: Vocabulary):
    assert vocabulary.codes
    for code in vocabulary.codes:
        label = vocabulary.label(code)
        assert label and label != code and "_" not in label


def test_a_vocabulary_whose_labels_miss_a_code_is_refused():
    with pytest.raises(ValueError, match="b"):
        Vocabulary("example", Literal["a", "b"], {"a": "A"})


def test_the_api_accepts_exactly_the_vocabularies_codes():
    from brokerage.app import create_app

    schemas = create_app().openapi()["components"]["schemas"]

    def enum(model: str, field: str) -> tuple[str, ...]:
        prop = schemas[model]["properties"][field]
        options = prop.get("anyOf", [prop])
        return tuple(next(o["enum"] for o in options if "enum" in o))

    assert enum("RoleCreate", "mode") == modes.ROLE_MODE.codes
    assert enum("RoleUpdate", "dbs_level") == dbs.DBS_LEVEL.codes
    assert enum("StatusChange", "status") == roles.ROLE_STATUS.codes
    assert enum("OrganisationCreate", "organisation_type") == organisations.ORGANISATION_TYPE.codes
    assert enum("ReferralTransition", "status") == referrals.REFERRAL_STATUS.codes


def test_seed_data_uses_the_same_organisation_types_and_dbs_levels():
    from brokerage.seed import corpus

    assert corpus.ORGANISATION_TYPES == organisations.ORGANISATION_TYPE.codes
    assert corpus.DBS_LEVELS == dbs.DBS_LEVEL.codes
    assert list(dbs.DBS_RANK) == list(dbs.DBS_LEVEL.codes)
