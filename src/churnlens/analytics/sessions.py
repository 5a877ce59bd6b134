"""Sessionization: split each visitor's click stream into sessions at an inactivity gap.

A *visitor* is the customer when the event is linked to one, else the source session
(``visitor_id`` is ``"c:<customer_id>"`` or ``"s:<session_id>"``, so the two kinds of ids never
collide). A visitor's events, ordered by ``(event_ts, event_id)``, start a new session when
more than ``gap_minutes`` passed since the visitor's previous event (a gap of exactly the
threshold stays in the session), and, with ``split_at_midnight``, when the UTC date changes.
The work is two window passes in the engine: ``lag(event_ts)`` per visitor, then a running sum
of the new-session flags.

Tables
------
`sessionize` -> one row per event: every ``events`` column, the source ``session_id`` renamed
``source_session_id``, and

- ``visitor_id``: the visitor (see above);
- ``session_number``: the visitor's n-th session, from 1;
- ``session_id``: the new session, ``"<visitor_id>#<session_number>"``;
- ``event_number``: position of the event in its session, from 1.

`sessions` (result table ``sessions``) -> one row per session:

- ``session_id``, ``visitor_id``, ``customer_id`` (NULL when anonymous), ``session_number``;
- ``source_session_id``: source session of the session's first event;
- ``start_ts``, ``end_ts``: first and last event; ``duration_s``: seconds between them;
- ``events``: number of events; ``first_event``, ``exit_event``: event types of the first and
  last event;
- ``has_purchase``: the session holds a ``purchase`` event;
- ``traffic_source``: traffic source of the first event; ``month``: month of ``start_ts``.

`customer_sessions` (result table ``customer_sessions``) -> one row per known customer:

- ``sessions``; ``first_month``, ``last_month``: months of the first and last session;
- ``months_span``: calendar months from the first to the last session, both included;
- ``sessions_per_month``: ``sessions / months_span``;
- ``median_duration_s``: median session duration in seconds;
- ``exit_share_<event type>``: share of the customer's sessions whose last event is of that
  canonical type (one column per type in `churnlens.schema.EVENT_TYPES`; they sum to 1).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from churnlens.analytics.months import elapsed_seconds, month_index, month_start
from churnlens.schema import EVENT_TYPES


def visitor_id(events: ir.Table) -> ir.StringValue:
    """The visitor of each event: ``"c:" + customer_id`` when known, else ``"s:" + session_id``."""
    return ibis.coalesce("c:" + events.customer_id, "s:" + events.session_id)


def sessionize(events: ir.Table, gap_minutes: float = 30.0, split_at_midnight: bool = False) -> ir.Table:
    """Every event with its new session (columns in the module docstring).

    Parameters
    ----------
    events:
        Canonical ``events`` table (at least ``event_id``, ``session_id``, ``customer_id``,
        ``event_ts``).
    gap_minutes:
        Inactivity in minutes after which the next event starts a new session.
    split_at_midnight:
        Also start a new session when the UTC date changes between two events.
    """
    if gap_minutes <= 0:
        raise ValueError(f"gap_minutes must be positive, got {gap_minutes}")
    gap_us = int(round(gap_minutes * 60_000_000))
    t = events.mutate(visitor_id=visitor_id(events)).rename(source_session_id="session_id")
    order = [t.event_ts, t.event_id]
    w = ibis.window(group_by=t.visitor_id, order_by=order)
    prev = t.event_ts.lag().over(w)
    new = prev.isnull() | (t.event_ts.delta(prev, unit="microsecond") > gap_us)
    if split_at_midnight:
        new = new | (t.event_ts.date() != prev.date())
    t = t.mutate(_new=new.cast("int64"), _rn=ibis.row_number().over(w))
    run = ibis.window(group_by=t.visitor_id, order_by=[t.event_ts, t.event_id], rows=(None, 0))
    t = t.mutate(
        session_number=t._new.sum().over(run),
        _start_rn=(t._new * t._rn).max().over(run),
    )
    t = t.mutate(
        session_id=t.visitor_id + "#" + t.session_number.cast("string"),
        event_number=t._rn - t._start_rn + 1,
    )
    return t.drop("_new", "_rn", "_start_rn")


def sessions(session_events: ir.Table) -> ir.Table:
    """One row per session of `sessionize`'s output (columns in the module docstring)."""
    e = session_events
    t = e.group_by("session_id").aggregate(
        visitor_id=e.visitor_id.max(),
        customer_id=e.customer_id.max(),
        session_number=e.session_number.max(),
        source_session_id=e.source_session_id.argmin(e.event_number),
        start_ts=e.event_ts.min(),
        end_ts=e.event_ts.max(),
        events=e.event_number.max(),
        first_event=e.event_type.argmin(e.event_number),
        exit_event=e.event_type.argmax(e.event_number),
        has_purchase=(e.event_type == "purchase").any(),
        traffic_source=e.traffic_source.argmin(e.event_number),
    )
    return t.mutate(duration_s=elapsed_seconds(t.end_ts, t.start_ts), month=month_start(t.start_ts))


def customer_sessions(sessions_table: ir.Table) -> ir.Table:
    """One row per known customer (columns in the module docstring)."""
    s = sessions_table.filter(sessions_table.customer_id.notnull())
    exit_shares = {
        f"exit_share_{kind}": (s.exit_event == kind).cast("float64").mean() for kind in EVENT_TYPES
    }
    t = s.group_by("customer_id").aggregate(
        sessions=s.count(),
        first_month=s.month.min(),
        last_month=s.month.max(),
        median_duration_s=s.duration_s.median(),
        **exit_shares,
    )
    t = t.mutate(months_span=month_index(t.last_month) - month_index(t.first_month) + 1)
    t = t.mutate(sessions_per_month=t.sessions.cast("float64") / t.months_span)
    return t.select(
        "customer_id",
        "sessions",
        "first_month",
        "last_month",
        "months_span",
        "sessions_per_month",
        "median_duration_s",
        *exit_shares,
    )
