"""MOENV hourly data in every published form reads to one tidy table."""

import json

import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.moenv import POLLUTANTS, read_moenv_hourly, read_moenv_stations

# The same 3 stations x 30 hours, written by each generation. Names are spelt as
# files spell them: 台/臺 and full-/half-width parentheses differ between files.
STATIONS = [("屏東", "59"), ("臺西", "41"), ("屏東(琉球)", "204")]
SPELLING = {"lower": {"臺西": "台西"}, "current": {"屏東(琉球)": "屏東（琉球）"}, "camel": {}}
HOURS = pd.date_range("2024-01-01 00:00", periods=30, freq="h")
# (station 0, hour h) -> pm2.5 text: missing and invalid markers as MOENV writes them
MARKERS = {0: "", 1: "-", 2: "ND", 3: "x", 4: "NA", 5: "12#", 6: "8*", 7: "30x"}
EXPECTED_FLAG = {"": "missing", "-": "missing", "ND": "missing", "x": "missing", "NA": "missing",
                 "12#": "invalid", "8*": "invalid", "30x": "invalid"}

# MOENV field name per generation, for each pollutant code
FIELDS = {
    "lower": {"so2": "so2", "co": "co", "co_8hr": "co_8hr", "o3": "o3", "o3_8hr": "o3_8hr", "pm10": "pm10",
              "pm2.5": "pm2.5", "no2": "no2", "nox": "nox", "no": "no", "wind_speed": "wind_speed",
              "wind_direc": "wind_direc", "pm2.5_avg": "pm2.5_avg", "pm10_avg": "pm10_avg",
              "so2_avg": "so2_avg"},
    "current": {"so2": "so2", "co": "co", "co_8hr": "co_8hr", "o3": "o3", "o3_8hr": "o3_8hr", "pm10": "pm10",
                "pm2.5": "pm2.5", "no2": "no2", "nox": "nox", "no": "no", "wind_speed": "windspeed",
                "wind_direc": "winddirec", "pm2.5_avg": "pm2.5_avg", "pm10_avg": "pm10_avg",
                "so2_avg": "so2_avg"},
    "camel": {"so2": "SO2", "co": "CO", "co_8hr": "CO_8hr", "o3": "O3", "o3_8hr": "O3_8hr", "pm10": "PM10",
              "pm2.5": "PM2.5", "no2": "NO2", "nox": "NOx", "no": "NO", "wind_speed": "WindSpeed",
              "wind_direc": "WindDirec", "pm2.5_avg": "PM2.5_AVG", "pm10_avg": "PM10_AVG", "so2_avg": "SO2_AVG"},
}


def _value(s, h, code):
    if code == "pm2.5" and s == 0 and h in MARKERS:
        return MARKERS[h]
    if code == "co" or code == "co_8hr":
        return f"{0.1 + 0.01 * ((s * 7 + h) % 20):.2f}"
    if code == "wind_direc":
        return str((s * 40 + h * 13) % 360)
    if code == "wind_speed":
        return f"{0.5 + 0.1 * ((s + h) % 30):.1f}"
    return str(5 + (s * 11 + h * 3 + POLLUTANTS.index(code)) % 60)


def records(gen):
    recs = []
    for s, (name, sid) in enumerate(STATIONS):
        for h, t in enumerate(HOURS):
            site = SPELLING[gen].get(name, name)
            if gen == "camel":
                r = {"SiteName": site, "County": "屏東縣", "AQI": "55", "Pollutant": "細懸浮微粒",
                     "Status": "普通"}
            else:
                r = {"sitename": site, "county": "屏東縣", "aqi": "55", "pollutant": "細懸浮微粒", "status": "普通"}
            for code, field in FIELDS[gen].items():
                r[field] = _value(s, h, code)
            if gen == "lower":
                r["publishtime"] = t.strftime("%Y/%m/%d %H:%M:%S")
                r.update({"longitude": "120.488", "latitude": "22.673", "siteid": sid})
            elif gen == "current":
                r["datacreationdate"] = t.strftime("%Y-%m-%d %H:%M")
                r.update({"unit": "", "longitude": "120.488", "latitude": "22.673", "siteid": sid})
            else:
                r["PublishTime"] = t.strftime("%Y-%m-%d %H:%M")
                r.update({"Longitude": "120.488", "Latitude": "22.673", "SiteId": sid})
            recs.append(r)
    return recs


