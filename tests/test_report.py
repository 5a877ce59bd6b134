"""The shareable HTML report: self-contained, in both languages, numbers equal to the tables."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from test_app_support import demo_warehouse

from churnlens.app import i18n
from churnlens.errors import DataError
from churnlens.report import build_report, write_report
from churnlens.warehouse import Warehouse


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
    assert "<script src=" not in html and "<link " not in html
    assert html.count("plotly.js v") >= 1 or "Plotly" in html  # plotly.js is inline
    assert i18n.tr(lang, "report_title") in html
    charts = html.count('class="plotly-graph-div"')
    if "sales_monthly" in tables:
        sales = tables["sales_monthly"].sort_values("period_start")
        assert i18n.fmt_money(sales["revenue"].iloc[-1], lang, "IDR") in html
        assert i18n.fmt_delta_pct(sales["revenue"].iloc[-1], sales["revenue"].iloc[-2]) in html
        assert charts >= 1
    if "findings" in tables:
        import html as h

        for text in tables["findings"][f"text_{lang}"]:
            assert h.escape(text) in html
    if "campaign_summary" in tables:
        for n in tables["campaign_summary"]["customers"]:
            assert f"<td>{i18n.fmt_number(n)}</td>" in html
    if "segment_summary" in tables:
        for seg in tables["segment_summary"]["segment"]:
            assert i18n.value_label(lang, seg) in html


def test_report_lists_what_the_warehouse_lacks(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        wh.write("data_profile", pd.DataFrame({"table_name": ["orders"], "rows": [0]}))
    out = write_report(db, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "Not in this warehouse: sales_monthly, findings" in text
    assert 'class="plotly-graph-div"' not in text


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
