"""``scripts/make_scenario_episode.py``: the scenario episode is reproducible and says what it is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from geoairplan.io import read_moenv_hourly
from geoairplan.warnings import compute_levels, read_forecast

ROOT = Path(__file__).resolve().parents[2]
SCEN = ROOT / "data" / "scenario"


def _script():
    spec = importlib.util.spec_from_file_location("make_scenario_episode", ROOT / "scripts" / "make_scenario_episode.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_scenario_file_is_reproducible_and_reaches_the_intended_levels(tmp_path):
    mod = _script()
    mod.main(["--out", str(tmp_path)])
    assert (tmp_path / "episode_scenario.csv").read_bytes() == (SCEN / "episode_scenario.csv").read_bytes()
    assert (tmp_path / "forecast_scenario.csv").read_bytes() == (SCEN / "forecast_scenario.csv").read_bytes()

    obs = read_moenv_hourly(SCEN / "episode_scenario.csv")
    assert obs.attrs["generation"] == "current"
    assert obs["station"].nunique() == 33 and obs["time"].nunique() >= 72
    assert {"missing", "invalid"} <= set(obs["flag"])
    top = compute_levels(obs).groupby("station")["level_rank"].max()
    assert top["屏東"] == 2 and top["潮州"] == 2                   # 中級預警 in 屏東縣
    assert top.max() >= 3                                           # one station at 輕度嚴重惡化


def test_the_files_declare_themselves_scenario_data():
    raw = pd.read_csv(SCEN / "episode_scenario.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns)[-1] == "data_kind" and set(raw["data_kind"]) == {"scenario"}
    assert read_moenv_hourly(SCEN / "episode_scenario.csv").attrs["scenario"] is True
    fc = pd.read_csv(SCEN / "forecast_scenario.csv", dtype=str)
    assert set(fc["data_kind"]) == {"scenario"}
    assert read_forecast(SCEN / "forecast_scenario.csv").attrs["scenario"] is True
