"""The run's cutoff: the one "as of" moment every stage of a run computes at.

It is decided once per run (`run_cutoff`): the configured ``run.cutoff`` (an ISO date), else
midnight after the last order of the data the warehouse holds (the current data version), so
that the last day's orders count. `churnlens.pipeline` pins the decision into the run's config
(`pin`: every stage then reads the same value instead of asking the data again), records it in
the run record (``cutoff``) and, when the cutoff is earlier than the data, hides the orders and
events at or after it from the stages (`Warehouse.as_of`). `info` and the report show the
recorded cutoff (`recorded`).

Stages read it with `run_cutoff(wh, config)` and derive from it:

- `last_observed`: the last moment the data cover (just before the cutoff);
- `latest_labelled`: the latest cutoff whose churn window has closed (the whole last day is left
  out: it may be cut short by the extract).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from churnlens.errors import DataError


def data_end(wh: Any) -> datetime:
    """The time of the last order (of any status) of the data the warehouse holds."""
    orders = wh.table("orders")
    value = orders.order_ts.max().to_pyarrow().as_py() if wh.has("orders") else None
    if value is None or value != value:
        raise DataError(
            "The shop has no dated orders.",
            file="orders",
            column="order_ts",
            fix="Ingest the shop's orders with their order times (`churnlens ingest`).",
        )
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)


def run_cutoff(wh: Any, config: Any) -> datetime:
    """The run's cutoff: ``run.cutoff`` when set (the pipeline sets it once per run), else
    midnight after the last order."""
    if config.run.cutoff:
        return datetime.combine(date.fromisoformat(config.run.cutoff), datetime.min.time())
    end = data_end(wh)
    return datetime.combine(end.date() + timedelta(days=1), datetime.min.time())


def pin(config: Any, cutoff: datetime) -> Any:
    """A copy of ``config`` whose ``run.cutoff`` is ``cutoff``: what every stage of the run reads."""
    pinned = copy.deepcopy(config)
    pinned.run.cutoff = cutoff.date().isoformat()
    return pinned


def last_observed(cutoff: datetime) -> datetime:
    """The last moment the data of a run at ``cutoff`` cover."""
    return cutoff - timedelta(microseconds=1)


def latest_labelled(cutoff: datetime, window_days: float) -> datetime:
    """The latest midnight whose churn window of ``window_days`` closed before the last day."""
    return cutoff - timedelta(days=1 + float(window_days))


def recorded(runs: pd.DataFrame) -> str | None:
    """The cutoff (ISO date) the last run recorded, or None before any run that records one."""
    if runs.empty or "cutoff" not in runs or "kind" not in runs:
        return None
    done = runs[(runs["kind"] == "run") & runs["cutoff"].notna() & (runs["cutoff"] != "")]
    return str(done["cutoff"].iloc[-1]) if len(done) else None
