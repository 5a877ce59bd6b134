"""Dashboard speed on an Instacart-scale results warehouse: the first page of a new server (cold)
and every page viewed again (warm), against a plain pandas read of the same tables.

Goals: the first page of a freshly started server under 3 s; every page's script run with its
queries cached (a page viewed again, or after a click) under 1 s.

The results warehouse is built in two steps, so that every table has the real schema:

1. a synthetic Fashion Campus shop (``--base-customers``) runs through the whole pipeline;
2. its per-customer tables (rfm, customer_scores, actions, customer_value, routine_products,
   ...) are replicated with new ids up to ``--customers`` (Instacart: 206,209 users), the
   canonical orders the Customer 360 timeline reads up to ``--orders`` (Instacart: 3,421,083
   orders), and its per-product tables (product_stats, product_repeat, cart_positions,
   churn_products, basket_rules) up to ``--products`` (Instacart: 49,688 products). Monthly and
   per-segment tables keep their size, as they would on Instacart.

Or pass ``--db`` to time an existing results warehouse (e.g. a real Instacart run).

    python benchmarks/dashboard.py                    # build (cached in benchmarks/out) and time
    python benchmarks/dashboard.py --db shop.duckdb   # time an existing warehouse

What is timed (wall and CPU seconds; the machine is shared, so CPU is the steadier figure):

- cold: a new process does what ``churnlens serve`` does before its first visitor (imports the
  app), then renders the first page (Overview) with nothing cached -- ``--cold-repeats`` fresh
  processes per language, the median reported;
- warm: in one process, every page rendered once (its first view: its own queries not yet
  cached), then ``--repeats`` more times (the median is the warm figure);
- pandas: the simplest alternative, a plain ``pandas`` read (through DuckDB's ``.df()``) of every
  table the page reads, at every view -- what a dashboard without a query layer and cache does.

Prints one line per page and language and writes ``benchmarks/out/dashboard.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
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
)
#: Canonical tables a page reads besides its result tables (`views.<page>.TABLES`).
PAGE_CANONICAL = {"customer360": ("orders",)}
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


def scale(base: Path, path: Path, customers: int, products: int, orders: int) -> dict[str, int]:
    """Copy ``base`` to ``path`` and replicate per-customer and per-product rows with new ids
    (the orders up to ``orders`` rows, with the same new customer ids first)."""
    shutil.copy(base, path)
    con = duckdb.connect(str(path))
    have = _tables(con)
    rows = {}
    n_customers = (
        con.execute("SELECT count(DISTINCT customer_id) FROM rfm").fetchone()[0] if "rfm" in have else 1
    )
    k_c = max(1, math.ceil(customers / max(n_customers, 1)))
    replace = "CASE WHEN k = 0 THEN customer_id ELSE customer_id || '-' || k END AS customer_id"
    for table in CUSTOMER_TABLES:
        if table not in have or "customer_id" not in _columns(con, table):
            continue
        con.execute(
            f'CREATE OR REPLACE TABLE "{table}" AS SELECT * REPLACE ({replace}) FROM "{table}", range({k_c}) r(k)'
        )
    if "orders" in have:
        n_orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
        k_o = max(1, math.ceil(orders / max(n_orders, 1)))
        con.execute(
            "CREATE OR REPLACE TABLE orders AS SELECT * REPLACE "
            f"({replace}, CASE WHEN k = 0 THEN order_id ELSE order_id || '-' || k END AS order_id) "
            f"FROM orders, range({k_o}) r(k) ORDER BY k, order_ts LIMIT {int(orders)}"
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


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - t0, cpu() - c0


def cold_child(db: str, page: str, lang: str) -> None:
    """In a fresh process: import what ``churnlens serve`` imports before its first visitor,
    then render ``page`` once with nothing cached; prints the figures as JSON."""

    def start() -> None:
        from streamlit.testing.v1 import AppTest  # noqa: F401

        from churnlens.app import server

        server.preload()

    start_s, start_cpu = _timed(start)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_script, args=(db, page, lang), default_timeout=300)
    first_s, first_cpu = _timed(at.run)
    errors = [str(e.value) for e in at.exception]
    print(
        json.dumps(
            {
                "start_s": start_s,
                "start_cpu": start_cpu,
                "first_s": first_s,
                "first_cpu": first_cpu,
                "errors": errors,
            }
        )
    )


def time_cold(db: Path, page: str, lang: str, repeats: int) -> dict:
    """``repeats`` fresh processes rendering ``page`` first; the medians."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--cold-child", str(db), page, lang],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in ("start_s", "start_cpu", "first_s", "first_cpu")}
    return {"page": page, "lang": lang, **med, "runs": runs, "errors": [e for r in runs for e in r["errors"]]}


