"""Reading coverage tables (geoairplan.io.coverage_table): shapes, headers, printed counts, encodings."""

import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.coverage_table import read_coverage_table


def test_one_row_per_station_with_chinese_headers_becomes_one_row_per_township(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"縣市": ["澎湖縣", "屏東縣"], "測站": ["馬公站", "恆春站"],
                  "涵蓋區域": ["全澎湖縣", "恆春鎮、枋山鄉、車城鄉、滿州鄉、獅子鄉、牡丹鄉等六鄉鎮"]}).to_csv(p, index=False)
    df = read_coverage_table(p, county="屏東縣")
    assert list(df.columns[:5]) == ["county", "township", "station", "township_as_printed", "where_row"]
    assert df["station"].eq("恆春").all() and len(df) == 6 and df["where_row"].eq("row 3").all()
    assert "澎湖縣" in df.attrs["problems"].summary() and df.attrs["source"] == str(p)
    ph = read_coverage_table(p, county="澎湖縣")
    assert len(ph) == 6 and ph["station"].eq("馬公").all()


def test_names_are_normalised_and_a_wrong_count_refused():
    df = read_coverage_table(pd.DataFrame({"station": ["台西測站"], "township": ["台西鄉；四湖鄉"]}), county="雲林縣")
    assert df["station"].tolist() == ["臺西", "臺西"] and df["township"].tolist() == ["臺西鄉", "四湖鄉"]
    with pytest.raises(InputError, match="等三鄉鎮"):
        read_coverage_table(pd.DataFrame({"station": ["臺西"], "township": ["臺西鄉、四湖鄉等三鄉鎮"]}),
                            county="雲林縣")


def test_missing_columns_or_county_are_refused_naming_the_header():
    with pytest.raises(InputError, match="needs a station and a township column") as e:
        read_coverage_table(pd.DataFrame({"county": ["屏東縣"], "station": ["屏東"]}), county="屏東縣")
    assert "header: county, station" in str(e.value)
    with pytest.raises(InputError, match="no county column and no county was given"):
        read_coverage_table(pd.DataFrame({"station": ["屏東"], "township": ["屏東市"]}))


def test_big5_file_and_scenario_flag_are_read(tmp_path):
    p = tmp_path / "big5.csv"
    p.write_bytes("縣市,測站,鄉鎮市區,data_kind\n屏東縣,屏東,屏東市,scenario\n".encode("cp950"))
    df = read_coverage_table(p)
    assert df["township"].tolist() == ["屏東市"] and df.attrs["scenario"] is True
    with pytest.raises(InputError, match="file not found"):
        read_coverage_table(tmp_path / "nope.csv")
