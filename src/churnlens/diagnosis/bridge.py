"""Revenue bridge: the change between two periods decomposed exactly by customer type.

Every paid order's value is an integer (cents, or items without prices; see
`churnlens.segments.paid_orders`), so the parts add up to the total change exactly. For each
customer with a paid order in the base or the current period (both half-open, from
`churnlens.diagnosis.periods`):

- ``new``: first paid order ever in the current period; contributes its current revenue.
- ``reactivated``: bought before the base period, not in it, again in the current period.
- ``lost``: bought in the base period, not in the current one; contributes minus its base revenue.
- returning customers (bought in both) change by ``current - base``, split exactly into a
  **frequency** part ``round((n_cur - n_base) * base_revenue / n_base)`` (the change had they
  kept their base average order value) and an **order value** part (the rest). The frequency
  part goes to ``returning_more_orders`` or ``returning_fewer_orders``, the order-value part to
  ``returning_higher_value`` or ``returning_lower_value`` by their signs.
- ``guest_orders``: the change in revenue of orders without a customer.

The same split by segment (each customer's RFM segment at the start of the current period;
customers new in the current period form the segment ``new_customer``) ranks the segments by
how much of the change they explain.
"""

from __future__ import annotations

import ibis
import pandas as pd

from churnlens.diagnosis.periods import Periods

COMPONENTS: tuple[str, ...] = (
    "new",
    "reactivated",
    "returning_more_orders",
    "returning_fewer_orders",
    "returning_higher_value",
    "returning_lower_value",
    "lost",
    "guest_orders",
)
NEW_SEGMENT = "new_customer"
GUEST_SEGMENT = "guests"


#: Columns of ``revenue_bridge``; ``revenue_bridge_by_segment`` adds segment and segment_rank.
BRIDGE_COLUMNS = [
    "component",
    "customers",
    "change_value",
    "change",
    "share_of_change",
    "base_value",
    "current_value",
    "unit",
    "base_period",
    "current_period",
]


def customer_changes(paid: ibis.Table, p: Periods) -> ibis.Table:
    """Per customer active in either period: orders and value in each, and the bridge parts.

    Columns: customer_id, n_base, v_base, n_cur, v_cur, n_before, kind (new, reactivated,
    lost, returning) and one int64 column per component of `COMPONENTS` (guests excluded).
    """
    t = paid.filter(paid.order_ts < p.ts(p.current_end))
    in_base = (t.order_ts >= p.ts(p.base_start)) & (t.order_ts < p.ts(p.base_end))
    in_cur = (t.order_ts >= p.ts(p.current_start)) & (t.order_ts < p.ts(p.current_end))
    before = t.order_ts < p.ts(p.base_start)
    zero = ibis.literal(0, "int64")
    known = t.filter(t.customer_id.notnull())
    per = (
        known.mutate(
            _b=in_base.cast("int64"),
            _c=in_cur.cast("int64"),
            _p=before.cast("int64"),
            _vb=ibis.ifelse(in_base, t.value, zero),
            _vc=ibis.ifelse(in_cur, t.value, zero),
        )
        .group_by("customer_id")
        .aggregate(
            n_base=ibis._._b.sum(),
            v_base=ibis._._vb.sum(),
            n_cur=ibis._._c.sum(),
            v_cur=ibis._._vc.sum(),
            n_before=ibis._._p.sum(),
        )
    )
    per = per.filter((per.n_base > 0) | (per.n_cur > 0))
    kind = ibis.cases(
        ((per.n_base == 0) & (per.n_before == 0), "new"),
        (per.n_base == 0, "reactivated"),
        (per.n_cur == 0, "lost"),
        else_="returning",
    )
    per = per.mutate(kind=kind)
    ret = per.kind == "returning"
    freq = ibis.ifelse(
        ret,
        ((per.n_cur - per.n_base).cast("float64") * per.v_base.cast("float64") / per.n_base.cast("float64"))
        .round()
        .cast("int64"),
        zero,
    )
    per = per.mutate(_freq=freq)
    val = ibis.ifelse(ret, per.v_cur - per.v_base - per._freq, zero)
    per = per.mutate(_val=val)
    return per.mutate(
        new=ibis.ifelse(per.kind == "new", per.v_cur, zero),
        reactivated=ibis.ifelse(per.kind == "reactivated", per.v_cur, zero),
        returning_more_orders=ibis.ifelse(per.n_cur > per.n_base, per._freq, zero),
        returning_fewer_orders=ibis.ifelse(per.n_cur < per.n_base, per._freq, zero),
        returning_higher_value=ibis.ifelse(per._val > 0, per._val, zero),
        returning_lower_value=ibis.ifelse(per._val < 0, per._val, zero),
        lost=ibis.ifelse(per.kind == "lost", -per.v_base, zero),
    ).drop("_freq", "_val")


