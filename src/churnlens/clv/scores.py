"""Per-customer value scores for the ``customer_scores`` table (and as churn features).

`score_customers` takes a customer summary (see `summary_from_orders`), fits a counting model
(BG/NBD by default) and, when the shop has order amounts, a Gamma-Gamma spend model, and
returns one row per customer:

- ``p_alive``: probability the customer is still active at the cutoff;
- ``expected_purchases_90d``: expected purchases in the 90 days after the cutoff;
- ``expected_spend``: expected value of one future purchase (NULL without amounts);
- ``clv_<h>m``: discounted expected revenue over the next h months (h =
  ``config.clv.horizon_months``, so ``clv_12m`` by default; NULL without amounts).

When spend cannot be modelled (no amounts, as in Instacart, or too few repeat buyers) the
spend columns are NULL and ``notes`` says why; the purchase columns are still filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd

from churnlens.clv.bgnbd import BGNBD
from churnlens.clv.gammagamma import GammaGamma, discounted_purchases
from churnlens.clv.paretonbd import ParetoNBD
from churnlens.clv.summary import summary_from_orders, time_unit_in_days
from churnlens.config import ChurnlensConfig
from churnlens.engine_agreement import round_significant, settled
from churnlens.errors import DataError, ModelError
from churnlens.row_batches import map_row_batches

#: Days in the horizon of ``expected_purchases_90d``.
PURCHASE_HORIZON_DAYS = 90.0
#: Mean length of a calendar month in days.
DAYS_PER_MONTH = 365.25 / 12.0
_COUNT_MODELS = {"bgnbd": BGNBD, "paretonbd": ParetoNBD}


@dataclass
class CustomerValue:
    """Scores with the models behind them and notes on anything left out."""

    scores: pd.DataFrame
    count_model: BGNBD | ParetoNBD
    spend_model: GammaGamma | None
    notes: list[str] = field(default_factory=list)


def monthly_discount_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over twelve months."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def score_customers(
    summary: pd.DataFrame,
    config: ChurnlensConfig | None = None,
    time_unit_days: float | str = 1.0,
    count_model: str = "bgnbd",
    penalizer: float = 0.0,
) -> CustomerValue:
    """Fit the value models on ``summary`` (customer_id, frequency, recency, T, monetary_value;
    times in units of ``time_unit_days`` days) and score every customer in it."""
    cfg = config or ChurnlensConfig()
    unit_days = time_unit_in_days(time_unit_days)
    missing = [c for c in ("customer_id", "frequency", "recency", "T") if c not in summary.columns]
    if missing:
        raise DataError(
            "The customer summary lacks columns.",
            file="customer summary",
            column=", ".join(missing),
            fix="Build it with churnlens.clv.summary_from_orders(...).execute().",
        )
    _known_count_model(count_model)
    model = fit_count_model(weighted_rows(summary, COUNT_KEYS), count_model, penalizer)
    notes: list[str] = []
    spend_rows, unusable = _spend_rows(summary)
    spend_model = fit_spend_model(spend_rows, unusable, penalizer, notes)
    score = ValueScorer(model, spend_model, cfg, unit_days)
    return CustomerValue(score(summary).reset_index(drop=True), model, spend_model, notes)


def _spend_rows(summary: pd.DataFrame) -> tuple[pd.DataFrame | None, int]:
    """What the spend model is fitted on (`weighted_rows` repeat buyers with a positive mean spend;
    None without amounts) and how many repeat buyers have no such spend."""
    if "monetary_value" not in summary.columns or summary["monetary_value"].isna().all():
        return None, 0
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float, na_value=np.nan)
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    return weighted_rows(summary[usable], SPEND_KEYS), int(((x > 0) & ~usable).sum())


#: The columns the counting model is fitted on, and those of the spend model.
COUNT_KEYS = ["frequency", "recency", "T"]
SPEND_KEYS = ["frequency", "monetary_value"]


def weighted_rows(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The distinct ``keys`` of ``rows`` (floats rounded as `settled` rounds them), each with
    ``n``, the customers it stands for (``rows`` may carry its own ``n``), in key order: the
    same frame whichever engine counted them and in whatever order."""
    n = rows["n"] if "n" in rows.columns else pd.Series(1, index=rows.index)
    out = settled(rows[keys].assign(n=n.to_numpy(dtype=float)), keys)
    return out.groupby(keys, sort=True, as_index=False)["n"].sum()


def fit_count_model(counts: pd.DataFrame, count_model: str, penalizer: float) -> BGNBD | ParetoNBD:
    """The counting model fitted on distinct (frequency, recency, T) rows weighted by ``n``."""
    return _COUNT_MODELS[count_model](penalizer=penalizer).fit(
        counts["frequency"], counts["recency"], counts["T"], weights=counts["n"]
    )


def fit_spend_model(
    spend: pd.DataFrame | None, unusable: int, penalizer: float, notes: list[str]
) -> GammaGamma | None:
    """Gamma-Gamma on the distinct (frequency, monetary_value) rows of the repeat buyers with a
    positive mean spend (weighted by ``n``); everyone else gets the population mean spend. None
    with a note when spend cannot be modelled (``spend`` None: the shop has no amounts)."""
    if spend is None:
        notes.append(
            "expected_spend and CLV are empty: the orders carry no amounts (e.g. Instacart), so "
            "spend per purchase cannot be modelled."
        )
        return None
    try:
        spend_model = GammaGamma(penalizer=penalizer).fit(
            spend["frequency"], spend["monetary_value"], weights=spend["n"]
        )
        spend_model.expected_spend(np.zeros(1), np.zeros(1))  # a mean for customers without repeats
    except ModelError as exc:
        notes.append(f"expected_spend and CLV are empty: {exc}")
        return None
    if unusable:
        notes.append(
            f"{unusable} repeat buyers have no positive spend on record; they get the population mean spend."
        )
    return spend_model


