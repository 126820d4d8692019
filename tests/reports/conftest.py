from tests.api.conftest import app, as_user, client, factory  # noqa: F401
