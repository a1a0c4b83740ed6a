"""Warning levels per station and hour, checked against the regulation's own numbers.

Thresholds are read from data/rules/warning_2022.csv (003 Table 1, L63-L70); the
tests never type a threshold they could read from the rule file, except the seed
values the issue names (35.5, 1050, 9.5, 0.125), which are asserted to be in it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.warnings import (Completeness, compute_levels, levels_reference, load_warning_rules,
                                 prepare_observations, series_column)

from tests.warnings._data import MOENV_UNIT, T0, at, series, tidy

RULES = datasets.load_rules("warning_2022")


def _one_rule(row: pd.Series) -> pd.DataFrame:
    return pd.DataFrame([row])


def _eps(thr: float) -> float:
    return 10 ** (math.floor(math.log10(thr)) - 3)


@pytest.mark.parametrize("i", range(len(RULES)), ids=[f"{r.pollutant}-{r.level}-{r.averaging}"
                                                       for r in RULES.itertuples()])
@pytest.mark.parametrize("where", ["at", "below", "above"])
def test_every_rule_row_at_just_below_and_just_above(i, where):
    row = RULES.iloc[i]
    thr = float(row["threshold"])
    v = {"at": thr, "below": thr - _eps(thr), "above": thr + _eps(thr)}[where]
    p = row["pollutant"]
    # give the value in MOENV's unit (O3 in ppb while the rule is in ppm)
    factor = 1000.0 if (row["unit"] == "ppm" and MOENV_UNIT[p] == "ppb") else 1.0
    k = int(row["consecutive_hours"])
    n = 24 + k
    lv = compute_levels(tidy(series("A", p, [v * factor] * n)), _one_rule(row))
    last = at(lv, "A", n - 1)
    want = "none" if where == "below" else row["level"]
    assert last[f"level_{p}"] == want
    assert last["level"] == want
    if where != "below":
        assert last["pollutant"] == p


def test_pm25_24h_moving_average_crosses_35_5():
    # 24 h at 35, then 36 every hour: the mean after j hours of 36 is 35 + j/24, >= 35.5 from j = 12
    vals = [35.0] * 24 + [36.0] * 20
    lv = compute_levels(tidy(series("A", "pm2.5", vals)))
    col = series_column("pm2.5", "24h_moving", "ug/m3")
    assert at(lv, "A", 23)[col] == pytest.approx(35.0)
    assert at(lv, "A", 23 + 11)[col] == pytest.approx(35.0 + 11 / 24)
    assert at(lv, "A", 23 + 11)["level"] == "none"
    assert at(lv, "A", 23 + 12)[col] == pytest.approx(35.5)
    assert at(lv, "A", 23 + 12)["level"] == "L1"
    assert at(lv, "A", 23 + 12)["level_zh"] == "初級預警"
    assert "pm2.5 24h_moving 35.5 >= 35.5" in at(lv, "A", 23 + 12)["criterion"]


def test_first_hours_of_a_24h_average_are_insufficient_not_low():
    lv = compute_levels(tidy(series("A", "pm2.5", [200.0] * 30)))
    assert at(lv, "A", 16)["level"] == "insufficient"           # 17 valid hours < 18
    assert "pm2.5 24h_moving (17/24 h valid)" in at(lv, "A", 16)["insufficient"]
    assert at(lv, "A", 17)["level"] == "S1"                      # 18 valid hours of 200 >= 150.5


@pytest.mark.parametrize("hours,want", [(1, "none"), (2, "S2")])
def test_pm10_1050_for_one_vs_two_consecutive_hours(hours, want):
    vals = [50.0] * 30 + [1050.0] * hours + [50.0] * 3
    lv = compute_levels(tidy(series("A", "pm10", vals)))
    peak = lv[lv["station"] == "A"]["level_rank"].max()
    assert load_warning_rules().code(int(peak)) == want
    if want == "S2":
        row = at(lv, "A", 31)
        assert row["level"] == "S2" and "for 2 consecutive hours" in row["criterion"]
        assert at(lv, "A", 30)["level"] == "none"               # the first of the two hours


def test_pm10_1250_needs_three_hours_and_a_missing_hour_breaks_the_run():
    base = [50.0] * 30
    lv3 = compute_levels(tidy(series("A", "pm10", base + [1250.0] * 3)))
    assert at(lv3, "A", 32)["level"] == "S3"
    assert at(lv3, "A", 31)["level"] == "S2"                    # 2 h of 1250 >= 1050 for 2 h
    lv_gap = compute_levels(tidy(series("A", "pm10", [10.0] * 30 + [1050.0, None, 1050.0])))
    assert at(lv_gap, "A", 32)["level_pm10"] == "none"             # 24-h mean 99.6 < 101, no 2-h run
    assert at(lv_gap, "A", 31)["level_pm10"] == "insufficient"     # the hour itself is missing


def test_co_8h_moving_average_and_its_completeness():
    lv = compute_levels(tidy(series("A", "co", [1.0] * 10 + [9.5] * 8)))
    assert at(lv, "A", 17)["level"] == "L1"
    assert at(lv, "A", 16)["level"] == "none"                   # 7 × 9.5 + 1.0 -> 8.44
    lv2 = compute_levels(tidy(series("A", "co", [1.0] * 10 + [9.5] * 7 + [9.4])))
    assert at(lv2, "A", 17)["co_8h_moving_ppm"] == pytest.approx((7 * 9.5 + 9.4) / 8)
    assert at(lv2, "A", 17)["level"] == "none"
    # 6 of 8 valid hours suffice, 5 do not
    six = [1.0] * 10 + [9.5, None, 9.5, None, 9.5, 9.5, 9.5, 9.5]
    five = [1.0] * 10 + [9.5, None, None, None, 9.5, 9.5, 9.5, 9.5]
    assert at(compute_levels(tidy(series("A", "co", six))), "A", 17)["level"] == "L1"
    assert at(compute_levels(tidy(series("A", "co", five))), "A", 17)["level"] == "insufficient"


@pytest.mark.parametrize("value,unit,want", [(125.0, "ppb", "L1"), (124.9, "ppb", "none"), (0.125, "ppm", "L1"),
                                             (165.0, "ppb", "L2"), (0.2049, "ppm", "L2")])
def test_o3_in_ppb_is_converted_to_the_ppm_rule(value, unit, want):
    lv = compute_levels(tidy(series("A", "o3", [value] * 3, unit=unit)))
    assert at(lv, "A", 2)["level"] == want
    assert at(lv, "A", 2)["o3_1h_ppm"] == pytest.approx(value / 1000 if unit == "ppb" else value)


def test_o3_in_a_mass_unit_is_refused_not_compared():
    with pytest.raises(InputError, match="o3 in 'ug/m3' cannot be compared with a rule in 'ppm'"):
        compute_levels(tidy(series("A", "o3", [250.0] * 3, unit="ug/m3")))


def test_unknown_unit_is_refused_with_the_row():
    with pytest.raises(InputError, match="unknown unit 'mg/L' for pm2.5"):
        compute_levels(tidy(series("A", "pm2.5", [10.0] * 3, unit="mg/L")))


def test_missing_hours_make_the_24h_average_insufficient_and_completeness_is_configurable():
    vals = [100.0] * 17 + [None] * 7                             # 17 valid of 24
    lv = compute_levels(tidy(series("A", "pm2.5", vals)))
    assert at(lv, "A", 23)["level"] == "insufficient"
    assert np.isnan(at(lv, "A", 23)[series_column("pm2.5", "24h_moving", "ug/m3")])
    lv16 = compute_levels(tidy(series("A", "pm2.5", vals)), completeness=Completeness(h24=16))
    assert at(lv16, "A", 23)["level"] == "L2"                    # 100 >= 54.5
    with pytest.raises(InputError):
        Completeness(h24=25)


def test_invalid_flagged_values_never_count():
    rows = series("A", "pm2.5", [20.0] * 24)
    rows[-1] = ("A", 23, "pm2.5", 900.0, "ug/m3", "invalid")     # a number, but flagged invalid
    lv = compute_levels(tidy(rows))
    assert at(lv, "A", 23)[series_column("pm2.5", "24h_moving", "ug/m3")] == pytest.approx(20.0)
    assert at(lv, "A", 23)[series_column("pm2.5", "24h_moving", "ug/m3") + "_n"] == 23
    assert at(lv, "A", 23)["level"] == "none"


def test_station_level_is_the_highest_pollutant_and_names_it():
    rows = series("A", "pm2.5", [60.0] * 24) + series("A", "no2", [400.0] * 24) + series("A", "o3", [30.0] * 24)
    lv = compute_levels(tidy(rows))
    r = at(lv, "A", 23)
    assert (r["level_pm2.5"], r["level_no2"], r["level_o3"]) == ("L2", "L2", "none")
    assert r["level"] == "L2" and r["pollutant"] == "pm2.5;no2"
    rows2 = series("A", "pm2.5", [60.0] * 24) + series("A", "no2", [700.0] * 24)
    r2 = at(compute_levels(tidy(rows2)), "A", 23)
    assert r2["level"] == "S1" and r2["pollutant"] == "no2"
    assert r2["level_so2"] == ""                                    # not measured: no level, not "none"


def test_a_reached_level_wins_over_an_insufficient_pollutant_but_none_does_not():
    rows = series("A", "pm2.5", [None] * 24) + series("A", "no2", [120.0] * 24)
    assert at(compute_levels(tidy(rows)), "A", 23)["level"] == "L1"
    rows = series("A", "pm2.5", [None] * 24) + series("A", "no2", [20.0] * 24)
    assert at(compute_levels(tidy(rows)), "A", 23)["level"] == "insufficient"


def test_vectorised_engine_equals_the_naive_peer_on_random_gappy_data():
    rng = np.random.default_rng(7)
    rows = []
    scale = {"pm2.5": 60, "pm10": 260, "o3": 110, "so2": 90, "no2": 120, "co": 7}
    for st in ("A", "B", "C"):
        for p, s in scale.items():
            v = rng.gamma(2.0, s / 2.0, size=60)
            v[rng.random(60) < 0.15] = np.nan
            if p == "pm10":
                v[30:33] = [1100, 1300, 1260]
            rows += [(st, h, p, None if np.isnan(x) else float(x)) for h, x in enumerate(v)]
    obs = tidy(rows).sample(frac=1.0, random_state=3)           # out of order on purpose
    fast = compute_levels(obs)
    slow = levels_reference(obs)
    assert len(fast) == len(slow) == 3 * 60
    for c in ["level", "pollutant"] + [c for c in slow.columns if c.startswith("level_")]:
        assert fast[c].astype(str).tolist() == slow[c].astype(str).tolist(), c
    assert (fast["level"] != "none").sum() > 20                    # the data reach levels


def test_duplicates_keep_the_first_and_are_reported():
    rows = series("A", "pm2.5", [40.0] * 24) + [("A", 23, "pm2.5", 500.0)]
    lv = compute_levels(tidy(rows))
    assert at(lv, "A", 23)["level"] == "L1"                        # 40 -> L1, the repeated 500 is not used
    text = lv.attrs["problems"].summary()
    assert "1 repeated hour(s) (first 2025-01-01 23:00)" in text and "first value in the table is kept" in text


def test_out_of_order_rows_are_sorted_and_reported():
    rows = series("A", "pm2.5", [40.0] * 24)
    obs = tidy(rows[::-1])
    lv = compute_levels(obs)
    assert at(lv, "A", 23)["level"] == "L1"
    assert "times are not in order: sorted" in lv.attrs["problems"].summary()


def test_utc_times_are_converted_to_taipei_and_naive_times_read_as_taipei():
    obs = tidy(series("A", "pm2.5", [40.0] * 24))
    utc = obs.assign(time=obs["time"].dt.tz_convert("UTC"))
    lv = compute_levels(utc)
    assert str(lv["time"].dt.tz) == "Asia/Taipei"
    assert lv["time"].iloc[0] == T0
    assert "converted to Asia/Taipei" in lv.attrs["problems"].summary()
    naive = obs.assign(time=obs["time"].dt.tz_localize(None))
    lv2 = compute_levels(naive)
    assert lv2["time"].iloc[0] == T0
    assert "read as Asia/Taipei" in lv2.attrs["problems"].summary()
    text = obs.assign(time=(obs["time"].dt.tz_convert("UTC")).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert compute_levels(text)["time"].iloc[0] == T0


def test_unknown_pollutant_rows_are_reported_not_silently_dropped():
    obs = tidy(series("A", "pm2.5", [40.0] * 24) + series("A", "benzene", [1.0] * 24, unit="ppb"))
    clean, probs = prepare_observations(obs)
    assert "pollutant 'benzene'" in probs.summary() and "24 rows not used" in probs.summary()
    assert set(clean["pollutant"]) == {"pm2.5"}


def test_missing_columns_and_empty_tables_raise_clear_errors():
    with pytest.raises(InputError, match="missing column"):
        compute_levels(pd.DataFrame({"time": [T0], "station": ["A"]}))
    with pytest.raises(InputError, match="no rows"):
        compute_levels(tidy(series("A", "pm2.5", [1.0]))[0:0])


def test_every_station_gets_a_complete_hourly_index():
    rows = series("A", "pm2.5", [40.0] * 30) + series("B", "pm2.5", [40.0] * 5, start=25)
    lv = compute_levels(tidy(rows))
    assert (lv.groupby("station").size() == 30).all()
    assert at(lv, "B", 10)["level"] == "insufficient"              # B has no data yet


def test_known_codes_the_rules_do_not_use_are_reported_with_their_row_counts():
    obs = tidy(series("A", "pm2.5", [40.0] * 24) + series("A", "nox", [5.0] * 24, unit="ppb")
               + series("A", "pm2.5_avg", [40.0] * 3, unit="ug/m3"))
    clean, probs = prepare_observations(obs)
    text = probs.summary()
    assert "pollutant nox" in text and "24 rows skipped" in text
    assert "pollutant pm2.5_avg" in text and "3 rows skipped" in text
    assert sum("not used by the warning rules" in p.reason for p in probs) == 2
    assert set(clean["pollutant"]) == {"pm2.5"}


def test_row_labels_are_file_rows_header_being_row_1():
    obs = tidy(series("A", "pm2.5", [40.0] * 4)).astype({"time": object})
    obs.loc[2, "time"] = "not a time"                 # third data row = file row 4
    _, probs = prepare_observations(obs)
    assert "first: row 4" in probs.summary()
    obs = tidy(series("A", "pm2.5", [40.0] * 4))
    obs.loc[1, "unit"] = "furlongs"                   # second data row = file row 3
    with pytest.raises(InputError, match="row 3"):
        prepare_observations(obs)
    obs["row"] = [12, 13, 14, 15]                     # a row column given with the table wins
    with pytest.raises(InputError, match="row 13"):
        prepare_observations(obs)
