"""``geoairplan gridstats``: per 1 km cell and month mean, 95th percentile and exceedance hours of an archive."""

from __future__ import annotations

import argparse
import time

from geoairplan.commands import add_output_args, number
from geoairplan.commands.jobs import add_job_args


def add_parser(sub) -> None:
    p = sub.add_parser("gridstats", help="per 1 km cell and month: mean, p95, exceedance hours (archive, Dask)",
                       description="Grid statistics of an archive's micro-sensor (or station) readings per TM2 "
                                   "cell and month, by integer cell arithmetic (one Dask task per month).")
    add_job_args(p)
    p.add_argument("--kind", choices=("sensor", "moenv"), default="sensor", help="readings of (default sensor)")
    p.add_argument("--pollutant", default="pm2.5", help="pollutant code (default pm2.5)")
    p.add_argument("--cell", type=number(float, low=0, low_open=True, unit="m"), default=1000.0,
                   help="cell size (m, default 1000)")
    p.add_argument("--threshold", type=number(float), default=35.0,
                   help="a cell-hour exceeds at or above this (default 35 ug/m3)")
    add_output_args(p, no_maps_help="no maps (none yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from geoairplan.commands import report
    from geoairplan.commands.jobs import end_exclusive
    from geoairplan.engine import engine
    from geoairplan.hotspots.gridstats import grid_statistics
    from geoairplan.publish import write

    t0 = time.perf_counter()
    with engine(args.scheduler, workers=args.workers, progress=args.progress) as eng:
        print(f"running on {eng.describe()}")
        res = grid_statistics(args.archive, kind=args.kind, pollutant=args.pollutant, start=args.start,
                              end=end_exclusive(args.end), cell_size=args.cell, threshold=args.threshold,
                              engine=eng)
    if args.scenario and not res.meta.scenario:
        res = replace(res, meta=res.meta.with_(scenario=True))
    files = write(res, args.out, maps=False)
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0
