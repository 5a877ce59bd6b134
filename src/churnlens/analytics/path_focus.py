"""Paths from or to one chosen event: what sessions do after it first happens, or did before.

Built on `paths.steps_of`'s output (one row per kept event of a session, ``step`` from 1). A
session is *anchored* at its first event of the chosen type (sessions without it are left out).
Positions count steps from the anchor: 0 is the anchor, 1 the next step, -1 the step before.

Tables
------
`links_from` / `links_to` -> one row per link between two neighbouring positions:
``position`` (of the link's left node), ``from_event``, ``to_event`` and ``sessions`` (anchored
sessions taking that link). `links_from` follows each session from position 0 to ``n_steps``;
a session ending earlier takes a last link to ``(exit)``. `links_to` follows it from
``-n_steps`` to 0; a session starting later has a first link from ``(start)``.

`labelled_events` gives each sessionized event the name paths show: its canonical type, or,
with ``expand_other``, the source's own event name for events of type ``other``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from churnlens.analytics.paths import EXIT, START

OTHER = "other"


def labelled_events(session_events: ir.Table, expand_other: bool = False) -> ir.Table:
    """``session_id``, ``event_number`` and ``event_type`` (the path label: module docstring)."""
    e = session_events
    label = e.event_type
    if expand_other:
        raw = e.raw_event_name.cast("string")
        named = raw.notnull() & (raw.strip() != "")
        label = ibis.ifelse((e.event_type == OTHER) & named, raw, e.event_type)
    return e.select("session_id", "event_number", event_type=label)


def _anchored(steps: ir.Table, event: str) -> ir.Table:
    s = steps
    whole = ibis.window(group_by=s.session_id)
    ordered = ibis.window(group_by=s.session_id, order_by=s.step)
    s = s.mutate(
        _a=s.step.min(where=s.event_type == event).over(whole),
        _last=s.step.max().over(whole),
        _next=s.event_type.lead().over(ordered),
    )
    s = s.filter(s._a.notnull())
    return s.mutate(position=s.step - s._a)


def _count(links: ir.Table) -> ir.Table:
    t = links.group_by("position", "from_event", "to_event").aggregate(sessions=links.count())
    return t.order_by("position", ibis.desc("sessions"), "from_event", "to_event")


def links_from(steps: ir.Table, event: str, n_steps: int = 4) -> ir.Table:
    """Links from the first ``event`` of each session to ``n_steps`` steps after it."""
    s = _anchored(steps, event)
    s = s.filter(s.position >= 0, s.position < n_steps)
    links = s.select(
        "position",
        from_event=s.event_type,
        to_event=ibis.ifelse(s.step == s._last, ibis.literal(EXIT), s._next),
    )
    return _count(links)


def links_to(steps: ir.Table, event: str, n_steps: int = 4) -> ir.Table:
    """Links from ``n_steps`` steps before the first ``event`` of each session to it."""
    s = _anchored(steps, event)
    inner = s.filter(s.position >= -n_steps, s.position < 0)
    inner = inner.select("position", from_event=inner.event_type, to_event=inner._next)
    first = s.filter(s.step == 1, s.position > -n_steps)
    starts = first.select(
        position=first.position - 1, from_event=ibis.literal(START), to_event=first.event_type
    )
    return _count(ibis.union(inner, starts))


def anchored_sessions(steps: ir.Table, event: str) -> ir.IntegerScalar:
    """Sessions holding at least one ``event``."""
    s = steps
    return s.filter(s.event_type == event).session_id.nunique()
