"""An invitation to a volunteer with no account: its email links to a signed, expiring link that opens
the invitation without signing in; answering there follows the same rules as on the volunteer's own
page; the link can set up an account for the record (its email address); a link that was altered,
has expired or belongs to an old email address opens a readable page with what to do instead."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from brokerage.config import get_settings
from brokerage.errors import Conflict
from brokerage.invitations import service as invitations_service
from brokerage.models import Invitation, Referral, User
from brokerage.volunteers import service as volunteers_service
from tests.factories import ASHFORD


@pytest.fixture
def db(pg_db):
    return pg_db


def _invited(client, factory, db, as_user, *, with_user: bool):
    org = factory.organisation(ASHFORD, name="Ashford Larder")
    manager = factory.user("organisation_manager", organisations=(org,))
    role = factory.role(org, title="Larder helper", causes=("AntiPoverty",), slot_mask=(1 << 21) - 1)
    v = factory.volunteer(ASHFORD, causes=("AntiPoverty",), with_user=with_user, email=f"sam.{with_user}@example.net")
    r = client.post("/invitations", json={"role_id": role.id, "volunteer_id": v.id}, headers=as_user(manager))
    assert r.status_code == 201, r.text
    return db.get(Invitation, r.json()["id"]), v, role


def test_the_email_links_an_account_holder_to_their_page_and_anyone_else_to_a_signed_link(client, factory, db, as_user):
    invitation, v, _role = _invited(client, factory, db, as_user, with_user=True)
    assert invitations_service.email_link(invitation, v) == f"/my/invitations/{invitation.id}"
    invitation, v, role = _invited(client, factory, db, as_user, with_user=False)
    link = invitations_service.email_link(invitation, v)
    assert link.startswith("/invited/")
    page = client.get(link)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Larder helper" in page.text and "Ashford Larder invited you" in page.text
    assert "Set up an account" in page.text and v.email in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


def test_answering_by_the_link_makes_the_referral_and_the_account_claims_the_record(client, factory, db, as_user):
    invitation, v, role = _invited(client, factory, db, as_user, with_user=False)
    linked = invitations_service.from_link(db, invitations_service.email_link(invitation, v).rsplit("/", 1)[1])
    assert linked is not None and linked.volunteer.id == v.id
    answered, ref = invitations_service.answer_by_link(db, linked, True)
    assert answered.status == "interested" and ref is not None and ref.volunteer_id == v.id
    assert db.get(Referral, ref.id).created_by_id is None  # no account did it
    with pytest.raises(Conflict):
        invitations_service.answer_by_link(db, linked, False)  # answered once
    user = volunteers_service.claim_account(db, v, "a long enough password")
    assert v.user_id == user.id and user.email == v.email and user.role == "volunteer"
    with pytest.raises(Conflict):
        volunteers_service.claim_account(db, v, "a long enough password")
    signed_in = client.post("/auth/token", json={"email": v.email, "password": "a long enough password"})
    assert signed_in.status_code == 200
    mine = client.get("/invitations", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}).json()
    assert [(i["id"], i["status"]) for i in mine["items"]] == [(invitation.id, "interested")]


def test_an_email_already_in_use_by_an_account_is_not_claimed_twice(client, factory, db, as_user):
    invitation, v, _role = _invited(client, factory, db, as_user, with_user=False)
    factory.user("volunteer", email=v.email.upper())
    assert volunteers_service.email_has_account(db, v.email)
    with pytest.raises(Conflict):
        volunteers_service.claim_account(db, v, "a long enough password")
    assert db.scalar(select(User.id).where(User.email_normalised == v.email_normalised)) is not None and v.user_id is None


def test_an_altered_expired_or_stale_link_opens_a_readable_page(client, factory, db, as_user):
    invitation, v, role = _invited(client, factory, db, as_user, with_user=False)
    link = invitations_service.email_link(invitation, v)
    altered = client.get(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"))
    assert altered.status_code == 400 and altered.headers["content-type"].startswith("text/html")
    assert "This link does not work" in altered.text and "/sign-in" in altered.text
    assert client.get("/invited/x").status_code == 400
    settings = get_settings()
    keep, settings.invitation_link_max_age_seconds = settings.invitation_link_max_age_seconds, -1
    try:
        expired = client.get(link)
    finally:
        settings.invitation_link_max_age_seconds = keep
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert f'href="/opportunities/{role.id}"' in expired.text  # the role is still open: say you are interested there
    # the record's email address changed: the old link no longer speaks for it
    v.email, v.email_normalised = "sam.new@example.net", "sam.new@example.net"
    db.flush()
    stale = client.get(link)
    assert stale.status_code == 410 and "This link has expired" in stale.text
    assert invitations_service.from_link(db, link.rsplit("/", 1)[1]) is None
