"""Emergency call-outs through the API: volunteers opt in (where and when) and out, and only they,
centre staff and pilot leads see it; centre staff and pilot leads raise call-outs (an outbox event
and an audit row in the same transaction), volunteers and managers cannot raise or see them, a centre
is held to its hourly limit with a clear 429, and bad input is a clear 422. Choosing the batches:
opted-in adults whose area covers the place and whose times overlap, the wanted skills first, then
nearest first, no one twice; an answer link takes a place only while there is one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from brokerage.callouts import service
from brokerage.geo import locate
from brokerage.models import AuditLog, Callout, CalloutInvitation, OutboxMessage, User
from tests.factories import ASHFORD, CANTERBURY

ALL_WEEK = [
    f"{d}{p}"
    for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    for p in ("Morning", "Afternoon", "Evening")
]
MILE = 1 / 69.0  # degrees of latitude


@pytest.fixture
def db(pg_db):
    return pg_db


def _tonight() -> tuple[str, str]:
    start = (service.local_now() + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    return start.isoformat(), (start + timedelta(hours=5)).isoformat()


def _body(**kw) -> dict:
    start, end = _tonight()
    return {
        "title": "Rest centre at Ashford school",
        "postcode": "TN23 1AA",
        "starts_at": start,
        "ends_at": end,
        "needed": 3,
        **kw,
    }


def _user(db, v) -> User:
    return db.get(User, v.user_id)


def _cast(factory):
    centre = factory.centre(districts=(ASHFORD,))
    staff = factory.user("centre_staff", centre=centre)
    other_centre = factory.centre(districts=(CANTERBURY,))
    other_staff = factory.user("centre_staff", centre=other_centre)
    lead = factory.user("pilot_lead")
    org = factory.organisation(ASHFORD)
    manager = factory.user("organisation_manager", organisations=(org,))
    return centre, staff, other_staff, lead, manager


def test_a_volunteer_opts_in_and_out_and_only_they_staff_and_pilot_leads_see_it(client, factory, db, as_user):
    _centre, staff, other_staff, lead, manager = _cast(factory)
    v = factory.volunteer(ASHFORD)
    me = as_user(_user(db, v))
    assert client.get("/emergency/availability", headers=me).json()["opted_in"] is False
    r = client.put(
        "/emergency/availability",
        json={"district_codes": [ASHFORD], "radius_miles": 8, "slots": ["FridayEvening", "SaturdayMorning"]},
        headers=me,
    )
    assert r.status_code == 200, r.text
    assert r.json() | {"updated_at": None} == {
        "volunteer_id": v.id,
        "opted_in": True,
        "district_codes": [ASHFORD],
        "radius_miles": 8.0,
        "slots": ["FridayEvening", "SaturdayMorning"],
        "updated_at": None,
    }
    assert client.get(f"/emergency/availability/{v.id}", headers=as_user(staff)).json()["opted_in"] is True
    assert client.get(f"/emergency/availability/{v.id}", headers=as_user(lead)).json()["radius_miles"] == 8.0
    assert client.get(f"/emergency/availability/{v.id}", headers=as_user(other_staff)).status_code == 404
    assert client.get(f"/emergency/availability/{v.id}", headers=as_user(manager)).status_code == 403
    stranger = factory.volunteer(ASHFORD)
    assert client.get(f"/emergency/availability/{v.id}", headers=as_user(_user(db, stranger))).status_code == 404
    # staff cannot opt a volunteer in; a volunteer opts out
    assert (
        client.put(
            "/emergency/availability", json={"district_codes": [ASHFORD], "slots": ["FridayEvening"]}, headers=as_user(staff)
        ).status_code
        == 403
    )
    assert client.delete("/emergency/availability", headers=me).status_code == 204
    assert client.get("/emergency/availability", headers=me).json() == {
        "volunteer_id": v.id,
        "opted_in": False,
        "district_codes": [],
        "radius_miles": None,
        "slots": [],
        "updated_at": None,
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"district_codes": [], "slots": ["FridayEvening"]}, None),  # no area
        ({"district_codes": ["E99999999"], "slots": ["FridayEvening"]}, "district_codes"),
        ({"district_codes": [ASHFORD], "slots": []}, None),
        ({"district_codes": [ASHFORD], "slots": ["Caturday"]}, "slots"),
        ({"radius_miles": 500, "slots": ["FridayEvening"]}, None),
        ({"district_codes": [ASHFORD], "slots": ["FridayEvening"], "pets": True}, None),
    ],
)
def test_opting_in_with_bad_input_is_a_clear_422(client, factory, db, as_user, body, field):
    v = factory.volunteer(ASHFORD)
    r = client.put("/emergency/availability", json=body, headers=as_user(_user(db, v)))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["status"] == 422 and error["message"]
    if field:
        assert any((d.get("field") or "").split(".")[-1] == field for d in error["details"]), error


def test_staff_and_pilot_leads_raise_call_outs_and_no_one_else_sees_them(client, factory, db, as_user):
    centre, staff, other_staff, lead, manager = _cast(factory)
    v = factory.volunteer(ASHFORD)
    r = client.post("/emergency/callouts", json=_body(skills=["driving"], message="Bring a torch"), headers=as_user(staff))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["centre_id"] == centre.id and out["needed"] == 3 and out["batch_size"] == 10 and out["status"] == "open"
    assert out["counts"] == {
        "emailed": 0,
        "accepted": 0,
        "declined": 0,
        "waiting": 0,
        "too_late": 0,
        "still_needed": 3,
        "batches_sent": 0,
        "status": "open",
    }
    raised = db.scalars(select(OutboxMessage).where(OutboxMessage.actor == "callout.raised")).all()
    assert [m.payload for m in raised] == [{"callout_id": out["id"]}]
    assert (
        db.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "callout.raise", AuditLog.subject_id == out["id"]))
        == 1
    )
    # the pilot lead raises one too, for the county; both see the centre's
    by_lead = client.post("/emergency/callouts", json=_body(needed=8), headers=as_user(lead))
    assert by_lead.status_code == 201 and by_lead.json()["batch_size"] == 16
    assert {c["id"] for c in client.get("/emergency/callouts", headers=as_user(lead)).json()["items"]} >= {
        out["id"],
        by_lead.json()["id"],
    }
    assert client.get(f"/emergency/callouts/{out['id']}", headers=as_user(staff)).status_code == 200
    # another centre's staff do not see it; volunteers and managers cannot raise or see any
    assert client.get(f"/emergency/callouts/{out['id']}", headers=as_user(other_staff)).status_code == 404
    for person in (_user(db, v), manager):
        assert client.post("/emergency/callouts", json=_body(), headers=as_user(person)).status_code == 403
        assert client.get("/emergency/callouts", headers=as_user(person)).status_code == 403
        assert client.get(f"/emergency/callouts/{out['id']}", headers=as_user(person)).status_code == 403
        assert client.post(f"/emergency/callouts/{out['id']}/close", headers=as_user(person)).status_code == 403
    assert client.post("/emergency/callouts", json=_body()).status_code == 401
    closed = client.post(f"/emergency/callouts/{out['id']}/close", headers=as_user(staff))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"postcode": "ZZ99 9ZZ"}, "postcode"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"skills": ["juggling-fire"]}, "skills"),
        ({"needed": 0}, None),
        ({"needed": 5000}, None),
        ({"title": ""}, None),
        ({"ends_at": "2020-01-01T10:00:00", "starts_at": "2020-01-01T09:00:00"}, "ends_at"),
        ({"ends_at": "2030-01-01T09:00:00", "starts_at": "2030-01-01T10:00:00"}, None),
        ({"ends_at": "2030-01-20T09:00:00", "starts_at": "2030-01-01T10:00:00"}, None),
        ({"starts_at": "tonight"}, None),
        ({"colour": "red"}, None),
    ],
)
def test_raising_a_call_out_with_bad_input_is_a_clear_422(client, factory, as_user, change, field):
    _centre, staff, *_ = _cast(factory)
    r = client.post("/emergency/callouts", json=_body(**change), headers=as_user(staff))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["status"] == 422 and error["message"]
    if field:
        assert any((d.get("field") or "").split(".")[-1] == field for d in error["details"]), error


def test_a_centre_raising_too_many_call_outs_in_an_hour_gets_a_clear_429(client, factory, as_user, monkeypatch):
    from brokerage.config import get_settings

    monkeypatch.setenv("BROKERAGE_CALLOUT_MAX_PER_HOUR", "2")
    get_settings.cache_clear()
    try:
        centre = factory.centre(districts=(ASHFORD,))
        first, second = factory.user("centre_staff", centre=centre), factory.user("centre_staff", centre=centre)
        assert client.post("/emergency/callouts", json=_body(), headers=as_user(first)).status_code == 201
        assert client.post("/emergency/callouts", json=_body(), headers=as_user(second)).status_code == 201
        r = client.post("/emergency/callouts", json=_body(), headers=as_user(first))
        assert r.status_code == 429, r.text
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["error"]["status"] == 429
        assert "2 call-outs in the last hour" in r.json()["error"]["message"]
        # another centre is not held back
        other = factory.user("centre_staff", centre=factory.centre(districts=(CANTERBURY,)))
        assert client.post("/emergency/callouts", json=_body(), headers=as_user(other)).status_code == 201
    finally:
        get_settings.cache_clear()


# -- choosing and answering (the service, on PostgreSQL) ---------------------------------------------------
def _opted_in(factory, db, miles: float, *, slots=ALL_WEEK, districts=(), radius=None, **kw):
    from brokerage.auth.service import build_principal

    here = locate("TN23 1AA")
    v = factory.volunteer(ASHFORD, latitude=here.latitude + miles * MILE, longitude=here.longitude, **kw)
    service.opt_in(db, build_principal(db, _user(db, v)), district_codes=list(districts), radius_miles=radius, slots=list(slots))
    return v


def _callout(db, factory, needed=2, **kw) -> Callout:
    from brokerage.auth.service import build_principal

    staff = factory.user("centre_staff", centre=factory.centre(districts=(ASHFORD,)))
    start = (service.local_now() + timedelta(days=1)).replace(hour=19, minute=0, second=0, microsecond=0)
    return service.raise_callout(
        db,
        build_principal(db, staff),
        title="Sandbags at the river",
        postcode="TN23 1AA",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        needed=needed,
        **kw,
    )


def test_batches_go_nearest_first_to_those_whose_area_and_times_fit_and_no_one_twice(factory, db):
    near = [_opted_in(factory, db, m, radius=10) for m in (0.5, 3, 1, 6, 2)]
    by_district = _opted_in(factory, db, 25, districts=(ASHFORD,))  # far away, but names the district
    too_far = _opted_in(factory, db, 12, radius=10)
    wrong_times = _opted_in(factory, db, 0.2, radius=10, slots=["MondayMorning"])
    young = _opted_in(factory, db, 0.1, radius=10, dob=datetime(service.local_now().year - 16, 1, 1).date())
    not_opted = factory.volunteer(ASHFORD)
    callout = _callout(db, factory, needed=2)
    callout.batch_size = 3
    db.flush()
    assert service.next_batch(db, callout.id, reason="raised") == 1
    assert service.next_batch(db, callout.id, reason="raised") is None  # the actor ran twice: no second batch

    def batch(n):
        rows = db.scalars(
            select(CalloutInvitation)
            .where(CalloutInvitation.callout_id == callout.id, CalloutInvitation.batch == n)
            .order_by(CalloutInvitation.distance_miles)
        )
        return [r.volunteer_id for r in rows]

    assert batch(1) == [near[0].id, near[2].id, near[4].id]  # 0.5, 1 and 2 miles
    # two say no: those left to answer (1) could not fill it (2 needed), so the next batch goes
    first = {r.volunteer_id: r for r in db.scalars(select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id))}
    assert service.answer(db, first[near[0].id].id, accept=False) == "declined"
    assert service.next_batch(db, callout.id, reason="answered") is None  # 2 still to answer could fill it
    assert service.answer(db, first[near[2].id].id, accept=False) == "declined"
    assert service.next_batch(db, callout.id, reason="answered") == 2
    assert batch(2) == [near[1].id, near[3].id, by_district.id]  # 3, 6 and 25 miles
    # a batch whose time is up with a later one already sent does nothing; then no one is left
    assert service.next_batch(db, callout.id, reason="due", after_batch=1) is None
    assert service.next_batch(db, callout.id, reason="due", after_batch=2) is None
    asked = {r.volunteer_id for r in db.scalars(select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id))}
    assert asked.isdisjoint({too_far.id, wrong_times.id, young.id, not_opted.id})
    assert len(asked) == 6
    assert (
        db.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "callout.batch", AuditLog.subject_id == callout.id))
        == 2
    )


def test_wanted_skills_come_first_then_nearest(factory, db):
    plain = _opted_in(factory, db, 0.5, radius=10)
    driver = _opted_in(factory, db, 4, radius=10, skills=("driving",))
    callout = _callout(db, factory, needed=1, skills=["driving"])
    assert [c.volunteer_id for c in service.candidates(db, callout)][:2] == [driver.id, plain.id]


def test_a_yes_takes_a_place_only_while_there_is_one_and_a_no_after_gives_it_back(factory, db):
    people = [_opted_in(factory, db, m, radius=10) for m in (1, 2, 3)]
    callout = _callout(db, factory, needed=2)
    service.next_batch(db, callout.id, reason="raised")
    rows = {r.volunteer_id: r for r in db.scalars(select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id))}
    a, b, c = (rows[p.id] for p in people)
    assert service.answer(db, a.id, accept=True) == "accepted"
    assert service.answer(db, a.id, accept=True) == "already_accepted"
    assert service.answer(db, b.id, accept=True) == "accepted"
    assert callout.status == "filled"
    assert service.answer(db, c.id, accept=True) == "full"
    assert c.status == "too_late" and callout.accepted == 2
    # one can no longer come: the place is free again, and the one told it was full can take it
    assert service.answer(db, b.id, accept=False) == "declined"
    assert callout.status == "open" and callout.accepted == 1
    assert service.answer(db, c.id, accept=True) == "accepted"
    counts = service.counts(db, callout)
    assert (counts.accepted, counts.declined, counts.still_needed, counts.status) == (2, 1, 0, "filled")
    # the emailed token answers for its invitation only, and a tampered one for no one
    token = service.answer_token(a)
    assert service.from_token(db, token).id == a.id
    assert service.from_token(db, token[:-3] + "abc") is None


def test_the_answer_link_api_says_what_happened_and_refuses_a_bad_token(client, factory, db):
    person = _opted_in(factory, db, 1, radius=10)
    callout = _callout(db, factory, needed=1)
    service.next_batch(db, callout.id, reason="raised")
    invitation = db.scalar(select(CalloutInvitation).where(CalloutInvitation.volunteer_id == person.id))
    r = client.post("/emergency/answers", json={"token": service.answer_token(invitation), "answer": "accept"})
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "accepted" and "you are down to help" in r.json()["message"]
    bad = client.post("/emergency/answers", json={"token": "x" * 40, "answer": "accept"})
    assert bad.status_code == 400 and "expired" in bad.json()["error"]["message"]
    assert client.post("/emergency/answers", json={"token": "x" * 40, "answer": "maybe"}).status_code == 422


def test_the_emailed_link_opens_a_readable_page_and_only_its_button_answers(client, factory, db):
    import re

    person = _opted_in(factory, db, 1, radius=10)
    other = _opted_in(factory, db, 2, radius=10)
    callout = _callout(db, factory, needed=1, message="Bring a torch")
    service.next_batch(db, callout.id, reason="raised")
    rows = {r.volunteer_id: r for r in db.scalars(select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id))}
    html = {"Accept": "text/html"}
    page = client.get(service.answer_path(rows[person.id], "accept"), headers=html)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Sandbags at the river" in page.text and "Bring a torch" in page.text and "Yes, I can help" in page.text
    db.refresh(rows[person.id])
    assert rows[person.id].status == "emailed"  # opening the link answers nothing
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    done = client.post("/callouts/answer", data={"csrf_token": csrf, "token": token, "answer": "accept"}, headers=html)
    assert done.status_code == 200 and "you are down to help" in done.text
    # the other person opens theirs after it filled: the page says so, with no buttons
    late = client.get(service.answer_path(rows[other.id], "accept"), headers=html)
    assert "Enough people have already said yes" in late.text and "Yes, I can help" not in late.text
    broken = client.get("/callouts/answer?token=nonsense-token-here&answer=accept", headers=html)
    assert broken.status_code == 400 and "This link has expired" in broken.text
