"""Sessionization, sessions and per-customer session figures on a hand-built click stream."""

from __future__ import annotations

import pandas as pd
import pytest
from test_behaviour_data import canonical, memory

from churnlens.analytics.sessions import customer_sessions, sessionize, sessions

ROWS = [
    # event_id, source session, customer, time, type, traffic source
    ("e1", "s1", "1", "2021-03-01 10:00:00", "home", "WEB"),
    ("e2", "s1", "1", "2021-03-01 10:10:00", "view_item", "WEB"),
    ("e3", "s1", "1", "2021-03-01 10:40:00", "add_to_cart", "WEB"),  # gap exactly 30 min: same session
    ("e4", "s1", "1", "2021-03-01 11:10:00.000001", "purchase", "MOBILE"),  # 30 min + 1 us: new session
    ("e5", "s2", "1", "2021-03-01 11:20:00", "home", "WEB"),  # other source session, same customer
    ("e6", "s9", None, "2021-03-01 23:50:00", "home", "WEB"),  # anonymous: the visitor is s9
    ("e7", "s9", None, "2021-03-02 00:05:00", "search", "WEB"),
]


def events_table(rows=ROWS):
    cols = list(zip(*rows, strict=True))
    t = canonical(
        "events",
        {
            "event_id": cols[0],
            "session_id": cols[1],
            "customer_id": pd.array(cols[2], dtype="string"),
            "event_ts": pd.to_datetime(list(cols[3]), format="ISO8601"),
            "event_type": cols[4],
            "traffic_source": cols[5],
        },
    )
    return memory({"events": t})["events"]


def assignment(expr):
    df = expr.to_pandas().sort_values("event_id")
    return dict(zip(df.event_id, zip(df.session_id, df.event_number, strict=True), strict=True))


def test_gap_rule_and_visitors():
    got = assignment(sessionize(events_table()))
    assert got == {
        "e1": ("c:1#1", 1),
        "e2": ("c:1#1", 2),
        "e3": ("c:1#1", 3),
        "e4": ("c:1#2", 1),
        "e5": ("c:1#2", 2),
        "e6": ("s:s9#1", 1),
        "e7": ("s:s9#1", 2),
    }


def test_source_session_kept_beside_the_new_one():
    df = sessionize(events_table()).to_pandas().set_index("event_id")
    assert df.loc["e5", "source_session_id"] == "s2" and df.loc["e5", "session_id"] == "c:1#2"
    assert df.loc["e4", "source_session_id"] == "s1" and df.loc["e4", "session_number"] == 2


def test_midnight_split_and_other_gap():
    got = assignment(sessionize(events_table(), split_at_midnight=True))
    assert got["e6"] == ("s:s9#1", 1) and got["e7"] == ("s:s9#2", 1)
    got = assignment(sessionize(events_table(), gap_minutes=10))
    # e1 -> e2 is exactly 10 min (kept), e2 -> e3 is 30 min (split), e4 -> e5 just under 10 min
    assert [got[e][0] for e in ("e1", "e2", "e3", "e4", "e5")] == [
        "c:1#1",
        "c:1#1",
        "c:1#2",
        "c:1#3",
        "c:1#3",
    ]
    with pytest.raises(ValueError):
        sessionize(events_table(), gap_minutes=0)


def test_sessions_table():
    s = sessions(sessionize(events_table())).to_pandas().set_index("session_id")
    assert sorted(s.index) == ["c:1#1", "c:1#2", "s:s9#1"]
    a, b, c = s.loc["c:1#1"], s.loc["c:1#2"], s.loc["s:s9#1"]
    assert (a.events, a.first_event, a.exit_event, bool(a.has_purchase)) == (3, "home", "add_to_cart", False)
    assert a.duration_s == 2400.0 and a.traffic_source == "WEB" and a.source_session_id == "s1"
    assert (b.events, b.first_event, b.exit_event, bool(b.has_purchase)) == (2, "purchase", "home", True)
    assert b.duration_s == pytest.approx(599.999999, abs=1e-9) and b.traffic_source == "MOBILE"
    assert b.source_session_id == "s1" and b.customer_id == "1" and b.session_number == 2
    assert c.duration_s == 900.0 and pd.isna(c.customer_id) and c.visitor_id == "s:s9"
    assert str(pd.Timestamp(c.month).date()) == "2021-03-01"
    assert c.start_ts == pd.Timestamp("2021-03-01 23:50") and c.end_ts == pd.Timestamp("2021-03-02 00:05")


def test_customer_sessions():
    cs = customer_sessions(sessions(sessionize(events_table()))).to_pandas()
    assert list(cs.customer_id) == ["1"]  # anonymous visitors have no row
    row = cs.iloc[0]
    assert row.sessions == 2 and row.months_span == 1 and row.sessions_per_month == 2.0
    assert row.median_duration_s == pytest.approx((2400 + 599.999999) / 2)
    assert row.exit_share_add_to_cart == 0.5 and row.exit_share_home == 0.5
    shares = [c for c in cs.columns if c.startswith("exit_share_")]
    assert len(shares) == 8 and row[shares].sum() == pytest.approx(1.0)


def test_sessions_per_month_over_the_span():
    rows = ROWS[:3] + [("e9", "s5", "1", "2021-05-20 09:00:00", "home", "WEB")]
    cs = customer_sessions(sessions(sessionize(events_table(rows)))).to_pandas().iloc[0]
    assert cs.sessions == 2 and cs.months_span == 3 and cs.sessions_per_month == pytest.approx(2 / 3)
