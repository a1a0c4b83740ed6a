"""Hotspot web maps keep the study area's land in view whichever thematic layer is shown."""

from pathlib import Path

from geoairplan.hotspots.report import hotspot_analysis
from geoairplan.maps.hotspots import hotspot_map
from geoairplan.maps.web import render_html

SOURCES = Path(__file__).resolve().parents[2] / "data" / "scenario" / "sources_scenario.csv"


def test_township_boundaries_are_a_base_layer_outside_the_exclusive_themes():
    res = hotspot_analysis(SOURCES, grid=1000)
    html = render_html(hotspot_map(res, offline=True))
    assert "鄉鎮界 Township boundaries" in html
    themes = html[html.index("GAP.exclusive"):] if "GAP.exclusive" in html else ""
    assert "鄉鎮界 Township boundaries" not in themes.split(");", 1)[0]   # not one of the radio themes
