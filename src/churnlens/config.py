"""The one configuration object of churnlens.

`ChurnlensConfig` groups every tunable number of the system in sections (one small dataclass
each). Defaults are documented next to each field. It loads from a TOML file whose tables
are the section names, e.g.::

    [churn]
    window_days = 30

    [sessions]
    gap_minutes = 20

and single values can be overridden with dotted keys (``churn.window_days=30``), which is
what the CLI's ``--set`` flag does.

Every field declares what it may hold with its type (``Whole``: a whole number of 1 or more,
``Share``: 0 to 1, ``Literal[...]``: one of a few names, ...; see `churnlens.config_rules`),
and every value is checked when it is loaded: a bad value is a DataError naming the setting,
the value and what is allowed, before anything runs.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from churnlens.config_rules import (
    Count,
    Hour,
    IsoDate,
    IsoDateOrEmpty,
    MonthOrEmpty,
    NonNegative,
    Pattern,
    Positive,
    Range,
    Share,
    Whole,
    check_field,
    cross_field_rules,
    hints,
)
from churnlens.errors import DataError
from churnlens.schema import EVENT_TYPES

#: Closed sets of names some settings take (checked when the config is loaded).
EventType = Literal[EVENT_TYPES]
ModelKind = Literal["lightgbm", "logistic", "random_forest", "xgboost"]
Imbalance = Literal["none", "class_weight", "oversample", "smote", "undersample"]
Level = Literal["product", "category_l1", "category_l2", "category_l3"]
Grades = Annotated[int, Range(2, 10)]
MemorySize = Annotated[str, Pattern(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", "1.5GB", empty_ok=True)]


@dataclass
class EngineConfig:
    """Where the warehouse lives and which engine computes."""

    #: Spark master for ``--engine spark``: ``local[2]``, ``spark://host:7077`` or a Spark
    #: Connect address ``sc://host:15002``.
    spark_master: str = "local[2]"
    #: Memory of the local Spark driver.
    spark_driver_memory: str = "4g"
    #: Shuffle partitions; small on a laptop, raise it on a cluster.
    spark_shuffle_partitions: Whole = 8
    #: Seconds a command waits for a DuckDB warehouse that another run or ingest is writing
    #: before it stops with a clear message (0: do not wait).
    lock_wait_seconds: NonNegative = 60.0
    #: Memory DuckDB may hold for an ingest or a run before it spills to
    #: ``duckdb_temp_directory`` (e.g. "1.5GB"; empty: DuckDB's default, 80 % of the RAM).
    duckdb_memory_limit: MemorySize = "1.5GB"
    #: Where DuckDB spills beyond its memory limit; empty: beside the warehouse file
    #: (``<file>.tmp``, removed when it closes), or the system's temporary directory.
    duckdb_temp_directory: str = ""


@dataclass
class RunConfig:
    """What a whole run shares (`churnlens.run_cutoff`)."""

    #: The run's cutoff, the "as of" date every stage computes at (ISO date; orders from that
    #: day on are left out); empty: midnight after the last order of the current data.
    cutoff: IsoDateOrEmpty = ""


@dataclass
class IngestConfig:
    """How native files are read."""

    #: Rows of a column that may fail to parse before the whole column is judged to be in
    #: the wrong format (a DataError instead of rejected rows). A share of the rows read.
    max_bad_share: Share = 0.5
    #: Snapshot date that relative-time data sets (Instacart) are aligned on: every user's
    #: last order is placed on this day. ISO date.
    relative_snapshot_date: IsoDate = "2017-06-30"
    #: Hour-of-day used when a source gives dates only.
    default_hour: Hour = 12
    #: Earliest plausible time of an order, event or sign-up (ISO date): rows with an earlier
    #: time (year 1, 1900 ...) are rejected with their reason.
    earliest_time: IsoDate = "1990-01-01"
    #: Times more than this many days after the moment of the ingest are rejected (2999 ...).
    latest_days_ahead: NonNegative = 1.0
    #: Share of a table's rows that may be rejected; above it the ingest stops with an error
    #: and stores nothing (a file in another format or encoding is not stored nearly empty).
    max_rejected_share: Share = 0.9


@dataclass
class SessionsConfig:
    """Sessionization of click streams."""

    #: Inactivity (minutes) that ends a session.
    gap_minutes: Positive = 30.0
    #: Also end sessions at midnight UTC.
    split_at_midnight: bool = False


@dataclass
class BehaviourConfig:
    """Funnels, paths, age bands and search trends (stages ``behaviour_*``)."""

    #: Ordered funnel steps (canonical event types).
    funnel_steps: list[EventType] = field(
        default_factory=lambda: ["home", "view_item", "add_to_cart", "purchase"]
    )
    #: What a funnel follows: "session" (re-split sessions) or "visitor" (across sessions).
    funnel_unit: Literal["session", "visitor"] = "session"
    #: Minutes after the first step within which later steps count (0 = no limit).
    funnel_window_minutes: NonNegative = 1440.0
    #: Steps of the order funnel (first order -> second -> ...) and its window in days (0 = none).
    order_funnel_orders: Whole = 3
    order_funnel_window_days: NonNegative = 0.0
    #: Lower edges (years) of the age bands, the one definition every stage uses (funnels,
    #: demographic segments, the diagnosis); the last band is open-ended (55+).
    age_band_edges: list[Count] = field(default_factory=lambda: [0, 18, 25, 35, 45, 55])
    #: Events per path (first N of a session), paths kept per table, merge consecutive repeats.
    path_steps: Whole = 4
    path_top: Whole = 100
    path_collapse_repeats: bool = True
    #: Search keyword groups, name -> terms. A [behaviour.search_groups] table replaces this
    #: default; list second_hand there again to keep it.
    search_groups: dict[str, list[str]] = field(
        default_factory=lambda: {"second_hand": ["Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift"]}
    )
    #: How a query matches a group's terms, ignoring case: "exact" or "contains".
    search_match: Literal["exact", "contains"] = "exact"


@dataclass
class ChurnConfig:
    """Churn labels and models."""

    #: A customer has churned at a cutoff when there is no paid order in the next `window_days`.
    window_days: Whole = 25
    #: Which window labels churn (`churnlens.churn.window`): "auto" takes the shop's own window
    #: when `window_days` covers less than `min_window_coverage` of the repeat purchases, "fixed"
    #: always `window_days`, "shop" always the shop's window.
    window_rule: Literal["auto", "fixed", "shop"] = "auto"
    #: The shop's window: the gap within which this share of repeat purchases happen.
    shop_window_share: Share = 0.9
    #: "auto" keeps `window_days` when at least this share of repeat gaps fit in it.
    min_window_coverage: Share = 0.5
    #: Fewer repeat gaps than this: the rhythm is not measured and `window_days` is kept.
    min_repeat_gaps: Whole = 100
    #: Population at a cutoff: customers with a paid order in this many days before it.
    lookback_days: Whole = 365
    #: Number of past cutoffs stacked for training (12 monthly cutoffs: a year of seasons; on
    #: held-out cutoffs of Online Retail, Instacart and the demo shop 12 beat 6 in 5 of 6).
    training_cutoffs: Whole = 12
    #: Days between two training cutoffs.
    cutoff_step_days: Whole = 30
    #: Personal-cycle baseline: churn when days since last order > multiple x mean interval.
    cycle_multiple: Positive = 2.0
    #: Gap that counts as churn in next-gap mode (relative-time shops); Instacart caps at 30.
    next_gap_days: Whole = 30
    #: Risk bands: probability thresholds for medium and high risk.
    risk_medium: Share = 0.4
    risk_high: Share = 0.7
    random_state: Count = 42
    #: Label mode: "window" (calendar shops), "next-gap" (relative-time shops such as
    #: Instacart) or "auto" (next-gap when the data set was ingested as relative-time).
    label_mode: Literal["auto", "window", "next-gap"] = "auto"
    #: Time-ordered backtest folds: held-out cutoffs (latest first) each evaluated on a model
    #: trained only on cutoffs whose labels were known before it.
    backtest_folds: Whole = 2
    #: Recent windows (days) for the "orders / spend in the last N days" features.
    recent_windows_days: list[Whole] = field(default_factory=lambda: [30, 90, 180])
    #: Recent window (days) of the click-stream features (sessions, searches, funnel ratios).
    event_window_days: Whole = 90
    #: Models compared in the backtest ("lightgbm" is the one that scores customers).
    models: list[ModelKind] = field(
        default_factory=lambda: ["lightgbm", "logistic", "random_forest", "xgboost"]
    )
    #: Imbalance strategies compared on LightGBM: none, class_weight, oversample, smote, undersample.
    imbalance_strategies: list[Imbalance] = field(
        default_factory=lambda: ["none", "class_weight", "oversample", "smote", "undersample"]
    )
    #: Strategy used by the scoring model (resampling distorts probabilities; see the comparison).
    imbalance: Imbalance = "none"
    #: Optuna trials tuning LightGBM on a time-ordered validation cutoff (0: no tuning).
    n_trials: Count = 5
    #: Probability calibration on the validation cutoff: "sigmoid", "isotonic" or "none".
    calibration: Literal["sigmoid", "isotonic", "none"] = "sigmoid"
    #: Calendar shops: the scores' mean at a cutoff follows the observed churn rate's linear
    #: trend over this many latest labelled training cutoffs, carried forward from the
    #: calibration cutoff (0 or 1: no trend; the ranking never changes).
    rate_trend_cutoffs: Count = 4
    #: LightGBM defaults (the starting point of tuning): small trees, many of them; on held-out
    #: cutoffs 7-leaf trees beat 15-leaf ones in 5 of 6 (tuning rarely moves them). 150 trees
    #: at rate 0.06 and 63 bins per feature rank Online Retail's and Instacart's held-out
    #: customers as 300 trees at 0.03 and 255 bins do (ROC AUC within 0.002) in half the time.
    n_estimators: Whole = 150
    learning_rate: Annotated[float, Range(0, 1, lo_open=True)] = 0.06
    num_leaves: Annotated[int, Range(2)] = 7
    min_child_samples: Whole = 100
    #: Bins per feature of LightGBM's histograms (fewer: faster fits; not tuned).
    max_bin: Annotated[int, Range(2)] = 63
    #: Threads of the model libraries.
    n_jobs: Whole = 2
    #: Random forest size in the comparison.
    forest_trees: Whole = 100
    #: Factors turned into sentences per customer.
    reasons_top: Whole = 3
    #: Shares of customers (ranked by risk) for lift and capture rate, and the contact capacity
    #: used to pick a threshold.
    top_shares: list[Share] = field(default_factory=lambda: [0.1, 0.2])
    contact_share: Annotated[float, Range(0, 1, lo_open=True)] = 0.1
    #: The expected-profit threshold: a contacted churner is kept with probability
    #: `profit_save_rate` and is worth the feature `profit_value` (their average order value);
    #: each contact costs `profit_contact_cost_share` of the median average order value (any
    #: currency: 0.1 is a tenth of a typical order). Shops without prices have no such threshold.
    profit_value: str = "aov"
    profit_save_rate: Share = 0.2
    profit_contact_cost_share: NonNegative = 0.1
    #: Bins of the calibration curve and of the expected calibration error.
    calibration_bins: Annotated[int, Range(2)] = 10
    #: Points kept per ROC / PR curve in ``churn_curves``.
    curve_points: Annotated[int, Range(2)] = 101
    #: Fit BG/NBD at each cutoff for P(alive) features and the BG/NBD baseline (needs churnlens.clv).
    use_bgnbd: bool = True
    #: Anchors (customer x cutoff rows) per feature query: larger is faster, smaller bounds
    #: the engine's memory (0: all in one query; Spark, which spills to disk, copes with 0).
    feature_batch_anchors: Count = 125_000
    #: Penalties tried, smallest first, when a cutoff's data cannot identify the plain BG/NBD
    #: (on the model's internal time scale, where the oldest customer has T = 10).
    bgnbd_penalizers: list[NonNegative] = field(default_factory=lambda: [1e-9, 1e-7, 1e-5, 1e-3])
    #: Horizon (days) of the expected-purchases feature.
    expected_purchases_days: Whole = 90
    #: A cutoff needs at least this many labelled customers of each class to be used.
    min_class_rows: Whole = 5
    #: What `run` compares on the held-out cutoffs: "production" (the scoring model, untuned,
    #: against the baselines: fast) or "full" (also the models of `models`, the imbalance
    #: strategies and Optuna tuning, as `churnlens backtest` always does). The last full
    #: comparison stays in its tables, dated, until the next one.
    compare: Literal["production", "full"] = "production"
    #: Weibull shapes the gap model (each customer's own rhythm: P(no order in t days), the
    #: timing of the next order, and the bgnbd baseline in next-gap mode) chooses from by
    #: likelihood; gaps shorter than `gap_floor_days` (same-day orders) count as that long.
    gap_shapes: list[Positive] = field(default_factory=lambda: [0.5, 0.75, 1.0, 1.25, 1.5, 2.0])
    gap_floor_days: Positive = 0.5
    #: Paired bootstrap of (model - baseline) ROC AUC on each held-out cutoff: resamples of
    #: the customers (seeded with `random_state`) and the interval's level.
    bootstrap_samples: Whole = 500
    bootstrap_level: Share = 0.95
    #: When the scoring model is not measurably better (its interval against a candidate
    #: includes 0 on the latest held-out cutoff), customers are scored by the first of these
    #: simpler probabilistic models that is not measurably worse ("bgnbd": BG/NBD, or the gap
    #: model in next-gap mode). Empty: always the scoring model.
    fallback_models: list[Literal["bgnbd"]] = field(default_factory=lambda: ["bgnbd"])
    #: Timing of each scored customer's next order: P(an order within each horizon) and the
    #: expected days to it, counted up to `timing_cap_days` (churn.next_order).
    timing_horizons_days: list[Whole] = field(default_factory=lambda: [7, 14, 30])
    timing_cap_days: Whole = 365
    #: Customers whose per-customer contributions (reasons) are computed in one batch.
    reasons_batch_rows: Whole = 50_000
    #: Customers sampled (seeded) for the mean absolute contribution of the feature importance.
    importance_sample_rows: Whole = 5_000
    #: Training rows a model fits at most: beyond them a seeded random sample of the training
    #: cutoffs' rows (the calibration cutoff always whole); fitting time grows with the rows, the
    #: ranking barely (0: every row).
    train_max_rows: Count = 60_000


@dataclass
class RFMConfig:
    """RFM scoring and named segments (rules documented in `churnlens.segments.rfm`)."""

    #: Quantile grades per axis (R3/F2/M2 as in the original analysis; 5/5/5 also works).
    recency_grades: Grades = 3
    frequency_grades: Grades = 2
    monetary_grades: Grades = 2
    #: Named segments, first match wins: [name, r_min, r_max, f_min, f_max, m_min, m_max] on
    #: score levels in 0..1 ((score - 1) / (grades - 1)), bounds inclusive; else "lost".
    segment_rules: list[list] = field(
        default_factory=lambda: [
            ["champions", 0.75, 1, 0.75, 1, 0.75, 1],
            ["loyal", 0.5, 1, 0.75, 1, 0, 1],
            ["potential_loyalists", 0.5, 1, 0, 1, 0.75, 1],
            ["new", 0.75, 1, 0, 1, 0, 1],
            ["cant_lose", 0, 0.4, 0.75, 1, 0.75, 1],
            ["at_risk", 0, 0.4, 0.75, 1, 0, 1],
            ["at_risk", 0, 0.4, 0, 1, 0.75, 1],
            ["hibernating", 0.25, 1, 0, 1, 0, 1],
            ["lost", 0, 1, 0, 1, 0, 1],
        ]
    )


@dataclass
class DiagnosisConfig:
    """Sales-decline diagnosis: periods compared and the thresholds of the findings' rules."""

    #: Months in each of the two periods the revenue bridge compares.
    bridge_months: Whole = 2
    #: Last month (YYYY-MM) of the current period; empty: the last full month of the data.
    current_end_month: MonthOrEmpty = ""
    #: A customer is "in their first month" for this many days from their first paid order.
    new_customer_days: Whole = 30
    #: Revenue change (share) at or below minus this is a decline; at or above it, growth.
    decline_threshold: NonNegative = 0.05
    #: Segments counted as loyal high-value customers.
    high_value_segments: list[str] = field(default_factory=lambda: ["champions", "loyal", "cant_lose"])
    #: Share of the lost revenue that lapsing high-value customers must explain to be a finding.
    high_value_lapse_share: Share = 0.3
    #: Report the segments that together explain at least this share of the change.
    driver_share: Share = 0.5
    #: Share of the current period's promotion discount going to customers in their first
    #: month above which promotions count as skewed to new customers.
    promo_new_share: Share = 0.5
    #: ... or this many times their share of the period's orders.
    promo_new_ratio: Positive = 1.5
    #: Repurchase rate after promo orders this much (absolute) below full price is a finding.
    promo_repurchase_gap: Share = 0.05
    #: Sign-ups up by at least this share while revenue falls is a finding.
    signup_growth_threshold: NonNegative = 0.05
    #: Failed-payment share up by at least this much (absolute) is a finding.
    failed_share_rise: Share = 0.02
    #: A category explaining at least this share of a fall in item revenue is a finding.
    category_share: Share = 0.3
    #: Findings kept, most important first.
    max_findings: Whole = 8


