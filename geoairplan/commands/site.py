"""``geoairplan site``: where to put the next stations or sensors (kriging variance; plume detection)."""

from __future__ import annotations

import argparse

from geoairplan.commands import add_output_args, map_options, number, report

DESCRIPTION = """\
Where would the next station (or micro-sensor) help most? Ordinary kriging gives
a variance per cell that depends only on where the stations are and on the
variogram, so the benefit of a new station can be computed before it exists.
This command fits the variogram to --obs (pooled over its hours), takes the
stations with a value in the chosen hour, and adds --add sites one at a time,
each the candidate that most reduces the county's weighted mean kriging
variance given the ones before (greedy; --weights cells: every land cell the
same, area: by land area, township: every township the same).

--plume also ranks sites for detecting a plume from plausible source locations
(--sources, TEDS-style table; --wind, MOENV hourly wind): a location is seen
by a sensor within --reach metres downwind of it (±30° of the wind direction).

Writes to --out: sites.csv (ranked: rank, x, y, township, gain, objective
before/after, cumulative reduction %), siting.gpkg (EPSG:3826: sites, stations),
variance_before.tif and variance_after.tif (kriging variance, (unit)²),
siting_map.html (+ .embed.html), siting_map.png (A4, 150 dpi; for the plan
document: --static png+pdf --dpi 300), summary.txt, problems.csv (if any); with --plume, plume/ with
plume_sites.csv, plume_siting.gpkg and plume_siting_map.*.

Without --obs the embedded scenario episode (data/scenario/episode_scenario.csv)
is used, and without --sources / --wind the hotspot scenario (雲林縣): every
output then says scenario.
"""

EPILOG = """\
examples:
  geoairplan site --county 屏東縣 --candidates grid --add 5 --out out/pt_sites
  geoairplan site --county 屏東縣 --obs obs.csv --pollutant pm2.5 --weights township --add 3 --out out/s
  geoairplan site --county 屏東縣 --candidates sites.csv --add 2 --out out/mine
  geoairplan site --county 雲林縣 --obs data/scenario/sensors_scenario_wind.csv --pollutant pm2.5 \\
      --plume --add 5 --out out/yl_plume

--candidates CSV: lon/lat (EPSG:4326) or x/y (TWD97 TM2 metres, EPSG:3826), optional name.
"""


def add_parser(sub) -> None:
    p = sub.add_parser("site", help="where to put the next sensors: kriging variance reduction, plume detection",
                       description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--county", required=True, help="county or city whose cells are the target (台 = 臺)")
    p.add_argument("--candidates", default="grid", metavar="FILE|grid",
                   help="candidate sites: a CSV, or 'grid' (default: centres of a grid over the county's land, "
                        "--spacing apart)")
    p.add_argument("--add", type=number(int, low=1), default=5, metavar="N", help="sites to add (default 5)")
    p.add_argument("--weights", default="cells", choices=["cells", "area", "township"],
                   help="weighting of the mean kriging variance (default cells)")
    p.add_argument("--obs", metavar="FILE", help="MOENV hourly data the variogram and stations come from "
                                                 "(default: the embedded scenario episode)")
    p.add_argument("--pollutant", default="pm2.5", help="pollutant of --obs (default pm2.5)")
    p.add_argument("--average", default="1h", choices=["1h", "8h", "24h"], help="averaging (default 1h)")
    p.add_argument("--hour", metavar="TIME", help="the hour whose stations count (default: the hour with most "
                                                  "stations reporting)")
    p.add_argument("--variogram", default="spherical",
                   choices=["spherical", "exponential", "gaussian", "linear", "power"], help="default spherical")
    p.add_argument("--cell", type=number(float, low=0, low_open=True, high=20_000, unit="m"), default=1000.0, metavar="M",
                   help="target cell size in metres (default 1000)")
    p.add_argument("--spacing", type=number(float, low=0, low_open=True, unit="m"), metavar="M",
                   help="candidate grid spacing in metres (default twice --cell; 1000 for --plume)")
    g = p.add_argument_group("plume detection")
    g.add_argument("--plume", action="store_true", help="also rank sites for plume detection")
    g.add_argument("--sources", metavar="FILE", help="source table (default: the hotspot scenario's sources)")
    g.add_argument("--wind", metavar="FILE", help="MOENV hourly wind (default: the hotspot scenario's wind)")
    g.add_argument("--reach", type=number(float, low=0, low_open=True, unit="m"), default=5000.0, metavar="M",
                   help="a sensor sees a source within M metres downwind (default 5000)")
    add_output_args(p, no_maps_help="tables, layers and rasters only")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from geoairplan import publish
    from geoairplan.io.paths import inside
    from geoairplan.interpolate.site import plume_analysis, site_analysis
    from geoairplan.reference.geography import data_dir

    t0 = time.perf_counter()
    scn = data_dir() / "scenario"
    obs = args.obs or str(scn / "episode_scenario.csv")
    res = site_analysis(obs, args.county, pollutant=args.pollutant, average=args.average, hour=args.hour,
                        n_add=args.add, candidates=args.candidates, weights=args.weights, cell_size=args.cell,
                        candidate_spacing=args.spacing, variogram_model=args.variogram, source=obs,
                        scenario=args.scenario)
    files = publish.write(res, args.out, **map_options(args))
    print(res.summary_text())
    if res.meta.scenario:
        print(res.meta.source_line())
    problems = res.problems
    if args.plume:
        sources = args.sources or str(scn / "sources_scenario.csv")
        wind = args.wind or str(scn / "sensors_scenario_wind.csv")
        pr = plume_analysis(sources, wind, args.county, n_add=args.add, candidates=args.candidates,
                            spacing=args.spacing or 1000.0, reach=args.reach, scenario=args.scenario)
        pfiles = publish.write(pr, inside(args.out, "plume"), **map_options(args))
        files = {**files, **{f"plume/{k}": v for k, v in pfiles.items()}}
        print(pr.summary_text())
        for r in pr.sites.itertuples(index=False):
            print(f"  {r.rank}. ({r.x:.0f}, {r.y:.0f}) {r.township}: detected {100 * r.detected_after:.1f} %")
        if pr.meta.scenario:
            print(pr.meta.source_line())
        problems = type(problems)()
        problems.extend(res.problems)
        problems.extend(pr.problems)
    report(problems, files, args.out, t0=t0)
    return 0
