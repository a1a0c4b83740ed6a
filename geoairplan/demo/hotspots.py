"""Demo step of the hotspots capability: real township emissions and the scenario sources and sensors.

Writes under ``outdir/hotspots/`` with :func:`geoairplan.publish.write`:

* ``yunlin_declared/``: Yunlin's declared emissions by township (real data,
  002 Table 2.27) with Gi* bins and the printed-total check;
* ``scenario_sources/``: the scenario point sources on the 1 km grid, Gi*
  and the kernel density GeoTIFF;
* ``scenario_suspects/``: scenario micro-sensors and the ranked upwind sources.

The scenario files declare themselves scenario data (``data_kind`` / ``DATA``
column), so their outputs are labelled from the data, not from a flag.
"""

from __future__ import annotations

from pathlib import Path

from geoairplan import datasets
from geoairplan.demo import MapEntry
from geoairplan.hotspots.report import hotspot_analysis, suspect_analysis, township_hotspots
from geoairplan.publish import write

__all__ = ["demo_maps"]


def demo_maps(outdir, *, offline: bool = False) -> list[MapEntry]:
    """Yunlin's township emission map (real, 002 Table 2.27) and the scenario hotspot and suspect maps.

    Parameters
    ----------
    outdir : str or Path
        The demo folder; files go under ``outdir/hotspots/``.
    offline : bool
        Self-contained web maps (no CDN, no tiles).

    Returns
    -------
    list of MapEntry
        One per output a person opens (paths relative to ``outdir``).
    """
    outdir = Path(outdir)
    base = outdir / "hotspots"
    entries = []
    # 1. real data: declared emissions by township, Yunlin (002 Table 2.27)
    res = township_hotspots(None, pollutant="nox")
    d = base / "yunlin_declared"
    write(res, d, offline=offline)
    rel = d.relative_to(outdir)
    chk = res.total_check.set_index("pollutant")
    sc = res.meta.scenario
    entries += [
        MapEntry(str(rel / "hotspots.html"), res.meta.display_title("雲林縣 各鄉鎮市申報排放量 NOx 與 Gi* 熱點"),
                 f"002 表2.27 (108 Q4) by township with Getis-Ord Gi* bins; county total "
                 f"{chk.at['nox', 'sum_of_townships']:,.2f} t vs printed {chk.at['nox', 'printed_total']:,.0f} t",
                 "web", sc),
        MapEntry(str(rel / "hotspots.png"), res.meta.display_title("雲林縣 申報排放量 Gi* 熱點（靜態圖）"),
                 "A4 static map of the township Gi* bins, for plan documents", "static", sc),
        MapEntry(str(rel / "total_check.csv"), "雲林縣 表2.27 鄉鎮合計與表列總計核對",
                 "sum of township rows vs the printed county total, per pollutant", "data", sc),
    ]
    # 2. scenario: sources on the grid, Gi*, kernel density (the file says it is scenario data)
    scen = datasets.data_dir() / "scenario"
    res2 = hotspot_analysis(scen / "sources_scenario.csv", county="雲林縣", pollutant="nox")
    d2 = base / "scenario_sources"
    write(res2, d2, offline=offline)
    rel2 = d2.relative_to(outdir)
    sc2 = res2.meta.scenario
    tag2 = "_scenario" if sc2 else ""
    entries += [
        MapEntry(str(rel2 / f"hotspots{tag2}.html"),
                 res2.meta.display_title("雲林縣 情境污染源 NOx：1 km 網格、Gi* 與核密度"),
                 "scenario point sources (placed by rule at township points) on the TEDS-aligned 1 km grid, "
                 f"Gi* bins and a kernel density surface (h = {res2.params['bandwidth_m']:,.0f} m)", "web", sc2),
        MapEntry(str(rel2 / f"kde_nox{tag2}.tif"), res2.meta.display_title("情境污染源 NOx 核密度 GeoTIFF (EPSG:3826)"),
                 "kernel density of scenario NOx emissions, t/yr/km2", "data", sc2),
    ]
    # 3. scenario: micro-sensors and suspicious sources (the files say they are scenario data)
    sa = suspect_analysis(scen / "sensors_scenario.csv", scen / "sensors_scenario_wind.csv",
                          scen / "sources_scenario.csv", facilities=datasets.load_facilities("雲林縣"))
    d3 = base / "scenario_suspects"
    write(sa, d3, offline=offline)
    rel3 = d3.relative_to(outdir)
    sc3 = sa.meta.scenario
    tag3 = "_scenario" if sc3 else ""
    top = sa.upwind.ranking.head(1)
    first = f"{top['name'].iloc[0]} ({top['township'].iloc[0]})" if len(top) else "none"
    entries += [
        MapEntry(str(rel3 / f"suspects{tag3}.html"), sa.meta.display_title("微型感測器異常與上風可疑污染源"),
                 f"{len(sa.anomaly.flagged)} flagged sensor(s); ranked upwind sources, first: {first}", "web", sc3),
        MapEntry(str(rel3 / f"suspects{tag3}.png"), sa.meta.display_title("可疑污染源（靜態圖）"),
                 "static map of flagged sensors, upwind sectors and the top-10 suspects", "static", sc3),
        MapEntry(str(rel3 / f"suspects{tag3}.csv"), sa.meta.display_title("可疑污染源清單"),
                 "the suspicious-source list an inspector takes to the field", "data", sc3),
    ]
    return entries
