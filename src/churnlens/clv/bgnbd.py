"""BG/NBD: the beta-geometric / negative binomial "buy till you die" model.

Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2). While alive a customer buys at a Poisson rate
lambda ~ Gamma(r, alpha); after each repeat purchase she drops out with probability
p ~ Beta(a, b). Inputs per customer, all times in one unit (days, weeks):

- frequency x: repeat purchases (purchases after the first);
- recency t_x: time of the last purchase since the first (0 when x = 0);
- T: time from the first purchase to the end of the calibration period.

The log-likelihood is that of section 7 of the paper, evaluated in log space; its gradient
is analytic. Terms that depend on x only are summed once per distinct x.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1, psi

from churnlens.clv._fitting import CountingModel
from churnlens.clv._special import dot
from churnlens.clv._validate import counting_inputs, time_vector


@dataclass
class _Data:
    ux: np.ndarray  # distinct frequencies
    wx: np.ndarray  # total weight of each distinct frequency
    t0: np.ndarray  # T of customers without repeat purchases
    w0: np.ndarray
    xp: np.ndarray  # customers with repeat purchases: x, t_x, T, weight
    tp: np.ndarray
    big_tp: np.ndarray
    wp: np.ndarray
    xm1: np.ndarray = field(init=False)  # x - 1
    buf: dict[str, np.ndarray] = field(init=False)  # work space of the likelihood

    def __post_init__(self) -> None:
        self.xm1 = self.xp - 1.0
        n = len(self.xp)
        self.buf = {k: np.empty(n) for k in ("lb", "ls", "rx", "wrx", "bx", "d", "e", "t1", "t2")}
        self.buf["z0"] = np.empty(len(self.t0))


def loglik_rows(theta: np.ndarray, x: np.ndarray, t: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood at parameters theta = (r, alpha, a, b)."""
    r, alpha, a, b = theta
    a12 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + big_t)
    d = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * (np.log(alpha + t) - np.log(alpha + big_t))
    return a12 + a3 + np.where(x > 0, np.logaddexp(0.0, d), 0.0)


