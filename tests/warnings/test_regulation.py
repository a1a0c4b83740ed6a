"""Issue 13: the regulation (seed 004) article by article, each scenario quoting the seed line it follows.

Every test here failed on the engine before issue 13 (checked on commit 604cf42): either the
decision departed from the text, or the article was not modelled at all.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geoairplan.warnings import command_centre, lower_lift, read_forecast, run_warnings
from geoairplan.warnings.timeline import EVENT_COLUMNS, central_centre

from tests.warnings._data import MAPPING, PT, T0, levels_frame, series, tidy

YL, PH, KH = "雲林縣", "澎湖縣", "高雄市"


def _fc(rows):
    cols = ["date", "area", "level", "improving_6h", "improving_12h"]
    return read_forecast(pd.DataFrame([dict(zip(cols, r)) for r in rows]))


# ---- Departure 1: Art. 7 counts every station of the county (004 L35-L36) --------------------------

def test_art7_any_station_of_the_county_at_s1_even_one_outside_the_coverage_table():
    # 004 L36: "任一空氣品質監測站達輕度嚴重惡化或以上等級" -> 應成立. 屏東(枋山) is a station of 屏東縣
    # (MOENV aqx_p_432) although 003 表 2 (L95-L97) gives it no coverage area.
    lv = levels_frame({"屏東(枋山)": [3, 3], "屏東": [0, 0], "潮州": [0, 0], "恆春": [0, 0]})
    cc = command_centre(lv, PT, mapping=MAPPING)
    assert cc["decision"].tolist() == ["must"]
    assert "屏東(枋山) at 輕度嚴重惡化 or above" in cc["reason"].iloc[0] and "L36" in cc["reason"].iloc[0]


def test_art7_three_of_the_five_stations_at_l2_is_half_or_more():
    # 004 L36: "轄區內二分之一以上空氣品質監測站達中級預警等級" -> 應成立; 屏東縣 has 5 stations, 3 >= 5/2
    lv = levels_frame({"屏東(枋山)": [2], "屏東(琉球)": [2], "屏東": [2], "潮州": [0], "恆春": [0]})
    cc = command_centre(lv, PT)
    assert cc["n_stations"].iloc[0] == 5 and cc["decision"].iloc[0] == "must"
    assert "3 of 5 stations (half or more) at 中級預警" in cc["reason"].iloc[0]


# ---- Departure 2: the issued level is carried through (004 Art. 10, L60; Art. 14, L70) --------------

def test_zones_notifications_and_measures_follow_the_issued_level_with_the_measured_beside_it():
    # 004 L60: "應依第四條發布之...警告之等級，執行區域防制措施"; L70: lowering needs an easing
    # forecast. 屏東 reaches S1 (O3 210 ppb >= 0.205 ppm) on day 1, then L2 (170 ppb) into day 2,
    # with no easing forecast: day 2 stays S1 for zones, notifications and measures.
    o3 = [210.0] * 3 + [170.0] * 45
    res = run_warnings(tidy(series("屏東", "o3", o3)), county=PT, mapping=MAPPING)
    z = res.zone_townships
    day2 = z[[t.date() == (T0 + pd.Timedelta(days=1)).date() for t in z["time"]]]
    assert len(day2) and set(day2["level_2022"]) == {"S1"} and set(day2["measured_level"]) == {"L2"}
    assert set(res.measures.loc[res.measures["date"] == "2025-01-02", "level"]) == {"S1"}
    assert set(res.notifications.loc[res.notifications["date"] == "2025-01-02", "level"]) == {"S1"}
    hold = res.timeline[res.timeline["event"] == "hold"]
    assert len(hold) and hold["level"].iloc[0] == "S1" and hold["measured_level"].iloc[0] == "L2"


# ---- Departure 3: forecast warnings on the record, Art. 14 applied to them ---------------------------

def test_a_forecast_warning_is_issued_as_an_event_and_lifted_by_art14():
    # 004 L15: "空氣品質預報資料顯示隔日...可能達預警...應發布對應類別等級之空氣品質預警"; 004 L71:
    # "於空氣污染物濃度未達空氣品質初級預警等級...得解除預警警告"
    obs = tidy(series("屏東", "o3", [30.0] * 6) + series("潮州", "o3", [30.0] * 6) + series("恆春", "o3", [30.0] * 6))
    fc = _fc([("2025-01-01", "高屏", "L1", "yes", "yes")])
    res = run_warnings(obs, county=PT, mapping=MAPPING, forecast=fc)
    tl = res.timeline
    iss = tl[(tl["event"] == "issue") & (tl["area"] == "全縣")]
    assert len(iss) == 1 and iss["level"].iloc[0] == "L1" and "004 L15" in iss["seed_line"].iloc[0]
    assert "003 L90" in iss["seed_line"].iloc[0]
    lift = tl[(tl["event"] == "lift") & (tl["area"] == "全縣")]
    assert len(lift) == 1 and lift["seed_line"].iloc[0] == "004 L71" and lift["time"].iloc[0] == T0 + pd.Timedelta(hours=1)
    z = res.zone_townships
    assert set(z["time"]) == {T0}                                    # whole county only until lifted


def test_a_forecast_warning_is_held_on_its_day_without_an_easing_forecast():
    # 004 L70: lowering needs "預測空氣品質在未來六小時有減緩惡化趨勢"; without it the warning stands
    obs = tidy(series("屏東", "o3", [30.0] * 6))
    res = run_warnings(obs, county=PT, mapping=MAPPING, forecast=_fc([("2025-01-01", "高屏", "L2", "no", "no")]))
    tl = res.timeline
    assert tl.loc[tl["area"] == "全縣", "event"].tolist()[:2] == ["issue", "hold"]
    assert set(res.zone_townships["level_2022"]) == {"L2"} and len(set(res.zone_townships["time"])) == 6


@pytest.mark.parametrize("county,station,line", [(YL, "斗六", "002 L4339"), (PH, "馬公", "001 L2390")])
def test_yunlin_and_penghu_warn_forecast_values_by_station_coverage_area(county, station, line):
    # 002 L4339 / 001 L2390: "當轄區內監測站其測值或預報值超過...即以空氣品質監測站涵蓋區域作為警告區域"
    obs = tidy(series(station, "o3", [30.0] * 4))
    area = "雲嘉南" if county == YL else county
    res = run_warnings(obs, county=county, forecast=_fc([("2025-01-01", area, "L1", "no", "no")]))
    iss = res.timeline[(res.timeline["event"] == "issue") & (res.timeline["article"] == "Art. 4(1)")]
    assert f"{station} 涵蓋區域" in set(iss["area"]) and "全縣" not in set(iss["area"])
    assert all(line in s for s in iss["seed_line"])
    fz = res.zone_townships[res.zone_townships["basis"] == "forecast"]
    assert len(fz) and (fz["station"] != "").all()


# ---- Departure 4: the note on an S level with an easing forecast -------------------------------------

def test_an_s_level_with_easing_within_12h_does_not_cite_the_advisory_clause_of_003_l105():
    # 003 L105: L1/L2 are issued on reaching them; "輕度、中度或重度嚴重惡化等級，且預測未來十二小時...無減緩"
    fc = _fc([("2025-01-01", "高屏", "none", "no", "yes")])
    ev = lower_lift(levels_frame({"屏東": [3, 3]}), PT, forecast=fc, mapping=MAPPING)
    why = ev["reason"].iloc[0]
    assert "issues advisory levels on reaching them" not in why and "advisory levels (L1/L2)" not in why
    assert "004 Art. 4(2) (L16) does not require issuing" in why
    ev1 = lower_lift(levels_frame({"屏東": [1, 1]}), PT, forecast=fc, mapping=MAPPING)
    assert "屏東縣 issues advisory levels (L1/L2) on reaching them (003 L105)" in ev1["reason"].iloc[0]


# ---- County tiers (003 L129, L150, L172) as rule data ------------------------------------------------

def test_pingtung_sets_up_its_deterioration_centre_on_tomorrows_severe_forecast():
    # 003 L129: "預報資料顯示隔日起轄區空氣品質可能有嚴重惡化等級，即成立之"; the national rule
    # (004 L35-L36) needs two days, so it says none
    fc = _fc([("2025-01-02", "高屏", "S1", "no", "no")])
    cc = command_centre(levels_frame({"屏東": [0]}), PT, forecast=fc)
    r = cc.iloc[0]
    assert r["decision"] == "none"
    assert r["tier"] == "centre_deterioration" and r["tier_decision"] == "must" and "003 L129" in r["tier_reason"]
    cy = command_centre(levels_frame({"斗六": [0]}), YL, forecast=_fc([("2025-01-02", "雲嘉南", "S1", "no", "no")]))
    assert cy["tier"].iloc[0] == ""                                  # no county tier: the national rule only


# ---- Art. 9(1): whom to notify -----------------------------------------------------------------------

def test_art9_notify_event_names_schools_and_says_the_seeds_do_not_list_them():
    # 004 L51: "通知政府機關(構)、各級學校、幼兒園、福利機構、護理機構、車站、醫院"; 003 L445: 教育處
    # 應聯繫轄區內各級學校及幼兒園 (no school is named in 003)
    res = run_warnings(tidy(series("屏東", "o3", [170.0] * 4)), county=PT, mapping=MAPPING)
    n = res.timeline[(res.timeline["event"] == "notify") & (res.timeline["article"] == "Art. 9(1)")]
    assert len(n) == 1 and n["seed_line"].iloc[0] == "004 L51"
    why = n["reason"].iloc[0]
    assert "各級學校 via 教育處 (003 L445" in why and "not listed by name in the seeds" in why
    assert "hospital" in why


# ---- Art. 11: upwind neighbours -------------------------------------------------------------------

def test_art11_the_most_upwind_county_notifies_its_adjacent_upwind_counties():
    # 004 L63: "屬該空氣品質區內最上風處之直轄市、縣(市)主管機關，應通知...上風處且直接相鄰之直轄市、縣(市)"
    rows = []
    for st in ("前金", "小港", "屏東", "潮州"):
        rows += series(st, "o3", [30.0] * 3)
        rows += series(st, "wind_direc", [10.0] * 3, unit="deg") + series(st, "wind_speed", [5.0] * 3, unit="m/s")
    res = run_warnings(tidy(rows), county=f"{PT},{KH}", forecast=_fc([("2025-01-01", "高屏", "L2", "no", "no")]))
    n = res.timeline[res.timeline["article"] == "Art. 11"]
    kh = n[n["county"] == KH]
    assert set(kh["area"]) == {"南投縣", "嘉義縣", "花蓮縣"}          # north wind: 高雄市 is upwind of 屏東縣
    assert (kh["seed_line"] == "004 L63").all() and "mean wind from 10°" in kh["reason"].iloc[0]
    pt = n[n["county"] == PT]
    assert pt["area"].tolist() == ["（非最上風處）"]


def test_art11_needs_l2_or_above_from_a_forecast():
    # 004 L63: "依第四條第一項發布空氣品質中級預警或嚴重惡化警告後" -- an L1 forecast notifies nobody
    rows = series("屏東", "wind_direc", [10.0] * 2, unit="deg") + series("屏東", "wind_speed", [5.0] * 2, unit="m/s")
    rows += series("屏東", "o3", [30.0] * 2)
    res = run_warnings(tidy(rows), county=PT, forecast=_fc([("2025-01-01", "高屏", "L1", "no", "no")]))
    assert not (res.timeline["article"] == "Art. 11").any()


# ---- Art. 13: six-hourly reassessment ---------------------------------------------------------------

def test_art13_reassesses_a_deterioration_warning_every_six_hours():
    # 004 L68: "空氣品質嚴重惡化警告發布後...至少每六小時蒐集氣象資料一次...調整...等級及其警告區域"
    o3 = [210.0] * 7 + [410.0] * 6
    res = run_warnings(tidy(series("屏東", "o3", o3)), county=PT, mapping=MAPPING)
    a13 = res.timeline[res.timeline["article"] == "Art. 13"]
    six = a13[a13["reason"].str.startswith("six-hourly")]
    assert six["time"].tolist() == [T0 + pd.Timedelta(hours=6), T0 + pd.Timedelta(hours=12)]
    assert six["event"].tolist() == ["hold", "raise"] and six["level"].tolist() == ["S1", "S2"]
    assert (six["seed_line"] == "004 L68").all()


# ---- Art. 16: the central command centre from a multi-county run --------------------------------------

def _cc(counties, decision="must", day="2025-01-01"):
    return pd.DataFrame({"date": day, "county": counties, "decision": decision})


def test_art16_nine_counties_other_than_the_islands_set_up_the_central_centre():
    # 004 L76: "當全國除連江縣、金門縣及澎湖縣以外，同時有九個以上...成立空氣污染防制指揮中心時，中央主管機關應成立"
    hours = pd.DatetimeIndex([T0])
    nine = ["臺北市", "新北市", "桃園市", "臺中市", "彰化縣", "雲林縣", "嘉義縣", "臺南市", "高雄市"]
    ev = central_centre(_cc(nine), hours)
    assert ev["event"].tolist() == ["centre must"] and ev["seed_line"].iloc[0] == "004 L76"
    eight_and_islands = nine[:8] + ["澎湖縣", "金門縣", "連江縣"]
    assert len(central_centre(_cc(eight_and_islands), hours)) == 0
    mixed = pd.concat([_cc(nine[:8]), _cc(["屏東縣"], "may")])
    assert central_centre(mixed, hours)["event"].tolist() == ["centre may"]


def test_a_multi_county_run_evaluates_each_county_and_the_nation():
    # 004 L76 needs counties side by side: `geoairplan warn FILE --county 屏東縣,高雄市,雲林縣`
    rows = []
    for st in ("屏東", "前金", "斗六"):
        rows += series(st, "o3", [30.0] * 3)
    res = run_warnings(tidy(rows), county="屏東縣,高雄市,雲林縣")
    assert res.counties == [PT, KH, YL]
    assert set(res.command_centre["county"]) == {PT, KH, YL}
    assert list(res.timeline.columns) == EVENT_COLUMNS


# ---- Art. 3 and Art. 7 L39 --------------------------------------------------------------------------

def test_art3_a_decision_uses_the_forecast_issued_by_that_day():
    # 004 L12: "空氣品質預報資料應至少每日發布二次"; a decision on D reads the latest forecast issued by D.
    # 004 L39: "已改善至未符合前項第一款成立條件時，得解除之" (may_dissolve)
    fc = read_forecast(pd.DataFrame({"date": ["2025-01-02", "2025-01-03", "2025-01-02", "2025-01-03"],
                                     "area": "高屏", "level": ["L2", "L2", "none", "none"],
                                     "issued": ["2025-01-01", "2025-01-01", "2025-01-02", "2025-01-02"]}))
    cc = command_centre(levels_frame({"屏東": [0] * 48}), PT, forecast=fc)
    assert cc["decision"].tolist() == ["must", "none"]          # D+1, D+2 at L2 as forecast on D (L36)
    assert cc["may_dissolve"].tolist() == [False, True]


def test_county_all_is_every_county_with_stations_in_the_data():
    rows = []
    for st in ("屏東", "斗六"):
        rows += series(st, "o3", [30.0] * 2)
    res = run_warnings(tidy(rows), county="all")
    assert res.counties == [YL, PT]
