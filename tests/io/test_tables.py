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
