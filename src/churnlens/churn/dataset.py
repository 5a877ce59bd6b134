"""Labelled and unlabelled feature frames for training, backtesting and scoring.

A *cohort* is one labelling moment, numbered back in time: cohort 0 is "now" (scoring, no
labels), cohort 1 the latest moment whose labels are fully observed, 2 the one before, ...

- window mode: cohort k >= 1 is the cutoff ``latest - (k - 1) * cutoff_step_days`` where
  ``latest`` is the last midnight whose window is observed; cohort 0 is the midnight after the
  last order.
- next-gap mode: cohort k >= 1 is each customer's k-th latest labelled order (``label_rank``);
  cohort 0 is each customer's latest order.

`train_cohorts` says which cohorts a model tested on cohort k may learn from: only those whose
labels were known at cohort k's cutoff (window mode: ``c_j + window_days <= c_k``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from churnlens.churn import labels as lab
from churnlens.churn.bgnbd_features import NEXT_GAP, WINDOW, add_bgnbd, bgnbd_inputs
from churnlens.churn.gap_features import GapFits, add_gap_model
from churnlens.churn.trend_features import season_index

__all__ = ["NEXT_GAP", "WINDOW", "ChurnFrame", "add_bgnbd", "bgnbd_inputs", "build_frame", "train_cohorts"]
from churnlens.churn.feature_docs import CATEGORICAL
from churnlens.churn.features import RFM_INPUTS, ShopTables, anchor_features, rfm_scores
from churnlens.config import ChurnlensConfig
from churnlens.engine_agreement import FEATURE_DIGITS, round_significant  # noqa: F401
from churnlens.errors import DataError, ModelError
from churnlens.run_cutoff import last_observed, run_cutoff


@dataclass
class ChurnFrame:
    """Features (one row per customer and cohort) with ``churned`` where known."""

    data: pd.DataFrame
    mode: str
    cohort_cutoffs: dict[int, datetime | None]
    #: The gap model of each cohort and its per-row inputs (next-order timing).
    gaps: GapFits = field(default_factory=GapFits)


def label_mode(wh, cfg: ChurnlensConfig) -> str:
    mode = cfg.churn.label_mode
    if mode == "auto":
        return NEXT_GAP if wh.dataset_info().get("time_mode") == "relative" else WINDOW
    if mode not in (WINDOW, NEXT_GAP):
        raise DataError(
            f"Unknown churn label mode '{mode}'.",
            file="config [churn] label_mode",
            values=[mode],
            fix="Use window, next-gap or auto.",
        )
    return mode


def shop_tables(wh) -> ShopTables:
    """The canonical tables the shop has (empty ones count as absent)."""

    def get(name: str) -> ibis.Table | None:
        if not wh.has(name):
            return None
        t = wh.table(name)
        return t if int(t.count().to_pyarrow().as_py()) > 0 else None

    orders = get("orders")
    if orders is None:
        raise DataError(
            "The warehouse has no orders to label.", file=str(wh.path), fix="Ingest a shop first."
        )
    return ShopTables(orders, get("order_items"), get("products"), get("events"), get("customers"))


def midnight_after(ts: datetime) -> datetime:
    return datetime(ts.year, ts.month, ts.day) + timedelta(days=1)


def window_cutoffs(end: datetime, cfg: ChurnlensConfig, n: int) -> dict[int, datetime]:
    """Cohort -> cutoff in window mode: 0 = scoring, 1..n = labelled, latest first."""
    c = cfg.churn
    latest = datetime(end.year, end.month, end.day) - timedelta(days=c.window_days)
    out: dict[int, datetime] = {0: midnight_after(end)}
    for k in range(1, n + 1):
        out[k] = latest - timedelta(days=(k - 1) * c.cutoff_step_days)
    return out


def cohort_gap(mode: str, cfg: ChurnlensConfig) -> int:
    """Cohorts to skip between a test cohort and its newest training cohort."""
    if mode == NEXT_GAP:
        return 1
    return max(1, math.ceil(cfg.churn.window_days / cfg.churn.cutoff_step_days))


def train_cohorts(test: int, available: list[int], mode: str, cfg: ChurnlensConfig) -> list[int]:
    """Up to ``training_cutoffs`` cohorts whose labels were known at cohort ``test``'s cutoff."""
    first = test + cohort_gap(mode, cfg)
    return [k for k in sorted(available) if k >= first][: cfg.churn.training_cutoffs]


def cohorts_needed(mode: str, cfg: ChurnlensConfig) -> int:
    """Labelled cohorts the final model and every backtest fold need (with their validation):
    the oldest fold, ``backtest_folds``, learns from the ``training_cutoffs`` cohorts that
    start ``cohort_gap`` after it (the final model, from cohort ``cohort_gap`` on, needs fewer)."""
    c = cfg.churn
    gap = cohort_gap(mode, cfg)
    return max(c.backtest_folds, 0) + gap + c.training_cutoffs - 1


