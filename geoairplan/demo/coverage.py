"""Demo step: coverage maps and reports of the three seed counties under ``outdir/coverage/<county>/``."""

from __future__ import annotations

from pathlib import Path

from geoairplan import publish
from geoairplan.coverage import coverage_analysis
from geoairplan.demo.entry import MapEntry
from geoairplan.reference.geography import SEED_COUNTIES

__all__ = ["demo_maps"]

_SLUG = {"屏東縣": "pingtung", "雲林縣": "yunlin", "澎湖縣": "penghu"}


def demo_maps(outdir, *, offline: bool = False) -> list[MapEntry]:
    """Coverage maps and reports of 屏東縣, 雲林縣 and 澎湖縣 under ``outdir/coverage/<county>/``.

    Parameters
    ----------
    outdir : str or Path
        The demo's output folder.
    offline : bool
        Self-contained web maps.

    Returns
    -------
    list of MapEntry
        Per county: the web map, the static map and the agreement table.
    """
    outdir = Path(outdir)
    entries = []
    for county in SEED_COUNTIES:
        res = coverage_analysis(county)
        d = outdir / "coverage" / _SLUG.get(county, county)
        publish.write(res, d, offline=offline)
        rel = d.relative_to(outdir)
        s = res.summary()
        scen = res.meta.scenario
        differ = ("、".join(f"{x['township']} ({x['official']}→{x['computed']} {x['computed_share']:.0%})"
                           for x in s["differences"]) or "none") if res.report is not None else "no official table"
        agree = f"{s['agree']} of {s['townships']} townships agree" if res.report is not None else ""
        entries += [
            MapEntry(str(rel / "coverage_map.html"), f"{county} 測站涵蓋區域：官方 vs 最近測站",
                     f"Voronoi cells of {', '.join(s['stations'])} (EPSG:3826) and the official table; "
                     f"{agree}; differ: {differ}", "web", scen),
            MapEntry(str(rel / "coverage_map.png"), f"{county} 測站涵蓋區域（靜態圖）",
                     "A4 map for plan documents: townships coloured by nearest station, differing townships "
                     "hatched", "static", scen),
            MapEntry(str(rel / "agreement.csv"), f"{county} 涵蓋區域比對表",
                     "township by township: official station, nearest station, area shares", "data", scen),
        ]
    return entries
