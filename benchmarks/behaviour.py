"""Benchmark: sessionize + funnel + paths on a 12.8 M-event click stream, beside plain pandas.

    python benchmarks/behaviour.py                    # 12.8 M events (about 2 minutes)
    python benchmarks/behaviour.py --events 1000000   # quicker
    python benchmarks/behaviour.py --generator        # the shop from the project's generator

The click stream is the NumPy shop of ``tests/test_behaviour_data.py`` (source sessions with
long idle gaps, like the Fashion Campus click stream), or with ``--generator`` a Fashion
Campus shop written by `churnlens.sources.synthetic` and read by the real adapter; either is
scaled to the requested number of events and written once to Parquet. Each contender then runs in its own fresh process, so
that its peak memory is its own:

- ``churnlens``: the events in an in-memory DuckDB warehouse; `sessionize` materialised as a
  table, then `sessions`, the default funnel (`reach` + `step_table`) and the paths tables
  (`top_paths`, `transitions`);
- ``polars``: the sessionization and the sessions table written by hand in Polars (sort by
  visitor and time, ``diff`` per visitor, cumulative sum of the new-session flags, session ids,
  then one aggregation per session with the same columns as churnlens's ``sessions``);
- ``pandas``: the same sessionization written plainly in pandas (sort by visitor and time,
  ``diff`` per visitor, cumulative sum of the new-session flags, session ids).

Each process reports wall time and CPU time (user + system, all threads) per step and its peak
resident memory above the memory it had once the data was loaded (sampled every 5 ms), and the
session counts of all are checked to be equal (and the purchase sessions of churnlens and
Polars). The figures are the ratios of the contenders' times and memories to churnlens's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVENTS_PER_CUSTOMER = 90.4  # of the NumPy shop's defaults, measured
GENERATOR_EVENTS_PER_CUSTOMER = 128.3  # of the generator's defaults (12.8 M for 100,000)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Peak resident memory while the block runs, above the memory at its start."""

    def __enter__(self) -> PeakMemory:
        self.base = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def extra_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def run_churnlens(parquet: Path) -> dict:
    import ibis

    from churnlens.analytics import funnels, paths, sessions
    from churnlens.config import ChurnlensConfig

    cfg = ChurnlensConfig()
    con = ibis.duckdb.connect()
    events = con.read_parquet(str(parquet), table_name="events_file")
    # the columns the click-stream stages read (pandas gets the four sessionization needs)
    cols = ["event_id", "session_id", "customer_id", "event_ts", "event_type", "traffic_source"]
    events = con.create_table("events", events.select(*cols))
    out: dict = {}
    with PeakMemory() as mem:
        t0, c0 = time.perf_counter(), cpu_s()
        se = con.create_table("session_events", sessions.sessionize(events, cfg.sessions.gap_minutes))
        out["sessionize_s"], out["sessionize_cpu"] = time.perf_counter() - t0, cpu_s() - c0
    out["sessionize_extra_mb"] = mem.extra_mb
    with PeakMemory() as mem:
        t0, c0 = time.perf_counter(), cpu_s()
        ss = con.create_table("sessions", sessions.sessions(se))
        out["sessions_s"], out["sessions_cpu"] = time.perf_counter() - t0, cpu_s() - c0
        out["sessions_extra_mb"] = mem.extra_mb
        t0 = time.perf_counter()
        steps = cfg.behaviour.funnel_steps
        reached = con.create_table("reached", funnels.reach(funnels.event_units(se), steps, 86_400))
        funnel = funnels.step_table(reached, steps, "events").to_pandas()
        out["funnel_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        st = con.create_table("steps", paths.steps_of(se))
        top = paths.top_paths(st, cfg.behaviour.path_steps).to_pandas()
        trans = paths.transitions(st).to_pandas()
        out["paths_s"] = time.perf_counter() - t0
    out["rest_extra_mb"] = mem.extra_mb
    out["sessions"] = int(ss.count().to_pyarrow().as_py())
    out["purchase_sessions"] = int(ss.has_purchase.sum().to_pyarrow().as_py())
    out["source_sessions"] = int(events.session_id.nunique().to_pyarrow().as_py())
    out["funnel_units"] = funnel.sort_values("step").units.tolist()
    out["top_path"] = top.sort_values("rank").path.iloc[0]
    out["transitions"] = len(trans)
    return out


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_polars(parquet: Path, gap_minutes: float = 30.0) -> dict:
    from datetime import timedelta

    import polars as pl

    cols = ["event_id", "session_id", "customer_id", "event_ts", "event_type", "traffic_source"]
    df = pl.read_parquet(parquet, columns=cols)
    out: dict = {}
    with PeakMemory() as mem:
        t0, c0 = time.perf_counter(), cpu_s()
        visitor = pl.coalesce(pl.lit("c:") + pl.col("customer_id"), pl.lit("s:") + pl.col("session_id"))
        d = df.with_columns(visitor_id=visitor).rename({"session_id": "source_session_id"})
        d = d.sort("visitor_id", "event_ts", "event_id")
        gap = pl.col("event_ts").diff().over("visitor_id")
        new = (gap.is_null() | (gap > timedelta(minutes=gap_minutes))).cast(pl.Int64)
        d = d.with_columns(session_number=new.cum_sum().over("visitor_id"))
        d = d.with_columns(
            session_id=pl.col("visitor_id") + "#" + pl.col("session_number").cast(pl.String)
        ).with_columns(event_number=pl.int_range(1, pl.len() + 1).over("session_id"))
        out["sessionize_s"], out["sessionize_cpu"] = time.perf_counter() - t0, cpu_s() - c0
    out["sessionize_extra_mb"] = mem.extra_mb
    with PeakMemory() as mem:
        t0, c0 = time.perf_counter(), cpu_s()
        # rows are in (visitor, time, id) order, so first and last are the session's first and exit
        ss = d.group_by("session_id").agg(
            pl.col("visitor_id").first(),
            pl.col("customer_id").max(),
            pl.col("session_number").first(),
            pl.col("source_session_id").first(),
            start_ts=pl.col("event_ts").first(),
            end_ts=pl.col("event_ts").last(),
            events=pl.len(),
            first_event=pl.col("event_type").first(),
            exit_event=pl.col("event_type").last(),
            has_purchase=(pl.col("event_type") == "purchase").any(),
            traffic_source=pl.col("traffic_source").first(),
        )
        ss = ss.with_columns(
            duration_s=(pl.col("end_ts") - pl.col("start_ts")).dt.total_seconds(),
            month=pl.col("start_ts").dt.truncate("1mo"),
        )
        out["sessions_s"], out["sessions_cpu"] = time.perf_counter() - t0, cpu_s() - c0
    out["sessions_extra_mb"] = mem.extra_mb
    out["sessions"] = ss.height
    out["purchase_sessions"] = int(ss["has_purchase"].sum())
    return out


def run_pandas(parquet: Path, gap_minutes: float = 30.0) -> dict:
    import pandas as pd
    import pyarrow.parquet as pq

    df = pq.read_table(parquet, columns=["event_id", "session_id", "customer_id", "event_ts"]).to_pandas()
    out: dict = {}
    with PeakMemory() as mem:
        t0, c0 = time.perf_counter(), cpu_s()
        visitor = ("c:" + df["customer_id"]).fillna("s:" + df["session_id"])
        d = df.assign(visitor=visitor).sort_values(["visitor", "event_ts", "event_id"])
        gap = d.groupby("visitor", sort=False)["event_ts"].diff()
        new = gap.isna() | (gap > pd.Timedelta(minutes=gap_minutes))
        d["session_number"] = new.astype("int64").groupby(d["visitor"], sort=False).cumsum()
        d["session_id"] = d["visitor"] + "#" + d["session_number"].astype(str)
        d["event_number"] = d.groupby("session_id", sort=False).cumcount() + 1
        out["sessionize_s"], out["sessionize_cpu"] = time.perf_counter() - t0, cpu_s() - c0
    out["sessionize_extra_mb"] = mem.extra_mb
    out["sessions"] = int(new.sum())
    return out


def generated_events(customers: int, seed: int, tmp: Path, parquet: Path) -> int:
    """Write a Fashion Campus shop with the project's generator, ingest it, export its events."""
    from churnlens.ingest import ingest
    from churnlens.sources.synthetic import GeneratorConfig, generate
    from churnlens.warehouse import Warehouse

    shop = tmp / "shop"
    generate("fashion-campus", shop, GeneratorConfig(customers=customers, seed=seed))
    with Warehouse(tmp / "shop.duckdb") as wh:
        ingest("fashion-campus", [shop], wh)
        wh.con.con.execute(f"COPY events TO '{parquet}' (FORMAT parquet)")
        n = int(wh.table("events").count().to_pyarrow().as_py())
    shutil.rmtree(shop)
    (tmp / "shop.duckdb").unlink()
    return n


def child(kind: str, parquet: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--parquet", str(parquet)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if res.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=12_800_000, help="approximate click events")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--generator",
        action="store_true",
        help="make the shop with churnlens.sources.synthetic and the Fashion Campus adapter (slower)",
    )
    ap.add_argument("--child", choices=["churnlens", "polars", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--parquet", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fn = {"churnlens": run_churnlens, "polars": run_polars, "pandas": run_pandas}[args.child]
        print(json.dumps(fn(args.parquet)))
        return

    import pyarrow.parquet as pq

    sys.path.insert(0, str(REPO / "tests"))
    from test_behaviour_data import click_shop

    with tempfile.TemporaryDirectory(prefix="churnlens_bench_") as tmp:
        parquet = Path(tmp) / "events.parquet"
        t0 = time.perf_counter()
        if args.generator:
            customers = max(10, round(args.events / GENERATOR_EVENTS_PER_CUSTOMER))
            n_events = generated_events(customers, args.seed, Path(tmp), parquet)
            how = "the Fashion Campus generator and adapter"
        else:
            customers = max(10, round(args.events / EVENTS_PER_CUSTOMER))
            events = click_shop(customers, seed=args.seed)["events"]
            pq.write_table(events, parquet)
            n_events = events.num_rows
            del events
            how = "NumPy"
        gen_s = time.perf_counter() - t0
        print(f"click stream ({how}): {n_events:,} events of {customers:,} customers, made in {gen_s:.1f} s")
        cl = child("churnlens", parquet)
        pl_ = child("polars", parquet)
        pd_ = child("pandas", parquet)
    if not cl["sessions"] == pl_["sessions"] == pd_["sessions"]:
        raise SystemExit(
            f"session counts differ: churnlens {cl['sessions']:,}, Polars {pl_['sessions']:,}, "
            f"pandas {pd_['sessions']:,}"
        )
    if cl["purchase_sessions"] != pl_["purchase_sessions"]:
        raise SystemExit(
            f"purchase sessions differ: {cl['purchase_sessions']:,} / {pl_['purchase_sessions']:,}"
        )
    print(
        f"sessions: {cl['source_sessions']:,} source -> {cl['sessions']:,} at a 30-minute gap "
        f"(x {cl['sessions'] / cl['source_sessions']:.1f}); same count in Polars and pandas"
    )
    print(
        f"funnel units per step: {cl['funnel_units']}; top path: {cl['top_path']}; {cl['transitions']} transitions"
    )
    print()
    print(f"{'step':<30}{'churnlens (DuckDB)':>20}{'Polars':>10}{'ratio':>8}{'pandas':>10}{'ratio':>8}")

    def line(label: str, key: str, digits: int = 2) -> None:
        row = f"{label:<30}{cl[key]:>20.{digits}f}"
        for other in (pl_, pd_):
            if key in other:
                row += f"{other[key]:>10.{digits}f}{cl[key] / max(other[key], 1e-9):>7.2f}x"
            else:
                row += f"{'':>18}"
        print(row)

    line("sessionize, seconds", "sessionize_s")
    line("sessionize, CPU seconds", "sessionize_cpu")
    line("sessionize, peak extra MB", "sessionize_extra_mb", 0)
    line("sessions table, seconds", "sessions_s")
    line("sessions table, CPU seconds", "sessions_cpu")
    line("sessions table, peak extra MB", "sessions_extra_mb", 0)
    print(f"{'funnel, seconds':<30}{cl['funnel_s']:>20.2f}")
    print(f"{'paths, seconds':<30}{cl['paths_s']:>20.2f}")
    print(f"{'sessions+funnel+paths, MB':<30}{cl['rest_extra_mb']:>20.0f}")
    print()
    print(f"ratio: churnlens / contender ({os.cpu_count()} CPUs; DuckDB and Polars use them all, pandas one)")


if __name__ == "__main__":
    main()
