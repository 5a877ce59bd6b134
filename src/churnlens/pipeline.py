"""Run every analysis stage the shop's data allows and write the results to the warehouse.

Stages are plain functions ``(warehouse, config) -> {table_name: Ibis table | DataFrame}``
declared in `STAGES` with what they need. `run` skips a stage whose needs the data does not
meet (no click stream, no prices, ...) and says why. A run is published whole: its result
tables stay private until the end, then become visible together with the run record (time,
config, the data version read, row counts, versions); a failed or killed run leaves the
previous complete run in place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import ibis
import pandas as pd

from churnlens.analytics import behaviour
from churnlens.clv.stage import run_clv
from churnlens.config import ChurnlensConfig
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.errors import DataError, StageSkipped
from churnlens.playbook.stage import run as run_playbook
from churnlens.products.stage import run as run_products
from churnlens.provenance import data_version, versions
from churnlens.publishing import new_run_id
from churnlens.segments.stage import run_segments
from churnlens.warehouse import Warehouse

StageFn = Callable[[Warehouse, ChurnlensConfig], dict[str, Any]]


@dataclass(frozen=True)
class Capabilities:
    """What the shop's canonical tables make possible."""

    orders: int
    customers: int
    events: int
    priced_orders: int
    time_mode: str
    currency: str | None

    @property
    def has_orders(self) -> bool:
        return self.orders > 0

    @property
    def has_events(self) -> bool:
        return self.events > 0

    @property
    def has_prices(self) -> bool:
        return self.priced_orders > 0


def capabilities(wh: Warehouse) -> Capabilities:
    info = wh.dataset_info()

    def n(name: str) -> int:
        return int(wh.table(name).count().to_pyarrow().as_py()) if wh.has(name) else 0

    priced = 0
    if wh.has("orders"):
        o = wh.table("orders")
        priced = int(o.filter(o.total_amount.notnull()).count().to_pyarrow().as_py())
    return Capabilities(
        orders=n("orders"),
        customers=n("customers"),
        events=n("events"),
        priced_orders=priced,
        time_mode=info.get("time_mode", "calendar"),
        currency=info.get("currency"),
    )


@dataclass(frozen=True)
class StageDef:
    name: str
    doc: str
    run: StageFn
    needs: Callable[[Capabilities], str | None] = lambda caps: None  # reason to skip, or None


@dataclass
class RunReport:
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Tables each stage wrote in this run.
    stage_tables: dict[str, list[str]] = field(default_factory=dict)
    #: Tables of an earlier run removed because their stage was skipped this time.
    dropped: dict[str, list[str]] = field(default_factory=dict)


def _needs_orders(caps: Capabilities) -> str | None:
    return None if caps.has_orders else "the shop has no orders"


