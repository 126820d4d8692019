"""The API fixtures (app, client, factory, as_user) for the interoperability tests."""

from tests.api.conftest import app, as_user, client, factory  # noqa: F401
