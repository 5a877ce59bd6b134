"""The contract every pipeline stage declares: what it reads, writes and needs.

Each stage package holds one `StageDecl` in its ``declaration`` module: the stage's name, its
config section, the tables it reads, the tables it writes (each column with its kind and each
table with a one-line meaning) and what it needs of the shop's data. Everything else is derived
from these declarations: the order of the stages (`churnlens.pipeline`), skip reasons decided
before anything runs (`Needs.reason`), `churnlens info`, the dashboard's column formats and
"which stage wrote this table".

Column kinds (`KINDS`) say how a value is read and shown: ``money`` is an amount in the shop's
currency (items where the shop has no prices), ``share`` a fraction from 0 to 1, ``count`` a
number of things, ``days`` / ``seconds`` durations, ``date`` a day or a time, ``rank`` a
position (1 = first), ``id`` an identifier, ``label`` one of a few names (segment, state,
action), ``text`` free text, ``flag`` yes/no, ``json`` structured text, ``number`` any other
quantity (lift, gain, a model parameter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

KINDS = (
    "id",
    "label",
    "text",
    "json",
    "money",
    "share",
    "count",
    "number",
    "rank",
    "days",
    "seconds",
    "date",
    "flag",
)


@dataclass(frozen=True)
class Table:
    """A result table: name, one-line meaning, ``{column: kind}``.

    A column name may hold ``*`` for columns named after settings or data (``clv_*m`` for the
    horizon, ``exit_share_*`` per event type). ``optional``: written only when the shop's data
    allows it (a click stream, cart positions, a calendar)."""

    name: str
    meaning: str
    columns: dict[str, str]
    optional: bool = False

    def __post_init__(self) -> None:
        bad = {c: k for c, k in self.columns.items() if k not in KINDS}
        if bad:
            raise ValueError(f"table {self.name}: unknown column kinds {bad}; use {KINDS}")

    def kind(self, column: str) -> str | None:
        """The declared kind of ``column`` (wildcards matched), or None when not declared."""
        if column in self.columns:
            return self.columns[column]
        for pattern, kind in self.columns.items():
            if "*" in pattern and fnmatchcase(column, pattern):
                return kind
        return None


@dataclass(frozen=True)
class Needs:
    """What a stage needs of the shop's data; `reason` says why it cannot run, or None."""

    orders: bool = True
    events: bool = False
    order_items: bool = False
    calendar: bool = False

    def reason(self, caps: Any) -> str | None:
        if self.orders and not caps.has_orders:
            return "the shop has no orders"
        if self.events and not caps.has_events:
            return "the shop has no click stream (events table empty)"
        if self.order_items and not caps.has_order_items:
            return "the shop has no order lines (order_items table empty)"
        if self.calendar and caps.time_mode == "relative":
            return (
                "the data set has no calendar (relative time): every customer's last order sits on the "
                "same snapshot date, so purchase histories cannot tell active customers from lapsed ones; "
                "churn scores use the gaps between orders instead"
            )
        return None


@dataclass(frozen=True)
class StageDecl:
    """One pipeline stage's contract (see the module docstring)."""

    name: str
    doc: str
    section: str | None
    reads: tuple[str, ...]
    writes: tuple[Table, ...]
    needs: Needs = field(default_factory=Needs)
    #: Tables read when present (their stage runs first when both run), never required.
    reads_optional: tuple[str, ...] = ()

    def table(self, name: str) -> Table | None:
        return next((t for t in self.writes if t.name == name), None)

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.writes)