def profile(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    """Rows and time span of every canonical table (table ``data_profile``)."""
    parts = []
    spans = {"orders": "order_ts", "events": "event_ts", "customers": "signup_ts"}
    for name in ("customers", "products", "orders", "order_items", "events", "rejected_rows"):
        if not wh.has(name):
            continue
        t = wh.table(name)
        col = spans.get(name)
        agg = {"rows": t.count()}
        if col:
            agg |= {"first_ts": t[col].min(), "last_ts": t[col].max()}
        row = t.aggregate(**agg).to_pandas()
        row.insert(0, "table_name", name)
        parts.append(row)
    return {"data_profile": pd.concat(parts, ignore_index=True)}


def run_churn(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    """Churn model: saved beside the warehouse; tables customer_scores, churn_* (churnlens.churn)."""
    from churnlens.churn.stage import churn_stage

    return churn_stage(wh, config, skip_on_short_history=True)


STAGES: list[StageDef] = [
    StageDef("profile", "rows and time span of each canonical table", profile),
    StageDef(
        "segments",
        "RFM scores and named segments, demographic segments (items instead of money without prices)",
        run_segments,
        _needs_orders,
    ),
    StageDef(
        "diagnosis",
        "sales over time, revenue bridge, promotions, acquisition and ranked findings",
        run_diagnosis,
        _needs_orders,
    ),
    StageDef(
        "behaviour_orders",
        "cohort retention, lifecycle states and the order funnel",
        behaviour.orders_stage,
        behaviour.needs_orders,
    ),
    StageDef(
        "behaviour_clicks",
        "sessions, funnels, paths, search trends and visit KPIs of the click stream",
        behaviour.clicks_stage,
        behaviour.needs_events,
    ),
    StageDef(
        "customer_value",
        "BG/NBD P(alive) and expected purchases, Gamma-Gamma spend, CLV, model checks",
        run_clv,
        _needs_orders,
    ),
    # Churn after customer value (customer_value columns join into customer_scores) and
    # before the playbook, which reads customer_scores.
    StageDef(
        "churn",
        "churn labels and features at past cutoffs, tuned LightGBM, backtest against baselines, scores and reasons",
        run_churn,
        _needs_orders,
    ),
    # Keep these two last: the playbook reads customer_scores and rfm when those stages ran.
    StageDef(
        "products",
        "product rankings and growth, reorder rates, cart positions, basket pairs, churn by product",
        run_products,
        _needs_orders,
    ),
    StageDef(
        "playbook",
        "one action per scored customer, routine products, expected value and campaign summary",
        run_playbook,
        _needs_orders,
    ),
]


def run(
    wh: Warehouse,
    config: ChurnlensConfig | None = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunReport:
    """Run the stages (all, or those named in ``only``) and write their result tables."""
    config = (config or wh.config).validate()
    progress = progress or (lambda _m: None)
    if not wh.has("orders"):
        raise DataError(
            "The warehouse holds no shop yet.",
            file=str(wh.path),
            fix="Ingest a shop first: `churnlens ingest KIND PATH --db ...` (or run `churnlens demo`).",
        )
    caps = capabilities(wh)
    report = RunReport()
    started = datetime.now(UTC)
    run_id = new_run_id()
    read = data_version(wh.runs())
    # Every table stays private to this run until publish_run makes all of them visible
    # together with the run record; an error or an interrupt leaves the previous run whole.
    with wh.run_scope(run_id):
        for stage in STAGES:
            if only and stage.name not in only:
                continue
            reason = stage.needs(caps)
            if not reason:
                progress(stage.name)
                t0 = time.perf_counter()
                try:
                    results = stage.run(wh, config)
                except StageSkipped as exc:
                    reason = str(exc)
            if reason:
                report.skipped[stage.name] = reason
                # A skipped stage's tables from an earlier run would describe other data: remove them.
                stale = [t for t in _earlier_tables(wh, stage.name) if wh.has(t)]
                for table in stale:
                    wh.drop(table)
                if stale:
                    report.dropped[stage.name] = stale
                continue
            for table, obj in results.items():
                wh.write(table, obj)
                report.written[table] = _count(wh, table)
            report.stage_tables[stage.name] = list(results)
            report.seconds[stage.name] = time.perf_counter() - t0
        progress("publishing")
        wh.publish_run(
            {
                "run_id": run_id,
                "kind": "run",
                "started_at": started.isoformat(),
                "seconds": f"{sum(report.seconds.values()):.3f}",
                "data_version": read or "",
                "dataset": json.dumps(wh.dataset_info()),
                "row_counts": json.dumps(report.written),
                "skipped": json.dumps(report.skipped),
                "stage_tables": json.dumps(report.stage_tables),
                "config": json.dumps(config.to_dict()),
                "versions": json.dumps(versions()),
            }
        )
    return report


def _earlier_tables(wh: Warehouse, stage: str) -> list[str]:
    """Tables that ``stage`` wrote in earlier runs (from the run records)."""
    runs = wh.runs()
    if runs.empty or "stage_tables" not in runs:
        return []
    names: set[str] = set()
    for text in runs["stage_tables"].dropna():
        names.update(json.loads(text).get(stage, []))
    return sorted(names)


def _count(wh: Warehouse, table: str) -> int:
    t: ibis.Table = wh.table(table)
    return int(t.count().to_pyarrow().as_py())
