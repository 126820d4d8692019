"""Send each email once, and never record one the mail server has not accepted.

``deliver()`` claims the delivery key (a unique row in ``deliveries``) inside a transaction, sends
the message, and commits only once the mail server has answered 250 (and undoes the claim if it
refused or could not be reached). The order matters: a server may drop a message whose client went
away before reading the reply (aiosmtpd does, and RFC 5321 leaves a message the server's
responsibility only once it has said 250), so a record committed before the reply could stand for
an email nobody received, and the job's next attempt would skip it. A second worker with the same
key waits on the unique index until the first commits or rolls back. A worker killed at any moment
before the commit leaves no record, so the job's next attempt sends the message again: nothing is
lost. The only window for a repeat is a kill after the server accepted and before the COMMIT
reached the database (a reply in flight and one local round trip; at most one message per worker
thread), and the repeat carries the same Message-ID, which mailbox providers collapse.

``deliver_many()`` sends a job's run of emails the same way, each with its own record and its own
commit, but spends one database round trip per email instead of two: the COMMIT of the message just
accepted is sent first thing, in the same round trip (a pipeline) as the claim of the next email.
With a server that offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write too.

The weekly cap on role emails is enforced here, under a lock on the volunteer's row, so two roles
published at the same moment cannot both slip past it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from brokerage.config import get_settings
from brokerage.db import get_engine, make_engine, utcnow
from brokerage.models import Delivery
from workers.mail import Email, MailError, build_message, get_mailer, wire_body

logger = logging.getLogger(__name__)

# Emails that count towards the weekly cap on role emails per volunteer.
ROLE_EMAIL_KINDS = ("role_match", "volunteer_matches", "invitation")

SENT, DUPLICATE, CAPPED, FAILED = "sent", "duplicate", "capped", "failed"


def _psycopg(conn: Connection) -> psycopg.Connection[TupleRow]:
    """The psycopg connection under a PostgreSQL connection, for pipelining statements."""
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(f"expected a psycopg connection, got {type(raw).__name__}")
    return raw


_sqlite_lock = threading.Lock()
_delivery_engine: tuple[int, Engine, bool] | None = None
_engine_lock = threading.Lock()

# After the lock on the volunteer's row: count this week's role emails and claim the key in one
# statement (its snapshot is taken after the lock, so it sees every earlier send). The conditions
# other than the volunteer are a FILTER so that the planner reads only this volunteer's rows: given
# ``kind`` as well, it has been seen to AND in the index on kind, a scan of every role email ever.
_LOCK_VOLUNTEER_PG = "SELECT 1 FROM volunteers WHERE id = %s FOR UPDATE"
_CLAIM_CAPPED_PG = """
    INSERT INTO deliveries (key, kind, recipient, volunteer_id, role_id, status, created_at, sent_at)
    SELECT %(key)s, %(kind)s, %(recipient)s, %(volunteer_id)s, %(role_id)s, s.status, %(now)s,
           CASE WHEN s.status = 'sent' THEN CAST(%(now)s AS timestamp) END
    FROM (SELECT CASE WHEN count(*) FILTER (WHERE kind IN ('role_match', 'volunteer_matches', 'invitation') AND status = 'sent'
                                                AND created_at >= %(since)s) < %(cap)s
                      THEN 'sent' ELSE 'capped' END AS status
          FROM deliveries
          WHERE volunteer_id = %(volunteer_id)s) AS s
    ON CONFLICT (key) DO NOTHING
    RETURNING id, status
"""
_CLAIM_PG = """
    INSERT INTO deliveries (key, kind, recipient, volunteer_id, role_id, status, created_at, sent_at)
    VALUES (%(key)s, %(kind)s, %(recipient)s, %(volunteer_id)s, %(role_id)s, 'sent', %(now)s, %(now)s)
    ON CONFLICT (key) DO NOTHING
    RETURNING id, status
