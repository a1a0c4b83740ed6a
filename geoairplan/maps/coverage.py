"""Maps of station coverage areas (web and static), built from a :class:`~geoairplan.coverage.CoverageResult`.

* :func:`web_map_of`: Folium map with the Voronoi cells, the townships
  coloured by their nearest station (the kit's categorical colours), the
  official coverage (where there is one), the townships where the two differ
  outlined in black, and popups with every station's share of the township.
* :func:`static_map_of`: the same for plan documents (A4, PNG + PDF).
* :func:`build`: both, as :class:`~geoairplan.maps.output.MapOutput` for
  :func:`geoairplan.publish.write`.

Title, legend titles and the provenance line come from ``result.meta``
(:meth:`~geoairplan.results.RunMeta.display_title`,
:meth:`~geoairplan.results.RunMeta.legend_title`,
:meth:`~geoairplan.results.RunMeta.source_line`), so scenario runs say so.
"""

from __future__ import annotations

import numpy as np
import geopandas as gpd
import shapely

from geoairplan.io.crs import TM2
from geoairplan.maps.output import MapOutput
from geoairplan.maps.static import add_static_legend, plot_geometries, plot_points, plot_polygons, static_map
from geoairplan.maps.style import categorical_colors
from geoairplan.maps.web import add_legend, add_points, add_polygons, web_map

__all__ = ["build", "web_map_of", "static_map_of", "station_colors", "SIMPLIFY_M", "MAP_NAME"]

#: Tolerance (m) of the coverage simplification of cells drawn on web maps.
SIMPLIFY_M = 25.0
#: File stem of the coverage maps (``coverage_map.html``, ``coverage_map.png``).
MAP_NAME = "coverage_map"
DIFFER_COLOR = "#111111"


def station_colors(res) -> dict:
    """``{station: colour}`` from the kit's categorical palette, over every station the maps show."""
    keys = set(res.cells["station"])
    if res.official is not None:
        keys |= set(res.official["station"])
    return categorical_colors(keys)


def _pct(v) -> str:
    return "" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{100 * float(v):.1f} %"


