"""Sessionization of the real DIGINETICA item views, checked against an independent pandas run."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import shared_data
from test_behaviour_data import canonical, memory

from churnlens.analytics.sessions import sessionize, sessions

GAP = pd.Timedelta(minutes=30)


@pytest.fixture(scope="module")
def views() -> pd.DataFrame:
    path = shared_data("diginetica_sample", "sample_train-item-views.csv")
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    df["event_id"] = [f"v{i:06d}" for i in range(len(df))]
    df["user_id"] = df.user_id.replace("NA", None)
    df["event_ts"] = pd.to_datetime(df.eventdate) + pd.to_timedelta(df.timeframe.astype("int64"), unit="ms")
    return df


def pandas_sessions(df: pd.DataFrame) -> pd.DataFrame:
    """The gap rule written out plainly in pandas."""
    d = df.assign(visitor=("c:" + df.user_id).fillna("s:" + df.session_id))
    d = d.sort_values(["visitor", "event_ts", "event_id"])
    gap = d.groupby("visitor").event_ts.diff()
    d["session_number"] = (gap.isna() | (gap > GAP)).astype(int).groupby(d.visitor).cumsum()
    d["session_id"] = d.visitor + "#" + d.session_number.astype(str)
    d["event_number"] = d.groupby("session_id").cumcount() + 1
    return d.set_index("event_id")[["session_id", "event_number"]].sort_index()


def test_sessionization_matches_pandas(views):
    assert views.session_id.nunique() == 2_986 and views.user_id.notna().any()
    ev = canonical(
        "events",
        {
            "event_id": views.event_id,
            "session_id": views.session_id,
            "customer_id": pd.array(views.user_id, dtype="string"),
            "event_ts": views.event_ts.astype("datetime64[us]"),
            "event_type": ["view_item"] * len(views),
            "product_id": views.item_id,
        },
    )
    se = sessionize(memory({"events": ev})["events"], gap_minutes=30)
    got = se.select("event_id", "session_id", "event_number").to_pandas().set_index("event_id").sort_index()
    want = pandas_sessions(views)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    s = sessions(se).to_pandas()
    # known users merge their source sessions; long idle gaps inside a session split it
    assert len(s) == want.session_id.nunique() == 2_996
    assert s.events.sum() == len(views)
    gaps = views.sort_values(["session_id", "event_ts"]).groupby("session_id").event_ts.diff()
    assert (s.duration_s >= 0).all() and (gaps > GAP).any()
