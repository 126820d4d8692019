"""Throttling for sign-in and the other expensive routes anyone can call (the ``limits`` library).

Counters are moving windows kept in Redis when the service has one (``BROKERAGE_REDIS_URL``, or
``BROKERAGE_THROTTLE_STORAGE_URL``), so every server process shares them, and in the process's
memory when the service runs embedded. A refusal is a 429 with ``Retry-After`` (the JSON envelope,
or a readable page for page routes).

Sign-in has three limits, checked before the password is (each check costs an Argon2 hash):

1. **Per address** — every attempt from one client address, whatever the account: a cap on the
   CPU anyone can make the server spend, and on password spraying.
2. **Per account and address** — failed attempts at one account from one address. This is the
   limit a guesser meets first, and it only ever stops that address.
3. **Per account** — failed attempts at one account from all addresses together, against guessing
   spread over many addresses. When it is reached, it stops only addresses that have themselves
   failed at this account within the window; an address with no recent failure there (the owner at
   home) is not throttled and a correct password gets in.

So a stranger cannot lock an account out: every limit is a window, not a lock; the stranger's
failures count against the stranger's address; and an address that is not being throttled is let
through by the account-wide limit. The owner is held back only by their own recent failures, and
at most until those leave the window. A successful sign-in clears that address's failures for the
account.

If the counters' store cannot be reached, requests are let through (and it is logged): a Redis
outage must not take sign-in down with it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Depends, Request
from limits import RateLimitItem, parse, storage, strategies

from brokerage.config import Settings, get_settings
from brokerage.errors import TooManyRequests

logger = logging.getLogger(__name__)

MESSAGES = {
    "sign_in": "Too many attempts to sign in. Wait {wait} and try again, or reset your password.",
    "sign_up": "Too many new accounts from this address. Wait {wait} and try again.",
    "password_reset": "Too many password reset requests. Wait {wait} and try again.",
    "invitation": "You have sent a lot of invitations in a short time. Wait {wait} and try again.",
}


@dataclass(frozen=True)
class Throttle:
    limiter: strategies.MovingWindowRateLimiter
    settings: Settings

    def limit(self, name: str) -> RateLimitItem:
        return _parsed(getattr(self.settings, f"throttle_{name}"))


@lru_cache(maxsize=8)
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


_current: tuple[str, Throttle] | None = None


def _throttle() -> Throttle | None:
    """The limiter for the current settings (rebuilt when the storage URL changes, as in tests)."""
    global _current
    settings = get_settings()
    if not settings.throttle_enabled:
        return None
    url = settings.effective_throttle_storage_url
    key = f"{url}|{id(settings)}"
    if _current is None or _current[0] != key:
        options = {"key_prefix": "brokerage-throttle"} if url.startswith(("redis", "rediss")) else {}
        backend = storage.storage_from_string(url, wrap_exceptions=True, **options)
        _current = (key, Throttle(strategies.MovingWindowRateLimiter(backend), settings))
    return _current[1]


def reset() -> None:
    """Forget every counter (tests, and an operator's ``brokerage`` command after an incident)."""
    throttle = _throttle()
    if throttle is not None:
        _safely(None, throttle.limiter.storage.reset)


def client_address(request: Request) -> str:
    """The client's address; an IPv6 client counts by its /64 (one household or device)."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def _wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _refuse(throttle: Throttle, kind: str, limit: RateLimitItem, *keys: str) -> TooManyRequests:
    try:
        reset_at = throttle.limiter.get_window_stats(limit, *keys).reset_time
    except Exception:  # the store went away between two calls: say the whole window
        reset_at = time.time() + limit.get_expiry()
    wait = max(1, math.ceil(reset_at - time.time()))
    return TooManyRequests(MESSAGES[kind].format(wait=_wait_words(wait)), retry_after=wait)


def _safely(default, fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # the counters' store is unreachable: let the request through
        logger.warning("Throttle store unavailable (%s); request allowed", type(exc).__name__)
        return default


def check_address(request: Request, kind: str) -> None:
    """Count one request of this kind from the client's address; 429 past the limit."""
    throttle = _throttle()
    if throttle is None:
        return
    limit = throttle.limit(f"{kind}_per_address")
    address = client_address(request)
    if not _safely(True, throttle.limiter.hit, limit, kind, address):
        raise _refuse(throttle, kind, limit, kind, address)


def per_address(kind: str):
    """A route dependency: ``dependencies=[per_address("sign_up")]``."""

    def _dependency(request: Request) -> None:
        check_address(request, kind)

    return Depends(_dependency)


def check_account(kind: str, account: str) -> None:
    """Count one request of this kind for an account (an email address), whoever sends it."""
    throttle = _throttle()
    if throttle is None:
        return
    limit = throttle.limit(f"{kind}_per_account")
    key = account.strip().lower()
    if not _safely(True, throttle.limiter.hit, limit, kind, key):
        raise _refuse(throttle, kind, limit, kind, key)


class SignInGuard:
    """The three sign-in limits for one attempt: ``before()`` the password is checked, then
    ``failed()`` or ``succeeded()``."""

    def __init__(self, request: Request, email: str):
        self.throttle = _throttle()
        self.address = client_address(request)
        self.account = (email or "").strip().lower()

    def _limits(self) -> tuple[RateLimitItem, RateLimitItem, RateLimitItem]:
        t = self.throttle
        assert t is not None
        return (
            t.limit("sign_in_per_address"),
            t.limit("sign_in_failures_per_account_address"),
            t.limit("sign_in_failures_per_account"),
        )

    def before(self) -> None:
        t = self.throttle
        if t is None:
            return
        per_address, per_pair, per_account = self._limits()
        limiter = t.limiter
        if not _safely(True, limiter.hit, per_address, "sign_in", self.address):
            raise _refuse(t, "sign_in", per_address, "sign_in", self.address)
        pair = ("sign_in_fail", self.account, self.address)
        if not _safely(True, limiter.test, per_pair, *pair):
            raise _refuse(t, "sign_in", per_pair, *pair)
        account = ("sign_in_fail_account", self.account)
        if not _safely(True, limiter.test, per_account, *account):
            # Only addresses with their own recent failures here are stopped by the account-wide limit.
            stats = _safely(None, limiter.get_window_stats, per_pair, *pair)
            if stats is not None and stats.remaining < per_pair.amount:
                raise _refuse(t, "sign_in", per_account, *account)

    def failed(self) -> None:
        t = self.throttle
        if t is None:
            return
        _, per_pair, per_account = self._limits()
        _safely(True, t.limiter.hit, per_pair, "sign_in_fail", self.account, self.address)
        _safely(True, t.limiter.hit, per_account, "sign_in_fail_account", self.account)

    def succeeded(self) -> None:
        t = self.throttle
        if t is None:
            return
        _, per_pair, _ = self._limits()
        _safely(None, t.limiter.clear, per_pair, "sign_in_fail", self.account, self.address)
