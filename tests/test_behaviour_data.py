"""Test data for the behaviour stages: canonical frames by hand and a NumPy click-stream shop.

`canonical` turns a few columns into a full canonical table (Arrow, canonical types);
`load` publishes canonical tables into a warehouse of either engine the way ingest does;
`click_shop` generates a shop (customers, orders, events) whose source sessions span long
idle gaps, like the Fashion Campus click stream, so that re-splitting them at 30 minutes
multiplies the session count. The benchmark uses `click_shop` at 12.8 M events.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from conftest import ARROW

from churnlens.schema import CANONICAL
from churnlens.warehouse import Warehouse

TYPES = ("home", "search", "view_item", "add_to_cart", "promo_page", "add_promo", "purchase", "other")
#: Next-event probabilities of the generated click stream (rows: current type, in TYPES order).
TRANSITIONS = np.array(
    [
        [0.10, 0.25, 0.30, 0.05, 0.10, 0.00, 0.00, 0.20],  # home
        [0.05, 0.15, 0.50, 0.10, 0.00, 0.00, 0.00, 0.20],  # search
        [0.10, 0.10, 0.25, 0.30, 0.00, 0.00, 0.00, 0.25],  # view_item
        [0.05, 0.05, 0.15, 0.25, 0.05, 0.10, 0.20, 0.15],  # add_to_cart
        [0.20, 0.10, 0.30, 0.10, 0.00, 0.10, 0.00, 0.20],  # promo_page
        [0.00, 0.00, 0.00, 0.10, 0.00, 0.00, 0.80, 0.10],  # add_promo
        [1.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # purchase (the session ends there)
        [0.15, 0.15, 0.25, 0.15, 0.05, 0.00, 0.05, 0.20],  # other
    ]
)
KEYWORDS = ("Kaos", "Sepatu", "Tas Wanita", "Dress Pesta", "Celana", "Jam", "Topi", "Baju")
SECOND_HAND = ("Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift")


def canonical(name: str, columns: dict[str, Any], n: int | None = None) -> pa.Table:
    """Canonical table ``name`` from the given columns; the others are NULL."""
    spec = CANONICAL[name]
    if n is None:
        n = len(next(iter(columns.values())))
    arrays = []
    for col in spec.columns:
        typ = ARROW[col.sql_type]
        if col.name in columns:
            arr = columns[col.name]
            arr = arr if isinstance(arr, pa.Array | pa.ChunkedArray) else pa.array(arr)
            arrays.append(arr.cast(typ))
        else:
            arrays.append(pa.nulls(n, typ))
    return pa.table(arrays, names=spec.column_names)


def load(wh: Warehouse, tables: dict[str, pa.Table]) -> None:
    """Publish canonical tables into ``wh`` (DuckDB or Spark) as ingest does."""
    stage = wh.staging()
    staged = {}
    for name, table in tables.items():
        stage.register("_behaviour_frame", table)
        stage.execute(f'CREATE OR REPLACE TABLE "_stage_{name}" AS SELECT * FROM _behaviour_frame')
        stage.unregister("_behaviour_frame")
        staged[name] = f"_stage_{name}"
    wh.publish(stage, staged)


def memory(tables: dict[str, pa.Table]) -> dict[str, ibis.Table]:
    """The tables in a fresh in-memory DuckDB, as Ibis tables."""
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, t) for name, t in tables.items()}


def click_shop(
    customers: int = 200,
    seed: int = 0,
    sessions_per_customer: float = 8.0,
    mean_events: float = 14.3,
    long_gap_share: float = 0.42,
    anonymous_share: float = 0.05,
    start: str = "2021-01-01",
    days: int = 540,
) -> dict[str, pa.Table]:
    """A shop with customers, orders and events (canonical Arrow tables).

    Every source session starts at a random time, holds ``2 + Poisson(mean_events - 2)`` events
    (cut after the first purchase) following `TRANSITIONS`, and between two events waits
    either a long idle gap (30 min + lognormal, median 90 min) with probability
    ``long_gap_share`` or a short one (lognormal, median 70 s). A purchase by a known customer
    is a paid order (95 %) or a failed one.
    """
    rng = np.random.default_rng(seed)
    n_cust = customers
    cust_ids = np.arange(1, n_cust + 1)
    t0 = np.datetime64(start, "us")
    span_us = days * 86_400_000_000
    birth = np.datetime64("1960-01-01") + rng.integers(0, 50 * 365, n_cust).astype("timedelta64[D]")
    customers_t = canonical(
        "customers",
        {
            "customer_id": pa.array(cust_ids).cast(pa.string()),
            "gender": rng.choice(["F", "M"], n_cust, p=[0.64, 0.36]),
            "birth_date": pa.array(birth.astype("datetime64[D]")),
            "device_type": rng.choice(["Android", "iOS"], n_cust, p=[0.77, 0.23]),
            "signup_ts": pa.array(t0 + rng.integers(0, span_us // 2, n_cust).astype("timedelta64[us]")),
        },
    )
    per_cust = 1 + rng.poisson(sessions_per_customer - 1, n_cust)
    owner = np.repeat(cust_ids, per_cust)
    n_anon = int(round(len(owner) * anonymous_share / (1 - anonymous_share)))
    owner = np.concatenate([owner, np.zeros(n_anon, dtype=owner.dtype)])  # 0 = anonymous
    n_sess = len(owner)
    sess_start = t0 + np.sort(rng.integers(0, span_us, n_sess)).astype("timedelta64[us]")
    owner = rng.permutation(owner)
    lengths = 2 + rng.poisson(mean_events - 2, n_sess)

    # event types by a Markov chain, all sessions at once, position by position
    max_len = int(lengths.max())
    types = np.full((n_sess, max_len), -1, dtype=np.int8)
    types[:, 0] = np.where(rng.random(n_sess) < 0.8, 0, 1)
    cum = np.cumsum(TRANSITIONS, axis=1)
    alive = np.ones(n_sess, dtype=bool)
    for pos in range(1, max_len):
        prev = types[:, pos - 1]
        alive &= (pos < lengths) & (prev != TYPES.index("purchase"))
        idx = np.flatnonzero(alive)
        if not len(idx):
            break
        u = rng.random(len(idx))[:, None]
        types[idx, pos] = np.minimum((u > cum[prev[idx]]).sum(axis=1), len(TYPES) - 1)
    mask = types >= 0
    n_ev = int(mask.sum())
    sess_of = np.repeat(np.arange(n_sess), mask.sum(axis=1))
    ev_type = types[mask]
    first = np.r_[True, sess_of[1:] != sess_of[:-1]]
    long = rng.random(n_ev) < long_gap_share
    gap_s = np.where(
        long,
        1800 + rng.lognormal(np.log(90 * 60), 1.2, n_ev),
        np.minimum(rng.lognormal(np.log(70), 1.1, n_ev), 1700),
    )
    gap_us = np.where(first, 0, (gap_s * 1e6).astype(np.int64))
    csum = np.cumsum(gap_us)
    starts = np.flatnonzero(first)
    offset = csum - np.repeat(csum[starts], np.diff(np.r_[starts, n_ev]))
    ts = sess_start[sess_of] + offset.astype("timedelta64[us]")
    ev_owner = owner[sess_of]
    cust_str = pa.array(ev_owner).cast(pa.string())
    cust_str = pc.if_else(pa.array(ev_owner == 0), pa.scalar(None, pa.string()), cust_str)
    sess_str = pc.binary_join_element_wise("S", pa.array(sess_of).cast(pa.string()), "")
    type_names = np.array(TYPES, dtype=object)
    # search queries: the second-hand share rises from 6 % to 19 % over the span
    is_search = ev_type == TYPES.index("search")
    frac = (ts - t0).astype(np.int64) / span_us
    second = rng.random(n_ev) < 0.06 + 0.13 * frac
    query = np.where(
        second,
        np.array(SECOND_HAND, dtype=object)[rng.integers(0, len(SECOND_HAND), n_ev)],
        np.array(KEYWORDS, dtype=object)[rng.integers(0, len(KEYWORDS), n_ev)],
    )
    query = pa.array(np.where(is_search, query, None), pa.string())
    traffic = np.where(rng.random(n_sess) < 0.62, "MOBILE", "WEB")[sess_of]
    events_t = canonical(
        "events",
        {
            "event_id": pc.binary_join_element_wise("E", pa.array(np.arange(n_ev)).cast(pa.string()), ""),
            "session_id": sess_str,
            "customer_id": cust_str,
            "event_ts": pa.array(ts),
            "event_type": pa.array(type_names[ev_type], pa.string()),
            "search_query": query,
            "traffic_source": pa.array(traffic, pa.string()),
        },
    )
    buy = np.flatnonzero((ev_type == TYPES.index("purchase")) & (ev_owner > 0))
    n_ord = len(buy)
    orders_t = canonical(
        "orders",
        {
            "order_id": pc.binary_join_element_wise("B", pa.array(buy).cast(pa.string()), ""),
            "customer_id": pa.array(ev_owner[buy]).cast(pa.string()),
            "order_ts": pa.array(ts[buy]),
            "status": np.where(rng.random(n_ord) < 0.95, "paid", "failed"),
            "total_amount": np.round(rng.lognormal(np.log(250_000), 0.6, n_ord)),
            "session_id": pa.array(sess_str.take(pa.array(buy)), pa.string()),
        },
        n_ord,
    )
    return {"customers": customers_t, "orders": orders_t, "events": events_t}


def test_click_shop_is_canonical_and_reproducible():
    a, b = click_shop(50, seed=3), click_shop(50, seed=3)
    for name, t in a.items():
        assert t.column_names == CANONICAL[name].column_names
        assert t.equals(b[name])
    ev = a["events"].to_pandas()
    assert ev.event_id.is_unique and set(ev.event_type) <= set(TYPES)
    # at most one purchase per source session, and it is the session's last event
    last = ev.sort_values("event_ts").groupby("session_id").event_type.last()
    buys = ev[ev.event_type == "purchase"].session_id
    assert buys.is_unique and (last[buys] == "purchase").all()


def test_load_publishes_canonical_tables():
    wh = Warehouse()
    load(wh, click_shop(20, seed=1))
    assert {"customers", "orders", "events"} <= set(wh.tables())
    assert wh.table("events").event_ts.type().is_timestamp()
