"""CRS handling: TM2 for computation, checks that name what is wrong."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geoairplan.errors import InputError
from geoairplan.io.crs import check_points_in_county, points_from_xy, resolve_crs

MAGONG_LONLAT = (119.566158, 23.569031)  # MOENV station list


def _published_magong_tm2():
    return gpd.GeoSeries(gpd.points_from_xy([MAGONG_LONLAT[0]], [MAGONG_LONLAT[1]]), crs=4326).to_crs(3826)


def test_seed_001_magong_utm_label_is_tm2():
    # 001 Table 2.3-1 labels E 103629, N 2608061 "UTM"; they are TM2 zone 121 metres
    pt = points_from_xy([103629], [2608061], "UTM")
    d = float(pt.distance(_published_magong_tm2()).iloc[0])
    assert d < 50, d
    assert d > 1  # the two published positions do differ by tens of metres


def test_seed_001_magong_read_as_zone_119_is_refused():
    with pytest.raises(InputError) as e:
        points_from_xy([103629], [2608061], "EPSG:3825")
    assert "not in Taiwan" in str(e.value) and "EPSG:3826" in str(e.value)


def test_lonlat_swapped_named_with_row():
    with pytest.raises(InputError) as e:
        points_from_xy([120.5, 23.7], [22.6, 120.3], 4326, source="stations.csv")
    msg = str(e.value)
    assert "swapped" in msg and "stations.csv" in msg and "row 2" in msg


def test_degrees_given_as_metres():
    with pytest.raises(InputError, match="look like degrees"):
        points_from_xy([120.5], [22.6], 3826)


def test_twd67_is_shifted_about_830_m():
    x, y = 190000.0, 2500000.0
    a = points_from_xy([x], [y], "TWD97")
    b = points_from_xy([x], [y], "TWD67")
    d = float(a.distance(b).iloc[0])
    assert 800 < d < 900


def test_resolve_crs_aliases_and_unknown():
    assert resolve_crs("tm2").to_epsg() == 3826
    assert resolve_crs("EPSG:3825").to_epsg() == 3825
    with pytest.raises(InputError, match="unknown coordinate reference system"):
        resolve_crs("EPSG:not-a-code")


def test_point_outside_claimed_county_reported_with_distance():
    pts = gpd.GeoDataFrame(
        {"name": ["馬公", "wrong"], "county": ["澎湖縣", "屏東縣"]},
        geometry=gpd.points_from_xy([119.566158, 120.544994], [23.569031, 23.711853]), crs=4326)
    rep = check_points_in_county(pts, label_col="name")
    assert list(rep["label"]) == ["wrong"]
    assert rep["found_county"].iloc[0] == "雲林縣"
    # 斗六 lies about 110 km north of Pingtung's northern tip
    assert 80_000 < rep["distance_m"].iloc[0] < 140_000
