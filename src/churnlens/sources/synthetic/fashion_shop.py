"""The Fashion Campus shop in memory: customers, their latents, bookings and item lines.

`build_shop` draws everything except the click stream; `fashion_campus.py` writes it out.
Bookings are the paid purchases of the latent process (`process.simulate`) plus failed payment
attempts: a failed attempt repeats the cart of the paid booking it precedes by a few minutes
(never before that booking's UTC midnight) and is not a purchase of the latent process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from churnlens.sources.synthetic import baskets, people, promo_effect, seasons, textio
from churnlens.sources.synthetic.catalogue import Catalogue, fashion_catalogue
from churnlens.sources.synthetic.process import (
    PurchaseHistory,
    segment_ranks,
    signup_times,
    simulate,
    value_rank_targets,
)
from churnlens.sources.synthetic.promo_effect import promo_use_probability
from churnlens.sources.synthetic.settings import GeneratorConfig
from churnlens.sources.synthetic.timeline import ShopClock, weekly_profile

_MINUTE_US = 60 * textio.US_PER_SECOND


@dataclass
class FashionShop:
    cfg: GeneratorConfig
    cat: Catalogue
    clock: ShopClock
    start_us: int
    end_us: int  # exclusive: midnight after cfg.end
    decline_start_us: int | None
    # customers (index i)
    customer_id: np.ndarray
    female: np.ndarray
    android: np.ndarray
    signup_us: np.ndarray
    rate: np.ndarray
    dropout: np.ndarray
    lapse_target: np.ndarray
    lapse_hazard: np.ndarray
    promo_sensitivity: np.ndarray
    favourite_payment: np.ndarray
    province: np.ndarray
    home_lat: np.ndarray
    home_lon: np.ndarray
    shoppers: baskets.Shoppers
    extra_lines_mean: np.ndarray
    history: PurchaseHistory
    # bookings (index b), sorted by created_at
    b_customer: np.ndarray
    b_us: np.ndarray
    b_paid: np.ndarray
    b_line_start: np.ndarray
    b_line_count: np.ndarray
    b_items_amount: np.ndarray
    b_promo_code: np.ndarray  # index into cfg.promo_codes, -1 when none
    b_promo_amount: np.ndarray
    b_shipment_fee: np.ndarray
    b_payment_method: np.ndarray
    b_ship_days: np.ndarray
    b_ship_lat: np.ndarray
    b_ship_lon: np.ndarray
    # item lines (index l), grouped by booking in booking order
    l_product: np.ndarray  # catalogue index
    l_quantity: np.ndarray
    l_price: np.ndarray
    #: The planted promotion effect's truth (`promo_effect.truth`), None without one.
    promo_truth: dict | None = None

    @property
    def b_total(self) -> np.ndarray:
        return self.b_items_amount - self.b_promo_amount + self.b_shipment_fee


def _month_start_us(end_date: str, months_back: int) -> int:
    """Midnight UTC of the first day of the month ``months_back - 1`` months before end's month."""
    month = np.datetime64(end_date, "M") - np.timedelta64(months_back - 1, "M")
    return int(month.astype("datetime64[D]").astype("datetime64[us]").astype(np.int64))


def n_products(cfg: GeneratorConfig) -> int:
    return max(cfg.min_products, int(round(cfg.customers * cfg.products_per_customer)))


