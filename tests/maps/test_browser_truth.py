"""Maps that cannot mislead (issue 11), tried in a real browser: Debian Chromium through Playwright.

* The warnings map's station dots show the slider's hour (colour and tooltip), and the map opens
  at the episode's peak hour.
* A map with exclusive thematic layers shows one at a time, and its legend follows the one shown.
"""

from pathlib import Path

import pytest

from geoairplan import datasets
from geoairplan.maps import style, web

pytestmark = pytest.mark.browser

# the session-wide `browser` fixture of tests/maps/conftest.py (one Chromium for every browser test)


def _open(browser, path, size=(1280, 800)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(Path(path).as_uri())
    page.wait_for_selector(".leaflet-overlay-pane path")
    page.wait_for_timeout(200)
    return page, errors


# --------------------------------------------------------------------------- item 4: the hour on screen

_DOTS = """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
              .filter(p => / a7,7 /.test(' ' + (p.getAttribute('d') || '').replace(/a/g, ' a')))
              .map(p => p.getAttribute('fill'))"""


@pytest.fixture(scope="module")
def episode(tmp_path_factory):
    from geoairplan.io import read_moenv_hourly
    from geoairplan.maps.warnings import episode_map, station_hours
    from geoairplan.warnings import run_warnings

    scen = datasets.data_dir() / "scenario"
    res = run_warnings(read_moenv_hourly(scen / "episode_scenario.csv"), county="屏東縣",
                       forecast=scen / "forecast_scenario.csv")
    path = web.save_map(episode_map(res), tmp_path_factory.mktemp("ep") / "episode_map.html", offline=True)["path"]
    return res, station_hours(res), path


def _slide(page, k):
    page.evaluate("""(k) => { const r = document.querySelector('.gap-slider input[type=range]');
                              r.value = k; r.dispatchEvent(new Event('input')); }""", k)


def _expected(sh, t):
    return sorted(style.level_color(c) for c in sh.loc[sh["time"] == t, "level"])


def _tooltips(page, n):
    """Hover each hour dot in turn: {station: tooltip text}."""
    out = {}
    dots = page.locator(".leaflet-overlay-pane path")
    idx = page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
        .map((p, i) => / a7,7 /.test(' ' + (p.getAttribute('d') || '').replace(/a/g, ' a')) ? i : -1)
        .filter(i => i >= 0)""")
    assert len(idx) == n
    for i in idx:
        page.mouse.move(0, 0)
        dots.nth(i).hover(force=True)
        tip = page.locator(".leaflet-tooltip").last
        tip.wait_for(state="visible", timeout=2000)
        text = tip.inner_text()
        out[text.split("\n")[0].split()[-1]] = text
    return out


def test_station_dots_follow_the_slider_hour_and_the_map_opens_at_the_peak(browser, episode, test_output):
    res, sh, path = episode
    times = sorted(sh["time"].unique())
    pk = res.peak_time()
    page, errors = _open(browser, path)
    # the map opens at the episode's peak hour: label, slider position, dots
    assert pk.strftime("%Y-%m-%d %H:%M") in page.locator(".gap-slider").inner_text()
    assert int(page.locator(".gap-slider input[type=range]").input_value()) == times.index(pk)
    n = sh["station"].nunique()
    assert sorted(page.evaluate(_DOTS)) == _expected(sh, pk)
    assert style.level_color("L2") in page.evaluate(_DOTS)  # the peak hour has an L2 station
    page.screenshot(path=str(test_output / "maps_truth_episode_peak.png"))
    # another hour: the first (every station still short of 24 valid hours: insufficient)
    for k in (0, times.index(pk) - 30):
        t = times[k]
        _slide(page, k)
        assert t.strftime("%Y-%m-%d %H:%M") in page.locator(".gap-slider").inner_text()
        assert sorted(page.evaluate(_DOTS)) == _expected(sh, t), t
        tips = _tooltips(page, n)
        for st, text in tips.items():
            row = sh[(sh["time"] == t) & (sh["station"] == st)]
            assert len(row) == 1, (st, text)
            assert row["level_txt"].iloc[0] in text
            pm10 = res.levels[(res.levels["time"] == t) & (res.levels["station"] == st)]["pm10_1h_ugm3"].iloc[0]
            assert f"PM10 小時值 {pm10:.0f} µg/m³" in text, text
    assert _expected(sh, times[0]) != _expected(sh, pk)
    # the episode peak is a separate, labelled layer, off by default
    assert "Stations (episode peak)" in page.content()
    assert errors == []
    page.close()


# --------------------------------------------------------------------------- item 3: one thematic layer at a time

_FILLS = """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
              .map(p => p.getAttribute('fill-opacity'))"""


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    from geoairplan.hotspots.report import township_hotspots
    from geoairplan.maps.hotspots import hotspot_map

    res = township_hotspots("yunlin-declared", county="雲林縣", pollutant="nox", permutations=99)
    path = web.save_map(hotspot_map(res, offline=True), tmp_path_factory.mktemp("hs") / "hotspots.html",
                        offline=True)["path"]
    return res, path


def _legend_visible(page, text):
    loc = page.locator(".gap-legend", has_text=text)
    return loc.count() == 1 and loc.is_visible()


def test_thematic_layers_are_exclusive_and_the_legend_follows(browser, declared, test_output):
    """Issue 11, item 3: the 雲林縣 declared-NOx map had the emissions and the Gi* layers both on, blended."""
    res, path = declared
    n = len(res.townships)
    page, errors = _open(browser, path)
    radios = page.locator(".gap-themes input[type=radio]")
    assert radios.count() == 2
    # opens on the emissions: 20 township polygons at the emission layer's opacity, none of the Gi* layer
    fills = page.evaluate(_FILLS)
    assert fills.count("0.75") == n and fills.count("0.7") == 0
    assert _legend_visible(page, "t/yr（對數 log）") and not _legend_visible(page, "Getis-Ord Gi*")
    page.screenshot(path=str(test_output / "maps_truth_hotspots_emissions.png"))
    # switch to Gi*: the emissions leave the map, the Gi* legend replaces the colour bar
    page.locator(".gap-themes label", has_text="Gi*").click()
    page.wait_for_timeout(100)
    fills = page.evaluate(_FILLS)
    assert fills.count("0.7") == n and fills.count("0.75") == 0
    assert _legend_visible(page, "Getis-Ord Gi*") and not _legend_visible(page, "t/yr（對數 log）")
    # filled paths only: the township boundaries of the base layer are outlines (fill none) under every theme
    gi_cols = {c.lower() for c in page.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-overlay-pane path')).map(p => p.getAttribute('fill'))""")} - {"none"}
    from geoairplan.maps.hotspots import GI_BIN_COLORS
    assert gi_cols <= set(GI_BIN_COLORS.values())
    page.screenshot(path=str(test_output / "maps_truth_hotspots_gi.png"))
    # and back
    page.locator(".gap-themes label", has_text="排放量").click()
    fills = page.evaluate(_FILLS)
    assert fills.count("0.75") == n and fills.count("0.7") == 0
    # the thematic layers are not also in the checkbox layer control (which would show both again)
    assert "Gi* 熱點 Hot spots（鄉鎮 townships）" not in (page.locator(".leaflet-control-layers").inner_text()
                                                      if page.locator(".leaflet-control-layers").count() else "")
    assert errors == []
    page.close()
