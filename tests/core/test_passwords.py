"""Passwords: starting a process (the app, any CLI command, a worker) hashes nothing; the stand-in
hash that keeps sign-in for an unknown address as slow as for a real one is made on first use, once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Counts Argon2 hashes from the moment the interpreter starts, in a process of its own so that this
# one's imports are untouched, then imports everything a command or a worker imports.
_CODE = """
import json
import argon2
calls = []
_real = argon2.PasswordHasher.hash
def counted(self, *args, **kwargs):
    calls.append(1)
    return _real(self, *args, **kwargs)
argon2.PasswordHasher.hash = counted
import workers.cli, brokerage.app, brokerage.cli
from brokerage.auth import passwords
at_start = {"hashes": len(calls), "dummy": passwords._dummy_hash}
passwords.verify_against_dummy("a wrong password")
first = passwords.dummy_hash()
passwords.verify_against_dummy("another wrong password")
print(json.dumps({"at_start": at_start, "after": len(calls), "same": first == passwords.dummy_hash(),
                  "argon2": first.startswith("$argon2id$"),
                  "verifies": passwords.verify_password(first, "not-a-real-password-used-for-timing")}))
"""


def test_importing_the_app_hashes_nothing_and_the_stand_in_hash_is_made_once_on_first_use():
    out = subprocess.run([sys.executable, "-c", _CODE], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["at_start"] == {"hashes": 0, "dummy": None}
    assert seen["after"] == 1  # two failed look-ups, one hash
    assert seen["same"] and seen["argon2"] and seen["verifies"]


def test_signing_in_with_an_unknown_address_is_refused_like_a_wrong_password(client, factory):
    factory.user("volunteer", email="known@example.org")
    wrong = client.post("/auth/token", json={"email": "known@example.org", "password": "wrong password"})
    unknown = client.post("/auth/token", json={"email": "nobody@example.org", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 401
    assert unknown.json() == wrong.json()
