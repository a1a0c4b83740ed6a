"""Static maps for plan documents (matplotlib): A4 layouts, PNG and PDF, Chinese text.

::

    fig, ax = static_map("屏東縣 測站分布", source="資料來源：環境部（2024）", county="屏東縣")
    plot_points(ax, stations, color="#1f77b4", size=30, labels_col="name_zh")
    add_static_legend(ax, [("測站 Station", "#1f77b4")], "圖例")
    save_static(fig, "out/pingtung_stations")     # out/pingtung_stations.png (300 dpi), .pdf
    save_static(fig, "out/quick", formats=("png",), dpi=150)

The axes are in EPSG:3826 metres; inputs in any CRS are reprojected. The
county's townships and outline are drawn as the base. Figures are built with
matplotlib's object-oriented API (:func:`new_figure`: a
:class:`~matplotlib.figure.Figure` on an Agg canvas), never through pyplot:
importing this module does not import ``matplotlib.pyplot``, figures are in no
global registry and need no closing. Polygons and lines are drawn as matplotlib
collections (:func:`plot_geometries`), without geopandas' ``plot``. Text uses
the CJK font the project ships (``geoairplan/maps/fonts/``, built by
``scripts/build_font.py``), registered with matplotlib's font manager on first
use, so Chinese renders the same on every machine, also in PDF (TrueType
embedded as Type 42). Colours and legends are those of the web maps
(:mod:`geoairplan.maps.style`). :func:`save_static` adds the scale bar (km) and
north arrow and writes files without creation dates, so output is
reproducible.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg", force=False)  # for code that does import pyplot (none of geoairplan's maps)
import numpy as np  # noqa: E402
import geopandas as gpd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.patches import FancyArrow, Patch, PathPatch, Rectangle  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.cm import ScalarMappable  # noqa: E402
from matplotlib.colors import LogNorm, Normalize, is_color_like  # noqa: E402
from mpl_toolkits.axes_grid1.inset_locator import inset_axes  # noqa: E402
import shapely  # noqa: E402

from geoairplan.errors import InputError  # noqa: E402
from geoairplan.io.crs import TM2, to_tm2  # noqa: E402
from geoairplan.maps import style  # noqa: E402
from geoairplan.datasets import load_counties  # noqa: E402
from geoairplan.maps.web import _context_counties, _county_key, _resolve_colors, township_base  # noqa: E402

__all__ = ["FONT_PATH", "FONT_NAME", "register_font", "font_properties", "LAYOUTS", "STATIC_FORMATS", "DPI_RANGE",
           "new_figure", "static_map", "plot_geometries", "plot_polygons", "plot_points", "plot_raster",
           "add_static_legend", "add_level_legend_static", "add_colorbar_static", "add_scale_bar",
           "add_north_arrow", "check_static_options", "save_static", "release"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: The subset CJK TrueType font geoairplan ships (see fonts/README.md and docs/maps.md).
FONT_PATH = FONT_DIR / "GeoAirPlanSansTC.ttf"
FONT_NAME = "GeoAirPlan Sans TC"

#: Figure sizes in inches (A4) and the axes rectangle of the map [left, bottom, width, height].
LAYOUTS: dict[str, dict] = {
    "A4-landscape": {"size": (11.69, 8.27), "axes": [0.03, 0.07, 0.94, 0.83]},
    "A4-portrait": {"size": (8.27, 11.69), "axes": [0.05, 0.06, 0.90, 0.86]},
}

#: The formats :func:`save_static` writes.
STATIC_FORMATS = ("png", "pdf", "svg")
#: The resolutions :func:`geoairplan.publish.write` and the CLI's ``--dpi`` accept (dots per inch, both
#: ends included); :func:`save_static` itself takes 10 to 1200 (small ones for quick checks).
DPI_RANGE = (72, 600)
_SAVE_DPI_RANGE = (10, 1200)

_registered = False


def register_font() -> str:
    """Register the shipped font with matplotlib and make it the default family.

    ``font.family`` becomes ``[FONT_NAME, "DejaVu Sans", "sans-serif"]`` so that
    any text (also text other code adds to our axes) draws CJK from the shipped
    font and Latin from matplotlib's DejaVu Sans.

    Returns the family name. Raises :class:`InputError` if the font file is
    missing (a broken install: rebuild it with ``python scripts/build_font.py``).
    """
    global _registered
    if not FONT_PATH.exists():
        raise InputError("geoairplan's CJK font is missing", file=FONT_PATH,
                         fix="reinstall geoairplan, or rebuild the font with python scripts/build_font.py")
    if not _registered:
        font_manager.fontManager.addfont(str(FONT_PATH))
        fams = list(matplotlib.rcParams["font.sans-serif"])
        if FONT_NAME not in fams:
            matplotlib.rcParams["font.sans-serif"] = [FONT_NAME, LATIN_FONT] + [f for f in fams if f != LATIN_FONT]
        # an explicit list, so that text made without fontproperties falls back glyph by glyph
        matplotlib.rcParams["font.family"] = [FONT_NAME, LATIN_FONT, "sans-serif"]
        matplotlib.rcParams["axes.unicode_minus"] = False
        _registered = True
    return FONT_NAME


#: Latin letters, digits and signs come from DejaVu Sans, which matplotlib itself ships
#: (``matplotlib/mpl-data/fonts``); the CJK subset has no Latin glyphs of its own.
LATIN_FONT = "DejaVu Sans"


def font_properties(size: float = 10, weight: str = "normal") -> font_manager.FontProperties:
    """:class:`FontProperties` for map text: the shipped CJK font, falling back per glyph to
    matplotlib's own DejaVu Sans for Latin (neither depends on the machine's fonts)."""
    register_font()
    return font_manager.FontProperties(family=[FONT_NAME, LATIN_FONT], size=size, weight=weight)


def new_figure(size: tuple[float, float], *, dpi: float = 100) -> Figure:
    """A figure drawn by Agg, made without pyplot.

    The figure belongs to no global registry (pyplot's): nothing needs closing,
    it is freed like any object. ``size`` is in inches.
    """
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)  # attaches itself: fig.canvas draws with Agg (text extents, layout, PNG)
    return fig


def release(fig) -> None:
    """Let a written figure go. geoairplan's figures (:func:`new_figure`) need nothing; a figure made
    through pyplot elsewhere (it has a figure manager) is closed, so pyplot's registry does not keep it."""
    if getattr(getattr(fig, "canvas", None), "manager", None) is not None:
        pyplot = sys.modules.get("matplotlib.pyplot")  # loaded by whoever made the figure
        if pyplot is not None:
            pyplot.close(fig)


def _per_geometry(value, rows: np.ndarray, n: int):
    """A style given per geometry (a list or array of ``n``) taken at ``rows``; one value as it is."""
    if value is None or isinstance(value, str) or np.ndim(value) == 0 or is_color_like(value):
        return value  # one value (also one RGB(A) tuple)
    vals = list(value)
    if len(vals) != n:
        raise InputError(f"{len(vals)} styles for {n} geometries", fix="give one value, or one per geometry")
    return [vals[i] for i in rows]


def _polygon_path(geom) -> MplPath:
    """One compound path of a (multi)polygon: every ring closed; holes wind the other way (normalised)."""
    rings = []
    for part in shapely.get_parts(geom):
        rings.append(MplPath(np.asarray(part.exterior.coords)[:, :2], closed=True))
        rings.extend(MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in part.interiors)
    return MplPath.make_compound_path(*rings)


def plot_geometries(ax, geoms, *, facecolor=None, edgecolor=None, color=None, linewidth: float | None = None,
                    alpha: float | None = None, hatch: str | None = None, zorder: float | None = None):
    """Draw polygons and lines (a GeoDataFrame, GeoSeries or array of shapely geometries) on ``ax``.

    Polygons become one :class:`~matplotlib.collections.PatchCollection` (holes
    kept), lines one :class:`~matplotlib.collections.LineCollection`; points are
    left to :func:`plot_points`, geometry collections are taken apart. Geometries
    with a CRS are drawn in EPSG:3826 (the axes of :func:`static_map`); without
    one, as they are. ``facecolor``, ``edgecolor`` and ``color`` are one colour or
    one per geometry; ``color`` is the fill of polygons (when ``facecolor`` is not
    given) and the colour of lines. Nothing is drawn to pixels here (geopandas'
    ``plot`` would import pyplot and redraw the whole figure on every call).

    Returns the collections added.
    """
    if isinstance(geoms, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if geoms.crs is not None:
            geoms = to_tm2(geoms if isinstance(geoms, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=geoms))
        arr = np.asarray(geoms.geometry.values, dtype=object)
    else:
        arr = np.asarray(geoms, dtype=object)
    n = len(arr)
    rows = np.arange(n)
    kind = shapely.get_type_id(arr)
    if (kind == 7).any():  # GeometryCollection: its members, each styled as its row
        arr, rows = shapely.get_parts(arr, return_index=True)
        kind = shapely.get_type_id(arr)
    arr = shapely.normalize(arr)  # exteriors clockwise, holes anticlockwise: holes stay holes when filled
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    polys = present & np.isin(kind, (3, 6))  # Polygon, MultiPolygon
    lines = present & np.isin(kind, (1, 2, 5))  # LineString, LinearRing, MultiLineString
    out = []
    common = {k: v for k, v in (("alpha", alpha), ("zorder", zorder)) if v is not None}
    if polys.any():
        kw = dict(common)
        fill = facecolor if facecolor is not None else color
        for key, value in (("facecolor", fill), ("edgecolor", edgecolor), ("linewidth", linewidth),
                           ("hatch", hatch)):
            if value is not None:
                kw[key] = _per_geometry(value, rows[polys], n)
        coll = PatchCollection([PathPatch(_polygon_path(g)) for g in arr[polys]], **kw)
        ax.add_collection(coll, autolim=True)
        out.append(coll)
    if lines.any():
        parts, index = shapely.get_parts(arr[lines], return_index=True)
        kw = dict(common)
        stroke = color if color is not None else edgecolor
        for key, value in (("color", stroke), ("linewidth", linewidth)):
            if value is not None:
                kw[key] = _per_geometry(value, rows[lines][index], n)
        coll = LineCollection([np.asarray(g.coords)[:, :2] for g in parts], **kw)
        ax.add_collection(coll, autolim=True)
        out.append(coll)
    if out:
        ax.autoscale_view()  # a no-op on a static_map (its limits are set)
    return out


def _bounds_tm2(county, bounds):

    if county is not None:
        keys = _county_key(county)
        c = load_counties()
        c = c[c["COUNTYNAME"].isin(keys)].to_crs(TM2)
        towns = township_base(county).to_crs(TM2)
        box = c.total_bounds
    else:
        w, s, e, n = bounds
        towns = township_base(None, bounds).to_crs(TM2)
        box = gpd.GeoSeries.from_xy([w, e], [s, n], crs=4326).to_crs(TM2).total_bounds
    return towns, box


def static_map(title: str, *, source: str, layout: str = "A4-landscape", county=None, bounds=None,
               township_labels: bool = False, townships: bool = True, subtitle: str | None = None):
    """A4 figure with title, source note, and the county's townships and outline as base.

    Returns ``(fig, ax)``; ``ax`` is in EPSG:3826 metres with equal aspect.
    ``bounds`` is ``(west, south, east, north)`` in degrees; it may replace
    ``county``. ``township_labels`` writes every township's name at its
    representative point.
    """
    if layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}", fix="use " + " or ".join(LAYOUTS))
    if county is None and bounds is None:
        raise InputError("static_map needs a county or bounds", fix="pass county='屏東縣' or bounds=(w, s, e, n)")
    register_font()
    lay = LAYOUTS[layout]
    fig = new_figure(lay["size"])
    ax = fig.add_axes(lay["axes"])
    towns, box = _bounds_tm2(county, bounds)
    x0, y0, x1, y1 = box
    # pad and match the axes' aspect so the map fills the frame
    fw, fh = lay["size"][0] * lay["axes"][2], lay["size"][1] * lay["axes"][3]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = (x1 - x0) * 1.08, (y1 - y0) * 1.08
    if w / h > fw / fh:
        h = w * fh / fw
    else:
        w = h * fw / fh
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for sp in ax.spines.values():
        sp.set_linewidth(0.6)
        sp.set_color("#444444")
    ax.set_facecolor("#eef4f8")  # sea
    _plot_context(ax, exclude=set(towns["COUNTYNAME"]) if len(towns) else set())
    fig._gap_land = shapely.union_all(towns.geometry.values) if len(towns) else None  # type: ignore[attr-defined]
    if townships and len(towns):
        plot_geometries(ax, towns, facecolor="#f7f5ef", edgecolor="#8a8a8a", linewidth=0.35, zorder=1)
        outline = towns.dissolve("COUNTYNAME")
        plot_geometries(ax, outline.boundary, color="#222222", linewidth=1.0, zorder=20)
        if township_labels:
            fp = font_properties(6.5)
            for _, r in towns.iterrows():
                p = r.geometry.representative_point()
                if ax.get_xlim()[0] < p.x < ax.get_xlim()[1] and ax.get_ylim()[0] < p.y < ax.get_ylim()[1]:
                    t = ax.annotate(r["TOWNNAME"], (p.x, p.y), ha="center", va="center", fontproperties=fp,
                                    color="#333333", zorder=25, annotation_clip=True)
                    t._gap_label = 1  # township labels give way to point labels  # type: ignore[attr-defined]
    top = lay["axes"][1] + lay["axes"][3]
    lines = _wrap(fig, title, font_properties(17), 0.94)
    fig.text(0.5, top + (1 - top) * (0.5 if subtitle else 0.45), "\n".join(lines), ha="center", va="center",
             fontproperties=font_properties(17 if len(lines) == 1 else 14), linespacing=1.15)
    if subtitle:
        fig.text(0.5, top + (1 - top) * 0.12, subtitle, ha="center", va="center",
                 fontproperties=font_properties(10), color="#333333")
    # the source line stays on the page: wrapped to the map's width (smaller type beyond two lines)
    src_size, width = 8, 1 - 2 * lay["axes"][0]
    src_lines = _wrap(fig, source, font_properties(src_size), width)
    if len(src_lines) > 2:
        src_size = 7
        src_lines = _wrap(fig, source, font_properties(src_size), width)
    fig.text(lay["axes"][0], lay["axes"][1] * 0.45, "\n".join(src_lines), ha="left", va="center",
             fontproperties=font_properties(src_size), color="#333333", linespacing=1.1)
    fig._geoairplan = {"title": title, "layout": layout, "decorated": False}  # type: ignore[attr-defined]
    return fig, ax


def _plot_context(ax, exclude) -> None:
    """Neighbouring counties in grey, so land reads as land (same coarse outlines as the web maps)."""
    c = _context_counties().to_crs(TM2)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    c = c[c.intersects(shapely.box(x0, y0, x1, y1)) & ~c["COUNTYNAME"].isin(exclude)]
    if len(c):
        plot_geometries(ax, c, facecolor="#e4e1da", edgecolor="#a8a8a8", linewidth=0.4, zorder=0.5)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)


