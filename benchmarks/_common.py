"""Shared helpers for benchmarks: timing percentiles, memory, a plain-text table."""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    s = sorted(samples)
    n = len(s)

    def q(p: float) -> float:
        return s[min(n - 1, max(0, int(round(p * (n - 1)))))]

    return {"n": n, "p50": q(0.50), "p90": q(0.90), "p99": q(0.99), "mean": statistics.fmean(s), "max": s[-1]}


def time_calls(fn: Callable[[T], object], items: Sequence[T], clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Seconds each call took; ``clock=time.thread_time`` counts only this thread's CPU time (what other
    work on a shared machine does not add to)."""
    out = []
    for it in items:
        t = clock()
        fn(it)
        out.append(clock() - t)
    return out


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time used so far by this process and its waited-for children (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print()
    print(title)
    line = "+".join("-" * (w + 2) for w in widths)
    print(line)
    for j, r in enumerate(cells):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
        if j == 0:
            print(line)
    print(line)


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


class PeakPss:
    """The peak of this process's and its children's proportional set size (shared pages counted once
    between them, as the machine holds them), sampled every ``every`` seconds while in the ``with``
    block; ``mib`` is 0 where /proc has no smaps_rollup (not Linux)."""

    def __init__(self, every: float = 0.1):
        self.every = every
        self.mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while True:
            kib = _pss_kib(me) + sum(_pss_kib(c) for c in _children(me))
            self.mib = max(self.mib, kib / 1024.0)
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> "PeakPss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
