"""Building web maps: the page (:func:`web_map`) and its layers, legends, colour bars, rasters and time slider."""

from __future__ import annotations

import base64
import io
import json
import math
import re
from typing import Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import Fullscreen
from PIL import Image

from geoairplan.errors import InputError
from geoairplan.io.crs import to_display
from geoairplan.maps import style
from geoairplan.maps.basemap import _context_counties, _county_key, township_base
from geoairplan.maps.elements import (
    _Chrome,
    _Control,
    _Exclusive,
    _GeoLayer,
    _ImageLayer,
    _Readout,
    _Slider,
    _state,
)
from geoairplan.maps.escape import (
    PRECISION,
    _esc,
    _fc,
    _round_geoms,
    _rows_html,
    _tip_html,
)

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"


LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"


_TILES = ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
          '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
          '&copy; <a href="https://carto.com/attributions">CARTO</a>')


def _display(gdf, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}",
                         fix="build one with geopandas (gpd.GeoDataFrame(df, geometry=..., crs=...))")
    return to_display(gdf)


def _check_cols(gdf, cols, what):
    if cols is None:
        return
    cols = [cols] if isinstance(cols, str) else list(cols)
    missing = [c for c in cols if c not in gdf.columns]
    if missing:
        raise InputError(f"{what}: no column(s) {', '.join(map(repr, missing))}",
                         fix="use one of " + ", ".join(map(str, gdf.columns)))


def _resolve_colors(values: pd.Series, color_map: Mapping | None) -> list[str]:
    """Colours for a column: explicit map, level codes, numbers (sequential) or categories."""
    vals = list(values)
    if color_map is not None:
        default = color_map.get("__default__", style.NODATA_COLOR)
        return [color_map.get(v, default) for v in vals]
    strs = [str(v) for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if strs and all(re.fullmatch(r"#[0-9a-fA-F]{6}", s) for s in strs):
        return [str(v) if isinstance(v, str) else style.NODATA_COLOR for v in vals]
    if strs and all(s in style.LEVEL_COLORS or s in style.LEVEL_LABELS["zh"].values() for s in strs):
        return [style.level_color(v) if isinstance(v, str) else style.NODATA_COLOR for v in vals]
    if pd.api.types.is_numeric_dtype(values):
        return style.sequential_colors(values.astype(float), "concentration")
    cmap = style.categorical_colors(vals)
    return [cmap.get(v, style.NODATA_COLOR) for v in vals]


class _StyleTable:
    """Distinct Leaflet style dicts, referenced by index from features (keeps HTML small)."""

    def __init__(self):
        self.items: list[dict] = []
        self._idx: dict[str, int] = {}

    def __call__(self, d: dict) -> int:
        key = json.dumps(d, sort_keys=True)
        if key not in self._idx:
            self._idx[key] = len(self.items)
            self.items.append(d)
        return self._idx[key]


def web_map(title: str, *, source: str, county=None, bounds=None, offline: bool = False,
            basemap: bool = True, townships: bool = True, tooltip_lang: str = "zh") -> folium.Map:
    """A Folium map with geoairplan's chrome.

    Parameters
    ----------
    title:
        Shown at the top of the map and as the page title (escaped).
    source:
        Source and date note shown at the bottom left (escaped), e.g.
        ``"資料來源：環境部測站清單（2024-05）"``.
    county:
        A county name or a list of them: the map fits them and draws their
        townships (with name tooltips) and county outlines as base layers.
    bounds:
        ``(west, south, east, north)`` in degrees, instead of (or with) ``county``:
        the map fits these bounds and draws the townships of every county
        they touch.
    offline:
        No tile layer; :func:`save_map` inlines every script and stylesheet.
    basemap:
        Add a light tile layer (CARTO/OSM) when online.
    townships:
        Draw the township base layer (and county outlines).
    """
    if not title:
        raise InputError("a map needs a title", fix="pass title='...'")
    if county is None and bounds is None:
        raise InputError("web_map needs a county or bounds", fix="pass county='屏東縣' or bounds=(w, s, e, n)")
    base = township_base(county, bounds) if (county is not None or bounds is not None) else None
    if county is not None and bounds is None:
        keys = _county_key(county)
        sel = base[base["COUNTYNAME"].isin(keys)]
        w, s, e, n = sel.total_bounds
    else:
        w, s, e, n = bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None, control_scale=False,
                   prefer_canvas=False, zoom_snap=0.25)
    m.options.update({"max_zoom": 18, "min_zoom": 6})  # folium passes these to tiles only
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    m._geoairplan = {"offline": bool(offline), "title": title, "source": source, "n_townships": 0}
    if not offline and basemap:
        folium.TileLayer(_TILES[0], attr=_TILES[1], name="底圖 Basemap (CARTO)", max_zoom=19,
                         subdomains="abcd", overlay=False, control=False).add_to(m)
    m.add_child(_Chrome(f"{_esc(title)}", f"{_esc(source)}"), name="gap_chrome")
    Fullscreen(position="topleft", title="全螢幕 Full screen", title_cancel="離開全螢幕 Exit full screen",
               force_separate_button=True).add_to(m)
    folium.map.CustomPane("context", z_index=300, pointer_events=False).add_to(m)
    folium.map.CustomPane("townships", z_index=350, pointer_events=True).add_to(m)
    folium.map.CustomPane("outlines", z_index=450, pointer_events=False).add_to(m)
    if townships and base is not None:
        shown = base if county is None or bounds is not None else base[base["COUNTYNAME"].isin(_county_key(county))]
        _add_context_layer(m, (w, s, e, n), tuple(sorted(set(shown["COUNTYNAME"]))),
                           filled=offline or not basemap)
        _add_township_layer(m, shown.reset_index(drop=True), lang=tooltip_lang,
                            fill_opacity=0.85 if (offline or not basemap) else 0.35)
    m.fit_bounds([[float(s), float(w)], [float(n), float(e)]], padding=(10, 10))
    return m


