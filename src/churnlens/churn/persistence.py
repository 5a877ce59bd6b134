"""Saved churn models: a directory beside the warehouse (``<db>.models/<version>/``).

Each version holds ``model.txt`` (LightGBM's own text format), ``model.joblib`` (the whole
`ChurnModel`: preprocessing, booster and calibrator) and ``metadata.json`` (version, label
mode, window, features, parameters, training cohorts and cutoffs, validation metrics, config,
library versions). ``LATEST`` names the newest version.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from churnlens.churn.models import ChurnModel
from churnlens.errors import DataError

LATEST = "LATEST"


def models_dir(wh) -> Path:
    """Where a warehouse's models live: ``<db>.models`` (a temporary folder for in-memory ones)."""
    if wh.path is None:
        if not hasattr(wh, "_churn_models_dir"):
            wh._churn_models_dir = Path(tempfile.mkdtemp(prefix="churnlens_models_"))
        return wh._churn_models_dir
    return Path(str(wh.path).rstrip("/") + ".models")


def new_version() -> str:
    return datetime.now(UTC).strftime("lgbm-%Y%m%dT%H%M%S%f")


def save(model: ChurnModel, metadata: dict[str, Any], root: Path) -> Path:
    """Write the model and its metadata; returns the version directory."""
    version = metadata["model_version"]
    d = Path(root) / version
    d.mkdir(parents=True, exist_ok=True)
    if model.kind == "lightgbm":
        model.estimator_.booster_.save_model(str(d / "model.txt"))
    joblib.dump(model, d / "model.joblib")
    (d / "metadata.json").write_text(json.dumps(metadata, indent=2, default=str), encoding="utf-8")
    (Path(root) / LATEST).write_text(version, encoding="utf-8")
    return d


def load(root: Path, version: str | None = None) -> tuple[ChurnModel, dict[str, Any]]:
    """The saved model (latest unless ``version``) and its metadata."""
    root = Path(root)
    if version is None:
        if not (root / LATEST).exists():
            raise DataError(
                "No saved churn model was found.",
                file=str(root),
                fix="Train one first: `churnlens train --db ...` (or `churnlens run`).",
            )
        version = (root / LATEST).read_text(encoding="utf-8").strip()
    d = root / version
    if not (d / "model.joblib").exists():
        raise DataError(
            "The churn model version does not exist.",
            file=str(d),
            values=[version],
            fix=f"Pass a version saved under {root}, or leave it out for the latest.",
        )
    meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
    return joblib.load(d / "model.joblib"), meta


def record(root: Path, version: str, **values: Any) -> None:
    """Add values to a saved version's metadata (e.g. ``scored_by``, decided after the backtest)."""
    path = Path(root) / version / "metadata.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(values)
    path.write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
