"""The ``profile`` stage: rows and time span of each canonical table, and its contract."""

from __future__ import annotations

from typing import Any

import pandas as pd

from churnlens.config import ChurnlensConfig
from churnlens.contract import Needs, StageDecl, Table


def profile(wh: Any, config: ChurnlensConfig) -> dict[str, Any]:
    """Rows and time span of every canonical table (table ``data_profile``)."""
    parts = []
    spans = {"orders": "order_ts", "events": "event_ts", "customers": "signup_ts"}
    for name in ("customers", "products", "orders", "order_items", "events", "rejected_rows"):
        if not wh.has(name):
            continue
        t = wh.table(name)
        col = spans.get(name)
        agg = {"rows": t.count()}
        if col:
            agg |= {"first_ts": t[col].min(), "last_ts": t[col].max()}
        row = t.aggregate(**agg).to_pandas()
        row.insert(0, "table_name", name)
        parts.append(row)
    return {"data_profile": pd.concat(parts, ignore_index=True)}



STAGE = StageDecl(
    name="profile",
    doc="rows and time span of each canonical table",
    section=None,
    reads=(),
    reads_optional=('customers', 'products', 'orders', 'order_items', 'events', 'rejected_rows'),
    needs=Needs(orders=False),
    writes=(
    Table(
        "data_profile",
        "Rows and time span of each canonical table",
        {
            "table_name": "label",
            "rows": "count",
            "first_ts": "date",
            "last_ts": "date",
        },
    ),
    ),
)
