"""The scenario archive generator in the package: the demo counties' stations, labelled, idempotent."""

import pandas as pd

from geoairplan.io.archive import read_registry, read_rows
from geoairplan.io.scenario_archive import make_stations
from geoairplan.reference.stations import load_stations


def test_stations_of_counties(tmp_path):
    a = tmp_path / "arc"
    info = make_stations(a, years=1, start_year=2024, counties=["屏東縣"], seed=3)
    emb = load_stations()
    want = sorted(emb.loc[emb["county"] == "屏東縣", "name_zh"])
    reg = read_registry(a, "moenv")
    assert sorted(reg["id"]) == want == sorted(reg["id"].unique())
    assert set(reg["county"]) == {"屏東縣"} and set(reg["data_kind"]) == {"scenario"}
    rows = read_rows(a, "moenv", pollutants=["pm2.5"])
    assert len(rows) == len(want) * 366 * 24
    assert rows["time"].min() == pd.Timestamp("2024-01-01", tz="Asia/Taipei")
    before = sorted(p.name for p in a.rglob("*.parquet"))
    again = make_stations(a, years=1, start_year=2024, counties=["屏東縣"], seed=3)
    assert sorted(p.name for p in a.rglob("*.parquet")) == before and again["rows"] == info["rows"]
