"""Voronoi cells (geoairplan.coverage.voronoi) against brute force; partitions of the county land."""

from itertools import combinations

import numpy as np
import geopandas as gpd
import pytest
import shapely

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.coverage import coverage_analysis, station_cells, voronoi_cells

from tests.coverage._helpers import _brute_force_nearest, _sample_in, _tm2_stations  # noqa: E402,F401

PT3 = ["屏東", "潮州", "恆春"]


def test_voronoi_cells_keep_input_order_and_match_brute_force():
    rng = np.random.default_rng(7)
    xy = rng.uniform(150_000, 250_000, size=(25, 2)) + [0, 2_400_000]
    cells = voronoi_cells(gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=3826))
    assert len(cells) == 25
    assert all(c.contains(shapely.Point(p)) for c, p in zip(cells, xy))  # cell i holds point i
    probe = rng.uniform(140_000, 260_000, size=(2000, 2)) + [0, 2_400_000]
    nearest, margin = _brute_force_nearest(probe, xy)
    hit = np.array([np.flatnonzero(shapely.contains_xy(cells.to_numpy(), x, y)) for x, y in probe], dtype=object)
    ok = margin > 1.0
    assert all(len(h) == 1 and h[0] == n for h, n in zip(hit[ok], nearest[ok]))


def test_voronoi_refuses_lon_lat():
    with pytest.raises(InputError, match="projected"):
        voronoi_cells(gpd.GeoSeries(gpd.points_from_xy([120.5, 120.6], [22.6, 22.7]), crs=4326))


@pytest.mark.parametrize("county,names", [("屏東縣", None), ("雲林縣", None), ("屏東縣", PT3)])
def test_county_cells_agree_with_brute_force_nearest_station(county, names):
    cells = station_cells(county, stations=names)
    st = cells.attrs["stations"]
    st = st[st["used"]].set_index("station").loc[cells["station"]]
    xy_st = np.column_stack([st.geometry.x, st.geometry.y])
    land = shapely.union_all(datasets.load_townships(county).to_crs(3826).geometry.to_numpy())
    probe = _sample_in(land, 1500, seed=11)
    nearest, margin = _brute_force_nearest(probe, xy_st)
    ok = margin > 1.0
    for (x, y), n in zip(probe[ok], nearest[ok]):
        inside = np.flatnonzero(shapely.intersects_xy(cells.geometry.to_numpy(), x, y))
        assert inside.tolist() == [n]


@pytest.mark.parametrize("county", datasets.SEED_COUNTIES)
def test_cells_partition_the_county_land(county):
    cells = station_cells(county, stations="all")
    outline = datasets.load_counties(county).to_crs(3826).geometry.iloc[0]
    towns = shapely.union_all(datasets.load_townships(county).to_crs(3826).geometry.to_numpy())
    land_km2 = shapely.union(outline, towns).area / 1e6
    assert cells["area_km2"].sum() == pytest.approx(land_km2, rel=1e-3)
    assert cells.geometry.area.sum() / 1e6 == pytest.approx(outline.area / 1e6, rel=5e-3)
    for a, b in combinations(cells.geometry, 2):
        assert a.intersection(b).area < 1.0
    # every island is land of some cell (琉球鄉 off Pingtung, Penghu's islands)
    parts = shapely.get_parts(towns)
    covered = shapely.union_all(cells.geometry.to_numpy())
    assert all(covered.buffer(1).contains(p) for p in parts)


def test_penghu_one_station_covers_every_island():
    res = coverage_analysis("澎湖縣")
    assert res.cells["station"].tolist() == ["馬公"]
    assert len(shapely.get_parts(res.cells.geometry.iloc[0])) >= 20
    assert (res.assignment["station"] == "馬公").all() and (res.assignment["share"] > 0.999).all()
    assert res.summary()["agree"] == 6 and res.summary()["differ"] == []
