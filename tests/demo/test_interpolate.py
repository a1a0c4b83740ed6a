"""The interpolation maps and the demo step: files exist, labelled scenario, offline HTML."""

import rasterio

from geoairplan.demo import STEPS
from geoairplan.demo.interpolate import demo_maps


def test_demo_step_is_registered():
    assert ("interpolate", "geoairplan.demo.interpolate:demo_maps") in STEPS


def test_demo_maps_write_the_scenario_hour(tmp_path):
    entries = demo_maps(tmp_path, offline=True)
    assert entries and all(e.scenario for e in entries)
    for e in entries:
        assert (tmp_path / e.path).exists(), e.path
        assert e.path.startswith("interpolate/")
    kinds = {e.kind for e in entries}
    assert kinds == {"web", "static", "data"}
    web = next(e for e in entries if e.kind == "web")
    html = (tmp_path / web.path).read_text(encoding="utf-8")
    assert "情境" in html and "scenario" in html and "初級預警" in html  # title label and level legend
    assert '<script src="http' not in html  # offline: nothing fetched
    tif = next(e for e in entries if e.path.endswith(".tif"))
    with rasterio.open(tmp_path / tif.path) as r:
        assert r.crs.to_epsg() == 3826 and r.count == 2 and r.tags()["label"] == "scenario"
        assert r.tags()["averaging"] == "24h_moving" and r.tags()["area"] == "屏東縣"
        assert r.tags()["data_kind"] == "scenario" and r.tags()["capability"] == "interpolate"
    static = next(e for e in entries if e.kind == "static")
    assert (tmp_path / static.path).with_suffix(".pdf").exists()  # the A4 PDF beside the PNG
