"""The Behaviour page's funnel with a conversion window and its paths from or to an event, read
from the demo warehouse's events, against an independent pandas computation written here: the
sessions re-split in pandas, each unit walked through the funnel steps in plain Python, each
session's path walked step by step. And a chosen date range sets the figures the page shows.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import test_app_pages
from test_app_pages import LANGS, render

from churnlens import strings
from churnlens.analytics.funnel_timing import BUCKET_EDGES
from churnlens.analytics.paths import EXIT, START
from churnlens.app import data, funnel_reader, path_reader
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

db = test_app_pages.db


@pytest.fixture(scope="module")
def shop(db):
    with Warehouse(db, read_only=True) as wh:
        runs = wh.to_pandas("runs")
        events = wh.to_pandas("events")
    settings = json.loads(runs[runs["kind"] == "run"]["config"].iloc[-1])
    config = funnel_reader.run_config(settings)
    return {"events": sessionized(events, config), "settings": settings, "config": config}


def sessionized(events: pd.DataFrame, config) -> pd.DataFrame:
    """Sessions re-split in pandas: a visitor's next event after more than the gap starts one."""
    e = events.copy()
    e["visitor"] = np.where(
        e["customer_id"].notna(), "c:" + e["customer_id"].astype(str), "s:" + e["session_id"]
    )
    e = e.sort_values(["visitor", "event_ts", "event_id"]).reset_index(drop=True)
    gap = e.groupby("visitor")["event_ts"].diff()
    new = gap.isna() | (gap > pd.Timedelta(minutes=config.sessions.gap_minutes))
    if config.sessions.split_at_midnight:
        new |= e["event_ts"].dt.date != e.groupby("visitor")["event_ts"].shift().dt.date
    e["session"] = e["visitor"] + "#" + new.astype(int).groupby(e["visitor"]).cumsum().astype(str)
    return e


def walk(events: pd.DataFrame, unit: str, steps: list[str], window_s: float | None) -> dict[str, list]:
    """Each unit's times at the steps it reached: entry at its first step-1 event, then the
    earliest next-step event at or after the previous (after it when the step repeats), within
    the window from entry."""
    per: dict[str, list] = {}
    for u, t, kind in zip(events[unit], events["event_ts"], events["event_type"], strict=True):
        per.setdefault(u, []).append((t, kind))
    out = {}
    for u, rows in per.items():
        starts = [t for t, k in rows if k == steps[0]]
        if not starts:
            continue
        times = [min(starts)]
        deadline = times[0] + pd.Timedelta(seconds=window_s) if window_s else None
        for k in range(1, len(steps)):
            later = [
                t
                for t, kind in rows
                if kind == steps[k]
                and (t > times[-1] if steps[k] == steps[k - 1] else t >= times[-1])
                and (deadline is None or t <= deadline)
            ]
            if not later:
                break
            times.append(min(later))
        out[u] = times
    return out


def entered(reached: dict[str, list], first: date | None, last: date | None) -> dict[str, list]:
    lo = pd.Timestamp(first) if first else None
    hi = pd.Timestamp(last + timedelta(days=1)) if last else None
    return {u: t for u, t in reached.items() if (lo is None or t[0] >= lo) and (hi is None or t[0] < hi)}


def months_of(shop) -> list[date]:
    m = shop["events"]["event_ts"].dt.to_period("M").drop_duplicates().sort_values()
    return [p.start_time.date() for p in m]


CASES = [("session", None), ("30min", 3), ("1day", None), ("7days", 2)]


