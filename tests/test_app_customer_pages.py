"""Customer 360 and the Churn risk lists as a marketer reads them (Streamlit AppTest on the demo
warehouse): one point per order at its amount with the data's last day marked, amounts with the
shop's currency and thousands separators, the lists' reasons written out in full, and every
customer in every list a link to Customer 360. Expected values come from the warehouse's tables,
read with pandas."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import test_app_pages
from test_app_pages import LANGS, _charts, plotly_values, render

from churnlens import strings
from churnlens.app.views import PAGES
from churnlens.app.widgets import customer_link, md_escape
from churnlens.playbook import sentences
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

# the demo warehouse, built once per process (the pages' tests share it)
db = test_app_pages.db


@pytest.fixture(scope="module")
def tables(db):
    with Warehouse(db, read_only=True) as wh:
        return {n: wh.to_pandas(n) for n in ("orders", "actions", "customer_value")} | {
            "currency": wh.dataset_info().get("currency")
        }


def _column_formats(element) -> dict[str, dict]:
    """A grid's column configuration (format, label, type) by column name."""
    return json.loads(element.proto.columns or "{}")


@pytest.mark.parametrize("lang", LANGS)
def test_order_timeline_marks_every_order_and_the_data_last_day(db, tables, lang):
    at = render(db, "customer360", lang)
    cid = at.text_input[0].value
    orders = tables["orders"]
    mine = orders[(orders["customer_id"] == cid) & orders["total_amount"].notna()]
    spec = next(s for s in _charts(at) if any(t.get("mode") == "markers" for t in s["data"]))
    points = [t for t in spec["data"] if t.get("mode") == "markers"]
    # one marker per order, at its amount, one series per status in the page's language
    amounts = sorted(v for t in points for v in plotly_values(t["y"]))
    assert amounts == pytest.approx(sorted(mine["total_amount"].tolist()))
    assert {t["name"] for t in points} == {strings.value_label(lang, s) for s in mine["status"].unique()}
    # the dashed line on the results' cutoff, labelled with its date
    cutoff = pd.Timestamp(tables["customer_value"].set_index("customer_id").loc[cid, "cutoff"])
    lines = [s for s in spec["layout"].get("shapes", []) if s.get("type") == "line"]
    assert [pd.Timestamp(s["x0"]) for s in lines] == [cutoff]
    label = strings.tr(lang, "today_marker", date=i18n.fmt_date(cutoff, lang))
    assert label in [a["text"] for a in spec["layout"]["annotations"]]
    # both axes titled; the amounts' title names the currency
    assert spec["layout"]["xaxis"]["title"]["text"]
    assert tables["currency"] in spec["layout"]["yaxis"]["title"]["text"]


def test_customer_360_amounts_carry_the_currency_and_separators(db, tables):
    at = render(db, "customer360")
    grid = next(d for d in at.dataframe if "order_id" in d.value.columns)
    formats = _column_formats(grid)
    currency = tables["currency"]
    for col in ("total_amount", "discount_amount"):
        assert formats[col]["label"].endswith(f"({currency})"), formats[col]
        # a number cell with thousands separators, or the amount written out the same way
        if formats[col]["type_config"]["type"] == "number":
            assert formats[col]["type_config"]["format"] == "localized", formats[col]
        else:
            want = [i18n.fmt_number(v) if pd.notna(v) else "–" for v in grid.value[col]]
            assert grid.value[col].tolist() == want
    # the action's sentence labels its amounts with the currency, as the playbook wrote it
    cid = at.text_input[0].value
    row = tables["actions"].set_index("customer_id").loc[cid]
    written = f"{currency} {float(row['value']):,.0f}"
    assert any(written in c.value for c in at.caption), (written, [c.value for c in at.caption])


def test_sentences_label_amounts_with_the_currency():
    assert sentences.money(-4067.0, 0, "en", "IDR") == "IDR -4,067"
    assert sentences.money(1234567.5, 2, "ko", "IDR") == "1,234,567.50 IDR"
    assert sentences.money(15000.0, 0, "ko", "KRW") == "15,000원"
    assert sentences.money(15000.0, 0, "en", None) == "15,000"


@pytest.mark.parametrize("lang", LANGS)
def test_at_risk_reasons_are_written_out_in_full(db, tables, lang):
    at = render(db, "churn", lang)
    a = tables["actions"]
    reason = "reason_ko" if lang == "ko" else "reason"
    saveable = a[a["state"].isin(["at_risk", "lapsing"])].sort_values(
        ["expected_saved_revenue", "customer_id"], ascending=[False, True]
    )
    # the grid has no long text column (it would run off the page's right edge)
    grids = [d.value for d in at.dataframe if "state" in d.value.columns]
    assert grids and all("reason" not in g.columns and reason not in g.columns for g in grids)
    # under it, the first customers' whole reasons, each customer a link to Customer 360
    text = "\n".join(m.value for m in at.markdown)
    for _, row in saveable.head(10).iterrows():
        assert md_escape(row[reason]) in text
        assert f"({customer_link(row['customer_id'])})" in text
    assert strings.tr(lang, "why_first", n=i18n.fmt_number(min(10, len(saveable)))) in text


def test_every_listed_customer_links_to_customer_360(db):
    """Every grid of every page that lists customers shows them as links to Customer 360."""
    listed = 0
    for page in PAGES:
        at = test_app_pages.rendered(db, page)
        for grid in at.dataframe:
            if "customer_id" not in grid.value.columns:
                continue
            ids = grid.value["customer_id"].dropna()
            assert all(str(v).startswith("customer360?customer=") for v in ids), page
            assert _column_formats(grid)["customer_id"]["type_config"]["type"] == "link", page
            listed += len(ids)
    assert listed > 0
