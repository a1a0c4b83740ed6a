"""The embedded Taiwan reference: names, geography, stations, pollutants, rules, catalogue.

Everything the analyses need to know about Taiwan that is not the user's data:

========================= ==========================================================
module                    holds
========================= ==========================================================
:mod:`.names`             name normalising (臺/台, 恆/恒, OCR typos), station keys,
                          Chinese numerals, spelling suggestions
:mod:`.geography`         counties, townships (MOI polygons), air-quality zones
:mod:`.stations`          the embedded MOENV monitoring stations
:mod:`.sitetypes`         MOENV station types and the types coverage uses
:mod:`.pollutants`        the one pollutant vocabulary: codes, units, labels, aliases
:mod:`.rules`             the rule tables of ``data/rules/``
:mod:`.catalog`           what is embedded, with source and licence
========================= ==========================================================

This layer imports only :mod:`geoairplan.errors` and reads only ``data/``. The package itself
imports nothing (import the module you need), so that light modules stay light.
"""
