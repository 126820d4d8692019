"""The embedded default: SQLite, no broker, no SMTP host — ``brokerage serve``'s in-process relay,
actors and scheduler; messages are written as .eml files under var/outbox-mail/."""

from __future__ import annotations

import email
import email.policy

from sqlalchemy.orm import Session

from tests.factories import ASHFORD, Factory
from tests.workers.conftest import SECRET, publish, settle, staff_principal, wait_for


def test_embedded_worker_on_sqlite_writes_eml_files(configure, tmp_path):
    var = tmp_path / "var"
    engine = configure(
        {
            "BROKERAGE_ENVIRONMENT": "test",
            "BROKERAGE_SECRET_KEY": SECRET,
            "BROKERAGE_VAR_DIR": str(var),
            "BROKERAGE_BASE_URL": "https://volunteer.kent.example",
            "BROKERAGE_WORKER_RELAY_POLL_SECONDS": "0.05",
            "BROKERAGE_WORKER_SCHEDULER_TICK_SECONDS": "0.2",
        }
    )
    assert engine.dialect.name == "sqlite"
    from brokerage.cli import migrate

    migrate()
    from workers.broker import ensure_broker
    from workers.embedded import EmbeddedWorker

    ensure_broker().flush_all()
    with Session(engine, expire_on_commit=False) as session:
        f = Factory(session)
        staff = staff_principal(session, f)
        org = f.organisation(ASHFORD, name="Tenterden Community Larder")
        v = f.volunteer(ASHFORD)
        opted_out = f.volunteer(ASHFORD, consent=False)
        role = f.role(org, status="draft", title="Larder volunteer")
        session.commit()
        worker = EmbeddedWorker(threads=2)  # relay, actors and scheduler, as `brokerage serve` runs them
        worker.start()
        try:
            publish(session, staff, role)
            outbox = var / "outbox-mail"
            wait_for(lambda: outbox.exists() and any(outbox.glob("*role_match*.eml")), what="an .eml file")
            settle(engine)
        finally:
            worker.stop()
    files = list(outbox.glob("*role_match*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert v.email in message["To"] and opted_out.email not in files[0].read_text()
    assert message["Subject"] == "A new volunteering role that suits you: Larder volunteer"
    assert message["List-Unsubscribe"].startswith("<https://volunteer.kent.example/unsubscribe?token=")
    assert "Tenterden Community Larder" in message.get_body(("plain",)).get_content()
