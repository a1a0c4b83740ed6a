"""The warnings step of ``geoairplan demo``: the embedded scenario episode for 屏東縣 and 雲林縣.

The episode (``data/scenario/episode_scenario.csv`` and ``forecast_scenario.csv``,
made up by ``scripts/make_scenario_episode.py``) declares itself scenario data in
its ``data_kind`` column, so every output says so (titles, legends, source
lines, the CSV ``data_kind`` column): the labels come from ``result.meta``,
not from this module or a file name. Outputs go to
``outdir/warnings/<county slug>/`` through :func:`geoairplan.publish.write`.
"""

from __future__ import annotations

from pathlib import Path

from geoairplan import datasets, publish
from geoairplan.demo import MapEntry
from geoairplan.io import read_moenv_hourly
from geoairplan.warnings import run_warnings

__all__ = ["demo_maps", "COUNTIES"]

#: The counties the demo evaluates, with the folder each one's outputs go to.
COUNTIES = {"屏東縣": "pingtung", "雲林縣": "yunlin"}


def demo_maps(outdir, *, offline: bool = False) -> list[MapEntry]:
    """Run the scenario episode for each of :data:`COUNTIES` and write everything.

    Parameters
    ----------
    outdir : str or Path
        The demo's output folder; this step writes under ``outdir/warnings/``.
    offline : bool
        Self-contained web maps (no CDN, no tiles).

    Returns
    -------
    list of MapEntry
        Per county: the episode web map, the peak-hour map, the decisions and the
        notification list, with ``scenario`` from ``result.meta.scenario``.
    """
    outdir = Path(outdir)
    scen = datasets.data_dir() / "scenario"
    obs = read_moenv_hourly(scen / "episode_scenario.csv")
    entries: list[MapEntry] = []
    for county, slug in COUNTIES.items():
        res = run_warnings(obs, county=county, forecast=scen / "forecast_scenario.csv")
        d = outdir / "warnings" / slug
        publish.write(res, d, offline=offline)
        rel = d.relative_to(outdir).as_posix()
        meta = res.meta
        cc = res.command_centre
        must = ", ".join(cc.loc[cc["decision"] == "must", "date"]) or "none"
        may = ", ".join(cc.loc[cc["decision"] == "may", "date"]) or "none"
        pk = res.peak_time()
        hours = res.levels["time"].nunique()
        entries += [
            MapEntry(f"{rel}/episode_map.html", meta.display_title(f"{county} 預警區域逐時 Warning zones by hour"),
                     f"{meta.data_kind} episode, {hours} hours: townships coloured by warning level hour by hour "
                     f"(time slider); command centre must set up on {must}, may on {may}", "web", meta.scenario),
            MapEntry(f"{rel}/peak.png", meta.display_title(f"{county} 尖峰時段預警區域 Peak-hour zones"),
                     f"A4 map of {pk:%Y-%m-%d %H:%M}" if pk is not None else "A4 map of the episode", "static",
                     meta.scenario),
            MapEntry(f"{rel}/decisions.csv", meta.display_title(f"{county} 指揮中心與調降解除 Decisions"),
                     "per day: command centre (Art. 7) and may-lower / may-lift events (Art. 14)", "data",
                     meta.scenario),
            MapEntry(f"{rel}/notifications.csv", meta.display_title(f"{county} 通報名單 Who to notify"),
                     "designated facilities, hospitals and health stations per day and level", "data",
                     meta.scenario),
        ]
    return entries
