"""Every dashboard page, in English and Korean, on a demo warehouse (Streamlit AppTest).

Pages must run without an exception or an error box, say plainly which table is missing
and which command makes it, and show numbers equal to the result tables they read.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_support import SHARED_BUILD, demo_warehouse, real_warehouse

from churnlens import strings
from churnlens.app.context import TABLE_STAGE
from churnlens.app.server import MAIN
from churnlens.app.views import PAGES
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

pytestmark = SHARED_BUILD
LANGS = ("en", "ko")


def _script(db: str, page: str, lang: str) -> None:
    from churnlens.app.main import run_page

    run_page(page, db=db, lang=lang)


def render(db, page: str, lang: str = "en") -> AppTest:
    at = AppTest.from_function(_script, args=(str(db), page, lang), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


_RENDERED: dict[tuple, AppTest] = {}


def rendered(db, page: str, lang: str = "en") -> AppTest:
    """The page rendered once per test module (the checks below only read it)."""
    key = (str(db), page, lang)
    if key not in _RENDERED:
        _RENDERED[key] = render(db, page, lang)
    return _RENDERED[key]


def plotly_values(v) -> list:
    """Plotly 6+ writes arrays as typed base64 blocks; give them back as plain lists."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        if "shape" in v:
            arr = arr.reshape([int(x) for x in str(v["shape"]).split(",")])
        return arr.tolist()
    if isinstance(v, list):
        return [plotly_values(x) if isinstance(x, dict | list) else x for x in v]
    return v


@pytest.fixture(scope="module")
def db():
    return demo_warehouse()


@pytest.fixture(scope="module")
def tables(db):
    with Warehouse(db, read_only=True) as wh:
        names = set(wh.tables())
        return {n: wh.to_pandas(n) for n in names if n not in ("events", "order_items", "sessions")}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def fmt(lang: str, value, kind: str, currency) -> str:
    return i18n.fmt_value(value, lang, kind, currency)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_and_explains_what_is_missing(db, tables, page, lang):
    at = rendered(db, page, lang)
    assert at.title[0].value == strings.tr(lang, f"page_{page}")
    for text in infos(at):
        # A missing table is named together with the command that makes it, or the reason.
        if "`" in text and ("churnlens run" in text or strings.tr(lang, "missing_table")[:5] in text):
            name = text.split("`")[1]
            assert name not in tables, f"{name} exists but the page says it is missing"
            assert name in TABLE_STAGE or name.startswith("promo")


