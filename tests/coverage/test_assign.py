"""Township assignment (geoairplan.coverage.assign): shares, majority flag."""

import numpy as np
import geopandas as gpd
import pytest

from geoairplan import datasets
from geoairplan.coverage import coverage_analysis


@pytest.mark.parametrize("county", ["屏東縣", "雲林縣"])
def test_every_township_one_majority_station_or_flag(county):
    res = coverage_analysis(county, stations="all", include_neighbours=True)
    a, sh = res.assignment, res.shares
    assert len(a) == len(datasets.township_names(county)) and a["township"].is_unique
    tot = sh.groupby("township")["share"].sum()
    assert np.allclose(tot.loc[a["township"]].to_numpy(), 1.0, atol=1e-6)
    best = sh.sort_values("share", ascending=False).drop_duplicates("township").set_index("township")
    assert (best.loc[a["township"], "station"].to_numpy() == a["station"].to_numpy()).all()
    assert (a["majority"] == (a["share"] > 0.5)).all()
    assert (a["majority"] | a["station"].notna()).all()
    # with the neighbours, no station holds a majority of these (measured)
    expected = {"屏東縣": ["霧臺鄉"], "雲林縣": ["大埤鄉"]}[county]
    assert res.no_majority == expected


def test_no_majority_flag_on_a_township_split_three_ways():
    town = datasets.load_townships("屏東縣").to_crs(3826).set_index("TOWNNAME").geometry["屏東市"]
    c = town.centroid
    ang = np.deg2rad([90, 210, 330])
    st = gpd.GeoDataFrame({"station": ["A", "B", "C"]},
                          geometry=gpd.points_from_xy(c.x + 1500 * np.cos(ang), c.y + 1500 * np.sin(ang)), crs=3826)
    res = coverage_analysis("屏東縣", stations=st, official=False)
    row = res.assignment.set_index("township").loc["屏東市"]
    assert not row["majority"] and row["share"] < 0.5 and row["n_stations"] == 3
    assert "屏東市" in res.no_majority and "no station holds a majority" in res.summary_text()
