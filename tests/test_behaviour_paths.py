"""Paths, transitions, exits and paths to purchase on hand-built sessions."""

from __future__ import annotations

import pandas as pd
import pytest
from test_behaviour_data import canonical, memory

from churnlens.analytics import paths
from churnlens.analytics.sessions import sessionize, sessions

SESSIONS = {
    "S1": ["home", "view_item", "view_item", "add_to_cart", "purchase"],
    "S2": ["home", "view_item", "other"],
    "S3": ["home", "view_item", "view_item"],
    "S4": ["purchase"],
}


def session_events():
    rows = []
    for k, (sid, types) in enumerate(SESSIONS.items()):
        start = pd.Timestamp("2021-06-01") + pd.Timedelta(days=k)
        for i, typ in enumerate(types):
            rows.append((f"{sid}-{i}", sid, typ, start + pd.Timedelta(minutes=i)))
    cols = list(zip(*rows, strict=True))
    ev = canonical(
        "events",
        {"event_id": cols[0], "session_id": cols[1], "event_type": cols[2], "event_ts": list(cols[3])},
    )
    return sessionize(memory({"events": ev})["events"])


def test_top_paths():
    st = paths.steps_of(session_events())
    got = paths.top_paths(st, n_steps=2).to_pandas().set_index("path")
    assert got.loc["home > view_item"].tolist() == [1, 3, 0.75, 1, pytest.approx(1 / 3)]
    assert got.loc["purchase"].tolist() == [2, 1, 0.25, 1, 1.0]
    three = paths.top_paths(st, n_steps=3).to_pandas()
    assert set(three.path) == {
        "home > view_item > add_to_cart",
        "home > view_item > other",
        "home > view_item",
        "purchase",
    }
    assert list(paths.top_paths(st, n_steps=3, top=2).to_pandas().sort_values("rank").path) == [
        "home > view_item",  # ties broken by path text
        "home > view_item > add_to_cart",
    ]


def test_transitions_collapsed_and_raw():
    got = paths.transitions(paths.steps_of(session_events())).to_pandas()
    p = {(r.from_event, r.to_event): (r.transitions, r.probability) for r in got.itertuples()}
    assert p[("(start)", "home")] == (3, 0.75) and p[("(start)", "purchase")] == (1, 0.25)
    assert p[("home", "view_item")] == (3, 1.0)
    for to in ("add_to_cart", "other", "(exit)"):
        assert p[("view_item", to)] == (1, pytest.approx(1 / 3))
    assert p[("purchase", "(exit)")] == (2, 1.0) and p[("add_to_cart", "purchase")] == (1, 1.0)
    assert ("view_item", "view_item") not in p
    assert got.groupby("from_event").probability.sum().round(12).eq(1).all()
    raw = paths.transitions(paths.steps_of(session_events(), collapse_repeats=False)).to_pandas()
    r = {(x.from_event, x.to_event): (x.transitions, x.probability) for x in raw.itertuples()}
    # view_item is followed by view_item (S1, S3), add_to_cart, other and the exit of S3
    assert r[("view_item", "view_item")] == (2, 0.4) and r[("view_item", "(exit)")] == (1, 0.2)


def test_exits_and_outcome_paths():
    se = session_events()
    ex = paths.exits(sessions(se)).to_pandas().set_index("exit_event")
    assert ex.sessions.to_dict() == {"purchase": 2, "other": 1, "view_item": 1}
    assert ex.share["purchase"] == 0.5
    out = paths.outcome_paths(paths.steps_of(se), n_steps=2).to_pandas()
    got = {(r.outcome, r.path): (r.sessions, r.share) for r in out.itertuples()}
    assert got == {
        ("purchase", "view_item > add_to_cart"): (1, 0.5),
        ("purchase", "(direct)"): (1, 0.5),
        ("exit", "view_item > other"): (1, 0.5),
        ("exit", "home > view_item"): (1, 0.5),
    }
