"""Drill-downs from a segment and from a basket rule to the customers behind them (Streamlit
AppTest on the demo warehouse): the list's length is the number the page shows, and the
customers of a rule are recomputed with pandas from the raw orders and order lines.
"""

from __future__ import annotations

import pandas as pd
import pytest
import test_app_pages
from test_app_pages import LANGS, render

from churnlens import strings
from churnlens.app import data, people
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

db = test_app_pages.db


@pytest.fixture(scope="module")
def tables(db):
    with Warehouse(db, read_only=True) as wh:
        names = ("segment_summary", "rfm", "basket_rules", "orders", "order_items", "products")
        return {n: wh.to_pandas(n) for n in names}


def test_every_segment_lists_its_customers(db, tables):
    stamp = data.stamp(str(db))
    rfm = tables["rfm"]
    assert len(tables["segment_summary"]) > 2
    for row in tables["segment_summary"].itertuples():
        members = people.segment_members(str(db), stamp, row.segment)
        assert len(members) == row.customers, row.segment
        assert set(members["customer_id"]) == set(rfm.loc[rfm["segment"] == row.segment, "customer_id"])


def _rule_orders(tables, level: str, a: str, b: str) -> pd.DataFrame:
    """Paid orders of known customers whose lines hold both items (pandas, from the raw tables)."""
    orders, lines = tables["orders"], tables["order_items"]
    paid = orders[orders["status"] == "paid"]
    li = lines[lines["product_id"].notna() & lines["order_id"].isin(paid["order_id"])]
    if level == "product":
        item = li["product_id"].astype(str)
    else:
        cat = tables["products"].set_index("product_id")[level]
        item = li["product_id"].map(cat).astype("string")
    li = li.assign(item=item)
    holds = li[li["item"].isin([a, b])].groupby("order_id")["item"].nunique()
    both = paid[paid["order_id"].isin(holds[holds == 2].index)]
    return both


def test_every_basket_rule_lists_the_customers_who_bought_both(db, tables):
    stamp = data.stamp(str(db))
    rules = tables["basket_rules"]
    assert len(rules) > 5
    for row in rules.sort_values("lift", ascending=False).head(12).itertuples():
        both = _rule_orders(tables, row.level, str(row.antecedent), str(row.consequent))
        assert len(both) == row.pair_orders  # the same baskets the rule counted
        known = both[both["customer_id"].notna()]
        members = people.rule_members(str(db), stamp, row.level, str(row.antecedent), str(row.consequent))
        assert (
            members.set_index("customer_id")["orders"].to_dict()
            == known.groupby("customer_id").size().to_dict()
        )


@pytest.mark.parametrize("lang", LANGS)
def test_a_segment_opens_the_list_of_its_customers(db, tables, lang):
    at = render(db, "customers", lang)
    seg = tables["segment_summary"].sort_values("customers").iloc[len(tables["segment_summary"]) // 2]
    at.selectbox(key="segment_people_segment").select(seg["segment"]).run()
    assert not at.exception
    n = int(seg["customers"])
    want = strings.tr(
        lang, "segment_people_count", n=i18n.fmt_number(n), segment=strings.value_label(lang, seg["segment"])
    )
    assert want in [c.value for c in at.caption]
    listed = next(
        d.value for d in at.dataframe if list(d.value.columns)[0] == "customer_id" and len(d.value) == n
    )
    assert all(v.startswith("customer360?customer=") for v in listed["customer_id"])


@pytest.mark.parametrize("lang", LANGS)
def test_a_basket_rule_opens_the_list_of_its_customers(db, tables, lang):
    at = render(db, "products", lang)
    box = at.selectbox(key="rule_people_rule")
    assert len(box.options) > 1
    box.select_index(1).run()
    assert not at.exception
    table = next(
        d.value for d in at.dataframe if "orders" in d.value.columns and "customer_id" in d.value.columns
    )
    caption = strings.tr(
        lang,
        "rule_people_count",
        n=i18n.fmt_number(len(table)),
        orders=i18n.fmt_number(int(table["orders"].sum())),
    )
    assert caption in [c.value for c in at.caption]
    assert all(v.startswith("customer360?customer=") for v in table["customer_id"])
    rules = tables["basket_rules"]
    assert int(table["orders"].sum()) <= int(rules["pair_orders"].max())
