"""The demo county generator: real Kent geography, plausible content, deterministic by seed."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from brokerage import db as dbmod
from brokerage.models import Centre, HoursEntry, Organisation, Referral, Role, User, Volunteer
from tests.conftest import sqlite_engine_for_tests


def _seed_into(migrated_sqlite, path, seed):
    from brokerage.seed.generate import seed as run_seed

    engine = migrated_sqlite(path)
    dbmod.set_engine(engine)
    try:
        result = run_seed(scale="tiny", seed=seed, progress=False, today=date(2026, 11, 23))
        with dbmod.session_scope() as s:
            digest = hashlib.sha256(
                repr(
                    s.execute(
                        select(
                            Volunteer.first_name, Volunteer.last_name, Volunteer.postcode, Volunteer.availability_mask
                        ).order_by(Volunteer.id)
                    ).all()
                ).encode()
            ).hexdigest()
            facts = {
                "centres": s.scalar(select(func.count(Centre.id))),
                "lead": s.scalar(select(Centre.name).where(Centre.is_lead)),
                "roles": s.scalar(select(func.count(Role.id))),
                "published": s.scalar(select(func.count(Role.id)).where(Role.status == "published")),
                "outside_kent_orgs": s.scalar(select(func.count(Organisation.id)).where(Organisation.district_gss.is_(None))),
                "referrals": s.scalar(select(func.count(Referral.id))),
                "hours": s.scalar(select(func.count(HoursEntry.id))),
                "demo_logins": set(s.scalars(select(User.email).where(User.email.like("%@demo.example.org")))),
                "districts": set(s.scalars(select(Volunteer.district_gss).distinct())),
            }
        return result, digest, facts
    finally:
        dbmod.set_engine(None)
        engine.dispose()


def test_seed_is_deterministic_and_realistic(tmp_path, migrated_sqlite):
    r1, d1, f1 = _seed_into(migrated_sqlite, tmp_path / "a.sqlite3", 7)
    _, d2, _ = _seed_into(migrated_sqlite, tmp_path / "b.sqlite3", 7)
    _, d3, _ = _seed_into(migrated_sqlite, tmp_path / "c.sqlite3", 8)
    assert d1 == d2 and d1 != d3
    assert f1["centres"] == 13 and f1["lead"] == "Ashford Volunteer Centre"
    assert f1["roles"] == 90 and f1["published"] > 50
    assert f1["outside_kent_orgs"] == 0
    assert f1["referrals"] > 50 and f1["hours"] > 100
    assert len(f1["demo_logins"]) == 6
    assert len(f1["districts"] - {"OUTSIDE"}) >= 10  # people all over Kent and Medway
    assert "volunteers" in r1.summary()


def test_seed_refuses_to_double_load(tmp_path, migrated_sqlite):
    from brokerage.seed.generate import seed as run_seed

    _seed_into(migrated_sqlite, tmp_path / "d.sqlite3", 1)
    engine = sqlite_engine_for_tests(str(tmp_path / "d.sqlite3"))
    dbmod.set_engine(engine)
    try:
        with pytest.raises(SystemExit):
            run_seed(scale="tiny", seed=1, progress=False)
    finally:
        dbmod.set_engine(None)
        engine.dispose()


def test_every_centre_has_guidance_and_training_in_the_demo(tmp_path, migrated_sqlite):
    from brokerage.models import GuidanceResource, TrainingBooking, TrainingEvent
    from brokerage.seed.generate import seed as run_seed

    engine = migrated_sqlite(tmp_path / "g.sqlite3")
    dbmod.set_engine(engine)
    try:
        run_seed(scale="tiny", seed=3, progress=False, today=date(2026, 11, 23))
        with dbmod.session_scope() as s:
            centres = s.scalar(select(func.count(Centre.id)))
            published = dict(
                s.execute(
                    select(GuidanceResource.centre_id, func.count())
                    .where(GuidanceResource.status == "published")
                    .group_by(GuidanceResource.centre_id)
                ).all()
            )
            events = dict(s.execute(select(TrainingEvent.centre_id, func.count()).group_by(TrainingEvent.centre_id)).all())
            due = s.scalar(select(func.count()).where(GuidanceResource.review_on < date(2026, 11, 23)))
            bookings = s.scalar(select(func.count(TrainingBooking.id)))
    finally:
        dbmod.set_engine(None)
        engine.dispose()
    assert len(published) == centres and min(published.values()) >= 3
    assert len(events) == centres and set(events.values()) == {2}
    assert due == centres  # one per centre for its staff to check
    assert bookings > centres
