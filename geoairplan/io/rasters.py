"""The one GeoTIFF writer: bands, nodata, units, descriptions and tags that QGIS and GDAL show."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import rasterio

from geoairplan.io.crs import TM2

__all__ = ["write_geotiff", "NODATA"]

#: The nodata value written where a band has no value (NaN in memory).
NODATA = -9999.0


def write_geotiff(path, bands: Sequence[np.ndarray], transform, *, crs: str = TM2, nodata: float = NODATA,
                  dtype: str = "float32", descriptions: Sequence[str] = (), units: Sequence[str] = (),
                  tags: Mapping[str, str] | None = None) -> Path:
    """Write north-up float bands to a deflate-compressed GeoTIFF, NaN written as ``nodata``.

    Parameters
    ----------
    path : str or Path
        File to write (its folder is created).
    bands : sequence of (ny, nx) arrays
        Band 1 first; every band the same shape.
    transform : affine.Affine
        Pixel-to-CRS transform (row 0 at the north).
    crs : str
        Coordinate reference system (EPSG:3826 unless told).
    nodata : float
        Written where a band is NaN or infinite, and declared in the file.
    descriptions, units : sequence of str
        One per band (GDAL band description and unit type).
    tags : mapping
        Dataset tags (text); written sorted, so files are byte-identical.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ny, nx = bands[0].shape
    profile = dict(driver="GTiff", width=nx, height=ny, count=len(bands), dtype=dtype, crs=crs,
                   transform=transform, nodata=nodata, compress="deflate")
    if nx >= 256 and ny >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with rasterio.open(path, "w", **profile) as dst:
        for i, arr in enumerate(bands, start=1):
            dst.write(np.where(np.isfinite(arr), arr, nodata).astype(dtype), i)
            if i <= len(descriptions):
                dst.set_band_description(i, descriptions[i - 1])
        if units:
            dst.units = tuple(units)
        if tags:
            dst.update_tags(**{k: str(tags[k]) for k in sorted(tags)})
    return path
