"""What a run record says about where its results came from: library versions, data version.

`versions()` lists the libraries whose results a record depends on. The *data version* of a
warehouse is the id of its last ingest: every run records the data version it read, and its
results are stale once a later ingest changes the data (`data_version`, `table_runs`).
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
from typing import Any

import pandas as pd

from churnlens import __version__
from churnlens.errors import DataError


def versions() -> dict[str, str]:
    """Versions of churnlens and the libraries whose results it records."""
    out = {"churnlens": __version__, "python": platform.python_version()}
    dist = {"ibis": "ibis-framework", "sklearn": "scikit-learn"}
    for mod in ("ibis", "duckdb", "pyarrow", "pandas", "numpy", "scipy", "lightgbm", "sklearn", "pyspark"):
        try:
            out[mod] = importlib.metadata.version(dist.get(mod, mod))
        except Exception:  # noqa: BLE001 - absent optional libraries are simply not recorded
            continue
    return out


def data_version(runs: pd.DataFrame) -> str | None:
    """Id of the last ingest (the data the warehouse holds now), or None before any."""
    if runs.empty or "kind" not in runs:
        return None
    ingests = runs[runs["kind"] == "ingest"]
    return str(ingests["run_id"].iloc[-1]) if len(ingests) else None


def table_runs(runs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """``{table: run record}`` of the run that last wrote each result table (from the records'
    ``stage_tables``), with ``stage`` and ``stale`` (read older data than the warehouse holds)."""
    out: dict[str, dict[str, Any]] = {}
    if runs.empty or "stage_tables" not in runs:
        return out
    current = data_version(runs)
    for _, rec in runs[runs["kind"] == "run"].iterrows():
        text = rec.get("stage_tables")
        if not isinstance(text, str) or not text:
            continue
        read = rec.get("data_version") if isinstance(rec.get("data_version"), str) else None
        for stage, names in json.loads(text).items():
            for name in names:
                out[name] = {
                    "run_id": str(rec["run_id"]),
                    "started_at": str(rec.get("started_at", "")),
                    "stage": stage,
                    "data_version": read,
                    "stale": current is not None and read != current,
                }
    return out


def last_ingest_time(runs: pd.DataFrame) -> str | None:
    """When the data the warehouse holds now was ingested (ISO time), or None."""
    if runs.empty or "kind" not in runs:
        return None
    ingests = runs[runs["kind"] == "ingest"]
    return str(ingests["started_at"].iloc[-1]) if len(ingests) else None


def stale_tables(runs: pd.DataFrame, names: list[str] | None = None) -> list[str]:
    """Result tables (of ``names``, or all) computed from older data than the last ingest."""
    stale = {t for t, r in table_runs(runs).items() if r["stale"]}
    return sorted(stale if names is None else stale & set(names))


def results_dataset(runs: pd.DataFrame) -> dict[str, Any]:
    """Facts about the data the last run read (currency, time mode): the labels its results need,
    even after a later ingest of another shop."""
    if runs.empty or "kind" not in runs or "dataset" not in runs:
        return {}
    done = runs[runs["kind"] == "run"].dropna(subset=["dataset"])
    return json.loads(done["dataset"].iloc[-1]) if len(done) else {}


def refuse_stale(runs: pd.DataFrame, names: list[str], where: str, command: str) -> None:
    """Raise DataError when any of ``names`` is stale, saying when the data changed and the fix."""
    stale = stale_tables(runs, names)
    if not stale:
        return
    raise DataError(
        f"The table(s) {', '.join(stale)} were computed from older data than the warehouse holds: "
        f"a shop was ingested at {last_ingest_time(runs)}, after the run that wrote them.",
        file=where,
        fix=f"Run `{command}` to compute them from the current data, or pass --allow-stale to use them as they are.",
    )
