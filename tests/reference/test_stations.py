"""The national station registry: every MOENV station, its type, zone, township and source."""

import geopandas as gpd
import pandas as pd
import pytest

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.reference import stations as ref
from geoairplan.reference.geography import AQ_ZONES, data_dir

SOURCES = data_dir() / "sources" / "moenv"


def test_every_moenv_station_of_both_sources_is_in_the_registry():
    st = datasets.load_stations()
    p07 = pd.read_csv(SOURCES / "moenv_stations_aqx_p_07.csv", dtype=str)
    p432 = pd.read_csv(SOURCES / "moenv_aqx_p_432_snapshot.csv", dtype=str)
    names = set(st["name_zh"])
    from geoairplan.reference.names import normalize_name
    assert set(p07["sitename"].map(normalize_name)) <= names
    assert set(p432["sitename"].map(normalize_name)) <= names   # incl. 屏東(枋山), 屏東(琉球)
    assert len(st) >= 84 and st["county"].nunique() == 22
    assert st["siteid"].dropna().is_unique


def test_every_row_says_its_source_and_lies_in_its_township():
    st = datasets.load_stations()
    assert st["source"].notna().all() and st["source_file"].notna().all() and st["retrieved"].notna().all()
    for f in st["source_file"].unique():
        assert (data_dir().parent / f).exists() or (data_dir() / f.removeprefix("data/")).exists(), f
    towns = datasets.load_townships().to_crs(3826)[["COUNTYNAME", "TOWNNAME", "geometry"]]
    j = gpd.sjoin(st.to_crs(3826), towns, predicate="within", how="left")
    assert j.index.is_unique
    assert (j["TOWNNAME"] == j["township"]).all() and (j["COUNTYNAME"] == j["county"]).all()
    assert (st["zone"] == st["county"].map(AQ_ZONES)).all()


def test_sitetype_vocabulary_and_published_types():
    st = datasets.load_stations().set_index("name_zh")
    assert set(st["sitetype"].dropna()) <= set(ref.SITE_TYPES)
    assert st.loc["臺西", "sitetype"] == "工業站" and st.loc["斗六", "sitetype"] == "一般站"
    assert st.loc["復興", "sitetype"] == "交通站" and st.loc["橋頭", "sitetype"] == "背景站"
    assert (st["sitetype"] == "國家公園站").sum() == 1 and (st["sitetype"] == "其他").sum() == 2
    assert pd.isna(st.loc["屏東(琉球)", "sitetype"])   # not in aqx_p_07: type not stated, not invented


def test_the_official_table_stations_are_all_of_the_coverage_types():
    cov = datasets.load_coverage_official()
    st = datasets.load_stations().set_index("name_zh")
    used = set(st.loc[sorted(set(cov["station"])), "sitetype"])
    assert used == set(ref.COVERAGE_TYPES)


def test_types_filter():
    pt = datasets.load_stations("屏東縣")
    assert len(pt) == 5   # unchanged rows of the southern counties
    assert sorted(datasets.load_stations("屏東縣", types=ref.COVERAGE_TYPES)["name_zh"]) == ["屏東", "恆春", "潮州"]
    assert len(datasets.load_stations(types="all")) == datasets.load_stations()["sitetype"].notna().sum()
    kh = datasets.load_stations("高雄市", types="交通站,工業站")
    assert set(kh["sitetype"]) == {"交通站", "工業站"}
    assert ref.check_types(["公園站", "其它站"]) == ("國家公園站", "其他")
    with pytest.raises(InputError) as e:
        datasets.load_stations(types="港口站")
    assert e.value.where == "types" and "一般站" in str(e.value)


def test_the_33_earlier_rows_kept_their_values():
    st = datasets.load_stations().set_index("name_zh")
    assert st.loc["屏東", "lon"] == pytest.approx(120.488033) and st.loc["前金", "township"] == "三民區"
    assert st.loc["前金", "township_published"] == "前金區"   # published township differs: reported in data/README
    assert st.loc["斗六", "station_type"] == "general"
    assert st.loc["臺南(麻豆)", "source_file"].endswith("stations_southern_region.csv")


def test_data_show_stations_lists_them_all(capsys):
    from geoairplan.cli import main
    assert main(["data", "show", "stations"]) == 0
    out = capsys.readouterr().out
    assert "(86 rows)" in out and "sitetype" in out and "國家公園站" in out and "township" in out
