"""A small county you can check by hand (see the figures in test_report_figures.py).

Ashford volunteers A1..A6, Canterbury volunteers C1, C2; Centre A covers Ashford, Centre C covers
Canterbury; organisation O1 (Ashford, role R1, Animal Welfare), O2 (Canterbury, role R2, Arts and Culture).

Approved hours in 2025 (worked_on: hours):
  A1 (aged 20): 3 Feb 3h, 5 May 2h           A2 (aged 20): 4 Feb 4h, 1 Aug 2h
  A3: 3 Mar 2.5h                             A4: 4 Mar 1.5h (and 2 Feb 2026 1h)
  A5: 7 Apr 4h (and 15 Jun 2024 3h on an older placement: not new to volunteering)
  C1 (Canterbury): 10 Apr 2h, 10 Jul 3h
Not counted: A1 1 Jun 7h submitted; A3 3 Mar 5h superseded; A2 1 Sep 2h queried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from brokerage.models import HoursEntry, Placement, Referral
from brokerage.models.reporting import InvestmentEntry
from sqlalchemy import select

from brokerage import events
from brokerage.models import OutboxMessage
from brokerage.reports import counts, rollups
from tests.factories import ASHFORD, CANTERBURY, Factory

AS_OF = date(2026, 6, 30)
GENERATED_AT = datetime(2026, 7, 1, 9, 30, 0)


@dataclass
class County:
    centre_a: object
    centre_c: object
    o1: object
    o2: object
    r1: object
    r2: object
    volunteers: dict = field(default_factory=dict)
    placements: dict = field(default_factory=dict)


def build(db: Session, f: Factory) -> County:
    centre_a = f.centre("Centre A", districts=(ASHFORD,))
    centre_c = f.centre("Centre C", districts=(CANTERBURY,))
    o1, o2 = f.organisation(ASHFORD, name="O1"), f.organisation(CANTERBURY, name="O2")
    r1 = f.role(o1, causes=("AnimalWelfare",), title="R1 dog walker")
    r2 = f.role(o2, causes=("ArtsAndCulture",), title="R2 gallery guide")
    r1.published_at = datetime(2024, 12, 1, 10)
    r2.published_at = datetime(2025, 2, 1, 10)
    county = County(centre_a, centre_c, o1, o2, r1, r2)

    young, middle, older = date(2005, 6, 1), date(1980, 6, 1), date(1960, 6, 1)
    spec = {  # name: (district, dob, registered_on, gender)
        "A1": (ASHFORD, young, date(2025, 2, 10), "woman"),
        "A2": (ASHFORD, young, date(2025, 2, 10), "woman"),
        "A3": (ASHFORD, middle, date(2025, 2, 10), "woman"),
        "A4": (ASHFORD, middle, date(2025, 2, 10), "man"),
        "A5": (ASHFORD, middle, date(2024, 11, 10), "man"),
        "A6": (ASHFORD, middle, date(2024, 11, 10), "man"),
        "C1": (CANTERBURY, older, date(2025, 3, 15), None),
        "C2": (CANTERBURY, older, date(2025, 3, 15), None),
    }
    for name, (district, dob, registered, gender) in spec.items():
        v = f.volunteer(district, dob=dob, gender=gender)
        v.registered_on = registered
        county.volunteers[name] = v
    db.flush()

    def referral(name, role, created, status):
        r = Referral(
            volunteer_id=county.volunteers[name].id,
            role_id=role.id,
            status=status,
            created_at=created,
            status_changed_at=created,
            share_email=True,
            share_phone=False,
        )
        db.add(r)
        db.flush()
        return r

    def placement(name, role, started, ref=None):
        p = Placement(
            referral_id=ref.id if ref else None,
            volunteer_id=county.volunteers[name].id,
            role_id=role.id,
            organisation_id=role.organisation_id,
            started_on=started,
        )
        db.add(p)
        db.flush()
        return p

    for name in ("A1", "A2", "A3", "A4", "A5"):
        ref = referral(name, r1, datetime(2025, 1, 10, 14), "started")
        county.placements[name] = placement(name, r1, date(2025, 1, 20), ref)
    referral("A6", r1, datetime(2025, 1, 10, 14), "referred")
    ref = referral("C1", r2, datetime(2025, 3, 20, 9), "started")
    county.placements["C1"] = placement("C1", r2, date(2025, 4, 1), ref)
    referral("C2", r2, datetime(2025, 3, 20, 9), "referred")
    county.placements["A5-2024"] = placement("A5", r1, date(2024, 6, 1))

    def hours(pname, day, h, status="approved"):
        p = county.placements[pname]
        e = HoursEntry(
            placement_id=p.id, volunteer_id=p.volunteer_id, worked_on=day, hours=Decimal(h), status=status, reminder_count=0
        )
        db.add(e)
        db.flush()
        return e

    hours("A1", date(2025, 2, 3), "3")
    hours("A1", date(2025, 5, 5), "2")
    hours("A1", date(2025, 6, 1), "7", "submitted")
    hours("A2", date(2025, 2, 4), "4")
    hours("A2", date(2025, 8, 1), "2")
    hours("A2", date(2025, 9, 1), "2", "queried")
    old = hours("A3", date(2025, 3, 3), "5", "superseded")
    new = hours("A3", date(2025, 3, 3), "2.5")
    new.supersedes_id = old.id
    hours("A4", date(2025, 3, 4), "1.5")
    hours("A4", date(2026, 2, 2), "1")
    hours("A5-2024", date(2024, 6, 15), "3")
    hours("A5", date(2025, 4, 7), "4")
    hours("C1", date(2025, 4, 10), "2")
    hours("C1", date(2025, 7, 10), "3")

    db.add(
        InvestmentEntry(
            centre_id=centre_a.id,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            category="coordinator_time",
            amount=Decimal("100.00"),
        )
    )
    db.add(
        InvestmentEntry(
            centre_id=centre_c.id,
            period_start=date(2025, 7, 1),
            period_end=date(2026, 6, 30),
            category="training",
            amount=Decimal("146.00"),
        )
    )
    db.flush()
    # What the hours.approved actor does, once per placement.
    for p in county.placements.values():
        rollups.refresh_placement(db, p.id)
    db.flush()
    run_counts(db)
    return county


def run_counts(db: Session) -> int:
    """What the ``reports.counts`` actor does for each event waiting in the outbox (then marked done)."""
    db.flush()
    pending = list(
        db.scalars(
            select(OutboxMessage).where(OutboxMessage.actor == events.CountsRefresh.name, OutboxMessage.status == "pending")
        )
    )
    for message in pending:
        counts.refresh(db, **message.payload)
        message.status = "done"
    db.flush()
    return len(pending)
