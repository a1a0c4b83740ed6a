"""Facility lists: every row placed in a township, or not placed with a reason."""

import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.io.facilities import read_facilities

ADDED = ["township", "township_method", "unplaced_reason"]


def _csv(tmp_path, rows, columns, name="list.csv", encoding="utf-8"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False, encoding=encoding)
    return path


def test_user_csv_with_chinese_headers(tmp_path):
    cols = ["管制編號", "名稱", "地址", "備註"]
    rows = [["T5000134", "廣豐工業股份有限公司里港廠", "屏東縣里港鄉三廂村江南巷 2-3 號", "a"],
            ["P5800001", "某麥寮廠", "麥寮鄉中興村一百零五號", "b"],           # no county in the address
            ["D1234567", "某臺南廠", "東區民族路 1 號", "c"],                  # 東區: county from the C_NO letter
            ["T5009999", "無地址廠", "", "d"],
            ["T5008888", "地址不明廠", "中山路100號", "e"]]
    df = read_facilities(_csv(tmp_path, rows, cols, encoding="cp950"))
    assert list(df.columns) == cols + ["county"] + ADDED  # every input column kept, in order
    assert df["備註"].tolist() == list("abcde")
    assert df["county"].tolist() == ["屏東縣", "雲林縣", "臺南市", "屏東縣", "屏東縣"]
    assert df["township"].tolist()[:3] == ["里港鄉", "麥寮鄉", "東區"]
    assert df["township_method"].tolist()[:3] == ["address"] * 3
    assert df["township"].iloc[3:].isna().all() and df["township_method"].iloc[3:].isna().all()
    assert df["unplaced_reason"].iloc[:3].isna().all()
    assert df.loc[3, "unplaced_reason"] == "no address and no township given"
    assert "no township name of 屏東縣" in df.loc[4, "unplaced_reason"]
    assert "lon" not in df.columns and "lat" not in df.columns  # never invented


def test_unplaced_rows_listed_in_problems(tmp_path):
    cols = ["name", "address"]
    rows = [["A", "屏東縣里港鄉三廂村"], ["B", "東區民族路1號"], ["C", "某某路1號"], ["D", ""]]
    df = read_facilities(_csv(tmp_path, rows, cols))
    unplaced = df[df["township"].isna()]
    assert len(unplaced) == 3 and unplaced["unplaced_reason"].notna().all()
    probs = {p.where: p.reason for p in df.attrs["problems"]}
    assert set(probs) == {"row 3 (B)", "row 4 (C)", "row 5 (D)"}
    assert "東區 exists in" in probs["row 3 (B)"]
    for where, reason in probs.items():
        assert "not placed" in reason


def test_seed_township_disagreeing_with_address_kept_with_warning(tmp_path):
    cols = ["county", "township_seed", "name", "address"]
    rows = [["屏東縣", "長治鄉", "X 廠", "屏東縣里港鄉三廂村江南巷 2-3 號"],
            ["屏東縣", "里港", "Y 廠", "屏東縣里港鄉三廂村"],               # seed without its suffix
            ["台南市", "東區", "Z 醫院", ""]]
    df = read_facilities(_csv(tmp_path, rows, cols))
    assert df["township"].tolist() == ["長治鄉", "里港鄉", "東區"]
    assert df["township_method"].tolist() == ["seed"] * 3
    assert df["county"].tolist() == ["屏東縣", "屏東縣", "臺南市"]
    (p,) = df.attrs["problems"].items
    assert p.where == "row 2 (X 廠)" and p.severity == "warning"
    assert "長治鄉" in p.reason and "里港鄉" in p.reason and "長治鄉 is kept" in p.reason


def test_english_headers_with_township_column_and_coordinates(tmp_path):
    cols = ["name", "township", "county", "lon", "lat"]
    rows = [["A", "恒春鎮", "屏東縣", "120.7440", "22.0020"], ["B", "馬公市", "澎湖縣", "", ""]]
    df = read_facilities(_csv(tmp_path, rows, cols))
    assert df["township"].tolist() == ["恆春鎮", "馬公市"]
    assert df["township_input"].tolist() == ["恒春鎮", "馬公市"]  # the given text, kept
    assert df.loc[0, "lon"] == 120.744 and pd.isna(df.loc[1, "lon"])


