"""Metrics and curves of churn scores, computed from labels and scores (never typed in).

Scores are probabilities for models and BG/NBD; for the rule baselines they are the rule's
ranking score (days since the last order, its ratio to the usual interval), so probability
metrics (log loss, Brier, calibration) are NaN for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm


def lift_at(y: np.ndarray, score: np.ndarray, share: float) -> tuple[float, float]:
    """(lift, capture rate) of the top ``share`` of customers ranked by score."""
    n = len(y)
    k = max(1, int(round(share * n)))
    top = np.argsort(-score, kind="stable")[:k]
    base = y.mean()
    hit = y[top].mean()
    return (float(hit / base) if base > 0 else np.nan, float(y[top].sum() / max(y.sum(), 1)))


def calibration_error(y: np.ndarray, p: np.ndarray, bins: int) -> float:
    """Expected calibration error: mean |observed rate - mean probability| over equal-count bins,
    weighted by the bin's size."""
    order = np.argsort(p, kind="stable")
    err = 0.0
    for part in np.array_split(order, bins):
        if len(part):
            err += len(part) * abs(y[part].mean() - p[part].mean())
    return float(err / len(y))


def score_metrics(
    y: np.ndarray, score: np.ndarray, probabilistic: bool, top_shares: list[float], bins: int
) -> dict[str, float]:
    """ROC AUC, PR AUC, log loss, Brier, ECE, lift and capture at each top share, churn rate."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    s = np.where(np.isfinite(s), s, np.nanmin(s[np.isfinite(s)]) if np.isfinite(s).any() else 0.0)
    out = {"n": float(len(y)), "churn_rate": float(y.mean())}
    two = len(np.unique(y)) == 2
    out["roc_auc"] = float(skm.roc_auc_score(y, s)) if two else np.nan
    out["pr_auc"] = float(skm.average_precision_score(y, s)) if two else np.nan
    if probabilistic:
        p = np.clip(s, 1e-6, 1 - 1e-6)
        out["log_loss"] = float(skm.log_loss(y, p, labels=[0, 1]))
        out["brier"] = float(skm.brier_score_loss(y, p))
        out["calibration_error"] = calibration_error(y, p, bins)
    else:
        out["log_loss"] = out["brier"] = out["calibration_error"] = np.nan
    for share in top_shares:
        lift, cap = lift_at(y, s, share)
        pct = int(round(share * 100))
        out[f"lift_top{pct}"] = lift
        out[f"capture_top{pct}"] = cap
    return out


def _thin(x: np.ndarray, y: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= points:
        return x, y
    idx = np.unique(np.linspace(0, len(x) - 1, points).round().astype(int))
    return x[idx], y[idx]


def curves(y: np.ndarray, score: np.ndarray, probabilistic: bool, points: int, bins: int) -> pd.DataFrame:
    """ROC, PR, cumulative gains (lift) and, for probabilities, calibration: ``curve, x, y``."""
    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    s = np.where(np.isfinite(s), s, np.nanmin(s[np.isfinite(s)]) if np.isfinite(s).any() else 0.0)
    parts = []
    if len(np.unique(y)) == 2:
        fpr, tpr, _ = skm.roc_curve(y, s)
        parts.append(("roc", *_thin(fpr, tpr, points)))
        prec, rec, _ = skm.precision_recall_curve(y, s)
        parts.append(("pr", *_thin(rec[::-1], prec[::-1], points)))
    order = np.argsort(-s, kind="stable")
    share = np.arange(1, len(y) + 1) / len(y)
    gains = np.cumsum(y[order]) / max(y.sum(), 1)
    parts.append(("gains", *_thin(share, gains, points)))
    if probabilistic:
        p = np.clip(s, 0, 1)
        idx = np.argsort(p, kind="stable")
        xs, ys = [], []
        for part in np.array_split(idx, bins):
            if len(part):
                xs.append(p[part].mean())
                ys.append(y[part].mean())
        parts.append(("calibration", np.array(xs), np.array(ys)))
    rows = [
        pd.DataFrame({"curve": name, "point": np.arange(len(xs)), "x": xs, "y": ys}) for name, xs, ys in parts
    ]
    return pd.concat(rows, ignore_index=True)


def known_values(value: np.ndarray | None) -> np.ndarray | None:
    """Customer values with unknown ones as 0, or None when none is known (no prices)."""
    if value is None:
        return None
    v = np.asarray(value, dtype=float)
    return np.nan_to_num(v) if np.isfinite(v).any() else None


def best_profit_threshold(
    p: np.ndarray, y: np.ndarray, value: np.ndarray, save_rate: float, cost: float
) -> float:
    """The threshold whose contacted customers (``p >= threshold``) give the most expected
    profit: each contacted churner is kept with probability ``save_rate`` and is worth
    ``value``; each contact costs ``cost``. Contacting nobody (profit 0) is a choice too."""
    order = np.argsort(-p, kind="stable")
    ps = p[order]
    gain = np.cumsum(y[order] * save_rate * np.nan_to_num(value[order]) - cost)
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]  # a threshold takes every tied customer
    cuts, profits = ps[last_of_tie], gain[last_of_tie]
    if not len(profits) or profits.max() <= 0:
        return float(np.nextafter(p.max(), np.inf)) if len(p) else 1.0
    return float(cuts[int(np.argmax(profits))])


def threshold_report(
    y: np.ndarray,
    p: np.ndarray,
    contact_share: float,
    value: np.ndarray | None = None,
    save_rate: float = 0.2,
    contact_cost: float = 1.0,
) -> pd.DataFrame:
    """Confusion matrix and precision / recall / F1 at the thresholds: the one with the best
    F1, the one that contacts the top ``contact_share`` of customers, 0.5 and, when the
    customers' ``value`` is known, the one with the best expected profit (see
    `best_profit_threshold`; ``expected_profit`` is then reported for every threshold)."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    prec, rec, thr = skm.precision_recall_curve(y, p)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0)[:-1]
    best = float(thr[int(np.argmax(f1))]) if len(thr) else 0.5
    k = max(1, int(round(contact_share * len(p))))
    capacity = float(np.sort(p)[::-1][k - 1])
    thresholds = [("best_f1", best), (f"top_{int(round(contact_share * 100))}pct", capacity), ("p_0.5", 0.5)]
    v = known_values(value)
    if v is not None:
        thresholds.append(("best_profit", best_profit_threshold(p, y, v, save_rate, contact_cost)))
    return pd.DataFrame(
        [
            confusion_row(rule, t, y, (p >= t).astype(int), v, save_rate, contact_cost)
            for rule, t in thresholds
        ]
    )


