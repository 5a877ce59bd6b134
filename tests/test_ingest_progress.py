"""The ingest tells how far each long read, check and store has got, with rows per second,
and its progress leaves no control characters in a log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from churnlens.config import ChurnlensConfig
from churnlens.sources import progress
from churnlens.sources.staging import Check, Stage


def test_estimated_rows_from_the_first_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{k:06d},xy\n" for k in range(300_000)))  # 10-byte lines
    assert progress.estimated_rows(path) == pytest.approx(300_000, rel=0.001)
    small = tmp_path / "s.csv"
    small.write_text("a,b\n1,2\n3,4")
    assert progress.estimated_rows(small) == 2


def test_message_gives_share_rate_and_time_left():
    assert progress.message("reading x.csv", 0.01, 1000, 1.0) == "reading x.csv: 1% of ~1,000 rows"
    assert progress.message("reading x.csv", 0.25, 1_000_000, 5.0) == (
        "reading x.csv: 25% of ~1,000,000 rows, 50,000 rows/s, ~15 s left"
    )
    assert progress.message("storing events", 0.5, None, 3.0) == "storing events: 50%, ~3 s left"


def test_stage_reports_reads_checks_and_stores(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "EVERY", 0.002)
    path = tmp_path / "big.csv"
    with open(path, "w") as fh:
        fh.write("a,b,c\n")
        fh.writelines(f'{k},"value {k}, quoted",{k * 7}\n' for k in range(2, 600_002))
    told: list[tuple[str, float | None]] = []
    stage = Stage(duckdb.connect(), ChurnlensConfig(), "test", report=lambda m, f: told.append((m, f)))
    raw = stage.read_csv(path, target="orders", required=["a"], name="big")
    stage.validate(raw, target="orders", checks=[Check("a", "a::BIGINT < 0", "negative", "-")])
    reads = [(m, f) for m, f in told if m.startswith("reading big.csv: ")]
    assert reads, told
    for m, f in reads:
        share = int(re.match(r"reading big\.csv: (\d+)% of ~([\d,]+) rows", m).group(1))
        assert 0 <= f <= 1 and share == round(f * 100)
    rows = int(re.search(r"of ~([\d,]+) rows", reads[0][0]).group(1).replace(",", ""))
    # an estimate from the first MB, whose lines are shorter (smaller numbers) than the average
    first_mb = path.read_bytes()[: progress.SAMPLE_BYTES]
    expected = int(path.stat().st_size / (len(first_mb) / first_mb.count(b"\n"))) - 1
    assert rows == expected and rows == pytest.approx(600_000, rel=0.15)
    assert any("rows/s" in m and "s left" in m for m, _f in reads)
    # DuckDB's own bar is off again afterwards (it would write over the command line)
    assert stage.con.sql("select current_setting('enable_progress_bar')").fetchone() == (False,)


def test_ingest_progress_in_a_log_has_no_control_characters(tmp_path):
    """stderr to a file (not a terminal): the progress display writes plain lines."""
    shop, db = tmp_path / "shop", tmp_path / "w.duckdb"
    code = "from churnlens.cli import main; main()"
    env = {**os.environ, "COLUMNS": "120"}
    subprocess.run(
        [sys.executable, "-c", code, "generate", "fashion-campus", "--customers", "300", "--out", str(shop)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    log = tmp_path / "ingest.log"
    with open(log, "wb") as err:
        done = subprocess.run(
            [sys.executable, "-c", code, "ingest", "fashion-campus", str(shop), "--db", str(db)],
            stdout=subprocess.PIPE, stderr=err, env=env,
        )  # fmt: skip
    text = log.read_bytes()
    assert done.returncode == 0, text
    assert b"\r" not in text and b"\x1b" not in text
    assert b"ingest fashion-campus" in text and b"done" in text
    assert Path(db).exists()