def _no_axis_labels(ax):
    # geopandas labels the axes "Easting [metre]" / "Northing [metre]"; a map needs no axis labels
    ax.set_xlabel("")
    ax.set_ylabel("")


def _colors_for(gdf, color, color_col, color_map):
    if color_col is not None:
        if color_col not in gdf.columns:
            raise InputError(f"no column {color_col!r}", fix="use one of " + ", ".join(map(str, gdf.columns)))
        return _resolve_colors(gdf[color_col], color_map)
    return [color or "#3388ff"] * len(gdf)


def plot_polygons(ax, gdf: gpd.GeoDataFrame, *, color: str | None = None, color_col: str | None = None,
                  color_map: Mapping | None = None, edgecolor: str = "#555555", linewidth: float = 0.5,
                  labels_col: str | None = None, alpha: float = 0.85, zorder: float = 5,
                  label_size: float = 7):
    """Polygons coloured like :func:`geoairplan.maps.web.add_polygons` (level codes, numbers, categories)."""
    g = to_tm2(gdf)
    fills = _colors_for(g, color, color_col, color_map)
    plot_geometries(ax, g, facecolor=list(fills), edgecolor=edgecolor, linewidth=linewidth, alpha=alpha,
                    zorder=zorder)
    if labels_col:
        _labels(ax, g, labels_col, size=label_size, zorder=zorder + 20, points=False)
    return ax


