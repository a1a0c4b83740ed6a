"""Maps of station coverage areas (web and static), and the demo step.

* :func:`coverage_web_map`: Folium map with the Voronoi cells, the townships
  coloured by their nearest station (the kit's categorical colours), the
  official coverage (where there is one), the townships where the two differ
  outlined in black, and popups with every station's share of the township.
* :func:`coverage_static_map`: the same for plan documents (A4, PNG + PDF).
* :func:`demo_maps`: 屏東縣, 雲林縣 and 澎湖縣 coverage maps and reports under
  ``outdir/coverage/<county>/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import geopandas as gpd
import shapely

from geoairplan.io.crs import TM2

__all__ = ["coverage_web_map", "coverage_static_map", "station_colors", "demo_maps", "SIMPLIFY_M"]

#: Tolerance (m) of the coverage simplification of cells drawn on web maps.
SIMPLIFY_M = 25.0
DIFFER_COLOR = "#111111"
_SLUG = {"屏東縣": "pingtung", "雲林縣": "yunlin", "澎湖縣": "penghu"}


def station_colors(res) -> dict:
    """``{station: colour}`` from the kit's categorical palette, over every station the maps show."""
    from geoairplan.maps import categorical_colors

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


def _title(res) -> str:
    p = f"（{res.pollutant}）" if res.pollutant else ""
    return f"{res.county} 空氣品質測站涵蓋區域{p} Station coverage areas"


def _source(res) -> str:
    s = "資料來源：環境部測站位置；內政部鄉鎮市區界；涵蓋區域 = 最近測站 (Voronoi, EPSG:3826)"
    if res.params.get("official_source"):
        s += "；官方涵蓋表 " + str(res.params["official_source"])
    return s


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


def coverage_web_map(res, path, *, offline: bool = False) -> Path:
    """A Folium map of a :class:`~geoairplan.coverage.CoverageResult`, saved to ``path`` (.html)."""
    from geoairplan.maps import add_legend, add_points, add_polygons, save_map, web_map

    colors = station_colors(res)
    m = web_map(_title(res), source=_source(res), county=res.county, offline=offline, townships=False)
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
    items = [(f"{s} 站", c) for s, c in colors.items()]
    if len(dis):
        items.append(("粗黑框：官方≠最近 thick outline: official ≠ nearest", DIFFER_COLOR))
    add_legend(m, items, "測站 Station")
    info = save_map(m, path, offline=offline)
    return Path(info["path"])


def coverage_static_map(res, path) -> Path:
    """An A4 map for plan documents: townships by nearest station, cells, differing townships (PNG + PDF)."""
    from geoairplan.maps import add_static_legend, plot_points, plot_polygons, save_static, static_map

    colors = station_colors(res)
    differ = res.disagreements if res.report is not None else None
    sub = None
    if differ is not None:
        sub = (f"官方涵蓋表與最近測站一致 {int(res.report['agree'].sum())}/{len(res.report)} 鄉鎮"
               + (f"；不一致：{'、'.join(differ['township'])}" if len(differ) else ""))
    fig, ax = static_map(_title(res), source=_source(res), county=res.county, subtitle=sub)
    plot_polygons(ax, res.assignment, color_col="station", color_map=colors, edgecolor="#777777",
                  linewidth=0.4, alpha=0.6, zorder=5)
    # cell boundaries (Voronoi edges inside the county)
    res.cells.boundary.plot(ax=ax, color="#222222", linewidth=1.3, zorder=12)
    items = [(f"{s} 站", c) for s, c in colors.items()]
    if differ is not None and len(differ):
        differ.plot(ax=ax, facecolor="none", edgecolor=DIFFER_COLOR, linewidth=1.8, hatch="///", zorder=14)
        plot_polygons(ax, differ, color="#ffffff", edgecolor=DIFFER_COLOR, linewidth=0.0, alpha=0.0,
                      labels_col="township", zorder=15, label_size=7.5)
        items.append(("斜線：官方 ≠ 最近測站 hatched: official ≠ nearest", "#ffffff"))
    st = res.stations[res.stations["used"]]
    plot_points(ax, st, color_col="station", color_map=colors, size=70, marker="^", edgecolor="black",
                labels_col="station", label_size=8)
    add_static_legend(ax, items, "鄉鎮著色 = 最近測站 Nearest station")
    ax.set_xlabel("")  # geopandas labels the axes after the CRS; the frame has no ticks
    ax.set_ylabel("")
    save_static(fig, Path(path).with_suffix(""))
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Path(path).with_suffix(".png")


def demo_maps(outdir, *, offline: bool = False):
    """Coverage maps and reports of the three seed counties under ``outdir/coverage/``."""
    from geoairplan.coverage import coverage_analysis, write_coverage_outputs
    from geoairplan.datasets import SEED_COUNTIES
    from geoairplan.demo import MapEntry

    outdir = Path(outdir)
    entries = []
    for county in SEED_COUNTIES:
        res = coverage_analysis(county)
        d = outdir / "coverage" / _SLUG.get(county, county)
        write_coverage_outputs(res, d, offline=offline)
        rel = d.relative_to(outdir)
        s = res.summary()
        differ = ("、".join(f"{x['township']} ({x['official']}→{x['computed']} {x['computed_share']:.0%})"
                           for x in s["differences"]) or "none") if res.report is not None else "no official table"
        agree = f"{s['agree']} of {s['townships']} townships agree" if res.report is not None else ""
        entries += [
            MapEntry(str(rel / "coverage_map.html"), f"{county} 測站涵蓋區域：官方 vs 最近測站",
                     f"Voronoi cells of {', '.join(s['stations'])} (EPSG:3826) and the official table; "
                     f"{agree}; differ: {differ}", "web"),
            MapEntry(str(rel / "coverage_map.png"), f"{county} 測站涵蓋區域（靜態圖）",
                     "A4 map for plan documents: townships coloured by nearest station, differing townships "
                     "hatched", "static"),
            MapEntry(str(rel / "agreement.csv"), f"{county} 涵蓋區域比對表",
                     "township by township: official station, nearest station, area shares", "data"),
        ]
    return entries