class BGNBD(CountingModel):
    """BG/NBD model of repeat purchases and drop-out.

    Attributes after ``fit``: ``params_`` (dict r, alpha, a, b; alpha in the input time unit),
    ``standard_errors_`` (dict, from the Hessian), ``covariance_`` (DataFrame),
    ``log_likelihood_`` (total over customers), ``n_customers_``.
    """

    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _model_name: ClassVar[str] = "BG/NBD"

    # ---- fitting internals ---------------------------------------------------------------
    def _prepare(self, columns, weights):
        x, t, big_t = columns
        scale = self._scale(x, big_t)
        pos = x > 0
        counts = np.bincount(x.astype(np.int64), weights=weights)
        ux = np.flatnonzero(counts)
        data = _Data(
            ux=ux.astype(float),
            wx=counts[ux],
            t0=big_t[~pos] * scale,
            w0=weights[~pos],
            xp=x[pos],
            tp=t[pos] * scale,
            big_tp=big_t[pos] * scale,
            wp=weights[pos],
        )
        # Times scaled by c change the density of the x purchase times by c^-x.
        return data, np.array([1.0, 1.0 / scale, 1.0, 1.0]), float(np.log(scale) * dot(weights, x))

    def _start(self, data: _Data) -> np.ndarray:
        mean_x = dot(data.wx, data.ux) / float(data.wx.sum())
        mean_t = (dot(data.w0, data.t0) + dot(data.wp, data.big_tp)) / float(data.wx.sum())
        return np.log([1.0, max(mean_t / max(mean_x, 1e-3), 1e-3), 1.0, 3.0])

    @staticmethod
    def _nll(z: np.ndarray, data: _Data, need_grad: bool = True):
        # Written with preallocated buffers (out=...): on a million customers, fresh
        # temporaries for every evaluation cost more in page faults than the arithmetic.
        r, alpha, a, b = np.exp(z)
        ux, wx, buf = data.ux, data.wx, data.buf
        wsum = float(wx.sum())
        ll = dot(wx, gammaln(r + ux) + betaln(a, b + ux)) + wsum * (
            r * np.log(alpha) - gammaln(r) - betaln(a, b)
        )
        z0 = np.log(np.add(data.t0, alpha, out=buf["z0"]), out=buf["z0"])
        sum_lt0 = dot(data.w0, z0)
        ll -= r * sum_lt0
        l_big = np.log(np.add(data.big_tp, alpha, out=buf["lb"]), out=buf["lb"])
        l_small = np.log(np.add(data.tp, alpha, out=buf["ls"]), out=buf["ls"])
        rx = np.add(data.xp, r, out=buf["rx"])
        wrx = np.multiply(rx, data.wp, out=buf["wrx"])
        lbx = np.log(np.add(data.xm1, b, out=buf["bx"]), out=buf["bx"])
        # d = log(a) - log(b + x - 1) - (r + x) (log(alpha + t_x) - log(alpha + T))
        d = np.subtract(l_small, l_big, out=buf["d"])
        d *= rx
        d += lbx
        np.subtract(np.log(a), d, out=d)
        # log(e^A3 + e^A4) = A3 + softplus(d); e = exp(-|d|)
        e = np.exp(np.negative(np.abs(d, out=buf["e"]), out=buf["e"]), out=buf["e"])
        soft = np.log1p(e, out=buf["t1"])
        soft += np.maximum(d, 0.0, out=buf["t2"])
        ll += dot(data.wp, soft) - dot(wrx, l_big)
        if not need_grad:
            return -ll, None
        q = np.reciprocal(np.add(e, 1.0, out=buf["t1"]), out=buf["t1"])
        s = np.multiply(e, q, out=buf["e"])
        np.copyto(s, q, where=d >= 0.0)  # sigmoid(d): weight of the "dropped out at t_x" branch
        s *= data.wp
        g_r = (
            dot(wx, psi(r + ux))
            + wsum * (np.log(alpha) - psi(r))
            - sum_lt0
            - dot(data.wp, l_big)
            + dot(s, np.subtract(l_big, l_small, out=buf["t2"]))
        )
        inv0 = np.reciprocal(np.add(data.t0, alpha, out=buf["z0"]), out=buf["z0"])
        inv_big = np.reciprocal(np.add(data.big_tp, alpha, out=buf["lb"]), out=buf["lb"])
        inv_small = np.reciprocal(np.add(data.tp, alpha, out=buf["ls"]), out=buf["ls"])
        diff = np.subtract(inv_big, inv_small, out=buf["t2"])
        diff *= rx
        g_alpha = wsum * r / alpha - r * dot(data.w0, inv0) - dot(wrx, inv_big) + dot(s, diff)
        psi_abx = psi(a + b + ux)
        g_a = wsum * psi(a + b) - dot(wx, psi_abx) + float(s.sum()) / a
        inv_bx = np.reciprocal(np.add(data.xm1, b, out=buf["bx"]), out=buf["bx"])
        g_b = dot(wx, (psi(b + ux) - psi_abx)) + wsum * (psi(a + b) - psi(b)) - dot(s, inv_bx)
        grad = np.array([g_r, g_alpha, g_a, g_b]) * np.array([r, alpha, a, b])
        return -ll, -grad

    # ---- per-customer quantities ---------------------------------------------------------
    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) at the fitted parameters."""
        return loglik_rows(self._theta(), *counting_inputs(frequency, recency, T))

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(the customer is still active at T | x, t_x, T) (Fader, Hardie & Lee 2008 note)."""
        x, t, big_t = counting_inputs(frequency, recency, T)
        return _p_alive(self._theta(), x, t, big_t)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T], eq. (10) of Fader-Hardie-Lee.

        ``t`` is a horizon in the input time unit: a scalar, or one value per customer."""
        x, tx, big_t = counting_inputs(frequency, recency, T)
        horizon = time_vector(t, customers=len(x))
        theta = self._theta()
        return _conditional_growth(theta, horizon, x, big_t) * _p_alive(theta, x, tx, big_t)

    def p_no_purchase(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(no purchase in (T, T + t] | x, t_x, T): dropped out, or alive and quiet for ``t``
        (given alive, the rate's posterior is Gamma(r + x, alpha + T))."""
        x, tx, big_t = counting_inputs(frequency, recency, T)
        horizon = time_vector(t, customers=len(x))
        r, alpha = self.params_["r"], self.params_["alpha"]
        quiet = ((alpha + big_t) / (alpha + big_t + horizon)) ** (r + x)
        return 1.0 - _p_alive(self._theta(), x, tx, big_t) * (1.0 - quiet)

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        """E[X(t)]: purchases of a new customer in (0, t], eq. (9) of Fader-Hardie-Lee."""
        horizon = time_vector(t)
        zero = np.zeros_like(horizon)
        return _conditional_growth(self._theta(), horizon, zero, zero)


def _p_alive(theta: np.ndarray, x: np.ndarray, t: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    r, alpha, a, b = theta
    d = np.log(a) - np.log(b + np.maximum(x, 1) - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t))
    return np.where(x > 0, expit(-d), 1.0)


def _conditional_growth(theta: np.ndarray, t: np.ndarray, x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """(a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)].

    Evaluated through Euler's transformation as
    (a+b+x-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)], z = t/(alpha+T+t),
    which has no overflow for large x; at a = 1 (a removable 0/0) it is interpolated."""
    r, alpha, a, b = theta
    t, x, big_t = np.broadcast_arrays(np.asarray(t, float), np.asarray(x, float), np.asarray(big_t, float))

    def at(a_: float) -> np.ndarray:
        z = t / (alpha + big_t + t)
        c = a_ + b + x - 1.0
        bracket = -np.expm1((a_ - 1.0) * np.log1p(-z)) - np.exp((a_ - 1.0) * np.log1p(-z)) * (
            hyp2f1(a_ + b - 1.0 - r, a_ - 1.0, c, z) - 1.0
        )
        return c / (a_ - 1.0) * bracket

    h = 1e-5
    if abs(a - 1.0) < h:
        lo, hi = at(1.0 - h), at(1.0 + h)
        return lo + (hi - lo) * (a - (1.0 - h)) / (2 * h)
    return at(a)
