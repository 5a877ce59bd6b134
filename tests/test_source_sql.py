"""Safe SQL building: names and values round-trip through DuckDB as the same text."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from churnlens.errors import DataError
from churnlens.sources.sql import finite, ident, literal, outside, whole

text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=30)


CON = duckdb.connect()


@settings(max_examples=60, deadline=None)
@given(name=text, value=text)
def test_names_and_values_round_trip(name, value):
    con = CON
    con.execute(f"CREATE OR REPLACE TABLE t AS SELECT {literal(value)} AS {ident(name)}")
    assert con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 't'").fetchone()[0] == name
    assert con.execute(f"SELECT {ident(name)} FROM t").fetchone()[0] == value


def test_numbers_booleans_and_null():
    con = duckdb.connect()
    assert con.execute(f"SELECT {literal(3)}, {literal(2.5)}, {literal(True)}, {literal(None)}").fetchone() == (
        3, 2.5, True, None,
    )  # fmt: skip


def test_nul_is_refused_clearly():
    for quote in (ident, literal):
        with pytest.raises(DataError, match="NUL character"):
            quote("a\x00b")


@pytest.mark.parametrize(
    "text, expected",
    [("2", 2), (" 2 ", 2), ("2.0", 2), ("2.", 2), ("-3.00", -3), ("2.5", None), ("2e3", None), ("x", None),
     ("", None), (None, None), ("99999999999999999999", None)],
)  # fmt: skip
def test_whole_numbers(text, expected):
    assert duckdb.connect().execute(f"SELECT {whole('$1')}", [text]).fetchone()[0] == expected


def test_whole_numbers_unsigned():
    assert duckdb.connect().execute(f"SELECT {whole('$1', signed=False)}", ["-1"]).fetchone()[0] is None


@pytest.mark.parametrize(
    "text, expected", [("1.5", 1.5), ("-2", -2.0), ("nan", None), ("inf", None), ("-Infinity", None), ("x", None)]
)
def test_finite_numbers(text, expected):
    assert duckdb.connect().execute(f"SELECT {finite('$1')}", [text]).fetchone()[0] == expected


def test_outside_a_time_range():
    con = duckdb.connect()
    sql = f"SELECT {outside('CAST($1 AS TIMESTAMP)', '1990-01-01', '2030-01-01 00:00:00')}"
    got = [con.execute(sql, [t]).fetchone()[0] for t in ("1989-12-31 23:59:59", "1990-01-01", "2030-01-01 00:00:01")]
    assert got == [True, False, True]
