"""How well a fitted counting model (BG/NBD, Pareto/NBD) describes the shop: dashboard tables.

- `calibration_holdout`: actual and predicted holdout purchases per calibration frequency;
- `cumulative_repeat_purchases`: actual and model repeat purchases over calendar time;
- `p_alive_matrix`: P(alive) on a frequency x recency grid for customers of one age.

All take and return pandas DataFrames (one row per group or grid cell), in the model's time
unit, ready to be written as result tables.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from churnlens.clv.scores import COUNT_KEYS, fit_count_model, weighted_rows
from churnlens.clv.summary import as_timestamp, daily_purchase_counts, summary_from_orders, time_unit_in_days
from churnlens.config import ChurnlensConfig
from churnlens.engine_agreement import round_significant
from churnlens.errors import DataError, ModelError
from churnlens.row_batches import map_row_batches


def _need(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} needs the columns {columns}.",
            file="customer summary",
            column=", ".join(missing),
            fix="Build it with summary_from_orders(..., holdout_end=...) and execute it to pandas.",
        )


def calibration_holdout(model: Any, summary: pd.DataFrame, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases per customer, actual and predicted, by calibration frequency.

    ``summary`` has frequency, recency, T, frequency_holdout, duration_holdout (as made by
    `summary_from_orders` with a holdout). Frequencies above ``max_frequency`` are pooled
    into the last group, whose label is ``max_frequency`` (read "7 or more").
    Columns: frequency, n_customers, actual, predicted.
    """
    _need(
        summary, ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"], "calibration_holdout"
    )
    predicted = model.expected_purchases(
        summary["duration_holdout"], summary["frequency"], summary["recency"], summary["T"]
    )
    frame = pd.DataFrame(
        {
            "frequency": np.minimum(summary["frequency"].to_numpy(dtype=float), max_frequency).astype(int),
            "actual": summary["frequency_holdout"].to_numpy(dtype=float),
            "predicted": predicted,
        }
    )
    out = frame.groupby("frequency", sort=True).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    return out.reset_index()


def cumulative_repeat_purchases(
    model: Any, events: pd.DataFrame, times: Any, customer_col: str = "customer_id", time_col: str = "time"
) -> pd.DataFrame:
    """Cumulative repeat purchases of the whole customer base over calendar time.

    ``events`` holds every purchase event (one row per purchase, first purchases included)
    with its customer and its time in the model's unit since any common origin; ``times`` are
    the calendar times to report. Actual: repeat purchases (events after each customer's first)
    at or before each time. Model: the sum over customers of E[X(time - first purchase)], the
    expected repeat purchases of a new customer. Customers are grouped by first-purchase time,
    so a million customers on daily times cost a few hundred model evaluations.
    Columns: time, actual, predicted.
    """
    _need(events, [customer_col, time_col], "cumulative_repeat_purchases")
    t = events[time_col].to_numpy(dtype=float)
    firsts = events.groupby(customer_col, sort=False)[time_col].min().to_numpy(dtype=float)
    event_times, event_counts = np.unique(t, return_counts=True)
    starts, start_counts = np.unique(firsts, return_counts=True)
    return _tracking(model, starts, start_counts, event_times, event_counts, times)


def _tracking(model, starts, start_counts, event_times, event_counts, times) -> pd.DataFrame:
    """Actual and expected cumulative repeat purchases at ``times`` from the customers'
    first-purchase times (with counts) and all purchase-event times (with counts)."""
    grid = np.sort(np.asarray(times, dtype=float))
    order_e, order_s = np.argsort(event_times), np.argsort(starts)
    cum_events = np.concatenate([[0.0], np.cumsum(np.asarray(event_counts, float)[order_e])])
    cum_starts = np.concatenate([[0.0], np.cumsum(np.asarray(start_counts, float)[order_s])])
    # repeat purchases so far = purchase events so far - customers who have started so far
    actual = (
        cum_events[np.searchsorted(np.asarray(event_times)[order_e], grid, side="right")]
        - cum_starts[np.searchsorted(np.asarray(starts)[order_s], grid, side="right")]
    )
    # Each cohort of starters adds count * E[X(t - start)]; the ages t - start repeat across
    # cohorts (whole days), so E[X] is evaluated once per distinct age.
    starts_arr = np.asarray(starts, dtype=float)
    ages = grid[None, :] - starts_arr[:, None]
    ahead = ages >= 0
    distinct, inverse = np.unique(ages[ahead], return_inverse=True)
    expected = np.zeros(ages.shape)
    expected[ahead] = model.expected_purchases_new(distinct)[inverse] if len(distinct) else 0.0
    predicted = np.asarray(start_counts, dtype=float) @ expected
    return pd.DataFrame({"time": grid, "actual": actual, "predicted": predicted})


def p_alive_matrix(
    model: Any, max_frequency: int, max_recency: float, T: float | None = None, n_recency: int = 25
) -> pd.DataFrame:
    """P(alive) for customers of age ``T`` (default ``max_recency``) on a grid of frequency
    0..max_frequency and ``n_recency`` recencies from 0 to ``max_recency``. Customers without a
    repeat purchase have recency 0 only. Columns: frequency, recency, p_alive."""
    age = float(max_recency if T is None else T)
    if max_recency > age or max_frequency < 0 or max_recency < 0:
        raise DataError(
            "p_alive_matrix needs 0 <= max_recency <= T and max_frequency >= 0.",
            column="max_recency",
            values=[max_recency, age],
            fix="Pass a recency range within the customers' age.",
        )
    recencies = np.linspace(0.0, float(max_recency), n_recency)
    freq, rec = np.meshgrid(np.arange(1, max_frequency + 1, dtype=float), recencies, indexing="ij")
    freq = np.concatenate([[0.0], freq.ravel()])
    rec = np.concatenate([[0.0], rec.ravel()])
    alive = model.p_alive(freq, rec, np.full(len(freq), age))
    return pd.DataFrame({"frequency": freq.astype(int), "recency": rec, "p_alive": alive})


