"""Web map kit: escaping, determinism, offline, size budget, topology of simplified townships."""

import base64
import io
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoairplan import datasets
from geoairplan.errors import InputError
from geoairplan.maps import style, web

EVIL = "<script>alert(1)</script> & co"


def _pingtung_map(offline=False, evil=EVIL):
    towns = datasets.load_townships("屏東縣")
    towns["level"] = [style.LEVEL_CODES[i % 7] for i in range(len(towns))]
    towns.loc[0, "TOWNNAME"] = evil
    m = web.web_map(f"屏東縣 測試 {evil}", source=f"資料來源 {evil}", county="屏東縣", offline=offline)
    web.add_polygons(m, towns, name=f"等級 {evil}", color_col="level", tooltip_cols=["TOWNNAME", "level"],
                     popup_cols=["TOWNNAME", "level"], aliases={"TOWNNAME": "鄉鎮"})
    web.add_level_legend(m)
    web.add_legend(m, [(evil, "#ff0000")], evil)
    return m


def test_every_text_from_a_file_is_escaped(tmp_path):
    info = web.save_map(_pingtung_map(), tmp_path / "m.html")
    text = info["path"].read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert "alert(1)</script>" not in text and "alert(1)<\\/script>" not in text
    # escaped in popups/tooltips, legend, title, source and layer control
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") >= 5
    assert "<title>屏東縣 測試 &lt;script&gt;" in text
    embed = info["embed"].read_text(encoding="utf-8")
    assert "<iframe" in embed and 'src="m.html"' in embed and "<script>alert" not in embed


def test_two_builds_save_byte_identical(tmp_path):
    a = web.save_map(_pingtung_map(), tmp_path / "a.html")
    b = web.save_map(_pingtung_map(), tmp_path / "b.html")
    da, db = a["path"].read_bytes(), b["path"].read_bytes()
    assert da == db
    # folium's random uuid4 ids are gone
    assert not re.search(rb"[0-9a-f]{32}", da)
    # saving the same map twice also gives the same bytes (render leaves the map unchanged)
    m = _pingtung_map()
    web.save_map(m, tmp_path / "c1.html")
    web.save_map(m, tmp_path / "c2.html")
    assert (tmp_path / "c1.html").read_bytes() == (tmp_path / "c2.html").read_bytes() == da


def test_offline_page_has_no_external_resource(tmp_path):
    m = _pingtung_map()
    towns = datasets.load_townships("屏東縣").head(120)
    web.add_points(m, towns.set_geometry(towns.representative_point()), name="pts", cluster=True,
                   tooltip_col="TOWNNAME")
    on = web.save_map(m, tmp_path / "on.html")
    off = web.save_map(m, tmp_path / "off.html", offline=True)
    assert off["offline"] and not on["offline"]
    t_on = on["path"].read_text(encoding="utf-8")
    t_off = off["path"].read_text(encoding="utf-8")
    assert 'src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"' in t_on
    assert "markercluster" in t_on and "basemaps.cartocdn.com" in t_on
    # nothing loaded from elsewhere: no src=, no stylesheet link, no tile template, no CSS url(http
    assert not re.search(r'<script[^>]+src=', t_off)
    assert not re.search(r'<link[^>]+href=', t_off)
    assert "cartocdn" not in t_off and "tileLayer(" not in t_off
    assert not re.search(r"url\(\s*['\"]?https?:", t_off)
    assert not re.search(r"@import", t_off)
    assert "L.markerClusterGroup=" in t_off.replace(" ", "")  # the plugin is inlined
    # no bootstrap / jquery / font-awesome in either mode
    for t in (t_on, t_off):
        assert "bootstrap" not in t.lower() and "jquery" not in t.lower() and "fontawesome" not in t.lower()
    # a map made offline is saved offline even without the flag
    m2 = _pingtung_map(offline=True)
    assert web.save_map(m2, tmp_path / "off2.html")["offline"]


def test_county_map_size_budget(tmp_path):
    from geoairplan.maps.overview import county_map

    for offline in (False, True):
        info = web.save_map(county_map("屏東縣", offline=offline), tmp_path / f"p{offline}.html")
        assert info["bytes"] < 2_000_000, info
    # coordinates are written with at most 5 decimals
    text = (tmp_path / "pFalse.html").read_text(encoding="utf-8")
    assert not re.search(r"\[1[12]\d\.\d{6,},", text)


