"""Search trends: how much of the searching is about a keyword group, per month and year.

A search is an ``events`` row of type ``search`` with a query. It belongs to a keyword group
when its query, trimmed and lower-cased, equals one of the group's terms (``match="exact"``)
or contains one of them (``match="contains"``). A searcher is a visitor (the customer when
known, else the source session; see `churnlens.analytics.sessions.visitor_id`).

Table ``search_trends`` (one row per group x period):

- ``keyword_group``; ``period``: ``month`` or ``year``; ``period_start``: its first day;
- ``searches``: all searches in the period; ``group_searches``: those in the group;
  ``search_share``: group_searches / searches;
- ``searchers``: visitors who searched; ``group_searchers``: visitors with a search in the
  group; ``searcher_share``: group_searchers / searchers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir

from churnlens.analytics.sessions import visitor_id

#: The second-hand group of the Fashion Campus analysis (Indonesian and English terms).
SECOND_HAND: tuple[str, ...] = ("Bekas", "Barang Bekas", "Second Hand", "Second", "Thrift")
MATCHES = ("exact", "contains")


def group_match(query: ir.StringValue, terms: Sequence[str], match: str = "exact") -> ir.BooleanValue:
    """Whether ``query`` belongs to the group of ``terms`` (case-insensitive)."""
    if match not in MATCHES:
        raise ValueError(f"search match must be one of {MATCHES}, got {match!r}")
    q = query.strip().lower()
    words = sorted({t.strip().lower() for t in terms if t.strip()})
    if not words:
        return ibis.literal(False)
    if match == "exact":
        return q.isin(words)
    hit = q.contains(words[0])
    for w in words[1:]:
        hit = hit | q.contains(w)
    return hit


def search_trends(events: ir.Table, groups: Mapping[str, Sequence[str]], match: str = "exact") -> ir.Table:
    """``search_trends`` (module docstring) from canonical ``events``."""
    s = events.filter(events.event_type == "search", events.search_query.notnull())
    s = s.select(visitor=visitor_id(s), query=s.search_query, ts=s.event_ts)
    parts = []
    for name, terms in groups.items():
        hit = group_match(s.query, terms, match)
        for period, unit in (("month", "M"), ("year", "Y")):
            parts.append(
                s.select(
                    "visitor",
                    keyword_group=ibis.literal(name, "string"),
                    period=ibis.literal(period, "string"),
                    period_start=s.ts.truncate(unit).date(),
                    _hit=hit,
                )
            )
    if not parts:
        raise ValueError("no search keyword groups configured")
    p = ibis.union(*parts)  # one row per search, group and period, aggregated once
    t = p.group_by("keyword_group", "period", "period_start").aggregate(
        searches=p.count(),
        group_searches=p._hit.cast("int64").sum(),
        searchers=p.visitor.nunique(),
        group_searchers=p.visitor.nunique(where=p._hit),
    )
    t = t.mutate(
        search_share=t.group_searches.cast("float64") / t.searches,
        searcher_share=t.group_searchers.cast("float64") / t.searchers,
    )
    return t.select(
        "keyword_group",
        "period",
        "period_start",
        "searches",
        "group_searches",
        "search_share",
        "searchers",
        "group_searchers",
        "searcher_share",
    )
