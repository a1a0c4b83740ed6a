"""Web maps as their users meet them (issue 11, "Layout and use"), in headless Chromium.

Every demo map and the README command maps are opened at 1280×800 and 390×844 and
screenshotted into ``test-output/layout_*.png``. Geometry, not eyes: the bounding
boxes of the controls (title, legends, note, scale, attribution, slider, buttons)
do not intersect, and they cover at most ``MAX_COVER`` of the mapped area's box
(the county's box, as the map was fitted). Embeds scroll the page, a reset button
returns to the initial view, the township search and the data download work.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SIZES = ((1280, 800), (390, 844))
#: Largest share of the county's bounding box (as the map fits it) that controls may cover.
MAX_COVER = 0.02

GEOM = """() => {
 const m = GAP.map, c = m.getContainer().getBoundingClientRect(), b = m._gapBounds;
 const p1 = m.latLngToContainerPoint(b.getNorthWest()), p2 = m.latLngToContainerPoint(b.getSouthEast());
 const els = [...m.getContainer().querySelectorAll('.leaflet-control, .gap-title')].map(e => {
   const r = e.getBoundingClientRect();
   return {cls: e.className, x: r.left, y: r.top, w: r.width, h: r.height}; }).filter(r => r.w && r.h);
 return {box: {x: p1.x + c.left, y: p1.y + c.top, w: p2.x - p1.x, h: p2.y - p1.y}, els: els,
         view: {w: c.width, h: c.height}, zoom: m.getZoom(),
         legends: [...m.getContainer().querySelectorAll('.gap-legend details')].map(d => d.open)};
}"""


def _inter(a, b):
    ix = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    iy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return max(0.0, ix) * max(0.0, iy)


def check_layout(g) -> list[str]:
    """Problems of one page's geometry (empty when the layout holds)."""
    bad = []
    els = g["els"]
    for i, a in enumerate(els):
        if a["x"] < -1 or a["y"] < -1 or a["x"] + a["w"] > g["view"]["w"] + 1 or a["y"] + a["h"] > g["view"]["h"] + 1:
            bad.append(f"{a['cls']} leaves the map")
        for b in els[i + 1:]:
            if _inter(a, b) > 1.0:
                bad.append(f"{a['cls']} overlaps {b['cls']}")
    box = g["box"]
    cover = sum(_inter(box, e) for e in els) / (box["w"] * box["h"])
    if cover > MAX_COVER:
        bad.append(f"controls cover {cover:.1%} of the county's box")
    return bad


def _map_pages(out: Path) -> list[Path]:
    """The web maps (Leaflet pages) under ``out``; plain report pages such as backtest.html are not maps."""
    return sorted(p for p in out.rglob("*.html") if not p.name.endswith(".embed.html")
                  and p.name not in ("index.html", "host_page.html")
                  and "L.map(" in p.read_text(encoding="utf-8", errors="ignore"))


@pytest.fixture(scope="module")
def demo_maps(tmp_path_factory):
    """The demo map set (``geoairplan demo``) and the README's hotspots command without --county."""
    import os

    from geoairplan.cli import main

    if os.environ.get("GEOAIRPLAN_DEMO_DIR"):  # reuse a demo built before (geoairplan demo --out DIR)
        out = Path(os.environ["GEOAIRPLAN_DEMO_DIR"])
        return out, _map_pages(out)
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out / "demo"), "--quiet"]) == 0
    root = Path(__file__).resolve().parents[2]
    assert main(["hotspots", str(root / "data/scenario/sources_scenario.csv"), "--grid", "1000",
                 "--out", str(out / "readme_grid")]) == 0
    pages = _map_pages(out)
    assert len(pages) >= 12
    return out, pages


def _open(browser, path, size, local_route):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    log = {"errors": []}
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.route("**/*", local_route(log))
    page.goto(path.as_uri())
    page.wait_for_function("() => window.GAP && GAP.map && GAP.map._gapView")
    page.wait_for_timeout(250)
    return page, log


def test_every_demo_map_holds_its_layout_on_phone_and_desktop(browser, local_route, demo_maps, test_output):
    out, pages = demo_maps
    problems = []
    for path in pages:
        name = "_".join(path.relative_to(out).with_suffix("").parts)
        for size in SIZES:
            page, log = _open(browser, path, size, local_route)
            g = page.evaluate(GEOM)
            page.screenshot(path=str(test_output / f"layout_{name}_{size[0]}x{size[1]}.png"))
            problems += [f"{name} {size}: {p}" for p in check_layout(g) + log["errors"]]
            if "kriging" in name and not page.evaluate("() => typeof GAP.sample === 'function'"):
                problems.append(f"{name}: no value readout on a kriging surface")
            if size[0] < 600 and len(g["legends"]) == 1:  # one legend: it fits, so it is open
                if not g["legends"][0]:
                    problems.append(f"{name} {size}: the only legend is folded")
            page.close()
    assert problems == []


