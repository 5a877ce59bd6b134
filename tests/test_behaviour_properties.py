"""Invariants of sessionization, funnels and lifecycle states on random data (hypothesis)."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_behaviour_data import canonical

from churnlens.analytics import funnels
from churnlens.analytics.lifecycle import customer_lifecycle
from churnlens.analytics.sessions import sessionize

CON = ibis.duckdb.connect()
TYPES = ["home", "search", "view_item", "add_to_cart", "purchase"]
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = pd.Timestamp("2021-03-01 22:00")

event_rows = st.lists(
    st.tuples(
        st.integers(0, 3),  # visitor: 0-1 customers, 2-3 anonymous source sessions
        st.integers(0, 6 * 60 * 60),  # seconds after T0 (crosses midnight)
        st.sampled_from(TYPES),
    ),
    min_size=1,
    max_size=40,
)


def events_table(rows):
    n = len(rows)
    t = canonical(
        "events",
        {
            "event_id": [f"e{i:03d}" for i in range(n)],
            "session_id": [f"src{v % 2}" if v < 2 else f"anon{v}" for v, _, _ in rows],
            "customer_id": pd.array([str(v) if v < 2 else None for v, _, _ in rows], dtype="string"),
            "event_ts": [T0 + pd.Timedelta(seconds=s) for _, s, _ in rows],
            "event_type": [k for _, _, k in rows],
        },
    )
    return CON.create_table("events", t, overwrite=True)


@SETTINGS
@given(rows=event_rows, gap=st.sampled_from([1.0, 10.0, 30.0, 45.5]), midnight=st.booleans())
def test_every_event_in_one_session_and_no_gap_inside(rows, gap, midnight):
    df = sessionize(events_table(rows), gap, midnight).to_pandas()
    assert len(df) == len(rows) and df.event_id.is_unique and df.session_id.notna().all()
    df = df.sort_values(["visitor_id", "event_ts", "event_id"])
    limit = pd.Timedelta(minutes=gap)
    for _, s in df.groupby("session_id"):
        assert s.visitor_id.nunique() == 1
        assert (s.event_ts.diff().dropna() <= limit).all()
        assert list(s.event_number) == list(range(1, len(s) + 1))
        if midnight:
            assert s.event_ts.dt.date.nunique() == 1
    for _, v in df.groupby("visitor_id"):
        starts = v.session_number.diff().fillna(1).astype(bool).to_numpy()
        gaps = v.event_ts.diff()
        new_day = v.event_ts.dt.normalize() != v.event_ts.shift().dt.normalize()
        # a session starts exactly where the gap exceeds the threshold (or the day changes)
        expected = gaps.isna() | (gaps > limit) | (new_day if midnight else False)
        assert (starts == expected.to_numpy()).all()
        assert sorted(v.session_number.unique()) == list(range(1, v.session_number.max() + 1))


@SETTINGS
@given(
    rows=event_rows,
    steps=st.lists(st.sampled_from(TYPES), min_size=1, max_size=5),
    unit=st.sampled_from(["session", "visitor"]),
    window=st.sampled_from([None, 600.0, 3600.0]),
)
def test_funnel_step_counts_never_increase(rows, steps, unit, window):
    se = sessionize(events_table(rows))
    reached = funnels.reach(funnels.event_units(se, unit), steps, window).to_pandas()
    counts = [int(reached[f"step_{k}_ts"].notna().sum()) for k in range(1, len(steps) + 1)]
    assert all(a >= b for a, b in zip(counts, counts[1:], strict=False))
    for k in range(2, len(steps) + 1):
        got = reached[reached[f"step_{k}_ts"].notna()]
        assert (got[f"step_{k}_ts"] >= got[f"step_{k - 1}_ts"]).all()
        if window:
            assert ((got[f"step_{k}_ts"] - got.start_ts).dt.total_seconds() <= window).all()


@SETTINGS
@given(
    orders=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 11), st.sampled_from(["paid", "paid", "failed"])),
        min_size=1,
        max_size=40,
    )
)
def test_lifecycle_states_partition_active_customers(orders):
    n = len(orders)
    t = canonical(
        "orders",
        {
            "order_id": [f"o{i}" for i in range(n)],
            "customer_id": [f"c{c}" for c, _, _ in orders],
            "order_ts": [pd.Timestamp(2021, 1, 15) + pd.DateOffset(months=m) for _, m, _ in orders],
            "status": [s for _, _, s in orders],
        },
    )
    lc = customer_lifecycle(CON.create_table("orders", t, overwrite=True)).to_pandas()
    assert not lc.duplicated(["customer_id", "month"]).any()
    paid = pd.DataFrame(orders, columns=["c", "m", "s"]).query("s == 'paid'")
    active = paid.groupby("m").c.nunique()
    lc["m"] = pd.to_datetime(lc.month).dt.month - 1
    states = lc[lc.state != "dormant"].groupby("m").size()
    assert states.to_dict() == active.to_dict()
    # dormant exactly in the month after an active month without activity
    act = set(zip("c" + paid.c.astype(str), paid.m, strict=True))
    last = paid.m.max() if len(paid) else -1
    want = {(c, m + 1) for c, m in act if (c, m + 1) not in act and m + 1 <= last}
    got = set(zip(lc[lc.state == "dormant"].customer_id, lc[lc.state == "dormant"].m, strict=True))
    assert got == want