def test_xy_needs_crs_and_swapped_lonlat_named(tmp_path):
    path = _csv(tmp_path, [["A", "屏東縣里港鄉", "197387", "2508164"]], ["name", "address", "x", "y"])
    with pytest.raises(InputError, match="CRS"):
        read_facilities(path)
    df = read_facilities(path, crs="EPSG:3826")
    assert df.loc[0, "lon"] == pytest.approx(120.488, abs=1e-3)
    bad = _csv(tmp_path, [["A", "屏東縣里港鄉", "22.67", "120.49"]], ["name", "address", "lon", "lat"], "bad.csv")
    with pytest.raises(InputError, match="swapped"):
        read_facilities(bad)


def test_county_argument_for_lists_without_county(tmp_path):
    df = read_facilities(_csv(tmp_path, [["A", "東區民族路1號"]], ["名稱", "地址"]), county="嘉義市")
    assert (df.loc[0, "county"], df.loc[0, "township"]) == ("嘉義市", "東區")


def test_missing_columns_error(tmp_path):
    path = _csv(tmp_path, [["A", "B"]], ["編號", "電話"])
    with pytest.raises(InputError) as e:
        read_facilities(path)
    assert str(path) in str(e.value) and "編號, 電話" in str(e.value) and "地址" in str(e.value)


@pytest.mark.parametrize("name", ["facilities.csv", "health_facilities.csv"])
def test_embedded_lists_placed_or_explained(name):
    path = datasets.data_dir() / name
    if not path.exists():
        pytest.skip(f"{name} not written yet")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = read_facilities(path)
    assert len(df) == len(raw)
    placed = df["township"].notna()
    assert (placed ^ df["unplaced_reason"].notna()).all()  # exactly one of the two
    assert df.loc[placed, "township_method"].isin(["seed", "address"]).all()
    assert df["county"].notna().all()
    # a placed township is a township of its county
    for c, t in zip(df.loc[placed, "county"], df.loc[placed, "township"]):
        assert t in datasets.township_names(c), (c, t)
    # nearly every row with an address is placed (the seeds' addresses name their township)
    has_addr = raw["address"].str.strip() != ""
    assert placed[has_addr].mean() >= 0.9, df.loc[has_addr & ~placed, ["name", "address", "unplaced_reason"]]
    n_unplaced = int((~placed).sum())
    assert len([p for p in df.attrs["problems"] if "not placed" in p.reason]) == n_unplaced
    for _, r in df[~placed].iterrows():
        print(f"{name}: unplaced {r['county']} {r['name']}: {r['unplaced_reason']}")


def test_unusable_seed_falls_back_to_address(tmp_path):
    cols = ["county", "township_seed", "name", "address"]
    rows = [["屏東縣", "斗六市", "A", "屏東縣里港鄉三廂村"],   # seed of another county: the address decides
            ["屏東縣", "斗六市", "B", ""]]
    df = read_facilities(_csv(tmp_path, rows, cols))
    assert df.loc[0, "township"] == "里港鄉" and df.loc[0, "township_method"] == "address"
    assert pd.isna(df.loc[0, "unplaced_reason"])
    assert pd.isna(df.loc[1, "township"])
    assert "斗六市 is not in 屏東縣" in df.loc[1, "unplaced_reason"]


def test_lonlat_columns_are_degrees_even_when_a_crs_is_named(tmp_path):
    # a list with lon/lat columns, read with the CRS of its (absent) x/y: lon/lat stay degrees
    path = _csv(tmp_path, [["A", "屏東縣屏東市", "120.488", "22.673"]], ["name", "address", "lon", "lat"])
    df = read_facilities(path, crs="EPSG:3826")
    assert df.loc[0, "lon"] == pytest.approx(120.488) and df.loc[0, "lat"] == pytest.approx(22.673)
