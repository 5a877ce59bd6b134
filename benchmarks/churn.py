"""Benchmark: the churn stage of `run` on a 30,000-customer fashion shop, and churn features,
training and scoring on an Instacart-scale generated shop, against their targets.

    python benchmarks/churn.py [--stage-customers 30000] [--only-stage | --only-instacart] [--users 206209] [--seed 0]
                               [--trials 5] [--sample 0.1] [--workdir /tmp/churnlens-bench-churn]

First the churn stage as `churnlens run` runs it (default `churn.compare = "production"`) on a
generated fashion shop (`churnlens generate fashion-campus --customers 30000 --seed 0`, ingested
once, not measured), in a fresh process: wall time, CPU time and peak memory against the
target of at most 30 s on 2 cores. Then, unless ``--only-stage``, the Instacart-scale part
(target: features + training + scoring at most 3 minutes and 6 GB peak):

206,209 users is the real Instacart export's size (~3.4 M orders, ~32 M prior order lines). The
shop is generated in the native Instacart format and ingested once (not measured here; see
benchmarks/ingest.py). Then, each in a fresh process so that peak memories do not mix:

- ``churnlens features``: `build_frame` (next-gap labels of the latest cohorts, every engine-side
  point-in-time feature, BG/NBD per cohort) into pandas, on the whole shop;
- ``train``: the LightGBM scoring model (calibrated; Optuna only with ``churn.compare = "full"``);
- ``score``: probabilities, risk bands and reasons of every user at the latest order.

The straightforward pandas implementation of the core order features (frequency, tenure,
items, reorder ratio, interval mean/median/std/last, orders in the last 30/90/180 days,
category breadth and top-category share) holds every (anchor, order) and (anchor, line) pair in
memory: about 0.3 GB per thousand users, some 60 GB at full scale, more than this machine has.
So it runs on a random ``--sample`` of the users (their whole histories, copied into a warehouse
of their own), and churnlens runs on the very same sample: that pair is the like-for-like
comparison, and pandas' values are checked against churnlens's there. The pandas figures
scaled to the whole shop (by anchors) are printed as an estimate, marked as such.

Time and peak resident memory (sampled from /proc) are printed with the ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import Measure, measure, table  # noqa: E402

CORE = [
    "frequency",
    "tenure_days",
    "items_total",
    "items_per_order",
    "reorder_ratio",
    "interval_mean",
    "interval_median",
    "interval_std",
    "interval_last",
    "orders_30d",
    "orders_90d",
    "orders_180d",
    "category_breadth",
    "top_category_share",
]


def config(trials: int):
    from churnlens.config import ChurnlensConfig

    cfg = ChurnlensConfig()
    cfg.churn.n_trials = trials
    return cfg


def churnlens_features(db: Path, out: Path, trials: int) -> int:
    from churnlens.churn.dataset import build_frame
    from churnlens.warehouse import Warehouse

    with Warehouse(db, read_only=True) as wh:
        frame = build_frame(wh, config(trials))
    frame.data.to_parquet(out / "frame.parquet")
    return len(frame.data)


def pandas_features(db: Path, out: Path) -> int:
    """The same core features written plainly in pandas."""
    import duckdb
    import numpy as np
    import pandas as pd

    con = duckdb.connect(str(db), read_only=True)
    orders = con.sql(
        "select order_id, customer_id, order_ts, order_number from orders where status = 'paid'"
    ).df()
    lines = con.sql("select order_id, product_id, quantity, reordered from order_items").df()
    products = con.sql("select product_id, category_l1 from products").df()
    con.close()
    anchors = pd.read_parquet(out / "frame.parquet", columns=["customer_id", "cutoff", "cohort"])

    orders = orders.sort_values(["customer_id", "order_ts", "order_number", "order_id"])
    orders["seq"] = orders.groupby("customer_id").cumcount() + 1
    n = orders.groupby("customer_id")["seq"].max().rename("n_orders")
    anchors = anchors.join(n, on="customer_id")
    anchors["upto_seq"] = anchors["n_orders"] - anchors["cohort"]

    per_order = lines.groupby("order_id").agg(
        items=("quantity", "sum"), lines=("quantity", "size"), reordered_lines=("reordered", "sum")
    )
    orders = orders.join(per_order, on="order_id")
    v = anchors.merge(orders, on="customer_id")
    v = v[(v["seq"] <= v["upto_seq"]) & (v["order_ts"] <= v["cutoff"])].copy()
    v["age_days"] = (v["cutoff"] - v["order_ts"]).dt.total_seconds() // 1 / 86400.0
    key = ["customer_id", "cutoff", "cohort"]
    g = v.groupby(key)
    f = g.agg(
        frequency=("order_id", "size"),
        tenure_days=("age_days", "max"),
        items_total=("items", "sum"),
        items_per_order=("items", "mean"),
        reordered=("reordered_lines", "sum"),
        lines=("lines", "sum"),
    )
    f["reorder_ratio"] = f["reordered"] / f["lines"].where(f["lines"] > 0)
    for w in (30, 90, 180):
        f[f"orders_{w}d"] = (v["age_days"] <= w).groupby([v[k] for k in key]).sum()
    v = v.sort_values([*key, "seq"])
    v["gap"] = -v.groupby(key)["age_days"].diff()
    gaps = v.dropna(subset=["gap"]).groupby(key)["gap"]
    f["interval_mean"] = gaps.mean()
    f["interval_median"] = gaps.median()
    f["interval_std"] = gaps.std()
    f["interval_last"] = gaps.last()
    cat = v[["customer_id", "cutoff", "cohort", "order_id"]].merge(
        lines[["order_id", "product_id"]], on="order_id"
    )
    cat = cat.merge(products, on="product_id").dropna(subset=["category_l1"])
    counts = cat.groupby([*key, "category_l1"]).size()
    by = counts.groupby(level=[0, 1, 2])
    f["category_breadth"] = by.size()
    f["top_category_share"] = by.max() / by.sum()
    f = f.reset_index()[key + CORE]
    f[CORE] = f[CORE].astype(np.float64)
    f.to_parquet(out / "pandas_features.parquet")
    return len(f)


def train(out: Path, trials: int) -> int:
    import joblib
    import pandas as pd

    from churnlens.churn.backtest import fit_churn_model, full_comparison, usable_cohorts
    from churnlens.churn.dataset import ChurnFrame, train_cohorts

    data = pd.read_parquet(out / "frame.parquet")
    cfg = config(trials)
    frame = ChurnFrame(data, "next-gap", {})
    cohorts = train_cohorts(0, usable_cohorts(frame, cfg), frame.mode, cfg)
    # as `run` trains: Optuna only with churn.compare = "full"
    model, info = fit_churn_model(frame, cohorts, cfg, tune=full_comparison(cfg), target=0)
    joblib.dump(model, out / "model.joblib")
    return model.n_train_


def score(out: Path) -> int:
    import joblib
    import pandas as pd

    from churnlens.churn.scoring import score_rows
    from churnlens.config import ChurnConfig

    data = pd.read_parquet(out / "frame.parquet")
    model = joblib.load(out / "model.joblib")
    scores = score_rows(model, data[data["cohort"] == 0], "bench", ChurnConfig())
    scores.to_parquet(out / "scores.parquet")
    return len(scores)


STAGE_TARGET_S = 30.0
INSTACART_TARGET_S, INSTACART_TARGET_MB = 180.0, 6144.0


def fashion_shop(args) -> Path:
    """The generated fashion shop's warehouse (generated and ingested once)."""
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    folder = args.workdir / f"fashion-{args.stage_customers}-{args.seed}"
    db = args.workdir / f"fashion-{args.stage_customers}-{args.seed}.duckdb"
    if not db.exists():
        generate("fashion-campus", folder, GeneratorConfig(customers=args.stage_customers, seed=args.seed))
        tmp = db.with_suffix(".tmp.duckdb")
        with Warehouse(tmp) as wh:
            ingest("fashion-campus", [folder], wh)
        tmp.rename(db)
    return db


