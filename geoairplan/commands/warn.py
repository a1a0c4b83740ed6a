"""``geoairplan warn``: warning levels per station and hour, zones, command centre, who to notify."""

from __future__ import annotations

import argparse
import time

from geoairplan.commands import add_output_args, map_options, number, report
from geoairplan.errors import InputError

DESCRIPTION = """\
Apply the 2022 warning regulation (空氣品質嚴重惡化警告發布及緊急防制辦法, seed 004;
thresholds of its Annex 1 as tabulated in 003 Table 1, data/rules/warning_2022.csv)
to hourly MOENV data (OBS: any form geoairplan.io.read_moenv_hourly reads).

For every station and hour: the 24-h moving PM10/PM2.5/SO2, the most recent
8-h moving CO, the hourly O3/NO2/SO2/PM10 (PM10 1050/1250 for 2/3 consecutive
hours), the level per pollutant (L1 初級預警, L2 中級預警, S1/S2/S3 輕度/中度/
重度嚴重惡化), the station's level and the pollutant that set it. "Reaches" is >=.
O3 in ppb is converted to the rule's ppm. A moving average needs 18 of 24 (6 of 8)
valid hours, else the level is "insufficient".

Then, per county: warning zones per hour (townships covered by the stations at
each level, official coverage tables where they exist; the whole county on days
the --forecast puts its air-quality zone at a level; 雲林縣 river dust, 002
Table 7.2), the command centre (Art. 7, may / must set up, per day), lowering and
lifting (Art. 14), who to notify (designated facilities, hospitals and health
stations) and the measures of each level (屏東縣).

Every decision is also one row of events.csv (hour, county, event: issue / raise
/ hold / lower / lift / centre may / centre must / notify, level issued and
measured, area, article and seed line, reason): forecast warnings (Art. 4(1),
lowered and lifted by Art. 14), Art. 13 six-hourly reassessments, county tiers
(data/rules/county_rules_2022.csv), Art. 9 and Art. 11 notifications, and with
several counties (--county 屏東縣,高雄市 or all) the central centre of Art. 16.

Writes to --out: levels.csv/.parquet, zones.gpkg (EPSG:3826), zones.csv,
zone_townships.csv, decisions.csv, events.csv, command_centre.csv, notifications.csv,
measures.csv, river_dust.csv (雲林縣), problems.csv, summary.txt,
episode_map.html (time slider; + .embed.html) and peak.png (peak hour);
with --bulletin also bulletin_<county>_<date>.png. Static maps are PNG at 150 dpi
unless --static (png, pdf, png+pdf, none) and --dpi say otherwise.

Back-test (instead of OBS): --archive ARCHIVE --from DATE --to DATE runs the
regulation over an archive's years on Dask (geoairplan archive import; the same
as `geoairplan backtest`): warning hours and days per county, level and year,
the episode table, the daily highest level, a calendar heat map per county
(calendar_<county>.png) and backtest.html. --scheduler, --workers,
--progress, --gap and --levels apply to it; --forecast and --coverage do not.

Scenario data: a file with a data_kind column holding "scenario" (the files of
data/scenario/ have one) is labelled scenario in every output (titles, legends,
source lines, a data_kind column in the CSV tables); --scenario labels any
other input so. The output folder's name plays no part.
"""

EPILOG = """\
examples:
  geoairplan warn --archive ARCHIVE --from 2016-01-01 --to 2025-12-31 --county all --out out/backtest
  geoairplan warn data/scenario/episode_scenario.csv --county 屏東縣 \\
      --forecast data/scenario/forecast_scenario.csv --out out/warn
  geoairplan warn obs.csv --rules warning_pre2022_002 --county 雲林縣 --out out/yunlin
  geoairplan warn obs.json --county 屏東縣 --min-hours-24h 16 --out out/pt --no-maps
  geoairplan warn data/scenario/episode_scenario.csv --county 屏東縣,高雄市,雲林縣 \\
      --forecast data/scenario/forecast_scenario.csv --bulletin --static png+pdf --dpi 300 --out out/south

--forecast CSV: date, area (air-quality zone such as 高屏, or a county), level
(none, L1, L2, S1, S2, S3 or the Chinese names), optional improving_6h and
improving_12h (yes/no), pollutant, issued.
--coverage CSV: county, township, station (one row per township) to use instead
of the embedded coverage table (needs --county).
"""


