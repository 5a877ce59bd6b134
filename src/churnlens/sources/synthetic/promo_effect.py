"""A planted promotion effect, the ground truth of churnlens's uplift estimate.

With ``GeneratorConfig.promo_effect`` = e > 0, every paid purchase made with a promotion causes,
with probability e, one more purchase of the same customer a uniform 1..``promo_effect_days``
(D) days later (dropped when that falls after the span). A caused purchase may use a promotion
too, and cause another. Promotion use follows the customer's sensitivity as without the effect
(`promo_use_probability`).

The truth (``facts.json`` -> ``promo_effect``): over the purchases made with a promotion whose
D days end inside the span, the mean of 1[some purchase of the customer falls within (t, t + D]]
minus 1[some purchase falls there that this promotion did not cause, directly or through the
chain of purchases it caused]: the repurchase uplift within D days of a promotion among its
recipients, exactly as the data shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from churnlens.sources.synthetic import textio
from churnlens.sources.synthetic.process import PurchaseHistory, select

if TYPE_CHECKING:
    from churnlens.sources.synthetic.fashion_shop import FashionShop

_S = 1_000_000  # microseconds per second


def promo_use_probability(shop: FashionShop, cust: np.ndarray, us: np.ndarray) -> np.ndarray:
    """P(a purchase uses a promotion): the customer's sensitivity, shifted during a planted
    decline towards new customers."""
    cfg = shop.cfg
    sens = shop.promo_sensitivity[cust].copy()
    if shop.decline_start_us is not None:
        in_decline = us >= shop.decline_start_us
        new = (us - shop.signup_us[cust]) <= cfg.decline_promo_new_days * textio.US_PER_DAY
        factor = np.where(new, cfg.decline_promo_new_factor, cfg.decline_promo_existing_factor)
        sens = np.where(in_decline, np.minimum(sens * factor, 0.95), sens)
    return sens


def plant(rng: np.random.Generator, shop: FashionShop) -> tuple[PurchaseHistory, np.ndarray, dict]:
    """(history with the caused purchases, promotion use per purchase in its order, truth)."""
    cfg, h = shop.cfg, shop.history
    e, days = cfg.promo_effect, cfg.promo_effect_days
    cust, us = h.customer.copy(), h.us.copy()
    uses = rng.random(len(us)) < promo_use_probability(shop, cust, us)
    cause = np.full(len(us), -1, dtype=np.int64)
    frontier = np.flatnonzero(uses)
    while len(frontier):
        hit = frontier[rng.random(len(frontier)) < e]
        when = us[hit] + ((1.0 + rng.random(len(hit)) * (days - 1)) * textio.US_PER_DAY).astype(np.int64)
        keep = when < shop.end_us
        hit, when = hit[keep], when[keep]
        who = cust[hit]
        used = rng.random(len(hit)) < promo_use_probability(shop, who, when)
        start = len(us)
        cust, us = np.concatenate([cust, who]), np.concatenate([us, when])
        uses, cause = np.concatenate([uses, used]), np.concatenate([cause, hit])
        frontier = start + np.flatnonzero(used)
    order = np.lexsort((us, cust))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cust, us, uses = cust[order], us[order], uses[order]
    cause = np.where(cause[order] >= 0, rank[np.maximum(cause[order], 0)], -1)
    every = PurchaseHistory(cust, shop.clock.to_clock(us), us, h.count, h.first_index, h.dropout_clock, h.dropout_cause)
    history = select(every, np.ones(len(us), dtype=bool))
    return history, uses, truth(cust, us, uses, cause, days, shop.end_us, e)


def truth(
    cust: np.ndarray, us: np.ndarray, uses: np.ndarray, cause: np.ndarray, days: int, end_us: int, e: float
) -> dict:
    """The repurchase uplift within ``days`` of the promotions (see module docstring); purchases
    sorted by customer and time, ``cause``: index of the purchase whose promotion caused each."""
    key = cust.astype(np.int64) * (1 << 34) + us // _S
    horizon = days * 86400
    treated = np.flatnonzero(uses & (us + days * textio.US_PER_DAY <= end_us))
    within = np.searchsorted(key, key[treated] + horizon, side="right") - np.searchsorted(
        key, key[treated], side="right"
    )
    has = cause >= 0
    child = np.full(len(us), -1, dtype=np.int64)
    child[cause[has]] = np.flatnonzero(has)
    caused = np.zeros(len(treated), dtype=np.int64)  # purchases of the chain inside the window
    cur = child[treated]
    while (cur >= 0).any():
        ok = cur >= 0
        inside = ok & (us[np.maximum(cur, 0)] <= us[treated] + days * textio.US_PER_DAY)
        caused += inside
        cur = np.where(inside, child[np.maximum(cur, 0)], -1)
    y1 = within > 0
    y0 = (within - caused) > 0
    return {
        "rate": float(e),
        "days": int(days),
        "promo_purchases": int(len(treated)),
        "caused_purchases": int(has.sum()),
        "uplift": float(np.mean(y1.astype(float) - y0)) if len(treated) else None,
        "repurchase_with_promo": float(np.mean(y1)) if len(treated) else None,
    }
