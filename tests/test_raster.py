"""geoairplan.raster.Raster written by the one GeoTIFF writer: bands, nodata, units, tags, CRS."""

import numpy as np
import rasterio

from geoairplan.grid import make_grid
from geoairplan.raster import Raster


def test_geotiff_round_trip_keeps_values_nodata_variance_units_and_tags(tmp_path):
    g = make_grid(region=(200_000, 203_000, 2_500_000, 2_502_000), cell_size=1000)
    v = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.5]])
    r = Raster.on_grid(v, g, unit="ug/m3", variance=v * 2, name="PM2.5", tags={"method": "test"})
    p = r.to_geotiff(tmp_path / "r.tif", tags={"data_kind": "scenario"})
    with rasterio.open(p) as src:
        assert src.crs.to_epsg() == 3826 and src.count == 2 and src.nodata == -9999.0
        assert src.transform == g.transform
        a = src.read(1, masked=True)
        assert a.mask[0, 1] and float(a[1, 2]) == 6.5
        assert float(src.read(2)[1, 2]) == 13.0
        assert src.units == ("ug/m3", "(ug/m3)^2")
        assert src.descriptions[0] == "PM2.5"
        assert src.tags()["data_kind"] == "scenario" and src.tags()["method"] == "test"
    assert r.bounds == (200_000.0, 2_500_000.0, 203_000.0, 2_502_000.0)
    assert r.stats()["filled"] == 5 and r.stats()["max"] == 6.5


def test_the_same_raster_gives_the_same_bytes(tmp_path):
    g = make_grid(region=(200_000, 203_000, 2_500_000, 2_502_000), cell_size=1000)
    r = Raster.on_grid(np.arange(6.0).reshape(2, 3), g, unit="t/yr/km2")
    a = r.to_geotiff(tmp_path / "a.tif").read_bytes()
    b = r.to_geotiff(tmp_path / "b.tif").read_bytes()
    assert a == b
