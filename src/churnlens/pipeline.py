"""Run every analysis stage the shop's data allows and write the results to the warehouse.

Stages are plain functions ``(warehouse, config) -> {table_name: Ibis table | DataFrame}``,
each with the contract its package declares (``declaration.py``, see `churnlens.contract`):
tables read and written, what it needs of the data. `STAGES` is ordered from those
declarations; `run` skips a stage whose needs the data does not meet (no click stream, no
calendar, ...) and says why before it runs. Every stage computes as of one cutoff, decided
once per run (`churnlens.run_cutoff`) and recorded with it. A run is published whole: its result
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

from churnlens import declarations as declared
from churnlens import profiling, stage_graph
from churnlens.analytics import behaviour
from churnlens.capabilities import Capabilities, capabilities
from churnlens.clv.stage import run_clv
from churnlens.config import ChurnlensConfig
from churnlens.contract import StageDecl, Table
from churnlens.diagnosis.stage import run_diagnosis
from churnlens.errors import DataError, StageSkipped
from churnlens.playbook.stage import run as run_playbook
from churnlens.products.stage import run as run_products
from churnlens.provenance import data_version, table_runs, versions
from churnlens.publishing import new_run_id
from churnlens.run_cutoff import data_end, pin, run_cutoff
from churnlens.segments.stage import run_segments
from churnlens.warehouse import Warehouse

StageFn = Callable[[Warehouse, ChurnlensConfig], dict[str, Any]]


@dataclass(frozen=True)
class StageDef:
    """A stage: its declared contract and the function that computes its tables."""

    decl: StageDecl
    run: StageFn

    @property
    def name(self) -> str:
        return self.decl.name

    @property
    def doc(self) -> str:
        return self.decl.doc

    def needs(self, caps: Capabilities, config: ChurnlensConfig | None = None) -> str | None:
        """Why the shop's data cannot feed this stage (decided before it runs), or None."""
        return self.decl.needs.reason(caps, config)


@dataclass
class RunReport:
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: Tables each stage wrote in this run.
    stage_tables: dict[str, list[str]] = field(default_factory=dict)
    #: Tables of an earlier run removed because their stage was skipped this time.
    dropped: dict[str, list[str]] = field(default_factory=dict)
    #: The run's cutoff: every stage computed as of this moment (`churnlens.run_cutoff`).
    cutoff: datetime | None = None


def run_churn(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    """Churn model: saved beside the warehouse; tables customer_scores, churn_* (churnlens.churn)."""
    from churnlens.churn.stage import churn_stage

    return churn_stage(wh, config, skip_on_short_history=True)


#: The function of each stage; the order is the declarations' (`churnlens.declarations`).
_RUN: dict[str, StageFn] = {
    "profile": profiling.profile,
    "segments": run_segments,
    "diagnosis": run_diagnosis,
    "behaviour_orders": behaviour.orders_stage,
    "behaviour_clicks": behaviour.clicks_stage,
    "customer_value": run_clv,
    "churn": run_churn,
    "products": run_products,
    "playbook": run_playbook,
}
STAGES: list[StageDef] = [StageDef(d, _RUN[d.name]) for d in declared.STAGES]


def declarations() -> list[StageDecl]:
    """Every stage's contract, in pipeline order."""
    return [s.decl for s in STAGES]


def declared_table(name: str) -> tuple[StageDecl, Table] | None:
    """The stage that writes result table ``name`` and its declaration, or None."""
    for decl in declarations():
        table = decl.table(name)
        if table is not None:
            return decl, table
    return None


def selected(wh: Warehouse, only: list[str] | None, with_upstream: bool = False) -> list[StageDef]:
    """The stages to run: all, or ``only`` (and what they depend on with ``with_upstream``).

    An unknown name is an error listing the stages. A stage run alone whose input tables are
    missing or computed from older data is an error that names the stage to run first."""
    if not only:
        return list(STAGES)
    names = [s.name for s in STAGES]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise DataError(
            f"Unknown stage {', '.join(map(repr, unknown))}.",
            values=unknown,
            fix=f"Use one of the stages {names} (each --only names one).",
        )
    chosen = set(only)
    decls = declarations()
    if with_upstream:
        for name in only:
            chosen.update(stage_graph.upstream(name, decls))
        return [s for s in STAGES if s.name in chosen]
    written = table_runs(wh.runs())
    for stage in (s for s in STAGES if s.name in chosen):
        for table, producer in stage_graph.inputs(stage.decl, decls).items():
            if producer in chosen:
                continue
            required = table in stage.decl.reads
            problem = None
            if not wh.has(table):
                problem = "is missing" if required else None
            elif written.get(table, {}).get("stale"):
                problem = "was computed from older data than the warehouse holds"
            if problem:
                raise DataError(
                    f"Stage '{stage.name}' reads table {table}, which {problem}.",
                    values=[table],
                    fix=f"Run stage '{producer}' first (`churnlens run --only {producer}`), or add "
                    f"--with-upstream to run {stage_graph.upstream(stage.name, decls)} before it.",
                )
    return [s for s in STAGES if s.name in chosen]


def run(
    wh: Warehouse,
    config: ChurnlensConfig | None = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    with_upstream: bool = False,
) -> RunReport:
    """Run the stages (all, or those named in ``only``, see `selected`) and publish their result
    tables whole."""
    config = (config or wh.config).validate()
    progress = progress or (lambda _m: None)
    stages = selected(wh, only, with_upstream)
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
    # One cutoff for every stage, decided here from the data (or run.cutoff) and pinned.
    cutoff = run_cutoff(wh, config)
    config = pin(config, cutoff)
    report.cutoff = cutoff
    # Every table stays private to this run until publish_run makes all of them visible
    # together with the run record; an error or an interrupt leaves the previous run whole.
    with wh.run_scope(run_id, apart=True), wh.seen_as_of(cutoff if cutoff <= data_end(wh) else None):
        for stage in stages:
            reason = stage.needs(caps, config)
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
                stale = [t for t in stage.decl.written if wh.has(t)]
                for table in stale:
                    wh.drop(table)
                if stale:
                    report.dropped[stage.name] = stale
                continue
            for table, obj in results.items():
                if not wh.holds(table, obj):
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
                "cutoff": cutoff.date().isoformat(),
                "dataset": json.dumps(wh.dataset_info()),
                "row_counts": json.dumps(report.written),
                "skipped": json.dumps(report.skipped),
                "stage_tables": json.dumps(report.stage_tables),
                "config": json.dumps(config.to_dict()),
                "versions": json.dumps(versions()),
            }
        )
    return report


def _count(wh: Warehouse, table: str) -> int:
    t: ibis.Table = wh.table(table)
    return int(t.count().to_pyarrow().as_py())