@pytest.mark.parametrize("lang", LANGS)
def test_overview_numbers_equal_the_tables(db, tables, lang):
    at = rendered(db, "overview", lang)
    shown = metrics(at)
    currency = "IDR"
    if "sales_monthly" in tables and len(tables["sales_monthly"]):
        # By default the KPIs compare the diagnosis periods (those of the findings), as monthly
        # averages: the months are read from the bridge's period labels.
        sales = tables["sales_monthly"].assign(m=lambda d: d["period_start"].dt.strftime("%Y-%m"))
        bridge = tables["revenue_bridge"].iloc[0]

        def months(label: str) -> pd.DataFrame:
            first, _, last = label.partition("..")
            return sales[(sales["m"] >= first) & (sales["m"] <= (last or first))]

        now, before = months(bridge["current_period"]), months(bridge["base_period"])
        assert len(now) == len(before) == 2
        expected = {
            "revenue": (now["revenue"].mean(), before["revenue"].mean(), "money"),
            "orders": (now["orders"].mean(), before["orders"].mean(), "count"),
            "failed_share": (
                now["failed_orders"].sum() / (now["orders"].sum() + now["failed_orders"].sum()),
                before["failed_orders"].sum() / (before["orders"].sum() + before["failed_orders"].sum()),
                "pct",
            ),
        }
        cards = {m.label: m for m in at.metric}
        for col, (value, previous, kind) in expected.items():
            card = cards[strings.column_label(lang, col)]
            assert card.value == fmt(lang, value, kind, currency), col
            assert card.proto.delta == i18n.fmt_delta_pct(value, previous), col
            assert card.proto.help, f"{col} has no definition on hover"
        # red when a number moves the bad way: revenue down, failed payments up
        red, green = 0, 1  # streamlit's Metric.MetricColor

        def colour(value, previous, bad_when_up=False):
            return red if (value > previous) == bad_when_up else green

        failed_now, failed_before, _ = expected["failed_share"]
        assert cards[strings.column_label(lang, "failed_share")].proto.color == colour(
            failed_now, failed_before, bad_when_up=True
        )
        revenue_now, revenue_before, _ = expected["revenue"]
        assert cards[strings.column_label(lang, "revenue")].proto.color == colour(revenue_now, revenue_before)
        captions = " ".join(c.value for c in at.caption)
        (c1, c2), (b1, b2) = (
            [int(m[5:7]) for m in bridge[k].split("..")] for k in ("current_period", "base_period")
        )
        year = bridge["current_period"][:4]
        assert year == bridge["base_period"][:4]  # the demo's periods lie in one year

        def en(a, b):
            return f"{i18n.fmt_month(f'{year}-{a:02d}-01')[:3]}–{i18n.fmt_month(f'{year}-{b:02d}-01')}"

        # Korean particles follow the last syllable (월 ends in a consonant: 을, 과)
        period = f"{year}년 {c1}–{c2}월을 {year}년 {b1}–{b2}월과" if lang == "ko" else (
            f"{en(c1, c2)} compared with {en(b1, b2)}"
        )
        assert period in captions
    else:
        profile = tables["data_profile"].set_index("table_name")
        assert shown[strings.column_label(lang, "orders")] == i18n.fmt_number(profile.loc["orders", "rows"])
    if "findings" in tables:
        text = " ".join(m.value for m in at.markdown)
        for sentence in tables["findings"][f"text_{lang}"]:
            assert sentence in text
    if "revenue_bridge" in tables:
        bridge = tables["revenue_bridge"]
        shown_bridge = next(d.value for d in at.dataframe if "share_of_change" in d.value.columns)
        assert shown_bridge["change"].tolist() == pytest.approx(bridge["change"].tolist(), abs=0.5)
        assert shown_bridge["customers"].tolist() == bridge["customers"].tolist()
        waterfall = _chart(at, "waterfall")
        base = bridge["base_value"].iloc[0] / 100
        total = bridge.loc[bridge["component"] == "total", "change"].iloc[0]
        y = plotly_values(waterfall["y"])
        assert y[0] == pytest.approx(base)
        assert y[-1] == pytest.approx(base + total)
        assert y[1:-1] == pytest.approx(bridge.loc[bridge["component"] != "total", "change"].tolist())


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _chart(at: AppTest, trace_type: str) -> dict:
    for spec in _charts(at):
        for trace in spec["data"]:
            if trace.get("type") == trace_type:
                return trace
    raise AssertionError(f"no {trace_type} chart")


@pytest.mark.parametrize("lang", LANGS)
def test_customers_numbers_equal_the_tables(db, tables, lang):
    at = rendered(db, "customers", lang)
    if "rfm" in tables:
        heat = _chart(at, "heatmap")
        cells = [v for row in plotly_values(heat["z"]) for v in row if v is not None and v == v]
        assert sum(cells) == len(tables["rfm"])
    if "segment_summary" in tables:
        seg = tables["segment_summary"].sort_values("customers", ascending=False)
        shown = next(d.value for d in at.dataframe if "customer_share" in d.value.columns)
        assert shown["customers"].tolist() == seg["customers"].tolist()
        assert shown["segment"].tolist() == [strings.value_label(lang, s) for s in seg["segment"]]
    if "demographic_segments" in tables:
        demo = tables["demographic_segments"]
        first = next(d for d in demo["dimension"] if d != "all")
        shown = next(d.value for d in at.dataframe if "buyer_share" in d.value.columns)
        assert shown["customers"].tolist() == demo.loc[demo["dimension"] == first, "customers"].tolist()


