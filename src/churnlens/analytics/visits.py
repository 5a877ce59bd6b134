"""Visits and conversion KPIs per month and per segment.

A visit is a session (see `churnlens.analytics.sessions`); a visitor is its ``visitor_id``.

Table ``visit_kpis`` (one row per month x dimension x segment):

- ``month`` (first day); ``dimension``: ``all``, ``traffic_source``, ``gender``, ``age_band``,
  ``device`` or ``customer_type`` (new or returning when the session started); ``segment``;
- ``visits``: sessions; ``visitors``: distinct visitors;
- ``purchase_sessions``: sessions with a purchase event; ``conversion_rate``:
  purchase_sessions / visits;
- ``buyers``: visitors with a purchase session; ``buyer_rate``: buyers / visitors.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

DIMENSIONS: tuple[str, ...] = ("all", "traffic_source", "gender", "age_band", "device", "customer_type")


def visit_kpis(sessions_with_attributes: ir.Table, dimensions: Sequence[str] = DIMENSIONS) -> ir.Table:
    """``visit_kpis`` from ``sessions`` with `churnlens.analytics.attributes.with_attributes`."""
    s = sessions_with_attributes
    parts = []
    for dim in dimensions:
        seg = ibis.literal("all", "string") if dim == "all" else s[dim].cast("string").fill_null("unknown")
        parts.append(
            s.select(
                "month",
                "visitor_id",
                "has_purchase",
                dimension=ibis.literal(dim, "string"),
                segment=seg,
            )
        )
    d = ibis.union(*parts)  # one row per session and dimension, aggregated once
    t = d.group_by("month", "dimension", "segment").aggregate(
        visits=d.count(),
        visitors=d.visitor_id.nunique(),
        purchase_sessions=d.has_purchase.cast("int64").sum(),
        buyers=d.visitor_id.nunique(where=d.has_purchase),
    )
    t = t.mutate(
        conversion_rate=t.purchase_sessions.cast("float64") / t.visits,
        buyer_rate=t.buyers.cast("float64") / t.visitors,
    )
    return t.select(
        "month",
        "dimension",
        "segment",
        "visits",
        "visitors",
        "purchase_sessions",
        "conversion_rate",
        "buyers",
        "buyer_rate",
    )