def pandas_read(db: Path, page: str) -> tuple[float, float, int]:
    """The plain alternative: read every table ``page`` shows into pandas (wall s, CPU s, rows)."""
    from churnlens.app.views import PAGES

    module = PAGES[page]
    wanted = (*getattr(module, "TABLES", ()), *PAGE_CANONICAL.get(page, ()))
    rows = 0

    def read() -> None:
        nonlocal rows
        con = duckdb.connect(str(db), read_only=True)
        try:
            have = _tables(con)
            for table in wanted if wanted else sorted(have):
                if table in have:
                    rows += len(con.table(table).df())
        finally:
            con.close()

    wall, cpu_s = _timed(read)
    return wall, cpu_s, rows


def time_pages(db: Path, repeats: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from churnlens.app import server
    from churnlens.app.views import PAGES

    server.preload()
    results = []
    for lang in ("en", "ko"):
        for page in PAGES:
            at = AppTest.from_function(_script, args=(str(db), page, lang), default_timeout=300)
            first, first_cpu = _timed(at.run)
            warm = [_timed(at.run) for _ in range(repeats)]
            failed = [str(e.value) for e in at.exception]
            p_wall, p_cpu, p_rows = pandas_read(db, page)
            result = {
                "page": page,
                "lang": lang,
                "first_view_s": first,
                "first_view_cpu": first_cpu,
                "warm_s": statistics.median(w for w, _ in warm),
                "warm_cpu": statistics.median(c for _, c in warm),
                "pandas_s": p_wall,
                "pandas_cpu": p_cpu,
                "pandas_rows": p_rows,
                "errors": failed,
            }
            results.append(result)
            flag = "ERROR" if failed else "ok" if result["warm_s"] < 1.0 else "SLOW"
            print(
                f"{page:12s} {lang}  first view {first:5.2f} s ({first_cpu:5.2f} CPU)  "
                f"warm {result['warm_s']:5.2f} s ({result['warm_cpu']:4.2f} CPU)  "
                f"pandas read {p_wall:5.2f} s ({p_cpu:5.2f} CPU, {p_rows:,} rows)  {flag}",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--cold-child"]:
        cold_child(*argv[1:4])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="time this results warehouse instead of building one")
    ap.add_argument("--base", type=Path, help="results warehouse to scale up instead of building one")
    ap.add_argument("--base-customers", type=int, default=2000)
    ap.add_argument("--customers", type=int, default=206_209, help="Instacart: 206,209 users")
    ap.add_argument("--orders", type=int, default=3_421_083, help="Instacart: 3,421,083 orders")
    ap.add_argument("--products", type=int, default=49_688, help="Instacart: 49,688 products")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cold-repeats", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached base warehouse")
    ap.add_argument("--reuse", action="store_true", help="time the scaled warehouse built by an earlier run")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    if args.db is None:
        db = OUT / "dashboard_instacart_scale.duckdb"
        if args.reuse and db.exists():
            con = duckdb.connect(str(db), read_only=True)
            rows = {t: con.table(t).count("*").fetchone()[0] for t in sorted(_tables(con))}
            con.close()
        else:
            base = args.base or OUT / f"dashboard_base_{args.base_customers}.duckdb"
            if args.base is None and (args.rebuild or not base.exists()):
                base.unlink(missing_ok=True)
                build_base(base, args.base_customers)
            t0 = time.perf_counter()
            rows = scale(base, db, args.customers, args.products, args.orders)
            print(
                f"scaled to {args.customers:,} customers / {args.products:,} products in {time.perf_counter() - t0:.0f} s"
            )
        for name in ("customer_scores", "actions", "rfm", "orders", "product_stats", "basket_rules"):
            if name in rows:
                print(f"  {name:16s} {rows[name]:>12,} rows")
    else:
        db = args.db
    cold = []
    for lang in ("en", "ko"):
        c = time_cold(db, "overview", lang, args.cold_repeats)
        cold.append(c)
        print(
            f"cold: new server, first page (overview {lang}): {c['first_s']:.2f} s ({c['first_cpu']:.2f} CPU), "
            f"after {c['start_s']:.2f} s ({c['start_cpu']:.2f} CPU) of server start; "
            f"median of {args.cold_repeats} fresh processes",
            flush=True,
        )
    results = time_pages(db, args.repeats)
    slow = [r for r in results if r["warm_s"] >= 1.0 or r["errors"]]
    slow += [c for c in cold if c["first_s"] >= 3.0 or c["errors"]]
    (OUT / "dashboard.json").write_text(
        json.dumps({"db": str(db), "rows": rows, "cold": cold, "pages": results}, indent=2)
    )
    print(
        f"{len(results) - len([r for r in slow if 'warm_s' in r])} of {len(results)} page runs under 1 s warm; "
        f"first page of a new server {max(c['first_s'] for c in cold):.2f} s at most; "
        f"results in {OUT / 'dashboard.json'}"
    )
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
