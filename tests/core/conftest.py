from tests.api.conftest import app, as_user, client, factory  # noqa: F401  (same fixtures as the API tests)
