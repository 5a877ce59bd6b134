"""Folding identical customer rows into weighted rows.

Customers with the same (frequency, recency, T) have the same likelihood, so a fit only needs
each distinct row once with the number of customers it stands for, as Fader and Hardie do.
With times in whole days a million customers fold into a few hundred thousand rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _row_groups(columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Group number of each row, numbered in order of first appearance (hashing, no sort)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col)
        key = pd.factorize(key * len(uniques) + codes)[0]  # stays below the number of rows
    return key


def compress(columns: tuple[np.ndarray, ...], weights: np.ndarray | None = None, mode: Any = "auto"):
    """Fold identical rows of ``columns`` into unique rows with summed weights.

    ``mode`` is True (always), False (never) or "auto": compress when the first rows already
    repeat (time measured in whole days or weeks); continuous times are left as they are,
    since there is nothing to gain. Returns (columns, weights).
    """
    n = len(columns[0])
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if mode == "auto":
        probe = _row_groups(tuple(c[:20_000] for c in columns))
        mode = n > 1 and probe.max() + 1 < 0.5 * len(probe)
    if not mode or n == 0:
        return columns, w
    groups = _row_groups(columns)
    running = np.maximum.accumulate(groups)
    new_group = np.empty(n, dtype=bool)
    new_group[:1] = True
    new_group[1:] = running[1:] > running[:-1]
    first = np.flatnonzero(new_group)
    merged = np.bincount(groups, weights=w, minlength=len(first))
    return tuple(np.asarray(c, dtype=float)[first] for c in columns), merged
