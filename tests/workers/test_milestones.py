"""Milestones through the worker and SMTP: a volunteer whose approved hours cross 50 gets one
congratulation, however often the job runs, and a certificate (PDF) whose figures are those of the
hours table and whose verification link, opened by anyone, confirms it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import func, select

from brokerage.auth.service import build_principal
from brokerage.models import HoursEntry, Milestone, Placement, User
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle


def _placement(session, v, org, role, started: date) -> Placement:
    p = Placement(volunteer_id=v.id, role_id=role.id, organisation_id=org.id, started_on=started)
    session.add(p)
    session.flush()
    return p


def test_crossing_fifty_hours_brings_one_email_and_a_certificate_that_verifies(inproc, session, smtp, worker_engine, client_for):
    from brokerage import outbox
    from brokerage.events import HoursApproved
    from brokerage.hours import service as hours_service

    f = Factory(session)
    larder, wood = f.organisation(ASHFORD, name="Hythe Larder"), f.organisation(ASHFORD, name="Kings Wood Friends")
    manager = f.user("organisation_manager", organisations=(wood,))
    v = f.volunteer(ASHFORD, first_name="Priya", last_name="Milestone")
    quiet = f.volunteer(ASHFORD, consent=False)  # did not agree to be contacted: a certificate, no email
    start = date.today() - timedelta(days=200)
    for who in (v, quiet):
        first = _placement(session, who, larder, f.role(larder), start)
        for i in range(9):  # 45 approved hours with the larder
            session.add(
                HoursEntry(
                    placement_id=first.id,
                    volunteer_id=who.id,
                    worked_on=start + timedelta(days=7 * i),
                    hours=5,
                    status="approved",
                )
            )
    second = _placement(session, v, wood, f.role(wood), start + timedelta(days=90))
    waiting = HoursEntry(
        placement_id=second.id,
        volunteer_id=v.id,
        worked_on=date.today() - timedelta(days=3),
        hours=Decimal("6.5"),
        status="submitted",
    )
    session.add(waiting)
    quiet_entry = HoursEntry(
        placement_id=first.id, volunteer_id=quiet.id, worked_on=date.today() - timedelta(days=3), hours=8, status="approved"
    )
    session.add(quiet_entry)
    session.commit()

    # 45 hours: the 10 and 25 milestones are reached (silently: one email, for the highest).
    outbox.enqueue(session, HoursApproved(hours_entry_id=quiet_entry.id))
    hours_service.approve(session, build_principal(session, session.get_one(User, manager.id)), waiting.id)
    session.commit()
    settle(worker_engine)
    for _ in range(2):  # the job runs again: nothing new
        outbox.enqueue(session, HoursApproved(hours_entry_id=waiting.id))
    session.commit()
    settle(worker_engine)

    letters = smtp.of_kind("milestone")
    assert [m.to for m in letters] == [v.email], [m.subject for m in letters]
    assert "50 hours" in letters[0].subject
    reached = session.scalars(select(Milestone.threshold).where(Milestone.volunteer_id == v.id).order_by(Milestone.threshold))
    assert list(reached) == [10, 25, 50]
    assert session.scalar(select(func.count()).select_from(Milestone).where(Milestone.volunteer_id == quiet.id)) == 3

    fifty = session.scalars(select(Milestone).where(Milestone.volunteer_id == v.id, Milestone.threshold == 50)).one()
    me = client_for(session.get_one(User, v.user_id))
    listing = me.get("/my/milestones")
    assert listing.status_code == 200 and f"/my/certificates/{fifty.code}.pdf" in listing.text
    pdf = me.get(f"/my/certificates/{fifty.code}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())

    approved = session.execute(
        select(func.sum(HoursEntry.hours), func.min(HoursEntry.worked_on), func.max(HoursEntry.worked_on)).where(
            HoursEntry.volunteer_id == v.id, HoursEntry.status == "approved"
        )
    ).one()
    assert "Priya Milestone" in text
    assert re.search(r"Hours given: ([\d.]+) approved hours", text)[1] == f"{approved[0]:.2f}" == "51.50"
    assert f"Period: {approved[1].day} {approved[1]:%B %Y} to {approved[2].day} {approved[2]:%B %Y}" in text
    assert "With: Hythe Larder, Kings Wood Friends" in text
    link = re.search(r"genuine at (\S+)", text)[1]
    assert link.endswith(f"/certificates/{fifty.code}")

    stranger = client_for()  # signed out: anyone can check it
    page = stranger.get(link.split("volunteer.kent.example", 1)[1])
    assert page.status_code == 200
    assert "This certificate is genuine" in page.text and "Priya Milestone" in page.text and "51.50" in page.text
    assert v.email not in page.text and v.postcode not in page.text
    assert stranger.get("/certificates/" + fifty.code[:-2] + "xx").status_code == 404
    assert stranger.get(f"/my/certificates/{fifty.code}.pdf", follow_redirects=False).status_code == 303  # sign in first
    other = client_for(session.get_one(User, quiet.user_id))
    assert other.get(f"/my/certificates/{fifty.code}.pdf").status_code == 404  # a volunteer downloads only their own
