"""Benchmark: BG/NBD fit on a million simulated customers, churnlens vs lifetimes 0.11.3.

    python benchmarks/clv.py [--customers 1000000] [--seed 0] [--repeats 3]
                             [--lifetimes-python PATH] [--setup]

lifetimes needs NumPy < 2, so it runs in its own virtual environment, created on first use
under benchmarks/out/lifetimes-venv (ignored by git) with lifetimes==0.11.3, numpy<2,
pandas<2.2, scipy<1.12 from PyPI; ``--setup`` only creates it. ``--lifetimes-python`` uses an
existing interpreter instead.

Data: customers simulated exactly from BG/NBD with r=0.25, alpha=28 days, a=0.8, b=2.5, first
purchases spread uniformly over a year (T from 1 to 365 days), fixed seed. Two variants of
the same customers:

- continuous: recency and T as exact real numbers (every row distinct, nothing to compress);
- daily: recency and T in whole days, as ``summary_from_orders(unit="day")`` produces them.

Each contender fits in a fresh process on the same data (saved to benchmarks/out/): one
first fit (fresh memory), then ``--repeats`` more; the table shows the median wall time of
the repeats, the CPU time, the first fit, and the peak resident memory above the start
(sampled from /proc) and the peak traced by tracemalloc (a separate, untimed fit). Both fit
the maximum-likelihood estimate without penalty; parameters must agree to 1e-4 relative.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import measure  # noqa: E402

OUT = HERE / "out"
VENV = OUT / "lifetimes-venv"
TRUE = {"r": 0.25, "alpha": 28.0, "a": 0.8, "b": 2.5}
LIFETIMES_PINS = ["lifetimes==0.11.3", "numpy<2", "pandas<2.2", "scipy<1.12"]


# ---- worker: runs in the contender's own interpreter --------------------------------------
def _fitter(which: str):
    if which == "lifetimes":
        from lifetimes import BetaGeoFitter

        def fit(x, t, T):
            model = BetaGeoFitter().fit(x, t, T)
            return {k: float(v) for k, v in model.params_.items()}

        return fit
    from churnlens.clv import BGNBD

    def fit(x, t, T):
        return BGNBD().fit(x, t, T).params_

    return fit


def worker(which: str, data: Path, repeats: int) -> None:
    import numpy as np

    arrays = np.load(data)
    x, t, T = arrays["frequency"], arrays["recency"], arrays["T"]
    fit = _fitter(which)
    first = measure("first", lambda: fit(x, t, T))
    walls, cpus = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        params = fit(x, t, T)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    tracemalloc.start()
    fit(x, t, T)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    versions = {"numpy": np.__version__}
    for mod in ("scipy", "pandas", "lifetimes"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            pass
    print(
        json.dumps(
            {
                "params": params,
                "first_s": first.seconds,
                "wall_s": walls,
                "cpu_s": cpus,
                "peak_rss_mb": first.peak_mb,
                "traced_mb": traced,
                "versions": versions,
            }
        )
    )


# ---- driver ------------------------------------------------------------------------------
def ensure_lifetimes(python: str | None) -> str:
    if python:
        return python
    exe = VENV / "bin" / "python"
    if (
        exe.exists()
        and subprocess.run([str(exe), "-c", "import lifetimes"], capture_output=True).returncode == 0
    ):
        return str(exe)
    print(f"creating {VENV} with {' '.join(LIFETIMES_PINS)} ...", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(exe), "-m", "pip", "install", "-q", *LIFETIMES_PINS], check=True)
    return str(exe)


def simulate(n: int, seed: int) -> dict[str, Path]:
    import numpy as np

    from churnlens.clv import simulate_bgnbd

    rng = np.random.default_rng(seed)
    sim = simulate_bgnbd(n, **TRUE, T=rng.uniform(1.0, 365.0, n), seed=seed + 1)
    x, t, T = (sim[c].to_numpy() for c in ("frequency", "recency", "T"))
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {"continuous": OUT / f"clv-{n}-{seed}-continuous.npz", "daily": OUT / f"clv-{n}-{seed}-daily.npz"}
    np.savez(paths["continuous"], frequency=x, recency=t, T=T)
    np.savez(paths["daily"], frequency=x, recency=np.floor(t), T=np.floor(T))
    return paths


def run_worker(python: str, which: str, data: Path, repeats: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent / "src"), env.get("PYTHONPATH", "")])
    cmd = [
        python,
        str(Path(__file__).resolve()),
        "--worker",
        which,
        "--data",
        str(data),
        "--repeats",
        str(repeats),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{which} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(variant: str, n: int, results: dict[str, dict]) -> bool:
    ours, ref = results["churnlens"], results["lifetimes"]
    print(f"\n== {variant}: {n:,} customers ==")
    print(f"{'param':8s} {'true':>10s} {'churnlens':>14s} {'lifetimes':>14s} {'rel diff':>10s}")
    worst = 0.0
    for k in TRUE:
        a, b = ours["params"][k], ref["params"][k]
        rel = abs(a - b) / abs(b)
        worst = max(worst, rel)
        print(f"{k:8s} {TRUE[k]:10.4g} {a:14.8g} {b:14.8g} {rel:10.2e}")
    agree = worst <= 1e-4
    print(f"parameters agree to 1e-4 relative: {'yes' if agree else 'NO'} (largest difference {worst:.2e})")
    print(
        f"\n{'contender':10s} {'median s':>9s} {'cpu s':>7s} {'first s':>8s} {'peak RSS MB':>12s} "
        f"{'traced MB':>10s}"
    )
    for name, r in results.items():
        print(
            f"{name:10s} {statistics.median(r['wall_s']):9.3f} {statistics.median(r['cpu_s']):7.3f} "
            f"{r['first_s']:8.3f} {r['peak_rss_mb']:12.0f} {r['traced_mb']:10.0f}"
        )
    ratio = statistics.median(ref["wall_s"]) / statistics.median(ours["wall_s"])
    cpu_ratio = statistics.median(ref["cpu_s"]) / statistics.median(ours["cpu_s"])
    first_ratio = ref["first_s"] / ours["first_s"]
    print(
        f"churnlens is {ratio:.1f}x faster than lifetimes (median wall time; CPU time {cpu_ratio:.1f}x, "
        f"first fit {first_ratio:.1f}x); target >= 10x: {'met' if ratio >= 10 else 'NOT met'}"
    )
    return agree and ratio >= 10


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lifetimes-python", default=None)
    ap.add_argument("--setup", action="store_true", help="only create the lifetimes environment")
    ap.add_argument("--worker", choices=["churnlens", "lifetimes"], help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.repeats)
        return
    lifetimes_python = ensure_lifetimes(args.lifetimes_python)
    if args.setup:
        print(f"lifetimes interpreter: {lifetimes_python}")
        return
    print(f"load average before: {os.getloadavg()}; cores: {os.cpu_count()}")
    paths = simulate(args.customers, args.seed)
    ok = True
    for variant, path in paths.items():
        results = {
            "churnlens": run_worker(sys.executable, "churnlens", path, args.repeats),
            "lifetimes": run_worker(lifetimes_python, "lifetimes", path, args.repeats),
        }
        ok &= report(variant, args.customers, results)
    versions = {k: v["versions"] for k, v in results.items()}
    print(f"\nversions: {versions}")
    print(f"load average after: {os.getloadavg()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
