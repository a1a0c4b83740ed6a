"""The shared writers for people and GIS: CSV (precision, BOM), GeoPackage (date-times, version), GeoTIFF units."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from geoairplan.io.output import GPKG_VERSION, write_csv, write_gpkg


def test_csv_keeps_coordinates_and_rounds_values_without_exponents(tmp_path):
    df = pd.DataFrame({"name": ["潮州", "臺西"], "lon": [120.5412345678, 120.19876543],
                       "lat": [22.5501234, 23.70012], "x_tm2": [2508512.3456, 201234.5],
                       "y_tm2": [2508512.3456, 2621000.25],
                       "pm25": [12.3456789, 2508512.6], "share": [0.000123456789, np.nan]})
    p = write_csv(df, tmp_path / "t.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows the Chinese
    text = raw.decode("utf-8-sig")
    assert "e+" not in text and "e-" not in text
    back = pd.read_csv(p, encoding="utf-8-sig")
    assert list(back.columns) == list(df.columns)
    # coordinates exactly, values to 6 significant digits (integer digits never lost)
    for c in ("lon", "lat", "x_tm2", "y_tm2"):
        assert back[c].tolist() == df[c].tolist()
    assert back["pm25"].tolist() == [12.3457, 2508513.0]
    assert back["share"].iloc[0] == 0.000123457 and np.isnan(back["share"].iloc[1])
    # explicit formats apply to values, never to coordinates
    p2 = write_csv(df, tmp_path / "f.csv", float_format="%.1f", bom=False)
    b2 = pd.read_csv(p2)
    assert b2["lon"].tolist() == df["lon"].tolist() and b2["pm25"].tolist() == [12.3, 2508512.6]
    assert not p2.read_bytes().startswith(b"\xef\xbb\xbf")
    # deterministic
    assert write_csv(df, tmp_path / "t2.csv").read_bytes() == raw


def test_gpkg_datetimes_are_datetime_fields_and_version_is_widely_read(tmp_path):
    hours = pd.date_range("2024-01-15 08:00", periods=2, freq="h")
    g = gpd.GeoDataFrame({"time": hours, "label": ["2024-01-15 08:00", None],
                          "obj": pd.Series([pd.Timestamp("2024-01-15 10:00"), None], dtype=object),
                          "name": ["潮州", None], "code": ["x", "2024"]},
                         geometry=[shapely.Point(200000, 2500000)] * 2, crs=3826)
    p = write_gpkg(tmp_path / "t.gpkg", {"a": g})
    con = sqlite3.connect(p)
    assert con.execute("pragma application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
    assert con.execute("pragma user_version").fetchone()[0] == 10200 and GPKG_VERSION == "1.2"
    types = {r[1]: r[2] for r in con.execute("pragma table_info(a)")}
    assert types["time"] == types["label"] == types["obj"] == "DATETIME"
    assert types["name"] == types["code"] == "TEXT"
    back = gpd.read_file(p, layer="a")
    assert pd.api.types.is_datetime64_any_dtype(back["time"]) and back["time"].iloc[1] == hours[1]
    con.close()
    b1 = p.read_bytes()
    assert write_gpkg(tmp_path / "t.gpkg", {"a": g}).read_bytes() == b1


def test_kde_geotiff_carries_band_unit(tmp_path):
    from geoairplan.hotspots import emissions as em

    s = em.prepare_sources(pd.DataFrame({"C_NO": ["A", "B"], "UTM_E": [200000.0, 203000.0],
                                         "UTM_N": [2620000.0, 2621000.0], "NOX_EMI": [5.0, 2.0]}),
                           source="t.csv")
    k = em.kde_surface(s, "nox", bandwidth=1500, resolution=500)
    p = k.to_geotiff(tmp_path / "kde.tif", variance=False)
    with rasterio.open(p) as src:
        assert src.units[0] == "t/yr/km2"
        assert src.descriptions[0]
    assert pytest.approx(float(k.values.max())) == float(rasterio.open(p).read(1).max())
