"""Demo step: the scenario episode's peak hour of 24-h PM2.5 over 屏東縣, kriged at 500 m, with the
exceedance probability of every level and the model-based township zones at 80 % confidence (issue #16)."""

from __future__ import annotations

from pathlib import Path

from geoairplan import publish
from geoairplan.demo import MapEntry
from geoairplan.interpolate.series import interpolate_observations, station_values
from geoairplan.reference.geography import data_dir

__all__ = ["demo_maps"]


def demo_maps(outdir, *, offline: bool = False) -> list[MapEntry]:
    """Krige the scenario episode's peak hour and write it under ``outdir/interpolate/``.

    Parameters
    ----------
    outdir : str or Path
        The demo's output folder.
    offline : bool
        Self-contained web map.

    Returns
    -------
    list of MapEntry
        The web map (with a probability layer per level), the A4 map, the GeoTIFF,
        the level polygons, the township statistics, the leave-one-out errors, the
        exceedance-probability GeoTIFFs and the model-based zones; ``scenario`` from
        ``result.meta``.
    """
    outdir = Path(outdir)
    d = outdir / "interpolate"
    src = data_dir() / "scenario" / "episode_scenario.csv"
    county = "屏東縣"
    # the hour when the county's stations peak (24-h moving average), one hour only: fast
    sv = station_values(src, "pm2.5", average="24h")
    cols = [c for c, cty in zip(sv.points["station"], sv.points["county"]) if cty == county]
    peak = sv.values[cols].max(axis=1).idxmax()
    res = interpolate_observations(src, "pm2.5", "kriging", county=county, cell_size=500, hours=[peak],
                                   average="24h", label="scenario", source=str(src.name), confidence=0.8)
    files = publish.write(res, d, offline=offline)
    rel = lambda name: f"interpolate/{name}"  # noqa: E731
    meta, s = res.meta, res.mapped
    scen = meta.scenario
    tag = "（情境）" if scen else ""
    data_word = "scenario " if scen else ""
    top = res.townships.sort_values("max", ascending=False).iloc[0]
    lv = ", ".join(f"{r.level} {r.area_km2:.0f} km²" for r in res.levels.itertuples()) or "no level reached"
    tif = next(n for n in files if n.endswith(".tif"))
    entries = [
        MapEntry(rel(f"{res.stem}_map.html"), f"{county} PM2.5 24小時平均 克利金內插{tag}{s.time}",
                 f"ordinary kriging ({s.params['variogram']['model']}) of the {data_word}24-h PM2.5 at 500 m with "
                 f"level polygons ({lv}); highest township {top['township']} max {top['max']:.0f} µg/m³",
                 "web", scen),
        MapEntry(rel(f"{res.stem}_map.png"), f"{county} PM2.5 內插濃度（{'情境，' if scen else ''}靜態圖）",
                 "A4 static map of the kriged surface, level outlines and stations (PNG; PDF beside it)",
                 "static", scen),
        MapEntry(rel(tif), f"PM2.5 內插 GeoTIFF (EPSG:3826){tag}",
                 "band 1 kriged 24-h PM2.5 (µg/m³), band 2 kriging variance; nodata outside 屏東縣", "data", scen),
        MapEntry(rel(res.gpkg_name), f"預警等級範圍 GeoPackage{tag}",
                 "level polygons at the 2022 regulation's 24-h PM2.5 thresholds, clipped to the county; "
                 "stations with their values", "data", scen),
        MapEntry(rel(f"{res.stem}_townships.csv"), f"鄉鎮內插統計{tag}",
                 "per township: mean, max and highest level of the kriged surface", "data", scen),
    ]
    if res.cv is not None:
        cv = res.cv.summary()
        entries.append(MapEntry(rel(f"{res.stem}_cv.csv"), f"留一交叉驗證{tag}",
                                f"leave-one-out over {cv['n']} stations: RMSE {cv['rmse']:.1f}, "
                                f"MAE {cv['mae']:.1f}, bias {cv['bias']:+.1f} µg/m³", "data", scen))
    if res.exceedance:
        t = res.raster_tag(s)
        for lv, r in res.exceedance.items():
            entries.append(MapEntry(rel(f"{res.stem}_{t}_{lv}.tif"), f"超標機率 {r.tags['level']} {r.tags['level_zh']}"
                                    f"（模式推估 model-based）{tag}",
                                    f"P(24-h PM2.5 >= {r.tags['threshold']} µg/m³) per cell, Gaussian kriging errors; "
                                    "also a layer of the web map", "data", scen))
        z = res.zones
        entries.append(MapEntry(rel(f"{res.stem}_zones_{res.confidence_tag}.csv"),
                                f"模式推估預警鄉鎮（信賴 80 %）Model-based zones{tag}",
                                f"{len(z)} township(s) whose area-weighted 24-h PM2.5 reaches a level with P >= 0.8 "
                                "(block kriging); beside, never instead of, the regulation's station rule",
                                "data", scen))
        entries.append(MapEntry(rel(f"{res.stem}_township_exceedance.csv"), f"鄉鎮超標機率{tag}",
                                "per township and level: P(area-weighted mean >= threshold), estimate and SD",
                                "data", scen))
    return entries
