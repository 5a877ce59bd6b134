"""Small numerically stable helpers of the value models."""

from __future__ import annotations

import numpy as np


def log1mexp(x: np.ndarray) -> np.ndarray:
    """log(1 - e^x) for x <= 0, accurate near both ends (Maechler 2012)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(x > -np.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS: multithreaded BLAS ``ddot`` on mid-sized vectors can stall
    for milliseconds when the machine is busy, which an optimiser pays on every evaluation."""
    return float(np.einsum("i,i->", a, b))
