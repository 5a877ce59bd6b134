"""Churn risk: the at-risk list with filters, reasons and CSV download; the model's quality.

Tables: ``actions`` (when it has customer states: the at-risk list -- customers at risk or
lapsing, who can still be saved, ranked by the value a contact can still save -- and the
separate win-back list of lapsed customers, each with its reason), ``customer_states`` (what
each state means in this shop's numbers), ``churn_window`` (the churn window, how it was chosen,
the base rate); else ``customer_scores`` (churn_probability, risk_band, reasons / reasons_ko,
value columns when joined), filtered through ``rfm`` (segment) and ``actions`` (action,
value) by customer id; ``churn_backtest`` (model and baselines on the latest held-out
cohort, and over time), ``churn_curves`` (ROC, PR, gains, calibration of that cohort),
``churn_model_report`` (confusion matrix per threshold rule), ``churn_feature_importance``,
``churn_imbalance_comparison`` (LightGBM per class-imbalance strategy, and which helps).
"""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from churnlens.app import figure
from churnlens.app.context import Ctx
from churnlens.app.widgets import pick, reasons_table, show_table
from churnlens.churn.verdict import PRODUCTION
from churnlens.presentation import charts
from churnlens.safe_csv import csv_bytes

TABLES = (
    "customer_scores",
    "rfm",
    "actions",
    "customer_states",
    "churn_window",
    "churn_backtest",
    "churn_curves",
    "churn_model_report",
    "churn_feature_importance",
    "churn_imbalance_comparison",
    "churn_model_comparison",
)
LIST_LIMIT = 500
#: Customers whose reasons are written out under a list when none is ticked.
WHY_SHOWN = 10
EXPORT_LIMIT = 200_000
LIST_COLUMNS = (
    "customer_id",
    "churn_probability",
    "risk_band",
    "expected_days_to_next_order",
    "p_order_30d",
    "p_alive",
    "clv_12m",
    "expected_spend",
)
#: Columns of the at-risk and win-back lists (from ``actions``).
STATE_LIST_COLUMNS = (
    "customer_id",
    "state",
    "risk",
    "days_since_last_order",
    "usual_gap_days",
    "churn_probability",
    "p_alive",
    "value",
    "action",
    "expected_saved_revenue",
)
#: (title key, states) of the lists by customer state.
STATE_LISTS = (("at_risk", ("at_risk", "lapsing")), ("win_back", ("lapsed",)))
BACKTEST_COLUMNS = ("model", "kind", "roc_auc", "pr_auc", "brier", "log_loss", "lift_top10", "capture_top10")
CURVES = {
    "roc": ("curve_fpr", "curve_tpr", "chance"),
    "pr": ("curve_recall", "curve_precision", None),
    "gains": ("curve_share", "curve_captured", "chance"),
    "calibration": ("curve_predicted", "curve_observed", "perfect"),
}


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_churn"))
    at_risk(ctx)
    st.divider()
    st.header(ctx.t("model_quality"))
    cohort = latest_cohort(ctx)
    comparison(ctx, cohort)
    curves(ctx, cohort)
    confusion(ctx, cohort)
    backtest(ctx)
    full_comparison(ctx)
    imbalance(ctx)
    importance(ctx)


def list_filters(ctx: Ctx, table: str = "customer_scores", band: str = "risk_band") -> tuple:
    """Risk band (column ``band`` of ``table``), segment (rfm), action and minimum value
    (actions) as filters on customer ids."""
    filters: list = []
    boxes = st.columns(4)
    with boxes[0]:
        bands = ctx.distinct(table, band) if band in ctx.columns(table) else []
        order = {"high": 0, "medium": 1, "low": 2}
        bands = sorted(bands, key=lambda b: order.get(str(b), 9))
        chosen = st.multiselect(
            ctx.t("risk_band"), bands, format_func=ctx.vlabel, placeholder=ctx.t("choose"), key="risk_band"
        )
    if chosen:
        filters.append((band, "in", tuple(chosen)))
    for box, table, col, key in (
        (boxes[1], "rfm", "segment", "segment"),
        (boxes[2], "actions", "action", "action"),
    ):
        if ctx.has(table) and col in ctx.columns(table):
            with box:
                picked = st.multiselect(
                    ctx.t(key),
                    ctx.distinct(table, col),
                    format_func=ctx.vlabel,
                    placeholder=ctx.t("choose"),
                    key=f"risk_{key}",
                )
            if picked:
                filters.append(("customer_id", "semi", (table, ((col, "in", tuple(picked)),))))
    value_col = "value" if ctx.has("actions") and "value" in ctx.columns("actions") else None
    if value_col:
        with boxes[3]:
            minimum = st.number_input(
                ctx.t("min_value"), min_value=0.0, value=0.0, step=1000.0, key="risk_min_value"
            )
        if minimum > 0:
            filters.append(("customer_id", "semi", ("actions", ((value_col, ">=", float(minimum)),))))
    return tuple(filters)