def _counts(t: ibis.Table) -> dict:
    """Aggregates of the components: sums and customer counts (non-zero or of that kind)."""
    agg = {}
    for c in COMPONENTS[:-1]:
        agg[c] = t[c].sum()
        if c in ("new", "reactivated", "lost"):
            agg[f"{c}_customers"] = (t.kind == c).cast("int64").sum()
        elif c.endswith(("more_orders", "fewer_orders")):
            cmp = t.n_cur > t.n_base if "more" in c else t.n_cur < t.n_base
            agg[f"{c}_customers"] = ((t.kind == "returning") & cmp).cast("int64").sum()
        else:
            agg[f"{c}_customers"] = (t[c] != 0).cast("int64").sum()
    agg["v_base"] = t.v_base.sum()
    agg["v_cur"] = t.v_cur.sum()
    agg["customers"] = t.customer_id.count()
    return agg


def segment_changes(changes: ibis.Table, segments: ibis.Table) -> ibis.Table:
    """Wide per-segment sums of the components; ``segments`` has customer_id, segment."""
    j = changes.left_join(segments, changes.customer_id == segments.customer_id).select(
        *[changes[c] for c in changes.columns],
        segment=ibis.coalesce(segments.segment, ibis.ifelse(changes.kind == "new", NEW_SEGMENT, "unscored")),
    )
    return j.group_by("segment").aggregate(**_counts(j))


def guest_totals(paid: ibis.Table, p: Periods) -> ibis.Table:
    """One row: guest orders' value in the base and current periods."""
    g = paid.filter(paid.customer_id.isnull())
    in_base = (g.order_ts >= p.ts(p.base_start)) & (g.order_ts < p.ts(p.base_end))
    in_cur = (g.order_ts >= p.ts(p.current_start)) & (g.order_ts < p.ts(p.current_end))
    zero = ibis.literal(0, "int64")
    return g.aggregate(
        v_base=ibis.ifelse(in_base, g.value, zero).sum().fill_null(0),
        v_cur=ibis.ifelse(in_cur, g.value, zero).sum().fill_null(0),
        n_base=in_base.cast("int64").sum().fill_null(0),
        n_cur=in_cur.cast("int64").sum().fill_null(0),
    )


def period_totals(paid: ibis.Table, p: Periods) -> ibis.Table:
    """One row: total value of all paid orders in the base (v_base) and current (v_cur) period."""
    in_base = (paid.order_ts >= p.ts(p.base_start)) & (paid.order_ts < p.ts(p.base_end))
    in_cur = (paid.order_ts >= p.ts(p.current_start)) & (paid.order_ts < p.ts(p.current_end))
    zero = ibis.literal(0, "int64")
    return paid.aggregate(
        v_base=ibis.ifelse(in_base, paid.value, zero).sum().fill_null(0),
        v_cur=ibis.ifelse(in_cur, paid.value, zero).sum().fill_null(0),
    )


def bridge_exprs(paid: ibis.Table, segments: ibis.Table, p: Periods) -> dict[str, ibis.Table]:
    """The three engine-side queries of the bridge: ``wide`` (per segment), ``guests`` and
    ``totals`` (one row each)."""
    return {
        "wide": segment_changes(customer_changes(paid, p), segments),
        "guests": guest_totals(paid, p),
        "totals": period_totals(paid, p),
    }


