"""``geoairplan suspects``: micro-sensors above their neighbours, and the sources upwind of them."""

from __future__ import annotations

import time

from geoairplan.commands import add_output_args, map_options, number, report


def add_parser(sub) -> None:
    p = sub.add_parser(
        "suspects", help="flag micro-sensors above their neighbours and rank the sources upwind",
        description="Read micro-sensor PM2.5 (sensor id, lon, lat, time, PM2.5; English or Chinese headers), "
                    "flag sensors that stand above their k nearest neighbours in at least a share of hours, "
                    "and, with the nearest station's hourly wind (the direction it blows FROM), rank the point "
                    "sources lying upwind within a sector and distance by emission, distance and alignment. "
                    "Facilities known only by township are listed by township.",
        epilog="Example: geoairplan suspects sensors.csv --wind moenv_hourly.csv --sources teds.csv --out out/")
    p.add_argument("sensors", metavar="SENSORS", help="micro-sensor CSV")
    p.add_argument("--wind", required=True, metavar="OBS", help="MOENV hourly file with wind_speed/wind_direc")
    p.add_argument("--sources", required=True, metavar="SOURCES", help="point-source CSV (TEDS columns)")
    p.add_argument("--facilities", metavar="FILE",
                   help="facility list with townships (no coordinates), or 'embedded:COUNTY' for the seeds' list")
    p.add_argument("--crs", default="EPSG:3826", help="CRS of the sources' UTM_E/UTM_N (EPSG:3826)")
    p.add_argument("--pollutant", default="pm25", help="emission used in the score (pm25)")
    p.add_argument("--k", type=number(int, low=1), default=5, help="neighbours per sensor (5)")
    p.add_argument("--rule", choices=["robust_z", "ratio"], default="robust_z", help="hourly anomaly rule")
    p.add_argument("--threshold", type=number(float, low=0, low_open=True), help="z (default 3) or ratio (default 1.5)")
    p.add_argument("--min-fraction", type=number(float, low=0, low_open=True, high=1), default=0.5, help="share of hours to flag a sensor (0.5)")
    p.add_argument("--min-hours", type=number(int, low=1), default=6, help="evaluated hours needed to flag (6)")
    p.add_argument("--half-width", type=number(float, low=0, low_open=True, high=180), default=30.0, help="upwind sector half-width, degrees (30)")
    p.add_argument("--max-distance", type=number(float, low=0, low_open=True, unit="m"), default=5000.0, help="upwind distance, metres (5000)")
    add_output_args(p, no_maps_help="tables and GeoPackage only")
    p.set_defaults(func=run)


def run(args) -> int:
    from geoairplan import datasets
    from geoairplan.hotspots.report import suspect_analysis
    from geoairplan.publish import write

    t0 = time.perf_counter()
    fac = args.facilities
    if fac and fac.startswith("embedded:"):
        fac = datasets.load_facilities(fac.split(":", 1)[1] or None)
    sa = suspect_analysis(args.sensors, args.wind, args.sources, facilities=fac, crs=args.crs, k=args.k,
                          rule=args.rule, threshold=args.threshold, min_fraction=args.min_fraction,
                          min_hours=args.min_hours, pollutant=args.pollutant, half_width=args.half_width,
                          max_distance_m=args.max_distance, scenario=args.scenario)
    files = write(sa, args.out, **map_options(args))
    print(sa.summary_text())
    report(sa.problems, files, args.out, t0=t0)
    return 0
