"""The same comparison a year earlier: is a change the usual season or a real one?

With the current period a year earlier inside the data (13 months of history or more for the
default two-month periods), the revenue finding also compares the current period with the same
months a year before (``yoy``) and, when the base period a year earlier is there too, says how
the same two periods compared a year earlier (``change_year_before``). From ``sales_monthly``:

The *trend* is the shop's growth over the year (the geometric mean of the current and the base
period against the same months a year earlier), scaled to the months between the base and the
current period; the *season* is what a period change does beyond that trend. The season
*repeats* when, beyond the trend, the change is at least ``decline_threshold`` this year and
the same two periods a year earlier moved the same way by at least the threshold too.

- **seasonal**: the season repeats and against the same months a year earlier the change is
  below the threshold: "the usual season, not growth (not a decline)";
- **season_and_trend**: the season repeats, and against a year earlier the change is at least
  the threshold: "the usual season, on top of a real growth (decline) over the year";
- **real**: the season does not repeat (or there is no base a year earlier) and against a year
  earlier the change is at least the threshold the same way: "a real growth (decline), not the
  season";
- **not_season**: any other change of at least the threshold against the base period that
  the season does not repeat: "not the usual season";
- **year_change**: below the threshold against the base period, at least it against a year
  earlier: the change is over the year, not between these months;
- **steady**: neither change reaches the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from churnlens import strings
from churnlens.diagnosis.finding import Context, months_between
from churnlens.diagnosis.formats import pct, period_label
from churnlens.diagnosis.periods import add_months


@dataclass(frozen=True)
class YearBefore:
    change: float  # current against base, this year
    yoy: float  # current against the same months a year earlier
    change_year_before: float | None  # the same two periods a year earlier
    verdict: str  # seasonal, season_and_trend, real, not_season, year_change, steady
    current_label: dict[str, str]
    base_label: dict[str, str]

    def numbers(self) -> dict:
        return {
            "year_before_period": self.current_label["en"],
            "change_vs_year_before": self.yoy,
            "change_year_before": self.change_year_before,
            "season_verdict": self.verdict,
        }


def _signed(v: float) -> str:
    return ("+" if v >= 0 else "-") + pct(v)


def year_before(ctx: Context) -> YearBefore | None:
    """The comparison with a year earlier, or None when the data do not reach back that far."""
    m = ctx.tables.get("sales_monthly")
    if m is None or m.empty:
        return None
    p, thr = ctx.p, ctx.config.diagnosis.decline_threshold
    first = min(m.period_start).date() if hasattr(min(m.period_start), "date") else min(m.period_start)
    cs, ce = add_months(p.current_start, -12), add_months(p.current_end, -12)
    bs, be = add_months(p.base_start, -12), add_months(p.base_end, -12)
    if cs < first:
        return None

    def total(s, e) -> float:
        return float(months_between(m, "period_start", s, e).revenue_value.sum())

    cur, base, cur_ya = total(p.current_start, p.current_end), total(p.base_start, p.base_end), total(cs, ce)
    if not base or not cur_ya:
        return None
    base_ya = total(bs, be) if bs >= first else 0.0
    change, yoy = cur / base - 1, cur / cur_ya - 1
    before = cur_ya / base_ya - 1 if base_ya else None
    moved, trend = abs(change) >= thr, abs(yoy) >= thr
    repeats = False
    if before is not None:
        apart = (p.current_start.year - p.base_start.year) * 12 + p.current_start.month - p.base_start.month
        growth = ((cur / cur_ya) * (base / base_ya)) ** 0.5 if base_ya else 1.0 + yoy
        per_period = growth ** (apart / 12)
        now, then = (1 + change) / per_period - 1, (1 + before) / per_period - 1
        repeats = abs(now) >= thr and abs(then) >= thr and (now > 0) == (then > 0) == (change > 0)
    if repeats:
        verdict = "season_and_trend" if trend else "seasonal"
    elif moved and trend and (yoy > 0) == (change > 0):
        verdict = "real"
    elif moved:
        verdict = "not_season"
    else:
        verdict = "year_change" if trend else "steady"
    labels = {lang: period_label(cs, ce, lang) for lang in ("en", "ko")}
    base_labels = {lang: period_label(bs, be, lang) for lang in ("en", "ko")}
    return YearBefore(change, yoy, before, verdict, labels, base_labels)


def sentences(y: YearBefore, what: dict[str, str]) -> dict[str, str]:
    """The sentence that follows the revenue finding, in English and Korean; ``what["en"]`` is what
    is measured (``Revenue`` or ``Items sold``)."""
    then = ""
    if y.change_year_before is not None:
        base = strings.pair(y.base_label["en"], y.base_label["ko"])
        then = strings.both("finding_year_before_then", change=_signed(y.change_year_before), base=base)
    up = y.yoy > 0 if y.verdict == "season_and_trend" else y.change > 0
    if y.verdict in ("seasonal", "season_and_trend", "real"):
        verdict = strings.both(f"finding_season_{y.verdict}_{'up' if up else 'down'}", change=_signed(y.yoy))
    elif y.verdict == "steady":
        money = what["en"] == strings.tr("en", "finding_measure_money")
        verdict = strings.both(f"finding_season_steady_{'money' if money else 'items'}")
    else:
        verdict = strings.both(f"finding_season_{y.verdict}")
    period = strings.pair(y.current_label["en"], y.current_label["ko"])
    text = strings.both(
        "finding_year_before", period=period, change=_signed(y.yoy), then=then, verdict=verdict
    )
    return {"en": text.en, "ko": text.ko}