@pytest.mark.parametrize(("window", "months"), CASES)
def test_the_windowed_funnel_matches_pandas(db, shop, window, months):
    steps = list(shop["config"].behaviour.funnel_steps)
    unit, seconds = funnel_reader.WINDOWS[window]
    first = last = None
    if months:
        ms = months_of(shop)
        first, last = ms[-months - 1], (pd.Timestamp(ms[-2]) + pd.offsets.MonthEnd(0)).date()
    found = funnel_reader.funnel_view(
        str(db), data.stamp(str(db)), json.dumps(shop["settings"]), window, ((first, last),), "week"
    )
    got = found["ranges"][0] | {"over_time": found["over_time"]}
    every = walk(shop["events"], "session" if unit == "session" else "visitor", steps, seconds)
    want = entered(every, first, last)
    assert len(want) > 10
    counts = [sum(len(t) >= k for t in want.values()) for k in range(1, len(steps) + 1)]
    assert got["steps"]["units"].tolist() == counts
    assert counts[-1] > 0
    done = [(t[-1] - t[0]).total_seconds() for t in want.values() if len(t) == len(steps)]
    assert got["median_s"] == pytest.approx(float(np.median(done)))
    buckets = np.searchsorted(BUCKET_EDGES, done, side="right") - 1
    hist = pd.Series(buckets).value_counts().sort_index()
    assert got["times"]["bucket"].tolist() == hist.index.tolist()
    assert got["times"]["units"].tolist() == hist.tolist()
    assert got["times"]["from_s"].tolist() == [float(BUCKET_EDGES[b]) for b in hist.index]
    for k in range(2, len(steps) + 1):
        gaps = [(t[k - 1] - t[k - 2]).total_seconds() for t in want.values() if len(t) >= k]
        row = got["steps"][got["steps"]["step"] == k].iloc[0]
        assert row["median_s_from_previous"] == pytest.approx(float(np.median(gaps)))
    # conversion over time: every unit, by the week it entered
    week = pd.Series({u: t[0].to_period("W-SUN").start_time for u, t in every.items()})
    conv = pd.Series({u: len(t) == len(steps) for u, t in every.items()})
    by = pd.DataFrame({"week": week, "conv": conv}).groupby("week")["conv"].agg(["size", "sum"])
    over = got["over_time"]
    assert pd.to_datetime(over["period_start"]).tolist() == by.index.tolist()
    assert over["entered"].tolist() == by["size"].tolist()
    assert over["converted"].tolist() == by["sum"].tolist()


