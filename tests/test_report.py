"""The shareable HTML report: self-contained, in both languages, numbers equal to the tables."""

from __future__ import annotations

import html as h
import json
import re
import shutil
import subprocess
import sys

import duckdb
import markupsafe
import pandas as pd
import pytest
from test_app_support import SHARED_BUILD, demo_warehouse

from churnlens import strings
from churnlens.errors import DataError
from churnlens.presentation import i18n
from churnlens.report import build_report, write_report
from churnlens.warehouse import Warehouse

pytestmark = SHARED_BUILD


@pytest.fixture(scope="module")
def db():
    return demo_warehouse()


@pytest.fixture(scope="module")
def tables(db):
    with Warehouse(db, read_only=True) as wh:
        return {n: wh.to_pandas(n) for n in wh.tables() if n not in ("events", "order_items", "sessions")}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_is_self_contained_and_shows_the_tables(db, tables, lang):
    with Warehouse(db, read_only=True) as wh:
        html = build_report(wh, lang)
    assert html.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in html
    assert "<script" not in html and "<link " not in html  # charts are SVG: nothing runs
    assert strings.tr(lang, "report_title") in html
    charts = html.count('<svg class="chart"')
    if "sales_monthly" in tables:
        sales = tables["sales_monthly"].sort_values("period_start")
        assert i18n.fmt_money(sales["revenue"].iloc[-1], lang, "IDR") in html
        assert i18n.fmt_delta_pct(sales["revenue"].iloc[-1], sales["revenue"].iloc[-2]) in html
        assert charts >= 1
    if "findings" in tables:
        for text in tables["findings"][f"text_{lang}"]:
            assert str(markupsafe.escape(text)) in html
    if "campaign_summary" in tables:
        for n in tables["campaign_summary"]["customers"]:
            assert f'<td class="num">{i18n.fmt_number(n)}</td>' in html
    if "segment_summary" in tables:
        for seg in tables["segment_summary"]["segment"]:
            assert str(markupsafe.escape(strings.value_label(lang, seg))) in html


