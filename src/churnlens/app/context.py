"""What every page gets: the warehouse, the language, formatting, and "what is missing" notes.

A page is a function ``render(ctx: Ctx)``. It asks ``ctx.need(table)`` before showing a
result table: when the table is missing, the page says plainly which table, what it holds and
which command makes it (or why the pipeline skipped its stage for this shop) instead of
failing. `TABLE_STAGE` (which stage writes which table) comes from the stages' declarations
(`churnlens.declarations`): a new stage's tables only need a section on a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from churnlens import declarations, strings
from churnlens.app import data
from churnlens.presentation import i18n
from churnlens.presentation.words import Words

#: Result table -> pipeline stage that writes it (from the stages' declarations).
TABLE_STAGE: dict[str, str] = declarations.TABLE_STAGE

#: Tables that only a click stream can give.
NEEDS_EVENTS = {t for d in declarations.STAGES if d.needs.events for t in d.written} | {"cart_conversion"}


@dataclass
class Ctx(Words):
    """The page's view of the warehouse, in one language (strings and formats: `Words`)."""

    db: str
    lang: str = "en"
    info: dict[str, Any] = field(default_factory=dict)
    results: dict[str, int] = field(default_factory=dict)
    stamp: float = 0.0

    @classmethod
    def open(cls, db: str, lang: str = "en") -> Ctx:
        stamp = data.stamp(db)
        return cls(
            db=db,
            lang=lang,
            info=data.run_info(db, stamp),
            results=data.tables(db, stamp),
            stamp=stamp,
        )

    # ---- facts about the shop ------------------------------------------------------------------
    @property
    def currency(self) -> str | None:
        return self.info.get("currency") if self.priced else None

    @property
    def priced(self) -> bool:
        if "prices" in self.info:
            return bool(self.info["prices"])
        return self.info.get("currency") is not None or not self.info

    @property
    def has_events(self) -> bool:
        prof = self.profile()
        if prof is None:
            return bool(self.info.get("canonical", {}).get("events"))
        rows = prof.loc[prof["table_name"] == "events", "rows"]
        return bool(len(rows) and int(rows.iloc[0]) > 0)

    @property
    def relative_time(self) -> bool:
        return self.info.get("time_mode") == "relative"

    def profile(self) -> pd.DataFrame | None:
        return self.frame("data_profile") if self.has("data_profile") else None

    # ---- data ----------------------------------------------------------------------------------
    def has(self, table: str) -> bool:
        return table in self.results

    def rows(self, table: str) -> int:
        return self.results.get(table, 0)

    def columns(self, table: str) -> list[str]:
        return data.columns(self.db, self.stamp, table) if self.has(table) else []

    def frame(
        self,
        table: str,
        cols: list[str] | tuple[str, ...] | None = None,
        filters: tuple[data.Filter, ...] = (),
        order_by: tuple[str, ...] | list[str] = (),
        descending: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        df = data.frame(
            self.db,
            self.stamp,
            table,
            None if cols is None else tuple(cols),
            tuple(filters),
            tuple(order_by),
            descending,
            limit,
        )
        df.attrs["table"] = table  # column formats come from the table's declaration
        return df

    def canonical(self, table: str) -> bool:
        return bool(self.info.get("canonical", {}).get(table))

    def count(self, table: str, filters: tuple[data.Filter, ...] = ()) -> int:
        return data.count(self.db, self.stamp, table, tuple(filters))

    def grouped(
        self,
        table: str,
        by: list[str] | tuple[str, ...],
        metrics: list[tuple[str, str, str | None]],
        filters: tuple[data.Filter, ...] = (),
    ) -> pd.DataFrame:
        return data.grouped(self.db, self.stamp, table, tuple(by), tuple(metrics), tuple(filters))

    def distinct(self, table: str, col: str) -> list[Any]:
        return data.distinct(self.db, self.stamp, table, col)

    def need(self, *tables: str) -> bool:
        """True when every table is there and not empty; otherwise say what is missing."""
        for table in tables:
            if not self.has(table):
                st.info(self.missing_text(table), icon=":material/info:")
                return False
            if self.rows(table) == 0:
                st.info(self.t("empty_table", table=table), icon=":material/info:")
                return False
        return True

    def missing_text(self, table: str) -> str:
        stage = TABLE_STAGE.get(table, "")
        if table in NEEDS_EVENTS and not self.has_events:
            return self.t("no_events")
        reason = self.info.get("skipped", {}).get(stage)
        if reason:
            return self.t("skipped_stage", stage=stage, reason=reason)
        what_key = f"what_{table}"
        what = self.t(what_key) if what_key in strings.STRINGS else self.t("what_result")
        return self.t("missing_table", table=table, what=what, command=self.run_command())

    def stale_banner(self) -> None:
        """On every page: a warning when results were computed from older data than the warehouse's."""
        stale = self.info.get("stale") or []
        if stale:
            when = self.info.get("ingested_at") or ""
            text = self.t(
                "stale_results",
                count=len(stale),
                when=self.date(when[:10]),
                command=self.run_command(),
                tables=", ".join(stale),
            )
            st.warning(text, icon=":material/history:")

    def run_command(self) -> str:
        name = Path(self.db).name
        return "churnlens run" if name == "churnlens.duckdb" else f"churnlens run --db {name}"

    # ---- formatting ----------------------------------------------------------------------------
    def money(self, x: Any, compact: bool = True) -> str:
        return i18n.fmt_money(x, self.lang, self.currency, compact)

    def num(self, x: Any, digits: int = 0) -> str:
        return i18n.fmt_number(x, self.lang, digits)

    def compact(self, x: Any) -> str:
        return i18n.fmt_compact(x, self.lang)

    def pct(self, x: Any, digits: int = 1) -> str:
        return i18n.fmt_pct(x, self.lang, digits)

    def month(self, x: Any) -> str:
        return i18n.fmt_month(x, self.lang)

    def date(self, x: Any) -> str:
        return i18n.fmt_date(x, self.lang)

