"""read_text_table: encodings detected, bad text and empty files refused naming the file."""

import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.tables import read_text_table

TEXT = "county,township,station\n屏東縣,霧臺鄉,屏東\n屏東縣,,潮州\n"


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "cp950"])
def test_utf8_bom_and_big5_give_the_same_strings(tmp_path, enc):
    p = tmp_path / f"t_{enc}.csv"
    p.write_bytes(TEXT.encode(enc))
    df = read_text_table(p)
    assert list(df.columns) == ["county", "township", "station"]
    assert df["township"].iloc[0] == "霧臺鄉" and pd.isna(df["township"].iloc[1])
    assert df.attrs["encoding"] == enc


def test_undecodable_and_empty_files_raise_input_error_naming_the_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n\x81\x20,1\n")          # neither valid UTF-8 nor CP950
    with pytest.raises(InputError, match="bad.csv.*neither UTF-8 nor Big5"):
        read_text_table(bad, source="forecast")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv"):
        read_text_table(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    with pytest.raises(InputError, match="blank.csv.*empty"):
        read_text_table(blank)
    with pytest.raises(InputError, match="nope.csv"):
        read_text_table(tmp_path / "nope.csv")


def test_a_ragged_row_is_reported_with_its_file_line_and_the_others_are_kept(tmp_path):
    p = tmp_path / "ragged.csv"
    p.write_text("a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n", encoding="utf-8")
    df = read_text_table(p)
    assert df["a"].tolist() == ["1", "8"]          # nothing shifted into the wrong column
    [prob] = list(df.attrs["problems"])
    assert prob.where == "line 3" and "4 fields, the header 3" in prob.reason


def test_trailing_commas_lose_nothing_and_shift_nothing(tmp_path):
    p = tmp_path / "trailing.csv"
    p.write_text("a,b,c,\n1,2,3,\n4,5,6,\n", encoding="utf-8")
    df = read_text_table(p)
    assert list(df.columns) == ["a", "b", "c"] and df["c"].tolist() == ["3", "6"]
    assert not df.attrs["problems"]
    p.write_text("a,b,c\n1,2,3,\n4,5,6,,\n", encoding="utf-8")   # data rows only
    df = read_text_table(p)
    assert df["a"].tolist() == ["1", "4"] and df["c"].tolist() == ["3", "6"]


def test_an_unclosed_quote_is_an_error_naming_the_line_where_it_starts(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_text('a,b\n1,2\n3,"four\n5,6\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 3") as e:
        read_text_table(p)
    assert "quote" in str(e.value)


def test_a_file_declares_itself_scenario_only_in_its_content(tmp_path):
    measured = tmp_path / "scenario" / "obs_scenario.csv"          # the path says scenario, the file does not
    measured.parent.mkdir()
    measured.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_text_table(measured).attrs["scenario"] is False
    made_up = tmp_path / "plain.csv"
    made_up.write_text("a,b,data_kind\n1,2,scenario\n", encoding="utf-8")
    assert read_text_table(made_up).attrs["scenario"] is True
