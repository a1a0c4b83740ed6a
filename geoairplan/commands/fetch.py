"""``geoairplan fetch``: download MOENV open data or Civil IoT micro-sensor readings.

The API key is read from the environment variable ``MOENV_API_KEY`` (or
``--api-key``, which shows it in the shell history: prefer the variable); it
is never printed or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from geoairplan.commands import number

#: Environment variable holding the MOENV API key.
API_KEY_ENV = "MOENV_API_KEY"


def _cache_dir(args) -> Path | None:
    if args.no_cache:
        return None
    if args.cache:
        return Path(args.cache)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geoairplan" / "fetch"


def _fetcher(args, max_age=None):
    from geoairplan.io.fetch import Fetcher  # the readers load pandas: not for --help

    log = (lambda line: print(line, file=sys.stderr)) if args.verbose else None
    return Fetcher(cache_dir=_cache_dir(args), max_age=max_age, retries=args.retries, log=log)


def _common(p) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--cache", metavar="DIR", help="page cache (default ~/.cache/geoairplan/fetch); a failed "
                   "download resumes from the pages there")
    p.add_argument("--no-cache", action="store_true", help="keep no pages (no resume)")
    p.add_argument("--retries", type=number(int, low=0, high=20), default=4, help="tries again after 429/5xx/cut-off answers (default 4)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each request (API key hidden)")


def add_parser(sub) -> None:
    p = sub.add_parser("fetch", help="download MOENV open data or Civil IoT micro-sensor data",
                       description="Download from the sources users get their data from, into files the "
                                   "other commands read.")
    fsub = p.add_subparsers(dest="fetch_source", metavar="SOURCE", required=True)
    m = fsub.add_parser("moenv", help="a MOENV open-data set (aqx_p_432, aqx_p_488, aqx_p_07)",
                        description="Download a MOENV open-data set page by page into one JSON file "
                                    "(read by the MOENV readers). Data sets: "
                                    "aqx_p_432 (real-time hourly values), aqx_p_488 (hourly history), "
                                    "aqx_p_07 (the station list).")
    m.add_argument("dataset", help="data set name, e.g. aqx_p_432, aqx_p_488, aqx_p_07")
    m.add_argument("--api-key", help=f"MOENV API key (default: the environment variable {API_KEY_ENV})")
    m.add_argument("--from", dest="start", metavar="TIME", help="first hour (Taiwan time, hour ending)")
    m.add_argument("--to", dest="end", metavar="TIME", help="last hour (Taiwan time, hour ending)")
    m.add_argument("--base-url", default=None, help="API base URL (default: MOENV's open-data API v2)")
    m.add_argument("--limit", type=number(int, low=1, high=10_000), default=1000, help="records per page (default 1000)")
    _common(m)
    m.set_defaults(func=run_moenv)
    s = fsub.add_parser("sensors", help="one county's micro-sensor PM2.5 (Civil IoT SensorThings)",
                        description="Download the PM2.5 micro-sensors of one county for a period from a "
                                    "SensorThings API service into the sensor table 'geoairplan hotspots' reads.")
    s.add_argument("--endpoint", default=None,
                   help="service root (default: the MOENV IoT SensorThings service STA_AirQuality_EPAIoT)")
    s.add_argument("--county", required=True, help="county, e.g. 屏東縣")
    s.add_argument("--from", dest="start", required=True, metavar="TIME", help="start (Taiwan time)")
    s.add_argument("--to", dest="end", required=True, metavar="TIME", help="end, not included (Taiwan time)")
    s.add_argument("--datastream", default="PM2.5", help="Datastream name (default PM2.5)")
    _common(s)
    s.set_defaults(func=run_sensors)


def _check_out(out: str) -> None:
    """Refuse an --out that cannot be written, before any request is made."""
    from geoairplan.errors import InputError
    path = Path(out)
    if "\x00" in out or any(len(p.encode("utf-8")) > 255 for p in path.parts):
        raise InputError("the file name is over 255 bytes or holds a control character", where="--out",
                         file=out[:80], fix="give a shorter plain file name")
    if path.is_dir():
        raise InputError("this is a folder, not a file name", where="--out", file=out,
                         fix="give the file to write, e.g. --out data/aqx_p_432.json")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise InputError(f"{parent} is a file, so nothing can be written under it", where="--out", file=out,
                         fix="give a path in a folder")


def _problems(probs) -> None:
    for p in list(probs)[:10]:
        print(f"  {p.severity}: {p.where}: {p.reason}")
    if len(probs) > 10:
        print(f"  ... and {len(probs) - 10} more")


def run_moenv(args: argparse.Namespace) -> int:
    from geoairplan.io.fetch import DATASETS, MOENV_API, fetch_moenv

    t0 = time.perf_counter()
    _check_out(args.out)
    key = args.api_key or os.environ.get(API_KEY_ENV, "")
    ds = args.dataset.strip().lower()
    f = _fetcher(args, max_age=DATASETS.get(ds, {}).get("max_age"))
    got = fetch_moenv(ds, args.out, api_key=key, start=args.start, end=args.end,
                      base_url=args.base_url or MOENV_API,
                      limit=args.limit, fetcher=f)
    _problems(got.problems)
    print(f"wrote {got.records} records of {got.dataset} to {got.path} ({got.pages} pages, {got.requests} "
          f"requests, {got.cache_hits} from the cache) in {time.perf_counter() - t0:.1f} s")
    return 0


def run_sensors(args: argparse.Namespace) -> int:
    from geoairplan.io.fetch import EPAIOT_ENDPOINT, fetch_sensors

    t0 = time.perf_counter()
    _check_out(args.out)
    got = fetch_sensors(args.endpoint or EPAIOT_ENDPOINT, args.county, args.start, args.end, args.out, datastream=args.datastream,
                        fetcher=_fetcher(args))
    _problems(got.problems)
    print(f"wrote {got.observations} readings of {got.devices} sensors to {got.path} ({got.requests} requests, "
          f"{got.cache_hits} from the cache) in {time.perf_counter() - t0:.1f} s")
    return 0
