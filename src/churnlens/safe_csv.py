"""CSV files for spreadsheets: no cell runs as a formula, and Korean shows correctly.

Every CSV churnlens writes (``churnlens export``, the dashboard's download buttons) is made by
`csv_bytes`:

- a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, as OWASP advises against CSV injection, so a spreadsheet shows it as
  text instead of running it (a product named ``=HYPERLINK(...)`` stays a name). Only text is
  escaped: numbers stay numbers, so a negative amount is still ``-3.5``;
- lines end with CRLF (RFC 4180), so a cell holding a line break is quoted whatever it is;
- the text is UTF-8 with a byte-order mark, which Excel needs to read Korean (or any other
  non-ASCII) text correctly; pandas, Python's ``csv`` with ``utf-8-sig`` and LibreOffice read it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from churnlens.safe_paths import write_atomically

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark."""
LINE_END = "\r\n"
"""RFC 4180's line end; with it a cell holding a lone carriage return is quoted, not cut in two."""


def escape_cell(value: Any) -> Any:
    """``value`` with a leading single quote when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are escaped (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if (
            pd.api.types.is_object_dtype(s)
            or pd.api.types.is_string_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype)
        ):
            out[col] = s.astype(object).map(escape_cell)
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """``df`` as escaped CSV (header, no index), UTF-8 with a byte-order mark."""
    return escape_frame(df).to_csv(index=False, lineterminator=LINE_END).encode(ENCODING)


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write `csv_bytes` of ``df`` to ``path`` under a temporary name, then rename it."""
    return write_atomically(path, csv_bytes(df))