def _simplified(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Simplify polygons that tile (cells, townships) keeping shared edges shared (EPSG:3826 metres)."""
    g = gdf.to_crs(TM2).copy()
    try:
        g["geometry"] = shapely.coverage_simplify(g.geometry.to_numpy(), SIMPLIFY_M)
    except Exception:  # pragma: no cover - not a valid coverage: simplify each polygon
        g["geometry"] = g.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    return g


def _township_layer(res) -> gpd.GeoDataFrame:
    a = res.assignment.copy()
    a["share_pct"] = a["share"].map(_pct)
    a["majority_txt"] = np.where(a["majority"], "是 yes", "否 no (無過半測站 no majority)")
    if res.report is not None:
        rep = res.report.set_index("township")
        a["official_station"] = a["township"].map(rep["official_station"])
        a["official_share_pct"] = a["township"].map(rep["official_share"]).map(_pct)
        a["agree"] = a["township"].map(rep["agree"]).astype(bool)
        a["agree_txt"] = np.where(a["agree"], "一致 agree", "不一致 differ")
    return _simplified(a)


def build(res, *, static: bool = True) -> list[MapOutput]:
    """The coverage maps of ``res``: the web map and the A4 static map (PNG + PDF), both ``coverage_map``.

    Parameters
    ----------
    res : CoverageResult
    static : bool
        Also the static map (``False``: no figure is built).

    Returns
    -------
    list of MapOutput
    """
    title = res.meta.display_title()
    out = [MapOutput(MAP_NAME, "web", web_map_of(res), title)]
    if static:
        out.append(MapOutput(MAP_NAME, "static", static_map_of(res), title, formats=("png", "pdf")))
    return out


def web_map_of(res, *, offline: bool = False):
    """A Folium map of a :class:`~geoairplan.coverage.CoverageResult` (not yet saved)."""
    meta = res.meta
    colors = station_colors(res)
    m = web_map(meta.display_title(), source=meta.source_line(), county=res.county, offline=offline,
                townships=False)
    towns = _township_layer(res)
    pop = ["township", "station", "share_pct", "majority_txt", "shares"]
    aliases = {"township": "鄉鎮 Township", "station": "最近測站 Nearest station", "share_pct": "面積占比 Share",
               "majority_txt": "過半 Majority", "shares": "各測站面積占比 Shares",
               "official_station": "官方測站 Official station", "official_share_pct": "其面積占比 Its share",
               "agree_txt": "比對 Agreement", "area_km2": "面積 km²", "share_of_county": "占全縣 Of county",
               "townships": "最近之鄉鎮 Townships", "county": "縣市 County", "used": "使用 Used"}
    if res.report is not None:
        pop += ["official_station", "official_share_pct", "agree_txt"]
    add_polygons(m, towns, name="鄉鎮：最近測站 Townships by nearest station", color_col="station",
                 color_map=colors, fill_opacity=0.55, tooltip_cols=["township", "station", "share_pct"],
                 popup_cols=pop, aliases=aliases, line_color="#555555", weight=0.8)
    if res.official is not None:
        add_polygons(m, towns, name="鄉鎮：官方涵蓋 Official coverage", color_col="official_station",
                     color_map=colors, fill_opacity=0.55, tooltip_cols=["township", "official_station"],
                     popup_cols=pop, aliases=aliases, line_color="#555555", weight=0.8, show=False)
    cells = res.cells.copy()
    cells["share_of_county"] = cells["share_of_county"].map(_pct)
    cells["area_km2"] = cells["area_km2"].round(1)
    cells["townships"] = cells["station"].map(
        res.assignment.groupby("station")["township"].agg("、".join)).fillna("")
    add_polygons(m, _simplified(cells), name="計算涵蓋 Voronoi cells", color_col="station", color_map=colors,
                 fill_opacity=0.0, weight=2.5, tooltip_cols="station",
                 popup_cols=["station", "area_km2", "share_of_county", "townships"], aliases=aliases)
    dis = towns[~towns["agree"]] if "agree" in towns.columns else towns.iloc[0:0]
    if len(dis):
        dis = dis.assign(_hi=True)
        add_polygons(m, dis, name="官方與最近測站不一致 Official ≠ nearest", color=DIFFER_COLOR,
                     fill_opacity=0.15, highlight_col="_hi", tooltip_cols=["township", "agree_txt"],
                     popup_cols=pop, aliases=aliases)
    st = res.stations[res.stations["used"]].copy()
    st["used"] = "是 yes"
    add_points(m, st, name="測站 Stations", tooltip_col="station", popup_cols=["station", "county", "township"],
               color_col="station", color_map=colors, radius=7, outline="#000000",
               aliases={**aliases, "township": "所在鄉鎮 Township"})
    items = [(f"{s} 站", c, {"alpha": 0.6}) for s, c in colors.items()]
    items.append(("測站 Station", "#ffffff", {"kind": "point", "marker": "^", "edgecolor": "black"}))
    if len(dis):
        items.append(("粗黑框：官方≠最近 thick outline: official ≠ nearest", DIFFER_COLOR))
    add_legend(m, items, meta.legend_title("測站 Station"))
    return m


def static_map_of(res):
    """An A4 figure for plan documents: townships by nearest station, cells, differing townships."""
    meta = res.meta
    colors = station_colors(res)
    differ = res.disagreements if res.report is not None else None
    sub = None
    if differ is not None:
        sub = (f"官方涵蓋表與最近測站一致 {int(res.report['agree'].sum())}/{len(res.report)} 鄉鎮"
               + (f"；不一致：{'、'.join(differ['township'])}" if len(differ) else ""))
    fig, ax = static_map(meta.display_title(), source=meta.source_line(), county=res.county, subtitle=sub)
    plot_polygons(ax, res.assignment, color_col="station", color_map=colors, edgecolor="#777777",
                  linewidth=0.4, alpha=0.6, zorder=5)
    # cell boundaries (Voronoi edges inside the county)
    plot_geometries(ax, res.cells.boundary, color="#222222", linewidth=1.3, zorder=12)
    items = [(f"{s} 站", c, {"alpha": 0.6}) for s, c in colors.items()]
    items.append(("測站 Station", "#ffffff", {"kind": "point", "marker": "^", "edgecolor": "black"}))
    if differ is not None and len(differ):
        plot_geometries(ax, differ, facecolor="none", edgecolor=DIFFER_COLOR, linewidth=1.8, hatch="///",
                        zorder=14)
        plot_polygons(ax, differ, color="#ffffff", edgecolor=DIFFER_COLOR, linewidth=0.0, alpha=0.0,
                      labels_col="township", zorder=15, label_size=7.5)
        items.append(("斜線：官方 ≠ 最近測站 hatched: official ≠ nearest", "#ffffff",
                      {"hatch": "///", "edgecolor": DIFFER_COLOR}))
    st = res.stations[res.stations["used"]]
    plot_points(ax, st, color_col="station", color_map=colors, size=70, marker="^", edgecolor="black",
                labels_col="station", label_size=8)
    add_static_legend(ax, items, meta.legend_title("鄉鎮著色 = 最近測站 Nearest station"))
    return fig
