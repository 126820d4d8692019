import pytest
from pydantic import ValidationError

from brokerage.config import Settings


def test_embedded_defaults(tmp_path):
    s = Settings(var_dir=tmp_path, secret_key=None, _env_file=None)
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'brokerage.sqlite3'}"
    assert s.effective_broker_url is None
    key = s.resolved_secret_key()
    assert len(key) > 40 and (tmp_path / "secret_key").read_text() == key
    assert Settings(var_dir=tmp_path, secret_key=None, _env_file=None).resolved_secret_key() == key  # kept, not regenerated


def test_postgres_url_gets_the_psycopg_driver():
    s = Settings(database_url="postgres://u@h/db", _env_file=None)
    assert s.effective_database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("secret", [None, "changeme", "short-secret"])
def test_production_refuses_missing_default_or_short_secret(secret):
    with pytest.raises(ValidationError):
        Settings(environment="production", secret_key=secret, database_url="postgresql://x/y", _env_file=None)


def test_production_refuses_embedded_database():
    with pytest.raises(ValidationError):
        Settings(environment="production", secret_key="x" * 48, _env_file=None)


@pytest.mark.parametrize("base_url", [None, "http://volunteer.kent.example"])
def test_production_refuses_a_missing_or_plain_http_base_url(base_url):
    extra = {"base_url": base_url} if base_url else {}
    with pytest.raises(ValidationError, match="BROKERAGE_BASE_URL"):
        Settings(environment="production", secret_key="x" * 48, database_url="postgresql://x/y", _env_file=None, **extra)
    ok = Settings(
        environment="production",
        secret_key="x" * 48,
        database_url="postgresql://x/y",
        base_url="https://volunteer.kent.example",
        _env_file=None,
    )
    assert ok.base_url == "https://volunteer.kent.example"
