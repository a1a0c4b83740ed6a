"""Official coverage tables (geoairplan.coverage.official): seeds, user tables, township checks."""

import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.coverage import official_coverage, read_official_coverage

SEED_ROWS = [  # the seed tables as printed (003 L95-97, 002 L4344-4347, 001 L2482)
    ("屏東縣", "屏東站", "屏東市、麟洛鄉、長治鄉、高樹鄉、里港鄉、九如鄉、內埔鄉、鹽埔鄉、三地門鄉、霧台鄉、瑪家鄉等十一鄉鎮"),
    ("屏東縣", "潮州站", "東港鎮、潮州鎮、萬丹鄉、新園鄉、林邊鄉、竹田鄉、崁頂鄉、新埤鄉、南州鄉、萬巒鄉、枋寮鄉、佳冬鄉、"
                      "泰武鄉、來義鄉、春日鄉、琉球鄉等十六鄉鎮"),
    ("屏東縣", "恆春站", "恆春鎮、枋山鄉、車城鄉、滿州鄉、獅子鄉、牡丹鄉等六鄉鎮"),
    ("雲林縣", "斗六測站", "斗六市、林內鄉、古坑鄉、蔴桐鄉、虎尾鎮、斗南鎮；大埤鄉"),
    ("雲林縣", "崙背測站", "崙背鄉、二崙鄉、西螺鎮、褒忠鄉、土庫鎮、元長鄉、北港鎮"),
    ("雲林縣", "麥寮測站", "麥寮鄉、東勢鄉"),
    ("雲林縣", "台西測站", "台西鄉、四湖鄉、口湖鄉、水林鄉"),
    ("澎湖縣", "馬公站", "全澎湖縣"),
]



def test_official_tables_reproduce_the_seed_counts():
    off = datasets.load_coverage_official()
    counts = off.groupby(["county", "station"]).size().to_dict()
    assert counts == {("屏東縣", "屏東"): 11, ("屏東縣", "潮州"): 16, ("屏東縣", "恆春"): 6,
                      ("雲林縣", "斗六"): 7, ("雲林縣", "崙背"): 7, ("雲林縣", "麥寮"): 2, ("雲林縣", "臺西"): 4,
                      ("澎湖縣", "馬公"): 6}
    for county in datasets.SEED_COUNTIES:
        checked = official_coverage(county)  # raises if a township is missing, doubled or unknown
        assert sorted(checked["township"]) == sorted(datasets.township_names(county))
        assert checked["township"].is_unique


def test_seed_tables_as_printed_parse_to_the_embedded_table():
    printed = pd.DataFrame(SEED_ROWS, columns=["縣市", "測站名稱", "涵蓋區域"])
    for county in datasets.SEED_COUNTIES:
        mine = read_official_coverage(printed, county=county)
        emb = official_coverage(county)
        assert mine[["county", "station", "township"]].equals(emb[["county", "station", "township"]])
    pt = read_official_coverage(printed, county="屏東縣").set_index("township")
    assert pt.loc["霧臺鄉", "township_as_printed"] == "霧台鄉" and pt.loc["霧臺鄉", "station"] == "屏東"
    yl = read_official_coverage(printed, county="雲林縣").set_index("township")
    assert yl.loc["莿桐鄉", "township_as_printed"] == "蔴桐鄉" and yl.loc["臺西鄉", "station"] == "臺西"


def _pingtung_table(tmp_path, edit=None, header=("county", "station", "township")):
    off = datasets.load_coverage_official("屏東縣")[["county", "station", "township"]]
    if edit:
        off = edit(off.copy())
    off.columns = list(header)
    path = tmp_path / "mine.csv"
    off.to_csv(path, index=False)
    return path


def test_user_table_with_chinese_headers_and_tai_spelling(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "霧台鄉"
        return df
    path = _pingtung_table(tmp_path, edit, header=("縣市", "測站", "鄉鎮市區"))
    df = read_official_coverage(path, county="屏東縣")
    assert len(df) == 33 and "霧臺鄉" in set(df["township"])


def test_user_table_saved_as_excel_unicode_text_is_read_with_the_shared_reader(tmp_path):
    # Excel's "Unicode text": UTF-16 with BOM, tab-separated (the old reader knew only utf-8/cp950 CSV)
    path = _pingtung_table(tmp_path)
    p16 = tmp_path / "mine16.txt"
    p16.write_text(pd.read_csv(path, dtype=str).to_csv(sep="\t", index=False), encoding="utf-16")
    df = read_official_coverage(p16, county="屏東縣")
    assert len(df) == 33 and df["township"].is_unique


def test_unknown_township_suggests_the_nearest_spelling(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "霧抬鄉"
        return df
    path = _pingtung_table(tmp_path, edit)
    with pytest.raises(InputError) as e:
        read_official_coverage(path, county="屏東縣")
    msg = str(e.value)
    assert "霧抬鄉" in msg and "did you mean 霧臺鄉" in msg and "mine.csv" in msg and "row 11" in msg


def test_township_of_another_county_is_named_as_such(tmp_path):
    def edit(df):
        df.loc[df["township"] == "霧臺鄉", "township"] = "美濃區"
        return df
    with pytest.raises(InputError, match="美濃區 is in 高雄市"):
        read_official_coverage(_pingtung_table(tmp_path, edit), county="屏東縣")


def test_township_listed_twice_or_missing_is_an_error(tmp_path):
    def twice(df):
        return pd.concat([df, pd.DataFrame([{"county": "屏東縣", "station": "屏東", "township": "萬丹鄉"}])])
    with pytest.raises(InputError) as e:
        read_official_coverage(_pingtung_table(tmp_path, twice), county="屏東縣")
    assert "萬丹鄉 is listed 2 times" in str(e.value) and "潮州, 屏東" in str(e.value)

    def missing(df):
        return df[~df["township"].isin(["琉球鄉", "枋山鄉"])]
    with pytest.raises(InputError) as e:
        read_official_coverage(_pingtung_table(tmp_path, missing), county="屏東縣")
    assert "2 township(s)" in str(e.value) and "琉球鄉" in str(e.value) and "枋山鄉" in str(e.value)


def test_printed_count_is_checked():
    rows = [r for r in SEED_ROWS if r[0] == "屏東縣"]
    rows[2] = ("屏東縣", "恆春站", "恆春鎮、枋山鄉、車城鄉、滿州鄉、獅子鄉、牡丹鄉等七鄉鎮")
    with pytest.raises(InputError, match="等七鄉鎮"):
        read_official_coverage(pd.DataFrame(rows, columns=["縣市", "測站", "涵蓋區域"]), county="屏東縣")
