"""CoverageResult (geoairplan.coverage.result): the Result protocol, meta, and what publish.write makes of it."""

import geopandas as gpd
import pandas as pd
import pyogrio

from geoairplan import datasets, publish
from geoairplan.coverage import CoverageResult, coverage_analysis
from geoairplan.results import Result

PT3 = ["屏東", "潮州", "恆春"]


def test_outputs_are_deterministic(tmp_path):
    res = coverage_analysis("屏東縣", stations=PT3)
    a = publish.write(res, tmp_path / "a", maps=False)
    b = publish.write(coverage_analysis("屏東縣", stations=PT3), tmp_path / "b", maps=False)
    assert list(a) == list(b)
    for (na, fa), (nb, fb) in zip(a.items(), b.items()):
        assert na == nb and fa.read_bytes() == fb.read_bytes(), na
    layers = dict(pyogrio.list_layers(tmp_path / "a" / "coverage.gpkg"))
    assert {"cells", "township_assignment", "official_coverage", "disagreements"} <= set(layers)
    dis = gpd.read_file(tmp_path / "a" / "coverage.gpkg", layer="disagreements")
    assert dis.crs.to_epsg() == 3826 and sorted(dis["township"]) == sorted(["萬丹鄉", "枋山鄉"])


def test_the_result_keeps_the_protocol_and_meta():
    res = coverage_analysis("屏東縣", stations=PT3, pollutant="PM25")
    assert isinstance(res, CoverageResult) and isinstance(res, Result)
    m = res.meta
    assert m.capability == "coverage" and m.counties == ("屏東縣",) and m.pollutant == "pm2.5"
    assert res.county == "屏東縣" and res.pollutant == "pm2.5" and not m.scenario
    assert m.title == "屏東縣 空氣品質測站涵蓋區域（pm2.5） Station coverage areas"
    assert m.source_line().startswith("資料來源：環境部測站位置；內政部鄉鎮市區界")
    assert "官方涵蓋表 seed 003 表 2" in m.source_line()
    assert res.gpkg_name == "coverage.gpkg"
    assert set(res.layers()) == {"cells", "township_assignment", "official_coverage", "disagreements", "stations"}
    tables = res.tables()
    assert set(tables) == {"cells", "township_assignment", "township_shares", "agreement"}
    assert {"official_station", "agree"} <= set(tables["township_assignment"].columns)
    assert isinstance(res.summary(), dict) and res.summary_text().startswith("屏東縣: coverage of 3 station(s)")
    none = coverage_analysis("高雄市", official=False)
    assert none.tables()["agreement"] is None and none.layers()["official_coverage"] is None


def test_scenario_comes_from_the_input_or_the_user_never_from_a_path(tmp_path):
    st = datasets.load_stations("屏東縣")[["name_zh", "lon", "lat"]].rename(columns={"name_zh": "station"})
    measured = tmp_path / "scenario" / "stations.csv"       # a folder named "scenario" says nothing
    measured.parent.mkdir()
    st.to_csv(measured, index=False)
    assert not coverage_analysis("屏東縣", stations=measured, official=False).meta.scenario
    made_up = tmp_path / "plain.csv"
    st.assign(data_kind="scenario").to_csv(made_up, index=False)
    res = coverage_analysis("屏東縣", stations=made_up, official=False)
    assert res.meta.scenario and "情境 scenario" in res.meta.display_title()
    assert "plain.csv" in res.meta.source and "環境部" not in res.meta.source
    said = coverage_analysis("屏東縣", stations=measured, official=False, scenario=True)
    assert said.meta.scenario
    files = publish.write(said, tmp_path / "o", maps=False)
    assert (pd.read_csv(files["cells.csv"])["data_kind"] == "scenario").all()
