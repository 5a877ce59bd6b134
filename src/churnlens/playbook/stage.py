"""The playbook stage: one action per scored customer from whatever results exist.

Inputs, each used when present (``playbook_inputs`` says which were used and what replaced the
missing ones):

- ``customer_scores`` (churn stage): the scored customers, P(churn), risk band, cutoff, and the
  value columns of `PlaybookConfig.value_columns` (CLV joined from ``customer_value``). Without
  it, the customers with a paid order in the ``ChurnConfig.lookback_days`` before the last order
  are scored by the personal-cycle baseline: P(churn) = min(1, days since the last order /
  (``cycle_multiple`` x the customer's mean days between orders; the shop's median for
  one-order customers)).
- value: the first ``value_columns`` column of customer_scores (or, when customer_scores lacks
  it, of the CLV stage's ``customer_value``) with values, else the revenue
  (paid orders without prices) of the ``history_days`` before the cutoff.
- ``rfm`` (segments stage): the segment, for ``segment=`` rules; none when absent.
- orders: days since the last paid order, the mean gap between purchase days, the shop's repeat
  gaps (customer states), promo share (orders with a promo code or a discount), the measured
  promotion uplift; order_items: routine products; ``churn_window``: the window the scores
  predict (the reasons name it).

Results: ``actions`` (one row per scored customer, by the revenue a contact can still save), ``campaign_summary`` (one row per action), ``routine_products`` (the
due routine products per customer), ``customer_states`` (each state in this shop's numbers),
``promo_uplift`` and ``playbook_inputs``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd

from churnlens.churn.window import gap_summary
from churnlens.config import ChurnlensConfig
from churnlens.errors import StageSkipped
from churnlens.paid import has_prices
from churnlens.playbook import campaign, routine, rules, sentences, states, uplift
from churnlens.run_cutoff import run_cutoff
from churnlens.warehouse import Warehouse

ACTION_COLUMNS = [
    "customer_id",
    "state",
    "action",
    "reason",
    "reason_ko",
    "considered_action",
    "considered_value",
    "rule",
    "risk",
    "churn_probability",
    "p_alive",
    "value",
    "value_source",
    "value_level",
    "segment",
    "orders",
    "purchase_days",
    "days_since_last_order",
    "usual_gap_days",
    "overdue_ratio",
    "dormant",
    "promo_share",
    "promo_sensitive",
    "offer_discount",
    "routine_products",
    "routine_product_names",
    "routine_due",
    "revenue_at_stake",
    "save_rate",
    "save_rate_source",
    "expected_saved_revenue",
    "contact_cost",
    "expected_value",
    "cutoff",
]


def _latest(t: ibis.Table) -> ibis.Table:
    """Each customer's row of their latest cutoff when the table has one (relative-time shops
    score every customer at their own last order, so cutoffs differ between customers)."""
    if "cutoff" not in t.columns:
        return t
    # the latest cutoff as a column first: Spark cannot resolve a filter on a window or subquery
    group = t.customer_id if "customer_id" in t.columns else None
    t = t.mutate(_latest_cutoff=t.cutoff.max().over(ibis.window(group_by=group)))
    return t.filter(t.cutoff == t._latest_cutoff).drop("_latest_cutoff")


def order_facts(orders: ibis.Table, cutoff: datetime, history_days: int, priced: bool) -> ibis.Table:
    """Per customer at the cutoff: last order, mean gap between purchase days (several orders on
    one day are one purchase), promo share, revenue of the history."""
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    start = ibis.literal(pd.Timestamp(cutoff - timedelta(days=history_days)), type="timestamp")
    p = orders.filter((orders.status == "paid") & orders.customer_id.notnull() & (orders.order_ts <= c))
    promo = (p.promo_code.notnull() & (p.promo_code != "")) | (p.discount_amount.fill_null(0) > 0)
    recent = p.order_ts > start
    amount = p.total_amount if priced else ibis.literal(1.0)
    g = p.group_by("customer_id").aggregate(
        orders=p.count(),
        first_ts=p.order_ts.min(),
        last_ts=p.order_ts.max(),
        purchase_days=p.order_ts.date().nunique(),
        promo_orders=promo.cast("int64").sum(),
        promo_known=(p.promo_code.notnull() | p.discount_amount.notnull()).cast("int64").sum(),
        history_value=ibis.ifelse(recent, amount, 0.0).sum(),
    )
    days = (c.epoch_seconds() - g.last_ts.epoch_seconds()) / 86400.0
    gap = ibis.ifelse(
        g.purchase_days > 1,
        (g.last_ts.epoch_seconds() - g.first_ts.epoch_seconds()) / 86400.0 / (g.purchase_days - 1),
        None,
    )
    return g.select(
        "customer_id",
        orders=g.orders.cast("int64"),
        purchase_days=g.purchase_days.cast("int64"),
        days_since_last_order=days.cast("float64"),
        mean_gap_days=gap.cast("float64"),
        promo_share=ibis.ifelse(g.promo_known > 0, g.promo_orders.cast("float64") / g.orders, None).cast(
            "float64"
        ),
        history_value=g.history_value.cast("float64"),
    )


def median_order_value(orders: ibis.Table, cutoff: datetime, history_days: int) -> float:
    """The median total of the paid orders of the last ``history_days`` before the cutoff
    (of all paid orders when that window has none); 1.0 when no order has a total."""
    c = ibis.literal(pd.Timestamp(cutoff), type="timestamp")
    start = ibis.literal(pd.Timestamp(cutoff - timedelta(days=history_days)), type="timestamp")
    p = orders.filter((orders.status == "paid") & orders.total_amount.notnull() & (orders.order_ts <= c))
    for rows in (p.filter(p.order_ts > start), p):
        value = rows.total_amount.median().to_pyarrow().as_py()
        if value is not None and value > 0:
            return float(value)
    return 1.0


def baseline_scores(facts: pd.DataFrame, lookback_days: int, cycle_multiple: float) -> pd.DataFrame:
    """P(churn) from the personal-cycle baseline for customers active in the lookback."""
    f = facts[facts.days_since_last_order <= lookback_days].copy()
    median_gap = float(f.mean_gap_days.median()) if f.mean_gap_days.notna().any() else 30.0
    gap = f.mean_gap_days.fillna(median_gap).clip(lower=1.0)
    f["churn_probability"] = (f.days_since_last_order / (cycle_multiple * gap)).clip(0.0, 1.0)
    return f[["customer_id", "churn_probability"]]


def build_inputs(wh: Warehouse, config: ChurnlensConfig) -> tuple[pd.DataFrame, datetime, list[dict], bool]:
    """One row per scored customer with everything the rules need, the cutoff and the notes."""
    cfg, churn = config.playbook, config.churn
    orders = wh.table("orders")
    priced = has_prices(orders)
    notes: list[dict] = []
    scores = _latest(wh.table("customer_scores")).to_pandas() if wh.has("customer_scores") else None
    if scores is not None and len(scores) and "cutoff" in scores and scores.cutoff.notna().any():
        cutoff = pd.Timestamp(scores.cutoff.max()).to_pydatetime()
    else:
        cutoff = run_cutoff(wh, config)
    facts = order_facts(orders, cutoff, cfg.history_days, priced).to_pandas()
    if scores is not None and len(scores):
        base = scores.drop_duplicates("customer_id").copy()
        notes.append(_note("customer_scores", True, f"{len(base):,} scored customers at {cutoff:%Y-%m-%d}"))
    else:
        base = baseline_scores(facts, churn.lookback_days, churn.cycle_multiple)
        notes.append(
            _note(
                "customer_scores",
                False,
                "not found: P(churn) from the personal-cycle baseline "
                f"(days since last order / ({churn.cycle_multiple} x own mean gap)); run the churn stage",
            )
        )
    df = base.merge(facts, on="customer_id", how="left")
    missing = [c for c in [*cfg.value_columns, "p_alive"] if c not in df]
    if missing and wh.has("customer_value"):
        cv = _latest(wh.table("customer_value"))
        take = [c for c in missing if c in cv.columns]
        if take:
            cvd = cv.select("customer_id", *take).to_pandas().drop_duplicates("customer_id")
            df = df.merge(cvd, on="customer_id", how="left")
            notes.append(
                _note("customer_value", True, f"{', '.join(take)} from the CLV stage's customer_value")
            )
    value_col = next((c for c in cfg.value_columns if c in df and df[c].notna().any()), None)
    if value_col:
        df["value"] = pd.to_numeric(df[value_col], errors="coerce")
        df["value_source"] = value_col
        notes.append(_note("value", True, f"customer_scores.{value_col}"))
    else:
        df["value"] = df.history_value.fillna(0.0)
        unit = "revenue" if priced else "paid orders"
        df["value_source"] = f"{unit} of the last {cfg.history_days} days"
        notes.append(
            _note(
                "value",
                False,
                f"none of {list(cfg.value_columns)} found: {unit} of the last {cfg.history_days} days",
            )
        )
    if wh.has("rfm"):
        rfm = (
            _latest(wh.table("rfm"))
            .select("customer_id", "segment")
            .to_pandas()
            .drop_duplicates("customer_id")
        )
        df = df.drop(columns=["segment"], errors="ignore").merge(rfm, on="customer_id", how="left")
        notes.append(_note("rfm", True, "RFM segment"))
    else:
        df["segment"] = None
        notes.append(
            _note("rfm", False, "not found: no segments (segment= rules never hold); run the segments stage")
        )
    if (df.promo_share.fillna(0) > 0).any():
        notes.append(_note("promotions", True, "promo share of paid orders"))
    else:
        notes.append(
            _note(
                "promotions",
                False,
                "no paid order carries a promo code or discount: nobody is promo sensitive",
            )
        )
    notes.append(_note("value_unit", priced, "money" if priced else "items (the shop has no prices)"))
    return df, cutoff, notes, priced


def _note(name: str, used: bool, note: str) -> dict:
    return {"input": name, "used": bool(used), "note": note}


def run(wh: Warehouse, config: ChurnlensConfig) -> dict[str, Any]:
    cfg = config.playbook
    parsed = rules.parse_rules(list(cfg.rules), cfg)
    orders = wh.table("orders")
    if (
        not wh.has("customer_scores")
        and not orders.filter(orders.status == "paid").count().to_pyarrow().as_py()
    ):
        raise StageSkipped("no customer_scores and no paid orders: nobody to score")
    df, cutoff, notes, priced = build_inputs(wh, config)
    order_value = median_order_value(orders, cutoff, cfg.history_days) if priced else 1.0
    # money is shown (and stored) in whole units unless a typical order is below 1,000 units
    decimals = 0 if order_value >= 1000 else 2
    gaps = gap_summary(orders, [cfg.return_horizon_share], [], cutoff)
    median_gap = gaps["median"] if gaps["median"] is not None else float(config.churn.window_days)
    horizon = gaps.get(f"q{cfg.return_horizon_share:g}")
    shown = states.customer_states(df, cfg, median_gap, horizon)
    df = df.drop(columns=[c for c in shown.columns if c in df]).join(shown)
    df["churn_probability"] = pd.to_numeric(df.churn_probability, errors="coerce").round(2)
    df["value"] = pd.to_numeric(df.value, errors="coerce").round(decimals)
    flags = rules.customer_flags(df, cfg)
    if cfg.contact_cost_unit == "order":
        unit = f"{order_value:,.2f} (the median paid order)" if priced else "1 order (the shop has no prices)"
        notes.append(_note("contact_costs", True, f"shares of {unit}"))
    window = _window_days(wh, config) if wh.has("customer_scores") else None
    effect = uplift.promo_uplift(
        orders,
        cutoff,
        float(cfg.uplift_horizon_days or _window_days(wh, config)),
        cfg.uplift_bootstrap,
        cfg.uplift_propensity_clip,
        config.churn.random_state,
        cfg.uplift_min_orders,
    )
    measured = _measured(effect, notes)
    acts = campaign.expected_values(rules.assign_actions(flags, parsed), cfg, order_value, measured)
    for col in (
        "revenue_at_stake",
        "expected_saved_revenue",
        "contact_cost",
        "expected_value",
        "considered_value",
    ):
        acts[col] = acts[col].round(decimals)
    currency = wh.dataset_info().get("currency") if priced else None
    acts["reason"] = sentences.reasons(acts, "en", decimals, window, currency)
    acts["reason_ko"] = sentences.reasons(acts, "ko", decimals, window, currency)
    acts = acts.sort_values(["expected_saved_revenue", "customer_id"], ascending=[False, True])
    due = pd.DataFrame(
        columns=["customer_id", "product_id", "orders", "interval_days", "days_since", "overdue"]
    )
    if wh.has("order_items"):
        due = routine.routine_candidates(wh.table("orders"), wh.table("order_items"), cutoff, cfg).to_pandas()
        due = due[due.customer_id.isin(acts.customer_id)]
        notes.append(_note("order_items", True, f"{len(due):,} due routine products"))
    else:
        notes.append(_note("order_items", False, "not found: no routine products"))
    names = wh.table("products").select("product_id", "name").to_pandas() if wh.has("products") else None
    lists = routine.routine_lists(due, names, cfg.routine_max_products)
    acts = acts.merge(lists, on="customer_id", how="left")
    acts["routine_due"] = acts.routine_due.fillna(0).astype("int64")
    acts["cutoff"] = pd.Timestamp(cutoff)
    if "days_since_last_order" not in acts:
        acts["days_since_last_order"] = np.nan
    out_actions = acts[ACTION_COLUMNS].reset_index(drop=True)
    for col in (
        "state",
        "considered_action",
        "save_rate_source",
        "segment",
        "routine_products",
        "routine_product_names",
        "value_source",
        "reason",
        "reason_ko",
    ):
        out_actions[col] = out_actions[col].astype("string")
    due_named = due.merge(names, on="product_id", how="left") if names is not None else due.assign(name=None)
    summary = campaign.campaign_summary(out_actions, "money" if priced else "items")
    return {
        "actions": out_actions,
        "campaign_summary": summary,
        "routine_products": due_named.sort_values(["customer_id", "orders"], ascending=[True, False]),
        "playbook_inputs": pd.DataFrame(notes),
        "customer_states": states.definitions(cfg, median_gap, horizon),
        "promo_uplift": effect,
    }


def _measured(effect: pd.DataFrame, notes: list[dict]) -> float | None:
    """The measured save rate of a discount offer (the "all" row), noted either way."""
    row = effect[(effect.segment == "all") & effect.save_rate.notna()]
    if not len(row):
        notes.append(
            _note(
                "promo_uplift", False, "too few orders with and without a promotion: save rates are assumed"
            )
        )
        return None
    r = row.iloc[0]
    notes.append(
        _note(
            "promo_uplift",
            True,
            f"a promotion raises repurchase within {r.horizon_days:g} days by {r.uplift:+.1%} "
            f"(95% interval {r.ci_low:+.1%} to {r.ci_high:+.1%}): discount offers save {r.save_rate:.0%}",
        )
    )
    return float(r.save_rate)


def _window_days(wh: Warehouse, config: ChurnlensConfig) -> float:
    """The churn window the scores were computed for (table ``churn_window``, else the config)."""
    if wh.has("churn_window"):
        w = wh.table("churn_window").to_pandas()
        if len(w) and pd.notna(w.window_days.iloc[0]):
            return float(w.window_days.iloc[0])
    return float(config.churn.window_days)
