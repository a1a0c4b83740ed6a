"""Maps of an interpolation result (web and static), built from the result only.

* :func:`build`: the maps of an :class:`~geoairplan.interpolate.InterpolationResult`
  (``<stem>_map`` as a web page and as an A4 PNG + PDF), for :func:`geoairplan.publish.write`.
* :func:`surface_web_map`: Folium map with the surface as an image overlay
  (reprojected to Web Mercator so cells sit where they belong), the level
  polygons in the regulation's colours with the level legend, the colour bar
  and the stations with their values.
* :func:`surface_static_map`: the same for plan documents (an A4 matplotlib figure).

Titles, legends and the source line come from ``result.meta``
(:class:`~geoairplan.results.RunMeta`): scenario data are labelled there, in one place.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from geoairplan.maps import static, web
from geoairplan.maps.output import MapOutput
from geoairplan.maps.surfaces import raster_to_web
from geoairplan.reference.pollutants import LABELS, unit_label
from geoairplan.results import RunMeta

__all__ = ["build", "surface_web_map", "surface_static_map"]

_METHOD_ZH = {"idw": "反距離加權 IDW", "kriging": "普通克利金 Ordinary kriging", "rbf": "徑向基函數 RBF"}
_LEVELS_SHOWN = ("none", "L1", "L2", "S1", "S2", "S3")


def _poll(code: str | None) -> str:
    if not code:
        return ""
    return LABELS[code].split(" ")[0] if code in LABELS else code


def _source(s, meta: RunMeta) -> str:
    return (f"{meta.source_line()}；{_METHOD_ZH.get(s.method, s.method)}，網格 {s.grid.cell_size:g} m (EPSG:3826)；"
            "等級門檻：空氣品質嚴重惡化警告發布及緊急防制辦法 (2022)")


def _range(s):
    v = s.values[np.isfinite(s.values)]
    if not v.size:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    return (lo, hi if hi > lo else lo + 1.0)


def _where(s):
    if s.grid.counties:
        return {"county": list(s.grid.counties) if len(s.grid.counties) > 1 else s.grid.counties[0]}
    w, so, e, n = s.bounds
    b = gpd.GeoSeries.from_xy([w, e], [so, n], crs=3826).to_crs(4326).total_bounds
    return {"bounds": tuple(float(v) for v in b)}


def surface_web_map(surface, meta: RunMeta, *, levels=None, stations=None, offline: bool = False):
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

    Returns
    -------
    folium.Map
    """
    unit = unit_label(surface.unit)
    m = web.web_map(meta.display_title(), source=_source(surface, meta), offline=offline, **_where(surface))
    arr, b = raster_to_web(surface.values, surface.transform)
    lo, hi = _range(surface)
    web.add_raster(m, arr, b, scheme="concentration", vmin=lo, vmax=hi, name=f"內插濃度 Surface ({unit})",
                   opacity=0.75)
    web.add_colorbar(m, "concentration", lo, hi, f"{_poll(surface.pollutant)} ({unit})")
    grids = [(f"{_poll(surface.pollutant)} 內插值 Value", arr)]
    if getattr(surface, "variance", None) is not None:  # click → value and kriging standard error
        grids.append(("克利金標準誤 Kriging SE", raster_to_web(np.sqrt(np.clip(surface.variance, 0, None)),
                                                             surface.transform)[0]))
    web.add_value_readout(m, grids, b, unit=unit, decimals=1)
    if levels is not None and len(levels):
        lv = levels.copy()
        lv["範圍"] = [f"≥ {a:g}" + (f" 且 < {b:g}" if np.isfinite(b) else "") + f" {unit}"
                    for a, b in zip(lv["lower"], lv["upper"])]
        web.add_polygons(m, lv[["level", "level_zh", "範圍", "area_km2", "geometry"]], name="預警等級範圍 Levels",
                         color_col="level", fill_opacity=0.35, weight=1.5,
                         tooltip_cols=["level_zh", "範圍", "area_km2"],
                         aliases={"level_zh": "等級", "area_km2": "面積 km²"})
    web.add_level_legend(m, meta.legend_title("預警等級 Warning level"), include=_LEVELS_SHOWN)
    if stations is not None and len(stations):
        st = stations.copy()
        st["數值"] = [f"{v:.1f} {unit}" if np.isfinite(v) else "無資料 no data" for v in st["value"]]
        web.add_points(m, st[["station", "數值", "geometry"]], name="測站 Stations", tooltip_col=["station", "數值"],
                       aliases={"station": "測站"}, color="#222222", radius=5)
    return m


def surface_static_map(surface, meta: RunMeta, *, levels=None, stations=None):
    """An A4 figure of the surface with level outlines, stations and legends (not yet saved).

    Parameters
    ----------
    surface : geoairplan.interpolate.Surface
        The surface shown.
    meta : geoairplan.results.RunMeta
        Title, scenario label and source line.
    levels, stations : geopandas.GeoDataFrame, optional
        As for :func:`surface_web_map`.

    Returns
    -------
    matplotlib.figure.Figure
        Saved by :func:`geoairplan.maps.static.save_static` (PNG and PDF).
    """
    fig, ax = static.static_map(meta.display_title(), source=_source(surface, meta), **_where(surface),
                                subtitle="空白處：距測站過遠或縣界外 blank: too far from any station, or outside the county")
    lo, hi = _range(surface)
    im = static.plot_raster(ax, surface.values, surface.transform, scheme="concentration", vmin=lo, vmax=hi,
                            alpha=0.85)
    static.add_colorbar_static(ax, im, caption=f"{_poll(surface.pollutant)} ({unit_label(surface.unit)})")
    if levels is not None and len(levels):
        static.plot_polygons(ax, levels, color_col="level", alpha=0.3, edgecolor="#333333", linewidth=0.8,
                             zorder=6)
    static.add_level_legend_static(ax, meta.legend_title("預警等級"), include=_LEVELS_SHOWN)
    if stations is not None and len(stations):
        st = stations.copy()
        st["lab"] = [f"{n} {v:.0f}" if np.isfinite(v) else f"{n} –" for n, v in zip(st["station"], st["value"])]
        static.plot_points(ax, st, color="#222222", size=18, labels_col="lab")
    return fig


def build(result, *, offline: bool = False) -> list[MapOutput]:
    """The maps of an interpolation result: ``<stem>_map`` as a web page and as an A4 PNG + PDF.

    Parameters
    ----------
    result : geoairplan.interpolate.InterpolationResult
        The run; its mapped hour, level polygons and stations are shown.
    offline : bool
        Build the web map for a self-contained page.

    Returns
    -------
    list of MapOutput
    """
    s, meta = result.mapped, result.meta
    levels = result.levels_at(s.time)
    stations = result.station_table()
    title = meta.display_title()
    return [
        MapOutput(f"{result.stem}_map", "web",
                  surface_web_map(s, meta, levels=levels, stations=stations, offline=offline), title),
        MapOutput(f"{result.stem}_map", "static", surface_static_map(s, meta, levels=levels, stations=stations),
                  title, formats=("png", "pdf")),
    ]
