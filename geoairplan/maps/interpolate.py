"""Maps of an interpolation result (web and static), built from the result only.

* :func:`build`: the maps of an :class:`~geoairplan.interpolate.InterpolationResult`
  (``<stem>_map`` as a web page and as an A4 PNG + PDF), for :func:`geoairplan.publish.write`.
* :func:`surface_web_map`: Folium map with the surface as an image overlay
  (reprojected to Web Mercator so cells sit where they belong) painted on the
  regulation's classes (:func:`surface_classes`: colour steps at the thresholds of
  the pollutant and averaging shown, never a ramp stretched to the data's
  minimum and maximum), the level polygons outlined in the same colours, one
  legend of the classes with their ranges, and the stations coloured by the
  class of their value.
* :func:`surface_static_map`: the same for plan documents (an A4 matplotlib figure).

Titles, legends and the source line come from ``result.meta``
(:class:`~geoairplan.results.RunMeta`): scenario data are labelled there, in one place.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geoairplan.errors import InputError
from geoairplan.interpolate.levels import level_thresholds
from geoairplan.maps import static, style, web
from geoairplan.maps.charts import plot_predicted_observed, plot_variogram
from geoairplan.maps.output import MapOutput
from geoairplan.maps.surfaces import raster_to_web
from geoairplan.reference.pollutants import LABELS, unit_label
from geoairplan.results import RunMeta

__all__ = ["build", "surface_classes", "surface_web_map", "surface_static_map", "add_probability_layers"]

_METHOD_ZH = {"idw": "反距離加權 IDW", "kriging": "普通克利金 Ordinary kriging", "rbf": "徑向基函數 RBF"}


def _poll(code: str | None) -> str:
    if not code:
        return ""
    return LABELS[code].split(" ")[0] if code in LABELS else code


def _source(s, meta: RunMeta) -> str:
    return (f"{meta.source_line()}；{_METHOD_ZH.get(s.method, s.method)}，網格 {s.grid.cell_size:g} m (EPSG:3826)；"
            "等級門檻：空氣品質嚴重惡化警告發布及緊急防制辦法 (2022)")


_AVERAGING_ZH = {"1h": "小時值", "8h_moving": "8小時移動平均", "24h_moving": "24小時移動平均", "24h": "日平均"}


def _nice_up(x: float) -> float:
    if not np.isfinite(x) or x <= 0:
        return 1.0
    e = 10 ** np.floor(np.log10(x))
    return float(next(m * e for m in (1, 2, 5, 10) if m * e >= x))


def surface_classes(surface, thresholds=None) -> dict:
    """The colour classes a concentration surface is painted on.

    Parameters
    ----------
    surface : geoairplan.interpolate.Surface
        The surface (its pollutant, averaging and unit choose the thresholds).
    thresholds : pandas.DataFrame, optional
        The regulation's thresholds in the surface's unit (default
        :func:`geoairplan.interpolate.levels.level_thresholds` of the surface).

    Returns
    -------
    dict
        ``breaks`` and ``colors`` (one more colour than breaks: ``colors[i]`` for values in
        ``[breaks[i-1], breaks[i])``), legend ``items`` (label with range, colour), the legend
        ``title`` and ``kind``: ``"levels"`` (the regulation's warning levels in
        :data:`geoairplan.maps.style.LEVEL_COLORS`, ``none`` below the first threshold), ``"aqi"``
        (MOENV's AQI classes and colours) or ``"fixed"`` (a pollutant without thresholds: ten equal
        steps of a fixed 0-based scale, its top a round number, never the data's minimum).
    """
    unit = unit_label(surface.unit)
    code = (surface.pollutant or "").lower()
    if code == "aqi":
        breaks, colors = style.aqi_classes()
        return {"kind": "aqi", "breaks": breaks, "colors": colors, "items": style.aqi_legend_items(),
                "title": "AQI 空氣品質指標（環境部分級 MOENV classes）"}
    if thresholds is None and surface.pollutant:
        try:
            thresholds = level_thresholds(surface.pollutant, averaging=surface.averaging or "1h", unit=surface.unit)
        except InputError:
            thresholds = None
    if thresholds is not None and len(thresholds):
        breaks, codes = style.level_classes(thresholds)
        avg = str(thresholds["averaging"].iloc[0]) if "averaging" in thresholds.columns else ""
        if "indicative" in str(thresholds.attrs.get("note", "")):
            title = (f"{_poll(surface.pollutant)}（{unit}），依{_AVERAGING_ZH.get(avg, avg)}門檻僅供參考 indicative："
                     "預警等級 Warning level")
        else:
            title = f"{_poll(surface.pollutant)} {_AVERAGING_ZH.get(avg, avg)}（{unit}）預警等級 Warning level"
        return {"kind": "levels", "breaks": breaks, "colors": [style.LEVEL_COLORS[c] for c in codes],
                "items": style.class_legend_items(thresholds, unit), "title": title}
    v = surface.values[np.isfinite(surface.values)]
    top = _nice_up(float(v.max()) if v.size else 1.0)
    breaks = [top * i / 10 for i in range(1, 10)]
    colors = style.sequential_colors([top * (i + 0.5) / 10 for i in range(10)], "concentration", 0, top)
    items = [(f"{lo:g}–{hi:g} {unit}", c) for lo, hi, c in zip([0.0] + breaks, breaks + [top], colors)]
    return {"kind": "fixed", "breaks": breaks, "colors": colors, "items": items[::-1],
            "title": f"{_poll(surface.pollutant)}（{unit}）無預警門檻 no warning thresholds"}


def _station_colors(values, cls) -> list[str]:
    idx = np.searchsorted(np.asarray(cls["breaks"], float), np.asarray(values, float), side="right")
    return [cls["colors"][i] if np.isfinite(v) else style.NODATA_COLOR for i, v in zip(idx, values)]


def _where(s):
    if s.grid.counties:
        return {"county": list(s.grid.counties) if len(s.grid.counties) > 1 else s.grid.counties[0]}
    w, so, e, n = s.bounds
    b = gpd.GeoSeries.from_xy([w, e], [so, n], crs=3826).to_crs(4326).total_bounds
    return {"bounds": tuple(float(v) for v in b)}


def surface_web_map(surface, meta: RunMeta, *, levels=None, stations=None, offline: bool = False,
                    thresholds=None):
    """A Folium map of a surface: image overlay, level polygons + legend, colour bar, stations.

    Parameters
    ----------
    surface : geoairplan.interpolate.Surface
        The surface shown.
    meta : geoairplan.results.RunMeta
        Title, scenario label and source line.
    levels : geopandas.GeoDataFrame, optional
        Level polygons of the surface's hour.
    stations : geopandas.GeoDataFrame, optional
        ``station``, ``value`` and points.
    offline : bool
        Build for a self-contained page (no tiles; land drawn from the embedded counties).
    thresholds : pandas.DataFrame, optional
        The regulation's thresholds the classes use (:func:`surface_classes`).

    Returns
    -------
    folium.Map
    """
    unit = unit_label(surface.unit)
    cls = surface_classes(surface, thresholds)
    m = web.web_map(meta.display_title(), source=_source(surface, meta), offline=offline, **_where(surface))
    arr, b = raster_to_web(surface.values, surface.transform)
    web.add_raster(m, arr, b, classes=(cls["breaks"], cls["colors"]), name=f"內插濃度 Surface ({unit})",
                   opacity=0.75)
    grids = [(f"{_poll(surface.pollutant)} 內插值 Value", arr)]
    if getattr(surface, "variance", None) is not None:  # click → value and kriging standard error
        grids.append(("克利金標準誤 Kriging SE", raster_to_web(np.sqrt(np.clip(surface.variance, 0, None)),
                                                             surface.transform)[0]))
    web.add_value_readout(m, grids, b, unit=unit, decimals=1)
    if levels is not None and len(levels):
        lv = levels.copy()
        lv["範圍"] = [f"≥ {a:g}" + (f" 且 < {b:g}" if np.isfinite(b) else "") + f" {unit}"
                    for a, b in zip(lv["lower"], lv["upper"])]
        # outlined in the level's colour (the surface under them is already painted on the same classes)
        web.add_polygons(m, lv[["level", "level_zh", "範圍", "area_km2", "geometry"]], name="預警等級範圍 Levels",
                         color_col="level", fill_opacity=0.0, weight=2,
                         tooltip_cols=["level_zh", "範圍", "area_km2"],
                         aliases={"level_zh": "等級", "area_km2": "面積 km²"})
    web.add_legend(m, cls["items"], meta.legend_title(cls["title"]))
    if stations is not None and len(stations):
        st = stations.copy()
        st["數值"] = [f"{v:.1f} {unit}" if np.isfinite(v) else "無資料 no data" for v in st["value"]]
        st["_c"] = _station_colors(st["value"].to_numpy(float), cls)
        web.add_points(m, st[["station", "數值", "_c", "geometry"]], name="測站 Stations",
                       tooltip_col=["station", "數值"], aliases={"station": "測站"}, color_col="_c", radius=6,
                       outline="#222222")
    return m


def surface_static_map(surface, meta: RunMeta, *, levels=None, stations=None, thresholds=None):
    """An A4 figure of the surface with level outlines, stations and legends (not yet saved).

    Parameters
    ----------
    surface : geoairplan.interpolate.Surface
        The surface shown.
    meta : geoairplan.results.RunMeta
        Title, scenario label and source line.
    levels, stations, thresholds : optional
        As for :func:`surface_web_map`.

    Returns
    -------
    matplotlib.figure.Figure
        Saved by :func:`geoairplan.maps.static.save_static` (PNG and PDF).
    """
    fig, ax = static.static_map(meta.display_title(), source=_source(surface, meta), **_where(surface),
                                subtitle="空白處：距測站過遠或縣界外 blank: too far from any station, or outside the county")
    cls = surface_classes(surface, thresholds)
    static.plot_class_raster(ax, surface.values, surface.transform, cls["breaks"], cls["colors"], alpha=0.85)
    if levels is not None and len(levels):
        lv = levels.copy()
        lv["_edge"] = [style.level_color(c) for c in lv["level"]]
        static.plot_geometries(ax, lv, facecolor="none", edgecolor=lv["_edge"].tolist(), linewidth=1.0, zorder=6)
    static.add_static_legend(ax, cls["items"], meta.legend_title(cls["title"]))
    if stations is not None and len(stations):
        st = stations.copy()
        st["lab"] = [f"{n} {v:.0f}" if np.isfinite(v) else f"{n} –" for n, v in zip(st["station"], st["value"])]
        st["_c"] = _station_colors(st["value"].to_numpy(float), cls)
        static.plot_points(ax, st, color_col="_c", size=22, labels_col="lab", edgecolor="#222222")
    return fig


def add_probability_layers(m, exceedance: dict, meta: RunMeta) -> None:
    """One web-map layer per level threshold: P(Z >= threshold) of the mapped hour, 0-1, model-based.

    Parameters
    ----------
    m : folium.Map
        The surface's web map.
    exceedance : dict of str to Raster
        :func:`~geoairplan.interpolate.probability.exceedance_rasters` (``p_L1`` ...).
    meta : geoairplan.results.RunMeta
        For the legend's scenario tag.
    """
    for k, r in exceedance.items():
        arr, b = raster_to_web(r.values, r.transform)
        web.add_raster(m, arr, b, scheme="concentration", vmin=0.0, vmax=1.0, opacity=0.75, show=False,
                       name=f"超標機率（模式推估）Exceedance probability, model-based: {r.name}")
    if exceedance:
        web.add_colorbar(m, "concentration", 0.0, 1.0,
                         meta.legend_title("超標機率 P(Z ≥ 門檻)（克利金模式推估 model-based）"))


def _chart(fig, title: str):
    """A chart, not a map: its title wrapped to the figure's width; :func:`~geoairplan.maps.static.save_static`
    keeps its axis labels and adds no km scale bar or north arrow."""
    ax = fig.axes[0]
    fig.tight_layout()
    pos = ax.get_position()  # the title is centred on the axes, not the page: wrap to what fits both sides
    centre = pos.x0 + pos.width / 2
    ax.set_title("\n".join(static._wrap(fig, title, ax.title.get_fontproperties(), 2 * min(centre, 1 - centre) - 0.02)))
    fig.tight_layout()
    fig._geoairplan = {"title": title, "layout": "chart", "decorated": True}
    return fig


def build(result, *, offline: bool = False, static: bool = True) -> list[MapOutput]:
    """The maps of an interpolation result: ``<stem>_map`` as a web page and as an A4 PNG + PDF.

    Parameters
    ----------
    result : geoairplan.interpolate.InterpolationResult
        The run; its mapped hour, level polygons and stations are shown.
    offline : bool
        Build the web map for a self-contained page.
    static : bool
        Also the static figures (``False``: none is built).

    Returns
    -------
    list of MapOutput
    """
    s, meta = result.mapped, result.meta
    levels = result.levels_at(s.time)
    stations = result.station_table()
    thr = getattr(result, "thresholds", None)
    title = meta.display_title()
    web_m = surface_web_map(s, meta, levels=levels, stations=stations, offline=offline, thresholds=thr)
    if getattr(result, "exceedance", None):
        add_probability_layers(web_m, result.exceedance, meta)
    out = [MapOutput(f"{result.stem}_map", "web", web_m, title)]
    if not static:
        return out
    out.append(MapOutput(f"{result.stem}_map", "static",
                         surface_static_map(s, meta, levels=levels, stations=stations, thresholds=thr),
                         title, formats=("png", "pdf")))
    sel = getattr(result, "selection", None)
    if sel is not None:  # --method auto: the figures users expect from kriging tools
        unit = unit_label(s.unit)
        t1 = meta.display_title(f"交叉驗證 預測 vs 觀測 Cross-validation: {sel.choice}（{s.time}）")
        out.append(MapOutput(f"{result.stem}_cv_scatter", "static",
                             _chart(plot_predicted_observed(sel, title=t1, unit=unit), t1), t1, formats=("png",)))
        if sel.variograms:
            t2 = meta.display_title(f"變異圖 Variogram fits and bins（{s.time}）")
            out.append(MapOutput(f"{result.stem}_variogram", "static",
                                 _chart(plot_variogram(sel, title=t2, unit=unit), t2), t2, formats=("png",)))
    return out
