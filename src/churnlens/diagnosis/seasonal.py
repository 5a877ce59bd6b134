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

from churnlens.diagnosis.finding import Context, months_between
from churnlens.diagnosis.i18n import pct, period_label
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
    """The sentence that follows the revenue finding, in English and Korean."""
    en = f"Against {y.current_label['en']}, a year earlier, it is {_signed(y.yoy)}"
    ko = f"1년 전 {y.current_label['ko']} 대비로는 {_signed(y.yoy)}입니다"
    if y.change_year_before is not None:
        en += f" (a year earlier those months were {_signed(y.change_year_before)} against {y.base_label['en']})"
        ko += f" (1년 전에도 같은 기간이 {y.base_label['ko']} 대비 {_signed(y.change_year_before)})"
    up, year_up = y.change > 0, y.yoy > 0
    verdict = {
        "seasonal": (
            f"the usual season, not {'growth' if up else 'a decline'}",
            f"{'성장' if up else '감소'}이 아니라 평소의 계절 변동입니다",
        ),
        "season_and_trend": (
            f"the usual season, on top of a real {'growth' if year_up else 'decline'} of "
            f"{_signed(y.yoy)} over the year",
            f"평소의 계절 변동에 더해 1년 사이 실제로 {_signed(y.yoy)} {'성장' if year_up else '감소'}했습니다",
        ),
        "real": (
            f"a real {'growth' if up else 'decline'}, not the season",
            f"계절 변동이 아닌 실제 {'성장' if up else '감소'}입니다",
        ),
        "not_season": ("not the usual season", "평소의 계절 변동이 아닙니다"),
        "year_change": (
            "the change is over the year, not between these months",
            "변화는 이 기간 사이가 아니라 1년 사이에 일어났습니다",
        ),
        "steady": (f"{what['en'].lower()} is steady against last year too", "작년 대비로도 안정적입니다"),
    }[y.verdict]
    return {"en": f"{en}: {verdict[0]}.", "ko": f"{ko}: {verdict[1]}."}
