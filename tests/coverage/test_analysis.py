"""The whole coverage analysis (geoairplan.coverage.analysis): neighbours, township_station_map."""

import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.coverage import coverage_analysis, township_station_map

PT3 = ["屏東", "潮州", "恆春"]


def test_neighbours_take_part_when_asked():
    alone = coverage_analysis("雲林縣", official=False)
    assert set(alone.cells["station_county"]) == {"雲林縣"}
    near = coverage_analysis("雲林縣", include_neighbours=True)
    outside = near.cells[near.cells["station_county"] != "雲林縣"]
    assert {"新港", "朴子"} <= set(outside["station"])
    assert near.assignment.set_index("township").loc["北港鎮", "station"] == "新港"
    some = coverage_analysis("雲林縣", include_neighbours=3_000.0)  # 新港 2.9 km away, 朴子 4.7 km
    # the national registry adds 彰化縣's 大城 and 南投縣's 竹山, both within 3 km of the county line
    assert set(some.cells["station"]) == {"斗六", "崙背", "麥寮", "臺西", "新港", "大城", "竹山"}
    for r in (near, some):
        assert r.cells["area_km2"].sum() == pytest.approx(r.land_km2, rel=1e-6)



def test_township_station_map_official_where_it_exists():
    df = township_station_map("屏東縣")
    assert list(df.columns) == ["county", "township", "station", "source"]
    assert df.attrs["source"] == "official" and (df["source"] == "official").all()
    assert len(df) == 33 and df.set_index("township").loc["萬丹鄉", "station"] == "潮州"
    comp = township_station_map("屏東縣", stations=PT3, official=False)
    assert comp.attrs["source"] == "computed" and comp.set_index("township").loc["萬丹鄉", "station"] == "屏東"
    kh = township_station_map("高雄市")
    assert kh.attrs["source"] == "computed" and len(kh) == 38 and kh["station"].notna().all()
    assert set(kh["station"]) <= set(datasets.load_stations("高雄市")["name_zh"])
    with pytest.raises(InputError, match="no station in 臺北市"):
        township_station_map("台北市", stations="屏東,潮州")
