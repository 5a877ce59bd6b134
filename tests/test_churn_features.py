"""Point-in-time churn features: hand-computed values, and the leakage test (rows added after
the cutoff change no feature and no score). `small_shop` is shared by the other churn tests."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import canonical
from test_churn_labels import make_warehouse, order_rows

from churnlens.churn.backtest import ID_COLUMNS
from churnlens.churn.dataset import add_bgnbd, anchors_frame, shop_tables
from churnlens.churn.feature_docs import describe
from churnlens.churn.features import build_features
from churnlens.churn.gap_features import add_gap_model
from churnlens.churn.models import ChurnModel
from churnlens.config import ChurnlensConfig


def small_shop(
    n: int = 300, seed: int = 0, start: str = "2020-01-01", days: int = 400
) -> dict[str, list[dict]]:
    """A shop with every canonical table: customers buying at their own rate until they drop out."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start)
    cats = ["Apparel", "Footwear", "Accessories"]
    products = [dict(product_id=f"p{i}", category_l1=cats[i % 3]) for i in range(12)]
    customers, orders, items, events = [], [], [], []
    for c in range(n):
        cid = f"c{c:04d}"
        customers.append(
            dict(
                customer_id=cid,
                gender=["F", "M"][c % 2],
                birth_date=f"{1970 + c % 30}-05-0{1 + c % 9}",
                signup_ts=t0 + pd.Timedelta(days=int(rng.integers(0, days // 2))),
                device_type=["Android", "iOS"][c % 2],
                region=["North", "South", "East"][c % 3],
            )
        )
        t = customers[-1]["signup_ts"] + pd.Timedelta(hours=int(rng.integers(1, 48)))
        rate = rng.gamma(2.0, 1 / 60)  # orders per day
        life = rng.exponential(250)
        k = 0
        end = t0 + pd.Timedelta(days=days)
        while t < end and (t - customers[-1]["signup_ts"]).days < life:
            oid = f"{cid}-{k}"
            status = "failed" if rng.random() < 0.05 else "paid"
            amount = float(rng.integers(10, 200))
            promo = "SALE" if rng.random() < 0.2 else None
            orders.append(
                dict(
                    order_id=oid,
                    customer_id=cid,
                    order_ts=t,
                    status=status,
                    items_amount=amount,
                    discount_amount=5.0 if promo else 0.0,
                    total_amount=amount - (5.0 if promo else 0.0),
                    promo_code=promo,
                    session_id=f"s-{oid}",
                )
            )
            for line in range(1, int(rng.integers(1, 4)) + 1):
                items.append(
                    dict(
                        order_id=oid,
                        line_no=line,
                        product_id=f"p{int(rng.integers(0, 12))}",
                        quantity=float(rng.integers(1, 3)),
                        unit_price=10.0,
                        reordered=bool(rng.random() < 0.3),
                    )
                )
            for j, kind in enumerate(["home", "search", "view_item", "add_to_cart", "purchase"]):
                events.append(
                    dict(
                        event_id=f"e-{oid}-{j}",
                        session_id=f"s-{oid}",
                        customer_id=cid,
                        event_ts=t - pd.Timedelta(minutes=10 - j),
                        event_type=kind,
                    )
                )
            k += 1
            t = t + pd.Timedelta(days=float(rng.exponential(1 / rate)) + 0.5)
    return {
        "customers": customers,
        "products": products,
        "orders": orders,
        "order_items": items,
        "events": events,
    }


HAND = {
    "orders": order_rows({"a": ["2020-01-01 10:00", "2020-01-21 10:00", "2020-02-20 10:00"]})
    + order_rows({"a": ["2020-02-25 10:00"]}, status="failed")
    + order_rows({"a": ["2020-03-05 10:00"]}),  # after the cutoff
    "order_items": [
        dict(order_id="a-0", line_no=1, product_id="p1", quantity=2.0, reordered=False),
        dict(order_id="a-1", line_no=1, product_id="p1", quantity=1.0, reordered=True),
        dict(order_id="a-2", line_no=1, product_id="p2", quantity=3.0, reordered=False),
        dict(order_id="a-2", line_no=2, product_id="p1", quantity=1.0, reordered=True),
    ],
    "products": [dict(product_id="p1", category_l1="Food"), dict(product_id="p2", category_l1="Toys")],
}


def features_at(wh, cutoffs: dict[str, str], cfg: ChurnlensConfig | None = None) -> pd.DataFrame:
    cfg = cfg or ChurnlensConfig()
    anchors = pd.DataFrame(
        {"customer_id": list(cutoffs), "cutoff": pd.to_datetime(list(cutoffs.values())), "cohort": 1}
    )
    f = build_features(shop_tables(wh), anchors_frame(anchors), cfg.churn, cfg.rfm).to_pandas()
    return f.sort_values("customer_id").reset_index(drop=True)


def test_hand_computed_features():
    wh = make_warehouse(HAND)
    f = features_at(wh, {"a": "2020-03-01"}).iloc[0]
    assert f["frequency"] == 3
    assert f["recency_days"] == pytest.approx(9 + 14 / 24)  # 02-20 10:00 -> 03-01 00:00
    assert f["tenure_days"] == pytest.approx(59 + 14 / 24)
    assert f["interval_mean"] == pytest.approx(25.0)  # gaps 20 and 30
    assert f["interval_median"] == pytest.approx(25.0)
    assert f["interval_last"] == pytest.approx(30.0)
    assert f["last_over_mean"] == pytest.approx(1.2)
    assert f["recency_over_mean"] == pytest.approx((9 + 14 / 24) / 25)
    assert f["orders_30d"] == 1 and f["orders_90d"] == 3
    assert f["items_total"] == 7 and f["items_per_order"] == pytest.approx(7 / 3)
    assert f["reorder_ratio"] == pytest.approx(2 / 4)
    assert f["category_breadth"] == 2 and f["top_category"] == "Food"
    assert f["top_category_share"] == pytest.approx(3 / 4)
    assert f["failed_payments"] == 1 and f["failed_share"] == pytest.approx(1 / 4)
    assert f["hour_mean"] == 10 and f["last_hour_deviation"] == 0
    # every feature is in the one documentation table
    undocumented = [
        c for c in f.index if c not in ("customer_id", "cutoff", "cohort") and describe(c)[0] == "other"
    ]
    assert undocumented == []


def test_hand_computed_gap_model_sums():
    f = features_at(make_warehouse(HAND), {"a": "2020-03-01"}).iloc[0]  # gaps 20 and 30 days
    assert f["gap_exposure_k100"] == pytest.approx(50.0)
    assert f["gap_exposure_k050"] == pytest.approx(20**0.5 + 30**0.5)
    assert f["gap_exposure_k200"] == pytest.approx(20**2 + 30**2)
    assert f["gap_uncensored"] == 2 and f["gap_log_sum"] == pytest.approx(np.log(20) + np.log(30))


def test_failed_order_is_no_purchase():
    wh = make_warehouse(HAND)
    f = features_at(wh, {"a": "2020-03-01"}).iloc[0]
    # the failed attempt on 02-25 is not the last order
    assert f["recency_days"] > 5


def _future_rows(shop: dict[str, list[dict]], cutoff: pd.Timestamp) -> dict[str, list[dict]]:
    """Orders, lines, events for existing and new customers, all after the cutoff."""
    out = {k: list(v) for k, v in shop.items()}
    later = cutoff + pd.Timedelta(minutes=1)
    for i, c in enumerate(shop["customers"][:50] + [dict(customer_id="new-1"), dict(customer_id="new-2")]):
        cid = c["customer_id"]
        oid = f"future-{i}"
        out["orders"].append(
            dict(
                order_id=oid,
                customer_id=cid,
                order_ts=later,
                status="paid" if i % 3 else "failed",
                total_amount=999.0,
            )
        )
        out["order_items"].append(
            dict(order_id=oid, line_no=1, product_id="p0", quantity=9.0, reordered=True)
        )
        out["events"].append(
            dict(
                event_id=f"fe-{i}", session_id=f"fs-{i}", customer_id=cid, event_ts=later, event_type="search"
            )
        )
    out["customers"].append(dict(customer_id="new-1", signup_ts=later))
    return out


def test_rows_after_the_cutoff_change_no_feature_and_no_score(tmp_path):
    shop = small_shop(120, seed=1)
    cutoff = pd.Timestamp("2020-09-01")
    cfg = ChurnlensConfig()
    cfg.churn.n_estimators = 40
    before = make_warehouse(shop)
    after = make_warehouse(_future_rows(shop, cutoff))
    ids = sorted(
        {o["customer_id"] for o in shop["orders"] if o["order_ts"] <= cutoff and o["status"] == "paid"}
    )
    cut = {i: str(cutoff) for i in ids}
    raw_a, raw_b = features_at(before, cut, cfg), features_at(after, cut, cfg)
    pd.testing.assert_frame_equal(raw_a, raw_b)
    assert [
        c for c in raw_a.columns if c not in ("customer_id", "cutoff", "cohort") and describe(c)[0] == "other"
    ] == []
    fa, gaps_a = add_gap_model(add_bgnbd(raw_a, cfg, 25), cfg, 25, "window")
    fb, gaps_b = add_gap_model(add_bgnbd(raw_b, cfg, 25), cfg, 25, "window")
    pd.testing.assert_frame_equal(fa, fb)
    pd.testing.assert_frame_equal(gaps_a.inputs, gaps_b.inputs)
    assert fa["gap_model_churn"].notna().all() and fa["p_alive"].notna().all()
    # a model trained on anything gives the same scores to the same rows
    y = (fa["recency_days"] > fa["recency_days"].median()).astype(int).to_numpy()
    model = ChurnModel("lightgbm", {"n_estimators": 30}, calibration="none", n_jobs=cfg.churn.n_jobs).fit(
        fa.drop(columns=[c for c in ID_COLUMNS if c in fa]), y
    )
    pa_, pb_ = (model.predict_proba(f.drop(columns=[c for c in ID_COLUMNS if c in f])) for f in (fa, fb))
    np.testing.assert_array_equal(pa_, pb_)


def test_next_gap_features_see_only_the_first_k_orders():
    rows = order_rows({"u": ["2017-01-01 08:00", "2017-01-11 08:00", "2017-01-11 08:00", "2017-02-20 08:00"]})
    for k, r in enumerate(rows):
        r["order_number"] = k + 1
    wh = make_warehouse({"orders": rows})
    cfg = ChurnlensConfig()
    anchors = pd.DataFrame(
        {
            "customer_id": ["u", "u"],
            "cutoff": pd.to_datetime(["2017-01-11 08:00"] * 2),
            "upto_seq": [2, 3],
            "cohort": [2, 1],
        }
    )
    f = build_features(shop_tables(wh), anchors_frame(anchors), cfg.churn, cfg.rfm).to_pandas()
    f = f.set_index("cohort")
    # order 3 has the same rebuilt time as order 2 but comes after it: invisible at order 2
    assert f.loc[2, "frequency"] == 2 and f.loc[1, "frequency"] == 3
    assert f.loc[2, "interval_last"] == pytest.approx(10) and f.loc[1, "interval_last"] == 0


def test_canonical_helper_types():
    t = canonical("orders", [dict(order_id="x", customer_id="c", order_ts="2020-01-01", status="paid")])
    assert t.num_rows == 1 and t.schema.field("order_ts").type.unit == "us"
    assert datetime(2020, 1, 1) == t.column("order_ts")[0].as_py()


def test_bgnbd_features_survive_a_cohort_the_plain_model_cannot_identify():
    """Drop-out the same for everyone: BG/NBD's a and b run off together and the plain fit
    fails; the penalised refit keeps P(alive) near the truth instead of leaving the cohort NULL."""
    from churnlens.clv.bgnbd import BGNBD
    from churnlens.clv.simulate import simulate_bgnbd
    from churnlens.errors import ModelError

    n, truth = 3000, dict(r=1.5, alpha=70.0, a=1e6, b=3e7)
    big_t = np.random.default_rng(0).uniform(30, 900, n)
    s = simulate_bgnbd(n, T=big_t, seed=0, **truth)
    x, t_x = s["frequency"].to_numpy(), s["recency"].to_numpy()
    with pytest.raises(ModelError):
        BGNBD().fit(x, t_x, big_t)
    # the frame's own columns: purchase days (x + 1), first-to-last days (t_x), tenure (T)
    data = pd.DataFrame(
        {
            "cohort": 1,
            "purchase_days": x + 1,
            "first_to_last_days": t_x,
            "tenure_days": big_t,
        }
    )
    out = add_bgnbd(data, ChurnlensConfig(), 25.0)
    assert out["p_alive"].notna().all()
    true_alive = BGNBD.from_params(**truth).p_alive(x, t_x, big_t)
    assert np.abs(out["p_alive"].to_numpy() - true_alive).max() < 0.05
    assert np.corrcoef(out["p_alive"], true_alive)[0, 1] > 0.99


def test_features_in_batches_equal_one_query():
    """Batches of whole customers give the very frame one query gives, RFM grades included
    (they rank each cohort over all batches)."""
    from churnlens.churn.dataset import build_frame

    wh = make_warehouse(small_shop(150, seed=2))
    frames = []
    for size in (0, 300):
        cfg = ChurnlensConfig()
        cfg.churn.feature_batch_anchors, cfg.churn.use_bgnbd = size, False
        frames.append(build_frame(wh, cfg).data)
    one, batched = frames
    assert len(one) > 2 * 300  # several batches
    assert one["r_score"].nunique() > 1 and one["rfm_segment"].nunique() > 1
    pd.testing.assert_frame_equal(one, batched)


def test_season_index_by_hand_and_blind_to_the_future():
    """Paid orders in (2019-01-01, 2020-01-01]: 3 on 2019-01-10, 1 on 2019-06-01. At the cutoff
    2020-01-01 with a 25-day window: 3 of them fall in the window's weeks a year earlier, against
    4 x 25 / 365 in an ordinary 25 days; the busiest week ended 2019-01-10, 9 days ahead."""
    from churnlens.churn.trend_features import season_index

    days = {"a": ["2019-01-10 09:00", "2019-06-01 09:00"], "b": ["2019-01-10 10:00"], "c": ["2019-01-10 11:00"]}
    before = make_warehouse({"orders": order_rows(days)})
    after = make_warehouse({"orders": order_rows({**days, "d": ["2020-01-01 10:00", "2019-12-31 23:00"]})})
    cut = [pd.Timestamp("2020-01-01")]
    got = season_index(shop_tables(before).orders, cut, 25).iloc[0]
    assert got["season_index"] == pytest.approx(3 / (4 * 25 / 365))
    assert got["days_to_seasonal_peak"] == 9
    moved = season_index(shop_tables(after).orders, cut, 25).iloc[0]
    # an order on 2019-12-31 counts in the year (5 orders), the one after the cutoff does not
    assert moved["season_index"] == pytest.approx(3 / (5 * 25 / 365))
