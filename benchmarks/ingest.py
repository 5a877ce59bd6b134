"""Benchmark: generating a Fashion-Campus-scale shop and ingesting each of its files.

    python benchmarks/ingest.py [--customers 100000] [--seed 0] [--workdir /tmp/churnlens-bench]

Scale: 100,000 customers is the real data set's size (~850 k bookings, ~12.8 M click events).
Each native file is ingested by churnlens (read, validate, parse the Python literals, stage the
canonical table) and, in the same run, by the two simple alternatives an analyst would write:

- pandas: ``pd.read_csv`` and ``ast.literal_eval`` of the literal column, then explode;
- Polars (bookings and click stream, `polars_ingest.py`): the same checks, rejected lines,
  repeated ids, literal parsing and linking written by hand, stored as Parquet;
- DuckDB SQL: ``read_csv`` into a table with no validation and no literal parsing (a lower
  bound: it does less work than any other).

Time and peak resident memory of each are printed with the ratios to churnlens. Peak memory is
sampled from /proc; every contender runs in a fresh process so peaks do not mix.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import Measure, measure, table  # noqa: E402

FILES = ("customer", "product", "transactions", "click_stream")
POLARS_FILES = ("transactions", "click_stream")


def churnlens_file(shop: Path, name: str, work: Path):
    """A closure ingesting one file the way `churnlens ingest` does (that file's staging steps).

    The click stream needs the bookings' sessions to reach customers, so the transactions are
    staged first, outside the measured closure.
    """
    import duckdb

    from churnlens.config import ChurnlensConfig
    from churnlens.engine import limit_memory
    from churnlens.sources import fashion_campus as fc
    from churnlens.sources.staging import Stage

    db = work / f"{name}.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    limit_memory(con, ChurnlensConfig().engine)  # as the warehouse opens it
    stage = Stage(con, ChurnlensConfig(), "fashion-campus")
    steps = {
        "customer": (fc._customers, "customers"),
        "product": (fc._products, "products"),
        "transactions": (fc._transactions, "orders"),
        "click_stream": (fc._events, "events"),
    }
    if name == "click_stream":
        fc._transactions(stage, shop / "transactions.csv")
    fn, target = steps[name]

    def run() -> int:
        fn(stage, shop / f"{name}.csv")
        return stage.rows(stage.staged[target])

    return run


def pandas_file(shop: Path, name: str) -> int:
    import pandas as pd

    if name == "product":
        import csv

        rows = []
        with open(shop / "product.csv", newline="", encoding="utf-8") as fh:
            r = csv.reader(fh)
            next(r)
            for f in r:
                rows.append(f[:9] + [",".join(f[9:])])
        return len(pd.DataFrame(rows))
    df = pd.read_csv(shop / f"{name}.csv", dtype=str, keep_default_na=False)
    if name == "transactions":
        items = df["product_metadata"].map(ast.literal_eval).explode()
        lines = pd.DataFrame(items.tolist())
        df["created_at"] = pd.to_datetime(df["created_at"], format="ISO8601")
        return len(df) + len(lines) * 0
    if name == "click_stream":
        meta = df["event_metadata"].map(lambda s: ast.literal_eval(s) if s else None)
        df["event_time"] = pd.to_datetime(df["event_time"], format="ISO8601")
        return int(meta.notna().sum() * 0 + len(df))
    return len(df)


def polars_file(shop: Path, name: str, work: Path):
    """The hand-written Polars ingest of one file (`polars_ingest.py`); the click stream's
    session -> customer map is built outside the measured closure, as churnlens's is."""
    import polars_ingest as pi

    out = work / f"polars_{name}"
    if name == "click_stream":
        sessions = pi.sessions(shop)
        return lambda: pi.click_stream(shop, out, sessions)
    return lambda: pi.transactions(shop, out)


def duckdb_file(shop: Path, name: str) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{shop / (name + '.csv')}', all_varchar=true, "
        f"ignore_errors=true)"
    )
    return con.execute("SELECT count(*) FROM t").fetchone()[0]


def child(args: argparse.Namespace) -> None:
    shop, work = Path(args.shop), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    fn = {
        "churnlens": churnlens_file(shop, args.file, work) if args.contender == "churnlens" else None,
        "polars": polars_file(shop, args.file, work) if args.contender == "polars" else None,
        "pandas": lambda: pandas_file(shop, args.file),
        "duckdb-sql": lambda: duckdb_file(shop, args.file),
    }[args.contender]
    m = measure(args.contender, fn)
    print(json.dumps({"seconds": m.seconds, "peak_mb": m.peak_mb, "rows": m.result, "cpu": m.cpu_seconds}))


def run_child(*argv: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *argv], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", default="/tmp/churnlens-bench")
    p.add_argument(
        "--skip-pandas-clicks", action="store_true", help="pandas literal_eval of 12.8 M rows is slow"
    )
    p.add_argument("--reuse", action="store_true", help="ingest the shop already in WORKDIR/shop")
    p.add_argument("--files", nargs="+", default=list(FILES), choices=FILES)
    p.add_argument("--skip-pandas", action="store_true", help="leave pandas out (it is slowest)")
    p.add_argument("--child", action="store_true")
    (
        p.add_argument("--shop"),
        p.add_argument("--work"),
        p.add_argument("--file"),
        p.add_argument("--contender"),
    )
    args = p.parse_args()
    if args.child:
        child(args)
        return
    from churnlens.sources.synthetic import GeneratorConfig, generate

    work = Path(args.workdir)
    shop = work / "shop"
    print(f"scale: {args.customers:,} customers, seed {args.seed}, scenario steady")
    print(f"load average before: {os.getloadavg()}")
    if args.reuse:
        facts = json.loads((shop / "facts.json").read_text())
    else:
        gen = measure(
            "generate fashion-campus",
            lambda: generate("fashion-campus", shop, GeneratorConfig(customers=args.customers, seed=args.seed)),
        )
        facts = gen.result
        print(table([gen]))
    print(f"shop: {facts.get('bookings', 0):,} bookings, {facts.get('click_events', 0):,} click events")
    for name in args.files:
        rows: list[Measure] = []
        for contender in ("churnlens", "polars", "pandas", "duckdb-sql"):
            if contender == "pandas" and (args.skip_pandas or name == "click_stream" and args.skip_pandas_clicks):
                continue
            if contender == "polars" and name not in POLARS_FILES:
                continue
            r = run_child(
                "--shop", str(shop), "--work", str(work / "db"), "--file", name, "--contender", contender
            )
            rows.append(Measure(f"{name}: {contender}", r["seconds"], r["peak_mb"], r["rows"], r["cpu"]))
        print()
        print(table(rows, reference=f"{name}: churnlens"))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
