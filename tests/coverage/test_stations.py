"""Stations for coverage (geoairplan.coverage.stations): names, pollutants, bad positions."""

import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.coverage import coverage_analysis, prepare_stations, station_cells, station_key


def test_station_key_normalises_station_names():
    assert station_key("台西測站") == "臺西" and station_key("恒春站") == "恆春"
    assert station_key("屏東（琉球）") == "屏東(琉球)" and station_key("馬公") == "馬公"



def test_pollutant_uses_only_stations_that_measure_it(tmp_path):
    st = datasets.load_stations("屏東縣")[["name_zh", "lon", "lat"]].rename(columns={"name_zh": "測站"})
    st["pollutants"] = ["pm2.5;pm10;o3;so2", "pm2.5;pm10;o3", "pm2.5;pm10;o3;so2", "pm2.5", "pm2.5"]
    path = tmp_path / "st.csv"
    st.to_csv(path, index=False)
    so2 = station_cells("屏東縣", stations=path, pollutant="SO2")
    assert so2["station"].tolist() == [st["測站"][0], st["測站"][2]]
    assert so2["pollutant"].eq("so2").all()
    assert so2["area_km2"].sum() == pytest.approx(datasets.load_townships("屏東縣").to_crs(3826).area.sum() / 1e6,
                                                  rel=1e-3)
    with pytest.raises(InputError, match="unknown pollutant"):
        station_cells("屏東縣", stations=path, pollutant="pm1")


def test_duplicate_station_positions_are_refused():
    st = datasets.load_stations("屏東縣").iloc[:2].copy()
    st.loc[st.index[1], "geometry"] = st.geometry.iloc[0]
    with pytest.raises(InputError, match="same position"):
        prepare_stations(st.rename(columns={"name_zh": "station"}))


def test_station_at_sea_is_reported_and_far_at_sea_refused():
    st = pd.DataFrame({"station": ["A", "B"], "lon": [120.5, 120.40], "lat": [22.7, 22.45]})  # B: 東港 offshore
    res = coverage_analysis("屏東縣", stations=st, official=False)
    prob = [p for p in res.problems if p.where == "station B"]
    assert prob and "at sea" in prob[0].reason and prob[0].severity == "warning"
    far = pd.DataFrame({"station": ["A", "Z"], "lon": [120.5, 119.9], "lat": [22.7, 22.2]})
    with pytest.raises(InputError, match="not on land"):
        prepare_stations(far)


def test_unknown_embedded_station_name_suggests():
    with pytest.raises(InputError, match="did you mean 恆春"):
        station_cells("屏東縣", stations=["屏東", "恒春市"])
