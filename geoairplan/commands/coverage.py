"""``geoairplan coverage``: station coverage areas (Voronoi in TM2), the official tables, and their agreement."""

from __future__ import annotations

from geoairplan.commands import add_output_args, number, report

import argparse

DESCRIPTION = """\
Which station's readings apply to which township? Warnings are issued "by station
coverage area" (regulation 004 Art. 4). This command computes each station's
Thiessen (Voronoi) cell in EPSG:3826 (TWD97 TM2), clipped to the county's land
with every island, and for each township the share of its area nearest each
station. Where the county has an official coverage table (embedded seeds:
屏東縣 003 Table 2, 雲林縣 002 Table 7.3, 澎湖縣 001 Appendix 1; or your
--official CSV) it compares the two township by township.

Stations: by default the embedded MOENV stations of the county; when an official
table is compared, only the stations it names (like for like). --stations all
uses every station of the county; --stations FILE your own list; --neighbours
lets stations of neighbouring counties take part (a nearer station across the
county line).

Writes to --out: coverage.gpkg (EPSG:3826; layers cells, township_assignment,
official_coverage, disagreements, stations), cells.csv, township_assignment.csv,
township_shares.csv, agreement.csv, summary.txt, problems.csv (if any), and
coverage_map.html (+ .embed.html) / coverage_map.png (+ .pdf).
"""

EPILOG = """\
examples:
  geoairplan coverage --county 屏東縣 --out out/pingtung
  geoairplan coverage --county 雲林縣 --neighbours 20 --out out/yunlin
  geoairplan coverage --county 屏東縣 --stations all --pollutant pm2.5 --out out/pt_pm25
  geoairplan coverage --county 屏東縣 --official my_table.csv --out out/pt_mine

--official CSV: one row per township (county, station, township), or one row per
station with the townships in one cell separated by 、 as plans print them; Chinese
headers work (縣市, 測站, 鄉鎮市區 or 涵蓋區域). A trailing "等十一鄉鎮" is checked
against the list. Every township of the county must appear exactly once.
--stations CSV: station (or 測站) and lon/lat (EPSG:4326) or x_tm2/y_tm2 (EPSG:3826),
optional pollutants (e.g. pm2.5;pm10;o3); or comma-separated embedded names
(屏東,潮州,恆春); or 'all'. A stations or coverage table with a data_kind column
saying "scenario" labels every output scenario (as --scenario does).
"""


def _neighbours(text: str):
    return number(float, low=0, high=500, unit="km")(text)


def add_parser(sub) -> None:
    p = sub.add_parser("coverage", help="station coverage areas: Voronoi cells, official tables, agreement",
                       description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--county", required=True, help="county or city, e.g. 屏東縣, 雲林縣, 澎湖縣 (台 = 臺)")
    p.add_argument("--official", metavar="FILE",
                   help="your coverage table (CSV) instead of the embedded seed table; 'none' for no comparison")
    p.add_argument("--pollutant", help="only stations that measure it: pm2.5, pm10, o3, so2, no2 or co")
    p.add_argument("--neighbours", "--neighbors", nargs="?", const=True, default=False, type=_neighbours,
                   metavar="KM", help="let other counties' stations take part: all of them, or those "
                                      "within KM km of the county")
    p.add_argument("--stations", metavar="FILE|NAMES|all",
                   help="station CSV, comma-separated embedded names, or 'all' (every station of the county)")
    add_output_args(p, no_maps_help="layers and tables only")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from geoairplan import publish
    from geoairplan.coverage import coverage_analysis

    t0 = time.perf_counter()
    official = None
    if args.official is not None:
        official = False if args.official.strip().lower() in ("none", "no", "false") else args.official
    neighbours = args.neighbours if isinstance(args.neighbours, bool) else args.neighbours * 1000.0
    res = coverage_analysis(args.county, stations=args.stations, pollutant=args.pollutant,
                            include_neighbours=neighbours, official=official, scenario=args.scenario)
    files = publish.write(res, args.out, maps=not args.no_maps, offline=args.offline)
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0
