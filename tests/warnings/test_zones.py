"""Warning zones per hour (measurement, forecast), and the coverage mapping they use."""

from __future__ import annotations

import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.warnings import coverage_map, read_forecast, warning_zones

from tests.warnings._data import MAPPING, PT, T0, levels_frame

def test_zones_are_the_union_of_the_covered_townships_per_level_and_hour():
    lv = levels_frame({"屏東": [2, 0], "潮州": [1, 0], "恆春": [0, 0]})
    z = warning_zones(lv, PT, mapping=MAPPING)
    h0 = z.zones[z.zones["time"] == T0].set_index("level")
    assert set(h0.index) == {"L2", "L1"}
    assert h0.loc["L2", "n_townships"] == 11 and h0.loc["L1", "n_townships"] == 16
    assert set(h0.loc["L2", "townships"].split("、")) == set(MAPPING.loc[MAPPING.station == "屏東", "township"])
    assert len(z.zones[z.zones["time"] == T0 + pd.Timedelta(hours=1)]) == 0
    poly = z.polygons
    assert poly.crs.to_epsg() == 3826
    towns = datasets.load_townships(PT).to_crs(3826).set_index("TOWNNAME")
    want = towns.loc[h0.loc["L2", "townships"].split("、")].geometry.area.sum()
    got = poly[(poly["time"] == T0) & (poly["level"] == "L2")].geometry.area.iloc[0]
    assert got == pytest.approx(want, rel=1e-6)


def test_forecast_makes_the_whole_county_the_zone_for_that_day():
    lv = levels_frame({"屏東": [2] * 30, "潮州": [0] * 30, "恆春": [0] * 30})
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-02"], "area": ["高屏空品區"], "level": ["初級預警"],
                                     "pollutant": ["pm2.5"]}))
    z = warning_zones(lv, PT, mapping=MAPPING, forecast=fc)
    day1 = z.zone_rows if hasattr(z, "zone_rows") else z.zones
    d1 = day1[day1["time"] == T0 + pd.Timedelta(hours=5)]
    assert d1["level"].tolist() == ["L2"]                         # 2025-01-01: no forecast row
    d2 = day1[day1["time"] == T0 + pd.Timedelta(hours=25)].set_index("level")
    assert d2.loc["L2", "n_townships"] == 11 and d2.loc["L2", "basis"] == "measurement"
    assert d2.loc["L1", "n_townships"] == 22 and d2.loc["L1", "basis"] == "forecast"
    assert d2["n_townships"].sum() == 33


def test_a_station_with_data_but_not_in_the_coverage_table_is_reported():
    lv = levels_frame({"屏東": [1], "潮州": [0], "恆春": [0], "屏東(琉球)": [2]})
    z = warning_zones(lv, PT, mapping=MAPPING)
    text = z.problems.summary()
    assert "屏東(琉球)" in text
    assert z.zones["level"].tolist() == ["L1"]


def test_a_coverage_mapping_with_a_wrong_township_is_refused():
    bad = MAPPING.copy()
    bad.loc[0, "township"] = "屏東鎮"
    with pytest.raises(InputError, match="not a township of 屏東縣"):
        warning_zones(levels_frame({"屏東": [1]}), PT, mapping=bad)


def test_a_coverage_mapping_missing_a_township_is_refused_naming_it():
    short = MAPPING[MAPPING["township"] != "霧臺鄉"]
    with pytest.raises(InputError, match="missing from the coverage table: 霧臺鄉"):
        coverage_map(PT, short)
    with pytest.raises(InputError, match="missing"):
        warning_zones(levels_frame({"屏東": [1]}), PT, mapping=short)


def test_a_coverage_mapping_with_blank_or_misspelt_county_is_not_dropped_silently():
    blank = MAPPING.copy()
    blank.loc[0, "county"] = None                      # blank county: the county asked for
    m = coverage_map(PT, blank)
    assert sorted(m["township"]) == sorted(datasets.township_names(PT))
    typo = MAPPING.copy()
    typo.loc[0, "county"] = "屏束縣"
    with pytest.raises(InputError, match="(?s)row 2: unknown county '屏束縣'.*did you mean 屏東縣"):
        coverage_map(PT, typo)
    other = pd.concat([MAPPING, pd.DataFrame({"county": ["雲林縣"], "township": ["斗六市"], "station": ["斗六"]})])
    m = coverage_map(PT, other)
    assert "雲林縣" in m.attrs["problems"].summary()      # the other county's row is reported
    z = warning_zones(levels_frame({"屏東": [1]}), PT, mapping=other)
    assert "雲林縣" in z.problems.summary()


def test_big5_coverage_mapping_and_forecast_files_are_read(tmp_path):
    mp = tmp_path / "mapping_big5.csv"
    mp.write_bytes(MAPPING.to_csv(index=False).encode("cp950"))
    assert len(coverage_map(PT, mp)) == len(MAPPING)
    fp = tmp_path / "forecast_big5.csv"
    fp.write_bytes("date,area,level\n2025-01-02,高屏,初級預警\n".encode("cp950"))
    fc = read_forecast(fp)
    assert fc["level"].tolist() == ["L1"]
    bad = tmp_path / "forecast_bad.csv"
    bad.write_bytes(b"date,area,level\n2025-01-02,\x81\x20,L1\n")
    with pytest.raises(InputError, match="forecast_bad.csv"):
        read_forecast(bad)


def test_computed_coverage_for_zones_uses_the_coverage_station_types():
    # issue 12: 臺中市 has no official table; its computed coverage uses 一般站/工業站, not the 交通站 臺灣大道
    from geoairplan import datasets
    from geoairplan.reference.stations import COVERAGE_TYPES

    m = coverage_map("臺中市")
    assert (m["source"] == "computed").all() and len(m) == 29
    st = datasets.load_stations("臺中市")
    kinds = dict(zip(st["name_zh"], st["sitetype"]))
    assert set(m["station"]) and all(kinds[s] in COVERAGE_TYPES for s in m["station"])
    assert "臺灣大道" not in set(m["station"])
    assert "no official table" in m.attrs["detail"] and "一般站、工業站" in m.attrs["detail"]
