"""Benchmark: frequent product pairs on an Instacart-scale shop, churnlens vs pandas.

    python benchmarks/baskets.py [--lines 32000000] [--min-support 0.001] [--min-pairs 5]
                                 [--workdir /tmp/churnlens-bench-baskets] [--db EXISTING.duckdb]

Scale: the real Instacart prior file has 32.4 M order lines in 3.4 M orders of 49,688
products. Without ``--db`` the shop's canonical ``orders`` and ``order_items`` are written
straight into a DuckDB warehouse (a few seconds; the synthetic generator plus ingest would
take far longer at this size): baskets of 1 + Geometric lines (mean ~9.5), products drawn
log-uniformly over 49,688 ids (a Zipf-like popularity: the top product is in ~6 % of baskets).
With ``--db`` an ingested warehouse is used as it is (e.g. ``churnlens generate instacart
--customers 206209`` then ``churnlens ingest instacart``).

Contenders, each in a fresh process so that peak memories do not mix:

- churnlens: `basket_items` -> `frequent_pairs` in the engine (DuckDB), result written to the
  warehouse as the pipeline does;
- pandas: what an analyst would write: read (order_id, product_id) into pandas, factorize ids
  to integers, drop duplicates, prune items below the minimum count, merge the baskets with
  themselves on order_id, keep a < b, count, keep pairs at the minimum. Its time includes
  reading the lines out of DuckDB (reported separately too);
- Polars: the same steps written in Polars (lazy: unique baskets, items at the minimum count,
  self-join on order_id, a < b, group and count), reading the lines out of DuckDB as Arrow.

All must find the same pairs with the same counts (checked). Wall time, CPU time and peak
resident memory above the process's start are printed with the ratios to churnlens.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import Measure, measure, table  # noqa: E402

PRODUCTS = 49_688
MEAN_LINES = 9.5


def write_shop(db: Path, lines: int, seed: int) -> dict:
    """Canonical orders and order_items of about ``lines`` lines into a fresh DuckDB file."""
    import duckdb

    db.parent.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.unlink()
    con = duckdb.connect(str(db))
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    n_orders = int(lines / MEAN_LINES)
    # 1 + floor(-ln(u) * m): mean ~ m + 0.5
    con.execute(
        f"""CREATE TABLE _o AS SELECT i AS oid,
            1 + CAST(floor(-ln(1 - random()) * {MEAN_LINES - 0.5}) AS INTEGER) AS k
            FROM range({n_orders}) t(i)"""
    )
    con.execute(
        f"""CREATE TABLE order_items AS
            SELECT CAST(oid AS VARCHAR) AS order_id, CAST(j + 1 AS BIGINT) AS line_no,
                   CAST(CAST(floor(exp(random() * ln({PRODUCTS}))) AS INTEGER) AS VARCHAR) AS product_id,
                   1.0 AS quantity, CAST(NULL AS DOUBLE) AS unit_price, CAST(j + 1 AS BIGINT) AS cart_position,
                   CAST(NULL AS BOOLEAN) AS reordered
            FROM _o, range(k) r(j)"""
    )
    con.execute(
        """CREATE TABLE orders AS SELECT CAST(oid AS VARCHAR) AS order_id, 'u' || (oid % 206209) AS customer_id,
           TIMESTAMP '2017-01-01' + to_seconds(oid) AS order_ts, 'paid' AS status FROM _o"""
    )
    con.execute("DROP TABLE _o")
    n_lines = con.execute("SELECT count(*) FROM order_items").fetchone()[0]
    con.close()
    return {"orders": n_orders, "lines": n_lines}


def churnlens_pairs(db: Path, min_support: float, min_pairs: int) -> dict:
    from churnlens.products.baskets import basket_items, frequent_pairs
    from churnlens.warehouse import Warehouse

    wh = Warehouse(db)
    items = basket_items(wh.table("order_items"))
    wh.write("basket_pairs_bench", frequent_pairs(items, min_support, min_pairs))
    r = wh.con.con.execute(
        "SELECT count(*), sum(pair_orders), max(baskets) FROM basket_pairs_bench"
    ).fetchone()
    wh.close()
    return {"pairs": int(r[0]), "pair_orders": int(r[1] or 0), "baskets": int(r[2] or 0)}


def basket_lines(db: Path):
    """(order_id, product_id) of every order line with a product, as Arrow, and the seconds taken."""
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    lines = con.execute(
        "SELECT order_id, product_id FROM order_items WHERE product_id IS NOT NULL"
    ).to_arrow_table()
    con.close()
    return lines, time.perf_counter() - t0


def pandas_pairs(db: Path, min_support: float, min_pairs: int) -> dict:
    import numpy as np
    import pandas as pd

    lines, load = basket_lines(db)
    df = lines.to_pandas()
    del lines
    b = pd.DataFrame(
        {
            "o": pd.factorize(df.order_id)[0].astype(np.int64),
            "p": pd.factorize(df.product_id)[0].astype(np.int64),
        }
    )
    names = pd.factorize(df.product_id)[1]
    del df
    b = b.drop_duplicates()
    n = b.o.nunique()
    k = max(min_pairs, math.ceil(min_support * n - 1e-9), 1)
    counts = b.p.value_counts()
    b = b[b.p.isin(counts.index[counts >= k])]
    m = b.merge(b, on="o", suffixes=("_a", "_b"))
    del b
    # compare by the text ids, as the engine does
    m = m[names[m.p_a.to_numpy()] < names[m.p_b.to_numpy()]]
    pc = m.groupby(["p_a", "p_b"]).size()
    del m
    pc = pc[pc >= k]
    return {"pairs": int(len(pc)), "pair_orders": int(pc.sum()), "baskets": int(n), "load_seconds": load}


def polars_pairs(db: Path, min_support: float, min_pairs: int) -> dict:
    import polars as pl

    lines, load = basket_lines(db)
    b = pl.from_arrow(lines).lazy().unique()
    del lines
    n = b.select(pl.col("order_id").n_unique()).collect().item()
    k = max(min_pairs, math.ceil(min_support * n - 1e-9), 1)
    kept = b.group_by("product_id").len().filter(pl.col("len") >= k).select("product_id")
    b = b.join(kept, on="product_id", how="semi")
    pairs = (
        b.join(b, on="order_id", suffix="_b")
        .filter(pl.col("product_id") < pl.col("product_id_b"))
        .group_by("product_id", "product_id_b")
        .len()
        .filter(pl.col("len") >= k)
        .collect()
    )
    return {
        "pairs": pairs.height,
        "pair_orders": int(pairs["len"].sum()),
        "baskets": int(n),
        "load_seconds": load,
    }


def child(args: argparse.Namespace) -> None:
    db = Path(args.db)
    fn = {"churnlens": churnlens_pairs, "pandas": pandas_pairs, "polars": polars_pairs}[args.contender]
    m = measure(args.contender, lambda: fn(db, args.min_support, args.min_pairs))
    print(json.dumps({"seconds": m.seconds, "peak_mb": m.peak_mb, "cpu": m.cpu_seconds, **m.result}))


def run_child(*argv: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *argv], capture_output=True, text=True)
    if out.returncode != 0:
        return {
            "error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, default=32_000_000)
    p.add_argument("--min-support", type=float, default=0.001)
    p.add_argument("--min-pairs", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", default="/tmp/churnlens-bench-baskets")
    p.add_argument("--db", help="An existing warehouse with order_items (skips generation).")
    p.add_argument("--skip-pandas", action="store_true")
    p.add_argument("--child", action="store_true")
    p.add_argument("--contender")
    args = p.parse_args()
    if args.child:
        child(args)
        return
    if args.db:
        db = Path(args.db)
        print(f"warehouse {db}")
    else:
        db = Path(args.workdir) / "shop.duckdb"
        gen = measure("write shop (DuckDB SQL)", lambda: write_shop(db, args.lines, args.seed))
        print(
            f"shop: {gen.result['orders']:,} orders, {gen.result['lines']:,} order lines, {PRODUCTS:,} products"
        )
        print(table([gen]))
    print(f"min support {args.min_support}, min pair orders {args.min_pairs}")
    rows, results = [], {}
    for contender in ("churnlens", "polars", "pandas"):
        if contender == "pandas" and args.skip_pandas:
            continue
        argv = ["--db", str(db), "--contender", contender]
        argv += ["--min-support", str(args.min_support), "--min-pairs", str(args.min_pairs)]
        r = run_child(*argv)
        if "error" in r:
            print(f"{contender}: failed ({r['error']})")
            continue
        results[contender] = r
        rows.append(Measure(f"pairs: {contender}", r["seconds"], r["peak_mb"], r, r["cpu"]))
    print()
    print(table(rows, reference="pairs: churnlens"))
    for name, r in results.items():
        extra = f", of which reading the lines {r['load_seconds']:.1f} s" if "load_seconds" in r else ""
        print(f"{name}: {r['pairs']:,} pairs over {r['baskets']:,} baskets{extra}")
    a = results.get("churnlens")
    for name, b in results.items():
        if a is not None and b is not a:
            same = all(a[k] == b[k] for k in ("pairs", "pair_orders", "baskets"))
            print(f"same pairs and counts in churnlens and {name}:", "yes" if same else "NO")


if __name__ == "__main__":
    main()
