"""Emergency call-outs through the real worker machinery (the relay and a Dramatiq worker on the
test's PostgreSQL database) and a real SMTP server: raising a call-out emails its first batch,
nearest first, each person once with their own signed answer links; when those still to answer can
no longer fill it the next batch goes; once filled no more are asked."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select, text

from brokerage.auth.service import build_principal
from brokerage.callouts import service
from brokerage.geo import locate
from brokerage.models import CalloutInvitation, User
from brokerage.vocab.slots import SLOT_NAMES
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import wait_for

MILE = 1 / 69.0


def settle(engine) -> None:
    """Wait until every job due now has finished (each batch's "time is up" job waits its turn)."""

    def idle() -> bool:
        with engine.connect() as conn:
            return not conn.execute(
                text(
                    "SELECT 1 FROM outbox WHERE status IN ('pending', 'dispatched')"
                    " AND (available_at IS NULL OR available_at <= now() AT TIME ZONE 'utc') LIMIT 1"
                )
            ).first()

    wait_for(idle, timeout=30, what="the jobs due now to finish")


def _answer_token(message) -> tuple[str, str]:
    (accept,) = set(
        re.findall(
            r"https?://\S+/callouts/answer\?token=[^\s&\"]+&amp;answer=accept|https?://\S+/callouts/answer\?token=[^\s&\"]+&answer=accept",
            message.text,
        )
    )
    return accept, parse_qs(urlsplit(accept).query)["token"][0]


def test_a_call_out_emails_batches_nearest_first_until_it_is_filled(inproc, session, smtp, worker_engine):
    f = Factory(session)
    staff = f.user("centre_staff", centre=f.centre(districts=(ASHFORD,)))
    here = locate("TN23 1AA")
    people = []
    for i in range(25):
        v = f.volunteer(ASHFORD, latitude=here.latitude + (i + 1) * 0.3 * MILE, longitude=here.longitude, first_name=f"Near{i}")
        service.opt_in(
            session,
            build_principal(session, session.get(User, v.user_id)),
            district_codes=[],
            radius_miles=15,
            slots=list(SLOT_NAMES),
        )
        people.append(v)
    outsider = f.volunteer(ASHFORD, latitude=here.latitude + 30 * MILE, longitude=here.longitude)
    service.opt_in(
        session,
        build_principal(session, session.get(User, outsider.user_id)),
        district_codes=[],
        radius_miles=15,
        slots=list(SLOT_NAMES),
    )
    f.volunteer(ASHFORD)  # not opted in
    session.commit()
    start = (service.local_now() + timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    callout = service.raise_callout(
        session,
        build_principal(session, staff),
        title="Rest centre at the leisure centre",
        postcode="TN23 1AA",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        needed=5,
        message="Bring warm clothes",
    )
    session.commit()
    wait_for(lambda: smtp.count("callout") == 10, timeout=60, what="the first batch of 10")
    settle(worker_engine)
    first = sorted(smtp.of_kind("callout"), key=lambda m: m.to)
    assert sorted(m.to for m in first) == sorted(v.email for v in people[:10])
    m = first[0]
    assert "Rest centre at the leisure centre" in m.subject and "Bring warm clothes" in m.text and "TN23 1AA" in m.html
    # five of the first ten say no: the five left could still fill it, so no one else is asked yet
    rows = {
        r.volunteer_id: r for r in session.scalars(select(CalloutInvitation).where(CalloutInvitation.callout_id == callout.id))
    }
    for v in people[:5]:
        assert service.answer(session, rows[v.id].id, accept=False) == "declined"
        session.commit()
    settle(worker_engine)
    assert smtp.count("callout") == 10
    # a sixth says no: the next ten nearest are asked
    assert service.answer(session, rows[people[5].id].id, accept=False) == "declined"
    session.commit()
    wait_for(lambda: smtp.count("callout") == 20, timeout=60, what="the second batch")
    settle(worker_engine)
    assert sorted(m.to for m in smtp.of_kind("callout")) == sorted(v.email for v in people[:20])
    # five say yes through their own links: filled, and no third batch
    second = {m.to: m for m in smtp.of_kind("callout")}
    for v in people[6:11]:
        _url, token = _answer_token(second[v.email])
        invitation = service.from_token(session, token)
        assert invitation is not None and invitation.volunteer_id == v.id
        assert service.answer(session, invitation.id, accept=True) == "accepted"
        session.commit()
    settle(worker_engine)
    session.expire_all()
    counts = service.counts(session, service.get(session, build_principal(session, staff), callout.id))
    assert (counts.emailed, counts.accepted, counts.declined, counts.still_needed, counts.status) == (20, 5, 6, 0, "filled")
    assert smtp.count("callout") == 20 and smtp.to(outsider.email) == []
    assert len({m.to for m in smtp.of_kind("callout")}) == 20  # no one twice
