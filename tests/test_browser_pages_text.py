"""What a reader sees on every dashboard page, in a real browser (Playwright with Debian's
Chromium), in English and Korean; and a customer in a list opens Customer 360 on that customer.

Every page's visible text has no "None", "nan" or number with more than two decimals; every
chart with axes titles them; nothing is wider than a 1440-pixel window; a Korean page shows no
snake_case code (result table names on the Data page excepted: they are what the CLI takes).
"""

from __future__ import annotations

import re

import pytest
import test_browser_dashboard as dashboard
from test_app_support import SHARED_BUILD
from test_browser_dashboard import CHROMIUM, check_page, offline_page

from churnlens import strings
from churnlens.app.views import PAGES as PAGE_MODULES

# The same fixtures as the whole-dashboard test: the demo warehouse, one server, one browser.
db = dashboard.db
server = dashboard.server
browser = dashboard.browser

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
    SHARED_BUILD,
]

PAGES = tuple(PAGE_MODULES)
WIDTH = 1440

#: Visible text of the page (icons' ligature names left out), each chart's axes and titles,
#: and the elements that stick out of the window (inside a scrolling box is fine).
PROBE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const clone = main.cloneNode(true);
  clone.querySelectorAll('[data-testid="stIconMaterial"], .material-symbols-rounded').forEach(e => e.remove());
  document.body.appendChild(clone); clone.style.position = 'absolute'; clone.style.left = '-99999px';
  const text = clone.innerText; clone.remove();
  const charts = [...main.querySelectorAll('.js-plotly-plot')].map(el => {
    const L = el._fullLayout || {};
    const cartesian = (el._fullData || []).some(t => ['bar', 'scatter', 'heatmap', 'waterfall'].includes(t.type));
    const untitled = Object.keys(L).filter(k => /^[xy]axis\\d*$/.test(k)).filter(k => {
      const t = L[k].title && L[k].title.text;
      return L[k].visible !== false && (!t || t.startsWith('Click to enter'));
    });
    return {cartesian, untitled};
  });
  const vw = document.documentElement.clientWidth;
  const clipped = e => { for (let p = e.parentElement; p && p !== main; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= vw + 1) return true; }
    return false; };
  const wide = [...main.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > vw + 1 && !clipped(e);
  }).map(e => (e.getAttribute('data-testid') || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right));
  return {text, charts, wide, vw};
}"""
RAW = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\d\.\d{3,}")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def seen(server, browser, lang: str) -> dict[str, dict]:
    page, outside = offline_page(browser, viewport={"width": WIDTH, "height": 1200})
    page.goto(server)
    check_page(page, strings.tr("en", "page_overview"))
    if lang == "ko":
        page.locator('[data-testid="stSidebar"]').get_by_text("한국어").click()
        check_page(page, strings.tr("ko", "page_overview"))
    found = {}
    for key in PAGES:
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=strings.tr(lang, f"page_{key}"))
        link.first.click()
        check_page(page, strings.tr(lang, f"page_{key}"))
        if key != "data":  # charts are drawn after the page's scripts are idle: wait for one
            page.locator('[data-testid="stMain"] .js-plotly-plot').first.wait_for(timeout=30_000)
        found[key] = page.evaluate(PROBE)
    assert outside == [], outside
    page.context.close()
    return found


@pytest.mark.slow  # about 40 s per language after the demo warehouse is built
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_pages_read_plainly(server, browser, db, lang):
    found = seen(server, browser, lang)
    for key, got in found.items():
        assert got["vw"] == WIDTH
        assert got["charts"] or key == "data", f"{key}: no chart drawn"
        assert not RAW.findall(got["text"]), (key, RAW.findall(got["text"]))
        untitled = [c["untitled"] for c in got["charts"] if c["cartesian"] and c["untitled"]]
        assert not untitled, (key, untitled)
        assert not got["wide"], (key, got["wide"])
    if lang == "ko":
        from churnlens.warehouse import Warehouse

        with Warehouse(db, read_only=True) as wh:
            table_names = set(wh.tables())
        for key, got in found.items():
            codes = set(SNAKE.findall(got["text"])) - (table_names if key == "data" else set())
            assert not codes, (key, sorted(codes))
        # the KPI comparison reads as Korean: particles chosen, no "을(를)" left
        assert "을(를)" not in found["overview"]["text"] and "와(과)" not in found["overview"]["text"]
        assert "비교했습니다" in found["overview"]["text"]


@pytest.mark.slow
def test_a_customer_link_opens_customer_360_on_that_customer(server, browser, db):
    """The address every listed customer links to (a relative link from any page) opens
    Customer 360 on that customer."""
    from churnlens.app.widgets import customer_link
    from churnlens.warehouse import Warehouse

    with Warehouse(db, read_only=True) as wh:
        customer = str(wh.to_pandas("customer_value")["customer_id"].iloc[-1])
    page, outside = offline_page(browser, viewport={"width": WIDTH, "height": 1200})
    page.goto(f"{server}/{customer_link(customer)}")
    check_page(page, strings.tr("en", "page_customer360"))
    assert page.get_by_test_id("stTextInputField").first.input_value() == customer
    page.locator('[data-testid="stMain"] .js-plotly-plot').first.wait_for(timeout=30_000)
    assert outside == [], outside
    page.context.close()
