"""Test fixtures shared by the whole suite: a real database built by ``alembic upgrade head``
(PostgreSQL, and SQLite for the embedded path), a transaction per test rolled back afterwards, the app
on that transaction with a test client, a factory of rows, and bearer-token headers per user.

Fixtures live here (or in a folder's own conftest when only that folder uses them); a conftest never
imports fixtures from another one."""

from __future__ import annotations

import os
import shutil
import time
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.isolation import unique_name, worker_redis_url
from tests.support.live import LiveServer, live_server as _live_server, live_servers as _live_servers, server_env

if TYPE_CHECKING:
    from tests.factories import Factory

os.environ.setdefault("BROKERAGE_ENVIRONMENT", "test")
os.environ.setdefault("BROKERAGE_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

PG_ADMIN_URL = os.environ.get("BROKERAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Each pytest-xdist worker has a Redis database number of its own (tests/support/isolation.py).
REDIS_URL = worker_redis_url(os.environ.get("BROKERAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
BACKENDS = [b for b in os.environ.get("BROKERAGE_TEST_BACKENDS", "postgresql,sqlite").split(",") if b]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``), tests that share something expensive stay on one
    worker, so it is built once: the browser tests (a seeded server and a Chromium for each of
    BROWSER_WORKERS groups of whole modules), and the tests of a module that share a module-scoped fixture (a running server, a seeded
    database)."""
    browser_groups = _browser_groups({_module(item) for item in items if _is_browser_test(item)})
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.xdist_group(browser_groups[_module(item)]))
            continue
        info = getattr(item, "_fixtureinfo", None)
        if info is not None and any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values() if defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _module(item) -> str:
    module = getattr(item, "module", None)
    return module.__name__ if module is not None else item.nodeid.split("::")[0]


def _is_browser_test(item) -> bool:
    return bool(item.get_closest_marker("browser") or "browser" in getattr(item, "fixturenames", ()))


# Roughly how many seconds each browser module takes (the rest take about 20): only to share the
# browser tests out between BROWSER_WORKERS workers, each with its own seeded server and Chromium,
# so that no one worker runs all of them while the others wait.
BROWSER_WORKERS = 2
BROWSER_SECONDS = {
    "tests.web.test_every_page": 340,
    "tests.web.test_email_links": 190,
    "tests.web.test_journeys": 140,
    "tests.web.test_callout_pages": 125,
    "tests.web.test_demo_dashboard": 80,
    "tests.web.test_guidance_pages": 70,
    "tests.web.test_invitation_journey": 40,
}


def _browser_groups(modules: set[str]) -> dict[str, str]:
    """Each browser module → one of BROWSER_WORKERS groups, the heaviest first into the lightest group."""
    load = [0] * BROWSER_WORKERS
    groups = {}
    for module in sorted(modules, key=lambda m: (-BROWSER_SECONDS.get(m, 20), m)):
        n = load.index(min(load))
        load[n] += BROWSER_SECONDS.get(module, 20)
        groups[module] = f"browser-{n + 1}"
    return groups


def _create_pg_database(tmp_name: str, template: str | None = None) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{tmp_name}"'))
        conn.execute(text(f'CREATE DATABASE "{tmp_name}"' + (f' TEMPLATE "{template}"' if template else "")))
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
def pg_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated once for this worker: every other test database
    is a copy of it (``CREATE DATABASE … TEMPLATE``), which is much quicker than migrating again."""
    name = unique_name("template")
    engine = create_engine(_create_pg_database(name))
    migrate_engine(engine)
    engine.dispose()
    yield name
    _drop_pg_database(name)


@pytest.fixture(scope="session")
def pg_database(pg_template) -> Callable[..., AbstractContextManager[str]]:
    """``with pg_database("label") as url:`` → a migrated PostgreSQL database of the test's own (a copy
    of the template, named after the label, this worker and this process), dropped afterwards;
    ``pg_database("label", empty=True)``: one with no tables at all, for a first start to migrate."""

    @contextmanager
    def _database(label: str, *, empty: bool = False) -> Iterator[str]:
        name = unique_name(label)
        url = _create_pg_database(name, template=None if empty else pg_template)
        try:
            yield url
        finally:
            _drop_pg_database(name)

    return _database


@pytest.fixture(scope="session")
def pg_url(pg_database) -> Iterator[str]:
    with pg_database("test") as url:
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_url) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once for this worker (tmp_path_factory is per worker)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.sqlite3"
    engine = sqlite_engine_for_tests(str(path))
    migrate_engine(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_sqlite(sqlite_template) -> Callable[[Path], Engine]:
    """``migrated_sqlite(path)`` → an engine on a new, migrated SQLite database at ``path`` (a copy of
    the template); the caller disposes of it."""

    def _engine(path: Path) -> Engine:
        shutil.copyfile(sqlite_template, path)
        return sqlite_engine_for_tests(str(path))

    return _engine


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory, migrated_sqlite) -> Iterator[Engine]:
    engine = migrated_sqlite(tmp_path_factory.mktemp("sqlite") / "brokerage.sqlite3")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request) -> Engine:
    """The database engine: every test that uses it runs on PostgreSQL and on SQLite."""
    return request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'sqlite'}_engine")


@pytest.fixture(scope="session")
def live_server() -> Callable[..., AbstractContextManager[LiveServer]]:
    """``with live_server(database_url, var_dir, settings={...}) as server:`` → a real server process
    (``brokerage serve --quiet`` unless ``kind``/``args`` say otherwise) on a free port, in test mode
    on that database, with its files under ``var_dir``, healthy at ``server.base_url``; its output is
    in ``server.log_path`` (``var_dir/server.log`` unless ``log_path`` is given)."""

    def _start(
        database_url: str,
        var_dir: Path,
        *,
        settings: dict[str, str] | None = None,
        log_path: Path | None = None,
        kind: str = "serve",
        args: tuple[str, ...] = ("--quiet",),
        timeout: float = 180,
    ) -> AbstractContextManager[LiveServer]:
        env = server_env(database_url, var_dir, settings)
        return _live_server(env, log_path or var_dir / "server.log", kind=kind, args=args, timeout=timeout)

    return _start


@pytest.fixture(scope="session")
def live_servers() -> Callable[..., AbstractContextManager[list[LiveServer]]]:
    """``with live_servers(count, database_url, var_dir, …) as servers:`` → ``count`` server
    processes on one database, started at once, as ``live_server`` starts one (logs in
    ``var_dir/server-1.log`` …)."""

    def _start(count: int, database_url: str, var_dir: Path, *, settings: dict[str, str] | None = None, **options):
        logs = [var_dir / f"server-{n}.log" for n in range(1, count + 1)]
        return _live_servers(server_env(database_url, var_dir, settings), logs, **options)

    return _start


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
