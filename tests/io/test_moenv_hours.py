"""The hour convention (``time`` = the END of the averaging hour), codes that are not values,
and stations the registry lacks."""

import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.moenv import HOUR_LABELS, read_moenv_hourly, read_moenv_stations, station_positions
from geoairplan.reference.geography import data_dir

TZ = "Asia/Taipei"


def o3(start_hour: int) -> int:
    """A distinct O3 value for each hour of the day: the minimum in the hour 06:00-06:59."""
    return 10 + (start_hour - 6) % 24


def _wide(path, days, style, encoding="utf-8"):
    """A history export in wide hours. style '00': labels 00..23 (hour that starts at the label);
    '1': labels 1..24 (the same hours, each labelled one later, as older exports do)."""
    rows = []
    for day in days:
        r = {"測站": "屏東", "日期": day.strftime("%Y/%m/%d"), "測項": "O3"}
        for start in range(24):
            label = f"{start:02d}" if style == "00" else str(start + 1)
            r[label] = str(o3(start))
        rows.append(r)
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def test_two_years_in_two_label_styles_join_without_gap_or_overlap(tmp_path):
    y2023 = read_moenv_hourly(_wide(tmp_path / "2023.csv", pd.date_range("2023-12-29", "2023-12-31"), "1",
                                    encoding="cp950"))
    y2024 = read_moenv_hourly(_wide(tmp_path / "2024.csv", pd.date_range("2024-01-01", "2024-01-03"), "00"))
    assert y2023.attrs["hour_label"] == "end" and y2024.attrs["hour_label"] == "start"
    # the last hour of 2023 (label 24 of 12/31 = 23:00-24:00) and the first of 2024 (label 00 = 00:00-01:00)
    assert y2023["time"].max() == pd.Timestamp("2024-01-01 00:00", tz=TZ)
    assert y2024["time"].min() == pd.Timestamp("2024-01-01 01:00", tz=TZ)
    both = pd.concat([y2023, y2024], ignore_index=True)
    t = both["time"]
    assert t.is_unique                                               # no overlap
    assert (t.diff().dropna() == pd.Timedelta(hours=1)).all()        # no gap
    assert len(both) == 6 * 24
    # in phase: every value sits at the end of the hour it averages, in both styles
    start = (t - pd.Timedelta(hours=1)).dt.hour
    assert (both["value"] == start.map(o3)).all()
    # the daily minimum (hour 06:00-06:59) is at 07:00 every day of both years
    daymin = both.loc[both.groupby((t - pd.Timedelta(hours=1)).dt.date)["value"].idxmin(), "time"]
    assert (daymin.dt.hour == 7).all() and len(daymin) == 6


def test_zero_padded_01_24_labels_and_explicit_override(tmp_path):
    rows = [{"測站": "屏東", "日期": "2024/01/01", "測項": "PM2.5", **{f"{h:02d}": str(h) for h in range(1, 25)}}]
    path = tmp_path / "old.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert df["time"].min() == pd.Timestamp("2024-01-01 01:00", tz=TZ) and df.loc[0, "value"] == 1
    assert df["time"].max() == pd.Timestamp("2024-01-02 00:00", tz=TZ)
    shifted = read_moenv_hourly(path, hour_label="start")
    assert (shifted["time"] - df["time"] == pd.Timedelta(hours=1)).all()
    with pytest.raises(InputError) as e:
        read_moenv_hourly(path, hour_label="middle")
    assert e.value.where == "hour_label"


def test_ambiguous_hour_columns_refused(tmp_path):
    rows = [{"測站": "屏東", "日期": "2024/01/01", "測項": "PM2.5", **{str(h): "1" for h in range(2, 24)}}]
    path = tmp_path / "cut.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        read_moenv_hourly(path)
    assert "label style" in str(e.value)


def test_real_time_feeds_keep_their_published_time(tmp_path):
    """publishtime / datacreationdate name the end of the hour just published: time is unchanged."""
    for field, gen in (("publishtime", "lower"), ("datacreationdate", "current")):
        path = tmp_path / f"{gen}.csv"
        rec = {"sitename": "屏東", field: "2024/01/01 13:00", "pm2.5": "20"}
        if gen == "current":
            rec["unit"] = ""
        pd.DataFrame([rec]).to_csv(path, index=False)
        df = read_moenv_hourly(path)
        assert df.attrs["generation"] == gen and HOUR_LABELS[gen] == "end"
        assert df["time"].iloc[0] == pd.Timestamp("2024-01-01 13:00", tz=TZ)


def test_history_api_monitordate_is_the_start_of_the_hour(tmp_path):
    path = tmp_path / "aqx_p_488.csv"
    pd.DataFrame([{"siteid": "59", "sitename": "屏東", "itemengname": "PM2.5", "itemunit": "μg/m3",
                   "monitordate": "2024-01-01 00:00", "concentration": "17"}]).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert df.attrs["hour_label"] == "start"
    assert df["time"].iloc[0] == pd.Timestamp("2024-01-01 01:00", tz=TZ)
    tidy = tmp_path / "tidy.csv"
    pd.DataFrame([{"time": "2024-01-01 01:00", "station": "屏東", "pollutant": "pm2.5", "value": "17"}]).to_csv(
        tidy, index=False)
    assert read_moenv_hourly(tidy)["time"].iloc[0] == df["time"].iloc[0]   # geoairplan's own table: as written