def with_context(ctx: Ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Add each listed customer's segment and action (looked up by id) beside the scores."""
    ids = tuple(df["customer_id"].tolist())
    if not ids:
        return df
    for table, cols in (("rfm", ("segment",)), ("actions", ("action", "value"))):
        have = [c for c in cols if c in ctx.columns(table)] if ctx.has(table) else []
        if have:
            extra = ctx.frame(table, ["customer_id", *have], filters=(("customer_id", "in", ids),))
            df = df.merge(extra, on="customer_id", how="left")
    return df


def window_and_states(ctx: Ctx) -> None:
    """What churn means here (window, how it was chosen, base rate) and what each state means."""
    if ctx.has("churn_window"):
        w = ctx.frame("churn_window").iloc[0]
        rate = ctx.pct(w["base_rate"]) if pd.notna(w.get("base_rate")) else "?"
        why = w.get(f"reason_{ctx.lang}") if ctx.lang != "en" else None
        why = why if isinstance(why, str) else w["reason"]
        st.caption(ctx.t("churn_window_note", days=f"{w['window_days']:g}", why=why, rate=rate))
    if ctx.has("customer_states"):
        defs = ctx.frame("customer_states")
        text = "definition_ko" if ctx.lang == "ko" and "definition_ko" in defs else "definition"
        st.markdown("\n".join(f"- **{ctx.vlabel(r['state'])}**: {r[text]}" for _, r in defs.iterrows()))


def state_lists(ctx: Ctx) -> None:
    """The at-risk list and the win-back list from ``actions``."""
    cols = ctx.columns("actions")
    reason = pick(cols, f"reason_{ctx.lang}", "reason")
    keep = [c for c in STATE_LIST_COLUMNS if c in cols] + ([reason] if reason else [])
    chosen = list_filters(ctx, "actions", "risk")
    for title, group in STATE_LISTS:
        st.subheader(ctx.t(title))
        filters = (("state", "in", group), *chosen)
        total = ctx.count("actions", filters)
        order = ("expected_saved_revenue",)
        df = ctx.frame("actions", keep, filters=filters, order_by=order, descending=True, limit=LIST_LIMIT)
        st.caption(ctx.t("shown_rows", shown=ctx.num(len(df)), total=ctx.num(total)))
        listed(ctx, df, reason, "reason", ("customer_id", "action"), key=f"{title}_table")


def listed(
    ctx: Ctx, df: pd.DataFrame, text: str | None, name: str, beside: tuple[str, ...], key: str
) -> None:
    """A list of customers (every id a link to Customer 360) without its long text column, then
    that text, wrapped, for the rows ticked in the list (the first `WHY_SHOWN` when none is)."""
    grid = df.drop(columns=[text]) if text else df
    picked = show_table(ctx, grid, height=420, key=key, select=bool(text))
    if not text or df.empty:
        return
    rows = df.iloc[picked] if picked else df.head(WHY_SHOWN)
    st.markdown(f"**{ctx.t('why_picked' if picked else 'why_first', n=ctx.num(len(rows)))}**")
    cols = [c for c in beside if c in df.columns] + [name]
    reasons_table(ctx, rows.rename(columns={text: name}), cols)


def at_risk(ctx: Ctx) -> None:
    window_and_states(ctx)
    if ctx.has("actions") and "state" in ctx.columns("actions"):
        state_lists(ctx)
        return
    st.subheader(ctx.t("at_risk"))
    if not ctx.need("customer_scores"):
        return
    cols = ctx.columns("customer_scores")
    filters = list_filters(ctx)
    total = ctx.count("customer_scores", filters)
    reasons = pick(cols, f"reasons_{ctx.lang}", "reasons")
    shown_cols = [c for c in LIST_COLUMNS if c in cols] + ([reasons] if reasons else [])
    order = ("churn_probability",) if "churn_probability" in cols else ()
    df = ctx.frame(
        "customer_scores", shown_cols, filters=filters, order_by=order, descending=True, limit=LIST_LIMIT
    )
    df = with_context(ctx, df)
    st.caption(ctx.t("shown_rows", shown=ctx.num(len(df)), total=ctx.num(total)))
    listed(ctx, df, reasons, "reasons", ("customer_id", "risk_band"), key="risk_table")
    if total:

        def csv() -> bytes:  # built only when the button is clicked
            full = ctx.frame(
                "customer_scores",
                shown_cols,
                filters=filters,
                order_by=order,
                descending=True,
                limit=EXPORT_LIMIT,
            )
            return csv_bytes(full)

        st.download_button(
            ctx.t("download_csv"), csv, file_name="customers_at_risk.csv", mime="text/csv", key="risk_csv"
        )


def latest_cohort(ctx: Ctx) -> int | None:
    """The most recent held-out cohort (cohort 1 is the latest whose labels are known)."""
    for table in ("churn_backtest", "churn_curves", "churn_model_report"):
        if ctx.has(table) and "cohort" in ctx.columns(table):
            values = ctx.distinct(table, "cohort")
            if values:
                return int(min(values))
    return None


def _cohort(ctx: Ctx, table: str, cohort: int | None) -> tuple:
    return (("cohort", "==", cohort),) if cohort is not None and "cohort" in ctx.columns(table) else ()


def comparison(ctx: Ctx, cohort: int | None) -> None:
    st.subheader(ctx.t("model_comparison"))
    if not ctx.need("churn_backtest"):
        return
    df = ctx.frame("churn_backtest", filters=_cohort(ctx, "churn_backtest", cohort))
    keep = [c for c in BACKTEST_COLUMNS if c in df.columns]
    if {"model", "roc_auc"} <= set(df.columns):
        fig = go.Figure()
        for metric in ("roc_auc", "pr_auc"):
            if metric in df.columns:
                fig.add_trace(go.Bar(x=df["model"].map(ctx.vlabel), y=df[metric], name=ctx.label(metric)))
        charts.titled(fig, ctx.label("model"), ctx.t("axis_score"))
        charts.style(fig, height=300)
        fig.update_yaxes(range=[0, 1])
        figure.show(fig, key="model_chart")
    if "cutoff" in df.columns and len(df):
        st.caption(f"{ctx.label('cutoff')}: {ctx.date(df['cutoff'].iloc[0])}")
    shown = df[keep] if keep else df
    if "model" in shown.columns:
        shown = shown.assign(model=shown["model"].map(ctx.vlabel))
    show_table(ctx, shown, key="model_table")
    for line in verdicts(ctx, ctx.frame("churn_backtest")):
        st.markdown(line)
    by = ctx.distinct("customer_scores", "scored_by") if "scored_by" in ctx.columns("customer_scores") else []
    fallback = [m for m in by if m != PRODUCTION]
    if fallback:
        st.info(ctx.t("scored_by_fallback_page", model=ctx.vlabel(fallback[0])))


def verdicts(ctx: Ctx, table: pd.DataFrame) -> list[str]:
    """`churnlens.churn.verdict`'s sentences with the page's dates, model names and numbers
    (ROC AUC differences to two decimals), latest held-out cutoff first."""
    if "auc_vs_best" not in table:
        return []
    out = []
    rows = table[(table["model"] == PRODUCTION) & table["auc_vs_best"].notna()].sort_values("cohort")
    for _, row in rows.iterrows():
        lo, hi = float(row["auc_vs_best_low"]), float(row["auc_vs_best_high"])
        key = "better" if lo > 0 else ("worse" if hi < 0 else "unclear")
        out.append(
            ctx.t(
                f"verdict_{key}",
                cutoff=ctx.date(row["cutoff"]),
                base=ctx.vlabel(row["best_baseline"]),
                diff=f"{float(row['auc_vs_best']):+.2f}",
                lo=f"{lo:+.2f}",
                hi=f"{hi:+.2f}",
            )
        )
    return out


def full_comparison(ctx: Ctx) -> None:
    """The last full comparison of models (kept until the next one), with its date."""
    if not ctx.has("churn_model_comparison"):
        return
    st.subheader(ctx.t("full_comparison"))
    df = ctx.frame("churn_model_comparison")
    if "computed_at" in df.columns and len(df):
        st.caption(ctx.t("computed_on", date=ctx.date(df["computed_at"].iloc[0])))
    keep = [c for c in ("cutoff", *BACKTEST_COLUMNS) if c in df.columns]
    shown = df[keep] if keep else df
    if "model" in shown.columns:
        shown = shown.assign(model=shown["model"].map(ctx.vlabel))
    show_table(ctx, shown, key="full_comparison_table")


def curves(ctx: Ctx, cohort: int | None) -> None:
    if not ctx.need("churn_curves"):
        return
    df = ctx.frame("churn_curves", filters=_cohort(ctx, "churn_curves", cohort), order_by=("point",))
    if not {"curve", "x", "y"} <= set(df.columns):
        show_table(ctx, df.head(500))
        return
    boxes = st.columns(2)
    titles = {"roc": "roc", "pr": "pr", "gains": "gains", "calibration": "calibration"}
    for i, (name, (x_key, y_key, diagonal)) in enumerate(CURVES.items()):
        part = df[df["curve"] == name]
        if part.empty:
            continue
        groups = list(part.groupby("model", sort=True)) if "model" in part.columns else [(name, part)]
        traces = [(ctx.vlabel(m), g["x"], g["y"]) for m, g in groups]
        fig = charts.curve(
            traces,
            ctx.t(x_key),
            ctx.t(y_key),
            ctx.t(diagonal) if diagonal else None,
            title=ctx.t(titles[name]),
        )
        with boxes[i % 2]:
            figure.show(fig, key=f"curve_{name}")


def main_model(models: list[str]) -> str | None:
    return next((m for m in ("lightgbm", *models) if m in models), None)


def confusion(ctx: Ctx, cohort: int | None) -> None:
    st.subheader(ctx.t("confusion"))
    if not ctx.need("churn_model_report"):
        return
    df = ctx.frame("churn_model_report", filters=_cohort(ctx, "churn_model_report", cohort))
    if not {"tp", "fp", "tn", "fn", "model", "rule"} <= set(df.columns) or df.empty:
        show_table(ctx, df)
        return
    model = main_model(list(dict.fromkeys(df["model"])))
    part = df[df["model"] == model]
    rules = list(dict.fromkeys(part["rule"]))
    rule = (
        st.segmented_control(
            ctx.t("threshold_rule"),
            rules,
            default=rules[0],
            format_func=lambda r: rule_label(ctx, r),
            key="confusion_rule",
        )
        or rules[0]
    )
    row = part[part["rule"] == rule].iloc[0]
    labels = (ctx.t("predicted"), ctx.t("actual"), ctx.t("churned"), ctx.t("stayed"))
    cols = st.columns([2, 1])
    with cols[0]:
        fig = charts.confusion(
            float(row["tp"]), float(row["fp"]), float(row["fn"]), float(row["tn"]), labels=labels
        )
        figure.show(fig, key="confusion_chart")
    with cols[1]:
        st.markdown(f"**{ctx.vlabel(model)}**")
        for col in ("threshold", "precision", "recall", "contacted_share"):
            if col in row.index:
                text = ctx.pct(row[col])
                st.markdown(f"{ctx.label(col)}: **{text}**")
        if "expected_profit" in row.index and not pd.isna(row["expected_profit"]):
            st.markdown(f"{ctx.label('expected_profit')}: **{ctx.money(row['expected_profit'])}**")


def rule_label(ctx: Ctx, rule: str) -> str:
    """best_f1, best_profit, p_0.5 and top_10pct in the reader's language."""
    m = re.fullmatch(r"top_(\d+)pct", str(rule))
    return ctx.t("rule_top_share", pct=m.group(1)) if m else ctx.vlabel(rule)


def backtest(ctx: Ctx) -> None:
    st.subheader(ctx.t("backtest"))
    if not ctx.need("churn_backtest"):
        return
    df = ctx.frame("churn_backtest")
    if not {"cutoff", "model", "roc_auc"} <= set(df.columns):
        show_table(ctx, df)
        return
    wide = df.pivot_table(index="cutoff", columns="model", values="roc_auc", aggfunc="first").reset_index()
    models = [c for c in wide.columns if c != "cutoff"]
    # one point per held-out cutoff, labelled by its date (a category axis: no clock ticks)
    wide = wide.sort_values("cutoff").assign(cutoff=lambda w: w["cutoff"].map(ctx.date))
    fig = charts.lines(
        wide,
        "cutoff",
        models,
        [ctx.vlabel(m) for m in models],
        x_title=ctx.label("cutoff"),
        y_title=ctx.label("roc_auc"),
    )
    figure.show(fig, key="backtest_chart")


IMBALANCE_COLUMNS = ("strategy", "roc_auc", "roc_auc_vs_none", "pr_auc", "calibration_error", "recall_at_0_5")
RESAMPLING = ("oversample", "smote", "undersample")


def imbalance(ctx: Ctx) -> None:
    """LightGBM per class-imbalance strategy on the latest held-out cutoff, and the verdict."""
    st.subheader(ctx.t("imbalance"))
    if not ctx.need("churn_imbalance_comparison"):
        return
    df = ctx.frame("churn_imbalance_comparison")
    if not {"strategy", "roc_auc", "roc_auc_vs_none", "calibration_error"} <= set(df.columns):
        show_table(ctx, df)
        return
    for sentence in imbalance_verdict(ctx, df):
        st.markdown(sentence)
    shown = df[[c for c in IMBALANCE_COLUMNS if c in df.columns]]
    show_table(ctx, shown.assign(strategy=shown["strategy"].map(ctx.vlabel)), key="imbalance_table")


def imbalance_verdict(ctx: Ctx, df: pd.DataFrame) -> list[str]:
    """Which strategy ranks best, whether it helps, and what resampling does to probabilities."""
    others = df[df["strategy"] != "none"]
    if others.empty:
        return []
    best = others.sort_values("roc_auc", ascending=False, kind="stable").iloc[0]
    if bool(best.get("helps", False)):
        out = [
            ctx.t(
                "imbalance_helps",
                best=ctx.vlabel(best["strategy"]),
                code=best["strategy"],
                auc=ctx.num(best["roc_auc"], 2),
                gain=f"{best['roc_auc_vs_none']:+.2f}",
            )
        ]
    else:
        out = [
            ctx.t(
                "imbalance_no_help",
                best=ctx.vlabel(best["strategy"]),
                gain=f"{best['roc_auc_vs_none']:+.2f}",
            )
        ]
    resampled = df[df["strategy"].isin(RESAMPLING)].dropna(subset=["calibration_error"])
    none = df[df["strategy"] == "none"]
    if len(resampled) and len(none):
        worst = resampled.sort_values("calibration_error", ascending=False).iloc[0]
        if worst["calibration_error"] > none["calibration_error"].iloc[0]:
            out.append(
                ctx.t(
                    "imbalance_calibration",
                    worst=ctx.num(worst["calibration_error"], 2),
                    strategy=ctx.vlabel(worst["strategy"]),
                    none=ctx.num(none["calibration_error"].iloc[0], 2),
                )
            )
    return out


def importance(ctx: Ctx) -> None:
    st.subheader(ctx.t("feature_importance"))
    if not ctx.need("churn_feature_importance"):
        return
    df = ctx.frame("churn_feature_importance")
    label = pick(df.columns, "label_ko" if ctx.lang == "ko" else "description", "description", "feature")
    value = pick(df.columns, "gain", "importance", "mean_abs_contribution")
    if label and value:
        top = df.sort_values(value, ascending=False).head(15)
        figure.show(
            charts.bars(
                top,
                label,
                value,
                name=ctx.label(value),
                horizontal=True,
                height=460,
                x_title=ctx.t("axis_feature"),
                y_title=ctx.label(value),
            ),
            key="importance_chart",
        )
    else:
        show_table(ctx, df)
