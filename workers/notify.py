"""Send each email once.

``deliver()`` claims the delivery key (a unique row in ``deliveries``) inside a transaction, writes
the whole message to the mail server, commits while the server is answering, then reads its reply
(and undoes the record if the server refused). A second worker with the same key waits on the unique
index and then finds it taken; a worker killed before the commit leaves no row and, if it had not
finished writing, no message, so the job's next attempt sends it. The only window for a duplicate is
between writing the last line of the message and writing the COMMIT: a few microseconds.

The weekly cap on role emails is enforced here, under a lock on the volunteer's row, so two roles
published at the same moment cannot both slip past it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from brokerage.config import get_settings
from brokerage.db import get_engine, make_engine, utcnow
from brokerage.models import Delivery, EmailSuppression, Volunteer
from workers.mail import Email, MailError, get_mailer

logger = logging.getLogger(__name__)

# Emails that count towards the weekly cap on role emails per volunteer.
ROLE_EMAIL_KINDS = ("role_match", "volunteer_matches")

SENT, DUPLICATE, CAPPED, FAILED = "sent", "duplicate", "capped", "failed"

_sqlite_lock = threading.Lock()
_delivery_engine: tuple[int, Engine, bool] | None = None
_engine_lock = threading.Lock()

# After the lock on the volunteer's row: count this week's role emails and claim the key in one
# statement (its snapshot is taken after the lock, so it sees every earlier send).
_LOCK_VOLUNTEER_PG = "SELECT 1 FROM volunteers WHERE id = %s FOR UPDATE"
_CLAIM_CAPPED_PG = """
    INSERT INTO deliveries (key, kind, recipient, volunteer_id, role_id, status, created_at, sent_at)
    SELECT %(key)s, %(kind)s, %(recipient)s, %(volunteer_id)s, %(role_id)s, s.status, %(now)s,
           CASE WHEN s.status = 'sent' THEN CAST(%(now)s AS timestamp) END
    FROM (SELECT CASE WHEN count(*) < %(cap)s THEN 'sent' ELSE 'capped' END AS status
          FROM deliveries
          WHERE volunteer_id = %(volunteer_id)s AND kind IN ('role_match', 'volunteer_matches')
            AND status = 'sent' AND created_at >= %(since)s) AS s
    ON CONFLICT (key) DO NOTHING
    RETURNING id, status
