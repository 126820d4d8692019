"""A server with every database connection in use answers 503 with Retry-After (in the envelope),
never a 500, and serves again as soon as a connection is free."""

from __future__ import annotations

from fastapi.testclient import TestClient

from brokerage import db as brokerage_db
from brokerage.app import create_app


def test_an_exhausted_pool_is_a_503_with_retry_after(pg_url, pg_engine):
    engine = brokerage_db.make_engine(url=pg_url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    previous = brokerage_db._engine
    brokerage_db.set_engine(engine)
    try:
        client = TestClient(create_app(), raise_server_exceptions=False)
        held = engine.connect()  # the only connection, taken by someone else
        try:
            r = client.get("/districts")
            assert r.status_code == 503, r.text
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["error"] == {
                "status": 503,
                "code": "service_unavailable",
                "message": "The service is busy. Please try again in a moment.",
                "details": [],
            }
        finally:
            held.close()
        assert client.get("/districts").status_code == 200
    finally:
        brokerage_db.set_engine(previous)
        engine.dispose()
