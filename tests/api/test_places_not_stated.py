"""A role whose number of places its source did not state (an imported role): the pages and the
API say "not stated", and it is never treated as full."""

from __future__ import annotations

from brokerage.roles import service as roles_service


def test_places_not_stated_are_shown_as_such_and_never_fill_the_role(client, factory, db):
    org = factory.organisation()
    role = factory.role(org, places=None)
    page = client.get(f"/opportunities/{role.id}")
    assert page.status_code == 200 and "Not stated" in page.text
    assert client.get(f"/roles/{role.id}").json()["places_available"] is None
    for _ in range(3):  # placements start and end; the role stays open with its places unknown
        roles_service.take_place(db, role.id, None)
    roles_service.give_back_place(db, role.id, None)
    db.refresh(role)
    assert role.status == "published" and role.places_available is None
