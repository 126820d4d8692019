"""The API and the workers rank from several threads at once while roles change: a shared index
must give every thread the same answer it would give alone."""

from __future__ import annotations

import random
import threading
from datetime import date

from matching import RoleIndex
from tests.matching._gen import random_role, random_volunteer

TODAY = date(2026, 11, 23)


def test_concurrent_ranking_on_a_cold_index_matches_single_threaded():
    rng = random.Random(11)
    roles = [random_role(rng, i) for i in range(1, 1500)]
    vols = [random_volunteer(rng, i) for i in range(1, 120)]
    expected = {v.id: [(m.role_id, round(m.score, 9)) for m in RoleIndex(roles).rank(v, k=10, today=TODAY)] for v in vols}

    shared = RoleIndex(roles)  # cold: derived state is built by whichever thread comes first
    got: dict[int, list] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def work(chunk):
        try:
            barrier.wait()
            for v in chunk:
                got[v.id] = [(m.role_id, round(m.score, 9)) for m in shared.rank(v, k=10, today=TODAY)]
                shared.upsert(roles[v.id % len(roles)])  # an unchanged role re-written meanwhile
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(vols[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert got == expected
