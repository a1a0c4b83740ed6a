"""The 2022 warning regulation as code: levels, zones by hour, command centres, who to notify.

Regulation 空氣品質嚴重惡化警告發布及緊急防制辦法 (2022-03-03, seed 004) with its
Annex 1 thresholds as tabulated by 屏東縣 (seed 003 Table 1), and the pre-2022
scheme of 雲林縣 (seed 002 Table 7.1, river dust Table 7.2). Thresholds live in
``data/rules/`` and are never typed in code.

Modules
-------
``rules``      :func:`load_warning_rules` (checked rule tables, level scales, unit conversion)
``levels``     :func:`compute_levels` per station and hour (vectorised), :class:`Completeness`,
               :func:`prepare_observations` (input checks), :func:`levels_reference` (naive peer)
``riverdust``  :func:`river_dust` (雲林縣 濁水溪, 002 Table 7.2)
``forecast``   :func:`read_forecast` (next-day levels and trends, CSV)
``zones``      :func:`warning_zones` (township lists and dissolved polygons per hour, EPSG:3826)
``decisions``  :func:`command_centre` (Art. 7 on every network station, county tiers from
               ``data/rules/county_rules_2022.csv``), :func:`lower_lift` (Art. 14)
``timeline``   :func:`forecast_warnings` (Art. 4(1) + 14), Art. 11 / 13 / 16 and :func:`events_table`
               (the one events table the maps and the bulletin read)
``notify``     :func:`notification_list` (facilities, hospitals, measures per level)
``episode``    :func:`run_warnings` (all of the above) -> :class:`WarningResult`
               (a :class:`geoairplan.results.Result`; nothing here writes files)

Example
-------
>>> from geoairplan.io import read_moenv_hourly                      # doctest: +SKIP
>>> from geoairplan.warnings import run_warnings                     # doctest: +SKIP
>>> from geoairplan import publish                                   # doctest: +SKIP
>>> res = run_warnings(read_moenv_hourly("obs.csv"), county="屏東縣", forecast="forecast.csv")  # doctest: +SKIP
>>> files = publish.write(res, "out/")                               # doctest: +SKIP

Note: inside geoairplan, ``import warnings`` still means the standard library
(absolute imports); this package is ``geoairplan.warnings``.
"""

from geoairplan.warnings.rules import (INSUFFICIENT, LEVELS_2022, LEVEL_ZH_2022, NONE, Rules, convert_units,
                                       load_level_map, load_warning_rules, parse_level)
from geoairplan.warnings.levels import (Completeness, compute_levels, levels_reference, prepare_observations,
                                        series_column)
from geoairplan.warnings.riverdust import in_sector, load_river_dust_rules, river_dust
from geoairplan.warnings.forecast import forecast_for, read_forecast
from geoairplan.warnings.zones import Zones, coverage_map, dissolve_zones, warning_zones
from geoairplan.warnings.decisions import command_centre, forecast_area, half_or_more, lower_lift, network_stations
from geoairplan.warnings.timeline import (EVENT_COLUMNS, central_centre, events_table, forecast_warnings,
                                          reassess_6h, upwind_notifications)
from geoairplan.warnings.notify import measures_for, notification_list, pollutant_group, tables_for
from geoairplan.warnings.episode import WarningResult, run_warnings

__all__ = ["INSUFFICIENT", "LEVELS_2022", "LEVEL_ZH_2022", "NONE", "Rules", "convert_units", "load_level_map",
           "load_warning_rules", "parse_level", "Completeness", "compute_levels", "levels_reference",
           "prepare_observations", "series_column", "in_sector", "load_river_dust_rules", "river_dust",
           "forecast_for", "read_forecast", "Zones", "coverage_map", "dissolve_zones", "warning_zones",
           "command_centre", "half_or_more", "lower_lift", "network_stations", "forecast_area", "EVENT_COLUMNS",
           "central_centre", "events_table", "forecast_warnings", "reassess_6h", "upwind_notifications", "measures_for", "notification_list",
           "pollutant_group", "tables_for", "WarningResult", "run_warnings"]