@dataclass
class ValueScorer:
    """Scores customers with fitted models, one row at a time: a function of the summary's rows
    (customer_id, frequency, recency, T, monetary_value), so it runs on any batch of them."""

    model: BGNBD | ParetoNBD
    spend_model: GammaGamma | None
    config: ChurnlensConfig
    unit_days: float

    @property
    def clv_column(self) -> str:
        return f"clv_{int(self.config.clv.horizon_months)}m"

    def __call__(self, summary: pd.DataFrame) -> pd.DataFrame:
        rows = summary.copy()
        for col in COUNT_KEYS + [c for c in SPEND_KEYS if c in rows.columns]:
            rows[col] = round_significant(rows[col].astype("float64"))
        x, t, big_t = (rows[c].to_numpy(dtype=float) for c in COUNT_KEYS)
        model, horizon = self.model, int(self.config.clv.horizon_months)
        scores = pd.DataFrame(
            {
                "customer_id": rows["customer_id"].to_numpy(),
                "p_alive": model.p_alive(x, t, big_t),
                "expected_purchases_90d": model.expected_purchases(
                    PURCHASE_HORIZON_DAYS / self.unit_days, x, t, big_t
                ),
                "expected_spend": np.full(len(x), np.nan),
                self.clv_column: np.full(len(x), np.nan),
            }
        )
        if self.spend_model is not None:
            m = rows["monetary_value"].to_numpy(dtype=float, na_value=np.nan)
            usable = (x > 0) & np.isfinite(m) & (m > 0)
            spend = self.spend_model.expected_spend(np.where(usable, x, 0.0), np.where(usable, m, 0.0))
            scores["expected_spend"] = spend
            scores[self.clv_column] = spend * discounted_purchases(
                model,
                x,
                t,
                big_t,
                horizon=horizon,
                discount_rate=monthly_discount_rate(self.config.clv.annual_discount_rate),
                period=DAYS_PER_MONTH / self.unit_days,
            )
        return scores

    def schema(self, customer_id: Any) -> ibis.Schema:
        """The scores' columns and types (``customer_id`` typed as in the summary)."""
        floats = ["p_alive", "expected_purchases_90d", "expected_spend", self.clv_column]
        return ibis.schema({"customer_id": customer_id, **dict.fromkeys(floats, "float64")})


def customer_value_from_orders(orders: Any, cutoff: Any, *args: Any, **kwargs: Any) -> CustomerValue:
    """`customer_value_table` (same arguments) with the scores as a pandas DataFrame, ordered
    by customer_id."""
    value = customer_value_table(orders, cutoff, *args, **kwargs)
    value.scores = value.scores.to_pandas().sort_values("customer_id", kind="stable").reset_index(drop=True)
    return value


def customer_value_table(
    orders: Any,
    cutoff: Any,
    config: ChurnlensConfig | None = None,
    time_unit_days: float | str = 1.0,
    count_model: str = "bgnbd",
) -> CustomerValue:
    """Customer value at ``cutoff`` with the per-customer work left in the engine.

    The summary (purchase unit from ``config.clv.purchase_unit``) stays an engine table. The
    models are fitted on what the engine counts: the distinct (frequency, recency, T) rows and
    the distinct (frequency, monetary_value) rows of the repeat buyers, each with its number of
    customers. The fitted models then score every customer where the rows are
    (`map_row_batches`: Spark's executors); ``scores`` is an Ibis table of one row per customer."""
    cfg = config or ChurnlensConfig()
    unit_days = time_unit_in_days(time_unit_days)
    _known_count_model(count_model)
    s = summary_from_orders(orders, cutoff, unit=cfg.clv.purchase_unit, time_unit_days=time_unit_days)
    counts = s.group_by(COUNT_KEYS).aggregate(n=s.count()).to_pandas()
    if counts.empty:
        raise DataError(
            "No paid orders of known customers at or before the cutoff.",
            file="orders",
            values=[str(cutoff)],
            fix="Check the cutoff date and that orders have status 'paid' and a customer_id.",
        )
    model = fit_count_model(weighted_rows(counts, COUNT_KEYS), count_model, 0.0)
    repeat, m = s.frequency > 0, s.monetary_value
    usable = repeat & m.notnull() & ~m.isnan() & ~m.isinf() & (m > 0)
    facts = s.aggregate(amounts=m.count(), unusable=(repeat & ~usable.fill_null(False)).sum()).to_pandas()
    spend_rows = None
    if int(facts["amounts"].iloc[0]) > 0:
        u = s.filter(usable)
        spend_rows = weighted_rows(u.group_by(SPEND_KEYS).aggregate(n=u.count()).to_pandas(), SPEND_KEYS)
    notes: list[str] = []
    unusable = int(facts["unusable"].fillna(0).iloc[0])
    spend_model = fit_spend_model(spend_rows, unusable, 0.0, notes)
    score = ValueScorer(model, spend_model, cfg, unit_days)
    rows = s.select("customer_id", *COUNT_KEYS, "monetary_value")
    return CustomerValue(
        map_row_batches(rows, score, score.schema(s.schema()["customer_id"])), model, spend_model, notes
    )


def _known_count_model(count_model: str) -> None:
    if count_model not in _COUNT_MODELS:
        raise DataError(
            f"Unknown count model {count_model!r}.",
            column="count_model",
            values=[count_model],
            fix=f"Use one of {sorted(_COUNT_MODELS)}.",
        )
