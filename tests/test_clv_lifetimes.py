"""Optional: agreement with lifetimes 0.11.3, the reference library.

lifetimes needs NumPy < 2, so it lives in its own environment: this test runs it through
that environment's interpreter. It looks for ``$CHURNLENS_LIFETIMES_PYTHON``, then the
environment that ``python benchmarks/clv.py --setup`` creates (benchmarks/out/lifetimes-venv),
and skips with a message when neither exists (or when lifetimes imports here directly).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from churnlens.clv import BGNBD, GammaGamma, ParetoNBD, simulate_bgnbd, simulate_gammagamma

REPO = Path(__file__).resolve().parents[1]


def lifetimes_python() -> str:
    candidates = [
        os.environ.get("CHURNLENS_LIFETIMES_PYTHON", ""),
        str(REPO / "benchmarks/out/lifetimes-venv/bin/python"),
    ]
    try:
        import lifetimes  # noqa: F401

        candidates.insert(0, sys.executable)
    except ImportError:
        pass
    for exe in candidates:
        if exe and Path(exe).exists():
            probe = subprocess.run([exe, "-c", "import lifetimes"], capture_output=True)
            if probe.returncode == 0:
                return exe
    pytest.skip(
        "lifetimes 0.11.3 is not importable (it needs NumPy < 2): run `python benchmarks/clv.py --setup` "
        "or set CHURNLENS_LIFETIMES_PYTHON to an interpreter that has it"
    )


SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np, pandas as pd
    from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter
    d = json.loads(sys.stdin.read())
    x, t, T, m = (np.array(d[k]) for k in ("x", "t", "T", "m"))
    out = {}
    bg = BetaGeoFitter().fit(x, t, T)
    out["bg_fit"] = bg.params_.to_dict()
    gg = GammaGammaFitter().fit(x[x > 0], m[x > 0])
    out["gg_fit"] = gg.params_.to_dict()
    bg.params_ = pd.Series(d["bg"])
    out["bg_alive"] = bg.conditional_probability_alive(x, t, T).tolist()
    out["bg_cond"] = bg.conditional_expected_number_of_purchases_up_to_time(9.0, x, t, T).tolist()
    out["bg_new"] = np.atleast_1d(bg.expected_number_of_purchases_up_to_time(np.array([1.0, 9.0, 40.0]))).tolist()
    pn = ParetoNBDFitter()
    pn.params_ = pd.Series(d["pn"])
    out["pn_alive"] = pn.conditional_probability_alive(x, t, T).tolist()
    out["pn_cond"] = pn.conditional_expected_number_of_purchases_up_to_time(9.0, x, t, T).tolist()
    out["pn_new"] = np.atleast_1d(pn.expected_number_of_purchases_up_to_time(np.array([1.0, 9.0, 40.0]))).tolist()
    gg.params_ = pd.Series(d["gg"])
    out["gg_spend"] = gg.conditional_expected_average_profit(pd.Series(x), pd.Series(m)).tolist()
    out["clv"] = gg.customer_lifetime_value(
        bg, pd.Series(x), pd.Series(t), pd.Series(T), pd.Series(m), time=6, discount_rate=0.01, freq="W"
    ).tolist()
    print(json.dumps(out))
    """
)


def test_agrees_with_lifetimes():
    exe = lifetimes_python()
    rng = np.random.default_rng(7)
    sim = simulate_bgnbd(4000, 0.3, 5.0, 0.8, 2.5, T=rng.uniform(4, 52, 4000), seed=8)
    x, t, T = sim.frequency.to_numpy(), sim.recency.to_numpy(), sim["T"].to_numpy()
    m = simulate_gammagamma(x, 6.0, 4.0, 15.0, seed=9)
    bg = {"r": 0.25, "alpha": 4.4, "a": 0.79, "b": 2.4}
    pn = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
    gg = {"p": 6.25, "q": 3.74, "v": 15.44}
    payload = {
        "x": x.tolist(),
        "t": t.tolist(),
        "T": T.tolist(),
        "m": m.tolist(),
        "bg": bg,
        "pn": pn,
        "gg": gg,
    }
    run = subprocess.run(
        [exe, "-c", SCRIPT], input=json.dumps(payload), capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    ref = json.loads(run.stdout.strip().splitlines()[-1])

    fitted = BGNBD().fit(x, t, T)
    for k, v in ref["bg_fit"].items():
        assert fitted.params_[k] == pytest.approx(v, rel=1e-4), k
    fitted_gg = GammaGamma().fit(x, m)
    for k, v in ref["gg_fit"].items():
        assert fitted_gg.params_[k] == pytest.approx(v, rel=1e-4), k

    b = BGNBD.from_params(**bg)
    p = ParetoNBD.from_params(**pn)
    g = GammaGamma.from_params(**gg)
    close = dict(rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(b.p_alive(x, t, T), ref["bg_alive"], **close)
    np.testing.assert_allclose(b.expected_purchases(9.0, x, t, T), ref["bg_cond"], **close)
    np.testing.assert_allclose(b.expected_purchases_new([1.0, 9.0, 40.0]), ref["bg_new"], **close)
    np.testing.assert_allclose(p.p_alive(x, t, T), ref["pn_alive"], **close)
    np.testing.assert_allclose(p.expected_purchases(9.0, x, t, T), ref["pn_cond"], **close)
    np.testing.assert_allclose(p.expected_purchases_new([1.0, 9.0, 40.0]), ref["pn_new"], **close)
    np.testing.assert_allclose(g.expected_spend(x, m), ref["gg_spend"], **close)
    # lifetimes' weekly CLV: periods of 4.345 weeks
    np.testing.assert_allclose(
        g.clv(b, x, t, T, m, horizon=6, discount_rate=0.01, period=4.345), ref["clv"], **close
    )
