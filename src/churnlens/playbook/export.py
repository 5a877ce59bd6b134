"""Export the actions for CRM tools: one CSV row per customer of one action, of a list, or all.

Lists: ``at-risk`` (customers who can still be saved: states at risk and lapsing) and
``win-back`` (lapsed customers), each ranked by the value a contact can still save
(``expected_saved_revenue``); one action or ``all``: highest expected value first.

Columns: ``customer_id, state, action, reason, routine_product_names, expected_value`` (product
names; their ids with ``include=["routine_products"]``) (``lang="ko"``: the
reason in Korean, from ``reason_ko``). Nothing personal
beyond the customer id is written unless asked: ``include`` adds columns of the ``actions``
table (e.g. ``churn_probability``, ``offer_discount``) or of the ``customers`` table (e.g.
``country``), by name.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from churnlens.errors import DataError
from churnlens.playbook.states import SAVEABLE
from churnlens.safe_csv import write_csv
from churnlens.safe_paths import ACTIONS_CSV, check_output
from churnlens.warehouse import Warehouse

COLUMNS: tuple[str, ...] = (
    "customer_id",
    "state",
    "action",
    "reason",
    "routine_product_names",
    "expected_value",
)
ALL = "all"
#: The lists by customer state (`churnlens.playbook.states`).
LISTS: dict[str, tuple[str, ...]] = {"at-risk": SAVEABLE, "win-back": ("lapsed",)}


def actions_frame(
    wh: Warehouse, action: str, include: list[str] | None = None, lang: str = "en"
) -> pd.DataFrame:
    """The rows to export (see module docstring), customers with the highest expected value first."""
    if lang not in ("en", "ko"):
        raise DataError(f"Unknown language '{lang}'.", values=[lang], fix="Use --lang en or --lang ko.")
    if not wh.has("actions"):
        raise DataError(
            "The warehouse has no actions yet.",
            file=str(wh.path),
            fix="Run the pipeline first: `churnlens run --db ...` (or `--only playbook`).",
        )
    t = wh.table("actions")
    known = sorted(v for v in t.select("action").distinct().to_pandas().action.dropna())
    if action != ALL and action not in LISTS and action not in known:
        raise DataError(
            f"No customer has the action '{action}'.",
            file="actions",
            column="action",
            values=[action],
            fix=f"Use one of {known}, a list ({', '.join(LISTS)}) or '{ALL}'.",
        )
    include = [c for c in include or [] if c not in COLUMNS]
    from_actions = [c for c in include if c in t.columns]
    rest = [c for c in include if c not in from_actions]
    customers = wh.table("customers") if rest and wh.has("customers") else None
    missing = [c for c in rest if customers is None or c not in customers.columns]
    if missing:
        extra = sorted(set(t.columns) | set(customers.columns if customers is not None else []))
        raise DataError(
            "Unknown column to include: " + ", ".join(missing) + ".",
            column=", ".join(missing),
            values=missing,
            fix=f"Include columns of the actions or customers tables: {extra}.",
        )
    if action in LISTS:
        rows = t.filter(t.state.isin(LISTS[action]))
    else:
        rows = t if action == ALL else t.filter(t.action == action)
    if lang != "en" and f"reason_{lang}" in t.columns:
        rows = rows.mutate(reason=rows[f"reason_{lang}"])
    rank = "expected_saved_revenue" if action in LISTS else "expected_value"
    df = rows.select(*COLUMNS, *from_actions, _rank=rows[rank]).to_pandas()
    if customers is not None:
        c = customers.select("customer_id", *rest).to_pandas().drop_duplicates("customer_id")
        df = df.merge(c, on="customer_id", how="left")
    df = df.sort_values(["_rank", "customer_id"], ascending=[False, True]).drop(columns="_rank")
    return df.reset_index(drop=True)


def export_actions(
    wh: Warehouse,
    action: str,
    out: str | Path,
    include: list[str] | None = None,
    lang: str = "en",
    force: bool = False,
) -> int:
    """Write the CSV (`churnlens.safe_csv`: formulas escaped, UTF-8 with a byte-order mark,
    header, no index) and return the number of customers written.

    ``out`` never replaces the warehouse, a directory or a file that is not an actions CSV
    unless ``force`` (`churnlens.safe_paths.check_output`)."""
    path = check_output(out, ACTIONS_CSV, force, reads=(wh.path,))
    df = actions_frame(wh, action, include, lang)
    write_csv(df, path)
    return len(df)
