"""The verdict on each held-out cutoff in plain words (English, Korean), from the scoring
model's ``churn_backtest`` row (columns of `churnlens.churn.significance`). Light: the
dashboard and the report import it without the model libraries."""

from __future__ import annotations

import pandas as pd

#: The model that scores customers unless a simpler one is not measurably worse.
PRODUCTION = "lightgbm"

TEXT = {
    "en": {
        "better": "On {cutoff} the model ranked customers better than the best simple alternative "
        "({base}) by {diff} ROC AUC (95 % interval {lo} to {hi}): a real gain.",
        "unclear": "On {cutoff} the model's ROC AUC differs from the best simple alternative ({base}) "
        "by {diff} (95 % interval {lo} to {hi}). The interval includes 0: the model is not measurably "
        "better there.",
        "worse": "On {cutoff} the model ranked customers worse than the best simple alternative ({base}) "
        "by {diff} ROC AUC (95 % interval {lo} to {hi}).",
    },
    "ko": {
        "better": "{cutoff} 기준 모델은 가장 좋은 단순 대안({base})보다 ROC AUC가 {diff} 높습니다 "
        "(95% 구간 {lo} ~ {hi}): 실제 개선입니다.",
        "unclear": "{cutoff} 기준 모델과 가장 좋은 단순 대안({base})의 ROC AUC 차이는 {diff}입니다 "
        "(95% 구간 {lo} ~ {hi}). 구간에 0이 포함되어 모델이 더 낫다고 확인할 수 없습니다.",
        "worse": "{cutoff} 기준 모델은 가장 좋은 단순 대안({base})보다 ROC AUC가 {diff} 낮습니다 "
        "(95% 구간 {lo} ~ {hi}).",
    },
}


def sentence(row, lang: str = "en", level: float = 0.95) -> str:
    """The verdict on one held-out cutoff from the scoring model's ``churn_backtest`` row."""
    lo, hi = float(row["auc_vs_best_low"]), float(row["auc_vs_best_high"])
    key = "better" if lo > 0 else ("worse" if hi < 0 else "unclear")
    text = TEXT.get(lang, TEXT["en"])[key]
    if level != 0.95:
        text = text.replace("95 %", f"{level:.0%}").replace("95%", f"{level:.0%}")
    return text.format(
        cutoff=str(row["cutoff"])[:10],
        base=row["best_baseline"],
        diff=f"{float(row['auc_vs_best']):+.3f}",
        lo=f"{lo:+.3f}",
        hi=f"{hi:+.3f}",
    )


def sentences(table: pd.DataFrame, lang: str = "en", level: float = 0.95) -> list[str]:
    """One verdict per held-out cutoff, latest first."""
    if "auc_vs_best" not in table:
        return []
    rows = table[(table["model"] == PRODUCTION) & table["auc_vs_best"].notna()].sort_values("cohort")
    return [sentence(r, lang, level) for _, r in rows.iterrows()]
