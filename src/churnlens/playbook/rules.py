"""Rules: from a customer's risk, value, dormancy, promo use and segment to one action.

A rule is written ``action: condition & condition ...`` (see `PlaybookConfig.rules`). The
conditions are:

==================  ================================================================
``risk=high``       risk band high (also ``medium``, ``low``): the churn model's band,
                    else the probability against ``ChurnConfig.risk_high`` / ``risk_medium``
``value=high``      value at or above the ``high_value_quantile`` of the scored customers
                    (and above 0); ``value=low`` otherwise
``dormant``         no paid order for ``dormant_days`` or more before the cutoff
``promo_sensitive`` at least ``promo_sensitive_share`` of the paid orders used a promotion
``segment=NAME``    the customer's RFM segment is NAME
``not COND``        the condition does not hold
``*``               always (the last rule must be one, so every customer gets an action)
==================  ================================================================

Rules are tried in order and the first that holds gives the action, so every customer gets
exactly one. Default rules (first match wins):

1. ``reactivation: dormant``: lapsed already; a reactivation campaign.
2. ``winback_personal: risk=high & value=high``: a personal win-back offer.
3. ``reminder_auto: risk=high``: an automated reminder (low value does not pay for more).
4. ``nurture: risk=medium``: light-touch content, no incentive.
5. ``loyalty_reward: value=high``: healthy and valuable; a loyalty reward, not a discount.
6. ``no_action: *``: healthy customers who buy anyway; no contact and no discount.

A discount goes only with the actions in ``discount_actions`` and only to promo-sensitive
customers: customers who buy at full price never get one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlens.config import ChurnConfig, PlaybookConfig
from churnlens.errors import DataError

RISK_LEVELS = ("high", "medium", "low")
VALUE_LEVELS = ("high", "low")
FLAGS = ("dormant", "promo_sensitive")


@dataclass(frozen=True)
class Condition:
    name: str  # risk, value, segment, dormant, promo_sensitive
    value: str | None
    negate: bool = False

    def text(self) -> str:
        core = self.name if self.value is None else f"{self.name}={self.value}"
        return f"not {core}" if self.negate else core


@dataclass(frozen=True)
class Rule:
    action: str
    conditions: tuple[Condition, ...]  # empty: always

    def text(self) -> str:
        return " & ".join(c.text() for c in self.conditions) or "no earlier rule applies"


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_condition(text: str, rule: str) -> Condition:
    t = text.strip()
    negate = t.startswith("not ")
    if negate:
        t = t[4:].strip()
    name, sep, value = t.partition("=")
    name, value = name.strip(), value.strip()
    ok = (
        (name == "risk" and value in RISK_LEVELS)
        or (name == "value" and value in VALUE_LEVELS)
        or (name == "segment" and bool(value))
        or (name in FLAGS and not sep)
    )
    if not ok:
        raise DataError(
            f"Playbook rule has an unknown condition '{text.strip()}'.",
            file="playbook.rules",
            values=[rule],
            fix="Use risk=high|medium|low, value=high|low, dormant, promo_sensitive, segment=NAME, "
            "'not ' before any of them, or * alone.",
        )
    return Condition(name, value if sep else None, negate)


def parse_rules(texts: list[str], cfg: PlaybookConfig | None = None) -> list[Rule]:
    """Parse ``action: cond & cond`` rules; the last must be a catch-all ``action: *``.

    With ``cfg``, every action also needs a save rate and a contact cost.
    """
    rules = []
    for text in texts:
        action, sep, conds = str(text).partition(":")
        action = action.strip()
        if not sep or not _NAME.match(action):
            raise DataError(
                "A playbook rule must read 'action: condition & condition'.",
                file="playbook.rules",
                values=[text],
                fix="Write e.g. 'winback_personal: risk=high & value=high'.",
            )
        conds = conds.strip()
        parsed = () if conds == "*" else tuple(parse_condition(c, text) for c in conds.split("&"))
        rules.append(Rule(action, parsed))
    if not rules or rules[-1].conditions:
        raise DataError(
            "The last playbook rule must hold for everybody, so that every customer gets an action.",
            file="playbook.rules",
            values=list(texts)[-1:],
            fix="End the rules with e.g. 'no_action: *'.",
        )
    if cfg is not None:
        for r in rules:
            for table in ("save_rates", "contact_costs"):
                if r.action not in getattr(cfg, table):
                    raise DataError(
                        f"Action '{r.action}' has no entry in playbook.{table}.",
                        file=f"playbook.{table}",
                        values=[r.action],
                        fix=f"Add {r.action} = <number> to [playbook.{table}].",
                    )
    return rules


def risk_level(prob: pd.Series, band: pd.Series | None, churn_cfg: ChurnConfig) -> pd.Series:
    """high / medium / low: the model's band when given, else the probability's thresholds."""
    p = pd.to_numeric(prob, errors="coerce")
    from_p = np.select([p >= churn_cfg.risk_high, p >= churn_cfg.risk_medium], ["high", "medium"], "low")
    out = pd.Series(from_p, index=prob.index, dtype=object)
    if band is not None:
        b = band.astype("string").str.lower().str.strip()
        known = b.isin(RISK_LEVELS).fillna(False).astype(bool)
        out[known] = b[known].astype(object)
    return out


def customer_flags(df: pd.DataFrame, cfg: PlaybookConfig, churn_cfg: ChurnConfig) -> pd.DataFrame:
    """Add risk, value_level, high_value_threshold, dormant and promo_sensitive.

    ``df`` has one row per customer with customer_id, churn_probability, value,
    days_since_last_order, and optionally risk_band, promo_share and segment.
    """
    out = df.copy()
    out["risk"] = risk_level(out.churn_probability, out.get("risk_band"), churn_cfg)
    value = pd.to_numeric(out.value, errors="coerce").fillna(0.0)
    threshold = float(value.quantile(cfg.high_value_quantile)) if len(value) else 0.0
    out["high_value_threshold"] = threshold
    out["value_level"] = np.where((value >= threshold) & (value > 0), "high", "low")
    days = pd.to_numeric(out.days_since_last_order, errors="coerce")
    out["dormant"] = (days >= cfg.dormant_days).fillna(False).astype(bool)
    share = pd.to_numeric(out.get("promo_share", pd.Series(np.nan, index=out.index)), errors="coerce")
    out["promo_sensitive"] = (share >= cfg.promo_sensitive_share).fillna(False).astype(bool)
    if "segment" not in out:
        out["segment"] = None
    return out


def condition_mask(flags: pd.DataFrame, c: Condition) -> np.ndarray:
    if c.name == "risk":
        m = flags.risk == c.value
    elif c.name == "value":
        m = flags.value_level == c.value
    elif c.name == "segment":
        m = flags.segment.astype("string").fillna("") == c.value
    else:
        m = flags[c.name].astype(bool)
    m = np.asarray(m, dtype=bool)
    return ~m if c.negate else m


def assign_actions(flags: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """``action``, ``rule`` (1-based number of the rule that fired) and ``reason`` (English) and
    ``reason_ko`` (Korean) per customer."""
    n = len(flags)
    masks = []
    for r in rules:
        m = np.ones(n, dtype=bool)
        for c in r.conditions:
            m &= condition_mask(flags, c)
        masks.append(m)
    rule_no = np.select(masks, np.arange(1, len(rules) + 1), default=len(rules))
    out = flags.copy()
    out["rule"] = rule_no.astype("int64")
    out["action"] = np.array([r.action for r in rules], dtype=object)[rule_no - 1]
    out["reason"] = reasons(out, rules)
    out["reason_ko"] = reasons(out, rules, "ko")
    return out


#: The sentence parts of a reason in each language.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "because": "{action} because {rule}",
        "always": "no earlier rule applies",
        "and": " & ",
        "not": "not {0}",
        "risk": "risk {0}",
        "p_churn": "P(churn) {0}",
        "value": "value {0}",
        "last_order": "last order {0} days ago",
        "promo_sensitive": "promo sensitive",
        "dormant": "dormant",
        "segment": "segment {0}",
    },
    "ko": {
        "because": "{action} ({rule})",
        "always": "앞의 규칙에 해당하지 않음",
        "and": " · ",
        "not": "{0} 아님",
        "risk": "위험도 {0}",
        "p_churn": "이탈 확률 {0}",
        "value": "가치 {0}",
        "last_order": "마지막 주문 {0}일 전",
        "promo_sensitive": "프로모션 민감",
        "dormant": "휴면",
        "segment": "세그먼트 {0}",
    },
}
#: Names of the levels and of the default actions; other actions keep their own name.
NAMES: dict[str, dict[str, str]] = {
    "en": {},
    "ko": {
        "high": "높음",
        "medium": "중간",
        "low": "낮음",
        "reactivation": "재활성화",
        "winback_personal": "개인 맞춤 윈백",
        "reminder_auto": "자동 리마인더",
        "nurture": "관계 유지",
        "loyalty_reward": "충성 고객 보상",
        "no_action": "조치 없음",
    },
}


def _say(lang: str, part: str, *args: object, **named: object) -> str:
    return TEMPLATES[lang][part].format(*args, **named)


def _name(lang: str, word: object) -> str:
    return NAMES[lang].get(str(word), str(word))


def rule_text(rule: Rule, lang: str = "en") -> str:
    """The rule's conditions in ``lang`` (``risk=high & value=high``; ``위험도 높음 · 가치 높음``)."""
    if lang == "en":
        return rule.text()
    parts = []
    for c in rule.conditions:
        arg = c.value if c.name == "segment" else _name(lang, c.value)
        core = _say(lang, c.name, arg)
        parts.append(_say(lang, "not", core) if c.negate else core)
    return _say(lang, "and").join(parts) or _say(lang, "always")


