"""A shareable report: one self-contained HTML file with the shop's key results.

`build_report(warehouse, lang)` reads result tables only (never recomputes) and returns the
HTML, rendered from the Jinja2 template ``churnlens/templates/report.html.j2`` with every value
escaped: the KPIs of the last month against the month before, the findings, monthly sales and
the revenue bridge, what churn means on this shop (the window, how it was chosen, the base
rate), the customer states with their definitions in the shop's own numbers, the customers to
contact first (with the model's reasons and the recommended action), the measured effect of a
promotion against the save rates the playbook assumes, a plain-language model card (how often the model's top 10 % really
churned, against the simplest rule), the segments, the best sellers, promotions and the
campaign summary. Charts are inline SVG (`churnlens.report_svg`): the file runs no script,
loads nothing and opens offline. Sections whose table is missing are listed at the end
instead of failing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from churnlens import report_sections as rs
from churnlens import report_svg as svg
from churnlens import strings
from churnlens.config import ChurnlensConfig
from churnlens.errors import DataError
from churnlens.presentation import charts, i18n
from churnlens.provenance import last_ingest_time, results_dataset, stale_tables
from churnlens.report_churn import at_risk_section, model_card_section
from churnlens.report_decisions import states_section, uplift_section, window_section
from churnlens.report_parts import Labels, section, table
from churnlens.run_cutoff import recorded as recorded_cutoff
from churnlens.safe_paths import HTML_REPORT, check_output, open_warehouse, write_atomically
from churnlens.warehouse import Warehouse

SECTIONS = (
    "sales_monthly",
    "findings",
    "revenue_bridge",
    "actions",
    "churn_backtest",
    "segment_summary",
    "product_stats",
    "promo_roi",
    "campaign_summary",
)
KPIS = (
    ("revenue", "money"),
    ("orders", "count"),
    ("buyers", "count"),
    ("aov", "money"),
    ("failed_share", "pct"),
)
#: KPIs whose rise is bad news (shown in red when they go up).
BAD_WHEN_UP = {"failed_share"}
PRODUCT_ROWS = 10
PROMO_CODE_ROWS = 5
SEGMENT_COLUMNS = ("segment", "customers", "customer_share", "monetary_share", "mean_recency_days")
PRODUCT_COLUMNS = ("name", "revenue", "units", "orders", "growth")
PROMO_KPIS = (
    ("promo_orders", "count"),
    ("discount_cost", "money"),
    ("incremental_revenue", "money"),
    ("net", "money"),
)
PROMO_COLUMNS = ("promo_code", "orders", "customers", "revenue", "discount", "discount_depth")
BRIDGE_COLUMNS = ("component", "customers", "change")
CAMPAIGN_COLUMNS = (
    "action",
    "customers",
    "revenue_at_stake",
    "expected_saved_revenue",
    "cost",
    "expected_value",
)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("churnlens", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def kpi_section(lab: Labels, sales: pd.DataFrame) -> dict[str, Any]:
    sales = sales.sort_values("period_start")
    last = sales.iloc[-1]
    prev = sales.iloc[-2] if len(sales) > 1 else None
    cards = []
    for col, kind in KPIS:
        if col not in sales.columns:
            continue
        delta = i18n.fmt_delta_pct(last[col], prev[col], lab.lang) if prev is not None else None
        up = bool(delta) and delta.startswith("+")
        tone = (
            ""
            if not delta or delta.lstrip("+-").startswith("0.0")
            else ("good" if up != (col in BAD_WHEN_UP) else "bad")
        )
        cards.append(
            {"label": lab.label(col), "value": lab.value(last[col], kind), "delta": delta or "", "tone": tone}
        )
    period = i18n.fmt_month(last["period_start"], lab.lang)
    caption = (
        lab.t("kpi_help", period=period, previous=i18n.fmt_month(prev["period_start"], lab.lang))
        if prev is not None
        else period
    )
    return section("kpis", lab.t("kpis"), paragraphs=[caption], caption=True, cards=cards)


def findings_section(lab: Labels, findings: pd.DataFrame) -> dict[str, Any] | None:
    text = f"text_{lab.lang}" if f"text_{lab.lang}" in findings else "text_en"
    if text not in findings:
        return None
    rows = findings.sort_values("rank") if "rank" in findings else findings
    items = [{"label": lab.vlabel(r.get("severity", "")), "text": str(r[text])} for _, r in rows.iterrows()]
    return section("findings", lab.t("findings"), entries=items)


def sales_section(lab: Labels, sales: pd.DataFrame) -> dict[str, Any]:
    s = sales.sort_values("period_start")
    chart = svg.columns(
        [i18n.fmt_month(m, lab.lang) for m in s["period_start"]],
        [float(v) for v in s["revenue"].fillna(0.0)],
        lab.money,
        lab.label("revenue"),
        lab.t("report_axis_month"),
        lab.t("monthly_sales"),
    )
    return section("sales", lab.t("monthly_sales"), charts=[chart])


def bridge_section(lab: Labels, bridge: pd.DataFrame) -> dict[str, Any]:
    labels, values, measures = charts.bridge_parts(lab, bridge)
    chart = svg.waterfall(labels, values, measures, lab.money, lab.label("revenue"), lab.t("revenue_bridge"))
    parts = bridge[bridge["component"] != "total"]
    return section(
        "bridge",
        lab.t("revenue_bridge"),
        paragraphs=[lab.t("report_bridge_help")],
        charts=[chart],
        tables=[table(lab, parts, BRIDGE_COLUMNS)],
    )


def segments_section(lab: Labels, segments: pd.DataFrame) -> dict[str, Any]:
    charts_ = []
    if {"segment", "customers"} <= set(segments.columns):
        seg = segments.sort_values("customers", ascending=False)
        segments = seg
        charts_.append(
            svg.bars(
                [lab.vlabel(s) for s in seg["segment"]],
                [float(v) for v in seg["customers"]],
                lambda v: i18n.fmt_number(v, lab.lang),
                lab.label("customers"),
                lab.t("segments"),
            )
        )
    return section(
        "segments", lab.t("segments"), charts=charts_, tables=[table(lab, segments, SEGMENT_COLUMNS)]
    )


def products_section(lab: Labels, stats: pd.DataFrame, priced: bool) -> dict[str, Any] | None:
    measure = "revenue" if priced and "revenue" in stats else "units"
    top = rs.top_products(stats, measure, PRODUCT_ROWS)
    if top.empty:
        return None
    month = i18n.fmt_month(top["period_start"].iloc[0], lab.lang)
    return section(
        "products",
        lab.t("report_products", month=month),
        paragraphs=[lab.t("report_products_help", n=len(top), measure=lab.label(measure).lower())],
        tables=[table(lab, top, PRODUCT_COLUMNS)],
    )


def promotions_section(
    lab: Labels, roi: pd.DataFrame | None, codes: pd.DataFrame | None
) -> dict[str, Any] | None:
    cards, tables, paragraphs = [], [], []
    if roi is not None and len(roi):
        row = roi.iloc[0]
        cards = [
            {"label": lab.label(c), "value": lab.value(row[c], k), "delta": "", "tone": ""}
            for c, k in PROMO_KPIS
            if c in row.index
        ]
        paragraphs.append(lab.t("report_promo_roi", period=lab.t("period_all")))
    if codes is not None and len(codes) and {"orders", "promo_code"} <= set(codes.columns):
        period = "current" if "period" in codes and (codes["period"] == "current").any() else "all"
        part = codes[codes["period"] == period] if "period" in codes else codes
        part = part.sort_values(["orders", "promo_code"], ascending=[False, True]).head(PROMO_CODE_ROWS)
        shown = table(lab, part, PROMO_COLUMNS)
        shown["caption"] = lab.t("report_promo_codes", n=len(part), period=lab.t(f"period_{period}"))
        tables.append(shown)
    if not cards and not tables:
        return None
    return section(
        "promotions",
        lab.t("page_promotions"),
        paragraphs=paragraphs,
        caption=True,
        cards=cards,
        tables=tables,
    )


def header_notices(info: dict[str, Any], lab: Labels, runs: pd.DataFrame, present: set[str], db: str) -> list[str]:
    """Lines shown under the report's title, as plain text: results computed from older data
    than the last ingest are named, and a shop without a calendar says its dates are rebuilt
    (the run record's ``time_mode`` and ``snapshot_date``)."""
    notices = []
    stale = [t for t in stale_tables(runs) if t in present]
    if stale:
        notices.append(
            lab.t(
                "stale_results",
                count=len(stale),
                when=i18n.fmt_date(last_ingest_time(runs)[:10], lab.lang),
                command=f"churnlens run --db {db}",
                tables=", ".join(stale),
            )
        )
    if info.get("time_mode") == "relative":
        when = info.get("snapshot_date")
        notices.append(lab.t("relative_time", date=i18n.fmt_date(when, lab.lang) if when else "–"))
    return notices


def generated_line(lab: Labels, when: str, db: str, cutoff: str | None) -> str:
    """When and from which warehouse the report was made, and the run's cutoff its results share."""
    line = lab.t("report_generated", when=when, db=db)
    return line if not cutoff else f"{line} · {lab.t('report_cutoff', date=i18n.fmt_date(cutoff, lab.lang))}"


def build_report(wh: Warehouse, lang: str = "en") -> str:
    """The report's HTML for the warehouse's result tables, in ``lang`` (``en`` or ``ko``)."""
    runs = wh.runs()
    # Label the results with the data they were computed from, even after a later ingest.
    info = results_dataset(runs) or wh.dataset_info()
    priced = bool(info.get("prices", info.get("currency") is not None))
    lab = Labels(lang, info.get("currency") if priced else None)
    has = set(wh.tables())

    def read(name: str) -> pd.DataFrame | None:
        if name not in has:
            return None
        df = wh.to_pandas(name)
        df.attrs["table"] = name  # column formats come from the table's declaration
        return df

    sections: list[dict[str, Any] | None] = []
    sales = read("sales_monthly")
    if sales is not None and len(sales) and "period_start" in sales:
        sections.append(kpi_section(lab, sales))
    findings = read("findings")
    if findings is not None and len(findings):
        sections.append(findings_section(lab, findings))
    if sales is not None and len(sales) and {"period_start", "revenue"} <= set(sales.columns):
        sections.append(sales_section(lab, sales))
    bridge = read("revenue_bridge")
    if bridge is not None and len(bridge) and {"component", "change"} <= set(bridge.columns):
        sections.append(bridge_section(lab, bridge))
    actions = read("actions")
    sections.append(window_section(lab, read("churn_window")))
    sections.append(states_section(lab, read("customer_states"), actions))
    sections.append(at_risk_section(lab, actions, read("customer_scores")))
    sections.append(uplift_section(lab, read("promo_uplift"), actions))
    sections.append(model_card_section(lab, read("churn_backtest")))
    segments = read("segment_summary")
    if segments is not None and len(segments):
        sections.append(segments_section(lab, segments))
    stats = read("product_stats")
    if stats is not None:
        sections.append(products_section(lab, stats, priced))
    sections.append(promotions_section(lab, read("promo_roi"), read("promo_codes")))
    campaigns = read("campaign_summary")
    if campaigns is not None and len(campaigns):
        sections.append(
            section("campaigns", lab.t("campaign_summary"), tables=[table(lab, campaigns, CAMPAIGN_COLUMNS)])
        )
    missing = [t for t in SECTIONS if t not in has]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    db = Path(str(wh.path)).name if wh.path else "memory"
    return _ENV.get_template("report.html.j2").render(
        lang=lang,
        title=lab.t("report_title"),
        generated=generated_line(lab, when, db, recorded_cutoff(runs)),
        offline=lab.t("report_offline"),
        notices=header_notices(info, lab, runs, has, db),
        sections=[s for s in sections if s is not None],
        missing=lab.t("report_missing", tables=", ".join(missing)) if missing else "",
    )


def write_report(
    db: str | Path,
    out: str | Path,
    lang: str = "en",
    force: bool = False,
    engine: str = "duckdb",
    config: ChurnlensConfig | None = None,
) -> Path:
    """Read warehouse ``db`` (on ``engine``, with ``config``'s engine settings) read-only and
    write the report to ``out``.

    ``out`` never replaces the warehouse, a directory or a file that is not an HTML report
    unless ``force``; it is written under a temporary name and renamed (`churnlens.safe_paths`).
    """
    if lang not in strings.LANGS:
        raise DataError("Unknown report language.", values=[lang], fix=f"Use one of {list(strings.LANGS)}.")
    path = check_output(out, HTML_REPORT, force, reads=(db,))
    with open_warehouse(db, engine, config, read_only=True) as wh:
        text = build_report(wh, lang)
    return write_atomically(path, text.encode("utf-8"))
