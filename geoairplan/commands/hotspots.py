"""``geoairplan hotspots``: emissions by township and 1 km grid, Gi* hotspots, kernel density."""

from __future__ import annotations

import argparse
import time

from geoairplan.commands import add_output_args, map_options, number, report

_metres = number(float, low=0, low_open=True, unit="m")
_cell = number(float, low=1, unit="m")  # a grid cell or pixel under a metre is never meant (TM2 metres)


def _bandwidth(text: str):
    t = text.strip().lower()
    if t in ("scott", "silverman"):
        return t
    try:
        float(t.removesuffix("m"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not metres nor 'scott'/'silverman'") from None
    return _metres(t)


def add_parser(sub) -> None:
    p = sub.add_parser(
        "hotspots", help="emission totals/densities by township and grid, Gi* hotspots, kernel density",
        description="Aggregate point sources (TEDS point-source table, TM2 metres, t/yr; or a facility list "
                    "with emissions and township) to townships and to a TM2 grid with edges at whole "
                    "kilometres, compute Getis-Ord Gi* hotspots (esda, seeded permutations) and an "
                    "emission-weighted kernel density GeoTIFF. A long township table (county, township, "
                    "pollutant, value), or 'yunlin-declared' for the embedded 002 Table 2.27, is mapped "
                    "directly as a choropleth with Gi* and the printed-total check.",
        epilog="Example: geoairplan hotspots teds_points.csv --county 雲林縣 --pollutant nox --out out/")
    p.add_argument("sources", metavar="SOURCES",
                   help="point-source CSV, a township table CSV, or 'yunlin-declared' (embedded 002 T2.27)")
    p.add_argument("--county", help="limit to this county (townships and grid cover it)")
    p.add_argument("--grid", type=_cell, default=1000.0, metavar="M", help="grid cell size in metres (1000)")
    p.add_argument("--pollutant", default="nox", help="sox, nox, co, pm, pm25 or nmhc/voc (default nox)")
    p.add_argument("--bandwidth", type=_bandwidth, default=None, metavar="M",
                   help="kernel bandwidth in metres, or 'scott' (default; = silverman in 2-D)")
    p.add_argument("--resolution", type=_cell, default=250.0, metavar="M",
                   help="kernel density pixel size in metres (250)")
    p.add_argument("--crs", default="EPSG:3826", help="CRS of UTM_E/UTM_N (default EPSG:3826 TWD97 TM2)")
    p.add_argument("--permutations", type=number(int, low=0, high=99_999), default=999, help="Gi* permutations (999)")
    p.add_argument("--seed", type=number(int, low=0, high=2**32 - 1), default=12345, help="permutation seed (12345)")
    p.add_argument("--fdr", action="store_true", help="false-discovery-rate corrected confidence bins")
    p.add_argument("--islands", choices=["knn", "exclude"], default="knn",
                   help="units without neighbours: join to nearest (knn, default) or exclude")
    p.add_argument("--weights", choices=["queen", "distance"], default="queen",
                   help="grid weights: queen (8 neighbours, default) or distance band (1.5 cells)")
    p.add_argument("--value", choices=["density", "total"], default="density",
                   help="what Gi* compares: t/yr/km2 (density, default) or t/yr (total)")
    p.add_argument("--moran", action="store_true", help="add local Moran's I columns")
    add_output_args(p, no_maps_help="tables, GeoPackage and GeoTIFF only")
    p.set_defaults(func=run)


def run(args) -> int:
    from geoairplan.hotspots.report import hotspot_analysis, is_township_table, township_hotspots
    from geoairplan.publish import write

    t0 = time.perf_counter()
    if is_township_table(args.sources):
        res = township_hotspots(args.sources, county=args.county, pollutant=args.pollutant,
                                permutations=args.permutations, seed=args.seed, fdr=args.fdr,
                                islands=args.islands, moran=args.moran, value=args.value, scenario=args.scenario)
    else:
        res = hotspot_analysis(args.sources, county=args.county, crs=args.crs, grid=args.grid,
                               pollutant=args.pollutant, bandwidth=args.bandwidth, resolution=args.resolution,
                               permutations=args.permutations, seed=args.seed, fdr=args.fdr,
                               islands=args.islands, grid_weights_kind=args.weights, moran=args.moran,
                               scenario=args.scenario, value=args.value)
    files = write(res, args.out, **map_options(args))
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0
