"""A shareable report: one self-contained HTML file with the shop's key results.

`build_report(warehouse, lang)` reads result tables only (never recomputes) and returns the
HTML, rendered from the Jinja2 template ``churnlens/templates/report.html.j2`` with every value
escaped: the KPIs of the last month against the month before, the findings, monthly sales and
the revenue bridge, the customers to contact first (with the model's reasons and the
recommended action), a plain-language model card (how often the model's top 10 % really
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
from churnlens.app import charts, i18n
from churnlens.errors import DataError
from churnlens.provenance import last_ingest_time, results_dataset, stale_tables
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
AT_RISK_ROWS = 20
PRODUCT_ROWS = 10
PROMO_CODE_ROWS = 5
SEGMENT_COLUMNS = ("segment", "customers", "customer_share", "monetary_share", "mean_recency_days")
PRODUCT_COLUMNS = ("name", "revenue", "units", "orders", "growth")
PROMO_KPIS = (("promo_orders", "count"), ("discount_cost", "money"), ("incremental_revenue", "money"), ("net", "money"))
PROMO_COLUMNS = ("promo_code", "orders", "customers", "revenue", "discount", "discount_depth")
BRIDGE_COLUMNS = ("component", "customers", "change")
CAMPAIGN_COLUMNS = ("action", "customers", "revenue_at_stake", "expected_saved_revenue", "cost", "expected_value")

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("churnlens", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class _Labels:
    """Strings and formats of one language (also the ``ctx`` the shared chart helpers take)."""

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

    def pct(self, x: Any) -> str:
        return i18n.fmt_pct(x, self.lang)

    def money(self, x: float) -> str:
        return i18n.fmt_money(x, self.lang, self.currency)


def _section(sid: str, title: str, **parts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sid, "title": title, "caption": False}
    for key in ("paragraphs", "cards", "entries", "figures", "charts", "tables", "notes"):
        out[key] = parts.get(key) or []
    out["caption"] = bool(parts.get("caption"))
    return out


def _kind(column: str, series: pd.Series, table: str | None = None) -> str:
    """The column's format, from its table's declaration; day counts (``mean_recency_days``)
    are shown in whole days."""
    kind = i18n.column_kind(column, series, table)
    return "count" if kind == "float" and column.endswith("_days") else kind


def table(lab: _Labels, df: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Headers and cells of ``df``'s ``columns`` (those it has) in ``lab``'s language."""
    cols = [c for c in columns if c in df.columns and c not in i18n.HIDDEN_COLUMNS]
    kinds = {c: _kind(c, df[c], df.attrs.get("table")) for c in cols}
    headers = [{"text": lab.label(c), "num": kinds[c] != "text"} for c in cols]
    rows = []
    for _, r in df[cols].iterrows():
        rows.append(
            [
                {
                    "text": lab.vlabel(r[c]) if kinds[c] == "text" else lab.value(r[c], kinds[c]),
                    "num": kinds[c] != "text",
                }
                for c in cols
            ]
        )
    return {"headers": headers, "rows": rows}


def kpi_section(lab: _Labels, sales: pd.DataFrame) -> dict[str, Any]:
    sales = sales.sort_values("period_start")
    last = sales.iloc[-1]
    prev = sales.iloc[-2] if len(sales) > 1 else None
    cards = []
    for col, kind in KPIS:
        if col not in sales.columns:
            continue
        delta = i18n.fmt_delta_pct(last[col], prev[col], lab.lang) if prev is not None else None
        up = bool(delta) and delta.startswith("+")
        tone = "" if not delta or delta.lstrip("+-").startswith("0.0") else ("good" if up != (col in BAD_WHEN_UP) else "bad")
        cards.append({"label": lab.label(col), "value": lab.value(last[col], kind), "delta": delta or "", "tone": tone})
    period = i18n.fmt_month(last["period_start"], lab.lang)
    caption = (
        lab.t("kpi_help", period=period, previous=i18n.fmt_month(prev["period_start"], lab.lang))
        if prev is not None
        else period
    )
    return _section("kpis", lab.t("kpis"), paragraphs=[caption], caption=True, cards=cards)


def findings_section(lab: _Labels, findings: pd.DataFrame) -> dict[str, Any] | None:
    text = f"text_{lab.lang}" if f"text_{lab.lang}" in findings else "text_en"
    if text not in findings:
        return None
    rows = findings.sort_values("rank") if "rank" in findings else findings
    items = [{"label": lab.vlabel(r.get("severity", "")), "text": str(r[text])} for _, r in rows.iterrows()]
    return _section("findings", lab.t("findings"), entries=items)


