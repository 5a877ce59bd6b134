"""Each customer's own rhythm: a gamma-mixed Weibull model of the gaps between orders.

A customer's gaps (days) are Weibull with a shape ``k`` shared by the shop and a rate
``lam`` of her own, ``P(gap > g) = exp(-lam g^k)``; across customers ``lam ~ Gamma(r, alpha)``.
Capped gaps (Instacart's "30 or more", ``gap_censored``) and the open gap since the last order
are censored observations. After n uncensored gaps and a total exposure ``S = sum g^k``
(censored gaps included) the rate's posterior is ``Gamma(r + n, alpha + S)``, so

    P(no order in the next t days | open gap d) = ((alpha + S + d^k) / (alpha + S + (d + t)^k))^(r + n).

Unlike BG/NBD this needs no drop-out, so it is identified where every cutoff is an order
(next-gap mode, where BG/NBD's drop-out runs off to 0): it is the ``bgnbd`` baseline there,
and in both modes the source of the timing of each customer's next order (`next_order`).

The shape is chosen from ``ChurnConfig.gap_shapes`` by likelihood: the engine sums ``g^k``
for each candidate (`exposure_column`), so no gap list ever leaves the engine.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from churnlens.errors import ModelError


def exposure_column(k: float) -> str:
    """The engine-side column holding sum(gap^k) over a customer's gaps."""
    return f"gap_exposure_k{round(k * 100):03d}"


#: Engine-side helper columns (besides the exposures): uncensored gaps, sum of their logs.
GAP_COUNT, GAP_LOG = "gap_uncensored", "gap_log_sum"


class GapModel:
    """Gamma-mixed Weibull gaps (scikit-learn style): ``fit`` returns self; learned ``k_``,
    ``r_``, ``alpha_``, ``log_likelihood_``."""

    def fit(
        self, exposures: dict[float, np.ndarray], n: np.ndarray, log_sum: np.ndarray, recency: np.ndarray
    ) -> GapModel:
        """``exposures[k]``: sum of gap^k per customer; ``n``: uncensored gaps; ``log_sum``: sum
        of their log gaps; ``recency``: the open gap at the cutoff (0 when the cutoff is an order)."""
        from threadpoolctl import threadpool_limits

        best = None
        n = np.asarray(n, float)
        # L-BFGS-B calls BLAS on a 2-parameter problem: waking BLAS threads costs more than it computes
        with threadpool_limits(limits=1, user_api="blas"):
            for k, s in exposures.items():
                total = np.asarray(s, float) + np.asarray(recency, float) ** k
                fit = _fit_shape(k, total, n, np.asarray(log_sum, float))
                if fit is not None and (best is None or fit[1] > best[2]):
                    best = (k, *fit)
        if best is None:
            raise ModelError("The gap model could not be fitted: no customer has two orders.")
        self.k_, (self.r_, self.alpha_), self.log_likelihood_ = best[0], tuple(best[1]), best[2]
        return self

    def survival(self, t: np.ndarray, exposure: np.ndarray, n: np.ndarray, recency: np.ndarray) -> np.ndarray:
        """P(no order in the next ``t`` days) per customer; ``t`` scalar or (customers, horizons)."""
        k = self.k_
        d = np.asarray(recency, float)
        base = self.alpha_ + np.asarray(exposure, float) + d**k
        t = np.asarray(t, float)
        if t.ndim == 2:
            base, d, n = base[:, None], d[:, None], np.asarray(n, float)[:, None]
        return (base / (base - d**k + (d + t) ** k)) ** (self.r_ + n)


def _fit_shape(k: float, total: np.ndarray, n: np.ndarray, log_sum: np.ndarray):
    """((r, alpha), log-likelihood) for one shape, or None. Customers without any gap add 0."""
    used = (n > 0) | (total > 0)
    if not (n[used] > 0).any():
        return None
    s, m, lg = total[used], n[used], log_sum[used]
    const = float((m * np.log(k) + (k - 1) * lg).sum())

    def nll(z: np.ndarray) -> tuple[float, np.ndarray]:
        r, a = np.exp(z)
        log_as = np.log(a + s)
        ll = gammaln(r + m) - gammaln(r) + r * np.log(a) - (r + m) * log_as
        g_r = (digamma(r + m) - digamma(r) + np.log(a) - log_as).sum()
        g_a = (r / a - (r + m) / (a + s)).sum()
        return -float(ll.sum()), -np.array([g_r * r, g_a * a])  # gradient in log-parameters

    start = np.log([1.0, max(float(np.median(s[s > 0])) if (s > 0).any() else 1.0, 1e-3)])
    res = minimize(nll, start, jac=True, method="L-BFGS-B", bounds=[(-20, 20), (-20, 20)])
    if not np.isfinite(res.fun) or not np.all(np.abs(res.x) < 19.9):  # not run off to a bound
        return None
    return np.exp(res.x), const - float(res.fun)
