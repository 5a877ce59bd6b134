"""Fast, vectorised text formatting and CSV writing.

Every helper turns whole NumPy / Arrow columns into Arrow string arrays without a Python loop
per row, and `write_rows` writes the joined lines straight from the Arrow data buffer.

Why not ``pyarrow.csv.write_csv``: its ``quoting_style="needed"`` quotes *every* string field
and the header, and it writes the float 2011.0 as ``2011``; the native files quote only fields
that contain a comma or a quote and write ``2011.0``. Here each column is formatted exactly as
the native file has it and quoted only when needed (`quote_needed`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def day_us(date: str) -> int:
    """Microseconds since the Unix epoch at 00:00 UTC of an ISO date ``YYYY-MM-DD``."""
    return int(np.datetime64(date, "D").astype("datetime64[us]").astype(np.int64))


def from_bytes(cells: np.ndarray) -> pa.StringArray:
    """Arrow strings from an ``(n, width)`` uint8 array of ASCII bytes (all the same width)."""
    n, width = cells.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(cells)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], dtype=np.uint8)


def _put_digits(out: np.ndarray, col: int, values: np.ndarray, width: int) -> None:
    """Write ``values`` as zero-padded decimals of an even ``width`` into ``out[:, col:]``."""
    v = values.astype(np.int64, copy=True)
    for k in range(width - 2, -1, -2):
        out[:, col + k : col + k + 2] = _PAIRS[v % 100]
        v //= 100


def uuid4(rng: np.random.Generator, n: int) -> pa.StringArray:
    """``n`` random version-4 UUIDs as text (``8-4-4-4-12`` lower-case hex)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    positions = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
    for i, pos in enumerate(positions):
        out[:, pos] = _HEX[raw[:, i] >> 4]
        out[:, pos + 1] = _HEX[raw[:, i] & 0x0F]
    return from_bytes(out)


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01 (proleptic Gregorian, vectorised)."""
    z = days.astype(np.int64) + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


def iso_date(days: np.ndarray) -> pa.StringArray:
    """``YYYY-MM-DD`` from days since 1970-01-01."""
    year, month, day = civil_from_days(days)
    out = np.full((len(days), 10), ord("-"), dtype=np.uint8)
    _put_digits(out, 0, year, 4)
    _put_digits(out, 5, month, 2)
    _put_digits(out, 8, day, 2)
    return from_bytes(out)


def iso_utc(us: np.ndarray) -> pa.StringArray:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ`` from microseconds since the epoch (UTC)."""
    us = np.asarray(us, dtype=np.int64)
    days = np.floor_divide(us, US_PER_DAY)
    rest = us - days * US_PER_DAY
    year, month, day = civil_from_days(days)
    out = np.empty((len(us), 27), dtype=np.uint8)
    for pos, char in ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z")):
        out[:, pos] = ord(char)
    _put_digits(out, 0, year, 4)
    _put_digits(out, 5, month, 2)
    _put_digits(out, 8, day, 2)
    seconds = rest // US_PER_SECOND
    _put_digits(out, 11, seconds // 3600, 2)
    _put_digits(out, 14, (seconds // 60) % 60, 2)
    _put_digits(out, 17, seconds % 60, 2)
    _put_digits(out, 20, rest % US_PER_SECOND, 6)
    return from_bytes(out)


def ints(values: np.ndarray) -> pa.StringArray:
    """Integers as decimal text."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def zero_padded(values: np.ndarray, width: int) -> pa.StringArray:
    """Non-negative integers left-padded with zeros (``8`` -> ``08``)."""
    return pc.utf8_lpad(ints(values), width=width, padding="0")


def ints_point_zero(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Integer-valued floats as Python writes them (``2011.0``, ``15.0``); missing -> null."""
    text = pc.binary_join_element_wise(ints(values), ".0", "")
    if missing is not None:
        text = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)
    return text


def decimal(values: np.ndarray, places: int) -> pa.StringArray:
    """Floats rounded to ``places`` decimals, trailing zeros dropped (``-6.2869``, ``106.0``)."""
    scale = 10**places
    scaled = np.rint(np.asarray(values, dtype=np.float64) * scale).astype(np.int64)
    sign = np.where(scaled < 0, "-", "")
    mag = np.abs(scaled)
    whole = ints(mag // scale)
    frac = pc.utf8_rtrim(pc.utf8_lpad(ints(mag % scale), width=places, padding="0"), characters="0")
    frac = pc.if_else(pc.equal(pc.utf8_length(frac), 0), pa.scalar("0"), frac)
    return pc.binary_join_element_wise(pa.array(sign), whole, ".", frac, "")


def quote_needed(text: pa.Array) -> pa.Array:
    """CSV-quote the values that contain a comma, a quote or a line break (RFC 4180)."""
    needs = pc.match_substring_regex(text, '[,"\\r\\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text)


def take_text(choices: Sequence[str], index: np.ndarray) -> pa.Array:
    """Strings ``choices[index]`` as an Arrow array (dictionary decode, no Python loop)."""
    return pc.take(pa.array(list(choices), pa.string()), pa.array(np.asarray(index, dtype=np.int64)))


def lines(columns: Sequence[pa.Array]) -> pa.Array:
    """One CSV line per row (without the newline) from already formatted text columns.

    Nulls become empty fields. Columns must be quoted already where needed.
    """
    cols = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns]
    return pc.binary_join_element_wise(*cols, ",", null_handling="replace", null_replacement="")


def write_lines(fh: IO[bytes], text: pa.Array) -> int:
    """Write each value of ``text`` followed by a newline; returns the bytes written."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) == 0:
        return 0
    text = pc.binary_join_element_wise(text, "", "\n")
    text = text.cast(pa.large_string()) if text.nbytes > 2**30 else text
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(text.buffers()[1], dtype=width)[text.offset : text.offset + len(text) + 1]
    data = text.buffers()[2]
    start, stop = int(offsets[0]), int(offsets[-1])
    fh.write(memoryview(data)[start:stop])
    return stop - start


def write_rows(fh: IO[bytes], columns: Sequence[pa.Array]) -> int:
    """Join the columns with commas and write one line per row."""
    return write_lines(fh, lines(columns))


def write_header(fh: IO[bytes], names: Sequence[str]) -> None:
    fh.write((",".join(names) + "\n").encode("utf-8"))


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n", encoding="utf-8"
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
