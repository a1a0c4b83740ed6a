"""The siting and probability web maps in a real browser (headless Debian Chromium via Playwright), offline."""

import pytest

from geoairplan.cli import main

pytestmark = pytest.mark.browser

# the session-wide `browser` fixture of tests/maps/conftest.py (one Chromium for every browser test)


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1200, "height": 850})
    log = {"errors": [], "requests": []}
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else
               (log["requests"].append(r.request.url), r.abort()))
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-image-layer")
    page.wait_for_timeout(300)
    return page, log


def test_siting_map_renders_offline_with_both_variance_layers(browser, tmp_path, test_output):
    out = tmp_path / "s"
    assert main(["site", "--county", "屏東縣", "--add", "2", "--cell", "3000", "--out", str(out), "--offline"]) == 0
    page, log = _open(browser, out / "siting_map.html")
    assert log["requests"] == [] and log["errors"] == []
    assert page.locator(".leaflet-image-layer").count() == 1          # "after" shown, "before" in the control
    text = page.locator(".leaflet-control-layers").text_content()
    assert "Kriging SD, existing stations" in text and "Kriging SD with the new sites" in text
    assert "Ranked new sites" in text
    page.screenshot(path=str(test_output / "maps_browser_siting.png"))
    page.close()


def test_probability_layers_switch_on_in_the_browser(browser, tmp_path, test_output):
    out = tmp_path / "p"
    assert main(["interpolate", "data/scenario/episode_scenario.csv", "--pollutant", "pm2.5", "--method", "kriging",
                 "--hour", "2025-01-16 14:00", "--county", "屏東縣", "--cell", "3000", "--confidence", "0.8",
                 "--out", str(out), "--offline"]) == 0
    page, log = _open(browser, out / "pm25_kriging_map.html")
    assert log["requests"] == [] and log["errors"] == []
    labels = page.locator(".leaflet-control-layers-overlays label")
    names = [labels.nth(i).inner_text() for i in range(labels.count())]
    prob = [i for i, n in enumerate(names) if "Exceedance probability, model-based" in n]
    assert len(prob) == 5
    before = page.locator(".leaflet-image-layer").count()
    page.locator(".leaflet-control-layers").hover()
    labels.nth(prob[0]).locator("input").check()
    page.wait_for_timeout(200)
    assert page.locator(".leaflet-image-layer").count() == before + 1
    page.screenshot(path=str(test_output / "maps_browser_probability.png"))
    page.close()