@dataclass
class CLVConfig:
    """Customer value models."""

    #: Count at most one purchase per day ("day") or every order ("order").
    purchase_unit: Literal["day", "order"] = "day"
    #: Horizon of the lifetime value, in months.
    horizon_months: Whole = 12
    #: Yearly discount rate of future revenue.
    annual_discount_rate: Share = 0.10
    #: Purchase-count model: "bgnbd" or "paretonbd".
    count_model: Literal["bgnbd", "paretonbd"] = "bgnbd"
    #: Days held out at the end of the data to check the model (calibration vs holdout).
    holdout_days: NonNegative = 90.0


@dataclass
class ProductsConfig:
    """Product performance, repeat behaviour, baskets and churn by product."""

    #: Levels analysed: ``product`` and any of the products table's category columns
    #: (category_l1 = masterCategory/department, category_l2 = subCategory/aisle, category_l3).
    levels: list[Level] = field(
        default_factory=lambda: ["product", "category_l1", "category_l2", "category_l3"]
    )
    #: Period of the rankings and of growth vs the previous period: week, month, quarter or year.
    period: Literal["week", "month", "quarter", "year"] = "month"
    #: Rows per list of best/worst sellers, rising/falling and first-order products.
    top_n: Whole = 10
    #: Minimum orders in the period for a product to be ranked best/worst or rising/falling,
    #: and minimum orders for a reorder rate to be reported.
    min_orders: Whole = 20
    #: Growth of revenue (units without prices) vs the previous period at or above which a
    #: product is rising; at or below minus it, falling.
    growth_threshold: NonNegative = 0.2
    #: "High volume": orders at or above this quantile of the products with `min_orders`.
    high_volume_quantile: Share = 0.9
    #: "Low reorder rate": at or below this quantile of those products' reorder rates.
    low_reorder_quantile: Share = 0.25
    #: Cart positions above this are pooled into one bucket (position = this + 1).
    cart_position_max: Whole = 20
    #: Basket levels for frequent pairs (``product`` and/or category columns).
    basket_levels: list[Level] = field(default_factory=lambda: ["product", "category_l1", "category_l2"])
    #: Minimum support of a pair: share of all paid orders holding both items.
    basket_min_support: Share = 0.002
    #: Minimum number of orders holding a pair, whatever the support.
    basket_min_pair_orders: Whole = 5
    #: Cross-sell partners kept per item (best lift first), only pairs with lift above 1 whose
    #: one-sided Fisher test (Benjamini-Hochberg adjusted over the level's pairs) is at most
    #: `basket_alpha`.
    cross_sell_top_n: Whole = 5
    basket_alpha: Annotated[float, Range(0, 1, lo_open=True)] = 0.05
    #: Levels of the churn-by-product analysis.
    churn_levels: list[Level] = field(default_factory=lambda: ["product", "category_l1", "category_l2"])
    #: Minimum customers whose last order holds the item (churned + retained) for a lift row.
    churn_min_buyers: Whole = 20
    #: Significance level of the one-sided Fisher test (Benjamini-Hochberg adjusted p-values).
    churn_alpha: Annotated[float, Range(0, 1, lo_open=True)] = 0.05


