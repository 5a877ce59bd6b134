"""Building blocks of the synthetic shops: text formatting, CSV quoting, the shop clock."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import numpy as np
import pyarrow as pa
import pytest

from churnlens.sources.synthetic import textio
from churnlens.sources.synthetic.timeline import ShopClock, weekly_profile


def test_iso_timestamps_and_dates_match_python():
    rng = np.random.default_rng(0)
    us = np.concatenate([rng.integers(-(10**15), 2 * 10**15, 5000), [0, -1, 951_782_400_000_000]])
    epoch = dt.datetime(1970, 1, 1)
    expected = [(epoch + dt.timedelta(microseconds=int(u))).strftime("%Y-%m-%dT%H:%M:%S.%fZ") for u in us]
    assert textio.iso_utc(us).to_pylist() == expected
    days = rng.integers(-30_000, 30_000, 2000)
    assert textio.iso_date(days).to_pylist() == [
        str(dt.date(1970, 1, 1) + dt.timedelta(days=int(d))) for d in days
    ]


def test_uuid4_format_and_uniqueness():
    ids = textio.uuid4(np.random.default_rng(1), 20_000).to_pylist()
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(pattern.match(i) for i in ids) and len(set(ids)) == len(ids)


def test_numbers():
    values = np.array([-6.2868791, 106.0, 0.0000123, -0.4, 12.3456789, 0.0, -0.0000004])
    assert textio.decimal(values, 6).to_pylist() == [
        "-6.286879", "106.0", "0.000012", "-0.4", "12.345679", "0.0", "0.0",
    ]  # fmt: skip
    assert textio.ints_point_zero(np.array([2011, 15, 3]), np.array([False, True, False])).to_pylist() == [
        "2011.0", None, "3.0",
    ]  # fmt: skip
    assert textio.zero_padded(np.array([0, 8, 23]), 2).to_pylist() == ["00", "08", "23"]


def test_rows_are_quoted_like_the_csv_module_minimal_quoting():
    values = ["plain", "with, comma", 'with "quote"', "", "[{'a': 1, 'b': 2}]", "{'k': 'v'}"]
    buf = io.BytesIO()
    col = textio.quote_needed(pa.array(values))
    textio.write_rows(buf, [col, textio.ints(np.arange(len(values)))])
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows([v, i] for i, v in enumerate(values))
    assert buf.getvalue().decode() == expected.getvalue()
    assert list(csv.reader(io.StringIO(buf.getvalue().decode()))) == [
        [v, str(i)] for i, v in enumerate(values)
    ]


def test_nulls_are_empty_fields():
    buf = io.BytesIO()
    textio.write_rows(buf, [pa.array(["a", None]), pa.array([None, "b"])])
    assert buf.getvalue() == b"a,\n,b\n"


def test_shop_clock_is_the_integral_of_the_profile():
    profile = weekly_profile((1, 1, 1, 1, 1.2, 2, 2), [0.2] * 6 + [1.0] * 12 + [1.5] * 6, utc_offset_hours=7)
    assert profile.shape == (168,) and abs(profile.mean() - 1) < 1e-12
    clock = ShopClock(profile)
    rng = np.random.default_rng(2)
    us = rng.integers(1_400_000_000_000_000, 1_700_000_000_000_000, 2000)
    assert np.abs(clock.to_calendar(clock.to_clock(us)) - us).max() <= 5  # float64 rounding: microseconds
    # numerical integral over a few days, hour by hour
    start = np.int64(1_600_000_000_000_000 // 3_600_000_000 * 3_600_000_000)  # on the hour
    hours = np.arange(0, 24 * 9)
    hour_us = start + hours * 3_600_000_000
    how = (
        np.array(hour_us, dtype="datetime64[us]").astype("datetime64[D]").astype(np.int64) + 3
    ) % 7 * 24 + (hour_us // 3_600_000_000) % 24
    w = profile[how]
    assert clock.integral(start, start + 9 * 86_400_000_000) == pytest.approx(w.sum() / 24, rel=1e-12)
    assert clock.integral(start, start + 7 * 86_400_000_000) == pytest.approx(7.0, rel=1e-12)