def test_simplified_townships_still_tile():
    raw = datasets.load_townships("屏東縣").to_crs(3826)
    simp = web.township_base("屏東縣").to_crs(3826)
    assert len(simp) == len(raw) == 33
    assert shapely.get_num_coordinates(simp.geometry.values).sum() < \
        0.9 * shapely.get_num_coordinates(raw.geometry.values).sum()
    u_raw = shapely.union_all(raw.geometry.values).area
    u_simp = shapely.union_all(simp.geometry.values).area
    assert abs(u_simp - u_raw) / u_raw < 0.005
    # no overlaps: the parts add up to the union (a gap-free tiling keeps the outline area too)
    overlap = simp.area.sum() - u_simp
    assert overlap / u_simp < 1e-4
    # neighbours still share their edges
    i, j = (simp.TOWNNAME == "屏東市").idxmax(), (simp.TOWNNAME == "麟洛鄉").idxmax()
    shared = simp.geometry[i].intersection(simp.geometry[j])
    assert shared.length > 1000


def test_inputs_in_any_crs_land_in_the_same_place(tmp_path):
    towns = datasets.load_townships("屏東縣").head(3)
    m1 = web.web_map("t", source="s", county="屏東縣")
    web.add_polygons(m1, towns, name="a")
    m2 = web.web_map("t", source="s", county="屏東縣")
    web.add_polygons(m2, towns.to_crs(3826), name="a")
    assert web.render_html(m1) == web.render_html(m2)
    with pytest.raises(InputError):
        web.add_polygons(m1, towns.set_crs(None, allow_override=True), name="x")
    with pytest.raises(InputError, match="no column"):
        web.add_polygons(m1, towns, name="x", color_col="nope")


def test_colour_resolution():
    r = web._resolve_colors
    assert r(pd.Series(["L1", "S3", "none"]), None) == [style.level_color(c) for c in ("L1", "S3", "none")]
    assert r(pd.Series(["#123456"]), None) == ["#123456"]
    assert r(pd.Series(["a", "b", "a"]), None)[0] == style.categorical_colors(["a", "b"])["a"]
    assert r(pd.Series([0.0, 1.0]), None) == style.sequential_colors([0.0, 1.0], "concentration")
    assert r(pd.Series(["x", "y"]), {"x": "#000000"}) == ["#000000", style.NODATA_COLOR]


def test_raster_png_transparent_nodata_and_orientation():
    from PIL import Image

    a = np.array([[0.0, np.nan], [10.0, 5.0]])
    png = web.raster_png(a, "concentration", 0, 10)
    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert im.shape == (2, 2, 4)
    assert im[0, 1, 3] == 0 and im[0, 0, 3] == 255
    cmap = style.sequential_cmap("concentration")
    assert tuple(im[1, 0, :3]) == tuple(int(round(v * 255)) for v in cmap(1.0)[:3])  # row 1 = south
    m = web.web_map("t", source="s", county="屏東縣")
    web.add_raster(m, a, (120.4, 22.4, 120.6, 22.6), name="surface", vmin=0, vmax=10)
    html_text = web.render_html(m)
    assert "data:image/png;base64," + base64.b64encode(png).decode() in html_text
    assert "[[22.4, 120.4], [22.6, 120.6]]" in html_text
    with pytest.raises(InputError):
        web.add_raster(m, a, (250000, 2500000, 260000, 2510000), name="tm2 bounds")


