"""DIGINETICA item views: the real sample's published facts."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from conftest import shared_data

from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse


@pytest.fixture(scope="module")
def views():
    path = shared_data("diginetica_sample", "sample_train-item-views.csv")
    wh = Warehouse()
    summary = ingest("diginetica", [path], wh)
    return wh, summary, path


def raw_facts(path) -> dict:
    """Views, sessions, known users and days of the raw file, read with the csv module."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    days = sorted({r["eventdate"] for r in rows})
    return {
        "views": len(rows),
        "sessions": len({r["session_id"] for r in rows}),
        "users": len({r["user_id"] for r in rows if r["user_id"] != "NA"}),
        "first_day": days[0],
        "last_day": days[-1],
    }


def test_published_facts(views):
    wh, summary, path = views
    e = wh.to_pandas("events")
    raw = raw_facts(path)
    # data/README.md says 12,390 views: that is `wc -l` less the header, but the file's last line
    # has no newline, so it holds one view more (12,391, as the csv module reads it).
    assert len(e) == raw["views"] and summary.rejected == 0
    assert e.session_id.nunique() == raw["sessions"]
    assert e.customer_id.dropna().nunique() == raw["users"]
    assert str(e.event_ts.min().date()) == raw["first_day"]
    assert str(e.event_ts.max().date()) == raw["last_day"]
    assert set(e.event_type) == {"view_item"}
    assert wh.table("orders").count().to_pyarrow().as_py() == 0


def test_event_times_match_an_independent_reading(views):
    wh, _, path = views
    raw = pd.read_csv(
        path, sep=";", dtype={"session_id": str, "user_id": str, "item_id": str}, keep_default_na=False
    )
    expected = pd.to_datetime(raw.eventdate) + pd.to_timedelta(raw.timeframe, unit="ms")
    e = wh.to_pandas("events")
    got = e.set_index("event_id").event_ts
    keys = raw.session_id + "-" + (raw.index + 2).astype(str)
    assert (got.loc[keys].to_numpy() == expected.to_numpy()).all()
    anonymous = (raw.user_id == "NA").sum()
    assert e.customer_id.isna().sum() == anonymous


def test_bad_timeframe_is_rejected_with_reason(tmp_path):
    f = tmp_path / "views.csv"
    f.write_text(
        "session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;100;2016-05-09\n1;NA;6;soon;2016-05-09\n"
    )
    wh = Warehouse()
    summary = ingest("diginetica", [f], wh)
    assert summary.rejected == 1
    rej = wh.to_pandas("rejected_rows")
    assert rej.line.tolist() == [3] and "timeframe" in rej.reason[0]


def test_two_files_is_an_error(tmp_path):
    for n in ("a.csv", "b.csv"):
        (tmp_path / n).write_text("session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;100;2016-05-09\n")
    with pytest.raises(DataError, match="one item-views file"):
        ingest("diginetica", [tmp_path], Warehouse())