def churn_stage_run(db: Path) -> float:
    """The churn stage of `run` on a copy of the shop; returns its CPU seconds."""
    import shutil
    import time

    from churnlens import pipeline
    from churnlens.warehouse import Warehouse

    work = db.with_name(db.stem + "-stage.duckdb")
    shutil.copy(db, work)
    shutil.rmtree(str(work) + ".models", ignore_errors=True)
    cpu = time.process_time()
    with Warehouse(work) as wh:
        report = pipeline.run(wh, only=["churn"])
    if "churn" in report.skipped:
        raise SystemExit(f"the churn stage was skipped: {report.skipped['churn']}")
    return time.process_time() - cpu


def stage_benchmark(args) -> None:
    import os

    db = fashion_shop(args)
    m = run_worker("churn stage of run (fashion shop)", args)
    load = os.getloadavg()
    verdict = "meets" if m.seconds <= STAGE_TARGET_S else "misses"
    print(
        f"churn stage at {args.stage_customers:,} customers ({db.name}): {m.seconds:.1f} s wall, "
        f"{m.result:.1f} s CPU, peak {m.peak_mb:,.0f} MB; target <= {STAGE_TARGET_S:.0f} s on 2 cores: "
        f"{verdict} it (machine load average {load[0]:.1f} over {os.cpu_count()} cores while measured)"
    )


