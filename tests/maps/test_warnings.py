"""The episode maps, built from a WarningResult only: titles, legends and source line from result.meta."""

from __future__ import annotations

import matplotlib.pyplot as plt

from geoairplan.maps.build import build as build_any
from geoairplan.maps.warnings import build
from geoairplan.maps.web import render_html
from geoairplan.warnings import run_warnings

from tests.warnings._data import MAPPING, PT, series, tidy


def _result(**kw):
    rows = series("屏東", "pm2.5", [40.0] * 30) + series("潮州", "pm2.5", [10.0] * 30)
    return run_warnings(tidy(rows), county=PT, mapping=MAPPING, **kw)


def test_build_gives_the_episode_web_map_and_the_peak_map():
    res = _result()
    maps = build(res)
    assert [(m.name, m.kind) for m in maps] == [("episode_map", "web"), ("peak", "static")]
    assert maps[0].title == "屏東縣 空氣品質預警區域（逐時）Warning zones by hour"
    assert maps[1].title.startswith("屏東縣 空氣品質預警區域 2025-01-01") and maps[1].title.endswith("（尖峰時段 peak hour）")
    html = render_html(maps[0].obj, offline=True)
    assert "資料來源：環境部 MOENV 小時值；等級：" in html
    assert "scenario" not in html and "情境" not in html
    assert [m.name for m in build_any(res)] == ["episode_map", "peak"]      # the registry finds it
    for m in maps[1:]:
        plt.close(m.obj)


def test_scenario_labels_come_from_meta():
    res = _result(scenario=True)
    maps = build(res)
    assert all(m.title.endswith("（情境 scenario）") for m in maps)
    html = render_html(maps[0].obj, offline=True)
    assert res.meta.source_line() in html
    assert "預警等級 Warning level（情境 scenario）" in html                 # the legend
    assert "資料來源：情境資料 scenario" in html
    fig = maps[1].obj
    texts = [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
    assert any("情境 scenario" in t for t in texts)
    plt.close(fig)


def test_popups_name_the_criterion_in_words_not_codes():
    from geoairplan.reference.pollutants import averaging_label, criterion_label

    assert criterion_label("pm2.5 24h_moving 55.96 >= 54.5 ug/m3") == "PM2.5 24小時移動平均 55.96 ≥ 54.5 µg/m³"
    assert "連續 2 小時" in criterion_label("o3 1h 210 >= 200 ppb for 2 consecutive hours")
    assert averaging_label("8h_moving").startswith("8小時移動平均")
    assert criterion_label(None) == "" and criterion_label("other text") == "other text"
    rows = series("屏東", "pm2.5", [80.0] * 30) + series("潮州", "pm2.5", [10.0] * 30)
    html = render_html(build(run_warnings(tidy(rows), county=PT, mapping=MAPPING))[0].obj, offline=True)
    assert "24小時移動平均" in html or "小時值" in html
    assert "24h_moving" not in html and "ug/m3" not in html
