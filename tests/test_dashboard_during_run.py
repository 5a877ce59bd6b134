"""The dashboard never holds the warehouse a run needs: with `churnlens serve` running and pages
being viewed, a run starts, publishes, and the next page view shows it. A page first opened
while a run computes shows the previous run (the run computes apart from the warehouse), never
the "busy" notice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from test_browser_dashboard import ARGS, CHROMIUM, check_page, churnlens, free_port
from test_source_fashion_campus import write_shop

from churnlens import pipeline, strings
from churnlens.ingest import ingest
from churnlens.warehouse import Warehouse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (.ci/run installs it)"),
]


def view(page) -> None:
    check_page(page, strings.tr("en", "page_data"))


def stale_banner(page) -> bool:
    return page.get_by_text("Stale results", exact=False).count() > 0


def serve_a_stale_run(tmp_path):
    """A warehouse whose one run (the profile) is stale after a second ingest, served by
    `churnlens serve` in a subprocess: (warehouse path, port, server process)."""
    shop, db = write_shop(tmp_path / "shop"), tmp_path / "w.duckdb"
    with Warehouse(db) as wh:
        ingest("fashion-campus", [shop], wh)
        pipeline.run(wh, only=["profile"])
        ingest("fashion-campus", [shop], wh)  # the run is now stale: its banner shows it
    port = free_port()
    proc = subprocess.Popen(
        churnlens("serve", "--db", str(db), "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "CHURNLENS_PASSWORD": ""},
    )
    return db, port, proc


def test_run_publishes_while_the_dashboard_is_viewed(tmp_path):
    from playwright.sync_api import sync_playwright

    db, port, proc = serve_a_stale_run(tmp_path)
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


#: A run whose profile stage takes ``argv[3]`` seconds longer, saying in ``argv[2]`` when it
#: computes and when it has ended: the window in which a page is first opened.
SLOW_RUN = """
import sys, time
from pathlib import Path
from churnlens import pipeline
from churnlens.warehouse import Warehouse
db, marker, pause = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
profile = next(s for s in pipeline.STAGES if s.name == "profile")
def slow(wh, config):
    marker.write_text("computing")
    time.sleep(pause)
    return profile.run(wh, config)
pipeline.STAGES = [pipeline.StageDef(s.decl, slow) if s is profile else s for s in pipeline.STAGES]
with Warehouse(db) as wh:
    pipeline.run(wh, only=["profile"])
marker.write_text("done")
"""


def test_a_page_first_opened_mid_run_shows_the_previous_run(tmp_path):
    from playwright.sync_api import sync_playwright

    db, port, proc = serve_a_stale_run(tmp_path)
    marker = tmp_path / "run.state"
    run = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for _attempt in range(120):  # the server is up; no page has been viewed (nothing cached)
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5).close()
                    break
                except OSError:
                    time.sleep(0.5)
            run = subprocess.Popen(
                [sys.executable, "-c", SLOW_RUN, str(db), str(marker), "40"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _wait in range(600):
                if marker.exists():
                    break
                time.sleep(0.1)
            assert marker.read_text() == "computing"
            # The first page view of the server: every query it makes is first seen now.
            fresh = browser.new_page()
            fresh.goto(f"http://127.0.0.1:{port}/data")
            view(fresh)
            busy = strings.tr("en", "db_busy", path="w.duckdb", error="").split("(")[0]
            assert fresh.get_by_text(busy, exact=False).count() == 0
            assert stale_banner(fresh)  # the previous run's results, read while the run computes
            assert marker.read_text() == "computing", "the page was not opened while the run computed"
            assert run.wait(timeout=300) == 0, run.stderr.read()
            assert marker.read_text() == "done"
            fresh.reload()
            view(fresh)
            assert not stale_banner(fresh)
            browser.close()
    finally:
        if run is not None and run.poll() is None:
            run.kill()
            run.wait()
        proc.terminate()
        proc.wait(timeout=15)
    with Warehouse(db, read_only=True) as wh:
        assert wh.runs()["kind"].tolist() == ["ingest", "run", "ingest", "run"]
