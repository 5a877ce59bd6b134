"""One customer's P(alive) day by day, from the purchase model the customer_value stage fitted.

The stage stores the fitted parameters (``clv_model``, rows ``count:BGNBD`` or
``count:ParetoNBD``) and each customer's P(alive) at the cutoff (``customer_value``). Here the
same model is evaluated on the customer's own orders as they stood on each day from the first
purchase to the cutoff, counting purchases as the stage does (``clv.purchase_unit``: one per
calendar day with a paid order, or one per order), times in days. The last point is the
P(alive) the stage wrote for the customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens.clv.bgnbd import BGNBD
from churnlens.clv.paretonbd import ParetoNBD

#: ``clv_model.model`` of the purchase-count model -> its class.
COUNT_MODELS = {"count:BGNBD": BGNBD, "count:ParetoNBD": ParetoNBD}
DAY = pd.Timedelta(days=1)


def count_model(model_rows: pd.DataFrame) -> BGNBD | ParetoNBD | None:
    """The fitted purchase-count model from the ``clv_model`` rows (None when there is none)."""
    for name, cls in COUNT_MODELS.items():
        rows = model_rows[model_rows["model"] == name]
        if len(rows):
            return cls.from_params(**dict(zip(rows["parameter"], rows["value"].astype(float), strict=True)))
    return None


def purchase_times(orders: pd.DataFrame, cutoff: pd.Timestamp, unit: str = "day") -> pd.Series:
    """The times of the customer's purchases up to ``cutoff``, sorted: paid orders, one per
    calendar day (at midnight) for ``unit="day"``, every order for ``unit="order"``."""
    paid = orders[(orders["status"] == "paid") & orders["order_ts"].notna()]
    ts = pd.to_datetime(paid["order_ts"])
    ts = ts[ts <= cutoff]
    if unit == "day":
        ts = ts.dt.normalize().drop_duplicates()
    return ts.sort_values().reset_index(drop=True)


def p_alive_history(
    orders: pd.DataFrame, model: BGNBD | ParetoNBD, cutoff: pd.Timestamp, unit: str = "day"
) -> pd.DataFrame:
    """P(alive) on every day from the first purchase to the cutoff (and at the cutoff itself).

    Columns: day, p_alive, purchases (purchases so far, the first included), purchase (the
    customer bought since the day before). Empty without a paid order up to the cutoff.
    """
    cutoff = pd.Timestamp(cutoff)
    events = purchase_times(orders, cutoff, unit)
    if events.empty:
        return pd.DataFrame(columns=["day", "p_alive", "purchases", "purchase"])
    first = events.iloc[0]
    end = cutoff.normalize() if unit == "day" else cutoff
    grid = pd.Series(pd.date_range(first, end, freq="D"))
    if grid.iloc[-1] != end:
        grid = pd.concat([grid, pd.Series([end])], ignore_index=True)
    times = events.to_numpy(dtype="datetime64[ns]")
    seen = np.searchsorted(times, grid.to_numpy(dtype="datetime64[ns]"), side="right")
    last = events.iloc[seen - 1].reset_index(drop=True)
    frequency = (seen - 1).astype(float)
    recency = ((last - first) / DAY).to_numpy(dtype=float)
    age = ((grid - first) / DAY).to_numpy(dtype=float)
    alive = model.p_alive(frequency, recency, age)
    return pd.DataFrame(
        {
            "day": grid,
            "p_alive": np.asarray(alive, dtype=float),
            "purchases": seen,
            "purchase": np.diff(np.concatenate([[0], seen])) > 0,
        }
    )
