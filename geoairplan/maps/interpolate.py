"""Maps of interpolated surfaces (web and static), and the demo step.

* :func:`surface_web_map`: Folium map with the surface as an image overlay
  (reprojected to Web Mercator so cells sit where they belong), the level
  polygons in the regulation's colours with the level legend, the colour bar
  and the stations with their values.
* :func:`surface_static_map`: the same for plan documents (A4 PNG).
* :func:`demo_maps`: the interpolated scenario hour under ``outdir/interpolate/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geoairplan.maps.surfaces import raster_to_web

__all__ = ["surface_web_map", "surface_static_map", "demo_maps"]

_METHOD_ZH = {"idw": "反距離加權 IDW", "kriging": "普通克利金 Ordinary kriging", "rbf": "徑向基函數 RBF"}
_POLL = {"pm2.5": "PM2.5", "pm10": "PM10", "o3": "O3", "so2": "SO2", "no2": "NO2", "co": "CO"}


def _title(s) -> str:
    poll = _POLL.get(s.pollutant or "", (s.pollutant or "").upper())
    avg = {"24h_moving": " 24小時移動平均", "8h_moving": " 8小時移動平均"}.get(s.averaging or "", "")
    where = s.grid.name if s.grid.name not in ("", "region", "stations") else ""
    scen = "（情境 scenario）" if s.label == "scenario" else (f"（{s.label}）" if s.label else "")
    return f"{where} {poll}{avg} 內插濃度 {s.time or ''}{scen}".strip()


def _source(s) -> str:
    src = "資料來源：" + ("情境資料（非實測）scenario data, not measurements" if s.label == "scenario"
                        else "環境部空氣品質測站")
    return (f"{src}；{_METHOD_ZH.get(s.method, s.method)}，網格 {s.grid.cell_size:g} m (EPSG:3826)；"
            "等級門檻：空氣品質嚴重惡化警告發布及緊急防制辦法 (2022)")


def _unit(s) -> str:
    return {"ug/m3": "µg/m³"}.get(s.unit or "", s.unit or "")


def _range(s, thresholds):
    v = s.values[np.isfinite(s.values)]
    if not v.size:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    return (lo, hi if hi > lo else lo + 1.0)


def _where(s):
    if s.grid.counties:
        return {"county": list(s.grid.counties) if len(s.grid.counties) > 1 else s.grid.counties[0]}
    import geopandas as gpd
    w, so, e, n = s.bounds
    b = gpd.GeoSeries.from_xy([w, e], [so, n], crs=3826).to_crs(4326).total_bounds
    return {"bounds": tuple(float(v) for v in b)}


def surface_web_map(surface, *, levels=None, stations=None, thresholds=None, offline: bool = False):
    """A Folium map of a surface: image overlay, level polygons + legend, colour bar, stations."""
    from geoairplan.maps import web

    m = web.web_map(_title(surface), source=_source(surface), offline=offline, **_where(surface))
    arr, b = raster_to_web(surface.values, surface.transform)
    lo, hi = _range(surface, thresholds)
    web.add_raster(m, arr, b, scheme="concentration", vmin=lo, vmax=hi,
                   name=f"內插濃度 Surface ({_unit(surface)})", opacity=0.75)
    web.add_colorbar(m, "concentration", lo, hi, f"{_POLL.get(surface.pollutant, surface.pollutant)} "
                                                 f"({_unit(surface)})")
    if levels is not None and len(levels):
        lv = levels.copy()
        lv["範圍"] = [f"≥ {a:g}" + (f" 且 < {b:g}" if np.isfinite(b) else "") + f" {_unit(surface)}"
                    for a, b in zip(lv["lower"], lv["upper"])]
        web.add_polygons(m, lv[["level", "level_zh", "範圍", "area_km2", "geometry"]], name="預警等級範圍 Levels",
                         color_col="level", fill_opacity=0.35, weight=1.5,
                         tooltip_cols=["level_zh", "範圍", "area_km2"],
                         aliases={"level_zh": "等級", "area_km2": "面積 km²"})
    web.add_level_legend(m, "預警等級 Warning level" + ("（情境）" if surface.label == "scenario" else ""),
                         include=("none", "L1", "L2", "S1", "S2", "S3"))
    if stations is not None and len(stations):
        st = stations.copy()
        st["數值"] = [f"{v:.1f} {_unit(surface)}" if np.isfinite(v) else "無資料 no data" for v in st["value"]]
        web.add_points(m, st[["station", "數值", "geometry"]], name="測站 Stations", tooltip_col=["station", "數值"],
                       aliases={"station": "測站"}, color="#222222", radius=5)
    return m


def surface_static_map(surface, path, *, levels=None, stations=None, thresholds=None) -> Path:
    """An A4 PNG of the surface with level outlines, stations and legends; returns the PNG path."""
    from geoairplan.maps import static

    fig, ax = static.static_map(_title(surface), source=_source(surface), **_where(surface),
                                subtitle="空白處：距測站過遠或縣界外 blank: too far from any station, or outside the county")
    lo, hi = _range(surface, thresholds)
    im = static.plot_raster(ax, surface.values, surface.transform, scheme="concentration", vmin=lo, vmax=hi,
                            alpha=0.85)
    static.add_colorbar_static(ax, im, caption=f"{_POLL.get(surface.pollutant, surface.pollutant)} "
                                               f"({_unit(surface)})")
    if levels is not None and len(levels):
        static.plot_polygons(ax, levels, color_col="level", alpha=0.3, edgecolor="#333333", linewidth=0.8,
                             zorder=6)
    static.add_level_legend_static(ax, "預警等級" + ("（情境）" if surface.label == "scenario" else ""),
                                   include=("none", "L1", "L2", "S1", "S2", "S3"))
    if stations is not None and len(stations):
        st = stations.copy()
        st["lab"] = [f"{n} {v:.0f}" if np.isfinite(v) else f"{n} –" for n, v in zip(st["station"], st["value"])]
        static.plot_points(ax, st, color="#222222", size=18, labels_col="lab")
    out = static.save_static(fig, Path(path).with_suffix(""), formats=("png",))
    import matplotlib.pyplot as plt
    plt.close(fig)
    return out[0]


def demo_maps(outdir, *, offline: bool = False):
    """The scenario episode's peak hour of 24-h PM2.5 over 屏東縣, kriged at 500 m, with levels and stats."""
    from geoairplan import datasets
    from geoairplan.demo import MapEntry
    from geoairplan.interpolate.series import interpolate_observations, station_values

    outdir = Path(outdir)
    d = outdir / "interpolate"
    src = datasets.data_dir() / "scenario" / "episode_scenario.csv"
    county = "屏東縣"
    # the hour when the county's stations peak (24-h moving average), one hour only: fast
    sv = station_values(src, "pm2.5", average="24h")
    cols = [c for c, cty in zip(sv.points["station"], sv.points["county"]) if cty == county]
    peak = sv.values[cols].max(axis=1).idxmax()
    run = interpolate_observations(src, "pm2.5", "kriging", county=county, cell_size=500, hours=[peak],
                                   average="24h", label="scenario", source=str(src.name))
    paths = run.write(d, offline=offline)
    rel = lambda p: str(Path(p).relative_to(outdir))  # noqa: E731
    s = run.mapped
    top = run.townships.sort_values("max", ascending=False).iloc[0]
    lv = ", ".join(f"{r.level} {r.area_km2:.0f} km²" for r in run.levels.itertuples()) or "no level reached"
    by = {Path(p).suffix: p for p in paths}
    tif = [p for p in paths if Path(p).suffix == ".tif"][0]
    cv = run.cv.summary() if run.cv is not None else None
    entries = [
        MapEntry(rel(d / f"{run.stem}_map.html"), f"{county} PM2.5 24小時平均 克利金內插（情境）{s.time}",
                 f"ordinary kriging ({s.params['variogram']['model']}) of the scenario 24-h PM2.5 at 500 m with "
                 f"level polygons ({lv}); highest township {top['township']} max {top['max']:.0f} µg/m³",
                 "web", True),
        MapEntry(rel(by[".png"]), f"{county} PM2.5 內插濃度（情境，靜態圖）",
                 "A4 static map of the kriged surface, level outlines and stations", "static", True),
        MapEntry(rel(tif), "PM2.5 內插 GeoTIFF (EPSG:3826)（情境）",
                 "band 1 kriged 24-h PM2.5 (µg/m³), band 2 kriging variance; nodata outside 屏東縣", "data", True),
        MapEntry(rel(by[".gpkg"]), "預警等級範圍 GeoPackage（情境）",
                 "level polygons at the 2022 regulation's 24-h PM2.5 thresholds, clipped to the county", "data", True),
        MapEntry(rel(d / f"{run.stem}_townships.csv"),
                 "鄉鎮內插統計（情境）", "per township: mean, max and highest level of the kriged surface",
                 "data", True),
    ]
    if cv is not None:
        entries.append(MapEntry(rel(d / f"{run.stem}_cv.csv"), "留一交叉驗證（情境）",
                                f"leave-one-out over {cv['n']} stations: RMSE {cv['rmse']:.1f}, "
                                f"MAE {cv['mae']:.1f}, bias {cv['bias']:+.1f} µg/m³", "data", True))
    return entries
