"""The dashboard's pages, in menu order: ``(key, module)``; each module has ``render(ctx)``.

(Not named ``pages``: Streamlit would take a ``pages/`` folder beside ``main.py`` for page
scripts of its own and bypass the navigation.)

A module also lists the result tables it reads in ``TABLES`` (documentation and tests).
"""

from __future__ import annotations

from types import ModuleType

from churnlens.app.views import (
    behaviour,
    campaigns,
    churn,
    customer360,
    customers,
    data,
    overview,
    products,
    promotions,
    value,
)

PAGES: dict[str, ModuleType] = {
    "overview": overview,
    "customers": customers,
    "churn": churn,
    "value": value,
    "customer360": customer360,
    "products": products,
    "behaviour": behaviour,
    "promotions": promotions,
    "campaigns": campaigns,
    "data": data,
}

ICONS: dict[str, str] = {
    "overview": ":material/dashboard:",
    "customers": ":material/groups:",
    "churn": ":material/warning:",
    "value": ":material/savings:",
    "customer360": ":material/person_search:",
    "products": ":material/inventory_2:",
    "behaviour": ":material/route:",
    "promotions": ":material/sell:",
    "campaigns": ":material/campaign:",
    "data": ":material/table:",
}