def path_of(events: pd.DataFrame, collapse: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s, kind in zip(events["session"], events["event_type"], strict=True):
        p = out.setdefault(s, [])
        if not (collapse and p and p[-1] == kind):
            p.append(kind)
    return out


def expected_links(paths: dict[str, list[str]], event: str, n: int, direction: str) -> pd.DataFrame:
    rows = []
    for p in paths.values():
        if event not in p:
            continue
        a = p.index(event)
        if direction == "from":
            seq = [*p[a : a + n + 1]]
            if len(seq) < n + 1:
                seq.append(EXIT)
            rows += [(i, seq[i], seq[i + 1]) for i in range(min(n, len(seq) - 1))]
        else:
            seq = p[max(0, a - n) : a + 1]
            if a < n:
                seq = [START, *seq]
            rows += [(i - len(seq) + 1, seq[i], seq[i + 1]) for i in range(len(seq) - 1)]
    df = pd.DataFrame(rows, columns=["position", "from_event", "to_event"])
    return df.value_counts().rename("sessions").reset_index()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["position", "from_event", "to_event", "sessions"]
    return df[cols].sort_values(cols[:3]).reset_index(drop=True).astype({"position": int, "sessions": int})


@pytest.mark.parametrize(("direction", "event", "n"), [("from", "view_item", 3), ("to", "purchase", 4)])
def test_paths_from_or_to_an_event_match_pandas(db, shop, direction, event, n):
    collapse = shop["config"].behaviour.path_collapse_repeats
    ms = months_of(shop)
    first, last = ms[-3], (pd.Timestamp(ms[-1]) + pd.offsets.MonthEnd(0)).date()
    got = path_reader.path_links(
        str(db), data.stamp(str(db)), json.dumps(shop["settings"]), event, direction, n, False, first, last
    )
    ev = shop["events"]
    starts = ev.groupby("session")["event_ts"].transform("min")
    ev = ev[(starts >= pd.Timestamp(first)) & (starts < pd.Timestamp(last + timedelta(days=1)))]
    paths = path_of(ev, collapse)
    want = expected_links(paths, event, n, direction)
    assert got["sessions"] == sum(event in p for p in paths.values()) > 20
    pd.testing.assert_frame_equal(_sorted(got["links"]), _sorted(want))


def test_splitting_other_shows_the_shops_own_event_names(db, shop):
    got = path_reader.path_links(
        str(db), data.stamp(str(db)), json.dumps(shop["settings"]), "home", "from", 2, True
    )
    ev = shop["events"].copy()
    named = ev["raw_event_name"].notna() & (ev["raw_event_name"].astype(str).str.strip() != "")
    ev["event_type"] = np.where((ev["event_type"] == "other") & named, ev["raw_event_name"], ev["event_type"])
    want = expected_links(path_of(ev, shop["config"].behaviour.path_collapse_repeats), "home", 2, "from")
    pd.testing.assert_frame_equal(_sorted(got["links"]), _sorted(want))


def test_rare_events_fold_into_other_and_are_listed():
    links = pd.DataFrame(
        [
            (0, "home", "view_item", 50),
            (0, "home", "search", 30),
            (0, "home", "promo_page", 5),
            (0, "home", "other", 3),
            (0, "home", EXIT, 12),
            (1, "view_item", "add_to_cart", 20),
            (1, "search", "add_to_cart", 4),
            (1, "promo_page", "view_item", 5),
            (1, "other", "view_item", 1),
        ],
        columns=["position", "from_event", "to_event", "sessions"],
    )
    shown, folded = path_reader.group_rare(links, 2, "home")
    # at position 1: view_item 50, search 30 kept; promo_page 5 and other 3 folded; exit never
    assert set(zip(folded["position"], folded["event"], strict=True)) == {(1, "promo_page"), (1, "other")}
    assert folded.set_index("event")["sessions"].to_dict() == {"promo_page": 5, "other": 3}
    for pos in (0, 1):
        assert (
            shown[shown["position"] == pos]["sessions"].sum()
            == links[links["position"] == pos]["sessions"].sum()
        )
    row = shown[(shown["position"] == 0) & (shown["to_event"] == path_reader.GROUPED)]
    assert row["sessions"].tolist() == [8]
    assert set(shown[shown["position"] == 1]["from_event"]) == {"view_item", "search", path_reader.GROUPED}


@pytest.mark.parametrize("lang", LANGS)
def test_a_chosen_range_sets_the_funnel_figures(db, shop, lang):
    at = render(db, "behaviour", lang)
    ms = months_of(shop)
    first, last = ms[-4], ms[-3]
    at.segmented_control(key="compare_selector").set_value("previous").run()
    at.select_slider(key="compare_range_selector").set_range(first, last).run()
    assert not at.exception
    assert at.session_state["compare_range"] == (first.isoformat(), last.isoformat())
    steps = list(shop["config"].behaviour.funnel_steps)
    default = funnel_reader.default_window(shop["settings"])
    unit, seconds = funnel_reader.WINDOWS[default]
    end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()

    def rate(lo, hi):
        want = entered(
            walk(shop["events"], "session" if unit == "session" else "visitor", steps, seconds), lo, hi
        )
        return sum(len(t) == len(steps) for t in want.values()) / len(want), len(want)

    now, n = rate(first, end)
    before, _ = rate(ms[-6], (pd.Timestamp(ms[-5]) + pd.offsets.MonthEnd(0)).date())
    assert now > 0 and before != now
    label = strings.tr(lang, "funnel_conversion")
    card = next(m for m in at.metric if m.label == label)
    assert card.value == i18n.fmt_pct(now, lang)
    assert card.delta == i18n.fmt_delta_pct(now, before, lang)
    unit_word = strings.tr(lang, f"funnel_unit_{unit}")
    entering = next(m for m in at.metric if m.label == strings.tr(lang, "funnel_entered", unit=unit_word))
    assert entering.value == i18n.fmt_number(n)