def add_parser(sub) -> None:
    p = sub.add_parser("warn", help="warning levels, zones by hour, command centre, who to notify",
                       description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("obs", metavar="OBS", nargs="?",
                   help="MOENV hourly data (CSV or JSON, any published form); or give --archive")
    p.add_argument("--county", help="evaluate these counties only: 屏東縣, or 屏東縣,高雄市,雲林縣, or all "
                                    "(default: every county with stations in the data)")
    p.add_argument("--forecast", metavar="FILE", help="forecast CSV (next-day levels by zone, easing trends)")
    p.add_argument("--rules", default="warning_2022", metavar="NAME|FILE",
                   help="rule table: warning_2022 (default), warning_pre2022_002, or a CSV path")
    p.add_argument("--coverage", metavar="FILE", help="coverage mapping CSV instead of the embedded one")
    p.add_argument("--min-hours-24h", type=number(int, low=1, high=24), default=18, metavar="N",
                   help="valid hours a 24-h moving average needs (default 18)")
    p.add_argument("--min-hours-8h", type=number(int, low=1, high=8), default=6, metavar="N",
                   help="valid hours an 8-h moving average needs (default 6)")
    p.add_argument("--bulletin", action="store_true",
                   help="also write an A4 warning bulletin (Chinese; PNG, PDF with --static) per county and day "
                        "with a warning: bulletin_<county>_<date>")
    add_output_args(p, no_maps_help="tables and layers only")
    _add_archive_args(p)
    p.set_defaults(func=run)


def _add_archive_args(p) -> None:
    """The back-test options (``--archive``, ``--from``, ``--to``, engine, ``--gap``, ``--levels``)."""
    from geoairplan.commands.backtest import add_backtest_args
    from geoairplan.commands.jobs import add_job_args

    g = p.add_argument_group("back-test over an archive (instead of OBS)")
    add_job_args(g, archive_required=False)
    add_backtest_args(g)


def _check_inputs(args) -> None:
    """OBS or --archive, not both, not neither; the OBS-only options not with --archive."""
    archive = getattr(args, "archive", None)
    if args.obs and archive:
        raise InputError("both OBS and --archive given", where="archive",
                         fix="give OBS (one file) or --archive ARCHIVE --from DATE --to DATE (a back-test), not both")
    if not args.obs and not archive:
        raise InputError("no input: give OBS (MOENV hourly data) or --archive ARCHIVE", where="obs",
                         fix="e.g. geoairplan warn obs.csv --county 屏東縣, or geoairplan warn --archive ARCHIVE "
                             "--from 2016-01-01 --to 2025-12-31")
    if archive:
        for opt, val in (("--forecast", args.forecast), ("--coverage", args.coverage)):
            if val:
                raise InputError(f"{opt} is not used by the back-test (--archive)", where=opt.lstrip("-"),
                                 fix=f"leave out {opt}, or give OBS instead of --archive")
    elif getattr(args, "start", None) or getattr(args, "end", None) or getattr(args, "levels", False):
        raise InputError("--from/--to/--levels belong to the back-test", where="archive",
                         fix="add --archive ARCHIVE, or leave them out for OBS")


def run(args) -> int:
    # the analysis and the map kit load on use: `geoairplan --help` stays fast
    from geoairplan import publish
    from geoairplan.io import read_moenv_hourly
    from geoairplan.warnings import Completeness, run_warnings

    _check_inputs(args)
    if args.archive:  # the back-test over an archive (= geoairplan backtest)
        from geoairplan.commands.backtest import run as run_backtest

        return run_backtest(args)
    t0 = time.perf_counter()
    if args.bulletin and args.no_maps:
        raise InputError("--bulletin is a map output and --no-maps writes none", where="bulletin",
                         fix="drop --no-maps, or drop --bulletin")
    if args.bulletin and args.static == "none":
        raise InputError("--bulletin is a static map output and --static none writes none", where="bulletin",
                         fix="give --static png, pdf or png+pdf (the default is png), or drop --bulletin")
    if args.coverage and not args.county:
        raise InputError("--coverage needs --county", where="coverage", fix="add --county, e.g. --county 屏東縣")
    obs = read_moenv_hourly(args.obs)
    res = run_warnings(obs, county=args.county, forecast=args.forecast, rules=args.rules,
                       completeness=Completeness(h24=args.min_hours_24h, h8=args.min_hours_8h),
                       mapping=args.coverage, scenario=args.scenario, bulletin=args.bulletin)
    files = publish.write(res, args.out, **map_options(args))
    print(res.summary_text())
    report(res.problems, files, args.out, t0=t0)
    return 0
