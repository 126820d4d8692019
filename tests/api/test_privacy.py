"""Personal data as a UK public-sector partner handles it: equality information is optional, seen
only by the volunteer, never logged and never in the audit trail; staff access is audited."""

from __future__ import annotations

import logging

from brokerage.models import User
from tests.factories import ASHFORD


def test_equality_information_is_private_and_never_logged(client, factory, as_user, db, caplog):
    caplog.set_level(logging.DEBUG)
    centre = factory.centre(districts=(ASHFORD,))
    staff = factory.user("centre_staff", centre=centre)
    admin = factory.user("admin")
    v = factory.volunteer(ASHFORD)
    me = as_user(db.get(User, v.user_id))
    body = {"demographics": {"ethnicity": "mixed", "disability": "yes", "gender": "non_binary"}}
    r = client.patch(f"/volunteers/{v.id}", json=body, headers=me)
    assert r.status_code == 200 and r.json()["demographics"]["ethnicity"] == "mixed"
    # Staff see the record but not the equality answers, and cannot write them.
    seen = client.get(f"/volunteers/{v.id}", headers=as_user(staff)).json()
    assert seen["demographics"] is None
    assert client.patch(f"/volunteers/{v.id}", json=body, headers=as_user(staff)).status_code == 403
    # "prefer not to say" is a first-class answer.
    assert (
        client.patch(f"/volunteers/{v.id}", json={"demographics": {"ethnicity": "prefer_not_to_say"}}, headers=me).status_code
        == 200
    )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "mixed" not in logged and "non_binary" not in logged
    audit = client.get("/audit-log", headers=as_user(admin)).json()["items"]
    assert {"volunteer.view"} <= {a["action"] for a in audit}
    assert all("mixed" not in str(a["detail"]) and "ethnicity" not in str(a["detail"]) for a in audit)


def test_erasure_keeps_anonymous_aggregates(client, factory, as_user, db):
    from datetime import date

    from brokerage.models import HoursEntry, Placement, Volunteer

    org = factory.organisation(ASHFORD)
    role = factory.role(org)
    v = factory.volunteer(ASHFORD, dob=date(2004, 3, 9), phone="07700 900123", gender="woman", ethnicity="asian")
    placement = Placement(volunteer_id=v.id, role_id=role.id, organisation_id=org.id, started_on=date(2026, 1, 5))
    db.add(placement)
    db.flush()
    db.add(HoursEntry(placement_id=placement.id, volunteer_id=v.id, worked_on=date(2026, 1, 12), hours=3, status="approved"))
    db.commit()
    user_id = v.user_id
    me = as_user(db.get(User, user_id))
    assert client.delete(f"/volunteers/{v.id}", headers=me).status_code == 204
    db.expire_all()
    gone = db.get(Volunteer, v.id)
    assert gone.status == "erased" and gone.email is None and gone.phone is None and gone.first_name == "Erased"
    assert gone.ethnicity is None and gone.gender is None and gone.postcode == "TN23"
    assert gone.date_of_birth.year == 2004  # the age band still counts
    assert gone.user_id is None and db.get(User, user_id) is None
    assert db.query(HoursEntry).filter_by(volunteer_id=v.id).count() == 1  # the hours still count
    assert client.get(f"/volunteers/{v.id}", headers=me).status_code == 401  # the account is gone