@pytest.mark.parametrize("lang", LANGS)
def test_behaviour_numbers_equal_the_tables(db, tables, lang):
    at = rendered(db, "behaviour", lang)
    if "visit_kpis" in tables:
        v = tables["visit_kpis"]
        v = v[v["dimension"] == "all"].sort_values("month")
        # the diagnosis periods, as on the Overview: monthly averages of the current period
        first, _, last = tables["revenue_bridge"]["current_period"].iloc[0].partition("..")
        month = v["month"].dt.strftime("%Y-%m")
        now = v[(month >= first) & (month <= last)]
        assert len(now) == 2
        shown = metrics(at)
        assert shown[strings.column_label(lang, "visits")] == i18n.fmt_number(now["visits"].mean())
        assert shown[strings.column_label(lang, "conversion_rate")] == i18n.fmt_pct(
            now["purchase_sessions"].sum() / now["visits"].sum()
        )
        helps = {m.label: m.proto.help for m in at.metric}
        assert strings.tr(lang, "def_conversion_rate") == helps[strings.column_label(lang, "conversion_rate")]
        assert strings.tr(lang, "def_buyer_rate") == helps[strings.column_label(lang, "buyer_rate")]
    if "funnel_steps" in tables:
        f = tables["funnel_steps"]
        first = f["funnel"].iloc[0] if "funnel" in f else None
        f = f[f["funnel"] == sorted(set(f["funnel"]), key=list(f["funnel"]).index)[0]] if first else f
        trace = _chart(at, "funnel")
        assert plotly_values(trace["x"]) == f.sort_values("step")["units"].tolist()
    if "path_transitions" in tables:
        trace = _chart(at, "sankey")
        moves = tables["path_transitions"]
        # session start, exit and "other" frame every session: left out so the pages between show
        framing = {"(start)", "(exit)", "start", "exit", "other", "(other)"}
        between = moves[~moves["from_event"].isin(framing) & ~moves["to_event"].isin(framing)]
        top = between.sort_values("transitions", ascending=False).head(40)
        assert sum(plotly_values(trace["link"]["value"])) == top["transitions"].sum()
        assert not framing & {*top["from_event"], *top["to_event"]}


@pytest.mark.parametrize("lang", LANGS)
def test_promotions_numbers_equal_the_tables(db, tables, lang):
    at = rendered(db, "promotions", lang)
    if "promo_roi" in tables:
        roi = tables["promo_roi"].iloc[0]
        shown = metrics(at)
        assert shown[strings.column_label(lang, "promo_orders")] == i18n.fmt_number(roi["promo_orders"])
        assert shown[strings.column_label(lang, "net")] == fmt(lang, roi["net"], "money", "IDR")
    if "promo_codes" in tables:
        codes = tables["promo_codes"]
        codes = codes[codes["period"] == "all"].sort_values("orders", ascending=False, kind="stable")
        shown = next(d.value for d in at.dataframe if "promo_code" in d.value.columns)
        assert shown["orders"].tolist() == codes["orders"].tolist()


def test_data_page_lists_every_result_table(db, tables):
    at = rendered(db, "data", "en")
    listing = at.dataframe[0].value.set_index("table_name")["rows"].to_dict()
    expected = {n: len(df) for n, df in tables.items() if n not in ("runs", "rejected_rows")}
    expected = {n: r for n, r in expected.items() if n not in ("customers", "products", "orders")}
    for name, rows in expected.items():
        assert listing[name] == rows, name
    assert not set(listing) & {"customers", "orders", "events", "order_items", "runs"}


def test_churn_lists_hold_who_can_be_saved_then_the_win_back_list(db, tables):
    at = rendered(db, "churn", "en")
    if "actions" not in tables:
        assert any("customer_scores" in t or "actions" in t for t in infos(at))
        return
    a = tables["actions"]
    frames = [d.value for d in at.dataframe if "state" in d.value.columns]
    saveable, win_back = frames[0], frames[1]
    # the at-risk list: at risk and lapsing customers, by the revenue a contact can still save
    expected = a[a.state.isin(["at_risk", "lapsing"])].sort_values("expected_saved_revenue", ascending=False)
    assert saveable["expected_saved_revenue"].tolist() == pytest.approx(
        expected["expected_saved_revenue"].head(len(saveable)).tolist()
    )
    assert set(saveable["state"]) <= {strings.value_label("en", s) for s in ("at_risk", "lapsing")}
    assert set(win_back["state"]) <= {strings.value_label("en", "lapsed")}
    assert len(win_back) == min(500, int((a.state == "lapsed").sum()))
    if "churn_window" in tables:
        w = tables["churn_window"].iloc[0]
        assert any(f"no order in the next {w.window_days:g} days" in c.value for c in at.caption)