def worker(name: str, args) -> None:
    full, sample = shop_paths(args, None), shop_paths(args, args.sample)
    fns = {
        "churn stage of run (fashion shop)": lambda: churn_stage_run(fashion_shop(args)),
        "churnlens features": lambda: churnlens_features(*full, args.trials),
        "train (LightGBM, calibration)": lambda: train(full[1], args.trials),
        "score (probabilities + reasons)": lambda: score(full[1]),
        "churnlens features (sample)": lambda: churnlens_features(*sample, args.trials),
        "pandas features (sample, core subset)": lambda: pandas_features(*sample),
    }
    m = measure(name, fns[name])
    print(json.dumps({"name": m.name, "seconds": m.seconds, "peak_mb": m.peak_mb, "rows": m.result}))


def run_worker(name: str, args) -> Measure:
    cmd = [sys.executable, __file__, "--worker", name, "--workdir", str(args.workdir)]
    cmd += ["--trials", str(args.trials), "--sample", str(args.sample)]
    cmd += [
        "--users",
        str(args.users),
        "--seed",
        str(args.seed),
        "--stage-customers",
        str(args.stage_customers),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"{name} failed:\n{res.stderr[-3000:]}")
    d = json.loads(res.stdout.strip().splitlines()[-1])
    print(
        f"  {name}: {d['seconds']:.1f} s, peak {d['peak_mb']:.0f} MB, {d['rows']:,} (rows or CPU s)",
        flush=True,
    )
    return Measure(d["name"], d["seconds"], d["peak_mb"], d["rows"])


def shop_paths(args, sample: float | None) -> tuple[Path, Path]:
    """The warehouse and the output folder of the whole shop or of its user sample."""
    stem = f"instacart-{args.users}-{args.seed}"
    if sample is not None:
        stem += f"-sample{sample:g}"
    out = args.workdir / f"out-{stem}"
    out.mkdir(parents=True, exist_ok=True)
    return args.workdir / f"{stem}.duckdb", out


def prepare(args) -> Path:
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    shop = args.workdir / f"instacart-{args.users}-{args.seed}"
    db = shop_paths(args, None)[0]
    if not db.exists():
        catalogue = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "instacart_head"
        facts = generate(
            "instacart",
            shop,
            GeneratorConfig(customers=args.users, seed=args.seed),
            catalogue_dir=catalogue if (catalogue / "products.csv").exists() else None,
        )
        print(
            f"generated {facts['users']:,} users, {facts['orders']:,} orders, {facts['prior_lines']:,} prior lines"
        )
        with Warehouse(db) as wh:
            ingest("instacart", [shop], wh)
    return db