# ----------------------------------------------------------------------------- codes that are not values


def test_wind_codes_negative_and_fill_values_are_flagged_reported_and_never_values(tmp_path):
    recs = [
        {"sitename": "屏東", "publishtime": "2024/01/01 01:00", "wind_direc": "888", "wind_speed": "0.1",
         "so2": "2", "pm2.5": "12"},
        {"sitename": "屏東", "publishtime": "2024/01/01 02:00", "wind_direc": "999", "wind_speed": "-",
         "so2": "-1.2", "pm2.5": "9999"},
        {"sitename": "屏東", "publishtime": "2024/01/01 03:00", "wind_direc": "400", "wind_speed": "-0.5",
         "so2": "0", "pm2.5": "-9999"},
        {"sitename": "屏東", "publishtime": "2024/01/01 04:00", "wind_direc": "360", "wind_speed": "2",
         "so2": "3", "pm2.5": "15"},
    ]
    path = tmp_path / "codes.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    f = df.set_index(["pollutant", df["time"].dt.hour])["flag"]
    v = df.set_index(["pollutant", df["time"].dt.hour])["value"]
    assert f[("wind_direc", 1)] == "calm" and f[("wind_direc", 2)] == "no_reading"
    # 400 is no MOENV code: kept as written (the analyses that use directions report it)
    assert f[("wind_direc", 3)] == "valid" and f[("wind_direc", 4)] == "valid" and v[("wind_direc", 4)] == 360
    assert f[("so2", 2)] == "negative" and f[("so2", 3)] == "valid" and v[("so2", 3)] == 0
    assert f[("pm2.5", 2)] == "fill" and f[("pm2.5", 3)] == "fill" and f[("wind_speed", 3)] == "negative"
    assert f[("wind_speed", 2)] == "missing"
    bad = df["flag"].isin(["calm", "no_reading", "negative", "fill"])
    assert df.loc[bad, "value"].isna().all() and bad.sum() == 6
    assert df.loc[bad, "raw"].notna().all()                            # the text as written is kept
    assert df.groupby("pollutant")["value"].mean()["pm2.5"] == pytest.approx(13.5)   # never averaged
    reasons = [(p.where, p.reason) for p in df.attrs["problems"]]
    assert any(w == "row 2" and "calm" in r and "888" in r for w, r in reasons)
    assert any(w == "rows 3, 4" and "9999" in r and "fill" in r for w, r in reasons)
    assert any(w == "row 3" and "so2 -1.2" in r and "negative" in r for w, r in reasons)
    assert any(w == "row 3" and "no_reading" in r for w, r in reasons)


# ----------------------------------------------------------------------------- stations the registry lacks


def test_hourly_reader_keeps_stations_the_registry_lacks_with_the_files_coordinates(tmp_path):
    recs = [{"sitename": "屏東", "publishtime": "2024/01/01 01:00", "pm2.5": "10", "siteid": "59",
             "longitude": "120.488033", "latitude": "22.673081"},
            {"sitename": "新站（測試）", "publishtime": "2024/01/01 01:00", "pm2.5": "11", "siteid": "999",
             "longitude": "120.6", "latitude": "23.9"},
            {"sitename": "無座標", "publishtime": "2024/01/01 01:00", "pm2.5": "12", "siteid": "",
             "longitude": "", "latitude": ""}]
    path = tmp_path / "new.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert set(df["station"]) == {"屏東", "新站(測試)", "無座標"}          # no row dropped
    st = station_positions(df).set_index("station")
    assert st.loc["屏東", "position"] == "registry"
    assert st.loc["新站(測試)", "position"] == "file" and st.loc["新站(測試)", "lon"] == 120.6
    assert st.loc["無座標", "position"] == "none" and np.isnan(st.loc["無座標", "lon"])
    reasons = [p.reason for p in df.attrs["problems"]]
    assert any("新站(測試)" in r and "file's own coordinates" in r for r in reasons)
    assert any("無座標" in r and "no coordinates" in r for r in reasons)


def test_real_moenv_files_read(tmp_path):
    src = data_dir() / "sources" / "moenv"
    snap = read_moenv_hourly(src / "moenv_aqx_p_432_snapshot.csv")
    assert snap.attrs["generation"] == "lower" and snap["station"].nunique() == 84
    assert (station_positions(snap)["position"] == "registry").all()
    assert snap["time"].unique().tolist() == [pd.Timestamp("2026-08-18 19:00", tz=TZ)]
    lst = read_moenv_stations(src / "moenv_stations_aqx_p_07.csv")
    assert len(lst) == 80 and (lst["registry"] == "same").all()
