"""Benchmark: how time and memory grow with the shop, stage by stage.

    python benchmarks/scale.py [--customers 30000 100000 300000] [--seed 0] [--skip churn playbook]

Each scale runs in a fresh process: generate the Fashion Campus shop (seed fixed, scenario
steady), ingest it into a DuckDB warehouse file with the default settings (memory limit
``engine.duckdb_memory_limit``), then `run` every stage (``--skip`` leaves stages out). For each
step it prints wall time, CPU time (user + system of the process) and peak resident memory
above the level at the start of the step, sampled from /proc. Then, per step, the growth
exponent ``b`` of ``time ~ customers^b`` and ``peak ~ customers^b`` between successive scales
and fitted over all of them: 1 is linear, 0 flat.

Run it under ``flock /work/wt/bench.lock`` on a shared machine (the 300k shop needs several GB of
disk and minutes of CPU); the load average before and after each scale is printed, as wall
times on a loaded machine are inflated (CPU times much less so).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import cpu_seconds, rss_mb  # noqa: E402


class Steps:
    """Peak memory and times per named step, the step switched by `start`."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float]] = {}
        self.current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self._peak()

    def _peak(self) -> None:
        if self.current is not None:
            row = self.rows[self.current]
            row["peak_mb"] = max(row["peak_mb"], rss_mb() - row["base_mb"])

    def start(self, name: str | None) -> None:
        self._peak()
        now, cpu = time.perf_counter(), cpu_seconds()
        if self.current is not None:
            row = self.rows[self.current]
            row["seconds"] = now - row.pop("_t0")
            row["cpu_seconds"] = cpu - row.pop("_c0")
        self.current = name
        if name is not None:
            self.rows[name] = {"_t0": now, "_c0": cpu, "base_mb": rss_mb(), "peak_mb": 0.0}

    def close(self) -> dict[str, dict[str, float]]:
        self.start(None)
        self._stop.set()
        self._thread.join()
        return self.rows


def child(customers: int, seed: int, work: Path, skip: list[str]) -> dict:
    from churnlens import pipeline
    from churnlens.config import ChurnlensConfig
    from churnlens.declarations import STAGES
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    shop, db = work / f"shop{customers}", work / f"w{customers}.duckdb"
    db.unlink(missing_ok=True)
    steps = Steps()
    steps.start("generate")
    facts = generate("fashion-campus", shop, GeneratorConfig(customers=customers, seed=seed))
    steps.start("ingest")
    cfg = ChurnlensConfig()
    with Warehouse(db, config=cfg) as wh:
        ingest("fashion-campus", [shop], wh, cfg)
        steps.start(None)
        only = [s.name for s in STAGES if s.name not in skip]
        pipeline.run(wh, cfg, only=only, progress=lambda name: steps.start(f"run: {name}"))
    rows = steps.close()
    rows.pop("run: publishing", None)
    return {
        "customers": customers,
        "bookings": facts.get("bookings"),
        "click_events": facts.get("click_events"),
        "steps": rows,
    }


def exponent(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log y on log x (NaN when y is not positive)."""
    if len(xs) < 2 or min(ys) <= 0:
        return float("nan")
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--customers", type=int, nargs="+", default=[30_000, 100_000, 300_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", default="/tmp/churnlens-scale")
    p.add_argument("--skip", nargs="*", default=[], help="stages of `run` to leave out")
    p.add_argument("--child", type=int)
    args = p.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(child(args.child, args.seed, work, args.skip)))
        return
    results = []
    for n in sorted(args.customers):
        load = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n), "--seed", str(args.seed), "--workdir", str(work),
             "--skip", *args.skip],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"\n{n:,} customers ({r['bookings']:,} bookings, {r['click_events']:,} click events), "
              f"seed {args.seed}; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
        print(f"{'step':32s} {'seconds':>9s} {'CPU s':>9s} {'peak MB':>9s}")
        for name, s in r["steps"].items():
            print(f"{name:32s} {s['seconds']:9.1f} {s['cpu_seconds']:9.1f} {s['peak_mb']:9.0f}")
    if len(results) < 2:
        return
    xs = [r["customers"] for r in results]
    print("\ngrowth exponents (time ~ customers^b, peak ~ customers^b); 1 = linear, 0 = flat")
    print(f"{'step':32s} {'CPU b':>7s} {'wall b':>7s} {'peak b':>7s}  per doubling of scale: CPU, peak")
    for name in results[0]["steps"]:
        if not all(name in r["steps"] for r in results):
            continue
        cpu = [r["steps"][name]["cpu_seconds"] for r in results]
        wall = [r["steps"][name]["seconds"] for r in results]
        peak = [max(r["steps"][name]["peak_mb"], 1.0) for r in results]
        b_cpu, b_wall, b_peak = exponent(xs, cpu), exponent(xs, wall), exponent(xs, peak)
        print(f"{name:32s} {b_cpu:7.2f} {b_wall:7.2f} {b_peak:7.2f}  x{2**b_cpu:.2f}, x{2**b_peak:.2f}")


if __name__ == "__main__":
    main()
