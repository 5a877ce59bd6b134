"""Every stage's declared contract, in pipeline order, for the pipeline and for every reader.

Importing this module loads only the declarations (no stage code), so the dashboard, the report
and `churnlens info` can ask which stage writes a table, what it means and what kind each
column is (`table`, `column_kind`).
"""

from __future__ import annotations

from churnlens import profiling, stage_graph
from churnlens.analytics import declaration as analytics
from churnlens.churn import declaration as churn
from churnlens.clv import declaration as clv
from churnlens.contract import StageDecl, Table
from churnlens.diagnosis import declaration as diagnosis
from churnlens.playbook import declaration as playbook
from churnlens.products import declaration as products
from churnlens.segments import declaration as segments

#: Every stage's contract, each after the stages whose tables it reads.
STAGES: list[StageDecl] = stage_graph.ordered(
    [
        profiling.STAGE,
        segments.STAGE,
        diagnosis.STAGE,
        analytics.ORDERS_STAGE,
        analytics.CLICKS_STAGE,
        clv.STAGE,
        churn.STAGE,
        products.STAGE,
        playbook.STAGE,
    ]
)
#: Result table -> the stage that writes it.
TABLE_STAGE: dict[str, str] = {t: d.name for d in STAGES for t in d.written}


def table(name: str) -> Table | None:
    """The declaration of result table ``name``, or None."""
    for d in STAGES:
        found = d.table(name)
        if found is not None:
            return found
    return None


def column_kind(column: str, table_name: str | None = None) -> str | None:
    """The declared kind of ``column`` in ``table_name``; without a table, the kind every declared
    table holding that column agrees on; None when undeclared or ambiguous."""
    if table_name is not None:
        t = table(table_name)
        if t is not None:
            return t.kind(column)
    kinds = {k for d in STAGES for t in d.writes if (k := t.kind(column)) is not None}
    return kinds.pop() if len(kinds) == 1 else None
