"""What a CSV file holds before the engine reads it: its header, its encoding, a cut-off quote.

Everything here reads bytes and decodes them in Python; nothing builds SQL. The header is
parsed as strict CSV and its names are checked (no NUL, no name twice), so that every name
can be handed to the engine as plain text. Files in another encoding than UTF-8 are either
transcoded on request (``--encoding``) or recognised and named in the error.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from pathlib import Path

from churnlens.errors import DataError

#: Encodings tried, in this order, to name the likely encoding of a file that is not UTF-8.
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("cp949", "Korean"),
    ("shift_jis", "Japanese"),
    ("gb18030", "Chinese"),
    ("cp1252", "Western European, Windows"),
    ("latin-1", "Western European"),
)
SAMPLE_LINES = 200  # undecodable lines sampled to guess the encoding


def header(path: Path, delim: str) -> list[str]:
    """The column names of the first line of a UTF-8 CSV file, checked to be usable names.

    An empty name becomes ``column<N>`` (N counts from 1), as pandas' index column is
    written without a name. Raises DataError for a missing or empty file, a first line that
    is not UTF-8 or not valid CSV, a NUL character or a name given twice.
    """
    if not path.exists():
        raise DataError("File not found.", file=str(path), fix="Check the path and the file name.")
    with open(path, "rb") as fh:
        first = fh.readline()
    if not first.strip():
        raise DataError(
            "The file is empty.", file=str(path), fix="Export the data again; the file has no header."
        )
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, [first], "The header line is not UTF-8 text.") from exc
    if "\r" in text:
        raise DataError(
            "The header line contains a carriage return (\\r) inside a column name.",
            file=str(path),
            values=[text[:80]],
            fix="Remove the line break from the column name, or export the file again.",
        )
    if "\x00" in text:
        raise DataError(
            "The header line contains a NUL character.",
            file=str(path),
            values=[text[:80]],
            fix="Remove the NUL (\\0) characters, or save the file as UTF-8 text (not UTF-16).",
        )
    try:
        rows = list(csv.reader([text], delimiter=delim, strict=True))
    except csv.Error as exc:
        raise DataError(
            f"The header line is not valid CSV ({exc}).",
            file=str(path),
            values=[text[:80]],
            fix='Quote a column name that holds the separator or a quote ("a""b" for a"b).',
        ) from exc
    names = [n.strip() or f"column{i}" for i, n in enumerate(rows[0] if rows else [], start=1)]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DataError(
            f"Column name{'s' if len(twice) > 1 else ''} given twice in the header.",
            file=str(path),
            column=", ".join(twice),
            values=twice,
            fix="Rename one of the columns so that every name is different.",
        )
    return names


def has_rows(path: Path) -> bool:
    """Whether anything but blank space follows the first line."""
    with open(path, "rb") as fh:
        fh.readline()
        while chunk := fh.read(1 << 16):
            if chunk.strip():
                return True
    return False


# ---- encodings ---------------------------------------------------------------------------------------
def likely_encoding(samples: list[bytes]) -> tuple[str, str] | None:
    """(encoding, language) of the first candidate that decodes every sample, or None."""
    data = b"\n".join(samples)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 with a byte-order mark"
    for name, language in CANDIDATES:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return name, language
    return None


def undecodable_lines(path: Path, limit: int = SAMPLE_LINES) -> list[bytes]:
    """Up to ``limit`` lines of the file that are not UTF-8."""
    out: list[bytes] = []
    with open(path, "rb") as fh:
        for line in fh:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                out.append(line)
                if len(out) >= limit:
                    break
    return out


def not_utf8(path: Path, samples: list[bytes], problem: str) -> DataError:
    """The error for a file in another encoding, naming the likely one."""
    guess = likely_encoding(samples)
    shown = [s[:60] for s in samples[:3]]
    if guess is None:
        return DataError(problem, file=str(path), values=shown, fix="Save the file as UTF-8 text.")
    name, language = guess
    return DataError(
        f"{problem} It looks like {name} ({language}).",
        file=str(path),
        values=shown,
        fix=f"Ingest with --encoding {name} (options['encoding'] = '{name}'), or save the file as UTF-8.",
    )


def check_encoding(encoding: str) -> str:
    """The codec name of ``encoding``; DataError for an unknown one."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise DataError(
            f"Unknown encoding '{encoding}'.",
            values=[encoding],
            fix="Use a Python codec name, e.g. utf-8, cp949, euc-kr, latin-1, cp1252, shift_jis.",
        ) from exc


def to_utf8(path: Path, encoding: str, out: Path) -> Path:
    """Write ``path`` (in ``encoding``) to ``out`` as UTF-8, line ends kept; DataError where it fails."""
    try:
        with (
            open(path, encoding=encoding, newline="") as src,
            open(out, "w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"The file is not valid {encoding} text: {exc.reason} at byte {exc.start:,} of a block.",
            file=str(path),
            values=[exc.object[max(0, exc.start - 20) : exc.end + 20]],
            fix="Give the file's real encoding with --encoding, or save it as UTF-8.",
        ) from exc
    return out


# ---- a quote never closed ---------------------------------------------------------------------------
def open_quote(path: Path, delim: str) -> tuple[int, int, str] | None:
    """(line, lines spanned, text) of a quoted value still open at the end of the file, or None."""
    quotes = newlines = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    if quotes % 2 == 0:  # an open quote leaves an odd count (stray quotes aside)
        return None
    total = newlines + (last != b"\n")
    start = end = 0
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delim)
        try:
            for _row in reader:
                start, end = end + 1, reader.line_num
        except csv.Error:  # a field larger than the csv module's limit: the open quote
            start = end + 1
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        tail = list(itertools.islice(fh, start - 1, None))
    try:
        for _row in csv.reader(tail, delimiter=delim, strict=True):
            pass
    except csv.Error as exc:
        if "end of data" in str(exc) or "field larger" in str(exc):
            return start, total - start + 1, "".join(tail)
    return None
