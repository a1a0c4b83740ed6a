"""The warning rule tables: the seed values, the pre-2022 scale, checks of a table given by the user."""

from __future__ import annotations

import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.warnings import compute_levels, load_warning_rules

from tests.warnings._data import at, series, tidy

RULES = datasets.load_rules("warning_2022")


def test_rule_file_holds_the_seed_values_the_tests_use():
    r = RULES.set_index(["pollutant", "level", "averaging"])["threshold"].astype(float)
    assert r[("pm2.5", "L1", "24h_moving")] == 35.5          # 003 L65
    assert r[("pm10", "S2", "1h")] == 1050.0                  # 003 L63 "1 0 5 0 連續二小時"
    assert r[("pm10", "S3", "1h")] == 1250.0
    assert r[("co", "L1", "8h_moving")] == 9.5                # 003 L69
    assert r[("o3", "L1", "1h")] == 0.125                     # 003 L70, ppm
    cons = RULES.set_index(["pollutant", "level", "averaging"])["consecutive_hours"].astype(int)
    assert cons[("pm10", "S2", "1h")] == 2 and cons[("pm10", "S3", "1h")] == 3


def test_pre2022_rules_have_their_own_levels_and_map_to_2022():
    vals = [110.0] * 24                                            # PM10 24-h: 2022 L1 (101), 002 W2 is 126
    lv22 = compute_levels(tidy(series("A", "pm10", vals)))
    lv02 = compute_levels(tidy(series("A", "pm10", vals)), "warning_pre2022_002")
    assert at(lv22, "A", 23)["level"] == "L1"
    assert at(lv02, "A", 23)["level"] == "none"
    lv02b = compute_levels(tidy(series("A", "pm10", [130.0] * 24)), "warning_pre2022_002")
    assert at(lv02b, "A", 23)["level"] == "W2" and at(lv02b, "A", 23)["level_zh"] == "預警二級"
    R = load_warning_rules("warning_pre2022_002")
    assert R.levels == ("W2", "W1", "D3", "D2", "D1")
    assert [R.to_2022[c] for c in R.levels] == ["L1", "L2", "S1", "S2", "S3"]


def test_a_rule_table_with_an_unknown_pollutant_is_refused_with_its_row():
    bad = RULES.copy()
    bad.loc[3, "pollutant"] = "pm1"
    with pytest.raises(InputError, match=r"row 5 .*unknown pollutant 'pm1'"):
        load_warning_rules(bad)


def test_a_big5_rule_table_file_is_read(tmp_path):
    p = tmp_path / "rules_big5.csv"
    p.write_bytes(RULES.to_csv(index=False).encode("cp950", errors="replace"))
    R = load_warning_rules(p)
    assert len(R.table) == len(RULES)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"pollutant,level\n\x81\x20,L1\n")
    with pytest.raises(InputError, match="bad.csv"):
        load_warning_rules(bad)
