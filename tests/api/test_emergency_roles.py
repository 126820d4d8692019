"""The standard's requiresEmergencyParticipation on the role API: given when a role is added or
changed (it belongs to the role's activity), shown on every role, and a filter of the role list,
answered the same from the database (staff) and from the in-memory catalogue (the public)."""

from __future__ import annotations

from brokerage.models import Activity
from tests.factories import ASHFORD


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["items"]}


def test_a_role_says_whether_it_requires_emergency_participation_in_and_out(client, factory, db, as_user, time_passes):
    factory.centre(districts=(ASHFORD,), is_lead=True)
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    body = {
        "organisation_id": org.id,
        "title": "Flood warden",
        "description": "Check on neighbours and help fill sandbags when the river rises.",
        "slots": ["SaturdayMorning"],
        "requires_emergency_participation": True,
    }
    r = client.post("/roles", json=body, headers=as_user(manager))
    assert r.status_code == 201, r.text
    flood = r.json()
    assert flood["requires_emergency_participation"] is True
    assert db.get(Activity, flood["activity_id"]).requires_emergency_participation is True
    plain = client.post(
        "/roles", json={**body, "title": "Library helper", "requires_emergency_participation": None}, headers=as_user(manager)
    )
    assert plain.status_code == 201 and plain.json()["requires_emergency_participation"] is False
    assert client.get(f"/roles/{flood['id']}", headers=as_user(manager)).json()["requires_emergency_participation"] is True
    # the database's answer (staff see drafts too)
    assert flood["id"] in _ids(client.get("/roles?emergency=true", headers=as_user(staff)))
    assert plain.json()["id"] not in _ids(client.get("/roles?emergency=true", headers=as_user(staff)))
    assert flood["id"] not in _ids(client.get("/roles?emergency=false", headers=as_user(staff)))
    # published, the public's answer comes from the catalogue and agrees
    for role in (flood, plain.json()):
        assert client.post(f"/roles/{role['id']}/status", json={"status": "published"}, headers=as_user(staff)).status_code == 200
    time_passes(5)
    assert {flood["id"], plain.json()["id"]} & _ids(client.get("/roles?emergency=true&page_size=200")) == {flood["id"]}
    assert {flood["id"], plain.json()["id"]} & _ids(client.get("/roles?emergency=false&page_size=200")) == {plain.json()["id"]}
    # changing it
    changed = client.patch(f"/roles/{flood['id']}", json={"requires_emergency_participation": False}, headers=as_user(manager))
    assert changed.status_code == 200 and changed.json()["requires_emergency_participation"] is False
    bad = client.get("/roles?emergency=perhaps")
    assert bad.status_code == 422 and bad.json()["error"]["status"] == 422
