"""The embedded data: real MOI townships, real stations, seed tables with citations."""

import geopandas as gpd
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError


def test_368_townships_with_moi_attributes():
    towns = datasets.load_townships()
    assert len(towns) == 368
    assert towns["TOWNCODE"].is_unique and towns["TOWNCODE"].str.fullmatch(r"\d{8}").all()
    for col in ["TOWNID", "TOWNCODE", "COUNTYNAME", "TOWNNAME", "TOWNENG", "COUNTYID", "COUNTYCODE", "COUNTYENG"]:
        assert towns[col].notna().all(), col
    assert towns.crs.to_epsg() == 4326
    assert towns.geometry.is_valid.all()


@pytest.mark.parametrize("county,n", [("屏東縣", 33), ("雲林縣", 20), ("澎湖縣", 6)])
def test_seed_county_township_counts(county, n):
    assert len(datasets.load_townships(county)) == n


def test_official_spelling_and_original_kept():
    towns = datasets.load_townships()
    assert not towns["COUNTYNAME"].str.contains("台").any()
    assert set(towns.loc[towns["COUNTYNAME_SRC"] == "台南市", "COUNTYNAME"]) == {"臺南市"}
    assert "霧臺鄉" in set(towns["TOWNNAME"]) and "恆春鎮" in set(towns["TOWNNAME"])


def test_townships_tile_their_counties():
    towns = datasets.load_townships("屏東縣").to_crs(3826)
    county = datasets.load_counties("屏東縣").to_crs(3826)
    assert towns.area.sum() == pytest.approx(county.area.sum(), rel=1e-6)
    # 琉球鄉 is an island: a separate part from the main county body
    liuqiu = towns.loc[towns["TOWNNAME"] == "琉球鄉"].geometry.iloc[0]
    main = towns.loc[towns["TOWNNAME"] == "東港鎮"].geometry.iloc[0]
    assert liuqiu.distance(main) > 5000


def test_county_names_accept_tai_and_suggest():
    assert len(datasets.load_townships("台南市")) == 37
    assert len(datasets.load_townships("屏東")) == 33
    with pytest.raises(InputError) as e:
        datasets.load_townships("屏東線")
    assert "屏東縣" in str(e.value)


def test_every_station_inside_its_township():
    st = datasets.load_stations()
    assert len(st) >= 80 and st["name_zh"].is_unique
    towns = datasets.load_townships().to_crs(3826)
    j = gpd.sjoin(st.to_crs(3826), towns[["COUNTYNAME", "TOWNNAME", "geometry"]], predicate="within")
    assert len(j) == len(st)
    assert (j["COUNTYNAME"] == j["county"]).all()
    assert (j["TOWNNAME"] == j["township"]).all()
    # TM2 columns agree with the lon/lat they were projected from
    tm = st.to_crs(3826)
    assert (abs(tm.geometry.x - st["x_tm2"]) < 0.1).all() and (abs(tm.geometry.y - st["y_tm2"]) < 0.1).all()


def test_stations_zone_and_pollutants():
    st = datasets.load_stations().set_index("name_zh")
    assert st.loc["馬公", "zone"] == "離島" and st.loc["崙背", "zone"] == "雲嘉南"
    assert st.loc["屏東", "zone"] == "高屏" and st.loc["臺東", "zone"] == "花東"
    assert {"pm2.5", "o3"} <= set(st.loc["屏東", "pollutants"].split(";"))
    assert st["source"].notna().all() and st["retrieved"].notna().all()


def test_station_pollutant_filter_keeps_only_stations_that_measure_it(monkeypatch):
    from geoairplan.reference import stations as ref_stations
    real = ref_stations._read_csv

    def fake():
        df = real()
        df.loc[df["name_zh"] == "恆春", "pollutants"] = "pm10;o3"
        return df

    monkeypatch.setattr(ref_stations, "_read_csv", fake)
    for spelling in ("pm2.5", "PM2.5", "PM25", "細懸浮微粒"):
        got = datasets.load_stations("屏東縣", pollutant=spelling)
        assert sorted(got["name_zh"]) == sorted(["屏東", "潮州", "屏東(琉球)", "屏東(枋山)"]), spelling
    assert "恆春" in set(datasets.load_stations("屏東縣", pollutant="o3")["name_zh"])
    with pytest.raises(InputError, match="unknown pollutant"):
        datasets.load_stations(pollutant="pm1")


def test_catalog_lists_every_data_set_with_source():
    cat = datasets.catalog()
    assert set(cat["name"]) >= {"townships", "counties", "stations", "coverage", "facilities", "health",
                                "emissions", "teds", "rules"}
    assert cat.loc[cat["name"] == "townships", "rows"].iloc[0] == 368
    assert cat["source"].str.len().gt(10).all() and cat["licence"].str.len().gt(3).all()


def test_show_unknown_name_suggests():
    with pytest.raises(InputError) as e:
        datasets.show("station")
    assert "stations" in str(e.value)