def _add_context_layer(m, bbox, exclude: tuple[str, ...], *, filled: bool) -> None:
    """Neighbouring counties, coarse (200 m, 3 decimals): land/sea context, the base map when offline."""
    w, s, e, n = bbox
    c = _context_counties()
    c = c[c.intersects(shapely.box(w - 0.3, s - 0.3, e + 0.3, n + 0.3)) & ~c["COUNTYNAME"].isin(exclude)]
    if not len(c):
        return
    st = _StyleTable()
    s0 = st({"color": "#9a9a9a", "weight": 0.6, "fill": filled, "fillColor": "#ebe7df", "fillOpacity": 1,
             "opacity": 0.8})
    props = [{"s": s0} for _ in range(len(c))]
    data = _fc(c.geometry.values, props)
    m.add_child(_GeoLayer(data, {"styles": st.items, "pane": "context", "interactive": False},
                          name="鄰近縣市 Neighbouring counties", control=False), name="gap_context")


def _add_township_layer(m, towns: gpd.GeoDataFrame, lang: str = "zh", fill_opacity: float = 0.35) -> None:
    st = _StyleTable()
    s0 = st({"color": "#555555", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": fill_opacity,
             "opacity": 0.9})
    props = []
    for _, r in towns.iterrows():
        tip = f"{_esc(r['TOWNNAME'])}<br><small>{_esc(r['COUNTYNAME'])}"
        if lang != "zh" and "TOWNENG" in towns.columns:
            tip += f" · {_esc(r['TOWNENG'])}"
        props.append({"s": s0, "t": tip + "</small>", "n": str(r["TOWNNAME"]), "c": str(r["COUNTYNAME"])})
    data = _fc(towns.geometry.values, props)
    opts = {"styles": st.items, "pane": "townships", "towns": True,
            "hl": {"weight": 2.5, "color": "#222222", "fillOpacity": 0.5}}
    layer = _GeoLayer(data, opts, name="鄉鎮市區 Townships")
    m.add_child(layer, name="gap_townships")
    # county outlines (non-interactive) over everything drawn as polygons
    outlines = []
    for cname, grp in towns.groupby("COUNTYNAME", sort=True):
        u = shapely.coverage_union_all(grp.geometry.values)
        outlines.append(_round_geoms([u.boundary])[0])
    st2 = _StyleTable()
    s1 = st2({"color": "#222222", "weight": 2, "opacity": 0.9, "fill": False})
    odata = _fc(outlines, [{"s": s1} for _ in outlines])
    m.add_child(_GeoLayer(odata, {"styles": st2.items, "pane": "outlines", "interactive": False},
                          name="縣市界 County outlines"), name="gap_outlines")
    m._geoairplan["n_townships"] = len(data["features"])