"""


def delivery_engine() -> Engine:
    """The engine for delivery records. On PostgreSQL its commits do not wait for the WAL flush
    (``synchronous_commit=off``): a send is then as fast as the mail server. This is safe because
    the job's own completion is committed synchronously afterwards, which flushes the WAL and
    with it every delivery record before it; only a database crash before that could lose a
    record, and then the job runs again (at least once, never lost)."""
    global _delivery_engine
    base = get_engine()
    with _engine_lock:
        if _delivery_engine is None or _delivery_engine[0] != id(base):
            if _delivery_engine is not None and _delivery_engine[2]:
                _delivery_engine[1].dispose()
            if base.dialect.name == "postgresql":
                engine = make_engine(url=base.url.render_as_string(hide_password=False),
                                     connect_args={"options": "-c synchronous_commit=off"}, pool_pre_ping=False)
                _delivery_engine = (id(base), engine, True)
            else:
                _delivery_engine = (id(base), base, False)
        return _delivery_engine[1]


class TransientMailFailure(Exception):
    """The mail server could not take the message now; the job is retried later."""


def existing_keys(session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(session.scalars(select(Delivery.key).where(Delivery.key.in_(keys))))


def suppressed(session, emails: Iterable[str | None]) -> set[str]:
    wanted = {e.strip().lower() for e in emails if e}
    if not wanted:
        return set()
    return set(session.scalars(select(EmailSuppression.email_normalised).where(EmailSuppression.email_normalised.in_(wanted))))


def volunteer_wants_role_emails(v: Volunteer, *, preference: str = "instant") -> bool:
    """Consent given, the right preference, an address, and an active record."""
    return bool(v.email) and v.contact_consent and v.notification_preference == preference and v.status == "active"


@contextmanager
def connection() -> Iterator[Connection | None]:
    """One database connection for a run of ``deliver()`` calls (a job's worth of emails): saves
    a pool checkout and its reset for every email. On SQLite each call takes its own."""
    engine = delivery_engine()
    if engine.dialect.name == "sqlite":
        yield None
        return
    with engine.connect() as conn:
        yield conn


def deliver(
    email: Email | Callable[[], Email],
    *,
    kind: str,
    key: str,
    recipient: str,
    volunteer_id: int | None = None,
    role_id: int | None = None,
    capped: bool = False,
    conn: Connection | None = None,
) -> str:
    """Send one email once. Returns sent, duplicate, capped or failed (address refused).

    Raises ``TransientMailFailure`` when the mail server is unavailable (nothing is recorded)."""
    engine = delivery_engine()
    sqlite = engine.dialect.name == "sqlite"
    now = utcnow()
    built = email() if callable(email) else email
    insert = sqlite_insert if sqlite else pg_insert
    with (_sqlite_lock if sqlite else nullcontext()), (nullcontext(conn) if conn is not None else engine.connect()) as conn:
        trans = conn.begin()
        try:
            status = SENT
            if capped and volunteer_id is not None and not sqlite:
                # Serialise this volunteer's role emails across workers, then count and claim: two
                # statements (the second's snapshot follows the lock) in one round trip.
                raw = conn.connection.dbapi_connection
                with raw.pipeline(), raw.cursor() as lock, raw.cursor() as claim:
                    lock.execute(_LOCK_VOLUNTEER_PG, (volunteer_id,))
                    claim.execute(_CLAIM_CAPPED_PG, {
                        "key": key, "kind": kind, "recipient": recipient, "volunteer_id": volunteer_id, "role_id": role_id,
                        "now": now, "since": now - timedelta(days=7), "cap": get_settings().weekly_role_email_cap,
                    })
                    row = claim.fetchone()
                claimed = None if row is None else (row[0],)
                status = SENT if row is None else row[1]
            else:
                if capped and volunteer_id is not None:  # SQLite: writers are already serialised
                    recent = conn.scalar(
                        select(func.count())
                        .select_from(Delivery)
                        .where(
                            Delivery.volunteer_id == volunteer_id,
                            Delivery.kind.in_(ROLE_EMAIL_KINDS),
                            Delivery.status == SENT,
                            Delivery.created_at >= now - timedelta(days=7),
                        )
                    )
                    if recent >= get_settings().weekly_role_email_cap:
                        status = CAPPED
                claimed = conn.execute(
                    insert(Delivery)
                    .values(key=key, kind=kind, recipient=recipient, volunteer_id=volunteer_id, role_id=role_id,
                            status=status, created_at=now, sent_at=now if status == SENT else None)
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(Delivery.id)
                ).first()
            if claimed is None:
                trans.rollback()
                return DUPLICATE
            if status == SENT:
                try:
                    get_mailer().send(built, before_reply=trans.commit)
                except MailError as exc:
                    return _after_mail_error(conn, trans, claimed[0], key, exc)
                return status
            trans.commit()
            return status
        except BaseException:
            if trans.is_active:
                trans.rollback()
            raise


def _after_mail_error(conn, trans, delivery_id: int, key: str, exc: MailError) -> str:
    """Undo or mark the delivery record after a send that did not go through."""
    if not exc.after_commit:
        if not exc.permanent:
            trans.rollback()
            raise TransientMailFailure(str(exc)) from exc
        conn.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=FAILED, sent_at=None))
        trans.commit()
    else:  # the record was committed while the server was answering: correct it
        with conn.begin():
            if exc.permanent:
                conn.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=FAILED, sent_at=None))
            else:
                conn.execute(delete(Delivery).where(Delivery.id == delivery_id))
        if not exc.permanent:
            raise TransientMailFailure(str(exc)) from exc
    logger.warning("The mail server refused delivery %s: %s", key, exc)
    return FAILED


def record(*, kind: str, key: str, recipient: str | None = None, volunteer_id: int | None = None,
           role_id: int | None = None, status: str = "done") -> bool:
    """Claim a key for a side effect that is not an email (a fan-out, an escalation). True if new."""
    engine = get_engine()
    sqlite = engine.dialect.name == "sqlite"
    insert = sqlite_insert if sqlite else pg_insert
    with (_sqlite_lock if sqlite else nullcontext()), engine.begin() as conn:
        return conn.execute(
            insert(Delivery)
            .values(key=key, kind=kind, recipient=recipient, volunteer_id=volunteer_id, role_id=role_id,
                    status=status, created_at=utcnow(), sent_at=None)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Delivery.id)
        ).first() is not None