def test_check_layout_catches_overlap_and_cover():
    ok = {"view": {"w": 400, "h": 800}, "box": {"x": 50, "y": 100, "w": 300, "h": 500},
          "els": [{"cls": "a", "x": 10, "y": 700, "w": 150, "h": 90},
                  {"cls": "b", "x": 200, "y": 700, "w": 190, "h": 90}]}
    assert check_layout(ok) == []
    over = json.loads(json.dumps(ok))
    over["els"][1]["x"] = 150
    assert any("overlaps" in p for p in check_layout(over))
    cover = json.loads(json.dumps(ok))
    cover["els"][0]["y"] = 550
    assert any("cover" in p for p in check_layout(cover))


def test_time_slider_steps_and_shows_the_hour_on_a_phone(browser, local_route, demo_maps, test_output):
    out, pages = demo_maps
    path = next(p for p in pages if p.name == "episode_map.html")
    page, _ = _open(browser, path, (390, 844), local_route)
    lab = page.locator(".gap-slider .gap-time")
    first = lab.inner_text()
    assert lab.is_visible() and float(lab.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
    # the hour label is not cut off and inside the screen
    assert lab.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    bb = lab.bounding_box()
    assert bb["x"] >= 0 and bb["x"] + bb["width"] <= 390
    page.locator(".gap-slider .gap-next").click()
    second = lab.inner_text()
    assert second != first
    page.locator(".gap-slider .gap-prev").click()
    assert lab.inner_text() == first
    for b in (".gap-prev", ".gap-play", ".gap-next"):
        box = page.locator(f".gap-slider {b}").bounding_box()
        assert box["width"] >= 28 and box["height"] >= 28  # a finger can hit it
    page.screenshot(path=str(test_output / "layout_slider_phone.png"))
    # a legend the user folds or unfolds stays so (the map does not refit and refold it)
    det = page.locator(".gap-legend details").first
    was = det.get_attribute("open") is not None
    det.locator("summary").click()
    page.wait_for_timeout(300)
    assert (det.get_attribute("open") is not None) == (not was)
    page.close()


def test_embedded_map_lets_the_page_scroll_and_resets_its_view(browser, local_route, demo_maps, tmp_path, test_output):
    out, pages = demo_maps
    path = next(p for p in pages if p.name == "pingtung.html")
    snippet = path.with_suffix(".embed.html").read_text(encoding="utf-8")
    host = path.parent / "host_page.html"
    host.write_text('<!doctype html><meta charset="utf-8"><body style="margin:0">'
                    '<div style="height:600px">文章 Article</div>' + snippet +
                    '<div style="height:1500px">更多 More</div></body>', encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", local_route())
    page.goto(host.as_uri())
    page.evaluate("() => window.scrollTo(0, 300)")
    frame_el = page.locator("iframe")
    frame_el.scroll_into_view_if_needed()
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_function("() => window.GAP && GAP.map && GAP.map._gapView")
    page.wait_for_timeout(300)
    z0 = frame.evaluate("() => GAP.map.getZoom()")
    bb = frame_el.bounding_box()
    y0 = page.evaluate("() => window.scrollY")
    page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.scrollY") > y0  # the page scrolled
    assert frame.evaluate("() => GAP.map.getZoom()") == z0  # the map did not zoom
    # with Ctrl the wheel zooms the map
    bb = frame_el.bounding_box()
    page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_timeout(400)
    z1 = frame.evaluate("() => GAP.map.getZoom()")
    assert z1 > z0
    # after a click on the map the wheel zooms it too
    bb = frame_el.bounding_box()
    page.mouse.click(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    y1 = page.evaluate("() => window.scrollY")
    page.mouse.wheel(0, -200)
    page.wait_for_timeout(500)
    assert frame.evaluate("() => GAP.map.getZoom()") > z1
    assert page.evaluate("() => window.scrollY") == y1
    page.screenshot(path=str(test_output / "layout_embed_zoomed.png"))
    # reset view: back to the initial extent
    frame.locator(".gap-reset a").click()
    page.wait_for_timeout(300)
    v = frame.evaluate("() => [GAP.map.getZoom(), GAP.map.getCenter().lat, GAP.map.getCenter().lng,"
                       " GAP.map._gapView.center.lat, GAP.map._gapView.center.lng]")
    assert v[0] == z0 and v[1] == pytest.approx(v[3], abs=1e-6) and v[2] == pytest.approx(v[4], abs=1e-6)
    page.close()


def test_township_search_jumps_to_and_highlights_a_township(browser, local_route, demo_maps, test_output):
    out, pages = demo_maps
    path = next(p for p in pages if p.name == "yunlin.html")
    page, log = _open(browser, path, (390, 844), local_route)
    page.locator(".gap-search > a").click()
    inp = page.locator(".gap-search input")
    for query, want in (("台西", "臺西鄉"), ("臺西鄉", "臺西鄉"), ("斗六", "斗六市")):
        inp.fill(query)
        inp.press("Enter")
        page.wait_for_timeout(150)
        assert page.evaluate("() => GAP.found") == want
        # the map shows the township and it is drawn highlighted
        inside = page.evaluate("""(w) => { let hit = null;
            GAP.towns.eachLayer(l => { if (l.feature.properties.n === w) hit = l; });
            return [GAP.map.getBounds().contains(hit.getBounds()), hit.options.color, hit.options.weight]; }""", want)
        assert inside == [True, "#0033cc", 4]
    inp.fill("不存在鄉")
    inp.press("Enter")
    assert "Not found" in page.locator(".gap-search .gap-msg").inner_text()
    page.screenshot(path=str(test_output / "layout_search_phone.png"))
    assert log["errors"] == []
    page.close()


def test_download_link_gives_the_layer_data_as_geojson(browser, local_route, demo_maps, tmp_path):
    out, pages = demo_maps
    path = next(p for p in pages if p.name == "coverage_map.html" and p.parent.name == "pingtung")
    page, log = _open(browser, path, (1280, 800), local_route)
    page.locator(".gap-dl > a").click()
    links = page.locator(".gap-dl ul a")
    assert links.count() >= 1
    with page.expect_download() as dl:
        links.first.click()
    f = tmp_path / dl.value.suggested_filename
    dl.value.save_as(f)
    data = json.loads(f.read_text(encoding="utf-8"))
    n = page.evaluate("() => { let n = 0; GAP.layers[0].eachLayer(() => n++); return n; }")
    assert data["type"] == "FeatureCollection" and len(data["features"]) == n > 0
    props = data["features"][0]["properties"]
    assert props and all(isinstance(k, str) and k for k in props)  # the popup's field names, in words
    assert data["features"][0]["geometry"]["type"] in ("Point", "Polygon", "MultiPolygon", "LineString")
    assert f.suffix == ".geojson"
    assert log["errors"] == []
    page.close()


def test_value_readout_gives_value_and_standard_error_at_a_click(browser, local_route, tmp_path, test_output):
    import numpy as np
    from pyproj import Transformer

    from geoairplan.maps import web
    from geoairplan.maps.surfaces import raster_to_web

    # a TM2 grid over 屏東市 whose value says where it is: row + col / 100; SE = 2 + col / 100
    rows, cols, cell = 60, 40, 500.0
    x0, y1 = 190000.0, 2520000.0
    val = np.add.outer(np.arange(rows, dtype=float), np.arange(cols) / 100)
    se = 2 + np.tile(np.arange(cols) / 100, (rows, 1))
    val[0, 0] = np.nan
    extent = (x0, x0 + cols * cell, y1 - rows * cell, y1)
    arr, b = raster_to_web(val, extent)
    sarr, _ = raster_to_web(se, extent)
    m = web.web_map("內插 讀值測試", source="測試", county="屏東縣")
    web.add_raster(m, arr, b, name="surface")
    web.add_value_readout(m, [("PM2.5 內插值 Value", arr), ("克利金標準誤 Kriging SE", sarr)], b, unit="µg/m³",
                          decimals=2)
    path = web.save_map(m, tmp_path / "readout.html")["path"]
    assert path.stat().st_size < 1_000_000
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", local_route())
    page.goto(path.as_uri())
    page.wait_for_function("() => window.GAP && GAP.map && GAP.map._gapView && GAP.sample")
    to_ll = Transformer.from_crs(3826, 4326, always_xy=True)
    for r, c in ((10, 5), (33, 27), (58, 2)):
        lon, lat = to_ll.transform(x0 + (c + 0.5) * cell, y1 - (r + 0.5) * cell)
        got = page.evaluate("([a, b]) => GAP.sample(L.latLng(a, b))", [lat, lon])
        assert got[0] == pytest.approx(r + c / 100, abs=0.006) and got[1] == pytest.approx(2 + c / 100, abs=0.006)
    lon, lat = to_ll.transform(x0 + 0.25 * cell, y1 - 0.25 * cell)
    assert page.evaluate("([a, b]) => GAP.sample(L.latLng(a, b))", [lat, lon]) is None  # NaN cell: no value
    # a click opens the readout
    lon, lat = to_ll.transform(x0 + 27.5 * cell, y1 - 33.5 * cell)
    pt = page.evaluate("([a, b]) => { const p = GAP.map.latLngToContainerPoint(L.latLng(a, b));"
                       " const r = GAP.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
                       [lat, lon])
    page.mouse.click(pt[0], pt[1])
    pop = page.locator(".gap-readout")
    pop.wait_for(state="visible", timeout=3000)
    text = pop.inner_text()
    assert "33.27 µg/m³" in text and "2.27 µg/m³" in text and "Kriging SE" in text
    page.screenshot(path=str(test_output / "layout_readout.png"))
    page.close()