def reasons(df: pd.DataFrame, rules: list[Rule], lang: str = "en") -> pd.Series:
    """Plain text in ``lang``: the rule that fired and the facts behind it."""

    def number(series: pd.Series, spec: str) -> pd.Series:
        return pd.to_numeric(series, errors="coerce").map(lambda v: "?" if pd.isna(v) else format(v, spec))

    heads = [_say(lang, "because", action=_name(lang, r.action), rule=rule_text(r, lang)) for r in rules]
    head = pd.Series(heads, dtype=object).iloc[df.rule.to_numpy() - 1].to_numpy()
    facts = (
        df.risk.map(lambda v: _say(lang, "risk", _name(lang, v)))
        + " ("
        + number(df.churn_probability, ".2f").map(lambda v: _say(lang, "p_churn", v))
        + "), "
        + df.value_level.map(lambda v: _say(lang, "value", _name(lang, v)))
        + " ("
        + number(df.value, ",.0f")
        + "), "
        + number(df.days_since_last_order, ".0f").map(lambda v: _say(lang, "last_order", v))
        + np.where(df.promo_sensitive, ", " + _say(lang, "promo_sensitive"), "")
    )
    seg = df.segment.astype("string")
    named = ", " + seg.fillna("").map(lambda v: _say(lang, "segment", v))
    facts = facts + np.where(seg.notna(), named, "")
    return pd.Series(head, index=df.index) + ": " + facts.astype(str)