"""
_MARK_FAILED_PG = "UPDATE deliveries SET status = 'failed', sent_at = NULL WHERE id = %s"


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
                engine = make_engine(
                    url=base.url.render_as_string(hide_password=False),
                    connect_args={"options": "-c synchronous_commit=off"},
                    pool_pre_ping=False,
                )
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
    with _sqlite_lock if sqlite else nullcontext(), nullcontext(conn) if conn is not None else engine.connect() as conn:
        trans = conn.begin()
        try:
            status = SENT
            if capped and volunteer_id is not None and not sqlite:
                # Serialise this volunteer's role emails across workers, then count and claim: two
                # statements (the second's snapshot follows the lock) in one round trip.
                raw = _psycopg(conn)
                with raw.pipeline(), raw.cursor() as lock, raw.cursor() as claim:
                    lock.execute(_LOCK_VOLUNTEER_PG, (volunteer_id,))
                    claim.execute(
                        _CLAIM_CAPPED_PG,
                        {
                            "key": key,
                            "kind": kind,
                            "recipient": recipient,
                            "volunteer_id": volunteer_id,
                            "role_id": role_id,
                            "now": now,
                            "since": now - timedelta(days=7),
                            "cap": get_settings().weekly_role_email_cap,
                        },
                    )
                    row = claim.fetchone()
                claimed = None if row is None else (row[0],)
                status = SENT if row is None else row[1]
            else:
                if capped and volunteer_id is not None:  # SQLite: writers are already serialised
                    recent = (
                        conn.scalar(
                            select(func.count())
                            .select_from(Delivery)
                            .where(
                                Delivery.volunteer_id == volunteer_id,
                                Delivery.kind.in_(ROLE_EMAIL_KINDS),
                                Delivery.status == SENT,
                                Delivery.created_at >= now - timedelta(days=7),
                            )
                        )
                        or 0
                    )
                    if recent >= get_settings().weekly_role_email_cap:
                        status = CAPPED
                claimed = conn.execute(
                    insert(Delivery)
                    .values(
                        key=key,
                        kind=kind,
                        recipient=recipient,
                        volunteer_id=volunteer_id,
                        role_id=role_id,
                        status=status,
                        created_at=now,
                        sent_at=now if status == SENT else None,
                    )
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(Delivery.id)
                ).first()
            if claimed is None:
                trans.rollback()
                return DUPLICATE
            if status == SENT:
                try:
                    get_mailer().send(built)  # returns once the server has accepted the message
                except MailError as exc:
                    return _after_mail_error(conn, trans, claimed[0], key, exc)
            trans.commit()
            return status
        except BaseException:
            if trans.is_active:
                trans.rollback()
            raise


def _after_mail_error(conn, trans, delivery_id: int, key: str, exc: MailError) -> str:
    """After a send that did not go through: undo the claim (the server may take it later) or
    record the refusal (it never will)."""
    if not exc.permanent:
        trans.rollback()
        raise TransientMailFailure(str(exc)) from exc
    conn.execute(update(Delivery).where(Delivery.id == delivery_id).values(status=FAILED, sent_at=None))
    trans.commit()
    logger.warning("The mail server refused delivery %s: %s", key, exc)
    return FAILED


@dataclass(slots=True)
class Outgoing:
    """One email of a run: its delivery key, its recipient and how to build it (called only if it
    is to be sent)."""

    key: str
    recipient: str
    build: Callable[[], Email]
    volunteer_id: int | None = None
    role_id: int | None = None


def deliver_many(items: Iterable[Outgoing], *, kind: str, capped: bool = False) -> dict[str, str]:
    """Send a run of emails of one kind, each once, as ``deliver()`` would one by one. Returns each
    key's status (sent, duplicate, capped, failed).

    Raises ``TransientMailFailure`` when the mail server is unavailable: the emails it accepted
    keep their records, the rest have none, and the job's next attempt sends the rest."""
    items = list(items)  # nothing may run between the server's acceptance and the commit of its record
    engine = delivery_engine()
    if engine.dialect.name != "postgresql" or not get_settings().smtp_host:
        with connection() as conn:
            return {
                it.key: deliver(
                    it.build,
                    kind=kind,
                    key=it.key,
                    recipient=it.recipient,
                    volunteer_id=it.volunteer_id,
                    role_id=it.role_id,
                    capped=capped,
                    conn=conn,
                )
                for it in items
            }
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # transactions are explicit below
        raw = _psycopg(conn)
        with raw.pipeline() as pipeline:  # for the whole run: each statement is flushed as it is issued
            run = _Run(raw, pipeline, kind, capped)
            try:
                for it in items:
                    run.send(it)
                run.finish()
            except BaseException:
                run.abort()
                raise
    return run.statuses


