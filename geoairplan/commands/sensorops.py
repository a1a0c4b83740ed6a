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
    add_output_args(p, no_maps_help="no maps (none yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from geoairplan.commands import report
    from geoairplan.commands.jobs import end_exclusive
    from geoairplan.engine import engine
    from geoairplan.hotspots.operations import sensor_operations
    from geoairplan.publish import write

    t0 = time.perf_counter()
    with engine(args.scheduler, workers=args.workers, progress=args.progress) as eng:
        print(f"running on {eng.describe()}")
        res = sensor_operations(args.archive, start=args.start, end=end_exclusive(args.end), k=args.k,
                                threshold=args.threshold, min_excess=args.min_excess,
                                min_fraction=args.min_fraction, cell_size=args.cell,
                                permutations=args.permutations, engine=eng, anomalies=not args.no_anomalies)
    if args.scenario and not res.meta.scenario:
        res = replace(res, meta=res.meta.with_(scenario=True))
    files = write(res, args.out, maps=False)
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0
