"""Agreement of official and computed coverage (geoairplan.coverage.agreement)."""

import numpy as np
import pandas as pd
import geopandas as gpd
import pytest
import shapely

from geoairplan import datasets
from geoairplan.coverage import agreement_report, assign_townships, coverage_analysis

from tests.coverage._helpers import _brute_force_nearest, _sample_in, _tm2_stations  # noqa: E402,F401

PT3 = ["屏東", "潮州", "恆春"]


def test_pingtung_agreement_with_the_three_stations():
    res = coverage_analysis("屏東縣", stations=PT3)
    rep = res.report.set_index("township")
    assert len(rep) == 33 and rep["agree"].sum() == 31
    assert res.summary()["differ"] == ["萬丹鄉", "枋山鄉"]
    assert rep.loc["萬丹鄉", ["official_station", "computed_station"]].tolist() == ["潮州", "屏東"]
    assert rep.loc["萬丹鄉", "computed_share"] == pytest.approx(0.647, abs=0.002)
    assert rep.loc["萬丹鄉", "official_share"] == pytest.approx(0.353, abs=0.002)
    assert rep.loc["枋山鄉", ["official_station", "computed_station"]].tolist() == ["恆春", "潮州"]
    assert rep.loc["枋山鄉", "computed_share"] == pytest.approx(0.650, abs=0.002)
    assert rep.loc["枋山鄉", "official_share"] == pytest.approx(0.349, abs=0.002)
    # 獅子鄉 agrees, by a hair
    assert rep.loc["獅子鄉", "agree"] and rep.loc["獅子鄉", "computed_share"] == pytest.approx(0.505, abs=0.002)
    # by brute force: the share of sample points of each township nearest each station
    st = _tm2_stations(PT3)
    xy_st = np.column_stack([st.geometry.x, st.geometry.y])
    towns = datasets.load_townships("屏東縣").to_crs(3826).set_index("TOWNNAME").geometry
    for town, station, share in [("萬丹鄉", "屏東", 0.647), ("枋山鄉", "潮州", 0.650)]:
        pts = _sample_in(towns[town], 4000, seed=3)
        nearest, _ = _brute_force_nearest(pts, xy_st)
        assert (nearest == PT3.index(station)).mean() == pytest.approx(share, abs=0.025)
    # the default station set is the official table's (the 琉球 and 枋山 stations are left out, and said so)
    default = coverage_analysis("屏東縣")
    assert default.cells["station"].tolist() == PT3
    assert any("屏東(琉球)" in p.where for p in default.problems)


def test_yunlin_agreement():
    res = coverage_analysis("雲林縣")
    rep = res.report.set_index("township")
    assert res.summary()["differ"] == ["虎尾鎮", "北港鎮", "東勢鄉"]
    assert rep.loc["虎尾鎮", ["official_station", "computed_station"]].tolist() == ["斗六", "崙背"]
    assert rep.loc["北港鎮", ["official_station", "computed_station"]].tolist() == ["崙背", "臺西"]
    assert rep.loc["北港鎮", "computed_share"] > 0.98
    assert rep.loc["東勢鄉", ["official_station", "computed_station"]].tolist() == ["麥寮", "臺西"]
    assert rep.loc["東勢鄉", "computed_share"] == pytest.approx(0.544, abs=0.002)


def test_agreement_report_on_a_hand_made_case():
    towns = gpd.GeoDataFrame({"COUNTYNAME": ["X", "X"], "TOWNNAME": ["a", "b"], "TOWNCODE": ["1", "2"]},
                             geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=3826)
    cells = gpd.GeoDataFrame({"station": ["P", "Q"]},
                             geometry=[shapely.box(0, 0, 13, 10), shapely.box(13, 0, 20, 10)], crs=3826)
    a, sh = assign_townships(cells, towns)
    assert a["station"].tolist() == ["P", "Q"] and a["share"].tolist() == pytest.approx([1.0, 0.7])
    rep = agreement_report(a, sh, pd.DataFrame({"township": ["a", "b"], "station": ["P", "P"]}))
    assert rep["agree"].tolist() == [True, False]
    assert rep["official_share"].tolist() == pytest.approx([1.0, 0.3])
