"""Surfaces: GeoTIFF round trip with the variance band, sampling, title."""

import numpy as np
import rasterio

from geoairplan.interpolate import IDW, OrdinaryKriging, Surface

from tests.interpolate._layout import PARAMS, PX, PY, RNG, X, Y, Z  # noqa: F401


def test_geotiff_roundtrip_with_variance(tmp_path):
    ok = OrdinaryKriging("spherical", PARAMS).fit((X, Y), Z)
    surf = ok.grid(county="屏東縣", cell_size=2000, pollutant="pm2.5", unit="ug/m3", time="2025-01-16 14:00")
    p = surf.to_geotiff(tmp_path / "k.tif")
    with rasterio.open(p) as r:
        assert r.crs.to_epsg() == 3826 and r.count == 2
        assert r.transform == surf.transform
        v, s = r.read(1, masked=True), r.read(2, masked=True)
        assert r.tags()["method"] == "kriging" and r.tags()["time"] == "2025-01-16 14:00"
        assert "variance" in r.descriptions[1]
    land = surf.grid.mask
    assert np.array_equal(~v.mask, land) and np.array_equal(~s.mask, land)
    np.testing.assert_allclose(v.filled(np.nan)[land], surf.values[land], rtol=1e-6)
    # a cell far out at sea, west of the county, is nodata
    row, col = surf.grid.cell_of(np.array([surf.bounds[0] + 1000.0]), np.array([surf.bounds[3] - 1000.0]))
    assert v.mask[row[0], col[0]]


def test_surface_sample_and_title():
    s = IDW(max_distance=None).fit((X, Y), Z).grid((180_000, 200_000, 2_450_000, 2_470_000), cell_size=1000,
                                                   pollutant="o3", unit="ppb", label="scenario")
    assert isinstance(s, Surface)
    v = s.sample(s.x[:3], np.full(3, s.y[0]))
    np.testing.assert_allclose(v, s.values[0, :3])
    assert np.isnan(s.sample([0.0], [0.0])[0])
    assert "[scenario]" in s.title() and "O3" in s.title()
