"""Upwind suspicious-source ranking of the sensor job: on hourly data it is ``geoairplan suspects``'s ranking."""

from pathlib import Path

import pandas as pd
import pytest

from geoairplan.cli import main
from geoairplan.engine import Engine
from geoairplan.hotspots.operations import sensor_operations, upwind_suspects
from geoairplan.hotspots.report import suspect_analysis
from geoairplan.hotspots.upwind import read_wind
from geoairplan.io.archive import import_files
from geoairplan.io.sources import read_sources

DATA = Path(__file__).resolve().parents[2] / "data" / "scenario"
SENS, WIND, SRC = DATA / "sensors_scenario.csv", DATA / "sensors_scenario_wind.csv", DATA / "sources_scenario.csv"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = tmp_path_factory.mktemp("opsup") / "arc"
    import_files([SENS, WIND], a)
    return a


def test_same_ranking_as_suspects(archive):
    ref = suspect_analysis(SENS, WIND, SRC).upwind
    res = sensor_operations(archive, permutations=0, hourly=True, engine=Engine("threads"))
    up = upwind_suspects(res, read_wind(WIND), read_sources(SRC)).upwind
    assert len(ref.ranking) > 0
    assert up.ranking["c_no"].tolist() == ref.ranking["c_no"].tolist()
    # the registry keeps TM2 positions to 0.1 m (read_sensors does not round): distances differ by < 0.1 m
    assert up.ranking["score"].tolist() == pytest.approx(ref.ranking["score"].tolist(), rel=1e-3)
    assert up.ranking["hours_upwind"].tolist() == ref.ranking["hours_upwind"].tolist()
    assert up.ranking["c_no"].iat[0] == "SCN-10009010-08"  # the simulated source (sensors_scenario_truth.json)
    assert up.params["evidence_hours"] == ref.params["evidence_hours"]
    assert up.params["used_hours"] == ref.params["used_hours"]


def test_hour_evidence_from_sub_hourly_steps():
    """Steps inside one hour: the hour is evidence when at least the share of its evaluated steps are anomalies."""
    from geoairplan.hotspots.operations import _hourly_evidence
    import numpy as np

    H = 3_600_000_000_000
    hs = np.array([H, H, H, 2 * H, 2 * H])
    V = np.array([[50.0, 1], [51, 1], [52, 1], [53, 1], [54, 1]])
    ex = np.array([[True, False], [True, False], [False, False], [False, False], [True, False]])
    r = {"exceed": ex, "evaluated": np.ones_like(ex), "median": np.full(V.shape, 10.0)}
    h = _hourly_evidence(hs, V, r)
    assert h[["hour", "sensor_code", "steps_evaluated", "anomaly_steps"]].values.tolist() == [[H, 0, 3, 2],
                                                                                             [2 * H, 0, 2, 1]]
    assert h["pm25_sum"].tolist() == [101.0, 54.0]


def test_command(archive, tmp_path, capsys):
    out = tmp_path / "o"
    # wind from the archive (the wind file was imported with the sensors)
    assert main(["sensorops", "--archive", str(archive), "--sources", str(SRC), "--scheduler", "memory",
                 "--permutations", "0", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "upwind ranking" in text and "SCN-10009010-08" in text
    rk = pd.read_csv(out / "suspects.csv")
    assert rk["c_no"].iat[0] == "SCN-10009010-08" and (rk["data_kind"] == "scenario").all()
    assert main(["sensorops", "--archive", str(archive), "--wind", str(WIND), "--scheduler", "memory",
                 "--out", str(tmp_path / "x")]) == 2
    assert "needs --sources" in capsys.readouterr().err
