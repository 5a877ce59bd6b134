"""`GeneratorConfig`: every tunable number of the synthetic shops, with its default.

The defaults are calibrated on the published facts of the two real data sets, so that
``customers=100_000`` gives a Fashion Campus shop of the real size (about 850k bookings,
12.8 M click events) and ``customers=206_209`` an Instacart export of the real size (about
3.4 M orders, 32 M prior lines). Units are stated next to each field; rates are per day,
money is integer Indonesian rupiah (IDR).
"""

from __future__ import annotations

from dataclasses import dataclass

SCENARIOS: tuple[str, ...] = ("steady", "decline")


@dataclass
class GeneratorConfig:
    """Parameters of a synthetic shop. Change any of them; none is hidden in the code."""

    # ---- the shop ---------------------------------------------------------------------------
    #: Customers (Fashion Campus) or users (Instacart) in the written files.
    customers: int = 2000
    #: Seed of every random draw (independent streams per part of the shop); the same config
    #: writes the same bytes.
    seed: int = 0
    #: "steady" (no planted decline) or "decline" (loyal high-value customers lapse in the last
    #: ``decline_months`` full months and promotions go to new customers). Fashion Campus only.
    scenario: str = "steady"
    #: First and last calendar day (UTC, both included) of the Fashion Campus shop.
    start: str = "2016-06-30"
    end: str = "2022-07-31"
    #: Customers whose favourite top category (masterCategory / department) is this one drop
    #: out ``churn_boost_factor`` times more often after each purchase. None: nobody.
    churn_boost_category: str | None = None
    churn_boost_factor: float = 3.0
    #: Upper bound of any customer's dropout probability after boosting.
    max_dropout_prob: float = 0.95

    # ---- purchase and dropout process (BG/NBD-style) -----------------------------------------
    #: Purchase rate per day lambda ~ Gamma(shape, rate); mean = shape / rate (one purchase
    #: every ~42 days on average).
    purchase_rate_shape: float = 1.6
    purchase_rate_rate: float = 68.0
    #: Dropout probability after each purchase p ~ Beta(a, b); mean a / (a + b).
    dropout_a: float = 1.2
    dropout_b: float = 10.0
    #: Sign-ups grow exponentially over the span: the daily sign-up intensity on the last day
    #: is exp(signup_growth) times that of the first day.
    signup_growth: float = 1.6
    #: Share of bookings that are failed payment attempts. Each paid purchase is preceded by a
    #: failed attempt with probability share / (1 - share), a few minutes before it.
    failed_payment_share: float = 0.043
    #: Mean minutes between a failed attempt and the paid booking that follows it.
    failed_retry_mean_minutes: float = 8.0

    # ---- weekly intensity profile (Fashion Campus) --------------------------------------------
    #: Local time of the shop relative to UTC (Indonesia, WIB = UTC+7).
    utc_offset_hours: int = 7
    #: Relative purchase intensity per local weekday, Monday first.
    weekday_weights: tuple[float, ...] = (0.95, 0.93, 0.94, 0.97, 1.02, 1.10, 1.09)
    #: Relative purchase intensity per local hour 0..23.
    hour_weights: tuple[float, ...] = (
        0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.35, 0.6, 0.85, 1.0, 1.1, 1.2,
        1.35, 1.3, 1.2, 1.15, 1.15, 1.2, 1.3, 1.5, 1.65, 1.6, 1.25, 0.75,
    )  # fmt: skip

    # ---- planted decline ("decline" scenario) -------------------------------------------------
    #: The decline covers the last this many full calendar months before ``end``.
    decline_months: int = 2
    #: Lapse targets: this share of the customers who signed up at least
    #: ``decline_min_tenure_days`` before the decline, ranked by lambda * spend_mean (expected
    #: spend per day while alive); those of them still alive at the decline are the loyal ones.
    decline_target_share: float = 0.4
    decline_min_tenure_days: int = 120
    #: Extra dropout hazard per day (of the weekly-profile clock) of a lapse target from the
    #: decline start on, on top of the per-purchase dropout.
    decline_lapse_hazard_per_day: float = 0.03
    #: During the decline, customers whose first purchase is at most this many days old count as
    #: new; their promo use is multiplied by ``decline_promo_new_factor`` and everybody else's by
    #: ``decline_promo_existing_factor``.
    decline_promo_new_days: int = 30
    decline_promo_new_factor: float = 2.2
    decline_promo_existing_factor: float = 0.35
    #: A planted promotion effect (Fashion Campus; `promo_effect.py`): each paid purchase made
    #: with a promotion causes, with this probability, one more purchase of the same customer
    #: after a uniform 1..``promo_effect_days`` days (within the span). 0: promotions change
    #: nothing. The resulting repurchase uplift is recorded in facts.json (``promo_effect``).
    promo_effect: float = 0.0
    promo_effect_days: int = 30
    #: A planted yearly season (Fashion Campus; `seasons.py`): purchases are thinned to
    #: (1 + A cos(2 pi (month - peak) / 12)) / (1 + A) of the latent process, A the amplitude
    #: (0: no season) and the peak month 1-12.
    season_amplitude: float = 0.0
    season_peak_month: int = 11

    # ---- baskets (Fashion Campus) ---------------------------------------------------------------
    #: Category preferences ~ Dirichlet(concentration * catalogue share of the category).
    category_concentration: float = 1.5
    #: Share of a customer's picks made among price-weighted products, ~ Beta(a, b).
    premium_share_a: float = 1.0
    premium_share_b: float = 2.5
    #: Extra item lines beyond the first: per-customer mean ~ Gamma(shape, mean / shape), per
    #: booking negative binomial with this dispersion (smaller = heavier tail).
    extra_lines_mean: float = 0.47
    extra_lines_shape: float = 1.5
    extra_lines_dispersion: float = 0.6
    #: At most this many item lines per booking.
    max_lines: int = 51
    #: Probability of quantity 1, 2, 3, ... on an item line.
    quantity_weights: tuple[float, ...] = (0.8, 0.11, 0.05, 0.025, 0.015)
    #: Routine products re-bought: per customer this many (uniform between min and max) and a
    #: share of picks ~ Beta(a, b) taken from them.
    routine_products_min: int = 2
    routine_products_max: int = 8
    routine_share_a: float = 1.0
    routine_share_b: float = 6.0
    #: Catalogue size: products per customer (real: 44,446 for 100,000), at least min.
    products_per_customer: float = 0.44446
    min_products: int = 300
    #: Product rows written with unquoted commas in productDisplayName (real: 22 of 44,446).
    unquoted_comma_share: float = 22 / 44_446
    min_unquoted_comma_rows: int = 2
    #: Share of products with an empty season, usage or year.
    product_missing_share: float = 0.002
    #: Catalogue popularity within a category ~ Zipf-like with this exponent.
    popularity_exponent: float = 0.9
    #: Customer gender F share (real: about 64 %); Android share of devices (about 77 %).
    female_share: float = 0.64
    android_share: float = 0.77
    #: Weights of the product gender groups (Men, Women, Boys, Girls, Unisex) in the picks of
    #: female and of male customers.
    gender_affinity_female: tuple[float, ...] = (0.05, 0.8, 0.03, 0.07, 0.05)
    gender_affinity_male: tuple[float, ...] = (0.82, 0.06, 0.05, 0.02, 0.05)
    #: Spread (standard deviation, degrees) of home locations around the province centre and of
    #: shipment locations around home.
    home_location_spread: float = 0.35
    shipment_location_spread: float = 0.05

    # ---- promotions, payment and shipping (Fashion Campus) ------------------------------------
    #: Promo use probability per booking ~ Beta(a, b) per customer (real: 38 % of bookings).
    promo_sensitivity_a: float = 1.3
    promo_sensitivity_b: float = 2.1
    promo_codes: tuple[str, ...] = (
        "AZ2022", "BUYMORE", "WEEKENDSERU", "XX2022", "LIBURDONG", "WEEKENDMANTAP", "SC2022", "STARTUP",
    )  # fmt: skip
    promo_code_weights: tuple[float, ...] = (0.14, 0.18, 0.12, 0.12, 0.1, 0.12, 0.11, 0.11)
    #: Codes usable only on Saturday and Sunday (UTC day of created_at).
    weekend_only_codes: tuple[str, ...] = ("WEEKENDSERU", "WEEKENDMANTAP", "LIBURDONG")
    #: Discount as a share of the basket ~ lognormal(median, sigma), clipped to [min, max].
    promo_discount_median: float = 0.045
    promo_discount_sigma: float = 0.95
    promo_discount_min: float = 0.001
    promo_discount_max: float = 0.546
    shipment_fees: tuple[int, ...] = (0, 5000, 10000, 15000, 25000, 50000)
    shipment_fee_weights: tuple[float, ...] = (0.2, 0.2, 0.25, 0.2, 0.1, 0.05)
    #: Days from booking to the shipment date limit (uniform integer between min and max).
    shipment_days_min: int = 1
    shipment_days_max: int = 7
    payment_methods: tuple[str, ...] = ("Credit Card", "Debit Card", "Gopay", "OVO", "LinkAja")
    payment_method_weights: tuple[float, ...] = (0.3, 0.2, 0.22, 0.18, 0.1)
    #: Probability that a booking is paid with the customer's usual method.
    payment_loyalty: float = 0.8

    # ---- click stream (Fashion Campus) ---------------------------------------------------------
    #: Write click_stream.csv (the largest file by far). False skips it, e.g. for transaction-only
    #: work; the bookings' session ids stay in transactions.csv.
    write_click_stream: bool = True
    #: Sessions without a booking, as a share of all sessions (real: 42.6k of 895k).
    anonymous_session_share: float = 0.0476
    #: Mean events per booking session on top of the mandatory ones (first HOMEPAGE, one
    #: ADD_TO_CART per item, ADD_PROMO, BOOKING), scaled by a Gamma(engagement_shape) factor.
    extra_homepage_mean: float = 1.78
    click_mean: float = 2.79
    scroll_mean: float = 1.86
    item_detail_mean: float = 1.44
    search_mean: float = 1.31
    extra_cart_adds_mean: float = 0.75
    promo_page_mean_with_promo: float = 1.3
    promo_page_mean_without_promo: float = 0.34
    engagement_shape: float = 2.0
    #: Anonymous sessions: mean add-to-cart events (then they leave).
    anonymous_cart_adds_mean: float = 0.8
    #: Inter-event gaps: with probability long_gap_share an idle gap of
    #: ``long_gap_floor_minutes`` + lognormal(median, sigma) minutes, else a short gap of
    #: lognormal(median seconds, sigma) seconds, cut below the floor. The default long-gap
    #: share splits the sessions at 30 minutes into about 6.6 times as many (5.9 M of 895k).
    long_gap_share: float = 0.42
    long_gap_floor_minutes: float = 30.0
    long_gap_median_minutes: float = 90.0
    long_gap_sigma: float = 1.2
    short_gap_median_seconds: float = 90.0
    short_gap_sigma: float = 1.1
    #: Inactivity (minutes) used to count re-split sessions in facts.json.
    facts_session_gap_minutes: float = 30.0
    mobile_share: float = 0.62
    #: Share of searches with a second-hand term, rising linearly from the first to the last
    #: year of the span (about 17 % in 2021-22).
    secondhand_share_start: float = 0.06
    secondhand_share_end: float = 0.185
    #: Sessions per chunk when writing the click stream (bounds memory).
    click_chunk_sessions: int = 30_000

    # ---- Instacart ------------------------------------------------------------------------------
    #: Every user's last order is placed on this day in the truth timeline (same default as
    #: ``IngestConfig.relative_snapshot_date``).
    instacart_snapshot_date: str = "2017-06-30"
    #: Days of latent history before the snapshot in which users can start.
    instacart_history_days: int = 1095
    instacart_signup_growth: float = 1.0
    instacart_purchase_rate_shape: float = 2.5
    instacart_purchase_rate_rate: float = 30.0
    instacart_dropout_a: float = 1.0
    instacart_dropout_b: float = 7.6
    instacart_min_orders: int = 4
    instacart_max_orders: int = 100
    instacart_gap_cap_days: int = 30
    #: Share of users whose last order is "test" (real: 75,000 of 206,209); the rest "train".
    instacart_test_share: float = 75_000 / 206_209
    #: Picks per order: per-user mean ~ Gamma(shape, mean / shape), per order 1 + negative
    #: binomial around it; a product picked twice in one order is one line, so the default
    #: gives about 10.1 lines per order (real: 10.1) and 59 % reordered prior lines.
    instacart_lines_mean: float = 15.0
    instacart_lines_user_shape: float = 3.0
    instacart_lines_dispersion: float = 4.0
    #: Products a user re-buys (uniform between min and max) and the share of picks taken from
    #: them ~ Beta(a, b).
    instacart_routine_min: int = 8
    instacart_routine_max: int = 60
    instacart_routine_share_a: float = 6.0
    instacart_routine_share_b: float = 2.5
    instacart_category_concentration: float = 2.0
    instacart_popularity_exponent: float = 1.05
    #: Products of the built-in grocery catalogue (used when no real catalogue is given).
    instacart_builtin_products: int = 3000
    #: Relative order intensity per order_dow 0..6 (0 = Sunday) and per hour 0..23.
    instacart_dow_weights: tuple[float, ...] = (1.28, 1.25, 1.0, 0.92, 0.89, 0.97, 0.92)
    instacart_hour_weights: tuple[float, ...] = (
        0.065, 0.037, 0.022, 0.017, 0.024, 0.031, 0.11, 0.31, 0.62, 0.9, 1.01, 1.03,
        0.99, 1.0, 1.0, 0.97, 0.94, 0.81, 0.68, 0.48, 0.36, 0.27, 0.2, 0.12,
    )  # fmt: skip
    #: Users per chunk when writing order lines, and most candidate users simulated at once
    #: (bounds memory).
    instacart_chunk_users: int = 10_000
    instacart_candidate_batch: int = 100_000

    def validate(self) -> None:
        """Raise ValueError on settings that cannot produce a shop."""
        if self.customers < 1:
            raise ValueError(f"customers must be at least 1, got {self.customers}")
        if not 0.0 <= self.season_amplitude < 1.0 or not 1 <= self.season_peak_month <= 12:
            raise ValueError("season_amplitude must be in [0, 1) and season_peak_month in 1..12")
        if not 0.0 <= self.promo_effect <= 1.0 or self.promo_effect_days < 1:
            raise ValueError("promo_effect must be a probability and promo_effect_days at least 1")
        if self.scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {SCENARIOS}, got {self.scenario!r}")
        if len(self.weekday_weights) != 7 or len(self.instacart_dow_weights) != 7:
            raise ValueError("weekday_weights and instacart_dow_weights need 7 values")
        if len(self.hour_weights) != 24 or len(self.instacart_hour_weights) != 24:
            raise ValueError("hour_weights and instacart_hour_weights need 24 values")
        if min(self.weekday_weights + self.hour_weights) <= 0:
            raise ValueError("weekday_weights and hour_weights must be positive")
        if min(self.instacart_dow_weights + self.instacart_hour_weights) <= 0:
            raise ValueError("instacart_dow_weights and instacart_hour_weights must be positive")
        if len(self.promo_codes) != len(self.promo_code_weights):
            raise ValueError("promo_codes and promo_code_weights differ in length")
        if not set(self.weekend_only_codes) <= set(self.promo_codes):
            raise ValueError("weekend_only_codes must be among promo_codes")
        if len(self.shipment_fees) != len(self.shipment_fee_weights):
            raise ValueError("shipment_fees and shipment_fee_weights differ in length")
        if len(self.payment_methods) != len(self.payment_method_weights):
            raise ValueError("payment_methods and payment_method_weights differ in length")
        if not 0 <= self.failed_payment_share < 0.5:
            raise ValueError("failed_payment_share must be in [0, 0.5)")
        if self.routine_products_min < 1 or self.routine_products_max < self.routine_products_min:
            raise ValueError("need 1 <= routine_products_min <= routine_products_max")
        if self.instacart_routine_min < 1 or self.instacart_routine_max < self.instacart_routine_min:
            raise ValueError("need 1 <= instacart_routine_min <= instacart_routine_max")
        if self.instacart_min_orders < 2 or self.instacart_max_orders < self.instacart_min_orders:
            raise ValueError("need 2 <= instacart_min_orders <= instacart_max_orders")
        if self.max_lines < 1:
            raise ValueError("max_lines must be at least 1")