def confusion_row(
    rule: str,
    threshold: float,
    y: np.ndarray,
    pred: np.ndarray,
    value: np.ndarray | None = None,
    save_rate: float = 0.2,
    contact_cost: float = 1.0,
) -> dict:
    """Confusion matrix, precision, recall, F1 and contacted share of one set of predictions,
    with the expected profit of contacting them when the customers' ``value`` is known."""
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    row = {
        "rule": rule,
        "threshold": threshold,
        "tp": int(tp),
        "fp": int(fp),
        "tn": int(tn),
        "fn": int(fn),
        "precision": pr,
        "recall": rc,
        "f1": 2 * pr * rc / (pr + rc) if pr + rc else 0.0,
        "contacted_share": float(pred.mean()),
    }
    if value is not None:
        row["expected_profit"] = float((pred * (y * save_rate * value - contact_cost)).sum())
    return row





def _weighted_auc(y: np.ndarray, rank: np.ndarray, w: np.ndarray, bins: int) -> float:
    """ROC AUC of dense integer ranks with each customer counted ``w`` times (ties count half)."""
    pos, neg = w * y, w * (1 - y)
    neg_at = np.bincount(rank, weights=neg, minlength=bins)
    below = np.cumsum(neg_at) - neg_at
    wp, wn = pos.sum(), neg.sum()
    if wp == 0 or wn == 0:
        return np.nan
    return float((pos * (below[rank] + 0.5 * neg_at[rank])).sum() / (wp * wn))


def paired_auc_difference(
    y: np.ndarray, model: np.ndarray, base: np.ndarray, samples: int, level: float, seed: int
) -> tuple[float, float, float]:
    """ROC AUC of ``model`` minus that of ``base`` on the same customers, with the paired
    bootstrap interval at ``level``: percentiles of ``samples`` resamples of the customers (with
    replacement, seeded), each scored by both. Returns (difference, low, high)."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    ranks = []
    for s in (model, base):
        _, r = np.unique(np.nan_to_num(np.asarray(s, float), nan=-np.inf), return_inverse=True)
        ranks.append((r.ravel(), int(r.max()) + 1 if n else 1))

    def diff(w: np.ndarray) -> float:
        (r0, b0), (r1, b1) = ranks
        return _weighted_auc(y, r0, w, b0) - _weighted_auc(y, r1, w, b1)

    point = diff(np.ones(n))
    if samples <= 0:
        return point, np.nan, np.nan
    rng = np.random.default_rng(seed)
    boots = [diff(np.bincount(rng.integers(0, n, n), minlength=n).astype(float)) for _ in range(samples)]
    tail = (1 - level) / 2 * 100
    lo, hi = np.nanpercentile(boots, [tail, 100 - tail])
    return point, float(lo), float(hi)
