"""Gamma-Gamma model of spend per purchase, and customer lifetime value.

Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4); Fader and Hardie (2013), "The Gamma-Gamma
Model of Monetary Value". Each purchase of a customer spends Gamma(p, nu), with
nu ~ Gamma(q, v) across customers, so a customer's mean spend m over x purchases has density

    Gamma(px+q) / (Gamma(px) Gamma(q)) * v^q m^(px-1) x^(px) / (v + m x)^(px+q).

Fitted on customers with at least one repeat purchase (x >= 1), m being the mean value of
the repeat purchases (lifetimes' convention). The model assumes spend does not depend on
frequency; ``frequency_monetary_correlation_`` reports how far the data are from that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy.special import gammaln, psi

from churnlens.clv._fitting import LogParamModel
from churnlens.clv._special import dot
from churnlens.clv._validate import counting_inputs, monetary_inputs
from churnlens.errors import ModelError


def loglik_rows(theta: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-density of the mean spend m over x purchases (x >= 1)."""
    p, q, v = theta
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + m * x)
    )


@dataclass
class _Data:
    ux: np.ndarray  # distinct frequencies (>= 1) and their total weights
    wx: np.ndarray
    x: np.ndarray
    m: np.ndarray
    w: np.ndarray
    sum_wlogm: float
    sum_wxlogm: float


class GammaGamma(LogParamModel):
    """Gamma-Gamma spend model. ``params_`` keys p, q, v (v in money units); other attributes
    as for `BGNBD`, plus ``frequency_monetary_correlation_``."""

    _param_names: ClassVar[tuple[str, ...]] = ("p", "q", "v")
    _model_name: ClassVar[str] = "Gamma-Gamma"

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> GammaGamma:
        """Fit on the customers with frequency >= 1 (others are ignored)."""
        x, m = monetary_inputs(frequency, monetary_value)
        keep = x > 0
        if keep.sum() < 2:
            raise ModelError(
                "Gamma-Gamma: fewer than two customers with a repeat purchase and a spend, so spend "
                "per purchase cannot be modelled. Use a longer calibration period, or leave expected "
                "spend and CLV empty for this shop."
            )
        w = None if weights is None else np.asarray(weights, dtype=float)[keep]
        x, m = x[keep], m[keep]
        self.frequency_monetary_correlation_ = (
            float(np.corrcoef(x, m)[0, 1]) if np.ptp(x) > 0 and np.ptp(m) > 0 else 0.0
        )
        return self._fit_arrays((x, m), w)

    def _prepare(self, columns, weights):
        x, m = columns
        scale = float(weights.sum()) / dot(weights, m)  # spend in units of its mean
        ms = m * scale
        counts = np.bincount(x.astype(np.int64), weights=weights)
        ux = np.flatnonzero(counts)
        logm = np.log(ms)
        data = _Data(
            ux.astype(float), counts[ux], x, ms, weights, dot(weights, logm), dot(weights, (x * logm))
        )
        # Spend scaled by c changes each customer's density by 1/c.
        return data, np.array([1.0, 1.0, 1.0 / scale]), float(np.log(scale) * weights.sum())

    def _start(self, data: _Data) -> np.ndarray:
        return np.log([1.0, 3.0, 2.0])

    @staticmethod
    def _nll(z: np.ndarray, data: _Data, need_grad: bool = True):
        p, q, v = np.exp(z)
        ux, wx = data.ux, data.wx
        wsum = float(wx.sum())
        pux = p * ux
        ll = (
            dot(wx, gammaln(pux + q) - gammaln(pux) + pux * np.log(ux))
            + wsum * (q * np.log(v) - gammaln(q))
            + p * data.sum_wxlogm
            - data.sum_wlogm
        )
        denom = v + data.m * data.x
        log_denom = np.log(denom)
        pxq = p * data.x + q
        ll -= dot(data.w, (pxq * log_denom))
        if not need_grad:
            return -ll, None
        psi_pxq = psi(pux + q)
        g_p = (
            dot(wx, ux * (psi_pxq - psi(pux) + np.log(ux)))
            + data.sum_wxlogm
            - dot((data.w * data.x), log_denom)
        )
        g_q = dot(wx, psi_pxq) + wsum * (np.log(v) - psi(q)) - dot(data.w, log_denom)
        g_v = wsum * q / v - dot(data.w, (pxq / denom))
        return -ll, -np.array([g_p, g_q, g_v]) * np.array([p, q, v])

    # ---- per-customer quantities ---------------------------------------------------------
    def log_likelihood(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """Log-density of each customer's mean spend (customers with frequency >= 1)."""
        x, m = monetary_inputs(frequency, monetary_value)
        if (x == 0).any():
            raise ModelError("Gamma-Gamma log_likelihood is defined for customers with frequency >= 1 only.")
        return loglik_rows(self._theta(), x, m)

    def expected_spend(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """E[spend per purchase | x, m] = p (v + m x) / (p x + q - 1): a weighted mean of the
        population mean p v / (q - 1) and the customer's own mean m. Customers without repeat
        purchases get the population mean."""
        x, m = monetary_inputs(frequency, monetary_value)
        p, q, v = self._theta()
        m = np.where(x > 0, m, 0.0)
        if ((p * x + q) <= 1.0).any():
            raise ModelError(
                f"Gamma-Gamma: q = {q:.4g} <= 1, so the fitted spend distribution has no finite mean "
                "for customers without repeat purchases. Fit on more customers, or pass penalizer=0.001."
            )
        return p * (v + m * x) / (p * x + q - 1.0)

    def clv(
        self,
        model: Any,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        horizon: int = 12,
        discount_rate: float = 0.01,
        period: float = 30.0,
    ) -> np.ndarray:
        """Discounted expected revenue over the next ``horizon`` periods (lifetimes' method).

        ``model`` is a fitted `BGNBD` or `ParetoNBD`; ``period`` is the length of one period
        (a month) in its time unit (30 for days, 4.345 for weeks); ``discount_rate`` is per
        period. Revenue of period i is expected spend times the expected purchases in that
        period, discounted by (1 + discount_rate)^i.
        """
        spend = self.expected_spend(frequency, monetary_value)
        return spend * discounted_purchases(model, frequency, recency, T, horizon, discount_rate, period)


def discounted_purchases(
    model: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    horizon: int = 12,
    discount_rate: float = 0.01,
    period: float = 30.0,
) -> np.ndarray:
    """Sum over periods i = 1..horizon of the expected purchases in period i divided by
    (1 + discount_rate)^i: what one unit of spend per purchase is worth today."""
    if horizon < 0 or discount_rate <= -1 or period <= 0:
        raise ModelError("clv needs horizon >= 0, discount_rate > -1 and period > 0.")
    x, t, big_t = counting_inputs(frequency, recency, T)
    total = np.zeros(len(x))
    previous = np.zeros(len(x))
    for i in range(1, int(horizon) + 1):
        cumulative = model.expected_purchases(i * period, x, t, big_t)
        total += (cumulative - previous) / (1.0 + discount_rate) ** i
        previous = cumulative
    return total
