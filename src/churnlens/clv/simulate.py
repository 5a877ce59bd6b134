"""Exact simulation of customer summaries from known parameters (for tests and benchmarks).

Each function draws per-customer latent traits and then the observed summary directly from
its distribution, fully vectorised (no event loop), so a million customers take a second.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _ages(T: Any, n: int) -> np.ndarray:
    big_t = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    if (big_t < 0).any():
        raise ValueError("T must be >= 0")
    return big_t


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: Any, seed: int | np.random.Generator = 0
) -> pd.DataFrame:
    """Customers from the BG/NBD model: columns frequency, recency, T.

    lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b); purchases arrive as Poisson(lambda) and the
    customer drops out right after each repeat purchase with probability p. Given N Poisson
    arrivals in (0, T] and the drop-out after the K-th (K ~ Geometric(p)), x = min(N, K) and
    the x-th arrival time is T times a Beta(x, N - x + 1) order statistic.
    """
    rng = np.random.default_rng(seed)
    big_t = _ages(T, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    k = rng.geometric(np.clip(p, 1e-300, 1.0))
    arrivals = rng.poisson(lam * big_t)
    x = np.minimum(arrivals, k)
    xs = np.maximum(x, 1)
    recency = np.where(x > 0, big_t * rng.beta(xs, np.maximum(arrivals - xs + 1, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": recency, "T": big_t})


def simulate_paretonbd(
    n: int, r: float, alpha: float, s: float, beta: float, T: Any, seed: int | np.random.Generator = 0
) -> pd.DataFrame:
    """Customers from the Pareto/NBD model: columns frequency, recency, T.

    lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta); the customer is active for an
    Exponential(mu) lifetime and buys at rate lambda while active.
    """
    rng = np.random.default_rng(seed)
    big_t = _ages(T, n)
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    active = np.minimum(rng.exponential(1.0, n) / mu, big_t)
    x = rng.poisson(lam * active)
    recency = np.where(x > 0, active * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": recency, "T": big_t})


def simulate_gammagamma(
    frequency: Any, p: float, q: float, v: float, seed: int | np.random.Generator = 0
) -> np.ndarray:
    """Mean spend per repeat purchase for customers with the given frequencies (0 at x = 0).

    nu ~ Gamma(q, rate v) per customer; each purchase spends Gamma(p, rate nu), so the mean of
    x purchases is Gamma(p x, rate nu x).
    """
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=float)
    nu = rng.gamma(q, 1.0 / v, len(x))
    xs = np.maximum(x, 1.0)
    mean = rng.gamma(p * xs, 1.0 / (nu * xs))
    return np.where(x > 0, mean, 0.0)