def sales_section(lab: _Labels, sales: pd.DataFrame) -> dict[str, Any]:
    s = sales.sort_values("period_start")
    chart = svg.columns(
        [i18n.fmt_month(m, lab.lang) for m in s["period_start"]],
        [float(v) for v in s["revenue"].fillna(0.0)],
        lab.money,
        lab.label("revenue"),
        lab.t("report_axis_month"),
        lab.t("monthly_sales"),
    )
    return _section("sales", lab.t("monthly_sales"), charts=[chart])


def bridge_section(lab: _Labels, bridge: pd.DataFrame) -> dict[str, Any]:
    labels, values, measures = charts.bridge_parts(lab, bridge)
    chart = svg.waterfall(labels, values, measures, lab.money, lab.label("revenue"), lab.t("revenue_bridge"))
    parts = bridge[bridge["component"] != "total"]
    return _section(
        "bridge",
        lab.t("revenue_bridge"),
        paragraphs=[lab.t("report_bridge_help")],
        charts=[chart],
        tables=[table(lab, parts, BRIDGE_COLUMNS)],
    )


def at_risk_section(lab: _Labels, actions: pd.DataFrame | None, scores: pd.DataFrame | None) -> dict[str, Any] | None:
    rows = rs.at_risk(actions, scores, AT_RISK_ROWS)
    if rows.empty:
        return None
    ko = lab.lang == "ko"
    why_col = "reasons_ko" if ko and "reasons_ko" in rows else "reasons"
    act_col = "reason_ko" if ko and "reason_ko" in rows else "reason"
    shown = [
        ("customer_id", "text"),
        ("churn_probability", "pct"),
        ("value", "money"),
        ("days_since_last_order", "count"),
    ]
    shown = [(c, k) for c, k in shown if c in rows]
    names = {"days_since_last_order": lab.t("report_days_since")}
    headers = [{"text": names.get(c) or lab.label(c), "num": k != "text"} for c, k in shown]
    headers += [{"text": lab.t("report_why"), "num": False}, {"text": lab.t("report_action"), "num": False}]
    body = []
    for _, r in rows.iterrows():
        cells = [{"text": lab.value(r[c], k) if k != "text" else str(r[c]), "num": k != "text"} for c, k in shown]
        why = [p.strip() for p in str(r.get(why_col) or "").split(";") if p.strip()]
        action = [lab.vlabel(r["action"])] if "action" in rows and pd.notna(r["action"]) else []
        if act_col in rows and pd.notna(r.get(act_col)):
            action.append(str(r[act_col]))
        cells += [{"lines": why, "num": False, "cls": "why"}, {"lines": action, "num": False, "cls": "action"}]
        body.append(cells)
    intro = lab.t("report_at_risk_saveable" if "state" in rows else "report_at_risk_all", n=len(rows))
    return _section("at-risk", lab.t("report_at_risk"), paragraphs=[intro], tables=[{"headers": headers, "rows": body}])


def _rule_name(lab: _Labels, rule: str) -> str:
    key = f"report_rule_{rule}"
    text = lab.t(key)
    return rule if text == key else text


def model_card_section(lab: _Labels, backtest: pd.DataFrame | None) -> dict[str, Any] | None:
    card = rs.model_card(backtest)
    if card is None:
        return None
    when = i18n.fmt_date(card.cutoff[:10], lab.lang) if card.cutoff[:4].isdigit() else card.cutoff
    paragraphs = [lab.t("report_card_test", customers=i18n.fmt_number(card.customers), date=when)]
    figures = [{"figure": lab.pct(card.model_hit), "text": lab.t("report_card_model")}]
    bars = [(lab.t("report_card_bar_model"), card.model_hit)]
    if card.rule is not None and card.rule_hit is not None:
        rule = _rule_name(lab, card.rule)
        figures.append({"figure": lab.pct(card.rule_hit), "text": lab.t("report_card_rule", rule=rule)})
        bars.append((lab.t("report_card_bar_rule"), card.rule_hit))
    figures.append({"figure": lab.pct(card.churn_rate), "text": lab.t("report_card_base")})
    figures.append({"figure": lab.pct(card.capture), "text": lab.t("report_card_capture")})
    bars.append((lab.t("report_card_bar_all"), card.churn_rate))
    if card.rule_hit is not None:
        diff = round((card.model_hit - card.rule_hit) * 100, 1)
        key = "report_card_better" if diff > 0 else "report_card_worse" if diff < 0 else "report_card_same"
        paragraphs.append(lab.t(key, diff=f"{abs(diff):.1f}"))
    if card.auc_diff is not None and card.auc is not None and card.best_auc is not None:
        better = card.auc_low is not None and card.auc_low > 0
        paragraphs.append(
            lab.t(
                "report_card_auc",
                auc=lab.pct(card.auc),
                rule=_rule_name(lab, card.best_baseline or ""),
                best=lab.pct(card.best_auc),
                diff=f"{card.auc_diff * 100:+.1f}",
                low=f"{(card.auc_low or 0) * 100:+.1f}",
                high=f"{(card.auc_high or 0) * 100:+.1f}",
            )
            + " "
            + lab.t("report_card_measurably_better" if better else "report_card_not_better")
        )
    chart = svg.bars(
        [b[0] for b in bars],
        [b[1] for b in bars],
        lab.pct,
        lab.t("report_card_chart"),
        lab.t("report_model_card"),
        tick_fmt=lambda v: i18n.fmt_pct(v, lab.lang, 0),
    )
    return _section("model-card", lab.t("report_model_card"), paragraphs=paragraphs, figures=figures, charts=[chart])


