"""Fashion Campus adapter on hand-built native files with hand-computed expectations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churnlens.errors import DataError
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

CUSTOMER = """customer_id,first_name,last_name,username,email,gender,birthdate,device_type,device_id,device_version,home_location_lat,home_location_long,home_location,home_country,first_join_date
1,Ana,B,u1,ana@example.com,F,1996-06-14,Android,d1,Android 2.2.1,-6.2,106.8,Jakarta Raya,Indonesia,2019-07-21
2,Budi,C,u2,budi@example.com,M,1990-01-02,iOS,d2,"iPhone; CPU iPhone OS 14_2_1 like Mac OS X",-7.2,110.1,Jawa Tengah,Indonesia,2020-01-05
2,Dup,C,u3,dup@example.com,M,1990-01-02,iOS,d3,x,-7.2,110.1,Jawa Tengah,Indonesia,2020-01-05
3,Citra,D,u4,citra@example.com,F,not-a-date,iOS,d4,x,-7.2,110.1,Bali,Indonesia,2021-03-01
"""
PRODUCT = """id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName
15315,Men,Apparel,Topwear,Tshirts,Navy Blue,Fall,2011.0,Casual,Turtle Check Men Navy Blue Shirt
54728,Women,Footwear,Shoes,Heels,Black,Summer,2012.0,Casual,Catwalk Women Black, Gold, Heels
9,Men,Accessories,Watches,Watches,Black,,2011.0,,Plain Watch
"""
HEAD = "created_at,customer_id,booking_id,session_id,product_metadata,payment_method,payment_status,promo_amount,promo_code,shipment_fee,shipment_date_limit,shipment_location_lat,shipment_location_long,total_amount\n"
TX = [
    # ok: 191247 + 2*1000 - 1000 + 10000 = 202247
    """2018-07-29T15:22:01.458193Z,1,b1,s1,"[{'product_id': 54728, 'quantity': 1, 'item_price': 191247}, {'product_id': 15315, 'quantity': 2, 'item_price': 1000}]",Gopay,Success,1000,BUYMORE,10000,2018-08-03T05:07:24.812595Z,-6.2,106.8,202247""",
    # failed payment, kept as failed
    """2018-08-01T10:00:00.000001Z,2,b2,s2,"[{'product_id': 9, 'quantity': 1, 'item_price': 5000}]",OVO,Failed,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,5000""",
    # not a literal
    """2018-08-02T10:00:00.000001Z,2,b3,s3,"not a literal",OVO,Success,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,5000""",
    # invariant broken (5000 - 0 + 0 != 4000)
    """2018-08-02T10:00:00.000001Z,2,b4,s4,"[{'product_id': 9, 'quantity': 1, 'item_price': 5000}]",OVO,Success,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,4000""",
    # negative quantity
    """2018-08-02T11:00:00.000001Z,2,b5,s5,"[{'product_id': 9, 'quantity': -1, 'item_price': 5000}]",OVO,Success,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,-5000""",
    # unparsable time
    """yesterday,2,b6,s6,"[{'product_id': 9, 'quantity': 1, 'item_price': 5000}]",OVO,Success,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,5000""",
    # duplicate booking id
    """2018-08-03T10:00:00.000001Z,1,b1,s7,"[{'product_id': 9, 'quantity': 1, 'item_price': 5000}]",OVO,Success,0,,0,2018-08-03T05:07:24.812595Z,-6.2,106.8,5000""",
    # ok, weekend promo
    """2018-08-04T09:30:00Z,2,b8,s8,"[{'product_id': 9, 'quantity': 3, 'item_price': 5000}]",OVO,Success,1500,WEEKENDSERU,5000,2018-08-06T05:07:24.812595Z,-6.2,106.8,18500""",
]
CLICKS = """session_id,event_name,event_time,event_id,traffic_source,event_metadata
s1,HOMEPAGE,2018-07-29T15:00:01.000000Z,e1,MOBILE,
s1,SEARCH,2018-07-29T15:01:01.000000Z,e2,MOBILE,{'search_keywords': 'Bekas'}
s1,ADD_TO_CART,2018-07-29T15:02:01.000000Z,e3,MOBILE,"{'product_id': 54728, 'quantity': 1, 'item_price': 191247}"
s1,ADD_PROMO,2018-07-29T15:03:01.000000Z,e4,MOBILE,"{'promo_code': 'BUYMORE', 'promo_amount': 1000}"
s1,BOOKING,2018-07-29T15:22:01.000000Z,e5,MOBILE,{'payment_status': 'Success'}
s9,FOO,2018-07-29T15:22:01.000000Z,e6,WEB,
s9,SEARCH,2018-07-29T15:22:01.000000Z,e7,WEB,"{'search_keywords': ""Men's shoes""}"
s9,ADD_TO_CART,2018-07-29T15:23:01.000000Z,e8,WEB,{not a literal
s9,CLICK,2018-07-29T15:24:01.000000Z,e7,WEB,
"""


def write_shop(d: Path, *, tx: list[str] = TX, clicks: str | None = CLICKS) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "customer.csv").write_text(CUSTOMER)
    (d / "product.csv").write_text(PRODUCT)
    (d / "transactions.csv").write_text(HEAD + "\n".join(tx) + "\n")
    if clicks is not None:
        (d / "click_stream.csv").write_text(clicks)
    return d


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    d = write_shop(tmp_path_factory.mktemp("fc"))
    wh = Warehouse()
    summary = ingest("fashion-campus", [d], wh)
    return wh, summary, d


def test_counts_add_up(shop):
    _, summary, _ = shop
    got = {r["table"]: (r["read"], r["stored"], r["rejected"]) for r in summary.rows()}
    assert got["customers"] == (4, 2, 2)
    assert got["products"] == (3, 3, 0)
    assert got["orders"] == (8, 3, 5)
    assert got["order_items"] == (4, 4, 0)  # b1: 2 lines, b2: 1, b8: 1
    assert got["events"] == (9, 6, 3)


def test_orders_and_items(shop):
    wh, _, _ = shop
    o = wh.to_pandas("orders").set_index("order_id")
    assert list(o.index) == ["b1", "b2", "b8"]
    assert o.loc["b1", "items_amount"] == 193247 and o.loc["b1", "total_amount"] == 202247
    assert o.loc["b1", "discount_amount"] == 1000 and o.loc["b1", "shipping_amount"] == 10000
    assert o.loc["b2", "status"] == "failed" and o.loc["b1", "status"] == "paid"
    assert (
        o.loc["b8", "promo_code"] == "WEEKENDSERU"
        and o.loc["b8", "order_ts"].isoformat() == "2018-08-04T09:30:00"
    )
    assert str(o.loc["b1", "order_ts"]) == "2018-07-29 15:22:01.458193"
    items = wh.to_pandas("order_items")
    assert items[items.order_id == "b1"][
        ["line_no", "product_id", "quantity", "unit_price"]
    ].values.tolist() == [
        [1, "54728", 1.0, 191247.0],
        [2, "15315", 2.0, 1000.0],
    ]


def test_rejected_reasons(shop):
    wh, _, d = shop
    rej = wh.to_pandas("rejected_rows")
    tx = rej[rej.target_table == "orders"].set_index("line")["reason"]
    assert "not a list" in tx[4]
    assert "differs from sum(quantity * item_price)" in tx[5]
    assert "quantity not positive" in tx[6]
    assert "created_at: not an ISO-8601 time: yesterday" == tx[7]
    assert tx[8] == "duplicate booking_id b1 (first on line 2)"
    ev = rej[rej.target_table == "events"].set_index("line")["reason"]
    assert ev[7] == "event_name: unknown event name: FOO"
    assert "not a Python dict literal" in ev[9]
    assert ev[10] == "duplicate event_id e7 (first on line 8)"
    assert set(rej.source_file) == {
        str(d / n) for n in ("customer.csv", "transactions.csv", "click_stream.csv")
    }


def test_products_with_unquoted_commas_are_repaired(shop):
    wh, summary, _ = shop
    p = wh.to_pandas("products").set_index("product_id")
    assert p.loc["54728", "name"] == "Catwalk Women Black, Gold, Heels"
    assert p.loc["54728", "category_l1"] == "Footwear" and pd.isna(p.loc["9", "season"])
    assert any("repaired" in n for n in summary.notes)


def test_events_reach_customers_through_bookings(shop):
    wh, _, _ = shop
    e = wh.to_pandas("events").set_index("event_id")
    assert (e.loc[["e1", "e2", "e3", "e4", "e5"], "customer_id"] == "1").all()
    assert pd.isna(e.loc["e7", "customer_id"])
    assert e.loc["e2", "search_query"] == "Bekas" and e.loc["e7", "search_query"] == "Men's shoes"
    assert e.loc["e3", "event_type"] == "add_to_cart" and e.loc["e3", "item_price"] == 191247
    assert e.loc["e4", "promo_code"] == "BUYMORE" and e.loc["e4", "promo_amount"] == 1000
    assert e.loc["e5", "event_type"] == "purchase" and e.loc["e5", "payment_status"] == "Success"


def test_personal_data_never_stored(shop):
    wh, _, _ = shop
    for name in wh.tables():
        text = wh.to_pandas(name).to_csv()
        assert "example.com" not in text and "Budi" not in text


def test_missing_column_is_a_data_error(tmp_path):
    d = write_shop(tmp_path / "s")
    (d / "transactions.csv").write_text(HEAD.replace("total_amount", "total") + TX[0] + "\n")
    with pytest.raises(DataError) as exc:
        ingest("fashion-campus", [d], Warehouse())
    assert "total_amount" in str(exc.value) and "transactions.csv" in str(exc.value)


def test_click_stream_is_optional(tmp_path):
    d = write_shop(tmp_path / "s", clicks=None)
    summary = ingest("fashion-campus", [d], Warehouse())
    assert any("no click_stream" in n for n in summary.notes)
