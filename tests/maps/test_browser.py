"""Generated web maps in a real browser: headless Debian Chromium driven by Playwright's Python client.

External requests of the online page are answered from local files (the CDN
scripts from the installed ``folium-offline`` package, tiles with a blank PNG);
anything else is refused. The offline page must render with every non-file
request refused, and make none.
"""

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geoairplan import datasets
from geoairplan.maps import style, web

pytestmark = pytest.mark.browser

EVIL = "<script>alert(1)</script> & co"


def _blank_png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


BLANK_PNG = _blank_png()


def _episode(towns):
    hours = pd.date_range("2024-01-15 08:00", periods=3, freq="h")
    rows = []
    for k, (_, t) in enumerate(towns.head(4).iterrows()):
        for h, ts in enumerate(hours):
            rows.append({"TOWNNAME": t.TOWNNAME, "time": ts, "level": "S1" if h == 2 else "none",
                         "geometry": t.geometry})
    return gpd.GeoDataFrame(rows, crs=4326)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The Pingtung test map, online and offline, with every kind of layer."""
    out = tmp_path_factory.mktemp("maps")
    towns = datasets.load_townships("屏東縣")
    # a square polygon (in TM2 metres) whose name is hostile, centred in 屏東市
    c = towns.to_crs(3826).set_index("TOWNNAME").geometry["屏東市"].representative_point()
    box = gpd.GeoDataFrame({"name": [EVIL], "level": ["S2"]},
                           geometry=[shapely.box(c.x - 1500, c.y - 1500, c.x + 1500, c.y + 1500)], crs=3826)
    m = web.web_map("屏東縣 瀏覽器測試", source="資料來源：測試 2024-01-15", county="屏東縣")
    web.add_time_slider(m, _episode(towns), time_col="time", color_col="level", name="預警時序",
                        tooltip_cols=["TOWNNAME", "level"], id_col="TOWNNAME")
    web.add_polygons(m, box, name="測試區", color_col="level", tooltip_cols="name",
                     popup_cols=["name", "level"], aliases={"name": "名稱"}, fill_opacity=0.8)
    pts = towns.set_geometry(towns.representative_point())
    web.add_points(m, pts, name="點", tooltip_col="TOWNNAME", cluster=True)
    web.add_level_legend(m)
    web.add_colorbar(m, "concentration", 0, 100, "PM2.5 (μg/m³)")
    on = web.save_map(m, out / "online.html")
    off = web.save_map(m, out / "offline.html", offline=True)
    return on["path"], off["path"], len(towns)


def _watch(page):
    log = {"errors": [], "requests": [], "dialogs": []}
    page.on("pageerror", lambda e: log["errors"].append(f"pageerror: {e}"))
    page.on("console", lambda msg: log["errors"].append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))
    return log


def test_online_page_renders_with_local_assets(browser, pages, test_output):
    online, _, n_towns = pages
    page = browser.new_page(viewport={"width": 1200, "height": 850})
    log = _watch(page)

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            return r.continue_()
        log["requests"].append(url)
        text = web.offline_asset(url)
        if text is not None:
            ctype = "text/css" if url.endswith(".css") else "application/javascript"
            return r.fulfill(status=200, body=text, headers={"content-type": ctype,
                                                             "access-control-allow-origin": "*"})
        if "basemaps.cartocdn.com" in url:
            return r.fulfill(status=200, body=BLANK_PNG, headers={"content-type": "image/png"})
        return r.abort()

    page.route("**/*", route)
    page.goto(online.as_uri())
    page.wait_for_selector(".leaflet-townships-pane path.leaflet-interactive")
    page.wait_for_timeout(300)
    assert log["errors"] == []
    assert any("leaflet.js" in u for u in log["requests"])
    # one SVG path per township in the township pane
    assert page.locator(".leaflet-townships-pane path.leaflet-interactive").count() == n_towns
    # legend, title and note visible
    level_legend = page.locator(".gap-legend", has_text="L1 初級預警")
    assert level_legend.count() == 1 and level_legend.is_visible()
    assert "S3 重度嚴重惡化" in level_legend.inner_text() and "資料不足" in level_legend.inner_text()
    assert page.locator(".gap-title").inner_text() == "屏東縣 瀏覽器測試"
    assert "資料來源" in page.locator(".gap-note").inner_text()
    assert page.locator(".leaflet-control-fullscreen, .leaflet-control-zoom-fullscreen").count() >= 1
    assert page.locator(".leaflet-control-scale").count() == 1
    page.screenshot(path=str(test_output / "maps_browser_online.png"))

    # click the hostile square: the popup shows the name literally, no script runs
    red = style.level_color("S2")
    sq = page.locator(f'.leaflet-overlay-pane path.leaflet-interactive[fill="{red}"]')
    assert sq.count() == 1
    bb = sq.bounding_box()
    page.mouse.click(bb["x"] + bb["width"] * 0.2, bb["y"] + bb["height"] * 0.2)  # off the point marker
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=3000)
    assert EVIL in popup.inner_text()
    assert popup.locator("script").count() == 0
    assert log["dialogs"] == []
    page.screenshot(path=str(test_output / "maps_browser_popup.png"))

    # the time slider recolours the features without reloading anything
    s1 = style.level_color("S1")
    assert page.locator(f'path[fill="{s1}"]').count() == 0
    page.evaluate("""() => { const r = document.querySelector('.gap-slider input[type=range]');
                             r.value = 2; r.dispatchEvent(new Event('input')); }""")
    assert page.locator(f'path[fill="{s1}"]').count() == 4
    assert "2024-01-15 10:00" in page.locator(".gap-slider").inner_text()
    assert log["errors"] == [] and log["dialogs"] == []
    page.close()


def test_offline_page_makes_no_request(browser, pages, test_output):
    _, offline, n_towns = pages
    page = browser.new_page(viewport={"width": 390, "height": 760})  # a phone
    log = _watch(page)

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            return r.continue_()
        log["requests"].append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(offline.as_uri())
    page.wait_for_selector(".leaflet-townships-pane path.leaflet-interactive")
    page.wait_for_timeout(300)
    assert log["requests"] == []
    assert log["errors"] == []
    assert page.locator(".leaflet-townships-pane path.leaflet-interactive").count() == n_towns
    assert page.locator(".leaflet-tile").count() == 0
    # on a phone the legends open where they fit (issue 11: they used to start folded), and fold on a tap
    legend = page.locator(".gap-legend details").first
    assert legend.is_visible() and legend.get_attribute("open") is not None
    legend.locator("summary").click()
    assert legend.get_attribute("open") is None
    legend.locator("summary").click()
    assert legend.get_attribute("open") is not None
    page.screenshot(path=str(test_output / "maps_browser_offline_phone.png"))
    page.close()


def test_demo_overview_pages_render(browser, tmp_path, test_output):
    from geoairplan.maps.overview import county_map, overview_map

    page = browser.new_page(viewport={"width": 1200, "height": 850})
    log = _watch(page)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else
               (log["requests"].append(r.request.url), r.abort()))
    for name, m, n in (("overview", overview_map(offline=True), sum(len(datasets.load_townships(c)) for c in
                                                                     datasets.SEED_COUNTIES)),
                       ("yunlin", county_map("雲林縣", offline=True), len(datasets.load_townships("雲林縣")))):
        path = web.save_map(m, tmp_path / f"{name}.html")["path"]
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-townships-pane path.leaflet-interactive")
        page.wait_for_timeout(200)
        assert page.locator(".leaflet-townships-pane path.leaflet-interactive").count() == n
        page.screenshot(path=str(test_output / f"maps_browser_{name}.png"))
    assert log["requests"] == [] and log["errors"] == []
    page.close()
