"""``geoairplan data``: what the embedded data holds."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("data", help="list or show the embedded data (townships, stations, tables)",
                       description="List or show the embedded default data, with sources and licences.")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    ls = dsub.add_parser("list", help="what the embedded data holds, with counts and sources")
    ls.set_defaults(func=run_list)
    sh = dsub.add_parser("show", help="print one data set as a table",
                         description="Print one embedded data set as a table (geometry left out).")
    sh.add_argument("name", help="data set name, as 'geoairplan data list' shows")
    sh.add_argument("--county", help="only this county (e.g. 屏東縣)")
    sh.add_argument("--csv", metavar="FILE", help="write the table to FILE (UTF-8 CSV) instead of printing")
    sh.set_defaults(func=run_show)


def run_list(args: argparse.Namespace) -> int:
    from geoairplan.datasets import catalog

    cat = catalog()
    for r in cat.itertuples():
        print(f"{r.name:<11} {str(r.rows):>5} rows  {r.file}")
        print(f"{'':<11} {r.description}")
        print(f"{'':<11} source: {r.source}; licence: {r.licence}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    import pandas as pd
    from geoairplan.datasets import show

    df = show(args.name, county=args.county)
    if args.csv:
        from pathlib import Path
        from geoairplan.errors import InputError
        target = Path(args.csv)
        if target.is_dir():
            raise InputError("this is a folder, not a file name", file=target, where="--csv",
                             fix="give a file name, e.g. --csv stations.csv")
        if not target.parent.is_dir():
            raise InputError(f"the folder {target.parent} does not exist", file=target, where="--csv",
                             fix=f"create it first (mkdir -p {target.parent}) or give a file in an existing folder")
        df.to_csv(target, index=False, lineterminator="\n")
        print(f"wrote {len(df)} rows to {args.csv}")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 40):
            print(df.to_string(index=False))
        print(f"({len(df)} rows)")
    return 0
