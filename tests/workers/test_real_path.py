"""The production path: PostgreSQL, our own redis-server, real ``brokerage worker`` processes
(Dramatiq + the outbox relay), ``brokerage scheduler`` processes and a real SMTP server — with
faults: Redis killed while roles are published, a worker SIGKILLed mid-send, two schedulers."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select, text

from brokerage.models import OutboxMessage, ScheduledRun
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import outbox_idle, outbox_report, publish, settle, staff_principal, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_env(worker_env, redis_server):
    return {**worker_env, "BROKERAGE_REDIS_URL": redis_server.url}


def _start_worker(processes, env, n=1, threads=4):
    return processes(["worker", "--processes", str(n), "--threads", str(threads)], env, name="worker")


def test_role_published_and_referral_go_through_redis_and_a_real_worker(redis_env, processes, session, smtp, worker_engine):
    from brokerage.auth.service import build_principal
    from brokerage.referrals import service as referrals_service
    from brokerage.referrals.schemas import ReferralCreate

    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD, name="Stour Valley Arts")
    org.contact_email = "arts@stour.example"
    volunteers = [f.volunteer(ASHFORD) for _ in range(3)]
    opted_out = f.volunteer(ASHFORD, consent=False)
    role = f.role(org, status="draft", title="Gallery steward")
    session.commit()
    worker = _start_worker(processes, redis_env)

    publish(session, staff, role)
    wait_for(lambda: smtp.count("role_match") == 3, timeout=60, what="role emails via Redis")
    assert sorted(m.to for m in smtp.of_kind("role_match")) == sorted(v.email for v in volunteers)
    assert all("Gallery steward" in m.text and "Stour Valley Arts" in m.html for m in smtp.of_kind("role_match"))
    assert smtp.to(opted_out.email) == []

    me = build_principal(session, _user_of(session, volunteers[0]))
    referrals_service.create(session, me, ReferralCreate(role_id=role.id, share_email=True, share_phone=False))
    session.commit()
    wait_for(lambda: smtp.count("referral_created") == 1, timeout=30, what="the referral email")
    m = smtp.of_kind("referral_created")[0]
    assert m.to == "arts@stour.example" and volunteers[0].email in m.text
    settle(worker_engine)
    assert worker.proc.poll() is None, worker.output()


def _user_of(session, volunteer):
    from brokerage.models import User

    return session.get(User, volunteer.user_id)


def test_redis_down_while_roles_are_published_loses_nothing(redis_env, redis_server, processes, session, smtp, worker_engine):
    env = {**redis_env, "BROKERAGE_WEEKLY_ROLE_EMAIL_CAP": "10"}
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    volunteers = [f.volunteer(ASHFORD) for _ in range(5)]
    roles = [f.role(org, status="draft", title=f"Role {i}") for i in range(4)]
    session.commit()
    _start_worker(processes, env)
    publish(session, staff, roles[0])
    wait_for(lambda: smtp.count("role_match") == 5, timeout=60, what="the first role's emails")
    settle(worker_engine)

    redis_server.stop()
    for role in roles[1:]:
        publish(session, staff, role)
    time.sleep(1.5)
    with worker_engine.connect() as conn:  # the jobs wait in the outbox
        waiting = conn.scalar(text("SELECT count(*) FROM outbox WHERE actor = 'role.published' AND dispatched_at IS NULL"))
    assert waiting == 3
    assert smtp.count("role_match") == 5

    redis_server.start()
    wait_for(lambda: smtp.count("role_match") == 20, timeout=60, what="all role emails after Redis came back")
    settle(worker_engine)
    time.sleep(0.5)
    pairs = Counter((m.to, m.subject) for m in smtp.of_kind("role_match"))
    assert len(pairs) == 20 and set(pairs.values()) == {1}
    assert {m.to for m in smtp.of_kind("role_match")} == {v.email for v in volunteers}


def test_worker_killed_mid_send_delivers_each_notification_exactly_once(redis_env, processes, session, smtp, worker_engine):
    from brokerage.roles import service as roles_service

    env = {**redis_env, "BROKERAGE_WORKER_ROLE_CANDIDATES": "400", "BROKERAGE_WEEKLY_ROLE_EMAIL_CAP": "10"}
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    volunteers = [f.volunteer(ASHFORD, with_user=False) for _ in range(400)]
    roles = [f.role(org, status="draft", title=f"Busy role {i}") for i in range(3)]
    session.commit()
    expected = {(v.email, f"role_match:{r.id}:{v.id}") for v in volunteers for r in roles}
    assert len(expected) == 1200
    smtp.delay = 0.005
    worker = _start_worker(processes, env, n=2)

    for role in roles:
        roles_service.change_status(session, staff, role.id, "published", None)
    session.commit()
    wait_for(lambda: smtp.count("role_match") >= 150, timeout=90, interval=0.01, what="sending to start")
    worker.kill()  # SIGKILL to the whole process group, mid-send
    at_kill = smtp.count("role_match")
    assert at_kill < 1200

    smtp.delay = 0
    _start_worker(processes, env, n=2)
    try:
        wait_for(
            lambda: smtp.count("role_match") >= 1200 and outbox_idle(worker_engine),
            timeout=300,
            what="every notification after the restart",
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {smtp.count('role_match')} received; {outbox_report(worker_engine)}") from None
    time.sleep(1.0)  # anything sent twice would arrive now

    import hashlib

    ids = {f"<{hashlib.sha1(k.encode()).hexdigest()}@brokerage.invalid>": (email, k) for email, k in expected}
    received = Counter((m.to, m.message_id) for m in smtp.of_kind("role_match"))
    assert {ids[mid] for _to, mid in received} == expected  # none lost
    assert all(ids[mid][0] == to for to, mid in received)  # each to the right person
    with worker_engine.connect() as conn:  # one delivery record each
        assert conn.scalar(text("SELECT count(*) FROM deliveries WHERE kind = 'role_match' AND status = 'sent'")) == 1200
    # None twice. A message can only be repeated if the kill fell between the SMTP server accepting
    # it and the COMMIT of its delivery record reaching the database (its reply in flight and one
    # local round trip; at most one per worker thread), or if the server keeps a message whose
    # client vanished before reading its reply; it then carries the same Message-ID, which mailbox
    # providers collapse. The count is reported if it happens.
    repeated = {k: n for k, n in received.items() if n > 1}
    assert sum(n - 1 for n in repeated.values()) <= 8, f"sent twice: {repeated}"
    if repeated:
        print(f"repeated in the kill window: {repeated}")


def _slow_server_run(processes, session, smtp, env, *, volunteers: int, roles: int, delay: float):
    """Publish ``roles`` roles to ``volunteers`` volunteers (jobs of ten emails), let sending start
    with the mail server taking ``delay`` seconds over each message, SIGKILL the worker's whole
    process group and start a new one. Returns {Message-ID: (address, delivery key)} expected."""
    import hashlib

    from brokerage.roles import service as roles_service

    env = {**env, "BROKERAGE_WORKER_ROLE_EMAIL_CHUNK": "10", "BROKERAGE_WEEKLY_ROLE_EMAIL_CAP": "10"}
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    people = [f.volunteer(ASHFORD, with_user=False) for _ in range(volunteers)]
    listed = [f.role(org, status="draft", title=f"Weekend role {i}") for i in range(roles)]
    session.commit()
    expected = {
        f"<{hashlib.sha1(k.encode()).hexdigest()}@brokerage.invalid>": (v.email, k)
        for v in people
        for r in listed
        for k in [f"role_match:{r.id}:{v.id}"]
    }
    smtp.delay = delay
    worker = _start_worker(processes, env, n=2)
    for role in listed:
        roles_service.change_status(session, staff, role.id, "published", None)
    session.commit()
    wait_for(lambda: smtp.count("role_match") >= 16, timeout=90, interval=0.01, what="sending to start")
    worker.kill()  # every worker thread has a message with the server, which has not answered yet
    assert smtp.count("role_match") < len(expected)
    smtp.delay = 0
    _start_worker(processes, env, n=2)
    return expected


def _assert_each_received_once(smtp, engine, expected) -> None:
    received = Counter((m.to, m.message_id) for m in smtp.of_kind("role_match"))
    lost = sorted(key for mid, (_to, key) in expected.items() if not any(m == mid for _t, m in received))
    assert not lost, f"{len(lost)} emails never arrived: {lost}"
    assert all(expected[mid][0] == to for to, mid in received)  # each to the right person
    with engine.connect() as conn:  # one delivery record each
        sent = conn.scalar(text("SELECT count(*) FROM deliveries WHERE kind = 'role_match' AND status = 'sent'"))
    assert sent == len(expected)
    # A message is repeated only if the kill fell between the server's acceptance and the COMMIT of
    # its record: at most one per worker thread (2 processes x 4 threads), with the same Message-ID.
    repeated = {k: n for k, n in received.items() if n > 1}
    assert sum(n - 1 for n in repeated.values()) <= 8, f"sent twice: {repeated}"


def test_worker_killed_while_the_mail_server_is_answering_loses_no_email(redis_env, processes, session, smtp, worker_engine):
    """A mail server may drop a message whose client vanished before reading its reply (this one
    does), so an email counts as sent only once the server has said 250: the messages a killed
    worker had with the server are not recorded, and they go again."""
    expected = _slow_server_run(processes, session, smtp, redis_env, volunteers=40, roles=3, delay=0.3)
    settle(worker_engine, timeout=180)  # every job done again (or the test fails here)
    time.sleep(1.0)  # anything sent twice would arrive now
    _assert_each_received_once(smtp, worker_engine, expected)


def _deployment_recovery(env: dict[str, str]) -> dict[str, str]:
    """The environment with the deployment's own recovery settings (heartbeat timeout, Dramatiq's
    own maintenance chance, the relay's sweep and its long timer), not the tests' quick ones."""
    quick = ("REDIS_HEARTBEAT_TIMEOUT_MS", "REDIS_MAINTENANCE_CHANCE", "REDISPATCH_AFTER_SECONDS", "RELAY_SWEEP_SECONDS")
    return {k: v for k, v in env.items() if k.removeprefix("BROKERAGE_WORKER_") not in quick}


def test_a_killed_workers_jobs_come_back_within_a_minute_with_the_deployment_settings(
    redis_env, processes, session, smtp, worker_engine
):
    from workers.settings import WorkerSettings

    defaults = WorkerSettings()
    assert defaults.redispatch_after_seconds >= 600  # the long timer cannot be what brings them back
    expected = _slow_server_run(processes, session, smtp, _deployment_recovery(redis_env), volunteers=30, roles=2, delay=0.2)
    restarted = time.monotonic()
    settle(worker_engine, timeout=120)  # the jobs the dead processes held are done
    print(f"a killed worker's jobs finished {time.monotonic() - restarted:.1f}s after the new worker started")
    time.sleep(1.0)
    _assert_each_received_once(smtp, worker_engine, expected)


def test_jobs_lost_with_redis_go_again_soon_after_it_comes_back_empty(
    redis_env, redis_server, processes, session, smtp, worker_engine
):
    env = _deployment_recovery(redis_env)
    f = Factory(session)
    staff = staff_principal(session, f)
    org = f.organisation(ASHFORD)
    volunteers = [f.volunteer(ASHFORD) for _ in range(5)]
    roles = [f.role(org, status="draft", title=f"Role {i}") for i in range(2)]
    session.commit()
    relay = processes(["relay"], env, name="relay")  # hands the jobs to Redis; no worker is running
    for role in roles:
        publish(session, staff, role)
    with worker_engine.connect() as conn:
        dispatched = lambda: conn.scalar(  # noqa: E731
            text("SELECT count(*) FROM outbox WHERE actor = 'role.published' AND status = 'dispatched'")
        )
        wait_for(lambda: dispatched() == 2, timeout=30, what="the relay to hand the jobs to Redis")

    redis_server.stop()
    redis_server.start(empty=True)  # a Redis that keeps nothing on disk, back after a crash
    back = time.monotonic()
    _start_worker(processes, env)
    wait_for(lambda: smtp.count("role_match") >= 10, timeout=90, what="the lost jobs' emails")
    print(f"jobs lost with Redis went again {time.monotonic() - back:.1f}s after it came back")
    settle(worker_engine)
    time.sleep(0.5)
    pairs = Counter((m.to, m.subject) for m in smtp.of_kind("role_match"))
    assert len(pairs) == 10 and set(pairs.values()) == {1}
    assert {m.to for m in smtp.of_kind("role_match")} == {v.email for v in volunteers}
    assert relay.proc.poll() is None, relay.output()


def test_two_schedulers_send_each_weekly_digest_once(redis_env, processes, session, smtp, worker_engine):
    env = {
        **redis_env,
        "BROKERAGE_WORKER_DIGEST_WEEKDAY": str(date.today().weekday()),
        "BROKERAGE_WORKER_DIGEST_HOUR": "0",
        "BROKERAGE_WORKER_DAILY_HOUR": "0",
    }
    f = Factory(session)
    org = f.organisation(ASHFORD, name="Weald Wildlife")
    for i in range(3):
        f.role(org, title=f"Hedge layer {i}")
    readers = [f.volunteer(ASHFORD, notification="weekly_digest") for _ in range(30)]
    instant = f.volunteer(ASHFORD, notification="instant")
    refused = f.volunteer(ASHFORD, notification="weekly_digest", consent=False)
    session.commit()

    first = processes(["scheduler"], env, name="scheduler")
    second = processes(["scheduler"], env, name="scheduler")
    _start_worker(processes, env)
    wait_for(lambda: smtp.count("digest") >= 30, timeout=60, what="the digests")
    time.sleep(1.5)  # both schedulers have ticked several times by now
    settle(worker_engine)

    assert sorted(m.to for m in smtp.of_kind("digest")) == sorted(v.email for v in readers)
    assert smtp.to(instant.email) == [] and smtp.to(refused.email) == []
    assert "Hedge layer" in smtp.of_kind("digest")[0].text
    assert session.scalar(select(func.count()).select_from(ScheduledRun).where(ScheduledRun.job == "digest.weekly")) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.actor == "digest.weekly")) == 1
    assert first.proc.poll() is None and second.proc.poll() is None
    logs = first.output() + second.output()
    assert logs.count("now the leader") == 1, logs
