"""geoairplan.demo.hotspots: the demo step writes real and scenario maps, labelled, reproducibly."""

from __future__ import annotations

import pandas as pd
import pytest

from geoairplan.demo import STEPS


def test_demo_step_registered():
    assert ("hotspots", "geoairplan.demo.hotspots:demo_maps") in STEPS


@pytest.mark.slow
def test_demo_maps_offline(tmp_path):
    from geoairplan.demo.hotspots import demo_maps

    entries = demo_maps(tmp_path, offline=True)
    paths = {e.path for e in entries}
    for e in entries:
        assert (tmp_path / e.path).exists(), e.path
        # scenario outputs say so in their title and file name; the real-data ones do not
        assert e.scenario == ("scenario" in e.path)
        if e.scenario and e.kind != "data":
            assert "情境" in e.title
    assert "hotspots/yunlin_declared/hotspots.html" in paths
    html = (tmp_path / "hotspots/yunlin_declared/hotspots.html").read_text(encoding="utf-8")
    assert "3,184.39" in html and "3,185" in html  # county total and the printed total
    assert "麥寮鄉" in html and "Getis-Ord Gi*" in html
    assert '<script src="http' not in html
    sus = (tmp_path / "hotspots/scenario_suspects/suspects_scenario.html").read_text(encoding="utf-8")
    assert "情境資料" in sus and "scenario" in sus
    rk = pd.read_csv(tmp_path / "hotspots/scenario_suspects/suspects_scenario.csv")
    assert (rk["data"] == "scenario").all() and rk["rank"].iloc[0] == 1
    # same input, same bytes
    again = tmp_path / "again"
    demo_maps(again, offline=True)
    for rel in ("hotspots/yunlin_declared/hotspots.html", "hotspots/yunlin_declared/townships.csv",
                "hotspots/yunlin_declared/hotspots.gpkg", "hotspots/scenario_sources/kde_nox_scenario.tif",
                "hotspots/scenario_suspects/suspects_scenario.csv", "hotspots/yunlin_declared/hotspots.png"):
        assert (tmp_path / rel).read_bytes() == (again / rel).read_bytes(), rel
