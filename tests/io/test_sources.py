"""geoairplan.io.sources: TEDS point tables, facility lists with lon/lat, township-only rows, county check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geoairplan.errors import InputError
from geoairplan.io import read_sources as read_sources_pkg
from geoairplan.io.sources import prepare_sources, read_sources

DOULIU = (205870.0, 2621470.0)   # 斗六市, TM2 metres
MAILIAO = (168500.0, 2629500.0)  # 麥寮鄉


def _write(tmp_path, text, name="src.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_teds_table_in_tm2_metres(tmp_path):
    p = _write(tmp_path, "C_NO,NO_S,UTM_E,UTM_N,NOX_EMI,PM25_EMI\n"
                         f"P1,S1,{DOULIU[0]},{DOULIU[1]},3.5,\n"
                         f"P2,S1,{MAILIAO[0]},{MAILIAO[1]},-1,2\n")
    s = read_sources(p)
    assert read_sources_pkg is read_sources
    assert s.crs.to_epsg() == 3826 and s["basis"].tolist() == ["point", "point"]
    assert (s.geometry.x.tolist(), s.geometry.y.tolist()) == ([DOULIU[0], MAILIAO[0]], [DOULIU[1], MAILIAO[1]])
    assert s["nox_emi"].iloc[0] == 3.5 and s["pm25_emi"].iloc[0] == 0.0  # blank: not emitted
    assert np.isnan(s["nox_emi"].iloc[1])  # negative: this value is not counted, reported
    assert any("negative" in p.reason and p.where.startswith("row 3") for p in s.attrs["problems"])
    assert s.attrs["scenario"] is False and s.attrs["encoding"] == "utf-8"


def test_facility_list_with_lon_lat_and_chinese_headers():
    lon, lat = Transformer.from_crs(3826, 4326, always_xy=True).transform(*DOULIU)
    s = prepare_sources(pd.DataFrame({"管制編號": ["P1"], "經度": [lon], "緯度": [lat], "氮氧化物": ["2"]}))
    assert s.geometry.x.iloc[0] == pytest.approx(DOULIU[0], abs=0.01)
    assert s.geometry.y.iloc[0] == pytest.approx(DOULIU[1], abs=0.01)
    assert s["nox_emi"].tolist() == [2.0]


def test_township_only_rows_accepted_and_reported_not_on_the_grid():
    s = prepare_sources(pd.DataFrame({"C_NO": ["A", "B", "C"], "UTM_E": [DOULIU[0], None, None],
                                      "UTM_N": [DOULIU[1], None, None], "鄉鎮市": [None, "斗南鎮", None],
                                      "NOX_EMI": [1, 2, 3]}), source="t.csv")
    assert s["basis"].tolist() == ["point", "township"] and s.geometry.iloc[1] is None
    probs = s.attrs["problems"]
    assert any(p.where == "row 3" and "not on the grid" in p.reason and p.severity == "warning" for p in probs)
    assert any(p.where == "row 4" and "no coordinates and no township" in p.reason for p in probs)


def test_county_check_keeps_the_county_and_reports_the_others():
    s = prepare_sources(pd.DataFrame({"C_NO": ["A", "B"], "UTM_E": [DOULIU[0], 300000.0],
                                      "UTM_N": [DOULIU[1], 2770000.0], "NOX_EMI": [1, 2]}), county="雲林縣")
    assert s["c_no"].tolist() == ["A"]
    assert any("outside 雲林縣" in p.reason for p in s.attrs["problems"])
    with pytest.raises(InputError):
        prepare_sources(pd.DataFrame({"C_NO": ["A"], "UTM_E": [DOULIU[0]], "UTM_N": [DOULIU[1]],
                                      "NOX_EMI": [1]}), county="火星縣")


def test_big5_copy_reads_as_the_utf8_copy(tmp_path):
    text = ("管制編號,名稱,鄉鎮市,UTM_E,UTM_N,NOX_EMI\n"
            f"P1,臺塑麥寮廠,麥寮鄉,{MAILIAO[0]},{MAILIAO[1]},10\nP2,斗六廠,斗六市,,,5\n")
    a = read_sources(_write(tmp_path, text, "u.csv"))
    b = read_sources(_write(tmp_path, text, "b.csv", encoding="cp950"))
    assert b.attrs["encoding"] == "cp950"
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
    assert a.geometry.equals(b.geometry)


def test_scenario_declared_by_a_data_column_only(tmp_path):
    base = f"C_NO,UTM_E,UTM_N,NOX_EMI{{h}}\nP1,{DOULIU[0]},{DOULIU[1]},1{{v}}\n"
    assert read_sources(_write(tmp_path, base.format(h=",DATA", v=",scenario"), "a.csv")).attrs["scenario"]
    assert read_sources(_write(tmp_path, base.format(h=",data_kind", v=",scenario"), "b.csv")).attrs["scenario"]
    # a path or folder named "scenario" says nothing
    (tmp_path / "scenario").mkdir()
    assert not read_sources(_write(tmp_path, base.format(h="", v=""), "scenario/scenario.csv")).attrs["scenario"]


def test_missing_file_and_no_emission_column_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_sources(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no emission column"):
        read_sources(_write(tmp_path, f"C_NO,UTM_E,UTM_N\nP1,{DOULIU[0]},{DOULIU[1]}\n"))


def test_teds_stack_reader_output_is_accepted_as_sources(tmp_path):
    from geoairplan.io import read_teds_points

    p = _write(tmp_path, "C_NO,NO_S,UTM_E,UTM_N,NOX_EMI,PM_EMI\n"
                         f"P1,S1,{DOULIU[0]},{DOULIU[1]},3.5,1\nP1,S2,{DOULIU[0] + 10},{DOULIU[1]},1.5,\n"
                         f"P2,S1,{MAILIAO[0]},{MAILIAO[1]},7,2\n")
    a = read_sources(p)
    b = prepare_sources(read_teds_points(p), source=str(p))
    assert b["row"].tolist() == a["row"].tolist() == [2, 3, 4]
    assert b.geometry.equals(a.geometry)
    for c in ("nox_emi", "pm_emi"):
        np.testing.assert_array_equal(np.nan_to_num(b[c].to_numpy(float)), np.nan_to_num(a[c].to_numpy(float)))
