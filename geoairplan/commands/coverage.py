"""``geoairplan coverage``: station coverage areas (Voronoi in TM2), the official tables, and their agreement."""

from __future__ import annotations

from geoairplan.commands import add_output_args, map_options, number, report

import argparse

from geoairplan.reference.sitetypes import COVERAGE_TYPES, SITE_TYPES

DESCRIPTION = """\
Which station's readings apply to which township? Warnings are issued "by station
coverage area" (regulation 004 Art. 4). This command computes each station's
Thiessen (Voronoi) cell in EPSG:3826 (TWD97 TM2), clipped to the county's land
with every island, and for each township the share of its area nearest each
station. Where the county has an official coverage table (embedded seeds:
屏東縣 003 Table 2, 雲林縣 002 Table 7.3, 澎湖縣 001 Appendix 1; or your
--official CSV) it compares the two township by township.

Counties without an official table get Voronoi coverage only, and every output
says so (title, source line, summary, the coverage_basis column of the CSV tables).
--county all runs all 22 counties in one run: one sub-folder per county and
national_summary.csv / national_summary.txt (counties × stations × townships ×
agreement).

Stations: by default the embedded MOENV stations of the county of the types the
regulation's coverage tables use (--types, default 一般站,工業站: every station
of the three official tables is of one of them); when an official
table is compared, only the stations it names (like for like). --stations all
uses every station of the county; --stations FILE your own list; --neighbours
lets stations of neighbouring counties take part (a nearer station across the
county line).

Writes to --out: coverage.gpkg (EPSG:3826; layers cells, township_assignment,
official_coverage, disagreements, stations), cells.csv, township_assignment.csv,
township_shares.csv, agreement.csv, summary.txt, problems.csv (if any), and
coverage_map.html (+ .embed.html) / coverage_map.png (A4, 150 dpi; --static and
--dpi choose PNG, PDF or both and the resolution).
"""

EPILOG = """\
examples:
  geoairplan coverage --county 屏東縣 --out out/pingtung
  geoairplan coverage --county 雲林縣 --neighbours 20 --out out/yunlin
  geoairplan coverage --county 屏東縣 --stations all --pollutant pm2.5 --out out/pt_pm25
  geoairplan coverage --county 屏東縣 --official my_table.csv --out out/pt_mine
  geoairplan coverage --county 臺中市 --out out/taichung
  geoairplan coverage --county all --no-maps --out out/taiwan
  geoairplan coverage --county 臺北市 --types all --out out/taipei_all_types

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
    p.add_argument("--county", required=True,
                   help="county or city, e.g. 屏東縣, 臺中市 (台 = 臺); 'all' for the 22 counties in one run")
    p.add_argument("--official", metavar="FILE",
                   help="your coverage table (CSV) instead of the embedded seed table; 'none' for no comparison")
    p.add_argument("--pollutant", help="only stations that measure it: pm2.5, pm10, o3, so2, no2 or co")
    p.add_argument("--neighbours", "--neighbors", nargs="?", const=True, default=False, type=_neighbours,
                   metavar="KM", help="let other counties' stations take part: all of them, or those "
                                      "within KM km of the county")
    p.add_argument("--stations", metavar="FILE|NAMES|all",
                   help="station CSV, comma-separated embedded names, or 'all' (every station of the county "
                        "of --types)")
    p.add_argument("--types", default=",".join(COVERAGE_TYPES), metavar="TYPES",
                   help="MOENV station types that count, comma-separated (default: "
                        + ",".join(COVERAGE_TYPES) + ", the types of the regulation's official coverage tables); "
                        "'all' for every type (" + ",".join(SITE_TYPES) + "), also for neighbours")
    add_output_args(p, no_maps_help="layers and tables only")
    p.set_defaults(func=run)


def run(args) -> int:
    import time

    from geoairplan import publish
    from geoairplan.coverage import coverage_analysis
    from geoairplan.errors import InputError

    t0 = time.perf_counter()
    official = None
    if args.official is not None:
        official = False if args.official.strip().lower() in ("none", "no", "false") else args.official
    neighbours = args.neighbours if isinstance(args.neighbours, bool) else args.neighbours * 1000.0
    if args.county.strip().lower() == "all":
        if args.stations is not None or official not in (None, False):
            raise InputError("--county all uses each county's embedded stations and official table",
                             where="county", fix="leave out --stations and --official (or --official none), "
                                                 "or run one county at a time")
        return _run_all(args, neighbours, official, t0)
    res = coverage_analysis(args.county, stations=args.stations, pollutant=args.pollutant,
                            include_neighbours=neighbours, official=official, scenario=args.scenario,
                            types=args.types)
    files = publish.write(res, args.out, **map_options(args))
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0


def _run_all(args, neighbours, official, t0) -> int:
    """All 22 counties: one sub-folder each (publish.write), and the national summary table."""
    from geoairplan import publish
    from geoairplan.coverage.national import national_coverage, national_table
    from geoairplan.io.output import write_csv
    from geoairplan.io.paths import safe_name
    from geoairplan.reference.sitetypes import check_types

    out = publish.prepare_outdir(args.out)
    check_types(args.types)  # a wrong type stops the run before any county
    done = []
    n_files = 0
    for county, res in national_coverage(pollutant=args.pollutant, include_neighbours=neighbours,
                                         types=args.types, scenario=args.scenario):
        if not isinstance(res, Exception):
            if official is False:  # --official none: computed coverage everywhere
                from geoairplan.coverage import coverage_analysis
                res = coverage_analysis(county, pollutant=args.pollutant, include_neighbours=neighbours,
                                        official=False, scenario=args.scenario, types=args.types)
            files = publish.write(res, out / safe_name(county), **map_options(args))
            n_files += len(files)
            what = (f"official table, {res.summary()['agree']}/{len(res.assignment)} agree"
                    if res.report is not None else "Voronoi only (no official table)")
            print(f"{county}: {len(res.cells)} station(s), {len(res.assignment)} townships, {what}")
        else:
            print(f"{county}: no coverage: {res.problem}")
        done.append((county, res))
    table = national_table(done)
    tag = "scenario" if args.scenario else None
    write_csv(table.assign(data_kind=tag) if tag else table, out / "national_summary.csv")
    text = _national_text(table, args.types)
    (out / "national_summary.txt").write_text(text + "\n", encoding="utf-8")
    n_files += 2
    probs = table.attrs["problems"]
    if probs:
        write_csv(probs.to_frame(), out / "problems.csv")
        n_files += 1
    print(text)
    report(probs, n_files, args.out, t0=t0)
    return 0


def _national_text(table, types) -> str:
    from geoairplan.coverage.stations import types_text

    ok = table[table["error"] == ""]
    lines = [f"{len(ok)} of {len(table)} counties computed: {int(ok['stations'].sum())} stations, "
             f"{int(ok['townships'].sum())} townships; station types {types_text(types)}",
             f"official tables: {int((table['basis'] == 'official').sum())} counties "
             f"({'、'.join(table.loc[table['basis'] == 'official', 'county'])}); "
             f"Voronoi only (no official table): {int((table['basis'] == 'voronoi').sum())}",
             f"{'county':<6} {'stations':>8} {'townships':>9}  basis     agree/differ  no majority"]
    for r in table.itertuples():
        ag = f"{r.agree}/{r.differ}" if r.basis == "official" else "-"
        nm = "-" if r.error else str(r.no_majority)
        lines.append(f"{r.county:<6} {r.stations:>8} {r.townships:>9}  {r.basis:<9} {ag:>12}  {nm:>11}"
                     + (f"  error: {r.error}" if r.error else ""))
    return "\n".join(lines)
