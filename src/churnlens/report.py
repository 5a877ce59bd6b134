"""A shareable report: one self-contained HTML file with the shop's key results.

`build_report(warehouse, lang)` reads result tables only (never recomputes) and returns the
HTML: the KPIs of the last month against the month before, the findings, monthly sales and
the revenue bridge, the customer segments, the churn model's quality and the campaign
summary. Plotly.js is embedded once, inline, so the file opens offline and can be e-mailed
as it is. Sections whose table is missing are listed at the end instead of failing.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from churnlens.app import charts, i18n
from churnlens.errors import DataError
from churnlens.provenance import last_ingest_time, results_dataset, stale_tables
from churnlens.safe_paths import HTML_REPORT, check_output, open_warehouse, write_atomically
from churnlens.warehouse import Warehouse

SECTIONS = (
    "sales_monthly",
    "findings",
    "revenue_bridge",
    "segment_summary",
    "churn_backtest",
    "campaign_summary",
)
MODEL_COLUMNS = ("model", "kind", "roc_auc", "pr_auc", "brier", "lift_top10", "capture_top10")
KPIS = (
    ("revenue", "money"),
    ("orders", "count"),
    ("buyers", "count"),
    ("aov", "money"),
    ("failed_share", "pct"),
)

CSS = """
body{font-family:'Noto Sans CJK KR','Noto Sans KR','Apple SD Gothic Neo','Malgun Gothic','Segoe UI',Arial,sans-serif;
margin:0 auto;max-width:1100px;padding:24px;color:#0f172a;background:#fff}
h1{margin-bottom:4px}h2{margin-top:36px;border-bottom:2px solid #e2e8f0;padding-bottom:4px}
.muted{color:#64748b;font-size:14px}.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px;min-width:150px}
.kpi .label{color:#64748b;font-size:13px}.kpi .value{font-size:24px;font-weight:600}
.stale{background:#fef3c7;border:1px solid #f59e0b;border-radius:6px;padding:8px 12px}
.up{color:#16a34a}.down{color:#dc2626}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #e2e8f0;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}
li{margin:6px 0}
"""


class _Labels:
    """The parts of a page context the shared chart helpers use: strings and formats."""

    def __init__(self, lang: str, currency: str | None) -> None:
        self.lang = lang
        self.currency = currency

    def t(self, key: str, **values: Any) -> str:
        return i18n.tr(self.lang, key, **values)

    def label(self, column: str) -> str:
        return i18n.column_label(self.lang, column)

    def vlabel(self, value: Any) -> str:
        return i18n.value_label(self.lang, value)

    def value(self, x: Any, kind: str) -> str:
        return i18n.fmt_value(x, self.lang, kind, self.currency)


def _kind(column: str, series: pd.Series) -> str:
    return i18n.column_kind(column, series)


def table_html(lab: _Labels, df: pd.DataFrame, columns: list[str] | None = None) -> str:
    """An HTML table with translated headers and values formatted for the language."""
    cols = [c for c in (columns or list(df.columns)) if c in df.columns and c not in i18n.HIDDEN_COLUMNS]
    head = "".join(f"<th>{html.escape(lab.label(c))}</th>" for c in cols)
    rows = []
    for _, row in df[cols].iterrows():
        cells = []
        for c in cols:
            v = row[c]
            kind = _kind(c, df[c])
            text = lab.vlabel(v) if kind == "text" else lab.value(v, kind)
            cells.append(f"<td>{html.escape(str(text))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


class _Figures:
    """Plotly figures as HTML divs; plotly.js goes inline with the first one only."""

    def __init__(self, lang: str = "en") -> None:
        self.count = 0
        self.lang = lang

    def __call__(self, fig: go.Figure) -> str:
        charts.localize_dates(fig, self.lang)
        first = self.count == 0
        self.count += 1
        return pio.to_html(
            fig,
            include_plotlyjs=True if first else False,
            full_html=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"chart{self.count}",
        )


def _kpis(lab: _Labels, sales: pd.DataFrame) -> str:
    sales = sales.sort_values("period_start")
    last = sales.iloc[-1]
    prev = sales.iloc[-2] if len(sales) > 1 else None
    cards = []
    for col, kind in KPIS:
        if col not in sales.columns:
            continue
        delta = i18n.fmt_delta_pct(last[col], prev[col], lab.lang) if prev is not None else None
        cls = "" if not delta else ("up" if delta.startswith("+") else "down")
        cards.append(
            f'<div class="kpi"><div class="label">{html.escape(lab.label(col))}</div>'
            f'<div class="value">{html.escape(lab.value(last[col], kind))}</div>'
            f'<div class="{cls}">{html.escape(delta or "")}</div></div>'
        )
    period = i18n.fmt_month(last["period_start"], lab.lang)
    previous = i18n.fmt_month(prev["period_start"], lab.lang) if prev is not None else ""
    caption = lab.t("kpi_help", period=period, previous=previous) if prev is not None else period
    return f'<p class="muted">{html.escape(caption)}</p><div class="kpis">{"".join(cards)}</div>'


def build_report(wh: Warehouse, lang: str = "en") -> str:
    """The report's HTML for the warehouse's result tables, in ``lang`` (``en`` or ``ko``)."""
    runs = wh.runs()
    # Label the results with the data they were computed from, even after a later ingest.
    info = results_dataset(runs) or wh.dataset_info()
    priced = bool(info.get("prices", info.get("currency") is not None))
    lab = _Labels(lang, info.get("currency") if priced else None)
    fig_html = _Figures(lang)
    has = set(wh.tables())
    parts: list[str] = []
    missing = [t for t in SECTIONS if t not in has]

    def read(name: str) -> pd.DataFrame | None:
        return wh.to_pandas(name) if name in has else None

    sales = read("sales_monthly")
    if sales is not None and len(sales) and "period_start" in sales:
        parts.append(f"<h2>{html.escape(lab.t('kpis'))}</h2>" + _kpis(lab, sales))
    findings = read("findings")
    if findings is not None and len(findings):
        text = f"text_{lang}" if f"text_{lang}" in findings else "text_en"
        if text in findings:
            items = "".join(
                f"<li><b>{html.escape(lab.vlabel(r.get('severity', '')))}</b> · {html.escape(str(r[text]))}</li>"
                for _, r in findings.sort_values("rank" if "rank" in findings else text).iterrows()
            )
            parts.append(f"<h2>{html.escape(lab.t('findings'))}</h2><ul>{items}</ul>")
    if sales is not None and len(sales) and {"period_start", "revenue"} <= set(sales.columns):
        s = sales.sort_values("period_start")
        parts.append(f"<h2>{html.escape(lab.t('monthly_sales'))}</h2>")
        parts.append(fig_html(charts.bars(s, "period_start", "revenue", name=lab.label("revenue"))))
    bridge = read("revenue_bridge")
    if bridge is not None and len(bridge) and {"component", "change"} <= set(bridge.columns):
        parts.append(f"<h2>{html.escape(lab.t('revenue_bridge'))}</h2>")
        parts.append(fig_html(charts.waterfall(*charts.bridge_parts(lab, bridge))))
        parts.append(table_html(lab, bridge, ["component", "customers", "change", "share_of_change"]))
    segments = read("segment_summary")
    if segments is not None and len(segments):
        parts.append(f"<h2>{html.escape(lab.t('segments'))}</h2>")
        if {"segment", "customers"} <= set(segments.columns):
            seg = segments.sort_values("customers", ascending=False)
            shown = seg.assign(segment=seg["segment"].map(lab.vlabel))
            parts.append(
                fig_html(
                    charts.bars(
                        shown,
                        "segment",
                        "customers",
                        name=lab.label("customers"),
                        horizontal=True,
                        height=320,
                    )
                )
            )
        parts.append(table_html(lab, segments))
    backtest = read("churn_backtest")
    if backtest is not None and len(backtest):
        parts.append(f"<h2>{html.escape(lab.t('model_quality'))}</h2>")
        cohort = backtest["cohort"].min() if "cohort" in backtest else None
        latest = backtest if cohort is None else backtest[backtest["cohort"] == cohort]
        if "cutoff" in latest and len(latest):
            when = i18n.fmt_date(latest["cutoff"].iloc[0], lang)
            parts.append(f'<p class="muted">{html.escape(lab.label("cutoff"))}: {html.escape(when)}</p>')
        parts.append(table_html(lab, latest, list(MODEL_COLUMNS)))
        curves = read("churn_curves")
        if curves is not None and {"curve", "x", "y"} <= set(curves.columns):
            if cohort is not None and "cohort" in curves:
                curves = curves[curves["cohort"] == cohort]
            roc = curves[curves["curve"] == "roc"]
            if len(roc):
                groups = list(roc.groupby("model", sort=False)) if "model" in roc else [(lab.t("roc"), roc)]
                traces = [(str(n), g["x"], g["y"]) for n, g in groups]
                parts.append(
                    fig_html(
                        charts.curve(
                            traces,
                            lab.t("curve_fpr"),
                            lab.t("curve_tpr"),
                            lab.t("chance"),
                            title=lab.t("roc"),
                        )
                    )
                )
    campaigns = read("campaign_summary")
    if campaigns is not None and len(campaigns):
        parts.append(f"<h2>{html.escape(lab.t('campaign_summary'))}</h2>")
        parts.append(table_html(lab, campaigns))
    if missing:
        parts.append(
            f'<p class="muted">{html.escape(lab.t("report_missing", tables=", ".join(missing)))}</p>'
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    db = Path(str(wh.path)).name if wh.path else "memory"
    head = (
        f"<h1>{html.escape(lab.t('report_title'))}</h1>"
        f'<p class="muted">{html.escape(lab.t("report_generated", when=when, db=db))} · '
        f"{html.escape(lab.t('report_offline'))}</p>"
    )
    stale = [t for t in stale_tables(runs) if t in has]
    if stale:
        notice = lab.t(
            "stale_results",
            count=len(stale),
            when=i18n.fmt_date(last_ingest_time(runs)[:10], lang),
            command=f"churnlens run --db {db}",
            tables=", ".join(stale),
        )
        head += f'<p class="stale" role="alert">{html.escape(notice)}</p>'
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(lab.t('report_title'))}</title><style>{CSS}</style></head>"
        f"<body>{head}{''.join(parts)}</body></html>"
    )


def write_report(
    db: str | Path, out: str | Path, lang: str = "en", force: bool = False, engine: str = "duckdb"
) -> Path:
    """Read warehouse ``db`` (on ``engine``) read-only and write the report to ``out``.

    ``out`` never replaces the warehouse, a directory or a file that is not an HTML report
    unless ``force``; it is written under a temporary name and renamed (`churnlens.safe_paths`).
    """
    if lang not in i18n.LANGS:
        raise DataError("Unknown report language.", values=[lang], fix=f"Use one of {list(i18n.LANGS)}.")
    path = check_output(out, HTML_REPORT, force, reads=(db,))
    with open_warehouse(db, engine, read_only=True) as wh:
        text = build_report(wh, lang)
    return write_atomically(path, text.encode("utf-8"))
