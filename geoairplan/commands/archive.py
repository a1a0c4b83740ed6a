"""``geoairplan archive``: import MOENV hourly files and micro-sensor tables into an archive; show what it holds."""

from __future__ import annotations

import argparse
import time


def add_parser(sub) -> None:
    p = sub.add_parser("archive", help="Parquet archive of many MOENV / micro-sensor files (import, info)",
                       description="A hive-partitioned Parquet archive (kind/year/month) of the tidy hourly table "
                                   "and a GeoParquet registry of stations and sensors, for back-tests and "
                                   "sensor operations on Dask.")
    asub = p.add_subparsers(dest="archive_command", metavar="ACTION", required=True)
    im = asub.add_parser("import", help="stream files into an archive (re-importing a file adds nothing)")
    im.add_argument("files", nargs="+", metavar="FILE", help="MOENV hourly files (any generation) or micro-sensor "
                    "CSV tables (device_id, lon, lat, time, pm2.5)")
    im.add_argument("--to", required=True, metavar="ARCHIVE", dest="archive", help="archive folder (created)")
    im.add_argument("--kind", choices=("auto", "moenv", "sensor"), default="auto",
                    help="what the files are (default: look at each header)")
    im.set_defaults(func=run_import)
    info = asub.add_parser("info", help="sources, stations, sensors, time span, rows and size")
    info.add_argument("archive", metavar="ARCHIVE")
    info.set_defaults(func=run_info)


def run_import(args: argparse.Namespace) -> int:
    from geoairplan.commands import report
    from geoairplan.io.archive import import_files

    t0 = time.perf_counter()
    rep = import_files(args.files, args.archive, kind=args.kind)
    for r in rep.imported.itertuples():
        print(f"  {r.status:<22} {r.kind:<6} {r.rows:>10,} rows  {r.file}")
    print(rep.summary_text())
    report(rep.problems, int((rep.imported["status"] == "imported").sum()), args.archive, t0=t0,
           where="the list above")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from geoairplan.io.archive import archive_info

    print(archive_info(args.archive).summary_text())
    return 0