def _props_for(gdf: gpd.GeoDataFrame, *, tooltip_cols, popup_cols, aliases) -> list[dict]:
    props = []
    for rec in gdf.drop(columns=gdf.geometry.name).to_dict("records"):
        p = {}
        t = _tip_html(rec, tooltip_cols, aliases)
        if t is not None:
            p["t"] = t
        if popup_cols:
            p["p"] = _rows_html(rec, popup_cols, aliases)
        props.append(p)
    return props


def add_polygons(m, gdf: gpd.GeoDataFrame, *, name: str, color: str | None = None,
                 color_col: str | None = None, color_map: Mapping | None = None, fill_opacity: float = 0.5,
                 tooltip_cols=None, popup_cols=None, aliases: Mapping[str, str] | None = None,
                 highlight_col: str | None = None, show: bool = True, weight: float = 1.0,
                 line_color: str | None = None, precision: int = PRECISION):
    """Polygons (or lines) coloured by one colour or by a column.

    ``color_col`` values are coloured by ``color_map`` (value → colour, with an
    optional ``"__default__"``) if given, else as warning-level codes when every
    value is one (``L1`` … ``S3``, ``none``, ``insufficient``), as ``#rrggbb``
    colours when they are, sequentially when numeric, else categorically
    (:func:`style.categorical_colors`). ``tooltip_cols`` (a column or a list)
    and ``popup_cols`` (a list) show escaped values, labelled by ``aliases``.
    Rows whose ``highlight_col`` is true get a thick dark outline.
    Returns the layer.
    """
    g = _display(gdf, f"layer {name!r}")
    _check_cols(g, [c for c in (color_col, highlight_col) if c], f"layer {name!r}")
    _check_cols(g, tooltip_cols, f"layer {name!r} tooltip")
    _check_cols(g, popup_cols, f"layer {name!r} popup")
    if color_col is not None:
        fills = _resolve_colors(g[color_col], color_map)
    else:
        fills = [color or "#3388ff"] * len(g)
    hi = g[highlight_col].fillna(False).astype(bool).tolist() if highlight_col else [False] * len(g)
    st = _StyleTable()
    props = _props_for(g, tooltip_cols=tooltip_cols, popup_cols=popup_cols, aliases=aliases)
    lines_only = bool(len(g)) and all(t in ("LineString", "MultiLineString") for t in g.geom_type)
    for p, f, h in zip(props, fills, hi):
        if lines_only:
            s = {"color": f, "weight": weight * (2.5 if h else 1) + 1, "opacity": 0.9}
        else:
            s = {"color": "#111111" if h else (line_color or f), "weight": 3 if h else weight,
                 "fillColor": f, "fillOpacity": fill_opacity, "opacity": 0.9}
        p["s"] = st(s)
    geoms = _round_geoms(g.geometry.values, precision)
    data = _fc(geoms, props)
    opts = {"styles": st.items}
    if tooltip_cols or popup_cols:
        opts["hl"] = {"weight": 3, "color": "#000000"}
    layer = _GeoLayer(data, opts, name=name, show=show)
    m.add_child(layer)
    return layer


def add_lines(m, gdf, *, name: str, color: str = "#333333", weight: float = 2.0, **kw):
    """Lines (roads, wind arrows, boundaries) with one colour or ``color_col``; see :func:`add_polygons`."""
    return add_polygons(m, gdf, name=name, color=color, weight=weight, **kw)


