"""The report's decision sections, read from the playbook's and the churn stage's tables (never
recomputed):

- `states_section`: each customer state with its definition in the shop's own numbers
  (``customer_states``) and how many customers are in it (``actions.state``);
- `window_section`: what churn means on this shop: the window, how it was chosen and the base
  rate (``churn_window``);
- `uplift_section`: the measured effect of a promotion with its 95 % interval (``promo_uplift``)
  and the save rate each action uses, measured or assumed (``actions``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from churnlens.playbook.states import STATES
from churnlens.presentation import i18n
from churnlens.report_parts import Labels, section

#: ``promo_uplift`` segments in the order the report shows them.
UPLIFT_SEGMENTS = ("all", "first order", "second to fourth order", "fifth order or later")


def _cell(text: str, num: bool) -> dict[str, Any]:
    return {"text": text, "num": num}


def _head(lab: Labels, keys: list[str], numeric: list[bool]) -> list[dict[str, Any]]:
    return [{"text": lab.t(k), "num": n} for k, n in zip(keys, numeric, strict=True)]


def states_section(
    lab: Labels, definitions: pd.DataFrame | None, actions: pd.DataFrame | None
) -> dict[str, Any] | None:
    """State, customers, share of the scored customers, definition (in ``lab``'s language)."""
    if definitions is None or definitions.empty or actions is None or "state" not in actions:
        return None
    text = "definition_ko" if lab.lang == "ko" and "definition_ko" in definitions else "definition"
    counts = actions["state"].value_counts()
    total = int(counts.sum())
    by_state = definitions.set_index("state")
    rows = []
    for state in [s for s in STATES if s in by_state.index]:
        n = int(counts.get(state, 0))
        rows.append(
            [
                _cell(lab.vlabel(state), False),
                _cell(i18n.fmt_number(n, lab.lang), True),
                _cell(lab.pct(n / total if total else None), True),
                _cell(str(by_state.loc[state, text]), False),
            ]
        )
    headers = _head(lab, ["report_state"], [False])
    headers += [
        {"text": lab.label("customers"), "num": True},
        {"text": lab.label("customer_share"), "num": True},
    ]
    headers += _head(lab, ["report_definition"], [False])
    return section(
        "states",
        lab.t("report_states"),
        paragraphs=[lab.t("report_states_help")],
        tables=[{"headers": headers, "rows": rows}],
    )


def window_section(lab: Labels, window: pd.DataFrame | None) -> dict[str, Any] | None:
    """The churn window in days, why it was chosen and the base rate."""
    if window is None or window.empty or pd.isna(window["window_days"].iloc[0]):
        return None
    w = window.iloc[0]
    days = i18n.fmt_number(w["window_days"], lab.lang)
    reason = str(w["reason_ko"] if lab.lang == "ko" and "reason_ko" in w else w["reason"])
    figures = [{"figure": lab.t("report_window_days", days=days), "text": lab.t("report_window_meaning")}]
    rate = w.get("base_rate")
    if rate is not None and not pd.isna(rate):
        figures.append(
            {
                "figure": lab.pct(rate),
                "text": lab.t(
                    "report_window_base",
                    n=i18n.fmt_number(w["base_rate_customers"], lab.lang),
                    date=i18n.fmt_date(w["base_rate_cutoff"], lab.lang),
                    days=days,
                ),
            }
        )
    return section(
        "churn-window",
        lab.t("report_window"),
        figures=figures,
        notes=[lab.t("report_window_why", reason=reason)],
    )


def points(lab: Labels, share: float) -> str:
    """A difference of shares in percentage points, signed: ``+1.5 pts`` / ``+1.5%p``."""
    return lab.t("report_uplift_points", value=f"{float(share) * 100:+.1f}")


def uplift_table(lab: Labels, effect: pd.DataFrame) -> dict[str, Any]:
    keys = [
        "report_uplift_segment",
        "report_uplift_treated",
        "report_uplift_controls",
        "report_uplift_rate_treated",
        "report_uplift_rate_controls",
        "report_uplift_effect",
        "report_uplift_interval",
        "report_uplift_save",
    ]
    rows = []
    by_segment = effect.set_index("segment")
    for seg in [s for s in UPLIFT_SEGMENTS if s in by_segment.index]:
        r = by_segment.loc[seg]
        rows.append(
            [
                _cell(lab.t(f"report_uplift_{seg}"), False),
                _cell(i18n.fmt_number(r["treated"], lab.lang), True),
                _cell(i18n.fmt_number(r["controls"], lab.lang), True),
                _cell(lab.pct(r["repurchase_treated"]), True),
                _cell(lab.pct(r["repurchase_controls_weighted"]), True),
                _cell(points(lab, r["uplift"]), True),
                _cell(f"{points(lab, r['ci_low'])} … {points(lab, r['ci_high'])}", True),
                _cell(lab.pct(r["save_rate"]), True),
            ]
        )
    return {"headers": _head(lab, keys, [False] + [True] * 7), "rows": rows}


def save_rates(actions: pd.DataFrame | None) -> pd.DataFrame:
    """One row per action, save rate and source (``measured`` / ``assumed``) the playbook used,
    with its customers; actions that save nobody (no contact) are left out."""
    cols = {"action", "save_rate", "save_rate_source", "customer_id"}
    if actions is None or not cols <= set(actions):
        return pd.DataFrame(columns=["action", "save_rate", "save_rate_source", "customers"])
    used = actions[pd.to_numeric(actions["save_rate"], errors="coerce") > 0]
    g = used.groupby(["action", "save_rate_source", "save_rate"], as_index=False).agg(
        customers=("customer_id", "size")
    )
    return g.sort_values(["action", "save_rate_source"], kind="stable").reset_index(drop=True)


def uplift_section(
    lab: Labels, effect: pd.DataFrame | None, actions: pd.DataFrame | None
) -> dict[str, Any] | None:
    """The measured promotion effect and the save rates, measured or assumed."""
    rates = save_rates(actions)
    if (effect is None or effect.empty) and rates.empty:
        return None
    paragraphs, tables = [], []
    if effect is not None and not effect.empty:
        paragraphs.append(
            lab.t("report_uplift_help", days=i18n.fmt_number(effect["horizon_days"].iloc[0], lab.lang))
        )
        tables.append(uplift_table(lab, effect))
        everything = effect[effect["segment"] == "all"]
        if len(everything) and float(everything["ci_low"].iloc[0]) <= 0 <= float(
            everything["ci_high"].iloc[0]
        ):
            paragraphs.append(lab.t("report_uplift_zero"))
    else:
        paragraphs.append(lab.t("report_uplift_none"))
    if not rates.empty:
        headers = [{"text": lab.label("action"), "num": False}]
        headers += _head(lab, ["report_uplift_save", "report_save_source"], [True, False])
        headers.append({"text": lab.label("customers"), "num": True})
        rows = [
            [
                _cell(lab.vlabel(r["action"]), False),
                _cell(lab.pct(r["save_rate"]), True),
                _cell(lab.t(f"report_save_{r['save_rate_source']}"), False),
                _cell(i18n.fmt_number(r["customers"], lab.lang), True),
            ]
            for _, r in rates.iterrows()
        ]
        tables.append({"headers": headers, "rows": rows, "caption": lab.t("report_save_rates")})
    return section("uplift", lab.t("report_uplift"), paragraphs=paragraphs, tables=tables)
