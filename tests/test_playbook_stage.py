"""The playbook stage, routine products and the CSV export on a hand-built warehouse."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pandas as pd
import pytest

from churnlens import pipeline
from churnlens.config import ChurnlensConfig, PlaybookConfig
from churnlens.playbook import routine
from churnlens.playbook import stage as playbook
from churnlens.playbook.export import COLUMNS, actions_frame, export_actions
from churnlens.warehouse import Warehouse

CUTOFF = pd.Timestamp("2024-06-30")


def day(n: int) -> pd.Timestamp:
    return CUTOFF - pd.Timedelta(days=n)


def canonical() -> dict[str, pd.DataFrame]:
    """c1..c6, one per default rule; c4 reorders P every 30 days, c5 reorders R every 5.

    Repeat gaps between purchase days: 15 (c1), 30, 30, 20 (c4), 5, 5, 5 (c5): median 15, 95 %
    within 30 days (interpolated). States: c1 30 days / own 15 = 2.0 at risk; c2 one order,
    30 / 15 = 2.0 at risk; c3 P(alive) 0.4 lapsing; c4, c5 active; c6 200 days > 30 lapsed.
    """
    rows = [
        # order, customer, days before cutoff, promo, products
        ("o1", "c1", 30, "SAVE", ["A"]),
        ("o2", "c1", 45, "SAVE", ["A"]),
        ("o3", "c2", 30, None, ["B"]),
        ("o4", "c3", 20, None, ["B"]),
        ("p1", "c4", 90, None, ["P", "Q"]),
        ("p2", "c4", 60, None, ["P"]),
        ("p3", "c4", 30, None, ["P", "Q"]),
        ("p4", "c4", 10, None, ["A"]),
        ("r1", "c5", 20, "X", ["R"]),
        ("r2", "c5", 15, "X", ["R"]),
        ("r3", "c5", 10, None, ["R"]),
        ("r4", "c5", 5, "X", ["B"]),
        ("o9", "c6", 200, None, ["A"]),
        ("late", "c2", -5, None, ["B"]),  # after the cutoff: ignored
    ]
    orders = pd.DataFrame(
        {
            "order_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "order_ts": [day(r[2]) for r in rows],
            "status": "paid",
            "total_amount": 10.0,
            "discount_amount": 0.0,
            "promo_code": [r[3] for r in rows],
            "order_number": pd.array([None] * len(rows), dtype="Int64"),
            "session_id": pd.array([None] * len(rows), dtype="string"),
        }
    )
    orders["order_ts"] = orders.order_ts.astype("datetime64[us]")
    items = pd.DataFrame(
        [(r[0], i + 1, p, 1.0, 10.0, i + 1) for r in rows for i, p in enumerate(r[4])],
        columns=["order_id", "line_no", "product_id", "quantity", "unit_price", "cart_position"],
    )
    items["reordered"] = pd.array([None] * len(items), dtype="boolean")
    products = pd.DataFrame(
        {
            "product_id": list("ABPQR"),
            "name": ["Apple", "Bread", "Pasta", "Quinoa", "Rice"],
            "category_l1": ["Fresh", "Bakery", "Pantry", "Pantry", "Pantry"],
        }
    )
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(1, 7)], "country": "UK", "gender": "F"})
    scores = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "cutoff": CUTOFF,
            "churn_probability": [0.9, 0.8, 0.5, 0.1, 0.1, 0.95],
            "risk_band": ["high", "high", "medium", "low", "low", "high"],
            "clv_12m": [1000.0, 10.0, 50.0, 900.0, 20.0, 2000.0],
            "p_alive": [0.8, 0.9, 0.4, 0.95, 0.99, 0.1],
        }
    )
    scores["cutoff"] = scores.cutoff.astype("datetime64[us]")
    rfm = pd.DataFrame({"customer_id": ["c1", "c4"], "segment": ["cant_lose", "champions"]})
    return {
        "orders": orders,
        "order_items": items,
        "products": products,
        "customers": customers,
        "customer_scores": scores,
        "rfm": rfm,
    }


def warehouse(tmp_path, with_scores: bool = True) -> Warehouse:
    wh = Warehouse(tmp_path / "w.duckdb")
    for name, df in canonical().items():
        if with_scores or name not in ("customer_scores", "rfm"):
            wh.write(name, df)
    return wh


def config() -> ChurnlensConfig:
    cfg = ChurnlensConfig()
    cfg.playbook.high_value_quantile = 0.5
    return cfg


def test_routine_products_by_own_interval():
    t = canonical()
    import ibis

    due = routine.routine_candidates(
        ibis.memtable(t["orders"]), ibis.memtable(t["order_items"]), CUTOFF.to_pydatetime(), PlaybookConfig()
    ).to_pandas()
    due = due.set_index(["customer_id", "product_id"]).sort_index()
    # c4: P at -90, -60, -30 -> every 30 days, 30 days since: due; Q only twice
    # c5: R at -20, -15, -10 -> every 5 days, 10 days since: due, twice overdue
    assert list(due.index) == [("c4", "P"), ("c5", "R")]
    assert due.loc[("c4", "P"), "interval_days"] == pytest.approx(30.0)
    assert due.loc[("c5", "R"), "overdue"] == pytest.approx(2.0)
    strict = PlaybookConfig(routine_due_factor=1.5)
    due2 = routine.routine_candidates(
        ibis.memtable(t["orders"]), ibis.memtable(t["order_items"]), CUTOFF.to_pydatetime(), strict
    ).to_pandas()
    assert due2.customer_id.tolist() == ["c5"]
    lists = routine.routine_lists(due.reset_index(), t["products"], 5).set_index("customer_id")
    assert lists.loc["c4", "routine_products"] == "P" and lists.loc["c4", "routine_product_names"] == "Pasta"


def test_stage_uses_scores_rfm_and_orders(tmp_path):
    with warehouse(tmp_path) as wh:
        out = playbook.run(wh, config())
    a = out["actions"].set_index("customer_id")
    assert a.state.to_dict() == {
        "c1": "at_risk",
        "c2": "at_risk",
        "c3": "lapsing",
        "c4": "active",
        "c5": "active",
        "c6": "lapsed",
    }
    assert a.action.to_dict() == {
        "c1": "winback_personal",
        "c2": "nurture",
        "c3": "reminder_auto",
        "c4": "loyalty_reward",
        "c5": "no_action",
        "c6": "reactivation",
    }
    # ranked by the value a contact can still save
    assert list(a.index[:2]) == ["c1", "c6"] and a.expected_saved_revenue.is_monotonic_decreasing
    states = out["customer_states"].set_index("state")
    assert "more than 30 days" in states.loc["lapsed", "definition"]
    assert "30일 넘게 주문 없음" in states.loc["lapsed", "definition_ko"]
    # money in cents: a typical order here is worth 10.00
    assert "save 225.00 (assumed save rate 25%) for a cost of 1.00: worth 224.00." in a.loc["c1", "reason"]
    assert "median gap is 15 days" in states.loc["active", "definition"]
    assert a.value_source.unique().tolist() == ["clv_12m"]
    assert a.loc["c4", "segment"] == "champions" and pd.isna(a.loc["c2", "segment"])
    assert a.loc["c1", "promo_share"] == 1.0 and a.loc["c5", "promo_share"] == 0.75
    assert bool(a.loc["c1", "offer_discount"]) and not bool(a.loc["c5", "offer_discount"])
    assert a.loc["c6", "days_since_last_order"] == 200 and a.loc["c1", "usual_gap_days"] == 15
    assert a.loc["c4", "routine_products"] == "P" and a.loc["c5", "routine_products"] == "R"
    # a personal win-back costs a tenth of the median paid order (every order here totals 10.0)
    assert a.loc["c1", "contact_cost"] == pytest.approx(1.0)
    assert a.loc["c1", "expected_value"] == pytest.approx(0.9 * 1000 * 0.25 - 1.0)
    assert "shares of 10.00 (the median paid order)" in set(out["playbook_inputs"]["note"])
    s = out["campaign_summary"]
    assert s.customers.sum() == 6
    assert s.expected_value.sum() == pytest.approx(a.expected_value.sum())
    notes = out["playbook_inputs"].set_index("input").used.to_dict()
    assert notes["customer_scores"] and notes["rfm"] and notes["value"]
    assert set(out["routine_products"].product_id) == {"P", "R"}


def test_stage_without_scores_says_what_it_replaced(tmp_path):
    with warehouse(tmp_path, with_scores=False) as wh:
        out = playbook.run(wh, config())
    notes = out["playbook_inputs"].set_index("input")
    assert not notes.loc["customer_scores", "used"] and "baseline" in notes.loc["customer_scores", "note"]
    assert not notes.loc["rfm", "used"] and not notes.loc["value", "used"]
    a = out["actions"].set_index("customer_id")
    # customers active in the lookback (365 days): all six; each gets one action
    assert len(a) == 6 and a.index.is_unique
    # c6: 200 days since the last order, one order: gap = median of the others' mean gaps
    assert a.loc["c6", "churn_probability"] == 1.0 and a.loc["c6", "action"] == "reactivation"
    assert a.value_source.iloc[0] == "revenue of the last 365 days"
    assert a.loc["c4", "value"] == pytest.approx(40.0)


def test_value_from_customer_value_when_scores_lack_it(tmp_path):
    with warehouse(tmp_path) as wh:
        scores = canonical()["customer_scores"].drop(columns=["clv_12m"])
        wh.write("customer_scores", scores)
        wh.write("customer_value", pd.DataFrame({"customer_id": ["c1", "c2"], "clv_12m": [300.0, 7.0]}))
        out = playbook.run(wh, config())
    a = out["actions"].set_index("customer_id")
    assert (
        a.value_source.iloc[0] == "clv_12m"
        and a.loc["c1", "value"] == 300.0
        and pd.isna(a.loc["c3", "value"])
    )
    assert out["playbook_inputs"].set_index("input").loc["customer_value", "used"]


def test_shop_without_paid_orders(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        t = canonical()
        wh.write("orders", t["orders"].assign(status="cancelled"))
        for name in ("order_items", "products"):
            wh.write(name, t[name])
        report = pipeline.run(wh, config(), only=["products", "playbook"])
    assert not report.written
    assert "no lines of paid orders" in report.skipped["products"]
    assert "nobody to score" in report.skipped["playbook"]


def test_pipeline_runs_products_then_playbook(tmp_path):
    with warehouse(tmp_path) as wh:
        report = pipeline.run(wh, config(), only=["products", "playbook"])
        assert {"product_stats", "basket_rules", "churn_products", "actions", "campaign_summary"} <= set(
            report.written
        )
        assert report.written["actions"] == 6
        # names beside the ids
        names = {"A": "Apple", "B": "Bread", "P": "Pasta", "Q": "Quinoa", "R": "Rice"}
        churn = wh.to_pandas("churn_products")
        product = churn.level == "product"
        assert product.any() and (churn[product].name == churn[product]["item"].map(names)).all()
        assert (churn[~product].name == churn[~product]["item"]).all()  # categories are names
        cart = wh.to_pandas("cart_positions")
        at_product = cart.level == "product"
        assert at_product.any() and (cart[at_product].name == cart[at_product]["item"].map(names)).all()
        rules = wh.to_pandas("basket_rules")
        assert {"antecedent_name", "consequent_name", "p_value", "p_adjusted"} <= set(rules.columns)
        df = actions_frame(wh, "winback_personal")
        assert list(df.columns) == list(COLUMNS) and df.customer_id.tolist() == ["c1"]
        assert len(actions_frame(wh, "all")) == 6
        with_country = actions_frame(wh, "reactivation", ["country", "churn_probability"])
        assert list(with_country.columns) == [*COLUMNS, "churn_probability", "country"]
        assert actions_frame(wh, "at-risk").customer_id.tolist() == ["c1", "c3", "c2"]
        assert actions_frame(wh, "win-back").customer_id.tolist() == ["c6"]
        n = export_actions(wh, "loyalty_reward", tmp_path / "loyal.csv")
    assert n == 1
    csv = pd.read_csv(tmp_path / "loyal.csv", dtype=str)
    assert list(csv.columns) == list(COLUMNS) and csv.customer_id.tolist() == ["c4"]
    assert csv.routine_product_names.tolist() == ["Pasta"]


def test_export_command(tmp_path):
    with warehouse(tmp_path) as wh:
        pipeline.run(wh, config(), only=["playbook"])
    db = str(tmp_path / "w.duckdb")

    def cli(*args: str) -> subprocess.CompletedProcess:
        code = "from churnlens.cli import main; main()"
        return subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
        )

    out = tmp_path / "winback.csv"
    r = cli("export", "actions", "--action", "winback_personal", "--out", str(out), "--db", db)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out, dtype=str)
    assert list(df.columns) == list(COLUMNS) and df.customer_id.tolist() == ["c1"]
    assert "gender" not in df.columns and "country" not in df.columns
    assert df.reason.iloc[0].startswith("At risk: last order 30 days ago, 2.0 times their usual 15 days")
    r = cli(
        "export", "actions", "--action", "winback_personal", "--lang", "ko", "--out", str(out), "--db", db
    )
    assert r.returncode == 0, r.stderr
    ko = pd.read_csv(out, dtype=str)
    assert list(ko.columns) == list(COLUMNS)
    assert ko.reason.iloc[0].startswith("이탈 위험: 마지막 주문 30일 전, 평소 주문 간격 15일의 2.0배")
    r = cli("export", "actions", "--action", "win-back", "--out", str(out), "--db", db)
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(out, dtype=str).customer_id.tolist() == ["c6"]
    r = cli("export", "actions", "--action", "nope", "--out", str(out), "--db", db)
    assert r.returncode == 2 and "winback_personal" in r.stderr and "Traceback" not in r.stderr


def test_rules_from_toml_reach_the_stage(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text(
        '[playbook]\nrules = ["call: value=high", "none: *"]\nhigh_value_quantile = 0.5\n'
        "save_rates = { call = 0.5, none = 0.0 }\ncontact_costs = { call = 1.0, none = 0.0 }\n"
    )
    cfg = ChurnlensConfig.from_toml(toml)
    with warehouse(tmp_path) as wh:
        a = playbook.run(wh, cfg)["actions"].set_index("customer_id")
    assert a.action.to_dict() == {
        "c1": "call",
        "c2": "none",
        "c3": "none",
        "c4": "call",
        "c5": "none",
        "c6": "call",
    }
    assert isinstance(CUTOFF.to_pydatetime(), datetime)


def test_customers_scored_at_their_own_cutoffs_all_get_an_action(tmp_path):
    # Relative-time shops score each customer at their own last order: cutoffs differ.
    with warehouse(tmp_path) as wh:
        scores = canonical()["customer_scores"]
        scores.loc[scores.customer_id.isin(["c2", "c3"]), "cutoff"] = scores.cutoff.iloc[0] - pd.Timedelta(
            days=3
        )
        old = scores[scores.customer_id == "c1"].assign(
            cutoff=scores.cutoff.iloc[0] - pd.Timedelta(days=40), churn_probability=0.01
        )
        wh.write("customer_scores", pd.concat([scores, old], ignore_index=True))
        out = playbook.run(wh, config())
    a = out["actions"].set_index("customer_id")
    assert sorted(a.index) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert a.loc["c1", "churn_probability"] == 0.9  # the customer's latest score, not the older one