def write(tmp_path, gen, fmt, *, encoding="utf-8"):
    recs = records(gen)
    path = tmp_path / f"{gen}.{fmt}"
    if fmt == "csv":
        pd.DataFrame(recs).to_csv(path, index=False, encoding=encoding)
    elif gen == "lower":
        path.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    elif gen == "current":  # the API envelope, with field labels stating units
        fields = [{"id": k, "type": "text", "info": {"label": k}} for k in recs[0]]
        for f in fields:
            if f["id"] == "o3":
                f["info"]["label"] = "臭氧(ppb)"
            if f["id"] == "co":
                f["info"]["label"] = "一氧化碳(ppm)"
        path.write_text(json.dumps({"fields": fields, "records": recs}, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(json.dumps({"records": recs}, ensure_ascii=False), encoding="utf-8")
    return path


N_ROWS = len(STATIONS) * len(HOURS) * len(POLLUTANTS)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return read_moenv_hourly(write(tmp_path_factory.mktemp("ref"), "lower", "csv"))


def _plain(df):
    out = df.copy()
    out.attrs = {}
    return out


@pytest.mark.parametrize("gen,fmt", [("lower", "json"), ("current", "csv"), ("current", "json"),
                                     ("camel", "csv"), ("camel", "json")])
def test_all_generations_read_to_identical_tables(tmp_path, reference, gen, fmt):
    df = read_moenv_hourly(write(tmp_path, gen, fmt))
    assert df.attrs["generation"] == gen
    pd.testing.assert_frame_equal(_plain(df), _plain(reference))


def test_schema_order_and_names(reference):
    df = reference
    assert list(df.columns) == ["time", "station", "siteid", "pollutant", "value", "raw", "unit", "flag"]
    assert len(df) == N_ROWS  # every value is a row, missing and invalid included
    assert sorted(df["station"].unique()) == ["屏東", "屏東(琉球)", "臺西"]  # 台西 and （） normalised
    assert set(df["pollutant"]) == set(POLLUTANTS)
    assert "aqi" not in set(df["pollutant"])
    key = df[["station", "time", "pollutant"]]
    assert key.equals(key.sort_values(["station", "time", "pollutant"], kind="stable"))
    assert df.loc[df.station == "臺西", "siteid"].unique().tolist() == ["41"]


def test_missing_and_invalid_markers_kept_with_flags(reference):
    df = reference
    pm = df[(df.station == "屏東") & (df.pollutant == "pm2.5")].reset_index(drop=True)
    assert len(pm) == len(HOURS)  # no row dropped
    for h, text in MARKERS.items():
        row = pm.iloc[h]
        assert row["raw"] == text
        assert np.isnan(row["value"]), text
        assert row["flag"] == EXPECTED_FLAG[text], text
    assert pm.loc[len(MARKERS):, "flag"].eq("valid").all()
    counts = df["flag"].value_counts()
    assert counts["missing"] == 5 and counts["invalid"] == 3
    assert counts["valid"] == N_ROWS - 8
    assert df.loc[df.flag == "valid", "value"].notna().all()


def test_units(reference):
    df = reference
    units = df.groupby("pollutant")["unit"].unique().map(list).to_dict()
    assert units["o3"] == ["ppb"] and units["o3_8hr"] == ["ppb"]
    assert units["co"] == ["ppm"] and units["co_8hr"] == ["ppm"]
    assert units["pm2.5"] == ["ug/m3"] and units["so2"] == ["ppb"]
    assert units["wind_speed"] == ["m/s"] and units["wind_direc"] == ["deg"]
    co = df[(df.pollutant == "co")]["value"]
    assert co.max() < 1  # CO in ppm, not converted


def test_naive_times_are_taipei(reference):
    t = reference["time"]
    assert str(t.dt.tz) == "Asia/Taipei"
    assert t.min() == pd.Timestamp("2024-01-01 00:00", tz="Asia/Taipei")
    assert t.min() == pd.Timestamp("2023-12-31 16:00", tz="UTC")


def test_cp950_csv(tmp_path, reference):
    path = write(tmp_path, "lower", "csv", encoding="cp950")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # really Big5
    df = read_moenv_hourly(path)
    assert df.attrs["encoding"] == "cp950"
    pd.testing.assert_frame_equal(_plain(df), _plain(reference))


def test_utf8_bom_csv(tmp_path, reference):
    path = write(tmp_path, "camel", "csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(_plain(read_moenv_hourly(path)), _plain(reference))


def test_duplicate_rows_reported_first_kept(tmp_path):
    recs = records("lower")[:3]
    dup = dict(recs[1], **{"pm2.5": "99"})
    path = tmp_path / "dup.csv"
    pd.DataFrame(recs + [dup]).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert len(df) == 3 * len(POLLUTANTS)
    pm = df[(df.pollutant == "pm2.5") & (df.time == pd.Timestamp("2024-01-01 01:00", tz="Asia/Taipei"))]
    assert pm["raw"].tolist() == ["-"]  # the first one
    probs = df.attrs["problems"]
    assert len(probs) == 1
    p = probs.items[0]
    assert p.where == "row 5" and "row 3" in p.reason and "屏東" in p.reason


def test_unparseable_time_reported_with_row(tmp_path):
    recs = records("lower")[:4]
    recs[2]["publishtime"] = "2024/13/45 99:00"
    path = tmp_path / "badtime.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert len(df) == 3 * len(POLLUTANTS)
    (p,) = df.attrs["problems"].items
    assert p.where == "row 4" and "2024/13/45 99:00" in p.reason and p.severity == "error"


def test_times_with_offset_converted_and_tidy_units(tmp_path):
    path = tmp_path / "tidy.csv"
    pd.DataFrame({"time": ["2024-01-01T05:00:00Z", "2024-01-01 13:00", "2024-01-01T13:00:00+08:00"],
                  "station": ["屏東", "潮州", "台西"],
                  "pollutant": ["PM2.5", "CO", "O3"], "value": ["12", "0.4", "0.031"],
                  "unit": ["μg/m³", "ppm", "ppm"]}).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert df.attrs["generation"] == "tidy"
    assert (df["time"] == pd.Timestamp("2024-01-01 13:00", tz="Asia/Taipei")).all()
    assert dict(zip(df.pollutant, df.unit)) == {"pm2.5": "ug/m3", "co": "ppm", "o3": "ppm"}  # as the file says


def test_current_unit_field_does_not_relabel_co(tmp_path):
    recs = records("current")[:2]
    for r in recs:
        r["unit"] = "ppb"
    path = tmp_path / "unit.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    df = read_moenv_hourly(path)
    assert set(df.loc[df.pollutant == "co", "unit"]) == {"ppm"}
    assert set(df.loc[df.pollutant == "o3", "unit"]) == {"ppb"}
    assert any("cannot describe every pollutant" in p.reason for p in df.attrs["problems"])


def test_history_export_wide_hours(tmp_path):
    rows = []
    for day in ("2024/01/01", "2024/01/02"):
        for item in ("PM2.5", "AMB_TEMP", "WIND_SPEED"):
            r = {"日期": day, "測站": "台西", "測項": item}
            for h in range(24):
                r[f"{h:02d}"] = "NR" if item == "AMB_TEMP" else ("15#" if h == 3 else str(h + 1))
            rows.append(r)
    path = tmp_path / "history.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="cp950")
    df = read_moenv_hourly(path)
    assert df.attrs["generation"] == "wide"
    assert len(df) == 2 * 2 * 24  # two days, two pollutant items, 24 hours
    assert set(df.station) == {"臺西"} and df.siteid.isna().all()
    pm = df[df.pollutant == "pm2.5"].reset_index(drop=True)
    # label 01 of 2024/01/02 is the hour 01:00-01:59 (MOENV ReadMe); time names its end
    assert pm.loc[25, "time"] == pd.Timestamp("2024-01-02 02:00", tz="Asia/Taipei")
    assert df.attrs["hour_label"] == "start"
    assert pm.loc[25, "value"] == 2.0
    assert pm.loc[3, "flag"] == "invalid" and np.isnan(pm.loc[3, "value"])
    assert any("AMB_TEMP" in p.reason for p in df.attrs["problems"])  # not read, but said


def test_missing_station_column_names_file_and_columns(tmp_path):
    recs = [{k: v for k, v in r.items() if k != "sitename"} for r in records("lower")[:2]]
    path = tmp_path / "nostation.csv"
    pd.DataFrame(recs).to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        read_moenv_hourly(path)
    msg = str(e.value)
    assert str(path) in msg and "station" in msg
    assert "publishtime" in msg and "pm2.5" in msg  # the columns found
    assert "CamelCase" in msg and "PublishTime" in msg  # the forms expected


@pytest.mark.parametrize("content", ["", "\n\n", "[]"])
def test_empty_file(tmp_path, content):
    path = tmp_path / ("empty.json" if content == "[]" else "empty.csv")
    path.write_text(content)
    with pytest.raises(InputError) as e:
        read_moenv_hourly(path)
    assert str(path) in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_moenv_hourly(tmp_path / "nope.csv")


def test_bad_encoding(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"sitename,publishtime,pm2.5\n\x80\xff\xfe,2024/01/01 00:00,1\n")
    with pytest.raises(InputError) as e:
        read_moenv_hourly(path)
    assert "line 2" in str(e.value) and "UTF-8" in str(e.value)


# ----------------------------------------------------------------------------- stations


def _stations_csv(tmp_path, rows):
    cols = ["sitename", "siteengname", "areaname", "county", "township", "siteaddress", "twd97lon", "twd97lat",
            "sitetype", "siteid"]
    path = tmp_path / "aqx_p_07.csv"
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


PINGTUNG = ["屏東", "Pingtung", "高屏空品區", "屏東縣", "屏東市", "屏東市蘇州街 75 號", "120.488033", "22.673081",
            "一般測站", "59"]
LIUQIU = ["屏東（琉球）", "Pingtung (Liuqiu)", "高屏空品區", "屏東縣", "琉球鄉", "琉球鄉", "120.37722", "22.35222",
          "一般測站", "204"]
TAIXI = ["台西", "Taixi", "雲嘉南空品區", "雲林縣", "台西鄉", "", "120.202842", "23.717533", "一般測站", "41"]


def test_station_list(tmp_path):
    gdf = read_moenv_stations(_stations_csv(tmp_path, [PINGTUNG, LIUQIU, TAIXI]))
    assert list(gdf.columns) == ["name_zh", "name_en", "siteid", "zone", "county", "township", "address",
                                 "station_type", "lon", "lat", "registry", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf["name_zh"].tolist() == ["屏東", "屏東(琉球)", "臺西"]
    assert gdf["zone"].tolist() == ["高屏", "高屏", "雲嘉南"]
    assert gdf.loc[2, "township"] == "臺西鄉"
    assert gdf.geometry.x.iloc[0] == 120.488033 and gdf.geometry.y.iloc[0] == 22.673081
    # this older 臺西 position is ~1.7 km from the registry's (re-surveyed): kept, and said
    assert gdf["registry"].iloc[:2].tolist() == ["same", "same"] and gdf["registry"].iloc[2].startswith("moved")
    (p,) = gdf.attrs["problems"].items
    assert "row 4" in p.where and "registry" in p.reason and "this file's position is used" in p.reason


def test_station_outside_claimed_county_reported(tmp_path):
    wrong = list(TAIXI)
    wrong[3] = "屏東縣"
    gdf = read_moenv_stations(_stations_csv(tmp_path, [PINGTUNG, wrong]))
    (p,) = [p for p in gdf.attrs["problems"].items if "county" in p.reason]
    assert "row 3" in p.where and "雲林縣" in p.reason and "屏東縣" in p.reason


def test_station_swapped_lonlat_raises_with_row(tmp_path):
    bad = list(LIUQIU)
    bad[6], bad[7] = bad[7], bad[6]
    with pytest.raises(InputError) as e:
        read_moenv_stations(_stations_csv(tmp_path, [PINGTUNG, bad]))
    assert "swapped" in str(e.value) and "row 3" in str(e.value)
