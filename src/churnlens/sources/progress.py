"""How far a long ingest statement has got: DuckDB's own measure, as a message with rows/s.

DuckDB knows the share of a running query's work that is done (`query_progress`); a thread
asks it twice a second and reports ``"<what>: 41% of ~3,876,161 rows, 180,000 rows/s, ~12 s
left"`` with the share, through the command line's progress callback. The row count of a file
not yet read is an estimate (its size over the mean length of its first lines: "~"); the rate
and the time left follow from the share done so far. DuckDB's own bar stays off (it would
write over the command line's output and fill logs).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

#: ``report(message, fraction)``; fraction 0..1.
Report = Callable[[str, float | None], None]
SAMPLE_BYTES = 1 << 20  # bytes read from the start of a file to estimate its rows
EVERY = 0.5  # seconds between two reports


def estimated_rows(path: Path) -> int:
    """The file's size over the mean length of the lines in its first MB (header left out)."""
    size = Path(path).stat().st_size
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    lines = sample.count(b"\n")
    if lines <= 1 or size <= len(sample):
        return max(lines - 1 + (not sample.endswith(b"\n")), 0)
    return max(int(size / (len(sample) / lines)) - 1, 0)


def message(what: str, fraction: float, rows: int | None, seconds: float) -> str:
    """``what`` with the share done, and once it can be told, the rows per second and time left."""
    text = f"{what}: {fraction:.0%}" + (f" of ~{rows:,} rows" if rows else "")
    if fraction >= 0.02 and seconds > 0:
        if rows:
            text += f", {rows * fraction / seconds:,.0f} rows/s"
        text += f", ~{seconds * (1 - fraction) / fraction:,.0f} s left"
    return text


@contextlib.contextmanager
def watched(
    con: duckdb.DuckDBPyConnection, report: Report | None, what: str, rows: int | None
) -> Iterator[None]:
    """Report the progress of the statement run on ``con`` inside the block (nothing without
    ``report``)."""
    if report is None:
        yield
        return
    con.execute("SET enable_progress_bar_print = false")
    con.execute("SET progress_bar_time = 0")
    con.execute("SET enable_progress_bar = true")
    stop = threading.Event()
    start = time.monotonic()

    def poll() -> None:
        while not stop.wait(EVERY):
            done = con.query_progress()
            if done >= 0:
                fraction = min(done / 100, 1.0)
                report(message(what, fraction, rows, time.monotonic() - start), fraction)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        con.execute("SET enable_progress_bar = false")
