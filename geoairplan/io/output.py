"""Writing outputs that open in QGIS and come out the same, byte for byte, every run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

__all__ = ["write_gpkg", "write_csv"]

# GDAL stamps GeoPackages with the current time unless told otherwise.
_FIXED_DATE = "2000-01-01T00:00:00.000Z"


def write_gpkg(path, layers: dict, *, skip_empty: bool = False) -> Path:
    """Write named layers to one GeoPackage (replacing the file) with a fixed timestamp.

    Object columns are written as text (``None``/NaN as NULL), so mixed-type
    columns do not trip the driver. Layers that are ``None`` are skipped, and
    empty ones too when ``skip_empty``. Each layer keeps its own CRS.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        for name, layer in layers.items():
            if layer is None or (skip_empty and len(layer) == 0):
                continue
            layer = layer.copy()
            for c in layer.columns:
                if c != layer.geometry.name and layer[c].dtype == object:
                    layer[c] = layer[c].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                            else str(v))
            layer.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return path


def write_csv(df: pd.DataFrame, path, *, float_format: str = "%.6g") -> Path:
    """Write a table as UTF-8 CSV (``\\n`` line ends, no index, geometry dropped); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").to_csv(
        path, index=False, lineterminator="\n", float_format=float_format)
    return path