def plot_points(ax, gdf: gpd.GeoDataFrame, *, color: str = "#1f77b4", size: float = 25,
                labels_col: str | None = None, color_col: str | None = None,
                color_map: Mapping | None = None, marker: str = "o", edgecolor: str = "white",
                zorder: float = 30, label_size: float = 7):
    """Points (e.g. stations) with optional labels offset to the upper right."""
    g = to_tm2(gdf)
    fills = _colors_for(g, color, color_col, color_map)
    ax.scatter(g.geometry.x, g.geometry.y, s=size, c=fills, marker=marker, edgecolors=edgecolor,
               linewidths=0.8, zorder=zorder)
    if labels_col:
        _labels(ax, g, labels_col, size=label_size, zorder=zorder + 1, points=True)
    return ax


def _labels(ax, g, col, *, size, zorder, points):
    import matplotlib.patheffects as pe

    fp = font_properties(size)
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for _, r in g.iterrows():
        if r.geometry is None or r.geometry.is_empty:
            continue
        p = r.geometry if points else r.geometry.representative_point()
        kw = dict(xytext=(4, 3), textcoords="offset points", ha="left", va="bottom") if points else \
            dict(ha="center", va="center")
        t = ax.annotate(str(r[col]), (p.x, p.y), fontproperties=fp, zorder=zorder, path_effects=halo,
                        annotation_clip=True, **kw)
        t._gap_label = 3 if points else 2  # type: ignore[attr-defined]


