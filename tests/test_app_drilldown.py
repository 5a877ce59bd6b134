"""Drill-downs to people (Streamlit AppTest on the demo warehouse): a cohort cell and a funnel
step lead to the list of the customers (or sessions) behind the number shown, and the list's
length is that number. The cohort lists are also recomputed with pandas from the raw orders.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import test_app_pages
from test_app_pages import LANGS, _charts, plotly_values, render

from churnlens import strings
from churnlens.app import data, people
from churnlens.app.widgets import customer_link
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

# the demo warehouse, built once per process (the pages' tests share it)
db = test_app_pages.db


@pytest.fixture(scope="module")
def tables(db):
    with Warehouse(db, read_only=True) as wh:
        runs = wh.to_pandas("runs")
        return {
            n: wh.to_pandas(n) for n in ("cohort_retention", "funnel_steps", "order_funnel_steps", "orders")
        } | {"settings": json.loads(runs[runs["kind"] == "run"]["config"].iloc[-1])}


def test_cohort_cells_list_their_customers(db, tables):
    orders = tables["orders"]
    paid = orders[(orders["status"] == "paid") & orders["customer_id"].notna()].copy()
    paid["month"] = paid["order_ts"].dt.to_period("M")
    first = paid.groupby("customer_id")["month"].min().rename("cohort")
    paid = paid.join(first, on="customer_id")
    paid["since"] = (paid["month"] - paid["cohort"]).map(lambda d: d.n)
    stamp = data.stamp(str(db))
    cells = tables["cohort_retention"]
    assert len(cells) > 40
    # every acquisition month (months_since 0) and, of the later cells, 30 drawn with a fixed seed
    later = cells[cells["months_since"] > 0].sample(30, random_state=0)
    for row in pd.concat([cells[cells["months_since"] == 0], later]).itertuples():
        members = people.cohort_members(str(db), stamp, row.cohort_month, row.months_since)
        assert len(members) == row.active_customers, (row.cohort_month, row.months_since)
        cohort = pd.Timestamp(row.cohort_month).to_period("M")
        mine = paid[(paid["cohort"] == cohort) & (paid["since"] == row.months_since)]
        assert set(members["customer_id"]) == set(mine["customer_id"])


@pytest.mark.parametrize("lang", LANGS)
def test_a_cohort_cell_opens_the_list_of_its_customers(db, tables, lang):
    at = render(db, "customers", lang)
    cells = tables["cohort_retention"]
    cell = cells[cells["months_since"] > 0].sort_values("active_customers").iloc[-1]
    at.selectbox(key="cohort_people_month").select(cell["cohort_month"]).run()
    at.selectbox(key="cohort_people_age").select(int(cell["months_since"])).run()
    assert not at.exception
    n = int(cell["active_customers"])
    want = strings.tr(
        lang,
        "cohort_people_later",
        n=i18n.fmt_number(n),
        cohort=i18n.fmt_month(cell["cohort_month"], lang),
        months=i18n.fmt_number(cell["months_since"]),
    )
    assert want in [c.value for c in at.caption]
    listed = next(d.value for d in at.dataframe if list(d.value.columns) == ["customer_id", "revenue"])
    assert len(listed) == n
    assert all(v.startswith("customer360?customer=") for v in listed["customer_id"])


def test_every_funnel_step_lists_the_units_that_reached_it(db, tables):
    stamp = data.stamp(str(db))
    for table in ("funnel_steps", "order_funnel_steps"):
        for row in tables[table].itertuples():
            members = people.funnel_members(str(db), stamp, row.funnel, row.step, tables["settings"])
            assert len(members) == row.units, (row.funnel, row.step_name)
            assert members["unit_id"].is_unique


@pytest.mark.parametrize("lang", LANGS)
def test_a_funnel_step_opens_the_list_of_who_reached_it(db, tables, lang):
    at = render(db, "behaviour", lang)
    steps = tables["funnel_steps"]
    events = steps[steps["funnel"] == "events"].sort_values("step")
    for row in events.itertuples():
        at.selectbox(key="funnel_steps_people_step").select(row.step).run()
        assert not at.exception
        text = strings.tr(
            lang,
            "funnel_people_session",
            n=i18n.fmt_number(row.units),
            step=strings.value_label(lang, row.step_name),
        )
        assert any(c.value.startswith(text) for c in at.caption), text
        listed = next(d.value for d in at.dataframe if "session_id" in d.value.columns)
        assert len(listed) == min(row.units, people.SHOWN)
    orders = tables["order_funnel_steps"].sort_values("step")
    for row in orders.itertuples():
        at.selectbox(key="order_funnel_steps_people_step").select(row.step).run()
        listed = next(d.value for d in at.dataframe if list(d.value.columns) == ["customer_id"])
        assert len(listed) == row.units


def test_customer_360_opens_on_the_linked_customer(db, tables):
    from streamlit.testing.v1 import AppTest

    cid = str(tables["orders"]["customer_id"].dropna().iloc[-1])
    link = customer_link(cid)
    assert link == f"customer360?customer={cid}"

    def script(db: str) -> None:
        from churnlens.app.main import run_page

        run_page("customer360", db=db, lang="en")

    at = AppTest.from_function(script, args=(str(db),), default_timeout=60)
    at.query_params["customer"] = cid
    at.run()
    assert not at.exception
    assert at.text_input[0].value == cid


@pytest.mark.parametrize("lang", LANGS)
def test_retention_curve_averages_every_cohort_old_enough(db, tables, lang):
    """The average curve recomputed with pandas from the raw orders: for month n, customers of the
    cohorts that have lived n months who bought that month, over those cohorts' customers."""
    orders = tables["orders"]
    paid = orders[(orders["status"] == "paid") & orders["customer_id"].notna()].copy()
    paid["month"] = paid["order_ts"].dt.to_period("M")
    paid = paid.join(paid.groupby("customer_id")["month"].min().rename("cohort"), on="customer_id")
    paid["since"] = (paid["month"] - paid["cohort"]).map(lambda d: d.n)
    last = paid["month"].max()
    sizes = paid.groupby("cohort")["customer_id"].nunique()
    active = paid.groupby("since")["customer_id"].nunique()
    want = []
    for n in range((last - sizes.index.min()).n + 1):  # up to the age of the oldest cohort
        old_enough = sizes[[(last - c).n >= n for c in sizes.index]]
        want.append(active.get(n, 0) / old_enough.sum())
    at = render(db, "customers", lang)
    spec = next(s for s in _charts(at) if s["data"][0].get("name") == strings.tr(lang, "retention_average"))
    shown = plotly_values(spec["data"][0]["y"])
    assert shown == pytest.approx(want, rel=1e-12)
    assert shown[0] == 1.0
    # the cohort grid reads its months left to right in order
    grid = next(
        s for s in _charts(at) if s["layout"]["xaxis"]["title"]["text"] == strings.tr(lang, "cohort_age_axis")
    )
    months = [int(x) for x in grid["data"][0]["x"]]
    assert months == sorted(months) and months[0] == 0
