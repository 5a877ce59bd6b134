"""Write a synthetic grocery shop in the native Instacart Market Basket format.

Users follow the latent process of `process.py` on a hidden calendar that ends at the snapshot
(``instacart_snapshot_date``); a user's file holds their last ``instacart_max_orders`` orders
before it, and only users with at least ``instacart_min_orders`` orders are kept. Each user's last
order is ``train`` or ``test`` (test orders have no lines), the others ``prior``.
``days_since_prior_order`` is the calendar-day difference to the previous order, capped at 30;
``order_dow`` (0 = Sunday) and ``order_hour_of_day`` come from the hidden calendar, so
``(previous dow + gap) % 7 == dow`` holds for every uncapped gap, as in the real files.
The truth timeline and how it relates to the capped gaps are described in `truth.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from churnlens.sources.synthetic import baskets, catalogue, textio
from churnlens.sources.synthetic.process import keep_last, segment_ranks, signup_times, simulate
from churnlens.sources.synthetic.settings import GeneratorConfig
from churnlens.sources.synthetic.timeline import ShopClock, sunday_first_to_monday_first, weekly_profile

ORDERS_HEADER = ("order_id", "user_id", "eval_set", "order_number", "order_dow", "order_hour_of_day",
                 "days_since_prior_order")  # fmt: skip
LINES_HEADER = ("order_id", "product_id", "add_to_cart_order", "reordered")
EVAL_SETS = ("prior", "train", "test")
_US_PER_HOUR = 3_600_000_000


def write(out_dir: Path, cfg: GeneratorConfig, catalogue_dir: Path | None, progress: Callable | None) -> dict:
    report = progress or (lambda stage, fraction: None)
    rng_cat, rng_users, rng_shop, rng_lines, rng_ids = (
        np.random.default_rng(s) for s in np.random.SeedSequence([cfg.seed, 11]).spawn(5)
    )
    if catalogue_dir is not None:
        cat = catalogue.load_instacart_catalogue(catalogue_dir, rng_cat, cfg)
        catalogue.copy_instacart_catalogue(catalogue_dir, out_dir)
        cat_facts = _count_catalogue(out_dir, f"real: {catalogue_dir}")
    else:
        cat = catalogue.builtin_grocery_catalogue(rng_cat, cfg.instacart_builtin_products, cfg)
        _write_builtin_catalogue(out_dir, cat)
        cat_facts = _count_catalogue(out_dir, "built-in")
    profile = weekly_profile(
        sunday_first_to_monday_first(cfg.instacart_dow_weights), cfg.instacart_hour_weights
    )
    clock = ShopClock(profile)
    end_us = textio.day_us(cfg.instacart_snapshot_date) + textio.US_PER_DAY
    users = _draw_users(rng_users, cfg, cat, clock, end_us)
    report("users", 1.0)
    n = cfg.customers
    shoppers = baskets.draw_shoppers(
        rng_shop, cat, n, cfg.instacart_category_concentration, cfg.instacart_routine_min,
        cfg.instacart_routine_max, cfg.instacart_routine_share_a, cfg.instacart_routine_share_b, pref=users["pref"],
    )  # fmt: skip
    lines_mean = rng_shop.gamma(
        cfg.instacart_lines_user_shape, cfg.instacart_lines_mean / cfg.instacart_lines_user_shape, n
    )
    orders = _orders(rng_ids, cfg, users)
    with open(out_dir / "orders.csv", "wb") as fh:
        textio.write_header(fh, ORDERS_HEADER)
        step = 1_000_000
        for lo in range(0, len(orders["user"]), step):
            sl = slice(lo, lo + step)
            textio.write_rows(
                fh,
                [
                    textio.ints(orders["order_id"][sl]),
                    textio.ints(orders["user"][sl] + 1),
                    textio.take_text(EVAL_SETS, orders["eval"][sl]),
                    textio.ints(orders["number"][sl]),
                    textio.ints(orders["dow"][sl]),
                    textio.zero_padded(orders["hour"][sl], 2),
                    textio.ints_point_zero(
                        np.nan_to_num(orders["gap"][sl]).astype(np.int64), np.isnan(orders["gap"][sl])
                    ),
                ],
            )
    report("orders", 1.0)
    line_facts = _write_lines(out_dir, rng_lines, cfg, cat, shoppers, lines_mean, orders, report)
    _write_truth(out_dir, cfg, cat, clock, users, shoppers, lines_mean, orders, end_us)
    gaps = orders["gap"][~np.isnan(orders["gap"])]
    facts = {
        "kind": "instacart",
        "scenario": cfg.scenario,
        "seed": cfg.seed,
        "customers": n,
        "users": n,
        "snapshot_date": cfg.instacart_snapshot_date,
        "orders": int(len(orders["user"])),
        "orders_by_eval_set": {e: int((orders["eval"] == i).sum()) for i, e in enumerate(EVAL_SETS)},
        **line_facts,
        **cat_facts,
        "min_orders_per_user": int(users["count"].min()),
        "max_orders_per_user": int(users["count"].max()),
        "orders_with_capped_gap": int((gaps >= cfg.instacart_gap_cap_days).sum()),
        "mean_days_since_prior_order": float(gaps.mean()) if len(gaps) else None,
        "config": dataclasses.asdict(cfg),
    }
    textio.write_json(out_dir / "facts.json", facts)
    report("done", 1.0)
    return facts


def _draw_users(rng, cfg: GeneratorConfig, cat, clock: ShopClock, end_us: int) -> dict:
    """Candidates are drawn in batches until ``cfg.customers`` of them have enough orders."""
    start_us = end_us - cfg.instacart_history_days * textio.US_PER_DAY
    need, parts, accept_rate = cfg.customers, [], 0.5
    while need > 0:
        m = min(int(need / accept_rate * 1.1) + 64, cfg.instacart_candidate_batch)
        start = signup_times(rng, m, start_us, end_us, cfg.instacart_signup_growth)
        rate = rng.gamma(cfg.instacart_purchase_rate_shape, 1.0 / cfg.instacart_purchase_rate_rate, m)
        dropout = rng.beta(cfg.instacart_dropout_a, cfg.instacart_dropout_b, m)
        pref = baskets.draw_preferences(rng, cat, m, cfg.instacart_category_concentration)
        favourite = np.argmax(pref, axis=1)
        if cfg.churn_boost_category is not None:
            boosted = np.array(cat.categories, dtype=object)[favourite] == cfg.churn_boost_category
            dropout = np.where(
                boosted, np.minimum(dropout * cfg.churn_boost_factor, cfg.max_dropout_prob), dropout
            )
        full = simulate(rng, clock, start, end_us, rate, dropout)
        hist = keep_last(full, cfg.instacart_max_orders)
        ok = np.flatnonzero(hist.count >= cfg.instacart_min_orders)[:need]
        accept_rate = max(len(ok) / m, 0.02)
        sel = np.zeros(m, dtype=bool)
        sel[ok] = True
        keep = sel[hist.customer]
        local = np.cumsum(sel) - 1
        parts.append(
            {
                "start_us": start[ok],
                "rate": rate[ok],
                "dropout": dropout[ok],
                "pref": pref[ok],
                "dropout_clock": hist.dropout_clock[ok],
                "cause": hist.dropout_cause[ok],
                "count": hist.count[ok],
                "dropped": full.count[ok] - hist.count[ok],
                "order_user": local[hist.customer[keep]],
                "order_us": hist.us[keep],
            }  # fmt: skip
        )
        need -= len(ok)
    users: dict = {}
    offset = 0
    for part in parts:
        part["order_user"] = part["order_user"] + offset
        offset += len(part["rate"])
    for key in parts[0]:
        users[key] = np.concatenate([p[key] for p in parts])
    return users


def _orders(rng, cfg: GeneratorConfig, users: dict) -> dict:
    user, us = users["order_user"], users["order_us"]
    _, rank = segment_ranks(users["count"])
    day = np.floor_divide(us, textio.US_PER_DAY)
    first = rank == 0
    gap = np.where(first, np.nan, np.minimum(day - np.roll(day, 1), cfg.instacart_gap_cap_days)).astype(float)
    last = np.ones(len(user), dtype=bool)
    last[:-1] = user[1:] != user[:-1]
    test_user = rng.random(len(users["count"])) < cfg.instacart_test_share
    eval_set = np.where(last, np.where(test_user[user], 2, 1), 0)
    return {
        "user": user,
        "us": us,
        "day": day,
        "number": rank + 1,
        "dow": (day + 4) % 7,  # 1970-01-01 was a Thursday; 0 = Sunday
        "hour": (us - day * textio.US_PER_DAY) // _US_PER_HOUR,
        "gap": gap,
        "eval": eval_set,
        "order_id": rng.permutation(len(user)).astype(np.int64) + 1,
    }


def _write_lines(out_dir, rng, cfg, cat, shoppers, lines_mean, orders, report) -> dict:
    samplers = baskets.samplers_for(cat, with_premium=False)
    counts = {"prior_lines": 0, "train_lines": 0, "reordered_prior_lines": 0, "reordered_train_lines": 0}
    user = orders["user"]
    bounds = np.searchsorted(
        user, np.arange(0, cfg.customers + cfg.instacart_chunk_users, cfg.instacart_chunk_users)
    )
    with (
        open(out_dir / "order_products__prior.csv", "wb") as fp,
        open(out_dir / "order_products__train.csv", "wb") as ft,
    ):
        textio.write_header(fp, LINES_HEADER)
        textio.write_header(ft, LINES_HEADER)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            rows = np.arange(lo, hi)[orders["eval"][lo:hi] != 2]
            if len(rows) == 0:
                continue
            u = user[rows]
            extra = baskets.negative_binomial(
                rng, np.maximum(lines_mean[u] - 1.0, 0.0), cfg.instacart_lines_dispersion
            )
            order_row, _ = segment_ranks(1 + extra)
            product = baskets.pick_products(rng, shoppers, u[order_row], samplers)
            # one line per product and order, in the order of the first pick
            o = np.lexsort((product, order_row))
            dup = np.zeros(len(o), dtype=bool)
            dup[1:] = (order_row[o][1:] == order_row[o][:-1]) & (product[o][1:] == product[o][:-1])
            keep = np.sort(o[~dup])
            order_row, product = order_row[keep], product[keep]
            _, cart_pos = segment_ranks(np.bincount(order_row, minlength=len(rows)))
            # reordered: the user bought the product in an earlier order
            r = rows[order_row]
            o = np.lexsort((orders["number"][r], product, user[r]))
            seen = np.zeros(len(o), dtype=bool)
            seen[1:] = (user[r][o][1:] == user[r][o][:-1]) & (product[o][1:] == product[o][:-1])
            reordered = np.empty(len(o), dtype=np.int64)
            reordered[o] = seen
            oid = orders["order_id"][r]
            for fh, eval_code, name in ((fp, 0, "prior"), (ft, 1, "train")):
                m = orders["eval"][r] == eval_code
                s = np.flatnonzero(m)[np.argsort(oid[m], kind="stable")]
                textio.write_rows(
                    fh,
                    [textio.ints(oid[s]), textio.ints(cat.product_id[product[s]]), textio.ints(cart_pos[s] + 1),
                     textio.ints(reordered[s])],
                )  # fmt: skip
                counts[f"{name}_lines"] += len(s)
                counts[f"reordered_{name}_lines"] += int(reordered[s].sum())
            report("order_lines", hi / len(user))
    return counts


def _write_builtin_catalogue(out_dir: Path, cat) -> None:
    col = cat.columns
    with open(out_dir / "products.csv", "wb") as fh:
        textio.write_header(fh, ("product_id", "product_name", "aisle_id", "department_id"))
        textio.write_rows(
            fh,
            [textio.ints(cat.product_id), textio.quote_needed(pa.array(col["product_name"].tolist(), pa.string())),
             textio.ints(col["aisle_id"]), textio.ints(col["department_id"])],
        )  # fmt: skip
    for name, key, header in (("aisles.csv", "aisle_names", ("aisle_id", "aisle")),
                              ("departments.csv", "department_names", ("department_id", "department"))):  # fmt: skip
        with open(out_dir / name, "wb") as fh:
            textio.write_header(fh, header)
            names = pa.array(col[key].tolist(), pa.string())
            textio.write_rows(fh, [textio.ints(np.arange(1, len(names) + 1)), textio.quote_needed(names)])


def _count_catalogue(out_dir: Path, source: str) -> dict:
    return {
        "products": int(len(pd.read_csv(out_dir / "products.csv", usecols=[0]))),
        "aisles": int(len(pd.read_csv(out_dir / "aisles.csv", usecols=[0]))),
        "departments": int(len(pd.read_csv(out_dir / "departments.csv", usecols=[0]))),
        "catalogue": source,
    }


def _write_truth(out_dir, cfg, cat, clock, users, shoppers, lines_mean, orders, end_us) -> None:
    n = cfg.customers
    last_idx = np.cumsum(users["count"]) - 1
    snapshot_day = textio.day_us(cfg.instacart_snapshot_date) // textio.US_PER_DAY
    shift = snapshot_day - orders["day"][last_idx]  # days added to the hidden calendar, per user
    shift_us = shift * textio.US_PER_DAY
    alive = np.isnan(users["dropout_clock"])
    dropout_us = clock.to_calendar(np.nan_to_num(users["dropout_clock"])) + shift_us

    def ts(us):
        return pd.Series(pd.to_datetime(np.asarray(us, dtype=np.int64), unit="us"))

    truth = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "signup_ts": ts(users["start_us"] + shift_us),
            "purchase_rate_per_day": users["rate"],
            "dropout_prob": users["dropout"],
            "dropout_ts": ts(dropout_us).where(~alive),
            "dropout_cause": np.where(alive, None, "after_purchase"),
            "planted_lapse": np.zeros(n, dtype=bool),
            "lapse_target": np.zeros(n, dtype=bool),
            "lapse_hazard_per_day": np.zeros(n),
            "lapse_start_ts": ts(np.zeros(n)).where(np.zeros(n, dtype=bool)),
            "favourite_category": np.array(cat.categories, dtype=object)[shoppers.favourite],
            "routine_share": shoppers.routine_share,
            "routine_products": shoppers.routine_count,
            "lines_mean": lines_mean,
            "orders": users["count"],
            "orders_before_cap": users["dropped"],
            "last_eval_set": np.array(EVAL_SETS, dtype=object)[orders["eval"][last_idx]],
            "observed_until_ts": ts(end_us + shift_us),
            "clock_offset_days": -shift,
        }
    )
    for i, dep in enumerate(cat.categories):
        truth[f"pref_{dep}"] = shoppers.category_pref[:, i]
    truth.attrs.update(
        {
            "kind": "instacart",
            "scenario": cfg.scenario,
            "seed": cfg.seed,
            "weekly_profile": [float(x) for x in clock.profile],
            "snapshot_date": cfg.instacart_snapshot_date,
        }
    )
    truth.to_parquet(out_dir / "ground_truth.parquet", index=False)
    pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "customer_id": orders["user"] + 1,
            "order_number": orders["number"],
            "eval_set": np.array(EVAL_SETS, dtype=object)[orders["eval"]],
            "order_ts": ts(orders["us"] + shift_us[orders["user"]]),
        }
    ).to_parquet(out_dir / "ground_truth_orders.parquet", index=False)