def plot_raster(ax, array, transform_or_extent, *, scheme: str = "concentration", vmin: float | None = None,
                vmax: float | None = None, alpha: float = 0.8, zorder: float = 3, log: bool = False):
    """A raster in EPSG:3826: ``array`` rows north → south; NaN transparent.

    ``transform_or_extent`` is an affine transform (rasterio/affine, TM2) or an
    extent ``(xmin, xmax, ymin, ymax)`` in TM2 metres. Returns the image (for a colour bar).
    """
    a = np.asarray(array, dtype=float)
    if a.ndim != 2:
        raise InputError(f"a raster must be 2-D, got shape {a.shape}")
    t = transform_or_extent
    if hasattr(t, "a") and hasattr(t, "e"):
        rows, cols = a.shape
        xmin, ymax = t.c, t.f
        xmax, ymin = t.c + t.a * cols, t.f + t.e * rows
        extent = (xmin, xmax, ymin, ymax)
    else:
        extent = tuple(float(v) for v in t)
        if len(extent) != 4:
            raise InputError("extent must be (xmin, xmax, ymin, ymax) in EPSG:3826 metres")
    vmin = float(np.nanmin(a)) if vmin is None else vmin
    vmax = float(np.nanmax(a)) if vmax is None else vmax
    norm = LogNorm(max(vmin, 1e-12), vmax) if log else Normalize(vmin, vmax)
    im = ax.imshow(np.ma.masked_invalid(a), extent=extent, origin="upper", cmap=style.sequential_cmap(scheme),
                   norm=norm, alpha=alpha, zorder=zorder, interpolation="nearest")
    xl, yl = ax.get_xlim(), ax.get_ylim()
    ax.set_xlim(xl)
    ax.set_ylim(yl)
    return im