def build_shop(cfg: GeneratorConfig) -> FashionShop:
    rng_cat, rng_cust, rng_proc, rng_bask, rng_book, rng_effect, rng_season = (
        np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(7)
    )
    n = cfg.customers
    cat = fashion_catalogue(rng_cat, n_products(cfg), cfg)
    clock = ShopClock(weekly_profile(cfg.weekday_weights, cfg.hour_weights, cfg.utc_offset_hours))
    start_us, end_us = textio.day_us(cfg.start), textio.day_us(cfg.end) + textio.US_PER_DAY

    female = rng_cust.random(n) < cfg.female_share
    android = rng_cust.random(n) < cfg.android_share
    signup = signup_times(rng_cust, n, start_us, end_us, cfg.signup_growth)
    rate = rng_cust.gamma(cfg.purchase_rate_shape, 1.0 / cfg.purchase_rate_rate, n)
    dropout = rng_cust.beta(cfg.dropout_a, cfg.dropout_b, n)
    promo = rng_cust.beta(cfg.promo_sensitivity_a, cfg.promo_sensitivity_b, n)
    pay_w = np.asarray(cfg.payment_method_weights, float)
    fav_pay = rng_cust.choice(len(pay_w), size=n, p=pay_w / pay_w.sum())
    province = people.province_choice(rng_cust, n)
    home_lat, home_lon = people.province_location(rng_cust, province, cfg.home_location_spread)
    extra_lines = rng_cust.gamma(cfg.extra_lines_shape, cfg.extra_lines_mean / cfg.extra_lines_shape, n)
    customer_id = rng_cust.permutation(n).astype(np.int64) + 1

    affinity = np.where(
        female[:, None], np.asarray(cfg.gender_affinity_female), np.asarray(cfg.gender_affinity_male)
    )
    shoppers = baskets.draw_shoppers(
        rng_bask, cat, n, cfg.category_concentration, cfg.routine_products_min, cfg.routine_products_max,
        cfg.routine_share_a, cfg.routine_share_b, gender_affinity=affinity,
        premium_ab=(cfg.premium_share_a, cfg.premium_share_b),
    )  # fmt: skip
    quantity_mean = float(np.dot(np.arange(1, len(cfg.quantity_weights) + 1), cfg.quantity_weights)) / sum(
        cfg.quantity_weights
    )
    shoppers.spend_mean = shoppers.spend_mean * (1.0 + extra_lines) * quantity_mean

    if cfg.churn_boost_category is not None:
        boosted = np.array(cat.categories, dtype=object)[shoppers.favourite] == cfg.churn_boost_category
        dropout = np.where(
            boosted, np.minimum(dropout * cfg.churn_boost_factor, cfg.max_dropout_prob), dropout
        )
    decline_start = None
    target = np.zeros(n, dtype=bool)
    hazard = np.zeros(n)
    if cfg.scenario == "decline":
        decline_start = _month_start_us(cfg.end, cfg.decline_months)
        eligible = signup <= decline_start - cfg.decline_min_tenure_days * textio.US_PER_DAY
        score = rate * shoppers.spend_mean  # expected spend per day while alive
        target = value_rank_targets(score, eligible, cfg.decline_target_share)
        hazard = np.where(target, cfg.decline_lapse_hazard_per_day, 0.0)
    history = simulate(rng_proc, clock, signup, end_us, rate, dropout, decline_start, hazard)
    if cfg.season_amplitude > 0:
        history = seasons.thin(rng_season, history, cfg.season_amplitude, cfg.season_peak_month)

    shop = FashionShop(
        cfg, cat, clock, start_us, end_us, decline_start, customer_id, female, android, signup, rate, dropout,
        target, hazard, promo, fav_pay, province, home_lat, home_lon, shoppers, extra_lines, history,
        *([np.empty(0)] * 16),
    )  # fmt: skip
    uses_promo = None
    if cfg.promo_effect > 0:
        shop.history, uses_promo, shop.promo_truth = promo_effect.plant(rng_effect, shop)
    _bookings(rng_book, shop, uses_promo)
    return shop


