"""The value models agree to 1e-8 with slow, direct implementations of the published formulas.

The references below are written independently of churnlens.clv: plain Python loops with
math.lgamma, Gauss hypergeometric series summed term by term, and (for Pareto/NBD) the
likelihood's defining integral by adaptive quadrature. Formulas:

- BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", eqs. (6), (9),
  (10), and the P(alive) note (Fader, Hardie & Lee 2008).
- Pareto/NBD: Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
  Expressions", eqs. (22)-(24) (likelihood, P(alive)) and (41) (conditional expectation).
- Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves", eq. (4) and
  the conditional expectation of spend; CLV as lifetimes computes it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from churnlens.clv import BGNBD, GammaGamma, ParetoNBD, simulate_bgnbd, simulate_gammagamma
from churnlens.clv._compress import compress

RTOL = 1e-8


# ---- slow references ----------------------------------------------------------------------
def hyp2f1_series(a: float, b: float, c: float, z: float) -> float:
    total, term, n = 1.0, 1.0, 0
    while True:
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
        if abs(term) < 1e-17 * abs(total) or n > 500_000:
            return total


def lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def bgnbd_ll(r, alpha, a, b, x, tx, T):
    """FHL (2005) eq. (6)."""
    head = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    l1 = lbeta(a, b + x) - lbeta(a, b) + head - (r + x) * math.log(alpha + T)
    if x == 0:
        return l1
    l2 = lbeta(a + 1, b + x - 1) - lbeta(a, b) + head - (r + x) * math.log(alpha + tx)
    top = max(l1, l2)
    return top + math.log(math.exp(l1 - top) + math.exp(l2 - top))


def bgnbd_p_alive(r, alpha, a, b, x, tx, T):
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def bgnbd_conditional(r, alpha, a, b, x, tx, T, t):
    """FHL (2005) eq. (10)."""
    z = t / (alpha + T + t)
    f = hyp2f1_series(r + x, b + x, a + b + x - 1, z)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f)
    return num * bgnbd_p_alive(r, alpha, a, b, x, tx, T)


def bgnbd_new(r, alpha, a, b, t):
    """FHL (2005) eq. (9)."""
    f = hyp2f1_series(r, b, a + b - 1, t / (alpha + t))
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * f)


def pareto_a0(r, alpha, s, beta, x, tx, T):
    """A0 of Fader & Hardie (2005), eq. (23)/(24), with the published 2F1 arguments."""
    if alpha >= beta:
        big, small = alpha, beta
        f = lambda u: hyp2f1_series(r + s + x, s + 1, r + s + x + 1, (big - small) / (big + u))  # noqa: E731
    else:
        big, small = beta, alpha
        f = lambda u: hyp2f1_series(r + s + x, r + x, r + s + x + 1, (big - small) / (big + u))  # noqa: E731
    return f(tx) / (big + tx) ** (r + s + x) - f(T) / (big + T) ** (r + s + x)


def pareto_ll(r, alpha, s, beta, x, tx, T):
    head = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    bracket = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + s / (r + s + x) * pareto_a0(
        r, alpha, s, beta, x, tx, T
    )
    return head + math.log(bracket)


def pareto_ll_integral(r, alpha, s, beta, x, tx, T):
    """The same likelihood from its defining integral over the drop-out time."""
    f = lambda u: (alpha + u) ** (-(r + x)) * (beta + u) ** (-(s + 1))  # noqa: E731
    integral = quad(f, tx, T, epsabs=0, epsrel=1e-13, limit=200)[0]
    head = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    return head + math.log((alpha + T) ** (-(r + x)) * (beta + T) ** (-s) + s * integral)


def pareto_p_alive(r, alpha, s, beta, x, tx, T):
    a0 = pareto_a0(r, alpha, s, beta, x, tx, T)
    return 1 / (1 + s / (r + s + x) * (alpha + T) ** (r + x) * (beta + T) ** s * a0)


def pareto_conditional(r, alpha, s, beta, x, tx, T, t):
    factor = (r + x) * (beta + T) / ((alpha + T) * (s - 1)) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))
    return factor * pareto_p_alive(r, alpha, s, beta, x, tx, T)


def pareto_new(r, alpha, s, beta, t):
    return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))


def gg_ll(p, q, v, x, m):
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(v)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(v + m * x)
    )


def gg_spend(p, q, v, x, m):
    weight = (q - 1) / (p * x + q - 1)
    return weight * v * p / (q - 1) + (1 - weight) * m


# ---- customers to test on ------------------------------------------------------------------
def customers(seed: int, n: int = 40, max_t: float = 40.0):
    rng = np.random.default_rng(seed)
    T = rng.uniform(0.5, max_t, n)
    x = rng.integers(0, 25, n).astype(float)
    x[:5] = 0
    tx = np.where(x > 0, rng.uniform(0, 1, n) * T, 0.0)
    tx[5] = T[5]  # last purchase at the cutoff
    return x, tx, T


BG_PARAMS = [
    (0.243, 4.414, 0.793, 2.426),
    (2.0, 15.0, 1.7, 4.0),
    (0.6, 1.5, 0.3, 0.9),
    (1.2, 8.0, 1.0 + 3e-6, 2.0),
]
PARETO_PARAMS = [
    (0.553, 10.578, 0.606, 11.669),
    (0.8, 3.0, 1.6, 25.0),
    (1.5, 20.0, 0.4, 2.0),
    (0.4, 6.0, 1.0, 6.0),
]


def assert_close(actual, expected, rtol=RTOL, atol=1e-300):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=rtol, atol=atol)


@pytest.mark.parametrize("theta", BG_PARAMS)
def test_bgnbd_formulas_match_published(theta):
    r, alpha, a, b = theta
    model = BGNBD.from_params(r=r, alpha=alpha, a=a, b=b)
    x, tx, T = customers(1)
    assert_close(model.log_likelihood(x, tx, T), [bgnbd_ll(*theta, *c) for c in zip(x, tx, T, strict=True)])
    assert_close(model.p_alive(x, tx, T), [bgnbd_p_alive(*theta, *c) for c in zip(x, tx, T, strict=True)])
    for t in (1.0, 7.5, 30.0):
        expected = [bgnbd_conditional(*theta, *c, t) for c in zip(x, tx, T, strict=True)]
        # at a = 1 + 3e-6 the reference itself loses digits to the 0/0 of (a+b+x-1)/(a-1)
        assert_close(
            model.expected_purchases(t, x, tx, T), expected, rtol=RTOL if abs(a - 1) > 1e-4 else 2e-6
        )
    horizons = np.array([0.5, 5.0, 20.0, 52.0])
    expected_new = [bgnbd_new(*theta, t) for t in horizons]
    assert_close(
        model.expected_purchases_new(horizons), expected_new, rtol=RTOL if abs(a - 1) > 1e-4 else 2e-6
    )


@pytest.mark.parametrize("theta", BG_PARAMS)
def test_bgnbd_p_no_purchase_integrates_the_rate_posterior(theta):
    """P(no purchase in (T, T + t]) = 1 - P(alive) (1 - E[exp(-lambda t)]), the expectation over
    the alive customer's rate posterior Gamma(r + x, alpha + T), integrated numerically."""
    r, alpha, a, b = theta
    model = BGNBD.from_params(r=r, alpha=alpha, a=a, b=b)
    x, tx, T = customers(1)
    alive = model.p_alive(x, tx, T)
    for t in (1.0, 25.0):
        quiet = []
        for xi, Ti in zip(x, T, strict=True):
            shape, rate = r + xi, alpha + Ti
            log_norm = shape * math.log(rate) - math.lgamma(shape)

            def density(lam, shape=shape, rate=rate + t, log_norm=log_norm):
                return math.exp(log_norm + (shape - 1) * math.log(lam) - rate * lam) if lam > 0 else 0.0

            quiet.append(quad(density, 0, np.inf, limit=200)[0])
        assert_close(model.p_no_purchase(t, x, tx, T), 1 - alive * (1 - np.array(quiet)), rtol=1e-7)