def add_static_legend(ax, items: Sequence[tuple], title: str, *, loc: str = "lower right",
                      kind: str = "patch", fontsize: float = 8.5):
    """A legend ``[(label, colour), ...]`` drawn with the map's symbols.

    ``kind`` is the symbol of every item: ``"patch"`` (polygons), ``"point"``
    (circle markers) or ``"line"``. An item may be ``(label, colour, style)``
    with ``style`` a dict overriding it for that item: ``{"kind": "point",
    "marker": "^"}``, ``{"kind": "patch", "hatch": "///", "edgecolor": "#c00"}``,
    ``{"alpha": 0.3}`` … so each entry looks like what the map draws. Where the
    legend goes is decided by :func:`save_static` (off the county's land);
    ``loc`` is the first choice.
    """
    handles = []
    for it in items:
        lab, c = it[0], it[1]
        st = dict(it[2]) if len(it) > 2 and it[2] else {}
        k = st.pop("kind", kind)
        if k == "point":
            handles.append(Line2D([], [], marker=st.get("marker", "o"), linestyle="", markerfacecolor=c,
                                  markeredgecolor=st.get("edgecolor", "white"), markersize=st.get("size", 8),
                                  label=lab))
        elif k == "line":
            handles.append(Line2D([], [], color=c, linewidth=st.get("linewidth", 2), label=lab))
        else:
            handles.append(Patch(facecolor=c, edgecolor=st.get("edgecolor", "#555555"),
                                 linewidth=st.get("linewidth", 0.5 if "hatch" not in st else 1.0),
                                 hatch=st.get("hatch"), alpha=st.get("alpha"), label=lab))
    prev = getattr(ax, "_gap_legends", [])
    leg = ax.legend(handles=handles, title=title, loc=loc, prop=font_properties(fontsize),
                    title_fontproperties=font_properties(fontsize + 1), frameon=True,
                    framealpha=0.92, edgecolor="#888888", fancybox=False)
    leg.set_zorder(50)
    for old in prev:  # keep earlier legends (matplotlib keeps only the last one by default)
        ax.add_artist(old)
    ax._gap_legends = prev + [leg]
    return leg


def add_level_legend_static(ax, title: str = "預警等級", *, include=style.LEVEL_CODES, lang: str = "zh",
                            loc: str = "lower right"):
    """The warning-level legend, same items and colours as the web maps."""
    return add_static_legend(ax, style.level_legend_items(include, lang=lang), title, loc=loc)


def add_colorbar_static(ax, mappable_or_scheme, vmin: float | None = None, vmax: float | None = None,
                        caption: str = "", *, loc: str = "upper right"):
    """A horizontal colour bar inside the map: pass the image from :func:`plot_raster`, or a scheme + range."""
    if isinstance(mappable_or_scheme, str):
        sm = ScalarMappable(norm=Normalize(vmin, vmax), cmap=style.sequential_cmap(mappable_or_scheme))
    else:
        sm = mappable_or_scheme
    cax = inset_axes(ax, width="28%", height="2.2%", loc=loc, borderpad=2.2)
    ax._gap_cbars = getattr(ax, "_gap_cbars", []) + [cax]
    cb = ax.figure.colorbar(sm, cax=cax, orientation="horizontal")
    cb.set_label(caption, fontproperties=font_properties(8))
    cax.xaxis.set_label_position("top")
    for t in cax.get_xticklabels():
        t.set_fontproperties(font_properties(7))
    return cb


def _nice(x: float) -> float:
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * e >= x:
            return m * e
    return 10 * e


