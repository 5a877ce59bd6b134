"""Customer states and risk bands, each defined by the shop's own numbers.

A customer's *rhythm* is her own mean number of days between purchase days (the shop's median
repeat gap for one-order customers). The shop's *return horizon* is the gap within which
``PlaybookConfig.return_horizon_share`` (95 %) of the shop's repeat purchases happen
(`churnlens.churn.window.gap_summary`). With ``d`` the days since the last order and ``p`` the
BG/NBD P(alive) (when the shop has it):

- **lapsed**: ``d`` beyond the return horizon, or ``p`` below ``lapsed_p_alive``: almost
  certainly gone; these go to the win-back list, not the at-risk list;
- **lapsing**: not lapsed, and ``d`` beyond ``lapsing_rhythm`` (3) times the rhythm or ``p``
  below ``lapsing_p_alive``;
- **at risk**: neither, and ``d`` beyond ``at_risk_rhythm`` (1.5) times the rhythm: still alive
  but slipping past her own rhythm;
- **active**: everyone else.

*At risk* and *lapsing* customers can still be saved (`SAVEABLE`); the at-risk list holds them,
ranked by the value a contact can still save.

Risk bands rank the scored customers by P(churn): the top ``risk_high_share`` are *high*, the
next ``risk_medium_share`` *medium*, the rest *low* (thirds by default), so no band holds most
customers by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churnlens import strings
from churnlens.config import PlaybookConfig

STATES = ("active", "at_risk", "lapsing", "lapsed")
SAVEABLE = ("at_risk", "lapsing")


def risk_bands(prob: pd.Series, cfg: PlaybookConfig) -> pd.Series:
    """high / medium / low by rank of P(churn) among the scored customers (ties share a band)."""
    p = pd.to_numeric(prob, errors="coerce")
    share = p.rank(method="max", ascending=False, pct=True)
    high, medium = cfg.risk_high_share, cfg.risk_high_share + cfg.risk_medium_share
    out = np.select([share <= high + 1e-12, share <= medium + 1e-12], ["high", "medium"], "low")
    return pd.Series(out, index=prob.index, dtype=object).where(p.notna(), "low")


def customer_states(
    df: pd.DataFrame, cfg: PlaybookConfig, median_gap: float, horizon: float | None
) -> pd.DataFrame:
    """``usual_gap_days``, ``overdue_ratio`` and ``state`` per customer (see module docstring).

    ``df``: days_since_last_order, mean_gap_days and optionally p_alive (a share).
    ``median_gap``: the shop's median repeat gap; ``horizon``: its return horizon (None: none).
    Days are whole days (the numbers the reasons show) and the ratio is computed from them.
    """
    out = pd.DataFrame(index=df.index)
    days = np.floor(pd.to_numeric(df.days_since_last_order, errors="coerce"))
    gap = pd.to_numeric(df.mean_gap_days, errors="coerce").fillna(median_gap)
    gap = np.maximum(np.round(gap), 1.0)
    p = pd.to_numeric(df.get("p_alive", pd.Series(np.nan, index=df.index)), errors="coerce").round(2)
    ratio = np.floor(days / gap * 10 + 0.5) / 10  # half up, as people round
    beyond = (days > horizon) if horizon is not None else pd.Series(False, index=df.index)
    lapsed = beyond.fillna(False) | (p < cfg.lapsed_p_alive).fillna(False)
    lapsing = ~lapsed & ((ratio > cfg.lapsing_rhythm).fillna(False) | (p < cfg.lapsing_p_alive).fillna(False))
    at_risk = ~lapsed & ~lapsing & (ratio > cfg.at_risk_rhythm).fillna(False)
    out["days_since_last_order"] = days
    out["usual_gap_days"] = gap
    out["overdue_ratio"] = ratio
    out["p_alive"] = p
    out["state"] = np.select([lapsed, lapsing, at_risk], ["lapsed", "lapsing", "at_risk"], "active")
    return out


def definitions(cfg: PlaybookConfig, median_gap: float, horizon: float | None) -> pd.DataFrame:
    """Table ``customer_states``: each state's definition in this shop's numbers (English, Korean)."""
    h = f"{horizon:.0f}" if horizon is not None else "?"
    share = f"{cfg.return_horizon_share:.0%}"
    lp, gp = f"{cfg.lapsed_p_alive:.0%}", f"{cfg.lapsing_p_alive:.0%}"
    a, g = f"{cfg.at_risk_rhythm:g}", f"{cfg.lapsing_rhythm:g}"
    values = {"at_risk": a, "lapsing": g, "gap": f"{median_gap:.0f}", "horizon": h, "share": share}
    p_alive = {"lapsing": gp, "lapsed": lp}
    rows = [(s, *strings.both(f"state_definition_{s}", p_alive=p_alive.get(s, ""), **values)) for s in STATES]
    return pd.DataFrame(rows, columns=["state", "definition", "definition_ko"])
