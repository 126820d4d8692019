"""A freshly seeded demo county, as its first start finds it: each periodic job run once sends only
what is genuinely due (the seed leaves the emails a running service would already have sent), and
the people planted as signed up twice are waiting in the duplicates review."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from brokerage.models import DuplicateCandidate, Volunteer
from tests.workers.conftest import settle
from workers.scheduler import JOBS
from workers.settings import get_worker_settings

PERIODIC_KINDS = {"digest", "dbs_reminder", "hours_reminder", "referral_chase", "referral_escalated", "role_refresh"}


def _named_dates(text: str) -> list[date]:
    months = {name: i for i, name in enumerate(calendar.month_name) if name}
    return [date(int(y), months[m], int(d)) for d, m, y in re.findall(r"\b(\d{1,2}) (" + "|".join(months) + r") (\d{4})\b", text)]


def test_first_start_of_the_seeded_demo_sends_only_what_is_due(inproc, session, smtp, worker_engine):
    from brokerage.outbox import enqueue
    from brokerage.seed.generate import SCALES, seed

    seed(scale="tiny", seed=2026, progress=False)
    now = datetime.now(ZoneInfo(get_worker_settings().timezone))
    for job in JOBS:  # every periodic job once, for the day and week now due
        enqueue(session, job.event_for(f"{now:%G-W%V}" if job.weekly else now.date().isoformat()))
    session.commit()
    settle(worker_engine, timeout=120)

    with smtp.lock:
        sent = list(smtp.messages)
    assert len(sent) <= 5, [(m.kind, m.to, m.subject) for m in sent]
    for m in sent:  # a reminder that is due: nothing for a week gone by, no renewal date in the past
        assert m.kind in PERIODIC_KINDS, m.kind
        assert all(d >= now.date() for d in _named_dates(m.subject)), m.subject

    # The people planted as signing up a second time are in the duplicates review from the start,
    # each proposed with their first record, without anyone running a scan.
    last_seeded = SCALES["tiny"]["volunteers"]
    seconds = session.scalars(select(Volunteer).where(Volunteer.id > last_seeded)).all()
    assert len(seconds) == 4
    pairs = session.execute(select(DuplicateCandidate.volunteer_a_id, DuplicateCandidate.volunteer_b_id)).all()
    for v in seconds:
        assert any(b == v.id and a <= last_seeded for a, b in pairs), f"{v.first_name} {v.last_name} was not proposed"
