"""RFM: recency, frequency and monetary value per customer at a cutoff, graded by quantile.

Definitions (only paid orders strictly before the cutoff count):

- **recency_days**: whole days between the customer's last paid order and the cutoff.
- **frequency**: number of paid orders.
- **monetary**: what they paid (sum of ``total_amount``), or, for shops without prices, the
  number of items they bought (``monetary_unit`` says ``items``).

Grades (``RFMConfig.recency_grades`` etc., default R3/F2/M2 as in the original analysis;
5/5/5 also works). With ``n`` customers and ``g`` grades, a customer whose value is beaten by
``r`` customers (``r`` = how many have a strictly *worse* value: a longer recency, a lower
frequency or monetary) gets grade ``1 + floor(g * r / n)``. So grades are quantiles of the
customers' distribution, the best ``1/g`` get grade ``g``, and ties are deterministic: equal
values always get the same grade (the grade of the lowest of them). Edge cases follow: when all
values are equal (or there is one customer), everybody gets grade 1 on that axis; customers
with a single order share the lowest frequency grade.

Named segments: each score becomes a level in [0, 1] (``(score - 1) / (grades - 1)``; 0 with one
grade) and the first rule of ``RFMConfig.segment_rules`` whose boxes contain the customer's
(r, f, m) levels names it. The default rules (R3/F2/M2 examples in brackets):

====================  =========================================  =========================
segment               rule (levels, bounds inclusive)            R3/F2/M2 codes
====================  =========================================  =========================
champions             r >= .75, f >= .75, m >= .75               322
loyal                 r >= .5, f >= .75                          321, 222, 221
potential_loyalists   r >= .5, m >= .75                          312, 212
new                   r >= .75                                   311
cant_lose             r <= .4, f >= .75, m >= .75                122
at_risk               r <= .4, f >= .75 or m >= .75              121, 112
hibernating           r >= .25                                   211
lost                  everything else                            111
====================  =========================================  =========================
"""

from __future__ import annotations

from datetime import datetime

import ibis

from churnlens.config import RFMConfig
from churnlens.errors import DataError
from churnlens.segments.paid_orders import ITEMS, MONEY, epoch, to_units

#: Segment names in a fixed display order.
SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "cant_lose",
    "at_risk",
    "hibernating",
    "lost",
)


def grade(value: ibis.Value, grades: int, higher_is_better: bool = True) -> ibis.Value:
    """Quantile grade 1..grades of ``value`` over the whole table (see the module doc)."""
    order = value if higher_is_better else ibis.desc(value)
    beaten = ibis.rank().over(ibis.window(order_by=order))  # 0-based: count strictly worse
    n = value.count().over(ibis.window())
    return (1 + (beaten * grades) // n).cast("int64")


def level(score: ibis.Value, grades: int) -> ibis.Value:
    return (score - 1).cast("float64") / max(grades - 1, 1)


def check_rules(rules: list) -> list[tuple[str, float, float, float, float, float, float]]:
    """Validate ``segment_rules``: rows ``[name, r_min, r_max, f_min, f_max, m_min, m_max]``."""
    out = []
    for row in rules:
        ok = isinstance(row, list | tuple) and len(row) == 7 and isinstance(row[0], str)
        if ok:
            try:
                bounds = [float(x) for x in row[1:]]
            except (TypeError, ValueError):
                ok = False
        if not ok:
            raise DataError(
                "An RFM segment rule is malformed.",
                file="config [rfm] segment_rules",
                values=[row],
                fix='Write each rule as ["name", r_min, r_max, f_min, f_max, m_min, m_max] with levels in 0..1.',
            )
        out.append((row[0], *bounds))
    return out


def segment_of(r: ibis.Value, f: ibis.Value, m: ibis.Value, rules: list, fallback: str = "lost"):
    """The name of the first rule whose boxes contain the levels (r, f, m)."""
    cases = []
    for name, r0, r1, f0, f1, m0, m1 in check_rules(rules):
        cond = r.between(r0, r1) & f.between(f0, f1) & m.between(m0, m1)
        cases.append((cond, name))
    if not cases:
        return ibis.literal(fallback)
    return ibis.cases(*cases, else_=fallback)


def rfm(paid: ibis.Table, cutoff: datetime, cfg: RFMConfig, priced: bool) -> ibis.Table:
    """One row per customer with a paid order before ``cutoff``.

    Columns: customer_id, first_order_ts, last_order_ts, recency_days, frequency, monetary,
    monetary_value (int64: cents or items), monetary_unit, r_score, f_score, m_score, rfm_code,
    segment, cutoff.
    """
    for axis in ("recency_grades", "frequency_grades", "monetary_grades"):
        if int(getattr(cfg, axis)) < 1:
            raise DataError(
                f"RFM {axis} must be at least 1.", values=[getattr(cfg, axis)], fix="Use e.g. 3 or 5."
            )
    p = paid.filter(paid.customer_id.notnull() & (paid.order_ts < cutoff))
    per = p.group_by("customer_id").aggregate(
        first_order_ts=p.order_ts.min(),
        last_order_ts=p.order_ts.max(),
        frequency=p.order_id.count(),
        monetary_value=p.value.sum(),
    )
    per = per.mutate(
        recency_days=((epoch(cutoff) - per.last_order_ts.epoch_seconds()) // 86400).cast("int64")
    )
    gr, gf, gm = cfg.recency_grades, cfg.frequency_grades, cfg.monetary_grades
    per = per.mutate(
        r_score=grade(per.recency_days, gr, higher_is_better=False),
        f_score=grade(per.frequency, gf),
        m_score=grade(per.monetary_value, gm),
    )
    seg = segment_of(
        level(per.r_score, gr), level(per.f_score, gf), level(per.m_score, gm), cfg.segment_rules
    )
    code = per.r_score.cast("string") + per.f_score.cast("string") + per.m_score.cast("string")
    return per.select(
        "customer_id",
        "first_order_ts",
        "last_order_ts",
        "recency_days",
        per.frequency.cast("int64").name("frequency"),
        monetary=to_units(per.monetary_value, priced),
        monetary_value=per.monetary_value,
        monetary_unit=ibis.literal(MONEY if priced else ITEMS),
        r_score="r_score",
        f_score="f_score",
        m_score="m_score",
        rfm_code=code,
        segment=seg,
        cutoff=ibis.literal(cutoff, type="timestamp"),
    )


def segment_summary(scored: ibis.Table) -> ibis.Table:
    """Per segment: customers, their share, mean recency/frequency/monetary, share of monetary."""
    g = scored.group_by("segment").aggregate(
        customers=scored.customer_id.count(),
        mean_recency_days=scored.recency_days.mean(),
        mean_frequency=scored.frequency.mean(),
        mean_monetary=scored.monetary.mean(),
        monetary=scored.monetary.sum(),
        monetary_value=scored.monetary_value.sum(),
        monetary_unit=scored.monetary_unit.max(),
    )
    tot = ibis.window()
    return g.mutate(
        customer_share=g.customers.cast("float64") / g.customers.sum().over(tot),
        monetary_share=g.monetary_value.cast("float64") / g.monetary_value.sum().over(tot),
    ).order_by(ibis.desc("monetary_value"), "segment")