def _scale_geometry(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice((x1 - x0) / 5)
    n = 4 if length / 1000 >= 4 else 2
    hgt = (y1 - y0) * 0.008
    box_w, box_h = length + (x1 - x0) * 0.04, hgt * 8.5
    return length, n, hgt, box_w, box_h


def add_scale_bar(ax, *, loc: str = "lower left", at: tuple[float, float] | None = None) -> None:
    """A km scale bar (axes in metres), about a fifth of the map width, alternating black/white.

    ``at`` is the lower-left corner of its white box in map coordinates
    (:func:`save_static` puts it off the county's land); default: lower left.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length, n, hgt, box_w, box_h = _scale_geometry(ax)
    seg = length / n
    if at is None:
        at = (x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.05 - hgt * 4)
    bx, by = at[0] + (x1 - x0) * 0.01, at[1] + hgt * 4
    ax.add_patch(Rectangle(at, box_w, box_h, facecolor="white", alpha=0.8, edgecolor="none", zorder=40,
                           gid="gap-scalebar"))
    for i in range(n):
        ax.add_patch(Rectangle((bx + i * seg, by), seg, hgt, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=41))
    fp = font_properties(7.5)
    for i in (0, n):
        v = i * seg / 1000
        ax.text(bx + i * seg, by + hgt * 1.6, f"{v:g}", ha="center", va="bottom", fontproperties=fp, zorder=42)
    ax.text(bx + length + (x1 - x0) * 0.012, by + hgt / 2, "km", ha="left", va="center", fontproperties=fp,
            zorder=42)


def _arrow_geometry(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    size = min(x1 - x0, y1 - y0) * 0.06
    return size, size * 0.8, size * 1.75  # arrow length, box width, box height


def add_north_arrow(ax, *, at: tuple[float, float] | None = None) -> None:
    """A north arrow (grid north of TM2, within 1° of true north in Taiwan); default upper left.

    ``at`` is the lower-left corner of its (invisible) box in map coordinates.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    size, bw, bh = _arrow_geometry(ax)
    if at is None:
        at = (x0 + (x1 - x0) * 0.05 - bw / 2, y1 - (y1 - y0) * 0.06 - size)
    cx, cy = at[0] + bw / 2, at[1]
    ax.add_patch(Rectangle(at, bw, bh, facecolor="none", edgecolor="none", zorder=39, gid="gap-north"))
    ax.add_patch(FancyArrow(cx, cy, 0, size, width=size * 0.12, head_width=size * 0.45,
                            head_length=size * 0.5, length_includes_head=True, color="black", zorder=42))
    ax.text(cx, cy + size * 1.12, "N", ha="center", va="bottom", fontproperties=font_properties(12),
            zorder=42)


def _wrap(fig, text: str, fp, frac: float) -> list[str]:
    """``text`` broken into lines no wider than ``frac`` of the figure (CJK may break between characters)."""
    r = fig.canvas.get_renderer()
    # widths are measured at the figure's 100 dpi; Agg's text at 150 or 300 dpi runs up to ~3 % wider
    limit = fig.bbox.width * frac / 1.04

    def width(t):
        return Text(0, 0, t, fontproperties=fp, figure=fig).get_window_extent(r).width

    if width(text) <= limit:
        return [text]
    tokens = re.findall(r"[A-Za-z0-9.,%/°²³µ×±+\-*_#]+\s*|\s+|.", text)
    lines, cur = [], ""
    for tok in tokens:
        if cur and width(cur + tok) > limit:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def _boxes_overlap(a, b) -> float:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, ix) * max(0.0, iy)


def _obstacles(fig, ax, renderer):
    """The county's land (display coordinates) and the drawn points (small boxes) furniture must not cover."""
    land = getattr(fig, "_gap_land", None)
    land_px = shapely.transform(land, ax.transData.transform) if land is not None else None
    pts = []
    for coll in ax.collections:
        if type(coll).__name__ != "PathCollection":  # scatter points (stations, sources)
            continue
        offs = coll.get_offsets()
        if offs is None or len(offs) == 0:
            continue
        for x, y in ax.transData.transform(np.asarray(offs, dtype=float)):
            pts.append((x - 6, y - 6, x + 6, y + 6))
    return land_px, pts


