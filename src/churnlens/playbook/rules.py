"""Rules: from a customer's risk, value, dormancy, promo use and segment to one action.

A rule is written ``action: condition & condition ...`` (see `PlaybookConfig.rules`). The
conditions are:

==================  ================================================================
``state=at_risk``   the customer's state (also ``active``, ``lapsing``, ``lapsed``; see
                    `churnlens.playbook.states`)
``risk=high``       risk band high (also ``medium``, ``low``): by rank of P(churn), the
                    top ``risk_high_share`` high, the next ``risk_medium_share`` medium
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

1. ``reactivation: state=lapsed``: almost certainly gone; the win-back list.
2. ``winback_personal: not state=active & value=high``: a personal win-back offer.
3. ``reminder_auto: state=lapsing``: an automated reminder (low value does not pay for more).
4. ``nurture: state=at_risk``: light-touch content, no incentive.
5. ``loyalty_reward: value=high``: healthy and valuable; a loyalty reward, not a discount.
6. ``no_action: *``: healthy customers who buy anyway; no contact and no discount.

A discount goes only with the actions in ``discount_actions`` and only to promo-sensitive
customers: customers who buy at full price never get one. An action whose expected value is
negative is replaced by ``no_contact_action`` (`churnlens.playbook.campaign`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churnlens.config import PlaybookConfig
from churnlens.errors import DataError
from churnlens.playbook.states import STATES, risk_bands

RISK_LEVELS = ("high", "medium", "low")
STATE_LEVELS = STATES
VALUE_LEVELS = ("high", "low")
FLAGS = ("dormant", "promo_sensitive")


@dataclass(frozen=True)
class Condition:
    name: str  # state, risk, value, segment, dormant, promo_sensitive
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
        (name == "state" and value in STATE_LEVELS)
        or (name == "risk" and value in RISK_LEVELS)
        or (name == "value" and value in VALUE_LEVELS)
        or (name == "segment" and bool(value))
        or (name in FLAGS and not sep)
    )
    if not ok:
        raise DataError(
            f"Playbook rule has an unknown condition '{text.strip()}'.",
            file="playbook.rules",
            values=[rule],
            fix="Use state=active|at_risk|lapsing|lapsed, risk=high|medium|low, value=high|low, dormant, promo_sensitive, segment=NAME, "
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
        for action in [r.action for r in rules]:
            for table in ("save_rates", "contact_costs"):
                if action not in getattr(cfg, table):
                    raise DataError(
                        f"Action '{action}' has no entry in playbook.{table}.",
                        file=f"playbook.{table}",
                        values=[action],
                        fix=f"Add {action} = <number> to [playbook.{table}].",
                    )
    return rules


def customer_flags(df: pd.DataFrame, cfg: PlaybookConfig) -> pd.DataFrame:
    """Add risk, value_level, high_value_threshold, dormant and promo_sensitive.

    ``df`` has one row per customer with customer_id, churn_probability, value,
    days_since_last_order, and optionally state, promo_share and segment.
    """
    out = df.copy()
    out["risk"] = risk_bands(out.churn_probability, cfg)
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
    if "state" not in out:
        out["state"] = "active"
    return out


def condition_mask(flags: pd.DataFrame, c: Condition) -> np.ndarray:
    if c.name == "state":
        m = flags.state == c.value
    elif c.name == "risk":
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
    """``action`` and ``rule`` (1-based number of the rule that fired) per customer."""
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
    return out