def add_points(m, gdf: gpd.GeoDataFrame, *, name: str, popup_cols=None, tooltip_col=None,
               color: str = "#333333", radius: float = 6, cluster: bool | str = False, show: bool = True,
               color_col: str | None = None, color_map: Mapping | None = None,
               aliases: Mapping[str, str] | None = None, fill_opacity: float = 0.9,
               outline: str = "#ffffff"):
    """Points as circle markers; ``cluster=True`` (or ``"auto"``: when more than 100) groups them.

    ``tooltip_col`` is a column (or list) shown on hover; ``popup_cols`` the
    columns of the click popup (escaped, labelled by ``aliases``). Colour is
    ``color`` or, per row, ``color_col`` (resolved as in :func:`add_polygons`).
    """
    g = _display(gdf, f"layer {name!r}")
    if len(g) and not all(t == "Point" for t in g.geom_type):
        g = g.copy()
        g["geometry"] = g.geometry.representative_point()
    _check_cols(g, tooltip_col, f"layer {name!r} tooltip")
    _check_cols(g, popup_cols, f"layer {name!r} popup")
    _check_cols(g, color_col, f"layer {name!r}")
    fills = _resolve_colors(g[color_col], color_map) if color_col else [color] * len(g)
    st = _StyleTable()
    props = _props_for(g, tooltip_cols=tooltip_col, popup_cols=popup_cols, aliases=aliases)
    for p, f in zip(props, fills):
        p["s"] = st({"radius": radius, "color": outline, "weight": 1.5, "fillColor": f,
                     "fillOpacity": fill_opacity, "opacity": 1})
    data = _fc(_round_geoms(g.geometry.values, PRECISION), props)
    do_cluster = (len(g) > 100) if cluster == "auto" else bool(cluster)
    opts = {"styles": st.items, "points": True}
    if do_cluster:
        opts["cluster"] = {"showCoverageOnHover": False, "maxClusterRadius": 40,
                           "disableClusteringAtZoom": 15}
    layer = _GeoLayer(data, opts, name=name, show=show, cluster=do_cluster)
    m.add_child(layer)
    return layer


def _swatch_css(item, shape: str) -> str:
    """CSS of a legend swatch: ``(label, colour[, style])``; style as in ``static.add_static_legend``."""
    c = _esc(item[1])
    st = item[2] if len(item) > 2 and item[2] else {}
    kind = st.get("kind", "point" if shape == "circle" else "patch")
    if st.get("hatch"):
        e = _esc(st.get("edgecolor", "#111111"))
        css = f"background:repeating-linear-gradient(135deg,{e} 0 1.5px,{c} 1.5px 4px)"
    else:
        css = f"background:{c}"
    if kind == "point":
        css += ";clip-path:polygon(50% 0,100% 100%,0 100%)" if st.get("marker") == "^" else ";border-radius:50%"
    return css


def _legend_html(items: Sequence[tuple[str, str]], title: str, *, shape: str = "box") -> str:
    lis = "".join(f'<li><i style="{_swatch_css(it, shape)}"></i>{_esc(it[0])}</li>' for it in items)
    return f'<details open><summary>{_esc(title)}</summary><ul>{lis}</ul></details>'


def add_legend(m, items: Sequence[tuple[str, str]], title: str, *, position: str = "bottomright",
               shape: str = "box"):
    """A categorical legend ``[(label, colour), ...]``; collapsible, folded on small screens."""
    _state(m)
    ctrl = _Control(_legend_html(items, title, shape=shape), position=position)
    m.add_child(ctrl)
    return ctrl


def add_level_legend(m, title: str = "預警等級 Warning level", *, include=style.LEVEL_CODES,
                     lang: str = "zh", position: str = "bottomright"):
    """The warning-level legend (codes, Chinese names; ``lang="both"`` adds English)."""
    return add_legend(m, style.level_legend_items(include, lang=lang), title, position=position)


def add_aqi_legend(m, title: str = "AQI 空氣品質指標", *, lang: str = "zh", position: str = "bottomright"):
    """The AQI class legend in MOENV colours."""
    return add_legend(m, style.aqi_legend_items(lang), title, position=position)


def add_colorbar(m, scheme: str, vmin: float, vmax: float, caption: str, *, position: str = "bottomright",
                 log: bool = False):
    """A sequential colour bar (CSS gradient; no script, works offline) with ``vmin``/``vmax`` ticks."""
    _state(m)
    stops = style.sequential_colors(np.linspace(0, 1, 9), scheme, 0, 1)
    grad = ",".join(stops)

    def fmt(v):
        return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"

    mid = (10 ** ((math.log10(max(vmin, 1e-12)) + math.log10(vmax)) / 2)) if log else (vmin + vmax) / 2
    inner = (f'<details open><summary>{_esc(caption)}</summary>'
             f'<div class="gap-bar" style="background:linear-gradient(to right,{grad})"></div>'
             f'<div class="gap-ticks"><span>{_esc(fmt(vmin))}</span><span>{_esc(fmt(mid))}</span>'
             f'<span>{_esc(fmt(vmax))}</span></div></details>')
    ctrl = _Control(inner, position=position)
    m.add_child(ctrl)
    return ctrl


