"""A real browser for the journeys: Debian's Chromium driven by Playwright,
with axe-core from node_modules for accessibility scans."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import ROOT, free_port

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_browser() -> None:
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `make test`, which installs it")


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve the app from a thread of this process on a free port."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def chromium_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-NZ", timezone_id="Europe/Berlin")
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()


def inject_axe(page: Any) -> None:
    """Load axe-core into the page. Evaluated through the debugging protocol rather
    than added as an inline ``<script>``, which the page's CSP refuses (as it should)."""
    page.evaluate(AXE.read_text())


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return its violations (WCAG 2.x A/AA)."""
    inject_axe(page)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    return [{"id": v["id"], "help": v["help"],
             "nodes": [n["html"] for n in v["nodes"]][:3]} for v in result["violations"]]
