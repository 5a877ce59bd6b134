"""Churn labels on hand-built histories: window and next-gap modes, censoring, monthly flag.

Also home of the small builders the other churn tests share (`order_rows`, `make_warehouse`;
`canonical` is in conftest).
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from conftest import canonical
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.churn import labels
from churnlens.warehouse import Warehouse


def order_rows(history: dict[str, list[str]], status: str = "paid", **extra) -> list[dict]:
    """Orders from ``{customer: [timestamps]}``; ids are customer-index."""
    rows = []
    for cust, times in history.items():
        for i, ts in enumerate(times):
            rows.append(dict(order_id=f"{cust}-{i}", customer_id=cust, order_ts=ts, status=status, **extra))
    return rows


def make_warehouse(tables: dict[str, list[dict]], path=None) -> Warehouse:
    wh = Warehouse(path)
    for name, rows in tables.items():
        wh.write(name, canonical(name, rows))
    return wh


HISTORY = {
    "a": ["2020-01-01", "2020-01-20", "2020-03-01"],
    "b": ["2020-01-10"],
    "c": ["2020-02-25"],
    "d": ["2018-06-01", "2020-01-31"],  # old order outside the lookback, then one inside
}


def _labels(df: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(r.customer_id, str(pd.Timestamp(r.cutoff).date())): int(r.churned) for r in df.itertuples()}


def test_window_labels_hand_computed():
    wh = make_warehouse({"orders": order_rows(HISTORY)})
    cuts = [datetime(2020, 1, 15), datetime(2020, 2, 1), datetime(2020, 3, 1)]
    got = _labels(labels.window_labels(wh.table("orders"), cuts, 25, 365).to_pandas())
    # the shop ends 2020-03-01, so the 2020-03-01 cutoff's window (to 03-26) is not observed:
    # nobody is labelled there, not even c (whose 25 days are unknown).
    assert got == {
        ("a", "2020-01-15"): 0,  # orders on 01-20
        ("b", "2020-01-15"): 1,
        ("a", "2020-02-01"): 1,  # next order 03-01 is 29 days later
        ("b", "2020-02-01"): 1,
        ("d", "2020-02-01"): 1,
    }


def test_window_labels_lookback_and_status():
    rows = order_rows(HISTORY) + order_rows({"e": ["2020-01-05"]}, status="failed")
    rows += order_rows({"b": ["2020-01-12"]}, status="cancelled")
    wh = make_warehouse({"orders": rows})
    got = _labels(labels.window_labels(wh.table("orders"), [datetime(2020, 1, 15)], 25, 30).to_pandas())
    # e only failed to pay: not in the population; a cancelled order is no purchase
    assert got == {("a", "2020-01-15"): 0, ("b", "2020-01-15"): 1}
    # d's 2018 order is outside a 365-day lookback at 2020-01-15
    got = _labels(labels.window_labels(wh.table("orders"), [datetime(2020, 1, 15)], 25, 365).to_pandas())
    assert ("d", "2020-01-15") not in got


def test_window_boundaries_are_inclusive_at_the_end():
    wh = make_warehouse({"orders": order_rows({"a": ["2020-01-01", "2020-01-26"], "z": ["2020-06-01"]})})
    lab = labels.window_labels(wh.table("orders"), [datetime(2020, 1, 1)], 25, 365).to_pandas()
    # the order at 01-01 00:00 is at the cutoff (a feature, not the future); 01-26 is c + 25 days
    assert _labels(lab) == {("a", "2020-01-01"): 0}


def test_monthly_flag():
    wh = make_warehouse({"orders": order_rows(HISTORY)})
    m = labels.monthly_labels(wh.table("orders"), 25, 365).to_pandas()
    got = {(r.customer_id, str(pd.Timestamp(r.month).date())): r.churned for r in m.itertuples()}
    recent = {k: v for k, v in got.items() if k[1] >= "2019-12-01"}
    # December: a ordered at the cutoff (01-01 00:00) and again on 01-20. February's window
    # (03-01 .. 03-26) is not observed before the end (03-01): no February labels at all.
    assert recent == {
        ("a", "2019-12-01"): 0,
        ("a", "2020-01-01"): 1,
        ("b", "2020-01-01"): 1,
        ("d", "2020-01-01"): 1,
    }
    # d's 2018-06-01 order keeps her in the population for the months whose end is less than
    # 365 days later (June 2018 .. April 2019), each time churned
    old = {k: v for k, v in got.items() if k[0] == "d" and k[1] < "2019-12-01"}
    assert len(old) == 11 and set(old.values()) == {1}


def test_next_gap_labels_with_censoring():
    rows = []
    gaps = {"u1": [None, 10, 30, 5], "u2": [None, 30], "u3": [None, 12, 20]}
    censored_at = 30
    for u, gs in gaps.items():
        t = pd.Timestamp("2017-01-01")
        for k, g in enumerate(gs):
            t = t + pd.Timedelta(days=g or 0)
            rows.append(
                dict(
                    order_id=f"{u}-{k}",
                    customer_id=u,
                    order_ts=t,
                    status="paid",
                    order_number=k + 1,
                    days_since_prior=None if g is None else float(g),
                    gap_censored=None if g is None else g >= censored_at,
                )
            )
    wh = make_warehouse({"orders": rows})
    o = wh.table("orders")
    lab = labels.next_gap_labels(o, 30).to_pandas()
    got = {(r.customer_id, r.seq): (r.label_rank, r.churned) for r in lab.itertuples()}
    # u1: gaps after orders 1,2,3 are 10, 30 (="30 or more": churned), 5; last order unlabelled
    assert got == {
        ("u1", 1): (3, 0),
        ("u1", 2): (2, 1),
        ("u1", 3): (1, 0),
        ("u2", 1): (1, 1),
        ("u3", 1): (2, 0),
        ("u3", 2): (1, 0),
    }
    # a window above the cap: censored gaps are unknown and excluded, never counted as churned
    lab40 = labels.next_gap_labels(o, 40).to_pandas()
    got40 = {(r.customer_id, r.seq): r.churned for r in lab40.itertuples()}
    assert ("u1", 2) not in got40 and ("u2", 1) not in got40
    assert got40[("u1", 1)] == 0 and got40[("u3", 2)] == 0
    latest = labels.next_gap_labels(o, 30, max_per_customer=1).to_pandas()
    assert sorted(latest["customer_id"]) == ["u1", "u2", "u3"]
    assert set(latest["label_rank"]) == {1}
    last = labels.latest_orders(o).to_pandas().set_index("customer_id")["seq"].to_dict()
    assert last == {"u1": 4, "u2": 2, "u3": 3}


@settings(max_examples=10, deadline=None)
@given(
    days=st.lists(st.integers(0, 200), min_size=1, max_size=12),
    cut=st.integers(0, 200),
    window=st.integers(1, 60),
)
def test_window_label_matches_definition(days, cut, window):
    base = pd.Timestamp("2021-01-01")
    times = sorted(base + pd.Timedelta(days=d, hours=6) for d in days)
    end_marker = base + pd.Timedelta(days=400)
    wh = make_warehouse({"orders": order_rows({"x": times, "zz": [end_marker]})})
    c = (base + pd.Timedelta(days=cut)).to_pydatetime()
    lab = labels.window_labels(wh.table("orders"), [c], window, 365).to_pandas()
    lab = lab[lab.customer_id == "x"]
    in_pop = any(c - pd.Timedelta(days=365) < t <= c for t in times)
    assert len(lab) == int(in_pop)
    if in_pop:
        future = any(c < t <= c + pd.Timedelta(days=window) for t in times)
        assert int(lab["churned"].iloc[0]) == int(not future)
