"""run_warnings: one episode as a Result (meta set once from the input, tables, layers, summary)."""

from __future__ import annotations

import pandas as pd

from geoairplan import publish
from geoairplan.results import Result
from geoairplan.warnings import WarningResult, read_forecast
from geoairplan.warnings.episode import run_warnings

from tests.warnings._data import MAPPING, PT, series, tidy


def _episode(**kw):
    rows = series("屏東", "pm2.5", [40.0] * 30) + series("潮州", "pm2.5", [10.0] * 30)
    return run_warnings(tidy(rows), county=PT, mapping=MAPPING, **kw)


def test_an_episode_without_zones_writes_no_empty_geopackage(tmp_path):
    from geoairplan.warnings import decisions

    assert not hasattr(decisions, "level_zh")          # dead helper removed
    res = run_warnings(tidy(series("屏東", "pm2.5", [10.0] * 3)), county=PT, mapping=MAPPING)
    assert len(res.polygons) == 0
    (tmp_path / "zones.gpkg").write_bytes(b"stale")
    files = publish.write(res, tmp_path, maps=False)
    assert "zones.gpkg" not in files and not (tmp_path / "zones.gpkg").exists()
    assert sorted(files) == sorted(p.name for p in tmp_path.iterdir())


def test_the_result_keeps_the_protocol_and_sets_meta_once():
    res = _episode()
    assert isinstance(res, WarningResult) and isinstance(res, Result)
    m = res.meta
    assert m.capability == "warnings" and m.counties == (PT,) and m.pollutant is None
    assert m.time_start == "2025-01-01T00:00:00+08:00" and m.time_end == "2025-01-02T05:00:00+08:00"
    assert m.scenario is False and m.source == "環境部 MOENV 小時值"
    assert m.title == "屏東縣 空氣品質預警區域"
    s = res.summary()
    assert isinstance(s, dict) and s["data_kind"] == "measured" and s["stations"] == 2 and s["hours"] == 30
    assert s["highest_level"] == {"屏東": "L1"} and s["counties"] == [PT]
    text = res.summary_text()
    assert text.splitlines()[0] == "屏東縣 空氣品質預警區域" and "highest level per station: 屏東 L1" in text
    assert "scenario" not in text and "情境" not in text
    assert res.gpkg_name == "zones.gpkg" and list(res.layers()) == ["zones"]
    tables = res.tables()
    assert list(tables) == ["levels", "levels.parquet", "zones", "zone_townships", "decisions", "events",
                            "command_centre", "notifications", "measures"]   # events: issue 13
    assert tables["levels"]["time"].iloc[0] == "2025-01-01T00:00:00+08:00"       # ISO text in the CSV
    assert isinstance(tables["levels.parquet"]["time"].dtype, pd.DatetimeTZDtype)  # typed in Parquet


def test_scenario_comes_from_the_data_or_the_user_never_from_a_path():
    obs = tidy(series("屏東", "pm2.5", [40.0] * 30) + series("潮州", "pm2.5", [10.0] * 30))
    labelled = obs.assign(data_kind="scenario")
    assert run_warnings(labelled, county=PT, mapping=MAPPING).meta.scenario is True
    assert _episode(scenario=True).meta.scenario is True
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-01"], "area": ["高屏"], "level": ["none"],
                                     "data_kind": ["scenario"]}))
    assert fc.attrs["scenario"] is True
    res = run_warnings(obs, county=PT, mapping=MAPPING, forecast=fc)
    assert res.meta.scenario is True                    # a scenario forecast makes the run scenario
    assert res.meta.display_title().endswith("（情境 scenario）")
    assert "情境 scenario" in res.summary_text().splitlines()[0]


def test_counties_of_places_a_station_the_registry_lacks_by_the_files_coordinates(tmp_path):
    # issue 12: a station the registry lacks takes its county from the file's own lon/lat
    import pandas as pd

    from geoairplan.errors import Problems
    from geoairplan.io.moenv import read_moenv_hourly, station_positions
    from geoairplan.warnings.episode import counties_of

    recs = [{"sitename": "屏東", "publishtime": "2024/01/01 01:00", "pm2.5": "10", "siteid": "",
             "longitude": "120.488033", "latitude": "22.673081"},
            {"sitename": "新站（測試）", "publishtime": "2024/01/01 01:00", "pm2.5": "11", "siteid": "",
             "longitude": "120.54", "latitude": "23.71"},
            {"sitename": "無座標", "publishtime": "2024/01/01 01:00", "pm2.5": "12", "siteid": "",
             "longitude": "", "latitude": ""}]
    path = tmp_path / "new.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    probs = Problems()
    got = counties_of(["屏東", "新站(測試)", "無座標"], probs, positions=station_positions(df))
    assert got == {"屏東": "屏東縣", "新站(測試)": "雲林縣"}
    text = probs.summary()
    assert "placed in 雲林縣 by the file's own coordinates" in text and "無座標" in text
