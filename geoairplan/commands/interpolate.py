"""``geoairplan interpolate``: station values to rasters, level polygons and township statistics."""

from __future__ import annotations

import argparse

from geoairplan.commands import add_output_args, map_options, number, report

DESCRIPTION = """\
Interpolate one pollutant from MOENV hourly data (any published form: lower-case,
current, CamelCase, history export, tidy) to a raster over a county, by inverse
distance weighting (AirNow's power 5 and 10 neighbours; cells more than 25 km from
every station left empty), ordinary kriging (fitted or given variogram, kriging
variance as band 2) or radial basis functions (thin-plate spline).

Every station in the file with a value is used (stations of neighbouring counties
steady the edges); stations come from the embedded registry of every MOENV station
(or --stations); a station the registry lacks is placed at the file's own
longitude/latitude (reported). Without --hour every hour in the file is interpolated (stations
missing in an hour are left out of that hour only); the maps show the hour with the
highest station value.

Levels: the surface is contoured at the 2022 regulation's thresholds for its
averaging period (--average 24h for PM2.5 and PM10, 8h for CO, 1h for O3, NO2,
SO2; an hourly PM2.5 surface is compared with the 24-h thresholds, indicative
only). O3 thresholds (ppm) are converted to the data's ppb.

Writes to --out: <stem>_<YYYYmmdd_HHMM>.tif per hour (EPSG:3826, nodata outside the
county's land; band 2 = kriging variance), <stem>_levels.gpkg (layers levels and stations),
<stem>_townships.csv (mean, max, highest level per township and hour),
<stem>_cv.csv (leave-one-out errors of the mapped hour), <stem>_problems.csv (if
any), <stem>_map.html (+ .embed.html), <stem>_map.png (A4, 150 dpi; --static pdf or
png+pdf adds the PDF, --dpi sets the resolution), summary.txt.

Scenario data: a file that declares itself made up (a data_kind column holding
"scenario", as the embedded data/scenario files do) is labelled scenario in every
output (titles, legends, source line, GeoTIFF tag data_kind, CSV column data_kind);
--scenario labels any other file so.
"""

EPILOG = """\
examples:
  geoairplan interpolate data/scenario/episode_scenario.csv --pollutant pm2.5 --average 24h \\
      --method kriging --cell 500 --county 屏東縣 --hour "2025-01-16 14:00" --out out/pm25
  geoairplan interpolate aqx_p_432.csv --pollutant o3 --method idw --cell 1000 --out out/o3
  geoairplan interpolate obs.csv --pollutant pm2.5 --method kriging --variogram exponential \\
      --variogram-params sill=120,range=30000,nugget=10 --out out/k
  geoairplan interpolate data/scenario/episode_scenario.csv --pollutant pm2.5 --average 24h \\
      --method kriging --confidence 0.8 --county 屏東縣 --out out/pm25_p80
  geoairplan interpolate data/scenario/episode_scenario.csv --pollutant pm2.5 --method auto --out out/auto
"""


_finite = number(float)
_positive_m = number(float, low=0, low_open=True, unit="m")
#: Largest --cell: a cell wider than 20 km leaves a county with a handful of cells or none.
MAX_CELL_M = 20_000


def _params(text: str) -> dict:
    out = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise argparse.ArgumentTypeError(f"{part!r}: write name=value, e.g. sill=120,range=30000,nugget=10")
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = _finite(v)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"{k.strip()}={v.strip()}: {v.strip()!r} is not a finite number")\
                from None
    return out


