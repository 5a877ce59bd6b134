"""What the shop's canonical tables make possible: the facts a stage's declared needs are checked
against (`churnlens.contract.Needs`) before anything runs."""

from __future__ import annotations

from dataclasses import dataclass

from churnlens.paid import paid_orders
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
    #: Days from the first to the last paid order (0 without paid orders).
    history_days: float = 0.0

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

    priced, history = 0, 0.0
    if wh.has("orders"):
        p = paid_orders(wh.table("orders"))
        priced = int(p.filter(p.total_amount.notnull()).count().to_pyarrow().as_py())
        span = p.aggregate(a=p.order_ts.min(), b=p.order_ts.max()).to_pandas().iloc[0]
        if span["a"] is not None and span["a"] == span["a"]:
            history = (span["b"] - span["a"]).total_seconds() / 86_400
    return Capabilities(
        orders=n("orders"),
        customers=n("customers"),
        events=n("events"),
        order_items=n("order_items"),
        priced_orders=priced,
        time_mode=info.get("time_mode", "calendar"),
        currency=info.get("currency"),
        history_days=history,
    )
