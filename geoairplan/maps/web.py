"""Interactive web maps (Folium + Leaflet) with geoairplan's colours, escaping and size budget.

Start with :func:`web_map`, add layers, save with :func:`save_map`::

    m = web_map("屏東縣 測站", source="MOENV 測站清單 2024", county="屏東縣")
    add_points(m, stations, name="測站 Stations", tooltip_col="name_zh", popup_cols=["name_zh", "county"])
    add_level_legend(m)
    save_map(m, "out/pingtung.html")          # + out/pingtung.embed.html (iframe snippet)

Rules every function here keeps:

* Inputs may be in any CRS; they are reprojected to EPSG:4326 here.
* Every text that can come from a file (names, addresses, column values,
  titles, layer names) is HTML-escaped before it reaches the page; popups and
  tooltips are built in Python from escaped strings, never by folium's
  unescaped templates.
* Geometry is written with 5 decimals (≈1 m); township base layers are
  simplified as a coverage (``shapely.coverage_simplify``) so they still tile.
* :func:`save_map` makes element ids deterministic (two saves are byte
  identical) and, with ``offline=True``, inlines Leaflet and its plugins from
  the installed ``folium-offline`` package so the page makes no request at all.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import itertools
import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import folium
import geopandas as gpd
from branca import element as be
from folium.plugins import Fullscreen
from offlinefolium.elements import _res as _offline_res
from PIL import Image
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from geoairplan.datasets import check_county, load_counties, load_townships
from geoairplan.errors import InputError
from geoairplan.io.crs import TM2, to_display
from geoairplan.maps import style

__all__ = ["web_map", "add_polygons", "add_points", "add_lines", "add_legend", "add_level_legend",
           "add_aqi_legend", "add_colorbar", "add_raster", "add_time_slider", "save_map",
           "township_base", "PRECISION", "LEAFLET_JS", "LEAFLET_CSS"]

#: Decimal places of written coordinates (5 ≈ 1 m).
PRECISION = 5
#: Tolerance (m) of the coverage simplification of township base layers.
TOWNSHIP_SIMPLIFY_M = 80.0

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_CLUSTER_JS = [("markerclusterjs",
                "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js")]
_CLUSTER_CSS = [("markerclustercss",
                 "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"),
                ("markerclusterdefaultcss",
                 "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css")]

_TILES = ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
          '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
          '&copy; <a href="https://carto.com/attributions">CARTO</a>')

# ---------------------------------------------------------------------------------------------
# helpers: escaping, JSON, geometry
# ---------------------------------------------------------------------------------------------


def _esc(value) -> str:
    """Text for HTML: ``None``/NaN → ``""``, numbers compact, everything escaped."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        value = f"{value:.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    elif isinstance(value, (np.floating,)):
        return _esc(float(value))
    elif isinstance(value, (pd.Timestamp,)):
        value = value.isoformat(sep=" ")
    elif value is pd.NA or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def _json(obj) -> str:
    """Compact JSON safe to put inside ``<script>`` (no ``</``, no U+2028/9)."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _round_geoms(geoms, precision: int = PRECISION):
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: np.round(c, precision))


def _geom_json(geom) -> dict | None:
    if geom is None or geom.is_empty:
        return None
    return shapely.geometry.mapping(geom)


def _fc(geoms, props: list[dict]) -> dict:
    feats = []
    for g, p in zip(geoms, props):
        gj = _geom_json(g)
        if gj is None:
            continue
        feats.append({"type": "Feature", "properties": p, "geometry": _to_lists(gj)})
    return {"type": "FeatureCollection", "features": feats}


def _to_lists(obj):
    if isinstance(obj, dict):
        return {k: _to_lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_lists(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return int(f) if f.is_integer() and abs(f) < 1e15 else f
    return obj


def _display(gdf, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}",
                         fix="build one with geopandas (gpd.GeoDataFrame(df, geometry=..., crs=...))")
    return to_display(gdf)


def _rows_html(row: Mapping, cols: Sequence[str], aliases: Mapping[str, str] | None) -> str:
    aliases = aliases or {}
    cells = "".join(f"<tr><th>{_esc(aliases.get(c, c))}</th><td>{_esc(row.get(c))}</td></tr>" for c in cols)
    return f'<table class="gap-pop">{cells}</table>'


def _tip_html(row: Mapping, cols: Sequence[str] | str | None, aliases: Mapping[str, str] | None) -> str | None:
    if cols is None:
        return None
    if isinstance(cols, str):
        return _esc(row.get(cols))
    if len(cols) == 1:
        return _esc(row.get(cols[0]))
    aliases = aliases or {}
    return "<br>".join(f"<b>{_esc(aliases.get(c, c))}</b> {_esc(row.get(c))}" for c in cols)


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


# ---------------------------------------------------------------------------------------------
# townships base layer
# ---------------------------------------------------------------------------------------------


def _county_key(county) -> tuple[str, ...]:
    if county is None:
        return ()
    if isinstance(county, str):
        return (check_county(county),)
    return tuple(sorted({check_county(c) for c in county}))


@lru_cache(maxsize=16)
def _simplified_townships(counties: tuple[str, ...], bounds: tuple | None,
                          tolerance_m: float = TOWNSHIP_SIMPLIFY_M) -> gpd.GeoDataFrame:
    towns = load_townships()
    if counties:
        towns = towns[towns["COUNTYNAME"].isin(counties)]
    # keep whole counties, so the coverage being simplified is closed where the map shows it
    if bounds is not None:
        w, s, e, n = bounds
        hit = towns.intersects(shapely.box(w, s, e, n))
        towns = towns[towns["COUNTYNAME"].isin(set(towns.loc[hit, "COUNTYNAME"]))]
    towns = towns.sort_values("TOWNCODE").reset_index(drop=True)
    return simplify_coverage(towns, tolerance_m)


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float = TOWNSHIP_SIMPLIFY_M,
                      precision: int = PRECISION) -> gpd.GeoDataFrame:
    """Simplify polygons that tile (townships) keeping shared edges shared; EPSG:4326 output.

    Uses :func:`shapely.coverage_simplify` in EPSG:3826 metres, then rounds
    coordinates to ``precision`` decimals (shared vertices round alike, so the
    result still tiles). Falls back to per-polygon topology-preserving
    simplification when the input is not a valid coverage.
    """
    tm = gdf.to_crs(TM2)
    geoms = tm.geometry.values
    if tolerance_m > 0:
        try:
            valid = bool(shapely.coverage_is_valid(geoms))
        except Exception:  # pragma: no cover - old GEOS
            valid = False
        if valid:
            simple = shapely.coverage_simplify(geoms, tolerance_m)
        else:
            simple = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    else:
        simple = geoms
    out = gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=gpd.GeoSeries(simple, crs=TM2).values,
                           crs=TM2).to_crs(4326)
    out["geometry"] = _round_geoms(out.geometry.values, precision)
    return out


def township_base(county=None, bounds=None, tolerance_m: float = TOWNSHIP_SIMPLIFY_M) -> gpd.GeoDataFrame:
    """The simplified townships (EPSG:4326) the base layer of a map draws: one or more counties,
    or every county touching ``bounds`` (west, south, east, north in degrees)."""
    b = tuple(round(float(v), 6) for v in bounds) if bounds is not None else None
    return _simplified_townships(_county_key(county), b, tolerance_m).copy()


# ---------------------------------------------------------------------------------------------
# page chrome: CSS and the small JS helper shared by every layer
# ---------------------------------------------------------------------------------------------

_CSS = """
.leaflet-container{background:#dde8ef}
.gap-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.92);padding:4px 12px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
 font:600 16px/1.3 "Noto Sans TC","Microsoft JhengHei","PingFang TC",sans-serif;max-width:calc(100% - 130px);
 text-align:center;pointer-events:none}
