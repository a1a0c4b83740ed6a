"""Who to notify (designated facilities, hospitals, health stations) and the measures of each level."""

from __future__ import annotations

import pandas as pd

from geoairplan.warnings import notification_list, tables_for, warning_zones
from geoairplan.warnings.notify import _load_measures

from tests.warnings._data import MAPPING, PT, levels_frame

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