def diagnostics_from_orders(
    orders: Any,
    cutoff: Any,
    holdout_days: float = 90.0,
    config: ChurnlensConfig | None = None,
    time_unit_days: float | str = 1.0,
    count_model: str = "bgnbd",
    max_frequency: int = 7,
) -> dict[str, pd.DataFrame]:
    """The dashboard's model checks: fit on the orders up to ``cutoff - holdout_days`` and
    compare with what happened up to ``cutoff``. Returns three tables:

    - ``clv_calibration_holdout``: `calibration_holdout` (per calibration frequency);
    - ``clv_repeat_purchases``: daily cumulative repeat purchases of the calibration cohort,
      actual and model (day, time, actual, predicted, period = calibration or holdout);
    - ``clv_p_alive_matrix``: `p_alive_matrix` up to the 99th percentile of frequency.

    The engine does the per-order work; only per-customer and per-day rows reach pandas.
    """
    cfg = config or ChurnlensConfig()
    unit_days = time_unit_in_days(time_unit_days)
    end = as_timestamp(cutoff, "cutoff")
    cal_end = end - pd.Timedelta(days=float(holdout_days))
    unit = cfg.clv.purchase_unit
    summary = summary_from_orders(orders, cal_end, unit, unit_days, holdout_end=end)
    counts = weighted_rows(summary.group_by(COUNT_KEYS).aggregate(n=summary.count()).to_pandas(), COUNT_KEYS)
    if counts.empty or not (counts["frequency"] > 0).any():
        raise ModelError(
            f"No repeat purchases before {cal_end.date()} to check the value model on; use a later "
            "cutoff or a shorter holdout_days."
        )
    model = fit_count_model(counts, count_model, 0.0)
    daily = daily_purchase_counts(orders, cal_end, end, unit).execute().sort_values("day")
    origin = daily["day"].min()
    to_time = lambda days: (days - origin).dt.total_seconds().to_numpy() / 86_400.0 / unit_days  # noqa: E731
    first_days = daily[daily["first_purchases"] > 0]
    span = pd.Series(pd.date_range(origin, end.normalize(), freq="D"))
    curve = _tracking(
        model,
        to_time(first_days["day"]),
        first_days["first_purchases"].to_numpy(),
        to_time(daily["day"]),
        daily["events"].to_numpy(),
        to_time(span + pd.Timedelta(hours=23, minutes=59, seconds=59)),
    )
    curve.insert(0, "day", span.to_numpy())
    curve["period"] = np.where(span > cal_end, "holdout", "calibration")
    top = int(np.clip(weighted_quantile(counts["frequency"], counts["n"], 0.99), 1, 50))
    return {
        "clv_calibration_holdout": calibration_holdout_in_engine(model, summary, max_frequency),
        "clv_repeat_purchases": curve,
        "clv_p_alive_matrix": p_alive_matrix(model, top, float(counts["T"].max())),
    }


def calibration_holdout_in_engine(model: Any, summary: Any, max_frequency: int = 7) -> pd.DataFrame:
    """`calibration_holdout` on a summary the engine holds: each customer's prediction made
    where the rows are (`map_row_batches`: Spark's executors), the groups' means taken by the
    engine; only one row per frequency group reaches pandas."""
    rows = summary.select("frequency", "recency", "T", "frequency_holdout", "duration_holdout")

    def per_customer(part: pd.DataFrame) -> pd.DataFrame:
        part = part.assign(**{c: round_significant(part[c].astype("float64")) for c in part.columns})
        predicted = model.expected_purchases(
            part["duration_holdout"], part["frequency"], part["recency"], part["T"]
        )
        grouped = np.minimum(part["frequency"].to_numpy(dtype=float), max_frequency).astype("int64")
        return pd.DataFrame(
            {"frequency": grouped, "actual": part["frequency_holdout"], "predicted": predicted}
        )

    schema = ibis.schema({"frequency": "int64", "actual": "float64", "predicted": "float64"})
    t = map_row_batches(rows, per_customer, schema)
    out = t.group_by("frequency").aggregate(
        n_customers=t.count(), actual=t.actual.mean(), predicted=t.predicted.mean()
    )
    return out.order_by("frequency").to_pandas().astype({"n_customers": "int64"})


def weighted_quantile(values: Any, weights: Any, q: float) -> float:
    """``np.quantile`` (linear interpolation) of ``values`` each repeated ``weights`` times, without
    repeating them."""
    order = np.argsort(np.asarray(values, dtype=float), kind="stable")
    v = np.asarray(values, dtype=float)[order]
    ends = np.cumsum(np.asarray(weights, dtype=float)[order])
    h = q * (ends[-1] - 1.0)
    lo = np.floor(h)
    below, above = (v[min(np.searchsorted(ends, i, side="right"), len(v) - 1)] for i in (lo, lo + 1.0))
    return float(below + (h - lo) * (above - below))