.gap-note{background:rgba(255,255,255,.85);padding:2px 6px;font:11px/1.3 sans-serif;color:#333;
 max-width:45vw;border-radius:3px}
.gap-legend{background:rgba(255,255,255,.94);padding:4px 8px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.35 sans-serif;max-height:45vh;overflow:auto;max-width:260px}
.gap-legend summary{font-weight:600;cursor:pointer;outline:none}
.gap-legend ul{list-style:none;margin:4px 0 0;padding:0}
.gap-legend li{margin:2px 0;display:flex;align-items:center}
.gap-legend i{display:inline-block;width:16px;height:12px;margin-right:6px;border:1px solid #555;flex:none}
.gap-legend .gap-bar{height:12px;width:200px;border:1px solid #555;margin-top:4px}
.gap-legend .gap-ticks{display:flex;justify-content:space-between;width:202px;font-size:11px}
.gap-pop{border-collapse:collapse;font-size:12px}
.gap-pop th{text-align:left;padding:1px 6px 1px 0;color:#555;font-weight:600;vertical-align:top}
.gap-pop td{padding:1px 0}
.gap-slider{background:rgba(255,255,255,.94);padding:4px 8px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.3 sans-serif}
.gap-slider input[type=range]{width:220px;vertical-align:middle}
.gap-slider button{font-size:13px;width:28px;padding:0;vertical-align:middle}
@media (max-width:600px){
 .gap-title{font-size:13px;top:6px;max-width:calc(100% - 90px);padding:2px 6px}
 .gap-legend{font-size:11px;max-width:150px;max-height:35vh}
 .gap-legend .gap-bar{width:120px}.gap-legend .gap-ticks{width:122px}
 .gap-note{font-size:9px;max-width:60vw}
 .gap-slider input[type=range]{width:110px}.gap-slider{font-size:11px;max-width:170px}
}
"""

_JS = r"""
var GAP = {
 layer: function(fc, o) {
  var st = o.styles || [{}];
  var pane = o.pane || 'overlayPane';
  var lay = L.geoJson(fc, {
   pane: pane, interactive: o.interactive !== false,
   style: function(f) { return st[f.properties.s || 0]; },
   pointToLayer: function(f, ll) {
    return L.circleMarker(ll, Object.assign({pane: pane}, st[f.properties.s || 0]));
   },
   onEachFeature: function(f, l) {
    var p = f.properties;
    if (p.t != null) l.bindTooltip(o.tips ? o.tips[p.t] : p.t, {sticky: !o.points, direction: 'top'});
    if (p.p != null) l.bindPopup(p.p, {maxWidth: 360});
    if (o.hl) {
     l.on('mouseover', function() { l.setStyle(o.hl); });
     l.on('mouseout', function() { l.setStyle(st[l.feature.properties.s || 0]); });
    }
   }
  });
  if (o.cluster) { var g = L.markerClusterGroup(o.cluster); g.addLayer(lay); return g; }
  return lay;
 },
 control: function(map, pos, cls, inner, collapse) {
  var c = L.control({position: pos});
  c.onAdd = function() {
   var d = L.DomUtil.create('div', cls);
   d.innerHTML = inner;
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   if (collapse && window.matchMedia && window.matchMedia('(max-width: 600px)').matches) {
    var det = d.querySelector('details'); if (det) det.removeAttribute('open');
   }
   return d;
  };
  c.addTo(map);
  return c;
 },
 chrome: function(map, title, note) {
  var t = L.DomUtil.create('div', 'gap-title', map.getContainer());
  t.innerHTML = title;
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
  GAP.control(map, 'bottomleft', 'gap-note', note, false);
 },
 slider: function(map, lay, o) {
  var st = o.styles, times = o.times, i = 0, timer = null;
  var c = L.control({position: 'bottomleft'});
  var lab, rng, btn;
  function show(k) {
   i = k; rng.value = k; lab.innerHTML = times[k];
   lay.eachLayer(function(l) {
    var p = l.feature.properties;
    l.setStyle(st[p.c[k]]);
    if (p.tt && o.tips) l.setTooltipContent(o.tips[p.tt[k]]);
   });
  }
  c.onAdd = function() {
   var d = L.DomUtil.create('div', 'gap-slider');
   d.innerHTML = '<div><b>' + o.title + '</b> <span class="gap-time"></span></div>';
   lab = d.querySelector('.gap-time');
   btn = L.DomUtil.create('button', '', d); btn.type = 'button'; btn.innerHTML = '&#9654;';
   btn.title = 'play / pause';
   rng = L.DomUtil.create('input', '', d); rng.type = 'range'; rng.min = 0; rng.max = times.length - 1;
   rng.step = 1; rng.value = 0; rng.setAttribute('aria-label', 'time');
   L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
   rng.addEventListener('input', function() { show(parseInt(rng.value, 10)); });
   btn.addEventListener('click', function() {
    if (timer) { clearInterval(timer); timer = null; btn.innerHTML = '&#9654;'; return; }
    btn.innerHTML = '&#10074;&#10074;';
    timer = setInterval(function() { show((i + 1) % times.length); }, o.ms || 700);
   });
   return d;
  };
  c.addTo(map);
  show(0);
  lay._gapShow = show;
  return c;
 }
};
"""


class _Chrome(MacroElement):
    """Page CSS, the GAP helper, the title, the source note and the metric scale."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        <script>{{ this.js }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        GAP.chrome({{ this._parent.get_name() }}, {{ this.title_json }}, {{ this.note_json }});
        {% endmacro %}
    """)

    def __init__(self, title: str, note: str):
        super().__init__()
        self._name = "Chrome"
        self.css = re.sub(r"\s*\n\s*", "", _CSS)
        self.js = _JS
        self.title_json = _json(title)
        self.note_json = _json(note)


class _GeoLayer(Layer):
    """A GeoJSON layer drawn by ``GAP.layer`` with per-feature style indices and escaped popups."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = GAP.layer({{ this.data }}, {{ this.opts }});
        {% endmacro %}
    """)

    def __init__(self, data: dict, opts: dict, *, name: str, show: bool = True, control: bool = True,
                 cluster: bool = False):
        super().__init__(name=html.escape(name), overlay=True, control=control, show=show)
        self._name = "GeoLayer"
        self.data = _json(data)
        self.opts = _json(opts)
        self.n_features = len(data["features"])
        self.cluster = cluster

    def render(self, **kwargs):
        if self.cluster:
            figure = self.get_root()
            for n, url in _CLUSTER_JS:
                figure.header.add_child(Element(f'<script src="{url}"></script>'), name=n)
            for n, url in _CLUSTER_CSS:
                figure.header.add_child(Element(f'<link rel="stylesheet" href="{url}"/>'), name=n)
        super().render(**kwargs)


class _Control(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        GAP.control({{ this._parent.get_name() }}, {{ this.pos|tojson }}, {{ this.cls|tojson }},
                    {{ this.inner }}, {{ this.collapse|tojson }});
        {% endmacro %}
    """)

    def __init__(self, inner_html: str, *, position="bottomright", cls="gap-legend", collapse=True):
        super().__init__()
        self._name = "Control"
        self.inner = _json(inner_html)
        self.pos = position
        self.cls = cls
        self.collapse = collapse


class _ImageLayer(Layer):
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.imageOverlay({{ this.url|tojson }}, {{ this.bounds|tojson }},
            {opacity: {{ this.opacity }}, interactive: false, className: 'gap-raster'});
        {% endmacro %}
    """)

    def __init__(self, url: str, bounds, *, name: str, opacity: float, show: bool = True):
        super().__init__(name=html.escape(name), overlay=True, control=True, show=show)
        self._name = "ImageLayer"
        self.url = url
        self.bounds = bounds
        self.opacity = float(opacity)


class _Slider(MacroElement):
    _template = Template("""
        {% macro script(this, kwargs) %}
        GAP.slider({{ this._parent.get_name() }}, {{ this.layer.get_name() }}, {{ this.opts }});
        {% endmacro %}
    """)

    def __init__(self, layer: _GeoLayer, opts: dict):
        super().__init__()
        self._name = "Slider"
        self.layer = layer
        self.opts = _json(opts)


# ---------------------------------------------------------------------------------------------
# the map
# ---------------------------------------------------------------------------------------------


def _state(m) -> dict:
    st = getattr(m, "_geoairplan", None)
    if st is None:
        raise InputError("this map was not made by geoairplan.maps.web_map",
                         fix="start the map with geoairplan.maps.web_map(title, source=...)")
    return st


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


@lru_cache(maxsize=1)
def _context_counties() -> gpd.GeoDataFrame:
    c = load_counties().sort_values("COUNTYNAME").reset_index(drop=True)
    return simplify_coverage(c, 200.0, precision=3)


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
        props.append({"s": s0, "t": tip + "</small>"})
    data = _fc(towns.geometry.values, props)
    opts = {"styles": st.items, "pane": "townships",
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


def _legend_html(items: Sequence[tuple[str, str]], title: str, *, shape: str = "box") -> str:
    lis = "".join(
        f'<li><i style="background:{_esc(c)}{";border-radius:50%" if shape == "circle" else ""}"></i>'
        f'{_esc(lab)}</li>' for lab, c in items)
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


def add_raster(m, array, bounds_4326, *, scheme: str = "concentration", vmin: float | None = None,
               vmax: float | None = None, name: str, opacity: float = 0.7, show: bool = True,
               log: bool = False):
    """A raster surface as an image overlay (PNG embedded as base64, so it works offline).

    ``array`` rows run north → south; NaN is transparent; ``bounds_4326`` is
    ``(west, south, east, north)`` in degrees of the array's outer edges.
    """
    a = np.asarray(array, dtype=float)
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


def add_time_slider(m, gdf: gpd.GeoDataFrame, *, time_col: str, color_col: str, name: str,
                    tooltip_cols=None, id_col: str | None = None, color_map: Mapping | None = None,
                    aliases: Mapping[str, str] | None = None, fill_opacity: float = 0.65,
                    time_format: str = "%Y-%m-%d %H:%M", show: bool = True, ms: int = 700):
    """Polygons whose colour changes with time, one geometry per feature, a slider to play the hours.

    ``gdf`` is long: one row per (feature, time). Features are identified by
    ``id_col`` (default: identical geometry). ``color_col`` holds level codes,
    ``#rrggbb`` colours or values mapped by ``color_map``; a feature without a
    row for some time is drawn as ``insufficient`` (grey). The page holds each
    geometry once plus a style index per hour, and a small slider control
    (plain Leaflet + JS, works offline).
    """
    g = _display(gdf, f"layer {name!r}")
    _check_cols(g, [time_col, color_col] + ([id_col] if id_col else []), f"layer {name!r}")
    _check_cols(g, tooltip_cols, f"layer {name!r} tooltip")
    g = g.copy()
    g["_c"] = _resolve_colors(g[color_col], color_map)
    key = g[id_col].astype(str) if id_col else pd.Series(shapely.to_wkb(g.geometry.values), index=g.index)
    g["_k"] = key
    times = sorted(pd.unique(g[time_col]))
    if not times:
        raise InputError(f"layer {name!r}: no rows", fix="give one row per (feature, time)")
    tlabels = []
    for t in times:
        ts = pd.Timestamp(t) if not isinstance(t, str) else None
        tlabels.append(_esc(ts.strftime(time_format) if ts is not None else t))
    tindex = {t: i for i, t in enumerate(times)}
    st = _StyleTable()
    tips = _StyleTable()
    miss = st({"color": "#555555", "weight": 1, "fillColor": style.NODATA_COLOR,
               "fillOpacity": fill_opacity, "opacity": 0.9})
    feats_geom, feats_props = [], []
    for k, grp in g.groupby("_k", sort=False):
        c = [miss] * len(times)
        tt = [None] * len(times)
        for _, r in grp.iterrows():
            i = tindex[r[time_col]]
            c[i] = st({"color": "#555555", "weight": 1, "fillColor": r["_c"], "fillOpacity": fill_opacity,
                       "opacity": 0.9})
            if tooltip_cols is not None:
                tt[i] = tips({"h": _tip_html(r.to_dict(), tooltip_cols, aliases)})
        p = {"s": c[0], "c": c}
        if tooltip_cols is not None:
            empty = tips({"h": ""})
            tt = [empty if v is None else v for v in tt]
            p["tt"] = tt
            p["t"] = tt[0]
        feats_geom.append(grp.geometry.iloc[0])
        feats_props.append(p)
    data = _fc(_round_geoms(feats_geom, PRECISION), feats_props)
    tip_list = [d["h"] for d in tips.items]
    opts = {"styles": st.items}
    if tooltip_cols is not None:
        opts["tips"] = tip_list
    layer = _GeoLayer(data, opts, name=name, show=show)
    m.add_child(layer)
    m.add_child(_Slider(layer, {"styles": st.items, "times": tlabels, "title": _esc(name),
                                **({"tips": tip_list} if tooltip_cols is not None else {}), "ms": int(ms)}))
    return layer


# ---------------------------------------------------------------------------------------------
# saving: deterministic ids, offline inlining, iframe snippet
# ---------------------------------------------------------------------------------------------


def _walk(el, seen=None):
    seen = set() if seen is None else seen
    if id(el) in seen:
        return
    seen.add(id(el))
    yield el
    for child in list(el._children.values()):
        yield from _walk(child, seen)


@contextlib.contextmanager
def _deterministic_ids():
    """Element ids drawn from a counter while rendering (elements folium creates at render time)."""
    counter = itertools.count(1)
    orig = be.Element._generate_id
    be.Element._generate_id = lambda self: f"r{next(counter):05d}"  # type: ignore[assignment]
    try:
        yield
    finally:
        be.Element._generate_id = orig  # type: ignore[assignment]


def _fix_ids(root) -> None:
    for i, el in enumerate(_walk(root)):
        el._id = f"{i:05d}"


@lru_cache(maxsize=1)
def _offline_assets() -> dict[str, str]:
    return dict(_offline_res)  # folium-offline: {CDN url: file text}


def offline_asset(url: str) -> str | None:
    """The text of a CDN script/stylesheet shipped by ``folium-offline`` (``None`` if not shipped)."""
    return _offline_assets().get(url)


_SCRIPT_RE = re.compile(r'<script src="(https?://[^"]+)"></script>')
_CSS_RE = re.compile(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/?>')


def _inline(html_text: str) -> str:
    def js(mo):
        text = offline_asset(mo.group(1))
        if text is None:
            raise InputError(f"no offline copy of {mo.group(1)}",
                             fix="use only layers geoairplan.maps provides in offline maps")
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"

    def css(mo):
        text = offline_asset(mo.group(1))
        if text is None:
            raise InputError(f"no offline copy of {mo.group(1)}",
                             fix="use only layers geoairplan.maps provides in offline maps")
        return "<style>" + text.replace("</style", "<\\/style") + "</style>"

    out = _SCRIPT_RE.sub(lambda mo: js(mo), html_text)
    out = _CSS_RE.sub(lambda mo: css(mo), out)
    left = re.findall(r'(?:src|href)="(https?://[^"]+)"', out)
    bad = [u for u in left if not re.search(r"<a [^>]*href=\"" + re.escape(u), out)]
    if bad:
        raise InputError(f"offline map still references {bad[0]}", fix="report this as a geoairplan bug")
    return out


def render_html(m, *, offline: bool | None = None) -> str:
    """The standalone HTML page of a map (deterministic)."""
    st = _state(m)
    offline = st["offline"] if offline is None else (offline or st["offline"])
    if not any(isinstance(c, folium.LayerControl) for c in m._children.values()):
        m.add_child(folium.LayerControl(collapsed=True, position="topright"), name="gap_layer_control")
    removed = {}
    if offline:
        removed = {k: c for k, c in m._children.items() if isinstance(c, folium.TileLayer)}
        for k in removed:
            del m._children[k]
    # a fresh Figure each time: branca caches rendered pieces in the figure it renders into
    old_parent = m._parent
    root = Figure()
    root.add_child(m, name="map")
    # folium's render adds children (e.g. Layer's addTo); take them away again afterwards so that
    # rendering leaves the map as it was and the next save starts from the same tree
    snapshot = [(el, list(el._children)) for el in _walk(m)]
    try:
        _fix_ids(root)
        with _deterministic_ids():
            text = root.render()
    finally:
        for el, keys in snapshot:
            for k in [k for k in el._children if k not in keys]:
                del el._children[k]
        m._parent = old_parent
        for k, c in removed.items():
            m._children[k] = c
    text = text.replace("<html>", '<html lang="zh-Hant-TW">', 1)
    text = text.replace('charset=UTF-8" />',
                        f'charset=UTF-8" />\n    <title>{_esc(st["title"])}</title>', 1)
    # folium's viewport forbids zooming the page; maps on phones should allow it
    text = re.sub(r'<meta name="viewport"[^>]*/>',
                  '<meta name="viewport" content="width=device-width, initial-scale=1.0" />', text, count=1)
    text = re.sub(r"[ \t]+\n", "\n", text)
    if offline:
        text = _inline(text)
    return text


def embed_snippet(page_name: str, title: str, *, height: str = "70vh") -> str:
    """An ``<iframe>`` snippet that embeds ``page_name`` (put both files in the same folder)."""
    t = _esc(title)
    src = _esc(page_name)
    return (f"<!-- geoairplan map: {t}. Upload {src} next to the page and paste this snippet. -->\n"
            f'<div class="geoairplan-map" style="position:relative;width:100%;height:{_esc(height)};'
            f'min-height:320px">\n'
            f'  <iframe src="{src}" title="{t}" loading="lazy" allowfullscreen\n'
            f'          style="position:absolute;inset:0;width:100%;height:100%;border:0"></iframe>\n'
            f'</div>\n'
            f'<p style="font-size:.8em"><a href="{src}" target="_blank" rel="noopener">'
            f'在新視窗開啟地圖 Open the map in a new window</a></p>\n')


def save_map(m, path, *, offline: bool = False) -> dict:
    """Write the map as a standalone page ``path`` and an iframe snippet ``path.with_suffix('.embed.html')``.

    Byte-identical for the same map. ``offline=True`` (or a map made with
    ``offline=True``) inlines every script and stylesheet and drops tile
    layers: the page then makes no network request at all.
    Returns ``{"path", "bytes", "embed", "offline"}``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"a web map is saved as .html, not {path.suffix or 'no suffix'}", file=path,
                         fix="name the file like map.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    st = _state(m)
    off = bool(offline or st["offline"])
    text = render_html(m, offline=off)
    data = text.encode("utf-8")
    path.write_bytes(data)
    embed = path.with_suffix(".embed.html")
    embed.write_text(embed_snippet(path.name, st["title"]), encoding="utf-8")
    return {"path": path, "bytes": len(data), "embed": embed, "offline": off}