@pytest.mark.parametrize("theta", PARETO_PARAMS)
def test_paretonbd_formulas_match_published(theta):
    r, alpha, s, beta = theta
    model = ParetoNBD.from_params(r=r, alpha=alpha, s=s, beta=beta)
    x, tx, T = customers(2, n=30)
    rows = list(zip(x, tx, T, strict=True))
    ll = model.log_likelihood(x, tx, T)
    assert_close(ll, [pareto_ll(*theta, *c) for c in rows])
    assert_close(ll, [pareto_ll_integral(*theta, *c) for c in rows])
    assert_close(model.p_alive(x, tx, T), [pareto_p_alive(*theta, *c) for c in rows])
    if abs(s - 1) > 1e-6:  # the published expressions divide by s - 1
        for t in (1.0, 10.0, 39.0):
            assert_close(
                model.expected_purchases(t, x, tx, T), [pareto_conditional(*theta, *c, t) for c in rows]
            )
        horizons = np.array([0.5, 5.0, 52.0])
        assert_close(model.expected_purchases_new(horizons), [pareto_new(*theta, t) for t in horizons])
    else:  # limit s -> 1 against the neighbours
        near = [ParetoNBD.from_params(r=r, alpha=alpha, s=s + d, beta=beta) for d in (-1e-7, 1e-7)]
        mid = 0.5 * sum(m.expected_purchases(10.0, x, tx, T) for m in near)
        assert_close(model.expected_purchases(10.0, x, tx, T), mid, rtol=1e-6)


