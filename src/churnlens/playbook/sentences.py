"""Reasons: one plain sentence per customer in English and Korean, made only of the numbers
shown in the same row of ``actions``, formatted as shown (whole days, percentages of the
probabilities rounded to two decimals, money as stored).

English, for example::

    At risk: last order 58 days ago, 2.3 times their usual 25 days between orders; 73% likely
    to place no order in the next 117 days; 45% likely to still be a customer; expected to
    spend 10,068,736 in the next 12 months. A personal win-back offer is expected to save
    1,838,607 (assumed save rate 25%) for a cost of 38,477: worth 1,800,130.

and when the contact would cost more than it saves: "... A reactivation offer would be worth
-1,234: no contact."
"""

from __future__ import annotations

import math

import pandas as pd

from churnlens import strings
from churnlens.playbook.states import STATES

#: Each state's name, by language (from the catalogue's values).
STATE_NAMES = {lang: {s: strings.value_label(lang, s) for s in STATES} for lang in strings.LANGS}
#: Each default action as the subject of a sentence, by language.
ACTION_NAMES = {
    lang: {k.removeprefix("offer_"): strings.tr(lang, k) for k in strings.STRINGS if k.startswith("offer_")}
    for lang in strings.LANGS
}


def action_name(action: str, lang: str = "en") -> str:
    """The action in words (custom actions: their name with spaces)."""
    key = f"offer_{action}"
    return strings.tr(lang, key) if key in strings.STRINGS else str(action).replace("_", " ")


def money(v: float, decimals: int, lang: str = "en", currency: str | None = None) -> str:
    """An amount with thousands separators, labelled with the shop's ``currency`` when it has one."""
    body = f"{v:,.{decimals}f}"
    return body if currency is None else strings.with_currency(body, lang, currency)


def pct(p: float) -> str:
    return f"{round(p * 100):.0f}%"


def _ok(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and not pd.isna(v)


def _rhythm(r: dict, lang: str) -> str:
    d, g, ratio = int(r["days_since_last_order"]), int(r["usual_gap_days"]), r["overdue_ratio"]
    own = int(r.get("purchase_days") or 0) > 1
    return strings.tr(
        lang, "reason_rhythm_own" if own else "reason_rhythm_shop", days=d, gap=g, ratio=f"{ratio:.1f}"
    )


def _offer(r: dict, lang: str, decimals: int, currency: str | None = None) -> str:
    action, considered = r["action"], r.get("considered_action", r["action"])
    if action != considered:
        v = money(r["considered_value"], decimals, lang, currency)
        return strings.tr(lang, "reason_declined", action=action_name(considered, lang), v=v)
    if float(r["contact_cost"]) == 0 and float(r["save_rate"]) == 0:
        return strings.tr(lang, "reason_no_contact_needed")
    measured = r.get("save_rate_source") == "measured"
    return strings.tr(
        lang,
        "reason_offer_measured" if measured else "reason_offer_assumed",
        action=action_name(action, lang),
        saved=money(r["expected_saved_revenue"], decimals, lang, currency),
        cost=money(r["contact_cost"], decimals, lang, currency),
        ev=money(r["expected_value"], decimals, lang, currency),
        rate=pct(r["save_rate"]),
    )


def reason(r: dict, lang: str, decimals: int, window_days: float | None, currency: str | None = None) -> str:
    """The sentence for one row of ``actions`` (a dict of its shown values); without
    ``window_days`` (no churn model) P(churn) is not put in words; amounts labelled with
    ``currency`` when the shop has one."""
    parts = [_rhythm(r, lang)] if _ok(r.get("days_since_last_order")) else []
    if window_days is not None and _ok(r.get("churn_probability")):
        parts.append(
            strings.tr(lang, "reason_churn", p=pct(r["churn_probability"]), window=f"{window_days:g}")
        )
    if _ok(r.get("p_alive")):
        parts.append(strings.tr(lang, "reason_alive", p=pct(r["p_alive"])))
    if _ok(r.get("value")):
        source = r.get("value_source")
        key = (
            f"reason_value_{source}" if f"reason_value_{source}" in strings.STRINGS else "reason_value_other"
        )
        parts.append(strings.tr(lang, key, v=money(r["value"], decimals, lang, currency), source=source))
    state = STATE_NAMES[lang].get(r["state"], r["state"])
    return strings.tr(
        lang, "reason_sentence", state=state, parts="; ".join(parts), offer=_offer(r, lang, decimals, currency)
    )


def reasons(
    df: pd.DataFrame, lang: str, decimals: int, window_days: float | None, currency: str | None = None
) -> pd.Series:
    """`reason` for every row of ``df``."""
    return pd.Series(
        [reason(r, lang, decimals, window_days, currency) for r in df.to_dict("records")],
        index=df.index,
        dtype=object,
    )
