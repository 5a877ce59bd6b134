"""Pareto/NBD: Poisson purchases with a gamma-distributed rate and an exponential lifetime.

Schmittlein, Morrison and Colombo (1987); the likelihood and per-customer expressions of
Fader and Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions",
as also used in Fader, Hardie and Lee (2005). lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta).
Inputs as for BG/NBD: frequency x, recency t_x, age T, in one time unit.

With G(t) = (alpha+t)^-(r+x) (beta+t)^-s the likelihood is

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [G(T) + s/(r+s+x) (H(t_x) - H(T))]

where H(t) = (r+s+x) * integral_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du is the note's
hypergeometric term. It is evaluated after Euler's transformation, whose series has positive
terms and converges up to z = 1 (the numerically stable form):

- alpha >= beta: H(t) = G(t) 2F1(1, r+x; r+s+x+1; z), z = (alpha-beta)/(alpha+t);
- alpha <  beta: H(t) = G(t) (1-z) 2F1(1, s+1; r+s+x+1; z), z = (beta-alpha)/(beta+t).

Everything is combined in log space. The derivatives of 2F1 in its parameters have no closed
form, so the gradient is differenced centrally from this exact likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy.special import gammaln, hyp2f1

from churnlens.clv._fitting import CountingModel
from churnlens.clv._special import dot, log1mexp
from churnlens.clv._validate import counting_inputs, time_vector


def _log_h(theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """log H(t) for customers with frequency x (see the module docstring)."""
    r, alpha, s, beta = theta
    log_g = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
    c = r + s + x + 1.0
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        return log_g + np.log(hyp2f1(1.0, r + x, c, z))
    z = (beta - alpha) / (beta + t)
    return log_g + np.log((alpha + t) / (beta + t)) + np.log(hyp2f1(1.0, s + 1.0, c, z))


def _log_parts(theta: np.ndarray, x: np.ndarray, t: np.ndarray, big_t: np.ndarray):
    """(log L - log C, log C G(T) - log L): the bracket of the likelihood and log P(alive)."""
    r, alpha, s, beta = theta
    log_g_big = -(r + x) * np.log(alpha + big_t) - s * np.log(beta + big_t)
    # customers without repeat purchases all have t_x = 0: one H(0) serves them all
    log_h_small = np.full(np.broadcast(x, t).shape, float(_log_h(theta, np.float64(0.0), np.float64(0.0))))
    repeat = np.broadcast_to(x > 0, log_h_small.shape)
    log_h_small[repeat] = _log_h(
        theta, np.broadcast_to(x, repeat.shape)[repeat], np.broadcast_to(t, repeat.shape)[repeat]
    )
    log_h_big = _log_h(theta, x, big_t)
    # bracket = H(t_x) [ s/(r+s+x) (1 - H(T)/H(t_x)) + G(T)/H(t_x) ], both parts >= 0
    delta = np.minimum(log_h_big - log_h_small, 0.0)
    with np.errstate(divide="ignore"):
        first = np.log(s / (r + s + x)) + log1mexp(delta)
    log_bracket = log_h_small + np.logaddexp(first, log_g_big - log_h_small)
    return log_bracket, log_g_big - log_bracket


def loglik_rows(theta: np.ndarray, x: np.ndarray, t: np.ndarray, big_t: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood at theta = (r, alpha, s, beta)."""
    r, alpha, s, beta = theta
    log_c = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return log_c + _log_parts(theta, x, t, big_t)[0]


@dataclass
class _Data:
    x: np.ndarray
    t: np.ndarray
    big_t: np.ndarray
    w: np.ndarray


class ParetoNBD(CountingModel):
    """Pareto/NBD model. ``params_`` keys r, alpha, s, beta (alpha, beta in the input time unit);
    other attributes as for `BGNBD`."""

    _param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")
    _model_name: ClassVar[str] = "Pareto/NBD"
    _process: ClassVar[str] = "lifetime"

    def _prepare(self, columns, weights):
        x, t, big_t = columns
        scale = self._scale(x, big_t)
        data = _Data(x, t * scale, big_t * scale, weights)
        factors = np.array([1.0, 1.0 / scale, 1.0, 1.0 / scale])
        return data, factors, float(np.log(scale) * dot(weights, x))

    def _start(self, data: _Data) -> np.ndarray:
        mean_x = dot(data.w, data.x) / float(data.w.sum())
        mean_t = dot(data.w, data.big_t) / float(data.w.sum())
        return np.log([1.0, max(mean_t / max(mean_x, 1e-3), 1e-3), 1.0, mean_t])

    @staticmethod
    def _nll(z: np.ndarray, data: _Data, need_grad: bool = True):
        theta = np.exp(z)
        ll = dot(data.w, loglik_rows(theta, data.x, data.t, data.big_t))
        return (-ll if np.isfinite(ll) else np.inf), None

    # ---- per-customer quantities ---------------------------------------------------------
    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) at the fitted parameters."""
        return loglik_rows(self._theta(), *counting_inputs(frequency, recency, T))

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """P(the customer is still active at T | x, t_x, T)."""
        x, t, big_t = counting_inputs(frequency, recency, T)
        return np.exp(_log_parts(self._theta(), x, t, big_t)[1])

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T]:
        (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)."""
        x, tx, big_t = counting_inputs(frequency, recency, T)
        horizon = time_vector(t, customers=len(x))
        r, alpha, s, beta = theta = self._theta()
        alive = np.exp(_log_parts(theta, x, tx, big_t)[1])
        return (r + x) * (beta + big_t) / (alpha + big_t) * _lifetime_factor(s, beta + big_t, horizon) * alive

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        """E[X(t)] of a new customer: r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]."""
        horizon = time_vector(t)
        r, alpha, s, beta = self._theta()
        return r * beta / alpha * _lifetime_factor(s, beta, horizon)


def _lifetime_factor(s: float, base: Any, t: np.ndarray) -> np.ndarray:
    """[1 - (base/(base+t))^(s-1)] / (s-1), and its limit log(1 + t/base) at s = 1."""
    log_u = -np.log1p(t / np.asarray(base, dtype=float))
    if abs(s - 1.0) < 1e-12:
        return -log_u
    return -np.expm1((s - 1.0) * log_u) / (s - 1.0)
