"""What the shop's canonical tables make possible: the facts a stage's declared needs are checked
against (`churnlens.contract.Needs`) before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from churnlens.warehouse import Warehouse


@dataclass(frozen=True)
class Capabilities:
    """What the shop's canonical tables make possible."""

    orders: int
    customers: int
    events: int
    order_items: int
    priced_orders: int
    time_mode: str
    currency: str | None

    @property
    def has_orders(self) -> bool:
        return self.orders > 0

    @property
    def has_events(self) -> bool:
        return self.events > 0

    @property
    def has_order_items(self) -> bool:
        return self.order_items > 0

    @property
    def has_prices(self) -> bool:
        return self.priced_orders > 0


def capabilities(wh: Warehouse) -> Capabilities:
    info = wh.dataset_info()

    def n(name: str) -> int:
        return int(wh.table(name).count().to_pyarrow().as_py()) if wh.has(name) else 0

    priced = 0
    if wh.has("orders"):
        o = wh.table("orders")
        priced = int(o.filter(o.total_amount.notnull()).count().to_pyarrow().as_py())
    return Capabilities(
        orders=n("orders"),
        customers=n("customers"),
        events=n("events"),
        order_items=n("order_items"),
        priced_orders=priced,
        time_mode=info.get("time_mode", "calendar"),
        currency=info.get("currency"),
    )
