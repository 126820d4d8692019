"""The actor registry. Importing this package sets the broker first (Dramatiq's rule: the broker
before any actor module), then registers every actor, one module per domain, each under the name
of its event in ``brokerage.events``. ``dramatiq workers.actors`` runs them."""

from __future__ import annotations

from workers.broker import ensure_broker

broker = ensure_broker()

from workers.actors import (  # noqa: E402,F401
    accounts,
    callouts,
    digests,
    guidance,
    hours,
    invitations,
    organisations,
    referrals,
    reports,
    roles,
    shifts,
    safeguarding,
    system,
    volunteers,
)