def _distance(text: str):
    if text == "default":
        return text
    if text.strip().lower() in ("none", "off", "0"):
        return None
    try:
        return _positive_m(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (a distance in metres, or 'none')") from None


def add_parser(sub) -> None:
    p = sub.add_parser("interpolate", help="IDW, kriging or RBF surfaces to GeoTIFF, level polygons, township stats",
                       description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("obs", metavar="OBS", help="MOENV hourly data file (CSV or JSON)")
    p.add_argument("--pollutant", required=True, help="pm2.5, pm10, o3, so2, no2 or co")
    p.add_argument("--method", default="idw", choices=["idw", "kriging", "rbf", "auto"],
                   help="default: idw; auto: leave-one-out and 5-fold cross-validation of IDW (power, k), "
                        "kriging (each variogram model) and RBF on the mapped hour's stations, the lowest "
                        "leave-one-out RMSE wins (table <stem>_method_selection.csv, figures "
                        "<stem>_cv_scatter.png and <stem>_variogram.png)")
    p.add_argument("--confidence", type=float, choices=[0.5, 0.8, 0.95], metavar="0.5|0.8|0.95",
                   help="kriging: exceedance probability of every level per cell (<stem>_<hour>_p_<level>.tif) "
                        "and per township, and the model-based zone list at this confidence "
                        "(<stem>_zones_pNN.csv; beside, never instead of, the regulation's station rule)")
    p.add_argument("--cell", type=number(float, low=0, low_open=True, high=MAX_CELL_M, unit="m"), default=500.0, metavar="M", help="cell size in metres (default 500)")
    p.add_argument("--hour", action="append", metavar="TIME",
                   help='hour to interpolate, local time, e.g. "2026-01-15 14:00" (repeatable; default: all)')
    p.add_argument("--county", action="append", metavar="NAME",
                   help="county to grid (repeatable; default: the counties of the stations with data)")
    p.add_argument("--average", default="1h", choices=["1h", "8h", "24h"],
                   help="interpolate hourly values (default) or 8-h / 24-h moving averages")
    p.add_argument("--stations", metavar="FILE", help="MOENV station list (aqx_p_07) instead of the embedded one")
    p.add_argument("--label", help='label for titles and file names; "scenario" also marks the data as '
                                  'made-up, like --scenario')
    g = p.add_argument_group("IDW")
    g.add_argument("--power", type=number(float, low=0, low_open=True, high=20), default=5.0, help="distance exponent (default 5, AirNow)")
    g.add_argument("--neighbors", type=number(int, low=1), default=10, help="stations per cell (default 10, AirNow)")
    g.add_argument("--max-distance", type=_distance, default="default", metavar="M",
                   help="leave cells farther than M metres from every station empty ('none': fill all; "
                        "default 25000 for idw, none otherwise)")
    k = p.add_argument_group("kriging")
    k.add_argument("--variogram", default="spherical",
                   choices=["spherical", "exponential", "gaussian", "linear", "power"], help="default: spherical")
    k.add_argument("--variogram-params", type=_params, metavar="K=V,...",
                   help="fixed parameters, e.g. sill=120,range=30000,nugget=10 (default: fitted, pooled over hours)")
    k.add_argument("--kriging-neighbours", "--kriging-neighbors", type=number(int, low=2, high=2000), metavar="K",
                   help="neighbourhood kriging: each cell from its K nearest stations or sensors, variance "
                        "included (default: global kriging with every station; 32 suits thousands of sensors)")
    r = p.add_argument_group("RBF")
    r.add_argument("--kernel", default="thin_plate_spline", help="RBF kernel (default thin_plate_spline)")
    r.add_argument("--smoothing", type=number(float, low=0), default=0.0, help="RBF smoothing (default 0: exact)")
    add_output_args(p, no_maps_help="rasters and tables only")
    p.set_defaults(func=run)


def _stations(path):
    """The station list of ``--stations`` with its name column as ``name_zh``."""
    from geoairplan.io.moenv import read_moenv_stations

    stations = read_moenv_stations(path)
    if "name_zh" not in stations.columns:
        for c in ("sitename", "station", "name"):
            if c in stations.columns:
                return stations.rename(columns={c: "name_zh"})
    return stations


def _method_params(args) -> dict:
    md = args.max_distance
    if args.method == "idw":
        return {"power": args.power, "n_neighbors": args.neighbors,
                "max_distance": 25_000.0 if md == "default" else md}
    if args.method in ("kriging", "auto"):
        out = {"variogram_model": args.variogram, "variogram_parameters": args.variogram_params,
               "max_distance": None if md == "default" else md}
        if args.method == "kriging" and args.kriging_neighbours:
            out["n_neighbors"] = args.kriging_neighbours
        return out
    return {"kernel": args.kernel, "smoothing": args.smoothing, "max_distance": None if md == "default" else md}


def run(args) -> int:
    import time

    from geoairplan import publish
    from geoairplan.interpolate.series import interpolate_observations

    t0 = time.perf_counter()
    stations = _stations(args.stations) if args.stations else None
    county = None
    if args.county:
        county = args.county[0] if len(args.county) == 1 else args.county
    res = interpolate_observations(args.obs, args.pollutant, args.method, params=_method_params(args),
                                   county=county, cell_size=args.cell, hours=args.hour, average=args.average,
                                   stations=stations, label=args.label, source=args.obs, scenario=args.scenario,
                                   confidence=args.confidence)
    files = publish.write(res, args.out, **map_options(args))
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0, where=res.problems_name, limit=5)
    return 0