def test_report_lists_what_the_warehouse_lacks(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.write("data_profile", pd.DataFrame({"table_name": ["orders"], "rows": [0]}))
    out = write_report(db, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "Not in this warehouse: sales_monthly, findings" in text
    assert "<svg" not in text


def test_report_errors_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        write_report(tmp_path / "none.duckdb", tmp_path / "r.html")
    db = tmp_path / "w.duckdb"
    Warehouse(db).close()
    with pytest.raises(DataError, match="language"):
        write_report(db, tmp_path / "r.html", lang="fr")


def test_report_command(db, tmp_path):
    out = tmp_path / "report.html"
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from churnlens.cli import main; main()",
            "report",
            "--db",
            str(db),
            "--out",
            str(out),
            "--lang",
            "ko",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    assert out.exists() and "churnlens 보고서" in out.read_text(encoding="utf-8")
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "from churnlens.cli import main; main()",
            "report",
            "--db",
            str(tmp_path / "x.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and "does not exist" in r.stderr


# ---- what the report adds: the at-risk list, the model card, escaping, weight ----------------
def section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


def body_rows(part: str) -> list[list[str]]:
    """The cells of a section's table body (tags inside cells dropped, entities unescaped)."""
    body = re.search(r"<tbody>(.*?)</tbody>", part, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [h.unescape(re.sub(r"<[^>]+>", "\n", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


@pytest.fixture(scope="module")
def reports(db):
    with Warehouse(db, read_only=True) as wh:
        return {lang: build_report(wh, lang) for lang in ("en", "ko")}


def test_the_at_risk_list_is_the_top_20_of_an_independent_query(db, reports):
    con = duckdb.connect(str(db), read_only=True)
    cols = {r[0] for r in con.execute("DESCRIBE actions").fetchall()}
    where, key = ("WHERE a.state IN ('at_risk', 'lapsing')", "a.expected_saved_revenue") if "state" in cols else (
        "",
        "a.churn_probability",
    )
    expected = con.execute(
        f"""SELECT a.customer_id, a.churn_probability, a.action, s.reasons, s.reasons_ko
            FROM actions a LEFT JOIN customer_scores s USING (customer_id) {where}
            ORDER BY {key} DESC, a.customer_id LIMIT 20"""
    ).df()
    con.close()
    assert len(expected) == 20
    for lang, reasons in (("en", "reasons"), ("ko", "reasons_ko")):
        rows = body_rows(section(reports[lang], "at-risk"))
        assert [r[0] for r in rows] == [str(c) for c in expected["customer_id"]]
        for row, (_, e) in zip(rows, expected.iterrows(), strict=True):
            assert row[1] == i18n.fmt_pct(e["churn_probability"], lang)
            why, action = row[-2].split("\n"), row[-1].split("\n")
            assert [w for w in why if w] == [p.strip() for p in (e[reasons] or "").split(";") if p.strip()]
            assert action[0] == strings.value_label(lang, e["action"])


def test_the_model_card_figures_equal_the_backtest_table(db, reports):
    con = duckdb.connect(str(db), read_only=True)
    bt = con.execute(
        """SELECT model, lift_top10 * churn_rate AS hit, churn_rate, capture_top10, n FROM churn_backtest
           WHERE cohort = (SELECT min(cohort) FROM churn_backtest)"""
    ).df().set_index("model")
    con.close()
    model, rule = bt.loc["lightgbm"], bt.loc["recency_rule"]
    for lang in ("en", "ko"):
        card = section(reports[lang], "model-card")
        figures = re.findall(r'<span class="figure">(.*?)</span>', card)
        assert figures == [
            i18n.fmt_pct(model["hit"], lang),
            i18n.fmt_pct(rule["hit"], lang),
            i18n.fmt_pct(model["churn_rate"], lang),
            i18n.fmt_pct(model["capture_top10"], lang),
        ]
        assert i18n.fmt_number(model["n"]) in card
        diff = round((model["hit"] - rule["hit"]) * 100, 1)
        key = "report_card_better" if diff > 0 else "report_card_worse" if diff < 0 else "report_card_same"
        assert str(markupsafe.escape(strings.tr(lang, key, diff=f"{abs(diff):.1f}"))) in card
        assert "ROC" not in card or lang == "en"  # plain language, no ROC curve
        assert card.count('<svg class="chart"') == 1


def test_shop_text_is_shown_as_text_never_run(db, tmp_path):
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    last = con.execute("SELECT max(period_start) FROM product_stats WHERE level = 'product'").fetchone()[0]
    con.execute("UPDATE product_stats SET name = ? WHERE level = 'product' AND period_start = ?", [hostile, last])
    con.execute("UPDATE findings SET text_en = ? WHERE rank = 1", [hostile])
    con.close()
    with Warehouse(copy, read_only=True) as wh:
        html = build_report(wh, "en")
    assert "<script" not in html and "<b>bold" not in html
    escaped = str(markupsafe.escape(hostile))
    assert escaped in section(html, "products") and escaped in section(html, "findings")
    assert hostile in [r[0] for r in body_rows(section(html, "products"))]


#: The English report of the test's demo shop measured 40 KB (the plotly.js report: 4.9 MB).
SIZE_LIMIT = 150_000


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_report_loads_nothing_and_is_light(reports, lang):
    html = reports[lang]
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import", html, re.I)
    assert len(html.encode("utf-8")) < SIZE_LIMIT


#: Words that stay as they are in a Korean report (names and codes, not English text).
KOREAN_ALLOWED = {"churnlens", "ROC", "AUC", "BG", "NBD", "Rp", "IDR", "ROI"}


def test_korean_report_has_no_untranslated_headings(reports):
    html = reports["ko"]
    headings = re.findall(r"<(h1|h2|th|caption)(?:\s[^>]*)?>(.*?)</\1>", html, re.S)
    headings += [("svg", t) for t in re.findall(r'<text[^>]*class="axis-title"[^>]*>(.*?)</text>', html)]
    headings += [("kpi", t) for t in re.findall(r'<div class="label">(.*?)</div>', html)]
    assert len(headings) > 20
    for tag, text in headings:
        words = set(re.findall(r"[A-Za-z][A-Za-z_]+", h.unescape(text))) - KOREAN_ALLOWED
        assert not words, (tag, text)
    assert len(re.findall(r"<h2>", html)) == len(re.findall(r"<h2>", reports["en"]))


def test_svg_axes_and_waterfall_steps_are_where_the_numbers_put_them():
    from churnlens import report_svg as svg

    assert svg.nice_ticks(0, 87) == [0, 20, 40, 60, 80, 100]
    assert svg.nice_ticks(-12, 30) == [-20, -10, 0, 10, 20, 30]
    chart = svg.waterfall(["base", "up", "down", "now"], [100, 20, -50, 70], ["absolute", "relative", "relative", "total"], str, "x", "w")
    base, up, down, now = chart.rects
    scale = base["w"] / 100  # pixels per unit
    assert abs(up["x"] - (base["x"] + base["w"])) < 1e-9 and abs(up["w"] - 20 * scale) < 1e-9
    assert abs(down["x"] + down["w"] - (up["x"] + up["w"])) < 1e-9 and abs(down["w"] - 50 * scale) < 1e-9
    assert abs(now["x"] + now["w"] - down["x"]) < 1e-9 and abs(now["w"] - 70 * scale) < 1e-9
    assert [r["fill"] for r in chart.rects] == [svg.BLUE, svg.GREEN, svg.RED, svg.BLUE]
    assert [r["tip"] for r in chart.rects] == ["base: 100", "up: 20", "down: -50", "now: 70"]
    assert any(t["title"] and t["text"] == "x" for t in chart.texts)  # the axis has its title


def test_a_shop_without_a_calendar_says_so_under_the_title(tmp_path):
    db = tmp_path / "w.duckdb"
    info = {"time_mode": "relative", "snapshot_date": "2020-03-01"}
    with Warehouse(db) as wh:
        wh.write("runs", pd.DataFrame({"run_id": ["r1"], "kind": ["ingest"], "dataset": [json.dumps(info)]}))
        assert wh.dataset_info() == info
        for lang, day in (("en", "1 Mar 2020"), ("ko", "2020년 3월 1일")):
            html = build_report(wh, lang)
            notice = re.search(r'<p class="notice" role="alert">(.*?)</p>', html).group(1)
            assert notice == str(markupsafe.escape(strings.tr(lang, "relative_time", date=day)))


def test_the_model_card_reads_the_interval_against_the_best_baseline_when_the_backtest_has_it():
    from churnlens.report_churn import model_card_section
    from churnlens.report_parts import Labels

    bt = pd.DataFrame(
        {
            "model": ["lightgbm", "recency_rule", "bgnbd", "lightgbm"],
            "kind": ["model", "baseline", "baseline", "model"],
            "cohort": [1, 1, 1, 2],
            "cutoff": ["2022-07-06T00:00:00"] * 3 + ["2022-06-06T00:00:00"],
            "n": [200, 200, 200, 150],
            "churn_rate": [0.5, 0.5, 0.5, 0.4],
            "lift_top10": [1.8, 1.6, 1.7, 1.0],
            "capture_top10": [0.36, 0.32, 0.34, 0.1],
            "roc_auc": [0.81, 0.74, 0.77, 0.6],
            "best_baseline": ["bgnbd", None, None, None],
            "auc_vs_best": [0.04, None, None, None],
            "auc_vs_best_low": [0.01, None, None, None],
            "auc_vs_best_high": [0.07, None, None, None],
        }
    )
    part = model_card_section(Labels("en", None), bt)
    figures = [f["figure"] for f in part["figures"]]
    assert figures == ["90.0%", "80.0%", "50.0%", "36.0%"]  # 1.8 x 0.5, 1.6 x 0.5, 0.5, 0.36
    text = " ".join(part["paragraphs"])
    assert "10.0 percentage points more often" in text and "200 customers as of 6 Jul 2022" in text
    assert "ranks the one who left higher 81.0% of the time, the best simple rule (BG/NBD purchase model) 77.0%" in text
    assert "+4.0 points, likely between +1.0 and +7.0 points. The model is measurably better." in text
    bt.loc[0, "auc_vs_best_low"] = -0.01
    text = " ".join(model_card_section(Labels("en", None), bt)["paragraphs"])
    assert "not measurably better" in text