def raster_png(array, scheme: str, vmin: float, vmax: float, *, log: bool = False) -> bytes:
    """An RGBA PNG of a 2-D array on a sequential scheme (NaN transparent), deterministic bytes."""
    a = np.asarray(array, dtype=float)
    if a.ndim != 2:
        raise InputError(f"a raster must be 2-D, got shape {a.shape}")
    cmap = style.sequential_cmap(scheme)
    t, _ = style._norm(a, vmin, vmax, log)
    rgba = (cmap(np.where(np.isfinite(a), t, np.nan)) * 255).round().astype(np.uint8)
    rgba[~np.isfinite(a)] = 0
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def class_png(array, breaks: Sequence[float], colors: Sequence[str]) -> bytes:
    """An RGBA PNG of a 2-D array painted on classes (:func:`geoairplan.maps.style.class_rgba`), NaN
    transparent, deterministic bytes."""
    a = np.asarray(array, dtype=float)
    if a.ndim != 2:
        raise InputError(f"a raster must be 2-D, got shape {a.shape}")
    buf = io.BytesIO()
    Image.fromarray(style.class_rgba(a, breaks, colors), "RGBA").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def add_raster(m, array, bounds_4326, *, scheme: str = "concentration", vmin: float | None = None,
               vmax: float | None = None, name: str, opacity: float = 0.7, show: bool = True,
               log: bool = False, classes=None):
    """A raster surface as an image overlay (PNG embedded as base64, so it works offline).

    ``array`` rows run north → south; NaN is transparent; ``bounds_4326`` is
    ``(west, south, east, north)`` in degrees of the array's outer edges.
    ``classes=(breaks, colours)`` paints classes (e.g. the regulation's levels,
    :func:`geoairplan.maps.style.level_classes`) instead of the sequential ``scheme``.
    """
    a = np.asarray(array, dtype=float)
    if classes is not None:
        w, s, e, n = (float(v) for v in bounds_4326)
        url = "data:image/png;base64," + base64.b64encode(class_png(a, *classes)).decode()
        layer = _ImageLayer(url, [[s, w], [n, e]], name=name, opacity=opacity, show=show)
        m.add_child(layer)
        return layer
    if vmin is None:
        vmin = float(np.nanmin(a))
    if vmax is None:
        vmax = float(np.nanmax(a))
    w, s, e, n = (float(v) for v in bounds_4326)
    if not (w < e and s < n and -180 <= w <= 180 and -90 <= s <= 90):
        raise InputError(f"raster bounds {bounds_4326!r} are not (west, south, east, north) in degrees",
                         fix="reproject the raster's bounds to EPSG:4326 first")
    url = "data:image/png;base64," + base64.b64encode(raster_png(a, scheme, vmin, vmax, log=log)).decode()
    layer = _ImageLayer(url, [[s, w], [n, e]], name=name, opacity=opacity, show=show)
    m.add_child(layer)
    return layer


def _encode_grid(a: np.ndarray, decimals: int) -> dict:
    """A grid as little-endian uint16 steps of ``10**-decimals`` from its minimum (65535 = no value), base64."""
    a = np.asarray(a, dtype=float)
    ok = np.isfinite(a)
    lo = float(np.nanmin(a)) if ok.any() else 0.0
    hi = float(np.nanmax(a)) if ok.any() else 0.0
    step = 10.0 ** -decimals
    while (hi - lo) / step > 65534:
        step *= 10
    q = np.full(a.shape, 65535, dtype="<u2")
    q[ok] = np.round((a[ok] - lo) / step).astype("<u2")
    return {"lo": round(lo, 10), "step": step, "d": max(0, -int(round(math.log10(step)))),
            "b64": base64.b64encode(q.tobytes()).decode()}


