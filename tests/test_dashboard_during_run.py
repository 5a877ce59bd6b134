"""The dashboard never holds the warehouse a run needs: with `churnlens serve` running and pages
being viewed, a run starts, publishes, and the next page view shows it."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
from test_browser_dashboard import ARGS, CHROMIUM, check_page, churnlens, free_port
from test_source_fashion_campus import write_shop

from churnlens import pipeline
from churnlens.ingest import ingest
from churnlens.presentation import i18n
from churnlens.warehouse import Warehouse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


def view(page) -> None:
    check_page(page, i18n.tr("en", "page_data"))


def stale_banner(page) -> bool:
    return page.get_by_text("Stale results", exact=False).count() > 0


def test_run_publishes_while_the_dashboard_is_viewed(tmp_path):
    from playwright.sync_api import sync_playwright

    shop, db = write_shop(tmp_path / "shop"), tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [shop], wh)
        pipeline.run(wh, only=["profile"])
        ingest("fashion-campus", [shop], wh)  # the profile is now stale
    port = free_port()
    proc = subprocess.Popen(
        churnlens("serve", "--db", str(db), "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "CHURNLENS_PASSWORD": ""},
    )
    url = f"http://127.0.0.1:{port}/data"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page()
            for _attempt in range(60):
                try:
                    page.goto(url)
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    page.wait_for_timeout(500)
            view(page)
            assert stale_banner(page)
            # Pages keep being viewed in another tab while the run works and publishes.
            viewer = browser.new_page()
            done = threading.Event()
            result: dict = {}

            def run() -> None:
                result["r"] = subprocess.run(
                    churnlens("run", "--db", str(db), "--only", "profile"), capture_output=True, text=True
                )
                done.set()

            # The run is a separate process; the browser is driven from this thread only.
            worker = threading.Thread(target=run)
            worker.start()
            views = 0
            while not done.is_set():
                viewer.goto(url)
                view(viewer)
                views += 1
            worker.join()
            r = result["r"]
            assert r.returncode == 0, r.stderr
            assert "Traceback" not in r.stderr and views >= 1
            page.reload()
            view(page)
            assert not stale_banner(page)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    with Warehouse(db, read_only=True) as wh:
        assert wh.runs()["kind"].tolist() == ["ingest", "run", "ingest", "run"]
