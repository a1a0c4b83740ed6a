"""Demo step (issue #16): method selection by cross-validation, and where to put the next sensors.

Writes under ``outdir/siting/`` with :func:`geoairplan.publish.write`:

* ``method_auto/``: the scenario episode's peak 24-h PM2.5 hour over 屏東縣,
  every candidate method cross-validated (table, predicted-vs-observed and
  variogram figures), the lowest leave-one-out RMSE mapped;
* ``pingtung_variance/``: five new sites that most reduce 屏東縣's mean kriging
  variance (ranked CSV, GeoPackage, variance before/after GeoTIFFs, web and A4 maps);
* ``yunlin_plume/``: five sites that best see the hotspot scenario's sources
  downwind (雲林縣).

The inputs are the embedded scenario files, which declare themselves
scenario data: every output and entry says so (from ``result.meta``).
"""

from __future__ import annotations

from pathlib import Path

from geoairplan import publish
from geoairplan.demo import MapEntry
from geoairplan.interpolate.series import interpolate_observations, station_values
from geoairplan.interpolate.site import plume_analysis, site_analysis
from geoairplan.reference.geography import data_dir

__all__ = ["demo_maps"]


def demo_maps(outdir, *, offline: bool = False) -> list[MapEntry]:
    """Method selection, variance siting (屏東縣) and plume siting (雲林縣) on the scenario data.

    Parameters
    ----------
    outdir : str or Path
        The demo folder; files go under ``outdir/siting/``.
    offline : bool
        Self-contained web maps.

    Returns
    -------
    list of MapEntry
        One per output a person opens (paths relative to ``outdir``).
    """
    outdir = Path(outdir)
    base = outdir / "siting"
    scn = data_dir() / "scenario"
    src = scn / "episode_scenario.csv"
    county = "屏東縣"
    entries: list[MapEntry] = []
    # 1. method selection on the peak hour
    sv = station_values(src, "pm2.5", average="24h")
    cols = [c for c, cty in zip(sv.points["station"], sv.points["county"]) if cty == county]
    peak = sv.values[cols].max(axis=1).idxmax()
    res = interpolate_observations(src, "pm2.5", "auto", county=county, cell_size=2000, hours=[peak],
                                   average="24h", source=src.name)
    d = base / "method_auto"
    publish.write(res, d, offline=offline)
    rel = d.relative_to(outdir)
    sc, tag = res.meta.scenario, res.meta.tag
    sel = res.selection
    entries += [
        MapEntry(str(rel / f"{res.stem}_method_selection.csv"), f"內插方法交叉驗證 Method selection{tag}",
                 f"{len(sel.table)} candidates (IDW, kriging per variogram, RBF), leave-one-out and 5-fold; "
                 f"chosen {sel.choice}", "data", sc),
        MapEntry(str(rel / f"{res.stem}_cv_scatter.png"), f"預測 vs 觀測 Predicted vs observed{tag}",
                 f"cross-validation of {sel.choice}: leave-one-out and 5-fold, 1:1 line", "static", sc),
        MapEntry(str(rel / f"{res.stem}_map.html"), res.meta.display_title(),
                 f"the surface by the chosen method ({sel.choice}) at 2000 m", "web", sc),
    ]
    if sel.variograms:
        entries.append(MapEntry(str(rel / f"{res.stem}_variogram.png"), f"變異圖 Variogram fits{tag}",
                                "empirical bins with pair counts and every kriging model's fit", "static", sc))
    # 2. variance siting
    sr = site_analysis(src, county, n_add=5, cell_size=1000.0, source=str(src))
    d = base / "pingtung_variance"
    publish.write(sr, d, offline=offline)
    rel = d.relative_to(outdir)
    s = sr.summary()
    sc, tag = sr.meta.scenario, sr.meta.tag
    entries += [
        MapEntry(str(rel / "siting_map.html"), sr.meta.display_title(),
                 f"{s['sites']} ranked sites; mean kriging variance {s['objective_before']:.4g} -> "
                 f"{s['objective_after']:.4g} (-{s['reduction_pct']:.1f} %); SD before/after as layers", "web", sc),
        MapEntry(str(rel / "siting_map.png"), f"{county} 新測站建議位置（A4 規劃書用圖）{tag}",
                 "A4 map for the plan document: SD after, stations, sites by rank (PDF beside it)", "static", sc),
        MapEntry(str(rel / "sites.csv"), f"建議新站排序 Ranked sites{tag}",
                 "rank, TM2 x/y, township, gain, objective before/after, cumulative reduction", "data", sc),
    ]
    # 3. plume siting, the hotspot scenario
    pr = plume_analysis(scn / "sources_scenario.csv", scn / "sensors_scenario_wind.csv", "雲林縣", n_add=5,
                        spacing=1000.0)
    d = base / "yunlin_plume"
    publish.write(pr, d, offline=offline)
    rel = d.relative_to(outdir)
    p = pr.summary()
    sc, tag = pr.meta.scenario, pr.meta.tag
    entries += [
        MapEntry(str(rel / "plume_siting_map.html"), pr.meta.display_title(),
                 f"{p['sites']} sensors: plausible source locations seen downwind "
                 f"{100 * p['detected_before']:.1f} % -> {100 * p['detected_after']:.1f} %", "web", sc),
        MapEntry(str(rel / "plume_sites.csv"), f"煙流偵測建議位置 Plume sites{tag}",
                 "rank, TM2 x/y, township, detection before/after", "data", sc),
    ]
    return entries
