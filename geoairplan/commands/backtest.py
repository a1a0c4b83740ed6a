"""``geoairplan backtest`` (= ``geoairplan warn --archive``): the warning regulation over an archive's years
(Dask), per county."""

from __future__ import annotations

import argparse
import time

from geoairplan.commands import add_output_args, map_options, number
from geoairplan.commands.jobs import add_job_args


def add_parser(sub) -> None:
    p = sub.add_parser("backtest", help="warning back-test over an archive: hours, days, episodes, calendar",
                       description="Levels for every station-hour of an archive's period (one Dask task per "
                                   "station), then per county warning hours and days per level and year, the "
                                   "episode table and the daily highest level (calendar).")
    add_job_args(p)
    p.add_argument("--county", default="all", help="county, or 'all' (default)")
    p.add_argument("--rules", default="warning_2022", help="rule table (default warning_2022)")
    add_backtest_args(p)
    add_output_args(p, no_maps_help="no maps (calendar heat maps and the back-test page)")
    p.set_defaults(func=run)


def add_backtest_args(p) -> None:
    """The options only the back-test has (``--gap``, ``--levels``); ``geoairplan warn`` adds them too."""
    p.add_argument("--gap", type=number(int, low=1, high=24 * 366), default=1, metavar="H",
                   help="back-test: warning hours at most H apart form one episode (default 1)")
    p.add_argument("--levels", action="store_true",
                   help="back-test: also write every station-hour's levels to OUT/levels/station=NAME/"
                        "levels.parquet (written by the workers; OUT must be reachable from them)")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from pathlib import Path

    from geoairplan.commands import report
    from geoairplan.engine import engine
    from geoairplan.errors import InputError
    from geoairplan.io.archive import LevelsSink
    from geoairplan.publish import prepare_outdir, write
    from geoairplan.warnings.backtest import backtest

    t0 = time.perf_counter()
    if not args.start or not args.end:
        raise InputError("a back-test needs a period", where="start", fix="give --from YYYY-MM-DD --to YYYY-MM-DD")
    out = prepare_outdir(args.out)
    sink = LevelsSink(Path(out).resolve() / "levels") if args.levels else None
    with engine(args.scheduler, workers=args.workers, progress=args.progress) as eng:
        print(f"running on {eng.describe()}")
        res = backtest(args.archive, start=args.start, end=args.end, county=args.county or "all",
                       rules=args.rules, engine=eng, max_gap_hours=args.gap, levels_sink=sink)
    if args.scenario and not res.meta.scenario:
        res = replace(res, meta=res.meta.with_(scenario=True))
    files = write(res, out, **map_options(args))
    print(res.summary_text())
    report(res.problems, files, out, t0=t0)
    return 0