def anchors_frame(df: pd.DataFrame) -> ibis.Table:
    out = pd.DataFrame(
        {
            "customer_id": df["customer_id"].astype(object).to_numpy(),
            "cutoff": pd.to_datetime(df["cutoff"]).astype("datetime64[us]").to_numpy(),
            "upto_seq": pd.array(df.get("upto_seq", pd.Series([None] * len(df))), dtype="Int64"),
            "cohort": df["cohort"].astype("int64").to_numpy(),
        }
    )
    return ibis.memtable(out)


def build_frame(wh, cfg: ChurnlensConfig, cohorts: int | None = None, scoring: bool = True) -> ChurnFrame:
    """Labels and features of cohorts 1..``cohorts`` (and cohort 0 when ``scoring``)."""
    mode = label_mode(wh, cfg)
    tables = shop_tables(wh)
    n = cohorts_needed(mode, cfg) if cohorts is None else cohorts
    c = cfg.churn
    if mode == WINDOW:
        end = last_observed(run_cutoff(wh, cfg))
        cuts = window_cutoffs(end, cfg, n)
        labelled = (
            lab.window_labels(
                tables.orders, [cuts[k] for k in range(1, n + 1)], c.window_days, c.lookback_days, end
            )
            .select("customer_id", "cutoff", "churned")
            .to_pandas()
        )
        by_cut = {pd.Timestamp(v): k for k, v in cuts.items()}
        labelled["cohort"] = pd.to_datetime(labelled["cutoff"]).map(by_cut).astype("int64")
        labelled["upto_seq"] = pd.NA
        parts = [labelled]
        if scoring:
            pop = lab.population(tables.orders, [cuts[0]], c.lookback_days).to_pandas()
            pop["cohort"], pop["churned"], pop["upto_seq"] = 0, np.nan, pd.NA
            parts.append(pop)
    else:
        cuts = {k: None for k in range(0, n + 1)}
        labelled = lab.next_gap_labels(tables.orders, c.next_gap_days, n).to_pandas()
        labelled = labelled.rename(columns={"seq": "upto_seq", "label_rank": "cohort"})
        parts = [labelled[["customer_id", "cutoff", "churned", "cohort", "upto_seq"]]]
        if scoring:
            last = lab.latest_orders(tables.orders).to_pandas().rename(columns={"seq": "upto_seq"})
            last["cohort"], last["churned"] = 0, np.nan
            parts.append(last)
    anchors = pd.concat([p for p in parts if len(p)], ignore_index=True)
    if anchors.empty:
        raise ModelError("No customer can be labelled or scored: the shop has too little history.")
    anchors["cutoff"] = pd.to_datetime(anchors["cutoff"]).astype("datetime64[us]")
    feats = features_frame(tables, anchors, cfg)
    numeric = [x for x in feats.columns if x not in (*CATEGORICAL, "customer_id", "cutoff", "cohort")]
    feats[numeric] = feats[numeric].astype("float64")
    keep = anchors[["customer_id", "cutoff", "cohort", "churned"]]
    data = feats.merge(keep, on=["customer_id", "cutoff", "cohort"], how="left")
    del feats, anchors, keep
    data = data.sort_values(["cohort", "customer_id", "cutoff"], kind="stable", ignore_index=True)
    if mode == WINDOW:
        season = season_index(tables.orders, [cuts[k] for k in sorted(cuts)], c.window_days)
        data = data.merge(season, on="cutoff", how="left")
    if c.use_bgnbd and mode == WINDOW:
        data = add_bgnbd(data, cfg, window_days(mode, cfg))
    data, gaps = add_gap_model(data, cfg, window_days(mode, cfg), mode)
    return ChurnFrame(data, mode, cuts, gaps)


def features_frame(tables: ShopTables, anchors: pd.DataFrame, cfg: ChurnlensConfig) -> pd.DataFrame:
    """Features of every anchor, computed by the engine in batches of whole customers (at most
    about ``feature_batch_anchors`` anchors each, so that memory stays bounded however many
    customers the shop has), then RFM-graded within each cohort over all batches."""
    size = cfg.churn.feature_batch_anchors
    n = max(1, math.ceil(len(anchors) / size)) if size > 0 else 1
    batch = pd.factorize(anchors["customer_id"])[0] % n
    parts = []
    for b in range(n):
        rows = anchors[batch == b]
        part = anchor_features(tables, anchors_frame(rows), cfg.churn).to_pandas()
        part["cutoff"] = pd.to_datetime(part["cutoff"]).astype("datetime64[us]")
        for col in part.columns[[pd.api.types.is_float_dtype(t) for t in part.dtypes]]:
            part[col] = round_significant(part[col])
        parts.append(part)
    feats = pd.concat(parts, ignore_index=True) if n > 1 else parts[0]
    del parts
    inputs = ibis.memtable(feats[RFM_INPUTS].assign(_row=np.arange(len(feats))))
    graded = rfm_scores(inputs, cfg.rfm).to_pandas().sort_values("_row")
    for col in graded.columns.difference([*RFM_INPUTS, "_row"], sort=False):
        feats[col] = graded[col].to_numpy()
    return feats


def window_days(mode: str, cfg: ChurnlensConfig) -> float:
    """The churn window W of the mode (days)."""
    return float(cfg.churn.next_gap_days if mode == NEXT_GAP else cfg.churn.window_days)
