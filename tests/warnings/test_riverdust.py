"""雲林縣 river dust (002 Table 7.2): the wind sector, the speed, the levels, the zone."""

from __future__ import annotations

import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.warnings import compute_levels, in_sector, load_river_dust_rules, river_dust, warning_zones

from tests.warnings._data import tidy

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


def test_river_dust_rules_must_agree_on_the_wind_condition():
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