def add_value_readout(m, grids: Sequence[tuple[str, np.ndarray]], bounds_4326, *, unit: str = "",
                      decimals: int = 1, max_cells: int = 120_000):
    """Click the map → the values of ``grids`` at that point (e.g. the surface and its kriging standard error).

    Parameters
    ----------
    m : folium.Map
        A map from :func:`web_map`.
    grids : sequence of (label, array)
        Arrays of one shape on the Web-Mercator grid :func:`geoairplan.maps.surfaces.raster_to_web`
        returns (rows north → south); NaN means no value.
    bounds_4326 : tuple
        ``(west, south, east, north)`` in degrees of the arrays' outer edges.
    unit : str
        Unit shown after every value (as people read it, e.g. ``µg/m³``).
    decimals : int
        Values are stored and shown to this many decimals (uint16 steps, base64 in the page).
    max_cells : int
        Larger grids are thinned (every 2nd, 3rd … cell) to keep the page small.

    Returns
    -------
    The readout element.
    """
    _state(m)
    arrs = [np.asarray(a, dtype=float) for _, a in grids]
    if not arrs or any(a.shape != arrs[0].shape or a.ndim != 2 for a in arrs):
        raise InputError("value readout: the grids must be 2-D arrays of one shape",
                         fix="pass the arrays raster_to_web returns for one surface")
    k = 1
    while arrs[0][::k, ::k].size > max_cells:
        k += 1
    rows, cols = arrs[0].shape
    data = {"bounds": [float(v) for v in bounds_4326], "rows": rows, "cols": cols, "k": k,
            "unit": _esc(unit),
            "grids": [{"label": _esc(lab), **_encode_grid(a[::k, ::k], decimals)} for (lab, _), a in zip(grids, arrs)]}
    el = _Readout(data)
    m.add_child(el)
    return el


def add_time_slider(m, gdf: gpd.GeoDataFrame, *, time_col: str, color_col: str, name: str,
                    tooltip_cols=None, id_col: str | None = None, color_map: Mapping | None = None,
                    aliases: Mapping[str, str] | None = None, fill_opacity: float = 0.65,
                    time_format: str = "%Y-%m-%d %H:%M", show: bool = True, ms: int = 700,
                    start=None, follow=None, radius: float = 7, outline: str = "#000000"):
    """Polygons whose colour changes with time, one geometry per feature, a slider to play the hours.

    ``gdf`` is long: one row per (feature, time). Features are identified by
    ``id_col`` (default: identical geometry). ``color_col`` holds level codes,
    ``#rrggbb`` colours or values mapped by ``color_map``; a feature without a
    row for some time is drawn as ``insufficient`` (grey). The page holds each
    geometry once plus a style index per hour, and a small slider control
    (plain Leaflet + JS, works offline).

    Points are drawn as circle markers (``radius``, ``outline``) that change
    colour and tooltip with the hour, like the polygons.

    ``start`` is the hour (a value of ``time_col``) the map opens at (default
    the first). ``follow`` is a layer returned by an earlier call: this layer
    then has no slider of its own and shows the hour of that layer's slider
    (its times must be among the leader's), so station dots and zones always
    show the same hour.
    """
    g = _display(gdf, f"layer {name!r}")
    _check_cols(g, [time_col, color_col] + ([id_col] if id_col else []), f"layer {name!r}")
    _check_cols(g, tooltip_cols, f"layer {name!r} tooltip")
    g = g.copy()
    g["_c"] = _resolve_colors(g[color_col], color_map)
    key = g[id_col].astype(str) if id_col else pd.Series(shapely.to_wkb(g.geometry.values), index=g.index)
    g["_k"] = key
    if follow is not None:
        times = list(getattr(follow, "_gap_times", ()))
        if not times:
            raise InputError(f"layer {name!r}: follow= must be a layer made by add_time_slider",
                             fix="pass the layer add_time_slider returned for the leading slider")
        extra = set(pd.unique(g[time_col])) - set(times)
        if extra:
            raise InputError(f"layer {name!r}: {len(extra)} time(s) not on the leading slider, "
                             f"e.g. {sorted(extra)[0]}", fix="give rows only for the leading layer's hours")
    else:
        times = sorted(pd.unique(g[time_col]))
    if not times:
        raise InputError(f"layer {name!r}: no rows", fix="give one row per (feature, time)")
    points = bool(len(g)) and all(t == "Point" for t in g.geom_type)
    if start is None:
        k0 = 0
    else:
        k0 = next((i for i, t in enumerate(times) if t == start), None)
        if k0 is None:
            raise InputError(f"layer {name!r}: start={start!r} is not one of the layer's times",
                             fix=f"use one of the values of {time_col!r}")
    tlabels = []
    for t in times:
        ts = pd.Timestamp(t) if not isinstance(t, str) else None
        tlabels.append(_esc(ts.strftime(time_format) if ts is not None else t))
    tindex = {t: i for i, t in enumerate(times)}
    st = _StyleTable()
    tips = _StyleTable()

    def sty(fill):
        if points:
            return st({"radius": radius, "color": outline, "weight": 1.5, "fillColor": fill,
                       "fillOpacity": fill_opacity, "opacity": 1})
        return st({"color": "#555555", "weight": 1, "fillColor": fill, "fillOpacity": fill_opacity,
                   "opacity": 0.9})

    miss = sty(style.NODATA_COLOR)
    feats_geom, feats_props = [], []
    for k, grp in g.groupby("_k", sort=False):
        c = [miss] * len(times)
        tt = [None] * len(times)
        for _, r in grp.iterrows():
            i = tindex[r[time_col]]
            c[i] = sty(r["_c"])
            if tooltip_cols is not None:
                tt[i] = tips({"h": _tip_html(r.to_dict(), tooltip_cols, aliases)})
        p = {"s": c[k0], "c": c}
        if tooltip_cols is not None:
            empty = tips({"h": ""})
            tt = [empty if v is None else v for v in tt]
            p["tt"] = tt
            p["t"] = tt[k0]
        feats_geom.append(grp.geometry.iloc[0])
        feats_props.append(p)
    data = _fc(_round_geoms(feats_geom, PRECISION), feats_props)
    tip_list = [d["h"] for d in tips.items]
    opts = {"styles": st.items}
    if points:
        opts["points"] = True
    if tooltip_cols is not None:
        opts["tips"] = tip_list
    layer = _GeoLayer(data, opts, name=name, show=show)
    layer._gap_times = list(times)
    m.add_child(layer)
    # the tooltips travel once, with the layer (GAP.layer keeps them for the slider)
    sopts = {"styles": st.items, "times": tlabels, "title": _esc(name), "ms": int(ms), "start": int(k0)}
    m.add_child(_Slider(layer, sopts, follow=follow))
    return layer