def bridge_tables(
    paid: ibis.Table, segments: ibis.Table, p: Periods, priced: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``revenue_bridge`` and ``revenue_bridge_by_segment`` as small DataFrames (`bridge_frames`)."""
    frames = {k: v.to_pandas() for k, v in bridge_exprs(paid, segments, p).items()}
    return bridge_frames(frames["wide"], frames["guests"], frames["totals"], p, priced)


def bridge_frames(
    wide: pd.DataFrame, guests: pd.DataFrame, totals: pd.DataFrame, p: Periods, priced: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables from the results of `bridge_exprs`.

    revenue_bridge columns: component, customers, change_value (int64 cents or items), change
    (currency or items), share_of_change, base_value, current_value, unit, base_period,
    current_period. The last row, ``total``, holds the total change, which equals the sum of
    the components exactly.

    revenue_bridge_by_segment columns: segment, segment_rank (1 = explains most of the change
    in its direction), component (the components and ``total``), customers, change_value,
    change, share_of_change, base_value, current_value, unit, base_period, current_period.
    """
    scale = 100 if priced else 1
    unit = "money" if priced else "items"
    guests = guests.iloc[0]
    base_total, cur_total = int(totals["v_base"].iloc[0]), int(totals["v_cur"].iloc[0])
    total = cur_total - base_total
    rows = []
    for _, r in wide.iterrows():
        for c in COMPONENTS[:-1]:
            rows.append(
                (r["segment"], c, int(r[f"{c}_customers"]), int(r[c]), int(r["v_base"]), int(r["v_cur"]))
            )
    gb, gc = int(guests["v_base"]), int(guests["v_cur"])
    if gb or gc:
        rows.append((GUEST_SEGMENT, "guest_orders", 0, gc - gb, gb, gc))
    long = pd.DataFrame(
        rows, columns=["segment", "component", "customers", "change_value", "base_value", "current_value"]
    )
    seg_total = long.groupby("segment", as_index=False).agg(
        change_value=("change_value", "sum"),
        base_value=("base_value", "first"),
        current_value=("current_value", "first"),
    )
    seg_total["customers"] = (
        seg_total["segment"]
        .map(dict(zip(wide["segment"], wide["customers"].astype(int), strict=True)))
        .fillna(0)
        .astype("int64")
    )
    seg_total["component"] = "total"
    direction = -1 if total < 0 else 1
    seg_total = seg_total.assign(_k=-direction * seg_total["change_value"]).sort_values(["_k", "segment"])
    rank = {s: i + 1 for i, s in enumerate(seg_total["segment"])}
    by_seg = pd.concat([long, seg_total.drop(columns="_k")], ignore_index=True)
    by_seg["segment_rank"] = by_seg["segment"].map(rank).astype("int64")
    order = {c: i for i, c in enumerate((*COMPONENTS, "total"))}
    by_seg = by_seg.assign(_o=by_seg["component"].map(order)).sort_values(["segment_rank", "_o"])
    by_seg = by_seg.drop(columns="_o").reset_index(drop=True)
    comp = long.groupby("component", as_index=False).agg(
        customers=("customers", "sum"), change_value=("change_value", "sum")
    )
    comp = comp.set_index("component").reindex(list(COMPONENTS), fill_value=0).reset_index()
    comp = pd.concat(
        [
            comp,
            pd.DataFrame(
                [{"component": "total", "customers": int(wide["customers"].sum()), "change_value": total}]
            ),
        ],
        ignore_index=True,
    )
    comp["base_value"] = base_total
    comp["current_value"] = cur_total
    out = []
    for df in (comp, by_seg):
        df["change_value"] = df["change_value"].astype("int64")
        df["customers"] = df["customers"].astype("int64")
        df["change"] = df["change_value"] / scale
        df["share_of_change"] = df["change_value"] / total if total else float("nan")
        df["base_value"] = df["base_value"].astype("int64")
        df["current_value"] = df["current_value"].astype("int64")
        df["unit"] = unit
        df["base_period"] = p.label("base")
        df["current_period"] = p.label("current")
        out.append(df)
    comp, by_seg = out
    by_seg = by_seg[["segment", "segment_rank", *BRIDGE_COLUMNS]]
    comp = comp[BRIDGE_COLUMNS]
    return _typed(comp), _typed(by_seg)


TEXT = ("segment", "component", "unit", "base_period", "current_period")


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed column types, so that empty tables are written with their types too."""
    types = {c: "str" for c in TEXT if c in df.columns}
    types |= {
        c: "int64"
        for c in ("segment_rank", "customers", "change_value", "base_value", "current_value")
        if c in df
    }
    types |= {c: "float64" for c in ("change", "share_of_change") if c in df.columns}
    return df.astype(types).reset_index(drop=True)