def segments_section(lab: _Labels, segments: pd.DataFrame) -> dict[str, Any]:
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
    return _section("segments", lab.t("segments"), charts=charts_, tables=[table(lab, segments, SEGMENT_COLUMNS)])


def products_section(lab: _Labels, stats: pd.DataFrame, priced: bool) -> dict[str, Any] | None:
    measure = "revenue" if priced and "revenue" in stats else "units"
    top = rs.top_products(stats, measure, PRODUCT_ROWS)
    if top.empty:
        return None
    month = i18n.fmt_month(top["period_start"].iloc[0], lab.lang)
    return _section(
        "products",
        lab.t("report_products", month=month),
        paragraphs=[lab.t("report_products_help", n=len(top), measure=lab.label(measure).lower())],
        tables=[table(lab, top, PRODUCT_COLUMNS)],
    )


def promotions_section(lab: _Labels, roi: pd.DataFrame | None, codes: pd.DataFrame | None) -> dict[str, Any] | None:
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
    return _section("promotions", lab.t("page_promotions"), paragraphs=paragraphs, caption=True, cards=cards, tables=tables)


def header_notices(wh: Warehouse, lab: _Labels, runs: pd.DataFrame) -> list[str]:
    """Lines shown under the report's title (each escaped, as plain text): results computed
    from older data than the last ingest are named."""
    has = set(wh.tables())
    stale = [t for t in stale_tables(runs) if t in has]
    if not stale:
        return []
    db = Path(str(wh.path)).name if wh.path else "memory"
    return [
        lab.t(
            "stale_results",
            count=len(stale),
            when=i18n.fmt_date(last_ingest_time(runs)[:10], lab.lang),
            command=f"churnlens run --db {db}",
            tables=", ".join(stale),
        )
    ]


def build_report(wh: Warehouse, lang: str = "en") -> str:
    """The report's HTML for the warehouse's result tables, in ``lang`` (``en`` or ``ko``)."""
    runs = wh.runs()
    # Label the results with the data they were computed from, even after a later ingest.
    info = results_dataset(runs) or wh.dataset_info()
    priced = bool(info.get("prices", info.get("currency") is not None))
    lab = _Labels(lang, info.get("currency") if priced else None)
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
    sections.append(at_risk_section(lab, read("actions"), read("customer_scores")))
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
        sections.append(_section("campaigns", lab.t("campaign_summary"), tables=[table(lab, campaigns, CAMPAIGN_COLUMNS)]))
    missing = [t for t in SECTIONS if t not in has]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    db = Path(str(wh.path)).name if wh.path else "memory"
    return _ENV.get_template("report.html.j2").render(
        lang=lang,
        title=lab.t("report_title"),
        generated=lab.t("report_generated", when=when, db=db),
        offline=lab.t("report_offline"),
        notices=header_notices(wh, lab, runs),
        sections=[s for s in sections if s is not None],
        missing=lab.t("report_missing", tables=", ".join(missing)) if missing else "",
    )


def write_report(db: str | Path, out: str | Path, lang: str = "en", force: bool = False) -> Path:
    """Read warehouse ``db`` read-only and write the report to ``out``.

    ``out`` never replaces the warehouse, a directory or a file that is not an HTML report
    unless ``force``; it is written under a temporary name and renamed (`churnlens.safe_paths`).
    """
    if lang not in i18n.LANGS:
        raise DataError("Unknown report language.", values=[lang], fix=f"Use one of {list(i18n.LANGS)}.")
    path = check_output(out, HTML_REPORT, force, reads=(db,))
    with open_warehouse(db, read_only=True) as wh:
        text = build_report(wh, lang)
    return write_atomically(path, text.encode("utf-8"))
