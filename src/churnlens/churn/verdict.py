"""The verdict on each held-out cutoff in plain words (English, Korean; the words are the
catalogue's ``verdict_*``), from the scoring model's ``churn_backtest`` row (columns of
`churnlens.churn.significance`). Light: the dashboard and the report import it without the model
libraries."""

from __future__ import annotations

import pandas as pd

from churnlens import strings

#: The model that scores customers unless a simpler one is not measurably worse.
PRODUCTION = "lightgbm"


def sentence(row, lang: str = "en", level: float = 0.95) -> str:
    """The verdict on one held-out cutoff from the scoring model's ``churn_backtest`` row."""
    lo, hi = float(row["auc_vs_best_low"]), float(row["auc_vs_best_high"])
    key = "better" if lo > 0 else ("worse" if hi < 0 else "unclear")
    text = strings.tr(
        lang,
        f"verdict_{key}",
        cutoff=str(row["cutoff"])[:10],
        base=row["best_baseline"],
        diff=f"{float(row['auc_vs_best']):+.3f}",
        lo=f"{lo:+.3f}",
        hi=f"{hi:+.3f}",
    )
    if level != 0.95:
        text = text.replace("95 %", f"{level:.0%}").replace("95%", f"{level:.0%}")
    return text


def sentences(table: pd.DataFrame, lang: str = "en", level: float = 0.95) -> list[str]:
    """One verdict per held-out cutoff, latest first."""
    if "auc_vs_best" not in table:
        return []
    rows = table[(table["model"] == PRODUCTION) & table["auc_vs_best"].notna()].sort_values("cohort")
    return [sentence(r, lang, level) for _, r in rows.iterrows()]
