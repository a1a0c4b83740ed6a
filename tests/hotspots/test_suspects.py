"""geoairplan.hotspots sensors and upwind ranking: geometry, reading, anomaly rule, ranking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.hotspots import emissions as em
from geoairplan.hotspots import sensors as se
from geoairplan.hotspots import upwind as up

X0, Y0 = 205000.0, 2620000.0  # 斗六市
STATIONS = pd.DataFrame({"name_zh": ["斗六", "崙背"], "name_en": ["Douliu", "Lunbei"],
                         "x_tm2": [X0 + 2000, 185000.0], "y_tm2": [Y0 + 3000, 2625000.0]})


# --------------------------------------------------------------------------- geometry


def test_bearing_and_meteorological_convention():
    assert up.bearing_deg(0, 0, 0, 100) == pytest.approx(0)
    assert up.bearing_deg(0, 0, 100, 0) == pytest.approx(90)
    assert up.bearing_deg(0, 0, 0, -100) == pytest.approx(180)
    assert up.bearing_deg(0, 0, -100, 0) == pytest.approx(270)
    # a source due north is upwind when the wind comes FROM the north, not from the south
    assert up.in_sector(0.0, 0.0, 30)
    assert not up.in_sector(0.0, 180.0, 30)
    assert up.in_sector(180.0, 180.0, 30)


def test_sector_edges_and_wraparound():
    assert up.in_sector(30.0, 0.0, 30) and up.in_sector(-30.0 % 360, 0.0, 30)
    assert not up.in_sector(30.01, 0.0, 30) and not up.in_sector(329.99, 0.0, 30)
    assert up.in_sector(15.0, 350.0, 30)     # across north
    assert up.in_sector(0.0, 360.0, 1)       # 360 is north
    assert not up.in_sector(180.0, 0.0, 179) and up.in_sector(181.0, 0.0, 179)
    assert up.angle_diff(10, 350) == pytest.approx(20) and up.angle_diff(350, 10) == pytest.approx(-20)
    sec = up.sector_polygon(0, 0, 0.0, 30, 1000)
    import shapely
    assert sec.contains(shapely.Point(0, 900))
    assert not sec.contains(shapely.Point(0, -100))
    assert sec.contains(shapely.Point(1000 * math.sin(math.radians(29)) * 0.99,
                                      1000 * math.cos(math.radians(29)) * 0.99))
    assert not sec.contains(shapely.Point(500 * math.sin(math.radians(31)), 500 * math.cos(math.radians(31))))


# --------------------------------------------------------------------------- sensors


def _write(tmp_path, text, name="s.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_read_sensors_chinese_headers_and_hour_ending(tmp_path):
    p = _write(tmp_path, "感測器編號,經度,緯度,時間,PM2.5\n"
                         "A1,120.5450,23.7100,2023-12-01 09:05,10\n"
                         "A1,120.5450,23.7100,2023-12-01 09:55,20\n"
                         "A1,120.5450,23.7100,2023-12-01T02:00:00Z,30\n"
                         "B2,120.5500,23.7150,2023-12-01 10:00,40\n")
    r = se.read_sensors(p)
    a1 = r[r["sensor"] == "A1"].set_index("time")
    assert a1.at[pd.Timestamp("2023-12-01 10:00"), "pm25"] == pytest.approx((10 + 20 + 30) / 3)  # 02Z = 10:00 local
    assert a1.at[pd.Timestamp("2023-12-01 10:00"), "n_readings"] == 3
    assert len(r.attrs["locations"]) == 2
    assert not r.attrs["problems"]


def test_read_sensors_problems(tmp_path):
    p = _write(tmp_path, "device_id,lon,lat,time,pm2.5\n"
                         "S1,120.5450,23.7100,2023-12-01 10:00,12\n"      # row 2
                         "S1,120.5800,23.7400,2023-12-01 11:00,14\n"      # row 3: same id ~5 km away
                         "S2,120.5500,23.7150,2023-12-01 10:00,abc\n"     # row 4
                         "S3,120.5500,23.7150,2023-12-01 10:00,-3\n"      # row 5
                         ",120.5500,23.7150,2023-12-01 10:00,3\n"         # row 6
                         "S4,120.5600,23.7200,yesterday,5\n"              # row 7
                         "S5,120.5700,23.7250,2023-12-01 10:00,9\n"       # row 8 fine
                         "S6,120.5710,23.7250,2023-12-01 10:00,9\n")      # row 9 fine
    r = se.read_sensors(p)
    probs = r.attrs["problems"].to_frame()
    text = " | ".join(probs["where"] + ": " + probs["reason"])
    assert "sensor S1" in text and "2 places" in text and "own sensor id" in text
    for row, what in [(4, "not a number"), (5, "negative"), (6, "no sensor id"), (7, "not understood")]:
        assert f"row {row}" in text and what in text
    assert sorted(r["sensor"].unique()) == ["S5", "S6"]
    assert (probs["source"] == str(p)).all()
    with pytest.raises(InputError, match="no column for"):
        se.read_sensors(_write(tmp_path, "id,time,pm2.5\nA,2023-12-01 10:00,3\n", "bad.csv"))


def _readings(n_sensors=8, hours=24, hot="S0", excess=25.0, hot_hours=None, seed=0):
    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * np.pi, n_sensors, endpoint=False)
    xs = X0 + np.r_[0, 1500 * np.cos(ang[1:])]
    ys = Y0 + np.r_[0, 1500 * np.sin(ang[1:])]
    times = pd.date_range("2023-12-01 01:00", periods=hours, freq="h")
    rows = []
    for i in range(n_sensors):
        for j, t in enumerate(times):
            v = 30 + rng.normal(0, 1.0)
            if f"S{i}" == hot and (hot_hours is None or j in hot_hours):
                v += excess
            rows.append({"sensor": f"S{i}", "x": xs[i], "y": ys[i], "time": t, "pm25": v})
    df = pd.DataFrame(rows)
    loc = df.groupby("sensor", sort=True)[["x", "y"]].first().reset_index()
    loc["lon"], loc["lat"] = 120.5, 23.7
    df.attrs["locations"] = loc
    return df


def test_anomaly_rule_flags_the_persistent_sensor_only():
    r = _readings()
    an = se.flag_anomalies(r, k=5)
    assert an.flagged == ["S0"]
    s0 = an.sensors.set_index("sensor").loc["S0"]
    assert s0["n_exceed"] == 24 and s0["exceed_fraction"] == 1.0
    # hand check of one hour: z = (x - median of the 5 nearest) / max(1.4826 MAD, 2)
    h = an.hourly[(an.hourly["sensor"] == "S0")].iloc[0]
    nb = an.sensors.set_index("sensor").at["S0", "neighbours"].split(";")
    vals = r[(r["time"] == h["time"]) & r["sensor"].isin(nb)]["pm25"].to_numpy()
    med = np.median(vals)
    mad = np.median(np.abs(vals - med))
    assert h["score"] == pytest.approx((h["pm25"] - med) / max(1.4826 * mad, 2.0))
    # exceeding in under half the hours is not persistent
    part = se.flag_anomalies(_readings(hot_hours=set(range(10))), k=5)
    assert part.flagged == []
    assert part.sensors.set_index("sensor").at["S0", "n_exceed"] == 10
    # the ratio rule sees it too; a small excess does not pass min_excess
    assert se.flag_anomalies(r, rule="ratio").flagged == ["S0"]
    assert se.flag_anomalies(_readings(excess=4.0), k=5).flagged == []


def _wind_tidy(times, direction, speed=3.0, station="斗六"):
    rows = []
    for t in times:
        rows.append({"time": t, "station": station, "siteid": None, "pollutant": "wind_direc", "value": direction})
        rows.append({"time": t, "station": station, "siteid": None, "pollutant": "wind_speed", "value": speed})
    return pd.DataFrame(rows)


def test_wind_direction_out_of_range_reported_not_used():
    times = pd.date_range("2023-12-01 01:00", periods=3, freq="h")
    tidy = _wind_tidy(times, 10.0)
    tidy.loc[0, "value"] = 400.0
    tidy = pd.concat([tidy, _wind_tidy(times[:1], 90.0, station="不明站")])
    w = up.wind_observations(tidy, stations=STATIONS, source="wind.csv")
    reasons = " ".join(p.reason for p in w.attrs["problems"])
    assert "400 is outside 0-360" in reasons and "not in the station list" in reasons
    first = w[w["time"] == times[0]]
    assert first["wind_dir"].isna().all()
    assert up.wind_at(X0, Y0, times[0], w) is None  # the bad hour has no usable wind
    st, d, spd, wd = up.wind_at(X0, Y0, times[1], w)
    assert st == "斗六" and wd == 10.0 and d == pytest.approx(math.hypot(2000, 3000))


def _sources():
    rows = {"C_NO": ["N1", "N3", "S1", "E1", "FAR"],
            "UTM_E": [X0, X0, X0, X0 + 1000, X0],
            "UTM_N": [Y0 + 1000, Y0 + 3000, Y0 - 1000, Y0, Y0 + 8000],
            "PM25_EMI": [1.0, 1.0, 100.0, 50.0, 100.0]}
    return em.prepare_sources(pd.DataFrame(rows))


def test_ranking_upwind_only_by_distance_emission_and_alignment():
    r = _readings()
    an = se.flag_anomalies(r, k=5)
    w = up.wind_observations(_wind_tidy(sorted(r["time"].unique()), 0.0), stations=STATIONS)
    fac = pd.DataFrame({"county": ["雲林縣"] * 4, "control_no": ["F1", "F2", "F3", "N1"],
                        "name": ["古坑廠", "斗南廠", "斗六廠", "已定位"],
                        "township": ["古坑鄉", "斗南鎮", "斗六市", "斗六市"]})
    res = up.rank_suspects(an, w, _sources(), facilities=fac, half_width=30, max_distance_m=5000)
    rk = res.ranking
    # north of the sensor and within 5 km: N1 (1 km) before N3 (3 km); S1 is downwind, E1 off the
    # sector (bearing 90), FAR beyond 5 km: none of them is listed however large its emission
    assert rk["c_no"].tolist() == ["N1", "N3"]
    assert rk["rank"].tolist() == [1, 2]
    assert rk.loc[0, "hours_upwind"] == 24
    assert rk.loc[0, "score"] == pytest.approx(24 * 1.0 / 1.0)
    assert rk.loc[1, "score"] == pytest.approx(24 * 1.0 / 3.0)
    assert (rk["data"] == "input").all()
    # facilities known only by township: listed by township and marked so; the sensor lies in 斗六市
    # (0 m), the northern sector reaches 古坑鄉 too; 斗南鎮 lies south (downwind); N1 is a point
    tw = res.townships
    assert (tw["basis"] == "township").all()
    assert tw["c_no"].tolist() == ["F3", "F1"]
    assert tw["min_distance_m"].tolist()[0] == 0.0 and tw["hours_upwind"].tolist() == [24, 24]
    # wind from the south: S1 is the suspect, and 斗南鎮's facility is listed
    w2 = up.wind_observations(_wind_tidy(sorted(r["time"].unique()), 180.0), stations=STATIONS)
    res2 = up.rank_suspects(an, w2, _sources(), facilities=fac)
    assert res2.ranking["c_no"].tolist() == ["S1"]
    assert "F2" in set(res2.townships["c_no"])


def test_calm_hours_skipped_and_reported():
    r = _readings()
    an = se.flag_anomalies(r, k=5)
    w = up.wind_observations(_wind_tidy(sorted(r["time"].unique()), 0.0, speed=0.2), stations=STATIONS)
    res = up.rank_suspects(an, w, _sources())
    assert res.ranking.empty
    assert any("calm" in p.reason for p in res.problems)
    assert res.hours["why"].eq("calm").all()


# --------------------------------------------------------------------------- the scenario


def _generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "make_scenario_sensors.py"
    spec = importlib.util.spec_from_file_location("make_scenario_sensors", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_scenario_chosen_source_ranks_first_and_files_are_reproducible(tmp_path):
    from geoairplan import datasets
    from geoairplan.hotspots.report import suspect_analysis

    gen = _generator()
    truth = gen.make_scenario(tmp_path)
    chosen = truth["chosen_source"]["c_no"]
    sa = suspect_analysis(tmp_path / "sensors_scenario.csv", tmp_path / "sensors_scenario_wind.csv",
                          tmp_path / "sources_scenario.csv", facilities=datasets.load_facilities("雲林縣"),
                          scenario=True)
    flagged = set(sa.anomaly.flagged)
    assert flagged and flagged <= set(truth["plume_axis_sensors"])  # only sensors in the plume are flagged
    rk = sa.upwind.ranking
    assert rk.iloc[0]["c_no"] == chosen
    assert rk.iloc[0]["score"] > 1.5 * rk.iloc[1]["score"]
    assert (rk["data"] == "scenario").all()
    # the committed files are what the script makes (same seed, same bytes)
    committed = datasets.data_dir() / "scenario"
    for name in ("sensors_scenario.csv", "sensors_scenario_wind.csv", "sources_scenario.csv",
                 "sensors_scenario_truth.json"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_scenario_sources_sum_to_table_2_27_and_carry_no_real_names():
    from geoairplan import datasets

    src = em.read_sources(datasets.data_dir() / "scenario" / "sources_scenario.csv")
    tw = em.township_emissions(src, county="雲林縣").set_index("township")
    decl = datasets.load_township_emissions().pivot_table(index="township", columns="pollutant", values="value")
    for ours, theirs in (("nox_t", "nox"), ("pm_t", "pm"), ("sox_t", "sox"), ("nmhc_t", "voc")):
        np.testing.assert_allclose(tw.loc[decl.index, ours], decl[theirs], atol=0.01)
    assert src["name"].str.contains("情境").all()
    assert src["c_no"].str.startswith("SCN-").all()
    assert set(src["basis"]) == {"point", "township"}


def test_read_sensors_empty_file_is_an_input_error(tmp_path):
    p = _write(tmp_path, "", name="empty.csv")
    with pytest.raises(InputError, match="empty") as e:
        se.read_sensors(p)
    assert "empty.csv" in str(e.value)


@pytest.mark.parametrize("kw", [dict(k=0), dict(k=-1), dict(min_fraction=0), dict(min_fraction=1.5)])
def test_flag_anomalies_rejects_bad_parameters(kw):
    with pytest.raises(InputError):
        se.flag_anomalies(_readings(), **kw)
