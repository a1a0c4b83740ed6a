"""Zones, command centre (004 Art. 7), lowering and lifting (Art. 14), river dust, notifications."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.warnings import (command_centre, compute_levels, half_or_more, in_sector, lower_lift,
                                 notification_list, read_forecast, river_dust, tables_for, warning_zones)
from geoairplan.warnings.notify import _load_measures

from tests.test_warnings import T0, series, tidy

PT = "屏東縣"
# the embedded official coverage of 屏東縣 (003 Table 2), as an explicit mapping
MAPPING = datasets.load_coverage_official(PT)[["county", "township", "station"]]


def levels_frame(ranks: dict[str, list[int]], *, t0=T0):
    """A level table with given ranks per station and hour (what compute_levels returns)."""
    from geoairplan.warnings import load_warning_rules

    R = load_warning_rules()
    recs = []
    for st, rs in ranks.items():
        for h, r in enumerate(rs):
            recs.append({"time": t0 + pd.Timedelta(hours=h), "station": st, "level": R.code(r), "level_rank": r,
                         "pollutant": "pm2.5" if r > 0 else ""})
    df = pd.DataFrame(recs)
    df.attrs["rules"] = "warning_2022"
    return df


# --------------------------------------------------------------------------- Art. 7


@pytest.mark.parametrize("k,n,want", [(1, 3, False), (2, 3, True), (3, 3, True), (1, 4, False), (2, 4, True),
                                      (3, 4, True), (0, 0, False)])
def test_half_or_more(k, n, want):
    assert half_or_more(k, n) is want


def _stations(n):
    return [f"S{i}" for i in range(n)]


@pytest.mark.parametrize("n,at_l2,want", [(3, 1, "none"), (3, 2, "must"), (4, 1, "none"), (4, 2, "must")])
def test_art7_must_when_half_or_more_stations_at_l2(n, at_l2, want):
    ranks = {s: [2] * 3 if i < at_l2 else [0] * 3 for i, s in enumerate(_stations(n))}
    cc = command_centre(levels_frame(ranks), PT, stations=_stations(n))
    assert cc["decision"].tolist() == [want]
    assert cc["n_stations"].iloc[0] == n and cc["max_at_L2"].iloc[0] == at_l2
    if want == "must":
        assert f"{at_l2} of {n} stations (half or more) at 中級預警" in cc["reason"].iloc[0]
        assert "L36" in cc["reason"].iloc[0]


@pytest.mark.parametrize("n,at_l1,forecast_next,want", [(3, 2, "L2", "may"), (3, 1, "L2", "none"),
                                                        (4, 2, "L2", "may"), (4, 2, "L1", "none"),
                                                        (4, 1, "S1", "none")])
def test_art7_may_when_half_at_l1_and_next_day_forecast_l2(n, at_l1, forecast_next, want):
    ranks = {s: [1] * 3 if i < at_l1 else [0] * 3 for i, s in enumerate(_stations(n))}
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-02"], "area": ["高屏"], "level": [forecast_next]}))
    cc = command_centre(levels_frame(ranks), PT, stations=_stations(n), forecast=fc)
    assert cc["decision"].tolist() == [want]
    if want == "may":
        assert "L35" in cc["reason"].iloc[0] and "forecast 2025-01-02 L2" in cc["reason"].iloc[0]


def test_art7_any_station_at_mild_or_above_means_must():
    ranks = {"S0": [0, 3, 0], "S1": [0, 0, 0], "S2": [0, 0, 0], "S3": [0, 0, 0]}
    cc = command_centre(levels_frame(ranks), PT, stations=_stations(4))
    assert cc["decision"].iloc[0] == "must"
    assert "S0 at 輕度嚴重惡化 or above at 2025-01-01 01:00" in cc["reason"].iloc[0]


@pytest.mark.parametrize("d1,d2,want", [("L1", "L2", "may"), ("L1", "S1", "may"), ("L2", "L2", "must"),
                                        ("L2", "L1", "none"), ("none", "L2", "none"), ("L1", "L1", "none")])
def test_art7_forecast_conditions_for_the_next_two_days(d1, d2, want):
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-02", "2025-01-03"], "area": ["屏東縣", "屏東縣"],
                                     "level": [d1, d2]}))
    cc = command_centre(levels_frame({"屏東": [0] * 3}), PT, forecast=fc, mapping=MAPPING)
    assert cc["decision"].iloc[0] == want
    assert cc["forecast_next_day"].iloc[0] == d1 and cc["forecast_day_after"].iloc[0] == d2


def test_art7_counts_the_stations_of_the_coverage_table_and_insufficient_is_not_at_a_level():
    ranks = {"屏東": [2, 2], "潮州": [-1, 2], "恆春": [0, 0]}
    cc = command_centre(levels_frame(ranks), PT, mapping=MAPPING)
    assert cc["n_stations"].iloc[0] == 3 and cc["stations"].iloc[0] == "屏東;恆春;潮州"
    assert cc["decision"].iloc[0] == "must"                       # at hour 1: 2 of 3
    assert "at 2025-01-01 01:00" in cc["reason"].iloc[0]
    cc0 = command_centre(levels_frame({"屏東": [2], "潮州": [-1], "恆春": [0]}), PT, mapping=MAPPING)
    assert cc0["decision"].iloc[0] == "none"


# --------------------------------------------------------------------------- Art. 14


def test_lower_needs_an_easing_forecast_and_lift_needs_only_below_l1():
    ranks = {"屏東": [2, 2, 1, 1, -1, 0, 0]}
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-01"], "area": ["高屏"], "level": ["L1"],
                                     "improving_6h": ["yes"]}))
    ev = lower_lift(levels_frame(ranks), PT, forecast=fc, mapping=MAPPING)
    assert ev[["action", "from_level", "to_level"]].values.tolist() == [
        ["issue", "none", "L2"], ["may_lower", "L2", "L1"], ["may_lift", "L1", "none"]]
    assert ev["time"].tolist()[1:] == [T0 + pd.Timedelta(hours=2), T0 + pd.Timedelta(hours=5)]
    ev2 = lower_lift(levels_frame(ranks), PT, mapping=MAPPING)        # no forecast: hold, then lift
    assert ev2["action"].tolist() == ["issue", "hold", "may_lift"]
    assert "no forecast of easing within 6 h" in ev2["reason"].iloc[1]


# --------------------------------------------------------------------------- zones


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


# --------------------------------------------------------------------------- river dust (002 Table 7.2)


@pytest.mark.parametrize("direction,want", [(314, False), (315, True), (0, True), (360, True), (45, True),
                                            (46, False), (180, False)])
def test_north_sector_315_to_45_inclusive(direction, want):
    assert bool(in_sector(direction, 315, 45)) is want


def _dust(direction, speed, pm10=300.0, station="麥寮", hours=1):
    rows = []
    for h in range(hours):
        rows += [(station, h, "pm10", pm10), (station, h, "wind_direc", direction, "deg"),
                 (station, h, "wind_speed", speed, "m/s")]
    return tidy(rows)


@pytest.mark.parametrize("direction", [314, 315, 45, 46])
@pytest.mark.parametrize("speed", [3.7, 3.8])
def test_yunlin_river_dust_trigger_wind_sector_and_speed(direction, speed):
    r = river_dust(_dust(direction, speed))
    trig = bool(r["level_rank"].iloc[0] > 0)
    assert trig is (direction in (315, 45) and speed > 3.7)       # "風速大於 3.7m/s": strictly above
    if trig:
        assert r["level"].iloc[0] == "W1" and r["level_2022"].iloc[0] == "L2"   # 255 <= 300 < 355


def test_river_dust_levels_and_consecutive_hours():
    r = river_dust(_dust(10, 6.0, pm10=1100.0, hours=2))
    assert r["level"].tolist() == ["D3", "D2"]                    # 1 h >= 355; 2 h >= 1050
    assert r["level_2022"].tolist() == ["S1", "S2"]


def test_river_dust_zone_is_lunbei_and_mailiao_coverage():
    obs = _dust(10, 6.0, pm10=400.0, hours=3)
    r = river_dust(obs)
    lv = compute_levels(obs)
    z = warning_zones(lv, "雲林縣", river=r)
    rd = z.townships[z.townships["basis"].str.contains("river_dust")]
    cov = datasets.load_coverage_official("雲林縣")
    want = set(cov.loc[cov.station.isin(["崙背", "麥寮"]), "township"])
    assert set(rd["township"]) == want and set(rd["level_2022"]) == {"S1"}


# --------------------------------------------------------------------------- notifications


FAC = pd.DataFrame({
    "county": PT, "control_no": ["T1", "T2", "T3", "T4"], "name": ["砂石甲", "燃燒乙", "瀝青丙", "只有表五"],
    "township": ["里港鄉", "枋寮鄉", "恆春鎮", "潮州鎮"], "address": ["a", "b", "c", "d"],
    "tables": ["T5#1;T8#3", "T5#2;T9#1", "T12#4", "T5#9"], "pollutant_groups": ["particulate", "sox_nox", "", ""],
    "contact": ["", "", "", ""]})
HEA = pd.DataFrame({"county": PT, "name": ["屏東醫院", "恆春醫院", "某衛生所"], "kind": ["hospital", "hospital",
                                                                               "health_station"],
                    "township": ["屏東市", "恆春鎮", None], "address": ["屏東市自由路", "恆春鎮", "不明"],
                    "phone": ["08-1", "08-2", "08-3"]})


def test_measures_name_the_notification_tables_per_level():
    m = _load_measures(None)
    t = tables_for(m, "pm10;pm2.5", "L1")
    assert {"8", "9", "10", "11"} <= set(t) and t["8"] == ""
    assert t.get("12", "").startswith("forecast")                  # 003 L508: on a forecast only
    assert "8" not in tables_for(m, "o3;so2;no2;co", "L1")         # O3 group L1: 表 9, 10 (003 L1351)
    assert "8" in tables_for(m, "o3;so2;no2;co", "S1")             # deterioration: as PM (003 L1468)


def test_pingtung_notifies_stationary_sources_county_wide_and_hospitals_in_the_zone():
    lv = levels_frame({"屏東": [1], "潮州": [0], "恆春": [0]})
    z = warning_zones(lv, PT, mapping=MAPPING)
    notes, meas = notification_list(z.townships, PT, facilities=FAC, health=HEA)
    fac = notes[notes["recipient_kind"] == "designated_facility"].set_index("control_no")
    assert set(fac.index) == {"T1", "T2", "T3"}                   # T4 is on no notification table
    assert fac.loc["T2", "in_zone"] == "no" and fac.loc["T2", "scope"].startswith("county-wide")
    assert fac.loc["T3", "condition"].startswith("forecast")
    hosp = notes[notes["recipient_kind"] != "designated_facility"]
    assert hosp["name"].tolist() == ["屏東醫院", "某衛生所"]       # in zone; unknown township kept
    assert hosp.set_index("name").loc["某衛生所", "in_zone"] == "unknown"
    assert len(meas) and set(meas["level"]) == {"L1"} and set(meas["county"]) == {PT}


# --------------------------------------------------------------------------- forecast input


def test_forecast_file_errors_name_the_row(tmp_path):
    p = tmp_path / "fc.csv"
    p.write_text("date,area,level\n2025-01-02,高屏,L1\n2025-01-03,高屏,orange\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: unknown warning level 'orange'"):
        read_forecast(p)
    p.write_text("date,area,level\n2025-01-02,火星,L1\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown area"):
        read_forecast(p)
    p.write_text("date,area,level\n2025-01-02,高屏,預警二級\n", encoding="utf-8")
    assert read_forecast(p)["level"].tolist() == ["L1"]          # 002 naming mapped to 2022


# --------------------------------------------------------------------------- review fixes


def test_a_coverage_mapping_missing_a_township_is_refused_naming_it():
    from geoairplan.warnings import coverage_map

    short = MAPPING[MAPPING["township"] != "霧臺鄉"]
    with pytest.raises(InputError, match="missing from the coverage table: 霧臺鄉"):
        coverage_map(PT, short)
    with pytest.raises(InputError, match="missing"):
        warning_zones(levels_frame({"屏東": [1]}), PT, mapping=short)


def test_a_coverage_mapping_with_blank_or_misspelt_county_is_not_dropped_silently():
    from geoairplan.warnings import coverage_map

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
    from geoairplan.warnings import coverage_map

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


def test_river_dust_rules_must_agree_on_the_wind_condition():
    from geoairplan.warnings import load_river_dust_rules

    rules = datasets.load_rules("yunlin_river_dust_002")
    assert len(load_river_dust_rules(rules)) == len(rules)
    bad = rules.copy()
    bad.loc[2, "wind_speed_ms"] = "5.0"
    bad.loc[3, "wind_dir_to_deg"] = "60"
    with pytest.raises(InputError, match=r"wind condition.*row\(s\) 4, 5") as e:
        load_river_dust_rules(bad)
    assert "wind_speed_ms" in str(e.value) and "wind_dir_to_deg" in str(e.value)
    with pytest.raises(InputError, match="wind condition"):
        river_dust(_dust(10, 4.0), rules=bad)


def test_an_episode_without_zones_writes_no_empty_geopackage(tmp_path):
    from geoairplan.warnings import decisions
    from geoairplan.warnings.episode import run_warnings, write_outputs

    assert not hasattr(decisions, "level_zh")          # dead helper removed
    res = run_warnings(tidy(series("屏東", "pm2.5", [10.0] * 3)), county=PT, mapping=MAPPING)
    assert len(res.polygons) == 0
    (tmp_path / "zones.gpkg").write_bytes(b"stale")
    files = write_outputs(res, tmp_path, maps=False)
    assert "zones_gpkg" not in files and not (tmp_path / "zones.gpkg").exists()
