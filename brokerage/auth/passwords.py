"""Password hashing with Argon2id (argon2-cffi defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against when the account does not exist, so that timing does not reveal it. It is
# made the first time it is needed, not when the module is imported: hashing takes 64 MiB and most of a
# second, which every process start (each CLI command, each worker) would otherwise pay for nothing.
_dummy_hash: str | None = None
_dummy_lock = threading.Lock()


def dummy_hash() -> str:
    """The stand-in hash, made once per process on first use."""
    global _dummy_hash
    if _dummy_hash is None:
        with _dummy_lock:
            if _dummy_hash is None:
                _dummy_hash = _hasher.hash("not-a-real-password-used-for-timing")
    return _dummy_hash


def verify_against_dummy(password: str) -> None:
    """Spend the time a real check would, for an email address with no account behind it."""
    verify_password(dummy_hash(), password)
