"""Churn risk: the at-risk list with filters and CSV download, and the model's quality.

Tables: ``customer_scores`` (list, filters), ``churn_model_metrics`` (model vs baselines,
confusion matrix), ``churn_curves`` (ROC, PR, lift, calibration), ``churn_backtest``,
``churn_feature_importance``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churnlens.app import charts
from churnlens.app.context import Ctx
from churnlens.app.widgets import numeric_columns, pick, show_table

TABLES = (
    "customer_scores",
    "churn_model_metrics",
    "churn_curves",
    "churn_backtest",
    "churn_feature_importance",
)
LIST_LIMIT = 500
EXPORT_LIMIT = 200_000
PROB = ("churn_probability", "p_churn", "probability", "score")
VALUE = ("clv", "expected_value", "value", "monetary", "revenue_at_stake", "revenue")


def render(ctx: Ctx) -> None:
    st.title(ctx.t("page_churn"))
    at_risk(ctx)
    st.divider()
    st.header(ctx.t("model_quality"))
    model_table(ctx)
    curves(ctx)
    backtest(ctx)
    importance(ctx)


def list_filters(ctx: Ctx, cols: list[str]) -> tuple[tuple, str | None]:
    """Filter widgets for the at-risk list; returns the filters and the value column."""
    filters: list = []
    boxes = st.columns(4)
    for box, (col, label) in zip(
        boxes[:3],
        (
            (pick(cols, "risk_band"), "risk_band"),
            (pick(cols, "segment"), "segment"),
            (pick(cols, "action"), "action"),
        ),
        strict=True,
    ):
        if not col:
            continue
        options = ctx.distinct("customer_scores", col)
        with box:
            chosen = st.multiselect(ctx.t(label), options, key=f"risk_{label}")
        if chosen:
            filters.append((col, "in", tuple(chosen)))
    value = pick(cols, *VALUE)
    if value:
        with boxes[3]:
            minimum = st.number_input(
                ctx.t("min_value"), min_value=0.0, value=0.0, step=1.0, key="risk_min_value"
            )
        if minimum > 0:
            filters.append((value, ">=", float(minimum)))
    return tuple(filters), value


def at_risk(ctx: Ctx) -> None:
    st.subheader(ctx.t("at_risk"))
    if not ctx.need("customer_scores"):
        return
    cols = ctx.columns("customer_scores")
    filters, _ = list_filters(ctx, cols)
    prob = pick(cols, *PROB)
    order = (prob,) if prob else ()
    total = ctx.count("customer_scores", filters)
    df = ctx.frame("customer_scores", filters=filters, order_by=order, descending=True, limit=LIST_LIMIT)
    st.caption(ctx.t("shown_rows", shown=ctx.num(len(df)), total=ctx.num(total)))
    reasons = pick(cols, f"reasons_{ctx.lang}", "reasons_en", "reasons", "top_reasons")
    if reasons:
        df = df.drop(
            columns=[c for c in cols if c.startswith("reasons") and c != reasons and c in df.columns]
        )
    show_table(ctx, df, height=420, key="risk_table")
    if total:
        full = ctx.frame(
            "customer_scores", filters=filters, order_by=order, descending=True, limit=EXPORT_LIMIT
        )
        st.download_button(
            ctx.t("download_csv"),
            full.to_csv(index=False).encode("utf-8"),
            file_name="customers_at_risk.csv",
            mime="text/csv",
            key="risk_csv",
        )


def model_table(ctx: Ctx) -> None:
    st.subheader(ctx.t("model_comparison"))
    if not ctx.need("churn_model_metrics"):
        return
    df = ctx.frame("churn_model_metrics")
    model = pick(df.columns, "model", "name")
    metric = pick(df.columns, "roc_auc", "auc", "pr_auc", "average_precision")
    if model and metric:
        charts.show(charts.bars(df, model, metric, name=ctx.label(metric), height=280), key="model_chart")
    show_table(ctx, df, key="model_table")
    cm = [pick(df.columns, n) for n in ("tp", "fp", "fn", "tn")]
    if all(cm) and len(df):
        row = df.iloc[0]
        if model and "is_baseline" in df.columns:
            main = df[~df["is_baseline"].astype(bool)]
            row = main.iloc[0] if len(main) else row
        st.subheader(ctx.t("confusion"))
        labels = (ctx.t("predicted"), ctx.t("actual"), ctx.t("churned"), ctx.t("stayed"))
        charts.show(charts.confusion(*(float(row[c]) for c in cm), labels=labels), key="confusion_chart")


CURVES = {
    "roc": ("roc", ("fpr", "tpr"), "chance"),
    "pr": ("pr", ("recall", "precision"), None),
    "lift": ("lift", ("depth", "lift"), None),
    "calibration": ("calibration", ("predicted", "observed"), "perfect"),
}


def curves(ctx: Ctx) -> None:
    if not ctx.need("churn_curves"):
        return
    df = ctx.frame("churn_curves")
    kind = pick(df.columns, "curve", "kind", "type")
    x, y = pick(df.columns, "x"), pick(df.columns, "y")
    model = pick(df.columns, "model", "name")
    if not (kind and x and y):
        show_table(ctx, df.head(500))
        return
    boxes = st.columns(2)
    for i, (key, (title_key, axes, diagonal)) in enumerate(CURVES.items()):
        part = df[df[kind].astype(str).str.lower() == key]
        if part.empty:
            continue
        groups = list(part.groupby(model, sort=False)) if model else [(ctx.t(title_key), part)]
        traces = [(str(name), g[x], g[y]) for name, g in groups]
        x_title = pick(part.columns, "x_label") and str(part["x_label"].iloc[0]) or axes[0]
        y_title = pick(part.columns, "y_label") and str(part["y_label"].iloc[0]) or axes[1]
        fig = charts.curve(
            traces, x_title, y_title, ctx.t(diagonal) if diagonal else None, title=ctx.t(title_key)
        )
        with boxes[i % 2]:
            charts.show(fig, key=f"curve_{key}")


def backtest(ctx: Ctx) -> None:
    st.subheader(ctx.t("backtest"))
    if not ctx.need("churn_backtest"):
        return
    df = ctx.frame("churn_backtest")
    when = pick(df.columns, "cutoff", "cutoff_date", "month", "period")
    model = pick(df.columns, "model", "name")
    metric = pick(df.columns, "roc_auc", "auc", "pr_auc", "precision", "recall")
    if when and metric:
        df = df.sort_values(when)
        if model:
            wide = df.pivot_table(index=when, columns=model, values=metric, aggfunc="first").reset_index()
            ys = [c for c in wide.columns if c != when]
            fig = charts.lines(wide, when, ys, [str(c) for c in ys], title=ctx.label(metric))
        else:
            ys = [c for c in numeric_columns(df) if c != when][:4]
            fig = charts.lines(df, when, ys, [ctx.label(c) for c in ys])
        charts.show(fig, key="backtest_chart")
    show_table(ctx, df, key="backtest_table")


def importance(ctx: Ctx) -> None:
    st.subheader(ctx.t("feature_importance"))
    if not ctx.need("churn_feature_importance"):
        return
    df = ctx.frame("churn_feature_importance")
    feat = pick(df.columns, f"feature_{ctx.lang}", "feature_label", "feature", "name")
    imp = pick(df.columns, "importance", "gain", "mean_abs_shap", "weight")
    if feat and imp:
        df = df.sort_values(imp, ascending=False).head(20)
        charts.show(charts.bars(df, feat, imp, horizontal=True, height=440), key="importance_chart")
    else:
        show_table(ctx, df)


def probability_label(ctx: Ctx, p: float) -> str:
    return ctx.pct(p) if not pd.isna(p) else "–"
