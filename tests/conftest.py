"""Test fixtures shared by the whole suite: a real database built by ``alembic upgrade head``
(PostgreSQL, and SQLite for the embedded path), a transaction per test rolled back afterwards, the app
on that transaction with a test client, a factory of rows, and bearer-token headers per user.

Fixtures live here (or in a folder's own conftest when only that folder uses them); a conftest never
imports fixtures from another one."""

from __future__ import annotations

import os
import time
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from tests.factories import Factory

os.environ.setdefault("BROKERAGE_ENVIRONMENT", "test")
os.environ.setdefault("BROKERAGE_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

PG_ADMIN_URL = os.environ.get("BROKERAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BROKERAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BACKENDS = [b for b in os.environ.get("BROKERAGE_TEST_BACKENDS", "postgresql,sqlite").split(",") if b]


def _create_pg_database(tmp_name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}"'))
        conn.execute(text(f'CREATE DATABASE "{tmp_name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=tmp_name).render_as_string(hide_password=False)


def _drop_pg_database(tmp_name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}" WITH (FORCE)'))
    admin.dispose()


def sqlite_engine_for_tests(path: str) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy manage BEGIN / SAVEPOINT
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def migrate_engine(engine: Engine) -> None:
    from brokerage.cli import _alembic_config
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"brokerage_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = _create_pg_database(name)
    yield url
    _drop_pg_database(name)


@pytest.fixture(scope="session")
def pg_engine(pg_url) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    migrate_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("sqlite") / "brokerage.sqlite3"
    engine = sqlite_engine_for_tests(str(path))
    migrate_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request) -> Engine:
    """The database engine: every test that uses it runs on PostgreSQL and on SQLite."""
    return request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")


@contextmanager
def _rolled_back_session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (commits release a savepoint)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    with _rolled_back_session(engine) as session:
        yield session


@pytest.fixture
def pg_db(pg_engine) -> Iterator[Session]:
    with _rolled_back_session(pg_engine) as session:
        yield session


# -- the API app on the test's transaction ------------------------------------------------------------
@pytest.fixture
def app(db: Session) -> FastAPI:
    from brokerage import deps
    from brokerage.app import create_app
    from brokerage.matches.index_holder import holder

    holder.reset()  # each test has its own database state
    app = create_app()

    def _session() -> Iterator[Session]:
        try:
            yield db
            db.commit()  # releases the test's savepoint only
        except BaseException:
            db.rollback()
            raise

    app.dependency_overrides[deps._db_session] = _session
    return app


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def factory(db: Session) -> Factory:
    from tests.factories import Factory

    return Factory(db)


@pytest.fixture
def as_user(client):
    """``as_user(user)`` → headers with a bearer token for that user."""
    from brokerage.auth.service import issue_api_token

    def _headers(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_api_token(user)}"}

    return _headers


@pytest.fixture
def time_passes(monkeypatch):
    """``time_passes(seconds)``: the role catalogue and the match index see their clocks move on by
    ``seconds``, so a test reaches their once-a-second catch-up from the database without sleeping."""
    from brokerage.matches import index_holder
    from brokerage.roles import catalogue

    offset = 0.0
    clock = types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset)
    for module in (index_holder, catalogue):
        monkeypatch.setattr(module, "time", clock)

    def advance(seconds: float) -> None:
        nonlocal offset
        offset += seconds

    return advance


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Each test starts with no sign-in or sign-up attempts counted against its client address."""
    from brokerage import throttle

    throttle.reset()
    yield