class _Run:
    """``deliver_many`` on PostgreSQL. At most one transaction is open: it holds the claim of the
    email being sent and is committed only after the server has accepted that email, by the next
    round trip (the claim of the next email, or ``finish``)."""

    def __init__(self, raw: psycopg.Connection[TupleRow], pipeline: psycopg.Pipeline, kind: str, capped: bool):
        self.raw = raw  # psycopg, autocommit, in pipeline mode: BEGIN and COMMIT are ours
        self.pipeline = pipeline
        self.cur = raw.cursor()
        self.kind = kind
        self.capped = capped
        self.mailer = get_mailer()
        self.cap = get_settings().weekly_role_email_cap
        self.open = False  # a transaction is open
        self.on_the_wire = False  # a message is under way: the SMTP connection is mid-exchange
        self.statuses: dict[str, str] = {}

    def send(self, it: Outgoing) -> None:
        # The envelope goes first, unanswered, so that the mail server answers it while the database
        # answers the claim: one wait for both instead of one after the other. Nothing is sent before
        # the claim is known but MAIL, RCPT and DATA, which deliver nothing; a message not to be sent
        # after all is called off (the server discards a message that never ended).
        self.on_the_wire = ahead = self.mailer.envelope_ahead(it.recipient)  # (``abort`` hangs up on it)
        row = self._claim(it)  # commits the record of the email accepted last
        if row is None or row[1] != SENT:  # a duplicate; or capped: committed with the next round trip
            if ahead:
                self.on_the_wire = False
                self.mailer.cancel_envelope()
            self.statuses[it.key] = DUPLICATE if row is None else row[1]
            return
        delivery_id = row[0]
        email = it.build()
        body = wire_body(build_message(email, self.mailer.sender))
        self.on_the_wire = True
        try:
            if ahead and email.to == it.recipient:
                self.mailer.envelope_replies(email.to)
            else:
                if ahead:  # (an email built for another address than its record's: start again)
                    self.mailer.abandon()
                self.mailer.envelope(email.to)
            self.mailer.write_body(body)
            self.mailer.finish()
        except MailError as exc:
            self.on_the_wire = False
            if not exc.permanent:  # not accepted (or not known to be): no record, the next attempt sends it
                self._end("ROLLBACK")
                raise TransientMailFailure(str(exc)) from exc
            self._sync(_MARK_FAILED_PG, (delivery_id,))
            self.statuses[it.key] = FAILED
            logger.warning("The mail server refused delivery %s: %s", it.key, exc)
            return
        self.on_the_wire = False
        self.statuses[it.key] = SENT  # accepted: the very next statement is the COMMIT of its record

    def finish(self) -> None:
        if self.open:
            self._end("COMMIT")

    def abort(self) -> None:
        """After an error: the open transaction is rolled back (its email, if the server took it,
        goes again on the next attempt); a connection left mid-exchange is dropped."""
        if self.on_the_wire:
            self.on_the_wire = False
            self.mailer.abandon()
        if self.open:
            try:
                self._end("ROLLBACK")
            except Exception:  # the connection is broken: the pool discards it
                pass

    def _claim(self, it: Outgoing) -> tuple[int, str] | None:
        """One round trip: COMMIT the open transaction, BEGIN another and claim ``it``'s key in it
        (for a capped kind, after locking the volunteer's row and counting this week's emails)."""
        cur = self.cur
        if self.open:
            cur.execute("COMMIT")
        cur.execute("BEGIN")
        self.open = True
        now = utcnow()
        params = {
            "key": it.key,
            "kind": self.kind,
            "recipient": it.recipient,
            "volunteer_id": it.volunteer_id,
            "role_id": it.role_id,
            "now": now,
        }
        if self.capped and it.volunteer_id is not None:
            cur.execute(_LOCK_VOLUNTEER_PG, (it.volunteer_id,))
            cur.execute(_CLAIM_CAPPED_PG, {**params, "since": now - timedelta(days=7), "cap": self.cap})
        else:
            cur.execute(_CLAIM_PG, params)
        self.pipeline.sync()
        row = cur.fetchone()
        return None if row is None else (row[0], row[1])

    def _sync(self, sql: str, params=None) -> None:
        self.cur.execute(sql, params)
        self.pipeline.sync()

    def _end(self, command: str) -> None:
        self.open = False
        self._sync(command)


def record(
    *,
    kind: str,
    key: str,
    recipient: str | None = None,
    volunteer_id: int | None = None,
    role_id: int | None = None,
    status: str = "done",
) -> bool:
    """Claim a key for a side effect that is not an email (a fan-out, an escalation). True if new."""
    engine = get_engine()
    sqlite = engine.dialect.name == "sqlite"
    insert = sqlite_insert if sqlite else pg_insert
    with _sqlite_lock if sqlite else nullcontext(), engine.begin() as conn:
        return (
            conn.execute(
                insert(Delivery)
                .values(
                    key=key,
                    kind=kind,
                    recipient=recipient,
                    volunteer_id=volunteer_id,
                    role_id=role_id,
                    status=status,
                    created_at=utcnow(),
                    sent_at=None,
                )
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(Delivery.id)
            ).first()
            is not None
        )