def test_time_slider_holds_each_geometry_once():
    towns = datasets.load_townships("屏東縣").head(3)
    hours = pd.date_range("2024-01-15 08:00", periods=4, freq="h")
    rows = []
    for k, (_, t) in enumerate(towns.iterrows()):
        for h, ts in enumerate(hours):
            if k == 2 and h == 3:
                continue  # a missing hour -> insufficient grey
            rows.append({"TOWNNAME": t.TOWNNAME, "time": ts, "level": style.LEVEL_CODES[(k + h) % 7],
                         "geometry": t.geometry})
    g = gpd.GeoDataFrame(rows, crs=4326)
    m = web.web_map("episode", source="s", county="屏東縣")
    layer = web.add_time_slider(m, g, time_col="time", color_col="level", name="hours",
                                tooltip_cols=["TOWNNAME", "level"], id_col="TOWNNAME")
    data = json.loads(layer.data.replace("<\\/", "</"))
    opts = json.loads(layer.opts.replace("<\\/", "</"))
    assert len(data["features"]) == 3
    f0 = data["features"][0]["properties"]
    assert len(f0["c"]) == 4
    assert [opts["styles"][i]["fillColor"] for i in f0["c"]] == \
        [style.level_color(style.LEVEL_CODES[h % 7]) for h in range(4)]
    f2 = data["features"][2]["properties"]
    assert opts["styles"][f2["c"][3]]["fillColor"] == style.NODATA_COLOR
    html_text = web.render_html(m)
    assert html_text.count("GAP.slider(") == 1 and "2024-01-15 11:00" in html_text


def test_save_map_refuses_wrong_suffix(tmp_path):
    m = web.web_map("t", source="s", county="澎湖縣")
    with pytest.raises(InputError):
        web.save_map(m, tmp_path / "m.png")


def test_contour_polygons_cover_their_bands():
    from geoairplan.maps import surfaces

    # a cone: value = distance (km) from the centre of a 40 x 40 km grid in TM2
    n, cell = 40, 1000.0
    x0, y1 = 180_000.0, 2_520_000.0
    xs = x0 + cell * (np.arange(n) + 0.5)
    ys = y1 - cell * (np.arange(n) + 0.5)
    X, Y = np.meshgrid(xs, ys)
    cx, cy = x0 + 20_000, y1 - 20_000
    a = np.hypot(X - cx, Y - cy) / 1000
    a[0, 0] = np.nan
    g = surfaces.contour_polygons(a, (x0, x0 + n * cell, y1 - n * cell, y1), [0, 5, 10, 15])
    assert list(g.band) == ["0–5", "5–10", "10–15"]
    assert g.crs.to_epsg() == 3826
    # the inner band is (nearly) a disc of radius 5 km, the others annuli
    assert g.geometry[0].area == pytest.approx(np.pi * 5000 ** 2, rel=0.03)
    assert g.geometry[1].area == pytest.approx(np.pi * (10000 ** 2 - 5000 ** 2), rel=0.03)
    assert not g.geometry[1].contains(shapely.Point(cx, cy))
    cols = surfaces.band_colors([0, 5, 10, 15])
    assert list(cols) == list(g.band)
    warped, (w, s, e, n4) = surfaces.raster_to_web(a, (x0, x0 + n * cell, y1 - n * cell, y1))
    assert 120 < w < e < 121.5 and 22 < s < n4 < 23.5
    # the warped grid puts the cone's tip where the TM2 centre lands in degrees (within a cell)
    import pyproj
    lon_c, lat_c = pyproj.Transformer.from_crs(3826, 4326, always_xy=True).transform(cx, cy)
    merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    (mx0, my0), (mx1, my1) = merc.transform(w, s), merc.transform(e, n4)
    nrow, ncol = warped.shape
    r, c = np.unravel_index(np.nanargmin(warped), warped.shape)
    mx, my = mx0 + (c + 0.5) * (mx1 - mx0) / ncol, my1 - (r + 0.5) * (my1 - my0) / nrow
    lon, lat = merc.transform(mx, my, direction="INVERSE")
    d = pyproj.Geod(ellps="GRS80").inv(lon, lat, lon_c, lat_c)[2]
    assert d < 1.5 * cell, d
    m = web.web_map("t", source="s", county="屏東縣")
    web.add_polygons(m, g, name="bands", color_col="band", color_map=cols)
    assert cols["5–10"] in web.render_html(m)


def test_popup_numbers_are_rounded_for_people():
    from geoairplan.maps.escape import _esc

    assert _esc(15.0933) == "15.09" and _esc(563.626) == "563.6" and _esc(0.000123456) == "0.0001235"
    assert _esc(1607.96) == "1,608" and _esc(2508512.3) == "2,508,512"  # integer digits kept, never 2.5085e+06
    assert _esc(float("nan")) == "" and _esc(0.0) == "0"
