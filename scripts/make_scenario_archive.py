"""Make a SCENARIO archive (made-up data, labelled so) for the scale benchmarks and the back-test demo.

    python scripts/make_scenario_archive.py sensors --sensors 10000 --days 31 --step 5 --to /tmp/arc
    python scripts/make_scenario_archive.py stations --stations 84 --years 10 --to /tmp/arc

The generator and its model (written out in full) are in
:mod:`geoairplan.io.scenario_archive`, which ``geoairplan demo`` uses too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geoairplan.io import scenario_archive  # noqa: E402
from geoairplan.io.scenario_archive import make_sensors, make_stations  # noqa: E402,F401

__doc__ += "\n" + (scenario_archive.__doc__ or "")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sensors", help="micro-sensor readings")
    s.add_argument("--sensors", type=int, default=1000)
    s.add_argument("--days", type=int, default=7)
    s.add_argument("--step", type=int, default=5, help="minutes between readings")
    s.add_argument("--start", default="2025-01-01")
    s.add_argument("--hot", type=float, default=0.01, help="share of sensors near a made-up source")
    t = sub.add_parser("stations", help="hourly MOENV-like station data")
    t.add_argument("--stations", type=int, default=33)
    t.add_argument("--years", type=int, default=1)
    t.add_argument("--start-year", type=int, default=2024)
    for p in (s, t):
        p.add_argument("--to", required=True, metavar="ARCHIVE")
        p.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.what == "sensors":
        info = make_sensors(args.to, sensors=args.sensors, days=args.days, step_min=args.step, start=args.start,
                            hot=args.hot, seed=args.seed)
    else:
        info = make_stations(args.to, stations=args.stations, years=args.years, start_year=args.start_year,
                             seed=args.seed)
    print(f"wrote {info} to {args.to} in {time.perf_counter() - t0:.1f} s (scenario data)")


if __name__ == "__main__":
    main()