@pytest.mark.parametrize("theta", [(6.25, 3.74, 15.44), (1.5, 8.0, 40.0), (20.0, 1.3, 2.0)])
def test_gammagamma_formulas_match_published(theta):
    p, q, v = theta
    model = GammaGamma.from_params(p=p, q=q, v=v)
    rng = np.random.default_rng(3)
    x = rng.integers(1, 30, 50).astype(float)
    m = rng.gamma(2.0, 20.0, 50)
    assert_close(model.log_likelihood(x, m), [gg_ll(*theta, *c) for c in zip(x, m, strict=True)])
    assert_close(model.expected_spend(x, m), [gg_spend(*theta, *c) for c in zip(x, m, strict=True)])
    assert_close(model.expected_spend([0.0], [0.0]), [v * p / (q - 1)])


def test_clv_matches_lifetimes_loop():
    bg = BGNBD.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    gg = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    x, tx, T = customers(4, n=20)
    m = np.where(x > 0, np.random.default_rng(5).gamma(3.0, 10.0, len(x)), 0.0)
    got = gg.clv(bg, x, tx, T, m, horizon=12, discount_rate=0.01, period=4.345)
    expected = []
    for xi, ti, Ti, mi in zip(x, tx, T, m, strict=True):
        spend = gg_spend(6.25, 3.74, 15.44, xi, mi)
        value = 0.0
        for i in range(1, 13):
            step = 4.345 * i
            gain = bgnbd_conditional(*BG_PARAMS[0], xi, ti, Ti, step) - (
                bgnbd_conditional(*BG_PARAMS[0], xi, ti, Ti, step - 4.345) if i > 1 else 0.0
            )
            value += spend * gain / 1.01**i
        expected.append(value)
    assert_close(got, expected)


