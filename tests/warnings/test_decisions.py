"""Command centre (004 Art. 7), lowering and lifting (Art. 14)."""

from __future__ import annotations

import pandas as pd
import pytest

from geoairplan.warnings import command_centre, half_or_more, lower_lift, read_forecast

from tests.warnings._data import MAPPING, PT, T0, levels_frame

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


def test_art7_counts_every_network_station_of_the_county_and_insufficient_is_not_at_a_level():
    # changed by issue 13: 004 L35-L36 count the county's stations (轄區內...空氣品質監測站), not the
    # three of the coverage table (003 表 2); 屏東縣 has five MOENV stations
    ranks = {"屏東": [2, 2], "潮州": [-1, 2], "恆春": [2, 2], "屏東(琉球)": [0, 0], "屏東(枋山)": [0, 0]}
    cc = command_centre(levels_frame(ranks), PT, mapping=MAPPING)
    assert cc["n_stations"].iloc[0] == 5 and cc["stations"].iloc[0] == "屏東;屏東(枋山);屏東(琉球);恆春;潮州"
    assert cc["decision"].iloc[0] == "must"                       # at hour 1: 3 of 5 (hour 0: 2 of 5)
    assert "at 2025-01-01 01:00" in cc["reason"].iloc[0]
    cc0 = command_centre(levels_frame({"屏東": [2], "潮州": [-1], "恆春": [2]}), PT, mapping=MAPPING)
    assert cc0["decision"].iloc[0] == "none"                      # 2 of 5


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
