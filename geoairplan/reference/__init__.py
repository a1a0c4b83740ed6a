"""The embedded Taiwan reference: names, geography, stations, pollutants, rules, catalogue.

Everything the analyses need to know about Taiwan that is not the user's data:

========================= ==========================================================
module                    holds
========================= ==========================================================
:mod:`.names`             name normalising (臺/台, 恆/恒, OCR typos), station keys,
                          Chinese numerals, spelling suggestions
:mod:`.geography`         counties, townships (MOI polygons), air-quality zones
:mod:`.stations`          the embedded MOENV monitoring stations
:mod:`.pollutants`        the one pollutant vocabulary: codes, units, labels, aliases
:mod:`.rules`             the rule tables of ``data/rules/``
:mod:`.catalog`           what is embedded, with source and licence
========================= ==========================================================

This layer imports only :mod:`geoairplan.errors` and reads only ``data/``.
"""

from geoairplan.reference.names import normalize_name, station_key, suggest
from geoairplan.reference.geography import (AQ_ZONES, SEED_COUNTIES, check_county, county_names, data_dir,
                                            load_counties, load_townships, normalize_county, township_names)
from geoairplan.reference.pollutants import (RULE_POLLUTANTS, UNITS, check_pollutant, emission_key,
                                             normalize_pollutant, normalize_unit)
from geoairplan.reference.stations import load_stations
from geoairplan.reference.rules import load_rules, rules_dir

__all__ = ["normalize_name", "station_key", "suggest", "AQ_ZONES", "SEED_COUNTIES", "check_county",
           "county_names", "data_dir", "load_counties", "load_townships", "normalize_county", "township_names",
           "RULE_POLLUTANTS", "UNITS", "check_pollutant", "emission_key", "normalize_pollutant", "normalize_unit",
           "load_stations", "load_rules", "rules_dir"]