def test_fitted_log_likelihood_is_the_sum_of_the_reference():
    data = simulate_bgnbd(3000, 0.5, 6.0, 0.9, 3.0, np.random.default_rng(0).uniform(5, 50, 3000), seed=1)
    model = BGNBD().fit(data.frequency, data.recency, data["T"])
    theta = tuple(model.params_.values())
    reference = math.fsum(
        bgnbd_ll(*theta, *c) for c in zip(data.frequency, data.recency, data["T"], strict=True)
    )
    assert model.log_likelihood_ == pytest.approx(reference, rel=1e-10)


def _numeric_gradient(model, z, data, step=1e-6):
    g = np.empty_like(z)
    for j in range(len(z)):
        e = np.zeros_like(z)
        e[j] = step
        g[j] = (model._nll(z + e, data, False)[0] - model._nll(z - e, data, False)[0]) / (2 * step)
    return g


@pytest.mark.parametrize("model_cls", [BGNBD, GammaGamma])
def test_analytic_gradient_matches_differences(model_cls):
    sim = simulate_bgnbd(2000, 0.7, 5.0, 1.3, 2.5, np.random.default_rng(1).uniform(5, 40, 2000), seed=2)
    x = sim.frequency.to_numpy()
    if model_cls is BGNBD:
        columns = (x, sim.recency.to_numpy(), sim["T"].to_numpy())
    else:
        keep = x > 0
        columns = (x[keep], simulate_gammagamma(x, 4.0, 3.0, 10.0, seed=3)[keep])
    model = model_cls()
    data, _, _ = model._prepare(columns, np.ones(len(columns[0])))
    for z in (np.log([0.5, 2.0, 0.8, 3.0][: len(model._param_names)]), np.zeros(len(model._param_names))):
        _, grad = model._nll(z, data, True)
        np.testing.assert_allclose(grad, _numeric_gradient(model, z, data), rtol=1e-6, atol=1e-6)


def test_compressed_likelihood_equals_uncompressed():
    sim = simulate_bgnbd(20_000, 0.4, 3.0, 0.8, 2.0, np.random.default_rng(2).integers(1, 60, 20_000), seed=3)
    cols = (sim.frequency.to_numpy(), np.floor(sim.recency.to_numpy()), sim["T"].to_numpy().astype(float))
    (cx, ct, cT), w = compress(cols, None, True)
    assert len(w) < len(cols[0]) / 2 and w.sum() == len(cols[0])
    model = BGNBD.from_params(r=0.4, alpha=3.0, a=0.8, b=2.0)
    full = math.fsum(model.log_likelihood(*cols))
    assert math.fsum(w * model.log_likelihood(cx, ct, cT)) == pytest.approx(full, rel=1e-12)
    a = BGNBD(compress=True).fit(*cols)
    b = BGNBD(compress=False).fit(*cols)
    assert a.n_rows_fitted_ < b.n_rows_fitted_ == len(cols[0])
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-12)
    for k in a.params_:
        assert a.params_[k] == pytest.approx(b.params_[k], rel=1e-7)
        assert a.standard_errors_[k] == pytest.approx(b.standard_errors_[k], rel=1e-4)


def test_warm_start_from_a_subsample_reaches_the_same_optimum(monkeypatch):
    from churnlens.clv import _fitting

    n = _fitting.WARM_START_ROWS + 20_000
    sim = simulate_bgnbd(n, 0.4, 6.0, 0.9, 2.2, np.random.default_rng(8).uniform(2, 60, n), seed=9)
    cols = (sim.frequency, sim.recency, sim["T"])
    warm = BGNBD().fit(*cols)
    assert warm.n_rows_fitted_ == n and warm.n_evaluations_ < 20  # a few Newton steps on all rows
    monkeypatch.setattr(_fitting, "WARM_START_ROWS", 10 * n)
    cold = BGNBD().fit(*cols)
    for k in warm.params_:
        assert warm.params_[k] == pytest.approx(cold.params_[k], rel=1e-8)
        assert warm.standard_errors_[k] == pytest.approx(cold.standard_errors_[k], rel=1e-4)
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, rel=1e-13)
