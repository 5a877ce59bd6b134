"""Time and peak memory of a piece of work, measured the same way for every contender."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mb: float  # peak resident memory above the level at the start
    result: Any = None
    cpu_seconds: float = float("nan")  # user + system time of the process (all its threads)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(name: str, fn: Callable[[], Any], interval: float = 0.05) -> Measure:
    """Run ``fn`` once; sample the process's resident memory while it runs."""
    base = rss_mb()
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            stop.wait(interval)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    t0, c0 = time.perf_counter(), cpu_seconds()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - t0
        cpu = cpu_seconds() - c0
        stop.set()
        t.join()
    peak[0] = max(peak[0], rss_mb())
    return Measure(name, seconds, peak[0] - base, result, cpu)


def table(rows: list[Measure], reference: str | None = None) -> str:
    ref = next((m for m in rows if m.name == reference), None)
    out = [
        f"{'step':44s} {'seconds':>9s} {'peak MB':>9s} {'time ratio':>11s} {'mem ratio':>10s}"
        f" {'CPU s':>8s} {'CPU ratio':>10s}"
    ]
    for m in rows:
        tr = f"{m.seconds / ref.seconds:10.2f}x" if ref and ref.seconds else ""
        mr = f"{m.peak_mb / ref.peak_mb:9.2f}x" if ref and ref.peak_mb > 0 else ""
        cr = f"{m.cpu_seconds / ref.cpu_seconds:9.2f}x" if ref and ref.cpu_seconds > 0 else ""
        out.append(
            f"{m.name:44s} {m.seconds:9.2f} {m.peak_mb:9.0f} {tr:>11s} {mr:>10s} {m.cpu_seconds:8.2f} {cr:>10s}"
        )
    return "\n".join(out)
