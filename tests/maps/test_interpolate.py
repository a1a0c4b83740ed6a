"""Maps of an interpolation result, built from the result only: title, legend and source line from meta."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.interpolate import interpolate_observations
from geoairplan.maps import interpolate as imaps
from geoairplan.maps.build import BUILDERS, build
from geoairplan.maps.web import render_html

HOUR = "2025-01-16 14:00"


@pytest.fixture(scope="module", params=["measured", "scenario"])
def result(request, tmp_path_factory):
    df = pd.read_csv(datasets.data_dir() / "scenario" / "episode_scenario.csv", dtype=str, keep_default_na=False)
    df = df.drop(columns=["data_kind"], errors="ignore")
    if request.param == "scenario":
        df["data_kind"] = "scenario"
    p = tmp_path_factory.mktemp("obs") / "obs.csv"
    df.to_csv(p, index=False)
    return interpolate_observations(p, "pm2.5", "idw", county="屏東縣", cell_size=2000, hours=[HOUR], average="24h")


def test_build_makes_the_web_and_the_a4_map_from_the_result(result):
    maps = build(result, offline=True)
    try:
        assert [(m.name, m.kind) for m in maps] == [("pm25_idw_24h_map", "web"), ("pm25_idw_24h_map", "static")]
        assert maps[1].formats == ("png", "pdf")
        assert all(m.title == result.meta.display_title() for m in maps)
        html = render_html(maps[0].obj, offline=True)
        assert result.meta.display_title() in html and "反距離加權 IDW" in html
        fig_text = " ".join(t.get_text() for t in maps[1].obj.findobj(match=lambda a: hasattr(a, "get_text")))
        if result.meta.scenario:
            assert "（情境 scenario）" in maps[0].title and "資料來源：情境資料 scenario" in html
            assert "預警等級 Warning level（情境 scenario）" in html and "情境" in fig_text
        else:
            assert "情境" not in html and "情境" not in fig_text and "資料來源：環境部空氣品質測站" in html
    finally:
        for m in maps:
            if m.kind == "static":
                plt.close(m.obj)


def test_builder_is_registered():
    assert BUILDERS["interpolate"] == (imaps, "build")
