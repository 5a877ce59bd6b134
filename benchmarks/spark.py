"""Benchmark: the driver's memory in the customer-value stage on Spark, beside DuckDB.

    python benchmarks/spark.py [--customers 20000 80000 200000] [--seed 0] [--work DIR]

For each size: `churnlens generate fashion-campus` writes the shop (seed fixed, kept in
``--work`` for the next run), `churnlens ingest` loads it into a DuckDB file and into a Spark
warehouse (local[2]), each in its own process, and then a fresh process runs the
customer-value stage (`churnlens run --only customer_value`: summary, BG/NBD and Gamma-Gamma
fits, every customer scored, tables written) on each warehouse. On Spark the stage fits on
the engine's counts and scores the customers in the executors, so the driver (the Python
process) should not grow with the customers; on DuckDB the work is in the process itself.

Printed per size and engine: wall time and CPU time (user + system) of the stage in the
measuring process, and its peak resident memory above the level at the stage's start and in
all (sampled from /proc). The executors' Python workers and Spark's JVM are other processes
and are not counted: the figure is what the driver holds. Run it under
``flock /work/wt/bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import measure, rss_mb  # noqa: E402

STAGE = "customer_value"
ENGINES = ("duckdb", "spark")


def churnlens(*args: str) -> list[str]:
    return [sys.executable, "-c", "from churnlens.cli import main; main()", *args]


def warehouse(work: Path, customers: int, engine: str) -> Path:
    return work / f"{engine}_{customers}" / ("w.duckdb" if engine == "duckdb" else "warehouse")


def prepare(work: Path, customers: int, seed: int) -> dict[str, float]:
    """Generate the shop and ingest it into both engines (skipped when already done); seconds."""
    shop = work / f"shop_{customers}"
    took = {}
    if not (shop / ".done").exists():
        t0 = time.perf_counter()
        run(churnlens("generate", "fashion-campus", "--customers", str(customers), "--seed", str(seed),
                      "--out", str(shop), "--force"))  # fmt: skip
        (shop / ".done").write_text("", encoding="utf-8")
        took["generate"] = time.perf_counter() - t0
    for engine in ENGINES:
        db = warehouse(work, customers, engine)
        if not (db.parent / ".done").exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            run(churnlens("ingest", "fashion-campus", str(shop), "--db", str(db), "--engine", engine))
            (db.parent / ".done").write_text("", encoding="utf-8")
            took[f"ingest {engine}"] = time.perf_counter() - t0
    return took


def run(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[3:])} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


def child(engine: str, db: Path) -> None:
    """In a fresh process: the stage on ``db``, measured; one JSON line on stdout."""
    from churnlens import pipeline
    from churnlens.config import ChurnlensConfig
    from churnlens.warehouse import Warehouse

    cfg = ChurnlensConfig()
    cfg.engine.spark_master = "local[2]"
    cfg.engine.spark_driver_memory = "2g"
    with Warehouse(db, engine=engine, config=cfg) as wh:
        customers = wh.table("customers").count().execute()
        start = rss_mb()
        m = measure(STAGE, lambda: pipeline.run(wh, cfg, only=[STAGE]))
        scored = wh.table(STAGE).count().execute()
    row = {"engine": engine, "customers": int(customers), "scored": int(scored), "seconds": m.seconds,
           "cpu_seconds": m.cpu_seconds, "peak_above_start_mb": m.peak_mb, "peak_mb": start + m.peak_mb}  # fmt: skip
    print(json.dumps(row))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, nargs="+", default=[20_000, 80_000, 200_000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=HERE / "out" / "spark")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "DB"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child[0], Path(a.child[1]))
        return
    a.work.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"{'customers':>10s} {'engine':>7s} {'scored':>8s} {'seconds':>8s} {'CPU s':>7s} "
          f"{'driver peak MB':>15s} {'above start MB':>15s}")  # fmt: skip
    for n in a.customers:
        for step, seconds in prepare(a.work, n, a.seed).items():
            print(f"  ({n:,} customers: {step} {seconds:.0f} s)")
        for engine in ENGINES:
            cmd = [sys.executable, __file__, "--child", engine, str(warehouse(a.work, n, engine))]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"{engine} at {n} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
            row = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"{row['customers']:>10,} {engine:>7s} {row['scored']:>8,} {row['seconds']:>8.1f} "
                  f"{row['cpu_seconds']:>7.1f} {row['peak_mb']:>15.0f} {row['peak_above_start_mb']:>15.0f}",
                  flush=True)  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
