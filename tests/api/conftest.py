from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import Factory


@pytest.fixture
def app(db: Session):
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
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def factory(db: Session) -> Factory:
    return Factory(db)


@pytest.fixture
def as_user(client):
    """``as_user(user)`` → headers with a bearer token for that user."""
    from brokerage.auth.service import issue_api_token

    def _headers(user) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_api_token(user)}"}

    return _headers
