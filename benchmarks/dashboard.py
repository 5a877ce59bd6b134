"""Dashboard speed on an Instacart-scale results warehouse: each page's script run, warm cache.

The goal: every page's script run (Streamlit AppTest, queries already cached) under 1 s.

The results warehouse is built in two steps, so that every table has the real schema:

1. a synthetic Fashion Campus shop (``--base-customers``) runs through the whole pipeline;
2. its per-customer tables (rfm, customer_scores, actions, customer_value, routine_products,
   ... and the canonical orders the Customer 360 timeline reads) are replicated with new ids
   up to ``--customers`` (Instacart: 206,209 users), and its per-product tables
   (product_stats, product_repeat, cart_positions, churn_products, basket_rules) up to
   ``--products`` (Instacart: 49,688 products). Monthly and per-segment tables keep their size,
   as they would on Instacart.

Or pass ``--db`` to time an existing results warehouse (e.g. a real Instacart run).

    python benchmarks/dashboard.py                    # build (cached in benchmarks/out) and time
    python benchmarks/dashboard.py --db shop.duckdb   # time an existing warehouse

Prints one line per page and language (cold run, median warm run, rows of the largest table
it reads) and writes ``benchmarks/out/dashboard.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb

OUT = Path(__file__).resolve().parent / "out"
CUSTOMER_TABLES = (
    "rfm",
    "customer_scores",
    "customer_value",
    "actions",
    "routine_products",
    "customer_sessions",
    "orders",
)
PRODUCT_TABLES = ("product_stats", "product_repeat", "cart_positions", "churn_products")


def build_base(path: Path, customers: int) -> None:
    """A synthetic shop through the whole pipeline."""
    from churnlens import pipeline
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    shop = OUT / "dashboard_shop"
    shutil.rmtree(shop, ignore_errors=True)
    t0 = time.perf_counter()
    generate("fashion-campus", shop, GeneratorConfig(customers=customers, seed=11, scenario="decline"))
    with Warehouse(path) as wh:
        ingest("fashion-campus", [shop], wh)
        report = pipeline.run(wh)
    print(
        f"base warehouse: {customers:,} customers, {len(report.written)} result tables in {time.perf_counter() - t0:.0f} s"
    )
    for stage, reason in report.skipped.items():
        print(f"  skipped {stage}: {reason}")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def scale(base: Path, path: Path, customers: int, products: int) -> dict[str, int]:
    """Copy ``base`` to ``path`` and replicate per-customer and per-product rows with new ids."""
    shutil.copy(base, path)
    con = duckdb.connect(str(path))
    have = _tables(con)
    rows = {}
    n_customers = (
        con.execute("SELECT count(DISTINCT customer_id) FROM rfm").fetchone()[0] if "rfm" in have else 1
    )
    k_c = max(1, math.ceil(customers / max(n_customers, 1)))
    for table in CUSTOMER_TABLES:
        if table not in have or "customer_id" not in _columns(con, table):
            continue
        extra = ", order_id || '-' || k AS order_id" if table == "orders" else ""
        replace = f"CASE WHEN k = 0 THEN customer_id ELSE customer_id || '-' || k END AS customer_id{extra}"
        con.execute(
            f'CREATE OR REPLACE TABLE "{table}" AS SELECT * REPLACE ({replace}) FROM "{table}", range({k_c}) r(k)'
        )
    for table in PRODUCT_TABLES:
        if table not in have or not {"level", "item"} <= set(_columns(con, table)):
            continue
        n = con.execute(f"SELECT count(DISTINCT item) FROM \"{table}\" WHERE level = 'product'").fetchone()[0]
        k_p = max(1, math.ceil(products / max(n, 1)))
        con.execute(
            f'CREATE OR REPLACE TABLE "{table}" AS '
            f"SELECT * REPLACE (CASE WHEN k = 0 THEN item ELSE item || '-' || k END AS item) "
            f"FROM \"{table}\", range({k_p}) r(k) WHERE level = 'product' OR k = 0"
        )
    if "basket_rules" in have:
        con.execute(
            "CREATE OR REPLACE TABLE basket_rules AS SELECT * REPLACE ("
            "CASE WHEN k = 0 THEN antecedent ELSE antecedent || '-' || k END AS antecedent, "
            "CASE WHEN k = 0 THEN consequent ELSE consequent || '-' || k END AS consequent) "
            "FROM basket_rules, range(50) r(k)"
        )
    for table in sorted(_tables(con)):
        rows[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return rows


def _script(db: str, page: str, lang: str) -> None:
    from churnlens.app.main import run_page

    run_page(page, db=db, lang=lang)


def time_pages(db: Path, repeats: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from churnlens.app.views import PAGES

    results = []
    for lang in ("en", "ko"):
        for page in PAGES:
            at = AppTest.from_function(_script, args=(str(db), page, lang), default_timeout=300)
            t0 = time.perf_counter()
            at.run()
            cold = time.perf_counter() - t0
            warm = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - t0)
            failed = [e.value for e in at.exception]
            results.append(
                {
                    "page": page,
                    "lang": lang,
                    "cold_s": cold,
                    "warm_s": statistics.median(warm),
                    "errors": failed,
                }
            )
            flag = "ok" if statistics.median(warm) < 1.0 and not failed else "SLOW" if not failed else "ERROR"
            print(
                f"{page:12s} {lang}  cold {cold:6.2f} s  warm {statistics.median(warm):5.2f} s  {flag}",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="time this results warehouse instead of building one")
    ap.add_argument("--base", type=Path, help="results warehouse to scale up instead of building one")
    ap.add_argument("--base-customers", type=int, default=2000)
    ap.add_argument("--customers", type=int, default=206_209, help="Instacart: 206,209 users")
    ap.add_argument("--products", type=int, default=49_688, help="Instacart: 49,688 products")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached base warehouse")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    if args.db is None:
        base = args.base or OUT / f"dashboard_base_{args.base_customers}.duckdb"
        if args.base is None and (args.rebuild or not base.exists()):
            base.unlink(missing_ok=True)
            build_base(base, args.base_customers)
        db = OUT / "dashboard_instacart_scale.duckdb"
        t0 = time.perf_counter()
        rows = scale(base, db, args.customers, args.products)
        print(
            f"scaled to {args.customers:,} customers / {args.products:,} products in {time.perf_counter() - t0:.0f} s"
        )
        for name in ("customer_scores", "actions", "rfm", "orders", "product_stats", "basket_rules"):
            if name in rows:
                print(f"  {name:16s} {rows[name]:>12,} rows")
    else:
        db = args.db
    results = time_pages(db, args.repeats)
    slow = [r for r in results if r["warm_s"] >= 1.0 or r["errors"]]
    (OUT / "dashboard.json").write_text(json.dumps({"db": str(db), "rows": rows, "pages": results}, indent=2))
    print(
        f"{len(results) - len(slow)} of {len(results)} page runs under 1 s warm; results in {OUT / 'dashboard.json'}"
    )
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
