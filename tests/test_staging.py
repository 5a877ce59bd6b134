"""The staging area: line numbers, malformed lines, checks, duplicates, counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.sources.staging import Check, Stage


@pytest.fixture()
def stage() -> Stage:
    return Stage(duckdb.connect(), ChurnlensConfig(), "test")


def rejected(stage: Stage) -> list[tuple]:
    return stage.con.execute(
        f'SELECT line, target_table, reason, raw FROM "{stage.rejected}" ORDER BY line'
    ).fetchall()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_line_numbers_survive_malformed_lines(tmp_path, stage):
    # line 1 header; 3 short; 5 too long; 6 not UTF-8; 8 truncated (last, no newline)
    data = b'a,b,c\n1,x,2\n2,y\n3,"z,w",4\n4,q,5,6\n5,\xff\xfe,6\n6,r,7\n7,s'
    raw = stage.read_csv(write(tmp_path, "t.csv", data), target="orders", required=["a", "b"], name="t")
    rows = stage.con.execute(f'SELECT _line, a, b, c FROM "{raw}" ORDER BY _line').fetchall()
    assert rows == [(2, "1", "x", "2"), (4, "3", "z,w", "4"), (7, "6", "r", "7")]
    rej = rejected(stage)
    assert [r[0] for r in rej] == [3, 5, 6, 8]
    assert all(r[1] == "orders" and r[2].startswith("malformed line") for r in rej)
    assert "UTF" in rej[2][2] or "unicode" in rej[2][2].lower()
    c = stage.count("orders")
    assert (c.read, c.rejected) == (7, 4)


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "empty"),
        (b"a,b\n", "no rows"),
        (b"a,x\n1,2\n", "b missing"),
        (b"\xff\xfe,b\n1,2\n", "not UTF-8"),
    ],
)
def test_unusable_files_raise_data_error(tmp_path, stage, data, needle):
    path = write(tmp_path, "t.csv", data)
    with pytest.raises(DataError) as exc:
        stage.read_csv(path, target="orders", required=["a", "b"], name="t")
    assert needle in str(exc.value)
    assert str(path) in str(exc.value)


def test_missing_file(tmp_path, stage):
    with pytest.raises(DataError, match="not found"):
        stage.read_csv(tmp_path / "nope.csv", target="orders", required=[], name="t")


def test_checks_reject_rows_with_reasons_and_count(tmp_path, stage):
    path = write(tmp_path, "t.csv", b"id,n\n1,5\n2,x\n3,7\n3,8\n4,-1\n")
    raw = stage.read_csv(path, target="orders", required=["id", "n"], name="t")
    good = stage.validate(
        raw,
        target="orders",
        checks=[
            Check("n", "TRY_CAST(n AS INT) IS NULL", "not a number", "fix it"),
            Check("n", "TRY_CAST(n AS INT) < 0", "negative", "fix it"),
        ],
    )
    good = stage.reject_duplicates(good, key=["id"], target="orders")
    assert stage.con.execute(f'SELECT _line, id FROM "{good}" ORDER BY _line').fetchall() == [
        (2, "1"),
        (4, "3"),
    ]
    rej = rejected(stage)
    assert [(r[0], r[2]) for r in rej] == [
        (3, "n: not a number: x"),
        (5, "duplicate id 3 (first on line 4)"),
        (6, "n: negative: -1"),
    ]
    assert rej[0][3] == "2,x"
    stage.stage("orders", f'SELECT id AS order_id FROM "{good}"')
    c = stage.count("orders")
    assert (c.read, c.stored, c.rejected) == (5, 2, 3)


@pytest.mark.parametrize(
    "keys",
    [
        [("1", "a"), ("2", "a"), ("1", "b"), ("1", "a"), (None, "a"), (None, "a"), ("3", None), ("2", "a")],
        [("1", "a"), (None, "a"), ("2", "b"), ("3", None)],  # no key twice: nothing rejected
        [(str(i % 7), str(i % 3)) for i in range(60)],
    ],
)
def test_repeated_keys_are_rejected_after_their_first_line(tmp_path, stage, keys):
    text = "".join(
        f"{'' if a is None else a},{'' if b is None else b},{i}\n" for i, (a, b) in enumerate(keys)
    )
    path = write(tmp_path, "t.csv", ("a,b,i\n" + text).encode())
    raw = stage.read_csv(path, target="orders", required=["a", "b", "i"], name="t")
    stage.con.execute(
        f"CREATE TEMP TABLE nulls AS SELECT _line, nullif(a, '') AS a, nullif(b, '') AS b FROM \"{raw}\""
    )
    good = stage.reject_duplicates("nulls", key=["a", "b"], target="orders")
    # expected: a key (NULL equal to NULL) seen on an earlier line is rejected
    seen: set = set()
    repeated = []
    for line, key in enumerate(keys, start=2):
        if key in seen:
            repeated.append(line)
        seen.add(key)
    assert [r[0] for r in rejected(stage)] == repeated
    kept = [r[0] for r in stage.con.execute(f'SELECT _line FROM "{good}" ORDER BY _line').fetchall()]
    assert kept == [line for line in range(2, len(keys) + 2) if line not in repeated]


def test_a_column_mostly_wrong_is_a_data_error(tmp_path, stage):
    path = write(tmp_path, "t.csv", b"id,ts\n1,01/02/2020\n2,03/04/2020\n3,2020-01-01\n")
    raw = stage.read_csv(path, target="orders", required=["id", "ts"], name="t")
    with pytest.raises(DataError) as exc:
        stage.validate(
            raw,
            target="orders",
            checks=[Check("ts", "TRY_CAST(ts AS DATE) IS NULL", "is not a date", "Write YYYY-MM-DD.")],
        )
    msg = str(exc.value)
    assert "ts" in msg and "2 of 3 rows" in msg and "01/02/2020" in msg and "YYYY-MM-DD" in msg


def test_private_columns_never_stored(tmp_path, stage):
    path = write(tmp_path, "c.csv", b"id,email,city\n1,a@b.c,X\n2,q@r.s\n")
    raw = stage.read_csv(path, target="customers", required=["id"], name="c", private=("email",))
    assert "email" not in stage.columns(raw)
    assert rejected(stage)[0][3] is None  # malformed line of a private file: text not kept


def test_finish_refuses_counts_that_do_not_add_up(stage):
    stage.count("orders").read = 3
    stage.stage("orders", "SELECT 'a' AS order_id")
    with pytest.raises(AssertionError, match="3 rows read"):
        stage.finish()


def test_finish_stages_empty_canonical_tables(stage):
    staged = stage.finish()
    assert set(staged) == {"customers", "products", "orders", "order_items", "events", "rejected_rows"}
    cols = stage.columns(staged["events"])
    assert cols[:3] == ["event_id", "session_id", "customer_id"]


def test_rows_the_reader_cannot_find_are_an_error(tmp_path, stage, monkeypatch):
    # DuckDB's reader reading nothing from a file with rows (as a stray \r in a quoted header
    # once made it) must not pass as an empty table
    path = write(tmp_path, "t.csv", b"a,b\n1,2\n3,4\n")
    empty = write(tmp_path, "empty.csv", b"a,b\n")
    real = Stage._read_text_columns
    monkeypatch.setattr(Stage, "_read_text_columns", lambda self, _text, *a: real(self, empty, *a))
    with pytest.raises(DataError) as exc:
        stage.read_csv(path, target="orders", required=["a"], name="t")
    assert exc.value.problem == "No line after the header could be read as CSV." and exc.value.file == str(
        path
    )


def _big_file_with_bad_lines(tmp_path: Path, bad: set[int], n_lines: int) -> Path:
    """A file large enough for the reader's parallel scan (many buffers): line ``k`` holds the
    value ``k``; lines in ``bad`` have a field too few or too many."""
    with open(tmp_path / "big.csv", "w") as fh:
        fh.write("a,b,c\n")
        for k in range(2, n_lines + 1):
            if k in bad:
                fh.write(f"{k},short\n" if k % 2 else f"{k},x,y,too many\n")
            else:
                fh.write(f'{k},"value {k}, quoted",{k * 7}\n')
    return tmp_path / "big.csv"


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("with_bad", [False, True])
def test_line_numbers_of_a_large_file_read_in_parallel(tmp_path, stage, lazy, with_bad):
    n_lines = 400_000  # ~12 MB: the reader splits it over several buffers and threads
    bad = {2, 3, 4, 1_000, 199_999, 200_000, 200_001, 333_333, n_lines} if with_bad else set()
    path = _big_file_with_bad_lines(tmp_path, bad, n_lines)
    raw = stage.read_csv(path, target="orders", required=["a", "b", "c"], name="big", lazy=lazy)
    # every row keeps its own line: the value written on line k is k
    wrong, n, lo, hi = stage.con.execute(
        f"SELECT count(*) FILTER (WHERE a::BIGINT <> _line OR c::BIGINT <> 7 * _line), count(*), "
        f'min(_line), max(_line) FROM "{raw}"'
    ).fetchone()
    assert wrong == 0 and n == n_lines - 1 - len(bad)
    assert (lo, hi) == (min(set(range(2, n_lines + 1)) - bad), max(set(range(2, n_lines + 1)) - bad))
    assert [r[0] for r in rejected(stage)] == sorted(bad)
    c = stage.count("orders")
    assert (c.read, c.rejected) == (n_lines - 1, len(bad))
    good = stage.validate(raw, target="orders", checks=[Check("a", "a = '5000'", "is 5000", "-")])
    assert stage.rows(good) == n_lines - 2 - len(bad)
    assert [r[:3] for r in rejected(stage) if r[0] == 5000] == [(5000, "orders", "a: is 5000: 5000")]
    stage.drop(raw, good)
    assert not stage.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, ?)", [stage.prefix + "raw_big"]
    ).fetchone()[0]


def test_staging_tables_are_temporary_and_memory_is_bounded(tmp_path):
    from churnlens.config import ChurnlensConfig
    from churnlens.warehouse import Warehouse

    cfg = ChurnlensConfig.from_dict(
        {"engine": {"duckdb_memory_limit": "700MB", "duckdb_temp_directory": str(tmp_path / "spill")}}
    )
    wh = Warehouse(tmp_path / "w.duckdb", config=cfg)
    limit, temp = wh.con.con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert limit == "667.5 MiB" and temp == str(tmp_path / "spill")  # 700 MB = 667.6 MiB
    st = Stage(wh.staging(), cfg, "test")
    raw = st.read_csv(write(tmp_path, "t.csv", b"a,b\n1,2\n3,4\n"), target="orders", required=["a"], name="t")
    databases = st.con.execute(
        "SELECT DISTINCT database_name FROM duckdb_tables() WHERE table_name = ?", [raw]
    ).fetchall()
    assert databases == [("temp",)]