def _place_furniture(fig, ax, *, scale_bar: bool, north_arrow: bool) -> None:
    """Put legends, colour bars, the scale bar and the north arrow where they cover no land.

    Candidate places run along the frame; each costs the land it covers (in
    display pixels²), the points it hides and any overlap with furniture already
    placed. When some piece can only go over land, the map zooms out (the frame
    keeps its size) until everything fits on the sea or the neighbours.
    """
    fig.draw_without_rendering()  # sizes of text, legends and colour bars; no pixels needed
    r = fig.canvas.get_renderer()
    axbb = ax.get_window_extent(r)
    legends = list(getattr(ax, "_gap_legends", []))
    cbars = list(getattr(ax, "_gap_cbars", []))
    sizes = []
    for leg in legends:
        bb = leg.get_window_extent(r)
        pref = leg._loc if isinstance(leg._loc, int) else 4
        sizes.append(("legend", leg, bb.width, bb.height, pref))
    for cax in cbars:
        tb, pos = cax.get_tightbbox(r), cax.get_window_extent(r)
        sizes.append(("cbar", (cax, pos.x0 - tb.x0, pos.y0 - tb.y0), tb.width, tb.height, 1))
    sizes.sort(key=lambda s: -s[2] * s[3])
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    m = 6.0
    best_plan = None
    for attempt in range(8):
        f = 1.0 + 0.08 * attempt
        ax.set_xlim(cx - hw * f, cx + hw * f)
        ax.set_ylim(cy - hh * f, cy + hh * f)
        sx = axbb.width / (2 * hw * f)
        items = list(sizes)
        if scale_bar:
            _, _, _, bw, bh = _scale_geometry(ax)
            items.append(("scale", None, bw * sx, bh * sx, 3))
        if north_arrow:
            _, bw, bh = _arrow_geometry(ax)
            items.append(("north", None, bw * sx, bh * sx, 2))
        land, pts = _obstacles(fig, ax, r)
        placed, plan, total = [], [], 0.0
        for kind, obj, w, h, pref in items:
            cands = []
            xs = np.linspace(axbb.x0 + m, axbb.x1 - m - w, 9)
            ys = np.linspace(axbb.y0 + m, axbb.y1 - m - h, 9)
            for x in xs:
                cands += [(x, axbb.y0 + m), (x, axbb.y1 - m - h)]
            for y in ys[1:-1]:
                cands += [(axbb.x0 + m, y), (axbb.x1 - m - w, y)]
            corner = {1: (axbb.x1, axbb.y1), 2: (axbb.x0, axbb.y1), 3: (axbb.x0, axbb.y0),
                      4: (axbb.x1, axbb.y0)}.get(pref, (axbb.x1, axbb.y0))
            best = None
            for x, y in cands:
                box = (x, y, x + w, y + h)
                cover = land.intersection(shapely.box(*box)).area if land is not None else 0.0
                cost = cover + sum(50.0 * _boxes_overlap(box, p) for p in pts)
                cost += sum(1e9 * _boxes_overlap(box, b) for b in placed)
                near = math.hypot(x + w / 2 - corner[0], y + h / 2 - corner[1]) * 1e-3
                if best is None or cost + near < best[0]:
                    best = (cost + near, box, cost)
            placed.append(best[1])
            plan.append((kind, obj, best[1]))
            total += best[2]
        if best_plan is None or total < best_plan[0] - 1e-6:
            best_plan = (total, f, plan)
        if total < 1.0:
            break
    _, f, plan = best_plan
    ax.set_xlim(cx - hw * f, cx + hw * f)
    ax.set_ylim(cy - hh * f, cy + hh * f)
    inv = ax.transData.inverted()
    fbb = fig.bbox
    for kind, obj, box in plan:
        if kind == "legend":
            obj.set_loc(((box[0] - axbb.x0) / axbb.width, (box[1] - axbb.y0) / axbb.height))
        elif kind == "cbar":
            cax, dx, dy = obj
            pos = cax.get_position()
            cax.set_axes_locator(None)
            cax.set_position([(box[0] + dx) / fbb.width, (box[1] + dy) / fbb.height, pos.width, pos.height])
        elif kind == "scale":
            add_scale_bar(ax, at=tuple(inv.transform((box[0], box[1]))))
        elif kind == "north":
            add_north_arrow(ax, at=tuple(inv.transform((box[0], box[1]))))
    _declutter_labels(fig, ax, [b for _, _, b in plan])


def _declutter_labels(fig, ax, furniture) -> None:
    """Labels that would overprint: point labels move to another side of their point, others give way."""
    r = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if getattr(t, "_gap_label", 0) and t.get_visible()]
    texts.sort(key=lambda t: -t._gap_label)
    kept = [tuple(b) for b in furniture]

    def ext(t):
        bb = t.get_window_extent(r)
        return (bb.x0, bb.y0, bb.x1, bb.y1)

    def free(b):  # 2 px apart: labels that touch read as one (臺西鄉臺西)
        g = (b[0] - 2, b[1] - 2, b[2] + 2, b[3] + 2)
        return all(_boxes_overlap(g, k) <= 0.0 for k in kept)

    for t in texts:
        b = ext(t)
        if free(b):
            kept.append(b)
            continue
        ok = False
        if t._gap_label == 3:  # a point label: try the other sides of its point
            for (dx, dy), ha, va in (((-4, 3), "right", "bottom"), ((4, -3), "left", "top"),
                                     ((-4, -3), "right", "top"), ((0, 6), "center", "bottom"),
                                     ((0, -6), "center", "top")):
                t.xyann = (dx, dy)
                t.set_ha(ha)
                t.set_va(va)
                b = ext(t)
                if free(b):
                    ok = True
                    break
        if not ok:
            t.set_visible(False)
        else:
            kept.append(b)