def sample_shop(args) -> Path:
    """A warehouse holding a random share of the users with their whole histories."""
    import duckdb
    import numpy as np
    import pandas as pd

    full, db = shop_paths(args, None)[0], shop_paths(args, args.sample)[0]
    if db.exists():
        return db
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute(f"attach '{full}' as shop (read_only)")
    ids = con.sql("select customer_id from shop.customers order by customer_id").df()["customer_id"]
    rng = np.random.default_rng(args.seed)
    keep = pd.DataFrame(
        {"customer_id": rng.choice(ids.to_numpy(), round(len(ids) * args.sample), replace=False)}
    )
    con.register("keep", keep)
    con.execute("create table customers as select * from shop.customers semi join keep using (customer_id)")
    con.execute("create table orders as select * from shop.orders semi join keep using (customer_id)")
    con.execute(
        "create table order_items as select * from shop.order_items semi join orders using (order_id)"
    )
    for name in ("products", "events", "rejected_rows", "runs"):
        con.execute(f"create table {name} as select * from shop.{name}")
    con.close()
    tmp.rename(db)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=206_209)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--sample", type=float, default=0.1, help="share of users the pandas contender reads")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/churnlens-bench-churn"))
    ap.add_argument("--worker", default=None)
    ap.add_argument("--stage-customers", type=int, default=30_000)
    ap.add_argument("--only-stage", action="store_true", help="measure only the churn stage at 30k")
    ap.add_argument("--only-instacart", action="store_true", help="measure only the Instacart-scale part")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.worker:
        worker(args.worker, args)
        return
    if not args.only_instacart:
        stage_benchmark(args)
    if args.only_stage:
        return
    prepare(args)
    sample_shop(args)
    print(
        f"shop: {shop_paths(args, None)[0]}; sample of {args.sample:.0%} of the users: {shop_paths(args, args.sample)[0]}"
    )
    print("whole shop:")
    full = [
        run_worker(name, args)
        for name in (
            "churnlens features",
            "train (LightGBM, calibration)",
            "score (probabilities + reasons)",
        )
    ]
    print(table(full, reference="churnlens features"))
    seconds, peak = sum(m.seconds for m in full), max(m.peak_mb for m in full)
    ok = seconds <= INSTACART_TARGET_S and peak <= INSTACART_TARGET_MB
    print(
        f"features + training + scoring at {args.users:,} users: {seconds:.0f} s, peak {peak:,.0f} MB; "
        f"target <= {INSTACART_TARGET_S:.0f} s and {INSTACART_TARGET_MB / 1024:.0f} GB: {'meets' if ok else 'misses'} it"
    )
    print(f"the same features on the {args.sample:.0%} user sample, churnlens and pandas:")
    ours, theirs = (
        run_worker(name, args)
        for name in ("churnlens features (sample)", "pandas features (sample, core subset)")
    )
    scale = full[0].result / ours.result
    estimate = Measure(
        f"pandas at full scale (estimate, x{scale:.1f})", theirs.seconds * scale, theirs.peak_mb * scale
    )
    print(table([ours, theirs, full[0], estimate], reference=ours.name))
    print(
        f"at full scale: pandas (estimated) vs churnlens (measured): {estimate.seconds / full[0].seconds:.2f}x the time, "
        f"{estimate.peak_mb / full[0].peak_mb:.2f}x the memory"
    )
    check(shop_paths(args, args.sample)[1])


def check(out: Path) -> None:
    """The pandas features equal churnlens's on every core column."""
    import numpy as np
    import pandas as pd

    key = ["customer_id", "cutoff", "cohort"]
    a = pd.read_parquet(out / "frame.parquet", columns=key + CORE).sort_values(key).reset_index(drop=True)
    b = pd.read_parquet(out / "pandas_features.parquet").sort_values(key).reset_index(drop=True)
    assert len(a) == len(b), (len(a), len(b))
    worst = {c: float(np.nanmax(np.abs(a[c].to_numpy(float) - b[c].to_numpy(float)))) for c in CORE}
    print("largest difference pandas vs churnlens per core feature:", json.dumps(worst))


if __name__ == "__main__":
    main()