def _bookings(rng: np.random.Generator, shop: FashionShop, uses_promo: np.ndarray | None = None) -> None:
    cfg, cat, h = shop.cfg, shop.cat, shop.history
    n_paid = len(h.customer)
    cust = h.customer
    # baskets of the paid purchases
    extra = baskets.negative_binomial(rng, shop.extra_lines_mean[cust], cfg.extra_lines_dispersion)
    picks_per_basket = 1 + np.minimum(extra, cfg.max_lines - 1)
    basket, _ = segment_ranks(picks_per_basket)
    samplers = baskets.samplers_for(cat, with_premium=True)
    product = baskets.pick_products(rng, shop.shoppers, cust[basket], samplers)
    qw = np.asarray(cfg.quantity_weights, float)
    quantity = rng.choice(len(qw), size=len(product), p=qw / qw.sum()) + 1
    # the same product twice in a basket becomes one line with the quantities added
    order = np.lexsort((product, basket))
    key_b, key_p, qty = basket[order], product[order], quantity[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (key_b[1:] != key_b[:-1]) | (key_p[1:] != key_p[:-1])
    line_id = np.cumsum(first) - 1
    merged_qty = np.bincount(line_id, weights=qty).astype(np.int64)
    # keep lines in the order their product was first picked
    first_pos = order[first]
    keep_order = np.argsort(first_pos, kind="stable")
    line_basket = key_b[first][keep_order]
    line_product = key_p[first][keep_order]
    line_qty = merged_qty[keep_order]
    line_price = cat.price[line_product]
    basket_lines = np.bincount(line_basket, minlength=n_paid)
    basket_start = np.cumsum(basket_lines) - basket_lines
    items_amount = np.bincount(line_basket, weights=line_qty * line_price, minlength=n_paid).astype(np.int64)

    # promotions (drawn here unless a planted promotion effect drew them with its purchases)
    if uses_promo is None:
        uses_promo = rng.random(n_paid) < promo_use_probability(shop, cust, h.us)
    weekday = (np.floor_divide(h.us, textio.US_PER_DAY) + 3) % 7  # Monday = 0
    weekend = weekday >= 5
    code_w = np.asarray(cfg.promo_code_weights, float)
    weekend_only = np.isin(np.array(cfg.promo_codes), np.array(cfg.weekend_only_codes))
    cum_all = np.cumsum(code_w) / code_w.sum()
    w_week = np.where(weekend_only, 0.0, code_w)
    cum_week = np.cumsum(w_week) / w_week.sum()
    u = rng.random(n_paid)
    code = np.where(
        weekend, np.searchsorted(cum_all, u, side="right"), np.searchsorted(cum_week, u, side="right")
    )
    code = np.minimum(code, len(code_w) - 1)
    share = np.clip(
        cfg.promo_discount_median * np.exp(rng.normal(0.0, cfg.promo_discount_sigma, n_paid)),
        cfg.promo_discount_min,
        cfg.promo_discount_max,
    )
    promo_amount = np.maximum(np.rint(share * items_amount), 1).astype(np.int64)
    promo_amount = np.where(uses_promo, promo_amount, 0)
    code = np.where(uses_promo, code, -1)
    fee_w = np.asarray(cfg.shipment_fee_weights, float)
    fee = np.asarray(cfg.shipment_fees, dtype=np.int64)[
        rng.choice(len(fee_w), size=n_paid, p=fee_w / fee_w.sum())
    ]
    pay_w = np.asarray(cfg.payment_method_weights, float)
    pay = np.where(
        rng.random(n_paid) < cfg.payment_loyalty,
        shop.favourite_payment[cust],
        rng.choice(len(pay_w), size=n_paid, p=pay_w / pay_w.sum()),
    )
    ship_days = rng.integers(cfg.shipment_days_min, cfg.shipment_days_max + 1, n_paid)
    ship_lat = shop.home_lat[cust] + rng.normal(0.0, cfg.shipment_location_spread, n_paid)
    ship_lon = shop.home_lon[cust] + rng.normal(0.0, cfg.shipment_location_spread, n_paid)

    # failed payment attempts: a copy of the cart a few minutes before the paid booking
    f = cfg.failed_payment_share
    failed = np.flatnonzero(rng.random(n_paid) < f / (1.0 - f))
    gap = np.maximum(rng.exponential(cfg.failed_retry_mean_minutes * _MINUTE_US, len(failed)), 1_000_000)
    day_start = np.floor_divide(h.us[failed], textio.US_PER_DAY) * textio.US_PER_DAY
    failed_us = np.maximum(h.us[failed] - gap.astype(np.int64), day_start)
    source = np.concatenate([np.arange(n_paid), failed])
    b_us = np.concatenate([h.us, failed_us])
    paid = np.concatenate([np.ones(n_paid, bool), np.zeros(len(failed), bool)])
    order = np.lexsort((paid, b_us))  # by time; a failed attempt first when at the same time
    src = source[order]
    shop.b_customer = cust[src]
    shop.b_us = b_us[order]
    shop.b_paid = paid[order]
    shop.b_line_count = basket_lines[src]
    shop.b_items_amount = items_amount[src]
    shop.b_promo_code = code[src]
    shop.b_promo_amount = promo_amount[src]
    shop.b_shipment_fee = fee[src]
    shop.b_payment_method = pay[src]
    shop.b_ship_days = ship_days[src]
    shop.b_ship_lat = ship_lat[src]
    shop.b_ship_lon = ship_lon[src]
    _, rank = segment_ranks(shop.b_line_count)
    line_index = np.repeat(basket_start[src], shop.b_line_count) + rank
    shop.b_line_start = np.cumsum(shop.b_line_count) - shop.b_line_count
    shop.l_product = line_product[line_index]
    shop.l_quantity = line_qty[line_index]
    shop.l_price = line_price[line_index]