def test_customer_360_shows_the_customer(db, tables):
    at = render(db, "customer360")
    cid = at.text_input[0].value
    with Warehouse(db, read_only=True) as wh:
        orders = wh.to_pandas("orders")
    mine = orders[orders["customer_id"] == cid].sort_values(["order_ts", "order_id"])
    shown = next(d.value for d in at.dataframe if "order_id" in d.value.columns)
    assert shown["order_id"].tolist() == mine["order_id"].tolist()
    if "rfm" in tables:
        row = tables["rfm"].set_index("customer_id").loc[cid]
        assert metrics(at)[strings.column_label("en", "frequency")] == i18n.fmt_number(row["frequency"])
    at.text_input[0].input("no-such-customer").run()
    assert not at.exception
    assert any("no-such-customer" in w.value for w in at.warning)


def test_language_switch_in_the_sidebar(db):
    at = render(db, "overview", "en")
    assert at.title[0].value == "Overview"
    at.sidebar.radio[0].set_value("ko").run()
    assert not at.exception
    assert at.title[0].value == "개요"


def test_main_app_with_navigation(db, monkeypatch):
    monkeypatch.setenv("CHURNLENS_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Overview"


def test_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CHURNLENS_PASSWORD", "s3cret")
    at = render(db, "overview")
    assert not at.title and not at.metric
    at.text_input[0].input("wrong").run()
    assert at.error and not at.title
    at.text_input[0].input("s3cret").run()
    assert not at.exception and at.title[0].value == "Overview"


def test_missing_warehouse_is_explained(tmp_path):
    at = render(tmp_path / "none.duckdb", "overview")
    assert "churnlens demo" in at.warning[0].value


def test_personal_columns_are_never_loaded(tmp_path):
    from churnlens.app import data

    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.write(
            "customer_scores",
            pd.DataFrame(
                {"customer_id": ["1"], "name": ["Kim"], "email": ["k@x"], "phone_number": ["1"], "p": [0.5]}
            ),
        )
        wh.write("product_stats", pd.DataFrame({"item": ["a"], "name": ["Shirt"]}))
    df = data.frame(str(db), data.stamp(str(db)), "customer_scores")
    assert list(df.columns) == ["customer_id", "p"]
    assert list(data.frame(str(db), data.stamp(str(db)), "product_stats").columns) == ["item", "name"]
    # a customer's products keep the product's name
    with Warehouse(db) as wh:
        wh.write(
            "routine_products",
            pd.DataFrame({"customer_id": ["1"], "product_id": ["7"], "name": ["Shirt"], "email": ["k@x"]}),
        )
    routine = data.frame(str(db), data.stamp(str(db)), "routine_products")
    assert list(routine.columns) == ["customer_id", "product_id", "name"]


@pytest.mark.parametrize("lang", LANGS)
def test_shop_without_click_stream(lang):
    db = real_warehouse("online-retail")
    at = rendered(db, "behaviour", lang)
    assert strings.tr(lang, "no_events") in infos(at)
    at = rendered(db, "overview", lang)
    assert "£" in " ".join(metrics(at).values()) or infos(at)


@pytest.mark.parametrize("lang", LANGS)
def test_shop_without_prices(lang):
    db = real_warehouse("instacart")
    at = rendered(db, "promotions", lang)
    assert strings.tr(lang, "no_prices") in infos(at)
    at = rendered(db, "overview", lang)
    revenue = metrics(at).get(strings.column_label(lang, "revenue"))
    if revenue is not None:
        assert revenue.endswith("items" if lang == "en" else "개")


def test_churn_model_quality_equals_the_tables(db, tables):
    at = rendered(db, "churn", "en")
    if "churn_backtest" not in tables:
        assert any("churn_backtest" in t for t in infos(at))
        return
    bt = tables["churn_backtest"]
    bt = bt[bt["cohort"] == bt["cohort"].min()]
    shown = next(d.value for d in at.dataframe if "roc_auc" in d.value.columns)
    assert shown["roc_auc"].tolist() == pytest.approx(bt["roc_auc"].tolist())
    assert shown["model"].tolist() == [strings.value_label("en", m) for m in bt["model"]]
    if "churn_model_report" in tables:
        rep = tables["churn_model_report"]
        rep = rep[(rep["cohort"] == rep["cohort"].min()) & (rep["model"] == "lightgbm")]
        if len(rep):
            heat = _chart(at, "heatmap")
            row = rep.iloc[0]
            assert plotly_values(heat["z"]) == [[row["tp"], row["fn"]], [row["fp"], row["tn"]]]
            # a shop with prices also gets the expected profit of contacting at that threshold
            assert "best_profit" in set(rep["rule"])
            money = i18n.fmt_money(row["expected_profit"], "en", "IDR")
            assert any(money in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", LANGS)
def test_imbalance_verdict_follows_the_table(db, tables, lang):
    """The strategies' table is shown as stored and the sentence names the best one and says
    whether it helps, as the stored table does."""
    at = rendered(db, "churn", lang)
    if "churn_imbalance_comparison" not in tables:
        assert any("churn_imbalance_comparison" in t for t in infos(at))
        return
    imb = tables["churn_imbalance_comparison"]
    assert len(imb) == 2
    shown = next(d.value for d in at.dataframe if "roc_auc_vs_none" in d.value.columns)
    assert shown["roc_auc"].tolist() == pytest.approx(imb["roc_auc"].tolist())
    assert shown["strategy"].tolist() == [strings.value_label(lang, s) for s in imb["strategy"]]
    others = imb[imb["strategy"] != "none"]
    best = others.loc[others["roc_auc"].idxmax()]
    name = strings.value_label(lang, best["strategy"])
    if best["helps"]:
        expected = strings.tr(
            lang,
            "imbalance_helps",
            best=name,
            code=best["strategy"],
            auc=i18n.fmt_number(best["roc_auc"], lang, 2),
            gain=f"{best['roc_auc_vs_none']:+.2f}",
        )
    else:
        expected = strings.tr(lang, "imbalance_no_help", best=name, gain=f"{best['roc_auc_vs_none']:+.2f}")
    assert expected in [m.value for m in at.markdown]


@pytest.mark.parametrize("lang", LANGS)
def test_campaign_numbers_equal_the_tables(db, tables, lang):
    at = render(db, "campaigns", lang)
    if "campaign_summary" not in tables:
        assert any("campaign_summary" in t for t in infos(at))
        return
    summary = tables["campaign_summary"]
    shown = metrics(at)
    assert shown[strings.column_label(lang, "customers")] == i18n.fmt_number(summary["customers"].sum())
    assert shown[strings.column_label(lang, "revenue_at_stake")] == fmt(
        lang, summary["revenue_at_stake"].sum(), "money", "IDR"
    )
    table = next(d.value for d in at.dataframe if "revenue_at_stake" in d.value.columns)
    assert (
        table["customers"].tolist()
        == summary.sort_values("revenue_at_stake", ascending=False)["customers"].tolist()
    )
    if "actions" in tables:
        first = at.selectbox[0].value
        export = next(d.value for d in at.dataframe if "reason" in d.value.columns)
        assert len(export) == min(100, int((tables["actions"]["action"] == first).sum()))
        # the reason is in the reader's language
        reason_col = "reason_ko" if lang == "ko" and "reason_ko" in tables["actions"] else "reason"
        assert set(export["reason"]) <= set(tables["actions"][reason_col])


def test_churn_list_filters_by_segment_and_band(db, tables):
    assert {"actions", "rfm"} <= set(tables), "the demo shop's playbook and segments stages wrote no tables"
    at = render(db, "churn")
    a, rfm = tables["actions"], tables["rfm"]
    saveable = a[a.state.isin(["at_risk", "lapsing"])]
    band = saveable["risk"].mode().iloc[0]
    segment = rfm[rfm["customer_id"].isin(saveable["customer_id"])]["segment"].mode().iloc[0]
    at.multiselect(key="risk_band").select(band).run()
    at.multiselect(key="risk_segment").select(segment).run()
    assert not at.exception
    ids = set(rfm.loc[rfm["segment"] == segment, "customer_id"])
    expected = saveable[(saveable["risk"] == band) & saveable["customer_id"].isin(ids)]
    shown = next(d.value for d in at.dataframe if "state" in d.value.columns)
    assert set(shown["customer_id"]) == set(expected["customer_id"].head(500))


def test_serve_refuses_a_missing_warehouse(tmp_path):
    import subprocess
    import sys

    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from churnlens.cli import main; main()",
            "serve",
            "--db",
            str(tmp_path / "no.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_promotion_kpis_follow_the_period(db, tables, lang):
    """The KPIs of the base or current period are that period's promotion orders, revenue and
    discounts, and the period's button names its months."""
    at = render(db, "promotions", lang)
    period = next(s for s in at.segmented_control if s.key == "promo_period")
    period.set_value("current").run()
    codes = tables["promo_codes"]
    current = codes[codes["period"] == "current"]
    shown = metrics(at)
    assert shown[strings.column_label(lang, "promo_orders")] == fmt(lang, current["orders"].sum(), "count", "IDR")
    assert shown[strings.column_label(lang, "discount_cost")] == fmt(
        lang, current["discount"].sum(), "money", "IDR"
    )
    assert strings.column_label(lang, "net") not in shown  # measured over the whole history only
    span = tables["revenue_bridge"]["current_period"].iloc[0]  # e.g. 2022-05..2022-06
    months = [int(m[5:7]) for m in span.split("..")]
    caption = " ".join(c.value for c in at.caption)
    assert strings.tr(lang, "period_current") in caption
    if lang == "en":
        assert all(i18n.fmt_month(f"2022-{m:02d}-01")[:3] in caption for m in months)
    else:
        assert f"{months[0]}–{months[-1]}월" in caption


def _axis_titles(spec: dict) -> list:
    layout = spec["layout"]
    return [
        (layout.get(k) or {}).get("title", {}).get("text") for k in layout if k[:5] in ("xaxis", "yaxis")
    ]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "data"])
def test_every_chart_titles_its_axes(db, page):
    for lang in LANGS:
        for spec in _charts(rendered(db, page, lang)):
            kinds = {t.get("type") for t in spec["data"]}
            if kinds & {"bar", "scatter", "heatmap", "waterfall"}:
                titles = _axis_titles(spec)
                assert len(titles) >= 2 and all(titles), (page, lang, kinds, titles)


@pytest.mark.parametrize("lang", LANGS)
def test_lifecycle_cohorts_and_rfm_read_plainly(db, tables, lang):
    at = rendered(db, "customers", lang)
    specs = _charts(at)
    life = next(s for s in specs if s["layout"].get("barmode") == "relative")
    bars = {t["name"]: plotly_values(t["y"]) for t in life["data"] if t["type"] == "bar"}
    lm = tables["lifecycle_monthly"]
    for state, values in bars.items():
        code = next(s for s in lm["state"].unique() if strings.value_label(lang, s) == state)
        expected = lm[lm["state"] == code].sort_values("month")["signed_customers"].tolist()
        assert values == expected
        assert all(v <= 0 for v in values) == (code == "dormant")
    net = next(t for t in life["data"] if t["type"] == "scatter")
    assert plotly_values(net["y"]) == lm.groupby("month")["signed_customers"].sum().tolist()
    # cohort rows carry their sizes; the RFM grid says which end is good
    heat = [t for s in specs for t in s["data"] if t["type"] == "heatmap"]
    cohorts = tables["cohort_retention"]
    size = cohorts.sort_values("cohort_month").groupby("cohort_month")["cohort_customers"].first().iloc[-1]
    assert any(str(y).endswith(f"({size:,})") for t in heat for y in t["y"])
    titles = " ".join(str(x) for s in specs for x in _axis_titles(s))
    assert strings.tr(lang, "rfm_r_axis") in titles and strings.tr(lang, "rfm_f_axis") in titles


def test_campaign_table_shows_roi_as_a_multiple_and_no_empty_numbers(db, tables):
    at = rendered(db, "campaigns", "en")
    summary = next(d for d in at.dataframe if "roi" in d.value.columns)
    config = json.loads(summary.proto.columns)
    assert config["roi"]["label"] == "ROI (×)"
    roi = tables["campaign_summary"]["roi"]
    if roi.notna().all():  # a number column with one decimal (else written out, "–" when empty)
        assert config["roi"]["type_config"]["format"] == "%.1f"
    for frame in at.dataframe:
        for col in frame.value.columns:
            if frame.value[col].dtype == object:
                assert not frame.value[col].isna().any(), col  # written as "–", never "None"


@pytest.mark.parametrize("page", ["overview", "customers", "behaviour", "promotions", "campaigns", "data"])
def test_no_table_repeats_a_header(db, page):
    for lang in LANGS:
        for frame in rendered(db, page, lang).dataframe:
            config = json.loads(frame.proto.columns or "{}")
            labels = [config.get(c, {}).get("label") or c for c in frame.value.columns]
            assert len(labels) == len(set(labels)), (page, lang, labels)
