"""The stored findings of the last run, as a readable list, JSON or CSV (`churnlens diagnose`).

`stored_findings(wh, db)` reads table ``findings`` (rank, finding_id, severity, text_en,
text_ko, numbers as JSON) and never recomputes it; a warehouse without it is a `DataError`
that says to run the pipeline. The machine formats carry every column of the table in both
languages, ``numbers`` as the JSON object it holds:

- `findings_json`: a JSON array of one object per finding, in rank order;
- `findings_csv`: CSV bytes made by `churnlens.safe_csv.csv_bytes` (text that a spreadsheet
  would run as a formula is escaped, UTF-8 with a byte-order mark), ``numbers`` as JSON text.

`findings_table` is the text format: rank, severity in the chosen language and the finding's
sentence, which wraps at word boundaries to the terminal's width and is never cut short.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from rich.markup import escape
from rich.table import Table

from churnlens import strings
from churnlens.errors import DataError
from churnlens.safe_csv import csv_bytes

FORMATS = ("text", "json", "csv")
TABLE = "findings"


def stored_findings(wh, db: str) -> pd.DataFrame:
    """Table ``findings`` of warehouse ``wh`` (opened from ``db``) in rank order."""
    if not wh.has(TABLE):
        raise DataError(
            "This warehouse has no findings yet: the diagnosis has not run on it.",
            file=str(db),
            fix=f"Run `churnlens run --db {db}` first (it computes the findings with every other result).",
        )
    df = wh.to_pandas(TABLE)
    return df.sort_values("rank", kind="stable").reset_index(drop=True) if "rank" in df else df


def _numbers(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return None if text is None or (isinstance(text, float) and text != text) else text


def findings_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """One plain dict per finding: every column, ``numbers`` parsed, numbers as Python numbers."""
    records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    if "numbers" in df:
        for rec, raw in zip(records, df["numbers"], strict=True):
            rec["numbers"] = _numbers(raw)
    return records


def findings_json(df: pd.DataFrame) -> str:
    return json.dumps(findings_records(df), ensure_ascii=False, indent=2)


def findings_csv(df: pd.DataFrame) -> bytes:
    return csv_bytes(df)


def findings_table(df: pd.DataFrame, lang: str) -> Table:
    """The findings as a borderless grid whose sentence column wraps (never an ellipsis)."""
    text = f"text_{lang}" if f"text_{lang}" in df else "text_en"
    t = Table.grid(padding=(0, 1, 1, 0))
    t.add_column(justify="right", no_wrap=True)
    t.add_column(no_wrap=True)
    t.add_column(overflow="fold", ratio=1)
    for _, r in df.iterrows():
        t.add_row(
            f"{r['rank']}." if "rank" in df else "",
            escape(strings.value_label(lang, r.get("severity", ""))),
            escape(str(r[text])),
        )
    return t
