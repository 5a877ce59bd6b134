"""Checks of the per-customer inputs of the value models (frequency, recency, T, money).

Every check raises `churnlens.errors.DataError` naming the argument as ``column``, showing a
few offending values and saying what to do, so that a bad summary never turns into a NaN
deep inside an optimiser.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from churnlens.errors import DataError

_WHERE = "customer summary"


def as_vector(values: Any, name: str) -> np.ndarray:
    """A 1-D float array from a sequence, NumPy array or pandas Series; finite values only."""
    if hasattr(values, "to_numpy"):
        try:
            values = values.to_numpy(dtype=float, na_value=np.nan)
        except TypeError:
            values = values.to_numpy()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"'{name}' must be numeric.",
            file=_WHERE,
            column=name,
            values=list(np.asarray(values, dtype=object).ravel()[:5]),
            fix=f"Pass '{name}' as numbers (a NumPy array or pandas Series).",
        ) from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise DataError(
            f"'{name}' must be one-dimensional, got shape {arr.shape}.",
            file=_WHERE,
            column=name,
            fix="Pass one value per customer.",
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(
            f"'{name}' has {int(bad.sum())} missing or infinite values.",
            file=_WHERE,
            column=name,
            values=arr[bad][:5].tolist(),
            fix=f"Drop those customers or fill '{name}' before fitting; the models need a value for each.",
        )
    return arr


def _fail(name: str, problem: str, offending: np.ndarray, fix: str) -> DataError:
    return DataError(problem, file=_WHERE, column=name, values=offending[:5].tolist(), fix=fix)


def check_same_length(**arrays: np.ndarray) -> int:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise DataError(
            f"The per-customer inputs have different lengths: {lengths}.",
            file=_WHERE,
            column=", ".join(lengths),
            fix="Pass one value per customer in every argument, in the same order.",
        )
    return next(iter(lengths.values()))


def counting_inputs(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated (x, t_x, T) arrays of a counting model (BG/NBD, Pareto/NBD).

    frequency: repeat purchases, whole numbers >= 0; recency: time of the last purchase since
    the first, 0 when there was no repeat purchase; T: time since the first purchase; recency
    <= T. Times in one unit.
    """
    x = as_vector(frequency, "frequency")
    t = as_vector(recency, "recency")
    big_t = as_vector(T, "T")
    check_same_length(frequency=x, recency=t, T=big_t)
    if (x < 0).any() or (x != np.round(x)).any():
        bad = x[(x < 0) | (x != np.round(x))]
        raise _fail(
            "frequency",
            "'frequency' must count repeat purchases: whole numbers >= 0.",
            bad,
            "Pass the number of purchases after the first one (see summary_from_orders).",
        )
    if (t < 0).any():
        raise _fail(
            "recency",
            "'recency' must be >= 0 (time from the first to the last purchase).",
            t[t < 0],
            "Compute recency as last purchase time minus first purchase time.",
        )
    if (big_t < 0).any():
        raise _fail(
            "T",
            "'T' must be >= 0 (time from the first purchase to the cutoff).",
            big_t[big_t < 0],
            "Compute T as cutoff minus first purchase time; drop customers who start after the cutoff.",
        )
    over = t > big_t * (1 + 1e-12) + 1e-12
    if over.any():
        pairs = [f"recency={a:g} > T={b:g}" for a, b in zip(t[over][:5], big_t[over][:5], strict=True)]
        raise DataError(
            f"{int(over.sum())} customers have a recency greater than T.",
            file=_WHERE,
            column="recency",
            values=pairs,
            fix="Recency and T are both measured from the first purchase and T runs to the cutoff; "
            "check the two columns are not swapped and use the same time unit.",
        )
    odd = (x == 0) & (t > 0)
    if odd.any():
        raise _fail(
            "recency",
            "'recency' must be 0 for customers without a repeat purchase (frequency 0).",
            t[odd],
            "Set recency to 0 where frequency is 0 (lifetimes' convention; see summary_from_orders).",
        )
    return x, np.minimum(t, big_t), big_t


def monetary_inputs(frequency: Any, monetary_value: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated (x, m) arrays of the Gamma-Gamma model; m > 0 where x > 0."""
    x = as_vector(frequency, "frequency")
    m = as_vector(monetary_value, "monetary_value")
    check_same_length(frequency=x, monetary_value=m)
    if (x < 0).any() or (x != np.round(x)).any():
        bad = x[(x < 0) | (x != np.round(x))]
        raise _fail(
            "frequency",
            "'frequency' must count repeat purchases: whole numbers >= 0.",
            bad,
            "Pass the number of purchases after the first one (see summary_from_orders).",
        )
    bad = (x > 0) & (m <= 0)
    if bad.any():
        raise _fail(
            "monetary_value",
            "'monetary_value' must be > 0 for customers with repeat purchases.",
            m[bad],
            "Use the mean value of the repeat purchases; leave out customers whose orders are all "
            "free or refunded.",
        )
    return x, m


def time_vector(t: Any, name: str = "t", customers: int | None = None) -> np.ndarray:
    """A validated prediction horizon (>= 0); a scalar becomes a one-element array. With
    ``customers``, it must be a scalar or have one value per customer."""
    arr = as_vector(t, name)
    if (arr < 0).any():
        raise _fail(name, f"'{name}' must be >= 0 (a length of time).", arr[arr < 0], "Pass a horizon >= 0.")
    if customers is not None and len(arr) not in (1, customers):
        raise DataError(
            f"'{name}' has {len(arr)} values for {customers} customers.",
            file=_WHERE,
            column=name,
            fix="Pass one horizon for everyone, or one per customer.",
        )
    return arr


def customer_weights(weights: Any, n: int) -> np.ndarray:
    """Validated row weights (customers per row): finite, > 0, one per row."""
    w = as_vector(weights, "weights")
    check_same_length(frequency=np.empty(n), weights=w)
    if (w <= 0).any():
        raise _fail(
            "weights", "'weights' must be > 0 (customers per row).", w[w <= 0], "Drop rows of weight 0."
        )
    return w
