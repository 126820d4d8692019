"""Database engine, session factory and the declarative base.

Every unit of work opens its session here: ``session_scope()`` for actors, commands and the
scheduler; the request dependency (``brokerage.deps``) uses the same ``new_session``, ``finish`` and
``abandon`` steps, and commits once the route has returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from brokerage.config import Settings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def make_engine(settings: Settings | None = None, url: str | None = None, **kwargs) -> Engine:
    settings = settings or get_settings()
    url = url or settings.effective_database_url
    # Statement parameters (names, emails, password hashes) never reach an error message or a log.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if "poolclass" not in kwargs:
        # Sized from the settings: at least as many connections as worker threads, so a burst
        # waits briefly for a connection instead of failing (and an exhausted pool is a 503).
        kwargs.setdefault("pool_size", settings.db_pool_size)
        kwargs.setdefault("max_overflow", max(settings.db_max_overflow, settings.threadpool_size - settings.db_pool_size + 10))
        kwargs.setdefault("pool_timeout", settings.db_pool_timeout_seconds)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Point the process at another engine (tests, CLI with --database-url)."""
    global _engine, _sessionmaker
    _engine = engine
    _sessionmaker = None


def get_sessionmaker() -> sessionmaker[Session]:
    global _sessionmaker
    if _sessionmaker is None:
        _sessionmaker = sessionmaker(bind=get_engine(), expire_on_commit=False)
    return _sessionmaker


def new_session(factory: sessionmaker[Session] | None = None) -> Session:
    """A session from ``factory``, by default the process's (no I/O until it is used)."""
    return (factory or get_sessionmaker())()


def finish(session: Session) -> None:
    """Commit the unit of work and close its session."""
    try:
        session.commit()
    finally:
        session.close()


def abandon(session: Session) -> None:
    """Roll the unit of work back and close its session."""
    try:
        session.rollback()
    finally:
        session.close()


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error. A long-lived loop that serves one
    database for its whole life (the relay) passes the factory it was started with."""
    session = new_session(factory)
    try:
        yield session
    except BaseException:
        abandon(session)
        raise
    finish(session)
