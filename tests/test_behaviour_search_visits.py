"""Search trends and visit KPIs on hand-built click streams."""

from __future__ import annotations

import pandas as pd
import pytest
from test_behaviour_data import canonical, memory
from test_behaviour_funnels import tables

from churnlens.analytics.attributes import with_attributes
from churnlens.analytics.search import SECOND_HAND, group_match, search_trends
from churnlens.analytics.sessions import sessionize, sessions
from churnlens.analytics.visits import visit_kpis
from churnlens.config import ChurnlensConfig

SEARCHES = [
    # event_id, session, customer, time, query
    ("q1", "s1", "v1", "2021-01-03 10:00", "Bekas"),
    ("q2", "s1", "v1", "2021-01-03 10:01", "  thrift "),
    ("q3", "s2", "v2", "2021-01-05 10:00", "Kaos"),
    ("q4", "s5", None, "2021-01-09 10:00", "Second Hand"),
    ("q5", "s6", "v2", "2021-02-01 10:00", "Sepatu"),
    ("q6", "s7", "v3", "2021-02-02 10:00", "barang bekas"),
    ("q7", "s7", "v3", "2021-02-02 10:01", None),  # a search without keywords is not counted
]


def search_events():
    cols = list(zip(*SEARCHES, strict=True))
    ev = canonical(
        "events",
        {
            "event_id": cols[0],
            "session_id": cols[1],
            "customer_id": pd.array(cols[2], dtype="string"),
            "event_ts": pd.to_datetime(list(cols[3])),
            "event_type": ["search"] * len(cols[0]),
            "search_query": pd.array(cols[4], dtype="string"),
        },
    )
    return memory({"events": ev})["events"]


def test_second_hand_is_the_default_group():
    assert ChurnlensConfig().behaviour.search_groups == {"second_hand": list(SECOND_HAND)}


def test_search_trends_by_month_and_year():
    df = search_trends(search_events(), {"second_hand": SECOND_HAND}).to_pandas()
    df["start"] = pd.to_datetime(df.period_start).dt.strftime("%Y-%m")
    got = df.set_index(["period", "start"])
    cols = ["searches", "group_searches", "searchers", "group_searchers"]
    assert got.loc[("month", "2021-01"), cols].tolist() == [4, 3, 3, 2]
    assert got.loc[("month", "2021-02"), cols].tolist() == [2, 1, 2, 1]
    assert got.loc[("year", "2021-01"), cols].tolist() == [6, 4, 4, 3]
    assert got.loc[("month", "2021-01"), "search_share"] == 0.75
    assert got.loc[("year", "2021-01"), "searcher_share"] == 0.75
    assert set(df.keyword_group) == {"second_hand"}


def test_user_groups_and_contains_match():
    groups = {"shoes": ["sepatu"], "clothes": ["Kaos", "Baju"]}
    df = search_trends(search_events(), groups).to_pandas()
    year = df[df.period == "year"].set_index("keyword_group")
    assert year.group_searches.to_dict() == {"shoes": 1, "clothes": 1}
    t = memory({"q": canonical("events", {"search_query": ["Kaos Bekas", "Bekas", "kaos"]})})["q"]
    exact = t.select(hit=group_match(t.search_query, ["bekas"], "exact")).to_pandas().hit.tolist()
    contains = t.select(hit=group_match(t.search_query, ["bekas"], "contains")).to_pandas().hit.tolist()
    assert exact == [False, True, False] and contains == [True, True, False]
    with pytest.raises(ValueError):
        group_match(t.search_query, ["x"], "regex")


def test_visit_kpis():
    t = tables()  # the funnel fixture: sessions A..E in January, one purchase (A)
    s = with_attributes(sessions(sessionize(t["events"])), t["customers"], t["orders"])
    df = visit_kpis(s).to_pandas().set_index(["dimension", "segment"])
    row = df.loc[("all", "all")]
    assert (row.visits, row.visitors, row.purchase_sessions, row.buyers) == (5, 4, 1, 1)
    assert row.conversion_rate == 0.2 and row.buyer_rate == 0.25
    assert df.loc[("gender", "M"), "visits"] == 2 and df.loc[("gender", "M"), "visitors"] == 1
    assert df.loc[("customer_type", "returning"), "visits"] == 1
    assert df.loc[("traffic_source", "WEB"), "purchase_sessions"] == 1
    assert set(df.reset_index().dimension) == {
        "all",
        "traffic_source",
        "gender",
        "age_band",
        "device",
        "customer_type",
    }