@dataclass
class PlaybookConfig:
    """One recommended action per scored customer and what it is worth.

    `rules` are tried in order; the first whose conditions all hold gives the action. A
    condition is ``state=active|at_risk|lapsing|lapsed``, ``risk=high|medium|low``,
    ``value=high|low``, ``dormant``, ``promo_sensitive``, ``segment=NAME`` (RFM segment), any of
    them negated with ``not ``, or ``*`` (always).
    """

    rules: list[str] = field(
        default_factory=lambda: [
            "reactivation: state=lapsed",
            "winback_personal: not state=active & value=high",
            "reminder_auto: state=lapsing",
            "nurture: state=at_risk",
            "loyalty_reward: value=high",
            "no_action: *",
        ]
    )
    #: The action of customers whose rule's action is expected to cost more than it saves (a
    #: negative expected value is never recommended: no contact is an answer). It saves
    #: nothing and costs nothing unless `save_rates` / `contact_costs` say otherwise.
    no_contact_action: str = "no_action"
    #: Customer states (`churnlens.playbook.states`): at risk beyond `at_risk_rhythm` times the
    #: customer's own mean gap between purchase days, lapsing beyond `lapsing_rhythm` times it or
    #: with P(alive) below `lapsing_p_alive`, lapsed beyond the shop's return horizon (the gap
    #: within which `return_horizon_share` of its repeat purchases happen) or with P(alive)
    #: below `lapsed_p_alive`.
    at_risk_rhythm: Positive = 1.5
    lapsing_rhythm: Positive = 3.0
    lapsing_p_alive: Share = 0.5
    lapsed_p_alive: Share = 0.2
    return_horizon_share: Share = 0.95
    #: Measured promotion effect (`churnlens.playbook.uplift`): repurchase within
    #: `uplift_horizon_days` (0: the churn window) of recipients against comparable
    #: non-recipients, with a bootstrap 95 % interval of `uplift_bootstrap` resamples; measured
    #: only when both groups have at least `uplift_min_orders` orders. Propensities are clipped
    #: to [1 - `uplift_propensity_clip`, `uplift_propensity_clip`].
    uplift_horizon_days: Count = 0
    uplift_bootstrap: Whole = 100
    uplift_min_orders: Whole = 200
    uplift_propensity_clip: Share = 0.99
    #: Risk bands by rank of P(churn): the top `risk_high_share` of the scored customers are
    #: high, the next `risk_medium_share` medium, the rest low.
    risk_high_share: Share = 1 / 3
    risk_medium_share: Share = 1 / 3
    #: Value used for a customer, first column present in customer_scores wins; without any,
    #: the revenue (items without prices) of the last `history_days` before the cutoff.
    value_columns: list[str] = field(default_factory=lambda: ["clv_12m", "expected_spend"])
    history_days: Whole = 365
    #: High value: value at or above this quantile of the scored customers' values.
    high_value_quantile: Share = 0.8
    #: Dormant: no paid order for at least this many days before the cutoff.
    dormant_days: Whole = 180
    #: Promo sensitive: at least this share of the customer's paid orders used a promotion.
    promo_sensitive_share: Share = 0.5
    #: Actions that carry a discount, and only for promo-sensitive customers (nobody else
    #: gets one: no discount for customers who buy anyway).
    discount_actions: list[str] = field(
        default_factory=lambda: ["winback_personal", "reactivation", "reminder_auto"]
    )
    #: Assumed share of the revenue at stake that each action saves (shown as an assumption
    #: wherever it is used; a measured promotion uplift replaces it where the shop has one).
    save_rates: dict[str, Share] = field(
        default_factory=lambda: {
            "reactivation": 0.05,
            "winback_personal": 0.25,
            "reminder_auto": 0.08,
            "nurture": 0.05,
            "loyalty_reward": 0.03,
            "no_action": 0.0,
        }
    )
    #: Cost of contacting one customer with each action, in `contact_cost_unit`s.
    contact_costs: dict[str, NonNegative] = field(
        default_factory=lambda: {
            "reactivation": 0.01,
            "winback_personal": 0.1,
            "reminder_auto": 0.001,
            "nurture": 0.001,
            "loyalty_reward": 0.04,
            "no_action": 0.0,
        }
    )
    #: "order": `contact_costs` are shares of the shop's median paid order (over the last
    #: `history_days`), so the defaults hold in any currency (a personal win-back costs a tenth
    #: of a typical order); "currency": amounts in the shop's currency.
    contact_cost_unit: Literal["order", "currency"] = "order"
    #: Routine products: bought in at least this many orders, due when the days since the last
    #: purchase reach `routine_due_factor` times the customer's own mean interval.
    routine_min_orders: Whole = 3
    routine_due_factor: Positive = 1.0
    #: Routine products listed per customer (most often bought first).
    routine_max_products: Whole = 5