def check_static_options(formats: Sequence[str], dpi, *, dpi_range: tuple[int, int] = DPI_RANGE
                         ) -> tuple[tuple[str, ...], int]:
    """``(formats, dpi)`` checked: formats among :data:`STATIC_FORMATS` (lower case, no dot, each once),
    ``dpi`` a whole number in ``dpi_range`` (:data:`DPI_RANGE`); an :class:`InputError` naming the bad one
    otherwise."""
    if isinstance(formats, str):
        formats = (formats,)
    out: list[str] = []
    for f in formats:
        fmt = str(f).lower().lstrip(".")
        if fmt not in STATIC_FORMATS:
            raise InputError(f"unknown static format {f!r}", where="static",
                             fix="use " + ", ".join(STATIC_FORMATS))
        if fmt not in out:
            out.append(fmt)
    lo, hi = dpi_range
    if isinstance(dpi, bool) or not isinstance(dpi, (int, np.integer)) or not lo <= dpi <= hi:
        raise InputError(f"dpi {dpi!r} is not a whole number from {lo} to {hi}", where="dpi",
                         fix=f"give a resolution from {lo} to {hi} dots per inch (150 for the screen, 300 for print)")
    return tuple(out), int(dpi)


def save_static(fig, path_without_suffix, *, formats: Sequence[str] = ("png", "pdf"), dpi: int = 300,
                scale_bar: bool = True, north_arrow: bool = True) -> list[Path]:
    """Place legends, colour bars, scale bar and north arrow off the county's land (zooming out if
    needed), keep labels from overprinting, then write ``path.png`` and ``path.pdf`` (``formats``).

    ``dpi`` (10 to 1200) is the resolution of the PNG (an A4 page at 300 dpi is
    2481 x 3507 pixels, at 150 dpi 1240 x 1754) and of raster layers inside a PDF; PDF text
    and lines are vector at any ``dpi``. The layout is computed once, at the figure's own
    dpi, so every format and resolution shows the same map. PDF text is embedded TrueType
    (fonttype 42), no creation date is written (PNG: only ``Software``; PDF:
    ``CreationDate=None``), so the same map gives the same bytes. Returns the paths written.
    """
    formats, dpi = check_static_options(formats, dpi, dpi_range=_SAVE_DPI_RANGE)
    base = Path(path_without_suffix)
    if base.suffix.lower() in (".png", ".pdf"):
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    state = getattr(fig, "_geoairplan", {"title": "", "decorated": False})
    ax = fig.axes[0]
    if state.get("layout") != "chart":  # a map has no axis labels (a chart keeps them)
        _no_axis_labels(ax)
    if not state.get("decorated"):
        _place_furniture(fig, ax, scale_bar=scale_bar, north_arrow=north_arrow)
        state["decorated"] = True
        fig._geoairplan = state
    out = []
    for fmt in formats:
        p = base.with_suffix("." + fmt)
        if fmt == "png":
            meta = {"Software": "geoairplan (matplotlib)", "Title": state.get("title", "")}
        elif fmt == "pdf":
            meta = {"Creator": "geoairplan (matplotlib)", "Producer": "geoairplan (matplotlib)",
                    "CreationDate": None, "Title": state.get("title", "")}
        else:  # svg
            meta = {"Date": None, "Creator": "geoairplan (matplotlib)"}
        with matplotlib.rc_context({"pdf.fonttype": 42, "svg.hashsalt": "geoairplan", "svg.fonttype": "path"}):
            fig.savefig(p, format=fmt, dpi=dpi, metadata=meta, facecolor="white")
        out.append(p)
    return out


def plot_class_raster(ax, array, transform_or_extent, breaks: Sequence[float], colors: Sequence[str], *,
                      alpha: float = 0.85, zorder: float = 3):
    """A raster in EPSG:3826 painted on classes (``colors[i]`` between ``breaks[i-1]`` and ``breaks[i]``,
    :func:`geoairplan.maps.style.class_rgba`), NaN transparent; the same pixels as the web map's overlay."""
    a = np.asarray(array, dtype=float)
    if a.ndim != 2:
        raise InputError(f"a raster must be 2-D, got shape {a.shape}")
    t = transform_or_extent
    if hasattr(t, "a") and hasattr(t, "e"):
        rows, cols = a.shape
        extent = (t.c, t.c + t.a * cols, t.f + t.e * rows, t.f)
    else:
        extent = tuple(float(v) for v in t)
    rgba = style.class_rgba(a, breaks, colors)
    im = ax.imshow(rgba, extent=extent, origin="upper", alpha=alpha, zorder=zorder, interpolation="nearest")
    xl, yl = ax.get_xlim(), ax.get_ylim()
    ax.set_xlim(xl)
    ax.set_ylim(yl)
    return im
