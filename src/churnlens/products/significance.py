"""One-sided tests for "more often together (or among churners) than chance"."""

from __future__ import annotations

import numpy as np
from scipy.stats import hypergeom


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(ranked, 1.0)
    return out


def together_p_value(pair: np.ndarray, orders_a: np.ndarray, orders_b: np.ndarray, baskets: np.ndarray) -> np.ndarray:
    """P(at least ``pair`` of ``baskets`` hold both items by chance), each item in as many
    baskets as it is: the hypergeometric upper tail (one-sided Fisher exact test)."""
    return hypergeom.sf(np.asarray(pair) - 1, baskets, orders_a, orders_b)
