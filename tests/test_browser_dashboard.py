"""The dashboard and the report in a real browser (Playwright with Debian's Chromium).

`churnlens serve` runs as a subprocess on a free 127.0.0.1 port; every page is opened in
English and Korean through the sidebar, must show its title and no error box, and is saved
as a screenshot under ``test-artifacts/``. Every request to a host other than 127.0.0.1 is
blocked and recorded: no page may make one (fonts, icons, scripts, tracking). The report must
draw its charts with the network blocked. `.ci/run` installs Chromium and the CJK fonts.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from conftest import REPO
from test_app_support import SHARED_BUILD, demo_warehouse

from churnlens import strings
from churnlens.app.views import PAGES
from churnlens.warehouse import Warehouse

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
    SHARED_BUILD,
]


def churnlens(*args: str) -> list[str]:
    return [sys.executable, "-c", "from churnlens.cli import main; main()", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def db() -> Path:
    return demo_warehouse()


@pytest.fixture(scope="module")
def server(db):
    port = free_port()
    env = {**os.environ, "CHURNLENS_PASSWORD": ""}
    proc = subprocess.Popen(
        churnlens("serve", "--db", str(db), "--port", str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.poll() is not None else ""
                pytest.fail(f"churnlens serve did not start: {out}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        (ARTIFACTS / "serve.log").parent.mkdir(exist_ok=True)
        (ARTIFACTS / "serve.log").write_text(out or "")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def offline_page(browser, **options):
    """A page whose requests to any host but this computer are blocked; returns (page, blocked)
    where ``blocked`` collects the URLs of those requests."""
    context = browser.new_context(**options)
    blocked: list[str] = []

    def outside(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS

    def guard(route):
        if outside(route.request.url):
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("websocket", lambda ws: blocked.append(ws.url) if outside(ws.url) else None)
    return page, blocked


def wait_until_idle(page) -> None:
    """Wait for the script run to finish and, for a while, for every chart to be drawn."""
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]\')'
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=30_000,
    )
    try:
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
            ".every(c => c.querySelector('.main-svg'))",
            timeout=10_000,
        )
    except Exception:  # noqa: BLE001 - a chart still drawing is not an error; the screenshot shows it
        pass
    page.wait_for_timeout(400)


def check_page(page, title: str) -> None:
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=30_000)
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page_in_the_browser(server, browser, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    page, outside = offline_page(browser, viewport={"width": 1400, "height": 2400})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    assert server.startswith("http://127.0.0.1:")
    page.goto(server)
    check_page(page, strings.tr("en", "page_overview"))
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    # the tab's icon is the package's own PNG, served by the dashboard itself
    assert urlsplit(icon).hostname in (None, "127.0.0.1") and icon.endswith(".png"), icon
    if lang == "ko":
        page.locator('[data-testid="stSidebar"]').get_by_text("한국어").click()
        check_page(page, strings.tr("ko", "page_overview"))
    for key in PAGES:
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=strings.tr(lang, f"page_{key}"))
        link.first.click()
        check_page(page, strings.tr(lang, f"page_{key}"))
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{key}-{lang}.png"), full_page=True)
    assert not errors, errors
    # no page asked for anything outside this computer (the page icon, fonts, scripts...)
    assert outside == [], outside
    page.context.close()


def test_pages_open_by_their_address(server, browser):
    page, outside = offline_page(browser, viewport={"width": 1400, "height": 1200})
    for key in PAGES:
        page.goto(f"{server}/{key}")
        check_page(page, strings.tr("en", f"page_{key}"))
        assert page.get_by_text("Page not found").count() == 0
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert [t.strip().splitlines()[-1] for t in nav] == [strings.tr("en", f"page_{k}") for k in PAGES]
    assert outside == [], outside
    page.context.close()


def test_campaign_download_is_a_safe_csv_with_korean(server, browser, db):
    """The dashboard's CSV download: UTF-8 with a byte-order mark, the Korean reasons as stored."""
    page, outside = offline_page(browser, viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page.goto(f"{server}/campaigns")
    check_page(page, strings.tr("en", "page_campaigns"))
    page.locator('[data-testid="stSidebar"]').get_by_text("한국어").click()
    check_page(page, strings.tr("ko", "page_campaigns"))
    with page.expect_download() as info:
        page.get_by_role("button", name=strings.tr("ko", "download_csv")).click()
    download = info.value
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    chosen = download.suggested_filename.removeprefix("action_").removesuffix(".csv")
    with Warehouse(db, read_only=True) as wh:
        stored = wh.to_pandas("actions")
    stored = stored[stored["action"].str.replace(" ", "_").str.replace("/", "_") == chosen]
    assert len(got) == len(stored) > 0
    assert set(got["action"]) == set(stored["action"])
    assert sorted(got["reason"]) == sorted(stored["reason_ko"])
    assert any("\uac00" <= ch <= "\ud7a3" for ch in "".join(got["reason"]))  # Hangul came through
    assert outside == [], outside
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_draws_its_charts_offline(db, browser, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"report-{lang}.html"
    r = subprocess.run(
        churnlens("report", "--db", str(db), "--out", str(out), "--lang", lang),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link " not in html
    charts = html.count('<svg class="chart"')
    assert charts >= 4  # sales, bridge, model card, segments
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []

    def block(route):
        requests.append(route.request.url)
        route.abort()

    page.route("http*://**/*", block)
    page.goto(out.resolve().as_uri())
    # every chart is drawn: its bars have a size on the page
    sizes = page.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(sizes) == charts and min(sizes) > 50, sizes
    assert page.locator("svg.chart rect").count() >= charts
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
    assert page.locator("h1").inner_text() == strings.tr(lang, "report_title")
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
    assert not requests, requests
    page.close()
