"""The report's churn sections: the customers to contact first and the plain-language model card
(figures from `churnlens.report_sections`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from churnlens import report_sections as rs
from churnlens import report_svg as svg
from churnlens.presentation import i18n
from churnlens.report_parts import Labels, section

AT_RISK_ROWS = 20


def at_risk_section(
    lab: Labels, actions: pd.DataFrame | None, scores: pd.DataFrame | None
) -> dict[str, Any] | None:
    rows = rs.at_risk(actions, scores, AT_RISK_ROWS)
    if rows.empty:
        return None
    ko = lab.lang == "ko"
    why_col = "reasons_ko" if ko and "reasons_ko" in rows else "reasons"
    act_col = "reason_ko" if ko and "reason_ko" in rows else "reason"
    shown = [
        ("customer_id", "text"),
        ("churn_probability", "pct"),
        ("value", "money"),
        ("days_since_last_order", "count"),
    ]
    shown = [(c, k) for c, k in shown if c in rows]
    names = {"days_since_last_order": lab.t("report_days_since")}
    headers = [{"text": names.get(c) or lab.label(c), "num": k != "text"} for c, k in shown]
    headers += [{"text": lab.t("report_why"), "num": False}, {"text": lab.t("report_action"), "num": False}]
    body = []
    for _, r in rows.iterrows():
        cells = [
            {"text": lab.value(r[c], k) if k != "text" else str(r[c]), "num": k != "text"} for c, k in shown
        ]
        why = [p.strip() for p in str(r.get(why_col) or "").split(";") if p.strip()]
        action = [lab.vlabel(r["action"])] if "action" in rows and pd.notna(r["action"]) else []
        if act_col in rows and pd.notna(r.get(act_col)):
            action.append(str(r[act_col]))
        cells += [
            {"lines": why, "num": False, "cls": "why"},
            {"lines": action, "num": False, "cls": "action"},
        ]
        body.append(cells)
    intro = lab.t("report_at_risk_saveable" if "state" in rows else "report_at_risk_all", n=len(rows))
    return section(
        "at-risk", lab.t("report_at_risk"), paragraphs=[intro], tables=[{"headers": headers, "rows": body}]
    )


def _rule_name(lab: Labels, rule: str) -> str:
    key = f"report_rule_{rule}"
    text = lab.t(key)
    return rule if text == key else text


def model_card_section(lab: Labels, backtest: pd.DataFrame | None) -> dict[str, Any] | None:
    card = rs.model_card(backtest)
    if card is None:
        return None
    when = i18n.fmt_date(card.cutoff[:10], lab.lang) if card.cutoff[:4].isdigit() else card.cutoff
    paragraphs = [lab.t("report_card_test", customers=i18n.fmt_number(card.customers), date=when)]
    figures = [{"figure": lab.pct(card.model_hit), "text": lab.t("report_card_model")}]
    bars = [(lab.t("report_card_bar_model"), card.model_hit)]
    if card.rule is not None and card.rule_hit is not None:
        rule = _rule_name(lab, card.rule)
        figures.append({"figure": lab.pct(card.rule_hit), "text": lab.t("report_card_rule", rule=rule)})
        bars.append((lab.t("report_card_bar_rule"), card.rule_hit))
    figures.append({"figure": lab.pct(card.churn_rate), "text": lab.t("report_card_base")})
    figures.append({"figure": lab.pct(card.capture), "text": lab.t("report_card_capture")})
    bars.append((lab.t("report_card_bar_all"), card.churn_rate))
    if card.rule_hit is not None:
        diff = round((card.model_hit - card.rule_hit) * 100, 1)
        key = "report_card_better" if diff > 0 else "report_card_worse" if diff < 0 else "report_card_same"
        paragraphs.append(lab.t(key, diff=f"{abs(diff):.1f}"))
    if card.auc_diff is not None and card.auc is not None and card.best_auc is not None:
        better = card.auc_low is not None and card.auc_low > 0
        paragraphs.append(
            lab.t(
                "report_card_auc",
                auc=lab.pct(card.auc),
                rule=_rule_name(lab, card.best_baseline or ""),
                best=lab.pct(card.best_auc),
                diff=f"{card.auc_diff * 100:+.1f}",
                low=f"{(card.auc_low or 0) * 100:+.1f}",
                high=f"{(card.auc_high or 0) * 100:+.1f}",
            )
            + " "
            + lab.t("report_card_measurably_better" if better else "report_card_not_better")
        )
    chart = svg.bars(
        [b[0] for b in bars],
        [b[1] for b in bars],
        lab.pct,
        lab.t("report_card_chart"),
        lab.t("report_model_card"),
        tick_fmt=lambda v: i18n.fmt_pct(v, lab.lang, 0),
    )
    return section(
        "model-card", lab.t("report_model_card"), paragraphs=paragraphs, figures=figures, charts=[chart]
    )
