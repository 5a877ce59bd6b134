"""Run a source adapter and publish the canonical tables it built.

`ingest(kind, paths, warehouse)` reads the native files of one shop, validates them and
replaces the warehouse's canonical tables (and `rejected_rows`) in one swap. The summary says,
for every canonical table, how many rows were read, stored and rejected; read always equals
stored + rejected.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.provenance import versions
from churnlens.publishing import new_run_id
from churnlens.sources import KINDS
from churnlens.sources.staging import Stage, TableCount
from churnlens.warehouse import Warehouse

Progress = Callable[[str], None]


@dataclass
class IngestSummary:
    kind: str
    counts: dict[str, TableCount]
    dataset: dict[str, Any]
    seconds: float
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"table": t, "read": c.read, "stored": c.stored, "rejected": c.rejected}
            for t, c in self.counts.items()
        ]

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts.values())


def adapter(kind: str) -> Any:
    """The adapter module of a source kind (``fashion-campus`` -> sources.fashion_campus)."""
    if kind not in KINDS:
        raise DataError(f"Unknown source kind '{kind}'.", values=[kind], fix=f"Use one of {list(KINDS)}.")
    return importlib.import_module(f"churnlens.sources.{kind.replace('-', '_')}")


def _with_share(progress: Callable[..., None] | None) -> Callable[[str, float | None], None] | None:
    """``progress`` when it also takes the share done (``update(message, fraction)``), else None."""
    if progress is None:
        return None
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in params) or len(params) >= 2:
        return progress
    return None


def ingest(
    kind: str,
    paths: list[str | Path],
    warehouse: Warehouse,
    config: ChurnlensConfig | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Read a shop's native files into the warehouse's canonical tables.

    Parameters
    ----------
    kind:
        One of ``fashion-campus``, ``instacart``, ``online-retail``, ``generic``.
    paths:
        Files or directories holding the native files.
    options:
        Adapter options (the generic adapter's column mapping); ``encoding`` (a Python codec
        name such as ``cp949`` or ``latin-1``) reads CSV files in that encoding.
    """
    config = config or warehouse.config
    module = adapter(kind)
    started = time.perf_counter()
    options = options or {}
    run_id = new_run_id()
    stage = Stage(
        warehouse.staging(), config, kind, encoding=options.get("encoding"), report=_with_share(progress)
    )
    # The canonical tables and the ingest record (its id is the new data version) are
    # published together; a failed or killed ingest leaves the previous shop as it was.
    with warehouse.run_scope(run_id):
        try:
            dataset = module.load(stage, [Path(p) for p in paths], options, progress or (lambda _m: None))
            staged = stage.finish()
            warehouse.publish(stage.con, staged)
        finally:
            stage.staged.clear()  # published ones were moved: every staging table left is dropped
            stage.cleanup()
        dataset = {"source_kind": kind, "paths": [str(p) for p in paths], **dataset}
        if stage.encoding:
            dataset["encoding"] = stage.encoding
        summary = IngestSummary(kind, dict(stage.counts), dataset, time.perf_counter() - started, stage.notes)
        warehouse.publish_run(
            {
                "run_id": run_id,
                "kind": "ingest",
                "started_at": datetime.now(UTC).isoformat(),
                "seconds": f"{summary.seconds:.3f}",
                "dataset": json.dumps(dataset, default=str),
                "row_counts": json.dumps(summary.rows()),
                "config": json.dumps(config.to_dict()),
                "versions": json.dumps(versions()),
            }
        )
    return summary
