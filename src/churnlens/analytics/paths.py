"""Paths through sessions: frequent paths, next-step transitions, exits, paths to purchase.

A session's *path* is its sequence of canonical event types. With ``collapse_repeats`` (the
default) consecutive repeats of one type count once (``view_item, view_item, add_to_cart`` is
``view_item > add_to_cart``), so scrolling and clicking do not drown the shape of a visit.
Paths are written with ``" > "`` between steps.

Tables
------
``paths_top``: the most frequent paths of the first ``steps`` events of a session:
``rank`` (1 = most sessions), ``path``, ``sessions``, ``share`` (of all sessions),
``purchase_sessions``, ``purchase_rate`` (purchase_sessions / sessions).

``path_transitions``: the next-step table: ``from_event`` (an event type, or ``(start)``),
``to_event`` (an event type, or ``(exit)``), ``transitions`` and ``probability`` (transitions /
all transitions out of ``from_event``; the probabilities out of one event sum to 1).

``path_exits``: ``exit_event`` (type of a session's last event), ``sessions``, ``share``.

``path_outcomes``: the ``steps`` events that precede the outcome of a session:
``outcome`` (``purchase``: events before the session's first purchase; ``exit``: the last
events of sessions without a purchase), ``rank`` within the outcome, ``path`` (``(direct)``
when nothing preceded a purchase), ``sessions``, ``share`` (of the outcome's sessions).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

SEP = " > "
START, EXIT, DIRECT = "(start)", "(exit)", "(direct)"


def steps_of(session_events: ir.Table, collapse_repeats: bool = True) -> ir.Table:
    """``session_id``, ``step`` (from 1) and ``event_type`` of every (kept) event."""
    e = session_events.select("session_id", "event_number", "event_type")
    if collapse_repeats:
        w = ibis.window(group_by=e.session_id, order_by=e.event_number)
        e = e.mutate(_prev=e.event_type.lag().over(w))
        e = e.filter(e._prev.isnull() | (e._prev != e.event_type))
    w = ibis.window(group_by=e.session_id, order_by=e.event_number)
    return e.select("session_id", "event_type", step=ibis.row_number().over(w) + 1)


def _join_path(parts: list[ir.StringValue]) -> ir.StringValue:
    """Join non-null parts with SEP, in order."""
    path = ibis.literal("")
    for p in parts:
        path = path + ibis.ifelse(p.isnull(), "", ibis.ifelse(path == "", "", SEP) + p)
    return path


def top_paths(steps: ir.Table, n_steps: int = 4, top: int = 100) -> ir.Table:
    """``paths_top`` (module docstring) from `steps_of`'s output."""
    s = steps
    agg = s.group_by("session_id").aggregate(
        _purchase=(s.event_type == "purchase").any(),
        **{f"_p{k}": s.event_type.min(where=s.step == k) for k in range(1, n_steps + 1)},
    )
    per = agg.mutate(path=_join_path([agg[f"_p{k}"] for k in range(1, n_steps + 1)]))
    t = per.group_by("path").aggregate(
        sessions=per.count(), purchase_sessions=per._purchase.cast("int64").sum()
    )
    total = t.sessions.sum().over(ibis.window())
    t = t.mutate(
        share=t.sessions.cast("float64") / total,
        purchase_rate=t.purchase_sessions.cast("float64") / t.sessions,
        rank=ibis.row_number().over(ibis.window(order_by=[ibis.desc(t.sessions), t.path])) + 1,
    )
    t = t.filter(t.rank <= top)
    return t.select("rank", "path", "sessions", "share", "purchase_sessions", "purchase_rate")


def transitions(steps: ir.Table) -> ir.Table:
    """``path_transitions`` (module docstring) from `steps_of`'s output."""
    s = steps
    w = ibis.window(group_by=s.session_id, order_by=s.step)
    nxt = s.select(from_event=s.event_type, to_event=s.event_type.lead().over(w).fill_null(EXIT))
    starts = s.filter(s.step == 1).select(from_event=ibis.literal(START), to_event=s.event_type)
    both = ibis.union(nxt, starts)
    t = both.group_by("from_event", "to_event").aggregate(transitions=both.count())
    out = t.transitions.sum().over(ibis.window(group_by=t.from_event))
    t = t.mutate(probability=t.transitions.cast("float64") / out)
    return t.select("from_event", "to_event", "transitions", "probability")


def exits(sessions_table: ir.Table) -> ir.Table:
    """``path_exits`` (module docstring) from the ``sessions`` table."""
    s = sessions_table
    t = s.group_by("exit_event").aggregate(sessions=s.count())
    return t.mutate(share=t.sessions.cast("float64") / t.sessions.sum().over(ibis.window()))


def outcome_paths(steps: ir.Table, n_steps: int = 4, top: int = 100) -> ir.Table:
    """``path_outcomes`` (module docstring) from `steps_of`'s output."""
    s = steps
    whole = ibis.window(group_by=s.session_id)
    s = s.mutate(
        _last=s.step.max().over(whole),
        _buy=s.step.min(where=s.event_type == "purchase").over(whole),
    )
    # r = 1 for the event just before the purchase (or the exit event), 2 before it, ...
    r = ibis.ifelse(s._buy.isnull(), s._last - s.step + 1, s._buy - s.step)
    s = s.mutate(_r=r, outcome=ibis.ifelse(s._buy.isnull(), "exit", "purchase"))
    kept = s.filter(s._r >= 1, s._r <= n_steps)
    per = kept.group_by("session_id", "outcome").aggregate(
        **{f"_p{k}": kept.event_type.min(where=kept._r == k) for k in range(1, n_steps + 1)}
    )
    per = per.mutate(path=_join_path([per[f"_p{k}"] for k in range(n_steps, 0, -1)]))
    # purchase sessions whose first event is the purchase have no preceding events
    direct = (
        s.filter(s._buy == 1).select("session_id", "outcome").distinct().mutate(path=ibis.literal(DIRECT))
    )
    per = ibis.union(per.select("session_id", "outcome", "path"), direct)
    t = per.group_by("outcome", "path").aggregate(sessions=per.count())
    t = t.mutate(
        share=t.sessions.cast("float64") / t.sessions.sum().over(ibis.window(group_by=t.outcome)),
        rank=ibis.row_number().over(ibis.window(group_by=t.outcome, order_by=[ibis.desc(t.sessions), t.path]))
        + 1,
    )
    t = t.filter(t.rank <= top)
    return t.select("outcome", "rank", "path", "sessions", "share")