def add_exclusive_layers(m, themes, *, title: str = "主題圖層 Thematic layer", selected: int = 0,
                         position: str = "bottomleft"):
    """Thematic layers shown one at a time (radio buttons), the legend following the one shown.

    Layers that fill the same area (an emission choropleth, Gi* bins, a kernel density) hide or
    blend each other when shown together; here the reader picks one and sees its legend only.

    Parameters
    ----------
    m : folium.Map
        A map made by :func:`web_map`.
    themes : sequence of (label, layers, legends)
        ``label`` (escaped here), the layers of the theme (a layer or a list) and the legend
        controls that explain it (from :func:`add_legend`, :func:`add_colorbar`, …; a legend may
        belong to several themes). Layers listed here leave the checkbox layer control.
    title : str
        Title of the radio group (escaped).
    selected : int
        The theme shown when the page opens.
    position : str
        Leaflet corner of the radio group.

    Returns
    -------
    The radio-group element.
    """
    _state(m)
    themes = list(themes)
    if not themes:
        raise InputError("add_exclusive_layers needs at least one theme", fix="pass [(label, layers, legends), ...]")
    if not 0 <= selected < len(themes):
        raise InputError(f"selected={selected} is not one of the {len(themes)} themes",
                         fix=f"use 0 … {len(themes) - 1}")
    items = []
    for label, lays, ctrls in themes:
        lays = [lays] if not isinstance(lays, (list, tuple)) else list(lays)
        ctrls = [ctrls] if ctrls is not None and not isinstance(ctrls, (list, tuple)) else list(ctrls or [])
        for lay in lays:
            lay.control = False
            lay.show = True  # the radio group adds and removes it
        items.append((lays, ctrls, _esc(label)))
    st = _state(m)
    st["n_exclusive"] = st.get("n_exclusive", 0) + 1
    el = _Exclusive(items, {"title": _esc(title), "selected": int(selected), "position": position,
                            "id": f"gap-theme-{st['n_exclusive']}"})
    m.add_child(el)
    return el
