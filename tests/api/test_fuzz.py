"""The API fuzzed by schemathesis from its own OpenAPI document: every operation, with valid and
invalid generated input, as each kind of user (a bearer token each) and as a stranger.

No request may get a server error, and every error answers in the one envelope
(``{"error": {"status", "code", "message", "details"}}``) with the response's own status. The run
prints how many requests each kind of user sent and what came back.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from brokerage.auth.service import issue_api_token
from brokerage.config import get_settings
from brokerage.models import User
from tests.factories import ASHFORD, CANTERBURY

# Examples per operation, per kind of user, per mode (valid and invalid input).
EXAMPLES = int(os.environ.get("BROKERAGE_FUZZ_EXAMPLES", "2"))
MIN_REQUESTS = 1_000
REQUEST_TIMEOUT = 120  # seconds


@pytest.fixture
def db(pg_db):
    """PostgreSQL only: the strictest of the two databases about what it is sent (and a run on
    each would double the suite's longest test)."""
    return pg_db


@pytest.fixture
def generous_limits(monkeypatch):
    """The fuzzer sends everything from one address: sign-in limits have their own tests."""
    monkeypatch.setenv("BROKERAGE_THROTTLE_ENABLED", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def users(factory, db):
    """One of each kind, with something of theirs in the database for ids to find."""
    centre = factory.centre(districts=(ASHFORD,))
    lead = factory.centre(districts=(ASHFORD, CANTERBURY), is_lead=True)
    org = factory.organisation(ASHFORD)
    factory.role(org)
    factory.role(org, status="draft")
    volunteer = factory.volunteer(ASHFORD)
    kinds = {
        "volunteer": db.get(User, volunteer.user_id),
        "organisation manager": factory.user("organisation_manager", organisations=(org,)),
        "centre staff": factory.user("centre_staff", centre=centre),
        "lead-centre staff": factory.user("centre_staff", centre=lead),
        "pilot lead": factory.user("pilot_lead"),
        "admin": factory.user("admin"),
    }
    headers = {kind: {"Authorization": f"Bearer {issue_api_token(user)}"} for kind, user in kinds.items()}
    return {**headers, "anonymous": {}}


def _header(response, name: str) -> str:
    for key, values in response.headers.items():
        if key.lower() == name:
            return values[0] if isinstance(values, list) else values
    return ""


def _answers_html(operation) -> bool:
    """An operation documented to answer with a page (one-click unsubscribe, for mail clients and
    people) answers its errors with a readable page too."""
    responses = operation.definition.raw.get("responses", {})
    return any("text/html" in (r.get("content") or {}) for r in responses.values())


def _envelope_problem(response, html_ok: bool) -> str | None:
    if response.status_code < 400:
        return None
    content_type = _header(response, "content-type")
    if html_ok and content_type.startswith("text/html"):
        return None
    if not content_type.startswith("application/json"):
        return f"an error that is not JSON ({content_type})"
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return "an error outside the envelope"
    if set(error) != {"status", "code", "message", "details"} or error["status"] != response.status_code:
        return f"an envelope that does not match: {error}"
    if not error["message"] or not isinstance(error["details"], list):
        return "an envelope without a message"
    return None


def test_fuzzed_requests_as_every_kind_of_user_never_get_a_server_error(app, users, generous_limits):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    sent: Counter = Counter()
    outcomes: dict[str, Counter] = defaultdict(Counter)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    def fuzz(strategy, kind: str, headers: dict[str, str], html_ok: bool) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            # No time limit of a test's own (the suite shares a small machine): only a request
            # that hangs for good fails here.
            response = case.call(headers={**(case.headers or {}), **headers}, timeout=REQUEST_TIMEOUT)
            sent[kind] += 1
            outcomes[kind][response.status_code // 100] += 1
            where = f"{kind}: {case.method} {case.formatted_path} {case.query or ''}"
            if response.status_code >= 500:
                failures.append(f"{where} → {response.status_code} {response.text[:200]}")
            else:
                problem = _envelope_problem(response, html_ok)
                if problem:
                    failures.append(f"{where} → {response.status_code}: {problem}")

        try:
            run()
        except Unsatisfiable:
            pass  # no invalid input exists for an operation without parameters

    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            for kind, headers in users.items():
                fuzz(strategy, kind, headers, _answers_html(operation))

    total = sum(sent.values())
    print(f"\nschemathesis: {len(operations)} operations, {total} generated requests")
    for kind in users:
        print(f"  {kind:22} {sent[kind]:5} requests  " + "  ".join(f"{k}xx: {v}" for k, v in sorted(outcomes[kind].items())))
    print(f"  server errors: {sum(1 for f in failures if '→ 5' in f)}; errors outside the envelope: {len(failures)}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
    assert total >= MIN_REQUESTS
    assert all(sent[kind] > 0 for kind in users)
