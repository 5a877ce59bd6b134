"""The report's decision sections on the demo shop, in both languages: what churn means (window,
how it was chosen, base rate), the customer states with their definitions and counts, and the
measured promotion effect against the assumed save rates, each figure equal to an independent
query of the warehouse's tables."""

from __future__ import annotations

import html as h
import shutil

import duckdb
import markupsafe
import pytest
from test_app_support import demo_warehouse
from test_report import body_rows, section

from churnlens import strings
from churnlens.presentation import i18n
from churnlens.report import build_report
from churnlens.warehouse import Warehouse

LANGS = ("en", "ko")
SEGMENTS = {"all": 0, "first order": 1, "second to fourth order": 2, "fifth order or later": 3}


@pytest.fixture(scope="module")
def db():
    return demo_warehouse()


@pytest.fixture(scope="module")
def reports(db):
    with Warehouse(db, read_only=True) as wh:
        return {lang: build_report(wh, lang) for lang in LANGS}


def query(db, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def table_rows(part: str) -> list[list[list[str]]]:
    """The body rows of every table of a section, one list per table."""
    return [body_rows(t) for t in part.split("</table>")[:-1]]


def points(share: float, lang: str) -> str:
    return f"{share * 100:+.1f} pts" if lang == "en" else f"{share * 100:+.1f}%p"


@pytest.mark.parametrize("lang", LANGS)
def test_states_are_counted_and_defined_by_the_shops_numbers(db, reports, lang):
    counts = query(db, "SELECT state, count(*) AS n FROM actions GROUP BY state").set_index("state")["n"]
    text = "definition_ko" if lang == "ko" else "definition"
    defs = query(db, f"SELECT state, {text} AS d FROM customer_states").set_index("state")["d"]
    rows = body_rows(section(reports[lang], "states"))
    assert [r[0] for r in rows] == [
        strings.value_label(lang, s) for s in ("active", "at_risk", "lapsing", "lapsed")
    ]
    total = counts.sum()
    for row, state in zip(rows, ("active", "at_risk", "lapsing", "lapsed"), strict=True):
        n = int(counts.get(state, 0))
        assert row[1:] == [i18n.fmt_number(n), i18n.fmt_pct(n / total), defs[state]]
    # the shop's own numbers: the lapsed state names the return horizon in days
    assert any(ch.isdigit() for ch in defs["lapsed"]) and "177" in defs["lapsed"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_churn_window_its_reason_and_the_base_rate(db, reports, lang):
    w = query(db, "SELECT * FROM churn_window").iloc[0]
    part = h.unescape(section(reports[lang], "churn-window"))
    days = f"{w.window_days:.0f}"
    assert (f"{days} days" if lang == "en" else f"{days}일") in part
    assert w.rule == "shop" and w.window_days != 25  # the demo shop's rhythm makes 25 days meaningless
    reason = w.reason if lang == "en" else w.reason_ko
    assert reason in part
    assert i18n.fmt_pct(w.base_rate) in part and f" {w.base_rate_customers:.0f}" in part
    assert i18n.fmt_date(w.base_rate_cutoff, lang) in part
    # the base rate by hand: customers active in the year before the cutoff without an order after it
    cut = w.base_rate_cutoff
    hand = query(
        db,
        f"""WITH paid AS (SELECT customer_id, order_ts FROM orders WHERE status = 'paid' AND customer_id IS NOT NULL),
            before AS (SELECT DISTINCT customer_id FROM paid WHERE order_ts > DATE '{cut}' - INTERVAL 365 DAY
                       AND order_ts <= DATE '{cut}'),
            after AS (SELECT DISTINCT customer_id FROM paid WHERE order_ts > DATE '{cut}'
                      AND order_ts <= DATE '{cut}' + INTERVAL {int(w.window_days)} DAY)
            SELECT count(*) AS n, count(*) FILTER (WHERE customer_id NOT IN (SELECT customer_id FROM after)) AS gone
            FROM before""",
    ).iloc[0]
    assert hand.n == w.base_rate_customers and hand.gone / hand.n == pytest.approx(w.base_rate)


@pytest.mark.parametrize("lang", LANGS)
def test_measured_uplift_with_its_interval_and_the_assumed_save_rates(db, reports, lang):
    effect = query(db, "SELECT * FROM promo_uplift")
    effect = effect.sort_values("segment", key=lambda s: s.map(SEGMENTS)).reset_index(drop=True)
    part = section(reports[lang], "uplift")
    uplift_rows, rate_rows = table_rows(part)
    assert len(uplift_rows) == len(effect) >= 1
    for row, (_, e) in zip(uplift_rows, effect.iterrows(), strict=True):
        assert row[0] == strings.tr(lang, f"report_uplift_{e.segment}")
        assert row[1:] == [
            i18n.fmt_number(e.treated),
            i18n.fmt_number(e.controls),
            i18n.fmt_pct(e.repurchase_treated),
            i18n.fmt_pct(e.repurchase_controls_weighted),
            points(e.uplift, lang),
            f"{points(e.ci_low, lang)} … {points(e.ci_high, lang)}",
            i18n.fmt_pct(e.save_rate),
        ]
    everything = effect[effect.segment == "all"].iloc[0]
    zero = everything.ci_low <= 0 <= everything.ci_high
    assert (str(markupsafe.escape(strings.tr(lang, "report_uplift_zero"))) in part) == zero
    rates = query(
        db,
        """SELECT action, save_rate_source, save_rate, count(*) AS n FROM actions WHERE save_rate > 0
           GROUP BY ALL ORDER BY action, save_rate_source""",
    )
    assert [r[0] for r in rate_rows] == [strings.value_label(lang, a) for a in rates.action]
    for row, (_, r) in zip(rate_rows, rates.iterrows(), strict=True):
        source = strings.tr(lang, f"report_save_{r.save_rate_source}")
        assert row[1:] == [i18n.fmt_pct(r.save_rate), source, i18n.fmt_number(r.n)]
        if r.save_rate_source == "measured":  # the discount offers use the measured rate
            assert r.save_rate == pytest.approx(everything.save_rate)
    assert {"measured", "assumed"} <= set(rates.save_rate_source)


def test_without_a_measured_effect_every_save_rate_is_an_assumption(db, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("DROP TABLE promo_uplift")
    con.execute("UPDATE actions SET save_rate_source = 'assumed'")
    con.close()
    with Warehouse(copy, read_only=True) as wh:
        part = section(build_report(wh, "en"), "uplift")
    assert strings.tr("en", "report_uplift_none") in h.unescape(part)
    (rate_rows,) = table_rows(part)
    assert {r[2] for r in rate_rows} == {strings.tr("en", "report_save_assumed")}
