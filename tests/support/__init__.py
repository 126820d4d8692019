"""Helpers the fixtures in tests/conftest.py are built from: what keeps one pytest-xdist worker's
databases, ports, Redis keys and files apart from another's, and the one way a test starts a real
server process and waits for it."""
