"""Shared browser fixtures for the web-map tests: one headless Debian Chromium per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _blank_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Playwright), shared by every browser test of the session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_test_deps.sh (installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright's Python client is missing: run scripts/install_test_deps.sh")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _local_route(log: dict | None = None):
    """A Playwright route handler: CDN scripts from ``folium-offline``, blank tiles, everything else refused."""
    from geoairplan.maps import web

    blank = _blank_png()

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:")):
            return r.continue_()
        if log is not None:
            log.setdefault("requests", []).append(url)
        text = web.offline_asset(url)
        if text is not None:
            ctype = "text/css" if url.endswith(".css") else "application/javascript"
            return r.fulfill(status=200, body=text, headers={"content-type": ctype,
                                                             "access-control-allow-origin": "*"})
        if "basemaps.cartocdn.com" in url:
            return r.fulfill(status=200, body=blank, headers={"content-type": "image/png"})
        return r.abort()

    return route


@pytest.fixture(scope="session")
def local_route():
    """``local_route(log=None)`` → a route handler (see :func:`_local_route`)."""
    return _local_route
