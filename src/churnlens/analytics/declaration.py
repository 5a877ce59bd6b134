"""The contract of the analytics stages: tables read and written (columns and their kinds) and what
they need of the shop's data (see `churnlens.contract`)."""

from __future__ import annotations

from churnlens.contract import Needs, StageDecl, Table

ORDERS_STAGE = StageDecl(
    name="behaviour_orders",
    doc="cohort retention, lifecycle states and the order funnel",
    section='behaviour',
    reads=('orders',),
    reads_optional=('customers',),
    needs=Needs(),
    writes=(
    Table(
        "cohort_retention",
        "Customers and revenue still active each month after their first order, per acquisition cohort",
        {
            "cohort_month": "date",
            "months_since": "count",
            "cohort_customers": "count",
            "active_customers": "count",
            "retention": "share",
            "revenue": "money",
            "revenue_retention": "share",
        },
    ),
    Table(
        "customer_lifecycle",
        "Each customer's lifecycle state (new, returning, resurrected, dormant) per month",
        {
            "customer_id": "id",
            "month": "date",
            "state": "label",
        },
    ),
    Table(
        "lifecycle_monthly",
        "Customers per lifecycle state and month",
        {
            "month": "date",
            "state": "label",
            "customers": "count",
            "signed_customers": "count",
        },
    ),
    Table(
        "order_funnel_steps",
        "Customers reaching their first, second and third order, with conversion and time between steps",
        {
            "funnel": "label",
            "dimension": "label",
            "segment": "label",
            "step": "rank",
            "step_name": "label",
            "units": "count",
            "conversion_from_previous": "share",
            "conversion_overall": "share",
            "median_s_from_previous": "seconds",
        },
    ),
    Table(
        "order_funnel_breakdown",
        "The order funnel per gender, age band, device and month",
        {
            "funnel": "label",
            "dimension": "label",
            "segment": "label",
            "step": "rank",
            "step_name": "label",
            "units": "count",
            "conversion_from_previous": "share",
            "conversion_overall": "share",
            "median_s_from_previous": "seconds",
        },
    ),
    ),
)


CLICKS_STAGE = StageDecl(
    name="behaviour_clicks",
    doc="sessions, funnels, paths, search trends and visit KPIs of the click stream",
    section='behaviour',
    reads=('events',),
    reads_optional=('customers', 'orders'),
    needs=Needs(orders=False, events=True),
    writes=(
    Table(
        "sessions",
        "One row per 30-minute session of the click stream: start, end, events, exit and purchase",
        {
            "session_id": "id",
            "visitor_id": "id",
            "customer_id": "id",
            "session_number": "count",
            "source_session_id": "id",
            "start_ts": "date",
            "end_ts": "date",
            "events": "count",
            "first_event": "label",
            "exit_event": "label",
            "has_purchase": "flag",
            "traffic_source": "label",
            "duration_s": "seconds",
            "month": "date",
        },
    ),
    Table(
        "customer_sessions",
        "Sessions, their months and exit pages per customer",
        {
            "customer_id": "id",
            "sessions": "count",
            "first_month": "date",
            "last_month": "date",
            "months_span": "count",
            "sessions_per_month": "number",
            "median_duration_s": "seconds",
            "exit_share_*": "share",
        },
    ),
    Table(
        "funnel_steps",
        "Sessions (or visitors) reaching each funnel step, conversion and time between steps",
        {
            "funnel": "label",
            "dimension": "label",
            "segment": "label",
            "step": "rank",
            "step_name": "label",
            "units": "count",
            "conversion_from_previous": "share",
            "conversion_overall": "share",
            "median_s_from_previous": "seconds",
        },
    ),
    Table(
        "funnel_breakdown",
        "The click-stream funnel per gender, age band, traffic source, device, customer type and month",
        {
            "funnel": "label",
            "dimension": "label",
            "segment": "label",
            "step": "rank",
            "step_name": "label",
            "units": "count",
            "conversion_from_previous": "share",
            "conversion_overall": "share",
            "median_s_from_previous": "seconds",
        },
    ),
    Table(
        "paths_top",
        "The most frequent first steps of sessions and their purchase rate",
        {
            "rank": "rank",
            "path": "text",
            "sessions": "count",
            "share": "share",
            "purchase_sessions": "count",
            "purchase_rate": "share",
        },
    ),
    Table(
        "path_transitions",
        "How often one event type follows another within sessions",
        {
            "from_event": "label",
            "to_event": "label",
            "transitions": "count",
            "probability": "share",
        },
    ),
    Table(
        "path_exits",
        "Sessions per last event (where visitors leave)",
        {
            "exit_event": "label",
            "sessions": "count",
            "share": "share",
        },
    ),
    Table(
        "path_outcomes",
        "The most frequent paths of sessions with and without a purchase",
        {
            "outcome": "label",
            "rank": "rank",
            "path": "text",
            "sessions": "count",
            "share": "share",
        },
    ),
    Table(
        "search_trends",
        "Searches and searchers per keyword group and period, and their share of all searches",
        {
            "keyword_group": "label",
            "period": "label",
            "period_start": "date",
            "searches": "count",
            "group_searches": "count",
            "search_share": "share",
            "searchers": "count",
            "group_searchers": "count",
            "searcher_share": "share",
        },
    ),
    Table(
        "visit_kpis",
        "Visits, visitors, conversion and buyers per month and customer segment",
        {
            "month": "date",
            "dimension": "label",
            "segment": "label",
            "visits": "count",
            "visitors": "count",
            "purchase_sessions": "count",
            "conversion_rate": "share",
            "buyers": "count",
            "buyer_rate": "share",
        },
    ),
    ),
)