@dataclass
class ChurnlensConfig:
    """Everything tunable in churnlens, grouped by stage."""

    engine: EngineConfig = field(default_factory=EngineConfig)
    run: RunConfig = field(default_factory=RunConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    sessions: SessionsConfig = field(default_factory=SessionsConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    rfm: RFMConfig = field(default_factory=RFMConfig)
    diagnosis: DiagnosisConfig = field(default_factory=DiagnosisConfig)
    clv: CLVConfig = field(default_factory=CLVConfig)
    products: ProductsConfig = field(default_factory=ProductsConfig)
    playbook: PlaybookConfig = field(default_factory=PlaybookConfig)

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> ChurnlensConfig:
        """Read a TOML file; unknown sections or keys are an error, not silently ignored."""
        p = Path(path)
        if not p.exists():
            raise DataError("Config file not found.", file=str(p), fix="Pass an existing TOML file.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataError(
                f"Config file is not valid TOML: {exc}", file=str(p), fix="Fix the TOML syntax."
            ) from exc
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> ChurnlensConfig:
        cfg = cls()
        for section, values in data.items():
            if not isinstance(values, dict):
                raise DataError(
                    f"Config entry '{section}' must be a table of settings.",
                    file=source,
                    fix=f"Write it as a [{section}] table followed by key = value lines.",
                )
            for key, value in values.items():
                cfg.set(f"{section}.{key}", value, source=source, check_rules=False)
        cfg.validate(source)
        return cfg

    def set(self, dotted: str, value: Any, source: str = "--set", check_rules: bool = True) -> None:
        """Set one value by its dotted name (``churn.window_days``), converting strings and
        checking it against its declaration (and, unless told not to, the rules across fields)."""
        section_name, _, key = dotted.partition(".")
        sections = {f.name: f for f in dataclasses.fields(self)}
        if section_name not in sections or not key:
            raise DataError(
                f"Unknown setting '{dotted}'.",
                file=source,
                values=[dotted],
                fix=f"Use one of the sections {sorted(sections)} as section.key.",
            )
        section = getattr(self, section_name)
        fields = {f.name: f for f in dataclasses.fields(section)}
        if key not in fields:
            raise DataError(
                f"Unknown setting '{dotted}'.",
                file=source,
                values=[dotted],
                fix=f"Known keys of section {section_name}: {sorted(fields)}.",
            )
        default = getattr(type(section)(), key)
        value = _coerce(value, default, dotted, source)
        setattr(section, key, check_field(dotted, hints(type(section))[key], value, default, source))
        if check_rules:
            cross_field_rules(self, source)

    def validate(self, source: str = "config") -> ChurnlensConfig:
        """Check every value against its declaration and the rules across fields (DataError)."""
        for section_field in dataclasses.fields(self):
            section = getattr(self, section_field.name)
            declared = hints(type(section))
            defaults = type(section)()
            for f in dataclasses.fields(section):
                name = f"{section_field.name}.{f.name}"
                value = check_field(
                    name, declared[f.name], getattr(section, f.name), getattr(defaults, f.name), source
                )
                setattr(section, f.name, value)
        cross_field_rules(self, source)
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, current: Any, name: str, source: str) -> Any:
    if not isinstance(value, str) or isinstance(current, str):
        return value
    try:
        if isinstance(current, bool):
            if value.lower() in {"true", "1", "yes"}:
                return True
            if value.lower() in {"false", "0", "no"}:
                return False
            raise ValueError(value)
        if isinstance(current, int):
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, list | dict):
            return tomllib.loads(f"v = {value}")["v"]
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DataError(
            f"Setting '{name}' expects a {type(current).__name__}.",
            file=source,
            values=[value],
            fix=f"Give a value like {current!r}.",
        ) from exc
    return value
