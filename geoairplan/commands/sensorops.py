"""``geoairplan sensorops``: micro-sensor anomalies, persistence per 1 km cell and Gi* over an archive (Dask)."""

from __future__ import annotations

import argparse
import time

from geoairplan.commands import add_output_args, number
from geoairplan.commands.jobs import add_job_args


def add_parser(sub) -> None:
    p = sub.add_parser("sensorops", help="micro-sensor operations over an archive: anomalies, persistence, Gi*",
                       description="Each sensor against its k nearest neighbours at every time step, anomaly "
                                   "flags, persistence of anomalies per 1 km TM2 cell and Gi* on that grid "
                                   "(one Dask task per month partition).")
    add_job_args(p)
    p.add_argument("--k", type=number(int, low=1), default=5, help="neighbours (default 5)")
    p.add_argument("--threshold", type=number(float), default=3.0, help="robust z threshold (default 3)")
    p.add_argument("--min-excess", type=number(float, low=0), default=5.0, help="ug/m3 above the median (5)")
    p.add_argument("--min-fraction", type=number(float, low=0, low_open=True, high=1), default=0.5,
                   help="share of evaluated steps for a flag (0.5)")
    p.add_argument("--cell", type=number(float, low=0, low_open=True, unit="m"), default=1000.0,
                   help="persistence grid cell (m, default 1000)")
    p.add_argument("--permutations", type=number(int, low=0), default=99, help="Gi* permutations (99)")
    p.add_argument("--no-anomalies", action="store_true",
                   help="leave out the table of every anomalous sensor-step (long periods: it can be huge)")
    g = p.add_argument_group("upwind suspicious sources (with --sources)")
    g.add_argument("--sources", metavar="SOURCES",
                   help="point-source CSV (TEDS columns): rank the sources upwind of the flagged sensors in their "
                        "anomalous hours (the ranking of geoairplan suspects)")
    g.add_argument("--wind", metavar="OBS",
                   help="MOENV hourly file with wind_speed/wind_direc (default: the archive's MOENV wind)")
    g.add_argument("--facilities", metavar="FILE",
                   help="facility list with townships (no coordinates), or 'embedded:COUNTY'")
    g.add_argument("--crs", default="EPSG:3826", help="CRS of the sources' UTM_E/UTM_N (EPSG:3826)")
    g.add_argument("--pollutant", default="pm25", help="emission used in the score (pm25)")
    g.add_argument("--half-width", type=number(float, low=0, low_open=True, high=180), default=30.0,
                   help="upwind sector half-width, degrees (30)")
    g.add_argument("--max-distance", type=number(float, low=0, low_open=True, unit="m"), default=5000.0,
                   help="upwind distance, metres (5000)")
    add_output_args(p, no_maps_help="no maps (none yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from geoairplan.commands import report
    from geoairplan.commands.jobs import end_exclusive
    from geoairplan.engine import engine
    from geoairplan.errors import InputError
    from geoairplan.hotspots.operations import sensor_operations, upwind_suspects
    from geoairplan.publish import write

    t0 = time.perf_counter()
    if (args.wind or args.facilities) and not args.sources:
        raise InputError("--wind/--facilities are for the upwind ranking, which needs --sources", where="sources",
                         fix="add --sources SOURCES (point sources, TEDS columns)")
    src, wind, fac = _upwind_inputs(args) if args.sources else (None, None, None)
    with engine(args.scheduler, workers=args.workers, progress=args.progress) as eng:
        print(f"running on {eng.describe()}")
        res = sensor_operations(args.archive, start=args.start, end=end_exclusive(args.end), k=args.k,
                                threshold=args.threshold, min_excess=args.min_excess,
                                min_fraction=args.min_fraction, cell_size=args.cell,
                                permutations=args.permutations, engine=eng, anomalies=not args.no_anomalies,
                                hourly=src is not None)
    if src is not None:
        res = upwind_suspects(res, wind, src, facilities=fac, pollutant=args.pollutant, half_width=args.half_width,
                              max_distance_m=args.max_distance)
    if args.scenario and not res.meta.scenario:
        res = replace(res, meta=res.meta.with_(scenario=True))
    files = write(res, args.out, maps=False)
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0


def _upwind_inputs(args):
    """(sources, wind, facilities) of the upwind ranking: files read, wind from --wind or the archive."""
    from geoairplan import datasets
    from geoairplan.errors import InputError
    from geoairplan.commands.jobs import end_exclusive
    from geoairplan.hotspots.upwind import read_wind, wind_observations
    from geoairplan.io.archive import read_rows
    from geoairplan.io.facilities import read_facilities
    from geoairplan.io.sources import read_sources

    src = read_sources(args.sources, crs=args.crs)
    if args.wind:
        wind = read_wind(args.wind)
    else:
        try:
            tidy = read_rows(args.archive, "moenv", start=args.start, end=end_exclusive(args.end),
                             pollutants=["wind_speed", "wind_direc"])
        except InputError:
            tidy = None
        if tidy is None or tidy.empty:
            raise InputError("the archive holds no MOENV wind for the period", where="wind",
                             fix="give --wind OBS (a MOENV hourly file with wind_speed and wind_direc), or import "
                                 "MOENV hourly files with wind into the archive")
        wind = wind_observations(tidy, source=str(args.archive))
    fac = args.facilities
    if fac and fac.startswith("embedded:"):
        fac = datasets.load_facilities(fac.split(":", 1)[1] or None)
    elif fac:
        fac = read_facilities(fac)
    return src, wind, fac
