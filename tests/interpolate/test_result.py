"""The interpolation result: a geoairplan.results.Result whose provenance comes from the input only."""

import json

import pandas as pd
import pytest

import geoairplan.raster
from geoairplan import datasets
from geoairplan.interpolate import InterpolationResult, Surface, interpolate_observations
from geoairplan.io import read_moenv_hourly
from geoairplan.raster import Raster
from geoairplan.results import Result

HOUR = "2025-01-16 14:00"


def _copy(tmp_path, kind):
    df = pd.read_csv(datasets.data_dir() / "scenario" / "episode_scenario.csv", dtype=str, keep_default_na=False)
    df = df.drop(columns=["data_kind"], errors="ignore")
    if kind is not None:
        df["data_kind"] = kind
    p = tmp_path / f"obs_{kind}.csv"
    df.to_csv(p, index=False)
    return p


def _run(obs, **kw):
    return interpolate_observations(obs, "pm2.5", "idw", county="屏東縣", cell_size=2000, hours=[HOUR],
                                    average="24h", **kw)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("obs")
    return {"scenario": _copy(d, "scenario"), "measured": _copy(d, None)}


def test_result_keeps_the_protocol(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = _run(files["measured"])
    assert not list(tmp_path.iterdir())  # the analysis writes nothing
    assert isinstance(res, Result) and isinstance(res, InterpolationResult)
    m = res.meta
    assert (m.capability, m.counties, m.pollutant, m.averaging) == ("interpolate", ("屏東縣",), "pm2.5", "24h_moving")
    assert m.time_start == m.time_end == HOUR and not m.scenario
    assert m.source == "環境部空氣品質測站 (obs_None.csv)" and m.title == f"屏東縣 PM2.5 24小時移動平均 內插濃度 {HOUR}"
    assert res.stem == "pm25_idw_24h" and res.gpkg_name == "pm25_idw_24h_levels.gpkg"
    assert res.problems_name == "pm25_idw_24h_problems.csv"
    assert list(res.rasters()) == ["pm25_idw_24h_20250116_1400"]
    assert set(res.layers()) == {"levels", "stations"}
    st = res.layers()["stations"]
    assert st.crs.to_epsg() == 3826 and (st["time"] == HOUR).all() and st["value"].notna().any()
    tables = res.tables()
    assert set(tables) == {"pm25_idw_24h_townships", "pm25_idw_24h_cv"}
    assert all(t.attrs["float_format"] == "%.4f" for t in tables.values())  # coordinates stay exact
    summ = res.summary()
    json.dumps(summ)  # JSON-friendly
    assert summ["method"] == "idw" and summ["hours"] == 1 and summ["mapped_hour"] == HOUR
    assert summ["top_townships"][0]["max"] == pytest.approx(res.townships["max"].max())
    text = res.summary_text()
    assert text.startswith("idw: 1 hour(s) of pm2.5 (24h_moving) over 屏東縣") and "情境" not in text


def test_scenario_comes_from_the_file_or_the_user(files):
    assert _run(files["scenario"]).meta.scenario  # the file says so (data_kind column)
    assert _run(read_moenv_hourly(files["scenario"])).meta.scenario  # as a frame too
    assert _run(files["measured"], scenario=True).meta.scenario  # the user says so
    assert _run(files["measured"], label="scenario").meta.scenario  # --label scenario says so too
    res = _run(files["measured"], label="test")
    assert not res.meta.scenario and res.stem.endswith("_test") and res.meta.title.endswith("（test）")
    scen = _run(files["scenario"])
    assert scen.meta.display_title().endswith("（情境 scenario）") and scen.stem == "pm25_idw_24h"
    assert "情境" in scen.summary_text()


def test_surface_is_the_one_raster_type_written_by_the_one_writer(files, tmp_path, monkeypatch):
    surf = _run(files["measured"]).mapped
    assert isinstance(surf, Surface) and isinstance(surf, Raster)
    assert surf.transform == surf.grid.transform and surf.unit == "ug/m3" and surf.name == "pm2.5 (ug/m3)"
    assert surf.tags["method"] == "idw" and surf.tags["area"] == "屏東縣" and surf.summary() == surf.stats()
    calls = []
    real = geoairplan.raster.write_geotiff
    monkeypatch.setattr(geoairplan.raster, "write_geotiff", lambda *a, **k: calls.append(k) or real(*a, **k))
    surf.to_geotiff(tmp_path / "s.tif", tags={"data_kind": "measured"})
    assert len(calls) == 1 and calls[0]["tags"]["data_kind"] == "measured" and calls[0]["tags"]["time"] == HOUR
