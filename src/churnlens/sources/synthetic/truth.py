"""The true probabilities of the synthetic shops, computed exactly from the generating process.

Given a customer's latents (one row of ``ground_truth.parquet``) and their purchases up to a
cutoff, the process of `process.py` gives closed forms. Notation, on the shop clock
``tau`` (`timeline.ShopClock`, the integral of the weekly profile, in days):

- ``x`` = time of the last purchase at or before the cutoff ``c`` (the customer is known to be
  alive right before it), lambda the purchase rate, p the dropout probability after a purchase;
- planted lapse (decline scenario): hazard h from ``d`` = lapse_start_ts on (h = 0 otherwise);
  ``a = max(x, d)``.

P(alive at c | history) = A / (A + p + L) with
``A = (1-p) exp(-lambda (c-x)) exp(-h max(c-a, 0))`` (survived the coin, no purchase, no lapse) and
``L = (1-p) exp(-lambda (a-x)) h / (h+lambda) (1 - exp(-(h+lambda) max(c-a, 0)))`` (lapsed before
buying again). Only the last purchase matters: earlier ones add the same factor to every branch.

P(no purchase in (c, c+w] | history) = (1 - P_alive) + P_alive * Q with, splitting the window in
a part without hazard (length l1) and one with it (length l2),
``Q = exp(-lambda l1) [exp(-(lambda+h) l2) + h/(lambda+h) (1 - exp(-(lambda+h) l2))]``.

Purchases are *paid* orders: failed payment attempts are not part of the process (rows of
``orders_df`` with a ``status`` other than "paid" or a ``payment_status`` other than "Success" are
ignored). Customers without a purchase at or before the cutoff (not yet signed up) get NaN.

Instacart convention (relative time). The Instacart export has no calendar. The truth uses a
per-user timeline on which the user's last order in the file is on the snapshot day
(``GeneratorConfig.instacart_snapshot_date``) at its true time of day, and every earlier order
lies back by the *true, uncapped* gaps: ``ground_truth_orders.parquet`` holds these ``order_ts``.
On that timeline the calendar-day difference of consecutive orders is the true gap; the file's
``days_since_prior_order`` equals it when below 30 and is 30 otherwise ("30 or more"), so an
adapter that walks back from the snapshot through the capped gaps agrees with the truth timeline
up to the first capped gap and places everything before it too late by the excess over 30 days.
``order_dow`` and ``order_hour_of_day`` are those of the latent calendar, whose time is
``order_ts + clock_offset_days`` (an integer number of days per user; the weekly profile is
evaluated there). The probabilities are those of the forward process given the history up to the
cutoff; they do not condition on how the export was cut (every user buys on the snapshot day).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from churnlens.sources.synthetic.textio import US_PER_DAY
from churnlens.sources.synthetic.timeline import ShopClock

_PAID = {"paid", "success"}


def load_truth(out_dir: Path | str) -> pd.DataFrame:
    """``ground_truth.parquet`` of a generated shop, with its weekly profile in ``attrs``."""
    return pd.read_parquet(Path(out_dir) / "ground_truth.parquet")


def load_truth_orders(out_dir: Path | str) -> pd.DataFrame:
    """``ground_truth_orders.parquet``: paid orders on the truth timeline (customer_id, order_ts)."""
    return pd.read_parquet(Path(out_dir) / "ground_truth_orders.parquet")


def _us(values) -> np.ndarray:
    ts = pd.to_datetime(values)
    if getattr(ts.dt if isinstance(ts, pd.Series) else ts, "tz", None) is not None:
        ts = (
            ts.dt.tz_convert("UTC").dt.tz_localize(None) if isinstance(ts, pd.Series) else ts.tz_convert(None)
        )
    return np.asarray(ts, dtype="datetime64[us]").astype(np.int64)


def _cutoff_us(cutoff) -> int:
    ts = pd.Timestamp(cutoff)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(np.datetime64(ts.to_datetime64(), "us").astype(np.int64))


class _State:
    """Per-customer quantities on the shop clock at a cutoff."""

    def __init__(self, truth: pd.DataFrame, orders: pd.DataFrame, cutoff, weekly_profile) -> None:
        profile = weekly_profile if weekly_profile is not None else truth.attrs.get("weekly_profile")
        if profile is None:
            raise ValueError(
                "The weekly profile is missing: read the truth with load_truth() (it keeps the profile "
                "in DataFrame.attrs) or pass weekly_profile= explicitly."
            )
        self.clock = ShopClock(profile)
        self.index = pd.Index(truth["customer_id"], name="customer_id")
        self.c_us = _cutoff_us(cutoff)
        o = orders
        if "status" in o.columns:
            o = o[o["status"].astype(str).str.lower().isin(_PAID)]
        if "payment_status" in o.columns:
            o = o[o["payment_status"].astype(str).str.lower().isin(_PAID)]
        ts = _us(o["order_ts"])
        keep = ts <= self.c_us
        last = pd.Series(ts[keep]).groupby(o["customer_id"].astype(str).to_numpy()[keep]).max()
        last_us = last.reindex(truth["customer_id"].astype(str).to_numpy()).to_numpy(dtype=np.float64)
        self.known = ~np.isnan(last_us)
        offset = (
            truth["clock_offset_days"].to_numpy(np.int64) * US_PER_DAY if "clock_offset_days" in truth else 0
        )
        self.offset = np.zeros(len(truth), dtype=np.int64) + offset
        self.lam = truth["purchase_rate_per_day"].to_numpy(np.float64)
        self.p = truth["dropout_prob"].to_numpy(np.float64)
        h = truth["lapse_hazard_per_day"].to_numpy(np.float64) if "lapse_hazard_per_day" in truth else 0.0
        self.h = np.zeros(len(truth)) + np.nan_to_num(h)
        self.x = self.clock.to_clock(np.nan_to_num(last_us, nan=0.0).astype(np.int64) + self.offset)
        self.c = self.clock.to_clock(self.c_us + self.offset)
        self.d = np.full(len(truth), np.inf)
        if "lapse_start_ts" in truth:
            start = truth["lapse_start_ts"]
            has = start.notna().to_numpy() & (self.h > 0)
            if has.any():
                self.d[has] = self.clock.to_clock(_us(start[has]) + self.offset[has])

    def p_alive(self) -> np.ndarray:
        lam, p, h, x, c = self.lam, self.p, self.h, self.x, self.c
        a = np.maximum(x, self.d)
        exposed = np.maximum(c - a, 0.0)  # time under the lapse hazard since the last purchase
        alive = (1 - p) * np.exp(-lam * (c - x)) * np.exp(-h * exposed)
        with np.errstate(invalid="ignore", over="ignore"):
            lapsed = np.where(
                h > 0,
                (1 - p)
                * np.exp(-lam * (np.minimum(a, c) - x))
                * h
                / (h + lam)
                * -np.expm1(-(h + lam) * exposed),
                0.0,
            )
        out = alive / (alive + p + lapsed)
        return np.where(self.known, out, np.nan)

    def no_purchase_if_alive(self, window_days: float) -> np.ndarray:
        lam, h, c, d = self.lam, self.h, self.c, self.d
        c1 = self.clock.to_clock(self.c_us + int(round(window_days * US_PER_DAY)) + self.offset)
        l1 = np.maximum(np.minimum(d, c1) - c, 0.0)
        l2 = np.maximum(c1 - np.maximum(c, d), 0.0)
        k = lam + h
        return np.exp(-lam * l1) * (np.exp(-k * l2) + h / k * -np.expm1(-k * l2))


def true_p_alive(
    truth_df: pd.DataFrame, orders_df: pd.DataFrame, cutoff, weekly_profile: list[float] | None = None
) -> pd.Series:
    """P(customer is still alive at ``cutoff`` | latents, paid orders up to the cutoff).

    ``truth_df`` is ``ground_truth.parquet`` (see `load_truth`); ``orders_df`` has columns
    ``customer_id`` and ``order_ts`` (UTC, tz-naive or tz-aware), Instacart on the truth timeline
    (`load_truth_orders`). Orders after the cutoff are ignored. Indexed by customer_id.
    """
    state = _State(truth_df, orders_df, cutoff, weekly_profile)
    return pd.Series(state.p_alive(), index=state.index, name="p_alive")


def true_churn_probability(
    truth_df: pd.DataFrame,
    orders_df: pd.DataFrame,
    cutoff,
    window_days: float,
    weekly_profile: list[float] | None = None,
) -> pd.Series:
    """P(no paid purchase in (cutoff, cutoff + window_days] | latents, orders up to the cutoff)."""
    state = _State(truth_df, orders_df, cutoff, weekly_profile)
    alive = state.p_alive()
    out = 1.0 - alive * (1.0 - state.no_purchase_if_alive(window_days))
    return pd.Series(out, index=state.index, name="churn_probability")
